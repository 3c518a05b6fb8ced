"""Readiness writes. Each `do_*` runs in one transaction, trusts valid input and audits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from homecoming.accounts.lifecycles import role_of
from homecoming.geography.models import Area
from homecoming.housing.models import ResidentialComplex
from homecoming.readiness import geo
from homecoming.readiness.lifecycles import HAZARD, ITEM
from homecoming.readiness.models import (
    Evidence,
    HazardArea,
    HazardStatus,
    ItemKind,
    ReadinessItem,
)

User = AbstractBaseUser | AnonymousUser

#: The fields of an item whose changes are audited (all editable ones).
ITEM_FIELDS = (
    "status",
    "organisation",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "notes",
)


def _actor(user: User | None) -> Any:
    return user if user is not None and user.is_authenticated else None


@transaction.atomic
def do_save_item(
    *,
    kind: ItemKind,
    user: User | None,
    settlement: Area | None = None,
    complex_: ResidentialComplex | None = None,
    item: ReadinessItem | None = None,
    **values: Any,
) -> ReadinessItem:
    """Create or change a readiness item (the audit trail records every changed field).

    A new status must follow the item's lifecycle (`TransitionRefused` otherwise)."""
    if item is not None and "status" in values:
        ITEM.check_move(item.status, values["status"], role_of(user))
    if item is None:
        item = ReadinessItem(kind=kind, settlement=settlement, complex=complex_)
    for name, value in values.items():
        assert name in ITEM_FIELDS, name
        setattr(item, name, value)
    item.save()
    return item


@transaction.atomic
def do_add_evidence(
    item: ReadinessItem, title: str, file: UploadedFile[Any], user: User | None
) -> Evidence:
    return Evidence.objects.create(item=item, title=title, file=file, uploaded_by=_actor(user))


@transaction.atomic
def do_set_hazard_status(
    area: HazardArea,
    status: str,
    user: User | None,
    released_on: date | None = None,
    certificate: UploadedFile[Any] | None = None,
) -> HazardArea:
    """Move a hazard area along the land-release steps (the audit trail records it).

    The step must follow the IMAS lifecycle (`TransitionRefused` otherwise)."""
    HAZARD.check_move(area.status, status, role_of(user))
    area.status = status
    area.released_on = released_on if status == HazardStatus.RELEASED else None
    if certificate is not None:
        area.certificate = certificate
    area.save()
    return area


@dataclass(frozen=True)
class HazardFeature:
    """One valid feature of a GeoJSON import."""

    code: str
    name: str
    status: str
    geometry: dict[str, Any]
    released_on: date | None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0


@transaction.atomic
def do_import_hazard_areas(
    features: list[HazardFeature], district: Area, source: str, user: User | None
) -> ImportReport:
    """Create or update hazard areas by code (the audit trail records every change)."""
    report = ImportReport()
    existing = {a.code: a for a in HazardArea.objects.filter(code__in=[f.code for f in features])}
    for f in features:
        min_lon, min_lat, max_lon, max_lat = geo.bounds(f.geometry)
        area = existing.get(f.code)
        if area is None:
            area = HazardArea(code=f.code)
            report.created += 1
        else:
            report.updated += 1
        area.name = f.name
        area.district = district
        area.status = f.status
        area.released_on = f.released_on
        area.geometry = f.geometry
        area.min_lon, area.min_lat, area.max_lon, area.max_lat = min_lon, min_lat, max_lon, max_lat
        area.source = source
        area.save()
    return report
