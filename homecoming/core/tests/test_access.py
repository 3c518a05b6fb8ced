"""Reads and exports are recorded: who read which families, how many records, in what format;
export is a permission per format; bulk reads alert the administrators."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from homecoming.core import retention
from homecoming.core.models import AccessEvent, AccessKind, BulkReadAlert
from homecoming.handover.models import Message
from homecoming.testing import World, make_family, make_scene

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def grant(user: Any, codename: str) -> Any:
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="accounts", codename=codename)
    )
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per object


def streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


# ---------------------------------------------------------------------------- reads


def test_reading_a_family_page_records_one_event_with_the_reader_and_one_record(
    world: World,
) -> None:
    family = world.kalbajar_family
    response = client_for(world.kamran).get(f"/households/{family.reg_number}/")
    assert response.status_code == 200
    event = AccessEvent.objects.get()
    assert (event.actor_id, event.actor, event.role) == (
        world.kamran.pk,
        "kamran",
        "district_officer",
    )
    assert (event.kind, event.format, event.channel) == (AccessKind.HOUSEHOLD_PAGE, "html", "ui")
    assert (event.object_type, event.object_ids, event.count) == (
        "registry.household",
        [family.pk],
        1,
    )
    assert event.path == f"GET /households/{family.reg_number}/"
    assert event.ip == "127.0.0.1" and not event.refused
    assert timezone.now() - event.at < dt.timedelta(minutes=1)


def test_a_family_outside_the_reader_s_district_is_not_found_and_nothing_is_recorded(
    world: World,
) -> None:
    response = client_for(world.leyla).get(f"/households/{world.kalbajar_family.reg_number}/")
    assert response.status_code == 404
    assert not AccessEvent.objects.exists()


def test_the_family_page_costs_the_same_queries_for_a_large_family_as_for_a_small_one(
    world: World,
) -> None:
    small = make_family("SMALL-1", world.kalbajar_city, size=2)
    large = make_family("LARGE-1", world.kalbajar_city, size=20)
    client = client_for(world.kamran)
    client.get(f"/households/{small.reg_number}/")  # sessions, caches: warm up
    counts = []
    for family in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/households/{family.reg_number}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 25, counts  # recording the read costs two of them (insert, hourly sum)


def test_the_duplicate_pair_page_records_both_persons(world: World) -> None:
    scene = make_scene(world)
    pair = scene.kalbajar.duplicate
    assert client_for(world.ayten).get(f"/registry/duplicates/{pair.pk}/").status_code == 200
    event = AccessEvent.objects.get(kind=AccessKind.DUPLICATE_PAIR)
    assert event.object_ids == [pair.person_a_id, pair.person_b_id] and event.count == 2


def test_an_api_list_of_persons_records_as_many_records_as_the_page_holds(
    world: World, api: Any
) -> None:
    make_family("BIG-1", world.kalbajar_city, size=60)
    response = api(world.sabina).get("/api/persons/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 50 and response.json()["count"] > 50
    event = AccessEvent.objects.get()
    assert (event.kind, event.format, event.channel) == (AccessKind.PERSONS_API, "json", "api")
    assert event.count == 50 == len(event.object_ids)
    assert event.object_ids == [r["id"] for r in results]
    assert event.actor == "sabina" and event.role == "auditor"


def test_an_api_read_of_one_household_records_one_record(world: World, api: Any) -> None:
    family = world.lachin_family
    assert api(world.leyla).get(f"/api/households/{family.reg_number}/").status_code == 200
    event = AccessEvent.objects.get()
    assert (event.kind, event.object_ids, event.count) == (
        AccessKind.HOUSEHOLDS_API,
        [family.pk],
        1,
    )


def test_the_object_ids_kept_are_bounded_but_the_count_is_whole(world: World, api: Any) -> None:
    from django.test import RequestFactory

    from homecoming.core.access import do_record_access
    from homecoming.core.middleware import AuditContextMiddleware  # noqa: F401 (a request)

    request = RequestFactory().get("/households/")
    request.user = world.ayten
    event = do_record_access(request, AccessKind.HOUSEHOLD_LIST, fmt="html", ids=range(1000))
    assert len(event.object_ids) == AccessEvent.MAX_IDS and event.count == 1000


# ---------------------------------------------------------------------------- append-only


@pytest.mark.parametrize(
    "write",
    [
        lambda: AccessEvent.objects.update(actor="someone else"),
        lambda: AccessEvent.objects.all().delete(),
        lambda: connection.cursor().execute("UPDATE core_accessevent SET count = 0"),
        lambda: connection.cursor().execute("DELETE FROM core_accessevent"),
    ],
    ids=["orm-update", "orm-delete", "sql-update", "sql-delete"],
)
def test_the_database_refuses_to_change_or_delete_a_read_record(world: World, write: Any) -> None:
    client_for(world.kamran).get(f"/households/{world.kalbajar_family.reg_number}/")
    assert AccessEvent.objects.count() == 1
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        write()
    event = AccessEvent.objects.get()
    assert event.actor == "kamran" and event.count == 1


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_to_truncate_the_read_records(world: World) -> None:
    client_for(world.kamran).get(f"/households/{world.kalbajar_family.reg_number}/")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("TRUNCATE core_accessevent")
    assert AccessEvent.objects.count() == 1


def test_reads_are_not_in_the_write_audit_trail(world: World) -> None:
    from homecoming.core.audit import EXCLUDED_TABLES, audited_models

    assert "core_accessevent" in EXCLUDED_TABLES
    assert "core_accessevent" not in {m._meta.db_table for m in audited_models()}


def test_the_purge_deletes_read_records_past_their_period_and_keeps_the_rest(
    world: World, settings: Any
) -> None:
    settings.RETENTION_ACCESS_EVENT_DAYS = 30
    old = timezone.now() - dt.timedelta(days=31)
    AccessEvent.objects.create(at=old, actor="x", kind=AccessKind.HOUSEHOLD_PAGE, format="html")
    BulkReadAlert.objects.create(at=old, hour=old, actor="x", records=900, threshold=500)
    client_for(world.kamran).get(f"/households/{world.kalbajar_family.reg_number}/")
    done = dict((p.name, n) for p, n in retention.purge(dry_run=True))
    assert done["records of reads and exports"] == 2
    retention.purge()
    assert list(AccessEvent.objects.values_list("actor", flat=True)) == ["kamran"]
    assert not BulkReadAlert.objects.exists()
    # and the table is append-only again afterwards
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessEvent.objects.all().delete()


# ---------------------------------------------------------------------------- exports


def test_the_auditor_is_refused_xlsx_until_an_administrator_grants_it(world: World) -> None:
    sabina = client_for(world.sabina)
    refused = sabina.get("/audit/export.xlsx")
    assert refused.status_code == 403
    assert "may not export Excel files" in refused.content.decode()
    assert "Export XLSX" not in sabina.get("/audit/").content.decode()
    event = AccessEvent.objects.get()
    assert event.refused and event.count == 0 and event.kind == AccessKind.AUDIT_EXPORT

    grant(world.sabina, "export_xlsx")
    allowed = sabina.get("/audit/export.xlsx")
    assert allowed.status_code == 200
    assert allowed["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(allowed.streaming_content)  # type: ignore[attr-defined]
    sheet: Any = load_workbook(io.BytesIO(content), read_only=True).active
    header = next(sheet.iter_rows(values_only=True))
    assert header[:3] == ("id", "at", "table")
    export = AccessEvent.objects.filter(refused=False).get()
    assert (export.kind, export.format, export.actor) == (AccessKind.AUDIT_EXPORT, "xlsx", "sabina")
    assert "Export XLSX" in sabina.get("/audit/").content.decode()


def test_the_auditor_is_refused_pdf_receipts_until_an_administrator_grants_it(
    world: World, api: Any
) -> None:
    scene = make_scene(world)
    ceremony = scene.kalbajar.ceremony
    sabina = client_for(world.sabina)
    page = reverse("handover:receipts", args=[ceremony.pk])
    refused = sabina.get(page)
    assert refused.status_code == 403
    assert "may not export PDF documents" in refused.content.decode()
    answer = api(world.sabina).get(f"/api/ceremonies/{ceremony.pk}/receipts/")
    assert answer.status_code == 403 and "may not export PDF" in answer.json()["detail"]
    assert (
        "key receipts (PDF)"
        not in sabina.get(f"/handover/ceremonies/{ceremony.pk}/").content.decode()
    )
    assert not AccessEvent.objects.filter(refused=False).exists()
    assert AccessEvent.objects.filter(refused=True, kind=AccessKind.RECEIPTS).count() == 2

    granted = grant(world.sabina, "export_pdf")
    allowed = sabina.get(page)
    assert allowed.status_code == 200 and allowed["Content-Type"] == "application/pdf"
    assert api(granted).get(f"/api/ceremonies/{ceremony.pk}/receipts/").status_code == 200
    exports = AccessEvent.objects.filter(refused=False, kind=AccessKind.RECEIPTS)
    invited = set(ceremony.invitations.values_list("household_id", flat=True))
    assert [(e.format, set(e.object_ids), e.count) for e in exports] == [
        ("pdf", invited, len(invited))
    ] * 2


def test_the_manifest_is_printed_by_who_may_take_pdf_documents_and_recorded(world: World) -> None:
    scene = make_scene(world)
    bus = scene.kalbajar.bus
    url = reverse("handover:manifest", args=[bus.pk])
    assert client_for(world.orkhan).get(url).status_code == 403
    assert client_for(world.kamran).get(url).status_code == 200
    event = AccessEvent.objects.get(refused=False)
    assert (event.kind, event.format) == (AccessKind.MANIFEST, "html")
    assert event.count == bus.passengers.count()


def test_run_files_and_import_error_reports_are_recorded_with_their_rows(world: World) -> None:
    scene = make_scene(world)
    run, imp = scene.kalbajar.run, scene.kalbajar.registry_import
    type(run).objects.filter(pk=run.pk).update(households_csv="reg_number\nA-1\nA-2\nA-3\n")
    orkhan = client_for(world.orkhan)
    answer = orkhan.get(reverse("allocation:file", args=[run.pk, "households.csv"]))
    assert answer.status_code == 200
    lines = answer.content.decode().strip().splitlines()
    event = AccessEvent.objects.get(kind=AccessKind.RUN_FILE)
    assert (event.format, event.object_ids, event.count) == ("csv", [run.pk], len(lines) - 1)
    assert orkhan.get(reverse("registry:import_errors", args=[imp.pk])).status_code == 200
    report = AccessEvent.objects.get(kind=AccessKind.IMPORT_ERRORS)
    assert report.count == len(imp.errors) and report.format == "csv"


# ---------------------------------------------------------------------------- the page


def test_the_reads_page_shows_and_filters_by_user_kind_and_date(world: World, api: Any) -> None:
    client_for(world.kamran).get(f"/households/{world.kalbajar_family.reg_number}/")
    api(world.orkhan).get("/api/persons/")
    sabina = client_for(world.sabina)
    page = sabina.get("/audit/reads/")
    assert page.status_code == 200 and page.context["page"].paginator.count == 2
    by_user = sabina.get("/audit/reads/", {"actor": "KAMRAN"}).context["page"]
    assert [e.kind for e in by_user] == [AccessKind.HOUSEHOLD_PAGE]
    by_kind = sabina.get("/audit/reads/", {"kind": "persons_api"}).context["page"]
    assert [e.actor for e in by_kind] == ["orkhan"]
    old = sabina.get("/audit/reads/", {"until": "2000-01-01"}).context["page"]
    assert old.paginator.count == 0
    assert client_for(world.kamran).get("/audit/reads/").status_code == 403


def test_the_reads_export_holds_the_filtered_records_and_is_itself_recorded(world: World) -> None:
    client_for(world.kamran).get(f"/households/{world.kalbajar_family.reg_number}/")
    ayten = client_for(world.ayten)
    rows = list(csv.DictReader(io.StringIO(streamed(ayten.get("/audit/reads/export.csv")))))
    assert [(r["actor"], r["kind"], r["count"]) for r in rows] == [
        ("kamran", "household_page", "1")
    ]
    data = json.loads(streamed(ayten.get("/audit/reads/export.json", {"actor": "ayten"})))
    assert [(r["kind"], r["count"]) for r in data] == [("access_export", 1)]


# ---------------------------------------------------------------------------- bulk reads


def test_crossing_the_hourly_threshold_alerts_the_administrators_once(
    world: World, api: Any, settings: Any
) -> None:
    settings.BULK_READ_ALERT_PER_HOUR = 20
    settings.BULK_READ_ALERT_TO = ""
    world.ayten.email = "ayten@example.org"
    world.ayten.save()
    persons = api(world.orkhan)
    assert persons.get("/api/persons/").json()["count"] == 16  # 16 records: under
    assert not BulkReadAlert.objects.exists()
    persons.get("/api/persons/")  # 32 in the hour: over
    persons.get("/api/persons/")  # still over: no second alert this hour
    alert = BulkReadAlert.objects.get()
    assert (alert.actor, alert.actor_id, alert.records, alert.threshold) == (
        "orkhan",
        world.orkhan.pk,
        32,
        20,
    )
    message = Message.objects.get(template="bulk_read_alert")
    assert (message.to, message.channel, message.household) == ("ayten@example.org", "email", None)
    assert "orkhan" in message.body and "32" in message.body

    dashboard = client_for(world.ayten).get("/").content.decode()
    assert "orkhan read 32 records in an hour" in dashboard
    assert "orkhan read" not in client_for(world.kamran).get("/").content.decode()
    assert "orkhan read 32" in client_for(world.sabina).get("/audit/reads/").content.decode()


def test_reads_of_other_users_and_refusals_do_not_add_up(
    world: World, api: Any, settings: Any
) -> None:
    settings.BULK_READ_ALERT_PER_HOUR = 20
    api(world.orkhan).get("/api/persons/")
    api(world.sabina).get("/api/persons/")
    for _ in range(3):
        client_for(world.sabina).get("/audit/export.xlsx")  # refused: no records read
    assert not BulkReadAlert.objects.exists()


def test_the_hourly_sum_is_one_query_on_the_actor_and_time_index(world: World) -> None:
    from homecoming.core.access import records_in_window

    with CaptureQueriesContext(connection) as queries:
        assert records_in_window(world.orkhan.pk, timezone.now()) == 0
    assert len(queries) == 1
    sql = queries[0]["sql"].lower()
    assert "sum(" in sql and "actor_id" in sql
    index = {i.name: i.fields for i in AccessEvent._meta.indexes}
    assert index["access_actor_at"] == ["actor_id", "at"]
