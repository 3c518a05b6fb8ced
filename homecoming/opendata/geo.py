"""GeoJSON (RFC 7946) of the settlements, the complexes and the hazard areas, for partners.

WGS 84 longitude, latitude (no ``crs`` member: RFC 7946 has only WGS 84), six decimals
(about 10 cm), polygons' outer rings counter-clockwise and holes clockwise (the
right-hand rule), a ``bbox`` of [west, south, east, north]. A place without coordinates is
a Feature with ``"geometry": null``, so the list stays complete. Every Feature's ``id`` and
``properties.code`` is our code (for areas the P-code style code); ``properties`` are listed
in docs/opendata.md, "GeoJSON". Aggregates only: no family is named.

>>> f = hazard_feature("HA-1", "Field", "confirmed", None, "AZ1101",
...     {"type": "Polygon", "coordinates": [[[46, 40], [46, 40.1], [46.1, 40], [46, 40]]]})
>>> f["geometry"]["coordinates"][0]   # turned counter-clockwise
[[46.0, 40.0], [46.1, 40.0], [46.0, 40.1], [46.0, 40.0]]
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient

from homecoming.core.maps import PRECISION, bbox, positions
from homecoming.opendata.figures import Aggregates, Figures
from homecoming.readiness.models import HazardArea

Feature = dict[str, Any]


def _rounded(value: Any) -> Any:
    """Coordinates (nested lists or tuples) as lists of floats with PRECISION decimals."""
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], int | float):
            return [round(float(v), PRECISION) for v in value]
        return [_rounded(v) for v in value]
    return value


def right_hand(geometry: dict[str, Any]) -> dict[str, Any]:
    """A Polygon or MultiPolygon with its rings turned as RFC 7946 asks."""
    shaped = shape(geometry)
    if shaped.geom_type == "Polygon":
        turned: Any = orient(shaped, sign=1.0)
    else:
        turned = type(shaped)([orient(p, sign=1.0) for p in shaped.geoms])
    out = mapping(turned)
    return {"type": out["type"], "coordinates": _rounded(out["coordinates"])}


def _point(lat: float | None, lon: float | None) -> dict[str, Any] | None:
    if lat is None or lon is None:
        return None
    return {"type": "Point", "coordinates": [round(lon, PRECISION), round(lat, PRECISION)]}


def _feature(ident: str, geometry: dict[str, Any] | None, **properties: Any) -> Feature:
    return {"type": "Feature", "id": ident, "geometry": geometry, "properties": properties}


def _ready(f: Figures) -> bool | None:
    return f.ready


def place_feature(f: Figures, on: date) -> Feature:
    """A settlement or a complex as a point with its figures."""
    district, region = f.district, f.region
    properties: dict[str, Any] = {
        "kind": f.level,
        "code": f.code,
        "name": f.name,
        "adm1_code": region.code if region is not None else None,
        "adm2_code": district.code if district is not None else None,
        "settlement_code": f.area.code,
    }
    if f.level == "settlement":
        properties |= {
            "name_az": f.area.name_az,
            "name_en": f.area.name_en,
            "name_ru": f.area.name_ru,
            "settlement_kind": f.area.kind or None,
            "waiting_families": f.waiting_families,
        }
    else:
        properties |= {"stage": f.stage, "forecast": f.forecast.isoformat() if f.forecast else None}
    properties |= {
        "homes": f.homes,
        "homes_built": f.by_state["built"],
        "homes_ready": f.homes_ready,
        "returned_families": f.returned_families,
        "ready": _ready(f),
        "as_of": on.isoformat(),
    }
    return _feature(f.code, _point(f.lat, f.lon), **properties)


def hazard_feature(
    code: str,
    name: str,
    status: str,
    released_on: date | None,
    district_code: str,
    geometry: dict[str, Any],
) -> Feature:
    """A hazard area (IMAS land-release status) as its polygon."""
    return _feature(
        code,
        right_hand(geometry),
        kind="hazard_area",
        code=code,
        name=name or None,
        status=status,
        released_on=released_on.isoformat() if released_on else None,
        adm2_code=district_code,
    )


def hazard_features(areas: Iterable[HazardArea]) -> list[Feature]:
    return [
        hazard_feature(a.code, a.name, a.status, a.released_on, a.district.code, a.geometry)
        for a in areas
    ]


def feature_collection(features: list[Feature]) -> dict[str, Any]:
    """A FeatureCollection with the extent of every located feature as its ``bbox``."""
    located = [f for f in features if f["geometry"] is not None]
    box = bbox(p for f in located for p in positions(f["geometry"]))
    found: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if box is not None:
        found["bbox"] = [round(v, PRECISION) for v in box]
    return found


LAYERS = ("settlement", "complex", "hazard_area")


def places(data: Aggregates, hazards: Iterable[HazardArea], layers: Iterable[str]) -> list[Feature]:
    """The features of the layers asked, settlements first, then complexes, then hazards."""
    wanted = set(layers)
    features: list[Feature] = []
    if "settlement" in wanted:
        features += [place_feature(f, data.on) for f in data.settlements]
    if "complex" in wanted:
        features += [place_feature(f, data.on) for f in data.complexes]
    if "hazard_area" in wanted:
        features += hazard_features(hazards)
    return features
