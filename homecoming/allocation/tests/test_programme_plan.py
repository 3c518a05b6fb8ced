"""The programme plan: every stage ahead in one job, followers across stages, kept fresh."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from homecoming.allocation import plan
from homecoming.allocation.engine import Household, Unit
from homecoming.allocation.engine.programme import PlannedStage, plan_programme
from homecoming.allocation.models import ProgrammePlan
from homecoming.core import jobs
from homecoming.readiness.models import Stage
from homecoming.registry.models import Household as Family
from homecoming.testing import World, make_complex, make_family


def units(complex_: str, rooms: list[int], settlement: str = "S") -> tuple[Unit, ...]:
    return tuple(
        Unit(f"{complex_}-{i}", settlement, complex_, f"B{i % 2}", rooms=r)
        for i, r in enumerate(rooms)
    )


def test_stages_are_planned_in_order_of_opening_and_relatives_follow_across_stages() -> None:
    # g2 registered a relative late: g2's first family gets stage 1, the relative stage 2,
    # where it joins the complex of nobody but the planned residents' settlement.
    hs = [
        Household("a", 2, "g1", priority=3),
        Household("b", 3, "g1", priority=3),
        Household("c", 2, "g2", priority=2),
        Household("d", 2, "g2", destination="T"),  # the relative's own choice wins
        Household("e", 1),
    ]
    early = PlannedStage("T-1", datetime.date(2027, 1, 1), units("C1", [2, 3, 2], "T"))
    late = PlannedStage("S-2", datetime.date(2028, 1, 1), units("C2", [2, 1], "S"))
    last = PlannedStage("T-3", None, units("C3", [2], "T"))
    result = plan_programme(hs, [last, late, early], seed=3)
    assert [s.key for s in result.stages] == ["T-1", "S-2", "T-3"]
    assert result.expected["a"] == result.expected["b"] == "T-1"
    assert result.stages[0].housed == 3 and result.stages[0].spare == {}


def test_a_stage_leaves_families_of_its_settlement_waiting_by_the_rooms_they_need() -> None:
    hs = [Household(f"h{i}", 4, destination="S") for i in range(3)]
    result = plan_programme(hs, [PlannedStage("S-1", None, units("C1", [3, 5]))], seed=1)
    assert result.stages[0].housed == 1
    assert result.stages[0].spare == {5: 1}
    assert result.stages[0].lacking == {3: 2}
    assert len(result.waiting) == 2


def test_a_follower_waits_for_a_stage_in_its_relatives_settlement() -> None:
    from homecoming.allocation.engine import Resident

    housed = [Resident("first", "S", "C0", "B0", "g")]
    second = [Household("second", 3, "g"), Household("other", 3)]
    sooner = PlannedStage("T-1", datetime.date(2027, 1, 1), units("C1", [3], "T"))
    later = PlannedStage("S-2", datetime.date(2028, 1, 1), units("C2", [3], "S"))
    result = plan_programme(second, [sooner, later], housed, seed=1)
    assert result.expected == {"other": "T-1", "second": "S-2"}
    assert [s.followers for s in result.stages] == [0, 1]


pytestmark_db = pytest.mark.django_db


def stage_one(world: World) -> Stage:
    stage = Stage.objects.create(
        settlement=world.kalbajar_city,
        number=1,
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 6, 30),
    )
    stage.complexes.set([world.kalbajar_complex])
    return stage


@pytestmark_db
def test_the_plan_job_keeps_a_plan_the_page_and_the_family_page_show(
    world: World, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stage = stage_one(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert plan.request_if_stale() == {"programme_plans": 1}
    current = ProgrammePlan.objects.get()
    (row,) = current.result["stages"]
    assert (row["stage"], row["homes"]) == (stage.pk, 6)
    assert row["families"] == 3  # the three waiting Kalbajar families
    assert row["opens_on"] == "2027-06-30"  # no readiness forecast: the period's end
    assert current.expected_for("KLB-1") == {"stage": stage.pk, "opens_on": "2027-06-30"}
    client.force_login(world.kamran)
    page = client.get("/allocation/plan/").content.decode()
    assert f'data-stage="{stage.pk}"' in page and "<svg" in page
    family = client.get("/households/KLB-1/").content.decode()
    assert "The programme plan expects this family in" in family
    client.force_login(world.leyla)  # Lachin: not her district's stages
    assert f'data-stage="{stage.pk}"' not in client.get("/allocation/plan/").content.decode()


@pytestmark_db
def test_the_plan_is_recomputed_only_when_its_inputs_changed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    stage_one(world)
    assert "homecoming.allocation.plan.request_if_stale" in jobs.REFRESHERS
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.refresh_stale()["programme_plans"] == 1  # what the worker calls
    assert ProgrammePlan.objects.count() == 1
    assert plan.request_if_stale() == {"programme_plans": 0}
    make_family("KLB-9", world.zar, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert plan.request_if_stale() == {"programme_plans": 1}
    latest = ProgrammePlan.objects.first()
    assert latest is not None and "KLB-9" in latest.result["expected"]
    assert ProgrammePlan.objects.count() == 2  # the earlier plan is kept


@pytestmark_db
def test_only_allocators_may_ask_for_a_new_plan(world: World, client: Any) -> None:
    client.force_login(world.kamran)
    assert client.post("/allocation/plan/").status_code == 403
    client.force_login(world.orkhan)
    assert client.post("/allocation/plan/").status_code == 302


@pytestmark_db
def test_a_new_stage_in_another_complex_changes_the_plan(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    stage_one(world)
    later = Stage.objects.create(
        settlement=world.zar,
        number=2,
        starts_on=datetime.date(2028, 1, 1),
        ends_on=datetime.date(2028, 6, 30),
    )
    later.complexes.set([make_complex(world.zar, "ZAR-RC1", [2, 3])])
    Family.objects.filter(reg_number="KLB-3").update(priority=9)
    with django_capture_on_commit_callbacks(execute=True):
        plan.request_if_stale()
    stages = ProgrammePlan.objects.get().result["stages"]
    assert [s["number"] for s in stages] == [1, 2]
