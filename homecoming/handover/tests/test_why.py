"""Why this home, on the family's own page and the offer's page, in the reader's language:
a run's reasons with place names, a reserve rank, an officer's offer; old text as stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from homecoming.allocation import services as allocation
from homecoming.handover import services
from homecoming.handover.models import Offer
from homecoming.handover.tests.conftest import unit_no
from homecoming.handover.tests.test_family import sign_in
from homecoming.handover.why import OFFERED_BY_OFFICER
from homecoming.registry.models import Household
from homecoming.testing import World, make_family

pytestmark = pytest.mark.django_db


def approved_run(world: World, capture: Any) -> Any:
    with capture(execute=True):
        run = allocation.do_create_run(
            user=world.orkhan,
            name="Draw 1",
            method="optimal",
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
        )
    run.refresh_from_db()
    allocation.do_approve_run(run, world.orkhan)
    return run


def test_the_family_reads_why_in_its_language_with_the_names_of_places(
    world: World, client: Any, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    Household.objects.filter(reg_number="KLB-1").update(phone="+994501110001")
    approved_run(world, django_capture_on_commit_callbacks)
    client.cookies["django_language"] = "ru"
    sign_in(client, sent, "KLB-1", "+994501110001", django_capture_on_commit_callbacks)
    page = client.get(reverse("family:home")).content.decode()
    assert "3 комнаты для семьи из 4 человек, идеальный размер; Кельбаджар, Complex KLB-RC1" in page
    assert "the ideal size" not in page and "AZ110101" not in page


def test_an_officer_reads_a_reserve_offer_and_an_officer_s_offer_in_their_language(
    world: World, make_run: Any, client: Any
) -> None:
    make_family("KLB-R3", world.zar, 3, priority=3)
    run = make_run([("KLB-1", "2")], reserve=["KLB-R3"])
    allocation.do_approve_run(run, world.orkhan)
    with translation.override("en"):  # made by an English-speaking officer
        services.do_decline_offer(
            Offer.objects.get(household__reg_number="KLB-1"), "far", user=world.kamran
        )
    reserve = Offer.objects.get(household__reg_number="KLB-R3")
    manual = services.do_make_offer(
        unit_no(world, "5"), Household.objects.get(reg_number="KLB-2"), user=world.kamran
    )
    assert manual.reason == OFFERED_BY_OFFICER
    client.force_login(world.kamran)
    client.cookies["django_language"] = "az"
    page = client.get(reverse("handover:offer", args=[reserve.pk])).content.decode()
    assert "Draw test ehtiyat siyahısında növbəti" in page and "Next on the reserve" not in page
    page = client.get(reverse("handover:offer", args=[manual.pk])).content.decode()
    assert "Məmur tərəfindən təklif edilib." in page and "Offered by an officer." not in page


def test_an_offer_of_a_run_stored_without_reasons_shows_its_stored_text(
    world: World, make_run: Any, client: Any
) -> None:
    allocation.do_approve_run(make_run([("KLB-1", "2")]), world.orkhan)
    client.force_login(world.kamran)
    client.cookies["django_language"] = "az"
    offer = Offer.objects.get(household__reg_number="KLB-1")
    page = client.get(reverse("handover:offer", args=[offer.pk])).content.decode()
    assert "lottery among 3-room homes" in page
