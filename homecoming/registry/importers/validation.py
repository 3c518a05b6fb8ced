"""Validation: every row checked against the model and the registry, into a :class:`Plan`.

Nothing here writes. :func:`validate` reads the registry's codes once (:class:`Lookups`),
checks the household rows, then the person rows, and returns the rows to create and every
bad row as ``(file, row, field, message)``. A family with a bad row is kept out whole by
:func:`keep_whole_families` when the user asked for the good rows.

The person rows are the hot loop of an import (up to a million rows): the usual row is
checked inline with values taken by position and choices and dates remembered by their
text; a row with any problem goes through :class:`~.checks.Checker`, which reports it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.core.identifiers import identifier_problem
from homecoming.geography.models import Area, Level
from homecoming.registry.importers.checks import (
    FIN_NORMAL,
    IMPORTABLE_STATUS,
    PHONE,
    SEX_WORDS,
    YES_NO,
    Checker,
    choice_map,
    lookup,
    parse_date,
)
from homecoming.registry.importers.readers import RowError, Table
from homecoming.registry.linkage.names import is_valid_fin, normalise_fin
from homecoming.registry.models import (
    Group,
    Household,
    HouseholdStatus,
    Person,
    Relationship,
    Sex,
    ShelterKind,
)
from homecoming.registry.services import rows_for_keys

Progress = Callable[[float, str], None]

REQUIRED_HOUSEHOLD = ("reg_number", "origin", "shelter_kind", "registered_on")
REQUIRED_PERSON = ("surname", "given_name", "sex", "relationship")
PERSON_READ = (
    "household", "surname", "given_name", "patronymic", "sex", "birth_date", "national_id",
    "relationship", "needs_step_free", "other_needs",
)  # fmt: skip

H_TABLE = Household._meta.db_table
P_TABLE = Person._meta.db_table


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


@dataclass(frozen=True)
class Lookups:
    """What rows are checked against, read once per import: the importer's district and
    day, the registry's settlements and groups, and the words for each choice."""

    district_id: int | None  # a district officer's: a family of another district is an error
    today: dt.date
    settlements: dict[str, tuple[int, int]]  # code -> (pk, district pk)
    district_codes: dict[int, str]
    groups: dict[str, int]  # code -> pk, the importer's district's only
    shelter: dict[str, str]
    statuses: dict[str, str]
    sexes: dict[str, str]
    relationships: dict[str, str]

    @classmethod
    def load(cls, district_id: int | None, today: dt.date) -> Lookups:
        settlements = Area.objects.filter(level=Level.SETTLEMENT)
        districts = Area.objects.filter(level=Level.DISTRICT)
        return cls(
            district_id=district_id,
            today=today,
            settlements={
                code: (pk, parent_id)
                for code, pk, parent_id in settlements.values_list("code", "pk", "parent_id")
            },
            district_codes=dict(districts.values_list("pk", "code")),
            # A district officer's file may only name their district's groups and settlements.
            groups=dict(Group.objects.for_district(district_id).values_list("code", "pk")),
            shelter=choice_map(ShelterKind),
            statuses={
                k: v for k, v in choice_map(HouseholdStatus).items() if v in IMPORTABLE_STATUS
            },
            sexes={**choice_map(Sex), **SEX_WORDS},
            relationships=choice_map(Relationship),
        )


def validate(
    households: Table,
    persons: Table | None,
    *,
    district_id: int | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Check every row against the model and the registry; write nothing.

    ``district_id`` is the importer's district (a district officer): a family from another
    district is an error, not a skipped row. ``today`` (the local date unless given) is the
    last day a date in the file may be.
    """
    report = progress or (lambda _f, _m: None)
    plan = Plan(
        households_read=len(households.rows),
        persons_read=len(persons.rows) if persons else 0,
        households_file=households.name,
        persons_file=persons.name if persons else "",
    )
    plan.errors += _missing_columns(households, REQUIRED_HOUSEHOLD)
    if persons is not None:
        plan.errors += _missing_columns(persons, ("household", *REQUIRED_PERSON))
    if plan.errors:
        return plan
    lookups = Lookups.load(district_id, today or timezone.localdate())
    total = plan.households_read + plan.persons_read or 1
    registered = _families_in_registry(households)
    file_regs = _check_households(households, plan, lookups, registered, report, total)
    if persons is not None:
        known = _Known.load(persons, plan, file_regs, district_id)
        _check_persons(persons, plan, known, lookups, report, total)
    return plan


def _missing_columns(table: Table, required: Sequence[str]) -> list[RowError]:
    have = set(table.columns)
    return [
        RowError(table.name, 1, name, _("missing column")) for name in required if name not in have
    ]


# --- household rows -----------------------------------------------------------------------


def _families_in_registry(households: Table) -> dict[str, tuple[int, int]]:
    """The file's families already in the registry: reg_number -> (pk, district pk)."""
    at = households.index()["reg_number"]
    regs = {values[at] for _n, values in households.rows if len(values) > at} - {""}
    # SQL from strings (bandit B608, reviewed): our table name; the keys are bound parameters.
    sql = f"SELECT reg_number, id, district_id FROM {H_TABLE} WHERE reg_number {{keys}}"  # nosec B608
    return {reg: (pk, district) for reg, pk, district in rows_for_keys(sql, regs)}


def _check_households(
    households: Table,
    plan: Plan,
    lookups: Lookups,
    registered: dict[str, tuple[int, int]],
    report: Progress,
    total: int,
) -> dict[str, int]:
    """Check every household row into ``plan``; return the file's reg_numbers and rows."""
    name, errors, today = households.name, plan.errors, lookups.today
    seen_regs: dict[str, int] = {}
    for done, (number, rec) in enumerate(households.records(), start=1):
        if done % 20_000 == 0:
            report(0.5 * done / total, _("Checking household rows: %(n)d") % {"n": done})
        c = Checker(name, number, errors, today)
        reg = _check_reg_number(c, rec, seen_regs)
        origin = _check_settlement(c, rec, "origin", lookups, required=True)
        if reg in registered:
            _family_in_registry(c, reg, registered[reg], plan, lookups.district_id)
            continue
        household = _new_household(c, rec, reg, origin, lookups)
        if household is None:
            plan.bad_families.setdefault(reg, (name, number))
        else:
            plan.households.append(household)
    return seen_regs


def _check_reg_number(c: Checker, rec: dict[str, str], seen: dict[str, int]) -> str:
    reg = c.text(rec, "reg_number", 30, required=True)
    problem = identifier_problem(reg, 30) if reg else None
    if problem is not None:
        c.fail("reg_number", problem)
    elif reg in seen:
        c.fail("reg_number", _("%(reg)s is also on row %(row)d") % {"reg": reg, "row": seen[reg]})
    elif reg:
        seen[reg] = c.row
    return reg


def _check_settlement(
    c: Checker, rec: dict[str, str], column: str, lookups: Lookups, *, required: bool
) -> tuple[int, int] | None:
    """The settlement named in ``column`` as (pk, district pk), if it is one; None if not."""
    code = rec.get(column, "").strip()
    if not code:
        if required:
            c.fail(column, _("required"))
        return None
    area = lookups.settlements.get(code)
    if area is None:
        c.fail(column, _("no settlement with code %(code)s") % {"code": code})
    elif lookups.district_id is not None and area[1] != lookups.district_id:
        c.fail(
            column,
            _("%(code)s is in district %(district)s, outside yours")
            % {"code": code, "district": lookups.district_codes.get(area[1], "?")},
        )
    return area


def _family_in_registry(
    c: Checker, reg: str, registered: tuple[int, int], plan: Plan, district_id: int | None
) -> None:
    """A family already registered is not imported again: unchanged, or a bad row."""
    pk, district = registered
    if district_id is not None and district != district_id:
        c.fail("reg_number", _("already registered in another district"))
    if c.ok:
        plan.existing[reg] = pk
        plan.unchanged += 1
    else:
        plan.bad_families.setdefault(reg, (c.file, c.row))


def _new_household(
    c: Checker,
    rec: dict[str, str],
    reg: str,
    origin: tuple[int, int] | None,
    lookups: Lookups,
) -> NewHousehold | None:
    """The rest of a new family's row checked; the family to create, or None if bad."""
    destination = _check_settlement(c, rec, "destination", lookups, required=False)
    group_code = rec.get("group", "").strip()
    if group_code and group_code not in lookups.groups:
        c.fail("group", _("no group with code %(code)s") % {"code": group_code})
    kind = c.choice(rec, "shelter_kind", lookups.shelter)
    status = c.choice(rec, "status", lookups.statuses, default=HouseholdStatus.REGISTERED)
    priority_text = rec.get("priority", "").strip() or "0"
    priority = 0
    if not priority_text.isdigit() or int(priority_text) > 32767:
        c.fail("priority", _("%(value)r is not a whole number from 0") % {"value": priority_text})
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
    if not c.ok or origin is None or registered_on is None:
        return None
    return NewHousehold(
        row=c.row,
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
        group_id=lookups.groups.get(group_code) if group_code else None,
        notes=rec.get("notes", "").strip(),
    )


# --- person rows --------------------------------------------------------------------------


@dataclass
class _Known:
    """What the person rows are checked against besides the model: the file's families, and
    the members and national ids the registry already holds."""

    file_regs: dict[str, int]  # the households file's reg_numbers -> row
    fin: dict[str, tuple[str, str, str]]  # FIN -> its holder (reg_number, surname, given)
    members: set[tuple[str, str, str, dt.date | None]]  # (reg, surname, given, born)
    heads: Counter[str]  # heads per family, of the registry's members and the file's rows

    @classmethod
    def load(
        cls, persons: Table, plan: Plan, file_regs: dict[str, int], district_id: int | None
    ) -> _Known:
        """Read from the registry; the families the person rows name that are registered
        but not in the households file go into ``plan.existing``."""
        key_of = _getter(persons, ("household", "national_id"))
        named: set[str] = set()
        raw_fins: list[str] = []
        for _n, values in persons.rows:
            reg, raw_fin = key_of(values)
            named.add(reg)
            if raw_fin:
                raw_fins.append(raw_fin)
        # Families named by person rows but not in the households file: existing ones only.
        plan.existing.update(_registered(named - set(file_regs) - {""}, district_id))
        fins = {f if FIN_NORMAL.fullmatch(f) else normalise_fin(f) for f in raw_fins} - {""}
        del raw_fins
        members, heads = _members_in_registry(plan.existing)
        return cls(file_regs, _fin_owners(fins, district_id), members, heads)


def _registered(regs: set[str], district_id: int | None) -> list[tuple[str, int]]:
    """(reg_number, pk) of the families among ``regs`` in the importer's registry."""
    if district_id is None:
        # SQL from strings (bandit B608, reviewed): our table name; the keys are bound parameters.
        sql = f"SELECT reg_number, id FROM {H_TABLE} WHERE reg_number {{keys}}"  # nosec B608
        return rows_for_keys(sql, regs)
    # SQL from strings (bandit B608, reviewed): our table name; the values are bound parameters.
    return rows_for_keys(
        f"SELECT reg_number, id FROM {H_TABLE} WHERE district_id = %s AND reg_number {{keys}}",  # nosec B608
        regs,
        [district_id],
    )


def _fin_owners(fins: set[str], district_id: int | None) -> dict[str, tuple[str, str, str]]:
    """Who holds each of ``fins``: (reg_number, surname, given name), case-folded.

    Only the importer's own district: a number held elsewhere is accepted and sent to the
    duplicate review after the write (refusing it would reveal that it exists there).
    """
    in_scope, scope_params = (
        ("", []) if district_id is None else ("h.district_id = %s AND ", [district_id])
    )
    fin_owner: dict[str, tuple[str, str, str]] = {}
    # SQL from strings (bandit B608, reviewed): our table names; the keys are bound parameters.
    for owned, reg, surname, given in rows_for_keys(
        f"SELECT p.national_id, h.reg_number, p.surname, p.given_name FROM {P_TABLE} p"
        f" JOIN {H_TABLE} h ON h.id = p.household_id WHERE {in_scope}p.national_id {{keys}}",  # nosec B608
        fins,
        scope_params,
    ):
        if owned:
            fin_owner[owned] = (reg, surname.casefold(), given.casefold())
    return fin_owner


def _members_in_registry(
    existing: dict[str, int],
) -> tuple[set[tuple[str, str, str, dt.date | None]], Counter[str]]:
    """Members already in the registry, for families already there (skipped, not doubled),
    and their heads."""
    known: set[tuple[str, str, str, dt.date | None]] = set()
    heads: Counter[str] = Counter()
    # SQL from strings (bandit B608, reviewed): our table names; the keys are bound parameters.
    for reg, surname, given, born_on, relationship in rows_for_keys(
        f"SELECT h.reg_number, p.surname, p.given_name, p.birth_date, p.relationship"
        f" FROM {P_TABLE} p JOIN {H_TABLE} h ON h.id = p.household_id"
        f" WHERE h.reg_number {{keys}}",  # nosec B608
        existing,
    ):
        known.add((reg, surname.casefold(), given.casefold(), _as_date(born_on)))
        if relationship == Relationship.HEAD:
            heads[reg] += 1
    return known, heads


def _as_date(value: Any) -> dt.date | None:
    """A date read by raw SQL (SQLite gives ISO text)."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value  # type: ignore[no-any-return]


def _getter(table: Table, names: Sequence[str]) -> Callable[[list[str]], tuple[str, ...]]:
    """The values of the columns ``names``, in that order, from one row of ``table``.

    A column the table lacks, or a cell past the end of a short row, gives "". Values are
    already stripped (:func:`~.readers.read_csv`).
    """
    idx = table.index()
    width = len(table.columns)
    get = itemgetter(*(idx.get(n, width) for n in names))
    tail = [""] * (width + 1)

    def values(row: list[str]) -> tuple[str, ...]:
        return get(row + tail[len(row) :])  # type: ignore[no-any-return]

    return values


def _check_persons(
    persons: Table, plan: Plan, known: _Known, lookups: Lookups, report: Progress, total: int
) -> None:
    """Check every person row into ``plan`` (the hot loop: what is per row stays inline).

    The usual row is checked here with cached look-ups; a row with a problem is checked
    again by :func:`_check_person_fully`, which reports it with the messages users see.
    """
    name, errors, today = persons.name, plan.errors, lookups.today
    get = _getter(persons, PERSON_READ)
    sexes, relationships, yes_no = lookups.sexes, lookups.relationships, YES_NO
    sex_cache: dict[str, str] = {}
    relationship_cache: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {"": None}  # a good birth date by its text; None: bad
    file_regs, fin_owner, members, heads = known.file_regs, known.fin, known.members, known.heads
    existing, bad_families, unjoined = plan.existing, plan.bad_families, persons.unjoined
    add, head, offset = plan.persons.append, Relationship.HEAD, plan.households_read
    seen_fins: dict[str, int] = {}
    for done, (number, values) in enumerate(persons.rows, start=1):
        if done % 20_000 == 0:
            report(0.5 * (offset + done) / total, _("Checking person rows: %(n)d") % {"n": done})
        if number in unjoined:
            continue  # an ODK repeat row that joined no submission: reported by the join
        row = get(values)
        reg, surname, given, patronymic, sex, born_text, raw_fin, relationship, step, other = row
        c: Checker | None = None  # made at the row's first problem
        if not reg or (reg not in file_regs and reg not in existing):
            c = Checker(name, number, errors, today)
            _no_family(c, reg)
        sex = lookup(sex_cache, sexes, sex)
        relationship = lookup(relationship_cache, relationships, relationship)
        born = dates[born_text] if born_text in dates else _birth_date(dates, born_text, today)
        step_free = yes_no.get(step)
        if step_free is None:
            step_free = yes_no.get(step.lower())
        if not (
            0 < len(surname) <= 80
            and 0 < len(given) <= 80
            and len(patronymic) <= 80
            and len(other) <= 200
            and sex
            and relationship
            and (born is not None or not born_text)
            and step_free is not None
        ):
            c = c or Checker(name, number, errors, today)
            fields = _check_person_fully(c, row, lookups)
            surname, given, patronymic, sex, born, relationship, step_free, other = fields
        fin: str | None = None
        if raw_fin:
            fin, valid = (raw_fin, True) if FIN_NORMAL.fullmatch(raw_fin) else _normal_fin(raw_fin)
            if valid and fin not in seen_fins:
                seen_fins[fin] = number
            else:
                c = c or Checker(name, number, errors, today)
                _fin_problem(c, raw_fin, seen_fins[fin] if valid else None)
        owner = fin_owner.get(fin) if fin else None
        if owner is not None:
            if owner != (reg, surname.casefold(), given.casefold()):
                c = c or Checker(name, number, errors, today)
                _fin_taken(c, owner[0])
            elif c is None:
                plan.unchanged += 1
                continue
        elif reg in existing and (reg, surname.casefold(), given.casefold(), born) in members:
            if c is None:
                plan.unchanged += 1
            continue
        if relationship == head and c is None:
            heads[reg] += 1
            if heads[reg] > 1:
                c = Checker(name, number, errors, today)
                _second_head(c, reg)
        if c is not None:
            bad_families.setdefault(reg, (name, number))
            continue
        add(NewPerson(number, reg, surname, given, patronymic, sex, born, fin, relationship,
                      step_free, other))  # fmt: skip


def _birth_date(dates: dict[str, dt.date | None], text: str, today: dt.date) -> dt.date | None:
    """The birth date written ``text``, remembered in ``dates``; None if it is not a good one."""
    try:
        born: dt.date | None = parse_date(text)
    except ValueError:
        born = None
    if born is not None and (born > today or born.year < 1900):
        born = None
    dates[text] = born
    return born


def _check_person_fully(c: Checker, row: tuple[str, ...], lookups: Lookups) -> tuple[Any, ...]:
    """A person row with a problem checked field by field; ``c`` reports each problem."""
    rec = dict(zip(PERSON_READ, row, strict=True))
    return (
        c.text(rec, "surname", 80, required=True),
        c.text(rec, "given_name", 80, required=True),
        c.text(rec, "patronymic", 80),
        c.choice(rec, "sex", lookups.sexes),
        c.date(rec, "birth_date"),
        c.choice(rec, "relationship", lookups.relationships),
        c.boolean(rec, "needs_step_free"),
        c.text(rec, "other_needs", 200),
    )


def _normal_fin(raw: str) -> tuple[str, bool]:
    """A FIN not in its normal form: normalised, and whether it is a valid one."""
    fin = normalise_fin(raw)
    return fin, is_valid_fin(fin)


def _no_family(c: Checker, reg: str) -> None:
    if not reg:
        c.fail("household", _("required"))
    else:
        c.fail(
            "household", _("no household %(reg)s in the file or in your registry") % {"reg": reg}
        )


def _fin_problem(c: Checker, raw_fin: str, also_on: int | None) -> None:
    """A FIN that is not one (``also_on`` None), or that the row ``also_on`` has too."""
    if also_on is None:
        c.fail(
            "national_id",
            _("%(value)r is not a FIN (7 letters and digits, no I or O)") % {"value": raw_fin},
        )
    else:
        c.fail("national_id", _("also on row %(row)d") % {"row": also_on})


def _fin_taken(c: Checker, reg: str) -> None:
    c.fail(
        "national_id",
        _("already registered to another person (household %(reg)s)") % {"reg": reg},
    )


def _second_head(c: Checker, reg: str) -> None:
    c.fail("relationship", _("household %(reg)s already has a head") % {"reg": reg})


# --- partial imports ----------------------------------------------------------------------


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
