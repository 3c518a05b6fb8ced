"""REST API: readiness items, hazard areas (GeoJSON out), schools, stages; scoped by district."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from homecoming.core.api import ScopedViewSet, check_in_district
from homecoming.geography.models import Area
from homecoming.housing.models import ResidentialComplex
from homecoming.readiness import services
from homecoming.readiness.models import (
    HazardArea,
    HazardStatus,
    ItemKind,
    ReadinessItem,
    School,
    Stage,
)
from homecoming.readiness.planning import school_plans, stage_progress


class ItemSerializer(serializers.ModelSerializer[ReadinessItem]):
    kind = serializers.SlugRelatedField(slug_field="code", queryset=ItemKind.objects.all())
    settlement = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.settlements(), required=False, allow_null=True
    )
    complex = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ResidentialComplex.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = ReadinessItem
        fields = [
            "id",
            "kind",
            "settlement",
            "complex",
            *services.ITEM_FIELDS,
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # The conditional unique constraints are checked in validate() (DRF would otherwise
        # make both places required).
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        settlement = attrs.get("settlement", getattr(self.instance, "settlement", None))
        complex_ = attrs.get("complex", getattr(self.instance, "complex", None))
        if (settlement is None) == (complex_ is None):
            raise serializers.ValidationError(_("give either a settlement or a complex"))
        if self.instance is None:
            kind = attrs["kind"]
            taken = ReadinessItem.objects.filter(
                kind=kind, **({"complex": complex_} if complex_ else {"settlement": settlement})
            )
            if taken.exists():
                raise serializers.ValidationError(_("this item is already recorded for the place"))
        place = complex_.settlement if complex_ else settlement
        assert place is not None
        district = place.parent_id
        check_in_district(
            self.context["request"].profile, district, "complex" if complex_ else "settlement"
        )
        return attrs

    def create(self, validated_data: dict[str, Any]) -> ReadinessItem:
        kind = validated_data.pop("kind")
        return services.do_save_item(
            kind=kind,
            user=self.context["request"].user,
            settlement=validated_data.pop("settlement", None),
            complex_=validated_data.pop("complex", None),
            **validated_data,
        )

    def update(self, instance: ReadinessItem, validated_data: dict[str, Any]) -> ReadinessItem:
        for fixed in ("kind", "settlement", "complex"):
            validated_data.pop(fixed, None)
        return services.do_save_item(
            kind=instance.kind, item=instance, user=self.context["request"].user, **validated_data
        )


class ItemViewSet(ScopedViewSet):
    queryset = ReadinessItem.objects.select_related(
        "kind", "settlement", "complex__settlement"
    ).order_by("id")
    serializer_class = ItemSerializer
    filterset_fields = ["status"]


def hazard_feature(area: HazardArea) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": area.code,
        "geometry": area.geometry,
        "properties": {
            "code": area.code,
            "name": area.name,
            "status": area.status,
            "district": area.district.code,
            "released_on": area.released_on.isoformat() if area.released_on else None,
        },
    }


class HazardSerializer(serializers.ModelSerializer[HazardArea]):
    district: serializers.SlugRelatedField[Area] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = HazardArea
        fields = ["id", "code", "name", "district", "status", "released_on"]
        # PATCH goes through HazardStatusInput and do_set_hazard_status (the IMAS steps).
        read_only_fields = ["status", "released_on"]

    def to_representation(self, instance: HazardArea) -> dict[str, Any]:
        return hazard_feature(instance)


class HazardStatusInput(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=HazardStatus.choices)
    released_on = serializers.DateField(required=False, allow_null=True)


class HazardPropertiesOut(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=HazardStatus.choices)
    district = serializers.CharField()
    released_on = serializers.DateField(allow_null=True)


class HazardFeatureOut(serializers.Serializer):  # type: ignore[type-arg]
    """What the hazard endpoints answer (GeoJSON), described for the schema."""

    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField()
    geometry = serializers.JSONField()
    properties = HazardPropertiesOut()


@extend_schema_serializer(many=False)
class HazardCollectionOut(serializers.Serializer):  # type: ignore[type-arg]
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = HazardFeatureOut(many=True)


@extend_schema_view(
    list=extend_schema(responses=HazardCollectionOut),
    retrieve=extend_schema(responses=HazardFeatureOut),
    partial_update=extend_schema(request=HazardStatusInput, responses=HazardFeatureOut),
)
class HazardViewSet(ScopedViewSet):
    """Hazard areas as GeoJSON. Import through the map page; status changes by PATCH."""

    queryset = HazardArea.objects.select_related("district").order_by("code")
    serializer_class = HazardSerializer
    http_method_names = ["get", "patch", "head", "options"]
    pagination_class = None
    input_serializers = {"partial_update": HazardStatusInput}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        features = [hazard_feature(a) for a in self.filter_queryset(self.get_queryset())]
        return Response({"type": "FeatureCollection", "features": features})

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        area = self.get_object()
        data = self.validated_input()
        services.do_set_hazard_status(
            area, data["status"], request.user, released_on=data.get("released_on")
        )
        return Response(hazard_feature(area))


class SchoolSerializer(serializers.ModelSerializer[School]):
    settlement = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.settlements()
    )

    class Meta:
        model = School
        fields = [
            "id",
            "name",
            "kind",
            "settlement",
            "permanent_capacity",
            "permanent_opens_on",
            "modular_capacity",
            "modular_opens_on",
        ]

    def validate_settlement(self, value: Area) -> Area:
        check_in_district(self.context["request"].profile, value.parent_id, "settlement")
        return value


class SchoolViewSet(ScopedViewSet):
    queryset = (
        School.objects.select_related("settlement").prefetch_related("catchment").order_by("id")
    )
    serializer_class = SchoolSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        school = self.get_object()
        data = dict(self.get_serializer(school).data)
        (plan,) = school_plans([school])
        data["modular_needed_until_permanent"] = plan.modular_needed_until_permanent
        data["years"] = [
            {
                "year": y.label,
                "children": y.demand,
                "permanent": y.permanent,
                "modular": y.modular,
                "gap": y.gap,
                "modular_needed": y.modular_needed,
            }
            for y in plan.years
        ]
        return Response(data)


class StageSerializer(serializers.ModelSerializer[Stage]):
    settlement = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.settlements()
    )
    complexes = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=ResidentialComplex.objects.all(), required=False
    )

    class Meta:
        model = Stage
        fields = [
            "id",
            "settlement",
            "number",
            "name",
            "starts_on",
            "ends_on",
            "target_families",
            "target_persons",
            "complexes",
        ]

    def validate_settlement(self, value: Area) -> Area:
        check_in_district(self.context["request"].profile, value.parent_id, "settlement")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        settlement = attrs.get("settlement", getattr(self.instance, "settlement", None))
        complexes = attrs.get("complexes", [])
        outside = [c.code for c in complexes if settlement and c.settlement_id != settlement.pk]
        if outside:
            raise serializers.ValidationError(
                {
                    "complexes": _("not in the stage's settlement: %(codes)s")
                    % {"codes": ", ".join(outside)}
                }
            )
        return attrs


class StageViewSet(ScopedViewSet):
    queryset = (
        Stage.objects.select_related("settlement")
        .prefetch_related(
            Prefetch("complexes", queryset=ResidentialComplex.objects.select_related("settlement"))
        )
        .order_by("id")
    )
    serializer_class = StageSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        stage = self.get_object()
        data = dict(self.get_serializer(stage).data)
        (p,) = stage_progress([stage])
        data["progress"] = {
            "families_allocated": p.families_allocated,
            "families_returned": p.families_returned,
            "persons_allocated": p.persons_allocated,
            "persons_returned": p.persons_returned,
            "forecast": p.forecast.isoformat() if p.forecast else None,
            "complexes": [
                {
                    "code": c.complex.code,
                    "ready": c.assessment.ready,
                    "blockers": c.assessment.reasons,
                    "forecast": c.assessment.forecast.isoformat()
                    if c.assessment.forecast
                    else None,
                }
                for c in p.complexes
            ],
        }
        return Response(data)
