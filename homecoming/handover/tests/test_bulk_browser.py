"""An officer fills a bus and invites families to a ceremony by ticking them in lists
(real chromium), and confirms the keys with a tick on the ceremony's day."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homecoming.allocation import services as allocation
from homecoming.handover import services
from homecoming.handover.models import Bus, Ceremony, Convoy, Offer, Passenger, PickupPoint
from homecoming.testing import World, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_picks_families_for_a_bus_and_a_ceremony(
    world: World, make_run: Any, live_server: Any, page: Any
) -> None:
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-2", "5")]), world.orkhan)
    for offer in Offer.objects.all():
        services.do_accept_offer(offer, actor="family")
    point = PickupPoint.objects.create(district=world.kalbajar, name="Dormitory 5")
    convoy = Convoy.objects.create(
        district=world.kalbajar,
        name="Convoy 7",
        departs_on=timezone.localdate() + timedelta(days=2),
        destination=world.kalbajar_complex,
    )
    Bus.objects.create(convoy=convoy, number="1", seats=4, pickup=point)
    Bus.objects.create(convoy=convoy, number="2", seats=40, pickup=point)
    today = timezone.localdate()
    ceremony = Ceremony.objects.create(
        district=world.kalbajar,
        complex=world.kalbajar_complex,
        held_at=timezone.make_aware(datetime(today.year, today.month, today.day, 11, 0)),
        place="Kəlbəcər, şəhər meydanı",
    )
    base = live_server.url
    log_in(page, base, "kamran")

    page.goto(f"{base}/handover/convoys/{convoy.pk}/")
    pick = page.locator("#pick")
    expect(pick.locator("table.pick tbody tr")).to_have_count(2)
    pick.get_by_label("Registration number").fill("KLB-2")
    pick.get_by_role("button", name="Filter").click()
    expect(pick.locator("table.pick tbody tr")).to_have_count(1)
    page.goto(f"{base}/handover/convoys/{convoy.pk}/")
    # Bus 1 has 4 seats: both families (7 persons) do not fit, and neither boards.
    pick.locator("select[name=bus]").select_option(label="1 · 4 free seats")
    pick.get_by_label("KLB-1").check()
    pick.get_by_label("KLB-2").check()
    pick.get_by_role("button", name="Put the families picked on this bus").click()
    expect(page.locator(".msg.error")).to_contain_text("Family KLB-2: Bus 1 has 0 free seats")
    assert not Passenger.objects.exists()
    pick.locator("select[name=bus]").select_option(label="2 · 40 free seats")
    pick.get_by_label("KLB-1").check()
    pick.get_by_label("KLB-2").check()
    pick.get_by_role("button", name="Put the families picked on this bus").click()
    expect(page.locator(".msg.success")).to_contain_text("2 families are on bus 2: KLB-1, KLB-2.")
    expect(page.locator("[data-bus='2']")).to_contain_text("KLB-1")
    expect(page.locator("#pick table.pick")).to_contain_text("Nobody waits for a bus here.")

    page.goto(f"{base}/handover/ceremonies/{ceremony.pk}/")
    pick = page.locator("#pick")
    pick.get_by_label("KLB-1").check()
    pick.get_by_label("KLB-2").check()
    pick.get_by_role("button", name="Invite the families picked").click()
    expect(page.locator(".msg.success")).to_contain_text("2 families invited")
    keys = page.locator("form.confirm").first
    keys.get_by_role("button", name="Hand over the keys").click()  # the tick is required
    expect(page.locator(".msg.success")).to_have_count(1)  # nothing sent: still the same page
    keys.get_by_label("The family has the keys in hand").check()
    keys.get_by_role("button", name="Hand over the keys").click()
    expect(page.locator(".msg.success")).to_contain_text("Keys handed to")
