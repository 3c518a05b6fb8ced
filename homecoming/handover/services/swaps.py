"""Swaps: two families holding offers trade homes, when both consent."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from homecoming.core.audit import audit_note
from homecoming.core.text import lowercase
from homecoming.handover.lifecycles import SWAP
from homecoming.handover.models import (
    ACTIVE_OFFER,
    Offer,
    OfferStatus,
    Swap,
    SwapStatus,
)
from homecoming.handover.rules import misfit, need_of, policy_of
from homecoming.handover.services.common import Conflict, HandoverError, User, _may, _set_unit, _who
from homecoming.handover.why import reason_data
from homecoming.housing.models import (
    Unit,
    UnitStatus,
)
from homecoming.registry.models import Household

#: The audit note of an exchange, stored as its English msgid and translated when read
#: (`{% translate note %}`), like the other notes the system writes.
SWAPPED_NOTE = gettext_noop("swapped by consent of both families")


@transaction.atomic
def do_propose_swap(first: Offer, second: Offer, *, user: User) -> Swap:
    _may(SWAP, "consent_swap", user)
    for o in (first, second):
        if o.status not in ACTIVE_OFFER:
            raise Conflict(gettext("Only open or accepted offers can be swapped."))
    if first.pk == second.pk:
        raise HandoverError(gettext("A family cannot swap with itself."))
    policy = policy_of(first.run)
    for a, b in ((first, second), (second, first)):
        why = misfit(policy, need_of(a.household), b.unit)
        if why:
            raise HandoverError(
                gettext("Home %(unit)s does not suit family %(reg)s: %(why)s")
                % {"unit": b.unit, "reg": a.household.reg_number, "why": why}
            )
    return Swap.objects.create(first=first, second=second, created_by=_who(user)[0])


@transaction.atomic
def do_consent_swap(
    swap: Swap, household: Household, *, user: User = None, actor: str = ""
) -> Swap:
    """Record one family's consent; with both, exchange the homes."""
    _may(SWAP, "consent_swap", user, actor)
    swap = (
        Swap.objects.select_for_update(of=("self",))
        .select_related("first", "second")
        .get(pk=swap.pk)
    )
    if swap.status != SwapStatus.PROPOSED:
        raise Conflict(
            gettext("This swap is %(status)s.") % {"status": lowercase(swap.get_status_display())}
        )
    if household.pk == swap.first.household_id:
        swap.first_consents = True
    elif household.pk == swap.second.household_id:
        swap.second_consents = True
    else:
        raise HandoverError(gettext("This family is not part of the swap."))
    swap.save(update_fields=["first_consents", "second_consents"])
    if swap.first_consents and swap.second_consents:
        _execute_swap(swap, user)
    return swap


def _execute_swap(swap: Swap, user: User) -> None:
    a, b = sorted(
        Offer.objects.select_for_update(of=("self",)).filter(
            pk__in=[swap.first_id, swap.second_id]
        ),
        key=lambda o: o.pk,
    )
    if a.status not in ACTIVE_OFFER or b.status not in ACTIVE_OFFER:
        raise Conflict(gettext("One of the offers was answered or withdrawn since."))
    ua, ub = sorted(
        Unit.objects.select_for_update(of=("self",)).filter(pk__in=[a.unit_id, b.unit_id]),
        key=lambda u: u.pk,
    )
    if ua.pk != a.unit_id:
        ua, ub = ub, ua
    before: dict[int, str] = {}
    for o in (a, b):
        before[o.pk] = o.status
        o.status = OfferStatus.SWAPPED
        o.save(update_fields=["status"])
    # Clear both links before setting them: the one-to-one is checked row by row (and a
    # home without a family is free, by the unit's check constraint).
    Unit.objects.filter(pk__in=[ua.pk, ub.pk]).update(household=None, status=UnitStatus.FREE)
    for old, unit, other in ((a, ub, b), (b, ua, a)):
        reason, reasons = reason_data("swapped", **{"with": other.household.reg_number})
        new = Offer.objects.create(
            run=old.run,
            household=old.household,
            unit=unit,
            status=before[old.pk],
            reason=reason,
            reasons=reasons,
            unit_status_before=other.unit_status_before,
            # The clock belongs to the home: a home not ready yet has none.
            deadline=other.deadline,
            answered_at=old.answered_at,
            answered_by=old.answered_by,
            created_by=_who(user)[0],
        )
        status = UnitStatus.ALLOCATED if new.status == OfferStatus.ACCEPTED else UnitStatus.OFFERED
        if status == UnitStatus.ALLOCATED:
            # Free -> offered -> allocated: each change a step the lifecycle table allows.
            Unit.objects.filter(pk=unit.pk).update(
                household=old.household_id, status=UnitStatus.OFFERED
            )
        unit.refresh_from_db()
        with audit_note(SWAPPED_NOTE):
            _set_unit(unit, status, old.household_id, user)
    swap.status = SwapStatus.DONE
    swap.done_at = timezone.now()
    swap.save(update_fields=["status", "done_at"])
