"""The gate fails closed at handover: an offer with a deadline, the keys and the move-in are
refused while the home is being built, its building unfinished or its complex not ready,
with the reasons: in the services, on the pages (a message listing them) and in the API
(409 with `reasons`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from homecoming.allocation import services as allocation
from homecoming.handover import services
from homecoming.handover.models import Ceremony, Invitation, Offer
from homecoming.handover.tests.conftest import unit_no
from homecoming.housing.models import Building, Construction, Unit, UnitStatus
from homecoming.readiness.models import ReadinessItem
from homecoming.registry.models import Household, HouseholdStatus
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def being_built(world: World, *numbers: str) -> None:
    Unit.objects.filter(building__complex=world.kalbajar_complex, number__in=numbers).update(
        construction=Construction.UNDER_CONSTRUCTION
    )


def unrecord_water(world: World) -> None:
    """The city's water supply record is gone: the complex's gate closes (nothing recorded
    is never ready)."""
    ReadinessItem.objects.filter(settlement=world.kalbajar_city, kind__code="water").delete()


def allocated(world: World, make_run: Any, reg: str = "KLB-1", number: str = "2") -> Invitation:
    """Approve a run giving `reg` home `number`, accept it, invite the family to a ceremony."""
    allocation.do_approve_run(make_run([(reg, number)]), world.orkhan)
    services.do_accept_offer(Offer.objects.get(household__reg_number=reg), actor="family")
    ceremony = Ceremony.objects.create(
        district=world.kalbajar,
        complex=world.kalbajar_complex,
        held_at=timezone.make_aware(datetime(2026, 6, 12, 14, 0)),
        place="Kəlbəcər, şəhər meydanı",
    )
    return services.do_invite(ceremony, Household.objects.get(reg_number=reg))


# ------------------------------------------------------------------ services


def test_an_offer_with_a_deadline_is_refused_for_a_home_under_construction(
    world: World,
) -> None:
    being_built(world, "5")
    klb2 = Household.objects.get(reg_number="KLB-2")
    for deadline in (None, timezone.now() + timedelta(days=3)):
        with pytest.raises(services.NotReady) as refused:
            services.do_make_offer(unit_no(world, "5"), klb2, deadline=deadline)
        assert refused.value.reasons == ["Home KLB-RC1/B1/5 is under construction."]
    assert not Offer.objects.exists()
    assert unit_no(world, "5").status == UnitStatus.FREE


def test_an_offer_with_a_deadline_is_refused_in_a_complex_not_ready(world: World) -> None:
    unrecord_water(world)
    with pytest.raises(services.NotReady) as refused:
        services.do_make_offer(unit_no(world, "5"), Household.objects.get(reg_number="KLB-2"))
    assert refused.value.reasons == ["Complex KLB-RC1: Water supply: not recorded yet."]


def test_a_run_drawn_in_advance_holds_a_home_being_built_until_it_is_ready(
    world: World, make_run: Any, sent: list[tuple[str, str, str]]
) -> None:
    # Home 5 stands finished in a building of its own; home 2 is still being built.
    b2 = Building.objects.create(complex=world.kalbajar_complex, code="B2", kind="block")
    Unit.objects.filter(pk=unit_no(world, "5").pk).update(building=b2)
    being_built(world, "2")
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-2", "5")]), world.orkhan)
    waiting = Offer.objects.get(household__reg_number="KLB-1")
    ready = Offer.objects.get(household__reg_number="KLB-2")
    assert waiting.deadline is None and ready.deadline is not None
    assert Unit.objects.get(pk=waiting.unit_id).status == UnitStatus.OFFERED
    assert unit_no(world, "2").construction == Construction.UNDER_CONSTRUCTION
    # Accepting early is allowed: the home is the family's, the keys wait.
    services.do_accept_offer(waiting, actor="family")
    assert unit_no(world, "2").status == UnitStatus.ALLOCATED
    assert services.do_expire_offers(timezone.now() + timedelta(days=365)) == 1  # KLB-2 only
    Unit.objects.filter(pk=unit_no(world, "2").pk).update(construction=Construction.BUILT)
    assert services.do_start_deadlines() == 0, "accepted already: no clock to start"


def test_the_clock_starts_and_the_family_hears_when_the_home_is_ready(
    world: World,
    make_run: Any,
    sent: list[tuple[str, str, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    being_built(world, "2")
    Household.objects.filter(reg_number="KLB-1").update(phone="+994501110001")
    with django_capture_on_commit_callbacks(execute=True):
        allocation.do_approve_run(make_run([("KLB-1", "2")]), world.orkhan)
    assert sent == []
    Unit.objects.filter(pk=unit_no(world, "2").pk).update(construction=Construction.BUILT)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.do_start_deadlines() == 1
    offer = Offer.objects.get(household__reg_number="KLB-1")
    assert offer.deadline is not None and offer.deadline > timezone.now() + timedelta(days=13)
    assert [t for _, t, _ in sent] == ["offer_made"]


def test_the_clock_s_note_shows_its_date_in_each_reader_s_language(
    world: World, make_run: Any, client: Any
) -> None:
    being_built(world, "2")
    allocation.do_approve_run(make_run([("KLB-1", "2")]), world.orkhan)
    Unit.objects.filter(pk=unit_no(world, "2").pk).update(construction=Construction.BUILT)
    with translation.override("ru"):  # the worker's language does not matter
        assert services.do_start_deadlines() == 1
    offer = Offer.objects.get(household__reg_number="KLB-1")
    deadline = timezone.localdate(offer.deadline)
    client.force_login(world.ayten)
    for language, said in (
        ("az", f"ev hazırdır: {deadline.day} "),
        ("ru", f"жильё готово: ответить до {deadline.day} "),
        ("en", "the home is ready: answer by "),
    ):
        client.cookies["django_language"] = language
        page = client.get("/audit/?table=handover_offer").content.decode()
        assert said in page and "%(date)s" not in page and "\u241f" not in page, language


def test_keys_are_refused_for_a_home_under_construction(world: World, make_run: Any) -> None:
    being_built(world, "2")
    invitation = allocated(world, make_run)
    with pytest.raises(services.NotReady) as refused:
        services.do_hand_keys(invitation, user=world.kamran)
    assert refused.value.reasons == ["Home KLB-RC1/B1/2 is under construction."]
    assert "Key handover refused" in str(refused.value)
    assert unit_no(world, "2").status == UnitStatus.ALLOCATED
    assert Household.objects.get(reg_number="KLB-1").status == HouseholdStatus.ALLOCATED


def test_keys_are_refused_while_another_home_of_the_building_is_being_built(
    world: World, make_run: Any
) -> None:
    invitation = allocated(world, make_run)
    being_built(world, "6")
    with pytest.raises(services.NotReady) as refused:
        services.do_hand_keys(invitation, user=world.kamran)
    assert refused.value.reasons == ["Building KLB-RC1/B1: 1 of 6 homes are not built yet."]


def test_keys_are_refused_in_a_complex_not_ready(world: World, make_run: Any) -> None:
    invitation = allocated(world, make_run)
    unrecord_water(world)
    with pytest.raises(services.NotReady) as refused:
        services.do_hand_keys(invitation, user=world.kamran)
    assert refused.value.reasons == ["Complex KLB-RC1: Water supply: not recorded yet."]


def test_the_move_in_is_refused_when_the_complex_is_no_longer_ready(
    world: World, make_run: Any
) -> None:
    invitation = allocated(world, make_run)
    services.do_hand_keys(invitation, user=world.kamran)
    unrecord_water(world)
    klb1 = Household.objects.get(reg_number="KLB-1")
    with pytest.raises(services.NotReady) as refused:
        services.do_move_in(klb1, date(2026, 6, 13), user=world.kamran)
    assert refused.value.reasons == ["Complex KLB-RC1: Water supply: not recorded yet."]
    assert unit_no(world, "2").status == UnitStatus.KEYS_HANDED


def test_the_database_refuses_keys_for_a_home_not_built(world: World, make_run: Any) -> None:
    from django.db import IntegrityError, transaction

    invitation = allocated(world, make_run)
    services.do_hand_keys(invitation, user=world.kamran)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=unit_no(world, "2").pk).update(
            construction=Construction.UNDER_CONSTRUCTION
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=unit_no(world, "2").pk).update(household=None)


# ------------------------------------------------------------------ pages


def test_the_ceremony_page_refuses_the_keys_with_a_message_listing_the_reasons(
    world: World, make_run: Any, client: Any
) -> None:
    being_built(world, "2")
    invitation = allocated(world, make_run)
    unrecord_water(world)
    client.force_login(world.kamran)
    url = f"/handover/ceremonies/{invitation.ceremony_id}/"
    page = client.post(
        f"{url}{invitation.pk}/keys/", {"confirm": "1"}, follow=True
    ).content.decode()
    assert "Not done: Key handover refused: home KLB-RC1/B1/2 is not ready." in page
    assert "<li>Home KLB-RC1/B1/2 is under construction.</li>" in page
    assert "<li>Complex KLB-RC1: Water supply: not recorded yet.</li>" in page
    assert unit_no(world, "2").status == UnitStatus.ALLOCATED
    assert 'data-construction="under_construction"' in page


def test_the_move_in_button_refuses_with_the_reasons(
    world: World, make_run: Any, client: Any
) -> None:
    invitation = allocated(world, make_run)
    services.do_hand_keys(invitation, user=world.kamran)
    unrecord_water(world)
    client.force_login(world.kamran)
    url = f"/handover/ceremonies/{invitation.ceremony_id}/{invitation.pk}/move-in/"
    page = client.post(url, {"confirm": "1"}, follow=True).content.decode()
    assert "Move-in refused" in page
    assert "<li>Complex KLB-RC1: Water supply: not recorded yet.</li>" in page


# ------------------------------------------------------------------ API


def test_the_api_answers_409_with_the_reasons_for_an_offer(world: World, api: Any) -> None:
    being_built(world, "5")
    response = api(world.kamran).post(
        "/api/offers/", {"unit": unit_no(world, "5").pk, "household": "KLB-2"}, format="json"
    )
    assert response.status_code == 409, response.content
    assert response.json()["reasons"] == ["Home KLB-RC1/B1/5 is under construction."]
    assert "is not ready" in response.json()["detail"]


def test_the_api_answers_409_with_the_reasons_for_keys_and_move_in(
    world: World, make_run: Any, api: Any
) -> None:
    being_built(world, "2")
    invitation = allocated(world, make_run)
    client = api(world.kamran)
    response = client.post(
        f"/api/ceremonies/{invitation.ceremony_id}/hand-keys/",
        {"household": "KLB-1"},
        format="json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["reasons"] == ["Home KLB-RC1/B1/2 is under construction."]
    Unit.objects.filter(pk=unit_no(world, "2").pk).update(construction=Construction.BUILT)
    response = client.post(
        f"/api/ceremonies/{invitation.ceremony_id}/hand-keys/",
        {"household": "KLB-1"},
        format="json",
    )
    assert response.status_code == 200, response.content
    unrecord_water(world)
    response = client.post("/api/occupancies/", {"household": "KLB-1"}, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["reasons"] == ["Complex KLB-RC1: Water supply: not recorded yet."]


def test_the_units_api_shows_both_states_and_keeps_the_allocation_read_only(
    world: World, make_run: Any, api: Any
) -> None:
    being_built(world, "2")
    allocated(world, make_run)
    client = api(world.kamran)
    pk = unit_no(world, "2").pk
    data = client.get(f"/api/units/{pk}/").json()
    assert (data["construction"], data["status"]) == ("under_construction", "allocated")
    response = client.patch(f"/api/units/{pk}/", {"status": "occupied"}, format="json")
    assert response.status_code == 200 and unit_no(world, "2").status == "allocated"
    response = client.patch(f"/api/units/{pk}/", {"construction": "built"}, format="json")
    assert response.status_code == 200 and response.json()["construction"] == "built"
    listed = client.get("/api/complexes/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    (klb,) = [c for c in rows if c["code"] == "KLB-RC1"]
    assert klb["ready"] is True and klb["readiness_reasons"] == []
    unrecord_water(world)
    data = client.get("/api/complexes/KLB-RC1/").json()
    assert data["ready"] is False
    assert data["readiness_reasons"] == ["Water supply: not recorded yet."]
