"""Offers: made from an approved run or by hand, answered, declined, withdrawn, expired, and
the next family on the reserve list offered a freed home."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from homecoming.allocation.models import AllocationResult, AllocationRun, run_heavy_fields
from homecoming.allocation.services import ApprovalError
from homecoming.core.audit import audit_note, note_with
from homecoming.core.text import lowercase
from homecoming.handover import messaging
from homecoming.handover.lifecycles import OFFER
from homecoming.handover.models import (
    ACTIVE_OFFER,
    Offer,
    OfferStatus,
)
from homecoming.handover.rules import misfit, need_of, policy_of
from homecoming.handover.services.common import (
    WAITING,
    Conflict,
    HandoverError,
    NotReady,
    User,
    _may,
    _offer_message,
    _set_household,
    _set_unit,
    _who,
    all_or_none,
    default_deadline,
    family_url,
    home_blockers,
)
from homecoming.handover.why import OFFERED_BY_OFFICER, PICKED_BY_OFFICER
from homecoming.housing.lifecycles import UNIT
from homecoming.housing.models import (
    ALLOCATABLE_STATUSES,
    HANDED_STATUSES,
    Unit,
    UnitStatus,
)
from homecoming.registry.models import Household, HouseholdQuerySet, HouseholdStatus

#: The audit note of an expiry, stored as its English msgid, translated when read.
EXPIRED_NOTE = gettext_noop("no answer by the deadline")


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
        reason=reason or OFFERED_BY_OFFICER,
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


def reserve_reason(run: AllocationRun, rank: int | None) -> str:
    """The stored reason of an offer from a run's reserve list (shown translated from the
    rank by `why`, this text being the fallback)."""
    return gettext(
        "Next on the reserve list of %(run)s (rank %(rank)d): the home suits your family's size and needs."
    ) % {"run": run.name, "rank": rank or 0}


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
        reason = reserve_reason(run, result.reserve_rank)
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
                .defer(*run_heavy_fields("run__"))
                .get(pk=pk)
            )
            if offer.status != OfferStatus.PENDING or offer.deadline >= now:
                continue
            _release(offer, OfferStatus.EXPIRED, "system", EXPIRED_NOTE, user)
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
                        "deadline": offer.deadline,
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
            note = note_with(
                gettext_noop("the home is ready: answer by %(date)s"),
                date=offer.deadline.date().isoformat(),
            )
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


def offer_candidates(
    households: HouseholdQuerySet, run: AllocationRun | None = None
) -> HouseholdQuerySet:
    """Families of `households` (the actor's scope) that may be offered a home: waiting,
    holding no home and no open offer. With `run`, its reserve list not yet offered
    anything in the run, by reserve rank (`rank` annotated); else by priority, then date
    of registration (the registry's order)."""
    active = Offer.objects.filter(household=OuterRef("pk"), status__in=ACTIVE_OFFER)
    found = households.waiting().filter(home__isnull=True).exclude(Exists(active))
    if run is None:
        return found.order_by("-priority", "registered_on", "reg_number", "pk")
    reserve = open_reserve(run)
    return (
        found.filter(pk__in=reserve.values("household_id"))
        .annotate(
            rank=Subquery(reserve.filter(household_id=OuterRef("pk")).values("reserve_rank")[:1])
        )
        .order_by("rank", "pk")
    )


@transaction.atomic
def do_make_offers(
    pairs: Sequence[tuple[Unit, Household]],
    *,
    user: User,
    run: AllocationRun | None = None,
) -> list[Offer]:
    """Offer the homes paired on the confirmation page (families picked from a list):
    all of them, or none.

    Each pair goes through `do_make_offer` (the role, the home free, the family waiting,
    the home ready) and the run's rules of fit (`rules.misfit`: room band, step-free
    access, destination; the default policy without a run). With `run`, each family must
    be on its reserve list and not offered anything in it yet. The first refusal undoes
    the others and names its family."""
    _may(UNIT, "offer_home", user)
    policy = policy_of(run)
    # Every home, then every family, locked up front in id order (units before
    # households, as everywhere): two officers confirming overlapping picks wait for
    # each other instead of each holding half.
    homes = {
        u.pk: u
        for u in Unit.objects.select_for_update(of=("self",))
        .select_related("building__complex__settlement")
        .filter(pk__in=[u.pk for u, _h in pairs])
        .order_by("pk")
    }
    families = {
        h.pk: h
        for h in Household.objects.with_size()
        .select_for_update(of=("self",))
        .filter(pk__in=[h.pk for _u, h in pairs])
        .order_by("pk")
    }
    ranks = reserve_ranks(run, list(families))

    def one(pair: tuple[Unit, Household]) -> Offer:
        unit, household = homes[pair[0].pk], families[pair[1].pk]
        why = misfit(policy, need_of(household), unit)
        if why:
            raise HandoverError(
                gettext("home %(unit)s does not suit the family: %(why)s")
                % {"unit": unit, "why": why}
            )
        if run is not None and household.pk not in ranks:
            raise HandoverError(
                gettext("the family is not waiting on the reserve list of %(run)s.")
                % {"run": run.name}
            )
        return do_make_offer(
            unit,
            household,
            user=user,
            run=run,
            reason=reserve_reason(run, ranks[household.pk]) if run else PICKED_BY_OFFICER,
            from_reserve=run is not None,
        )

    return all_or_none(pairs, one, family=lambda p: p[1])


def reserve_ranks(run: AllocationRun | None, household_ids: list[int]) -> dict[int, int]:
    """Family id -> rank, for those of `household_ids` on `run`'s reserve list and not
    offered anything in the run yet."""
    if run is None:
        return {}
    found = (
        open_reserve(run)
        .filter(household_id__in=household_ids)
        .values_list("household_id", "reserve_rank")
    )
    return {household: rank for household, rank in found if rank is not None}


def open_reserve(run: AllocationRun) -> QuerySet[AllocationResult]:
    """The results of `run`'s reserve list whose families were offered nothing in it yet."""
    offered = Offer.objects.filter(run=run).values("household_id")
    return run.results.filter(unit__isnull=True, reserve_rank__isnull=False).exclude(
        household_id__in=offered
    )
