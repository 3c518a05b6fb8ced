"""The optimiser: admission by priority, then a plan per settlement, then an exact matching.

1. Admission (core.admit): groups in priority order into a settlement, with an exact test.
2. Plan, per settlement: origin villages to complexes (best fit, whole village if possible),
   then kin groups to buildings inside their complex (largest first, best fit), each step
   with the same exact capacity test, so every plan is feasible in itself.
3. Matching, per settlement: a min-cost flow (OR-Tools network simplex) puts every admitted
   household into a (building, room count, step-free) slot, rewarding the planned building,
   the planned complex, the ideal room count and the village's complex. Overflow arcs let
   anyone go anywhere in the settlement, so it is always feasible when admission said so.
4. Addresses: inside a building and type, the concrete flats are drawn by the seeded lottery.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
from ortools.graph.python import min_cost_flow

from .core import Instance, admit, build_instance
from .errors import Infeasible
from .explain import finish
from .model import Household, Policy, Result, Unit


def allocate(
    households: Sequence[Household],
    units: Sequence[Unit],
    policy: Policy | None = None,
    *,
    seed: int,
    time_limit: float | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Result:
    """Assign units to households under the contract's hard rules and objectives.

    `time_limit` is accepted for the app's sake; the decomposition finishes well within any
    sensible limit, so it is currently not needed.

    >>> hs = [Household("a", 4, group_id="g"), Household("b", 2, group_id="g"), Household("c", 1)]
    >>> us = [Unit(f"u{i}", "S", "C1", f"B{i % 2}", rooms=r) for i, r in enumerate([3, 2, 2, 1])]
    >>> r = allocate(hs, us, seed=1)
    >>> [a.unit_id is not None for a in r.assignments], r.metrics["groups_in_one_building"]
    ([True, True, True], 1)
    """
    del time_limit
    started = time.perf_counter()
    policy = policy or Policy.default()
    inst = build_instance(households, units, policy)
    rng = np.random.default_rng(seed)
    if progress is not None:
        progress(0.0, "reading the problem")
    adm = admit(inst, rng, progress)
    unit_of = np.full(len(households), -1, dtype=np.int64)
    slots = _unit_slots(inst)
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
            _place_settlement(inst, s, blocks, rng, slots, unit_of)
    if progress is not None:
        progress(0.9, "explaining and measuring")
    result = finish(inst, unit_of, adm, method="optimal", seed=seed, started=started)
    if progress is not None:
        progress(1.0, "done")
    return result


def _unit_slots(inst: Instance) -> dict[tuple[int, int], list[int]]:
    slots: dict[tuple[int, int], list[int]] = {}
    for j in range(len(inst.units)):
        t = int(inst.utype[j])
        if t >= 0:
            slots.setdefault((int(inst.u_building[j]), t), []).append(j)
    return slots


def _best(ok: np.ndarray, score: np.ndarray) -> int:
    """Index of the smallest score among ok entries (first on ties)."""
    masked = np.where(ok, score, np.iinfo(np.int64).max)
    return int(np.argmin(masked))


def _ideal_need(inst: Instance, demand: np.ndarray) -> np.ndarray:
    """Households per ideal room level, from class counts (last axis)."""
    out: np.ndarray = demand @ inst_ideal_matrix(inst)
    return out


_IDEAL_CACHE: dict[int, np.ndarray] = {}


def inst_ideal_matrix(inst: Instance) -> np.ndarray:
    """class x level matrix: 1 where the level is the class's ideal room count."""
    key = id(inst.hall)
    m = _IDEAL_CACHE.get(key)
    if m is None:
        hall = inst.hall
        m = np.zeros((hall.n_classes, hall.levels), dtype=np.int64)
        for k in range(hall.n_classes):
            m[k, hall.policy.bands[k // 2].ideal - hall.lo] = 1
        _IDEAL_CACHE.clear()
        _IDEAL_CACHE[key] = m
    return m


def _choose(
    inst: Instance, ok: np.ndarray, supply: np.ndarray, committed: np.ndarray, add: np.ndarray
) -> int:
    """Among feasible pools, the one where most of `add` gets its ideal room count, then the
    tightest fit (best fit keeps large pools for large groups)."""
    levels = supply.reshape(len(supply), -1, 2).sum(axis=2)
    free_ideal = np.maximum(levels - _ideal_need(inst, committed), 0)
    fit = np.minimum(free_ideal, _ideal_need(inst, add)).sum(axis=1)
    residual = supply.sum(axis=1) - committed.sum(axis=1) - add.sum()
    score = -fit * (1 << 32) + residual
    return _best(ok, score)


def _place_settlement(
    inst: Instance,
    s: int,
    blocks: list[int],
    rng: np.random.Generator,
    slots: dict[tuple[int, int], list[int]],
    unit_of: np.ndarray,
) -> None:
    hall = inst.hall
    w = inst.policy.weights()
    pos = {bi: p for p, bi in enumerate(blocks)}
    cx = np.nonzero(inst.complex_settlement == s)[0]
    sc = inst.supply_c[cx]
    dc = np.zeros((len(cx), hall.n_classes), dtype=np.int64)
    cap_c = sc.sum(axis=1)
    used_c = np.zeros(len(cx), dtype=np.int64)
    cplan: dict[int, int] = {}
    by_origin: dict[str | None, list[int]] = {}
    for bi in blocks:
        by_origin.setdefault(inst.blocks[bi].origin, []).append(bi)
    sizes = {o: sum(len(inst.blocks[b].members) for b in bl) for o, bl in by_origin.items()}
    origins = sorted((o for o in by_origin if o is not None), key=lambda o: (-sizes[o], o))
    origin_in: dict[str, np.ndarray] = {}

    def put(bi: int, c: int) -> None:
        b = inst.blocks[bi]
        cplan[bi] = c
        dc[c] += b.demand
        used_c[c] += len(b.members)
        if b.origin is not None:
            origin_in.setdefault(b.origin, np.zeros(len(cx), dtype=np.int64))[c] += len(b.members)

    for o in origins:
        bl = sorted(by_origin[o], key=lambda bi: (-len(inst.blocks[bi].members), pos[bi]))
        whole = sum((inst.blocks[bi].demand for bi in bl), np.zeros(hall.n_classes, np.int64))
        ok = hall.fits(dc + whole, sc)
        if ok.any():
            c = _choose(inst, ok, sc, dc, whole)
            for bi in bl:
                put(bi, c)
            continue
        for bi in bl:
            ok = hall.fits(dc + inst.blocks[bi].demand, sc)
            if not ok.any():
                continue
            here = origin_in.get(o)
            if here is not None and (ok & (here > 0)).any():
                c = _best(ok & (here > 0), -here)
            else:
                c = _best(ok, -(cap_c - used_c))
            put(bi, c)
    for bi in sorted(
        by_origin.get(None, []), key=lambda bi: (-len(inst.blocks[bi].members), pos[bi])
    ):
        ok = hall.fits(dc + inst.blocks[bi].demand, sc)
        if ok.any():
            put(bi, _best(ok, -(cap_c - used_c)))
    primary = {o: int(np.argmax(v)) for o, v in origin_in.items()}

    # kin groups to buildings, per complex; then, for groups that fit no building of their
    # complex, any building of the settlement (a group together outweighs its village)
    bld_s = np.nonzero(np.isin(inst.building_complex, cx))[0]
    sb = inst.supply_b[bld_s]
    db = np.zeros((len(bld_s), hall.n_classes), dtype=np.int64)
    b_cpx = inst.building_complex[bld_s]
    local_c = {int(c): i for i, c in enumerate(cx)}
    bplan: dict[int, int] = {}
    left: list[int] = []
    for c in range(len(cx)):
        idx = np.nonzero(b_cpx == cx[c])[0]
        groups = [bi for bi in blocks if cplan.get(bi) == c and inst.blocks[bi].multi]
        groups.sort(key=lambda bi: (-len(inst.blocks[bi].members), pos[bi]))
        for bi in groups:
            b = inst.blocks[bi]
            ok = hall.fits(db[idx] + b.demand, sb[idx])
            if ok.any():
                k = int(idx[_choose(inst, ok, sb[idx], db[idx], b.demand)])
                bplan[bi] = int(bld_s[k])
                db[k] += b.demand
            else:
                left.append(bi)
    unplanned = [bi for bi in blocks if inst.blocks[bi].multi and bi not in cplan]
    for bi in sorted(left + unplanned, key=lambda bi: (-len(inst.blocks[bi].members), pos[bi])):
        b = inst.blocks[bi]
        ok = hall.fits(db + b.demand, sb)
        if ok.any():
            k = _choose(inst, ok, sb, db, b.demand)
            bplan[bi] = int(bld_s[k])
            cplan[bi] = local_c[int(b_cpx[k])]
            db[k] += b.demand

    # min-cost flow over (building, type) slots
    tnode: dict[tuple[int, int], int] = {}
    n_nodes = 0
    for bld in bld_s.tolist():
        for t in np.nonzero(inst.supply_b[bld])[0].tolist():
            tnode[(int(bld), int(t))] = n_nodes
            n_nodes += 1
    sink = n_nodes
    n_nodes += 1
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []

    def arc(a: int, b: int, cap: int, cost: int) -> None:
        tails.append(a)
        heads.append(b)
        caps.append(cap)
        costs.append(cost)

    for (bld, t), node in tnode.items():
        arc(node, sink, int(inst.supply_b[bld, t]), 0)
    supplies: dict[int, int] = {}
    plan_nodes: list[tuple[int, list[int], int]] = []  # (node, members, first arc)
    ov_nodes: dict[tuple[int, int, int], int] = {}
    g_nodes: dict[int, int] = {}
    pending: dict[int, list[int]] = {}
    total = 0

    def new_node() -> int:
        nonlocal n_nodes
        n_nodes += 1
        return n_nodes - 1

    def g_node(k: int) -> int:
        if k not in g_nodes:
            g_nodes[k] = new_node()
        return g_nodes[k]

    def ov_node(k: int, c: int, weight: int) -> int:
        key = (k, c, weight)
        if key not in ov_nodes:
            ov_nodes[key] = new_node()
        return ov_nodes[key]

    for bi in blocks:
        b = inst.blocks[bi]
        by_k: dict[int, list[int]] = {}
        for i in b.members:
            by_k.setdefault(int(inst.klass[i]), []).append(i)
        c = cplan.get(bi, -1)
        o_bonus = w["origin"] if b.origin is not None and primary.get(b.origin) == c else 0
        for k, members in by_k.items():
            total += len(members)
            if bi in bplan:
                node = new_node()
                supplies[node] = len(members)
                pending[node] = list(members)
                plan_nodes.append((node, members, len(tails)))
                bld = bplan[bi]
                for t in np.nonzero(hall.compat[k])[0].tolist():
                    tn = tnode.get((bld, int(t)))
                    if tn is not None:
                        gain = w["group_building"] + o_bonus + w["ideal"] * int(hall.ideal[k, t])
                        arc(node, tn, len(members), -gain)
                arc(node, ov_node(k, c, w["group_complex"] + o_bonus), len(members), 0)
            elif c >= 0:
                weight = (w["group_complex"] if b.multi else 0) + o_bonus
                node = ov_node(k, c, weight)
                supplies[node] = supplies.get(node, 0) + len(members)
                pending.setdefault(node, []).extend(members)
            else:
                node = g_node(k)
                supplies[node] = supplies.get(node, 0) + len(members)
                pending.setdefault(node, []).extend(members)
    for (k, c, weight), node in list(ov_nodes.items()):
        for bld in bld_s[inst.building_complex[bld_s] == cx[c]].tolist():
            for t in np.nonzero(hall.compat[k])[0].tolist():
                tn = tnode.get((int(bld), int(t)))
                if tn is not None:
                    arc(node, tn, total, -(weight + w["ideal"] * int(hall.ideal[k, t])))
        arc(node, g_node(k), total, 0)
    for k, node in list(g_nodes.items()):
        for (_bld, t), tn in tnode.items():
            if hall.compat[k, t]:
                arc(node, tn, total, -w["ideal"] * int(hall.ideal[k, t]))
    supply_arr = np.zeros(n_nodes, dtype=np.int64)
    for node, n in supplies.items():
        supply_arr[node] = n
    supply_arr[sink] = -total
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int64),
        np.array(heads, dtype=np.int64),
        np.array(caps, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    smcf.set_nodes_supplies(np.arange(n_nodes, dtype=np.int64), supply_arr)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise Infeasible(f"settlement {inst.settlements[s]}: matching failed ({status})")
    flows = smcf.flows(np.arange(len(tails), dtype=np.int64))
    # decompose the flow: walk nodes in topological order (plan, complex, settlement)
    out_arcs: dict[int, list[int]] = {}
    for a, tail in enumerate(tails):
        if flows[a] > 0:
            out_arcs.setdefault(tail, []).append(a)
    at_slot: dict[int, list[int]] = {}
    order = [n for n, _, _ in plan_nodes] + list(ov_nodes.values()) + list(g_nodes.values())
    for node in order:
        queue = pending.get(node, [])
        for a in out_arcs.get(node, []):
            f = int(flows[a])
            take, queue = queue[:f], queue[f:]
            head = heads[a]
            if head < sink:
                at_slot.setdefault(head, []).extend(take)
            else:
                pending.setdefault(head, []).extend(take)
        if queue:  # pragma: no cover - flow conservation makes this impossible
            raise Infeasible("flow decomposition left households without a slot")
    # addresses by seeded lottery inside each (building, type) slot
    for (bld, t), node in tnode.items():
        hh = at_slot.get(node)
        if not hh:
            continue
        flats = slots[(bld, t)]
        drawn = rng.permutation(len(flats))
        for i, d in zip(hh, drawn, strict=False):
            unit_of[i] = flats[int(d)]
