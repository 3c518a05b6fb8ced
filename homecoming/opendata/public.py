"""The public statistics: the tables the programme publishes, with small counts suppressed.

Which tables are published is the programme's choice (settings.OPENDATA_PUBLIC_FIGURES,
names from FIGURES). The family tables are cut from one set of micro-cells
(figures.micro_cells: district of origin x status x former shelter x settlement of return)
and suppressed together by homecoming.opendata.suppression, so that no table, nor any
sum and difference across them, shows a group of fewer than settings.OPENDATA_THRESHOLD
families. A cell's persons are shown exactly when its families are (a sum of persons can
only be worked out for a group of families that can be). Homes by construction state are
not about people and are published as they are.

Rows come from the geography and the housing (every district, every settlement being
rebuilt), never from who is counted: a row's presence says nothing about families.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.geography.models import Area
from homecoming.housing.models import Construction
from homecoming.opendata import figures as queries
from homecoming.opendata.figures import Micro
from homecoming.opendata.suppression import suppress
from homecoming.registry.models import ShelterKind

STATUS_GROUPS = [
    ("waiting", _("Waiting")),
    ("in_progress", _("Home offered or allocated")),
    ("returned", _("Returned")),
]


@dataclass
class Cell:
    """A published figure, or a suppressed one (``families`` and ``persons`` None)."""

    micro: frozenset[Micro]
    families: int | None = None
    persons: int | None = None
    homes: int | None = None

    @property
    def suppressed(self) -> bool:
        return self.families is None and self.homes is None

    def as_json(self) -> dict[str, Any]:
        if self.homes is not None:
            return {"homes": self.homes}
        return {"families": self.families, "persons": self.persons, "suppressed": self.suppressed}


@dataclass
class Row:
    code: str
    label: str
    cells: list[Cell]
    total: Cell
    subtotal: bool = False  # a district's line above its settlements


@dataclass
class PublicTable:
    figure: str
    title: Any
    unit: str  # "families" or "homes"
    columns: list[tuple[str, Any]]
    rows: list[Row] = field(default_factory=list)
    totals: list[Cell] = field(default_factory=list)
    total: Cell | None = None

    def cells(self) -> list[Cell]:
        found = [c for row in self.rows for c in (*row.cells, row.total)]
        return found + self.totals + ([self.total] if self.total else [])

    def as_json(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "title": str(self.title),
            "unit": self.unit,
            "columns": [{"code": code, "label": str(label)} for code, label in self.columns],
            "rows": [
                {
                    "code": r.code,
                    "label": r.label,
                    "subtotal": r.subtotal,
                    "cells": [c.as_json() for c in r.cells],
                    "total": r.total.as_json(),
                }
                for r in self.rows
            ],
            "totals": [c.as_json() for c in self.totals],
            "total": self.total.as_json() if self.total else None,
        }


Match = Callable[[Micro], bool]


def _from(district_id: int) -> Match:
    return lambda m: m.district_id == district_id


def _status(group: str) -> Match:
    return lambda m: m.status == group


def _shelter(kind: str) -> Match:
    return lambda m: m.shelter == kind


def _lives_in(settlement_ids: set[int]) -> Match:
    return lambda m: m.home_settlement_id in settlement_ids


def _both(first: Match, second: Match) -> Match:
    return lambda m: first(m) and second(m)


def _any(matches: list[Match]) -> Match:
    return lambda m: any(match(m) for match in matches)


def _cell(cells: Sequence[Micro], match: Match) -> Cell:
    return Cell(frozenset(m for m in cells if match(m)))


def _grid(
    figure: str,
    title: Any,
    rows: list[tuple[str, str, Match]],
    columns: list[tuple[str, Any, Match]],
    cells: Sequence[Micro],
) -> PublicTable:
    """A table of rows x columns with row totals, column totals and the grand total."""
    table = PublicTable(figure, title, "families", [(code, label) for code, label, _m in columns])
    for code, label, in_row in rows:
        parts = [_cell(cells, _both(in_row, in_col)) for _c, _l, in_col in columns]
        table.rows.append(Row(code, label, parts, _cell(cells, in_row)))
    table.totals = [_cell(cells, in_col) for _c, _l, in_col in columns]
    table.total = _cell(cells, _any([in_col for _c, _l, in_col in columns]))
    return table


def families_by_status(
    cells: Sequence[Micro], districts: list[Area], _s: list[Area]
) -> PublicTable:
    return _grid(
        "families_by_status",
        _("Families by district of origin and status"),
        [(d.code, d.name, _from(d.pk)) for d in districts],
        [(code, label, _status(code)) for code, label in STATUS_GROUPS],
        cells,
    )


def waiting_by_shelter(
    cells: Sequence[Micro], districts: list[Area], _s: list[Area]
) -> PublicTable:
    waiting = [m for m in cells if m.status == "waiting"]
    return _grid(
        "waiting_by_shelter",
        _("Families waiting, by district of origin and where they live now"),
        [(d.code, d.name, _from(d.pk)) for d in districts],
        [(code, label, _shelter(code)) for code, label in ShelterKind.choices],
        waiting,
    )


def returned_by_settlement(
    cells: Sequence[Micro], districts: list[Area], settlements: list[Area]
) -> PublicTable:
    """Families returned, by the settlement they live in, under its district's subtotal."""
    returned = [m for m in cells if m.status == "returned"]
    table = PublicTable(
        "returned_by_settlement",
        _("Families returned, by settlement"),
        "families",
        [("returned", _("Returned"))],
    )
    for d in districts:
        own = [s for s in settlements if s.parent_id == d.pk]
        if not own:
            continue
        ids = {s.pk for s in own}
        subtotal = _cell(returned, _lives_in(ids))
        table.rows.append(Row(d.code, d.name, [subtotal], subtotal, subtotal=True))
        for s in own:
            cell = _cell(returned, _lives_in({s.pk}))
            table.rows.append(Row(s.code, s.name, [cell], cell))
    table.total = Cell(frozenset(returned))
    return table


def homes_by_construction(
    cells: Sequence[Micro], districts: list[Area], settlements: list[Area]
) -> PublicTable:
    homes = queries.homes_by_settlement()
    table = PublicTable(
        "homes_by_construction",
        _("Homes by settlement and construction state"),
        "homes",
        list(Construction.choices),
    )
    sums = dict.fromkeys(Construction.values, 0)
    for s in settlements:
        counts = homes.get(s.pk, dict.fromkeys(Construction.values, 0))
        for state in Construction.values:
            sums[state] += counts[state]
        parts = [Cell(frozenset(), homes=counts[state]) for state in Construction.values]
        table.rows.append(Row(s.code, s.name, parts, Cell(frozenset(), homes=sum(counts.values()))))
    table.totals = [Cell(frozenset(), homes=sums[state]) for state in Construction.values]
    table.total = Cell(frozenset(), homes=sum(sums.values()))
    return table


Builder = Callable[[Sequence[Micro], list[Area], list[Area]], PublicTable]

#: Every table the programme may publish, in the page's order.
FIGURES: dict[str, Builder] = {
    "families_by_status": families_by_status,
    "waiting_by_shelter": waiting_by_shelter,
    "returned_by_settlement": returned_by_settlement,
    "homes_by_construction": homes_by_construction,
}


def published_figures() -> list[str]:
    """The tables settings.OPENDATA_PUBLIC_FIGURES names, in the page's order."""
    wanted = set(settings.OPENDATA_PUBLIC_FIGURES)
    return [name for name in FIGURES if name in wanted]


def _hidden(cells: list[Cell], counts: dict[Micro, tuple[int, int]], threshold: int) -> set[int]:
    """The indices of `cells` to suppress (suppression.suppress), kept in the cache by the
    counts they were decided on (the same counts give the same answer)."""
    micro = sorted(
        counts, key=lambda m: (m.district_id, m.status, m.shelter, m.home_settlement_id or 0)
    )
    index = {m: i for i, m in enumerate(micro)}
    figures = [frozenset(index[m] for m in c.micro) for c in cells]
    families = [counts[m][0] for m in micro]
    key = hashlib.sha256(
        json.dumps([threshold, families, [sorted(f) for f in figures]]).encode()
    ).hexdigest()
    seconds = int(settings.OPENDATA_PUBLIC_CACHE_SECONDS)
    found = cache.get(f"opendata:hidden:{key}") if seconds else None
    if found is None:
        found = sorted(suppress(figures, families, threshold))
        if seconds:
            cache.set(f"opendata:hidden:{key}", found, seconds)
    return set(found)


def public_tables(names: list[str] | None = None) -> dict[str, Any]:
    """The published tables with their figures filled in or suppressed."""
    names = published_figures() if names is None else names
    threshold = int(settings.OPENDATA_THRESHOLD)
    counts = queries.micro_cells()
    districts, settlements = queries.public_areas()
    cells = list(counts)
    tables = [FIGURES[name](cells, districts, settlements) for name in names]
    family_cells = [c for t in tables if t.unit == "families" for c in t.cells()]
    hidden = _hidden(family_cells, counts, threshold)
    for n, cell in enumerate(family_cells):
        if n not in hidden:
            cell.families = sum(counts[m][0] for m in cell.micro)
            cell.persons = sum(counts[m][1] for m in cell.micro)
    return {"as_of": timezone.localdate(), "threshold": threshold, "tables": tables}
