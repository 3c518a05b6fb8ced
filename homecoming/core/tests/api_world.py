"""A small but varied world behind the whole API, for the fuzzer and the DELETE walk."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from homecoming.core.testing import World, give_home, make_world


def make_api_world() -> Any:
    """The personas' world and at least one object behind every API endpoint."""
    from homecoming.allocation.models import (
        AllocationResult,
        AllocationRun,
        RunStatus,
        seed_commitment,
    )
    from homecoming.handover.models import (
        Appeal,
        Bus,
        Ceremony,
        Convoy,
        Invitation,
        Message,
        Occupancy,
        Offer,
        PickupPoint,
        Swap,
    )
    from homecoming.housing.models import Unit
    from homecoming.network.services import load_demo_network
    from homecoming.readiness.kinds import ensure_default_kinds
    from homecoming.readiness.models import HazardArea, ItemKind, ReadinessItem, School, Stage
    from homecoming.registry.models import Household

    world: World = make_world()
    units = list(Unit.objects.filter(building__complex=world.kalbajar_complex).order_by("pk"))
    families = list(Household.objects.filter(district=world.kalbajar).order_by("pk"))
    run = AllocationRun.objects.create(
        name="Fuzz draw",
        method="lottery",
        district=world.kalbajar,
        seed=7,
        seed_commitment=seed_commitment(7),
        seed_revealed=True,
        status=RunStatus.DONE,
        created_by=world.orkhan,
    )
    run.complexes.set([world.kalbajar_complex])
    deadline = timezone.now() + timedelta(days=14)
    offers = []
    for family, unit in zip(families[:2], units[:2], strict=True):
        AllocationResult.objects.create(run=run, household=family, unit=unit, reason="lottery")
        offers.append(
            Offer.objects.create(
                run=run, household=family, unit=unit, deadline=deadline, created_by=world.orkhan
            )
        )
    Swap.objects.create(first=offers[0], second=offers[1], created_by=world.kamran)
    Appeal.objects.create(household=families[0], offer=offers[0], kind="appeal", text="Too far")
    Message.objects.create(
        household=families[0],
        channel="sms",
        to="+994500000000",
        language="az",
        template="offer",
        body="You have an offer",
    )
    pickup = PickupPoint.objects.create(district=world.kalbajar, name="Barda square")
    convoy = Convoy.objects.create(
        district=world.kalbajar, name="First convoy", departs_on=date(2026, 6, 1)
    )
    Bus.objects.create(convoy=convoy, number="1", seats=40, pickup=pickup)
    ceremony = Ceremony.objects.create(
        district=world.kalbajar,
        complex=world.kalbajar_complex,
        held_at=timezone.now() + timedelta(days=30),
        place="Town square",
    )
    Invitation.objects.create(ceremony=ceremony, household=families[0], unit=units[0])
    # A family that has moved in, consistent with the lifecycle: home occupied by it.
    settled, home = families[2], units[2]
    give_home(home, settled, "occupied")
    for step in ("offered", "allocated", "keys_handed", "moved_in"):  # the lifecycle's steps
        Household.objects.filter(pk=settled.pk).update(status=step)
    Occupancy.objects.create(unit=home, household=settled, moved_in_on=date(2026, 1, 15))
    ensure_default_kinds(ItemKind)
    ReadinessItem.objects.create(
        kind=ItemKind.objects.get(code="water"),
        complex=world.kalbajar_complex,
        status="done",
    )
    HazardArea.objects.create(
        code="HA-1",
        name="Field",
        district=world.kalbajar,
        status="confirmed",
        geometry={
            "type": "Polygon",
            "coordinates": [[[46.0, 40.1], [46.01, 40.1], [46.01, 40.11], [46.0, 40.1]]],
        },
        min_lon=46.0,
        min_lat=40.1,
        max_lon=46.01,
        max_lat=40.11,
    )
    School.objects.create(name="School 1", kind="school", settlement=world.kalbajar_city)
    stage = Stage.objects.create(
        settlement=world.kalbajar_city,
        number=1,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    stage.complexes.set([world.kalbajar_complex])
    load_demo_network()
    return world


def known_values() -> dict[str, list[Any]]:
    """For each API route prefix, lookup values of objects that exist."""
    from config.urls import router

    known: dict[str, list[Any]] = {}
    for prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if queryset is None:
            continue
        field = getattr(viewset, "lookup_field", "pk")
        values = list(queryset.values_list(field, flat=True)[:5])
        known[f"/api/{prefix}/"] = values
    return known
