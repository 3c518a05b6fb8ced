"""The /audit/ pages: filters, diffs, exports, and who may read them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from homecoming.core.audit import audit_context
from homecoming.core.exports import safe_cell
from homecoming.registry.models import Household
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_auditor_filters_the_trail_by_object_and_sees_before_and_after(world: World) -> None:
    family = world.kalbajar_family
    with audit_context("api", actor=world.kamran):
        Household.objects.filter(pk=family.pk).update(priority=7, shelter_address="Camp 12")
    response = client_for(world.sabina).get(
        "/audit/", {"table": "registry_household", "object": str(family.pk), "channel": "api"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<ins>7</ins>" in page and "kamran" in page
    # an address is personal data the auditor's role does not include: changed, not shown
    assert "Camp 12" not in page and "[changed]" in page
    assert [e.object_pk for e in response.context["page"]] == [str(family.pk)]


def test_the_filters_narrow_by_actor_and_date(world: World) -> None:
    with audit_context("ui", actor=world.leyla):
        Household.objects.filter(pk=world.lachin_family.pk).update(priority=6)
    sabina = client_for(world.sabina)
    found = sabina.get("/audit/", {"actor": "LEYLA"}).context["page"]
    assert found.paginator.count == 1
    assert (
        sabina.get("/audit/", {"actor": "leyla", "until": "2000-01-01"})
        .context["page"]
        .paginator.count
        == 0
    )
    bad = sabina.get("/audit/", {"since": "2030-01-02", "until": "2030-01-01"})
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 0
    assert "before the start date" in bad.content.decode()


def test_the_csv_export_holds_the_filtered_events_and_defuses_formulas(world: World) -> None:
    family = world.kalbajar_family
    with audit_context("api", actor=world.kamran):
        Household.objects.filter(pk=family.pk).update(shelter_address="=HYPERLINK(1)")
    response = client_for(world.ayten).get(
        "/audit/export.csv", {"table": "registry_household", "object": str(family.pk)}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert rows and all(r["object_pk"] == str(family.pk) for r in rows)
    latest = rows[0]
    assert latest["actor"] == "kamran" and latest["channel"] == "api"
    assert json.loads(latest["after"])["shelter_address"] == "=HYPERLINK(1)"
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    # a plain negative number is data, not a formula (homecoming.core.exports)
    assert [safe_cell(v) for v in ("+1", "-1", "-x", "@x", "\tx", "\rx", "ok")] == [
        "'+1",
        "-1",
        "'-x",
        "'@x",
        "'\tx",
        "'\rx",
        "ok",
    ]


def test_the_json_export_is_a_list_of_events(world: World) -> None:
    with audit_context("cli", actor_label="root"):
        Household.objects.filter(pk=world.lachin_family.pk).update(priority=4)
    response = client_for(world.sabina).get("/audit/export.json", {"channel": "cli"})
    events = json.loads(body(response))
    assert [(e["actor"], e["after"]["priority"]) for e in events] == [("root", 4)]


@pytest.mark.parametrize("who", ["kamran", "orkhan"])
def test_district_and_allocation_officers_cannot_read_the_trail(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_the_household_page_links_its_history_for_auditors_only(world: World) -> None:
    url = f"/households/{world.kalbajar_family.reg_number}/"
    link = f"/audit/?table=registry_household&amp;object={world.kalbajar_family.pk}"
    assert link in client_for(world.sabina).get(url).content.decode()
    assert link not in client_for(world.kamran).get(url).content.decode()


def test_the_admin_shows_the_trail_read_only(world: World) -> None:
    world.ayten.is_staff = world.ayten.is_superuser = True
    world.ayten.save()
    client = client_for(world.ayten)
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403
