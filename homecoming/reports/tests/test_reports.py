"""The monthly report: the PDF prints the figures it was made from, in the language asked;
a kept report never changes (data corrected later, the model, the database); downloads are
scoped, need the PDF export permission and are recorded; the page asks for one as a job,
and the worker queues last month's once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from homecoming.core.models import AccessEvent, AccessKind, AppendOnly, Job
from homecoming.opendata.tests.helpers import move_in
from homecoming.readiness.models import Stage
from homecoming.registry.models import Household, ShelterKind
from homecoming.reports.figures import report_figures
from homecoming.reports.jobs import monthly_if_due
from homecoming.reports.models import MonthlyReport, ReportSource
from homecoming.reports.services import generate_report, reader_for
from homecoming.reports.tests.helpers import MARCH, pdf_text
from homecoming.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(world: World) -> World:
    unit = world.kalbajar_complex.buildings.get().units.order_by("id").first()
    assert unit is not None
    move_in(unit, world.kalbajar_family)
    return world


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pdf_prints_every_figure_it_was_made_from(returned: World) -> None:
    Stage.objects.create(
        settlement=returned.kalbajar_city,
        number=1,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        target_families=10,
    )
    report = generate_report(MARCH, "en", None, ReportSource.REQUEST, returned.ayten)
    text = pdf_text(bytes(report.pdf))
    f = report.figures["dashboard"]
    assert "Monthly report March 2026" in text and "Whole programme" in text
    assert f["families"] == {
        "waiting": 3,
        "offered": 0,
        "allocated": 0,
        "moved_in": 1,
        "withdrawn": 0,
        "registered": 4,
        "difficult": f["families"]["difficult"],
    }
    for label, value in (
        ("Families registered", f["families"]["registered"]),
        ("Families waiting", f["families"]["waiting"]),
        ("Families returned", f["families"]["moved_in"]),
        ("Persons returned", f["persons"]["moved_in"]),
        ("Persons waiting", f["persons"]["waiting"]),
        ("Homes", f["homes"]["total"]),
        ("Homes ready", f["homes"]["ready"]),
        ("Homes occupied", f["homes"]["occupied"]),
    ):
        assert f"{label} {value}" in text, label
    districts = report.figures["districts"]
    assert len(districts) == 2
    for d in districts:
        row = [d["returned_families"], d["returned_persons"], d["total"]]
        row += [d["homes"][s] for s in ("ready", "offered", "allocated", "occupied")]
        cells = " ".join(map(str, row)) + f" {d['complexes_ready']}/{d['complexes']}"
        assert f"({d['code']}) {cells}" in text, d
    kalbajar = next(d for d in districts if d["code"] == "AZ1101")
    assert (kalbajar["returned_families"], kalbajar["returned_persons"]) == (1, 4)
    assert (kalbajar["total"], kalbajar["homes"]["occupied"]) == (6, 1)
    for c in (c for p in f["places"] for c in p["complexes"]):
        assert f"({c['code']}) {c['stage']} {c['total']} {c['homes']['ready']}" in text
    assert [(s["number"], s["target_families"], s["returned_families"]) for s in f["stages"]] == [
        (1, 10, 1)
    ]
    assert "Kalbajar · 1 Dec. 31, 2026 10 1 10" in text
    waiting = f["waiting_by_shelter"]
    assert sum(r["families"] for r in waiting) == f["families"]["waiting"]
    labels = dict(ShelterKind.choices)
    for r in waiting:
        assert f"{labels[r['kind']]} {r['families']} {r['persons']}" in text
    for b in f["blockers"][:15]:
        assert f"{b['families']} {len(b['complexes'])}" in text
    assert report.sha256 and report.size == len(bytes(report.pdf))


def test_an_azerbaijani_report_prints_azerbaijani_letters(returned: World) -> None:
    report = generate_report(MARCH, "az", returned.kalbajar, ReportSource.REQUEST)
    text = pdf_text(bytes(report.pdf))
    assert "Kəlbəcər rayonu" in text
    assert "Mart 2026" in text
    assert report.figures["district"] == "AZ1101"
    # a district's report holds that district only
    assert [d["code"] for d in report.figures["districts"]] == ["AZ1101"]


def test_a_russian_report_names_places_in_russian(returned: World) -> None:
    report = generate_report(MARCH, "ru", returned.kalbajar, ReportSource.REQUEST)
    assert "Кельбаджарский район" in pdf_text(bytes(report.pdf))


def test_the_report_of_march_opens_unchanged_after_the_data_changes(returned: World) -> None:
    report = generate_report(MARCH, "en", None, ReportSource.REQUEST, returned.ayten)
    content, digest, figures = bytes(report.pdf), report.sha256, report.figures
    # Later: another family returns, a district is renamed.
    unit = returned.lachin_complex.buildings.get().units.order_by("id").first()
    assert unit is not None
    move_in(unit, returned.lachin_family)
    returned.lachin.name_en = "Lachin (renamed)"
    returned.lachin.save()
    kept = MonthlyReport.objects.get(pk=report.pk)
    assert bytes(kept.pdf) == content and kept.sha256 == digest and kept.figures == figures
    downloaded = client_of(returned.ayten).get(reverse("reports:download", args=[report.pk]))
    assert downloaded.status_code == 200
    assert downloaded.content == content
    # Generating March again adds version 2 with today's figures; version 1 stays.
    again = generate_report(MARCH, "en", None, ReportSource.REQUEST, returned.ayten)
    assert again.version == 2 and again.sha256 != digest
    assert again.figures["dashboard"]["families"]["moved_in"] == 2
    assert "Lachin (renamed)" in pdf_text(bytes(again.pdf))
    assert "Lachin (renamed)" not in pdf_text(content)
    assert bytes(MonthlyReport.objects.get(pk=report.pk).pdf) == content


def test_a_kept_report_is_never_changed_or_deleted(world: World) -> None:
    report = generate_report(MARCH, "en", None, ReportSource.REQUEST)
    with pytest.raises(AppendOnly):
        report.save()
    with pytest.raises(AppendOnly):
        report.delete()
    for attempt in (
        lambda: MonthlyReport.objects.filter(pk=report.pk).update(pdf=b"%PDF forged"),
        lambda: MonthlyReport.objects.filter(pk=report.pk).update(sha256="0" * 64),
        lambda: MonthlyReport.objects.filter(pk=report.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    kept = MonthlyReport.objects.get(pk=report.pk)
    assert kept.sha256 == report.sha256 and bytes(kept.pdf) == bytes(report.pdf)


def test_the_audit_trail_records_a_report_without_its_bytes(world: World) -> None:
    from homecoming.core.models import AuditEvent
    from homecoming.testing import acting_as

    with acting_as(world.ayten):
        report = generate_report(MARCH, "en", None, ReportSource.REQUEST, world.ayten)
    event = AuditEvent.objects.get(table="reports_monthlyreport", object_pk=str(report.pk))
    assert event.after is not None and event.after["sha256"] == report.sha256
    assert event.after["pdf"] != bytes(report.pdf).hex()
    assert event.actor == "ayten"


def test_downloads_are_scoped_need_the_pdf_permission_and_are_recorded(world: World) -> None:
    programme = generate_report(MARCH, "en", None, ReportSource.REQUEST)
    kalbajar = generate_report(MARCH, "en", world.kalbajar, ReportSource.REQUEST)
    lachin = generate_report(MARCH, "en", world.lachin, ReportSource.REQUEST)
    kamran = client_of(world.kamran)

    def url(report: MonthlyReport) -> str:
        return reverse("reports:download", args=[report.pk])

    response = kamran.get(url(kalbajar))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(kalbajar.pdf)
    assert kamran.get(url(lachin)).status_code == 404
    assert kamran.get(url(programme)).status_code == 404
    listed = kamran.get(reverse("reports:reports")).content.decode()
    assert url(kalbajar) in listed and url(lachin) not in listed and url(programme) not in listed
    event = AccessEvent.objects.filter(kind=AccessKind.MONTHLY_REPORT, refused=False).get()
    assert (event.actor, event.format, event.object_ids) == ("kamran", "pdf", [kalbajar.pk])
    # An allocation officer may not take PDF documents away by default: refused, recorded.
    orkhan = client_of(world.orkhan)
    assert orkhan.get(url(programme)).status_code == 403
    # ... and the list shows them no download link.
    assert url(programme) not in orkhan.get(reverse("reports:reports")).content.decode()
    assert AccessEvent.objects.filter(kind=AccessKind.MONTHLY_REPORT, refused=True).count() == 1
    assert client_of(world.ayten).get(url(lachin)).status_code == 200


def test_an_officer_asks_for_a_report_of_their_district_as_a_job(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    kamran = client_of(world.kamran)
    page = reverse("reports:reports")
    body = {"month": "2026-03", "language": "az", "district": world.kalbajar.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = kamran.post(page, body)
    assert response.status_code == 302
    job = Job.objects.get(kind="monthly-report")
    assert job.status == "succeeded", job.error
    report = MonthlyReport.objects.get()
    assert (report.month, report.language, report.district) == (MARCH, "az", world.kalbajar)
    assert report.requested_by == world.kamran and report.requested_by_name == "kamran"
    assert job.result["report"] == report.pk
    # Another district, or the whole programme: not among a district officer's choices.
    for other in ({**body, "district": world.lachin.pk}, {**body, "district": ""}):
        with django_capture_on_commit_callbacks(execute=True):
            refused = kamran.post(page, other)
        assert refused.status_code == 200 and b"error" in refused.content
    future = {**body, "month": "2099-01"}
    assert b"error" in kamran.post(page, future).content
    # The auditor reads the list but asks for nothing.
    assert client_of(world.sabina).post(page, body).status_code == 403
    assert MonthlyReport.objects.count() == 1 and Job.objects.count() == 1


def test_the_worker_queues_last_months_reports_once(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    settings.MONTHLY_REPORT_LANGUAGES = ["en", "az"]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: date(2026, 4, 2))
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_if_due() == {"monthly_reports": 1}
    job = Job.objects.get()
    assert job.status == "succeeded", job.error
    made = MonthlyReport.objects.filter(month=MARCH, source=ReportSource.SCHEDULE)
    # the programme and both districts, in both languages
    assert made.count() == 6
    assert {r.district_id for r in made} == {None, world.kalbajar.pk, world.lachin.pk}
    assert monthly_if_due() == {"monthly_reports": 0}
    settings.MONTHLY_REPORT_LANGUAGES = []
    assert monthly_if_due() == {"monthly_reports": 0}


def test_a_districts_figures_hold_that_district_only(returned: World) -> None:
    figures = report_figures(reader_for(returned.lachin), MARCH)
    assert [d.code for d in figures.districts] == ["AZ1102"]
    assert (
        figures.families["registered"] == Household.objects.filter(district=returned.lachin).count()
    )
    assert figures.homes["total"] == 2 and figures.persons["moved_in"] == 0
    places = figures.dashboard["places"]
    assert {c["code"] for p in places for c in p["complexes"]} == {"LAC-RC1"}


def test_the_admin_shows_a_report_read_only_without_its_bytes(world: World) -> None:
    report = generate_report(MARCH, "en", None, ReportSource.REQUEST)
    client = client_of(world.ayten)
    world.ayten.is_staff = world.ayten.is_superuser = True
    world.ayten.save()
    listed = client.get(reverse("admin:reports_monthlyreport_changelist"))
    assert listed.status_code == 200
    shown = client.get(reverse("admin:reports_monthlyreport_change", args=[report.pk]))
    assert shown.status_code == 200 and report.sha256 in shown.content.decode()
    assert (
        client.post(reverse("admin:reports_monthlyreport_delete", args=[report.pk])).status_code
        == 403
    )
    assert MonthlyReport.objects.filter(pk=report.pk).exists()


def test_the_worker_queues_no_report_of_an_empty_programme(db: Any, settings: Any) -> None:
    settings.MONTHLY_REPORT_LANGUAGES = ["en"]
    assert monthly_if_due() == {"monthly_reports": 0}
    assert not Job.objects.exists()
