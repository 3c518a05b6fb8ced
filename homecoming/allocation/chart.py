"""A run's shares beside the lottery's, as labelled percentages and a small SVG bar chart.

The chart is drawn on the server (no script, no library): per share, its label above a pair
of bars, this run in the accent colour and the lottery on the same inputs in grey, each bar
labelled with its percentage. A viewBox lets it shrink with the screen; 360 units wide, its
text stays readable on a phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homecoming.core.palette import PALETTE
from homecoming.core.svgchart import svg
from homecoming.core.templatetags.homecoming import metric

#: The shares of a report, with their labels: (key, label, numerator, denominator).
#: A share the engine reports itself has no numerator; the others are computed.
SHARES: list[tuple[str, Any, str, str]] = [
    ("housed_share", gettext_lazy("Families housed"), "housed", "households"),
    ("units_used_share", gettext_lazy("Homes used"), "units_used", "units"),
    ("groups_in_one_building_share", gettext_lazy("Groups kept in one building"), "", ""),
    (
        "groups_in_one_complex_share",
        gettext_lazy("Groups kept in one complex"),
        "groups_in_one_complex",
        "groups_housed",
    ),
    ("ideal_rooms_share", gettext_lazy("Share in the ideal number of rooms"), "", ""),
    (
        "same_origin_in_one_complex_share",
        gettext_lazy("Same-origin families in one complex"),
        "",
        "",
    ),
]


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    run: float | None
    lottery: float | None


def share_of(report: Mapping[str, Any], key: str, numerator: str, denominator: str) -> float | None:
    """One share of a report, between 0 and 1; None when the report lacks it.

    >>> share_of({"housed": 31, "households": 50}, "housed_share", "housed", "households")
    0.62
    >>> share_of({"ideal_rooms_share": 0.620767}, "ideal_rooms_share", "", "")
    0.620767
    >>> share_of({"housed": 0, "households": 0}, "housed_share", "housed", "households") is None
    True
    """
    if not numerator:
        value = report.get(key)
        return float(value) if isinstance(value, int | float) else None
    top, bottom = report.get(numerator), report.get(denominator)
    if not isinstance(top, int | float) or not isinstance(bottom, int | float) or not bottom:
        return None
    return float(top) / float(bottom)


def shares(report: Mapping[str, Any]) -> list[Share]:
    """The run's shares beside the lottery baseline's (None where there is no baseline).

    >>> rows = shares({"housed": 3, "households": 4, "baseline": {"housed": 2, "households": 4}})
    >>> [(r.run, r.lottery) for r in rows if r.key == "housed_share"]
    [(0.75, 0.5)]
    """
    baseline = report.get("baseline") or {}
    rows = []
    for key, label, top, bottom in SHARES:
        mine = share_of(report, key, top, bottom)
        theirs = share_of(baseline, key, top, bottom) if baseline else None
        if mine is None and theirs is None:
            continue
        rows.append(Share(key, str(label), mine, theirs))
    return rows


def percent(value: float | None) -> str:
    """A share as people read it, in their language's number format ("62.1 %").

    >>> from django.utils import translation
    >>> with translation.override("en"):
    ...     percent(0.620767), percent(None)
    ('62.1 %', '—')
    """
    return metric(value, "_share")


def bar_chart(rows: Sequence[Share]) -> SafeString:
    """Per share, its label above a pair of bars (this run, the lottery), each with its
    percentage: narrow enough to stay readable on a phone once the viewBox scales it.

    >>> from django.utils import translation
    >>> with translation.override("en"):
    ...     drawn = bar_chart([Share("housed_share", "Families housed", 0.75, 0.5)])
    >>> 'viewBox="0 0 360 ' in drawn and "75.0 %" in drawn and "50.0 %" in drawn
    True
    """
    width, bar, label, gap = 280, 12, 15, 8
    has_lottery = any(r.lottery is not None for r in rows)
    top = 44 if has_lottery else 28  # below the legend's one or two lines
    per_row = label + bar * (2 if has_lottery else 1) + gap
    height = top + per_row * len(rows)
    body = _legend(has_lottery)
    for i, row in enumerate(rows):
        y = top + i * per_row
        body.append(
            f'<text x="4" y="{y + 11}" fill="{PALETTE["label"]}">{escape(row.label[:56])}</text>'
        )
        pairs = [(row.run, PALETTE["accent"], _("This run"))]
        if has_lottery:
            pairs.append((row.lottery, PALETTE["grey"], _("Lottery")))
        for j, (value, colour, who) in enumerate(pairs):
            yy = y + label + j * bar
            w = width * max(0.0, min(1.0, value or 0.0))
            body.append(
                f'<rect x="4" y="{yy}" width="{w:.1f}" height="{bar - 2}" fill="{colour}">'
                f"<title>{escape(who)}: {escape(percent(value))}</title></rect>"
                f'<text x="{w + 8:.1f}" y="{yy + bar - 3}" fill="{PALETTE["chart-text"]}">'
                f"{escape(percent(value))}</text>"
            )
    return svg(360, height, body, _("This run compared with the lottery, in percent"))


def _legend(has_lottery: bool) -> list[str]:
    """One line per colour: this run, then the lottery."""
    items = [(PALETTE["accent"], _("This run"))]
    if has_lottery:
        items.append((PALETTE["grey"], _("Lottery by size, same inputs")))
    return [
        f'<rect x="4" y="{4 + 16 * i}" width="12" height="12" fill="{colour}"/>'
        f'<text x="22" y="{14 + 16 * i}" fill="{PALETTE["label"]}">{escape(label)}</text>'
        for i, (colour, label) in enumerate(items)
    ]
