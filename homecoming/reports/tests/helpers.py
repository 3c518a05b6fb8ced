"""Shared steps of the report tests: the text of a PDF, and kept reports to walk over."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from homecoming.geography.models import Area
from homecoming.reports.models import MonthlyReport, ReportSource
from homecoming.reports.services import do_keep_report

MARCH = date(2026, 3, 1)


def pdf_text(content: bytes) -> str:
    """Every page's text, its whitespace made single spaces."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def sample_report(district: Area) -> MonthlyReport:
    """A kept report of ``district`` (a small stand-in PDF: the walk checks who may get it)."""
    found = MonthlyReport.objects.filter(district=district).first()
    if found is not None:
        return found
    return do_keep_report(
        month=MARCH,
        language="en",
        district=district,
        version=1,
        as_of=date(2026, 3, 31),
        pdf=f"%PDF-1.4 report of {district.code}".encode(),
        figures={},
        source=ReportSource.SCHEDULE,
    )


def sample_reports() -> int:
    """One kept report of every district; returns how many districts."""
    districts = list(Area.objects.districts())
    for district in districts:
        sample_report(district)
    return len(districts)
