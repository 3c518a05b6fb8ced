"""The programme plan's timeline, drawn on the server as inline SVG (no JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from homecoming.core.palette import PALETTE
from homecoming.core.svgchart import YearScale, svg


@dataclass(frozen=True)
class Lane:
    """A settlement: its stages as (opening date, label, families expected)."""

    label: str
    stages: Sequence[tuple[date, str, int]]


def plan_timeline(lanes: Sequence[Lane], today: date) -> SafeString:
    """One lane per settlement; each stage a dot at its expected opening, sized by families.

    >>> svg = plan_timeline([Lane("Kəlbəcər", [(date(2027, 6, 1), "1", 40)])], date(2026, 11, 29))
    >>> svg.count("<circle"), "Kəlbəcər" in svg
    (1, True)
    """
    dates = [d for lane in lanes for d, _l, _n in lane.stages] + [today]
    left, width, lane_h, top = 170, 620, 34, 26
    scale = YearScale.around(dates, left=left, width=width)
    x = scale.x
    height = top + lane_h * max(1, len(lanes)) + 8
    most = max((n for lane in lanes for _d, _l, n in lane.stages), default=1) or 1
    body = [*scale.grid(16, height), scale.today(today, 16, height, PALETTE["red"])]
    for i, lane in enumerate(lanes):
        y = top + lane_h * i + lane_h / 2
        body.append(
            f'<text x="4" y="{y + 4:.1f}" font-size="12" fill="{PALETTE["label"]}">'
            f"{escape(lane.label)}</text>"
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" '
            f'stroke="{PALETTE["grid"]}"/>'
        )
        for d, label, n in lane.stages:
            r = 4 + 9 * (n / most) ** 0.5
            title = _("Stage %(stage)s, from %(date)s: %(n)d families") % {
                "stage": label,
                "date": d.isoformat(),
                "n": n,
            }
            body.append(
                f'<circle cx="{x(d):.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{PALETTE["blue"]}" '
                f'fill-opacity="0.75"><title>{escape(title)}</title></circle>'
                f'<text x="{x(d):.1f}" y="{y - r - 2:.1f}" font-size="10" text-anchor="middle" '
                f'fill="{PALETTE["label"]}">{escape(label)}</text>'
            )
    return svg(left + width + 10, height, body, _("Programme plan timeline"))
