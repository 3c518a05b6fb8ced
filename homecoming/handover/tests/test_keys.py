"""Convoys, key handover ceremonies, receipts as PDF, move-in and move-out."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from homecoming.allocation import services as allocation
from homecoming.handover import receipts, services
from homecoming.handover.models import Bus, Ceremony, Convoy, Occupancy, Offer, PickupPoint
from homecoming.handover.tests.conftest import unit_no
from homecoming.handover.tests.test_offers import block_complex
from homecoming.registry.models import Household
from homecoming.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(world: World, make_run: Any) -> Any:
    Household.objects.filter(reg_number="KLB-1").update(phone="+994501110001")
    allocation.do_approve_run(make_run([("KLB-1", "2"), ("KLB-2", "5")]), world.orkhan)
    for offer in Offer.objects.all():
        services.do_accept_offer(offer, actor="family")
    return world


@pytest.fixture
def bus(accepted: Any) -> Bus:
    point = PickupPoint.objects.create(
        district=accepted.kalbajar, name="Dormitory 5", address="Ganja, Nizami st. 12"
    )
    convoy = Convoy.objects.create(
        district=accepted.kalbajar,
        name="Convoy 7",
        departs_on=date(2026, 6, 12),
        destination=accepted.kalbajar_complex,
    )
    return Bus.objects.create(
        convoy=convoy, number="1", seats=6, pickup=point, departs_at=time(7, 30)
    )


@pytest.fixture
def ceremony(accepted: Any) -> Ceremony:
    return Ceremony.objects.create(
        district=accepted.kalbajar,
        complex=accepted.kalbajar_complex,
        held_at=timezone.make_aware(datetime(2026, 6, 12, 14, 0)),
        place="Kəlbəcər, şəhər meydanı",
    )


def test_families_go_on_buses_within_the_seats_and_hear_of_it(
    accepted: Any, bus: Bus, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    klb1 = Household.objects.get(reg_number="KLB-1")
    with django_capture_on_commit_callbacks(execute=True):
        services.do_assign_to_bus(bus, klb1, user=accepted.kamran)
    assert [t for _, t, _ in sent] == ["convoy_details"]
    # in Azerbaijani, as its dates and times are written ("12.06.2026", "7:30"), the place once
    assert "Dormitory 5, Ganja, Nizami st. 12" in sent[0][2]
    assert "12.06.2026" in sent[0][2] and "7:30" in sent[0][2]
    with pytest.raises(services.Conflict, match="2 free seats"):
        services.do_assign_to_bus(bus, Household.objects.get(reg_number="KLB-2"))
    with pytest.raises(services.Conflict, match="no accepted home"):
        services.do_assign_to_bus(bus, Household.objects.get(reg_number="KLB-3"))


def test_the_manifest_lists_names_members_phone_and_seats(
    accepted: Any, bus: Bus, client: Any
) -> None:
    services.do_assign_to_bus(bus, Household.objects.get(reg_number="KLB-1"))
    client.force_login(accepted.kamran)
    page = client.get(f"/handover/buses/{bus.pk}/manifest/").content.decode()
    assert "KLB-1" in page and "Məmmədov Member3" in page and "+994501110001" in page
    assert "4 / 6" in page
    client.force_login(accepted.leyla)
    assert client.get(f"/handover/buses/{bus.pk}/manifest/").status_code == 404


def test_keys_are_handed_then_the_family_moves_in_and_later_out(
    accepted: Any, ceremony: Ceremony, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    klb1 = Household.objects.get(reg_number="KLB-1")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.do_invite(ceremony, klb1, user=accepted.kamran)
    assert [t for _, t, _ in sent] == ["ceremony_invitation"]
    services.do_hand_keys(invitation, user=accepted.kamran)
    assert unit_no(accepted, "2").status == "keys_handed"
    occupancy = services.do_move_in(klb1, date(2026, 6, 13), user=accepted.kamran)
    assert unit_no(accepted, "2").status == "occupied"
    klb1.refresh_from_db()
    assert klb1.status == "moved_in"
    services.do_move_out(occupancy, date(2027, 1, 1), "moved to Baku", user=accepted.kamran)
    unit = unit_no(accepted, "2")
    assert unit.status == "free" and unit.household_id is None
    assert Offer.objects.get(household=klb1).status == "closed"
    assert Occupancy.objects.get().moved_out_on == date(2027, 1, 1)
    # The freed home can be offered again.
    services.do_make_offer(unit, Household.objects.get(reg_number="KLB-3"))


def test_keys_are_refused_while_the_complex_has_blockers(accepted: Any, ceremony: Ceremony) -> None:
    invitation = services.do_invite(ceremony, Household.objects.get(reg_number="KLB-1"))
    block_complex(accepted)
    with pytest.raises(services.NotReady, match="Water"):
        services.do_hand_keys(invitation, user=accepted.kamran)
    assert unit_no(accepted, "2").status == "allocated"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_key_receipts_print_as_pdf_in_azerbaijani_and_english(
    accepted: Any, ceremony: Ceremony, client: Any
) -> None:
    for reg in ("KLB-1", "KLB-2"):
        services.do_invite(ceremony, Household.objects.get(reg_number=reg))
    client.force_login(accepted.kamran)
    response = client.get(f"/handover/ceremonies/{ceremony.pk}/receipts.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2
    text = pdf_text(response.content)
    assert "Mənzilin açarlarının təhvil-təslim qəbzi" in text
    assert "Receipt for the keys of a home" in text
    assert "KLB-1" in text and "KLB-2" in text
    assert "Complex KLB-RC1, B1, 2" in text  # the address
    assert "Məmmədov Member0" in text and "Əliyev Member0" in text
    assert "İmza / Signature" in text and "şəhər meydanı" in text
    one = client.get(
        f"/handover/ceremonies/{ceremony.pk}/receipts/{accepted.kalbajar_family.pk}.pdf"
    )
    assert len(PdfReader(io.BytesIO(one.content)).pages) == 1
    assert "KLB-2" not in pdf_text(one.content)


def test_the_receipt_font_has_the_azerbaijani_letters() -> None:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    regular, _bold = receipts.font_files()
    cmap = TTFont(regular).getBestCmap()
    assert all(ord(c) in cmap for c in "əğışçöüƏĞİŞÇÖÜ")


# ---------------------------------------------------------------------------- lifecycles


def test_a_convoy_departs_arrives_and_takes_no_family_once_it_has_left(
    accepted: Any, bus: Bus
) -> None:
    convoy = services.do_change_convoy(bus.convoy, "depart_convoy", user=accepted.kamran)
    assert convoy.status == "departed"
    with pytest.raises(services.Conflict, match="planned convoy only"):
        services.do_assign_to_bus(bus, Household.objects.get(reg_number="KLB-1"))
    with pytest.raises(services.Conflict, match="On the road"):
        services.do_change_convoy(convoy, "cancel_convoy", user=accepted.kamran, reason="snow")
    assert services.do_change_convoy(convoy, "arrive_convoy", user=accepted.kamran).status == (
        "arrived"
    )


def test_the_auditor_is_held_to_the_table(accepted: Any, bus: Bus) -> None:
    with pytest.raises(services.Conflict, match="role"):
        services.do_change_convoy(bus.convoy, "depart_convoy", user=accepted.sabina)
    with pytest.raises(services.Conflict, match="role"):
        services.do_change_convoy(bus.convoy, "cancel_convoy", user=accepted.sabina, reason="x")
    # Cancelling is for any officer, and keeps the reason.
    convoy = services.do_change_convoy(
        bus.convoy, "cancel_convoy", user=accepted.orkhan, reason="the pass is closed"
    )
    assert (convoy.status, convoy.status_reason) == ("cancelled", "the pass is closed")


def test_a_cancelled_ceremony_invites_nobody_and_hands_no_keys(
    accepted: Any, ceremony: Ceremony
) -> None:
    klb1 = Household.objects.get(reg_number="KLB-1")
    invitation = services.do_invite(ceremony, klb1, user=accepted.kamran)
    services.do_change_ceremony(ceremony, "cancel_ceremony", user=accepted.kamran, reason="rain")
    with pytest.raises(services.Conflict, match="cancelled"):
        services.do_hand_keys(invitation, user=accepted.kamran)
    with pytest.raises(services.Conflict, match="scheduled one only"):
        services.do_invite(ceremony, Household.objects.get(reg_number="KLB-2"))


def test_the_api_moves_a_convoy_by_actions_and_answers_409_on_a_wrong_step(
    accepted: Any, bus: Bus, api: Any
) -> None:
    client = api(accepted.kamran)
    url = f"/api/convoys/{bus.convoy_id}/"
    assert client.patch(url, {"status": "arrived"}, format="json").json()["status"] == "planned"
    assert client.post(url + "cancel/", {}, format="json").status_code == 400  # no reason
    assert client.post(url + "depart/", {}, format="json").json()["status"] == "departed"
    refused = client.post(url + "depart/", {}, format="json")
    assert refused.status_code == 409 and "On the road" in refused.json()["detail"]
    assert api(accepted.leyla).post(url + "arrive/", {}, format="json").status_code == 404


def test_an_officer_marks_the_ceremony_held_in_its_page(
    accepted: Any, ceremony: Ceremony, client: Any
) -> None:
    client.force_login(accepted.kamran)
    page = client.get(f"/handover/ceremonies/{ceremony.pk}/").content.decode()
    assert 'value="hold_ceremony"' in page and 'value="cancel_ceremony"' in page
    client.post(f"/handover/ceremonies/{ceremony.pk}/status/", {"action": "cancel_ceremony"})
    ceremony.refresh_from_db()
    assert ceremony.status == "scheduled"  # a cancellation needs its reason
    client.post(f"/handover/ceremonies/{ceremony.pk}/status/", {"action": "hold_ceremony"})
    ceremony.refresh_from_db()
    assert ceremony.status == "held"
    page = client.get(f"/handover/ceremonies/{ceremony.pk}/").content.decode()
    assert 'value="hold_ceremony"' not in page
    client.force_login(accepted.sabina)
    response = client.post(
        f"/handover/ceremonies/{ceremony.pk}/status/", {"action": "cancel_ceremony", "reason": "x"}
    )
    assert response.status_code == 403
