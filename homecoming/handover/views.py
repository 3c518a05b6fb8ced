"""Officer pages of the handover: offers, swaps, appeals, convoys, ceremonies, occupancy."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Model, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from homecoming.accounts.models import Profile
from homecoming.accounts.permissions import (
    ALLOCATORS,
    EDITORS,
    current_user,
    require_profile,
    require_role,
)
from homecoming.accounts.privacy import may_see
from homecoming.allocation.models import run_heavy_fields
from homecoming.core.access import do_record_access, require_export
from homecoming.core.lifecycle import Lifecycle
from homecoming.core.models import AccessKind
from homecoming.handover import receipts, services, why
from homecoming.handover.api import conflict_detail, receipt_invitations
from homecoming.handover.forms import (
    AppealForm,
    AssignForm,
    BusForm,
    CeremonyForm,
    ConvoyForm,
    DecisionForm,
    DeclineForm,
    InviteForm,
    ManualOfferForm,
    MoveOutForm,
    PickupPointForm,
    SwapForm,
)
from homecoming.handover.history import offer_history
from homecoming.handover.lifecycles import CEREMONY, CONVOY
from homecoming.handover.models import (
    Appeal,
    Bus,
    Ceremony,
    CeremonyStatus,
    Convoy,
    ConvoyStatus,
    Message,
    Occupancy,
    Offer,
    OfferStatus,
    Swap,
)
from homecoming.housing.models import Unit
from homecoming.registry.models import Household

WRITERS = EDITORS | ALLOCATORS
M = TypeVar("M", bound=Model)


def attempt(request: HttpRequest, do: Callable[[], Any], done: str) -> bool:
    """Run a service; a refusal or a constraint becomes a clear message, never a 500."""
    try:
        do()
    except services.NotReady as exc:
        messages.error(
            request,
            format_html(
                '{} <ul class="reasons">{}</ul>',
                _("Not done: %(why)s") % {"why": exc.summary},
                format_html_join("", "<li>{}</li>", ((r,) for r in exc.reasons)),
            ),
        )
        return False
    except (services.HandoverError, IntegrityError) as exc:
        messages.error(request, _("Not done: %(why)s") % {"why": conflict_detail(exc)})
        return False
    messages.success(request, done)
    return True


#: Button labels of the status actions offered on the convoy and ceremony pages.
ACTION_LABELS = {
    "depart_convoy": gettext_lazy("The convoy has left"),
    "arrive_convoy": gettext_lazy("The convoy has arrived"),
    "cancel_convoy": gettext_lazy("Cancel the convoy"),
    "hold_ceremony": gettext_lazy("The ceremony was held"),
    "cancel_ceremony": gettext_lazy("Cancel the ceremony"),
}


def status_actions(life: Lifecycle, status: str, profile: Profile) -> list[tuple[str, str]]:
    return [
        (s.action, str(ACTION_LABELS[s.action])) for s in life.actions_from(status, profile.role)
    ]


def change_status(
    request: HttpRequest, obj: Any, change: Callable[..., Any], life: Lifecycle
) -> None:
    """Run the status action named in the form; cancelling needs a reason."""
    require_role(request, WRITERS)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "").strip()[:400]
    if action not in {s.action for s in life.steps}:
        messages.error(request, _("Not done: unknown action."))
    elif action.startswith("cancel") and not reason:
        messages.error(request, _("Not done: give the reason for the cancellation."))
    else:
        attempt(
            request,
            lambda: change(obj, action, user=current_user(request), reason=reason),
            _("Saved."),
        )


def _household(profile: Profile, reg: str) -> Household | None:
    return Household.objects.for_profile(profile).filter(reg_number__iexact=reg.strip()).first()


#: At most this many families picked in one form (a page of the candidates list).
MAX_PICKED = 100


def picked_families(request: HttpRequest, profile: Profile) -> list[Household]:
    """The families ticked in a list ("pick"), checked again on the server: each one must
    be in the actor's scope (an id from elsewhere is refused by its number, which tells
    nothing). Whether each may be added is the service's check, in its transaction.

    Raises `services.HandoverError` with a message for the person.
    """
    return in_scope(
        Household.objects.for_profile(profile),
        picked_ids(request.POST.getlist("pick")),
        _("family no. %(id)d is not among the families you may manage."),
    )


def picked_ids(raw: list[str]) -> list[int]:
    """The ids of the rows ticked (once each, in the order sent), at most MAX_PICKED."""
    try:
        wanted = list(dict.fromkeys(int(v) for v in raw))
    except ValueError:
        raise services.HandoverError(_("the list of families sent is not valid.")) from None
    if not wanted:
        raise services.HandoverError(_("tick at least one family in the list."))
    if len(wanted) > MAX_PICKED:
        raise services.HandoverError(_("at most %(n)d families at a time.") % {"n": MAX_PICKED})
    return wanted


def in_scope(rows: QuerySet[M], wanted: list[int], refusal: str) -> list[M]:
    """The rows of `rows` (the actor's scope) with these ids, in the same order; an id out
    of scope (or of no row) is refused with `refusal` % {"id": ...}."""
    found = rows.in_bulk(wanted)
    for pk in wanted:
        if pk not in found:
            raise services.HandoverError(refusal % {"id": pk})
    return [found[pk] for pk in wanted]


def candidates_page(request: HttpRequest, families: Any) -> Any:
    """One page of a list of families to pick from, filtered by registration number."""
    q = request.GET.get("q", "").strip()
    if q:
        families = families.filter(reg_number__icontains=q)
    families = (
        families.select_related("home__building__complex__settlement")
        .annotate(persons=Count("members", distinct=True))
        .order_by("reg_number")
    )
    return Paginator(families, MAX_PICKED).get_page(request.GET.get("page"))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    offers = Offer.objects.for_profile(profile)
    counts = Counter(dict(offers.order_by().values_list("status").annotate(n=Count("id"))))
    status = request.GET.get("status", "")
    shown = offers.filter(status=status) if status else offers
    q = request.GET.get("q", "").strip()
    if q:
        shown = shown.filter(household__reg_number__icontains=q)
    page = Paginator(shown.values_list("pk", flat=True), 50).get_page(request.GET.get("page"))
    # The page's ids first (one table, in order), then those rows with what they show:
    # the work stays the same however many offers the district has.
    rows = (
        Offer.objects.filter(pk__in=list(page.object_list))
        .select_related("household", "unit__building__complex__settlement", "run")
        .defer(*run_heavy_fields("run__"))
        .in_bulk()
    )
    page.object_list = [rows[pk] for pk in page.object_list]
    return render(
        request,
        "handover/overview.html",
        {
            "page": page,
            "counts": [(s, label, counts.get(s, 0)) for s, label in OfferStatus.choices],
            "status": status,
            "q": q,
            "can_write": profile.role in WRITERS,
            "manual": ManualOfferForm(),
        },
    )


@login_required
@require_POST
def offer_manual(request: HttpRequest) -> HttpResponse:
    profile = require_role(request, WRITERS)
    form = ManualOfferForm(request.POST)
    if form.is_valid():
        household = _household(profile, form.cleaned_data["household"])
        unit = Unit.objects.for_profile(profile).filter(pk=form.cleaned_data["unit"]).first()
        if household is None or unit is None:
            messages.error(request, _("Not done: no such family or home in your district."))
        else:
            attempt(
                request,
                lambda: services.do_make_offer(unit, household, user=current_user(request)),
                _("Offer made to %(reg)s.") % {"reg": household.reg_number},
            )
    return redirect("handover:overview")


@login_required
@require_POST
def expire_now(request: HttpRequest) -> HttpResponse:
    profile = require_role(request, WRITERS)
    n = services.do_expire_offers(user=current_user(request), district_id=profile.district_id)
    messages.success(request, _("%(n)d overdue offers expired.") % {"n": n})
    return redirect("handover:overview")


def _offer(request: HttpRequest, pk: int) -> tuple[Profile, Offer]:
    profile = require_profile(request)
    offer = get_object_or_404(
        Offer.objects.for_profile(profile)
        .select_related("household", "unit__building__complex__settlement", "run")
        .defer(*run_heavy_fields("run__")),
        pk=pk,
    )
    return profile, offer


@login_required
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile, offer = _offer(request, pk)
    history = list(offer_history(offer))
    # Statuses by their label in the reader's language, not by their stored code.
    labels = dict(OfferStatus.choices)
    for t in history:
        t.from_label = labels.get(t.from_state, t.from_state)  # type: ignore[attr-defined]
        t.to_label = labels.get(t.to_state, t.to_state)  # type: ignore[attr-defined]
    why.attach([offer])
    return render(
        request,
        "handover/offer_detail.html",
        {
            "offer": offer,
            "history": history,
            "can_write": profile.role in WRITERS,
            "decline": DeclineForm(),
            "swap": SwapForm(),
            "appeal": AppealForm(),
            "appeals": offer.appeals.all(),
        },
    )


@login_required
@require_POST
def offer_act(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    require_role(request, WRITERS)
    profile, offer = _offer(request, pk)
    user = current_user(request)
    if what == "accept":
        attempt(
            request,
            lambda: services.do_accept_offer(offer, user=user),
            _("Accepted on behalf of the family."),
        )
    elif what in ("decline", "withdraw"):
        form = DeclineForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Not done: a reason is required."))
        elif what == "decline":
            attempt(
                request,
                lambda: services.do_decline_offer(offer, form.cleaned_data["reason"], user=user),
                _("Declined; the home went to the next family on the reserve list, if one fits."),
            )
        else:
            attempt(
                request,
                lambda: services.do_withdraw_offer(offer, form.cleaned_data["reason"], user=user),
                _("Offer withdrawn."),
            )
    elif what == "swap":
        swap_form = SwapForm(request.POST)
        other = (
            Offer.objects.for_profile(profile).filter(pk=swap_form.cleaned_data["other"]).first()
            if swap_form.is_valid()
            else None
        )
        if other is None:
            messages.error(request, _("Not done: no such offer in your district."))
        else:
            attempt(
                request,
                lambda: services.do_propose_swap(offer, other, user=user),
                _("Swap proposed; both families must consent."),
            )
            return redirect("handover:swaps")
    elif what == "appeal":
        appeal_form = AppealForm(request.POST)
        if appeal_form.is_valid():
            attempt(
                request,
                lambda: services.do_file_appeal(
                    offer.household,
                    appeal_form.cleaned_data["kind"],
                    appeal_form.cleaned_data["text"],
                    offer=offer,
                    user=user,
                ),
                _("Appeal recorded."),
            )
    return redirect("handover:offer", pk=offer.pk)


@login_required
def swaps(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    rows = Swap.objects.for_profile(profile).select_related(
        "first__household",
        "second__household",
        "first__unit__building__complex__settlement",
        "second__unit__building__complex__settlement",
    )
    return render(
        request, "handover/swaps.html", {"swaps": rows, "can_write": profile.role in WRITERS}
    )


@login_required
@require_POST
def swap_consent(request: HttpRequest, pk: int, side: str) -> HttpResponse:
    profile = require_role(request, WRITERS)
    swap = get_object_or_404(
        Swap.objects.for_profile(profile).select_related("first", "second"), pk=pk
    )
    offer = swap.first if side == "first" else swap.second
    attempt(
        request,
        lambda: services.do_consent_swap(swap, offer.household, user=current_user(request)),
        _("Consent recorded."),
    )
    return redirect("handover:swaps")


@login_required
def appeals(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    rows = Appeal.objects.for_profile(profile).select_related("household", "offer")
    return render(
        request,
        "handover/appeals.html",
        {"appeals": rows, "can_write": profile.role in WRITERS, "decide": DecisionForm()},
    )


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    profile = require_role(request, WRITERS)
    appeal = get_object_or_404(Appeal.objects.for_profile(profile), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.do_decide_appeal(
                appeal,
                form.cleaned_data["status"],
                form.cleaned_data["decision"],
                user=current_user(request),
            ),
            _("Decision recorded."),
        )
    else:
        messages.error(request, _("Not done: give the decision and its reasons."))
    return redirect("handover:appeals")


@login_required
def convoys(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    convoy_form = ConvoyForm(request.POST or None, profile=profile, prefix="c")
    point_form = PickupPointForm(request.POST or None, profile=profile, prefix="p")
    if request.method == "POST":
        require_role(request, WRITERS)
        form = convoy_form if "c-name" in request.POST else point_form
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("handover:convoys")
    rows = Convoy.objects.for_profile(profile).select_related("district", "destination")
    return render(
        request,
        "handover/convoys.html",
        {
            "convoys": rows,
            "convoy_form": convoy_form,
            "point_form": point_form,
            "can_write": profile.role in WRITERS,
        },
    )


@login_required
def convoy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = require_profile(request)
    convoy = get_object_or_404(Convoy.objects.for_profile(profile), pk=pk)
    bus_form = BusForm(request.POST or None, convoy=convoy, profile=profile)
    if request.method == "POST":
        require_role(request, WRITERS)
        if "pick" in request.POST or "picked" in request.POST:
            board_picked(request, profile, convoy)
            return redirect("handover:convoy", pk=convoy.pk)
        if "household" in request.POST:
            board_one(request, profile, convoy)
            return redirect("handover:convoy", pk=convoy.pk)
        if bus_form.is_valid():
            bus_form.instance.convoy = convoy
            try:
                bus_form.save()
            except IntegrityError:
                messages.error(request, _("Not done: this convoy already has a bus numbered so."))
            else:
                messages.success(request, _("Bus added."))
            return redirect("handover:convoy", pk=convoy.pk)
    buses = list(
        convoy.buses.select_related("pickup")
        .prefetch_related("passengers__household")
        .annotate(taken=Coalesce(Sum("passengers__seats"), 0))
    )
    for bus in buses:
        bus.free = bus.seats - bus.taken
    can_write = profile.role in WRITERS
    return render(
        request,
        "handover/convoy_detail.html",
        {
            "convoy": convoy,
            "buses": buses,
            "bus_form": bus_form,
            "can_write": can_write,
            "actions": status_actions(CONVOY, convoy.status, profile),
            "candidates": candidates_page(
                request, services.bus_candidates(convoy, Household.objects.for_profile(profile))
            )
            if can_write and convoy.status == ConvoyStatus.PLANNED and buses
            else None,
            "q": request.GET.get("q", "").strip(),
            # The bus chosen for the families picked: the first with a free seat.
            "first_free": next((b.pk for b in buses if b.free > 0), None),
        },
    )


def board_one(request: HttpRequest, profile: Profile, convoy: Convoy) -> None:
    """One family by its registration number (the form under each bus)."""
    assign = AssignForm(request.POST)
    if not assign.is_valid():
        return
    bus = get_object_or_404(convoy.buses, pk=assign.cleaned_data["bus"])
    household = _household(profile, assign.cleaned_data["household"])
    if household is None:
        messages.error(request, _("Not done: no such family in your district."))
        return
    attempt(
        request,
        lambda: services.do_assign_to_bus(bus, household, user=current_user(request)),
        _("%(reg)s is on bus %(bus)s.") % {"reg": household.reg_number, "bus": bus.number},
    )


def board_picked(request: HttpRequest, profile: Profile, convoy: Convoy) -> None:
    """The families ticked in the list, on the bus chosen: all of them or none."""
    bus = convoy.buses.filter(pk=request.POST.get("bus") or 0).first()
    if bus is None:
        messages.error(request, _("Not done: choose the bus."))
        return
    try:
        families = picked_families(request, profile)
    except services.HandoverError as exc:
        messages.error(request, _("Not done: %(why)s") % {"why": exc})
        return
    attempt(
        request,
        lambda: services.do_assign_many_to_bus(bus, families, user=current_user(request)),
        ngettext(
            "%(n)d family is on bus %(bus)s: %(regs)s.",
            "%(n)d families are on bus %(bus)s: %(regs)s.",
            len(families),
        )
        % {
            "n": len(families),
            "bus": bus.number,
            "regs": ", ".join(f.reg_number for f in families),
        },
    )


@login_required
@require_POST
def convoy_status(request: HttpRequest, pk: int) -> HttpResponse:
    profile = require_profile(request)
    convoy = get_object_or_404(Convoy.objects.for_profile(profile), pk=pk)
    change_status(request, convoy, services.do_change_convoy, CONVOY)
    return redirect("handover:convoy", pk=convoy.pk)


@login_required
def manifest(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable passenger list of one bus: names, members, phone, seats."""
    profile = require_profile(request)
    bus = get_object_or_404(
        Bus.objects.for_profile(profile).select_related("convoy__destination", "pickup"), pk=pk
    )
    # A printable page with names and phones: taken away like a PDF document.
    require_export(request, AccessKind.MANIFEST, "html", check="pdf")
    passengers = list(
        bus.passengers.select_related("household").prefetch_related("household__members")
    )
    taken = sum(p.seats for p in passengers)
    do_record_access(
        request,
        AccessKind.MANIFEST,
        fmt="html",
        object_type="registry.household",
        ids=[p.household_id for p in passengers],
    )
    return render(
        request,
        "handover/manifest.html",
        {"bus": bus, "passengers": passengers, "taken": taken, "free": bus.seats - taken},
    )


@login_required
def ceremonies(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    form = CeremonyForm(request.POST or None, profile=profile)
    if request.method == "POST":
        require_role(request, WRITERS)
        if form.is_valid():
            ceremony = form.save()
            messages.success(request, _("Ceremony planned."))
            return redirect("handover:ceremony", pk=ceremony.pk)
    rows = Ceremony.objects.for_profile(profile).select_related("complex")
    return render(
        request,
        "handover/ceremonies.html",
        {"ceremonies": rows, "form": form, "can_write": profile.role in WRITERS},
    )


def _ceremony(request: HttpRequest, pk: int) -> tuple[Profile, Ceremony]:
    profile = require_profile(request)
    return profile, get_object_or_404(
        Ceremony.objects.for_profile(profile).select_related("complex"), pk=pk
    )


@login_required
def ceremony_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile, ceremony = _ceremony(request, pk)
    if request.method == "POST":
        require_role(request, WRITERS)
        if "picked" in request.POST:
            invite_picked(request, profile, ceremony)
        else:
            invite_one(request, profile, ceremony)
        return redirect("handover:ceremony", pk=ceremony.pk)
    invitations = list(
        ceremony.invitations.select_related("household", "unit__building__complex__settlement")
    )
    blockers = services.readiness_blockers(ceremony.complex)
    # Each home's own reasons (being built, its building unfinished), beside the complex's.
    per_home = services.home_blockers(
        (i.unit for i in invitations if not i.keys_handed_at), with_complex=False
    )
    for i in invitations:
        i.not_ready = per_home.get(i.unit_id, [])  # type: ignore[attr-defined]
    can_write = profile.role in WRITERS
    return render(
        request,
        "handover/ceremony_detail.html",
        {
            "ceremony": ceremony,
            "invitations": invitations,
            "invite": InviteForm(),
            "blockers": blockers,
            "can_write": can_write,
            "actions": status_actions(CEREMONY, ceremony.status, profile),
            # Keys and move-ins wait for the ceremony's day (services.check_ceremony_day).
            "before_the_day": timezone.localdate() < services.ceremony_day(ceremony),
            "candidates": candidates_page(
                request,
                services.ceremony_candidates(ceremony, Household.objects.for_profile(profile)),
            )
            if can_write and ceremony.status == CeremonyStatus.SCHEDULED
            else None,
            "q": request.GET.get("q", "").strip(),
        },
    )


def invite_one(request: HttpRequest, profile: Profile, ceremony: Ceremony) -> None:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return
    household = _household(profile, form.cleaned_data["household"])
    if household is None:
        messages.error(request, _("Not done: no such family in your district."))
        return
    attempt(
        request,
        lambda: services.do_invite(ceremony, household, user=current_user(request)),
        _("%(reg)s invited.") % {"reg": household.reg_number},
    )


def invite_picked(request: HttpRequest, profile: Profile, ceremony: Ceremony) -> None:
    """The families ticked in the list, invited: all of them or none."""
    try:
        families = picked_families(request, profile)
    except services.HandoverError as exc:
        messages.error(request, _("Not done: %(why)s") % {"why": exc})
        return
    attempt(
        request,
        lambda: services.do_invite_many(ceremony, families, user=current_user(request)),
        ngettext(
            "%(n)d family invited: %(regs)s.", "%(n)d families invited: %(regs)s.", len(families)
        )
        % {"n": len(families), "regs": ", ".join(f.reg_number for f in families)},
    )


@login_required
@require_POST
def ceremony_status(request: HttpRequest, pk: int) -> HttpResponse:
    _profile, ceremony = _ceremony(request, pk)
    change_status(request, ceremony, services.do_change_ceremony, CEREMONY)
    return redirect("handover:ceremony", pk=ceremony.pk)


@login_required
@require_POST
def ceremony_act(request: HttpRequest, pk: int, invitation: int, what: str) -> HttpResponse:
    require_role(request, WRITERS)
    _profile, ceremony = _ceremony(request, pk)
    inv = get_object_or_404(ceremony.invitations.select_related("household"), pk=invitation)
    user = current_user(request)
    if what in ("keys", "move-in") and not request.POST.get("confirm"):
        # Neither can be undone from the page: a tick box says it really happened.
        messages.error(request, _("Not done: tick the box to confirm it has happened."))
    elif what == "keys":
        attempt(
            request,
            lambda: services.do_hand_keys(inv, user=user),
            _("Keys handed to %(reg)s.") % {"reg": inv.household.reg_number},
        )
    elif what == "move-in":
        attempt(
            request,
            lambda: services.do_move_in(inv.household, timezone.localdate(), user=user),
            _("%(reg)s moved in.") % {"reg": inv.household.reg_number},
        )
    return redirect("handover:ceremony", pk=ceremony.pk)


@login_required
def ceremony_receipts(request: HttpRequest, pk: int, household: int | None = None) -> HttpResponse:
    """Key receipts as PDF: one family's, or every invited family's in one file."""
    _profile, ceremony = _ceremony(request, pk)
    require_export(request, AccessKind.RECEIPTS, "pdf")
    invitations = list(receipt_invitations(ceremony, household))
    if household and not invitations:
        return HttpResponse(status=404)
    pdf = receipts.receipts_pdf(invitations, birth_dates=may_see(request.user, "birth_date"))
    do_record_access(
        request,
        AccessKind.RECEIPTS,
        fmt="pdf",
        object_type="registry.household",
        ids=[i.household_id for i in invitations],
    )
    name = f"receipt-{ceremony.pk}-{household}.pdf" if household else f"receipts-{ceremony.pk}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
def occupancy(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    rows = Occupancy.objects.for_profile(profile).select_related(
        "household", "unit__building__complex__settlement"
    )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "handover/occupancy.html",
        {"page": page, "form": MoveOutForm(), "can_write": profile.role in WRITERS},
    )


@login_required
@require_POST
def move_out(request: HttpRequest, pk: int) -> HttpResponse:
    profile = require_role(request, WRITERS)
    occ = get_object_or_404(Occupancy.objects.for_profile(profile), pk=pk)
    form = MoveOutForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.do_move_out(
                occ,
                date.today(),
                form.cleaned_data["reason"],
                user=current_user(request),
                back_to_waiting=form.cleaned_data["back_to_waiting"],
            ),
            _("Move-out recorded; the home is free again."),
        )
    return redirect("handover:occupancy")


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    rows = (
        Message.objects.for_profile(profile)
        .exclude(template="one_time_code")
        .select_related("household")
    )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "handover/outbox.html", {"page": page})
