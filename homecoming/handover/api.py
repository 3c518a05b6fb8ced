"""REST API of the handover. Thin: validate, check the role, call a service.

Answers to offers are idempotent: a client may send an `Idempotency-Key` header; the first
answer given under that key is stored and replayed for any retry. A refusal caused by the
state of the data (a home already taken, an offer already answered, a bus full, a
database constraint) is a 409 Conflict with a readable `detail`, never a 500.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from homecoming.accounts.permissions import ALLOCATORS, EDITORS
from homecoming.core.api import ScopedViewSet, check_in_district
from homecoming.handover import receipts, services
from homecoming.handover.models import (
    Appeal,
    AppealStatus,
    Bus,
    Ceremony,
    Convoy,
    IdempotencyKey,
    Invitation,
    Message,
    Occupancy,
    Offer,
    Passenger,
    PickupPoint,
    Swap,
    Transition,
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


class HandoverErrorsMixin:
    """Turn refusals into 409 (state) or 400 (request), never 500."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.Conflict | services.NotReady | IntegrityError):
            return Response({"detail": conflict_detail(exc)}, status=status.HTTP_409_CONFLICT)
        if isinstance(exc, services.HandoverError):
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)  # type: ignore[misc,no-any-return]


def idempotent(request: Request, answer: Callable[[], Response]) -> Response:
    """Run `answer` once per Idempotency-Key (per user); replay the stored answer after."""
    user = request.user
    assert isinstance(user, User)  # RolePermission has refused anonymous callers
    key = request.headers.get("Idempotency-Key")
    if not key:
        return answer()
    body = json.dumps(request.data, sort_keys=True, default=str)
    fingerprint = hashlib.sha256(f"{request.method} {request.path} {body}".encode()).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    key=key[:200], user=user, fingerprint=fingerprint
                )
        except IntegrityError:
            # A retry (or a concurrent twin: on PostgreSQL the insert above waited for it).
            record = IdempotencyKey.objects.select_for_update().get(user=user, key=key[:200])
            if record.fingerprint != fingerprint:
                return Response(
                    {"detail": _("This Idempotency-Key was used for another request.")},
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            replay = Response(record.body, status=record.status_code or 200)
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = answer()
        except (services.HandoverError, IntegrityError) as exc:
            code = (
                status.HTTP_400_BAD_REQUEST
                if type(exc) is services.HandoverError
                else status.HTTP_409_CONFLICT
            )
            response = Response({"detail": conflict_detail(exc)}, status=code)
        record.status_code = response.status_code
        record.body = response.data
        record.save(update_fields=["status_code", "body"])
        return response


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

    @extend_schema(request=OfferCreateSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = OfferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = self.get_profile()
        unit = data.validated_data["unit"]
        household = data.validated_data["household"]
        if not Unit.objects.for_profile(profile).filter(pk=unit.pk).exists():
            raise serializers.ValidationError({"unit": _("outside your district")})
        check_in_district(profile, household.district_id, "household")
        offer = services.do_make_offer(
            unit, household, user=request.user, deadline=data.validated_data.get("deadline")
        )
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)

    def _answer(self, request: Request, do: Callable[[Offer], Offer]) -> Response:
        offer = self.get_object()

        def answer() -> Response:
            return Response(OfferSerializer(do(offer)).data)

        return idempotent(request, answer)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(request, lambda o: services.do_accept_offer(o, user=request.user))

    @extend_schema(request=DeclineSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
        return self._answer(
            request, lambda o: services.do_decline_offer(o, reason, user=request.user)
        )

    @extend_schema(request=DeclineSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
        return self._answer(
            request, lambda o: services.do_withdraw_offer(o, reason, user=request.user)
        )


class SwapSerializer(serializers.ModelSerializer[Swap]):
    class Meta:
        model = Swap
        fields = ["id", "first", "second", "first_consents", "second_consents", "status"]
        read_only_fields = ["first_consents", "second_consents", "status"]


class HouseholdRef(serializers.Serializer[Any]):
    household = serializers.SlugRelatedField(
        slug_field="reg_number", queryset=Household.objects.all()
    )


class SwapViewSet(HandoverErrorsMixin, ScopedViewSet):
    queryset = Swap.objects.select_related("first__household", "second__household")
    serializer_class = SwapSerializer
    http_method_names = ["get", "post", "head", "options"]
    write_roles = WRITERS

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        offers = Offer.objects.for_profile(self.get_profile())
        try:
            data: dict[str, Any] = dict(request.data)
            first = offers.get(pk=data.get("first"))
            second = offers.get(pk=data.get("second"))
        except (Offer.DoesNotExist, ValueError, TypeError):
            raise serializers.ValidationError({"first": _("unknown offer")}) from None
        swap = services.do_propose_swap(first, second, user=request.user)
        return Response(SwapSerializer(swap).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdRef)
    @action(detail=True, methods=["post"])
    def consent(self, request: Request, pk: str | None = None) -> Response:
        swap = self.get_object()
        data = HouseholdRef(data=request.data)
        data.is_valid(raise_exception=True)
        household: Household = data.validated_data["household"]
        if household is None:
            raise serializers.ValidationError({"household": _("unknown family")})
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


class DecisionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=[AppealStatus.UPHELD, AppealStatus.REJECTED])
    decision = serializers.CharField()


class AppealViewSet(HandoverErrorsMixin, ScopedViewSet):
    queryset = Appeal.objects.select_related("household")
    serializer_class = AppealSerializer
    filterset_fields = ["status", "kind"]
    http_method_names = ["get", "post", "head", "options"]
    write_roles = WRITERS

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AppealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = data.validated_data["household"]
        check_in_district(self.get_profile(), household.district_id, "household")
        appeal = services.do_file_appeal(
            household,
            data.validated_data["kind"],
            data.validated_data["text"],
            offer=data.validated_data.get("offer"),
            user=request.user,
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        appeal = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.do_decide_appeal(
            appeal,
            data.validated_data["status"],
            data.validated_data["decision"],
            user=request.user,
        )
        return Response(AppealSerializer(appeal).data)


class DistrictCheckedSerializer(serializers.ModelSerializer[Any]):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        profile = self.context["view"].get_profile()
        district = attrs.get("district") or getattr(self.instance, "district", None)
        check_in_district(profile, district.pk if district else None, "district")
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

    @extend_schema(request=AssignSerializer, responses={201: PassengerSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        bus = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = data.validated_data["household"]
        check_in_district(self.get_profile(), household.district_id, "household")
        passenger = services.do_assign_to_bus(
            bus, household, seats=data.validated_data.get("seats"), user=request.user
        )
        return Response(PassengerSerializer(passenger).data, status=status.HTTP_201_CREATED)


class ConvoySerializer(DistrictCheckedSerializer):
    buses = BusSerializer(many=True, read_only=True)

    class Meta:
        model = Convoy
        fields = ["id", "district", "name", "departs_on", "destination", "notes", "buses"]


class ConvoyViewSet(HandoverErrorsMixin, ScopedViewSet):
    queryset = Convoy.objects.prefetch_related("buses__passengers__household")
    serializer_class = ConvoySerializer


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    household = serializers.SlugRelatedField[Household](slug_field="reg_number", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "household", "unit", "keys_handed_at"]


class CeremonySerializer(DistrictCheckedSerializer):
    invitations = InvitationSerializer(many=True, read_only=True)

    class Meta:
        model = Ceremony
        fields = ["id", "district", "complex", "held_at", "place", "invitations"]


class CeremonyViewSet(HandoverErrorsMixin, ScopedViewSet):
    queryset = Ceremony.objects.select_related("complex").prefetch_related("invitations__household")
    serializer_class = CeremonySerializer

    def _household(self, request: Request) -> Household:
        data = HouseholdRef(data=request.data)
        data.is_valid(raise_exception=True)
        household: Household = data.validated_data["household"]
        check_in_district(self.get_profile(), household.district_id, "household")
        return household

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
        pdf = receipts.receipts_pdf(receipt_invitations(ceremony))
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

    @extend_schema(request=MoveSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = data.validated_data.get("household")
        if household is None:
            raise serializers.ValidationError({"household": _("required")})
        check_in_district(self.get_profile(), household.district_id, "household")
        occupancy = services.do_move_in(
            household, data.validated_data.get("on") or date.today(), user=request.user
        )
        return Response(OccupancySerializer(occupancy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MoveSerializer)
    @action(detail=True, methods=["post"], url_path="move-out")
    def move_out(self, request: Request, pk: str | None = None) -> Response:
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        occupancy = services.do_move_out(
            self.get_object(),
            data.validated_data.get("on") or date.today(),
            data.validated_data.get("reason", ""),
            user=request.user,
            back_to_waiting=data.validated_data["back_to_waiting"],
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


class MessageViewSet(ScopedViewSet):
    """The outbox (read-only). One-time codes are masked."""

    queryset = Message.objects.all()
    serializer_class = MessageSerializer
    filterset_fields = ["status", "template", "channel"]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> Any:
        return super().get_queryset().exclude(template="one_time_code")


class TransitionSerializer(serializers.ModelSerializer[Transition]):
    by = serializers.StringRelatedField(allow_null=True)  # type: ignore[var-annotated]

    class Meta:
        model = Transition
        fields = [
            "id",
            "entity",
            "entity_id",
            "label",
            "from_state",
            "to_state",
            "at",
            "by",
            "actor",
            "note",
        ]


class TransitionViewSet(ScopedViewSet):
    """Every change of state, who made it and when (read-only)."""

    queryset = Transition.objects.select_related("by")
    serializer_class = TransitionSerializer
    filterset_fields = ["entity", "entity_id"]
    http_method_names = ["get", "head", "options"]


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
