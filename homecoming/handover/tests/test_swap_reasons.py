"""An exchange of homes says why in the reader's language, whatever language the officer
who recorded it used: the reason is stored as data, the audit note as its msgid."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import translation

from homecoming.allocation import services as allocation
from homecoming.core.audit import audit_context
from homecoming.core.models import AuditEvent
from homecoming.handover import services
from homecoming.handover.models import Offer, OfferStatus
from homecoming.handover.why import attach
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def offer_of(reg: str) -> Offer:
    return Offer.objects.get(household__reg_number=reg, status__in=["pending", "accepted"])


@pytest.fixture
def swapped(world: World, make_run: Any) -> World:
    """KLB-1 and KLB-2 exchanged homes 2 and 5, recorded by an officer reading Azerbaijani."""
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-2", "5")]), world.orkhan)
    swap = services.do_propose_swap(offer_of("KLB-1"), offer_of("KLB-2"), user=world.kamran)
    with translation.override("az"), audit_context("ui", actor=world.kamran):
        services.do_consent_swap(swap, offer_of("KLB-1").household, user=world.kamran)
        services.do_consent_swap(swap, offer_of("KLB-2").household, user=world.kamran)
    return world


def test_the_exchange_is_stored_as_data_and_an_english_sentence(swapped: World) -> None:
    offer = offer_of("KLB-1")
    assert offer.reasons == [{"code": "swapped", "with": "KLB-2"}]
    assert offer.reason == "Exchanged with family KLB-2 by consent of both."


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("ru", "Обменяно с семьёй KLB-2 с согласия обеих."),
        ("az", "Hər iki ailənin razılığı ilə KLB-2 ailəsi ilə dəyişdirildi."),
        ("en", "Exchanged with family KLB-2 by consent of both."),
    ],
)
def test_why_this_home_speaks_the_reader_s_language(
    swapped: World, language: str, said: str
) -> None:
    offer = offer_of("KLB-1")
    with translation.override(language):
        attach([offer])
        assert offer.why == said  # type: ignore[attr-defined]


def test_the_offer_page_shows_statuses_and_the_note_in_the_reader_s_language(
    swapped: World, client: Any
) -> None:
    note = AuditEvent.objects.filter(note__startswith="swapped").first()
    assert note is not None and note.note == "swapped by consent of both families"
    old = Offer.objects.get(household__reg_number="KLB-1", status=OfferStatus.SWAPPED)
    client.force_login(swapped.kamran)
    client.cookies["django_language"] = "ru"
    page = client.get(f"/handover/offers/{offer_of('KLB-1').pk}/").content.decode()
    assert "Обменяно с семьёй KLB-2 с согласия обеих." in page
    history = client.get(f"/handover/offers/{old.pk}/").content.decode()
    assert "<td>swapped</td>" not in history and "<td>pending</td>" not in history
    assert "Ожидает ответа" in history or "pending" not in history
    swaps = client.get("/handover/swaps/").content.decode()
    assert "Complex KLB-RC1" in swaps, "homes by their address, the settlement by its name"


def test_the_audit_trail_translates_the_system_s_note(swapped: World, client: Any) -> None:
    client.force_login(swapped.ayten)
    client.cookies["django_language"] = "ru"
    page = client.get("/audit/?table=housing_unit").content.decode()
    assert "обменяно с согласия обеих семей" in page


def test_an_exchange_recorded_before_in_any_language_is_read_back_into_data(
    swapped: World,
) -> None:
    migration = importlib.import_module("homecoming.handover.migrations.0007_offer_reasons")
    assert migration.exchanged_with("The family asked for a ground floor.") is None
    old = offer_of("KLB-1")
    Offer.objects.filter(pk=old.pk).update(
        reasons=[], reason="Hər iki ailənin razılığı ilə KLB-2 ailəsi ilə dəyişdirildi."
    )
    typed = offer_of("KLB-2")
    Offer.objects.filter(pk=typed.pk).update(reasons=[], reason="Asked by the family.")
    migration.exchanges_as_data(django_apps, None)
    assert offer_of("KLB-1").reasons == [{"code": "swapped", "with": "KLB-2"}]
    assert offer_of("KLB-2").reasons == [], "an officer's words stay as typed"
    with translation.override("ru"):
        attach([offer := offer_of("KLB-1")])
        assert offer.why == "Обменяно с семьёй KLB-2 с согласия обеих."  # type: ignore[attr-defined]
