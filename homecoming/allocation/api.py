from __future__ import annotations

from rest_framework import serializers

from homecoming.accounts.permissions import ALLOCATORS
from homecoming.allocation.models import AllocationRun
from homecoming.core.api import ScopedViewSet
from homecoming.geography.models import Area
from homecoming.housing.models import ResidentialComplex


class RunSerializer(serializers.ModelSerializer[AllocationRun]):
    district: serializers.SlugRelatedField[Area] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    complexes: serializers.SlugRelatedField[ResidentialComplex] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    seed = serializers.IntegerField(source="visible_seed", read_only=True, allow_null=True)

    class Meta:
        model = AllocationRun
        fields = [
            "id",
            "name",
            "method",
            "status",
            "district",
            "complexes",
            "seed",
            "seed_commitment",
            "inputs_sha256",
            "report",
            "created_at",
            "finished_at",
            "approved_at",
        ]
        read_only_fields = ["status"]


class AllocationRunViewSet(ScopedViewSet):
    """Allocation runs (read-only here; runs are started and approved in the app)."""

    queryset = AllocationRun.objects.select_related("district").prefetch_related("complexes")
    serializer_class = RunSerializer
    filterset_fields = ["status", "method"]
    http_method_names = ["get", "head", "options"]
    write_roles = ALLOCATORS
