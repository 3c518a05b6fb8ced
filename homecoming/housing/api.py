from __future__ import annotations

from rest_framework import serializers

from homecoming.core.api import ScopedViewSet, check_in_district
from homecoming.geography.models import Area
from homecoming.housing.models import Building, ResidentialComplex, Unit
from homecoming.registry.models import Household


class ComplexSerializer(serializers.ModelSerializer[ResidentialComplex]):
    settlement = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.settlements()
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
        ]

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
            "status",
            "household",
        ]

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
        "step_free": ["exact"],
        "building": ["exact"],
        "building__complex__code": ["exact"],
    }
