"""The network layers of the map, built from an engine network (no database)."""

from __future__ import annotations

from datetime import date

from homecoming.network.adapter import EdgeInfo, NetworkData, NodeInfo, route_to
from homecoming.network.engine import Edge, Network, Node
from homecoming.network.mapdata import edge_state, network_collection

WINTER = date(2026, 1, 15)
SUMMER = date(2026, 7, 15)


def _data() -> NetworkData:
    nodes = (
        Node("kal", "Kalbajar", 40.10, 46.04, "settlement"),
        Node("j1", "Junction", 40.20, 46.10, "junction"),
        Node("gan", "Ganja", 40.68, 46.36, "settlement"),
        Node("hos", "Hospital", 40.60, 46.30, "service"),
        Node("bak", "Baku airport", 40.47, 50.05, "airport"),
        *(
            Node(f"x{i}", f"Village {i}", 40.1 + i / 20, 46.0 + i / 20, "junction")
            for i in range(6)
        ),
    )
    edges = (
        Edge("pass", "kal", "gan", "pass", 60.0, 40.0, closed_months=frozenset({12, 1, 2})),
        Edge("tunnel-road", "kal", "j1", "road", 20.0, 50.0),
        Edge(
            "tunnel",
            "j1",
            "gan",
            "tunnel",
            70.0,
            60.0,
            status="construction",
            opens_on=date(2026, 6, 1),
        ),
        Edge("new", "gan", "hos", "road", 10.0, 50.0, status="planned"),
        Edge("flight", "gan", "bak", "air", 330.0, None, minutes=60.0),
    )
    roles = {"hos": "hospital", "gan": "regional_city"}
    return NetworkData(
        Network(nodes, edges),
        {n.node_id: NodeInfo(i, roles.get(n.node_id, ""), None) for i, n in enumerate(nodes)},
        {e.edge_id: EdgeInfo(i, "", "") for i, e in enumerate(edges)},
    )


def _by_edge(data: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {
        f["properties"]["edge"]: f["properties"]
        for f in data["features"]
        if "edge" in f["properties"]
    }


def test_a_road_s_state_follows_the_engine_s_rule_on_the_date() -> None:
    network = _data().network
    assert [edge_state(e, WINTER) for e in network.edges] == [
        "closed",
        "open",
        "construction",
        "planned",
        "open",
    ]
    assert [edge_state(e, SUMMER) for e in network.edges] == [
        "open",
        "open",
        "open",
        "planned",
        "open",
    ]


def test_roads_are_classed_and_described_by_their_state_in_the_month() -> None:
    roads = _by_edge(network_collection(_data(), WINTER))
    assert roads["pass"]["cls"] == "road road-closed mode-pass"
    assert roads["pass"]["title"] == "pass: mountain pass, 60 km, 90 min, closed this month"
    assert roads["tunnel"]["cls"] == "road road-construction mode-tunnel"
    assert roads["new"]["title"].endswith(", planned")
    assert _by_edge(network_collection(_data(), SUMMER))["pass"]["state"] == "open"


def test_the_route_is_drawn_and_fitted_and_its_start_labelled_first() -> None:
    data = _data()
    # In January the pass is closed and the tunnel not open yet: no route, nothing drawn.
    assert route_to(data, "kal", "gan", WINTER) is None
    winter = network_collection(data, WINTER)
    assert not [f for f in winter["features"] if f["properties"]["layer"] == "route"]
    found = network_collection(data, SUMMER, route_to(data, "kal", "gan", SUMMER), focus="kal")
    (drawn,) = [f for f in found["features"] if f["properties"]["layer"] == "route"]
    assert drawn["properties"]["title"].startswith("Route: ")
    lons = [p[0] for p in drawn["geometry"]["coordinates"]]
    lats = [p[1] for p in drawn["geometry"]["coordinates"]]
    assert found["bbox"] == [min(lons), min(lats), max(lons), max(lats)]
    nodes = {
        f["properties"]["node"]: f["properties"]
        for f in found["features"]
        if "node" in f["properties"]
    }
    assert nodes["kal"]["rank"] == 0 and "focus" in nodes["kal"]["cls"]
    assert "label" not in nodes["j1"] and nodes["gan"]["label"] == "Ganja"
    assert nodes["hos"]["cls"] == "node role-hospital"


def test_without_a_route_the_map_fits_the_network_but_not_a_far_flight() -> None:
    found = network_collection(_data(), SUMMER)
    west, south, east, north = found["bbox"]
    assert 40.0 <= south < north <= 40.7
    assert east < 47 and west == 46.0  # Baku's airport (50.05) is left out of the view
    assert len(found["features"]) == 5 + 11
