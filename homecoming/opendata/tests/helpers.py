"""Shared steps of the open-data tests: families moved in, a hazard area."""

from __future__ import annotations

from typing import Any

from homecoming.housing.models import Unit
from homecoming.readiness.models import HazardArea
from homecoming.registry.models import Household

HOUSEHOLD_STEP = {
    "offered": "offered",
    "allocated": "allocated",
    "keys_handed": "keys_handed",
    "occupied": "moved_in",
}


def move_in(unit: Unit, household: Household) -> None:
    """`household` lives in `unit`, reached one allowed step at a time (the guards)."""
    for unit_status, status in HOUSEHOLD_STEP.items():
        Unit.objects.filter(pk=unit.pk).update(household=household, status=unit_status)
        Household.objects.filter(pk=household.pk).update(status=status)


def hazard(district: Any, code: str = "HA-1") -> HazardArea:
    """A confirmed hazard area drawn clockwise (RFC 7946 wants it turned the other way)."""
    ring = [[46.0, 40.0], [46.0, 40.05], [46.05, 40.05], [46.05, 40.0], [46.0, 40.0]]
    return HazardArea.objects.create(
        code=code,
        name="Field",
        district=district,
        status="confirmed",
        geometry={"type": "Polygon", "coordinates": [ring]},
        min_lon=46.0,
        min_lat=40.0,
        max_lon=46.05,
        max_lat=40.05,
    )
