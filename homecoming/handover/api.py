"""REST API of the handover. Thin: validate, check the role, call a service.

Every POST honours an `Idempotency-Key` (`homecoming.core.idempotency`). A refusal caused
by the state of the data (a home already taken, an offer already answered, a bus full, a
database constraint) is a 409 Conflict with a readable `detail`, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import django_filters
from django.db import IntegrityError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from homecoming.accounts.models import profile_of
from homecoming.accounts.permissions import ALLOCATORS, EDITORS
from homecoming.accounts.privacy import may_see
from homecoming.core.api import ScopedViewSet, check_in_district
from homecoming.core.models import AuditEvent
from homecoming.handover import history, receipts, services
from homecoming.handover.models import (
    Appeal,
    AppealStatus,
    Bus,
    Ceremony,
    Convoy,
    Invitation,
    Message,
    Occupancy,
    Offer,
    Passenger,
    PickupPoint,
    Swap,
)
from homecoming.housing.models import Unit
from homecoming.registry.models import Household

WRITERS = EDITORS | ALLOCATORS


def conflict_detail(exc: Exception) -> str:
    if isinstance(exc, IntegrityError):
        return _(
            "This change conflicts with the current records (a home or a family can hold "
            "only one active offer, a home only one family). Reload and try again."
        )
    return str(exc)


def conflict_body(exc: Exception) -> dict[str, Any]:
    """The 409 body: `detail`, and for a home not ready the list of `reasons`."""
    if isinstance(exc, services.NotReady):
        return {"detail": str(exc), "reasons": exc.reasons}
    return {"detail": conflict_detail(exc)}


class HandoverErrorsMixin:
    """Turn refusals into 409 (state) or 400 (request), never 500."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.Conflict | services.NotReady | IntegrityError):
            return Response(conflict_body(exc), status=status.HTTP_409_CONFLICT)
        if isinstance(exc, services.HandoverError):
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)  # type: ignore[misc,no-any-return]


class OfferSerializer(serializers.ModelSerializer[Offer]):
    household = serializers.SlugRelatedField[Household](slug_field="reg_number", read_only=True)
    address = serializers.CharField(source="unit.address", read_only=True)
    rooms = serializers.IntegerField(source="unit.rooms", read_only=True)
    floor = serializers.IntegerField(source="unit.floor", read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "run",
            "household",
            "unit",
            "address",
            "rooms",
            "floor",
            "status",
            "reason",
            "from_reserve",
            "deadline",
            "created_at",
            "answered_at",
            "answered_by",
            "decline_reason",
        ]
        read_only_fields = fields


class OfferCreateSerializer(serializers.Serializer[Any]):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    household = serializers.SlugRelatedField(
        slug_field="reg_number", queryset=Household.objects.all()
    )
    deadline = serializers.DateTimeField(required=False)


class HouseholdRef(serializers.Serializer[Any]):
    household = serializers.SlugRelatedField(
        slug_field="reg_number", queryset=Household.objects.all()
    )


class DeclineSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=400)


class OfferViewSet(HandoverErrorsMixin, ScopedViewSet):
    """Offers: list, make one by hand (POST), accept, decline, withdraw."""

    queryset = Offer.objects.select_related(
        "household", "unit__building__complex__settlement", "run"
    )
    serializer_class = OfferSerializer
    filterset_fields = ["status", "run", "from_reserve"]
    http_method_names = ["get", "post", "head", "options"]
    write_roles = WRITERS
    input_serializers = {
        "create": OfferCreateSerializer,
        "decline": DeclineSerializer,
        "withdraw": DeclineSerializer,
    }

    @extend_schema(request=OfferCreateSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input()
        offer = services.do_make_offer(
            data["unit"], data["household"], user=request.user, deadline=data.get("deadline")
        )
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)

    def _answer(self, request: Request, do: Callable[[Offer], Offer]) -> Response:
        return Response(OfferSerializer(do(self.get_object())).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(request, lambda o: services.do_accept_offer(o, user=request.user))

    @extend_schema(request=DeclineSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        reason = self.validated_input()["reason"]
        return self._answer(
            request, lambda o: services.do_decline_offer(o, reason, user=request.user)
        )

    @extend_schema(request=DeclineSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        reason = self.validated_input()["reason"]
        return self._answer(
            request, lambda o: services.do_withdraw_offer(o, reason, user=request.user)
        )


class SwapSerializer(serializers.ModelSerializer[Swap]):
    class Meta:
        model = Swap
        fields = ["id", "first", "second", "first_consents", "second_consents", "status"]
        read_only_fields = ["first_consents", "second_consents", "status"]


class SwapViewSet(HandoverErrorsMixin, ScopedViewSet):
    queryset = Swap.objects.select_related("first__household", "second__household")
    serializer_class = SwapSerializer
    http_method_names = ["get", "post", "head", "options"]
    write_roles = WRITERS
    input_serializers = {"consent": HouseholdRef}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input()
        swap = services.do_propose_swap(data["first"], data["second"], user=request.user)
        return Response(SwapSerializer(swap).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdRef)
    @action(detail=True, methods=["post"])
    def consent(self, request: Request, pk: str | None = None) -> Response:
        swap = self.get_object()
        household: Household = self.validated_input()["household"]
        swap = services.do_consent_swap(swap, household, user=request.user)
        return Response(SwapSerializer(swap).data)


class AppealSerializer(serializers.ModelSerializer[Appeal]):
    household = serializers.SlugRelatedField(
        slug_field="reg_number", queryset=Household.objects.all()
    )

    class Meta:
        model = Appeal
        fields = [
            "id",
            "household",
            "offer",
            "kind",
            "text",
            "status",
            "decision",
            "decided_at",
            "created_at",
        ]
        read_only_fields = ["status", "decision", "decided_at", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        offer = attrs.get("offer")
        if offer is not None and offer.household_id != attrs["household"].pk:
            raise serializers.ValidationError({"offer": _("this offer is another family's")})
        return attrs


class DecisionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=[AppealStatus.UPHELD, AppealStatus.REJECTED])
    decision = serializers.CharField()


class AppealViewSet(HandoverErrorsMixin, ScopedViewSet):
    queryset = Appeal.objects.select_related("household")
    serializer_class = AppealSerializer
    filterset_fields = ["status", "kind"]
    http_method_names = ["get", "post", "head", "options"]
    write_roles = WRITERS
    input_serializers = {"decide": DecisionSerializer}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input()
        appeal = services.do_file_appeal(
            data["household"],
            data["kind"],
            data["text"],
            offer=data.get("offer"),
            user=request.user,
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        appeal = self.get_object()
        data = self.validated_input()
        appeal = services.do_decide_appeal(
            appeal, data["status"], data["decision"], user=request.user
        )
        return Response(AppealSerializer(appeal).data)


class DistrictCheckedSerializer(serializers.ModelSerializer[Any]):
    """A row of one district's plans: in the officer's district, and its complex (a
    ceremony's, a convoy's destination) in that same district."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        profile = self.context["view"].get_profile()
        district = attrs.get("district") or getattr(self.instance, "district", None)
        check_in_district(profile, district.pk if district else None, "district")
        for name in ("complex", "destination"):
            place = attrs.get(name, getattr(self.instance, name, None))
            if (
                place is not None
                and district is not None
                and place.settlement.parent_id != district.pk
            ):
                raise serializers.ValidationError({name: _("not in this district")})
        return attrs


class PickupPointSerializer(DistrictCheckedSerializer):
    class Meta:
        model = PickupPoint
        fields = ["id", "district", "name", "address", "lat", "lon"]


class PickupPointViewSet(HandoverErrorsMixin, ScopedViewSet):
    queryset = PickupPoint.objects.all()
    serializer_class = PickupPointSerializer


class PassengerSerializer(serializers.ModelSerializer[Passenger]):
    household = serializers.SlugRelatedField[Household](slug_field="reg_number", read_only=True)

    class Meta:
        model = Passenger
        fields = ["id", "household", "seats"]


class BusSerializer(serializers.ModelSerializer[Bus]):
    passengers = PassengerSerializer(many=True, read_only=True)

    class Meta:
        model = Bus
        fields = ["id", "convoy", "number", "plate", "seats", "pickup", "departs_at", "passengers"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        profile = self.context["view"].get_profile()
        convoy = attrs.get("convoy") or getattr(self.instance, "convoy", None)
        check_in_district(profile, convoy.district_id if convoy else None, "convoy")
        pickup = attrs.get("pickup") or getattr(self.instance, "pickup", None)
        if convoy is not None and pickup is not None and pickup.district_id != convoy.district_id:
            raise serializers.ValidationError({"pickup": _("not in the convoy's district")})
        return attrs


class AssignSerializer(serializers.Serializer[Any]):
    household = serializers.SlugRelatedField(
        slug_field="reg_number", queryset=Household.objects.all()
    )
    seats = serializers.IntegerField(min_value=1, required=False)


class BusViewSet(HandoverErrorsMixin, ScopedViewSet):
    queryset = Bus.objects.select_related("convoy", "pickup").prefetch_related(
        "passengers__household"
    )
    serializer_class = BusSerializer
    input_serializers = {"assign": AssignSerializer}

    @extend_schema(request=AssignSerializer, responses={201: PassengerSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        bus = self.get_object()
        data = self.validated_input()
        passenger = services.do_assign_to_bus(
            bus, data["household"], seats=data.get("seats"), user=request.user
        )
        return Response(PassengerSerializer(passenger).data, status=status.HTTP_201_CREATED)


class ConvoySerializer(DistrictCheckedSerializer):
    buses = BusSerializer(many=True, read_only=True)

    class Meta:
        model = Convoy
        fields = [
            "id",
            "district",
            "name",
            "departs_on",
            "destination",
            "notes",
            "status",
            "status_reason",
            "buses",
        ]
        read_only_fields = ["status", "status_reason"]


class StatusActionInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=400, required=False, default="")


def _status_action(
    viewset: Any, request: Request, change: Callable[..., Any], action_name: str
) -> Response:
    """Run one named action of a lifecycle on the viewset's object; answer its new state."""
    reason = viewset.validated_input()["reason"]
    if action_name.startswith("cancel") and not reason:
        raise serializers.ValidationError({"reason": _("required to cancel")})
    obj = change(viewset.get_object(), action_name, user=request.user, reason=reason)
    return Response(viewset.get_serializer(obj).data)


class ConvoyViewSet(HandoverErrorsMixin, ScopedViewSet):
    queryset = Convoy.objects.prefetch_related("buses__passengers__household")
    serializer_class = ConvoySerializer
    input_serializers = {
        "depart": StatusActionInput,
        "arrive": StatusActionInput,
        "cancel": StatusActionInput,
    }

    @extend_schema(request=StatusActionInput, responses={200: ConvoySerializer})
    @action(detail=True, methods=["post"])
    def depart(self, request: Request, pk: str | None = None) -> Response:
        return _status_action(self, request, services.do_change_convoy, "depart_convoy")

    @extend_schema(request=StatusActionInput, responses={200: ConvoySerializer})
    @action(detail=True, methods=["post"])
    def arrive(self, request: Request, pk: str | None = None) -> Response:
        return _status_action(self, request, services.do_change_convoy, "arrive_convoy")

    @extend_schema(request=StatusActionInput, responses={200: ConvoySerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a planned convoy; `reason` is required."""
        return _status_action(self, request, services.do_change_convoy, "cancel_convoy")


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    household = serializers.SlugRelatedField[Household](slug_field="reg_number", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "household", "unit", "keys_handed_at"]


class CeremonySerializer(DistrictCheckedSerializer):
    invitations = InvitationSerializer(many=True, read_only=True)

    class Meta:
        model = Ceremony
        fields = [
            "id",
            "district",
            "complex",
            "held_at",
            "place",
            "status",
            "status_reason",
            "invitations",
        ]
        read_only_fields = ["status", "status_reason"]


class CeremonyViewSet(HandoverErrorsMixin, ScopedViewSet):
    queryset = Ceremony.objects.select_related("complex").prefetch_related("invitations__household")
    serializer_class = CeremonySerializer
    input_serializers = {
        "invite": HouseholdRef,
        "hand_keys": HouseholdRef,
        "hold": StatusActionInput,
        "cancel": StatusActionInput,
    }

    def _household(self, request: Request) -> Household:
        household: Household = self.validated_input()["household"]
        return household

    @extend_schema(request=StatusActionInput, responses={200: CeremonySerializer})
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk: str | None = None) -> Response:
        """Mark the ceremony held."""
        return _status_action(self, request, services.do_change_ceremony, "hold_ceremony")

    @extend_schema(request=StatusActionInput, responses={200: CeremonySerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a scheduled ceremony; `reason` is required."""
        return _status_action(self, request, services.do_change_ceremony, "cancel_ceremony")

    @extend_schema(request=HouseholdRef, responses={201: InvitationSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        invitation = services.do_invite(
            self.get_object(), self._household(request), user=request.user
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdRef, responses=InvitationSerializer)
    @action(detail=True, methods=["post"], url_path="hand-keys")
    def hand_keys(self, request: Request, pk: str | None = None) -> Response:
        ceremony = self.get_object()
        household = self._household(request)
        invitation = ceremony.invitations.filter(household=household).first()
        if invitation is None:
            raise serializers.ValidationError({"household": _("not invited")})
        invitation = services.do_hand_keys(invitation, user=request.user)
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def receipts(self, request: Request, pk: str | None = None) -> HttpResponse:
        ceremony = self.get_object()
        pdf = receipts.receipts_pdf(
            receipt_invitations(ceremony), birth_dates=may_see(request.user, "birth_date")
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="receipts-{ceremony.pk}.pdf"'
        return response


def receipt_invitations(ceremony: Ceremony, household_id: int | None = None) -> Any:
    qs = ceremony.invitations.select_related(
        "ceremony", "household", "unit__building__complex__settlement"
    ).prefetch_related("household__members")
    return qs.filter(household_id=household_id) if household_id else qs


class OccupancySerializer(serializers.ModelSerializer[Occupancy]):
    household = serializers.SlugRelatedField[Household](slug_field="reg_number", read_only=True)

    class Meta:
        model = Occupancy
        fields = ["id", "household", "unit", "moved_in_on", "moved_out_on", "move_out_reason"]
        read_only_fields = fields


class MoveSerializer(serializers.Serializer[Any]):
    household = serializers.SlugRelatedField(
        slug_field="reg_number", queryset=Household.objects.all(), required=False
    )
    on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True)
    back_to_waiting = serializers.BooleanField(required=False, default=False)


class OccupancyViewSet(HandoverErrorsMixin, ScopedViewSet):
    """Who lives where: POST a household to record its move-in; move-out on an occupancy."""

    queryset = Occupancy.objects.select_related("household", "unit")
    serializer_class = OccupancySerializer
    http_method_names = ["get", "post", "head", "options"]
    input_serializers = {"create": MoveSerializer, "move_out": MoveSerializer}

    @extend_schema(request=MoveSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input()
        household = data.get("household")
        if household is None:
            raise serializers.ValidationError({"household": _("required")})
        occupancy = services.do_move_in(
            household, data.get("on") or date.today(), user=request.user
        )
        return Response(OccupancySerializer(occupancy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MoveSerializer)
    @action(detail=True, methods=["post"], url_path="move-out")
    def move_out(self, request: Request, pk: str | None = None) -> Response:
        occupancy_ = self.get_object()
        data = self.validated_input()
        occupancy = services.do_move_out(
            occupancy_,
            data.get("on") or date.today(),
            data.get("reason", ""),
            user=request.user,
            back_to_waiting=data["back_to_waiting"],
        )
        return Response(OccupancySerializer(occupancy).data)


class MessageSerializer(serializers.ModelSerializer[Message]):
    class Meta:
        model = Message
        fields = [
            "id",
            "household",
            "channel",
            "to",
            "language",
            "template",
            "body",
            "status",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class MessageViewSet(ScopedViewSet):
    """The outbox (read-only). One-time codes are masked."""

    queryset = Message.objects.all()
    serializer_class = MessageSerializer
    filterset_fields = ["status", "template", "channel"]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> Any:
        return super().get_queryset().exclude(template="one_time_code")


class TransitionSerializer(serializers.ModelSerializer[AuditEvent]):
    """A change of state, read from the audit trail."""

    entity = serializers.SerializerMethodField()
    entity_id = serializers.SerializerMethodField()
    from_state = serializers.SerializerMethodField()
    to_state = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "entity",
            "entity_id",
            "from_state",
            "to_state",
            "at",
            "actor",
            "channel",
            "note",
        ]

    def get_entity(self, event: AuditEvent) -> str:
        return history.TABLES[event.table]

    def get_entity_id(self, event: AuditEvent) -> int:
        return int(event.object_pk)

    def get_from_state(self, event: AuditEvent) -> str:
        return getattr(event, "from_state", None) or ""

    def get_to_state(self, event: AuditEvent) -> str:
        return getattr(event, "to_state", None) or ""


class TransitionFilter(django_filters.FilterSet):  # type: ignore[misc]
    entity = django_filters.ChoiceFilter(
        choices=[(e, e) for e in history.ENTITIES], method="filter_entity"
    )
    entity_id = django_filters.NumberFilter(method="filter_entity_id")

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_entity(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(table=history.ENTITIES[value]._meta.db_table)

    def filter_entity_id(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset.filter(object_pk=str(int(value)))


class TransitionViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Every change of state of offers, homes, families, swaps and appeals: who made it, when,
    from where (read-only; from the audit trail, scoped to the officer's district)."""

    queryset = AuditEvent.objects.none()  # for the schema; get_queryset gives the rows
    serializer_class = TransitionSerializer
    filterset_class = TransitionFilter
    search_fields: list[str] = []
    ordering_fields: list[str] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        profile = profile_of(self.request.user)
        assert profile is not None  # RolePermission has refused anyone without one
        return history.status_changes(history.scoped_events(profile))


__all__ = [
    "AppealViewSet",
    "BusViewSet",
    "CeremonyViewSet",
    "ConvoyViewSet",
    "MessageViewSet",
    "OccupancyViewSet",
    "OfferViewSet",
    "PickupPointViewSet",
    "SwapViewSet",
    "TransitionViewSet",
]
