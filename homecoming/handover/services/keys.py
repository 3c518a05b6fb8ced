"""Keys and homes: invitations to a ceremony, the handing of keys, moving in and out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from homecoming.core.audit import audit_note
from homecoming.core.text import lowercase
from homecoming.handover import messaging
from homecoming.handover.models import (
    Ceremony,
    CeremonyStatus,
    Invitation,
    Occupancy,
    Offer,
    OfferStatus,
)
from homecoming.handover.services.common import (
    Conflict,
    HandoverError,
    User,
    _may,
    _set_household,
    _set_unit,
    _who,
    all_or_none,
    check_home_ready,
)
from homecoming.handover.services.convoys import home_of
from homecoming.housing.lifecycles import UNIT
from homecoming.housing.models import (
    Unit,
    UnitStatus,
)
from homecoming.registry.models import Household, HouseholdStatus


@transaction.atomic
def do_invite(ceremony: Ceremony, household: Household, *, user: User = None) -> Invitation:
    """Invite a family whose home (in the ceremony's complex) is allocated."""
    ceremony = Ceremony.objects.select_for_update(of=("self",)).get(pk=ceremony.pk)
    if ceremony.status != CeremonyStatus.SCHEDULED:
        raise Conflict(
            gettext("This ceremony is %(status)s: invitations go to a scheduled one only.")
            % {"status": lowercase(ceremony.get_status_display())}
        )
    unit = home_of(household)
    if unit is None or unit.status != UnitStatus.ALLOCATED:
        raise Conflict(
            gettext("Family %(reg)s has no accepted home waiting for its keys.")
            % {"reg": household.reg_number}
        )
    if unit.building.complex_id != ceremony.complex_id:
        raise HandoverError(gettext("The family's home is in another complex."))
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                ceremony=ceremony, household=household, unit=unit
            )
    except IntegrityError:
        raise Conflict(
            gettext("Family %(reg)s is already invited.") % {"reg": household.reg_number}
        ) from None
    if household.phone:
        messaging.queue(
            "ceremony_invitation",
            {
                "reg": household.reg_number,
                "date": ceremony.held_at,
                "place": ceremony.place,
            },
            to=household.phone,
            household=household,
        )
    return invitation


def ceremony_day(ceremony: Ceremony) -> date:
    """The day of the ceremony, in the programme's time zone."""
    return timezone.localdate(ceremony.held_at)


def check_ceremony_day(ceremony: Ceremony, on: date, *, move_in: bool = False) -> None:
    """Refuse keys (or a move-in) dated before the day of the family's ceremony.

    A family is invited to a ceremony on a given day: keys handed, or a move-in recorded,
    before that day would record something that has not happened.
    """
    day = ceremony_day(ceremony)
    if on >= day:
        return
    dates = {
        "day": date_format(day, "SHORT_DATE_FORMAT"),
        "on": date_format(on, "SHORT_DATE_FORMAT"),
    }
    if move_in:
        raise Conflict(
            gettext(
                "A move-in is recorded on the day of the ceremony (%(day)s) or later, "
                "not on %(on)s."
            )
            % dates
        )
    raise Conflict(
        gettext("Keys are handed at the ceremony, on %(day)s or later; today is %(on)s.") % dates
    )


@transaction.atomic
def do_invite_many(
    ceremony: Ceremony, households: Sequence[Household], *, user: User = None
) -> list[Invitation]:
    """Invite the families picked from a list: all of them, or none; the first refusal
    undoes the others and names its family."""
    return all_or_none(households, lambda h: do_invite(ceremony, h, user=user), family=lambda h: h)


def ceremony_candidates(ceremony: Ceremony, households: QuerySet[Household]) -> QuerySet[Household]:
    """Families of `households` (the actor's scope) whose accepted home, in the ceremony's
    complex, waits for its keys, and who are not invited to this ceremony yet."""
    invited = Invitation.objects.filter(ceremony=ceremony).values("household_id")
    return households.filter(
        status=HouseholdStatus.ALLOCATED,
        home__status=UnitStatus.ALLOCATED,
        home__building__complex_id=ceremony.complex_id,
    ).exclude(pk__in=invited)


@transaction.atomic
def do_hand_keys(invitation: Invitation, *, user: User) -> Invitation:
    _may(UNIT, "hand_keys", user)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("ceremony")
        .get(pk=invitation.pk)
    )
    if invitation.keys_handed_at is not None:
        return invitation
    if invitation.ceremony.status == CeremonyStatus.CANCELLED:
        raise Conflict(gettext("This ceremony is cancelled: no keys are handed at it."))
    check_ceremony_day(invitation.ceremony, timezone.localdate())
    unit = (
        Unit.objects.select_for_update(of=("self",))
        .select_related("building__complex")
        .get(pk=invitation.unit_id)
    )
    household = Household.objects.select_for_update(of=("self",)).get(pk=invitation.household_id)
    if unit.household_id != household.pk or unit.status != UnitStatus.ALLOCATED:
        raise Conflict(
            gettext("Home %(unit)s is not allocated to family %(reg)s any more.")
            % {"unit": unit, "reg": household.reg_number}
        )
    check_home_ready(unit, gettext("Key handover"))
    _set_unit(unit, UnitStatus.KEYS_HANDED, household.pk, user)
    _set_household(household, HouseholdStatus.KEYS_HANDED, user)
    invitation.keys_handed_at = timezone.now()
    invitation.keys_handed_by = _who(user)[0]
    invitation.save(update_fields=["keys_handed_at", "keys_handed_by"])
    return invitation


@transaction.atomic
def do_move_in(household: Household, on: date, *, user: User) -> Occupancy:
    _may(UNIT, "move_in", user)
    unit = Unit.objects.select_for_update(of=("self",)).filter(household=household).first()
    household = Household.objects.select_for_update(of=("self",)).get(pk=household.pk)
    if unit is None or unit.status != UnitStatus.KEYS_HANDED:
        raise Conflict(
            gettext("Family %(reg)s has not received keys.") % {"reg": household.reg_number}
        )
    check_home_ready(unit, gettext("Move-in"))
    invitation = (
        Invitation.objects.filter(household=household, unit=unit, keys_handed_at__isnull=False)
        .select_related("ceremony")
        .order_by("-keys_handed_at")
        .first()
    )
    if invitation is not None:
        check_ceremony_day(invitation.ceremony, on, move_in=True)
    _set_unit(unit, UnitStatus.OCCUPIED, household.pk, user)
    _set_household(household, HouseholdStatus.MOVED_IN, user)
    occupancy = Occupancy.objects.create(unit=unit, household=household, moved_in_on=on)
    return occupancy


@transaction.atomic
def do_move_out(
    occupancy: Occupancy, on: date, reason: str, *, user: User, back_to_waiting: bool = False
) -> Occupancy:
    """A family leaves its home: the home is free again, the offer closed."""
    _may(UNIT, "move_out", user)
    occupancy = Occupancy.objects.select_for_update(of=("self",)).get(pk=occupancy.pk)
    if occupancy.moved_out_on is not None:
        raise Conflict(gettext("This family has already moved out."))
    unit = Unit.objects.select_for_update(of=("self",)).get(pk=occupancy.unit_id)
    household = Household.objects.select_for_update(of=("self",)).get(pk=occupancy.household_id)
    with audit_note(reason):
        for offer in Offer.objects.select_for_update(of=("self",)).filter(
            household=household, unit=unit, status=OfferStatus.ACCEPTED
        ):
            offer.status = OfferStatus.CLOSED
            offer.save(update_fields=["status"])
        _set_unit(unit, UnitStatus.FREE, None, user)
        _set_household(
            household,
            HouseholdStatus.ELIGIBLE if back_to_waiting else HouseholdStatus.WITHDRAWN,
            user,
        )
    occupancy.moved_out_on = on
    occupancy.move_out_reason = reason
    occupancy.save(update_fields=["moved_out_on", "move_out_reason"])
    return occupancy
