"""The sweep of jobs left behind by a killed process, and the heartbeat that keeps the
living ones out of it. (A real process killed mid-import: registry/tests/test_import_killed.)"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from homecoming.allocation import services as allocation
from homecoming.allocation.models import RunStatus
from homecoming.core import jobs
from homecoming.core.management.commands.worker import sweep_every
from homecoming.core.models import Job, JobStatus
from homecoming.core.testing import World


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def job(status: str, *, heartbeat: float | None = None, task_id: str = "t", **extra: Any) -> Job:
    made = Job.objects.create(kind="registry_dedup", title="Dedup", task_id=task_id)
    beat = ago(heartbeat) if heartbeat is not None else None
    Job.objects.filter(pk=made.pk).update(
        status=status, heartbeat_at=beat, started_at=beat, **extra
    )
    return made


@pytest.mark.django_db
def test_a_running_job_without_a_recent_heartbeat_is_marked_failed_with_the_reason(
    settings: Any,
) -> None:
    settings.JOB_HEARTBEAT_TIMEOUT = 60
    dead = job(JobStatus.RUNNING, heartbeat=61)
    alive = job(JobStatus.RUNNING, heartbeat=5)
    assert jobs.sweep_stale()["jobs"] == 1
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED and dead.finished_at is not None
    assert dead.error.startswith("The process running it stopped: no heartbeat since ")
    assert dead.message == dead.error
    alive.refresh_from_db()
    assert alive.status == JobStatus.RUNNING and not alive.error


@pytest.mark.django_db
def test_a_queued_job_waits_for_a_worker_as_long_as_it_takes_unless_it_never_reached_the_queue(
    settings: Any,
) -> None:
    settings.JOB_HEARTBEAT_TIMEOUT = 60
    waiting = job(JobStatus.QUEUED, task_id="in-the-queue")
    Job.objects.filter(pk=waiting.pk).update(created_at=ago(86_400))
    lost = job(JobStatus.QUEUED, task_id="")
    Job.objects.filter(pk=lost.pk).update(created_at=ago(61))
    assert jobs.sweep_stale()["jobs"] == 1
    waiting.refresh_from_db()
    lost.refresh_from_db()
    assert waiting.status == JobStatus.QUEUED
    assert lost.status == JobStatus.FAILED
    assert "stopped before handing it to the queue" in lost.error


@pytest.mark.django_db
def test_an_allocation_run_whose_worker_died_fails_with_its_job(
    world: World, settings: Any
) -> None:
    settings.JOB_HEARTBEAT_TIMEOUT = 60
    run = allocation.do_create_run(
        user=world.orkhan,
        name="Killed",
        method="lottery",
        district=world.kalbajar,
        complexes=[world.kalbajar_complex],
    )
    assert run.job is not None
    Job.objects.filter(pk=run.job.pk).update(status=JobStatus.RUNNING, heartbeat_at=ago(61))
    type(run).objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    assert jobs.sweep_stale() == {"jobs": 1, "imports": 0, "allocation_runs": 1}
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeps_again_and_again_while_it_runs(settings: Any) -> None:
    settings.JOB_HEARTBEAT_TIMEOUT = 60
    rounds: list[float] = []
    dead: list[Job] = []

    def stopped(seconds: float) -> bool:
        # Rounds of the worker's loop, without the waiting; a job dies after the first.
        rounds.append(seconds)
        if len(rounds) == 2:
            dead.append(job(JobStatus.RUNNING, heartbeat=61))
        return len(rounds) > 3

    sweep_every(30.0, stopped)
    assert rounds == [30.0] * 4
    assert Job.objects.get(pk=dead[0].pk).status == JobStatus.FAILED


def quiet_handler(job: Job, progress: Any) -> dict[str, Any]:
    time.sleep(0.6)  # computing, no word: only the heartbeat thread speaks for it
    beat = Job.objects.get(pk=job.pk).heartbeat_at
    assert beat is not None
    return {"beat": beat.isoformat()}


@pytest.mark.django_db(transaction=True)
def test_a_job_computing_in_silence_keeps_its_heartbeat_fresh(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.JOB_HEARTBEAT_TIMEOUT = 1  # a beat every 0.25 s
    monkeypatch.setitem(jobs.HANDLERS, "quiet", f"{__name__}.quiet_handler")
    quiet = Job.objects.create(kind="quiet", title="Quiet")
    done = jobs.execute(quiet)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.started_at is not None
    beat = dt.datetime.fromisoformat(done.result["beat"])
    assert (beat - done.started_at).total_seconds() >= 0.25


def test_a_heartbeat_beats_while_the_work_runs_and_stops_with_it() -> None:
    beats: list[float] = []
    with jobs.Heartbeat(lambda: beats.append(time.monotonic()), interval=0.05) as heart:
        time.sleep(0.4)
    count = len(beats)
    assert count >= 4 and heart.beats == count
    time.sleep(0.15)
    assert len(beats) == count


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_a_job_whose_row_a_live_transaction_holds_is_not_swept(settings: Any) -> None:
    # A long write keeps its job's row locked (its progress is written inside): its
    # process is alive even if the heartbeats it wrote are not visible yet.
    settings.JOB_HEARTBEAT_TIMEOUT = 60
    busy = job(JobStatus.RUNNING, heartbeat=61)
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Job.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        assert jobs.sweep_stale()["jobs"] == 0
        assert time.monotonic() - started < 2  # skipped, not waited for
    finally:
        release.set()
        holder.join()
    assert jobs.sweep_stale()["jobs"] == 1  # once let go, and still silent: dead
