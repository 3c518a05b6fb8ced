"""A family on a phone signs in with its SMS code and accepts its home (real chromium)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from homecoming.allocation import services as allocation
from homecoming.handover.models import Offer
from homecoming.registry.models import Household
from homecoming.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_family_accepts_its_home_on_a_phone(
    world: World, make_run: Any, sent: Any, live_server: Any, phone: Any
) -> None:
    Household.objects.filter(reg_number="KLB-1").update(phone="+994501110001")
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-2", "5")]), world.orkhan)
    base = live_server.url

    phone.goto(f"{base}/family/")
    phone.fill("input[name=reg_number]", "KLB-1")
    phone.click("button.primary")
    expect(phone.locator(".msg")).to_contain_text("a code was sent")
    body = next(b for to, t, b in sent if t == "one_time_code" and to == "+994501110001")
    code = re.search(rf"\b(\d{{{settings.FAMILY_CODE_DIGITS}}})\b", body).group(1)  # type: ignore[union-attr]
    phone.fill("input[name=code]", code)
    phone.click("button.primary")

    offer = phone.locator("#offer")
    expect(offer).to_contain_text("Complex KLB-RC1, B1, 2")
    expect(offer).to_contain_text("lottery among 3-room")
    expect(phone.locator("body")).not_to_contain_text("KLB-2")
    # Mobile-first: the main button spans the narrow screen, nothing scrolls sideways.
    box = phone.locator("#accept").bounding_box()
    assert box is not None and box["width"] > 300
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.check("#confirm-accept")
    phone.click("#accept")
    expect(phone.locator(".msg")).to_contain_text("The home is yours")
    expect(phone.locator("#offer")).to_have_attribute("data-offer-status", "accepted")
    assert Offer.objects.get(household__reg_number="KLB-1").status == "accepted"
