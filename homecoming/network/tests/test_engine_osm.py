"""Reading OSM extracts (pyosmium): highways become edges, split at junctions."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from homecoming.network.engine import InputError, osm, route
from homecoming.network.engine.osm import DEFAULT_SPEEDS, read_osm


def write_pbf(path: Path, village: str = "Beta") -> Path:
    """A tiny extract: a town and a village joined by a primary road, a track through a
    tunnel and a footway (ignored), with a one-way link."""
    import osmium
    from osmium.osm.mutable import Node, Way

    writer = osmium.SimpleWriter(str(path))
    writer.add_node(Node(id=1, location=(46.0, 40.0), tags={"place": "town", "name": "Alpha"}))
    writer.add_node(Node(id=2, location=(46.05, 40.0)))
    writer.add_node(Node(id=3, location=(46.1, 40.0)))
    writer.add_node(Node(id=4, location=(46.1, 40.1), tags={"place": "village", "name": village}))
    writer.add_node(Node(id=5, location=(46.0, 40.05)))
    writer.add_way(Way(id=10, nodes=[1, 2, 3], tags={"highway": "primary", "name": "Main road"}))
    writer.add_way(Way(id=11, nodes=[3, 4], tags={"highway": "track", "tunnel": "yes"}))
    writer.add_way(Way(id=12, nodes=[2, 4], tags={"highway": "footway"}))
    writer.add_way(
        Way(
            id=13, nodes=[4, 5, 1], tags={"highway": "secondary", "oneway": "yes", "maxspeed": "90"}
        )
    )
    writer.close()
    return path


def test_highways_become_edges_with_speeds_by_class(tmp_path: Path) -> None:
    extract = read_osm(write_pbf(tmp_path / "tiny.osm.pbf"))
    net = extract.network
    assert {n.node_id for n in net.nodes} == {"osm-n1", "osm-n3", "osm-n4"}
    assert net.node("osm-n1").name == "Alpha" and net.node("osm-n1").kind == "settlement"
    main = net.edge("osm-w10-1")
    assert main.speed_kmh == DEFAULT_SPEEDS["primary"] and main.length_km == pytest.approx(
        8.52, abs=0.01
    )
    assert extract.names["osm-w10-1"] == "Main road"
    tunnel = net.edge("osm-w11-1")
    assert tunnel.mode == "tunnel" and tunnel.speed_kmh == DEFAULT_SPEEDS["track"]
    loop = net.edge("osm-w13-1")
    assert (
        loop.oneway
        and loop.speed_kmh == 90
        and (loop.from_node, loop.to_node) == ("osm-n4", "osm-n1")
    )
    assert len(net.edges) == 3  # the footway is not a road
    assert route(net, "osm-n4", "osm-n1").edges == ("osm-w13-1",)
    assert route(net, "osm-n1", "osm-n4").edges == ("osm-w10-1", "osm-w11-1")


def test_a_file_that_is_not_osm_is_refused_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x10not a pbf at all")
    with pytest.raises(InputError) as caught:
        read_osm(bad)
    assert caught.value.file == str(bad) and "not a readable OSM file" in str(caught.value)


def test_the_osm_docstring_examples_run() -> None:
    result = doctest.testmod(osm)
    assert result.failed == 0 and result.attempted > 0
