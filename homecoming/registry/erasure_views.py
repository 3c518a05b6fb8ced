"""Erasure on request, from the family page: administrators only, behind a confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from homecoming.accounts.permissions import ADMINISTRATORS, current_user, require_role
from homecoming.registry import erasure
from homecoming.registry.forms import ErasureForm
from homecoming.registry.models import Household, Person


@login_required
def household_erase(request: HttpRequest, reg_number: str) -> HttpResponse:
    """Erase a family's personal data and its members' (POST), after a confirmation (GET)."""
    profile = require_role(request, ADMINISTRATORS)
    household = get_object_or_404(Household.objects.for_profile(profile), reg_number=reg_number)
    return _confirm(request, household, None)


@login_required
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase one member's personal data (POST), after a confirmation (GET)."""
    profile = require_role(request, ADMINISTRATORS)
    person = get_object_or_404(
        Person.objects.for_profile(profile).select_related("household"), pk=pk
    )
    return _confirm(request, person.household, person)


def _confirm(request: HttpRequest, household: Household, person: Person | None) -> HttpResponse:
    done = erasure.erasure_of(person or household)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = current_user(request)
        data = form.cleaned_data
        try:
            if person is None:
                erasure.do_erase_household(household, actor, data["reason"], data["reference"])
            else:
                erasure.do_erase_person(person, actor, data["reason"], data["reference"])
        except erasure.AlreadyErased as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The personal data is erased."))
        return redirect("household", reg_number=household.reg_number)
    return render(
        request,
        "registry/erase.html",
        {"household": household, "person": person, "form": form, "done": done},
    )
