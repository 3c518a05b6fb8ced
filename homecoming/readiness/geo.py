"""Distances between WGS 84 points and GeoJSON polygons, in metres. No Django here.

pyproj is not a dependency, so distances are measured in a local equirectangular projection
centred on the point being checked: x = R·Δλ·cos φ0, y = R·Δφ with R the mean Earth radius
(6,371,008.8 m). Within 10 km of the point the error is below 0.5 % of the distance: up to
about 0.3 % from treating the ellipsoid as a sphere, and less than 0.2 % from the projection
itself (cos φ varies across the area). A buffer of 100 m is thus met to within half a metre.
Points closer to a pole than 1° or across the antimeridian are out of scope.

>>> square = {"type": "Polygon", "coordinates": [[[46.0, 40.0], [46.01, 40.0], [46.01, 40.01],
...     [46.0, 40.01], [46.0, 40.0]]]}
>>> distance_m(40.005, 46.005, square)
0.0
>>> round(distance_m(40.0, 45.99, square))  # 0.01° of longitude at 40° N
852
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8


def project_around(lat0: float, lon0: float, geometry: BaseGeometry) -> BaseGeometry:
    """The geometry (lon, lat degrees) in metres east and north of (lat0, lon0)."""
    kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    ky = math.radians(1) * EARTH_RADIUS_M

    def fn(xy: Any) -> Any:
        return (xy - (lon0, lat0)) * (kx, ky)

    return shapely.transform(geometry, fn)


def distance_m(lat: float, lon: float, geojson: dict[str, Any]) -> float:
    """Metres from the point to the geometry; 0 inside it."""
    geometry = shape(geojson)
    return float(Point(0, 0).distance(project_around(lat, lon, geometry)))


def degrees_for(metres: float, lat: float) -> tuple[float, float]:
    """A (latitude, longitude) margin in degrees covering `metres` around latitude `lat`."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return dlat * 1.01, dlon * 1.01


def bounds(geojson: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat)."""
    b = shape(geojson).bounds
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
