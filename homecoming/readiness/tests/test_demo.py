"""The Kalbajar demo's readiness: complex 1 ready, 2-4 not, a hazard near 3, the schools."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from homecoming.housing.models import ResidentialComplex
from homecoming.readiness.gate import assess, blockers
from homecoming.readiness.models import School, Stage
from homecoming.readiness.planning import school_plans, stage_progress
from homecoming.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_db: dict[str, int], db: Any) -> dict[str, int]:
    return demo_db


def kalbajar(n: int) -> ResidentialComplex:
    return ResidentialComplex.objects.select_related("settlement").get(code=f"KLB-RC{n}")


def test_the_demo_has_complex_1_ready_and_the_others_blocked_for_their_own_reasons(
    demo: dict[str, int],
) -> None:
    assert blockers(kalbajar(1)) == []
    assert any("Water supply" in r for r in blockers(kalbajar(2)))
    assert not any("hazard" in r for r in blockers(kalbajar(2)))
    assert any(
        "hazard area Orchard east of complex 3 (confirmed)" in r for r in blockers(kalbajar(3))
    )
    assert any(
        "Electricity (Kəlbəcər yaşayış kompleksi 4): not started" in r
        for r in blockers(kalbajar(4))
    )
    found = assess([kalbajar(2), kalbajar(3), kalbajar(4)])
    assert found[kalbajar(2).pk].forecast == date(2026, 12, 10)
    assert found[kalbajar(3).pk].forecast == date(2027, 5, 15)
    assert found[kalbajar(4).pk].forecast == date(2027, 9, 1)


def test_the_school_gap_is_computed_from_the_families_housed_and_shown_per_year(
    demo: dict[str, int],
) -> None:
    school = School.objects.get(name="Kəlbəcər şəhər məktəbi")
    (plan,) = school_plans([school], today=date(2026, 11, 29))
    by_year = {y.year: y for y in plan.years}
    # The 81 families of the first draw live in complex 1: count their children by hand.
    births = Person.objects.filter(
        household__home__building__complex__code__startswith="KLB-RC",
        birth_date__isnull=False,
    ).values_list("birth_date", flat=True)
    sept_2025 = date(2025, 9, 1)

    def age(b: date) -> int:
        return sept_2025.year - b.year - ((b.month, b.day) > (9, 1))

    expected = sum(1 for b in births if b is not None and 6 <= age(b) <= 17)
    assert expected > 0
    assert by_year[2025].demand == expected
    assert by_year[2025].modular == 120 and by_year[2025].permanent == 0
    assert by_year[2026].permanent == 0, "the permanent school opens in December 2026"
    assert by_year[2027].permanent == 528 and by_year[2027].modular == 0
    assert plan.modular_needed_until_permanent == max(by_year[2025].demand, by_year[2026].demand)


def test_the_schools_page_shows_the_gap_per_school_year(demo: dict[str, int], client: Any) -> None:
    from django.contrib.auth import get_user_model

    from homecoming.accounts.models import Profile, Role

    user = get_user_model().objects.create_user("admin2")
    Profile.objects.create(user=user, role=Role.ADMINISTRATOR)
    client.force_login(user)
    page = client.get("/readiness/schools/").content.decode()
    assert "2025/26" in page and "2026/27" in page and "Kəlbəcər şəhər uşaq bağçası" in page
    assert "modular-needed" in page


def test_the_stage_progress_counts_the_families_who_returned(demo: dict[str, int]) -> None:
    (progress,) = stage_progress(Stage.objects.all())
    assert progress.families_returned == 81
    assert progress.stage.target_families == 2600
    assert progress.persons_returned > 81
    assert progress.forecast == date(2027, 9, 1), "when complex 4 should open"


def test_every_complex_families_live_in_has_its_required_items_recorded_as_done(
    demo: dict[str, int],
) -> None:
    from homecoming.housing.models import UnitStatus

    lived_in = ResidentialComplex.objects.filter(
        buildings__units__status=UnitStatus.OCCUPIED
    ).distinct()
    assert {c.code for c in lived_in} == {"KLB-RC1", "AGH-V1", "ZBX-V1"}
    found = assess(lived_in.select_related("settlement"))
    assert all(a.ready for a in found.values()), {pk: a.reasons for pk, a in found.items()}


def test_the_demo_places_with_nothing_recorded_are_not_ready(demo: dict[str, int]) -> None:
    for code in ["IST-V1", "LAC-RC1"]:
        complex_ = ResidentialComplex.objects.select_related("settlement").get(code=code)
        assert "Water supply: not recorded yet." in blockers(complex_)


def test_the_demo_homes_carry_their_construction_state(demo: dict[str, int]) -> None:
    from homecoming.housing.models import Construction, Unit

    def states(code: str, **more: Any) -> set[str]:
        units = Unit.objects.filter(building__complex__code=code, **more)
        return set(units.values_list("construction", flat=True))

    assert states("KLB-RC1", building__phase=1) == {Construction.BUILT}
    assert states("KLB-RC1", building__phase=2) == {Construction.UNDER_CONSTRUCTION}
    assert states("KLB-RC2") == {Construction.UNDER_CONSTRUCTION}
    assert states("KLB-RC4") == {Construction.PLANNED}
    assert states("AGH-V1") == states("ZBX-V1") == {Construction.BUILT}
