"""Run files and the formula rule: normal data unchanged byte for byte, a formula neutralised
and still matched back to its family, and the published files still replay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from homecoming.allocation import services
from homecoming.allocation.engine.cli import main as allocate_cli
from homecoming.allocation.models import AllocationRun, RunStatus
from homecoming.core.testing import World, make_family
from homecoming.housing.models import Unit

pytestmark = pytest.mark.django_db


def run_for(world: World, capture: Any) -> AllocationRun:
    with capture(execute=True):
        run = services.do_create_run(
            user=world.orkhan,
            name="Draw",
            method="lottery",
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
            seed=7,
        )
    run.refresh_from_db()
    return run


def replays(run: AllocationRun, folder: Path) -> bool:
    for name in ("households", "units", "assignments"):
        (folder / f"{name}.csv").write_bytes(getattr(run, f"{name}_csv").encode("utf-8"))
    args = [
        *("--households", str(folder / "households.csv"), "--units", str(folder / "units.csv")),
        *("--seed", str(run.seed), "--out", str(folder / "assignments.csv"), "--verify"),
        *("--method", "lottery"),
    ]
    return allocate_cli(args) == 0


def test_normal_run_files_carry_no_quote_and_keep_negative_floors(
    world: World, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    Unit.objects.filter(building__complex=world.kalbajar_complex).update(floor=-1)
    run = run_for(world, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE
    for text in (run.households_csv, run.units_csv, run.assignments_csv):
        assert "'" not in text
    assert ",-1," in run.units_csv
    assert replays(run, tmp_path)


def test_a_formula_in_a_legacy_registration_number_is_neutralised_and_still_matched(
    world: World, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    # Stored before the identifier pattern existed (create() runs no validators).
    legacy = make_family('=HYPERLINK("evil.example","x")', world.zar, 2, priority=9)
    run = run_for(world, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE, run.job and run.job.error
    assert '\n"\'=HYPERLINK(""evil.example"",""x"")",' in run.households_csv
    assert run.results.get(household=legacy).unit is not None
    assert replays(run, tmp_path)
