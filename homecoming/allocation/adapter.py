"""The only place that knows both the models and the allocation engine.

Models become the contract's two CSV files (the run's frozen, publishable inputs); the
engine reads those files back, so what runs is exactly what is published. The engine's
assignments come back as AllocationResult rows.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from django.db.models import QuerySet

from homecoming.allocation import engine
from homecoming.allocation.engine import optimal
from homecoming.core import exports
from homecoming.core.exports import safe_cell
from homecoming.housing.models import Unit, UnitStatus
from homecoming.registry.models import HouseholdQuerySet

HOUSEHOLD_COLUMNS = [
    "household_id",
    "size",
    "group_id",
    "origin",
    "needs_accessible",
    "priority",
    "destination",
    "registered_on",
]
RESIDENT_COLUMNS = ["household_id", "group_id", "settlement", "complex", "building"]
#: Homes whose family counts as housed for its relatives: an accepted offer or later.
RESIDENT_UNIT_STATUSES = (UnitStatus.ALLOCATED, UnitStatus.KEYS_HANDED, UnitStatus.OCCUPIED)
UNIT_COLUMNS = [
    "unit_id",
    "settlement",
    "complex",
    "building",
    "rooms",
    "floor",
    "accessible",
    "area_m2",
]


def unit_key(unit: Unit) -> str:
    """The unit's id in published files: complex/building/number, readable by observers.

    As written in the files: codes follow the identifier pattern, so :func:`safe_cell`
    changes nothing for them; a code stored before the pattern existed and starting with a
    formula character is written (and matched back) with its quote.
    """
    return str(safe_cell(f"{unit.building.complex.code}/{unit.building.code}/{unit.number}"))


def household_key(reg_number: str) -> str:
    """A family's id in published files (see :func:`unit_key`)."""
    return str(safe_cell(reg_number))


def households_csv(households: HouseholdQuerySet) -> str:
    rows = (
        households.with_size()
        .select_related("origin", "destination", "group")
        .order_by("reg_number")
    )
    out = io.StringIO()
    w = exports.writer(out, lineterminator="\n")
    w.writerow(HOUSEHOLD_COLUMNS)
    for h in rows:
        w.writerow(
            [
                h.reg_number,
                h.size,  # type: ignore[attr-defined]  # annotated by with_size()
                h.group.code if h.group else "",
                h.origin.code,
                int(h.needs_step_free),  # type: ignore[attr-defined]
                h.priority,
                h.destination.code if h.destination else "",
                h.registered_on.isoformat(),
            ]
        )
    return out.getvalue()


def units_csv(units: QuerySet[Unit]) -> str:
    rows = units.select_related("building__complex__settlement").order_by(
        "building__complex__code", "building__code", "number"
    )
    out = io.StringIO()
    w = exports.writer(out, lineterminator="\n")
    w.writerow(UNIT_COLUMNS)
    for u in rows:
        w.writerow(
            [
                unit_key(u),
                u.building.complex.settlement.code,
                u.building.complex.code,
                u.building.code,
                u.rooms,
                u.floor,
                int(u.step_free),
                "" if u.area_m2 is None else u.area_m2,
            ]
        )
    return out.getvalue()


def residents_csv(households: HouseholdQuerySet) -> str:
    """The families already housed (an accepted offer, keys or moved in) in the groups of
    `households`, where they live: the contract's residents.csv; "" when there are none."""
    groups = households.exclude(group=None).values("group")
    homes = (
        Unit.objects.filter(household__group__in=groups, status__in=RESIDENT_UNIT_STATUSES)
        .select_related("household__group", "building__complex__settlement")
        .order_by("household__reg_number")
    )
    out = io.StringIO()
    w = exports.writer(out, lineterminator="\n")
    for u in homes:
        assert u.household is not None and u.household.group is not None  # the filter
        w.writerow(
            [
                u.household.reg_number,
                u.household.group.code,
                u.building.complex.settlement.code,
                u.building.complex.code,
                u.building.code,
            ]
        )
    rows = out.getvalue()
    return ",".join(RESIDENT_COLUMNS) + "\n" + rows if rows else ""


def inputs_sha256(households_text: str, units_text: str, residents_text: str = "") -> str:
    """SHA-256 over the input files, as the CLI's report computes it (residents, when
    there are any, last: a run without them keeps its digest)."""
    digest = hashlib.sha256()
    digest.update(households_text.encode("utf-8"))
    digest.update(units_text.encode("utf-8"))
    digest.update(residents_text.encode("utf-8"))
    return digest.hexdigest()


def read_inputs(
    households_text: str, units_text: str, residents_text: str = ""
) -> tuple[list[engine.Household], list[engine.Unit], list[engine.Resident]]:
    """The engine's reading of frozen input files (the same reader as the CLI's)."""
    with tempfile.TemporaryDirectory() as tmp:
        hh_path = Path(tmp, "households.csv")
        un_path = Path(tmp, "units.csv")
        rs_path = Path(tmp, "residents.csv")
        hh_path.write_text(households_text, encoding="utf-8")
        un_path.write_text(units_text, encoding="utf-8")
        rs_path.write_text(residents_text, encoding="utf-8")
        households = engine.read_households(hh_path)
        units = engine.read_units(un_path)
        residents = engine.read_residents(rs_path, households) if residents_text else []
    return households, units, residents


def read_policy(policy_text: str) -> engine.Policy:
    """The run's policy: its TOML text, or the default when it has none."""
    return engine.Policy.from_toml(policy_text) if policy_text.strip() else engine.Policy.default()


def run_engine(
    method: str,
    households_text: str,
    units_text: str,
    policy_text: str,
    seed: int,
    progress: Callable[[float, str], None] | None = None,
    residents_text: str = "",
) -> tuple[engine.Result, str]:
    """Run the engine on the frozen files; returns the result and assignments.csv text."""
    households, units, residents = read_inputs(households_text, units_text, residents_text)
    policy = read_policy(policy_text)
    solve = engine.lottery if method == "lottery" else engine.allocate
    result = solve(households, units, policy, seed=seed, progress=progress, residents=residents)
    violations = engine.check(households, units, policy, result.assignments, residents)
    if violations:
        found: list[object] = list(violations)
        raise engine.CheckFailed(found)
    return result, engine.assignments_csv(result).decode("utf-8")


def without_groups(
    households_text: str, units_text: str, policy_text: str, seed: int
) -> dict[str, float]:
    """The run's figures with groups ignored (engine.optimal.without_groups)."""
    households, units, _ = read_inputs(households_text, units_text)
    policy = read_policy(policy_text)
    return optimal.without_groups(households, units, policy, seed=seed)


def assignment_rows(
    result: engine.Result,
) -> Iterable[tuple[str, str | None, str, list[dict[str, str | int | bool]]]]:
    """Each assignment: household, unit, the English sentence and the reasons as JSON data."""
    for a in result.assignments:
        yield a.household_id, a.unit_id, a.reason, [r.as_dict() for r in a.reasons]
