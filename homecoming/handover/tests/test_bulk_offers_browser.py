"""An officer offers homes to families ticked in a list, checks the pairs and confirms
(real chromium, at a phone's width: nothing scrolls sideways)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from homecoming.handover.models import Offer
from homecoming.testing import World, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth + 1"


def test_an_officer_picks_families_checks_the_pairs_and_makes_the_offers(
    world: World, live_server: Any, page: Any
) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "kamran")
    page.goto(f"{base}/handover/")
    page.get_by_role("link", name="Pick families from a list").click()
    pick = page.locator("#pick")
    expect(pick.locator("table.pick tbody tr")).to_have_count(3)
    assert not page.evaluate(SIDEWAYS), "the list fits a phone"
    pick.get_by_label("KLB-2").check()
    pick.get_by_label("KLB-1").check()
    pick.get_by_role("button", name="Pair the families picked with homes").click()
    pairs = page.locator("table.pairs")
    expect(pairs.locator("[data-family='KLB-1']")).to_contain_text("B1, 5")
    expect(pairs.locator("[data-family='KLB-2']")).to_contain_text("B1, 6")
    assert not page.evaluate(SIDEWAYS), "the confirmation fits a phone"
    make = page.get_by_role("button", name="Make 2 offers")
    make.click()  # the tick is required: the browser stays on the page
    assert not Offer.objects.exists()
    page.get_by_label("I have checked the 2 pairs above", exact=False).check()
    make.click()
    expect(page.locator(".msg.success")).to_contain_text("2 offers made: KLB-1, KLB-2.")
    assert Offer.objects.count() == 2
