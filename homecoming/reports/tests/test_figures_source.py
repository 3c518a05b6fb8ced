"""Where a report's figures come from: the dashboard's, kept that month (a snapshot) or
computed when the report is made (the current month, or a past month none was kept of)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import formats, timezone

from homecoming.dashboard.figures import Scope, compute
from homecoming.dashboard.history import do_take_snapshot, national_reader
from homecoming.dashboard.models import SnapshotSource
from homecoming.opendata.tests.helpers import move_in
from homecoming.reports.models import ReportSource
from homecoming.reports.services import generate_report, reader_for
from homecoming.reports.tests.helpers import MARCH, pdf_text
from homecoming.testing import World

pytestmark = pytest.mark.django_db

NOT_KEPT = "no figures were kept for this month"


def _move_in_lachin(world: World) -> None:
    unit = world.lachin_complex.buildings.get().units.order_by("id").first()
    assert unit is not None
    move_in(unit, world.lachin_family)


def test_a_past_months_report_is_drawn_from_that_months_snapshot(world: World) -> None:
    figures = compute(national_reader(), Scope(), date(2026, 3, 20))
    figures["families"] |= {"registered": 977, "moved_in": 311, "waiting": 523}
    figures["persons"]["moved_in"] = 1244
    figures["homes"] |= {"total": 888, "occupied": 299}
    do_take_snapshot(figures, date(2026, 3, 20), None, SnapshotSource.JOB)
    # Snapshots of the month before and after March are not March's.
    do_take_snapshot(compute(national_reader(), Scope()), date(2026, 2, 27), None, "job")
    do_take_snapshot(compute(national_reader(), Scope()), date(2026, 4, 2), None, "job")
    _move_in_lachin(world)  # the data changes after the snapshot

    report = generate_report(MARCH, "en", None, ReportSource.REQUEST)
    text = pdf_text(bytes(report.pdf))
    assert report.figures["source"] == "snapshot"
    assert report.figures["figures_of"] == "2026-03-20" and report.as_of == date(2026, 3, 20)
    for label, value in (
        ("Families registered", 977),
        ("Families waiting", 523),
        ("Families returned", 311),
        ("Persons returned", 1244),
        ("Homes", 888),
        ("Homes occupied", 299),
    ):
        assert f"{label} {value}" in text, label
    assert "Figures as of March 20, 2026" in text and NOT_KEPT not in text


def test_a_districts_report_reads_that_districts_snapshot(world: World) -> None:
    figures = compute(national_reader(), Scope(world.kalbajar), date(2026, 3, 31))
    figures["families"]["registered"] = 4242
    do_take_snapshot(figures, date(2026, 3, 31), world.kalbajar, SnapshotSource.JOB)
    do_take_snapshot(compute(national_reader(), Scope()), date(2026, 3, 31), None, "job")
    report = generate_report(MARCH, "en", world.kalbajar, ReportSource.REQUEST)
    assert report.figures["source"] == "snapshot"
    assert "Families registered 4242" in pdf_text(bytes(report.pdf))


def test_a_past_month_without_a_snapshot_is_computed_now_and_says_so(world: World) -> None:
    do_take_snapshot(compute(national_reader(), Scope()), date(2026, 2, 27), None, "job")
    _move_in_lachin(world)
    report = generate_report(MARCH, "en", None, ReportSource.REQUEST)
    text = pdf_text(bytes(report.pdf))
    today = timezone.localdate()
    assert report.figures["source"] == "live"
    assert report.figures["figures_of"] == today.isoformat() and report.as_of == today
    assert report.figures["dashboard"] == compute(national_reader(), Scope(), today)
    assert "Families returned 1" in text
    assert f"Figures as of {formats.date_format(today)}, {NOT_KEPT}." in text


def test_the_current_months_numbers_are_the_dashboards(world: World) -> None:
    _move_in_lachin(world)
    today = timezone.localdate()
    for district in (None, world.kalbajar, world.lachin):
        report = generate_report(today, "en", district, ReportSource.REQUEST)
        expected = compute(reader_for(district), Scope(district), today)
        assert report.figures["source"] == "live"
        assert report.figures["dashboard"] == expected
        text = pdf_text(bytes(report.pdf))
        for label, value in (
            ("Families registered", expected["families"]["registered"]),
            ("Families waiting", expected["families"]["waiting"]),
            ("Families with an offer", expected["families"]["offered"]),
            ("Families with a home allocated", expected["families"]["allocated"]),
            ("Families returned", expected["families"]["moved_in"]),
            ("Persons returned", expected["persons"]["moved_in"]),
            ("Persons waiting", expected["persons"]["waiting"]),
            ("Homes", expected["homes"]["total"]),
            ("Homes ready", expected["homes"]["ready"]),
            ("Homes occupied", expected["homes"]["occupied"]),
        ):
            assert f"{label} {value}" in text, (district, label)
        assert NOT_KEPT not in text
