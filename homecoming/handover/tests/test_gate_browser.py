"""On the demo, an officer tries to hand the keys of a home still under construction in a
real chromium, and the page refuses with the reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from homecoming.accounts.models import Role
from homecoming.allocation import services as allocation
from homecoming.allocation.models import AllocationResult, AllocationRun, RunStatus, seed_commitment
from homecoming.demo.scenario import do_load_demo
from homecoming.geography.models import Area
from homecoming.handover import services
from homecoming.handover.models import Ceremony, Offer
from homecoming.housing.models import Construction, ResidentialComplex, Unit, UnitStatus
from homecoming.registry.models import Household
from homecoming.testing import log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_refuses_keys_for_a_home_under_construction_in_the_browser(
    live_server: Any, page: Any
) -> None:
    do_load_demo()
    kalbajar = Area.objects.get(code="AZ1101")
    orkhan = make_user("orkhan", Role.ALLOCATION_OFFICER)
    assert isinstance(orkhan, User)
    make_user("kamran", Role.DISTRICT_OFFICER, kalbajar)
    # Complex 1 passes its readiness gate, but its phase-2 homes are still being built:
    # a run drawn in advance gives one to a waiting family of the right size.
    first = ResidentialComplex.objects.get(code="KLB-RC1")
    home = (
        Unit.objects.filter(building__complex=first, construction=Construction.UNDER_CONSTRUCTION)
        .order_by("id")
        .first()
    )
    assert home is not None
    family = Household.objects.filter(district=kalbajar).waiting().order_by("id").first()
    assert family is not None
    run = AllocationRun.objects.create(
        name="Stage 1, phase 2 in advance",
        method="lottery",
        district=kalbajar,
        seed=7,
        seed_commitment=seed_commitment(7),
        seed_revealed=True,
        status=RunStatus.DONE,
        created_by=orkhan,
    )
    run.complexes.set([first])
    AllocationResult.objects.create(run=run, household=family, unit=home, reason="in advance")
    allocation.do_approve_run(run, orkhan)
    offer = Offer.objects.get(run=run)
    assert offer.deadline is None, "no clock while the home is being built"
    services.do_accept_offer(offer, actor="family")
    ceremony = Ceremony.objects.create(
        district=kalbajar,
        complex=first,
        held_at=timezone.make_aware(datetime(2026, 6, 1, 11, 0)),
        place="Kəlbəcər, şəhər meydanı",
    )
    services.do_invite(ceremony, family)

    base = live_server.url
    log_in(page, base, "kamran")
    page.goto(f"{base}/handover/ceremonies/{ceremony.pk}/")
    expect(page.locator("table.invitations")).to_contain_text("Under construction")
    page.get_by_label("The family has the keys in hand").check()
    page.get_by_role("button", name="Hand over the keys").click()
    message = page.locator(".msg.error")
    expect(message).to_contain_text(f"Key handover refused: home {home} is not ready.")
    expect(message.locator("li")).to_contain_text([f"Home {home} is under construction."])
    home.refresh_from_db()
    assert home.status == UnitStatus.ALLOCATED and home.household_id == family.pk
    family.refresh_from_db()
    assert family.status == "allocated"
