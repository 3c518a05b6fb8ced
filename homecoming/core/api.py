"""Shared pieces of the REST API: scoping by the caller's profile, on reads and on writes;
no deletion."""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from homecoming.accounts.models import Profile, profile_of
from homecoming.core.idempotency import IdempotentMixin
from homecoming.core.lifecycle import LIFECYCLE_GUARD, TransitionRefused
from homecoming.core.scoping import scoped


def scope_relations(field: Any, profile: Profile) -> None:
    """Narrow every writable relation of a serializer (nested ones and many-to-many
    included) to what `profile` may see.

    DRF then answers an id outside the caller's district with its own "does not exist"
    error, the same words as for an id nobody has, so a refusal never tells it exists.
    """
    if isinstance(field, serializers.ListSerializer):
        scope_relations(field.child, profile)
    elif isinstance(field, serializers.BaseSerializer):
        if hasattr(field, "fields"):
            for child in field.fields.values():
                scope_relations(child, profile)
    elif isinstance(field, serializers.ManyRelatedField):
        scope_relations(field.child_relation, profile)
    elif isinstance(field, serializers.RelatedField):
        relation: Any = field  # the stubs see `queryset` as a manager descriptor
        if relation.queryset is not None:
            relation.queryset = scoped(relation.queryset.all(), profile)


class ScopedViewSet(
    IdempotentMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """A viewset whose queryset is always passed through `for_profile` (lists included), and
    whose input serializers only accept related objects the caller may see.

    An action or a `create` that reads its own input names the serializer in
    `input_serializers` and reads it with `validated_input()`, so its relations are scoped
    too (and the permission walk in core/tests finds them). Every POST honours an
    Idempotency-Key (`homecoming.core.idempotency`).

    Nothing is deleted through the API: there is no destroy action, so DELETE answers 405
    and the schema publishes no delete operation. Records are withdrawn or archived by
    named actions that keep them and say why.
    """

    input_serializers: ClassVar[dict[str, type[serializers.BaseSerializer[Any]]]] = {}

    def get_profile(self) -> Profile:
        profile = profile_of(self.request.user)
        assert profile is not None  # RolePermission has refused anyone without one
        return profile

    def scope(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.for_profile(self.get_profile())  # type: ignore[attr-defined,no-any-return]

    def get_queryset(self) -> QuerySet[Any]:
        return self.scope(super().get_queryset())

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        serializer = super().get_serializer(*args, **kwargs)
        # The schema generator builds serializers without a logged-in caller.
        profile = profile_of(getattr(self.request, "user", None))
        if profile is not None:
            scope_relations(serializer, profile)
        return serializer

    def get_input_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return self.input_serializers.get(self.action or "", self.get_serializer_class())

    def validated_input(self) -> dict[str, Any]:
        """The request body read by this action's input serializer, relations scoped."""
        serializer = self.get_input_serializer_class()(
            data=self.request.data, context=self.get_serializer_context()
        )
        scope_relations(serializer, self.get_profile())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data  # type: ignore[no-any-return]

    # One transaction per write: a row and its many-to-many links are saved together, and
    # a constraint the database refuses rolls back cleanly (answered 409, see below).
    def perform_create(self, serializer: Any) -> None:
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer: Any) -> None:
        with transaction.atomic():
            serializer.save()


def district_of_area(area: Any) -> int | None:
    return area.district_id_for_scope if area is not None else None


def check_in_district(profile: Profile, district_id: int | None, field: str) -> None:
    """Refuse a write that would put an object outside a district officer's district."""
    if profile.district_id is not None and district_id != profile.district_id:
        raise serializers.ValidationError({field: _("outside your district")})


class Conflict(exceptions.APIException):
    """The request is well formed but the records as they stand refuse it."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def constraint_message(exc: IntegrityError) -> str:
    """Name the database rule an IntegrityError broke (in the model's words if it has any)."""
    text = str(exc)
    if LIFECYCLE_GUARD in text:
        return _("This status change is not an allowed transition (see the lifecycles page).")
    broken = [
        constraint
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if constraint.name in text
    ]
    if broken:
        constraint = max(broken, key=lambda c: len(c.name))  # the most specific name
        if constraint.violation_error_message:
            return str(constraint.get_violation_error_message())
        return _("Refused by the database rule “%(rule)s”.") % {"rule": constraint.name}
    return _(
        "This change conflicts with the current records (a duplicate, or a value the "
        "records do not allow). Reload and try again."
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: what the database or a lifecycle table refuses is a 409 with its
    reason, never a 500.

    Errors are always a JSON object (a bare list of messages becomes `non_field_errors`),
    which is what the published schema promises.
    """
    if isinstance(exc, TransitionRefused):
        exc = Conflict(str(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(_("Other records still refer to this one; it is kept."))
    elif isinstance(exc, IntegrityError):
        exc = Conflict(constraint_message(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    return response
