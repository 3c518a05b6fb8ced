"""Benchmark of the allocation engine against today's lottery and simple baselines.

    .venv/bin/python bench/allocation.py            # full run (under 10 minutes on 2 cores)
    .venv/bin/python bench/allocation.py --quick    # small and city instances only
    .venv/bin/python bench/allocation.py --only city-2600@1.0 --repeat 5   # fastest of 5

On the same generated instances, in one process: lottery by size (today's practice), greedy
by priority over groups, the flat model in CP-SAT with a time limit (small instances only)
and the optimiser. Every result goes through the independent checker.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from homecoming.allocation.engine import (
    Household,
    Policy,
    Result,
    Unit,
    allocate,
    check,
    lottery,
)
from homecoming.allocation.engine.core import admit, build_instance
from homecoming.allocation.engine.explain import finish

SIZE_P = {1: 0.05, 2: 0.12, 3: 0.20, 4: 0.25, 5: 0.20, 6: 0.10, 7: 0.05, 8: 0.03}
MIX_MATCHED = {2: 0.35, 3: 0.43, 4: 0.17, 5: 0.05}
MIX_MISMATCHED = {2: 0.15, 3: 0.35, 4: 0.35, 5: 0.15}


@dataclass
class Instance:
    name: str
    households: list[Household]
    units: list[Unit]


#: One city of about 145 complexes holding 92% of the homes, and five villages (issue 14).
BIGCITY: dict[str, Any] = dict(
    units=36015,
    supply=36015 / 40000,
    settlements=6,
    weights=(0.92,) + (0.016,) * 5,
    complex_buildings=9,
)


def generate(
    name: str,
    *,
    units: int,
    supply: float,
    settlements: int,
    seed: int,
    mix: dict[int, float] = MIX_MATCHED,
    weights: Sequence[float] | None = None,
    complex_buildings: int = 20,
) -> Instance:
    """Buildings of 24-27 flats (4 floors, floors 0-1 step-free), complexes of about
    `complex_buildings` buildings, families of about 4 persons in kin groups of about 4
    households (up to 12), origin villages of about 150 families, 8% needing step-free
    access, priorities 0-3; most families choose their home settlement as destination.

    `weights` (one per settlement, summing to 1) share the homes and the villages out
    unevenly, e.g. one large city and a few villages; by default every settlement has the
    same share (and the instances are the same as before the option existed)."""
    rng = np.random.default_rng(seed)
    rooms_v = np.array(list(mix))
    rooms_p = np.array(list(mix.values()))
    out_u: list[Unit] = []
    share = np.ones(settlements) / settlements if weights is None else np.asarray(weights)
    per_s = np.maximum(1, rng.multinomial(units - settlements, share) + 1)
    for s in range(settlements):
        sname = f"S{s:03d}"
        left = int(per_s[s])
        b = 0
        while left > 0:
            n = min(left, int(rng.integers(24, 28)))
            cname = f"C{b // complex_buildings}"
            rooms = rng.choice(rooms_v, size=n, p=rooms_p)
            for f in range(n):
                out_u.append(
                    Unit(
                        f"{sname}-B{b}-{f}",
                        sname,
                        cname,
                        f"B{b}",
                        int(rooms[f]),
                        floor=int(f * 4 // n),
                    )
                )
            left -= n
            b += 1
    n_h = round(units / supply)
    sizes = rng.choice(np.array(list(SIZE_P)), size=n_h, p=np.array(list(SIZE_P.values())))
    n_origins = max(2 * settlements, n_h // 150)
    hh: list[Household] = []
    i = 0
    g = 0
    base = datetime.date(1994, 1, 1)
    while i < n_h:
        gsize = 1 if rng.random() < 0.3 else int(min(12, max(2, rng.geometric(1 / 4.5))))
        gsize = min(gsize, n_h - i)
        origin = int(rng.integers(n_origins))
        home = f"S{_home_settlement(origin, n_origins, settlements, weights):03d}"
        dest = home if rng.random() < 0.85 else None
        prio = float(rng.choice([0, 1, 2, 3], p=[0.3, 0.3, 0.2, 0.2]))
        for _ in range(gsize):
            hh.append(
                Household(
                    f"H{i:06d}",
                    int(sizes[i]),
                    f"G{g}" if gsize > 1 else None,
                    f"V{origin:03d}",
                    bool(rng.random() < 0.08),
                    prio if rng.random() < 0.8 else float(rng.integers(4)),
                    dest,
                    base + datetime.timedelta(days=int(rng.integers(0, 3000))),
                )
            )
            i += 1
        g += 1
    return Instance(name, hh, out_u)


def _home_settlement(
    origin: int, n_origins: int, settlements: int, weights: Sequence[float] | None
) -> int:
    """The settlement a village comes from: round robin by default, else each settlement
    gets a run of villages in proportion to its weight (no random draw, so the stream of
    draws is the same either way).

    >>> [_home_settlement(v, 10, 2, [0.8, 0.2]) for v in range(10)]
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    """
    if weights is None:
        return origin % settlements
    edges = np.cumsum(np.asarray(weights, dtype=float))
    return min(settlements - 1, int(np.searchsorted(edges, (origin + 0.5) / n_origins)))


def _greedy(households: Sequence[Household], units: Sequence[Unit], seed: int) -> Result:
    """Greedy by priority over groups: same admission; each group into the first building
    (in code order) that still has flats of its members' bands, flats taken in order, ideal
    first; members who find nothing there take the first fitting flat in the settlement."""
    started = time.perf_counter()
    inst = build_instance(households, units, Policy.default())
    rng = np.random.default_rng(seed)
    adm = admit(inst, rng)
    unit_of = np.full(len(households), -1, dtype=np.int64)
    free: dict[tuple[int, int, int], list[int]] = {}
    for j in range(len(units)):
        t = int(inst.utype[j])
        if t >= 0:
            free.setdefault((int(inst.u_settlement[j]), int(inst.u_building[j]), t), []).append(j)
    hall = inst.hall
    by_s: dict[int, list[tuple[int, int, int]]] = {}
    for key in free:
        by_s.setdefault(key[0], []).append(key)
    rem_d = adm.demand_s.copy()
    rem_s = inst.supply_s.copy()
    for bi in adm.order:
        s = int(adm.settlement_of_block[bi])
        if s < 0:
            continue
        members = inst.blocks[bi].members
        for i in members:
            k = int(inst.klass[i])
            rem_d[s, k] -= 1
            cands = [key for key in by_s[s] if free[key] and hall.compat[k, key[2]]]
            cands.sort(key=lambda key: (not hall.ideal[k, key[2]], key[1]))
            for key in cands:
                rem_s[s, key[2]] -= 1
                if hall.fits(rem_d[s], rem_s[s]):
                    unit_of[i] = free[key].pop(0)
                    break
                rem_s[s, key[2]] += 1
    return finish(inst, unit_of, adm, method="greedy", seed=seed, started=started)


def _cpsat(
    households: Sequence[Household], units: Sequence[Unit], seed: int, limit: float
) -> Result:
    """The flat model: x[h,u] for every allowed pair, groups all-or-none in one settlement,
    bonus variables for group-in-one-building and ideal rooms; same score weights."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    pol = Policy.default()
    inst = build_instance(households, units, pol)
    w = pol.weights()
    m = cp_model.CpModel()
    x: dict[tuple[int, int], Any] = {}
    by_h: dict[int, list[int]] = {}
    by_u: dict[int, list[int]] = {}
    for i, h in enumerate(households):
        band = pol.band(h.size)
        for j, u in enumerate(units):
            if (
                band.min_rooms <= u.rooms <= band.max_rooms
                and (u.is_accessible or not h.needs_accessible)
                and (h.destination is None or h.destination == u.settlement)
            ):
                x[i, j] = m.new_bool_var("")
                by_h.setdefault(i, []).append(j)
                by_u.setdefault(j, []).append(i)
    housed = [m.new_bool_var("") for _ in households]
    for i in range(len(households)):
        m.add(sum(x[i, j] for j in by_h.get(i, [])) == housed[i])
    for j, hs in by_u.items():
        m.add_at_most_one(x[i, j] for i in hs)
    obj = []
    for i, h in enumerate(households):
        obj.append(w["housed"] * housed[i])
        band = pol.band(h.size)
        obj.extend(w["ideal"] * x[i, j] for j in by_h.get(i, []) if units[j].rooms == band.ideal)
    for b in inst.blocks:
        if len(b.members) < 2:
            continue
        for i in b.members[1:]:
            m.add(housed[i] == housed[b.members[0]])
        sett = {int(inst.u_settlement[j]) for i in b.members for j in by_h.get(i, [])}
        ys = {s: m.new_bool_var("") for s in sett}
        m.add(sum(ys.values()) <= 1)
        for i in b.members:
            for j in by_h.get(i, []):
                m.add_implication(x[i, j], ys[int(inst.u_settlement[j])])
        blds = {int(inst.u_building[j]) for i in b.members for j in by_h.get(i, [])}
        for bl in blds:
            z = m.new_bool_var("")
            for i in b.members:
                m.add(
                    sum(x[i, j] for j in by_h.get(i, []) if inst.u_building[j] == bl) >= 1
                ).only_enforce_if(z)
            obj.append(w["group_building"] * len(b.members) * z)
    m.maximize(sum(obj))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    solver.solve(m)
    unit_of = np.full(len(households), -1, dtype=np.int64)
    for (i, j), v in x.items():
        if solver.value(v):
            unit_of[i] = j
    adm = admit(inst, np.random.default_rng(seed))
    return finish(
        inst,
        unit_of,
        adm,
        method="cp-sat",
        seed=seed,
        started=started,
        extra={"cpsat_bound_partial": int(solver.best_objective_bound)},
    )


def run(
    name: str,
    fn: Callable[[], Result],
    inst: Instance,
    *,
    memory: bool = True,
    repeat: int = 1,
) -> dict[str, Any]:
    """Time one method (no tracing; the fastest of `repeat` runs, which on a loaded machine
    is the figure least disturbed by others), then, if asked, run it again under
    tracemalloc for the peak of Python and numpy allocations (OR-Tools' C++ memory is not
    traced)."""
    secs = cpu = float("inf")
    for _ in range(max(1, repeat)):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        res = fn()
        secs = min(secs, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    peak = float("nan")
    if memory:
        gc.collect()
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    bad = check(inst.households, inst.units, None, res.assignments)
    m = res.metrics
    return {
        "instance": inst.name,
        "method": name,
        "housed": m["housed"],
        "households": m["households"],
        "units": m["units"],
        "ideal": m["ideal_rooms_share"],
        "grp_bld": m["groups_in_one_building_share"],
        "origin": m["same_origin_in_one_complex_share"],
        "prio_viol": m["priority_violations"],
        "gap": m.get("gap", float("nan")),
        "gap_p": m.get("placement_gap", float("nan")),
        "seconds": secs,
        "cpu": cpu,
        "peak_mb": peak / 2**20,
        "violations": len(bad),
    }


def _fmt(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'instance':<22}{'method':<9}{'units':>7}{'hh':>7}{'housed':>7}{'ideal':>7}"
        f"{'grpBld':>7}{'origin':>7}{'prioV':>6}{'gap':>8}{'gapP':>7}{'sec':>8}{'cpu':>8}{'MB':>7}{'hardV':>6}"
        f"{'  vs lottery: grpBld/origin/ideal'}"
    )
    lines = [head, "-" * len(head)]
    base: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["method"] == "lottery":
            base[r["instance"]] = r
    for r in rows:
        b = base.get(r["instance"])
        ratio = ""
        if b:
            ratio = "  " + "/".join(
                f"{r[k] / b[k]:.2f}x" if b[k] else "-" for k in ("grp_bld", "origin", "ideal")
            )
        lines.append(
            f"{r['instance']:<22}{r['method']:<9}{r['units']:>7}{r['households']:>7}{r['housed']:>7}"
            f"{r['ideal']:>7.1%}{r['grp_bld']:>7.1%}{r['origin']:>7.1%}{r['prio_viol']:>6}"
            f"{r['gap']:>8.3%}{r['gap_p']:>7.2%}{r['seconds']:>8.2f}{r['cpu']:>8.2f}{r['peak_mb']:>7.0f}{r['violations']:>6}{ratio}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small and city instances only")
    ap.add_argument("--only", help="run only instances whose name contains this")
    ap.add_argument(
        "--repeat", type=int, default=1, help="time each method this many times, keep the fastest"
    )
    args = ap.parse_args(argv)
    specs: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
        ("small-300@0.9", dict(units=300, supply=0.9, settlements=2), ("cpsat",)),
        ("small-300@1.05", dict(units=300, supply=1.05, settlements=2), ("cpsat",)),
    ]
    for f in (0.65, 0.9, 1.0, 1.05):
        specs.append((f"city-2600@{f}", dict(units=2600, supply=f, settlements=1), ()))
    specs.append(
        (
            "city-2600@1.0-mismatch",
            dict(units=2600, supply=1.0, settlements=1, mix=MIX_MISMATCHED),
            (),
        )
    )
    if not args.quick:
        specs.append(("programme-35k@1.0", dict(units=35000, supply=1.0, settlements=100), ()))
        specs.append(("programme-35k@0.9", dict(units=35000, supply=0.9, settlements=100), ()))
        city = BIGCITY
        specs.append(("bigcity-36k@0.9", city, ("nogreedy", "nomemory")))
        specs.append(
            (
                "bigcity-36k@0.9-mismatch",
                {**city, "mix": MIX_MISMATCHED},
                ("nogreedy", "nomemory"),
            )
        )
        specs.append(
            ("stress-200k@1.0", dict(units=200000, supply=1.0, settlements=400), ("nolottery",))
        )
    rows = []
    seed = 20250612
    for name, kw, flags in specs:
        if args.only and args.only not in name:
            continue
        inst = generate(name, seed=seed, **kw)
        print(f"# {name}: {len(inst.units)} units, {len(inst.households)} households", flush=True)
        big = len(inst.units) > 50000 or "nomemory" in flags
        if len(inst.units) <= 50000:
            rows.append(
                run(
                    "lottery",
                    partial(lottery, inst.households, inst.units, seed=seed),
                    inst,
                    memory=len(inst.units) <= 10000,
                    repeat=args.repeat,
                )
            )
        if len(inst.units) <= 50000 and "nogreedy" not in flags:
            rows.append(
                run(
                    "greedy",
                    partial(_greedy, inst.households, inst.units, seed),
                    inst,
                    memory=len(inst.units) <= 10000,
                    repeat=args.repeat,
                )
            )
        if "cpsat" in flags:
            rows.append(
                run(
                    "cp-sat",
                    partial(_cpsat, inst.households, inst.units, seed, 30.0),
                    inst,
                    memory=False,
                )
            )
        rows.append(
            run(
                "ours",
                partial(allocate, inst.households, inst.units, seed=seed),
                inst,
                memory=not big,
                repeat=args.repeat,
            )
        )
        if big:  # memory without tracemalloc's overhead on the largest instance
            rows[-1]["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(_fmt([r for r in rows if r["instance"] == name]).split("\n", 2)[-1], flush=True)
    print()
    print(_fmt(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
