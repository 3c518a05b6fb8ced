"""The year chart of a settlement's travel times, drawn on the server as inline SVG."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from homecoming.core.palette import PALETTE
from homecoming.core.svgchart import svg
from homecoming.network.adapter import DESTINATIONS, MonthRow
from homecoming.network.models import Role

ROLE_COLOURS: dict[str, str] = {
    Role.DISTRICT_CENTRE: PALETTE["blue"],
    Role.HOSPITAL: PALETTE["red"],
    Role.REGIONAL_CITY: PALETTE["dark-green"],
}


def _ticks(top: float) -> list[int]:
    step = 30 if top <= 240 else 60 if top <= 600 else 120
    return list(range(0, int(top) + 1, step))


def year_chart(months: Sequence[MonthRow], labels: dict[str, str]) -> SafeString:
    """Minutes to each destination over the year: solid as things stand, dashed with the
    planned projects; a red cross at the top where a destination cannot be reached."""
    values = [
        r.minutes
        for m in months
        for reaches in (m.now, m.planned)
        for r in reaches.values()
        if r.minutes is not None
    ]
    top = max([60.0, *values]) * 1.1
    top = math.ceil(top / 30) * 30
    left, slot, h, top_pad = 50, 60, 220, 20
    width, height = left + slot * 12 + 20, top_pad + h + 40

    def x(i: int) -> float:
        return left + slot * i + slot / 2

    def y(v: float) -> float:
        return top_pad + h - h * v / top

    body = []
    for t in _ticks(top):
        body.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
            f'stroke="{PALETTE["grid"]}"/><text x="{left - 4}" y="{y(t) + 4:.1f}" text-anchor="end" '
            f'fill="{PALETTE["chart-text"]}">{t}</text>'
        )
    for i, m in enumerate(months):
        body.append(
            f'<text x="{x(i):.1f}" y="{top_pad + h + 16}" text-anchor="middle" fill="{PALETTE["chart-text"]}">'
            f"{m.on.month}</text>"
        )
    # gettext outside the f-strings: xgettext does not read inside them
    caption = _("minutes, by month of %(year)s") % {"year": months[0].on.year if months else ""}
    no_route = _("no route")
    body.append(
        f'<text x="{left}" y="{top_pad + h + 34}" fill="{PALETTE["chart-text"]}">'
        f"{escape(caption)}</text>"
    )
    for role in DESTINATIONS:
        colour = ROLE_COLOURS[role]
        for planned in (False, True):
            dash = ' stroke-dasharray="6 4"' if planned else ""
            series = [(m.planned if planned else m.now)[role] for m in months]
            segments: list[list[str]] = [[]]
            for i, reach in enumerate(series):
                if reach.minutes is None:
                    segments.append([])
                    body.append(
                        f'<text class="unreachable" x="{x(i):.1f}" y="{top_pad - 4}" '
                        f'text-anchor="middle" fill="{colour}">×<title>'
                        f"{escape(labels[role])}: {escape(no_route)}</title></text>"
                    )
                    continue
                segments[-1].append(f"{x(i):.1f},{y(reach.minutes):.1f}")
            kind = _("with planned projects") if planned else _("as things stand")
            for seg in segments:
                if len(seg) > 1:
                    body.append(
                        f'<polyline class="series series-{role}" points="{" ".join(seg)}" '
                        f'fill="none" stroke="{colour}" stroke-width="2.5"{dash}>'
                        f"<title>{escape(labels[role])} ({escape(kind)})</title></polyline>"
                    )
            if not planned:
                for i, reach in enumerate(series):
                    if reach.minutes is not None:
                        tip = f"{labels[role]}, {months[i].on:%Y-%m-%d}: {reach.minutes:.0f} min"
                        body.append(
                            f'<circle cx="{x(i):.1f}" cy="{y(reach.minutes):.1f}" r="3.5" '
                            f'fill="{colour}"><title>{escape(tip)}</title></circle>'
                        )
    return svg(width, height, body, _("Travel time over the year"))
