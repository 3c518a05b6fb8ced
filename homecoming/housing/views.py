from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from homecoming.accounts.permissions import require_profile
from homecoming.housing.gate import assess
from homecoming.housing.models import (
    Building,
    Construction,
    ResidentialComplex,
    Unit,
    UnitStatus,
    construction_counts,
    status_counts,
)


@login_required
def housing_tree(request: HttpRequest) -> HttpResponse:
    """Settlements, their complexes and the homes in each, by construction and allocation."""
    profile = require_profile(request)
    complexes = list(
        ResidentialComplex.objects.for_profile(profile)
        .select_related("settlement__parent")
        .annotate(
            total=Count("buildings__units"),
            buildings_count=Count("buildings", distinct=True),
            **status_counts("buildings__units__"),
            **construction_counts("buildings__units__"),
        )
        .order_by("settlement__parent__code", "settlement__code", "stage", "code")
    )
    verdicts = assess(complexes)
    tree: dict[int, dict[str, object]] = {}
    for c in complexes:
        c.assessment = verdicts[c.pk]  # type: ignore[attr-defined]
        node = tree.setdefault(c.settlement_id, {"settlement": c.settlement, "complexes": []})
        node["complexes"].append(c)  # type: ignore[attr-defined]
    return render(
        request,
        "housing/tree.html",
        {
            "tree": list(tree.values()),
            "statuses": UnitStatus.choices,
            "constructions": Construction.choices,
        },
    )


@login_required
def complex_detail(request: HttpRequest, code: str) -> HttpResponse:
    profile = require_profile(request)
    complex_ = get_object_or_404(
        ResidentialComplex.objects.for_profile(profile).select_related("settlement"), code=code
    )
    buildings = list(
        Building.objects.filter(complex=complex_)
        .prefetch_related(
            Prefetch(
                "units",
                queryset=Unit.objects.select_related("household").order_by("floor", "id"),
            )
        )
        .order_by("phase", "kind", "id")
    )
    for b in buildings:
        units = b.units.all()
        b.by_construction = Counter(u.construction for u in units)  # type: ignore[attr-defined]
        b.by_status = Counter(u.status for u in units)  # type: ignore[attr-defined]
    return render(
        request,
        "housing/complex_detail.html",
        {
            "complex": complex_,
            "assessment": assess([complex_])[complex_.pk],
            "buildings": buildings,
            "statuses": UnitStatus.choices,
            "constructions": Construction.choices,
        },
    )
