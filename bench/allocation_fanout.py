"""The optimiser fanned out: one worker process against two, on the 200,000-home instance.

    .venv/bin/python bench/allocation_fanout.py                 # optimiser only, about 4 minutes
    .venv/bin/python bench/allocation_fanout.py --app --workers 2   # as an app run: with the
                                                         # lottery baseline and the run without groups
    .venv/bin/python bench/allocation_fanout.py --units 35000 --settlements 100   # smaller

The instance is `stress-200k@1.0` of `bench/allocation.py` (seed 20250612). Side by side in
one run: the single process (engine.allocate, in a process of its own), then the pieces of
a fanned-out run (allocation.fanout: split, parts, bound, and with --app the lottery
baseline and the run without groups, then the merge) taken by 1 and then 2 worker
processes from one queue, each piece in a worker as the app's jobs are: it rebuilds the
instance from the inputs, and what it returns crosses as JSON text (the app keeps it in
PostgreSQL). Prints wall seconds, the ratio to one worker, the largest resident memory of
any process, the busy seconds of each worker, and whether the merged assignments are
byte for byte the single process's (and pass the independent checker).

Not measured here: reading the inputs from the database and storing 200,000 result rows,
which the single job and the merge do alike.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import resource
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from allocation import generate

from homecoming.allocation.engine import (
    Household,
    Policy,
    Unit,
    allocate,
    assignments_csv,
    check,
    lottery,
)
from homecoming.allocation.engine import fanout as parts
from homecoming.allocation.engine.core import build_instance
from homecoming.allocation.engine.optimal import without_groups

SEED = 20250612
#: the inputs, set before the pools fork: every worker sees them as it would read them
INPUTS: dict[str, Any] = {}

Piece = tuple[str, int]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _single(app: bool) -> dict[str, Any]:
    """The single job: allocate (and with `app` the baseline and the run without groups)."""
    hs: list[Household] = INPUTS["households"]
    us: list[Unit] = INPUTS["units"]
    t0 = time.perf_counter()
    result = allocate(hs, us, seed=SEED)
    if app:
        lottery(hs, us, seed=SEED)
        without_groups(hs, us, seed=SEED)
    seconds = time.perf_counter() - t0
    digest = hashlib.sha256(assignments_csv(result)).hexdigest()
    return {"seconds": seconds, "sha256": digest, "rss_mb": _rss_mb()}


def _piece(piece: str, key: int, inputs: dict[str, Any]) -> dict[str, Any]:
    """One job of a fanned-out run, in a worker: rebuild the instance, compute, return JSON."""
    t0, c0 = time.perf_counter(), time.process_time()
    hs: list[Household] = INPUTS["households"]
    us: list[Unit] = INPUTS["units"]
    out: dict[str, Any] = {}
    if piece == "baseline":
        out = {"housed": lottery(hs, us, seed=SEED).metrics["housed"]}
    elif piece == "alone":
        out = without_groups(hs, us, seed=SEED)
    else:
        inst = build_instance(hs, us, Policy.default())
        if piece == "split":
            out = parts.split(inst, seed=SEED, parts=INPUTS["parts"]).to_json()
        elif piece == "bound":
            out = {"bound": parts.global_bound(inst)}
        elif piece == "part":
            sp = parts.Split.from_json(json.loads(inputs["split"]))
            out = parts.solve_part(inst, sp, key).to_json()
        elif piece == "merge":
            sp = parts.Split.from_json(json.loads(inputs["split"]))
            results = [parts.PartResult.from_json(json.loads(t)) for t in inputs["parts"]]
            merged = parts.merge(inst, sp, results, json.loads(inputs["bound"])["bound"])
            bad = check(hs, us, None, merged.assignments)
            out = {
                "sha256": hashlib.sha256(assignments_csv(merged)).hexdigest(),
                "violations": len(bad),
            }
    text = json.dumps(out)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"json": text, "seconds": seconds, "cpu": cpu, "rss_mb": _rss_mb()}


def fanned_out(workers: int, app: bool) -> dict[str, Any]:
    """Run the pieces on `workers` processes from one queue, as the app's jobs go: the
    first pieces at once, the parts once the split is in, the merge once everything is."""
    ctx = multiprocessing.get_context("fork")
    stored: dict[Piece, str] = {}
    busy: dict[str, float] = {}
    cpu: dict[str, float] = {}
    rss = 0.0
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        first = ["split", "bound"] + (["baseline", "alone"] if app else [])
        running: dict[Future[dict[str, Any]], Piece] = {
            pool.submit(_piece, p, 0, {}): (p, 0) for p in first
        }
        n_parts = -1
        merged: dict[str, Any] = {}
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                piece, key = running.pop(fut)
                got = fut.result()
                busy[piece] = busy.get(piece, 0.0) + got["seconds"]
                cpu[piece] = cpu.get(piece, 0.0) + got["cpu"]
                rss = max(rss, got["rss_mb"])
                stored[(piece, key)] = got["json"]
                if piece == "merge":
                    merged = json.loads(got["json"])
                if piece == "split":
                    keys = [p[0] for p in json.loads(got["json"])["parts"]]
                    n_parts = len(keys)
                    for k in keys:
                        running[pool.submit(_piece, "part", k, {"split": got["json"]})] = (
                            "part",
                            k,
                        )
            have_parts = sum(1 for p, _ in stored if p == "part")
            complete = all((p, 0) in stored for p in first) and have_parts == n_parts
            if complete and ("merge", 0) not in stored and not running:
                inputs: dict[str, Any] = {
                    "split": stored[("split", 0)],
                    "bound": stored[("bound", 0)],
                    "parts": [stored[("part", k)] for k in range(n_parts)],
                }
                running[pool.submit(_piece, "merge", 0, inputs)] = ("merge", 0)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "rss_mb": rss,
        "busy": busy,
        "cpu": cpu,
        "parts": n_parts,
        **merged,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=200000)
    ap.add_argument("--settlements", type=int, default=400)
    ap.add_argument("--parts", type=int, default=8, help="parts of the fanned-out run")
    ap.add_argument("--app", action="store_true", help="with the baseline and without groups")
    ap.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2 or 2")
    args = ap.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]
    inst = generate("fanout", units=args.units, supply=1.0, settlements=args.settlements, seed=SEED)
    INPUTS.update(households=inst.households, units=inst.units, parts=args.parts)
    print(
        f"# {len(inst.units)} units, {len(inst.households)} households, "
        f"{args.settlements} settlements, {args.parts} parts, "
        f"{'app run (optimiser, lottery baseline, without groups)' if args.app else 'optimiser'}",
        flush=True,
    )
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        single = pool.submit(_single, args.app).result()
    print(f"single process   {single['seconds']:8.1f} s  {single['rss_mb']:6.0f} MB", flush=True)
    rows = []
    for workers in counts:
        r = fanned_out(workers, args.app)
        rows.append(r)
        print(f"{workers} worker(s)      {r['seconds']:8.1f} s  {r['rss_mb']:6.0f} MB", flush=True)
    one = rows[0]["seconds"] if counts[0] == 1 else float("nan")
    print()
    print(
        f"{'run':<18}{'wall s':>8}{'vs 1 worker':>12}{'vs single':>10}{'max RSS MB':>11}  same bytes"
    )
    print(
        f"{'single process':<18}{single['seconds']:>8.1f}{'':>12}{'1.00x':>10}{single['rss_mb']:>11.0f}"
    )
    for workers, r in zip(counts, rows, strict=True):
        same = r["sha256"] == single["sha256"] and r["violations"] == 0
        ratio = f"{one / r['seconds']:.2f}x" if counts[0] == 1 else "-"
        print(
            f"{f'{workers} worker(s)':<18}{r['seconds']:>8.1f}"
            f"{ratio:>12}"
            f"{single['seconds'] / r['seconds']:>9.2f}x{r['rss_mb']:>11.0f}  {same}"
        )
    print()
    for workers, r in zip(counts, rows, strict=True):
        busy = ", ".join(f"{k} {v:.1f} ({r['cpu'][k]:.1f} CPU)" for k, v in r["busy"].items())
        print(f"wall seconds per piece ({workers} worker(s)): {busy}")
    # On a machine shared with other work the second worker may get no core of its own:
    # the wall time two free cores would give, from the CPU seconds of the pieces (the
    # split first, the merge last, everything else shared between the workers).
    c = rows[0]["cpu"]
    beside = sum(v for k, v in c.items() if k not in ("split", "merge"))
    for workers in (1, 2, 4):
        longest = max(v for k, v in c.items() if k not in ("split", "merge", "part"))
        est = c["split"] + max(beside / workers, longest) + c["merge"]
        print(f"CPU-bound estimate with {workers} free core(s): {est:.1f} s")
    print(f"checker violations on the merged result: {rows[-1]['violations']}")
    return 0 if all(r["sha256"] == single["sha256"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
