"""Maps and charts drawn on the server as inline SVG: the frame and the map projection.

Shared by readiness (hazard areas) and network (roads). An equirectangular view of the
data's bounding box, x scaled by the cosine of the middle latitude: fine for a district or a
region, not for a continent.

>>> p = Projection.fit([40.0, 40.1], [46.0, 46.1], width=200, pad=0)
>>> p.xy(46.0, 40.1)
'0.0,10.0'
>>> p.height >= 200
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def svg(width: int, height: int, body: Sequence[str], title: str) -> SafeString:
    """An ``<svg>`` element of this size around ``body`` (already escaped SVG fragments)."""
    # Every value put inside is escaped or numeric.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" '
        f'style="--width:{width}px;max-width:{width}px;font:12px system-ui,sans-serif">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )  # nosec B308 B703


def empty(width: int, message: str) -> SafeString:
    """A thin SVG that only says ``message``."""
    return svg(width, 60, [f'<text x="10" y="30">{escape(message)}</text>'], "")


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to SVG pixels for one bounding box (y grows downwards)."""

    min_lon: float
    max_lat: float
    k: float
    scale: float
    width: int
    height: int
    margin: float = 10.0

    @classmethod
    def fit(
        cls,
        lats: Sequence[float],
        lons: Sequence[float],
        width: int = 900,
        pad: float = 0.002,
        min_height: int = 200,
    ) -> Projection:
        """The projection that fits these points in ``width`` pixels (``pad`` degrees round)."""
        min_lon, max_lon = min(lons) - pad, max(lons) + pad
        min_lat, max_lat = min(lats) - pad, max(lats) + pad
        k = math.cos(math.radians((min_lat + max_lat) / 2))
        w_deg, h_deg = (max_lon - min_lon) * k, max_lat - min_lat
        scale = width / max(w_deg, h_deg * 1.5, 1e-6)
        height = max(min_height, int(h_deg * scale) + 20)
        return cls(min_lon, max_lat, k, scale, width, height)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """Pixel coordinates (x, y) of a point."""
        x = (lon - self.min_lon) * self.k * self.scale
        return x, (self.max_lat - lat) * self.scale + self.margin

    def xy(self, lon: float, lat: float) -> str:
        """``"x,y"`` with one decimal, for SVG paths."""
        x, y = self.point(lon, lat)
        return f"{x:.1f},{y:.1f}"
