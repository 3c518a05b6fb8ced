from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.core.scoping import ScopedFormMixin
from homecoming.geography.models import Level
from homecoming.registry.models import Household


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=400)


class HouseholdForm(ScopedFormMixin, forms.ModelForm[Household]):
    """What a district officer may correct on a family's file."""

    class Meta:
        model = Household
        # Status is not here: it follows allocation, offers and handover, never a hand edit.
        fields = [
            "shelter_kind",
            "shelter_address",
            "priority",
            "destination",
            "phone",
            "consent",
            "consent_on",
            "notes",
        ]
        widgets = {
            "consent_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        destination = self.fields["destination"]
        # Narrowed after the mixin has scoped it: settlements of the user's district.
        destination.queryset = destination.queryset.filter(level=Level.SETTLEMENT)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("consent") and not data.get("consent_on"):
            self.add_error("consent_on", _("Give the date the family consented."))
        return data


class ErasureForm(forms.Form):
    """An administrator's confirmation of an erasure on request."""

    reason = forms.CharField(label=_("Reason"), max_length=400)
    reference = forms.CharField(
        label=_("Request reference"),
        max_length=100,
        help_text=_("The number of the written request (letter, form, case file)."),
    )
