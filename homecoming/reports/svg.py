"""The monthly report's drawings as SVG: homes by state, returns per month, and a map of the
places coloured by readiness. Colours only from the stylesheet's palette (core/palette.py);
text in the font the PDF embeds (``FONT``), so Azerbaijani and Russian letters print.

>>> drawn = bars([("2026-01", 3), ("2026-02", 5)], "Returns")
>>> drawn.startswith("<svg") and drawn.count("<rect") == 3  # the frame and two bars
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape

from homecoming.core.palette import PALETTE

#: The font family the PDF registers (reports/pdf.py), named in every <text>.
FONT = "Body"
WIDTH, HEIGHT = 520, 220


def _frame(width: int, height: int, body: Sequence[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="{PALETTE["white"]}"/>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: object, size: int = 10, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{PALETTE["chart-text"]}">{escape(str(text))}</text>'
    )


def bars(values: Sequence[tuple[str, int]], title: str) -> str:
    """One bar per (label, count), its count written above it."""
    top, bottom, left = 20, HEIGHT - 30, 30
    step = (WIDTH - left - 10) / max(len(values), 1)
    peak = max([n for _label, n in values] + [1])
    body = [
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" '
        f'stroke="{PALETTE["grid-strong"]}"/>'
    ]
    for i, (label, n) in enumerate(values):
        h = (bottom - top) * n / peak
        x = left + i * step + step * 0.15
        body.append(
            f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{step * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{PALETTE["accent"]}"/>'
        )
        body.append(_text(x + step * 0.35, bottom - h - 3, n, 9, "middle"))
        body.append(_text(x + step * 0.35, bottom + 14, label, 8, "middle"))
    return _frame(WIDTH, HEIGHT, body, title)


def stacked(parts: Sequence[tuple[str, str, int]], title: str) -> str:
    """One horizontal bar split by state, with a legend: (palette colour, label, count)."""
    total = sum(n for _s, _l, n in parts) or 1
    left, width, y, columns = 10, WIDTH - 20, 10, 3
    body = []
    x = float(left)
    for state, _label, n in parts:
        w = width * n / total
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="26" '
            f'fill="{PALETTE[state]}" stroke="{PALETTE["white"]}"/>'
        )
        x += w
    for i, (state, label, n) in enumerate(parts):
        lx, ly = left + (i % columns) * (width / columns), y + 48 + (i // columns) * 18
        body.append(
            f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" '
            f'fill="{PALETTE[state]}" stroke="{PALETTE["grid-strong"]}"/>'
        )
        body.append(_text(lx + 16, ly, f"{label}: {n}"))
    height = y + 40 + math.ceil(len(parts) / columns) * 18
    return _frame(WIDTH, height, body, title)


def place_map(
    points: Sequence[tuple[float, float, bool, str, bool]], legend: tuple[str, str], title: str
) -> str:
    """Points (lat, lon, ready, name shown or "", is a settlement) on an equirectangular
    projection fitted to them: ready places green, the others amber."""
    height = 300
    if not points:
        return _frame(WIDTH, height, [_text(WIDTH / 2, height / 2, title, 11, "middle")], title)
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    scale_x = math.cos(math.radians(sum(lats) / len(lats)))
    span = max((max(lons) - min(lons)) * scale_x, max(lats) - min(lats), 0.05)
    size = min(WIDTH - 160, height - 60) / span
    cx, cy = (max(lons) + min(lons)) / 2, (max(lats) + min(lats)) / 2
    body = [
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="{PALETTE["map-bg"]}" '
        f'stroke="{PALETTE["grid-strong"]}"/>'
    ]
    for lat, lon, ready, name, settlement in points:
        x = WIDTH / 2 - 40 + (lon - cx) * scale_x * size
        y = height / 2 - (lat - cy) * size
        colour = PALETTE["green"] if ready else PALETTE["amber"]
        radius = 6 if settlement else 3.5
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}" '
            f'stroke="{PALETTE["charcoal"]}" stroke-width="0.6"/>'
        )
        if name:
            body.append(_text(x + 8, y + 3, name, 8))
    for i, (ready, label) in enumerate(((True, legend[0]), (False, legend[1]))):
        colour = PALETTE["green"] if ready else PALETTE["amber"]
        body.append(
            f'<circle cx="{WIDTH - 110}" cy="{20 + i * 16}" r="5" fill="{colour}" '
            f'stroke="{PALETTE["charcoal"]}" stroke-width="0.6"/>'
        )
        body.append(_text(WIDTH - 100, 24 + i * 16, label, 9))
    return _frame(WIDTH, height, body, title)
