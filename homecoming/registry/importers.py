"""Registry imports: read a file, validate every row, then write in one transaction.

Three shapes come in (docs/registry-intake.md has the columns):

- ``csv``: a households file and a persons file (``household`` = the family's reg_number);
- ``xlsx``: a workbook with a ``households`` and a ``persons`` sheet (or the first two), or a
  households workbook and a persons file;
- ``odk``: a submission export of our XLSForm (``xlsform/household_registration.xlsx``):
  ODK Central's CSV zip (``form.csv`` + ``form-members.csv`` joined by ``KEY``/``PARENT_KEY``,
  group paths as ``household-origin``), the two CSV files unzipped, or KoBoToolbox's XLSX (a
  sheet per repeat group joined by ``_index``/``_parent_index`` or ``_uuid``/
  ``_submission__uuid``, group paths as ``household/origin``).

Reading and validation never write. :func:`validate` returns a :class:`Plan`: the rows to
create and every bad row as ``(file, row, field, message)``, row numbers as a spreadsheet
shows them (the header is row 1). :func:`run_import` writes the plan through
:func:`homecoming.registry.services.do_write_import` only if there is no bad row, or if the
user asked for the good rows (``partial``); a family is written whole or not at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from homecoming.accounts.models import profile_of
from homecoming.core.files import FileRefused, decode_text, limit, open_zip, read_entry
from homecoming.core.identifiers import identifier_problem
from homecoming.core.jobs import Heartbeat
from homecoming.core.models import Job
from homecoming.geography.models import Area, Level
from homecoming.registry.linkage.names import FIN_ALPHABET, is_valid_fin, normalise_fin
from homecoming.registry.models import (
    Group,
    Household,
    HouseholdStatus,
    ImportFormat,
    ImportStatus,
    Person,
    RegistryImport,
    Relationship,
    Sex,
    ShelterKind,
)
from homecoming.registry.services import rows_for_keys

Progress = Callable[[float, str], None]

#: Bad rows kept in the database per import; the count is always exact.
MAX_STORED_ERRORS = 20_000

HOUSEHOLD_FIELDS = (
    "reg_number", "origin", "shelter_kind", "shelter_address", "priority", "registered_on",
    "status", "consent", "consent_on", "phone", "group", "destination", "notes",
)  # fmt: skip
PERSON_FIELDS = (
    "household", "surname", "given_name", "patronymic", "sex", "birth_date", "national_id",
    "relationship", "needs_step_free", "other_needs",
)  # fmt: skip
REQUIRED_HOUSEHOLD = ("reg_number", "origin", "shelter_kind", "registered_on")
REQUIRED_PERSON = ("surname", "given_name", "sex", "relationship")

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

TRUE = frozenset({"1", "true", "yes", "y", "bəli", "beli", "hə", "he", "да", "д", "x", "✓"})
FALSE = frozenset({"0", "false", "no", "n", "xeyr", "yox", "нет", "н", ""})
SEX_WORDS = {
    "m": Sex.MALE, "male": Sex.MALE, "kişi": Sex.MALE, "kisi": Sex.MALE, "м": Sex.MALE,
    "муж": Sex.MALE, "мужской": Sex.MALE, "f": Sex.FEMALE, "female": Sex.FEMALE,
    "qadın": Sex.FEMALE, "qadin": Sex.FEMALE, "ж": Sex.FEMALE, "жен": Sex.FEMALE,
    "женский": Sex.FEMALE, "k": Sex.MALE, "q": Sex.FEMALE,
}  # fmt: skip
# A registration may bring a family in as registered, eligible or withdrawn; the later
# statuses come with a home and are set by the programme's own steps.
IMPORTABLE_STATUS = (
    HouseholdStatus.REGISTERED,
    HouseholdStatus.ELIGIBLE,
    HouseholdStatus.WITHDRAWN,
)
PHONE = re.compile(r"^\+?[0-9 ()\-]{5,30}$")
# A FIN already in its normal form (upper case, no spaces or dashes) and valid: the common
# case, checked without normalise_fin/is_valid_fin (which give the same answer for it).
FIN_NORMAL = re.compile("[" + "".join(sorted(FIN_ALPHABET)) + "]{7}")


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


# --- reading ------------------------------------------------------------------------------


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


def _join_odk(households: Table, members: Table) -> list[RowError]:
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


# --- validation ---------------------------------------------------------------------------


@dataclass
class NewHousehold:
    row: int
    reg_number: str
    origin_id: int
    district_id: int
    destination_id: int | None
    shelter_kind: str
    shelter_address: str
    priority: int
    registered_on: dt.date
    status: str
    consent: bool
    consent_on: dt.date | None
    phone: str
    group_id: int | None
    notes: str


@dataclass
class NewPerson:
    row: int
    household: str  # reg_number
    surname: str
    given_name: str
    patronymic: str
    sex: str
    birth_date: dt.date | None
    national_id: str | None
    relationship: str
    needs_step_free: bool
    other_needs: str


@dataclass
class Plan:
    """What an import would write, and every bad row found on the way."""

    households: list[NewHousehold] = field(default_factory=list)
    persons: list[NewPerson] = field(default_factory=list)
    existing: dict[str, int] = field(default_factory=dict)  # reg_number -> pk, in the DB
    errors: list[RowError] = field(default_factory=list)
    # reg_number -> (file, row) of the family's first bad row
    bad_families: dict[str, tuple[str, int]] = field(default_factory=dict)
    households_file: str = ""
    persons_file: str = ""
    households_read: int = 0
    persons_read: int = 0
    unchanged: int = 0

    @property
    def bad_rows(self) -> int:
        return len({(e.file, e.row) for e in self.errors})


@lru_cache(maxsize=100_000)  # dates repeat (birth dates, registration days): parse each once
def _parse_date(text: str) -> dt.date:
    text = text.strip()
    if len(text) >= 10 and text[4] == "-":  # ISO, and ODK's timestamps: the fast path
        return dt.date.fromisoformat(text[:10])
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _choice_map(choices: Any) -> dict[str, str]:
    with translation.override("en"):
        out = {str(label).lower(): value for value, label in choices.choices}
    out.update({value.lower(): value for value in choices.values})
    return out


class _Checker:
    """Collects errors for one row; each check returns a clean value or None."""

    today = dt.date.max  # set once per validation: localdate() costs more than a row

    def __init__(self, file: str, row: int, errors: list[RowError]) -> None:
        self.file, self.row, self.errors = file, row, errors
        self.ok = True

    def fail(self, column: str, message: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.file, self.row, column, message))

    def text(self, rec: dict[str, str], name: str, max_length: int, required: bool = False) -> str:
        value = rec.get(name, "").strip()
        if required and not value:
            self.fail(name, _("required"))
        elif len(value) > max_length:
            self.fail(name, _("longer than %(n)d characters") % {"n": max_length})
        return value

    def choice(
        self, rec: dict[str, str], name: str, table: dict[str, str], default: str = ""
    ) -> str:
        raw = rec.get(name, "").strip()
        if not raw:
            if not default:
                self.fail(name, _("required"))
            return default
        value = table.get(raw.lower())
        if value is None:
            allowed = ", ".join(sorted(set(table.values())))
            self.fail(
                name, _("%(value)r is not one of: %(allowed)s") % {"value": raw, "allowed": allowed}
            )
            return default
        return value

    def boolean(self, rec: dict[str, str], name: str) -> bool:
        raw = rec.get(name, "").strip().lower()
        if raw in TRUE:
            return True
        if raw not in FALSE:
            self.fail(name, _("%(value)r is not yes or no") % {"value": raw})
        return False

    def date(self, rec: dict[str, str], name: str, required: bool = False) -> dt.date | None:
        raw = rec.get(name, "").strip()
        if not raw:
            if required:
                self.fail(name, _("required"))
            return None
        try:
            value = _parse_date(raw)
        except ValueError:
            self.fail(name, _("%(value)r is not a date (YYYY-MM-DD)") % {"value": raw})
            return None
        if value > self.today:
            self.fail(name, _("%(value)s is in the future") % {"value": value})
        elif value.year < 1900:
            self.fail(name, _("%(value)s is before 1900") % {"value": value})
        return value


def _missing_columns(table: Table, required: Sequence[str]) -> list[RowError]:
    have = set(table.columns)
    return [
        RowError(table.name, 1, name, _("missing column")) for name in required if name not in have
    ]


def _as_date(value: Any) -> dt.date | None:
    """A date read by raw SQL (SQLite gives ISO text)."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value  # type: ignore[no-any-return]


H_TABLE = Household._meta.db_table
P_TABLE = Person._meta.db_table


def validate(
    households: Table,
    persons: Table | None,
    *,
    district_id: int | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Check every row against the model and the registry; write nothing.

    ``district_id`` is the importer's district (a district officer): a family from another
    district is an error, not a skipped row.
    """
    report = progress or (lambda _f, _m: None)
    plan = Plan(
        households_read=len(households.rows),
        persons_read=len(persons.rows) if persons else 0,
        households_file=households.name,
        persons_file=persons.name if persons else "",
    )
    errors = plan.errors
    errors += _missing_columns(households, REQUIRED_HOUSEHOLD)
    if persons is not None:
        errors += _missing_columns(persons, ("household", *REQUIRED_PERSON))
    if errors:
        return plan

    _Checker.today = timezone.localdate()
    settlements = {
        code: (pk, parent_id)
        for code, pk, parent_id in Area.objects.filter(level=Level.SETTLEMENT).values_list(
            "code", "pk", "parent_id"
        )
    }
    district_codes = dict(Area.objects.filter(level=Level.DISTRICT).values_list("pk", "code"))
    # A district officer's file may only name their district's groups and settlements.
    groups = dict(Group.objects.for_district(district_id).values_list("code", "pk"))
    shelter = _choice_map(ShelterKind)
    statuses = {k: v for k, v in _choice_map(HouseholdStatus).items() if v in IMPORTABLE_STATUS}
    sexes = {**_choice_map(Sex), **SEX_WORDS}
    relationships = _choice_map(Relationship)

    at = households.index()["reg_number"]
    regs = {values[at] for _n, values in households.rows if len(values) > at} - {""}
    # SQL from strings (bandit B608, reviewed): our table name; the keys are bound parameters.
    sql = f"SELECT reg_number, id, district_id FROM {H_TABLE} WHERE reg_number {{keys}}"  # nosec B608
    existing: dict[str, tuple[int, int]] = {
        reg: (pk, district) for reg, pk, district in rows_for_keys(sql, regs)
    }

    bad_families = plan.bad_families
    seen_regs: dict[str, int] = {}
    total = plan.households_read + plan.persons_read or 1
    for done, (number, rec) in enumerate(households.records(), start=1):
        if done % 20_000 == 0:
            report(0.5 * done / total, _("Checking household rows: %(n)d") % {"n": done})
        c = _Checker(households.name, number, errors)
        reg = c.text(rec, "reg_number", 30, required=True)
        problem = identifier_problem(reg, 30) if reg else None
        if problem is not None:
            c.fail("reg_number", problem)
        elif reg in seen_regs:
            c.fail(
                "reg_number",
                _("%(reg)s is also on row %(row)d") % {"reg": reg, "row": seen_regs[reg]},
            )
        elif reg:
            seen_regs[reg] = number
        origin_code = rec.get("origin", "").strip()
        origin = settlements.get(origin_code)
        if not origin_code:
            c.fail("origin", _("required"))
        elif origin is None:
            c.fail("origin", _("no settlement with code %(code)s") % {"code": origin_code})
        elif district_id is not None and origin[1] != district_id:
            c.fail(
                "origin",
                _("%(code)s is in district %(district)s, outside yours")
                % {"code": origin_code, "district": district_codes.get(origin[1], "?")},
            )
        if reg in existing:
            pk, district = existing[reg]
            if district_id is not None and district != district_id:
                c.fail("reg_number", _("already registered in another district"))
            if c.ok:
                plan.existing[reg] = pk
                plan.unchanged += 1
            else:
                bad_families.setdefault(reg, (households.name, number))
            continue
        destination_code = rec.get("destination", "").strip()
        destination = settlements.get(destination_code) if destination_code else None
        if destination_code and destination is None:
            c.fail(
                "destination", _("no settlement with code %(code)s") % {"code": destination_code}
            )
        elif destination is not None and district_id is not None and destination[1] != district_id:
            c.fail(
                "destination",
                _("%(code)s is in district %(district)s, outside yours")
                % {"code": destination_code, "district": district_codes.get(destination[1], "?")},
            )
        group_code = rec.get("group", "").strip()
        if group_code and group_code not in groups:
            c.fail("group", _("no group with code %(code)s") % {"code": group_code})
        kind = c.choice(rec, "shelter_kind", shelter)
        status = c.choice(rec, "status", statuses, default=HouseholdStatus.REGISTERED)
        priority_text = rec.get("priority", "").strip() or "0"
        priority = 0
        if not priority_text.isdigit() or int(priority_text) > 32767:
            c.fail(
                "priority", _("%(value)r is not a whole number from 0") % {"value": priority_text}
            )
        else:
            priority = int(priority_text)
        registered_on = c.date(rec, "registered_on", required=True)
        consent = c.boolean(rec, "consent")
        # The XLSForm records consent on the day of the visit: registered_on.
        consent_on = c.date(rec, "consent_on") or (registered_on if consent else None)
        phone = c.text(rec, "phone", 30)
        if phone and not PHONE.match(phone):
            c.fail("phone", _("%(value)r is not a phone number") % {"value": phone})
        address = c.text(rec, "shelter_address", 200)
        notes = rec.get("notes", "").strip()
        if not c.ok or origin is None or registered_on is None:
            bad_families.setdefault(reg, (households.name, number))
            continue
        plan.households.append(
            NewHousehold(
                row=number,
                reg_number=reg,
                origin_id=origin[0],
                district_id=origin[1],
                destination_id=destination[0] if destination else None,
                shelter_kind=kind,
                shelter_address=address,
                priority=priority,
                registered_on=registered_on,
                status=status,
                consent=consent,
                consent_on=consent_on,
                phone=phone,
                group_id=groups.get(group_code) if group_code else None,
                notes=notes,
            )
        )
    if persons is not None:
        _validate_persons(
            persons, plan, seen_regs, district_id, sexes, relationships, report, total
        )
    return plan


def _getter(table: Table, names: Sequence[str]) -> Callable[[list[str]], tuple[str, ...]]:
    """The values of the columns ``names``, in that order, from one row of ``table``.

    A column the table lacks, or a cell past the end of a short row, gives "". Values are
    already stripped (:func:`_table`).
    """
    idx = table.index()
    width = len(table.columns)
    get = itemgetter(*(idx.get(n, width) for n in names))
    tail = [""] * (width + 1)

    def values(row: list[str]) -> tuple[str, ...]:
        return get(row + tail[len(row) :])  # type: ignore[no-any-return]

    return values


def _lookup(cache: dict[str, Any], table: dict[str, Any], raw: str) -> Any:
    """``table[raw.lower()]`` for a non-empty ``raw``, remembered by ``raw``; None if none."""
    value = cache.get(raw)
    if value is None and raw:
        value = table.get(raw.lower())
        if value is not None:
            cache[raw] = value
    return value


PERSON_READ = (
    "household", "surname", "given_name", "patronymic", "sex", "birth_date", "national_id",
    "relationship", "needs_step_free", "other_needs",
)  # fmt: skip


def _validate_persons(
    persons: Table,
    plan: Plan,
    file_regs: dict[str, int],
    district_id: int | None,
    sexes: dict[str, str],
    relationships: dict[str, str],
    report: Progress,
    total: int,
) -> None:
    errors = plan.errors
    name = persons.name
    get = _getter(persons, PERSON_READ)
    key_of = _getter(persons, ("household", "national_id"))
    named: set[str] = set()
    raw_fins: list[str] = []
    for _n, values in persons.rows:
        reg, raw_fin = key_of(values)
        named.add(reg)
        if raw_fin:
            raw_fins.append(raw_fin)
    # Families named by person rows but not in the households file: existing ones only.
    outside = named - set(file_regs) - {""}
    if district_id is None:
        # SQL from strings (bandit B608, reviewed): our table name; the keys are bound parameters.
        sql = f"SELECT reg_number, id FROM {H_TABLE} WHERE reg_number {{keys}}"  # nosec B608
        plan.existing.update(rows_for_keys(sql, outside))
    else:
        # SQL from strings (bandit B608, reviewed): our table name; the values are bound parameters.
        plan.existing.update(
            rows_for_keys(
                f"SELECT reg_number, id FROM {H_TABLE} WHERE district_id = %s AND reg_number {{keys}}",  # nosec B608
                outside,
                [district_id],
            )
        )
    fins = {f if FIN_NORMAL.fullmatch(f) else normalise_fin(f) for f in raw_fins} - {""}
    del raw_fins
    fin_owner: dict[str, tuple[str, str, str]] = {}
    # Only the importer's own district: a number held elsewhere is accepted and sent to the
    # duplicate review after the write (refusing it would reveal that it exists there).
    in_scope, scope_params = (
        ("", []) if district_id is None else ("h.district_id = %s AND ", [district_id])
    )
    # SQL from strings (bandit B608, reviewed): our table names; the keys are bound parameters.
    for owned, reg, surname, given in rows_for_keys(
        f"SELECT p.national_id, h.reg_number, p.surname, p.given_name FROM {P_TABLE} p"
        f" JOIN {H_TABLE} h ON h.id = p.household_id WHERE {in_scope}p.national_id {{keys}}",  # nosec B608
        fins,
        scope_params,
    ):
        if owned:
            fin_owner[owned] = (reg, surname.casefold(), given.casefold())
    # Members already in the registry, for families already there: skipped, not doubled.
    known: set[tuple[str, str, str, dt.date | None]] = set()
    heads: Counter[str] = Counter()
    # SQL from strings (bandit B608, reviewed): our table names; the keys are bound parameters.
    for reg, surname, given, born_on, relationship in rows_for_keys(
        f"SELECT h.reg_number, p.surname, p.given_name, p.birth_date, p.relationship"
        f" FROM {P_TABLE} p JOIN {H_TABLE} h ON h.id = p.household_id"
        f" WHERE h.reg_number {{keys}}",  # nosec B608
        plan.existing,
    ):
        known.add((reg, surname.casefold(), given.casefold(), _as_date(born_on)))
        if relationship == Relationship.HEAD:
            heads[reg] += 1

    today = _Checker.today
    sex_cache: dict[str, str] = {}
    relationship_cache: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {}  # a good birth date by its text; None: a bad one
    existing = plan.existing
    bad_families = plan.bad_families
    unjoined = persons.unjoined
    add = plan.persons.append
    head = Relationship.HEAD
    seen_fins: dict[str, int] = {}
    offset = plan.households_read
    for done, (number, values) in enumerate(persons.rows, start=1):
        if done % 20_000 == 0:
            report(0.5 * (offset + done) / total, _("Checking person rows: %(n)d") % {"n": done})
        row = get(values)
        reg, surname, given, patronymic, sex, born_text, raw_fin, relationship, step, other = row
        if number in unjoined:
            continue  # an ODK repeat row that joined no submission: reported by the join
        c: _Checker | None = None  # made at the row's first problem
        if not reg:
            c = _Checker(name, number, errors)
            c.fail("household", _("required"))
        elif reg in bad_families and reg in file_regs:
            pass  # its household row is reported; the family is dropped as a whole
        elif reg not in file_regs and reg not in existing:
            c = _Checker(name, number, errors)
            c.fail(
                "household",
                _("no household %(reg)s in the file or in your registry") % {"reg": reg},
            )
        # The usual row, checked fast; a row with a problem goes through _Checker, which
        # reports it.
        born: dt.date | None = None
        step_free = False
        fields_ok = (
            0 < len(surname) <= 80
            and 0 < len(given) <= 80
            and len(patronymic) <= 80
            and len(other) <= 200
        )
        if fields_ok:
            sex = _lookup(sex_cache, sexes, sex)
            relationship = _lookup(relationship_cache, relationships, relationship)
            fields_ok = sex is not None and relationship is not None
        if fields_ok and born_text:
            if born_text in dates:
                born = dates[born_text]
            else:
                try:
                    born = _parse_date(born_text)
                except ValueError:
                    born = None
                if born is not None and (born > today or born.year < 1900):
                    born = None
                dates[born_text] = born
            fields_ok = born is not None
        if fields_ok:
            if step in TRUE:
                step_free = True
            elif step not in FALSE:
                low = step.lower()
                step_free = low in TRUE
                fields_ok = step_free or low in FALSE
        if not fields_ok:
            c = c or _Checker(name, number, errors)
            rec = dict(zip(PERSON_READ, row, strict=True))
            surname = c.text(rec, "surname", 80, required=True)
            given = c.text(rec, "given_name", 80, required=True)
            patronymic = c.text(rec, "patronymic", 80)
            sex = c.choice(rec, "sex", sexes)
            born = c.date(rec, "birth_date")
            relationship = c.choice(rec, "relationship", relationships)
            step_free = c.boolean(rec, "needs_step_free")
            other = c.text(rec, "other_needs", 200)
        fin: str | None = None
        if raw_fin:
            if FIN_NORMAL.fullmatch(raw_fin):
                fin, valid = raw_fin, True
            else:
                fin = normalise_fin(raw_fin)
                valid = is_valid_fin(fin)
            if not valid:
                c = c or _Checker(name, number, errors)
                c.fail(
                    "national_id",
                    _("%(value)r is not a FIN (7 letters and digits, no I or O)")
                    % {"value": raw_fin},
                )
            elif fin in seen_fins:
                c = c or _Checker(name, number, errors)
                c.fail("national_id", _("also on row %(row)d") % {"row": seen_fins[fin]})
            else:
                seen_fins[fin] = number
        if fin and fin in fin_owner:
            owner = fin_owner[fin]
            if owner != (reg, surname.casefold(), given.casefold()):
                c = c or _Checker(name, number, errors)
                c.fail(
                    "national_id",
                    _("already registered to another person (household %(reg)s)")
                    % {"reg": owner[0]},
                )
            elif c is None:
                plan.unchanged += 1
                continue
        elif reg in existing and (reg, surname.casefold(), given.casefold(), born) in known:
            if c is None:
                plan.unchanged += 1
            continue
        if relationship == head and c is None:
            heads[reg] += 1
            if heads[reg] > 1:
                c = _Checker(name, number, errors)
                c.fail("relationship", _("household %(reg)s already has a head") % {"reg": reg})
        if c is not None:
            bad_families.setdefault(reg, (name, number))
            continue
        add(
            NewPerson(
                number,
                reg,
                surname,
                given,
                patronymic,
                sex,
                born,
                fin,
                relationship,
                step_free,
                other,
            )
        )


def keep_whole_families(plan: Plan) -> None:
    """Drop every row of a family that has a bad row, and report each row dropped so.

    A family's size decides its home, so a family is imported whole or not at all.
    """
    bad = plan.bad_families
    if not bad:
        return
    kept_h, kept_p = [], []
    for h in plan.households:
        if h.reg_number in bad:
            file, row = bad[h.reg_number]
            plan.errors.append(_dropped(plan.households_file, h.row, file, row))
        else:
            kept_h.append(h)
    for p in plan.persons:
        if p.household in bad:
            file, row = bad[p.household]
            plan.errors.append(_dropped(plan.persons_file, p.row, file, row))
        else:
            kept_p.append(p)
    plan.households, plan.persons = kept_h, kept_p


def _dropped(file: str, row: int, bad_file: str, bad_row: int) -> RowError:
    return RowError(
        file,
        row,
        "household",
        _("not imported: its family has a bad row (%(file)s, row %(row)d)")
        % {"file": bad_file, "row": bad_row},
    )


# --- running an import --------------------------------------------------------------------


def file_digest(*paths: Path) -> str:
    """SHA-256 over the files' own SHA-256s, each read in chunks (never whole in memory)."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()


def save_upload(upload: UploadedFile[Any]) -> Path:
    """Keep an uploaded file under MEDIA_ROOT/imports (the worker reads it from there).

    Written as it streams in (never whole in memory); MEDIA_ROOT is not served: the file
    goes out only through the import's permission-checked download.
    """
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.\-]+", "_", Path(upload.name or "upload").name)[-100:]
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=folder)
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    path = folder / f"{digest.hexdigest()[:16]}-{safe}"
    os.replace(tmp, path)
    return path


def create_import(
    households_file: Path,
    persons_file: Path | None = None,
    *,
    fmt: str = "",
    partial: bool = False,
    user: Any = None,
    original_name: str = "",
    encoding: str = "",
) -> RegistryImport:
    """Record an import of files already on disk (not started yet)."""
    profile = profile_of(user) if user is not None else None
    paths = [households_file] if persons_file is None else [households_file, persons_file]
    return RegistryImport.objects.create(
        format=fmt,
        households_file=str(households_file),
        persons_file=str(persons_file or ""),
        original_name=original_name or households_file.name,
        sha256=file_digest(*paths),
        partial=partial,
        encoding=encoding,
        district_id=profile.district_id if profile else None,
        created_by=user,
    )


def _read_file(path: Path, name: str) -> bytes:
    size, max_bytes = path.stat().st_size, limit("import_max_bytes")
    if size > max_bytes:
        raise ImportFileError(
            _("%(file)s is %(size)d bytes; the limit is %(max)d (HOMECOMING_IMPORT_MAX_BYTES).")
            % {"file": name, "size": size, "max": max_bytes}
        )
    return path.read_bytes()


def load_tables(imp: RegistryImport) -> tuple[Table, Table | None, str]:
    main_path = Path(imp.households_file)
    name = imp.original_name or main_path.name
    main = read_any(_read_file(main_path, name), name, imp.encoding)
    persons = None
    if imp.persons_file:
        p = Path(imp.persons_file)
        persons = read_any(_read_file(p, p.name), p.name, imp.encoding)
    return split_tables(main, persons, imp.format)


def run_import(imp: RegistryImport, progress: Progress | None = None) -> RegistryImport:
    """Read, validate and (if allowed) write one import; record the outcome on `imp`."""
    from homecoming.core.audit import audit_channel
    from homecoming.registry.services import gc_paused

    _touch(imp.pk)
    # A million rows are a few million objects kept until the write: the cyclic garbage
    # collector would walk them again and again (a third of the time), and finds nothing.
    with (
        gc_paused(),
        Heartbeat(lambda: _touch(imp.pk)),
        audit_channel("import", f"import #{imp.pk} {imp.original_name}", actor=imp.created_by),
    ):
        return _run_import(imp, progress)


def _touch(pk: int) -> None:
    RegistryImport.objects.filter(pk=pk, status=ImportStatus.PENDING).update(
        heartbeat_at=timezone.now()
    )


def _run_import(imp: RegistryImport, progress: Progress | None) -> RegistryImport:
    from homecoming.registry.services import do_flag_shared_identities, do_write_import

    last_touch = [time.monotonic()]

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)
        # Inside the write's transaction on PostgreSQL this also locks the import's row
        # until the commit, which tells the sweep that a live process holds it.
        if time.monotonic() - last_touch[0] >= 1.0:
            last_touch[0] = time.monotonic()
            _touch(imp.pk)

    report(0.0, _("Reading the files"))
    done_before = (
        RegistryImport.objects.filter(sha256=imp.sha256, status=ImportStatus.IMPORTED)
        .exclude(pk=imp.pk)
        .exists()
    )
    try:
        households, persons, fmt = load_tables(imp)
    except ImportFileError as exc:
        return _finish(
            imp, ImportStatus.REJECTED, Plan(errors=[RowError(imp.original_name, 0, "", str(exc))])
        )
    imp.format = fmt
    plan = Plan()
    if fmt == ImportFormat.ODK and persons is not None:
        join_errors = _join_odk(households, persons)
    else:
        join_errors = []
    plan = validate(households, persons, district_id=imp.district_id, progress=report)
    plan.errors[:0] = join_errors
    if plan.errors and not imp.partial:
        return _finish(imp, ImportStatus.REJECTED, plan)
    if imp.partial:
        keep_whole_families(plan)
    if done_before and not plan.households and not plan.persons:
        return _finish(imp, ImportStatus.UNCHANGED, plan)
    counts = do_write_import(plan, progress=lambda f, m: report(0.5 + 0.5 * f, m))
    do_flag_shared_identities(p.national_id for p in plan.persons)
    imp.households_created, imp.persons_created = counts
    if not plan.households and not plan.persons:
        status = ImportStatus.UNCHANGED
    else:
        status = ImportStatus.PARTIAL if plan.errors else ImportStatus.IMPORTED
    report(1.0, _("Done"))
    return _finish(imp, status, plan)


def _finish(imp: RegistryImport, status: str, plan: Plan) -> RegistryImport:
    imp.status = status
    imp.failure = ""  # what really happened, even if a sweep gave up on it too early
    imp.households_read = plan.households_read
    imp.persons_read = plan.persons_read
    imp.rows_unchanged = plan.unchanged
    imp.error_count = len(plan.errors)
    imp.errors = [e.as_dict() for e in plan.errors[:MAX_STORED_ERRORS]]
    imp.finished_at = timezone.now()
    imp.save()
    return imp


def run_import_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Job handler: run the import recorded in ``job.params["import_id"]``."""
    imp = RegistryImport.objects.get(pk=job.params["import_id"])
    try:
        imp = run_import(imp, progress)
    except Exception:
        RegistryImport.objects.filter(pk=imp.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now()
        )
        raise
    return summary(imp)


def summary(imp: RegistryImport) -> dict[str, Any]:
    return {
        "import_id": imp.pk,
        "status": imp.status,
        "households_created": imp.households_created,
        "persons_created": imp.persons_created,
        "rows_unchanged": imp.rows_unchanged,
        "bad_rows": imp.error_count,
    }
