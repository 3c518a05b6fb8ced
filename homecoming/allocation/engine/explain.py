"""Reasons (as data, and their English text) and the common tail of every solver."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .core import Admission, Instance
from .metrics import (
    follower_parts,
    ideal_rooms_bound,
    priority_violations,
    score_parts,
    upper_bound,
)
from .model import Assignment, GroupHome, Result, Unit
from .reasons import Reason, english


def reasons(inst: Instance, unit_of: np.ndarray, adm: Admission) -> list[list[Reason]]:
    """The reasons of each household: why this unit, or why none.

    `unit_of[i]` is the unit index of household i or -1.
    """
    housed = [i for i in range(len(inst.households)) if unit_of[i] >= 0]
    why = housed_reasons(inst, unit_of, housed, lowest_unhoused(inst, unit_of))
    return [
        why[i] if unit_of[i] >= 0 else list(adm.refusal.get(i, [Reason("no_home")]))
        for i in range(len(inst.households))
    ]


def lowest_unhoused(inst: Instance, unit_of: np.ndarray) -> float:
    """The lowest priority of a block left out (infinity when everyone is housed)."""
    lowest = np.inf
    for b in inst.blocks:
        if unit_of[b.members[0]] < 0:
            lowest = min(lowest, b.priority)
    return float(lowest)


def housed_reasons(
    inst: Instance, unit_of: np.ndarray, housed: Sequence[int], lowest: float
) -> dict[int, list[Reason]]:
    """Why each household of `housed` has its unit. Reads, besides the household's own
    unit, only its group's units and the households of its complex (all in one
    settlement), and `lowest` (see lowest_unhoused): so a part of the settlements can
    explain its own households (engine.fanout)."""
    pol = inst.policy
    out: dict[int, list[Reason]] = {}
    origin_counts: dict[str, dict[int, int]] = {}
    for i in housed:
        h = inst.households[i]
        if h.origin is not None:
            c = int(inst.u_complex[unit_of[i]])
            d = origin_counts.setdefault(h.origin, {})
            d[c] = d.get(c, 0) + 1
    spread: dict[int, tuple[int, int]] = {}
    for i in housed:
        h = inst.households[i]
        j = int(unit_of[i])
        u = inst.units[j]
        band = pol.band(h.size)
        parts: list[Reason] = []
        if u.rooms == band.ideal:
            parts.append(Reason("rooms_ideal", {"rooms": u.rooms, "persons": h.size}))
        else:
            parts.append(
                Reason("rooms_other", {"rooms": u.rooms, "persons": h.size, "ideal": band.ideal})
            )
        if h.needs_accessible:
            parts.append(Reason("step_free"))
        parts.append(
            Reason(
                "place", {"building": u.building, "complex": u.complex, "settlement": u.settlement}
            )
        )
        b = inst.blocks[int(inst.block_of[i])]
        if b.home is not None:
            parts.append(_relatives_reason(b.home, u))
        if b.multi:
            if b.index not in spread:
                spread[b.index] = (
                    len({int(inst.u_building[unit_of[m]]) for m in b.members}),
                    len({int(inst.u_complex[unit_of[m]]) for m in b.members}),
                )
            parts.append(_group_reason(len(b.members), spread[b.index], u))
        if h.origin is not None:
            here = origin_counts[h.origin].get(int(inst.u_complex[j]), 0) - 1
            if here > 0:
                parts.append(Reason("origin", {"others": here, "origin": h.origin}))
        if b.priority > lowest:
            parts.append(Reason("priority"))
        out[i] = parts
    return out


def _relatives_reason(home: GroupHome, u: Unit) -> Reason:
    """How close a follower lives to its group's first families (the residents)."""
    if (u.complex, u.building) in home.buildings and u.settlement == home.settlement:
        return Reason("relatives_building", {"building": u.building, "complex": u.complex})
    if u.complex in home.complexes and u.settlement == home.settlement:
        return Reason("relatives_complex", {"complex": u.complex})
    return Reason("relatives_settlement", {"settlement": home.settlement})


def _group_reason(n: int, spread: tuple[int, int], u: Unit) -> Reason:
    n_b, n_c = spread
    if n_b == 1:
        return Reason("group_building", {"others": n - 1, "building": u.building})
    if n_c == 1:
        return Reason("group_complex", {"households": n, "complex": u.complex, "buildings": n_b})
    return Reason(
        "group_settlement", {"households": n, "settlement": u.settlement, "complexes": n_c}
    )


def _explain_all(
    inst: Instance,
    unit_of: np.ndarray,
    adm: Admission,
    explained: dict[int, tuple[str, tuple[Reason, ...]]] | None,
) -> dict[int, tuple[str, tuple[Reason, ...]]]:
    """Every household's sentence and reasons: those `explained` already (the housed ones,
    by the parts of engine.fanout), the others computed here."""
    if explained is None:
        why = reasons(inst, unit_of, adm)
        return {
            i: (english(why[i], housed=bool(unit_of[i] >= 0)), tuple(why[i]))
            for i in range(len(inst.households))
        }
    out = dict(explained)
    for i in range(len(inst.households)):
        if i not in out:  # not housed: why, from the admission
            why_not = adm.refusal.get(i, [Reason("no_home")])
            out[i] = (english(why_not, housed=False), tuple(why_not))
    return out


def finish(
    inst: Instance,
    unit_of: np.ndarray,
    adm: Admission,
    *,
    method: str,
    seed: int,
    started: float,
    with_bound: bool = True,
    extra: dict[str, Any] | None = None,
    bounds: dict[str, int] | None = None,
    explained: dict[int, tuple[str, tuple[Reason, ...]]] | None = None,
) -> Result:
    """The assignments with their reasons, and the report's metrics.

    Given, what was computed elsewhere (engine.fanout computes them part by part):
    `bounds`, "bound", "placement_bound" and "ideal_rooms_bound", each the same integer as
    here; `explained`, the sentence and reasons of the housed households (the others' come
    from the admission).
    """
    given = bounds or {}
    explained = _explain_all(inst, unit_of, adm, explained)
    assignments = [
        Assignment(
            h.household_id,
            inst.units[int(unit_of[i])].unit_id if unit_of[i] >= 0 else None,
            *explained[i],
        )
        for i, h in enumerate(inst.households)
    ]
    metrics: dict[str, Any] = score_parts(inst.households, inst.units, inst.policy, assignments)
    metrics["priority_violations"] = priority_violations(inst, assignments)
    # the best ideal-rooms share for the same families with the same buildings per group
    best = given.get("ideal_rooms_bound")
    if best is None:
        best = ideal_rooms_bound(inst.households, inst.units, inst.policy, assignments)
    metrics["ideal_rooms_bound"] = best
    metrics["ideal_rooms_bound_share"] = (
        round(best / metrics["housed"], 6) if metrics["housed"] else 1.0
    )
    if inst.residents:
        metrics["residents"] = len(inst.residents)
        metrics.update(follower_parts(inst.households, inst.units, inst.residents, assignments))
    if with_bound:
        bound = given["bound"] if "bound" in given else upper_bound(inst)
        metrics["bound"] = bound
        # rounded up, so the reported gap is never smaller than the true one
        gap = (bound - metrics["score"]) / bound if bound > 0 else 0.0
        metrics["gap"] = math.ceil(gap * 1e6) / 1e6
        # the same bound for exactly the households housed here, in their settlements: the
        # part of the gap due to where households are put, not to who is housed
        p_bound = given.get("placement_bound")
        if p_bound is None:
            placed = np.array(
                [
                    int(inst.u_settlement[unit_of[b.members[0]]])
                    if unit_of[b.members[0]] >= 0
                    else -1
                    for b in inst.blocks
                ],
                dtype=np.int64,
            )
            p_bound = upper_bound(inst, placed)
        metrics["placement_bound"] = p_bound
        p_gap = (p_bound - metrics["score"]) / p_bound if p_bound > 0 else 0.0
        metrics["placement_gap"] = math.ceil(p_gap * 1e6) / 1e6
    metrics["seed"] = seed
    metrics["method"] = method
    if extra:
        metrics.update(extra)
    metrics["seconds"] = round(time.perf_counter() - started, 3)
    return Result(assignments, metrics, method)
