"""Charts drawn on the server as inline SVG: the readiness timeline and the school places."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from homecoming.core.palette import PALETTE
from homecoming.core.svgchart import YearScale
from homecoming.core.svgchart import svg as _svg
from homecoming.readiness.models import ItemStatus
from homecoming.readiness.planning import SchoolPlan

STATUS_COLOURS = {
    "not_started": PALETTE["pale-grey"],
    "in_progress": PALETTE["amber"],
    "done": PALETTE["green"],
    "certified": PALETTE["dark-green"],
}


@dataclass
class TimelineRow:
    label: str
    group: str
    status: str
    planned_start: date | None
    planned_end: date | None
    actual_end: date | None


def timeline(rows: Sequence[TimelineRow], today: date) -> SafeString:
    """One line per item: the planned period as a bar, the actual completion as a diamond."""
    dates = [
        d for r in rows for d in (r.planned_start, r.planned_end, r.actual_end) if d is not None
    ] + [today]
    left, width, row_h, top = 260, 640, 18, 24
    scale = YearScale.around(dates, left=left, width=width)
    x = scale.x
    height = top + row_h * len(rows) + 10
    body = [*scale.grid(14, height), scale.today(today, 14, height, PALETTE["chart-strong"])]
    group = None
    for i, r in enumerate(rows):
        y = top + i * row_h
        label = r.label if r.group == group else f"{r.group} · {r.label}"
        group = r.group
        body.append(
            f'<text x="4" y="{y + 12}" fill="{PALETTE["label"]}">{escape(label[:42])}</text>'
        )
        colour = STATUS_COLOURS.get(r.status, PALETTE["unknown"])
        # The status in words too (the tooltip), not only as the bar's colour.
        state = str(ItemStatus(r.status).label) if r.status in ItemStatus.values else r.status
        if r.planned_end:
            start = r.planned_start or r.planned_end
            x0, x1 = x(start), x(r.planned_end)
            tip = _("planned %(start)s – %(end)s") % {"start": start, "end": r.planned_end}
            body.append(
                f'<rect class="planned" x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 3):.1f}" '
                f'height="11" rx="2" fill="{colour}" fill-opacity=".55" stroke="{colour}">'
                f"<title>{escape(r.group)} · {escape(r.label)}: {escape(state)}, "
                f"{escape(tip)}</title></rect>"
            )
        if r.actual_end:
            ax, ay = x(r.actual_end), y + 8.5
            tip = _("finished %(date)s") % {"date": r.actual_end}
            body.append(
                f'<path class="actual" d="M{ax:.1f} {ay - 6} l6 6 l-6 6 l-6 -6z" fill="{PALETTE["charcoal"]}">'
                f"<title>{escape(r.group)} · {escape(r.label)}: {escape(tip)}</title></path>"
            )
    return _svg(left + width + 20, height, body, _("Timeline of planned and actual dates"))


def school_chart(plan: SchoolPlan) -> SafeString:
    """Per school year: places (permanent, modular) stacked, and the demand beside them."""
    years = plan.years
    top = max([1] + [max(y.demand, y.capacity) for y in years])
    step = 10 ** max(0, len(str(top)) - 1)
    top = -(-top // step) * step
    left, bottom, h, slot = 50, 30, 200, 90
    width, height = left + slot * len(years) + 10, h + bottom + 30

    def yv(v: float) -> float:
        return float(20 + h - h * v / top)

    body = []
    for t in range(0, top + 1, max(step, top // 4 or 1)):
        body.append(
            f'<line x1="{left}" x2="{width}" y1="{yv(t):.1f}" y2="{yv(t):.1f}" stroke="{PALETTE["grid"]}"/>'
            f'<text x="{left - 4}" y="{yv(t) + 4:.1f}" text-anchor="end" fill="{PALETTE["chart-text"]}">{t}</text>'
        )
    for i, y in enumerate(years):
        x0 = left + i * slot + 10
        base = yv(0)
        perm_top = yv(y.permanent)
        mod_top = yv(y.permanent + y.modular)
        tip = _(
            "%(year)s: %(demand)d children, %(permanent)d permanent and %(modular)d modular places"
        ) % {"year": y.label, "demand": y.demand, "permanent": y.permanent, "modular": y.modular}
        body.append(
            f'<rect x="{x0}" y="{perm_top:.1f}" width="30" height="{base - perm_top:.1f}" '
            f'fill="{PALETTE["blue"]}"><title>{escape(tip)}</title></rect>'
            f'<rect x="{x0}" y="{mod_top:.1f}" width="30" height="{perm_top - mod_top:.1f}" '
            f'fill="{PALETTE["pale-blue"]}"><title>{escape(tip)}</title></rect>'
            f'<rect class="demand" x="{x0 + 34}" y="{yv(y.demand):.1f}" width="30" '
            f'height="{base - yv(y.demand):.1f}" fill="{PALETTE["red"] if y.gap > 0 else PALETTE["grey"]}">'
            f"<title>{escape(tip)}</title></rect>"
            f'<text x="{x0 + 32}" y="{base + 16:.1f}" text-anchor="middle">{y.label}</text>'
        )
        if y.gap > 0:
            body.append(
                f'<text x="{x0 + 49}" y="{yv(y.demand) - 4:.1f}" text-anchor="middle" '
                f'fill="{PALETTE["deep-red"]}">−{y.gap}</text>'
            )
    return _svg(width, height, body, _("School places and demand per school year"))
