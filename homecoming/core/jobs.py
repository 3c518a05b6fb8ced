"""Running Jobs on the task queue.

A job handler is a plain function `handler(job, progress)` registered under a kind; it
does the work and returns a JSON-able result. `enqueue` records the Job and queues one
task; the worker (`homecoming worker`, started beside the web server by `demo` and
`serve`) picks it up.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from homecoming.core.audit import audit_context
from homecoming.core.models import Job, JobStatus

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
Handler = Callable[[Job, Progress], dict[str, Any]]

#: kind -> dotted path of the handler; apps add theirs here.
HANDLERS: dict[str, str] = {
    "allocation": "homecoming.allocation.services.run_allocation_job",
    "handover_expire": "homecoming.handover.services.expire_offers_job",
    "registry_import": "homecoming.registry.importers.run_import_job",
    "registry_dedup": "homecoming.registry.adapter.run_dedup_job",
}


def enqueue(kind: str, title: str, params: dict[str, Any], user: Any = None) -> Job:
    """Create a Job and queue it once the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, title=title, params=params, created_by=user)

    def _queue() -> None:
        result = run_job.enqueue(str(job.pk))
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(_queue)
    return job


def _progress_writer(job_id: Any) -> Progress:
    last = [0.0]

    def write(fraction: float, message: str) -> None:
        now = time.monotonic()
        # Progress is for people: at most a few writes a second keep the database quiet.
        if fraction < 1.0 and now - last[0] < 0.25:
            return
        last[0] = now
        Job.objects.filter(pk=job_id).update(
            progress=min(max(fraction, 0.0), 1.0), message=message[:300]
        )

    return write


def execute(job: Job) -> Job:
    """Run a job in this process (the worker calls this; tests may too)."""
    # The job's writes are its requester's, made through the worker.
    with audit_context("job", actor=job.created_by, path=f"job {job.kind} {job.pk}"):
        return _execute(job)


def _execute(job: Job) -> Job:
    handler: Handler = import_string(HANDLERS[job.kind])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    try:
        result = handler(job, _progress_writer(job.pk))
    except Exception as exc:
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=5)}",
            message=str(exc)[:300],
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            progress=1.0,
            result=result,
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: str) -> None:
    execute(Job.objects.get(pk=job_id))
