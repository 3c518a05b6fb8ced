"""The interactive maps: GeoJSON builders shared by the apps, and what a page hands to map.js.

Each app that owns map data answers its layers as a GeoJSON FeatureCollection (readiness:
places and hazard areas; network: roads, nodes, a route), built by pure functions from plain
values. Every feature carries the properties map.js reads:

- ``layer``: which overlay it belongs to (the page names the overlays it shows);
- ``cls``: CSS classes (``map.css`` colours them from the stylesheet's palette);
- ``title``: the words shown when it is clicked, in the reader's language;
- ``label`` and ``rank`` (optional): a name drawn beside it, lower ranks placed first.

Leaflet itself comes from the django-leaflet package's static files; no tile server is
needed: ``MAP_TILE_URL`` adds a base map for deployments that are online.

>>> f = point_feature(46.1, 40.1, layer="complex", cls="place", title="A", label="A", rank=2)
>>> f["geometry"], f["properties"]["rank"]
({'type': 'Point', 'coordinates': [46.1, 40.1]}, 2)
>>> collection([f])["bbox"]
[46.1, 40.1, 46.1, 40.1]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

Feature = dict[str, Any]
#: Digits kept for coordinates: 6 decimals of a degree are about 10 cm.
PRECISION = 6


def _round(lon: float, lat: float) -> list[float]:
    return [round(lon, PRECISION), round(lat, PRECISION)]


def feature(geometry: dict[str, Any], **properties: Any) -> Feature:
    """A GeoJSON Feature; properties with the value None are left out."""
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {k: v for k, v in properties.items() if v is not None},
    }


def point_feature(lon: float, lat: float, **properties: Any) -> Feature:
    return feature({"type": "Point", "coordinates": _round(lon, lat)}, **properties)


def line_feature(points: Sequence[tuple[float, float]], **properties: Any) -> Feature:
    """A LineString through ``points`` given as (lon, lat)."""
    coordinates = [_round(lon, lat) for lon, lat in points]
    return feature({"type": "LineString", "coordinates": coordinates}, **properties)


def positions(geometry: dict[str, Any]) -> Iterable[tuple[float, float]]:
    """Every (lon, lat) of a Point, LineString, Polygon or MultiPolygon.

    >>> list(positions({"type": "Polygon", "coordinates": [[[1, 2], [3, 4], [1, 2]]]}))
    [(1, 2), (3, 4), (1, 2)]
    """
    kind, coordinates = geometry["type"], geometry["coordinates"]
    depth = {"Point": 0, "LineString": 1, "Polygon": 2, "MultiPolygon": 3}[kind]
    items: list[Any] = [coordinates]
    for _level in range(depth):
        items = [inner for outer in items for inner in outer]
    for position in items:
        yield position[0], position[1]


def bbox(points: Iterable[tuple[float, float]]) -> list[float] | None:
    """[west, south, east, north] of (lon, lat) points, or None without any.

    >>> bbox([(46.0, 40.0), (46.5, 39.5)])
    [46.0, 39.5, 46.5, 40.0]
    """
    lons, lats = [], []
    for lon, lat in points:
        lons.append(lon)
        lats.append(lat)
    if not lons:
        return None
    return [min(lons), min(lats), max(lons), max(lats)]


def collection(features: list[Feature], box: list[float] | None = None) -> dict[str, Any]:
    """A FeatureCollection; its ``bbox`` (what the map fits to at first) is ``box`` when
    given, else the extent of all the features."""
    if box is None:
        box = bbox(p for f in features for p in positions(f["geometry"]))
    found: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if box is not None:
        found["bbox"] = [round(v, PRECISION) for v in box]
    return found


def geojson_response(data: dict[str, Any]) -> JsonResponse:
    """A FeatureCollection as ``application/geo+json``, never cached (it is scoped data)."""
    response = JsonResponse(
        data, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "private, no-store"
    return response


def map_config(sources: Sequence[str], layers: dict[str, str], empty: str) -> dict[str, Any]:
    """What a page gives map.js (through ``json_script``): the GeoJSON URLs to load, the
    overlays to show with their names in the reader's language (in drawing order, the last
    on top), the message for a map with nothing on it, and the base map if one is set."""
    return {
        "sources": list(sources),
        "layers": [[key, str(name)] for key, name in layers.items()],
        "empty": str(empty),
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def month_asked(request: HttpRequest, day: int = 15) -> tuple[int, date]:
    """The month asked (``?month=1..12``, default this month) and its ``day`` this year."""
    today = timezone.localdate()
    try:
        month = int(request.GET.get("month", today.month))
    except ValueError:
        month = today.month
    month = min(max(month, 1), 12)
    return month, date(today.year, month, day)
