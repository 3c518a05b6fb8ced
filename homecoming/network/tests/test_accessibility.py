"""Accessibility in the app: the demo's tunnel story, month by month, projects, scoping."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homecoming.cli import main as homecoming_main
from homecoming.housing.models import Unit, UnitStatus
from homecoming.network import adapter
from homecoming.network.importers import DEMO_DIR
from homecoming.network.models import Edge, Role
from homecoming.testing import make_complex

pytestmark = pytest.mark.django_db


def january() -> date:
    return date(timezone.localdate().year, 1, 15)


def cli_route(capsys: Any, on: date, *extra: str, network: str = str(DEMO_DIR)) -> dict[str, Any]:
    code = homecoming_main(
        [
            "travel",
            "route",
            "--network",
            network,
            "--from",
            "kalbajar",
            "--to",
            "ganja",
            "--on",
            on.isoformat(),
            "--json",
            *extra,
        ]
    )
    assert code == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def cell(html: str, row: str, column: int) -> str:
    """Text of one cell of the row whose ``data-*`` attribute is ``row``."""
    match = re.search(rf"<tr[^>]*{row}[^>]*>(.*?)</tr>", html, re.S)
    assert match, row
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return re.sub(r"<[^>]+>", "", cells[column]).strip()


def test_kalbajar_to_ganja_in_january_takes_an_hour_and_a_half_with_the_tunnel_on_the_page_and_in_the_cli(
    network: Any, client: Any, capsys: Any
) -> None:
    client.force_login(network.sabina)
    html = client.get("/network/AZ110101/?month=1").content.decode()
    cli = cli_route(capsys, january())
    assert 85 < cli["minutes"] < 95 and "murovdag-tunnel" in cli["edges"]
    # The month table: regional city (third destination), as things stand.
    assert cell(html, 'data-month="1"', 3) == f"{cli['minutes']:.0f}"
    # The route box says the same, to a tenth of a minute.
    assert f'data-route-minutes="{cli["minutes"]:.1f}"' in html
    assert "Toganali" in html and "Murovdag tunnel north portal" in html


def test_without_the_tunnel_the_january_trip_goes_round_and_takes_far_longer(
    network: Any, client: Any, capsys: Any, tmp_path: Any
) -> None:
    client.force_login(network.ayten)
    html = client.get("/network/AZ110101/?month=1").content.decode()
    # Projects table: columns 3.. are (without, with, saved) per destination; regional city last.
    without = float(cell(html, 'data-project="Murovdag tunnel"', 9))
    with_ = float(cell(html, 'data-project="Murovdag tunnel"', 10))
    assert without > with_ + 60
    # The same figure from the contract CLI on a copy of the network without the tunnel.
    import shutil

    folder = tmp_path / "net"
    shutil.copytree(DEMO_DIR, folder)
    edges = [
        line
        for line in (folder / "edges.csv").read_text().splitlines()
        if not line.startswith("murovdag-tunnel,")
    ]
    (folder / "edges.csv").write_text("\n".join(edges) + "\n")
    round_trip = cli_route(capsys, january(), network=str(folder))
    assert f"{round_trip['minutes']:.0f}" == f"{without:.0f}"
    assert "aghdara" in round_trip["nodes"] and "murov-pass" not in round_trip["nodes"]


def test_the_year_has_twelve_months_and_the_planned_highway_brings_the_hospital_closer(
    network: Any,
) -> None:
    data = adapter.load()
    result = adapter.accessibility(data, "kalbajar", network.kalbajar.pk, 2026, date(2026, 1, 15))
    assert [m.on for m in result.months] == [date(2026, m, 15) for m in range(1, 13)]
    jan = result.months[0]
    assert jan.now[Role.DISTRICT_CENTRE].node_id == "kalbajar-centre"
    assert jan.now[Role.HOSPITAL].node_id == "ganja-hospital"
    # With the Kalbajar-Lachin highway (under construction) Lachin's hospital is nearer.
    assert jan.planned[Role.HOSPITAL].node_id == "lachin-hospital"
    assert jan.planned[Role.HOSPITAL].minutes < jan.now[Role.HOSPITAL].minutes  # type: ignore[operator]
    # The highway opens on 2026-10-30: from November it counts as things stand.
    assert result.months[10].now[Role.HOSPITAL].node_id == "lachin-hospital"


def test_a_project_counts_the_families_housed_or_allocated_where_it_saves_time(
    network: Any, client: Any
) -> None:
    units = list(Unit.objects.filter(building__complex=network.kalbajar_complex)[:2])
    for unit, family in zip(units, [network.kalbajar_family, network.lachin_family], strict=True):
        # The way a home is allocated: offered, then accepted (the lifecycle allows no jump).
        for status in (UnitStatus.OFFERED, UnitStatus.ALLOCATED):
            unit.household, unit.status = family, status
            unit.save()
    client.force_login(network.ayten)
    html = client.get("/network/?month=1").content.decode()
    # Murovdag tunnel: Kalbajar gains; its two families count.
    assert cell(html, 'data-project="Murovdag tunnel"', 6) == "2"
    assert "Kalbajar" in cell(html, 'data-project="Murovdag tunnel"', 5)
    page = client.get("/network/AZ110101/?month=1").content.decode()
    assert cell(page, 'data-project="Murovdag tunnel"', 12) == "2"


def test_a_district_officer_sees_only_their_settlements(network: Any, client: Any) -> None:
    client.force_login(network.leyla)
    assert client.get("/network/AZ110101/").status_code == 404
    html = client.get("/network/").content.decode()
    assert "/network/AZ110201/" in html and "/network/AZ110101/" not in html
    assert client.get("/network/AZ110201/").status_code == 200


def test_a_settlement_off_the_network_says_so(network: Any, client: Any) -> None:
    client.force_login(network.ayten)
    html = client.get("/network/AZ110104/").content.decode()
    assert "not linked to a node" in html


def test_the_accessibility_page_does_not_grow_queries_with_the_data(
    network: Any, client: Any
) -> None:
    client.force_login(network.ayten)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = {url: queries(url) for url in ("/network/AZ110101/", "/network/", "/network/edges/")}
    make_complex(network.kalbajar_city, "KLB-RC9", [2, 3, 4] * 5)
    for i, edge in enumerate(Edge.objects.all()[:5]):
        edge.pk = None
        edge.edge_id = f"copy-{i}"
        edge.save()
    after = {url: queries(url) for url in before}
    assert after == before


def test_the_api_gives_the_year_and_the_projects_of_a_settlement(network: Any, api: Any) -> None:
    data = api(network.sabina).get("/api/accessibility/AZ110101/?month=1").json()
    assert len(data["months"]) == 12
    jan = data["months"][0]["now"]["regional_city"]
    assert jan["node"] == "ganja" and 85 < jan["minutes"] < 95
    tunnel = next(p for p in data["projects"] if p["project"] == "Murovdag tunnel")
    assert tunnel["without"]["regional_city"]["minutes"] > jan["minutes"] + 60
    assert api(network.leyla).get("/api/accessibility/AZ110101/").status_code == 404
