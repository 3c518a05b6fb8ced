from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from homecoming.core.api import ScopedViewSet, check_in_district
from homecoming.core.lifecycle import TransitionRefused
from homecoming.geography.models import Area
from homecoming.housing.gate import Verdict, assess
from homecoming.housing.lifecycles import CONSTRUCTION
from homecoming.housing.models import (
    HANDED_STATUSES,
    Building,
    Construction,
    ResidentialComplex,
    Unit,
)
from homecoming.registry.models import Household


class ComplexListSerializer(serializers.ListSerializer[ResidentialComplex]):
    """Assesses the whole page with the readiness gate at once (a fixed number of queries)."""

    def to_representation(self, data: Any) -> Any:
        complexes = list(data.all() if hasattr(data, "all") else data)
        self.child.context["readiness"] = assess(complexes)  # type: ignore[union-attr,index]
        return super().to_representation(complexes)


class ComplexSerializer(serializers.ModelSerializer[ResidentialComplex]):
    settlement = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.settlements()
    )
    ready = serializers.SerializerMethodField(
        help_text="The readiness gate: true only when every required item is recorded as done "
        "and no hazard area blocks (never true for what is not recorded)."
    )
    readiness_reasons = serializers.SerializerMethodField(
        help_text="Why the complex cannot receive families yet; empty when ready."
    )

    class Meta:
        model = ResidentialComplex
        fields = [
            "id",
            "code",
            "name",
            "settlement",
            "stage",
            "area_ha",
            "planned_families",
            "planned_start",
            "planned_completion",
            "actual_completion",
            "lat",
            "lon",
            "ready",
            "readiness_reasons",
        ]
        list_serializer_class = ComplexListSerializer

    def _assessment(self, obj: ResidentialComplex) -> Verdict:
        found = self.context.get("readiness") or {}
        if obj.pk not in found:
            found = assess([obj])
        return found[obj.pk]

    def get_ready(self, obj: ResidentialComplex) -> bool:
        return self._assessment(obj).ready

    def get_readiness_reasons(self, obj: ResidentialComplex) -> list[str]:
        return self._assessment(obj).reasons

    def validate_settlement(self, value: Area) -> Area:
        check_in_district(self.context["request"].profile, value.parent_id, "settlement")
        return value


class BuildingSerializer(serializers.ModelSerializer[Building]):
    complex = serializers.SlugRelatedField(
        slug_field="code", queryset=ResidentialComplex.objects.all()
    )

    class Meta:
        model = Building
        fields = ["id", "complex", "code", "kind", "phase", "floors", "has_lift", "lat", "lon"]

    def validate_complex(self, value: ResidentialComplex) -> ResidentialComplex:
        check_in_district(self.context["request"].profile, value.settlement.parent_id, "complex")
        return value


class UnitSerializer(serializers.ModelSerializer[Unit]):
    """A home with both its states: `construction` (planned, under_construction, built;
    editable) and `status`, its allocation (free, offered, allocated, keys_handed,
    occupied), which only the handover's actions change."""

    household: serializers.SlugRelatedField[Household] = serializers.SlugRelatedField(
        slug_field="reg_number", read_only=True, allow_null=True
    )

    class Meta:
        model = Unit
        fields = [
            "id",
            "building",
            "number",
            "rooms",
            "area_m2",
            "floor",
            "step_free",
            "construction",
            "status",
            "household",
        ]
        # A status changes only through the named actions (offers, keys, move-in...).
        read_only_fields = ["status"]

    def validate_construction(self, value: str) -> str:
        if (
            self.instance is not None
            and self.instance.status in HANDED_STATUSES
            and value != Construction.BUILT
        ):
            raise serializers.ValidationError(
                _("The keys of this home are handed; it stays built.")
            )
        if self.instance is not None and not CONSTRUCTION.allows(self.instance.construction, value):
            raise TransitionRefused(
                _("A home's works go planned, under construction, built (or reopen for repairs).")
            )
        return value

    def validate_building(self, value: Building) -> Building:
        check_in_district(
            self.context["request"].profile, value.complex.settlement.parent_id, "building"
        )
        return value


class ComplexViewSet(ScopedViewSet):
    queryset = ResidentialComplex.objects.select_related("settlement")
    serializer_class = ComplexSerializer
    filterset_fields = ["stage", "settlement__code"]
    search_fields = ["code", "name"]
    lookup_field = "code"


class BuildingViewSet(ScopedViewSet):
    queryset = Building.objects.select_related("complex")
    serializer_class = BuildingSerializer
    filterset_fields = ["kind", "phase", "complex__code"]


class UnitViewSet(ScopedViewSet):
    queryset = Unit.objects.select_related("household")
    serializer_class = UnitSerializer
    filterset_fields = {
        "rooms": ["exact", "gte", "lte"],
        "status": ["exact", "in"],
        "construction": ["exact", "in"],
        "step_free": ["exact"],
        "building": ["exact"],
        "building__complex__code": ["exact"],
    }
