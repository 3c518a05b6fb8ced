"""The frame of the charts drawn on the server as inline SVG (readiness timeline and school
places, the network's year chart). Maps are interactive: see ``core/maps.py`` and map.js.

>>> drawn = svg(10, 5, ['<rect width="1" height="1"/>'], "A & B")
>>> 'viewBox="0 0 10 5"' in drawn, 'aria-label="A &amp; B"' in drawn
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from homecoming.core.palette import PALETTE


def svg(width: int, height: int, body: Sequence[str], title: str) -> SafeString:
    """An ``<svg>`` element of this size around ``body`` (already escaped SVG fragments)."""
    # Every value put inside is escaped or numeric.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" '
        f'style="--width:{width}px;max-width:{width}px;font:12px system-ui,sans-serif">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )  # nosec B308 B703


@dataclass(frozen=True)
class YearScale:
    """Whole calendar years, from the first of some dates to the end of the last, drawn
    `width` pixels wide from `left`: the time axis of the timelines.

    >>> scale = YearScale.around([date(2026, 11, 29), date(2027, 6, 1)], left=100, width=200)
    >>> scale.first, scale.last, scale.x(date(2027, 1, 1))
    (datetime.date(2026, 1, 1), datetime.date(2028, 1, 1), 200.0)
    >>> drawn = "".join(scale.grid(top=14, bottom=50))
    >>> drawn.count("<line"), drawn.count("</text>")  # three year lines, two years named
    (3, 2)
    """

    first: date
    last: date
    left: float
    width: float

    @classmethod
    def around(cls, dates: Iterable[date], *, left: float, width: float) -> YearScale:
        known = list(dates)
        return cls(date(min(known).year, 1, 1), date(max(known).year + 1, 1, 1), left, width)

    def x(self, d: date) -> float:
        span = (self.last - self.first).days or 1
        return self.left + self.width * (d - self.first).days / span

    def grid(self, top: float, bottom: float) -> list[str]:
        """A line at each new year from `top` to `bottom`, the year written above it (not
        above the closing line: no year starts there)."""
        body = []
        for year in range(self.first.year, self.last.year + 1):
            xx = self.x(date(year, 1, 1))
            body.append(
                f'<line x1="{xx:.1f}" y1="{top}" x2="{xx:.1f}" y2="{bottom}" '
                f'stroke="{PALETTE["grid-strong"]}"/>'
            )
            if year < self.last.year:
                body.append(
                    f'<text x="{xx + 3:.1f}" y="{top - 2}" fill="{PALETTE["chart-text"]}">'
                    f"{year}</text>"
                )
        return body

    def today(self, today: date, top: float, bottom: float, colour: str) -> str:
        """A dashed line at `today`, named in the reader's language."""
        tx = self.x(today)
        name = _("Today")
        return (
            f'<line x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{bottom}" stroke="{colour}" '
            f'stroke-dasharray="3 3"><title>{escape(name)}</title></line>'
        )
