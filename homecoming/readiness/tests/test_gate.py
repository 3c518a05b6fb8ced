"""The gate: a complex receives families only when its required items are finished and no
unreleased hazard area lies near any of its buildings."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from homecoming.core.testing import acting_as, audited_changes
from homecoming.readiness import services
from homecoming.readiness.gate import blockers, ready_complexes
from homecoming.readiness.importers import import_hazard_geojson
from homecoming.readiness.models import HazardArea, ItemStatus
from homecoming.readiness.tests.helpers import collection, feature, item, place_complex, policy

pytestmark = pytest.mark.django_db


def test_a_complex_with_no_policy_and_no_hazard_is_ready(world: Any) -> None:
    assert blockers(world.kalbajar_complex) == []


def test_a_missing_required_item_blocks_and_says_which(world: Any) -> None:
    policy("electricity", "water")
    item(world.kalbajar_complex, "electricity")
    reasons = blockers(world.kalbajar_complex)
    assert reasons == ["Water supply: not recorded yet."]


def test_an_unfinished_item_blocks_with_its_status_and_planned_date(world: Any) -> None:
    policy("water")
    item(world.kalbajar_city, "water", ItemStatus.IN_PROGRESS, planned_end=date(2026, 5, 1))
    (reason,) = blockers(world.kalbajar_complex)
    assert reason == "Water supply (Kalbajar): in progress, planned for 2026-05-01."


def test_finishing_the_item_opens_the_complex(world: Any) -> None:
    policy("water")
    water = item(world.kalbajar_city, "water", ItemStatus.IN_PROGRESS)
    assert blockers(world.kalbajar_complex)
    services.do_save_item(
        kind=water.kind, item=water, user=world.kamran, status=ItemStatus.CERTIFIED
    )
    assert blockers(world.kalbajar_complex) == []


def test_a_settlement_item_and_a_complex_item_must_both_be_finished(world: Any) -> None:
    policy("electricity")
    item(world.kalbajar_city, "electricity")
    item(world.kalbajar_complex, "electricity", ItemStatus.NOT_STARTED)
    assert len(blockers(world.kalbajar_complex)) == 1


def test_an_item_finished_after_the_given_day_does_not_count_on_that_day(world: Any) -> None:
    policy("gas")
    item(world.kalbajar_complex, "gas", actual_end=date(2026, 3, 1))
    assert blockers(world.kalbajar_complex, on=date(2026, 2, 1))
    assert blockers(world.kalbajar_complex, on=date(2026, 3, 1)) == []


def test_an_unreleased_hazard_area_nearby_blocks_and_releasing_it_opens(world: Any) -> None:
    place_complex(world.kalbajar_complex)
    import_hazard_geojson(
        "areas.geojson", json.dumps(collection(feature("HA-1"))), world.kalbajar, None
    )
    (reason,) = blockers(world.kalbajar_complex)
    assert reason.startswith("Building B1 is 50 m from hazard area HA-1 (confirmed)")
    area = HazardArea.objects.get(code="HA-1")
    services.do_set_hazard_status(area, "cleared", world.kamran)
    assert blockers(world.kalbajar_complex), "cleared is not yet released"
    services.do_set_hazard_status(area, "released", world.kamran, released_on=date(2025, 1, 1))
    assert blockers(world.kalbajar_complex) == []
    audit = [(field, before, after) for field, before, after, _ in audited_changes(area)]
    assert ("status", "cleared", "released") in audit


def test_a_hazard_area_farther_than_the_policy_distance_does_not_block(world: Any) -> None:
    place_complex(world.kalbajar_complex)
    policy(buffer_m=40)
    import_hazard_geojson(
        "areas.geojson", json.dumps(collection(feature("HA-1"))), world.kalbajar, None
    )
    assert blockers(world.kalbajar_complex) == []


def test_a_building_inside_a_hazard_area_is_named(world: Any) -> None:
    place_complex(world.kalbajar_complex, lat=40.108, lon=46.0385)
    import_hazard_geojson(
        "a.geojson", json.dumps(collection(feature("HA-2", "suspected"))), world.kalbajar, None
    )
    assert blockers(world.kalbajar_complex) == [
        "Building B1 lies inside hazard area HA-2 (suspected)."
    ]


def test_a_complex_without_coordinates_is_blocked_while_its_district_has_hazards(
    world: Any,
) -> None:
    import_hazard_geojson(
        "a.geojson", json.dumps(collection(feature("HA-1"))), world.kalbajar, None
    )
    assert "no coordinates" in blockers(world.kalbajar_complex)[0]
    assert blockers(world.lachin_complex) == []


def test_ready_complexes_keeps_only_those_that_pass(world: Any) -> None:
    from homecoming.housing.models import ResidentialComplex

    policy("road")
    item(world.lachin_complex, "road")
    assert ready_complexes(ResidentialComplex.objects.all()) == [world.lachin_complex]


def test_item_changes_are_audited_with_who_and_from_what_to_what(world: Any) -> None:
    water = item(world.kalbajar_complex, "water", ItemStatus.NOT_STARTED)
    with acting_as(world.kamran):
        services.do_save_item(
            kind=water.kind,
            item=water,
            user=world.kamran,
            status=ItemStatus.DONE,
            organisation="Azersu",
        )
    rows = {(f, b, a) for f, b, a, who in audited_changes(water) if who == "kamran"}
    assert {("status", "not_started", "done"), ("organisation", "", "Azersu")} <= rows
