"""Offers: made on approval, accepted or declined, expired, passed down the reserve list."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from homecoming.allocation import services as allocation
from homecoming.core.audit import audit_context
from homecoming.core.testing import World, make_family
from homecoming.handover import services
from homecoming.handover.history import transitions
from homecoming.handover.models import Offer, OfferStatus
from homecoming.handover.tests.conftest import unit_no
from homecoming.housing.models import UnitStatus
from homecoming.registry.models import Household, HouseholdStatus

pytestmark = pytest.mark.django_db


def reload(obj: Any) -> Any:
    obj.refresh_from_db()
    return obj


def offer_of(reg: str) -> Offer:
    return Offer.objects.get(household__reg_number=reg, status__in=["pending", "accepted"])


@pytest.fixture
def reserve_world(world: World) -> Any:
    # Reserve, in rank order: too big for a 3-room home, too small, and one that fits.
    make_family("KLB-R1", world.zar, 7, priority=5)
    make_family("KLB-R2", world.zar, 2, priority=4)
    make_family("KLB-R3", world.zar, 3, priority=3)
    return world


def test_approving_a_run_offers_each_housed_family_its_home_with_a_deadline(
    world: World, make_run: Any, settings: Any
) -> None:
    settings.HANDOVER_OFFER_DAYS = 10
    run = make_run([("KLB-1", "2"), ("KLB-2", "5")])
    assert allocation.do_approve_run(run, world.orkhan) == 2
    offer = offer_of("KLB-1")
    assert offer.status == OfferStatus.PENDING and offer.run == run
    assert offer.reason.startswith("lottery among 3-room")
    assert offer.deadline is not None
    assert timedelta(days=9) < offer.deadline - timezone.now() <= timedelta(days=10)
    unit = unit_no(world, "2")
    assert unit.status == UnitStatus.OFFERED and unit.household_id == offer.household_id
    assert reload(world.kalbajar_family).status == HouseholdStatus.OFFERED
    assert transitions("offer", offer.pk, "pending").exists()


def test_accepting_makes_the_home_the_family_s_and_logs_who_and_when(
    world: World, make_run: Any
) -> None:
    run = make_run([("KLB-1", "2")])
    allocation.do_approve_run(run, world.orkhan)
    with audit_context("ui", actor_label="family KLB-1"):
        offer = services.do_accept_offer(offer_of("KLB-1"), actor="family KLB-1")
    assert offer.status == OfferStatus.ACCEPTED and offer.answered_by == "family KLB-1"
    assert unit_no(world, "2").status == UnitStatus.ALLOCATED
    assert reload(world.kalbajar_family).status == HouseholdStatus.ALLOCATED
    log = transitions("offer", offer.pk, "accepted").get()
    assert (log.from_state, log.actor) == ("pending", "family KLB-1") and log.at is not None  # type: ignore[attr-defined]
    assert transitions("unit", to_state="allocated").count() == 1
    # Accepting again is harmless (a retried click or request).
    assert services.do_accept_offer(offer, actor="family KLB-1").status == OfferStatus.ACCEPTED
    assert transitions("offer", to_state="accepted").count() == 1


def test_a_declined_home_goes_to_the_first_family_of_the_reserve_list_it_suits(
    reserve_world: World, make_run: Any
) -> None:
    world = reserve_world
    run = make_run([("KLB-1", "2"), ("KLB-2", "5")], reserve=["KLB-R1", "KLB-R2", "KLB-R3"])
    allocation.do_approve_run(run, world.orkhan)
    services.do_decline_offer(offer_of("KLB-1"), "too far from the school", user=world.kamran)
    declined = Offer.objects.get(household__reg_number="KLB-1")
    assert declined.status == OfferStatus.DECLINED
    assert declined.decline_reason == "too far from the school"
    assert reload(world.kalbajar_family).status == HouseholdStatus.ELIGIBLE
    # KLB-R1 (7 persons) needs 4-5 rooms, KLB-R2 (2) 1-2: both skipped for a 3-room home.
    nxt = offer_of("KLB-R3")
    assert nxt.unit == unit_no(world, "2") and nxt.from_reserve and nxt.run == run
    assert "rank 3" in nxt.reason
    assert unit_no(world, "2").household_id == nxt.household_id
    assert not Offer.objects.filter(household__reg_number__in=["KLB-R1", "KLB-R2"]).exists()


def test_the_reserve_list_respects_step_free_needs_and_destinations(
    world: World, make_run: Any
) -> None:
    make_family("KLB-S1", world.zar, 3, step_free=True)  # needs step-free: unit 5 is not
    make_family("KLB-D1", world.zar, 3, destination=world.zar)  # chose Zar, unit is in the city
    make_family("KLB-OK", world.zar, 3)
    run = make_run([("KLB-2", "5")], reserve=["KLB-S1", "KLB-D1", "KLB-OK"])
    allocation.do_approve_run(run, world.orkhan)
    services.do_decline_offer(offer_of("KLB-2"), "we stay with relatives", actor="family")
    assert offer_of("KLB-OK").unit == unit_no(world, "5")


def test_a_home_nobody_on_the_list_suits_stays_free(world: World, make_run: Any) -> None:
    make_family("KLB-BIG", world.zar, 8)
    run = make_run([("KLB-2", "5")], reserve=["KLB-BIG"])
    allocation.do_approve_run(run, world.orkhan)
    services.do_decline_offer(offer_of("KLB-2"), "no", actor="family")
    unit = unit_no(world, "5")
    assert unit.status == UnitStatus.FREE and unit.household_id is None


def test_unanswered_offers_expire_and_go_down_the_reserve_list(
    reserve_world: World, make_run: Any
) -> None:
    run = make_run([("KLB-1", "2")], reserve=["KLB-R3"])
    allocation.do_approve_run(run, reserve_world.orkhan)
    offer = offer_of("KLB-1")
    assert offer.deadline is not None
    assert services.do_expire_offers(offer.deadline - timedelta(seconds=1)) == 0
    assert services.do_expire_offers(offer.deadline + timedelta(seconds=1)) == 1
    assert reload(offer).status == OfferStatus.EXPIRED
    assert offer_of("KLB-R3").unit == unit_no(reserve_world, "2")
    log = transitions("offer", offer.pk, "expired").get()
    assert log.channel == "system" and log.from_state == "pending"  # type: ignore[attr-defined]
    assert log.note == "no answer by the deadline"


def test_the_command_expires_overdue_offers_and_reminds_the_others(
    world: World, make_run: Any
) -> None:
    world.kalbajar_family.phone = "+994501112233"
    world.kalbajar_family.save()
    run = make_run([("KLB-1", "2"), ("KLB-2", "5")])
    allocation.do_approve_run(run, world.orkhan)
    Offer.objects.filter(household__reg_number="KLB-2").update(
        deadline=timezone.now() - timedelta(hours=1)
    )
    Offer.objects.filter(household__reg_number="KLB-1").update(
        deadline=timezone.now() + timedelta(hours=20)
    )
    out = StringIO()
    call_command("expire_offers", stdout=out)
    assert "1 offers expired, 1 reminders queued" in out.getvalue()
    assert Offer.objects.get(household__reg_number="KLB-2").status == OfferStatus.EXPIRED
    assert world.kalbajar_family.messages.filter(template="deadline_near").count() == 1


def test_an_answered_offer_cannot_be_answered_the_other_way(world: World, make_run: Any) -> None:
    allocation.do_approve_run(make_run([("KLB-1", "2")]), world.orkhan)
    offer = services.do_decline_offer(offer_of("KLB-1"), "no", actor="family")
    with pytest.raises(services.Conflict, match="declined"):
        services.do_accept_offer(offer, actor="family")
    assert services.do_decline_offer(offer, "again", actor="family").decline_reason == "no"


def test_the_database_refuses_two_active_offers_for_one_home_or_one_family(
    world: World, make_run: Any
) -> None:
    allocation.do_approve_run(make_run([("KLB-1", "2")]), world.orkhan)
    first = offer_of("KLB-1")
    other = Household.objects.get(reg_number="KLB-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(household=other, unit=first.unit, deadline=first.deadline)
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(
            household=first.household, unit=unit_no(world, "5"), deadline=first.deadline
        )


def test_it_refuses_to_offer_a_taken_home_or_to_a_family_with_one(
    world: World, make_run: Any
) -> None:
    allocation.do_approve_run(make_run([("KLB-1", "2")]), world.orkhan)
    klb2 = Household.objects.get(reg_number="KLB-2")
    with pytest.raises(services.Conflict, match="already offered"):
        services.do_make_offer(unit_no(world, "2"), klb2, user=world.kamran)
    with pytest.raises(services.Conflict, match="not waiting"):
        services.do_make_offer(unit_no(world, "5"), world.kalbajar_family, user=world.kamran)


def block_complex(world: World) -> None:
    from homecoming.readiness.models import ItemKind, ReadinessItem, ReadinessPolicy

    water, _ = ItemKind.objects.get_or_create(code="water", defaults={"name": "Water"})
    policy = ReadinessPolicy.objects.create(name="Programme")
    policy.required.add(water)
    ReadinessItem.objects.create(kind=water, complex=world.kalbajar_complex, status="in_progress")


def test_approval_holds_a_home_of_a_complex_not_ready_and_an_offer_by_hand_is_refused(
    world: World, make_run: Any, sent: list[tuple[str, str, str]]
) -> None:
    block_complex(world)
    run = make_run([("KLB-1", "2")])
    assert allocation.do_approve_run(run, world.orkhan) == 1
    offer = offer_of("KLB-1")
    assert offer.deadline is None and unit_no(world, "2").status == UnitStatus.OFFERED
    assert sent == [], "the family hears of it when the home is ready and the clock starts"
    klb2 = Household.objects.get(reg_number="KLB-2")
    with pytest.raises(services.NotReady, match="Water"):
        services.do_make_offer(unit_no(world, "5"), klb2, user=world.kamran)


def test_consenting_families_swap_their_homes(world: World, make_run: Any) -> None:
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-2", "5")]), world.orkhan)
    services.do_accept_offer(offer_of("KLB-1"), actor="family")
    a, b = offer_of("KLB-1"), offer_of("KLB-2")
    swap = services.do_propose_swap(a, b, user=world.kamran)
    services.do_consent_swap(swap, a.household, user=world.kamran)
    assert offer_of("KLB-1").unit == unit_no(world, "2")  # one consent is not enough
    swap = services.do_consent_swap(swap, b.household, user=world.kamran)
    assert swap.status == "done"
    new_a, new_b = offer_of("KLB-1"), offer_of("KLB-2")
    assert (new_a.unit, new_a.status) == (unit_no(world, "5"), OfferStatus.ACCEPTED)
    assert (new_b.unit, new_b.status) == (unit_no(world, "2"), OfferStatus.PENDING)
    assert unit_no(world, "5").status == UnitStatus.ALLOCATED
    assert unit_no(world, "2").household_id == new_b.household_id
    assert reload(a).status == reload(b).status == OfferStatus.SWAPPED


def test_a_swap_must_suit_both_families(world: World, make_run: Any) -> None:
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-3", "4")]), world.orkhan)
    with pytest.raises(services.HandoverError, match="does not suit"):
        # KLB-1 (4 persons: 2-3 rooms) cannot take the 4-room home of KLB-3.
        services.do_propose_swap(offer_of("KLB-1"), offer_of("KLB-3"), user=world.kamran)


def test_appeals_are_recorded_with_their_decision(world: World, make_run: Any) -> None:
    allocation.do_approve_run(make_run([("KLB-1", "2")]), world.orkhan)
    offer = services.do_decline_offer(offer_of("KLB-1"), "the floor is too high", actor="family")
    appeal = services.do_file_appeal(
        offer.household, "appeal", "Our grandmother cannot climb", offer=offer, user=world.kamran
    )
    decided = services.do_decide_appeal(
        appeal, "upheld", "A step-free home will be offered", user=world.ayten
    )
    assert decided.status == "upheld" and decided.decided_by == world.ayten
    with pytest.raises(services.Conflict):
        services.do_decide_appeal(appeal, "rejected", "no", user=world.ayten)
    assert transitions("appeal", to_state="upheld").count() == 1
