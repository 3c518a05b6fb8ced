"""Importing the network: the contract's CSV pair, GeoJSON; checked first, then atomic."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from homecoming.network.engine import InputError
from homecoming.network.importers import DEMO_DIR, read_network_file
from homecoming.network.models import Edge, Node, Role
from homecoming.network.services import do_replace_network
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def demo_copy(tmp_path: Path) -> Path:
    target = tmp_path / "net"
    shutil.copytree(DEMO_DIR, target)
    return target


def test_the_demo_network_is_imported_with_its_roles_and_links(network: Any) -> None:
    assert Node.objects.count() == 24 and Edge.objects.count() == 31
    kalbajar = Node.objects.get(node_id="kalbajar")
    assert kalbajar.area == network.kalbajar_city
    assert Node.objects.get(node_id="kalbajar-centre").area == network.kalbajar
    assert Node.objects.get(node_id="kalbajar-centre").role == Role.DISTRICT_CENTRE
    assert Node.objects.get(node_id="ganja").role == Role.REGIONAL_CITY
    assert set(Node.objects.filter(role=Role.HOSPITAL).values_list("node_id", flat=True)) == {
        "ganja-hospital",
        "lachin-hospital",
    }
    tunnel = Edge.objects.get(edge_id="murovdag-tunnel")
    assert (tunnel.length_km, tunnel.mode, str(tunnel.opens_on)) == (11.7, "tunnel", "2025-08-21")
    assert Edge.objects.get(edge_id="murov-pass-north").closed_months == "1,2,3,4,11,12"


def test_a_settlement_is_linked_by_name_when_no_code_is_given(world: World, tmp_path: Path) -> None:
    (tmp_path / "nodes.csv").write_text(
        "node_id,name,lat,lon,kind\nz,Zar,40.1,46.2,settlement\nk,Kalbajar,40.1,46.0,junction\n"
    )
    (tmp_path / "edges.csv").write_text(
        "edge_id,from,to,mode,length_km,speed_kmh\ne,z,k,road,5,50\n"
    )
    do_replace_network(read_network_file(tmp_path))
    assert Node.objects.get(node_id="z").area == world.zar
    assert Node.objects.get(node_id="k").area is None  # a junction stands for no settlement


@pytest.mark.parametrize(
    ("file", "bad", "good", "line", "column"),
    [
        (
            "edges.csv",
            "murovdag-tunnel,murovdag-north,murovdag-south,tunnel,11.7,70",
            "murovdag-tunnel,murovdag-north,nowhere,tunnel,11.7,70",
            8,
            "to",
        ),
        (
            "edges.csv",
            "ganja-goygol,ganja,goygol,road,13,60",
            "ganja-goygol,ganja,goygol,road,13,fast",
            3,
            "speed_kmh",
        ),
        ("nodes.csv", "goygol,Göygöl,40.587", "goygol,Göygöl,140.587", 4, "lat"),
        ("nodes.csv", "district_centre,AZ1101", "district_centre,AZ9999", 10, "area"),
        ("nodes.csv", "service,hospital,", "service,clinic,", 3, "role"),
    ],
)
def test_a_malformed_file_is_refused_with_file_line_and_column_and_changes_nothing(
    network: Any, tmp_path: Path, file: str, bad: str, good: str, line: int, column: str
) -> None:
    folder = demo_copy(tmp_path)
    text = (folder / file).read_text()
    assert bad in text
    text = text.replace(bad, good, 1)
    (folder / file).write_text(text)
    before = list(Edge.objects.values_list("edge_id", "length_km", "speed_kmh"))
    with pytest.raises(InputError) as caught:
        read_network_file(folder)
    err = caught.value
    assert (Path(err.file).name, err.line, err.column) == (file, line, column)
    assert list(Edge.objects.values_list("edge_id", "length_km", "speed_kmh")) == before


def test_the_command_refuses_an_edge_to_an_unknown_node_and_keeps_the_network(
    network: Any, tmp_path: Path, capsys: Any
) -> None:
    folder = demo_copy(tmp_path)
    edges = (folder / "edges.csv").read_text().replace(",lachin,gorchu,", ",lachin,gorchuu,")
    (folder / "edges.csv").write_text(edges)
    with pytest.raises(SystemExit) as exit_:
        call_command("import-network", str(folder))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "edges.csv, line 28, column to: unknown node 'gorchuu'" in err
    assert Edge.objects.count() == 31 and Node.objects.filter(node_id="gorchu").exists()


def test_a_reimport_replaces_the_whole_network(network: Any, tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "nodes.csv").write_text("node_id,name,lat,lon,kind\na,A,40,46,x\nb,B,40,46.1,x\n")
    (tmp_path / "edges.csv").write_text(
        "edge_id,from,to,mode,length_km,speed_kmh\nab,a,b,road,9,60\n"
    )
    call_command("import-network", str(tmp_path))
    assert "2 nodes, 1 edges" in capsys.readouterr().out
    assert list(Node.objects.values_list("node_id", flat=True)) == ["a", "b"]
    assert list(Edge.objects.values_list("edge_id", flat=True)) == ["ab"]


def test_a_geojson_network_is_imported_with_its_extras(world: World, tmp_path: Path) -> None:
    def point(node_id: str, lon: float, lat: float, **props: Any) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"node_id": node_id, "name": node_id.title(), **props},
        }

    data = {
        "type": "FeatureCollection",
        "features": [
            point("lachin", 46.547, 39.641, kind="settlement", area="AZ110201"),
            point("clinic", 46.55, 39.64, kind="hospital"),
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[46.547, 39.641], [46.55, 39.64]],
                },
                "properties": {
                    "edge_id": "e1",
                    "from": "lachin",
                    "to": "clinic",
                    "mode": "road",
                    "length_km": 1,
                    "speed_kmh": 30,
                    "name": "Clinic road",
                    "project": "Clinic access",
                },
            },
        ],
    }
    path = tmp_path / "net.geojson"
    path.write_text(json.dumps(data))
    do_replace_network(read_network_file(path))
    assert Node.objects.get(node_id="lachin").area == world.lachin_city
    assert Node.objects.get(node_id="clinic").role == Role.HOSPITAL  # from its kind
    edge = Edge.objects.get(edge_id="e1")
    assert (edge.name, edge.project) == ("Clinic road", "Clinic access")


def test_an_administrator_uploads_a_network_and_a_bad_upload_is_refused(
    network: Any, client: Any
) -> None:
    client.force_login(network.ayten)
    nodes = (DEMO_DIR / "nodes.csv").read_bytes()
    bad_edges = (DEMO_DIR / "edges.csv").read_bytes().replace(b",11.7,", b",-11.7,")
    response = client.post(
        "/network/edges/",
        {
            "file": SimpleUploadedFile("nodes.csv", nodes),
            "edges": SimpleUploadedFile("e.csv", bad_edges),
        },
    )
    assert response.status_code == 200
    assert "edges.csv, line 8, column length_km" in response.content.decode()
    assert Edge.objects.get(edge_id="murovdag-tunnel").length_km == 11.7
    good = (DEMO_DIR / "edges.csv").read_bytes().replace(b"tunnel,11.7,70", b"tunnel,11.7,60")
    response = client.post(
        "/network/edges/",
        {
            "file": SimpleUploadedFile("nodes.csv", nodes),
            "edges": SimpleUploadedFile("e.csv", good),
        },
    )
    assert response.status_code == 302
    assert Edge.objects.get(edge_id="murovdag-tunnel").speed_kmh == 60


def test_only_an_administrator_may_upload_a_network(network: Any, client: Any) -> None:
    client.force_login(network.kamran)
    response = client.post("/network/edges/", {"file": SimpleUploadedFile("n.geojson", b"{}")})
    assert response.status_code == 403
    assert Edge.objects.count() == 31
