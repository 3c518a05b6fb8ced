"""Small builders for readiness tests on top of the personas' world."""

from __future__ import annotations

from typing import Any

from homecoming.readiness import services
from homecoming.readiness.kinds import ensure_default_kinds
from homecoming.readiness.models import ItemKind, ItemStatus, ReadinessItem, ReadinessPolicy

#: A square of about 110 m × 85 m whose south-west corner is 50 m north of (40.107, 46.038).
NEAR_KALBAJAR = {
    "type": "Polygon",
    "coordinates": [
        [
            [46.038, 40.10745],
            [46.039, 40.10745],
            [46.039, 40.10845],
            [46.038, 40.10845],
            [46.038, 40.10745],
        ]
    ],
}


def feature(code: str, status: str = "confirmed", geometry: Any = None, **props: Any) -> Any:
    return {
        "type": "Feature",
        "properties": {"code": code, "status": status, **props},
        "geometry": geometry or NEAR_KALBAJAR,
    }


def collection(*features: Any) -> Any:
    return {"type": "FeatureCollection", "features": list(features)}


def policy(*codes: str, buffer_m: int = 100) -> ReadinessPolicy:
    # Transactional tests flush the kinds the data migration made; put them back.
    ensure_default_kinds(ItemKind)
    p = ReadinessPolicy.objects.create(name="Stage 1", hazard_buffer_m=buffer_m)
    p.required.set(ItemKind.objects.filter(code__in=codes))
    return p


def item(place: Any, code: str, status: str = ItemStatus.DONE, **values: Any) -> ReadinessItem:
    ensure_default_kinds(ItemKind)
    kind = ItemKind.objects.get(code=code)
    where = {"settlement": place} if hasattr(place, "level") else {"complex_": place}
    return services.do_save_item(kind=kind, user=None, status=status, **where, **values)


def place_complex(complex_: Any, lat: float = 40.107, lon: float = 46.038) -> None:
    complex_.lat, complex_.lon = lat, lon
    complex_.save()
    complex_.buildings.update(lat=lat, lon=lon)


def record_ready(*places: Any) -> None:
    """Record every active item kind as done for each place (settlement or complex): what
    a place must show before the gate, failing closed, lets families in."""
    ensure_default_kinds(ItemKind)
    for place in places:
        for kind in ItemKind.objects.filter(active=True):
            if hasattr(place, "level") and kind.scope == "complex":
                continue
            if not hasattr(place, "level") and kind.scope == "settlement":
                continue
            item(place, kind.code)
