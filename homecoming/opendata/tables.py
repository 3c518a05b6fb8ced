"""The export tables: their columns with HXL hashtags, their rows, and their files.

Each file has a header row in the reader's language, then the HXL hashtag row (the stable,
machine-readable key: docs/opendata.md lists every tag), then the data. One level per file:
districts, settlements or complexes (aggregates, for every role), or one row per family
(only for a user who may export the format: core.access.require_export).

>>> from homecoming.opendata.tables import Column, Table, csv_text
>>> t = Table("complex", [Column("code", "Code", "#loc+complex+code")], [["KLB-RC1"]])
>>> csv_text(t).splitlines()
['\\ufeffCode', '#loc+complex+code', 'KLB-RC1']
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from homecoming.core import exports
from homecoming.housing.models import Construction, UnitStatus
from homecoming.opendata.figures import Aggregates, Figures

LEVELS = ("district", "settlement", "complex")
HOUSEHOLD = "household"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation
    tag: str  # the HXL hashtag with its attributes


@dataclass
class Table:
    level: str
    columns: list[Column]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        """The rows as JSON objects keyed by column (the API's answer)."""
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


Getter = Callable[[Figures, date], Any]
D, S, C = "district", "settlement", "complex"
ALL = (D, S, C)

#: HXL attributes of the homes' states (construction, then allocation).
STATE_ATTRIBUTE: dict[str, str] = {
    Construction.PLANNED: "planned",
    Construction.UNDER_CONSTRUCTION: "building",
    Construction.BUILT: "built",
    UnitStatus.FREE: "free",
    UnitStatus.OFFERED: "offered",
    UnitStatus.ALLOCATED: "allocated",
    UnitStatus.KEYS_HANDED: "keys",
    UnitStatus.OCCUPIED: "occupied",
}


def _code(area: Any) -> str:
    return area.code if area is not None and area.level != "country" else ""


def _name(area: Any) -> str:
    return area.name if area is not None and area.level != "country" else ""


def _yes_no(ready: bool | None) -> str:
    return "" if ready is None else ("yes" if ready else "no")


def _state(state: str) -> Getter:
    return lambda f, on: f.by_state[state]


def _aggregate_columns() -> list[tuple[Column, tuple[str, ...], Getter]]:
    lang = (get_language() or "en")[:2]
    states = [
        (
            Column(f"homes_{state}", label, f"#indicator+homes+{STATE_ATTRIBUTE[state]}+num"),
            ALL,
            _state(state),
        )
        for state, label in [*Construction.choices, *UnitStatus.choices]
    ]
    # fmt: off
    return [
        (Column("date", _("Date"), "#date+reported"), ALL, lambda f, on: on.isoformat()),
        (Column("country_code", _("Country code"), "#country+code"), ALL, lambda f, on: f.country),
        (Column("region_code", _("Region code"), "#adm1+code"), ALL, lambda f, on: _code(f.region)),
        (Column("region", _("Region"), f"#adm1+name+i_{lang}"), ALL, lambda f, on: _name(f.region)),
        (Column("district_code", _("District code"), "#adm2+code"), ALL, lambda f, on: _code(f.district)),
        (Column("district", _("District"), f"#adm2+name+i_{lang}"), ALL, lambda f, on: _name(f.district)),
        (Column("settlement_code", _("Settlement code"), "#loc+settlement+code"), (S, C), lambda f, on: f.area.code),
        (Column("settlement", _("Settlement"), f"#loc+settlement+name+i_{lang}"), (S, C), lambda f, on: f.area.name),
        (Column("complex_code", _("Complex code"), "#loc+complex+code"), (C,), lambda f, on: f.code),
        (Column("complex", _("Complex"), "#loc+complex+name"), (C,), lambda f, on: f.name),
        (Column("lat", _("Latitude"), "#geo+lat"), ALL, lambda f, on: f.lat),
        (Column("lon", _("Longitude"), "#geo+lon"), ALL, lambda f, on: f.lon),
        (Column("stage", _("Programme stage"), "#meta+stage"), (C,), lambda f, on: f.stage),
        (Column("planned_families", _("Families planned"), "#targeted+hh"), ALL, lambda f, on: f.planned_families),
        (Column("returned_families", _("Families returned"), "#affected+returnees+hh"), ALL, lambda f, on: f.returned_families),
        (Column("returned_persons", _("Persons returned"), "#affected+returnees+ind"), ALL, lambda f, on: f.returned_persons),
        (Column("waiting_families", _("Families waiting (by origin)"), "#affected+idps+hh"), (D, S), lambda f, on: f.waiting_families),
        (Column("waiting_persons", _("Persons waiting (by origin)"), "#affected+idps+ind"), (D, S), lambda f, on: f.waiting_persons),
        (Column("homes", _("Homes"), "#indicator+homes+total+num"), ALL, lambda f, on: f.homes),
        *states,
        (Column("homes_ready", _("Homes ready"), "#indicator+homes+ready+num"), ALL, lambda f, on: f.homes_ready),
        (Column("complexes", _("Complexes"), "#indicator+complexes+total+num"), (D, S), lambda f, on: f.complexes),
        (Column("complexes_ready", _("Complexes ready"), "#indicator+complexes+ready+num"), (D, S), lambda f, on: f.complexes_ready),
        (Column("ready", _("Ready for families"), "#status+ready"), (S, C), lambda f, on: _yes_no(f.ready)),
        (Column("forecast", _("Forecast opening"), "#date+forecast"), (C,), lambda f, on: f.forecast.isoformat() if f.forecast else None),
    ]
    # fmt: on


def aggregate_table(data: Aggregates, level: str) -> Table:
    """The aggregates of one level (district, settlement or complex) as a table."""
    columns = [(c, get) for c, levels, get in _aggregate_columns() if level in levels]
    rows = [[get(f, data.on) for _c, get in columns] for f in data.level(level)]
    return Table(level, [c for c, _get in columns], rows)


HOUSEHOLD_COLUMNS = [
    Column("reg_number", _("Registration number"), "#beneficiary+hh+code"),
    Column("district_code", _("District code"), "#adm2+code"),
    Column("origin_code", _("Origin settlement code"), "#loc+origin+code"),
    Column("shelter_kind", _("Temporary shelter"), "#loc+shelter+type"),
    Column("priority", _("Priority"), "#indicator+priority+num"),
    Column("registered_on", _("Registered on"), "#date+registered"),
    Column("status", _("Status"), "#status+code"),
    Column("persons", _("Persons"), "#affected+ind"),
    Column("destination_code", _("Chosen destination code"), "#loc+dest+code"),
    Column("complex_code", _("Complex of the home"), "#loc+complex+code"),
]


def household_table(households: Iterable[Any]) -> Table:
    """One row per family: codes and counts only (no names, numbers, phones or addresses)."""
    rows = []
    for h in households:
        home = getattr(h, "home", None)
        rows.append(
            [
                h.reg_number,
                h.district.code,
                h.origin.code,
                h.shelter_kind,
                h.priority,
                h.registered_on.isoformat(),
                h.status,
                getattr(h, "size", None),
                h.destination.code if h.destination else None,
                home.building.complex.code if home is not None else None,
            ]
        )
    return Table(HOUSEHOLD, list(HOUSEHOLD_COLUMNS), rows)


def _lines(table: Table) -> Iterable[list[Any]]:
    yield [str(c.label) for c in table.columns]
    yield [c.tag for c in table.columns]
    for row in table.rows:
        yield ["" if v is None else v for v in row]


def csv_text(table: Table) -> str:
    """The table as CSV: a BOM (spreadsheets then read UTF-8), the header, the HXL row, the
    rows; every text cell formula-safe (core.exports)."""
    out = io.StringIO()
    out.write("\ufeff")
    exports.writer(out, lineterminator="\n").writerows(_lines(table))
    return out.getvalue()


def xlsx_bytes(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet named by its level."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.level)
    for line in _lines(table):
        sheet.append(exports.safe_row(line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["HOUSEHOLD", "LEVELS", "XLSX_TYPE", "Column", "Table"]
