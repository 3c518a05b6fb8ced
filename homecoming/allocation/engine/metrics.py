"""Metrics of a result, the scalar score, the priority audit and the upper bound.

Score (weights from the policy, defaults in brackets), summed over housed households:
housed [100]; household of a multi-household group entirely in one building [10], else in
one complex [5]; ideal number of rooms [3]; in the complex holding most housed households of
its origin [1]. The bound is the optimum of the aggregated model with the group constraints
relaxed (a transportation problem, so its LP relaxation is integral; solved exactly as a
min-cost flow); gap = (bound - score) / bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from .core import Instance, IntArray
from .model import Assignment, Household, Policy, Resident, Unit


def score_parts(
    households: Sequence[Household],
    units: Sequence[Unit],
    policy: Policy,
    assignments: Sequence[Assignment],
) -> dict[str, Any]:
    """Counts and the scalar score of an assignment (assumed to pass the checker).

    >>> hs = [Household("a", 2, group_id="g"), Household("b", 1, group_id="g")]
    >>> us = [Unit("u1", "S", "C", "B1", 2), Unit("u2", "S", "C", "B1", 1)]
    >>> score_parts(hs, us, Policy(), [Assignment("a", "u1", ""), Assignment("b", "u2", "")])["score"]
    226
    """
    unit_by_id = {u.unit_id: u for u in units}
    w = policy.weights()
    where = {a.household_id: unit_by_id[a.unit_id] for a in assignments if a.unit_id is not None}
    housed = [h for h in households if h.household_id in where]
    ideal = sum(1 for h in housed if where[h.household_id].rooms == policy.band(h.size).ideal)
    groups: dict[str, list[Household]] = {}
    for h in households:
        if h.group_id is not None:
            groups.setdefault(h.group_id, []).append(h)
    multi = {g: m for g, m in groups.items() if len(m) > 1}
    g_housed = g_building = g_complex = 0
    hh_building = hh_complex = 0
    for members in multi.values():
        if members[0].household_id not in where:
            continue
        g_housed += 1
        us_ = [where[m.household_id] for m in members if m.household_id in where]
        if len({(u.settlement, u.complex, u.building) for u in us_}) == 1:
            g_building += 1
            hh_building += len(members)
        if len({(u.settlement, u.complex) for u in us_}) == 1:
            g_complex += 1
            if len({(u.settlement, u.complex, u.building) for u in us_}) > 1:
                hh_complex += len(members)
    per_origin: dict[str, dict[tuple[str, str], int]] = {}
    for h in housed:
        if h.origin is not None:
            u = where[h.household_id]
            c = per_origin.setdefault(h.origin, {})
            c[(u.settlement, u.complex)] = c.get((u.settlement, u.complex), 0) + 1
    with_origin = sum(sum(c.values()) for c in per_origin.values())
    origin_together = sum(max(c.values()) for c in per_origin.values())
    score = (
        w["housed"] * len(housed)
        + w["group_building"] * hh_building
        + w["group_complex"] * hh_complex
        + w["ideal"] * ideal
        + w["origin"] * origin_together
    )
    return {
        "households": len(households),
        "housed": len(housed),
        "persons_housed": sum(h.size for h in housed),
        "units": len(units),
        "units_used": len(where),
        "groups": len(multi),
        "groups_housed": g_housed,
        "groups_in_one_building": g_building,
        "groups_in_one_complex": g_complex,
        "groups_in_one_building_share": round(g_building / g_housed, 6) if g_housed else 1.0,
        "ideal_rooms": ideal,
        "ideal_rooms_share": round(ideal / len(housed), 6) if housed else 1.0,
        "same_origin_in_one_complex": origin_together,
        "same_origin_in_one_complex_share": (
            round(origin_together / with_origin, 6) if with_origin else 1.0
        ),
        "score": int(score),
    }


def follower_parts(
    households: Sequence[Household],
    units: Sequence[Unit],
    residents: Sequence[Resident],
    assignments: Sequence[Assignment],
) -> dict[str, Any]:
    """The contract's follower figures: households whose group has residents, how many are
    housed, and how many of those live in a settlement, complex or building of their
    residents. `followers_residents_complex_open` counts the followers for whom a complex of
    their residents has units in this run at all (the fair denominator for the complex).

    Computed from the files alone, apart from the solvers.

    >>> hs = [Household("a", 2, group_id="g"), Household("b", 1, group_id="g"), Household("c", 1)]
    >>> us = [Unit("u1", "S", "C1", "B1", 2), Unit("u2", "S", "C2", "B1", 1)]
    >>> rs = [Resident("r", "S", "C1", "B1", "g")]
    >>> f = follower_parts(hs, us, rs, [Assignment("a", "u1", ""), Assignment("b", "u2", ""),
    ...                                 Assignment("c", None, "")])
    >>> f["followers"], f["followers_housed"], f["followers_with_residents_complex"]
    (2, 2, 1)
    """
    homes: dict[str, set[tuple[str, str, str]]] = {}
    for r in residents:
        if r.group_id is not None:
            homes.setdefault(r.group_id, set()).add((r.settlement, r.complex, r.building))
    unit_by_id = {u.unit_id: u for u in units}
    complexes_here = {(u.settlement, u.complex) for u in units}
    where = {a.household_id: unit_by_id[a.unit_id] for a in assignments if a.unit_id is not None}
    counts = dict.fromkeys(
        (
            "followers",
            "followers_housed",
            "followers_with_residents_settlement",
            "followers_with_residents_complex",
            "followers_with_residents_building",
            "followers_residents_complex_open",
        ),
        0,
    )
    for h in households:
        places = homes.get(h.group_id or "")
        if not places:
            continue
        counts["followers"] += 1
        if {(s, c) for s, c, _ in places} & complexes_here:
            counts["followers_residents_complex_open"] += 1
        u = where.get(h.household_id)
        if u is None:
            continue
        counts["followers_housed"] += 1
        counts["followers_with_residents_settlement"] += u.settlement in {s for s, _, _ in places}
        counts["followers_with_residents_complex"] += (u.settlement, u.complex) in {
            (s, c) for s, c, _ in places
        }
        counts["followers_with_residents_building"] += (
            u.settlement,
            u.complex,
            u.building,
        ) in places
    return counts


def priority_violations(inst: Instance, assignments: Sequence[Assignment]) -> int:
    """Households left out although their whole group (or themselves) fit in one allowed
    settlement into units that are free or held by households of strictly lower priority
    (a group is served at the priority of its highest-priority member).

    Checked with a bipartite matching of the members against unit types with multiplicity,
    independently of the capacity test used by the solvers.
    """
    unit_index = {u.unit_id: j for j, u in enumerate(inst.units)}
    holder_prio = np.full(len(inst.units), -np.inf)
    housed = np.zeros(len(inst.households), dtype=bool)
    for i, a in enumerate(assignments):
        if a.unit_id is not None:
            j = unit_index[a.unit_id]
            holder_prio[j] = inst.blocks[int(inst.block_of[i])].priority
            housed[i] = True
    n_s, nt = len(inst.settlements), inst.hall.n_types
    sorted_prio: dict[tuple[int, int], np.ndarray] = {}
    for s in range(n_s):
        for t in range(nt):
            mask = (inst.u_settlement == s) & (inst.utype == t)
            sorted_prio[(s, t)] = np.sort(holder_prio[mask])
    count = 0
    for b in inst.blocks:
        if housed[b.members[0]] or b.conflict:
            continue
        if b.destination is not None:
            if b.destination not in inst.settlement_index:
                continue
            allowed = [inst.settlement_index[b.destination]]
        else:
            allowed = list(range(n_s))
        for s in allowed:
            cap = [
                int(np.searchsorted(sorted_prio[(s, t)], b.priority, side="left"))
                for t in range(nt)
            ]
            cols: list[int] = []
            for t in range(nt):
                cols.extend([t] * min(cap[t], len(b.members)))
            if len(cols) < len(b.members):
                continue
            rows, cidx = [], []
            for r, i in enumerate(b.members):
                k = int(inst.klass[i])
                for c, t in enumerate(cols):
                    if inst.hall.compat[k, t]:
                        rows.append(r)
                        cidx.append(c)
            g = csr_matrix((np.ones(len(rows)), (rows, cidx)), shape=(len(b.members), len(cols)))
            match = maximum_bipartite_matching(g, perm_type="column")
            if (match >= 0).all():
                count += len(b.members)
                break
    return count


def upper_bound(inst: Instance, placed: IntArray | None = None) -> int:
    """Optimum of the aggregated model with groups relaxed: an upper bound of the score.

    Blocks that can never be housed (conflicting destinations, unknown destination, or not
    fitting an empty allowed settlement) are left out; everything else is a min-cost flow of
    household classes into (settlement, unit type) with the best possible weight per arc.

    With `placed` (settlement per block, -1 when not housed) the bound is over the
    allocations that house exactly those blocks in those settlements: it leaves out who is
    housed (decided by priority) and measures only where they are put.
    """
    sources = _bound_sources(inst, placed)
    if not sources:
        return 0
    return _bound_flow(inst, sources)


# households aggregated by (class, settlement or -1 for any, in a multi-household group,
# with an origin)
BoundKey = tuple[int, int, int, int]


def _bound_sources(inst: Instance, placed: IntArray | None) -> dict[BoundKey, int]:
    """Households that may be housed, counted by what the bound's arcs depend on."""
    hall = inst.hall
    n_s = len(inst.settlements)
    nodes: dict[BoundKey, int] = {}
    for b in inst.blocks:
        if placed is not None:
            if placed[b.index] < 0:
                continue
            allowed = placed[b.index : b.index + 1]
            d = int(allowed[0])
        elif b.conflict:
            continue
        elif b.destination is not None:
            if b.destination not in inst.settlement_index:
                continue
            allowed = np.array([inst.settlement_index[b.destination]])
            d = int(allowed[0])
        else:
            allowed = np.arange(n_s)
            d = -1
        if n_s == 0 or not hall.fits(b.demand[None, :], inst.supply_s[allowed]).any():
            continue
        for i in b.members:
            key = (int(inst.klass[i]), d, int(b.multi), int(inst.households[i].origin is not None))
            nodes[key] = nodes.get(key, 0) + 1
    return nodes


def _bound_flow(inst: Instance, nodes: dict[BoundKey, int]) -> int:
    """Best score of the aggregated households in `nodes`: a min-cost flow into
    (settlement, type) nodes, with an unpaid arc for whoever stays out."""
    w = inst.policy.weights()
    hall = inst.hall
    n_s = len(inst.settlements)
    smcf = min_cost_flow.SimpleMinCostFlow()
    n_nodes = len(nodes)
    type_node = n_nodes  # (s, t) -> type_node + s * nt + t
    nt = hall.n_types
    sink = type_node + n_s * nt
    out_node = sink + 1
    tails, heads, caps, costs = [], [], [], []
    supplies = np.zeros(out_node + 1, dtype=np.int64)
    total = 0
    for idx, ((k, d, multi, has_o), n) in enumerate(nodes.items()):
        supplies[idx] = n
        total += n
        tails.append(idx)
        heads.append(out_node)
        caps.append(n)
        costs.append(0)
        ss = [d] if d >= 0 else range(n_s)
        for s in ss:
            for t in range(nt):
                if hall.compat[k, t] and inst.supply_s[s, t] > 0:
                    gain = w["housed"] + w["ideal"] * int(hall.ideal[k, t])
                    gain += (
                        max(w["group_building"], w["group_complex"]) * multi + w["origin"] * has_o
                    )
                    tails.append(idx)
                    heads.append(type_node + s * nt + t)
                    caps.append(n)
                    costs.append(-gain)
    for s in range(n_s):
        for t in range(nt):
            if inst.supply_s[s, t] > 0:
                tails.append(type_node + s * nt + t)
                heads.append(sink)
                caps.append(int(inst.supply_s[s, t]))
                costs.append(0)
    tails.append(out_node)
    heads.append(sink)
    caps.append(total)
    costs.append(0)
    supplies[sink] = -total
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.array(tails), np.array(heads), np.array(caps), np.array(costs)
    )
    smcf.set_nodes_supplies(np.arange(len(supplies)), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:  # pragma: no cover - the bypass arc keeps it feasible
        raise RuntimeError(f"bound flow failed with status {status}")
    return int(-smcf.optimal_cost())


def ideal_rooms_bound(
    households: Sequence[Household],
    units: Sequence[Unit],
    policy: Policy,
    assignments: Sequence[Assignment],
) -> int:
    """The most households of an assignment that could have their ideal room count, with
    the same households housed, each kin group within the buildings it has now and every
    other household in its settlement: a maximum flow of households into (building, rooms,
    step-free) slots that prefers ideal slots, solved exactly as a min-cost flow.

    >>> hs = [Household("a", 2, group_id="g"), Household("b", 3, group_id="g"),
    ...       Household("c", 4)]
    >>> us = [Unit("u1", "S", "C", "B1", 1), Unit("u2", "S", "C", "B1", 2),
    ...       Unit("u3", "S", "C", "B2", 3), Unit("u4", "S", "C", "B2", 2)]
    >>> got = [Assignment("a", "u1", ""), Assignment("b", "u2", ""), Assignment("c", "u3", "")]
    >>> ideal_rooms_bound(hs, us, Policy(), got)  # B1 has one ideal flat for the group; c has its
    2
    """
    unit_by_id = {u.unit_id: u for u in units}
    where = {a.household_id: unit_by_id[a.unit_id] for a in assignments if a.unit_id is not None}
    pools = _ideal_pools(households, where)
    slots: dict[Slot, int] = {}
    for u in units:
        slot = (_bkey(u), u.rooms, u.is_accessible)
        slots[slot] = slots.get(slot, 0) + 1
    return _ideal_flow(pools, slots, policy)


Slot = tuple[tuple[str, str, str], int, bool]  # (building, rooms, step-free)
Pool = tuple[Any, ...]  # ("b", building, ...) or ("s", settlement)


def _ideal_pools(
    households: Sequence[Household], where: dict[str, Unit]
) -> dict[Pool, dict[tuple[int, bool], int]]:
    """Housed households by (size, step-free need) per pool: a kin group's buildings, or
    the settlement of a household alone."""
    groups: dict[str, list[Household]] = {}
    for h in households:
        if h.group_id is not None and h.household_id in where:
            groups.setdefault(h.group_id, []).append(h)
    pools: dict[Pool, dict[tuple[int, bool], int]] = {}
    for h in households:
        u = where.get(h.household_id)
        if u is None:
            continue
        members = groups.get(h.group_id or "", [])
        if len(members) > 1:
            pool: Pool = ("b", *sorted({_bkey(where[m.household_id]) for m in members}))
        else:
            pool = ("s", u.settlement)
        counts = pools.setdefault(pool, {})
        key = (h.size, h.needs_accessible)
        counts[key] = counts.get(key, 0) + 1
    return pools


def _ideal_flow(
    pools: dict[Pool, dict[tuple[int, bool], int]], slots: dict[Slot, int], policy: Policy
) -> int:
    """Most households in an ideal slot, everyone in a slot of their pool (min-cost flow)."""
    slot_index = {s: i for i, s in enumerate(slots)}
    by_settlement: dict[str, list[Slot]] = {}
    by_building: dict[tuple[str, str, str], list[Slot]] = {}
    for s in slots:
        by_settlement.setdefault(s[0][0], []).append(s)
        by_building.setdefault(s[0], []).append(s)
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []
    sink = len(slots)
    node = sink + 1
    supplies: list[int] = []
    for pool, counts in pools.items():
        reachable = (
            by_settlement.get(pool[1], [])
            if pool[0] == "s"
            else [s for b in pool[1:] for s in by_building.get(b, [])]
        )
        for (size, needy), n in counts.items():
            band = policy.band(size)
            supplies.append(n)
            for s in reachable:
                _, rooms, step_free = s
                if band.min_rooms <= rooms <= band.max_rooms and (step_free or not needy):
                    tails.append(node)
                    heads.append(slot_index[s])
                    caps.append(n)
                    costs.append(-int(rooms == band.ideal))
            node += 1
    for s, i in slot_index.items():
        tails.append(i)
        heads.append(sink)
        caps.append(slots[s])
        costs.append(0)
    total = sum(supplies)
    if total == 0:
        return 0
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int64),
        np.array(heads, dtype=np.int64),
        np.array(caps, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    all_supplies = np.zeros(node, dtype=np.int64)
    all_supplies[sink] = -total
    all_supplies[sink + 1 :] = supplies
    smcf.set_nodes_supplies(np.arange(node, dtype=np.int64), all_supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:  # pragma: no cover - the assignment itself is a solution
        raise RuntimeError(f"ideal-rooms bound failed with status {status}")
    return int(-smcf.optimal_cost())


def _bkey(u: Unit) -> tuple[str, str, str]:
    return (u.settlement, u.complex, u.building)
