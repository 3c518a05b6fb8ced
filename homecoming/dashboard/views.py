"""The programme at a glance: families, homes by state per settlement, the user's jobs, and
for administrators the bulk-read alerts. The top layer: it reads every app below it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homecoming.accounts.permissions import current_user, require_profile
from homecoming.core.access import recent_alerts
from homecoming.core.models import Job
from homecoming.geography.models import Area
from homecoming.housing.models import (
    Construction,
    ResidentialComplex,
    Unit,
    UnitStatus,
    construction_counts,
    status_counts,
)
from homecoming.registry.models import Household, HouseholdStatus


@dataclass
class SettlementRow:
    """A settlement's line on the dashboard: its complexes and their homes by status."""

    settlement: Area
    complexes: list[ResidentialComplex] = field(default_factory=list)
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(UnitStatus.values, 0))

    def add(self, complex_: ResidentialComplex) -> None:
        self.complexes.append(complex_)
        self.total += getattr(complex_, "total", 0)
        for status in UnitStatus.values:
            self.counts[status] += getattr(complex_, status, 0)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    households = Household.objects.for_profile(profile)
    families = households.aggregate(
        registered=Count("pk"),
        waiting=Count(
            "pk", filter=Q(status__in=[HouseholdStatus.REGISTERED, HouseholdStatus.ELIGIBLE])
        ),
        # An open offer is not a home allocated: the family has not accepted it yet.
        offered=Count("pk", filter=Q(status=HouseholdStatus.OFFERED)),
        allocated=Count(
            "pk",
            filter=Q(status__in=[HouseholdStatus.ALLOCATED, HouseholdStatus.KEYS_HANDED]),
        ),
        moved_in=Count("pk", filter=Q(status=HouseholdStatus.MOVED_IN)),
        difficult=Count("pk", filter=Q(priority__gte=2)),
    )
    units = Unit.objects.for_profile(profile)
    homes = units.aggregate(total=Count("pk"), **status_counts(), **construction_counts())
    complexes = (
        ResidentialComplex.objects.for_profile(profile)
        .select_related("settlement")
        .annotate(total=Count("buildings__units"), **status_counts("buildings__units__"))
        .order_by("settlement__code", "code")
    )
    by_settlement: dict[str, SettlementRow] = {}
    for c in complexes:
        row = by_settlement.setdefault(c.settlement.code, SettlementRow(c.settlement))
        row.add(c)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "families": families,
            "homes": homes,
            "statuses": UnitStatus.choices,
            "constructions": Construction.choices,
            "settlements": list(by_settlement.values()),
            "jobs": Job.objects.filter(created_by=current_user(request))[:5],
            # Administrators see who read more than the hourly threshold (core.access).
            "bulk_read_alerts": list(recent_alerts()) if profile.is_administrator else [],
        },
    )
