"""The gate: a complex receives families only when its required items are finished and no
unreleased hazard area lies near any of its buildings."""

from __future__ import annotations

import json
from datetime import date

import pytest

from homecoming.core.testing import World, acting_as, audited_changes
from homecoming.readiness import services
from homecoming.readiness.gate import (
    assess,
    assess_settlements,
    blockers,
    home_blockers,
    ready_complexes,
)
from homecoming.readiness.importers import import_hazard_geojson
from homecoming.readiness.kinds import ensure_default_kinds
from homecoming.readiness.models import (
    HazardArea,
    ItemKind,
    ItemStatus,
    ReadinessItem,
)
from homecoming.readiness.tests.helpers import (
    collection,
    feature,
    item,
    place_complex,
    policy,
    record_ready,
)

pytestmark = pytest.mark.django_db


def test_a_complex_with_nothing_recorded_is_not_ready_and_says_not_recorded_yet(
    world: World,
) -> None:
    ensure_default_kinds(ItemKind)
    reasons = blockers(world.kalbajar_complex)
    kinds = list(ItemKind.objects.filter(active=True))
    assert len(kinds) == 10
    assert reasons == [f"{k.name}: not recorded yet." for k in kinds]


def test_with_a_policy_nothing_recorded_is_not_ready_per_required_kind(world: World) -> None:
    policy("electricity", "water")
    assert blockers(world.kalbajar_complex) == [
        "Electricity: not recorded yet.",
        "Water supply: not recorded yet.",
    ]


def test_every_active_kind_recorded_as_done_opens_a_complex_without_a_policy(
    world: World,
) -> None:
    record_ready(world.kalbajar_city)
    assert blockers(world.kalbajar_complex) == []
    assert blockers(world.lachin_complex) != []


def test_one_required_kind_left_unrecorded_keeps_the_complex_closed(world: World) -> None:
    record_ready(world.kalbajar_city)
    ReadinessItem.objects.filter(settlement=world.kalbajar_city, kind__code="gas").delete()
    assert blockers(world.kalbajar_complex) == ["Gas supply: not recorded yet."]


def test_an_explicit_policy_is_met_when_all_its_kinds_are_done(world: World) -> None:
    policy("electricity", "water")
    item(world.kalbajar_complex, "electricity")
    item(world.kalbajar_city, "water")
    assert blockers(world.kalbajar_complex) == []


def test_with_no_kind_defined_and_no_policy_readiness_cannot_be_told(world: World) -> None:
    ItemKind.objects.all().delete()
    (reason,) = blockers(world.kalbajar_complex)
    assert "cannot be told" in reason
    assert assess([world.kalbajar_complex])[world.kalbajar_complex.pk].forecast is None


def test_a_settlement_is_ready_only_when_its_required_items_are_recorded_done(
    world: World,
) -> None:
    policy("electricity", "school")
    verdict = assess_settlements([world.kalbajar_city])[world.kalbajar_city.pk]
    assert verdict.reasons == ["Electricity: not recorded yet.", "School: not recorded yet."]
    item(world.kalbajar_city, "electricity")
    school = item(world.kalbajar_city, "school", ItemStatus.IN_PROGRESS)
    verdict = assess_settlements([world.kalbajar_city])[world.kalbajar_city.pk]
    assert verdict.reasons == ["School (Kalbajar): in progress."]
    services.do_save_item(kind=school.kind, item=school, user=None, status=ItemStatus.DONE)
    assert assess_settlements([world.kalbajar_city])[world.kalbajar_city.pk].ready


def test_a_missing_required_item_blocks_and_says_which(world: World) -> None:
    policy("electricity", "water")
    item(world.kalbajar_complex, "electricity")
    reasons = blockers(world.kalbajar_complex)
    assert reasons == ["Water supply: not recorded yet."]


def test_an_unfinished_item_blocks_with_its_status_and_planned_date(world: World) -> None:
    policy("water")
    item(world.kalbajar_city, "water", ItemStatus.IN_PROGRESS, planned_end=date(2026, 5, 1))
    (reason,) = blockers(world.kalbajar_complex)
    assert reason == "Water supply (Kalbajar): in progress, planned for 2026-05-01."


def test_finishing_the_item_opens_the_complex(world: World) -> None:
    policy("water")
    water = item(world.kalbajar_city, "water", ItemStatus.IN_PROGRESS)
    assert blockers(world.kalbajar_complex)
    services.do_save_item(
        kind=water.kind, item=water, user=world.kamran, status=ItemStatus.CERTIFIED
    )
    assert blockers(world.kalbajar_complex) == []


def test_a_settlement_item_and_a_complex_item_must_both_be_finished(world: World) -> None:
    policy("electricity")
    item(world.kalbajar_city, "electricity")
    item(world.kalbajar_complex, "electricity", ItemStatus.NOT_STARTED)
    assert len(blockers(world.kalbajar_complex)) == 1


def test_an_item_finished_after_the_given_day_does_not_count_on_that_day(world: World) -> None:
    policy("gas")
    item(world.kalbajar_complex, "gas", actual_end=date(2026, 3, 1))
    assert blockers(world.kalbajar_complex, on=date(2026, 2, 1))
    assert blockers(world.kalbajar_complex, on=date(2026, 3, 1)) == []


def test_an_unreleased_hazard_area_nearby_blocks_and_releasing_it_opens(world: World) -> None:
    place_complex(world.kalbajar_complex)
    policy()  # no item required: only hazard areas count here
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


def test_a_hazard_area_farther_than_the_policy_distance_does_not_block(world: World) -> None:
    place_complex(world.kalbajar_complex)
    policy(buffer_m=40)  # requires no item: an explicit decision of the programme
    import_hazard_geojson(
        "areas.geojson", json.dumps(collection(feature("HA-1"))), world.kalbajar, None
    )
    assert blockers(world.kalbajar_complex) == []


def test_a_building_inside_a_hazard_area_is_named(world: World) -> None:
    place_complex(world.kalbajar_complex, lat=40.108, lon=46.0385)
    policy()  # no item required: only hazard areas count here
    import_hazard_geojson(
        "a.geojson", json.dumps(collection(feature("HA-2", "suspected"))), world.kalbajar, None
    )
    assert blockers(world.kalbajar_complex) == [
        "Building B1 lies inside hazard area HA-2 (suspected)."
    ]


def test_a_complex_without_coordinates_is_blocked_while_its_district_has_hazards(
    world: World,
) -> None:
    policy()  # no item required: only hazard areas count here
    import_hazard_geojson(
        "a.geojson", json.dumps(collection(feature("HA-1"))), world.kalbajar, None
    )
    assert "no coordinates" in blockers(world.kalbajar_complex)[0]
    assert blockers(world.lachin_complex) == []


def test_ready_complexes_keeps_only_those_that_pass(world: World) -> None:
    from homecoming.housing.models import ResidentialComplex

    policy("road")
    item(world.lachin_complex, "road")
    assert ready_complexes(ResidentialComplex.objects.all()) == [world.lachin_complex]


def test_a_home_is_ready_only_built_in_a_finished_building_of_a_ready_complex(
    world: World,
) -> None:
    from homecoming.housing.models import Construction, Unit

    record_ready(world.kalbajar_city)
    units = Unit.objects.filter(building__complex=world.kalbajar_complex).select_related(
        "building__complex__settlement"
    )
    first, second = units[0], units[1]
    assert home_blockers([first])[first.pk] == []
    Unit.objects.filter(pk=second.pk).update(construction=Construction.UNDER_CONSTRUCTION)
    second.refresh_from_db()
    found = home_blockers([first, second])
    assert found[second.pk] == [f"Home {second} is under construction."]
    assert found[first.pk] == ["Building KLB-RC1/B1: 1 of 6 homes are not built yet."]
    ReadinessItem.objects.filter(settlement=world.kalbajar_city, kind__code="water").delete()
    assert home_blockers([second])[second.pk][1] == (
        "Complex KLB-RC1: Water supply: not recorded yet."
    )


def test_item_changes_are_audited_with_who_and_from_what_to_what(world: World) -> None:
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
