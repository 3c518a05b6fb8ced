"""The optimiser: admission by priority, then a plan per settlement, then an exact matching.

1. Admission (core.admit): groups in priority order into a settlement, with an exact test.
2. Plan, per settlement: origin villages to home complexes (a count model solved by best
   fit and improving moves/swaps), then kin groups to buildings inside their complex
   (largest first, best fit), each step under the exact joint test of core.Joint: groups
   bound to buildings and everyone else in the complex still fit together. Groups left
   without a building try the whole settlement, then a repair that moves one bound group.
3. Matching, per settlement: a min-cost flow (OR-Tools network simplex) puts every admitted
   household into a (building, room count, step-free) slot, rewarding the planned building,
   the planned complex, the ideal room count and the village's complex; a member leaving
   its group's planned building pays what the whole group loses. Overflow arcs let anyone
   go anywhere in the settlement, so it is always feasible when admission said so.
4. Addresses: inside a building and type, the concrete flats are drawn by the seeded lottery.

All work is bounded by counts, not by the clock, so the output depends only on the inputs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
from ortools.graph.python import min_cost_flow

from .core import Instance, Joint, admit, build_instance
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
    inst = build_instance(households, units, policy)
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
            _place_settlement(inst, s, blocks, rng, slots, unit_of, joint)
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
_EJECT_TRIES = 2000  # moves tried per group left without a building
_VILLAGE_MAX = 20000  # villages x complexes above which villages are placed one by one
_VILLAGE_PASSES = 20


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


def _village_plan(sizes: list[int], caps: np.ndarray) -> list[int] | None:
    """Home complex of each village, keeping as many families as possible in theirs.

    Counts only (the exact room test follows when groups are placed): with home(v) the
    complex of village v, at most min(units, families) of the villages sent to a complex can
    live there, so the plan maximises sum over complexes of min(units, families sent).
    Best-fit decreasing, then moves and swaps of villages while they gain (deterministic,
    bounded by `_VILLAGE_PASSES` sweeps). None when there are too many villages x complexes.
    """
    n_v, n_c = len(sizes), len(caps)
    if n_v == 0 or n_v * n_c > _VILLAGE_MAX:
        return None
    cap = np.asarray(caps, dtype=np.int64)
    size = np.asarray(sizes, dtype=np.int64)
    load = np.zeros(n_c, dtype=np.int64)
    home = np.zeros(n_v, dtype=np.int64)
    for v in sorted(range(n_v), key=lambda v: (-sizes[v], v)):
        free = cap - load
        fits = free >= size[v]
        c = (
            int(np.argmin(np.where(fits, free, np.iinfo(np.int64).max)))
            if fits.any()
            else int(np.argmax(free))
        )
        home[v] = c
        load[c] += size[v]
    for _ in range(_VILLAGE_PASSES):
        improved = False
        for v in range(n_v):
            a, n = int(home[v]), int(size[v])
            # move v from a to any c
            gain = np.minimum(cap, load + n) - np.minimum(cap, load)
            loss = min(cap[a], load[a]) - min(cap[a], load[a] - n)
            gain[a] = 0
            c = int(np.argmax(gain))
            if gain[c] - loss > 0:
                home[v], load[a], load[c] = c, load[a] - n, load[c] + n
                improved = True
                continue
            # swap v with a village w of another complex
            d = n - size  # a loses d, home[w] gains d
            b = home
            new_a = load[a] - d
            new_b = load[b] + d
            delta = (
                np.minimum(cap[a], new_a)
                + np.minimum(cap[b], new_b)
                - min(cap[a], load[a])
                - np.minimum(cap[b], load[b])
            )
            delta[b == a] = 0
            w = int(np.argmax(delta))
            if delta[w] > 0:
                bw = int(home[w])
                load[a], load[bw] = load[a] - d[w], load[bw] + d[w]
                home[v], home[w] = bw, a
                improved = True
        if not improved:
            break
    return [int(c) for c in home]


def _place_settlement(
    inst: Instance,
    s: int,
    blocks: list[int],
    rng: np.random.Generator,
    slots: dict[tuple[int, int], list[int]],
    unit_of: np.ndarray,
    joint: Joint,
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

    home = _village_plan([sizes[o] for o in origins], cap_c) if len(cx) > 1 else None
    if home is not None:
        # each village first into its planned complex, as far as its groups fit there
        for o, c in zip(origins, home, strict=True):
            for bi in sorted(by_origin[o], key=lambda bi: (-len(inst.blocks[bi].members), pos[bi])):
                if hall.fits(dc[c] + inst.blocks[bi].demand, sc[c]):
                    put(bi, c)
    for o in origins:
        bl = sorted(by_origin[o], key=lambda bi: (-len(inst.blocks[bi].members), pos[bi]))
        if home is None:
            whole = sum((inst.blocks[bi].demand for bi in bl), np.zeros(hall.n_classes, np.int64))
            ok = hall.fits(dc + whole, sc)
            if ok.any():
                c = _choose(inst, ok, sc, dc, whole)
                for bi in bl:
                    put(bi, c)
                continue
        for bi in bl:
            if bi in cplan:
                continue
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
    # complex, any building of the settlement (a group together outweighs its village).
    # Every step keeps the whole complex feasible (core.Joint): the groups bound to their
    # buildings and everyone else placed in the complex still fit together.
    bld_s = np.nonzero(np.isin(inst.building_complex, cx))[0]
    sb = inst.supply_b[bld_s]
    db = np.zeros((len(bld_s), hall.n_classes), dtype=np.int64)
    b_cpx = inst.building_complex[bld_s]
    local_c = {int(c): i for i, c in enumerate(cx)}
    b_loc = np.array([local_c[int(c)] for c in b_cpx.tolist()], dtype=np.int64)
    raw = joint.raw(db, sb)
    f_b = joint.suffix_max(raw.copy())
    f_sum = np.zeros((len(cx), joint.points), dtype=np.int64)
    np.add.at(f_sum, b_loc, f_b)
    free = joint.demand(dc)  # demand planned into each complex, not bound to a building
    bplan: dict[int, int] = {}
    at_k: dict[int, int] = {}  # group -> local index of its building
    every = np.arange(len(bld_s))

    def feasible(bi: int, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        b = inst.blocks[bi]
        ok = hall.fits(db[idx] + b.demand, sb[idx])  # each building alone: a quick filter
        idx = idx[ok]
        dd = joint.demand(b.demand)
        new_f = joint.suffix_max(raw[idx] + dd)
        c_of = b_loc[idx]
        own = cplan.get(bi, -1)
        tot = free[c_of] - np.outer(c_of == own, dd) + f_sum[c_of] - f_b[idx] + new_f
        ok[ok] = (tot <= 0).all(axis=1)
        full = np.zeros((len(ok), joint.points), dtype=np.int64)
        full[ok] = new_f[(tot <= 0).all(axis=1)]
        return ok, full

    def bind(bi: int, k: int, new_f: np.ndarray) -> None:
        d = inst.blocks[bi].demand
        dd = joint.demand(d)
        c2 = int(b_loc[k])
        own = cplan.get(bi, -1)
        if own >= 0:
            free[own] -= dd
        f_sum[c2] += new_f - f_b[k]
        f_b[k] = new_f
        raw[k] += dd
        db[k] += d
        bplan[bi] = int(bld_s[k])
        at_k[bi] = k
        cplan[bi] = c2

    def unbind(bi: int, back_to: int) -> None:
        """Undo bind: the group is free again in complex `back_to` (-1: in none)."""
        k = at_k.pop(bi)
        del bplan[bi]
        d = inst.blocks[bi].demand
        dd = joint.demand(d)
        c2 = int(b_loc[k])
        raw[k] -= dd
        db[k] -= d
        new_f = joint.suffix_max(raw[k : k + 1].copy())[0]
        f_sum[c2] += new_f - f_b[k]
        f_b[k] = new_f
        if back_to >= 0:
            free[back_to] += dd
            cplan[bi] = back_to
        else:
            del cplan[bi]

    def eject(bi: int, idx: np.ndarray) -> bool:
        """Put group bi into a building of `idx` by moving one group bound there to another
        building; False (and nothing changed) when no such single move exists."""
        b = inst.blocks[bi]
        own = cplan.get(bi, -1)
        dd = joint.demand(b.demand)
        bound_in: dict[int, list[int]] = {}
        for g, k in at_k.items():
            bound_in.setdefault(k, []).append(g)
        tries = 0
        for k in idx.tolist():
            c2 = int(b_loc[k])
            for h in sorted(
                bound_in.get(k, []), key=lambda g: (len(inst.blocks[g].members), pos[g])
            ):
                if tries >= _EJECT_TRIES:
                    return False
                tries += 1
                hd_ = inst.blocks[h].demand
                if not hall.fits(db[k] - hd_ + b.demand, sb[k]):
                    continue
                dh = joint.demand(hd_)
                new_f = joint.suffix_max((raw[k] - dh + dd)[None, :])[0]
                tot = free[c2] + dh - (dd if own == c2 else 0) + f_sum[c2] - f_b[k] + new_f
                if not (tot <= 0).all():
                    continue
                unbind(h, c2)
                bind(bi, k, new_f)
                others = every[every != k]
                ok, h_f = feasible(h, others)
                if ok.any():
                    j = _choose(inst, ok, sb[others], db[others], inst.blocks[h].demand)
                    bind(h, int(others[j]), h_f[j])
                    return True
                unbind(bi, own)
                ok, h_f = feasible(h, np.array([k]))
                bind(h, k, h_f[0])
        return False

    left: list[int] = []
    for c in range(len(cx)):
        idx = np.nonzero(b_loc == c)[0]
        groups = [bi for bi in blocks if cplan.get(bi) == c and inst.blocks[bi].multi]
        groups.sort(key=lambda bi: (-len(inst.blocks[bi].members), pos[bi]))
        for bi in groups:
            b = inst.blocks[bi]
            ok, new_f = feasible(bi, idx)
            if ok.any():
                j = _choose(inst, ok, sb[idx], db[idx], b.demand)
                bind(bi, int(idx[j]), new_f[j])
            else:
                left.append(bi)
    unplanned = [bi for bi in blocks if inst.blocks[bi].multi and bi not in cplan]
    rest = sorted(left + unplanned, key=lambda bi: (-len(inst.blocks[bi].members), pos[bi]))
    for bi in rest:
        b = inst.blocks[bi]
        ok, new_f = feasible(bi, every)
        if ok.any():
            k = _choose(inst, ok, sb, db, b.demand)
            bind(bi, k, new_f[k])
    # repair: a group still without a building takes the place of a group that can move
    for bi in rest:
        if bi not in bplan:
            own = cplan.get(bi, -1)
            mine = every[b_loc == own] if own >= 0 else every[:0]
            eject(bi, np.concatenate([mine, every[b_loc != own]]))

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
                # leaving the planned building breaks the whole group: each leaver is
                # charged what the group loses when it alone leaves
                brk = (w["group_building"] - w["group_complex"]) * (len(b.members) - 1)
                arc(node, ov_node(k, c, w["group_complex"] + o_bonus), len(members), brk)
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
