"""Offers in bulk: waiting families picked from a filtered list, each paired with the free
home that fits it best, confirmed, then offered together or not at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from homecoming.allocation import services as allocation
from homecoming.core.models import AuditEvent
from homecoming.handover import services
from homecoming.handover.models import Offer, OfferStatus
from homecoming.handover.tests.conftest import unit_no
from homecoming.handover.why import PICKED_BY_OFFICER, attach
from homecoming.housing.models import Unit
from homecoming.registry.models import Household
from homecoming.testing import World, make_family

pytestmark = pytest.mark.django_db
URL = "/handover/offers/pick/"


def family(reg: str) -> Household:
    return Household.objects.get(reg_number=reg)


def pair(world: World, reg: str, number: str) -> str:
    return f"{family(reg).pk}:{unit_no(world, number).pk}"


def shown_messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def paired(response: Any) -> list[tuple[str, str | None]]:
    return [(h.reg_number, u.number if u else None) for h, u in response.context["pairs"]]


# ------------------------------------------------------------------ the list


def test_the_list_shows_the_officer_s_waiting_families_highest_priority_first(
    world: World, client: Any
) -> None:
    client.force_login(world.kamran)
    page = client.get(URL)
    assert [h.reg_number for h in page.context["page"]] == ["KLB-1", "KLB-2", "KLB-3"]
    text = page.content.decode()
    assert "LAC-1" not in text
    assert 'name="district"' not in text, "an officer of one district is not asked for it"
    assert page.context["complex"] == world.kalbajar_complex, "the one complex with free homes"
    assert {(r["rooms"], r["n"]) for r in page.context["homes"]} == {(2, 2), (3, 3), (4, 1)}


def test_the_filters_narrow_the_list(world: World, client: Any) -> None:
    make_family("KLB-9", world.kalbajar_city, 2, priority=5)
    client.force_login(world.kamran)

    def listed(query: str) -> list[str]:
        return [h.reg_number for h in client.get(URL + query).context["page"]]

    assert listed("") == ["KLB-9", "KLB-1", "KLB-2", "KLB-3"]
    assert listed(f"?origin={world.zar.pk}") == ["KLB-1", "KLB-2"]
    assert listed("?size=5") == ["KLB-3"]
    assert listed("?priority=2") == ["KLB-9", "KLB-1"]
    assert listed("?q=klb-2") == ["KLB-2"]


def test_families_holding_an_offer_are_not_listed(world: World, client: Any) -> None:
    services.do_make_offer(unit_no(world, "1"), family("KLB-2"), user=world.kamran)
    client.force_login(world.kamran)
    assert [h.reg_number for h in client.get(URL).context["page"]] == ["KLB-1", "KLB-3"]


def test_a_national_officer_may_filter_by_district(world: World, client: Any) -> None:
    client.force_login(world.orkhan)
    every = [h.reg_number for h in client.get(URL).context["page"]]
    assert every == ["KLB-1", "KLB-2", "KLB-3", "LAC-1"]
    lachin = client.get(f"{URL}?district={world.lachin.pk}")
    assert [h.reg_number for h in lachin.context["page"]] == ["LAC-1"]


@pytest.mark.parametrize("n", [3, 150])
def test_the_list_makes_the_same_few_queries_however_many_families_wait(
    world: World, client: Any, django_assert_max_num_queries: Any, n: int
) -> None:
    for i in range(n):
        make_family(f"KLB-Q{i:03}", world.zar, 1 + i % 6)
    client.force_login(world.kamran)
    client.get(URL)  # the session and the caches settle
    with django_assert_max_num_queries(16):
        page = client.get(URL)
    assert len(page.context["page"].object_list) == min(n + 3, 100)
    with django_assert_max_num_queries(16):
        assert client.get(f"{URL}?page=2&size=3&origin={world.zar.pk}").status_code == 200


# ------------------------------------------------------------------ pairing and confirming


def test_the_confirmation_pairs_each_family_with_the_best_fitting_home_and_writes_nothing(
    world: World, client: Any
) -> None:
    client.force_login(world.kamran)
    picks = [str(family(r).pk) for r in ("KLB-3", "KLB-2", "KLB-1")]
    page = client.post(URL, {"pick": picks, "complex": world.kalbajar_complex.pk})
    # By priority (KLB-1 first), whatever order they were ticked in: 3 rooms for 4 persons
    # (the home without step-free access, kept for those who need it), 2 for 3, and a
    # step-free 3-room home for KLB-3, whose member needs one.
    assert paired(page) == [("KLB-1", "5"), ("KLB-2", "6"), ("KLB-3", "2")]
    assert "the one that fits it best" in page.content.decode()
    assert not Offer.objects.exists()


def test_a_family_no_free_home_fits_is_shown_without_a_home(world: World, client: Any) -> None:
    # Eight persons need 4-5 rooms, and a member step-free access: no such home is free.
    big = make_family("KLB-8", world.zar, 8, step_free=True)
    client.force_login(world.kamran)
    page = client.post(URL, {"pick": [big.pk, family("KLB-2").pk]})
    assert paired(page) == [("KLB-2", "6"), ("KLB-8", None)]
    assert "No free home fits this family" in page.content.decode()


def test_homes_not_ready_are_left_out_of_the_pairing(world: World, client: Any) -> None:
    Unit.objects.filter(pk=unit_no(world, "5").pk).update(construction="under_construction")
    client.force_login(world.kamran)
    page = client.post(URL, {"pick": [family("KLB-1").pk]})
    # The whole building is unfinished now: none of its homes is ready.
    assert paired(page) == [("KLB-1", None)]
    assert "6 free homes are not ready yet and are not offered." in page.content.decode()


def test_confirmed_offers_are_made_together_and_recorded(world: World, client: Any) -> None:
    client.force_login(world.kamran)
    form = {"pair": [pair(world, "KLB-1", "5"), pair(world, "KLB-2", "6")], "confirm": "1"}
    response = client.post(URL, form, follow=True)
    assert "2 offers made: KLB-1, KLB-2." in shown_messages(response)
    offers = Offer.objects.order_by("household__reg_number")
    assert [(o.household.reg_number, o.unit.number, o.status) for o in offers] == [
        ("KLB-1", "5", OfferStatus.PENDING),
        ("KLB-2", "6", OfferStatus.PENDING),
    ]
    assert {o.reason for o in offers} == {PICKED_BY_OFFICER}
    assert family("KLB-1").status == "offered"
    assert Unit.objects.get(pk=unit_no(world, "5").pk).status == "offered"
    inserts = AuditEvent.objects.filter(table="handover_offer", action="insert")
    assert {e.actor for e in inserts} == {"kamran"}
    assert inserts.count() == 2


def test_the_offer_says_why_in_the_reader_s_language(world: World) -> None:
    services.do_make_offers([(unit_no(world, "5"), family("KLB-1"))], user=world.kamran)
    offer = Offer.objects.get()
    assert offer.reason == PICKED_BY_OFFICER, "stored as its msgid, translated when read"
    with translation.override("ru"):
        attach([offer])
        assert offer.why == translation.gettext(PICKED_BY_OFFICER)  # type: ignore[attr-defined]


def test_a_refusal_names_the_family_and_makes_no_offer(world: World, client: Any) -> None:
    services.do_make_offer(unit_no(world, "1"), family("KLB-2"), user=world.kamran)
    client.force_login(world.kamran)
    form = {"pair": [pair(world, "KLB-1", "5"), pair(world, "KLB-2", "6")], "confirm": "1"}
    response = client.post(URL, form, follow=True)
    assert "Family KLB-2 is not waiting for a home" in shown_messages(response)
    assert Offer.objects.count() == 1, "all or nothing: KLB-1 got no offer either"
    assert family("KLB-1").status == "eligible"


def test_the_same_confirmation_sent_twice_makes_no_second_offer(world: World, client: Any) -> None:
    client.force_login(world.kamran)
    form = {"pair": [pair(world, "KLB-1", "5"), pair(world, "KLB-2", "6")], "confirm": "1"}
    client.post(URL, form)
    again = client.post(URL, form, follow=True)
    said = shown_messages(again)
    assert "Family KLB-1: Home KLB-RC1/B1/5 is already offered or given to a family." in said
    assert Offer.objects.count() == 2


def test_a_family_or_home_of_another_district_is_refused_by_its_number(
    world: World, client: Any
) -> None:
    lachin_home = Unit.objects.filter(building__complex=world.lachin_complex).first()
    assert lachin_home is not None
    lac = family("LAC-1")
    client.force_login(world.kamran)
    for form, refusal in (
        ({"pair": [f"{lac.pk}:{unit_no(world, '5').pk}"]}, f"family no. {lac.pk} is not among"),
        (
            {"pair": [f"{family('KLB-1').pk}:{lachin_home.pk}"]},
            f"home no. {lachin_home.pk} is not among the homes you may manage",
        ),
        ({"pick": [lac.pk]}, f"family no. {lac.pk} is not among the families you may manage"),
    ):
        response = client.post(URL, {**form, "confirm": "1"}, follow=True)
        said = shown_messages(response)
        assert refusal in said
        assert "LAC-1" not in said
    assert not Offer.objects.exists()


def test_bad_ids_an_empty_selection_and_no_tick_are_refused(world: World, client: Any) -> None:
    client.force_login(world.kamran)
    good = pair(world, "KLB-1", "5")
    cases = [
        ({"pick": []}, "tick at least one family"),
        ({"pick": ["x"]}, "the list of families sent is not valid"),
        ({"pair": ["12"], "confirm": "1"}, "the list of families sent is not valid"),
        ({"pair": ["a:b"], "confirm": "1"}, "the list of families sent is not valid"),
        ({"pair": ["999999:999999"], "confirm": "1"}, "family no. 999999 is not among"),
        ({"pair": [good, pair(world, "KLB-1", "6")], "confirm": "1"}, "paired with two homes"),
        ({"pair": [good]}, "tick the box to confirm the offers"),
        ({"pair": [good], "confirm": "1", "run": "999999"}, "run or complex chosen is not"),
        (
            {"pick": [family("KLB-1").pk], "complex": world.lachin_complex.pk},
            "run or complex chosen is not",
        ),
    ]
    for form, refusal in cases:
        response = client.post(URL, form, follow=True)
        assert refusal in shown_messages(response), form
    assert not Offer.objects.exists()


def test_a_home_that_does_not_suit_the_family_is_refused(world: World, client: Any) -> None:
    client.force_login(world.kamran)
    form = {"pair": [pair(world, "KLB-3", "1")], "confirm": "1"}
    response = client.post(URL, form, follow=True)
    assert "Family KLB-3: home KLB-RC1/B1/1 does not suit the family: a family of 5 needs" in (
        shown_messages(response)
    )
    assert not Offer.objects.exists()


def test_an_auditor_may_read_the_list_but_not_make_offers(world: World, client: Any) -> None:
    client.force_login(world.sabina)
    assert client.get(URL).status_code == 200
    form = {"pair": [pair(world, "KLB-1", "5")], "confirm": "1"}
    assert client.post(URL, form).status_code == 403
    assert not Offer.objects.exists()


# ------------------------------------------------------------------ the reserve list of a run


def test_the_reserve_list_of_an_approved_run_is_offered_in_its_order(
    world: World, client: Any, make_run: Any
) -> None:
    run = make_run([("KLB-1", "2")], reserve=["KLB-3", "KLB-2"])
    allocation.do_approve_run(run, world.orkhan)
    client.force_login(world.kamran)
    page = client.get(f"{URL}?run={run.pk}")
    assert [(h.reg_number, h.rank) for h in page.context["page"]] == [("KLB-3", 1), ("KLB-2", 2)]
    preview = client.post(URL, {"pick": [family("KLB-2").pk, family("KLB-3").pk], "run": run.pk})
    assert paired(preview) == [("KLB-3", "3"), ("KLB-2", "6")]
    form = {
        "pair": [pair(world, "KLB-3", "3"), pair(world, "KLB-2", "6")],
        "run": run.pk,
        "confirm": "1",
    }
    client.post(URL, form)
    made = Offer.objects.filter(run=run, from_reserve=True).order_by("household__reg_number")
    assert [o.household.reg_number for o in made] == ["KLB-2", "KLB-3"]
    attach(made)
    assert "rank 1" in made[1].why


def test_a_family_not_on_the_run_s_reserve_list_is_refused(world: World, make_run: Any) -> None:
    run = make_run([("KLB-1", "2")], reserve=["KLB-3"])
    allocation.do_approve_run(run, world.orkhan)
    with pytest.raises(services.Conflict, match="Family KLB-2: the family is not waiting on"):
        services.do_make_offers(
            [(unit_no(world, "3"), family("KLB-3")), (unit_no(world, "6"), family("KLB-2"))],
            user=world.kamran,
            run=run,
        )
    assert not Offer.objects.filter(run=run, from_reserve=True).exists()


# ------------------------------------------------------------------ the service


def test_a_home_not_ready_refuses_the_whole_batch_with_its_reasons(world: World) -> None:
    Unit.objects.filter(pk=unit_no(world, "6").pk).update(construction="under_construction")
    with pytest.raises(services.NotReady) as refused:
        services.do_make_offers(
            [(unit_no(world, "2"), family("KLB-3")), (unit_no(world, "6"), family("KLB-2"))],
            user=world.kamran,
        )
    # Home 6 unfinished, its building is: home 2 is not ready either.
    assert refused.value.summary.startswith("Family KLB-3: An offer with a deadline is refused")
    assert refused.value.reasons
    assert not Offer.objects.exists()
    assert family("KLB-3").status == "eligible"


def test_an_auditor_s_role_is_refused_by_the_service(world: World) -> None:
    with pytest.raises(services.Conflict, match="Your role may not do this"):
        services.do_make_offers([(unit_no(world, "5"), family("KLB-1"))], user=world.sabina)
