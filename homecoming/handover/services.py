"""Writes of the handover: offers, answers, reserve list, swaps, appeals, convoys, keys.

Each do_* runs in one transaction and trusts its input; refusals that depend on the state
of the database (a home already taken, an offer already answered) raise `Conflict`, which
the API turns into 409 and the pages into a message.

Locks are always taken in the same order, offer -> unit -> household, so that two
transactions never wait for each other in a circle. On PostgreSQL `select_for_update`
serialises writers on one row; on SQLite the IMMEDIATE transaction mode serialises all
writers. The partial unique constraints on `Offer` and the unit's one-to-one link are the
last guard when code forgets.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from homecoming.accounts.lifecycles import role_of
from homecoming.allocation.models import AllocationRun
from homecoming.allocation.services import ApprovalError
from homecoming.core.audit import audit_note
from homecoming.core.lifecycle import FAMILY, Lifecycle, TransitionRefused
from homecoming.core.text import lowercase
from homecoming.handover import messaging
from homecoming.handover.lifecycles import APPEAL, CEREMONY, CONVOY, OFFER, SWAP
from homecoming.handover.models import (
    ACTIVE_OFFER,
    Appeal,
    AppealStatus,
    Bus,
    Ceremony,
    CeremonyStatus,
    Convoy,
    ConvoyStatus,
    Invitation,
    Message,
    Occupancy,
    Offer,
    OfferStatus,
    Passenger,
    Swap,
    SwapStatus,
)
from homecoming.handover.rules import misfit, need_of, policy_of
from homecoming.housing.lifecycles import UNIT
from homecoming.housing.models import (
    ALLOCATABLE_STATUSES,
    HANDED_STATUSES,
    ResidentialComplex,
    Unit,
    UnitStatus,
)
from homecoming.registry.lifecycles import HOUSEHOLD
from homecoming.registry.models import Household, HouseholdStatus

User = AbstractBaseUser | AnonymousUser | None
WAITING = (HouseholdStatus.REGISTERED, HouseholdStatus.ELIGIBLE)


class HandoverError(Exception):
    """A refusal; the message says why in the user's language."""


class Conflict(HandoverError):
    """The state changed: the home is taken, the offer answered, the bus full..."""


class NotReady(HandoverError):
    """The home is not ready: still being built, or its complex has readiness blockers (no
    water, mines not cleared...). `reasons` lists them, one sentence each."""

    def __init__(self, summary: str, reasons: list[str]) -> None:
        super().__init__(" ".join([summary, *reasons]))
        self.summary = summary
        self.reasons = reasons


# ---------------------------------------------------------------------------- helpers


def _who(user: User, actor: str = "") -> tuple[Any, str]:
    if user is not None and getattr(user, "is_authenticated", False):
        return user, actor or user.get_username()
    return None, actor or "system"


def _role(user: User, actor: str = "") -> str | None:
    """Who acts, for the lifecycle tables: a family in its own pages comes without a user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return FAMILY if actor else None
    return role_of(user)


def _may(life: Lifecycle, action: str, user: User, actor: str = "") -> None:
    """Refuse, as a conflict, an action the lifecycle table does not give this role."""
    if not life.may(action, _role(user, actor)):
        raise Conflict(
            gettext("Your role may not do this: %(action)s.") % {"action": life.step(action).label}
        )


def _move(life: Lifecycle, before: str, after: str, user: User, actor: str) -> None:
    try:
        life.check_move(before, after, _role(user, actor))
    except TransitionRefused as exc:
        raise Conflict(str(exc)) from exc


def readiness_blockers(complex_: ResidentialComplex) -> list[str]:
    """What still keeps families out of the complex; empty when ready."""
    from homecoming.readiness.gate import blockers

    return list(blockers(complex_))


def home_blockers(units: Iterable[Unit], *, with_complex: bool = True) -> dict[int, list[str]]:
    """Per home, what keeps a family out of it: its construction, its building's, its
    complex's readiness gate. Empty list: ready. Fails closed (see readiness.gate)."""
    from homecoming.readiness.gate import home_blockers as found

    return found(units, with_complex=with_complex)


def check_home_ready(unit: Unit, what: str) -> None:
    """Refuse `what` (an offer deadline, the keys, the move-in) while the home is not ready."""
    unit = Unit.objects.select_related("building__complex__settlement").get(pk=unit.pk)
    reasons = home_blockers([unit])[unit.pk]
    if reasons:
        raise NotReady(
            gettext("%(what)s refused: home %(unit)s is not ready.") % {"what": what, "unit": unit},
            reasons,
        )


def default_deadline(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(days=settings.HANDOVER_OFFER_DAYS)


def family_url() -> str:
    return "/family/"


def _offer_message(offer: Offer, unit: Unit) -> Message | None:
    h = offer.household
    if not h.phone:
        return None
    context = {
        "reg": h.reg_number,
        "address": unit.address,
        "rooms": unit.rooms,
        "floor": unit.floor,
        "deadline": date_format(timezone.localtime(offer.deadline), "SHORT_DATE_FORMAT"),
        "url": family_url(),
    }
    return messaging.queue("offer_made", context, to=h.phone, household=h)


def _set_unit(
    unit: Unit, status: str, household_id: int | None, user: User, actor: str = ""
) -> None:
    if unit.status != status:
        _move(UNIT, unit.status, status, user, actor)
    unit.status = status
    unit.household_id = household_id
    unit.save(update_fields=["status", "household"])


def _set_household(household: Household, status: str, user: User, actor: str = "") -> None:
    if household.status != status:
        _move(HOUSEHOLD, household.status, status, user, actor)
    household.status = status
    household.save(update_fields=["status", "updated_at"])


# ---------------------------------------------------------------------------- offers


def make_offers_on_approval(sender: Any, run: AllocationRun, user: Any, **kwargs: Any) -> None:
    """Receiver of allocation's run_approved: each housed family of the run gets its offer,
    in the approval's transaction; a refusal refuses the approval."""
    try:
        do_create_offers(run, user)
    except HandoverError as exc:
        raise ApprovalError(str(exc)) from exc


@transaction.atomic
def do_create_offers(run: AllocationRun, user: User, deadline: datetime | None = None) -> int:
    """Offer every housed family of an approved run its home. Called by do_approve_run,
    inside its transaction, after it has locked the units and families.

    A home that is ready gets an offer with a deadline and the family a message. A home not
    ready yet (being built, or its complex's gate closed) is held for the family all the
    same (unit and family "offered"), but its offer waits without a deadline:
    `do_start_deadlines` gives it one, and sends the message, once the home is ready."""
    _may(UNIT, "offer_home", user)
    deadline = deadline or default_deadline()
    results = list(
        run.results.filter(unit__isnull=False).select_related(
            "household", "unit__building__complex__settlement"
        )
    )
    waiting = home_blockers([r.unit for r in results if r.unit is not None])
    units = {
        u.pk: u
        for u in Unit.objects.select_for_update(of=("self",))
        .filter(pk__in=[r.unit_id for r in results])
        .select_related("building__complex__settlement")
        .order_by("pk")
    }
    taken = [
        u
        for u in units.values()
        if u.household_id is not None or u.status not in ALLOCATABLE_STATUSES
    ]
    if taken:
        raise Conflict(gettext("home %(unit)s is already taken") % {"unit": taken[0]})
    offers = []
    for r in results:
        unit = units[r.unit_id]  # type: ignore[index]
        offers.append(
            Offer(
                run=run,
                household=r.household,
                unit=unit,
                reason=r.reason,
                unit_status_before=unit.status,
                deadline=None if waiting[unit.pk] else deadline,
                created_by=_who(user)[0],
            )
        )
        unit.status = UnitStatus.OFFERED
        unit.household_id = r.household_id
    Offer.objects.bulk_create(offers, batch_size=1000)
    Unit.objects.bulk_update(units.values(), ["status", "household"], batch_size=1000)
    Household.objects.filter(pk__in=[r.household_id for r in results]).update(
        status=HouseholdStatus.OFFERED, updated_at=timezone.now()
    )
    created = Offer.objects.filter(run=run, status=OfferStatus.PENDING).select_related("household")
    for o in created:
        if o.deadline is not None:
            _offer_message(o, units[o.unit_id])
    return len(offers)


@transaction.atomic
def do_make_offer(
    unit: Unit,
    household: Household,
    *,
    user: User = None,
    run: AllocationRun | None = None,
    reason: str = "",
    from_reserve: bool = False,
    deadline: datetime | None = None,
    wait_until_ready: bool = False,
) -> Offer:
    """Offer one free home to one waiting family.

    An offer has a deadline only for a home that is ready; otherwise it is refused
    (NotReady with the reasons), unless `wait_until_ready` (the reserve list of a run
    drawn in advance) and no deadline was asked for: then it waits without one."""
    _may(UNIT, "offer_home", user)
    unit = (
        Unit.objects.select_for_update(of=("self",))
        .select_related("building__complex__settlement")
        .get(pk=unit.pk)
    )
    household = Household.objects.select_for_update(of=("self",)).get(pk=household.pk)
    if unit.household_id is not None or unit.status not in ALLOCATABLE_STATUSES:
        raise Conflict(
            gettext("Home %(unit)s is already offered or given to a family.") % {"unit": unit}
        )
    if household.status not in WAITING:
        raise Conflict(
            gettext("Family %(reg)s is not waiting for a home (%(status)s).")
            % {"reg": household.reg_number, "status": household.get_status_display()}
        )
    reasons = home_blockers([unit])[unit.pk]
    if reasons and (deadline is not None or not wait_until_ready):
        raise NotReady(
            gettext("An offer with a deadline is refused: home %(unit)s is not ready.")
            % {"unit": unit},
            reasons,
        )
    offer = Offer.objects.create(
        run=run,
        household=household,
        unit=unit,
        reason=reason or gettext("Offered by an officer."),
        from_reserve=from_reserve,
        unit_status_before=unit.status,
        deadline=None if reasons else deadline or default_deadline(),
        created_by=_who(user)[0],
    )
    _set_unit(unit, UnitStatus.OFFERED, household.pk, user)
    _set_household(household, HouseholdStatus.OFFERED, user)
    if offer.deadline is not None:
        _offer_message(offer, unit)
    return offer


def _lock_offer(offer: Offer) -> Offer:
    locked: Offer = (
        Offer.objects.select_for_update(of=("self",)).select_related("run").get(pk=offer.pk)
    )
    return locked


@transaction.atomic
def do_accept_offer(offer: Offer, *, user: User = None, actor: str = "") -> Offer:
    """The family says yes: the home is theirs (unit and family become 'allocated').

    Accepting an offer already accepted is a no-op, so a retried request is harmless."""
    _may(OFFER, "accept_offer", user, actor)
    offer = _lock_offer(offer)
    if offer.status == OfferStatus.ACCEPTED:
        return offer
    if offer.status != OfferStatus.PENDING:
        raise Conflict(
            gettext("This offer is %(status)s; it can no longer be accepted.")
            % {"status": lowercase(offer.get_status_display())}
        )
    if offer.deadline is not None and offer.deadline < timezone.now():
        raise Conflict(gettext("The deadline to answer this offer has passed."))
    unit = Unit.objects.select_for_update(of=("self",)).get(pk=offer.unit_id)
    household = Household.objects.select_for_update(of=("self",)).get(pk=offer.household_id)
    if unit.household_id != household.pk:
        raise Conflict(gettext("This home is no longer held for this family."))
    _by, who = _who(user, actor)
    offer.status = OfferStatus.ACCEPTED
    offer.answered_at = timezone.now()
    offer.answered_by = who
    offer.save(update_fields=["status", "answered_at", "answered_by"])
    _set_unit(unit, UnitStatus.ALLOCATED, household.pk, user, actor)
    _set_household(household, HouseholdStatus.ALLOCATED, user, actor)
    return offer


def _release(
    offer: Offer, to: str, who: str, note: str, user: User = None, actor: str = ""
) -> None:
    """End an active offer: its home is free again and its family waits again.

    The note (why) goes with these writes into the audit trail."""
    unit = Unit.objects.select_for_update(of=("self",)).get(pk=offer.unit_id)
    household = Household.objects.select_for_update(of=("self",)).get(pk=offer.household_id)
    with audit_note(note):
        offer.status = to
        offer.answered_at = offer.answered_at or timezone.now()
        if to in (OfferStatus.DECLINED, OfferStatus.WITHDRAWN):
            offer.answered_by = who
        offer.save()
        if unit.household_id == household.pk:
            _set_unit(unit, UnitStatus.FREE, None, user, actor)
        if household.status in (HouseholdStatus.OFFERED, HouseholdStatus.ALLOCATED):
            _set_household(household, HouseholdStatus.ELIGIBLE, user, actor)


def offer_next_on_reserve(unit: Unit, run: AllocationRun | None, user: User) -> Offer | None:
    """Offer a freed home to the first family of the run's reserve list that it suits.

    Families are taken in reserve-rank order; one that already had an offer in this run,
    or is no longer waiting, is skipped. The rules are the run's (room band, step-free
    access, destination). Returns None when no one on the list fits (the home stays free).
    """
    if run is None:
        return None
    unit = Unit.objects.select_related("building__complex__settlement").get(pk=unit.pk)
    if unit.household_id is not None or unit.status not in ALLOCATABLE_STATUSES:
        return None
    policy = policy_of(run)
    already = Offer.objects.filter(run=run).values("household_id")
    reserve = (
        run.results.filter(unit__isnull=True, reserve_rank__isnull=False)
        .exclude(household_id__in=already)
        .filter(household__status__in=WAITING)
        .order_by("reserve_rank")
    )
    households = {
        h.pk: h for h in Household.objects.with_size().filter(pk__in=reserve.values("household_id"))
    }
    for result in reserve:
        h = households.get(result.household_id)
        if h is None or misfit(policy, need_of(h), unit) is not None:
            continue
        reason = gettext(
            "Next on the reserve list of %(run)s (rank %(rank)d): the home suits your family's size and needs."
        ) % {"run": run.name, "rank": result.reserve_rank}
        try:
            with transaction.atomic():
                return do_make_offer(
                    unit,
                    h,
                    user=user,
                    run=run,
                    reason=reason,
                    from_reserve=True,
                    wait_until_ready=True,
                )
        except HandoverError:
            # Not ready any more, or the family was taken meanwhile: the home stays free.
            return None
    return None


@transaction.atomic
def do_decline_offer(offer: Offer, reason: str, *, user: User = None, actor: str = "") -> Offer:
    """The family says no (with a reason); the home goes to the next on the reserve list.

    Declining an offer already declined is a no-op (a retried request)."""
    _may(OFFER, "decline_offer", user, actor)
    offer = _lock_offer(offer)
    if offer.status == OfferStatus.DECLINED:
        return offer
    if offer.status != OfferStatus.PENDING:
        raise Conflict(
            gettext("This offer is %(status)s; it can no longer be declined.")
            % {"status": lowercase(offer.get_status_display())}
        )
    _by, who = _who(user, actor)
    offer.decline_reason = reason.strip()[:400] or gettext("no reason given")
    _release(offer, OfferStatus.DECLINED, who, offer.decline_reason, user, actor)
    offer_next_on_reserve(offer.unit, offer.run, user)
    return offer


@transaction.atomic
def do_withdraw_offer(offer: Offer, note: str, *, user: User) -> Offer:
    """An officer takes back an offer (pending or accepted, before the keys)."""
    _may(OFFER, "withdraw_offer", user)
    offer = _lock_offer(offer)
    if offer.status not in ACTIVE_OFFER:
        raise Conflict(gettext("Only an open or accepted offer can be withdrawn."))
    unit = Unit.objects.get(pk=offer.unit_id)
    if unit.status in HANDED_STATUSES:
        raise Conflict(gettext("The keys are already handed; record a move-out instead."))
    _release(offer, OfferStatus.WITHDRAWN, "", note, user)
    offer_next_on_reserve(offer.unit, offer.run, user)
    return offer


def do_expire_offers(
    now: datetime | None = None, user: User = None, district_id: int | None = None
) -> int:
    """Expire unanswered offers past their deadline; each freed home goes down the reserve
    list. One transaction per offer, so one failure does not hold back the others.
    `district_id` keeps a district officer's request to their own district's offers."""
    _may(OFFER, "expire_offer", user)
    now = now or timezone.now()
    due_offers = Offer.objects.filter(status=OfferStatus.PENDING, deadline__lt=now)
    if district_id is not None:
        due_offers = due_offers.filter(household__district_id=district_id)
    due = list(due_offers.values_list("pk", flat=True))
    expired = 0
    for pk in due:
        with transaction.atomic():
            offer = (
                Offer.objects.select_for_update(of=("self",))
                .select_related("run", "unit")
                .get(pk=pk)
            )
            if offer.status != OfferStatus.PENDING or offer.deadline >= now:
                continue
            _release(
                offer, OfferStatus.EXPIRED, "system", gettext("no answer by the deadline"), user
            )
            offer_next_on_reserve(offer.unit, offer.run, user)
            expired += 1
    return expired


def do_remind_deadlines(now: datetime | None = None, within: timedelta = timedelta(days=2)) -> int:
    """Send 'deadline near' to families whose open offer ends within `within` (once)."""
    now = now or timezone.now()
    due = Offer.objects.filter(
        status=OfferStatus.PENDING,
        deadline__gte=now,
        deadline__lt=now + within,
        reminded_at__isnull=True,
    ).select_related("household")
    sent = 0
    for offer in due:
        with transaction.atomic():
            if offer.household.phone:
                messaging.queue(
                    "deadline_near",
                    {
                        "reg": offer.household.reg_number,
                        "deadline": date_format(
                            timezone.localtime(offer.deadline), "SHORT_DATETIME_FORMAT"
                        ),
                        "url": family_url(),
                    },
                    to=offer.household.phone,
                    household=offer.household,
                )
                sent += 1
            Offer.objects.filter(pk=offer.pk).update(reminded_at=now)
    return sent


def do_start_deadlines(now: datetime | None = None, user: User = None) -> int:
    """Give a deadline to the waiting offers (no deadline) whose home is ready now, and
    send the family the offer. One transaction per offer. Returns how many started."""
    now = now or timezone.now()
    waiting = list(
        Offer.objects.filter(status=OfferStatus.PENDING, deadline__isnull=True).select_related(
            "unit__building__complex__settlement"
        )
    )
    found = home_blockers([o.unit for o in waiting])
    started = 0
    for pk in [o.pk for o in waiting if not found[o.unit_id]]:
        with transaction.atomic():
            offer = (
                Offer.objects.select_for_update(of=("self",))
                .select_related("household", "unit__building__complex__settlement")
                .get(pk=pk)
            )
            if offer.status != OfferStatus.PENDING or offer.deadline is not None:
                continue
            offer.deadline = default_deadline(now)
            note = gettext("the home is ready: answer by %(date)s") % {
                "date": offer.deadline.date().isoformat()
            }
            with audit_note(note):
                offer.save(update_fields=["deadline"])
            _offer_message(offer, offer.unit)
            started += 1
    return started


def expire_offers_job(job: Any, progress: Any) -> dict[str, Any]:
    """Job handler: start the clock on offers whose home is ready now, expire overdue
    offers and send reminders."""
    return {
        "started": do_start_deadlines(),
        "expired": do_expire_offers(),
        "reminded": do_remind_deadlines(),
    }


# ---------------------------------------------------------------------------- swaps


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
    note = gettext("swapped by consent of both families")
    for old, unit, other in ((a, ub, b), (b, ua, a)):
        new = Offer.objects.create(
            run=old.run,
            household=old.household,
            unit=unit,
            status=before[old.pk],
            reason=gettext("Exchanged with family %(reg)s by consent of both.")
            % {"reg": other.household.reg_number},
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
        with audit_note(note):
            _set_unit(unit, status, old.household_id, user)
    swap.status = SwapStatus.DONE
    swap.done_at = timezone.now()
    swap.save(update_fields=["status", "done_at"])


# ---------------------------------------------------------------------------- appeals


@transaction.atomic
def do_file_appeal(
    household: Household,
    kind: str,
    text: str,
    *,
    offer: Offer | None = None,
    user: User = None,
    actor: str = "",
) -> Appeal:
    _by, who = _who(user, actor)
    return Appeal.objects.create(
        household=household, offer=offer, kind=kind, text=text, created_by=who
    )


@transaction.atomic
def do_decide_appeal(appeal: Appeal, status: str, decision: str, *, user: User) -> Appeal:
    _may(APPEAL, "decide_appeal", user)
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
    if appeal.status != AppealStatus.OPEN:
        raise Conflict(gettext("This appeal is already decided."))
    appeal.status = status
    appeal.decision = decision
    appeal.decided_at = timezone.now()
    appeal.decided_by = _who(user)[0]
    appeal.save()
    return appeal


# ---------------------------------------------------------------------------- convoys


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
                "date": date_format(bus.convoy.departs_on, "SHORT_DATE_FORMAT"),
                "bus": bus.number,
                "pickup": f"{bus.pickup.name}, {bus.pickup.address}".strip(", "),
                "time": bus.departs_at.strftime("%H:%M") if bus.departs_at else "—",
                "seats": seats,
            },
            to=household.phone,
            household=household,
        )
    return passenger


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


# ---------------------------------------------------------------------------- keys


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
                "date": date_format(timezone.localtime(ceremony.held_at), "SHORT_DATETIME_FORMAT"),
                "place": ceremony.place,
            },
            to=household.phone,
            household=household,
        )
    return invitation


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
