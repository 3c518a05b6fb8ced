"""The handover API: idempotent answers, 409 on conflicts, district scoping."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import IntegrityError

from homecoming.allocation import services as allocation
from homecoming.core.models import IdempotencyKey
from homecoming.core.testing import World
from homecoming.handover.history import transitions
from homecoming.handover.models import Offer
from homecoming.handover.tests.conftest import unit_no

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(world: World, make_run: Any) -> Offer:
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-2", "5")]), world.orkhan)
    return Offer.objects.get(household__reg_number="KLB-1")


def test_accept_with_an_idempotency_key_happens_once_and_replays(
    world: World, api: Any, offer: Offer
) -> None:
    client = api(world.kamran)
    url = f"/api/offers/{offer.pk}/accept/"
    first = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    again = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert transitions("offer", to_state="accepted").count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_a_key_reused_with_another_body_is_refused(world: World, api: Any, offer: Offer) -> None:
    client = api(world.kamran)
    url = f"/api/offers/{offer.pk}/decline/"
    client.post(url, {"reason": "too small"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = client.post(url, {"reason": "too far"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert Offer.objects.get(pk=offer.pk).decline_reason == "too small"


def test_a_decline_replayed_after_a_conflict_gives_the_same_409(
    world: World, api: Any, offer: Offer
) -> None:
    client = api(world.kamran)
    client.post(f"/api/offers/{offer.pk}/accept/", {}, format="json")
    url = f"/api/offers/{offer.pk}/decline/"
    body = {"reason": "changed our mind"}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.status_code == 409 and "accepted" in first.json()["detail"]
    second = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert second.status_code == 409 and second.json() == first.json()


def test_decline_needs_a_reason_and_passes_the_home_on(
    world: World, api: Any, offer: Offer
) -> None:
    client = api(world.kamran)
    assert client.post(f"/api/offers/{offer.pk}/decline/", {}, format="json").status_code == 400
    response = client.post(
        f"/api/offers/{offer.pk}/decline/", {"reason": "too small"}, format="json"
    )
    assert response.status_code == 200 and response.json()["decline_reason"] == "too small"


def test_offering_a_taken_home_is_a_409_not_a_500(world: World, api: Any, offer: Offer) -> None:
    response = api(world.kamran).post(
        "/api/offers/", {"unit": offer.unit_id, "household": "KLB-3"}, format="json"
    )
    assert response.status_code == 409
    assert "already offered" in response.json()["detail"]


def test_a_constraint_violation_is_a_409_with_a_clear_message(
    world: World, api: Any, offer: Offer
) -> None:
    with mock.patch(
        "homecoming.handover.services.do_make_offer",
        side_effect=IntegrityError('duplicate key value violates "one_active_offer_per_unit"'),
    ):
        response = api(world.kamran).post(
            "/api/offers/", {"unit": unit_no(world, "3").pk, "household": "KLB-3"}, format="json"
        )
    assert response.status_code == 409
    assert "only one active offer" in response.json()["detail"]


def test_an_officer_makes_an_offer_by_hand(world: World, api: Any, offer: Offer) -> None:
    response = api(world.kamran).post(
        "/api/offers/", {"unit": unit_no(world, "3").pk, "household": "KLB-3"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"


def test_officers_see_and_answer_only_their_district_s_offers(
    world: World, api: Any, offer: Offer
) -> None:
    leyla = api(world.leyla)
    assert leyla.get("/api/offers/").json()["count"] == 0
    assert leyla.post(f"/api/offers/{offer.pk}/accept/", {}, format="json").status_code == 404
    auditor = api(world.sabina)
    assert auditor.get("/api/offers/").json()["count"] == 2
    assert auditor.post(f"/api/offers/{offer.pk}/accept/", {}, format="json").status_code == 403
    assert api(world.orkhan).get("/api/transitions/?entity=offer").json()["count"] == 2


def test_the_api_plans_a_convoy_and_puts_a_family_on_a_bus(
    world: World, api: Any, offer: Offer
) -> None:
    client = api(world.kamran)
    client.post(f"/api/offers/{offer.pk}/accept/", {}, format="json")
    point = client.post(
        "/api/pickup-points/",
        {"district": world.kalbajar.pk, "name": "Dormitory 5, Ganja"},
        format="json",
    ).json()
    convoy = client.post(
        "/api/convoys/",
        {"district": world.kalbajar.pk, "name": "Convoy 1", "departs_on": "2026-06-12"},
        format="json",
    ).json()
    bus = client.post(
        "/api/buses/",
        {"convoy": convoy["id"], "number": "1", "seats": 5, "pickup": point["id"]},
        format="json",
    ).json()
    seated = client.post(f"/api/buses/{bus['id']}/assign/", {"household": "KLB-1"}, format="json")
    assert seated.status_code == 201 and seated.json()["seats"] == 4
    again = client.post(f"/api/buses/{bus['id']}/assign/", {"household": "KLB-1"}, format="json")
    assert again.status_code == 409
    # Leyla cannot put anything in Kalbajar.
    response = api(world.leyla).post(
        "/api/convoys/",
        {"district": world.kalbajar.pk, "name": "X", "departs_on": "2026-06-12"},
        format="json",
    )
    assert response.status_code == 400
