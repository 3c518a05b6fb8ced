"""What a monthly report prints: one function, ``report_figures(reader, month)``, and the plain
dataclass it returns.

The figures are the programme dashboard's (``dashboard.figures.compute``: its definitions,
docs/dashboard.md), never computed twice. For the report's day ``on`` (the month's last day,
or today while the month runs) they come from:

- the newest kept daily snapshot of the scope on or before ``on`` (``dashboard.history.as_of``)
  when it was taken in that month: the month as it was, whatever was corrected since;
- else ``compute`` now: for the current month, or for a past month of which no snapshot was
  kept (then ``source`` is "live" and ``figures_of`` is today, and the PDF says so).

Codes only (areas, shelter kinds, blockers): the PDF names them in its language when drawn.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from homecoming.accounts.models import Profile
from homecoming.dashboard.figures import HOME_STATES, Scope, compute
from homecoming.dashboard.history import as_of

#: Months of returns the chart shows, up to the report's month.
MONTHS_SHOWN = 12


@dataclass
class DistrictRow:
    """A district's line in the report's table, summed from the dashboard's places."""

    code: str
    homes: dict[str, int]  # by dashboard.figures.HOME_STATES
    total: int
    returned_families: int  # moved in, counted where their home is
    returned_persons: int
    complexes: int
    complexes_ready: int


@dataclass
class ReportFigures:
    month: date  # its first day
    on: date  # the day the report describes: the month's last day, or today if earlier
    district: str  # the district's code, "" for the whole programme
    source: str  # "snapshot" (kept that month) or "live" (computed when the report was made)
    figures_of: date  # the day the figures were taken: the snapshot's day, or today
    #: The dashboard's figures as kept or computed (``dashboard.figures.compute``).
    dashboard: dict[str, Any]
    districts: list[DistrictRow] = field(default_factory=list)
    returns: list[tuple[str, int]] = field(default_factory=list)  # ("2026-03", families)

    @property
    def families(self) -> dict[str, int]:
        found: dict[str, int] = self.dashboard["families"]
        return found

    @property
    def persons(self) -> dict[str, int]:
        found: dict[str, int] = self.dashboard["persons"]
        return found

    @property
    def homes(self) -> dict[str, int]:
        found: dict[str, int] = self.dashboard["homes"]
        return found

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (dates as ISO strings), as kept beside the PDF."""
        found: dict[str, Any] = json.loads(json.dumps(asdict(self), cls=DjangoJSONEncoder))
        return found


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_before(month: date, k: int) -> date:
    index = month.year * 12 + month.month - 1 - k
    return date(index // 12, index % 12 + 1, 1)


def report_figures(reader: Profile, month: date) -> ReportFigures:
    """The figures of ``month`` for the programme (a national ``reader``) or one district (a
    profile of that district; it need not be saved)."""
    month = month.replace(day=1)
    today = timezone.localdate()
    on = min(month_end(month), today)
    district = reader.district if reader.district_id else None
    kept = as_of(district, on)
    if kept is not None and kept.day >= month:
        source, figures_of, figures = "snapshot", kept.day, kept.figures
    else:
        source, figures_of, figures = "live", today, compute(reader, Scope(district), today)
    return ReportFigures(
        month=month,
        on=on,
        district=district.code if district is not None else "",
        source=source,
        figures_of=figures_of,
        dashboard=figures,
        districts=_districts(figures),
        returns=_returns(figures, month),
    )


def _districts(figures: dict[str, Any]) -> list[DistrictRow]:
    """One row per district of the places (settlements carry their district's code). No
    families waiting: the dashboard counts them by shelter and origin, not per district."""
    rows: dict[str, DistrictRow] = {}
    for place in figures["places"]:
        row = rows.setdefault(
            place["district"],
            DistrictRow(place["district"], dict.fromkeys(HOME_STATES, 0), 0, 0, 0, 0, 0),
        )
        for state in HOME_STATES:
            row.homes[state] += place["homes"][state]
        row.total += place["total"]
        for c in place["complexes"]:
            row.returned_families += c["returned_families"]
            row.returned_persons += c["returned_persons"]
            row.complexes += 1
            row.complexes_ready += bool(c["ready"])
    return sorted(rows.values(), key=lambda r: r.code)


def _returns(figures: dict[str, Any], month: date) -> list[tuple[str, int]]:
    """Families moved in per month of their move-in, the MONTHS_SHOWN months up to ``month``."""
    counts = {r["month"]: r["families"] for r in figures["returns"] if r["month"]}
    months = [months_before(month, k).strftime("%Y-%m") for k in range(MONTHS_SHOWN - 1, -1, -1)]
    return [(m, counts.get(m, 0)) for m in months]
