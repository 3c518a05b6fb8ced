"""Reading network files: bad input is refused with file, line and column."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from homecoming.network.engine import (
    InputError,
    read_geojson,
    read_network,
    read_node_list,
    read_scenario_csv,
)

NODES = "node_id,name,lat,lon,kind\na,Alpha,40.1,46.0,settlement\nb,Beta,40.2,46.1,junction\n"
EDGES_HEADER = (
    "edge_id,from,to,mode,length_km,speed_kmh,minutes,oneway,closed_months,status,opens_on\n"
)
EDGE_OK = "e1,a,b,road,10,60,,0,,open,\n"


def write(tmp_path: Path, nodes: str = NODES, edges: str = EDGES_HEADER + EDGE_OK) -> Path:
    (tmp_path / "nodes.csv").write_text(nodes, encoding="utf-8")
    (tmp_path / "edges.csv").write_text(edges, encoding="utf-8")
    return tmp_path


def refused(tmp_path: Path, **files: str) -> InputError:
    with pytest.raises(InputError) as info:
        read_network(write(tmp_path, **files))
    return info.value


def test_it_reads_a_well_formed_network(tmp_path: Path) -> None:
    net = read_network(
        write(
            tmp_path,
            edges=EDGES_HEADER
            + EDGE_OK
            + 'e2,b,a,pass,5,,12,1,"11,12,1",construction,2026-05-01\n',
        )
    )
    assert [n.node_id for n in net.nodes] == ["a", "b"]
    e2 = net.edge("e2")
    assert e2.minutes == 12 and e2.oneway and e2.closed_months == {11, 12, 1}
    assert e2.status == "construction" and e2.opens_on == date(2026, 5, 1)
    assert net.edge("e1").travel_minutes == 10.0


def test_it_names_a_missing_column_on_the_header_line(tmp_path: Path) -> None:
    err = refused(tmp_path, nodes="node_id,name,lat,kind\na,A,40,settlement\n")
    assert err.file.endswith("nodes.csv") and err.line == 1 and err.column == "lon"


def test_it_refuses_a_duplicate_node_id_with_its_line(tmp_path: Path) -> None:
    err = refused(tmp_path, nodes=NODES + "a,Again,40.3,46.2,settlement\n")
    assert err.file.endswith("nodes.csv") and (err.line, err.column) == (4, "node_id")
    assert "duplicate" in err.message


def test_it_refuses_a_duplicate_edge_id(tmp_path: Path) -> None:
    err = refused(tmp_path, edges=EDGES_HEADER + EDGE_OK + EDGE_OK)
    assert err.file.endswith("edges.csv") and (err.line, err.column) == (3, "edge_id")


def test_it_refuses_a_non_number_naming_the_column(tmp_path: Path) -> None:
    err = refused(tmp_path, edges=EDGES_HEADER + "e1,a,b,road,10,fast,,0,,open,\n")
    assert (err.line, err.column) == (2, "speed_kmh")
    assert "not a number" in str(err) and "edges.csv, line 2, column speed_kmh" in str(err)


def test_it_refuses_a_latitude_out_of_range(tmp_path: Path) -> None:
    err = refused(tmp_path, nodes=NODES.replace("40.2", "95"))
    assert (err.line, err.column) == (3, "lat")


def test_it_refuses_a_bad_mode(tmp_path: Path) -> None:
    err = refused(tmp_path, edges=EDGES_HEADER + "e1,a,b,ferry,10,60,,0,,open,\n")
    assert (err.line, err.column) == (2, "mode")


def test_it_refuses_a_bad_month_list(tmp_path: Path) -> None:
    err = refused(tmp_path, edges=EDGES_HEADER + 'e1,a,b,pass,10,60,,0,"11,13",open,\n')
    assert (err.line, err.column) == (2, "closed_months")


def test_it_refuses_a_bad_date(tmp_path: Path) -> None:
    err = refused(tmp_path, edges=EDGES_HEADER + "e1,a,b,road,10,60,,0,,planned,2026-02-30\n")
    assert (err.line, err.column) == (2, "opens_on")


def test_it_refuses_a_bad_status_and_a_bad_oneway(tmp_path: Path) -> None:
    err = refused(tmp_path, edges=EDGES_HEADER + "e1,a,b,road,10,60,,0,,closed,\n")
    assert err.column == "status"
    err = refused(tmp_path, edges=EDGES_HEADER + "e1,a,b,road,10,60,,yes,,open,\n")
    assert err.column == "oneway"


def test_an_edge_to_an_unknown_node_is_an_error_not_a_silent_drop(tmp_path: Path) -> None:
    err = refused(tmp_path, edges=EDGES_HEADER + EDGE_OK + "e2,b,zz,road,10,60,,0,,open,\n")
    assert err.file.endswith("edges.csv") and (err.line, err.column) == (3, "to")
    assert "zz" in err.message


def test_it_needs_a_speed_or_fixed_minutes_and_a_positive_length(tmp_path: Path) -> None:
    err = refused(tmp_path, edges=EDGES_HEADER + "e1,a,b,road,10,,,0,,open,\n")
    assert err.column == "speed_kmh"
    err = refused(tmp_path, edges=EDGES_HEADER + "e1,a,b,road,0,60,,0,,open,\n")
    assert err.column == "length_km"


def test_it_refuses_an_edge_from_a_node_to_itself(tmp_path: Path) -> None:
    err = refused(tmp_path, edges=EDGES_HEADER + "e1,a,a,road,10,60,,0,,open,\n")
    assert (err.line, err.column) == (2, "to")


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "nodes.csv").write_text(NODES, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_network(tmp_path)
    assert info.value.file.endswith("edges.csv")


def test_it_reads_a_scenario_and_refuses_removing_an_unknown_edge(tmp_path: Path) -> None:
    net = read_network(write(tmp_path))
    path = tmp_path / "scenario.csv"
    path.write_text(
        "action,edge_id,from,to,mode,length_km,speed_kmh\nremove,e1,,,,,\nadd,t1,a,b,tunnel,2,60\n",
        encoding="utf-8",
    )
    scenario = read_scenario_csv(path, net)
    assert scenario.remove == ("e1",) and scenario.add[0].edge_id == "t1"
    path.write_text("action,edge_id\nremove,nope\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_scenario_csv(path, net)
    assert (info.value.line, info.value.column) == (2, "edge_id")
    path.write_text(
        "action,edge_id,from,to,mode,length_km,speed_kmh\nadd,t1,a,q,tunnel,2,60\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_scenario_csv(path, net)
    assert (info.value.line, info.value.column) == (2, "to")
    path.write_text("action,edge_id\nclose,e1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_scenario_csv(path, net)
    assert info.value.column == "action"


def test_a_node_list_must_name_known_nodes(tmp_path: Path) -> None:
    net = read_network(write(tmp_path))
    path = tmp_path / "sources.csv"
    path.write_text("node_id\nb\na\n", encoding="utf-8")
    assert read_node_list(path, net) == ("b", "a")
    path.write_text("node_id\nb\nx\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_node_list(path, net)
    assert (info.value.line, info.value.column) == (3, "node_id")


def geojson(features: list[dict[str, object]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def point(node_id: str, lon: float, lat: float) -> dict[str, object]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"node_id": node_id, "name": node_id.upper(), "kind": "settlement"},
    }


def test_it_reads_geojson_points_and_linestrings(tmp_path: Path) -> None:
    props: dict[str, object] = {
        "edge_id": "e1",
        "from": "a",
        "to": "b",
        "mode": "road",
        "length_km": 10,
        "speed_kmh": 60,
        "closed_months": "1,2",
    }
    line: dict[str, object] = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[46.0, 40.1], [46.1, 40.2]]},
        "properties": props,
    }
    path = tmp_path / "net.geojson"
    path.write_text(geojson([point("a", 46.0, 40.1), point("b", 46.1, 40.2), line]))
    net = read_network(path)
    assert net.node("b").lat == 40.2 and net.edge("e1").closed_months == {1, 2}
    assert read_network(tmp_path) == net  # a directory holding one .geojson file
    bad = {**line, "properties": {**props, "to": "nowhere"}}
    path.write_text(geojson([point("a", 46.0, 40.1), bad]))
    with pytest.raises(InputError) as info:
        read_geojson(path)
    assert (info.value.line, info.value.column) == (2, "to")
