"""Forms: editing one node or edge (administrators), uploading a network file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.core.files import LimitedFileField
from homecoming.core.scoping import ScopedFormMixin
from homecoming.network.engine import parse_months
from homecoming.network.lifecycles import EDGE
from homecoming.network.models import EDGE_FIELDS, Edge, Node


class NodeForm(ScopedFormMixin, forms.ModelForm[Node]):
    class Meta:
        model = Node
        fields = ["node_id", "name", "lat", "lon", "kind", "role", "area"]


class EdgeForm(ScopedFormMixin, forms.ModelForm[Edge]):
    from_node = forms.ModelChoiceField(Node.objects.all(), to_field_name="node_id", label=_("from"))
    to_node = forms.ModelChoiceField(Node.objects.all(), to_field_name="node_id", label=_("to"))

    class Meta:
        model = Edge
        fields = EDGE_FIELDS
        widgets = {"opens_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The choices are keyed by node_id, the model's initial by primary key: without
        # this an existing edge shows blank endpoints and cannot be saved unchanged.
        if self.instance.pk:
            self.initial["from_node"] = self.instance.from_node.node_id
            self.initial["to_node"] = self.instance.to_node.node_id

    def clean_closed_months(self) -> str:
        text: str = self.cleaned_data.get("closed_months") or ""
        try:
            months = parse_months(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return ",".join(str(m) for m in sorted(months))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("length_km", "speed_kmh", "minutes"):
            value = data.get(name)
            if value is not None and value <= 0:
                self.add_error(name, _("must be greater than 0"))
        if data.get("speed_kmh") is None and data.get("minutes") is None:
            self.add_error("speed_kmh", _("give a speed or fixed minutes"))
        if data.get("from_node") is not None and data.get("from_node") == data.get("to_node"):
            self.add_error("to_node", _("an edge joins two different nodes"))
        before, after = self.initial.get("status"), data.get("status")
        if self.instance.pk and before and after and not EDGE.allows(before, after):
            self.add_error("status", _("an open road is closed for works, not planned again"))
        return data


class ImportForm(forms.Form):
    file = LimitedFileField(
        label=_("Network file"),
        help_text=_(
            "nodes.csv (with edges.csv below), a GeoJSON FeatureCollection, or an OSM extract (.osm.pbf)."
        ),
    )
    edges = LimitedFileField(label=_("edges.csv"), required=False)
