from __future__ import annotations

import tomllib
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.allocation import engine
from homecoming.allocation.models import Method
from homecoming.core.scoping import ScopedFormMixin
from homecoming.geography.models import Area
from homecoming.housing.models import ResidentialComplex
from homecoming.readiness.gate import blockers_for


class GatedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes for the complexes; those the readiness gate does not pass yet say why.

    Lots may be drawn for them in advance: their families' offers wait without a deadline
    until the homes are ready, and keys are refused until then."""

    not_ready: dict[int, str]

    def create_option(self, name: str, value: Any, label: Any, *args: Any, **kwargs: Any) -> Any:
        key = getattr(value, "value", value)
        if key in getattr(self, "not_ready", {}):
            label = self.not_ready[key]
        return super().create_option(name, value, label, *args, **kwargs)


class RunForm(ScopedFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    # The optimiser by default; every run of it also runs the lottery as its comparison.
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=Method.OPTIMAL)
    district = forms.ModelChoiceField(label=_("District"), queryset=Area.objects.districts())
    stage = forms.TypedChoiceField(
        label=_("Programme stage"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Takes every complex of this stage in the district, if none is ticked."),
    )
    complexes = forms.ModelMultipleChoiceField(
        label=_("Residential complexes"),
        queryset=ResidentialComplex.objects.select_related("settlement"),
        widget=GatedCheckboxes,
        required=False,
    )
    policy = forms.CharField(
        label=_("Policy (TOML, optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = ResidentialComplex.objects.values_list("stage", flat=True).distinct()
        self.fields["stage"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (s, _("Stage %(n)s") % {"n": s}) for s in sorted(set(stages))
        ]
        # The readiness gate is shown, not applied: programmes draw lots in advance, and
        # handover refuses deadlines and keys for homes not ready (homecoming.handover).
        field = self.fields["complexes"]
        complexes = list(field.queryset)  # type: ignore[attr-defined]
        found = blockers_for(complexes)
        field.widget.not_ready = {
            c.pk: _("%(complex)s — not ready yet (offers will wait for it): %(reasons)s")
            % {"complex": c, "reasons": " ".join(found[c.pk])}
            for c in complexes
            if found[c.pk]
        }

    def clean_policy(self) -> str:
        text: str = self.cleaned_data["policy"]
        if not text.strip():
            return text
        try:
            engine.Policy.from_toml(text)
        except (tomllib.TOMLDecodeError, engine.AllocationError, ValueError, TypeError) as exc:
            raise forms.ValidationError(
                _("The policy cannot be used: %(error)s"), params={"error": exc}
            ) from exc
        return text

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        district, complexes = data.get("district"), data.get("complexes")
        stage = data.get("stage")
        if district and not complexes and stage is not None:
            complexes = list(
                self.fields["complexes"].queryset.filter(  # type: ignore[attr-defined]
                    stage=stage, settlement__parent=district
                )
            )
            data["complexes"] = complexes
            if not complexes:
                self.add_error("stage", _("No complex of this stage in the district."))
        elif not complexes:
            self.add_error("complexes", _("Tick the complexes, or choose a stage."))
        if district and complexes:
            outside = [c for c in complexes if c.settlement.parent_id != district.pk]
            if outside:
                self.add_error(
                    "complexes",
                    _("%(names)s: not in the district %(district)s.")
                    % {"names": ", ".join(str(c) for c in outside), "district": district},
                )
        return data
