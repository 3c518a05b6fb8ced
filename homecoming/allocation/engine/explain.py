"""Plain-language reasons and the common tail of every solver (metrics, result)."""

from __future__ import annotations

import math
import time
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
from .model import Assignment, Result


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def reasons(inst: Instance, unit_of: np.ndarray, adm: Admission) -> list[str]:
    """One sentence per household: why this unit, or why none.

    `unit_of[i]` is the unit index of household i or -1.
    """
    pol = inst.policy
    out: list[str] = []
    lowest_unhoused = np.inf
    for b in inst.blocks:
        if unit_of[b.members[0]] < 0:
            lowest_unhoused = min(lowest_unhoused, b.priority)
    origin_counts: dict[str, dict[int, int]] = {}
    for i, h in enumerate(inst.households):
        if unit_of[i] >= 0 and h.origin is not None:
            c = int(inst.u_complex[unit_of[i]])
            d = origin_counts.setdefault(h.origin, {})
            d[c] = d.get(c, 0) + 1
    spread: dict[int, tuple[int, int]] = {}
    for i, h in enumerate(inst.households):
        j = int(unit_of[i])
        if j < 0:
            out.append("not housed in this run: " + adm.refusal.get(i, "no home left"))
            continue
        u = inst.units[j]
        band = pol.band(h.size)
        persons = _plural(h.size, "person", "persons")
        parts = [f"{_plural(u.rooms, 'room', 'rooms')} for {persons}"]
        if u.rooms == band.ideal:
            parts[0] += ", the ideal size"
        else:
            parts[0] += f" (the ideal {band.ideal} was not available)"
        if h.needs_accessible:
            parts.append("step-free as needed")
        parts.append(f"building {u.building}, complex {u.complex}, {u.settlement}")
        b = inst.blocks[int(inst.block_of[i])]
        if b.multi:
            others = len(b.members) - 1
            if b.index not in spread:
                spread[b.index] = (
                    len({int(inst.u_building[unit_of[m]]) for m in b.members}),
                    len({int(inst.u_complex[unit_of[m]]) for m in b.members}),
                )
            n_b, n_c = spread[b.index]
            if n_b == 1:
                parts.append(
                    f"with the {_plural(others, 'other household', 'other households')} "
                    f"of your group in building {u.building}"
                )
            elif n_c == 1:
                parts.append(
                    f"your group of {len(b.members)} households is in complex {u.complex}, "
                    f"over {n_b} buildings (no single building had room)"
                )
            else:
                parts.append(
                    f"your group of {len(b.members)} households is in {u.settlement}, "
                    f"over {n_c} complexes (no single complex had room)"
                )
        if h.origin is not None:
            d = origin_counts[h.origin]
            here = d.get(int(inst.u_complex[j]), 0) - 1
            if here > 0:
                parts.append(
                    f"with {_plural(here, 'other family', 'other families')} from {h.origin} "
                    "in this complex"
                )
        if b.priority > lowest_unhoused:
            parts.append("served before families of lower priority")
        out.append("; ".join(parts))
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
) -> Result:
    texts = reasons(inst, unit_of, adm)
    assignments = [
        Assignment(
            h.household_id,
            inst.units[int(unit_of[i])].unit_id if unit_of[i] >= 0 else None,
            texts[i],
        )
        for i, h in enumerate(inst.households)
    ]
    metrics: dict[str, Any] = score_parts(inst.households, inst.units, inst.policy, assignments)
    metrics["priority_violations"] = priority_violations(inst, assignments)
    # the best ideal-rooms share for the same families with the same buildings per group
    best = ideal_rooms_bound(inst.households, inst.units, inst.policy, assignments)
    metrics["ideal_rooms_bound"] = best
    metrics["ideal_rooms_bound_share"] = (
        round(best / metrics["housed"], 6) if metrics["housed"] else 1.0
    )
    if inst.residents:
        metrics["residents"] = len(inst.residents)
        metrics.update(follower_parts(inst.households, inst.units, inst.residents, assignments))
    if with_bound:
        bound = upper_bound(inst)
        metrics["bound"] = bound
        # rounded up, so the reported gap is never smaller than the true one
        gap = (bound - metrics["score"]) / bound if bound > 0 else 0.0
        metrics["gap"] = math.ceil(gap * 1e6) / 1e6
        # the same bound for exactly the households housed here, in their settlements: the
        # part of the gap due to where households are put, not to who is housed
        placed = np.array(
            [
                int(inst.u_settlement[unit_of[b.members[0]]]) if unit_of[b.members[0]] >= 0 else -1
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
