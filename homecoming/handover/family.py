"""Self-service for families: sign in with registration number + SMS code, see the offer,
accept or decline it, see the convoy and the ceremony. Nothing of any other family.

A family is not a Django user: the session holds its household id after a good code.
Every page reads only rows of that household.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homecoming.core.audit import set_actor
from homecoming.core.clientip import client_key
from homecoming.handover import otp, services, why
from homecoming.handover.api import conflict_detail
from homecoming.handover.forms import CodeForm, DeclineForm, FamilyAppealForm, SignInForm
from homecoming.handover.models import (
    ACTIVE_OFFER,
    Appeal,
    Invitation,
    Offer,
    OfferStatus,
    Passenger,
    SignInAttemptKind,
)
from homecoming.registry.models import Household

SESSION_KEY = "family_household_id"
PENDING_KEY = "family_pending_reg"
View = Callable[..., HttpResponse]


def family_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        pk = request.session.get(SESSION_KEY)
        household = Household.objects.filter(pk=pk).first() if pk else None
        if household is None:
            return redirect("family:sign-in")
        # What the family does in its pages is recorded as the family's own act.
        set_actor(label=f"family {household.reg_number}")
        return view(request, household, *args, **kwargs)

    return wrapper


def _locked_text(locked: otp.Locked) -> str:
    # Each text names whose limit it is, never whether the number is a family's: a number's
    # counters run the same for numbers that do not exist.
    until = date_format(timezone.localtime(locked.until), "SHORT_DATETIME_FORMAT")
    texts = {
        SignInAttemptKind.CODE_CLIENT: _(
            "Too many codes were asked for from your connection. Try again after %(until)s."
        ),
        SignInAttemptKind.FAIL_CLIENT: _(
            "Too many wrong codes were entered from your connection. Try again after %(until)s."
        ),
        SignInAttemptKind.FAIL_NUMBER: _(
            "Too many wrong codes were entered for this registration number. "
            "Try again after %(until)s."
        ),
    }
    return texts[SignInAttemptKind(locked.kind)] % {"until": until}


def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reg = form.cleaned_data["reg_number"].strip()
        try:
            otp.do_request_code(reg, client_key(request), get_language() or "az")
        except otp.Locked as locked:
            form.add_error(None, _locked_text(locked))
            context = {"form": form}
            return render(request, "handover/family/sign_in.html", context, status=429)
        # One answer whether the number is a family's, has a phone, or has used up its codes.
        request.session[PENDING_KEY] = reg
        messages.success(
            request,
            _(
                "If this registration number is ours, a code was sent to the family's phone. "
                "No SMS within a few minutes? Codes are limited: try again later or call "
                "the programme's office."
            ),
        )
        return redirect("family:code")
    return render(request, "handover/family/sign_in.html", {"form": form})


def enter_code(request: HttpRequest) -> HttpResponse:
    reg = request.session.get(PENDING_KEY)
    if not reg:
        return redirect("family:sign-in")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            household = otp.do_check_code(reg, client_key(request), form.cleaned_data["code"])
        except otp.Locked as locked:
            form.add_error("code", _locked_text(locked))
            status = 429
        else:
            if household is not None:
                request.session.cycle_key()
                request.session[SESSION_KEY] = household.pk
                request.session.pop(PENDING_KEY, None)
                return redirect("family:home")
            form.add_error("code", _("This code is wrong or expired."))
    context = {"form": form, "reg": reg, "digits": settings.FAMILY_CODE_DIGITS}
    return render(request, "handover/family/code.html", context, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    return redirect("family:sign-in")


@family_required
def home(request: HttpRequest, household: Household) -> HttpResponse:
    offers = Offer.objects.filter(household=household).select_related(
        "unit__building__complex__settlement"
    )
    current = next((o for o in offers if o.status in ACTIVE_OFFER), None)
    past = [o for o in offers if o.status not in ACTIVE_OFFER]
    why.attach([current])
    seat = (
        Passenger.objects.filter(household=household)
        .select_related("bus__convoy", "bus__pickup")
        .order_by("-bus__convoy__departs_on")
        .first()
    )
    invitation = (
        Invitation.objects.filter(household=household)
        .select_related("ceremony")
        .order_by("-ceremony__held_at")
        .first()
    )
    return render(
        request,
        "handover/family/home.html",
        {
            "household": household,
            "members": household.members.all(),
            "offer": current,
            "past": past,
            "overdue": current is not None
            and current.status == OfferStatus.PENDING
            and current.deadline is not None
            and current.deadline < timezone.now(),
            "seat": seat,
            "invitation": invitation,
            "decline": DeclineForm(),
            "appeals": Appeal.objects.filter(household=household).order_by("-created_at"),
            "appeal_form": FamilyAppealForm(),
        },
    )


@require_POST
@family_required
def appeal(request: HttpRequest, household: Household) -> HttpResponse:
    """A family files an appeal or a grievance itself; an officer decides it."""
    form = FamilyAppealForm(request.POST)
    if form.is_valid():
        services.do_file_appeal(
            household,
            form.cleaned_data["kind"],
            form.cleaned_data["text"],
            actor=_("family %(reg)s") % {"reg": household.reg_number},
        )
        messages.success(request, _("Your appeal is recorded. An officer will answer it."))
    else:
        messages.error(request, _("Please choose the kind and write what happened."))
    return redirect("family:home")


@require_POST
@family_required
def answer(request: HttpRequest, household: Household, pk: int, what: str) -> HttpResponse:
    offer = get_object_or_404(Offer, pk=pk, household=household)
    actor = _("family %(reg)s") % {"reg": household.reg_number}
    try:
        if what == "accept":
            if request.POST.get("confirm") != "yes":
                # Accepting is final: the family confirms it, not one stray tap.
                messages.error(request, _("Tick the box to confirm that you accept this home."))
                return redirect("family:home")
            services.do_accept_offer(offer, actor=actor)
            messages.success(request, _("Thank you. The home is yours."))
        else:
            form = DeclineForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Please tell us why you decline."))
                return redirect("family:home")
            services.do_decline_offer(offer, form.cleaned_data["reason"], actor=actor)
            messages.success(request, _("Your answer is recorded: you declined this home."))
    except (services.HandoverError, IntegrityError) as exc:
        messages.error(request, conflict_detail(exc))
    return redirect("family:home")
