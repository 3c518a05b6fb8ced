from __future__ import annotations

from rest_framework import serializers

from homecoming.accounts.permissions import ADMINISTRATORS
from homecoming.core.api import ScopedViewSet
from homecoming.geography.models import Area


class AreaSerializer(serializers.ModelSerializer[Area]):
    parent = serializers.SlugRelatedField(  # type: ignore[assignment]  # a Field has .parent too
        slug_field="code", queryset=Area.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "level",
            "parent",
            "kind",
            "name_az",
            "name_en",
            "name_ru",
            "lat",
            "lon",
        ]


class AreaViewSet(ScopedViewSet):
    """Administrative areas (country, region, district, settlement)."""

    queryset = Area.objects.select_related("parent")
    serializer_class = AreaSerializer
    filterset_fields = ["level", "parent__code", "kind"]
    search_fields = ["code", "name_az", "name_en", "name_ru"]
    lookup_field = "code"
    write_roles = ADMINISTRATORS


class SettlementViewSet(AreaViewSet):
    """Settlements only: where families come from and return to."""

    queryset = Area.objects.settlements().select_related("parent")
