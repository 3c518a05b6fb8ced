"""Fanned-out runs (allocation.fanout): pieces as jobs, merged into the single job's result."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from homecoming.allocation import fanout, services
from homecoming.allocation.models import AllocationRun, RunPiece, RunStatus
from homecoming.core import jobs
from homecoming.core.models import Job, JobStatus
from homecoming.geography.models import Area, Level
from homecoming.registry.models import Group, GroupKind
from homecoming.testing import World, database_for_subprocess, make_complex, make_family

pytestmark = pytest.mark.django_db(transaction=True)

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def district(world: World, settings: Any) -> list[Any]:
    """Kalbajar with three settlements of homes and 26 families, some in kin groups, some
    bound to a settlement: several parts, and more families than homes."""
    settings.TASKS = DB_QUEUE
    istisu = Area.objects.create(
        code="AZ110105", level=Level.SETTLEMENT, parent=world.kalbajar, name_az="İstisu"
    )
    rng = random.Random(3)
    complexes = [
        world.kalbajar_complex,
        make_complex(world.zar, "ZAR-RC1", [rng.choice([2, 3, 4]) for _ in range(9)]),
        make_complex(istisu, "IST-RC1", [rng.choice([2, 3, 4]) for _ in range(7)]),
    ]
    places = [world.kalbajar_city, world.zar, istisu]
    groups = [Group.objects.create(code=f"GF{g}", kind=GroupKind.RELATIVES) for g in range(4)]
    for i in range(23):
        make_family(
            f"KLB-F{i:02d}",
            places[i % 3],
            rng.randint(1, 6),
            priority=rng.randint(0, 2),
            group=groups[i % 4] if i % 3 else None,
            destination=places[i % 3] if i % 5 == 0 else None,
        )
    return complexes


def _start(world: World, complexes: list[Any], parts: int) -> AllocationRun:
    return services.do_create_run(
        user=world.orkhan,
        name=f"Draw in {parts} parts",
        method="optimal",
        district=world.kalbajar,
        complexes=complexes,
        seed=20250612,
        parts=parts,
    )


def _run_queued(rng: random.Random | None = None) -> int:
    """Run the queued jobs in this process, in a random order when `rng` is given, until
    none is left (the jobs queue more as they go)."""
    ran = 0
    while queued := list(Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at")):
        jobs.execute(rng.choice(queued) if rng else queued[0])
        ran += 1
    return ran


def _stored(run: AllocationRun) -> dict[str, Any]:
    """What a run stores, but the seconds it took."""
    run.refresh_from_db()
    report = dict(run.report)
    del report["seconds"]
    del report["baseline"]["seconds"]
    rows = [
        (r.household.reg_number, r.unit_id, r.reason, r.reasons, r.reserve_rank)
        for r in run.results.select_related("household").order_by("household__reg_number")
    ]
    return {
        "status": run.status,
        "assignments": run.assignments_csv,
        "baseline": run.baseline_csv,
        "report": report,
        "rows": rows,
    }


def test_a_fanned_out_run_stores_what_the_single_job_stores_whatever_the_job_order(
    world: World, district: list[Any]
) -> None:
    single = _start(world, district, parts=0)
    assert _run_queued() == 1
    expected = _stored(single)
    assert expected["status"] == RunStatus.DONE and len(expected["rows"]) == 26
    assert 0 < expected["report"]["housed"] < 26  # some families wait: a reserve list
    for order in (1, 2):
        run = _start(world, district, parts=3)
        # split, bound, baseline, alone; 3 parts; the merge
        assert _run_queued(random.Random(order)) == 4 + 3 + 1
        assert RunPiece.objects.filter(run=run, kind="part").count() == 3
        assert _stored(run) == expected
        assert run.merge_job is not None and run.merge_job.status == JobStatus.SUCCEEDED
        assert run.shown_job == run.merge_job  # the run page follows the merge at the end


def test_a_piece_run_twice_is_stored_once_and_the_merge_queued_once(
    world: World, district: list[Any]
) -> None:
    run = _start(world, district, parts=2)
    _run_queued()
    run.refresh_from_db()
    # a second job for a piece already stored, and for the merge (as when a worker thought
    # dead had finished after all)
    for piece, key in (("part", 1), ("split", 0), ("merge", 0)):
        job = fanout._enqueue(run, piece, key, attempt=2)
        jobs.execute(job)
        assert job.status == JobStatus.SUCCEEDED and not job.result.get("stored"), job.error
    assert RunPiece.objects.filter(run=run).count() == 4 + 2
    assert Job.objects.filter(params__run_id=run.pk, params__piece="part").count() == 2 + 1
    assert run.results.count() == 26


def test_a_piece_whose_worker_was_killed_is_queued_again_and_the_run_ends(
    world: World, district: list[Any]
) -> None:
    run = _start(world, district, parts=2)
    split = Job.objects.get(params__run_id=run.pk, params__piece="split")
    jobs.execute(split)
    part = Job.objects.filter(params__run_id=run.pk, params__piece="part").first()
    assert part is not None
    # its worker took it and died: running, and no heartbeat for ten minutes
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Job.objects.filter(pk=part.pk).update(
        status=JobStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    counts = jobs.sweep_stale(timeout=60)
    assert counts["jobs"] == 1 and counts["allocation_pieces_retried"] == 1
    retry = Job.objects.get(
        params__run_id=run.pk, params__key=part.params["key"], params__attempt=2
    )
    assert retry.params["piece"] == "part" and retry.status == JobStatus.QUEUED
    _run_queued()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.results.count() == 26


def test_a_piece_that_keeps_dying_fails_its_run(world: World, district: list[Any]) -> None:
    run = _start(world, district, parts=2)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    for _ in range(3):
        Job.objects.filter(params__run_id=run.pk, params__piece="bound").filter(
            status=JobStatus.QUEUED
        ).update(status=JobStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago)
        jobs.sweep_stale(timeout=60)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED


def test_two_worker_processes_on_postgresql_store_what_the_single_job_stores(
    world: World, district: list[Any], tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("several workers share the queue on PostgreSQL (SQLite has no row locks)")
    run = _start(world, district, parts=3)
    cmd = [sys.executable, "-m", "homecoming.cli", "worker", "--batch", "--interval", "0.1"]
    with database_for_subprocess(tmp_path) as url:
        env = {**os.environ, "DATABASE_URL": url}
        workers = [subprocess.Popen(cmd, env=env) for _ in range(2)]
        for w in workers:
            assert w.wait(timeout=120) == 0
    # a worker may leave when the queue is empty for a moment: the rest runs here
    left = _run_queued()
    done = Job.objects.filter(params__run_id=run.pk, status=JobStatus.SUCCEEDED).count()
    assert done == 4 + 3 + 1 and left < done
    single = _start(world, district, parts=0)
    _run_queued()
    assert _stored(run) == _stored(single)
