"""The optimiser: admission by priority, then a plan per settlement, then an exact matching.

1. Admission (core.admit): groups in priority order into a settlement, with an exact test.
2. Plan, per settlement (planner.SettlementPlanner): origin villages to home complexes (a
   count model solved by best fit and improving moves/swaps), then kin groups to buildings
   inside their complex (packing.BuildingPacking: largest first, best fit), each step under
   the exact joint test of core.Joint: groups bound to buildings and everyone else in the
   complex still fit together. Groups left without a building try the whole settlement,
   then a repair that moves one bound group.
3. Matching, per settlement (matching.SlotMatching): a min-cost flow (OR-Tools network
   simplex) puts every admitted household into a (building, room count, step-free) slot,
   rewarding the planned building, the planned complex, the ideal room count and the
   village's complex; a member leaving its group's planned building pays what the whole
   group loses. Overflow arcs let anyone go anywhere in the settlement, so it is always
   feasible when admission said so.
4. Addresses: inside a building and type, the concrete flats are drawn by the seeded lottery.

All work is bounded by counts, not by the clock, so the output depends only on the inputs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from .core import Instance, Joint, admit, build_instance
from .explain import finish
from .model import Household, Policy, Resident, Result, Unit
from .planner import SettlementPlanner


def allocate(
    households: Sequence[Household],
    units: Sequence[Unit],
    policy: Policy | None = None,
    *,
    seed: int,
    time_limit: float | None = None,
    progress: Callable[[float, str], None] | None = None,
    residents: Sequence[Resident] = (),
) -> Result:
    """Assign units to households under the contract's hard rules and objectives.

    `time_limit` is accepted for the app's sake and not used: every step is bounded by
    counts, never by the clock, so that a replay gives the same bytes on any machine.

    >>> hs = [Household("a", 4, group_id="g"), Household("b", 2, group_id="g"), Household("c", 1)]
    >>> us = [Unit(f"u{i}", "S", "C1", f"B{i % 2}", rooms=r) for i, r in enumerate([3, 2, 2, 1])]
    >>> r = allocate(hs, us, seed=1)
    >>> [a.unit_id is not None for a in r.assignments], r.metrics["groups_in_one_building"]
    ([True, True, True], 1)
    """
    del time_limit
    started = time.perf_counter()
    policy = policy or Policy.default()
    inst = build_instance(households, units, policy, residents)
    rng = np.random.default_rng(seed)
    if progress is not None:
        progress(0.0, "reading the problem")
    adm = admit(inst, rng, progress)
    unit_of = np.full(len(households), -1, dtype=np.int64)
    slots = _unit_slots(inst)
    joint = Joint(inst.hall)
    by_settlement: dict[int, list[int]] = {}
    for bi in adm.order:
        s = int(adm.settlement_of_block[bi])
        if s >= 0:
            by_settlement.setdefault(s, []).append(bi)
    n_s = len(inst.settlements)
    for s in range(n_s):
        if progress is not None and s % 20 == 0:
            progress(0.4 + 0.5 * s / max(1, n_s), "placing groups in buildings")
        blocks = by_settlement.get(s)
        if blocks:
            SettlementPlanner(inst, s, blocks, joint).place(rng, slots, unit_of)
    if progress is not None:
        progress(0.9, "explaining and measuring")
    result = finish(inst, unit_of, adm, method="optimal", seed=seed, started=started)
    if progress is not None:
        progress(1.0, "done")
    return result


def without_groups(
    households: Sequence[Household],
    units: Sequence[Unit],
    policy: Policy | None = None,
    *,
    seed: int,
) -> dict[str, float]:
    """What keeping groups together costs: the same run with every group (and so every
    resident's pull) ignored, in the figures the report compares.

    >>> hs = [Household("a", 1, "g"), Household("b", 1, "g")]
    >>> us = [Unit("u1", "S", "C1", "B1", 1), Unit("u2", "S", "C2", "B2", 1)]
    >>> without_groups(hs, us, seed=0)["housed"]
    2
    """
    alone = [replace(h, group_id=None) for h in households]
    m = allocate(alone, units, policy, seed=seed).metrics
    return {k: m[k] for k in ("housed", "ideal_rooms", "ideal_rooms_share", "persons_housed")}


def _unit_slots(inst: Instance) -> dict[tuple[int, int], list[int]]:
    """Unit indices per (building, type), in input order."""
    slots: dict[tuple[int, int], list[int]] = {}
    for j in range(len(inst.units)):
        t = int(inst.utype[j])
        if t >= 0:
            slots.setdefault((int(inst.u_building[j]), t), []).append(j)
    return slots
