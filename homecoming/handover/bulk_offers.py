"""Offers in bulk: families waiting for a home picked from a filtered list, each paired
with the free home that fits it best, confirmed by the officer, then offered together.

Three steps on one address (`handover:offer-pick`):
- GET: the filters, the waiting families (100 a page, check boxes) and the free homes;
- POST with `pick`: nothing is written; the confirmation page pairs each family with a
  home (`rules.pair_homes`) and says why;
- POST with `pair` ("family id:home id") and the `confirm` tick: every id is checked
  again against the officer's scope, then `services.do_make_offers` offers all the homes
  in one transaction, or none (the first refusal names its family).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homecoming.accounts.models import Profile
from homecoming.accounts.permissions import current_user, require_profile, require_role
from homecoming.allocation.models import AllocationRun
from homecoming.core.paging import bounded_page
from homecoming.handover import services
from homecoming.handover.forms import OfferPickFilter
from homecoming.handover.rules import pair_homes, policy_of
from homecoming.handover.views import (
    MAX_PICKED,
    WRITERS,
    attempt,
    in_scope,
    picked_families,
    picked_ids,
)
from homecoming.housing.models import Unit
from homecoming.registry.models import Household

#: The order free homes are looked at in, when two fit a family equally well.
HOME_ORDER = (
    "building__complex__code",
    "building__code",
    "floor",
    "number",
    "pk",
)


def free_homes(profile: Profile, complex_id: int | None) -> QuerySet[Unit]:
    """Homes in scope with no family and not offered (in the complex chosen, if one)."""
    homes = Unit.objects.for_profile(profile).allocatable()
    if complex_id:
        homes = homes.filter(building__complex_id=complex_id)
    return homes


def filter_form(data: QueryDict, profile: Profile) -> OfferPickFilter:
    """The filters bound to `data`. With no complex asked for and one complex in scope
    with free homes, that one is chosen (an officer of one district has often one)."""
    data = data.copy()
    if "complex" not in data:
        complexes = list(
            free_homes(profile, None)
            .order_by()
            .values_list("building__complex_id", flat=True)
            .distinct()[:2]
        )
        if len(complexes) == 1:
            data["complex"] = str(complexes[0])
    return OfferPickFilter(data, profile=profile)


def families_wanted(form: OfferPickFilter, profile: Profile) -> QuerySet[Household]:
    run = form.cleaned_data.get("run") if form.is_valid() else None
    candidates = services.offer_candidates(Household.objects.for_profile(profile), run)
    return form.families(candidates) if form.is_valid() else candidates.none()


@login_required
def offer_pick(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    if request.method == "POST":
        require_role(request, WRITERS)
        if "pair" in request.POST:
            return confirm(request, profile)
        return preview(request, profile)
    form = filter_form(request.GET, profile)
    run = form.cleaned_data.get("run") if form.is_valid() else None
    rows = Household.objects.with_size().select_related("origin")
    if run is not None:
        rows = services.offer_candidates(rows, run)
    page = bounded_page(families_wanted(form, profile), rows, request.GET.get("page"), 100)
    policy = policy_of(run)
    for h in page.object_list:
        h.band = policy.band(h.size)
    complex_id = form.cleaned_data.get("complex") if form.is_valid() else None
    homes = (
        free_homes(profile, complex_id.pk if complex_id else None)
        .values("building__complex__name", "rooms")
        .annotate(n=Count("pk"))
        .order_by("building__complex__name", "rooms")
    )
    return render(
        request,
        "handover/offer_pick.html",
        {
            "form": form,
            "page": page,
            "run": run,
            "complex": complex_id,
            "homes": list(homes),
            "can_write": profile.role in WRITERS,
            "max_picked": MAX_PICKED,
        },
    )


def preview(request: HttpRequest, profile: Profile) -> HttpResponse:
    """The confirmation page: each family ticked with the home it would be offered."""
    form = OfferPickFilter(request.POST, profile=profile)
    back = reverse("handover:offer-pick")
    try:
        if not form.is_valid():
            raise services.HandoverError(_("the run or complex chosen is not valid."))
        families = picked_families(request, profile)
    except services.HandoverError as exc:
        messages.error(request, _("Not done: %(why)s") % {"why": exc})
        return redirect(back)
    run = form.cleaned_data.get("run")
    complex_ = form.cleaned_data.get("complex")
    ordered = services.offer_candidates(
        Household.objects.with_size().select_related("origin"), run
    ).filter(pk__in=[h.pk for h in families])
    waiting = list(ordered)
    homes = list(
        free_homes(profile, complex_.pk if complex_ else None)
        .filter(building__complex__settlement__parent_id__in={h.district_id for h in waiting})
        .select_related("building__complex__settlement")
        .order_by(*HOME_ORDER)
    )
    blocked = services.home_blockers(homes)
    ready = [u for u in homes if not blocked[u.pk]]
    policy = policy_of(run)
    pairs = pair_homes(policy, waiting, ready)
    still_waiting = {w.pk for w in waiting}
    gone = [h for h in families if h.pk not in still_waiting]
    return render(
        request,
        "handover/offer_pick_confirm.html",
        {
            "pairs": pairs,
            "paired": sum(1 for _h, u in pairs if u is not None),
            "policy": policy,
            "run": run,
            "complex": complex_,
            "gone": gone,
            "not_ready": len(homes) - len(ready),
        },
    )


def confirm(request: HttpRequest, profile: Profile) -> HttpResponse:
    """Make the offers confirmed: every id checked against the scope, then all or none."""
    try:
        pairs, run = posted_pairs(request, profile)
    except services.HandoverError as exc:
        messages.error(request, _("Not done: %(why)s") % {"why": exc})
        return redirect("handover:offer-pick")
    if not request.POST.get("confirm"):
        messages.error(request, _("Not done: tick the box to confirm the offers."))
        return redirect("handover:offer-pick")
    regs = ", ".join(h.reg_number for _u, h in pairs)
    done = attempt(
        request,
        lambda: services.do_make_offers(pairs, user=current_user(request), run=run),
        ngettext("%(n)d offer made: %(regs)s.", "%(n)d offers made: %(regs)s.", len(pairs))
        % {"n": len(pairs), "regs": regs},
    )
    if done:
        return redirect(reverse("handover:overview") + "?status=pending")
    return redirect("handover:offer-pick")


def posted_pairs(
    request: HttpRequest, profile: Profile
) -> tuple[list[tuple[Unit, Household]], AllocationRun | None]:
    """The (home, family) pairs of the confirmation form and its run, each in scope.

    Raises `services.HandoverError` with a message for the person."""
    try:
        raw = [tuple(int(v) for v in p.split(":")) for p in request.POST.getlist("pair")]
    except ValueError:
        raise services.HandoverError(_("the list of families sent is not valid.")) from None
    if any(len(p) != 2 for p in raw):
        raise services.HandoverError(_("the list of families sent is not valid."))
    family_ids = picked_ids([str(p[0]) for p in raw])
    if len(family_ids) != len(raw):
        raise services.HandoverError(_("a family is paired with two homes."))
    families = in_scope(
        Household.objects.for_profile(profile),
        family_ids,
        _("family no. %(id)d is not among the families you may manage."),
    )
    homes = in_scope(
        Unit.objects.for_profile(profile),
        list(dict.fromkeys(p[1] for p in raw)),
        _("home no. %(id)d is not among the homes you may manage."),
    )
    by_pk = {u.pk: u for u in homes}
    run = None
    if request.POST.get("run"):
        form = OfferPickFilter(request.POST, profile=profile)
        if not form.is_valid() or form.cleaned_data.get("run") is None:
            raise services.HandoverError(_("the run or complex chosen is not valid."))
        run = form.cleaned_data["run"]
    return [(by_pk[p[1]], h) for p, h in zip(raw, families, strict=True)], run
