from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homecoming.accounts.permissions import EDITORS, current_user, require_profile, require_role
from homecoming.core.access import do_record_access
from homecoming.core.htmx import is_htmx
from homecoming.core.lifecycle import TransitionRefused
from homecoming.core.models import AccessKind
from homecoming.core.paging import bounded_page
from homecoming.registry import services
from homecoming.registry.erasure import erasures_of_family
from homecoming.registry.filters import HouseholdFilter
from homecoming.registry.forms import HouseholdForm, WithdrawForm
from homecoming.registry.models import Household, Person
from homecoming.registry.sections import family_sections


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    """The families in the officer's scope, filtered and searched; a page costs the same
    few queries on page 1 and page 4,000 of a national registry (core.paging)."""
    profile = require_profile(request)
    scoped = Household.objects.for_profile(profile)
    filterset = HouseholdFilter(request.GET, queryset=scoped, request=request)
    filterset.form.fields["origin"].queryset = filterset.form.fields["origin"].queryset.filter(
        Exists(scoped.filter(origin=OuterRef("pk")))
    )
    page = bounded_page(
        filterset.qs.order_by("-priority", "registered_on", "reg_number"),
        scoped.with_size().select_related("origin", "group"),
        request.GET.get("page"),
    )
    heads = {
        p.household_id: p
        for p in Person.objects.filter(
            household__in=[h.pk for h in page.object_list], relationship="head"
        )
    }
    for h in page.object_list:
        h.head_person = heads.get(h.pk)
    do_record_access(
        request,
        AccessKind.HOUSEHOLD_LIST,
        fmt="html",
        object_type="registry.household",
        ids=[h.pk for h in page.object_list],
    )
    template = (
        "registry/_household_rows.html" if is_htmx(request) else "registry/household_list.html"
    )
    return render(request, template, {"filter": filterset, "page": page})


@login_required
def household_detail(request: HttpRequest, reg_number: str) -> HttpResponse:
    profile = require_profile(request)
    household = get_object_or_404(
        Household.objects.for_profile(profile)
        .select_related("origin", "district", "destination", "group")
        .prefetch_related(Prefetch("members", queryset=Person.objects.order_by("id"))),
        reg_number=reg_number,
    )
    group_members = (
        Household.objects.for_profile(profile)
        .filter(group=household.group)
        .exclude(pk=household.pk)
        .with_size()
        .select_related("origin")
        if household.group
        else []
    )
    home = getattr(household, "home", None)
    erasures = erasures_of_family(household)
    for person in household.members.all():
        person.erasure = erasures.get(str(person.pk)) or erasures.get("family")  # type: ignore[attr-defined]
    do_record_access(
        request,
        AccessKind.HOUSEHOLD_PAGE,
        fmt="html",
        object_type="registry.household",
        ids=[household.pk],
    )
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "group_members": group_members,
            "sections": family_sections(household, profile),
            "home": home,
            "withdraw_form": WithdrawForm(),
            "erasures": erasures,
        },
    )


@login_required
def household_edit(request: HttpRequest, reg_number: str) -> HttpResponse:
    """Correct a family's file: administrators, and district officers for their district."""
    profile = require_role(request, EDITORS)
    household = get_object_or_404(Household.objects.for_profile(profile), reg_number=reg_number)
    form = HouseholdForm(request.POST or None, instance=household, profile=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("household", reg_number=household.reg_number)
    return render(request, "registry/household_edit.html", {"household": household, "form": form})


@require_POST
@login_required
def household_status(request: HttpRequest, reg_number: str, action: str) -> HttpResponse:
    """Withdraw a waiting family with a reason, or (administrators) reinstate it."""
    profile = require_role(request, EDITORS)
    household = get_object_or_404(Household.objects.for_profile(profile), reg_number=reg_number)
    try:
        if action == "withdraw":
            form = WithdrawForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give the reason for the withdrawal."))
                return redirect("household", reg_number=reg_number)
            services.do_withdraw_household(
                household, form.cleaned_data["reason"], current_user(request)
            )
            messages.success(request, _("The family is withdrawn."))
        elif action == "reinstate":
            services.do_reinstate_household(household, current_user(request))
            messages.success(request, _("The family is registered again."))
        else:
            raise Http404
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    return redirect("household", reg_number=reg_number)
