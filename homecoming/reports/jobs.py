"""The report's job: one report asked for from the page, or last month's reports on schedule.

``monthly_if_due`` is a core.jobs refresher (the worker calls it with every sweep): from the
first day of a month, when last month has no scheduled report of the programme yet and no
scheduled job is waiting, it queues one job that prints the programme's and each district's
report in every language of MONTHLY_REPORT_LANGUAGES.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from homecoming.core import jobs
from homecoming.core.models import Job, JobStatus
from homecoming.geography.models import Area
from homecoming.housing.models import ResidentialComplex
from homecoming.registry.models import Household
from homecoming.reports.figures import months_before
from homecoming.reports.models import MonthlyReport, ReportSource
from homecoming.reports.services import generate_report

KIND = "monthly-report"


def request_report(user: Any, month: date, language: str, district: Area | None) -> Job:
    """Queue the job that generates one report (the caller checked the district's scope)."""
    where = district.code if district is not None else "programme"
    params = {
        "month": month.replace(day=1).isoformat(),
        "language": language,
        "district_id": district.pk if district is not None else None,
    }
    return jobs.enqueue(KIND, f"Monthly report {month:%Y-%m} {where} {language}", params, user)


def _districts_in_programme() -> list[Area]:
    """Districts with housing or families: those a scheduled report is printed for."""
    with_homes = ResidentialComplex.objects.values("settlement__parent_id")
    with_families = Household.objects.values("district_id")
    return list(
        Area.objects.districts()
        .filter(Q(pk__in=with_homes.order_by()) | Q(pk__in=with_families.order_by()))
        .order_by("code")
    )


def run_report_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """Job handler: one report, or (``schedule``) last month's of every scope and language."""
    params = job.params
    month = date.fromisoformat(params["month"])
    if not params.get("schedule"):
        district = Area.objects.get(pk=params["district_id"]) if params["district_id"] else None
        progress(0.1, "printing")
        report = generate_report(
            month, params["language"], district, ReportSource.REQUEST, job.created_by
        )
        return {"report": report.pk, "version": report.version, "sha256": report.sha256}
    scopes: list[Area | None] = [None, *_districts_in_programme()]
    languages = list(params["languages"])
    made = []
    total = len(scopes) * len(languages)
    for i, (district, language) in enumerate((d, lang) for d in scopes for lang in languages):
        progress(i / total, f"{district.code if district else 'programme'} {language}")
        made.append(generate_report(month, language, district, ReportSource.SCHEDULE).pk)
    return {"reports": made}


def monthly_if_due() -> dict[str, int]:
    """Queue last month's scheduled reports once (a core.jobs refresher)."""
    languages = list(settings.MONTHLY_REPORT_LANGUAGES)
    if not languages or not _districts_in_programme():
        return {"monthly_reports": 0}  # turned off, or nothing in the programme to report
    month = months_before(timezone.localdate().replace(day=1), 1)
    done = MonthlyReport.objects.filter(
        month=month, district__isnull=True, source=ReportSource.SCHEDULE
    )
    # One job at a time, and one try a day: a job that failed is not queued again at every
    # sweep (its error is on the job's page for an administrator).
    tried = Job.objects.filter(kind=KIND, params__schedule=True).filter(
        Q(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        | Q(created_at__gte=timezone.now() - dt.timedelta(days=1))
    )
    if done.exists() or tried.exists():
        return {"monthly_reports": 0}
    params = {"month": month.isoformat(), "languages": languages, "schedule": True}
    with transaction.atomic():
        jobs.enqueue(KIND, f"Monthly reports {month:%Y-%m}", params)
    return {"monthly_reports": 1}
