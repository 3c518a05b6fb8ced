from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response

from homecoming.accounts.permissions import ADMINISTRATORS, EDITORS
from homecoming.accounts.privacy import masked_model_fields, visible_fields
from homecoming.core.access import RecordedReads
from homecoming.core.api import ScopedViewSet, check_in_district
from homecoming.core.models import AccessKind, Erasure
from homecoming.geography.models import Area
from homecoming.registry import erasure, services
from homecoming.registry.filters import HouseholdFilter
from homecoming.registry.models import Group, Household, Person


@extend_schema_field({"type": "boolean", "nullable": True})
class MaskableBooleanField(serializers.BooleanField):
    """A yes/no personal field: null in a response when the reader may not see it."""


class MaskedFieldsMixin(serializers.Serializer):  # type: ignore[type-arg]
    """Personal fields the requesting user may not see are given empty ("" for text, null
    for dates, identity numbers and yes/no needs) and named in `masked_fields`
    (homecoming.accounts.privacy)."""

    masked_fields = serializers.SerializerMethodField(
        help_text="Personal fields hidden from you: your role does not include them."
    )

    def get_masked_fields(self, obj: Any) -> list[str]:
        request = self.context.get("request")
        return masked_model_fields(getattr(request, "user", None), list(self.fields))

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        for name in data.get("masked_fields", []):
            field = self.fields[name]
            text = isinstance(field, serializers.CharField) and not field.allow_null
            data[name] = "" if text else None
        return data


class PersonSerializer(MaskedFieldsMixin, serializers.ModelSerializer[Person]):
    household = serializers.SlugRelatedField(
        slug_field="reg_number", queryset=Household.objects.all()
    )
    needs_step_free = MaskableBooleanField(required=False)

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
            "masked_fields",
        ]

    def validate_household(self, value: Household) -> Household:
        check_in_district(self.context["request"].profile, value.district_id, "household")
        return value

    def validate_national_id(self, value: str | None) -> str | None:
        """Refused when taken by someone the writer can see; taken outside their scope, it
        is accepted and the pair goes to the duplicate review (no existence oracle)."""
        if not value:
            return None
        taken = Person.objects.for_profile(self.context["request"].profile).filter(
            national_id=value
        )
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        holder = taken.select_related("household").first()
        if holder is not None:
            raise serializers.ValidationError(
                _("already registered to a member of family %(reg)s")
                % {"reg": holder.household.reg_number}
            )
        return value

    def create(self, validated_data: dict[str, Any]) -> Person:
        person = super().create(validated_data)
        services.do_flag_shared_identities([person.national_id])
        return person

    def update(self, instance: Person, validated_data: dict[str, Any]) -> Person:
        person = super().update(instance, validated_data)
        services.do_flag_shared_identities([person.national_id])
        return person


class HouseholdSerializer(MaskedFieldsMixin, serializers.ModelSerializer[Household]):
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
    needs_step_free = MaskableBooleanField(read_only=True)

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
            "withdrawal_reason",
            "size",
            "needs_step_free",
            "created_at",
            "updated_at",
            "masked_fields",
        ]
        # A status changes only through the named actions (withdraw, offers, keys...).
        read_only_fields = ["status", "withdrawal_reason"]

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


class ReasonInput(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=400)


class ErasureInput(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=400)
    reference = serializers.CharField(max_length=100)


class ErasureSerializer(serializers.ModelSerializer[Erasure]):
    class Meta:
        model = Erasure
        fields = ["id", "at", "actor_name", "reason", "reference", "label", "fields", "counts"]


class GroupSerializer(serializers.ModelSerializer[Group]):
    households: serializers.SlugRelatedField[Household] = serializers.SlugRelatedField(
        slug_field="reg_number", many=True, read_only=True
    )

    class Meta:
        model = Group
        fields = ["id", "code", "kind", "name", "notes", "households"]


class HouseholdViewSet(RecordedReads, ScopedViewSet):
    """Displaced households. District officers see and edit only their district's."""

    read_kind = AccessKind.HOUSEHOLDS_API  # list and retrieve are recorded (core.access)

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
    write_roles = EDITORS
    input_serializers = {"withdraw": ReasonInput, "erase": ErasureInput}

    @extend_schema(request=ReasonInput, responses={200: HouseholdSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, reg_number: str) -> Response:
        """Withdraw a waiting family with a reason (409 if it is not waiting)."""
        reason = self.validated_input()["reason"]
        services.do_withdraw_household(self.get_object(), reason, request.user)
        return Response(self.get_serializer(self.get_queryset().get(reg_number=reg_number)).data)

    @extend_schema(request=None, responses={200: HouseholdSerializer})
    @action(detail=True, methods=["post"], write_roles=ADMINISTRATORS)
    def reinstate(self, request: Request, reg_number: str) -> Response:
        """Bring a withdrawn family back as registered (administrators)."""
        services.do_reinstate_household(self.get_object(), request.user)
        return Response(self.get_serializer(self.get_queryset().get(reg_number=reg_number)).data)

    @extend_schema(request=ErasureInput, responses={200: ErasureSerializer})
    @action(detail=True, methods=["post"], write_roles=ADMINISTRATORS)
    def erase(self, request: Request, reg_number: str) -> Response:
        """Erase the family's and its members' personal data on request (administrators;
        409 if already erased)."""
        data = self.validated_input()
        done = erasure.do_erase_household(
            self.get_object(), request.user, data["reason"], data["reference"]
        )
        return Response(ErasureSerializer(done).data)


class PersonSearch(SearchFilter):
    """`?search=`: names in any script through their keys (an index on PostgreSQL, see
    registry.search), and an identity number exactly, only for readers who see them."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        text = request.query_params.get(self.search_param, "")
        if not text.strip():
            return queryset
        return queryset.search(text, visible_fields(request.user))


class PersonViewSet(RecordedReads, ScopedViewSet):
    """Members of households. Search by identity number only for readers who see them (and
    so only within their scope); filtering by needs only for readers who see needs."""

    read_kind = AccessKind.PERSONS_API  # list and retrieve are recorded (core.access)
    queryset = Person.objects.select_related("household")
    serializer_class = PersonSerializer
    filterset_fields = ["household__reg_number", "sex", "relationship", "needs_step_free"]
    search_fields = ["surname", "given_name", "patronymic", "national_id"]
    filter_backends = [DjangoFilterBackend, PersonSearch, OrderingFilter]
    write_roles = EDITORS
    input_serializers = {"erase": ErasureInput}

    @extend_schema(request=ErasureInput, responses={200: ErasureSerializer})
    @action(detail=True, methods=["post"], write_roles=ADMINISTRATORS)
    def erase(self, request: Request, pk: str) -> Response:
        """Erase one member's personal data on request (administrators; 409 if already
        erased)."""
        data = self.validated_input()
        done = erasure.do_erase_person(
            self.get_object(), request.user, data["reason"], data["reference"]
        )
        return Response(ErasureSerializer(done).data)

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        personal = visible_fields(self.request.user)
        if "national_id" not in personal:
            self.search_fields = ["surname", "given_name", "patronymic"]
        if "needs" not in personal and "needs_step_free" in self.request.query_params:
            raise serializers.ValidationError(
                {"needs_step_free": _("Your role does not include health and needs data.")}
            )
        return queryset


class GroupViewSet(ScopedViewSet):
    """Groups of households that want to live together."""

    queryset = Group.objects.prefetch_related("households")
    serializer_class = GroupSerializer
    filterset_fields = ["kind"]
    search_fields = ["code", "name"]
    lookup_field = "code"
