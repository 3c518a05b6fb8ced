"""The demo network of Kalbajar and its neighbours tells the story of the Murovdag tunnel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from homecoming.network.engine import (
    Network,
    Scenario,
    apply_scenario,
    read_network,
    route,
    savings,
    savings_by_project,
)

DEMO = Path(__file__).resolve().parents[1] / "demo"
JANUARY = date(2026, 1, 15)


@pytest.fixture(scope="module")
def demo() -> Network:
    return read_network(DEMO)


def test_the_demo_network_reads_and_has_the_places_of_the_brief(demo: Network) -> None:
    for node_id in (
        "ganja",
        "goygol",
        "toganali",
        "kalbajar",
        "aghdara",
        "naftalan",
        "lachin",
        "gorchu",
        "khankendi",
        "shusha",
        "ganja-hospital",
        "kalbajar-centre",
    ):
        demo.node(node_id)
    assert demo.edge("murovdag-tunnel").length_km == 11.7
    assert demo.edge("murovdag-tunnel").opens_on == date(2025, 8, 21)
    assert demo.edge("kalbajar-lachin-highway").length_km == 75.8
    assert demo.edge("sugovushan-kalbajar-highway").length_km == 77.6
    assert demo.edge("lachin-cableway").minutes == 6
    assert demo.edge("murov-pass-north").closed_months == {11, 12, 1, 2, 3, 4}
    toganali_kalbajar = sum(
        demo.edge(e).length_km
        for e in ("toganali-murovdag-north", "murovdag-tunnel", "murovdag-south-kalbajar")
    )
    assert toganali_kalbajar == pytest.approx(56.0)


def test_kalbajar_to_ganja_in_january_takes_about_an_hour_and_a_half_with_the_tunnel(
    demo: Network,
) -> None:
    r = route(demo, "kalbajar", "ganja", on=JANUARY)
    assert 80 <= r.minutes <= 100
    assert "murovdag-tunnel" in r.edges


def test_without_the_tunnel_january_goes_round_through_aghdara_far_longer(demo: Network) -> None:
    with_tunnel = route(demo, "kalbajar", "ganja", on=JANUARY)
    no_tunnel = apply_scenario(demo, Scenario(remove=("murovdag-tunnel",)))
    r = route(no_tunnel, "kalbajar", "ganja", on=JANUARY)
    assert "aghdara" in r.nodes and "murov-pass" not in r.nodes
    assert r.minutes > 2.5 * with_tunnel.minutes


def test_in_summer_without_the_tunnel_the_murov_pass_is_the_way(demo: Network) -> None:
    no_tunnel = apply_scenario(demo, Scenario(remove=("murovdag-tunnel",)))
    r = route(no_tunnel, "kalbajar", "ganja", on=date(2026, 7, 15))
    assert "murov-pass" in r.nodes
    assert r.minutes < route(no_tunnel, "kalbajar", "ganja", on=JANUARY).minutes


def test_what_the_tunnel_saves_kalbajar_in_january(demo: Network) -> None:
    result = savings(demo, ["murovdag-tunnel"], JANUARY)
    saved = {(c.source, c.target): c.saved for c in result.changes()}
    assert saved[("kalbajar", "ganja")] == pytest.approx(
        result.before.get("kalbajar", "ganja") - result.after.get("kalbajar", "ganja")
    )
    kalbajar_ganja = saved[("kalbajar", "ganja")]
    assert kalbajar_ganja is not None and kalbajar_ganja > 120


def test_each_highway_under_construction_saves_time_once_built(demo: Network) -> None:
    projects = savings_by_project(demo, JANUARY)
    assert set(projects) == {"sugovushan-kalbajar-highway", "kalbajar-lachin-highway"}
    lachin = projects["kalbajar-lachin-highway"]
    assert lachin.before.get("kalbajar", "lachin") > lachin.after.get("kalbajar", "lachin")
    assert lachin.after.get("kalbajar", "lachin") == pytest.approx(75.8 / 80 * 60)


def test_the_lachin_highway_is_used_from_its_opening_date(demo: Network) -> None:
    opens = demo.edge("kalbajar-lachin-highway").opens_on
    assert opens is not None
    assert "kalbajar-lachin-highway" in route(demo, "kalbajar", "lachin", on=opens).edges
    assert (
        "kalbajar-lachin-highway"
        not in route(demo, "kalbajar", "lachin", on=date(2026, 6, 1)).edges
    )
