"""Officer pages: every page renders, refusals are messages (never a 500), scoping holds."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from homecoming.allocation import services as allocation
from homecoming.core.testing import World, make_family
from homecoming.handover.models import Offer
from homecoming.handover.tests.conftest import unit_no

pytestmark = pytest.mark.django_db

PAGES = [
    "/handover/",
    "/handover/swaps/",
    "/handover/appeals/",
    "/handover/convoys/",
    "/handover/ceremonies/",
    "/handover/occupancy/",
    "/handover/outbox/",
]


@pytest.fixture
def approved(world: World, make_run: Any) -> Any:
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-2", "5")]), world.orkhan)
    return world


@pytest.mark.parametrize("url", PAGES)
def test_every_handover_page_renders_for_each_role(approved: Any, client: Any, url: str) -> None:
    for user in (approved.ayten, approved.kamran, approved.leyla, approved.sabina):
        client.force_login(user)
        assert client.get(url).status_code == 200, (url, user)


def test_the_offer_list_does_not_grow_queries_with_the_data(
    approved: Any, client: Any, make_run: Any
) -> None:
    client.force_login(approved.ayten)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/handover/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    make_family("KLB-9", approved.zar, 3)
    allocation.do_approve_run(make_run([("KLB-9", "3")]), approved.orkhan)
    assert count() == before


def test_offering_a_taken_home_in_the_ui_gives_a_clear_message(approved: Any, client: Any) -> None:
    client.force_login(approved.kamran)
    response = client.post(
        "/handover/offers/new/",
        {"household": "KLB-3", "unit": unit_no(approved, "2").pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "Not done: Home KLB-RC1/B1/2 is already offered" in response.content.decode()


def test_a_database_constraint_in_the_ui_is_a_message_not_a_500(approved: Any, client: Any) -> None:
    client.force_login(approved.kamran)
    with mock.patch(
        "homecoming.handover.services.do_make_offer", side_effect=IntegrityError("duplicate key")
    ):
        response = client.post(
            "/handover/offers/new/",
            {"household": "KLB-3", "unit": unit_no(approved, "3").pk},
            follow=True,
        )
    assert response.status_code == 200
    assert "only one active offer" in response.content.decode()


def test_an_officer_records_answers_and_a_refusal_passes_the_home_on(
    approved: Any, client: Any
) -> None:
    make_family("KLB-R", approved.zar, 3)
    client.force_login(approved.kamran)
    offer = Offer.objects.get(household__reg_number="KLB-1")
    page = client.get(f"/handover/offers/{offer.pk}/").content.decode()
    assert "lottery among 3-room" in page
    response = client.post(
        f"/handover/offers/{offer.pk}/decline/", {"reason": "too far"}, follow=True
    )
    assert "Declined" in response.content.decode()
    response = client.post(f"/handover/offers/{offer.pk}/accept/", follow=True)
    assert "Not done" in response.content.decode()
    client.force_login(approved.leyla)
    assert client.get(f"/handover/offers/{offer.pk}/").status_code == 404
    client.force_login(approved.sabina)
    other = Offer.objects.get(household__reg_number="KLB-2")
    assert client.post(f"/handover/offers/{other.pk}/accept/").status_code == 403


def test_an_officer_plans_a_convoy_and_a_ceremony_in_the_pages(approved: Any, client: Any) -> None:
    for offer in Offer.objects.all():
        from homecoming.handover.services import do_accept_offer

        do_accept_offer(offer, user=approved.kamran)
    client.force_login(approved.kamran)
    client.post("/handover/convoys/", {"p-district": approved.kalbajar.pk, "p-name": "Camp 3"})
    client.post(
        "/handover/convoys/",
        {"c-district": approved.kalbajar.pk, "c-name": "Convoy A", "c-departs_on": "2026-06-12"},
    )
    from homecoming.handover.models import Convoy, PickupPoint

    convoy = Convoy.objects.get(name="Convoy A")
    point = PickupPoint.objects.get(name="Camp 3")
    client.post(f"/handover/convoys/{convoy.pk}/", {"number": "1", "seats": 40, "pickup": point.pk})
    bus = convoy.buses.get()
    response = client.post(
        f"/handover/convoys/{convoy.pk}/", {"bus": bus.pk, "household": "KLB-1"}, follow=True
    )
    assert "KLB-1 is on bus 1" in response.content.decode()
    response = client.post(
        "/handover/ceremonies/",
        {
            "district": approved.kalbajar.pk,
            "complex": approved.kalbajar_complex.pk,
            "held_at": "2026-06-12T14:00",
            "place": "Town square",
        },
        follow=True,
    )
    assert "Ceremony planned" in response.content.decode()
    ceremony_url = response.redirect_chain[-1][0]
    response = client.post(ceremony_url, {"household": "KLB-2"}, follow=True)
    assert "KLB-2 invited" in response.content.decode()
