"""Runs with residents: families already housed pull their relatives after them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from homecoming.allocation import services
from homecoming.allocation.engine.cli import main as allocate_cli
from homecoming.allocation.models import AllocationRun
from homecoming.housing.models import Unit
from homecoming.registry.models import Household
from homecoming.testing import World, give_home, make_complex

pytestmark = pytest.mark.django_db


def stage_two(world: World, capture: Any, method: str = "optimal") -> AllocationRun:
    """KLB-1 lives in stage 1 (KLB-RC1, Kalbajar); its relatives KLB-2 come from Zar, and
    stage 2 offers homes both in Kalbajar (KLB-RC2) and in Zar."""
    first = Unit.objects.filter(building__complex=world.kalbajar_complex, rooms=3).first()
    give_home(first, world.kalbajar_family, "occupied")
    for step in ("offered", "allocated", "keys_handed", "moved_in"):  # one allowed step at a time
        Household.objects.filter(pk=world.kalbajar_family.pk).update(status=step)
    new_city = make_complex(world.kalbajar_city, "KLB-RC2", [2, 3, 3])
    village = make_complex(world.zar, "ZAR-RC1", [2, 3, 3, 4])
    with capture(execute=True):
        run = services.do_create_run(
            user=world.orkhan,
            name="Stage 2",
            method=method,
            district=world.kalbajar,
            complexes=[new_city, village],
            seed=11,
        )
    run.refresh_from_db()
    return run


def test_a_run_takes_families_already_housed_as_residents(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    run = stage_two(world, django_capture_on_commit_callbacks)
    assert run.residents_csv == (
        "household_id,group_id,settlement,complex,building\nKLB-1,G1,AZ110101,KLB-RC1,B1\n"
    )
    relative = run.results.get(household__reg_number="KLB-2")
    assert relative.unit is not None
    # from Zar, but its relatives live in Kalbajar: it follows them there
    assert relative.unit.building.complex.code == "KLB-RC2"
    assert run.report["followers"] == 1
    # why, in the reader's language and with the place's name: their relatives' complex
    # had no home in this run, so the family follows them to their settlement
    assert "in AZ110101, where your relatives live" in relative.reason
    from django.utils import translation

    from homecoming.allocation.reasons import explain

    with translation.override("az"):
        (text,) = explain([relative])
    assert "Kəlbəcər" in text and "AZ110101" not in text
    assert run.report["followers_with_residents_settlement"] == 1
    assert run.report["baseline"]["followers_with_residents_settlement"] == 1


def test_a_run_with_residents_replays_from_its_published_files(
    world: World, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    run = stage_two(world, django_capture_on_commit_callbacks)
    for name in ("households", "units", "residents", "assignments"):
        (tmp_path / f"{name}.csv").write_text(getattr(run, f"{name}_csv"), encoding="utf-8")
    args = [
        *("--households", str(tmp_path / "households.csv")),
        *("--units", str(tmp_path / "units.csv")),
        *("--seed", str(run.seed), "--out", str(tmp_path / "assignments.csv"), "--verify"),
    ]
    assert allocate_cli([*args, "--residents", str(tmp_path / "residents.csv")]) == 0
    assert allocate_cli(args) == 1  # without them the same seed places the relative in Zar


def test_the_residents_file_is_published_with_the_run(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    run = stage_two(world, django_capture_on_commit_callbacks)
    client.force_login(world.sabina)
    page = client.get(f"/allocation/{run.pk}/").content.decode()
    assert "residents.csv" in page
    response = client.get(f"/allocation/{run.pk}/files/residents.csv")
    assert response.status_code == 200
    assert b"KLB-1,G1,AZ110101,KLB-RC1,B1" in response.content


def test_a_run_without_housed_relatives_has_no_residents_and_keeps_its_digest(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from homecoming.allocation import adapter

    with django_capture_on_commit_callbacks(execute=True):
        run = services.do_create_run(
            user=world.orkhan,
            name="Stage 1",
            method="optimal",
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
            seed=3,
        )
    run.refresh_from_db()
    assert run.residents_csv == ""
    assert "followers" not in run.report
    assert run.inputs_sha256 == adapter.inputs_sha256(run.households_csv, run.units_csv)


def test_the_run_page_lists_followers_and_why_they_are_not_with_their_relatives(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    run = stage_two(world, django_capture_on_commit_callbacks)
    client.force_login(world.orkhan)
    page = client.get(f"/allocation/{run.pk}/?show=followers").content.decode()
    assert "Families whose relatives already have a home</dt><dd>1<" in page
    row = page[page.index('data-joined="settlement"') :]
    assert "KLB-2" in row[:400]
    assert "Kalbajar · Complex KLB-RC1 · building B1" in row
    assert "no home of their relatives' complexes was in this run" in row
    plain = client.get(f"/allocation/{run.pk}/").content.decode()
    assert "?show=followers" in plain and "data-joined" not in plain
