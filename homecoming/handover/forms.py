from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Profile
from homecoming.allocation.models import AllocationRun, RunStatus
from homecoming.core.scoping import ScopedFormMixin, preselect_single_choices
from homecoming.geography.models import Area
from homecoming.handover.models import AppealKind, AppealStatus, Bus, Ceremony, Convoy, PickupPoint
from homecoming.housing.models import ResidentialComplex
from homecoming.registry.models import Household, Person


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why do you decline?"), max_length=400)


class ManualOfferForm(forms.Form):
    household = forms.CharField(label=_("Registration number"), max_length=30)
    unit = forms.IntegerField(label=_("Unit number (ID)"), min_value=1)


class SwapForm(forms.Form):
    other = forms.IntegerField(label=_("Swap with offer no."), min_value=1)


class AppealForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AppealKind.choices)
    text = forms.CharField(
        label=_("What the family says"), widget=forms.Textarea(attrs={"rows": 3})
    )


class FamilyAppealForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AppealKind.choices)
    text = forms.CharField(
        label=_("What happened?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[(AppealStatus.UPHELD, _("Upheld")), (AppealStatus.REJECTED, _("Rejected"))],
    )
    decision = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}))


class ScopedForm(ScopedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    """One district's plans: its choices in the user's scope, its complex in its district."""

    def __init__(self, *args: Any, profile: Profile, **kwargs: Any) -> None:
        super().__init__(*args, profile=profile, **kwargs)
        if "district" in self.fields:
            field = self.fields["district"]
            field.queryset = field.queryset.filter(level="district")  # type: ignore[attr-defined]
            preselect_single_choices(self, self.profile)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        district = data.get("district")
        for name in ("destination", "complex"):
            place = data.get(name)
            if (
                district is not None
                and place is not None
                and place.settlement.parent_id != district.pk
            ):
                self.add_error(name, _("not in this district"))
        return data


class PickupPointForm(ScopedForm):
    class Meta:
        model = PickupPoint
        fields = ["district", "name", "address"]


class ConvoyForm(ScopedForm):
    class Meta:
        model = Convoy
        fields = ["district", "name", "departs_on", "destination"]
        widgets = {"departs_on": forms.DateInput(attrs={"type": "date"})}


class BusForm(ScopedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, convoy: Convoy, profile: Profile, **kwargs: Any) -> None:
        super().__init__(*args, profile=profile, **kwargs)
        pickup = self.fields["pickup"]
        pickup.queryset = pickup.queryset.filter(district=convoy.district)  # type: ignore[attr-defined]

    class Meta:
        model = Bus
        fields = ["number", "plate", "seats", "pickup", "departs_at"]
        widgets = {"departs_at": forms.TimeInput(attrs={"type": "time"})}


class AssignForm(forms.Form):
    bus = forms.IntegerField(widget=forms.HiddenInput)
    household = forms.CharField(label=_("Registration number"), max_length=30)


class CeremonyForm(ScopedForm):
    class Meta:
        model = Ceremony
        fields = ["district", "complex", "held_at", "place"]
        widgets = {"held_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}


class InviteForm(forms.Form):
    household = forms.CharField(label=_("Registration number"), max_length=30)


class MoveOutForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
    back_to_waiting = forms.BooleanField(label=_("Back on the waiting list"), required=False)


class SignInForm(forms.Form):
    reg_number = forms.CharField(
        label=_("Registration number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        digits = settings.FAMILY_CODE_DIGITS
        field = self.fields["code"]
        field.validators.append(
            RegexValidator(
                rf"^\s*[0-9]{{{digits}}}\s*$",
                _("The code has %(digits)s digits.") % {"digits": digits},
            )
        )
        field.widget.attrs["maxlength"] = str(digits)


class OfferPickFilter(forms.Form):
    """Which waiting families to list for offers, and which free homes to pair them with.

    Every choice is narrowed to the officer's scope; an officer of one district is not
    asked for the district."""

    district = forms.ModelChoiceField(
        label=_("District"), queryset=Area.objects.districts(), required=False
    )
    origin = forms.ModelChoiceField(
        label=_("Settlement of origin"), queryset=Area.objects.settlements(), required=False
    )
    size = forms.IntegerField(label=_("Persons"), min_value=1, max_value=40, required=False)
    priority = forms.IntegerField(label=_("Priority at least"), min_value=0, required=False)
    run = forms.ModelChoiceField(
        label=_("Reserve list of the run"),
        queryset=AllocationRun.objects.filter(status=RunStatus.APPROVED),
        required=False,
    )
    complex = forms.ModelChoiceField(
        label=_("Free homes in"), queryset=ResidentialComplex.objects.all(), required=False
    )
    q = forms.CharField(label=_("Registration number"), max_length=30, required=False)

    def __init__(self, *args: Any, profile: Profile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["origin"].queryset = Area.objects.settlements().for_profile(profile)  # type: ignore[attr-defined]
        fields["run"].queryset = (  # type: ignore[attr-defined]
            AllocationRun.objects.for_profile(profile)
            .filter(status=RunStatus.APPROVED)
            .only("pk", "name")
        )
        fields["complex"].queryset = ResidentialComplex.objects.for_profile(profile)  # type: ignore[attr-defined]
        if profile.district_id is not None:
            del fields["district"]

    def families(self, candidates: QuerySet[Household]) -> QuerySet[Household]:
        """`candidates` narrowed by the filters (call after `is_valid`)."""
        data = self.cleaned_data
        if data.get("district"):
            candidates = candidates.filter(district=data["district"])
        if data.get("origin"):
            candidates = candidates.filter(origin=data["origin"])
        if data.get("priority") is not None:
            candidates = candidates.filter(priority__gte=data["priority"])
        if data.get("q"):
            candidates = candidates.filter(reg_number__icontains=data["q"].strip())
        if data.get("size"):
            members = Person.objects.filter(household=OuterRef("pk"))
            sized = members.order_by().values("household").annotate(n=Count("pk")).values("n")
            candidates = candidates.annotate(persons=Subquery(sized)).filter(persons=data["size"])
        return candidates
