"""Reading import files: CSV (any of our encodings), XLSX, ZIP of CSV files; column names.

Everything here turns bytes into :class:`Table` objects (text cells keyed by our column
names) and writes nothing. ODK Central and KoBoToolbox exports come as a main table and a
table per repeat group; :func:`join_odk` gives each repeat row its family's reg_number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from homecoming.core.files import FileRefused, decode_text, limit, open_zip, read_entry
from homecoming.registry.models import ImportFormat

HOUSEHOLD_FIELDS = (
    "reg_number", "origin", "shelter_kind", "shelter_address", "priority", "registered_on",
    "status", "consent", "consent_on", "phone", "group", "destination", "notes",
)  # fmt: skip
PERSON_FIELDS = (
    "household", "surname", "given_name", "patronymic", "sex", "birth_date", "national_id",
    "relationship", "needs_step_free", "other_needs",
)  # fmt: skip

# Other spellings of our column names met in agencies' lists.
ALIASES = {
    "registration_number": "reg_number",
    "reg_no": "reg_number",
    "origin_code": "origin",
    "origin_settlement": "origin",
    "settlement": "origin",
    "shelter": "shelter_kind",
    "address": "shelter_address",
    "household_id": "household",
    "household_reg_number": "household",
    "last_name": "surname",
    "family_name": "surname",
    "first_name": "given_name",
    "name": "given_name",
    "father_name": "patronymic",
    "gender": "sex",
    "dob": "birth_date",
    "date_of_birth": "birth_date",
    "fin": "national_id",
    "relation": "relationship",
    "step_free": "needs_step_free",
}
# ODK Central and KoBoToolbox bookkeeping columns, by their lower-case header.
META = {
    "key": "@key",
    "parent_key": "@parent_key",
    "_index": "@index",
    "_parent_index": "@parent_index",
    "_uuid": "@uuid",
    "_submission__uuid": "@submission_uuid",
    "meta-instanceid": "@instance_id",
    "meta/instanceid": "@instance_id",
    "instanceid": "@instance_id",
    "submissiondate": "@submitted",
    "_submission_time": "@submitted",
}
CENTRAL_COLUMNS = frozenset(
    {
        "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
        "ReviewState", "DeviceID", "Edits", "FormVersion",
    }
)  # fmt: skip
KNOWN = frozenset(HOUSEHOLD_FIELDS) | frozenset(PERSON_FIELDS) | frozenset(ALIASES)


class ImportFileError(Exception):
    """A file that cannot be read at all (not a table, wrong encoding, no sheet...)."""


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        return f"{where}, {self.field or '-'}: {self.message}"


@dataclass
class Table:
    """Rows of one sheet or file, as text, keyed by canonical column name."""

    name: str
    columns: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, values)
    original: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    unjoined: set[int] = field(default_factory=set)  # ODK repeat rows with no parent row

    def index(self) -> dict[str, int]:
        seen: dict[str, int] = {}
        for i, c in enumerate(self.columns):
            seen.setdefault(c, i)
        return seen

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        idx = self.index()
        for number, values in self.rows:
            yield number, {c: (values[i] if i < len(values) else "") for c, i in idx.items()}


def canonical(header: str) -> str:
    """Our name for a column header, whatever group path an ODK or KoBo export put on it.

    >>> [canonical(h) for h in ("household/origin", "household-origin", "FIN", "KEY")]
    ['origin', 'origin', 'national_id', '@key']
    >>> canonical("members/member/birth_date"), canonical(" Reg_No ")
    ('birth_date', 'reg_number')
    """
    raw = header.strip().lstrip("\ufeff")
    low = raw.lower()
    if low in META:
        return META[low]
    # ODK Central's own columns are CamelCase (Status, ReviewState...), KoBo's start with
    # "_" (_status, _tags...): bookkeeping, never one of our fields.
    if raw in CENTRAL_COLUMNS or raw.startswith("_"):
        return "@" + low.lstrip("_")
    low = low.rsplit("/", 1)[-1]
    if low not in KNOWN and "-" in low:  # ODK Central joins group names with "-"
        low = low.rsplit("-", 1)[-1]
    low = re.sub(r"[\s.]+", "_", low)
    return ALIASES.get(low, low)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(name: str, rows: Iterable[Sequence[Any]], *, text: bool = False) -> Table:
    it = iter(rows)
    header: list[str] = []
    for raw in it:
        header = [_cell(v) for v in raw]
        if any(header):
            break
    else:
        raise ImportFileError(_("%(file)s is empty.") % {"file": name})
    while header and not header[-1]:
        header.pop()
    columns = [canonical(h) for h in header]
    table = Table(name, columns, [], dict(zip(columns, header, strict=True)))
    width = len(header)
    strip = str.strip
    for number, raw in enumerate(it, start=2):
        if len(raw) > width:
            raw = raw[:width]
        values = list(map(strip, raw)) if text else [_cell(v) for v in raw]
        if not any(values):
            continue
        # An HXL hashtag row (#affected+hh, #loc...) under the header is not data.
        if number == 2 and all(v.startswith("#") for v in values if v):
            continue
        table.rows.append((number, values))
    return table


def read_csv(data: bytes, name: str, encoding: str = "") -> Table:
    try:
        text = decode_text(data, name, encoding)
    except FileRefused as exc:
        raise ImportFileError(str(exc)) from None
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _table(name, csv.reader(io.StringIO(text, newline=""), dialect), text=True)


def read_xlsx(data: bytes, name: str) -> list[Table]:
    """Every sheet of a workbook, read in openpyxl's read-only (streaming) mode, after its
    ZIP directory passed the size, count and ratio checks."""
    from openpyxl import load_workbook

    try:
        open_zip(data, name).close()
    except FileRefused as exc:
        raise ImportFileError(str(exc)) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportFileError(
            _("%(file)s is not an Excel workbook (%(error)s).") % {"file": name, "error": exc}
        ) from exc
    tables = []
    try:
        for sheet in book.worksheets:
            # A sheet's declared dimensions (A1:XFD1048576) would pad every row to them.
            sheet.reset_dimensions()
            try:
                tables.append(_table(f"{name} [{sheet.title}]", sheet.iter_rows(values_only=True)))
            except ImportFileError:
                continue  # an empty sheet
    finally:
        book.close()
    if not tables:
        raise ImportFileError(_("%(file)s has no sheet with data.") % {"file": name})
    return tables


def read_any(data: bytes, name: str, encoding: str = "") -> list[Table]:
    """Every table in a CSV, XLSX or ZIP (of CSV files) file."""
    if data[:2] == b"PK" and not name.lower().endswith(".xlsx"):
        try:
            archive = open_zip(data, name)
        except FileRefused as exc:
            raise ImportFileError(str(exc)) from None
        with archive:
            entries = sorted(
                (i for i in archive.infolist() if i.filename.lower().endswith(".csv")),
                key=lambda i: len(i.filename),
            )
            if not entries:
                raise ImportFileError(_("%(file)s holds no CSV file.") % {"file": name})
            tables = []
            for info in entries:
                try:
                    blob = read_entry(archive, info, name)
                except FileRefused as exc:
                    raise ImportFileError(str(exc)) from None
                tables.append(read_csv(blob, f"{name}/{info.filename}", encoding))
            return tables
    if data[:2] == b"PK":
        return read_xlsx(data, name)
    return [read_csv(data, name, encoding)]


def detect_format(tables: Sequence[Table]) -> str:
    """`odk` when the first table carries ODK/KoBo bookkeeping columns, else csv or xlsx."""
    columns = set(tables[0].columns)
    if columns & {"@key", "@index", "@uuid", "@instance_id", "@submitted"}:
        return ImportFormat.ODK
    return ImportFormat.XLSX if "[" in tables[0].name else ImportFormat.CSV


def _pick(tables: Sequence[Table], *names: str) -> Table | None:
    for t in tables:
        title = t.name.rsplit("[", 1)[-1].rstrip("]").lower()
        stem = Path(t.name).stem.lower()
        if title in names or any(stem.endswith(n) for n in names):
            return t
    return None


def split_tables(
    main: list[Table], persons: list[Table] | None, fmt: str
) -> tuple[Table, Table | None, str]:
    """The households table and the persons table of the given files, and the format."""
    fmt = fmt or detect_format(main)
    tables = main + (persons or [])
    households = _pick(main, "households", "household") or main[0]
    rest = [t for t in tables if t is not households]
    members = _pick(rest, "persons", "person", "members", "member") or (rest[0] if rest else None)
    return households, members, fmt


def join_odk(households: Table, members: Table) -> list[RowError]:
    """Give each repeat row its family's reg_number in a `household` column (ODK/KoBo)."""
    errors: list[RowError] = []
    by_key: dict[tuple[str, str], str] = {}
    for _n, rec in households.records():
        family = rec.get("reg_number", "")
        for col in ("@key", "@instance_id", "@uuid", "@index"):
            value = rec.get(col, "")
            if value:
                by_key[(col, value)] = family
                if value.startswith("uuid:"):
                    by_key[(col, value[5:])] = family
    links = (
        ("@parent_key", ("@key", "@instance_id")),
        ("@submission_uuid", ("@uuid", "@instance_id")),
        ("@parent_index", ("@index",)),
    )
    idx = members.index()
    members.columns.append("household")
    for number, values in members.rows:
        reg: str | None = None
        used = ""
        for child, parents in links:
            if child not in idx or not values[idx[child]]:
                continue
            used = members.original.get(child, child)
            key = values[idx[child]]
            for parent in parents:
                reg = by_key.get((parent, key)) or by_key.get((parent, key.removeprefix("uuid:")))
                if reg is not None:
                    break
            if reg is not None:
                break
        if reg is None:
            members.unjoined.add(number)
            errors.append(
                RowError(
                    members.name,
                    number,
                    used or "PARENT_KEY",
                    _("no submission in the main file has this key")
                    if used
                    else _("no PARENT_KEY, _parent_index or _submission__uuid to join on"),
                )
            )
        values.append(reg or "")
    return errors


def read_file(path: Path, name: str) -> bytes:
    """The bytes of a file on disk, if it is within the size limit for imports."""
    size, max_bytes = path.stat().st_size, limit("import_max_bytes")
    if size > max_bytes:
        raise ImportFileError(
            _("%(file)s is %(size)d bytes; the limit is %(max)d (HOMECOMING_IMPORT_MAX_BYTES).")
            % {"file": name, "size": size, "max": max_bytes}
        )
    return path.read_bytes()
