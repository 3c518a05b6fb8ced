"""Reading the contract's CSV files and writing assignments.

Every problem raises `InputError` naming file, line and column; nothing is guessed.

>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> p = os.path.join(d, "h.csv")
>>> _ = open(p, "w").write("household_id,size\\nh1,4\\nh2,four\\n")
>>> try:
...     read_households(p)
... except InputError as e:
...     print(e.line, e.column, e.column_number)
3 size 2
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from homecoming.core.exports import safe_cell

from .errors import InputError
from .model import Assignment, Household, Resident, Result, Unit

HOUSEHOLD_COLUMNS = ("household_id", "size")
UNIT_COLUMNS = ("unit_id", "settlement", "complex", "building", "rooms")
RESIDENT_COLUMNS = ("household_id", "settlement", "complex", "building")


class _Row:
    """One data row with typed accessors that raise InputError at the right place."""

    def __init__(self, file: str, line: int, header: dict[str, int], values: list[str]) -> None:
        self.file, self.line, self.header, self.values = file, line, header, values

    def error(self, column: str, message: str) -> InputError:
        return InputError(
            self.file, self.line, column, message, column_number=self.header.get(column, -1) + 1
        )

    def text(self, column: str) -> str | None:
        i = self.header.get(column)
        if i is None or i >= len(self.values):
            return None
        value = self.values[i].strip()
        return value or None

    def required(self, column: str) -> str:
        value = self.text(column)
        if value is None:
            raise self.error(column, "required value is empty")
        return value

    def integer(self, column: str, *, minimum: int | None = None) -> int | None:
        raw = self.text(column)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            raise self.error(column, f"not an integer: {raw!r}") from None
        if minimum is not None and value < minimum:
            raise self.error(column, f"must be >= {minimum}: {raw!r}")
        return value

    def number(self, column: str, *, minimum: float | None = None) -> float | None:
        raw = self.text(column)
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise self.error(column, f"not a number: {raw!r}") from None
        if not math.isfinite(value) or (minimum is not None and value < minimum):
            raise self.error(column, f"not a finite number >= {minimum}: {raw!r}")
        return value

    def boolean(self, column: str) -> bool | None:
        raw = self.text(column)
        if raw is None:
            return None
        low = raw.lower()
        if low in ("1", "true"):
            return True
        if low in ("0", "false"):
            return False
        raise self.error(column, f"not a boolean (expected 0 or 1): {raw!r}")

    def date(self, column: str) -> datetime.date | None:
        raw = self.text(column)
        if raw is None:
            return None
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise self.error(column, f"not a date YYYY-MM-DD: {raw!r}") from None


def _rows(path: str | Path, required: tuple[str, ...], id_column: str) -> Iterator[_Row]:
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(name, None, None, f"cannot read: {exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header_row = next(reader)
    except StopIteration:
        raise InputError(name, 1, None, "empty file: no header") from None
    except csv.Error as exc:
        raise InputError(name, 1, None, f"bad CSV: {exc}") from None
    header: dict[str, int] = {}
    for i, col in enumerate(header_row):
        key = col.strip()
        if key in header:
            raise InputError(name, 1, key, "duplicate column", column_number=i + 1)
        header[key] = i
    for col in required:
        if col not in header:
            raise InputError(name, 1, col, "missing required column")
    seen: dict[str, int] = {}
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            row = _Row(name, reader.line_num, header, values)
            key = row.required(id_column)
            if key in seen:
                raise row.error(id_column, f"duplicate id {key!r} (first on line {seen[key]})")
            seen[key] = row.line
            yield row
    except csv.Error as exc:
        raise InputError(name, reader.line_num, None, f"bad CSV: {exc}") from None


def read_households(path: str | Path) -> list[Household]:
    """Read households.csv of the contract (extra columns are ignored)."""
    out = []
    for row in _rows(path, HOUSEHOLD_COLUMNS, "household_id"):
        size = row.integer("size", minimum=1)
        if size is None:
            raise row.error("size", "required value is empty")
        out.append(
            Household(
                household_id=row.required("household_id"),
                size=size,
                group_id=row.text("group_id"),
                origin=row.text("origin"),
                needs_accessible=bool(row.boolean("needs_accessible")),
                priority=row.number("priority", minimum=0.0) or 0.0,
                destination=row.text("destination"),
                registered_on=row.date("registered_on"),
            )
        )
    return out


def read_units(path: str | Path) -> list[Unit]:
    """Read units.csv of the contract (extra columns are ignored)."""
    out = []
    for row in _rows(path, UNIT_COLUMNS, "unit_id"):
        rooms = row.integer("rooms", minimum=1)
        if rooms is None:
            raise row.error("rooms", "required value is empty")
        out.append(
            Unit(
                unit_id=row.required("unit_id"),
                settlement=row.required("settlement"),
                complex=row.required("complex"),
                building=row.required("building"),
                rooms=rooms,
                floor=row.integer("floor"),
                accessible=row.boolean("accessible"),
                area_m2=row.number("area_m2", minimum=0.0),
            )
        )
    return out


def read_residents(path: str | Path, households: Sequence[Household] = ()) -> list[Resident]:
    """Read residents.csv of the contract: households housed in earlier stages. A resident
    that is also in `households` is an error at its line."""
    ids = {h.household_id for h in households}
    out = []
    for row in _rows(path, RESIDENT_COLUMNS, "household_id"):
        household_id = row.required("household_id")
        if household_id in ids:
            raise row.error("household_id", f"{household_id!r} is also in the households file")
        out.append(
            Resident(
                household_id=household_id,
                settlement=row.required("settlement"),
                complex=row.required("complex"),
                building=row.required("building"),
                group_id=row.text("group_id"),
            )
        )
    return out


def assignments_csv(result: Result | list[Assignment]) -> bytes:
    """The exact bytes of assignments.csv (UTF-8, LF line ends, minimal quoting)."""
    rows = result.assignments if isinstance(result, Result) else result
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["household_id", "unit_id", "reason"])
    for a in rows:
        # Ids are echoed exactly as the input gave them (the contract: a reader joins on
        # them); the reason is our own sentence and goes through the formula rule.
        writer.writerow([a.household_id, a.unit_id or "", safe_cell(a.reason)])
    return buf.getvalue().encode("utf-8")


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_assignments(path: str | Path, result: Result | list[Assignment]) -> None:
    """Write assignments.csv: `household_id,unit_id,reason`, one row per household."""
    write_bytes_atomic(path, assignments_csv(result))


__all__: list[str] = [
    "assignments_csv",
    "read_households",
    "read_residents",
    "read_units",
    "write_assignments",
    "write_bytes_atomic",
]
