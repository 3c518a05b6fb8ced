"""The Kalbajar demo: facts of the brief, oversubscription, determinism."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db.models import Count

from homecoming.housing.models import Building, ResidentialComplex, Unit
from homecoming.registry.models import Household, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_db: dict[str, int], db: Any) -> dict[str, int]:
    return demo_db


def rooms_of(complex_code: str, phase: int, kind: str) -> Counter[int]:
    units = Unit.objects.filter(
        building__complex__code=complex_code, building__phase=phase, building__kind=kind
    )
    return Counter(units.values_list("rooms", flat=True))


def test_the_first_kalbajar_complex_is_built_as_the_brief_says(demo: Any) -> None:
    assert rooms_of("KLB-RC1", 1, "block") == {2: 54, 3: 72, 4: 36}
    blocks = Building.objects.filter(complex__code="KLB-RC1", phase=1, kind="block")
    assert blocks.count() == 6
    assert all(b.units.count() == 27 and b.floors == 4 for b in blocks)
    assert rooms_of("KLB-RC1", 1, "townhouse") == {3: 39}
    assert Building.objects.filter(complex__code="KLB-RC1", phase=2, kind="block").count() == 16
    assert Building.objects.filter(complex__code="KLB-RC1", phase=2, kind="townhouse").count() == 57
    assert Unit.objects.filter(building__complex__code="KLB-RC1").count() == 524


def test_stage_one_of_kalbajar_is_oversubscribed_and_houses_ten_thousand(demo: Any) -> None:
    stage1 = ResidentialComplex.objects.filter(settlement__code="AZ110101", stage=1)
    assert stage1.count() == 4
    homes = Unit.objects.filter(building__complex__in=stage1).count()
    assert 2500 <= homes <= 2700
    waiting = Household.objects.filter(district__code="AZ1101").waiting().count()
    assert 3800 <= waiting <= 4200 and waiting > homes
    persons = Person.objects.filter(household__district__code="AZ1101").count()
    assert persons / Household.objects.filter(district__code="AZ1101").count() == pytest.approx(
        4, abs=0.3
    )
    assert homes * 4 > 10_000


def test_the_draw_outcomes_of_aghali_and_zabukh_are_the_brief_s(demo: Any) -> None:
    aghali = Counter(
        Unit.objects.filter(building__complex__code="AGH-V1").values_list("rooms", flat=True)
    )
    zabukh = Counter(
        Unit.objects.filter(building__complex__code="ZBX-V1").values_list("rooms", flat=True)
    )
    assert aghali == {3: 10, 4: 15, 5: 8}
    assert zabukh == {2: 31, 3: 102, 4: 20, 5: 21}
    assert (
        Unit.objects.filter(building__complex__code="ZBX-V1", household__isnull=True).count() == 0
    )


def test_the_registry_has_groups_needs_children_and_shelter_kinds(demo: Any) -> None:
    sizes = Household.objects.annotate(n=Count("group__households")).filter(group__isnull=False)
    assert sizes.exists() and max(sizes.values_list("n", flat=True)) <= 12
    step_free = Household.objects.filter(members__needs_step_free=True).distinct().count()
    assert 0.05 < step_free / Household.objects.count() < 0.11
    kinds = set(Household.objects.values_list("shelter_kind", flat=True))
    assert {"dormitory", "sanatorium", "unfinished", "rented", "relatives"} <= kinds
    from datetime import date

    school_age = [
        p
        for p in Person.objects.filter(relationship="child")
        if 6 <= (p.age_on(date(2026, 9, 15)) or 0) <= 17
    ]
    assert len(school_age) > 1000


def test_the_demo_families_are_found_by_name_in_any_script(demo: Any) -> None:
    assert not Household.objects.filter(name_keys="").exists()
    assert not Person.objects.filter(name_keys="").exists()
    head = Person.objects.filter(relationship="head").order_by("pk").first()
    assert head is not None
    assert Household.objects.search(head.surname).filter(pk=head.household_id).exists()
