"""Changes of state are read from the audit trail: the offer page, the transitions API, and
the old transition log copied by the data migration."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client

from homecoming.allocation import services as allocation
from homecoming.core.models import AuditEvent
from homecoming.handover.models import Offer
from homecoming.housing.models import Unit
from homecoming.testing import World

MIGRATION = "0004_audit_trail_replaces_transitions"


@pytest.fixture
def offer(world: World, make_run: Any) -> Offer:
    allocation.do_approve_run(make_run([("KLB-1", "2")]), world.orkhan)
    return Offer.objects.get(household__reg_number="KLB-1")


@pytest.mark.django_db
def test_the_transitions_api_shows_who_accepted_through_which_channel(
    world: World, api: Any, offer: Offer
) -> None:
    assert api(world.kamran).post(f"/api/offers/{offer.pk}/accept/").status_code == 200
    rows = api(world.kamran).get(f"/api/transitions/?entity=offer&entity_id={offer.pk}").json()
    steps = [(r["from_state"], r["to_state"], r["actor"], r["channel"]) for r in rows["results"]]
    assert steps[0] == ("pending", "accepted", "kamran", "api")
    assert steps[-1][:2] == ("", "pending")
    units = api(world.kamran).get("/api/transitions/?entity=unit").json()["results"]
    assert [(r["from_state"], r["to_state"]) for r in units][:2] == [
        ("offered", "allocated"),
        ("free", "offered"),
    ]


@pytest.mark.django_db
def test_another_district_s_officer_sees_none_of_these_transitions(
    world: World, api: Any, offer: Offer
) -> None:
    url = f"/api/transitions/?entity=offer&entity_id={offer.pk}"
    assert api(world.leyla).get(url).json()["count"] == 0
    hers = Unit.objects.filter(building__complex=world.lachin_complex)
    assert {
        r["entity_id"]
        for r in api(world.leyla).get("/api/transitions/?entity=unit").json()["results"]
    } == set(hers.values_list("pk", flat=True))
    assert api(world.ayten).get(url).json()["count"] == 1
    assert api(world.kamran).get("/api/transitions/?entity=nothing").status_code == 400


@pytest.mark.django_db
def test_the_offer_page_shows_its_history_with_the_withdrawal_note(
    world: World, offer: Offer
) -> None:
    client = Client()
    client.force_login(world.kamran)
    response = client.post(f"/handover/offers/{offer.pk}/withdraw/", {"reason": "wrong floor"})
    assert response.status_code in (200, 302)
    page = client.get(f"/handover/offers/{offer.pk}/").content.decode()
    assert "withdrawn" in page and "wrong floor" in page and "kamran" in page


@pytest.mark.django_db(transaction=True)
def test_old_transitions_are_copied_into_the_audit_trail(world: World) -> None:
    migration = importlib.import_module(f"homecoming.handover.migrations.{MIGRATION}")
    loader = MigrationLoader(connection)
    before_it = [
        ("handover", "0003_convoy_and_ceremony_status"),
        ("core", "0004_audit_trail"),
        *loader.graph.leaf_nodes("auth"),
    ]
    old_apps = loader.project_state(before_it).apps
    Transition = old_apps.get_model("handover", "Transition")
    with connection.schema_editor() as editor:
        editor.create_model(Transition)
    when = datetime(2025, 6, 7, 8, 9, tzinfo=UTC)
    family = world.kalbajar_family
    try:
        rows = [
            Transition(
                entity="offer",
                entity_id=41,
                label="KLB-1 → A-2",
                to_state="pending",
                by_id=world.orkhan.pk,
                actor="orkhan",
                note="Draw 1",
            ),
            Transition(
                entity="household",
                entity_id=family.pk,
                from_state="offered",
                to_state="allocated",
                actor="family KLB-1",
            ),
            Transition(entity="household", entity_id=family.pk, to_state="bus:3", actor="x"),
        ]
        Transition.objects.bulk_create(rows)
        Transition.objects.update(at=when)
        ids = list(Transition.objects.order_by("id").values_list("id", flat=True))
        before = AuditEvent.objects.count()
        with connection.schema_editor() as editor:
            migration.copy_transitions(old_apps, editor)
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Transition)
    copied = list(AuditEvent.objects.order_by("id"))[before:]
    assert [(e.table, e.object_pk, e.action, e.before, e.after, e.actor) for e in copied] == [
        ("handover_offer", "41", "insert", None, {"status": "pending"}, "orkhan"),
        (
            "registry_household",
            str(family.pk),
            "update",
            {"status": "offered"},
            {"status": "allocated"},
            "family KLB-1",
        ),
        ("registry_household", str(family.pk), "update", {"status": ""}, {"status": "bus:3"}, "x"),
    ]
    assert (copied[0].actor_id, copied[0].note, copied[0].at) == (world.orkhan.pk, "Draw 1", when)
    assert copied[0].path == f"handover transition #{ids[0]}: KLB-1 → A-2"


@pytest.mark.django_db
def test_a_family_s_own_answer_is_recorded_as_the_family_s(
    world: World, make_run: Any, client: Any, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from homecoming.handover.tests.test_family import sign_in

    world.kalbajar_family.__class__.objects.filter(reg_number="KLB-1").update(phone="+994501110001")
    allocation.do_approve_run(make_run([("KLB-1", "2")]), world.orkhan)
    sign_in(client, sent, "KLB-1", "+994501110001", django_capture_on_commit_callbacks)
    mine = Offer.objects.get(household__reg_number="KLB-1")
    assert client.post(f"/family/offers/{mine.pk}/accept/", {"confirm": "yes"}).status_code == 302
    event = AuditEvent.objects.filter(table="handover_offer", object_pk=str(mine.pk)).latest("id")
    assert event.new["status"] == "accepted"
    assert (event.actor, event.actor_id, event.channel) == ("family KLB-1", None, "ui")
