from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.core.files import LimitedFileField, evidence_type, extension_for
from homecoming.core.scoping import ScopedFormMixin
from homecoming.geography.models import Area
from homecoming.readiness.models import HazardStatus, ReadinessItem
from homecoming.readiness.services import ITEM_FIELDS


class ItemForm(forms.ModelForm[ReadinessItem]):
    class Meta:
        model = ReadinessItem
        fields = list(ITEM_FIELDS)
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}),
            "planned_end": forms.DateInput(attrs={"type": "date"}),
            "actual_start": forms.DateInput(attrs={"type": "date"}),
            "actual_end": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
            if data.get(start) and data.get(end) and data[end] < data[start]:
                self.add_error(end, _("ends before it starts"))
        return data


def _checked_document(upload: Any) -> Any:
    """An evidence document of a type told by its content, stored under a name we make."""
    if not upload:
        return upload
    kind = evidence_type(upload)
    stem = re.sub(r"[^\w\-]+", "_", Path(upload.name or "document").stem)[:80] or "document"
    upload.name = stem + extension_for(kind)
    upload.content_type = kind
    return upload


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    file = LimitedFileField(
        label=_("Document"),
        limit_name="evidence_max_bytes",
        help_text=_("PDF, JPEG, PNG or plain text."),
    )

    def clean_file(self) -> Any:
        return _checked_document(self.cleaned_data.get("file"))


class HazardImportForm(ScopedFormMixin, forms.Form):
    district = forms.ModelChoiceField(label=_("District"), queryset=Area.objects.districts())
    file = LimitedFileField(label=_("GeoJSON file"))


class HazardStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=HazardStatus.choices)
    released_on = forms.DateField(
        label=_("Released on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    certificate = LimitedFileField(
        label=_("Handover certificate"),
        required=False,
        limit_name="evidence_max_bytes",
        help_text=_("PDF, JPEG, PNG or plain text."),
    )

    def clean_certificate(self) -> Any:
        return _checked_document(self.cleaned_data.get("certificate"))
