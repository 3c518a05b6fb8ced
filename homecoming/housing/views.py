from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from homecoming.accounts.permissions import require_profile
from homecoming.core.views import status_counts
from homecoming.housing.models import Building, ResidentialComplex, Unit, UnitStatus


@login_required
def housing_tree(request: HttpRequest) -> HttpResponse:
    """Settlements, their complexes and the homes in each, by status."""
    profile = require_profile(request)
    complexes = (
        ResidentialComplex.objects.for_profile(profile)
        .select_related("settlement__parent")
        .annotate(
            total=Count("buildings__units"),
            buildings_count=Count("buildings", distinct=True),
            **status_counts("buildings__units__"),
        )
        .order_by("settlement__parent__code", "settlement__code", "stage", "code")
    )
    tree: dict[int, dict[str, object]] = {}
    for c in complexes:
        node = tree.setdefault(c.settlement_id, {"settlement": c.settlement, "complexes": []})
        node["complexes"].append(c)  # type: ignore[attr-defined]
    return render(
        request, "housing/tree.html", {"tree": list(tree.values()), "statuses": UnitStatus.choices}
    )


@login_required
def complex_detail(request: HttpRequest, code: str) -> HttpResponse:
    profile = require_profile(request)
    complex_ = get_object_or_404(
        ResidentialComplex.objects.for_profile(profile).select_related("settlement"), code=code
    )
    buildings = (
        Building.objects.filter(complex=complex_)
        .prefetch_related(
            Prefetch(
                "units",
                queryset=Unit.objects.select_related("household").order_by("floor", "id"),
            )
        )
        .order_by("phase", "kind", "id")
    )
    return render(
        request,
        "housing/complex_detail.html",
        {"complex": complex_, "buildings": buildings, "statuses": UnitStatus.choices},
    )
