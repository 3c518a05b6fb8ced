"""REST API: nodes and edges (national: every role reads, administrators write) and the
accessibility of a settlement (scoped like every settlement)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from homecoming.accounts.models import profile_of
from homecoming.accounts.permissions import ADMINISTRATORS
from homecoming.core.api import ScopedViewSet
from homecoming.core.lifecycle import TransitionRefused
from homecoming.geography.models import Area
from homecoming.network import adapter
from homecoming.network.engine import parse_months
from homecoming.network.lifecycles import EDGE
from homecoming.network.models import EDGE_FIELDS, Edge, Node


class NodeSerializer(serializers.ModelSerializer[Node]):
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Node
        fields = ["node_id", "name", "lat", "lon", "kind", "role", "area"]


class EdgeSerializer(serializers.ModelSerializer[Edge]):
    from_node = serializers.SlugRelatedField(slug_field="node_id", queryset=Node.objects.all())
    to_node = serializers.SlugRelatedField(slug_field="node_id", queryset=Node.objects.all())

    class Meta:
        model = Edge
        fields = EDGE_FIELDS

    def validate_closed_months(self, value: str) -> str:
        try:
            return ",".join(str(m) for m in sorted(parse_months(value or "")))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def get(name: str) -> Any:
            return attrs.get(name, getattr(self.instance, name, None))

        for name in ("length_km", "speed_kmh", "minutes"):
            value = get(name)
            if value is not None and value <= 0:
                raise serializers.ValidationError({name: _("must be greater than 0")})
        if get("speed_kmh") is None and get("minutes") is None:
            raise serializers.ValidationError({"speed_kmh": _("give a speed or fixed minutes")})
        if get("from_node") == get("to_node"):
            raise serializers.ValidationError({"to_node": _("an edge joins two different nodes")})
        if self.instance is not None and not EDGE.allows(self.instance.status, get("status")):
            raise TransitionRefused(_("an open road is closed for works, not planned again"))
        return attrs


class NodeViewSet(ScopedViewSet):
    queryset = Node.objects.select_related("area")
    serializer_class = NodeSerializer
    lookup_field = "node_id"
    lookup_value_regex = "[^/]+"
    write_roles = ADMINISTRATORS


class EdgeViewSet(ScopedViewSet):
    queryset = Edge.objects.select_related("from_node", "to_node")
    serializer_class = EdgeSerializer
    lookup_field = "edge_id"
    lookup_value_regex = "[^/]+"
    write_roles = ADMINISTRATORS


def _reach(reach: adapter.Reach) -> dict[str, Any]:
    return {
        "minutes": None if reach.minutes is None else round(reach.minutes, 2),
        "node": reach.node_id,
    }


class AccessibilityViewSet(viewsets.ViewSet):
    """``GET /api/accessibility/<settlement code>/?month=M``: the year and the projects."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    write_roles = frozenset[str]()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "month", int, description=_("month of the year (1-12); default this month")
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def retrieve(self, request: Request, code: str | None = None) -> Response:
        profile = profile_of(request.user)
        assert profile is not None  # RolePermission has refused anyone without one
        area = get_object_or_404(Area.objects.for_profile(profile).settlements(), code=code)
        data = adapter.load()
        source = data.node_of_area(area.pk)
        if source is None:
            return Response({"settlement": area.code, "node": None, "months": [], "projects": []})
        today = timezone.localdate()
        try:
            month = min(max(int(request.query_params.get("month", today.month)), 1), 12)
        except ValueError:
            month = today.month
        on = today.replace(month=month, day=adapter.DAY_OF_MONTH)
        result = adapter.accessibility(data, source, area.parent_id, today.year, on)
        families = adapter.families_by_area([area.pk]).get(area.pk, 0)
        return Response(
            {
                "settlement": area.code,
                "node": source,
                "families": families,
                "months": [
                    {
                        "on": m.on.isoformat(),
                        "now": {str(r): _reach(m.now[r]) for r in adapter.DESTINATIONS},
                        "with_planned": {
                            str(r): _reach(m.planned[r]) for r in adapter.DESTINATIONS
                        },
                    }
                    for m in result.months
                ],
                "projects_on": on.isoformat(),
                "projects": [
                    {
                        "project": p.label,
                        "edges": list(p.edge_ids),
                        "status": p.status,
                        "opens_on": p.opens_on.isoformat() if p.opens_on else None,
                        "without": {str(r): _reach(p.before[r]) for r in adapter.DESTINATIONS},
                        "with": {str(r): _reach(p.after[r]) for r in adapter.DESTINATIONS},
                        "families": families if p.helps else 0,
                    }
                    for p in result.projects
                ],
            }
        )
