"""Shared pieces of the REST API: scoping by the caller's profile."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from homecoming.accounts.models import Profile, profile_of
from homecoming.core.idempotency import IdempotentMixin
from homecoming.core.lifecycle import TransitionRefused


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a transition the lifecycle table refuses is a 409 with the reason."""
    if isinstance(exc, TransitionRefused):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


class ScopedViewSet(IdempotentMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """A viewset whose queryset is always passed through `for_profile` (lists included).

    Every POST honours an Idempotency-Key (`homecoming.core.idempotency`).
    """

    def get_profile(self) -> Profile:
        profile = profile_of(self.request.user)
        assert profile is not None  # RolePermission has refused anyone without one
        return profile

    def scope(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.for_profile(self.get_profile())  # type: ignore[attr-defined,no-any-return]

    def get_queryset(self) -> QuerySet[Any]:
        return self.scope(super().get_queryset())


def district_of_area(area: Any) -> int | None:
    return area.district_id_for_scope if area is not None else None


def check_in_district(profile: Profile, district_id: int | None, field: str) -> None:
    """Refuse a write that would put an object outside a district officer's district."""
    if profile.district_id is not None and district_id != profile.district_id:
        raise serializers.ValidationError({field: _("outside your district")})
