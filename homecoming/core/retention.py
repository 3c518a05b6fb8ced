"""Retention: delete or anonymise what is past its period (`homecoming purge`).

Each kind is a :class:`Purger`: a name, what is done to its rows, and a function
``purge(now, dry_run) -> count`` that works in one transaction and, with `dry_run`, only
counts. Apps add theirs to :data:`PURGERS` as dotted paths, as they add job handlers to
`core.jobs.HANDLERS`: core imports no capability app. Periods are the RETENTION_* settings.

The audit trail is not purged here: it is append-only and its retention is a legal decision
(docs/operations.md, "Retention"). Every change a purge makes to an audited table (an
import's file) is recorded by the triggers, with the channel and a note saying why.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from homecoming.core.audit import audit_channel, audit_maintenance, audit_note, note_with
from homecoming.core.models import AccessEvent, BulkReadAlert, IdempotencyKey

log = logging.getLogger(__name__)

PurgeFn = Callable[[dt.datetime, bool], int]


@dataclass(frozen=True)
class Purger:
    name: str  # what the rows are, for the report ("one-time codes")
    action: str  # "deleted" or "anonymised"
    purge: str  # dotted path of ``purge(now, dry_run) -> count``


#: Every kind `homecoming purge` handles, in order; apps add theirs.
PURGERS: list[Purger] = [
    Purger("one-time codes", "deleted", "homecoming.handover.retention.purge_codes"),
    Purger("family sign-in counters", "deleted", "homecoming.handover.retention.purge_counters"),
    Purger("message bodies", "anonymised", "homecoming.handover.retention.purge_messages"),
    Purger("import files", "deleted", "homecoming.registry.retention.purge_import_files"),
    Purger("idempotency keys", "deleted", "homecoming.core.retention.purge_idempotency_keys"),
    Purger("staff sign-in records", "deleted", "homecoming.core.retention.purge_access_logs"),
    Purger("finished task rows", "deleted", "homecoming.core.retention.purge_task_results"),
    Purger("records of reads and exports", "deleted", "homecoming.core.retention.purge_access"),
    Purger("expired cache entries", "deleted", "homecoming.core.retention.purge_cache"),
]

#: The database cache's table (CACHE_URL=db; core migration 0009).
CACHE_TABLE = "homecoming_cache"


def days_ago(now: dt.datetime, setting: str) -> dt.datetime:
    return now - dt.timedelta(days=int(getattr(settings, setting)))


def purge_idempotency_keys(now: dt.datetime, dry_run: bool) -> int:
    # A key only protects a retry; its stored answer may name people (a created person).
    old = IdempotencyKey.objects.filter(created_at__lt=days_ago(now, "RETENTION_IDEMPOTENCY_DAYS"))
    return old.count() if dry_run else old.delete()[0]


def purge_access_logs(now: dt.datetime, dry_run: bool) -> int:
    """Axes's records of staff sign-ins, failures and lockout counters (name and address)."""
    cutoff = days_ago(now, "RETENTION_ACCESS_LOG_DAYS")
    tables = (AccessLog, AccessFailureLog, AccessAttempt)
    if dry_run:
        return sum(m.objects.filter(attempt_time__lt=cutoff).count() for m in tables)
    deleted = 0
    for model in tables:
        # Each delete is of one model: the rows of the others stay counted separately.
        deleted += model.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return deleted


def purge_task_results(now: dt.datetime, dry_run: bool) -> int:
    """Finished rows of the task queue: their arguments may hold a registration number (a
    family's code request). Job rows, which hold only ids, stay with their history."""
    old = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=days_ago(now, "RETENTION_TASK_DAYS"),
    )
    return old.count() if dry_run else old.delete()[0]


def purge_access(now: dt.datetime, dry_run: bool) -> int:
    """Records of reads and exports, and bulk-read alerts, past RETENTION_ACCESS_EVENT_DAYS.

    They are personal data themselves (who looked at which family, from which address).
    The access table is append-only: its old rows are deleted under audit_maintenance(),
    the one block in which the database lets them go (the audit trail itself is never
    purged). The alerts are an audited table: their deletion is recorded with the note."""
    cutoff = days_ago(now, "RETENTION_ACCESS_EVENT_DAYS")
    events = AccessEvent.objects.filter(at__lt=cutoff)
    alerts = BulkReadAlert.objects.filter(at__lt=cutoff)
    if dry_run:
        return events.count() + alerts.count()
    deleted = alerts.delete()[0]
    with audit_maintenance():
        deleted += events.delete()[0]
    return deleted


def purge_cache(now: dt.datetime, dry_run: bool) -> int:
    """Expired rows of the database cache (CACHE_URL=db, docs/scaling.md). An API
    throttle's key holds a client address, and Django deletes an expired row only when it is
    read again or the table outgrows its limit. Redis expires its keys by itself; with it or
    locmem the table stays empty."""
    if CACHE_TABLE not in connection.introspection.table_names():
        return 0
    table = connection.ops.quote_name(CACHE_TABLE)
    before = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if dry_run:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE expires < %s", [before])  # nosec B608
            return int(cursor.fetchone()[0])
        cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [before])  # nosec B608
        return int(cursor.rowcount)


def purge(
    *, dry_run: bool = False, now: dt.datetime | None = None, channel: str = "cli"
) -> list[tuple[Purger, int]]:
    """Run every purger, each in its own transaction; return what each did (or would do)."""
    moment = now or timezone.now()
    done: list[tuple[Purger, int]] = []
    with audit_channel(channel, "purge"):
        for purger in PURGERS:
            fn: PurgeFn = import_string(purger.purge)
            note = note_with(gettext_noop("retention purge: %(what)s"), what=purger.name)
            with audit_note(note), transaction.atomic():
                count = fn(moment, dry_run)
            done.append((purger, count))
    if not dry_run:
        log.info("purge: %s", summary(done))
    return done


def summary(done: list[tuple[Purger, int]]) -> str:
    return ", ".join(f"{n} {p.name} {p.action}" for p, n in done)


def purge_if_due(last: dt.datetime | None, out: Any = None) -> dt.datetime | None:
    """Purge when RETENTION_PURGE_HOURS have passed since `last` (None: never purged here);
    return when it last ran. The worker calls this from its sweep loop; a locked or
    unreachable database is logged and tried again at the next call."""
    hours = int(settings.RETENTION_PURGE_HOURS)
    now = timezone.now()
    if hours == 0 or (last is not None and now - last < dt.timedelta(hours=hours)):
        return last
    try:
        done = purge(channel="system")
    except DatabaseError as exc:
        log.warning("purge skipped: %s", exc)
        return last
    if out is not None and any(n for _, n in done):
        out.write(f"Purged: {summary(done)}.")
    return now
