"""Running Jobs on the task queue.

A job handler is a plain function `handler(job, progress)` registered under a kind; it
does the work and returns a JSON-able result. `enqueue` records the Job and queues one
task; the worker (`homecoming worker`, started beside the web server by `demo` and
`serve`) picks it up.

A process can die without a word (kill -9, a lost machine): what it was running would stay
"running" for ever. So a running job writes a heartbeat every few seconds, and
:func:`sweep_stale` (run by the worker at start-up and every half timeout, and by the CLI
import) marks failed, with the reason, every job whose heartbeat is older than
``JOB_HEARTBEAT_TIMEOUT``, and the records that follow a job (imports, allocation runs).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from homecoming.core.audit import audit_context
from homecoming.core.models import Job, JobStatus

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
Handler = Callable[[Job, Progress], dict[str, Any]]

#: kind -> dotted path of the handler; each app registers its own (AppConfig.ready).
HANDLERS: dict[str, str] = {}

#: Records that follow a job or run in a process of their own: dotted paths of functions
#: ``sweep(cutoff) -> {name: count}`` that mark failed those left behind; apps register theirs.
SWEEPERS: list[str] = []


#: Derived results kept fresh by the worker: dotted paths of functions ``refresh() ->
#: {name: count}`` that queue a job when their inputs changed (e.g. the programme plan).
REFRESHERS: list[str] = []


def register_handler(kind: str, path: str) -> None:
    """Jobs of `kind` run the function at dotted `path` (job, progress) -> result."""
    HANDLERS[kind] = path


def register_sweeper(path: str) -> None:
    if path not in SWEEPERS:
        SWEEPERS.append(path)


def register_refresher(path: str) -> None:
    if path not in REFRESHERS:
        REFRESHERS.append(path)


def refresh_stale() -> dict[str, int]:
    """Run every refresher; a database error is logged and left for the next sweep."""
    counts: dict[str, int] = {}
    for path in REFRESHERS:
        try:
            counts.update(import_string(path)())
        except DatabaseError as exc:
            log.warning("refresh %s skipped: %s", path, exc)
    return counts


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
            progress=min(max(fraction, 0.0), 1.0),
            message=message[:300],
            heartbeat_at=timezone.now(),
        )

    return write


# --- heartbeats and the sweep -------------------------------------------------------------


def heartbeat_timeout() -> float:
    """Seconds without a heartbeat after which a running job is taken for dead."""
    return float(settings.JOB_HEARTBEAT_TIMEOUT)


def heartbeat_interval() -> float:
    # Four beats per timeout: one slow write (a busy SQLite file) does not look like death.
    return min(30.0, max(0.05, heartbeat_timeout() / 4))


class Heartbeat:
    """Call `touch` every `interval` seconds from a thread while a block of work runs.

    A thread and not the work's own calls: an engine may compute for minutes without a
    word, and the work's writes sit in its transaction, unseen by others until it commits.
    The thread has its own database connection and commits each beat at once. A beat that
    fails (a locked database) is logged and tried again at the next one.
    """

    def __init__(self, touch: Callable[[], object], interval: float | None = None) -> None:
        self.touch = touch
        self.interval = interval if interval is not None else heartbeat_interval()
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self.touch()
                    self.beats += 1
                except DatabaseError as exc:
                    # Expected now and then on SQLite, while a long write holds the file.
                    log.info("heartbeat not written: %s", exc)
        finally:
            connections.close_all()  # this thread's connections only

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        # A beat blocked on a lock must not hold up the end of the work: it is a daemon.
        self._thread.join(timeout=5)


def when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "?"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def no_heartbeat(since: dt.datetime | None) -> str:
    return _("The process running it stopped: no heartbeat since %(time)s.") % {"time": when(since)}


@transaction.atomic
def do_fail_stale_jobs(cutoff: dt.datetime) -> int:
    """Mark failed the jobs whose process died: running without a recent heartbeat, or
    still waiting for a queue that never got them (their creator died before the commit
    hook handed them over)."""
    stale = Q(status=JobStatus.RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    never_queued = Q(status=JobStatus.QUEUED, task_id="", created_at__lt=cutoff)
    # On PostgreSQL a row locked by another transaction belongs to a live process writing
    # it (a killed process's transaction is rolled back and its locks let go): skip it
    # rather than wait. SQLite has no row locks; its write lock serialises us instead.
    found = list(Job.objects.filter(stale | never_queued).select_for_update(skip_locked=True))
    now = timezone.now()
    for job in found:
        if job.status == JobStatus.RUNNING:
            reason = no_heartbeat(job.heartbeat_at or job.started_at)
        else:
            reason = _("The process that created it stopped before handing it to the queue.")
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=reason, message=reason[:300], finished_at=now
        )
        log.warning("job %s (%s) marked failed: %s", job.pk, job.title, reason)
    return len(found)


def sweep_stale(timeout: float | None = None) -> dict[str, int]:
    """Mark failed, with the reason, every job and record a killed process left behind.

    Returns how many of each were marked (``{"jobs": 1, "imports": 1, ...}``).
    """
    seconds = heartbeat_timeout() if timeout is None else timeout
    cutoff = timezone.now() - dt.timedelta(seconds=seconds)
    counts = {"jobs": do_fail_stale_jobs(cutoff)}
    for path in SWEEPERS:
        counts.update(import_string(path)(cutoff))
    return counts


def sweep_and_report(out: Any = None) -> dict[str, int]:
    """One sweep, its findings written to `out`; a locked or unreachable database is
    logged and left for the next sweep (the worker's loop, the next start)."""
    try:
        counts = sweep_stale()
    except DatabaseError as exc:
        log.warning("sweep of stale jobs skipped: %s", exc)
        return {}
    marked = {name: n for name, n in counts.items() if n}
    if marked and out is not None:
        listed = ", ".join(f"{n} {name}" for name, n in marked.items())
        out.write(f"Marked failed (their process stopped): {listed}.")
    return counts


def execute(job: Job) -> Job:
    """Run a job in this process (the worker calls this; tests may too)."""
    # The job's writes are its requester's, made through the worker.
    with audit_context("job", actor=job.created_by, path=f"job {job.kind} {job.pk}"):
        return _execute(job)


def _execute(job: Job) -> Job:
    handler: Handler = import_string(HANDLERS[job.kind])
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
    job.refresh_from_db()

    def beat() -> None:
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())

    try:
        with Heartbeat(beat):
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
        # Unconditional, as the failure above: a job wrongly swept (its heartbeat held up
        # past the timeout) still ends with what really happened.
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            progress=1.0,
            result=result,
            error="",
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: str) -> None:
    execute(Job.objects.get(pk=job_id))
