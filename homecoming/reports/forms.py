"""The form that asks for a report: month, language, and the district within the user's
scope (a district officer: theirs; the national roles: any, or the whole programme)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Profile
from homecoming.geography.models import Area


class ReportForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}), max_length=7
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("Whole programme"),
    )

    def __init__(self, *args: Any, profile: Profile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ModelChoiceField)
        # Only the districts the user sees: another district is "not one of the choices".
        field.queryset = Area.objects.for_profile(profile).districts().order_by("code")
        if profile.district_id is not None:
            field.required = True
            field.empty_label = None
        today = timezone.localdate()
        self.fields["month"].initial = f"{today:%Y-%m}"
        self.fields["language"].initial = (get_language() or "en")[:2]

    def clean_month(self) -> date:
        raw = self.cleaned_data["month"]
        try:
            month = date.fromisoformat(f"{raw}-01")
        except ValueError:
            raise forms.ValidationError(_("Give a month as YYYY-MM.")) from None
        if month > timezone.localdate() or month.year < 2000:
            raise forms.ValidationError(_("Choose this month or one before it."))
        return month
