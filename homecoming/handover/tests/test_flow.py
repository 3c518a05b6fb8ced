"""The whole story on a real engine run: approve, answer, reserve, convoy, ceremony, keys."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from homecoming.allocation import services as allocation
from homecoming.handover.models import Offer, PickupPoint
from homecoming.registry.models import Household
from homecoming.testing import World, make_family

pytestmark = pytest.mark.django_db


def test_from_an_approved_run_to_printed_key_receipts(
    world: World, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for i in range(4):
        make_family(f"KLB-W{i}", world.zar, 2, priority=0)
    Household.objects.update(phone="+994500000000")
    with django_capture_on_commit_callbacks(execute=True):
        run = allocation.do_create_run(
            user=world.orkhan,
            name="Draw",
            method="lottery",
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
            seed=3,
        )
    run.refresh_from_db()
    reserve = run.results.filter(unit__isnull=True).order_by("reserve_rank")
    assert reserve.exists(), "the test needs families on the reserve list"
    client.force_login(world.orkhan)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/allocation/{run.pk}/approve/", {"confirm": "1"})
    # The approval ran as a job once the request committed; the run page tells how it ended.
    response = client.get(f"/allocation/{run.pk}/")
    assert "families have been offered a home." in response.content.decode()
    offers = list(Offer.objects.filter(run=run).select_related("unit", "household"))
    assert offers and all(o.status == "pending" for o in offers)
    assert world.kalbajar_family.messages.filter(template="offer_made").exists()

    # A two-person family declines its two-room home: the next two-person family gets it.
    small = next(o for o in offers if o.household.members.count() == 2)
    client.force_login(world.kamran)
    client.post(f"/handover/offers/{small.pk}/decline/", {"reason": "we stay in Baku"})
    nxt = Offer.objects.get(unit=small.unit, status="pending")
    assert nxt.from_reserve and nxt.household_id == reserve.first().household_id  # type: ignore[union-attr]

    # The others accept; a convoy and a ceremony are planned; keys are handed.
    for o in Offer.objects.filter(status="pending"):
        client.post(f"/handover/offers/{o.pk}/accept/")
    assert Offer.objects.filter(status="accepted").count() == len(offers)
    point = PickupPoint.objects.create(district=world.kalbajar, name="Dormitory 5, Ganja")
    client.post(
        "/handover/convoys/",
        {"c-district": world.kalbajar.pk, "c-name": "Convoy 1", "c-departs_on": "2026-06-12"},
    )
    from homecoming.handover.models import Ceremony, Convoy

    convoy = Convoy.objects.get()
    client.post(f"/handover/convoys/{convoy.pk}/", {"number": "1", "seats": 50, "pickup": point.pk})
    bus = convoy.buses.get()
    for o in Offer.objects.filter(status="accepted").select_related("household"):
        client.post(
            f"/handover/convoys/{convoy.pk}/", {"bus": bus.pk, "household": o.household.reg_number}
        )
    assert bus.passengers.count() == len(offers)
    client.post(
        "/handover/ceremonies/",
        {
            "district": world.kalbajar.pk,
            "complex": world.kalbajar_complex.pk,
            "held_at": "2026-06-12T14:00",
            "place": "Kəlbəcər",
        },
    )
    ceremony = Ceremony.objects.get()
    for o in Offer.objects.filter(status="accepted").select_related("household"):
        client.post(f"/handover/ceremonies/{ceremony.pk}/", {"household": o.household.reg_number})
    for inv in ceremony.invitations.all():
        client.post(f"/handover/ceremonies/{ceremony.pk}/{inv.pk}/keys/", {"confirm": "1"})
    assert ceremony.invitations.filter(keys_handed_at__isnull=False).count() == len(offers)
    pdf = client.get(f"/handover/ceremonies/{ceremony.pk}/receipts.pdf").content
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(offers)
    assert "Açar" in reader.pages[0].extract_text() or "açar" in reader.pages[0].extract_text()
