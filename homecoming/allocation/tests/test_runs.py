"""Allocation runs in the app: frozen inputs, seed commitment, job, results, approval."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from homecoming.allocation import services
from homecoming.allocation.engine.cli import main as allocate_cli
from homecoming.allocation.models import AllocationRun, RunStatus, seed_commitment
from homecoming.core.models import JobStatus
from homecoming.housing.models import Unit, UnitStatus
from homecoming.registry.models import Household, HouseholdStatus
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def start_run(
    world: World, capture: Any, method: str = "lottery", seed: int | None = None
) -> AllocationRun:
    with capture(execute=True):
        run = services.do_create_run(
            user=world.orkhan,
            name="Draw 1",
            method=method,
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
            seed=seed,
        )
    run.refresh_from_db()
    return run


def test_it_commits_to_the_seed_and_freezes_the_inputs(world: World) -> None:
    run = services.do_create_run(
        user=world.orkhan,
        name="Draw",
        method="lottery",
        district=world.kalbajar,
        complexes=[world.kalbajar_complex],
    )
    assert run.seed_commitment == hashlib.sha256(str(run.seed).encode()).hexdigest()
    assert not run.seed_revealed and run.visible_seed is None
    assert run.households_csv.splitlines()[0].startswith("household_id,size,group_id")
    # Only Kalbajar families, only the chosen complex's free homes.
    assert "KLB-1,4,G1,AZ110104,0,2,,2000-01-01" in run.households_csv
    assert "LAC-1" not in run.households_csv
    assert len(run.units_csv.splitlines()) == 1 + 6
    assert run.status == RunStatus.QUEUED


def test_the_job_stores_results_and_reveals_the_seed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    run = start_run(world, django_capture_on_commit_callbacks)
    assert run.job is not None and run.job.status == JobStatus.SUCCEEDED, run.job and run.job.error
    assert run.status == RunStatus.DONE and run.seed_revealed
    assert run.results.count() == 3
    assert run.results.filter(unit__isnull=False).count() == 3
    assert run.report["housed"] == 3
    assert all(r.reason for r in run.results.all())


def test_anyone_can_replay_a_finished_run_with_the_published_files(
    world: World, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    run = start_run(world, django_capture_on_commit_callbacks, method="optimal")
    (tmp_path / "households.csv").write_text(run.households_csv)
    (tmp_path / "units.csv").write_text(run.units_csv)
    (tmp_path / "assignments.csv").write_text(run.assignments_csv)
    assert seed_commitment(run.seed) == run.seed_commitment
    args = [
        "--households",
        str(tmp_path / "households.csv"),
        "--units",
        str(tmp_path / "units.csv"),
        "--seed",
        str(run.seed),
        "--out",
        str(tmp_path / "assignments.csv"),
        "--verify",
    ]
    assert allocate_cli(args) == 0
    tampered = run.assignments_csv.replace("KLB-1,", "KLB-9,", 1)
    (tmp_path / "assignments.csv").write_text(tampered)
    assert allocate_cli(args) != 0


def test_it_keeps_the_unhoused_on_a_reserve_list_in_priority_order(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from homecoming.testing import make_family

    for i in range(5):
        make_family(f"KLB-R{i}", world.zar, 2, priority=i % 3)
    run = start_run(world, django_capture_on_commit_callbacks)
    reserve = list(run.results.filter(unit__isnull=True).order_by("reserve_rank"))
    assert len(reserve) >= 2  # more families than homes: the checks below are not vacuous
    assert [r.reserve_rank for r in reserve] == list(range(1, len(reserve) + 1))
    priorities = [r.household.priority for r in reserve]
    assert priorities == sorted(priorities, reverse=True)
    assert all(r.reason for r in reserve)


def test_approving_a_run_gives_each_housed_family_its_home(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    run = start_run(world, django_capture_on_commit_callbacks)
    assert services.do_approve_run(run, world.orkhan) == 3
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    for result in run.results.filter(unit__isnull=False):
        unit = result.unit
        assert unit is not None
        unit.refresh_from_db()
        assert unit.household_id == result.household_id
        assert unit.status == UnitStatus.OFFERED  # allocated once the family accepts
        assert Household.objects.get(pk=result.household_id).status == HouseholdStatus.OFFERED


def test_it_refuses_to_approve_a_run_whose_homes_were_taken_since(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    first = start_run(world, django_capture_on_commit_callbacks)
    second = start_run(world, django_capture_on_commit_callbacks)
    services.do_approve_run(first, world.orkhan)
    with pytest.raises(services.ApprovalError):
        services.do_approve_run(second, world.orkhan)
    second.refresh_from_db()
    assert second.status == RunStatus.DONE
    assert Unit.objects.filter(status=UnitStatus.OFFERED).count() == 3


def test_the_same_seed_gives_the_same_result(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a = start_run(world, django_capture_on_commit_callbacks, seed=7)
    b = start_run(world, django_capture_on_commit_callbacks, seed=7)
    assert a.assignments_csv == b.assignments_csv


def test_the_run_page_shows_commitment_metrics_and_files(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    run = start_run(world, django_capture_on_commit_callbacks)
    client.force_login(world.kamran)
    page = client.get(f"/allocation/{run.pk}/").content.decode()
    assert run.seed_commitment in page and str(run.seed) in page
    assert (
        client.get(f"/allocation/{run.pk}/files/assignments.csv").content.decode()
        == run.assignments_csv
    )
    client.force_login(world.leyla)
    assert client.get(f"/allocation/{run.pk}/").status_code == 404


def test_an_officer_starts_a_run_from_the_form(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    client.force_login(world.orkhan)
    form = {
        "name": "Form draw",
        "method": "lottery",
        "district": world.kalbajar.pk,
        "complexes": [world.kalbajar_complex.pk],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/allocation/new/", form)
    assert response.status_code == 302
    run = AllocationRun.objects.get(name="Form draw")
    assert run.status == RunStatus.DONE


def test_the_new_run_form_defaults_to_the_optimiser(world: World, client: Any) -> None:
    client.force_login(world.orkhan)
    page = client.get("/allocation/new/").content.decode()
    assert '<option value="optimal" selected>' in page
    assert '<option value="lottery" selected>' not in page


def test_the_form_refuses_a_complex_outside_the_district(world: World, client: Any) -> None:
    client.force_login(world.orkhan)
    form = {
        "name": "Bad",
        "method": "lottery",
        "district": world.kalbajar.pk,
        "complexes": [world.lachin_complex.pk],
    }
    response = client.post("/allocation/new/", form)
    assert response.status_code == 200
    assert "not in the district" in response.content.decode()
    assert not AllocationRun.objects.exists()


def test_an_optimal_run_is_compared_with_the_lottery_on_the_same_inputs(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    run = start_run(world, django_capture_on_commit_callbacks, method="optimal")
    assert run.report["baseline"]["method"] == "lottery"
    assert run.baseline_csv.startswith("household_id,unit_id,reason")
    client.force_login(world.ayten)
    page = client.get(f"/allocation/{run.pk}/").content.decode()
    assert "Lottery by size, same inputs" in page
    fairness = client.get(f"/allocation/{run.pk}/?show=fairness")
    rows = {(r.dimension, r.category): r for r in fairness.context["fairness"]}
    assert rows[("needs", "step-free")].families == 1
    assert sum(r.families for r in fairness.context["fairness"] if r.dimension == "size") == 3
    assert rows[("shelter", "Dormitory")].baseline_housed is not None


def test_the_fairness_table_counts_each_family_once_per_dimension() -> None:
    from homecoming.allocation.fairness import Family, fairness_table

    families = [
        Family(str(i), "dormitory" if i % 2 else "rented", i % 7 + 1, i % 5 == 0) for i in range(40)
    ]
    table = fairness_table(families, housed={str(i) for i in range(0, 40, 3)}, baseline_housed=None)
    for dimension in ["shelter", "size", "needs"]:
        rows = [r for r in table if r.dimension == dimension]
        assert sum(r.families for r in rows) == 40
        assert sum(r.housed for r in rows) == 14
        assert all(r.baseline_share is None for r in rows)


def test_the_fairness_module_examples_hold() -> None:
    import doctest

    from homecoming.allocation import fairness

    assert doctest.testmod(fairness).failed == 0


def test_choosing_a_stage_takes_its_ready_complexes_in_the_district(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    client.force_login(world.orkhan)
    form = {"name": "Stage draw", "method": "lottery", "district": world.kalbajar.pk, "stage": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/allocation/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    run = AllocationRun.objects.get(name="Stage draw")
    assert list(run.complexes.all()) == [world.kalbajar_complex]


def test_the_form_refuses_a_policy_the_engine_cannot_use(world: World, client: Any) -> None:
    client.force_login(world.orkhan)
    form = {
        "name": "Bad policy",
        "method": "lottery",
        "district": world.kalbajar.pk,
        "complexes": [world.kalbajar_complex.pk],
        "policy": "[bands]\n1 = 'x'\n",
    }
    response = client.post("/allocation/new/", form)
    assert response.status_code == 200
    assert "The policy cannot be used" in response.content.decode()
    assert not AllocationRun.objects.exists()


def test_a_familys_page_shows_its_allocation_history_from_the_allocation_app(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    client.force_login(world.kamran)
    reg = world.kalbajar_family.reg_number
    assert "Not yet in any allocation run." in client.get(f"/households/{reg}/").content.decode()
    run = start_run(world, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE
    page = client.get(f"/households/{reg}/").content.decode()
    assert reverse("allocation:run", args=[run.pk]) in page and "Draw 1" in page


def test_a_waiting_run_page_reloads_whole_when_the_run_ends(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    client.force_login(world.orkhan)
    waiting = services.do_create_run(
        user=world.orkhan,
        name="Queued",
        method="lottery",
        district=world.kalbajar,
        complexes=[world.kalbajar_complex],
    )
    url = reverse("allocation:run", args=[waiting.pk]) + "?poll=1"
    polled = client.get(url, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and "HX-Refresh" not in polled
    assert "hx-trigger" in polled.content.decode()  # still polling
    done = start_run(world, django_capture_on_commit_callbacks)
    url = reverse("allocation:run", args=[done.pk]) + "?poll=1"
    ended = client.get(url, HTTP_HX_REQUEST="true")
    assert (ended.status_code, ended["HX-Refresh"]) == (204, "true")


def test_the_run_page_shows_shares_as_percentages_not_raw_decimals(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    import re

    run = start_run(world, django_capture_on_commit_callbacks)
    client.force_login(world.orkhan)
    page = client.get(reverse("allocation:run", args=[run.pk])).content.decode()
    share = run.report["ideal_rooms_share"]
    assert f"{round(100 * share, 1):.1f} %" in page
    assert not re.search(r">0\.\d{3,}<", page)  # no bare fraction in a cell


def test_the_run_shows_what_keeping_groups_together_cost_in_rooms(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.do_create_run(
            user=world.orkhan,
            name="Rooms",
            method="optimal",
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
            seed=5,
        )
    run.refresh_from_db()
    report = run.report
    assert report["ideal_rooms"] <= report["ideal_rooms_bound"] <= report["housed"]
    assert set(report["without_groups"]) >= {"housed", "ideal_rooms_share"}
    client.force_login(world.orkhan)
    page = client.get(f"/allocation/{run.pk}/").content.decode()
    assert "Best possible for the same families, each group in the same buildings" in page
    assert "The same run with groups ignored" in page
