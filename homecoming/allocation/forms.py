from __future__ import annotations

import tomllib
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.allocation.models import Method
from homecoming.geography.models import Area
from homecoming.housing.models import ResidentialComplex


class RunForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    district = forms.ModelChoiceField(label=_("District"), queryset=Area.objects.districts())
    complexes = forms.ModelMultipleChoiceField(
        label=_("Residential complexes"),
        queryset=ResidentialComplex.objects.select_related("settlement"),
        widget=forms.CheckboxSelectMultiple,
    )
    policy = forms.CharField(
        label=_("Policy (TOML, optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_policy(self) -> str:
        text: str = self.cleaned_data["policy"]
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise forms.ValidationError(
                _("Policy is not valid TOML: %(error)s"), params={"error": exc}
            ) from exc
        return text

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        district, complexes = data.get("district"), data.get("complexes")
        if district and complexes:
            outside = [c for c in complexes if c.settlement.parent_id != district.pk]
            if outside:
                self.add_error(
                    "complexes",
                    _("%(names)s: not in the district %(district)s.")
                    % {"names": ", ".join(str(c) for c in outside), "district": district},
                )
        return data
