"""Background jobs through the real database queue and a worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from homecoming.allocation import services
from homecoming.allocation.models import RunStatus
from homecoming.core.models import JobStatus
from homecoming.core.testing import World


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_a_queued_allocation_from_the_database_queue(
    world: World, settings: Any
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    run = services.do_create_run(
        user=world.orkhan,
        name="Queued",
        method="optimal",
        district=world.kalbajar,
        complexes=[world.kalbajar_complex],
    )
    run.refresh_from_db()
    assert run.job is not None and run.job.status == JobStatus.QUEUED and run.job.task_id
    call_command("worker", "--batch")
    run.refresh_from_db()
    assert run.job is not None
    run.job.refresh_from_db()
    assert run.job.status == JobStatus.SUCCEEDED and run.job.progress == 1.0
    assert run.status == RunStatus.DONE


@pytest.mark.django_db
def test_a_failing_job_records_its_error(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from homecoming.allocation.models import AllocationRun

    with django_capture_on_commit_callbacks(execute=True):
        run = services.do_create_run(
            user=world.orkhan,
            name="Broken",
            method="lottery",
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
            policy="[bands]\n1 = 'not a band'\n",
        )
    run = AllocationRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.FAILED
    assert run.job is not None and run.job.status == JobStatus.FAILED and run.job.error
