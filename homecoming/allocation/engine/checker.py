"""The checker: verifies every hard rule of the contract on any output, independently.

It shares no code with the solvers (only the data classes and the policy's bands), so a bug
in a solver cannot hide itself here.

>>> hs = [Household("a", 4), Household("b", 1)]
>>> us = [Unit("u1", "S", "C", "B", rooms=3), Unit("u2", "S", "C", "B", rooms=5)]
>>> check(hs, us, None, [Assignment("a", "u1", ""), Assignment("b", "u2", "")])
[Violation(rule='band', household_id='b', unit_id='u2', message='household b of 1 persons got 5 rooms; allowed 1-2')]
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import Assignment, Household, Policy, Resident, Unit, Violation


def check(
    households: Sequence[Household],
    units: Sequence[Unit],
    policy: Policy | None,
    assignments: Sequence[Assignment],
    residents: Sequence[Resident] = (),
) -> list[Violation]:
    """Return every hard-rule violation of `assignments` (an empty list means valid).

    Rules: one row per household in input order; units exist; a unit holds at most one
    household; rooms within the band; step-free needs; chosen destination; a group is housed
    all together or not at all, and in one settlement, which is its residents' settlement
    when it has residents and no member chose a destination.
    """
    policy = policy or Policy.default()
    out = _row_violations(households, assignments)
    unit_by_id = {u.unit_id: u for u in units}
    holder: dict[str, str] = {}
    housed: dict[str, Unit] = {}
    for h, a in zip(households, assignments, strict=False):
        if a.unit_id is None or h.household_id != a.household_id:
            continue
        u = unit_by_id.get(a.unit_id)
        if u is None:
            out.append(Violation("unknown-unit", h.household_id, a.unit_id, "no such unit"))
            continue
        if a.unit_id in holder:
            out.append(
                Violation(
                    "one-per-unit",
                    h.household_id,
                    a.unit_id,
                    f"unit {a.unit_id} given to {holder[a.unit_id]} and {h.household_id}",
                )
            )
        holder[a.unit_id] = h.household_id
        housed[h.household_id] = u
        out.extend(_unit_violations(h, u, policy))
    out.extend(_group_violations(households, housed))
    out.extend(_resident_violations(households, housed, residents))
    return out


def _resident_violations(
    households: Sequence[Household], housed: dict[str, Unit], residents: Sequence[Resident]
) -> list[Violation]:
    """A group with residents lives in the settlement holding most of them (ties: the name
    sorting first), unless one of its households chose a destination."""
    per_group: dict[str, dict[str, int]] = {}
    for r in residents:
        if r.group_id is not None:
            tally = per_group.setdefault(r.group_id, {})
            tally[r.settlement] = tally.get(r.settlement, 0) + 1
    chose = {h.group_id for h in households if h.group_id is not None and h.destination}
    out: list[Violation] = []
    home = {
        g: sorted(t.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for g, t in per_group.items()
    }
    for h in households:
        settlement = home.get(h.group_id or "")
        u = housed.get(h.household_id)
        if settlement is None or u is None or h.group_id in chose:
            continue
        if u.settlement != settlement:
            out.append(
                Violation(
                    "residents-settlement",
                    h.household_id,
                    u.unit_id,
                    f"household {h.household_id} of group {h.group_id} got {u.settlement}; "
                    f"its residents live in {settlement}",
                )
            )
    return out


def _row_violations(
    households: Sequence[Household], assignments: Sequence[Assignment]
) -> list[Violation]:
    """One row per household, in input order."""
    out: list[Violation] = []
    if len(assignments) != len(households):
        out.append(
            Violation(
                "rows",
                None,
                None,
                f"{len(assignments)} assignment rows for {len(households)} households",
            )
        )
    for h, a in zip(households, assignments, strict=False):
        if h.household_id != a.household_id:
            out.append(
                Violation(
                    "rows",
                    a.household_id,
                    a.unit_id,
                    f"row for {a.household_id} where {h.household_id} was expected (input order)",
                )
            )
    return out


def _unit_violations(h: Household, u: Unit, policy: Policy) -> list[Violation]:
    """Rooms within the band, step-free need, chosen destination."""
    out: list[Violation] = []
    band = policy.band(h.size)
    if not band.min_rooms <= u.rooms <= band.max_rooms:
        out.append(
            Violation(
                "band",
                h.household_id,
                u.unit_id,
                f"household {h.household_id} of {h.size} persons got {u.rooms} rooms; "
                f"allowed {band.min_rooms}-{band.max_rooms}",
            )
        )
    if h.needs_accessible and not u.is_accessible:
        out.append(
            Violation(
                "accessible",
                h.household_id,
                u.unit_id,
                f"household {h.household_id} needs step-free access; {u.unit_id} is not",
            )
        )
    if h.destination is not None and u.settlement != h.destination:
        out.append(
            Violation(
                "destination",
                h.household_id,
                u.unit_id,
                f"household {h.household_id} chose {h.destination}; got {u.settlement}",
            )
        )
    return out


def _group_violations(households: Sequence[Household], housed: dict[str, Unit]) -> list[Violation]:
    """A group is housed all together or not at all, and in one settlement."""
    out: list[Violation] = []
    groups: dict[str, list[Household]] = {}
    for h in households:
        if h.group_id is not None:
            groups.setdefault(h.group_id, []).append(h)
    for gid, members in groups.items():
        in_ = [m for m in members if m.household_id in housed]
        if in_ and len(in_) != len(members):
            out.append(
                Violation(
                    "group-all-or-none",
                    None,
                    None,
                    f"group {gid}: {len(in_)} of {len(members)} households housed",
                )
            )
        settlements = sorted({housed[m.household_id].settlement for m in in_})
        if len(settlements) > 1:
            out.append(
                Violation(
                    "group-one-settlement",
                    None,
                    None,
                    f"group {gid} spread over settlements {', '.join(settlements)}",
                )
            )
    return out
