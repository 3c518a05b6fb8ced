"""Convoys and ceremonies: who rides which bus, and their status changes."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext

from homecoming.core.lifecycle import TransitionRefused
from homecoming.core.text import lowercase
from homecoming.handover import messaging
from homecoming.handover.lifecycles import CEREMONY, CONVOY
from homecoming.handover.models import (
    Bus,
    Ceremony,
    Convoy,
    ConvoyStatus,
    Passenger,
)
from homecoming.handover.services.common import Conflict, User, _role, all_or_none
from homecoming.housing.models import (
    Unit,
)
from homecoming.registry.models import Household, HouseholdStatus


def home_of(household: Household) -> Unit | None:
    return (
        Unit.objects.filter(household=household)
        .select_related("building__complex__settlement")
        .first()
    )


@transaction.atomic
def do_assign_to_bus(
    bus: Bus, household: Household, *, seats: int | None = None, user: User = None
) -> Passenger:
    """Put a family whose home is allocated on a bus, if it has seats enough."""
    bus = (
        Bus.objects.select_for_update(of=("self",))
        .select_related("convoy", "pickup")
        .get(pk=bus.pk)
    )
    if bus.convoy.status != ConvoyStatus.PLANNED:
        raise Conflict(
            gettext("Convoy %(convoy)s is %(status)s: families join a planned convoy only.")
            % {"convoy": bus.convoy.name, "status": lowercase(bus.convoy.get_status_display())}
        )
    if household.status not in (HouseholdStatus.ALLOCATED, HouseholdStatus.KEYS_HANDED):
        raise Conflict(
            gettext("Family %(reg)s has no accepted home yet.") % {"reg": household.reg_number}
        )
    seats = seats or household.members.count()
    used = bus.passengers.aggregate(n=Sum("seats"))["n"] or 0
    if used + seats > bus.seats:
        raise Conflict(
            gettext("Bus %(bus)s has %(free)d free seats; the family needs %(need)d.")
            % {"bus": bus.number, "free": bus.seats - used, "need": seats}
        )
    try:
        with transaction.atomic():
            passenger = Passenger.objects.create(
                bus=bus, convoy=bus.convoy, household=household, seats=seats
            )
    except IntegrityError:
        raise Conflict(
            gettext("Family %(reg)s is already on a bus of this convoy.")
            % {"reg": household.reg_number}
        ) from None
    if household.phone:
        messaging.queue(
            "convoy_details",
            {
                "reg": household.reg_number,
                "date": bus.convoy.departs_on,
                "bus": bus.number,
                "pickup": bus.pickup.label,
                "time": bus.departs_at or "—",
                "seats": seats,
            },
            to=household.phone,
            household=household,
        )
    return passenger


@transaction.atomic
def do_assign_many_to_bus(
    bus: Bus, households: Sequence[Household], *, user: User = None
) -> list[Passenger]:
    """Put the families picked from a list on one bus: all of them, or none.

    Each family is checked again as if alone (its home accepted, the convoy planned, the
    seats left); the first refusal undoes the others and names its family.
    """
    return all_or_none(
        households, lambda h: do_assign_to_bus(bus, h, user=user), family=lambda h: h
    )


def bus_candidates(convoy: Convoy, households: QuerySet[Household]) -> QuerySet[Household]:
    """Families of `households` (the actor's scope) that may board a bus of `convoy`:
    their home accepted (keys handed or not), not on a bus of this convoy yet; those with
    a home in the convoy's destination when it has one."""
    on_board = Passenger.objects.filter(convoy=convoy).values("household_id")
    found = households.filter(
        status__in=[HouseholdStatus.ALLOCATED, HouseholdStatus.KEYS_HANDED]
    ).exclude(pk__in=on_board)
    if convoy.destination_id:
        found = found.filter(home__building__complex_id=convoy.destination_id)
    return found


@transaction.atomic
def do_change_convoy(convoy: Convoy, action: str, *, user: User, reason: str = "") -> Convoy:
    """Depart, arrive or cancel a convoy (`CONVOY`'s actions); a cancellation keeps why."""
    convoy = Convoy.objects.select_for_update(of=("self",)).get(pk=convoy.pk)
    try:
        convoy.status = CONVOY.check(action, convoy.status, _role(user))
    except TransitionRefused as exc:
        raise Conflict(str(exc)) from exc
    convoy.status_reason = reason
    convoy.save(update_fields=["status", "status_reason"])
    return convoy


@transaction.atomic
def do_change_ceremony(
    ceremony: Ceremony, action: str, *, user: User, reason: str = ""
) -> Ceremony:
    """Mark a ceremony held, or cancel it with the reason (`CEREMONY`'s actions)."""
    ceremony = Ceremony.objects.select_for_update(of=("self",)).get(pk=ceremony.pk)
    try:
        ceremony.status = CEREMONY.check(action, ceremony.status, _role(user))
    except TransitionRefused as exc:
        raise Conflict(str(exc)) from exc
    ceremony.status_reason = reason
    ceremony.save(update_fields=["status", "status_reason"])
    return ceremony
