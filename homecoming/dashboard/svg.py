"""The dashboard's charts, drawn on the server as inline SVG with the stylesheet's palette:
returns by month against the targets, and the kept history's trend lines.

>>> drawn = returns_chart([{"month": "2025-06", "families": 30, "persons": 120}], [])
>>> drawn.count("<rect class=\\"month\\"")
1
>>> "<svg" in trend_chart([]) or trend_chart([]) == ""
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from homecoming.core.palette import PALETTE
from homecoming.core.svgchart import svg

#: CSS class of each home state's swatch (the stylesheet's status colours).
STATE_CLASSES = {
    "planned": "st-planned",
    "building": "st-under_construction",
    "built": "st-built",
    "ready": "st-keys_handed",
    "offered": "st-offered",
    "allocated": "st-allocated",
    "occupied": "st-occupied",
}


def _month_index(month: str) -> int:
    year, m = month.split("-")
    return int(year) * 12 + int(m) - 1


def _label(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def returns_chart(
    returns: Sequence[dict[str, Any]], stages: Sequence[dict[str, Any]]
) -> SafeString:
    """Families returned per month (bars), their running total (a line), and the running
    total of the stages' targets at the end of each stage's year (circles)."""
    dated = [r for r in returns if r["month"]]
    targets: dict[int, int] = {}
    for s in stages:
        targets[s["year"]] = targets.get(s["year"], 0) + s["target_families"]
    if not dated and not targets:
        return SafeString("")  # nothing to draw
    months = [_month_index(r["month"]) for r in dated]
    months += [y * 12 + 11 for y in targets]
    first, last = min(months), max(months)
    first -= first % 12  # whole years on the axis
    last += 11 - last % 12
    count = last - first + 1
    left, top, width, height = 50, 16, 620, 200
    step = width / count
    undated: int = sum(r["families"] for r in returns if not r["month"])
    running, total_target, peaks = undated, 0, [undated]
    for r in dated:
        running += r["families"]
        peaks.append(running)
    for y in sorted(targets):
        total_target += targets[y]
    top_value: int = max(max(peaks), total_target, 1)

    def y_of(value: float) -> float:
        return top + height - height * value / top_value

    body = [
        f'<line x1="{left}" y1="{top + height}" x2="{left + width}" y2="{top + height}" '
        f'stroke="{PALETTE["grid-strong"]}"/>',
        f'<text x="4" y="{top + 4}" fill="{PALETTE["chart-text"]}">{top_value}</text>',
    ]
    for year in range(first // 12, last // 12 + 1):
        x = left + (year * 12 - first) * step
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + height}" stroke="{PALETTE["grid"]}"/>'
            f'<text x="{x + 3:.1f}" y="{top + height + 14}" fill="{PALETTE["chart-text"]}">{year}</text>'
        )
    monthly_top = max((r["families"] for r in dated), default=1)
    running, line = undated, []
    for r in dated:
        i = _month_index(r["month"]) - first
        x = left + i * step
        h = height * 0.5 * r["families"] / monthly_top
        tip = _("%(month)s: %(families)d families (%(persons)d persons) moved in") % {
            "month": r["month"],
            "families": r["families"],
            "persons": r["persons"] or 0,
        }
        body.append(
            f'<rect class="month" x="{x:.1f}" y="{top + height - h:.1f}" width="{max(step - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="{PALETTE["sky"]}"><title>{escape(tip)}</title></rect>'
        )
        running += r["families"]
        line.append(f"{x + step:.1f},{y_of(running):.1f}")
    if line:
        body.append(
            f'<polyline class="running" points="{" ".join(line)}" fill="none" '
            f'stroke="{PALETTE["dark-green"]}" stroke-width="2"/>'
        )
    body += _targets(targets, lambda year: left + (year * 12 + 12 - first) * step, y_of)
    return svg(
        left + width + 20,
        top + height + 22,
        body,
        _("Families returned by month against the targets"),
    )


def _targets(
    targets: dict[int, int], x_of: Callable[[int], float], y_of: Callable[[float], float]
) -> list[str]:
    """A circle at the end of each year at the running total of the targets due by then."""
    body, cumulative = [], 0
    for year in sorted(targets):
        cumulative += targets[year]
        tip = _("Target by the end of %(year)d: %(families)d families") % {
            "year": year,
            "families": cumulative,
        }
        body.append(
            f'<circle class="target" cx="{x_of(year):.1f}" cy="{y_of(cumulative):.1f}" r="5" '
            f'fill="none" stroke="{PALETTE["deep-red"]}" stroke-width="2">'
            f"<title>{escape(tip)}</title></circle>"
        )
    return body


def trend_chart(points: Sequence[tuple[date, dict[str, int]]]) -> SafeString:
    """The kept history: families moved in, with a home allocated and waiting, day by day."""
    if len(points) < 2:
        return SafeString("")  # a trend needs two days
    series = [
        # The colours of the legend's dots under the chart (the homes' status colours).
        ("moved_in", PALETTE["st-occupied"], _("moved in")),
        ("allocated", PALETTE["st-allocated"], _("with a home allocated")),
        ("waiting", PALETTE["st-under_construction"], _("waiting for a home")),
    ]
    left, top, width, height = 50, 16, 620, 160
    first, last = points[0][0], points[-1][0]
    span = (last - first).days or 1
    top_value = max(max(h.get(k, 0) for _d, h in points) for k, _c, _n in series) or 1
    body = [
        f'<line x1="{left}" y1="{top + height}" x2="{left + width}" y2="{top + height}" '
        f'stroke="{PALETTE["grid-strong"]}"/>',
        f'<text x="4" y="{top + 4}" fill="{PALETTE["chart-text"]}">{top_value}</text>',
        f'<text x="{left}" y="{top + height + 14}" fill="{PALETTE["chart-text"]}">{first}</text>',
        f'<text x="{left + width}" y="{top + height + 14}" text-anchor="end" '
        f'fill="{PALETTE["chart-text"]}">{last}</text>',
    ]
    for key, colour, name in series:
        coords = " ".join(
            f"{left + width * (d - first).days / span:.1f},"
            f"{top + height - height * h.get(key, 0) / top_value:.1f}"
            for d, h in points
        )
        body.append(
            f'<polyline class="trend trend-{key}" points="{coords}" fill="none" stroke="{colour}" '
            f'stroke-width="2"><title>{escape(name)}</title></polyline>'
        )
    return svg(left + width + 20, top + height + 22, body, _("Trend of the kept daily figures"))
