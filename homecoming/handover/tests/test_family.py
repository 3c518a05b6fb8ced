"""The family self-service: one-time code sign-in, own offer only, accept or decline."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from homecoming.allocation import services as allocation
from homecoming.handover.models import Message, Offer, OneTimeCode
from homecoming.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers(world: World, make_run: Any) -> Any:
    for reg, phone in (("KLB-1", "+994501110001"), ("KLB-2", "+994501110002")):
        world.kalbajar_family.__class__.objects.filter(reg_number=reg).update(phone=phone)
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-2", "5")]), world.orkhan)
    return world


def code_sent_to(sent: list[tuple[str, str, str]], phone: str) -> str:
    body = [b for to, t, b in sent if to == phone and t == "one_time_code"][-1]
    match = re.search(rf"\b(\d{{{settings.FAMILY_CODE_DIGITS}}})\b", body)
    assert match, body
    return match.group(1)


def sign_in(client: Any, sent: Any, reg: str, phone: str, capture: Any) -> None:
    with capture(execute=True):
        response = client.post("/family/sign-in/", {"reg_number": reg})
    assert response.status_code == 302
    response = client.post("/family/code/", {"code": code_sent_to(sent, phone)})
    assert response["Location"] == "/family/"


def test_a_family_signs_in_with_a_code_and_sees_its_offer_only(
    offers: Any, client: Any, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sign_in(client, sent, "klb-1", "+994501110001", django_capture_on_commit_callbacks)
    page = client.get("/family/").content.decode()
    assert "KLB-1" in page and "Complex KLB-RC1, B1, 2" in page
    assert "lottery among 3-room" in page  # the reason it got this home
    assert "KLB-2" not in page
    theirs = Offer.objects.get(household__reg_number="KLB-2")
    response = client.post(f"/family/offers/{theirs.pk}/accept/")
    assert response.status_code == 404
    assert Offer.objects.get(pk=theirs.pk).status == "pending"


def test_the_code_is_stored_hashed_and_masked_in_the_outbox_once_sent(
    offers: Any, client: Any, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/family/sign-in/", {"reg_number": "KLB-1"})
    code = code_sent_to(sent, "+994501110001")
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    message = Message.objects.get(template="one_time_code")
    assert code not in message.body and "******" in message.body


def test_a_family_accepts_and_declines_through_its_pages(
    offers: Any, client: Any, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sign_in(client, sent, "KLB-1", "+994501110001", django_capture_on_commit_callbacks)
    mine = Offer.objects.get(household__reg_number="KLB-1")
    response = client.post(f"/family/offers/{mine.pk}/decline/", {"reason": ""}, follow=True)
    assert "tell us why" in response.content.decode()
    response = client.post(f"/family/offers/{mine.pk}/accept/", follow=True)
    assert "Tick the box" in response.content.decode()  # one tap is not an acceptance
    assert Offer.objects.get(pk=mine.pk).status == "pending"
    response = client.post(f"/family/offers/{mine.pk}/accept/", {"confirm": "yes"}, follow=True)
    assert "The home is yours" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == "accepted" and mine.answered_by == "family KLB-1"
    # Declining after accepting: a clear message, not an error page.
    response = client.post(f"/family/offers/{mine.pk}/decline/", {"reason": "x"}, follow=True)
    assert response.status_code == 200
    assert "can no longer be declined" in response.content.decode()


def test_wrong_and_expired_codes_are_refused(
    offers: Any, client: Any, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/family/sign-in/", {"reg_number": "KLB-1"})
    code = code_sent_to(sent, "+994501110001")
    wrong = "0" * len(code) if code != "0" * len(code) else "1" * len(code)
    response = client.post("/family/code/", {"code": wrong})
    assert "wrong or expired" in response.content.decode()
    response = client.post("/family/code/", {"code": "123"})
    assert f"The code has {settings.FAMILY_CODE_DIGITS} digits" in response.content.decode()
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "wrong or expired" in client.post("/family/code/", {"code": code}).content.decode()
    assert client.get("/family/")["Location"] == "/family/sign-in/"


def test_every_message_template_exists_in_az_en_ru() -> None:
    from homecoming.handover.messaging import TEMPLATES

    for kind, texts in TEMPLATES.items():
        assert set(texts) == {"az", "en", "ru"}, kind
    assert "ə" in TEMPLATES["offer_made"]["az"] or "ö" in TEMPLATES["offer_made"]["az"]


def test_a_family_files_an_appeal_and_sees_the_decision(
    offers: Any, client: Any, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from homecoming.handover import services
    from homecoming.handover.models import Appeal

    sign_in(client, sent, "KLB-1", "+994501110001", django_capture_on_commit_callbacks)
    response = client.post("/family/appeal/", {"kind": "grievance", "text": ""}, follow=True)
    assert "write what happened" in response.content.decode()
    assert not Appeal.objects.exists()
    response = client.post(
        "/family/appeal/", {"kind": "appeal", "text": "Our grandmother cannot climb"}, follow=True
    )
    assert "Your appeal is recorded" in response.content.decode()
    appeal = Appeal.objects.get()
    assert appeal.household.reg_number == "KLB-1" and appeal.created_by == "family KLB-1"
    services.do_decide_appeal(
        appeal, "upheld", "A ground-floor flat will be offered.", user=offers.ayten
    )
    page = client.get("/family/").content.decode()
    assert "Our grandmother cannot climb" in page and "A ground-floor flat will be offered." in page
