"""History that is kept: a daily snapshot of the programme's figures, nationally and per
district, so trends and "as of" views do not depend on today's state and survive later
corrections.

The worker takes the day's snapshots once a day (``snapshot_if_due``, a core.jobs refresher:
it queues one job when today's national snapshot is missing); ``homecoming snapshot`` takes
them by hand. Snapshots are append-only (the model and the database refuse UPDATE and
DELETE), so a day's snapshot is taken once: a second attempt the same day keeps the first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from homecoming.accounts.models import Profile, Role
from homecoming.core import jobs
from homecoming.core.models import Job, JobStatus
from homecoming.dashboard.figures import Scope, compute
from homecoming.dashboard.models import ProgrammeSnapshot, SnapshotSource
from homecoming.geography.models import Area

KIND = "programme-snapshot"


def national_reader() -> Profile:
    """An unsaved profile that reads the whole programme (a job has no person behind it)."""
    return Profile(role=Role.AUDITOR, district=None)


def headline(figures: dict[str, Any]) -> dict[str, int]:
    """The few numbers a trend line draws, from a figures dict."""
    families, persons, homes = figures["families"], figures["persons"], figures["homes"]
    return {
        "moved_in": families["moved_in"],
        "moved_in_persons": persons["moved_in"],
        "allocated": families["allocated"],
        "offered": families["offered"],
        "waiting": families["waiting"],
        "homes": homes["total"],
        "homes_ready": homes["ready"],
        "homes_occupied": homes["occupied"],
    }


def do_take_snapshot(
    figures: dict[str, Any], day: date, district: Area | None, source: str
) -> ProgrammeSnapshot | None:
    """Keep ``figures`` as the day's snapshot of ``district`` (None: national); None when
    that day already has one (the first is kept)."""
    try:
        with transaction.atomic():
            return ProgrammeSnapshot.objects.create(
                day=day,
                district=district,
                headline=headline(figures),
                figures=figures,
                source=source,
            )
    except IntegrityError:
        return None


def take_snapshots(source: str = SnapshotSource.COMMAND, day: date | None = None) -> int:
    """Today's snapshots, national and of every district with something in the programme;
    returns how many were taken (0: the day had them already)."""
    day = day or timezone.localdate()
    reader = national_reader()
    taken = 0
    for district in [None, *Area.objects.districts().order_by("code")]:
        if ProgrammeSnapshot.objects.filter(day=day, district=district).exists():
            continue
        figures = compute(reader, Scope(district), day)
        if district is not None and not figures["families"]["registered"] and not figures["places"]:
            continue  # a district with no families and no housing: nothing to keep
        taken += do_take_snapshot(figures, day, district, source) is not None
    return taken


def run_snapshot_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """Job handler: take today's snapshots."""
    progress(0.0, "snapshot")
    return {"snapshots": take_snapshots(SnapshotSource.JOB)}


def snapshot_if_due() -> dict[str, int]:
    """Queue the day's snapshot job when today has no national snapshot and none is waiting
    (a core.jobs refresher: the worker calls it with its sweep)."""
    today = timezone.localdate()
    if ProgrammeSnapshot.objects.filter(day=today, district__isnull=True).exists():
        return {"programme_snapshots": 0}
    if Job.objects.filter(kind=KIND, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exists():
        return {"programme_snapshots": 0}
    with transaction.atomic():
        jobs.enqueue(KIND, "Programme snapshot", {})
    return {"programme_snapshots": 1}


def as_of(district: Area | None, day: date) -> ProgrammeSnapshot | None:
    """The newest snapshot of ``district`` (None: national) taken on or before ``day``."""
    return (
        ProgrammeSnapshot.objects.filter(district=district, day__lte=day).order_by("-day").first()
    )


def trend(district: Area | None, until: date | None = None) -> list[tuple[date, dict[str, int]]]:
    """(day, headline) of every snapshot of ``district`` up to ``until``, oldest first."""
    found = ProgrammeSnapshot.objects.filter(district=district)
    if until is not None:
        found = found.filter(day__lte=until)
    return list(found.order_by("day").values_list("day", "headline"))
