"""Work in bulk (families picked from lists for buses and ceremonies), keys not before the
ceremony's day, confirmations of what cannot be undone, and the offers page kept fast."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from homecoming.allocation import services as allocation
from homecoming.handover import services
from homecoming.handover.models import (
    Bus,
    Ceremony,
    Convoy,
    Invitation,
    Offer,
    Passenger,
    PickupPoint,
)
from homecoming.housing.models import Unit, UnitStatus
from homecoming.registry.models import Household
from homecoming.testing import World, make_complex, make_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(world: World, make_run: Any) -> Any:
    """KLB-1 and KLB-2 have accepted homes 2 and 5; KLB-3 waits; LAC-1 is Lachin's."""
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-2", "5")]), world.orkhan)
    for offer in Offer.objects.all():
        services.do_accept_offer(offer, actor="family")
    return world


@pytest.fixture
def convoy(accepted: Any) -> Convoy:
    point = PickupPoint.objects.create(district=accepted.kalbajar, name="Dormitory 5")
    convoy = Convoy.objects.create(
        district=accepted.kalbajar,
        name="Convoy 7",
        departs_on=timezone.localdate() + timedelta(days=3),
        destination=accepted.kalbajar_complex,
    )
    Bus.objects.create(convoy=convoy, number="1", seats=40, pickup=point)
    return convoy


def ceremony_on(world: World, day: date) -> Ceremony:
    return Ceremony.objects.create(
        district=world.kalbajar,
        complex=world.kalbajar_complex,
        held_at=timezone.make_aware(datetime(day.year, day.month, day.day, 11, 0)),
        place="Kəlbəcər, şəhər meydanı",
    )


def ids(*regs: str) -> list[str]:
    return [str(Household.objects.get(reg_number=r).pk) for r in regs]


def shown_messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# ------------------------------------------------------------------ buses


def test_the_convoy_page_lists_only_families_that_may_board(convoy: Convoy, client: Any) -> None:
    client.force_login(_user("kamran"))
    page = client.get(f"/handover/convoys/{convoy.pk}/")
    listed = [h.reg_number for h in page.context["candidates"]]
    assert listed == ["KLB-1", "KLB-2"], "accepted homes only, and Kalbajar's only"
    services.do_assign_to_bus(convoy.buses.get(), Household.objects.get(reg_number="KLB-1"))
    page = client.get(f"/handover/convoys/{convoy.pk}/")
    assert [h.reg_number for h in page.context["candidates"]] == ["KLB-2"]


def test_families_picked_from_the_list_board_the_bus_together(convoy: Convoy, client: Any) -> None:
    client.force_login(_user("kamran"))
    bus = convoy.buses.get()
    response = client.post(
        f"/handover/convoys/{convoy.pk}/",
        {"picked": "1", "bus": bus.pk, "pick": ids("KLB-1", "KLB-2")},
        follow=True,
    )
    assert "2 families are on bus 1: KLB-1, KLB-2." in shown_messages(response)
    assert sorted(p.household.reg_number for p in bus.passengers.all()) == ["KLB-1", "KLB-2"]
    assert bus.passengers.get(household__reg_number="KLB-1").seats == 4


def test_a_family_not_eligible_is_refused_by_name_and_nobody_boards(
    convoy: Convoy, client: Any
) -> None:
    client.force_login(_user("kamran"))
    response = client.post(
        f"/handover/convoys/{convoy.pk}/",
        {"picked": "1", "bus": convoy.buses.get().pk, "pick": ids("KLB-1", "KLB-3")},
        follow=True,
    )
    assert "Not done: Family KLB-3 has no accepted home yet." in shown_messages(response)
    assert not Passenger.objects.exists(), "all or nothing: KLB-1 did not board either"


def test_a_family_of_another_district_is_refused_without_naming_it(
    convoy: Convoy, client: Any
) -> None:
    lachin = Household.objects.get(reg_number="LAC-1")
    client.force_login(_user("kamran"))
    response = client.post(
        f"/handover/convoys/{convoy.pk}/",
        {"picked": "1", "bus": convoy.buses.get().pk, "pick": [*ids("KLB-1"), str(lachin.pk)]},
        follow=True,
    )
    said = shown_messages(response)
    assert f"family no. {lachin.pk} is not among the families you may manage" in said
    assert "LAC-1" not in said
    assert not Passenger.objects.exists()


def test_the_same_form_sent_twice_boards_nobody_twice(convoy: Convoy, client: Any) -> None:
    client.force_login(_user("kamran"))
    form = {"picked": "1", "bus": convoy.buses.get().pk, "pick": ids("KLB-1", "KLB-2")}
    client.post(f"/handover/convoys/{convoy.pk}/", form)
    again = client.post(f"/handover/convoys/{convoy.pk}/", form, follow=True)
    assert "Family KLB-1 is already on a bus of this convoy." in shown_messages(again)
    assert Passenger.objects.count() == 2


def test_an_empty_or_forged_pick_is_refused_with_a_message(convoy: Convoy, client: Any) -> None:
    client.force_login(_user("kamran"))
    url = f"/handover/convoys/{convoy.pk}/"
    bus = convoy.buses.get().pk
    empty = client.post(url, {"picked": "1", "bus": bus}, follow=True)
    assert "tick at least one family" in shown_messages(empty)
    forged = client.post(url, {"picked": "1", "bus": bus, "pick": ["x"]}, follow=True)
    assert "the list of families sent is not valid" in shown_messages(forged)
    no_bus = client.post(url, {"picked": "1", "bus": "999999", "pick": ids("KLB-1")}, follow=True)
    assert "choose the bus" in shown_messages(no_bus)
    assert not Passenger.objects.exists()


def test_an_auditor_cannot_put_families_on_a_bus(convoy: Convoy, client: Any) -> None:
    client.force_login(_user("sabina"))
    response = client.post(
        f"/handover/convoys/{convoy.pk}/",
        {"picked": "1", "bus": convoy.buses.get().pk, "pick": ids("KLB-1")},
    )
    assert response.status_code == 403
    assert not Passenger.objects.exists()


def _user(name: str) -> Any:
    from django.contrib.auth.models import User

    return User.objects.get(username=name)


# ------------------------------------------------------------------ ceremonies


def test_families_picked_from_the_list_are_invited_together(accepted: Any, client: Any) -> None:
    ceremony = ceremony_on(accepted, timezone.localdate())
    client.force_login(accepted.kamran)
    page = client.get(f"/handover/ceremonies/{ceremony.pk}/")
    assert [h.reg_number for h in page.context["candidates"]] == ["KLB-1", "KLB-2"]
    response = client.post(
        f"/handover/ceremonies/{ceremony.pk}/",
        {"picked": "1", "pick": ids("KLB-2", "KLB-1")},
        follow=True,
    )
    assert "2 families invited: KLB-2, KLB-1." in shown_messages(response)
    assert Invitation.objects.filter(ceremony=ceremony).count() == 2
    again = client.post(
        f"/handover/ceremonies/{ceremony.pk}/", {"picked": "1", "pick": ids("KLB-1")}, follow=True
    )
    assert "Family KLB-1 is already invited." in shown_messages(again)
    assert list(again.context["candidates"]) == []


def test_an_invitation_refused_for_one_family_invites_nobody(accepted: Any, client: Any) -> None:
    ceremony = ceremony_on(accepted, timezone.localdate())
    client.force_login(accepted.kamran)
    response = client.post(
        f"/handover/ceremonies/{ceremony.pk}/",
        {"picked": "1", "pick": ids("KLB-1", "KLB-3")},
        follow=True,
    )
    assert "Family KLB-3 has no accepted home waiting for its keys." in shown_messages(response)
    assert not Invitation.objects.exists()


# ------------------------------------------------------------------ keys and move-in


def test_keys_are_refused_before_the_ceremony_day(accepted: Any) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    ceremony = ceremony_on(accepted, tomorrow + timedelta(days=20))
    invitation = services.do_invite(ceremony, Household.objects.get(reg_number="KLB-1"))
    with pytest.raises(services.Conflict, match="Keys are handed at the ceremony, on "):
        services.do_hand_keys(invitation, user=accepted.kamran)
    unit = Unit.objects.get(household__reg_number="KLB-1")
    assert unit.status == UnitStatus.ALLOCATED
    invitation.refresh_from_db()
    assert invitation.keys_handed_at is None


def test_keys_on_the_day_and_a_move_in_not_before_it(accepted: Any) -> None:
    today = timezone.localdate()
    ceremony = ceremony_on(accepted, today)
    klb1 = Household.objects.get(reg_number="KLB-1")
    services.do_hand_keys(services.do_invite(ceremony, klb1), user=accepted.kamran)
    with pytest.raises(services.Conflict, match="A move-in is recorded on the day of the"):
        services.do_move_in(klb1, today - timedelta(days=1), user=accepted.kamran)
    services.do_move_in(klb1, today, user=accepted.kamran)
    klb1.refresh_from_db()
    assert klb1.status == "moved_in"


def test_the_ceremony_page_offers_no_keys_button_before_the_day_and_refuses_a_post(
    accepted: Any, client: Any
) -> None:
    ceremony = ceremony_on(accepted, timezone.localdate() + timedelta(days=21))
    invitation = services.do_invite(ceremony, Household.objects.get(reg_number="KLB-1"))
    client.force_login(accepted.kamran)
    page = client.get(f"/handover/ceremonies/{ceremony.pk}/").content.decode()
    assert "Hand over the keys" not in page and "on the day of the ceremony" in page
    url = f"/handover/ceremonies/{ceremony.pk}/{invitation.pk}/keys/"
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert "Keys are handed at the ceremony, on " in shown_messages(response)
    invitation.refresh_from_db()
    assert invitation.keys_handed_at is None


def test_keys_and_move_in_need_the_tick_box_checked_on_the_server(
    accepted: Any, client: Any
) -> None:
    ceremony = ceremony_on(accepted, timezone.localdate())
    invitation = services.do_invite(ceremony, Household.objects.get(reg_number="KLB-1"))
    client.force_login(accepted.kamran)
    url = f"/handover/ceremonies/{ceremony.pk}/{invitation.pk}/"
    unticked = client.post(f"{url}keys/", follow=True)
    assert "tick the box to confirm it has happened" in shown_messages(unticked)
    invitation.refresh_from_db()
    assert invitation.keys_handed_at is None
    client.post(f"{url}keys/", {"confirm": "1"})
    invitation.refresh_from_db()
    assert invitation.keys_handed_at is not None
    client.post(f"{url}move-in/")
    assert Household.objects.get(reg_number="KLB-1").status == "keys_handed"
    client.post(f"{url}move-in/", {"confirm": "1"})
    assert Household.objects.get(reg_number="KLB-1").status == "moved_in"


# ------------------------------------------------------------------ the offers page


def many_offers(world: World, n: int) -> None:
    """`n` pending offers of Kalbajar, each with its family and home."""
    homes = make_complex(world.kalbajar_city, f"BIG{n}", [3] * n)
    units = Unit.objects.filter(building__complex=homes).order_by("pk")
    for i, unit in enumerate(units):
        family = make_family(f"KLB-M{n}-{i}", world.zar, 1)
        Offer.objects.create(household=family, unit=unit, reason="by hand")


@pytest.mark.parametrize("n", [3, 60])
def test_the_offers_page_makes_the_same_few_queries_however_many_offers(
    world: World, client: Any, django_assert_max_num_queries: Any, n: int
) -> None:
    many_offers(world, n)
    for user in (world.kamran, world.orkhan):
        client.force_login(user)
        client.get("/handover/")  # the session and the caches settle
        with django_assert_max_num_queries(12):
            page = client.get("/handover/")
        assert page.status_code == 200
        shown = len(page.context["page"].object_list)
        assert shown == min(n, 50)
        with django_assert_max_num_queries(12):
            assert client.get("/handover/?status=pending&page=2").status_code == 200
