"""Generating and keeping a monthly report: the figures in the report's language, the PDF,
and one append-only row (a new version when the month was generated before)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation

from homecoming.accounts.models import Profile, Role
from homecoming.geography.models import Area
from homecoming.reports.figures import report_figures
from homecoming.reports.models import MonthlyReport
from homecoming.reports.pdf import render_pdf

#: Tries at a version number when another process took the same one meanwhile.
TRIES = 3


def reader_for(district: Area | None) -> Profile:
    """An unsaved read-only profile of the report's scope: the programme, or one district
    (a job has no person behind it; who asked was checked when the job was queued)."""
    return Profile(role=Role.AUDITOR, district=district)


def _versions(month: date, language: str, district: Area | None) -> Any:
    return MonthlyReport.objects.filter(month=month, language=language, district=district)


def do_keep_report(
    *,
    month: date,
    language: str,
    district: Area | None,
    version: int,
    as_of: date,
    pdf: bytes,
    figures: dict[str, Any],
    source: str,
    user: Any = None,
) -> MonthlyReport:
    """Keep one generated report (raises IntegrityError when the version is taken)."""
    with transaction.atomic():
        return MonthlyReport.objects.create(
            month=month,
            language=language,
            district=district,
            version=version,
            as_of=as_of,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            figures=figures,
            source=source,
            requested_by=user,
            requested_by_name=user.get_username() if user is not None else "",
        )


def generate_report(
    month: date, language: str, district: Area | None, source: str, user: Any = None
) -> MonthlyReport:
    """Compute, print and keep the report of ``month`` (its first day) in ``language``."""
    month = month.replace(day=1)
    with translation.override(language):
        figures = report_figures(reader_for(district), month)
        for attempt in range(TRIES):
            latest = _versions(month, language, district).aggregate(v=Max("version"))["v"]
            version = (latest or 0) + 1
            pdf = render_pdf(figures, version, timezone.now())
            try:
                return do_keep_report(
                    month=month,
                    language=language,
                    district=district,
                    version=version,
                    as_of=figures.figures_of,
                    pdf=pdf,
                    figures=figures.to_json(),
                    source=source,
                    user=user,
                )
            except IntegrityError:
                if attempt == TRIES - 1:
                    raise
    raise AssertionError("unreachable")
