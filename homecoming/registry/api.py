from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from homecoming.core.api import ScopedViewSet, check_in_district
from homecoming.geography.models import Area
from homecoming.registry.filters import HouseholdFilter
from homecoming.registry.models import Group, Household, Person


class PersonSerializer(serializers.ModelSerializer[Person]):
    household = serializers.SlugRelatedField(
        slug_field="reg_number", queryset=Household.objects.all()
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "surname",
            "given_name",
            "patronymic",
            "sex",
            "birth_date",
            "national_id",
            "relationship",
            "needs_step_free",
            "other_needs",
        ]

    def validate_household(self, value: Household) -> Household:
        check_in_district(self.context["request"].profile, value.district_id, "household")
        return value


class HouseholdSerializer(serializers.ModelSerializer[Household]):
    origin = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.settlements())
    destination = serializers.SlugRelatedField(
        slug_field="code", allow_null=True, required=False, queryset=Area.objects.settlements()
    )
    group = serializers.SlugRelatedField(
        slug_field="code", allow_null=True, required=False, queryset=Group.objects.all()
    )
    district: serializers.SlugRelatedField[Area] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    size = serializers.IntegerField(read_only=True)
    needs_step_free = serializers.BooleanField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "reg_number",
            "origin",
            "district",
            "destination",
            "shelter_kind",
            "shelter_address",
            "priority",
            "registered_on",
            "status",
            "consent",
            "consent_on",
            "phone",
            "group",
            "notes",
            "size",
            "needs_step_free",
            "created_at",
            "updated_at",
        ]

    def validate_origin(self, value: Area) -> Area:
        check_in_district(self.context["request"].profile, value.parent_id, "origin")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("consent") and not attrs.get("consent_on"):
            raise serializers.ValidationError({"consent_on": _("required when consent is given")})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Household:
        validated_data["district_id"] = validated_data["origin"].parent_id
        return super().create(validated_data)

    def update(self, instance: Household, validated_data: dict[str, Any]) -> Household:
        if "origin" in validated_data:
            validated_data["district_id"] = validated_data["origin"].parent_id
        return super().update(instance, validated_data)


class GroupSerializer(serializers.ModelSerializer[Group]):
    households: serializers.SlugRelatedField[Household] = serializers.SlugRelatedField(
        slug_field="reg_number", many=True, read_only=True
    )

    class Meta:
        model = Group
        fields = ["id", "code", "kind", "name", "notes", "households"]


class HouseholdViewSet(ScopedViewSet):
    """Displaced households. District officers see and edit only their district's."""

    # Ordered explicitly: the size annotation groups rows, which drops Meta.ordering.
    queryset = (
        Household.objects.with_size()
        .select_related("origin", "district", "destination", "group")
        .order_by("reg_number")
    )
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    ordering_fields = ["reg_number", "priority", "registered_on"]
    lookup_field = "reg_number"


class PersonViewSet(ScopedViewSet):
    queryset = Person.objects.select_related("household")
    serializer_class = PersonSerializer
    filterset_fields = ["household__reg_number", "sex", "relationship", "needs_step_free"]
    search_fields = ["surname", "given_name", "patronymic", "national_id"]


class GroupViewSet(ScopedViewSet):
    """Groups of households that want to live together."""

    queryset = Group.objects.prefetch_related("households")
    serializer_class = GroupSerializer
    filterset_fields = ["kind"]
    search_fields = ["code", "name"]
    lookup_field = "code"
