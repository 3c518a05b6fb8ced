"""One large settlement: 40,000 families and 36,015 homes, 92% of them in one city.

    .venv/bin/python bench/allocation_bigcity.py              # one run, about 1-2 minutes
    .venv/bin/python bench/allocation_bigcity.py --twice      # and a second, compared byte for byte
    .venv/bin/python bench/allocation_bigcity.py --profile    # cProfile of one run, top functions
    .venv/bin/python bench/allocation_bigcity.py --mismatch   # the same city, rooms that fit badly

The instance is `bigcity-36k@0.9` of `bench/allocation.py`: one city of about 145 complexes
(9 buildings each) and five villages of three complexes, families, kin groups and origin
villages as that generator makes them, seed 20250612. Prints wall and CPU seconds of
`allocate`, the report's figures (housed, groups in one building, ideal rooms, gap to the
bound), the independent checker's verdict and the SHA-256 of the assignments. With
`--mismatch` the flats have the bench's mismatched room mix (more 4- and 5-room flats than
the families need), which makes kin groups much harder to keep in one building.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from allocation import BIGCITY, MIX_MISMATCHED, generate

from homecoming.allocation.engine import Result, allocate, check

SEED = 20250612
SPEC: dict[str, Any] = BIGCITY


def digest(result: Result) -> str:
    """SHA-256 of the assignments as the contract's CSV would hold them."""
    h = hashlib.sha256()
    for a in result.assignments:
        h.update(f"{a.household_id},{a.unit_id or ''},{a.reason}\n".encode())
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--twice", action="store_true", help="run twice and compare the outputs")
    ap.add_argument("--profile", action="store_true", help="cProfile one run")
    ap.add_argument("--mismatch", action="store_true", help="the mismatched room mix")
    args = ap.parse_args(argv)
    spec = SPEC | ({"mix": MIX_MISMATCHED} if args.mismatch else {})
    inst = generate("bigcity-36k@0.9", seed=SEED, **spec)
    city = max({u.settlement for u in inst.units}, key=[u.settlement for u in inst.units].count)
    n_city = sum(u.settlement == city for u in inst.units)
    n_cx = len({u.complex for u in inst.units if u.settlement == city})
    print(
        f"# {len(inst.households)} households, {len(inst.units)} units;"
        f" city {city}: {n_city} units in {n_cx} complexes",
        flush=True,
    )
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        allocate(inst.households, inst.units, seed=SEED)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return 0
    digests = []
    for _ in range(2 if args.twice else 1):
        t0, c0 = time.perf_counter(), time.process_time()
        res = allocate(inst.households, inst.units, seed=SEED)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        m = res.metrics
        bad = check(inst.households, inst.units, None, res.assignments)
        digests.append(digest(res))
        print(
            f"wall {wall:.1f} s, cpu {cpu:.1f} s; housed {m['housed']} of {m['households']},"
            f" groups in one building {m['groups_in_one_building_share']:.2%}"
            f" ({m['groups_in_one_building']} of {m['groups_housed']}),"
            f" in one complex {m['groups_in_one_complex']},"
            f" ideal rooms {m['ideal_rooms_share']:.2%} (bound {m['ideal_rooms_bound_share']:.2%}),"
            f" origin {m['same_origin_in_one_complex_share']:.2%},"
            f" gap {m['gap']:.3%}, placement gap {m['placement_gap']:.3%},"
            f" priority violations {m['priority_violations']}, hard violations {len(bad)},"
            f" sha256 {digests[-1][:16]}",
            flush=True,
        )
    if args.twice:
        print("byte-identical" if digests[0] == digests[1] else "DIFFERENT outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
