"""Pairs each blocking rule lets through, per file size: how the comparisons grow with n.

    .venv/bin/python bench/linkage_blocking.py --sizes 100000,1000000

For each size, generates the records (seed 0, the engine's generator), prepares them
(:func:`prepare`) and counts in DuckDB, rule by rule in :data:`BLOCKING_RULES` order, the
pairs a rule adds to those of the rules before it (as splink counts them), then the total and
the pairs per record. The growth between two sizes is printed as an exponent (pairs ~ n^k),
the figure the sizing of a cluster in docs/scaling.md extrapolates from.
"""

from __future__ import annotations

import argparse
import math
import time

import duckdb

from homecoming.registry.linkage.dedup import BLOCKING_RULES, prepare
from homecoming.registry.linkage.synthetic import generate


def rule_counts(size: int, threads: int) -> list[int]:
    """Pairs each rule adds to the rules before it, on ``size`` generated records."""
    table = prepare(generate(size, seed=0).drop(columns=["true_id"]))
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads)}")
    con.register("persons", table)
    counts = []
    for k, rule in enumerate(BLOCKING_RULES):
        earlier = " ".join(f"and not coalesce(({r}), false)" for r in BLOCKING_RULES[:k])
        # SQL from strings (bandit B608, reviewed): our own blocking rules.
        sql = (
            "select count(*) from persons l join persons r "  # nosec B608
            f"on {rule} where l.unique_id < r.unique_id {earlier}"
        )
        counts.append(int(con.execute(sql).fetchone()[0]))  # type: ignore[index]
    con.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    table: dict[int, list[int]] = {}
    for size in sizes:
        started = time.perf_counter()
        table[size] = rule_counts(size, args.threads)
        print(f"{size} records counted in {time.perf_counter() - started:.1f} s", flush=True)
    header = " | ".join(f"{s:,}" for s in sizes)
    growth = len(sizes) > 1
    print(f"| rule | {header} |" + (" exponent |" if growth else ""))
    rows = [*zip(BLOCKING_RULES, *(table[s] for s in sizes), strict=True)]
    rows.append(("all rules", *(sum(table[s]) for s in sizes)))
    rows.append(("pairs per record", *(round(sum(table[s]) / s, 2) for s in sizes)))
    for rule, *counts in rows:
        cells = " | ".join(f"{c:,}" for c in counts)
        exponent = ""
        if growth:
            first, last = counts[0], counts[-1]
            if first and last:
                k = math.log(last / first) / math.log(sizes[-1] / sizes[0])
                exponent = f" {k:.2f} |"
            else:
                exponent = " |"
        print(f"| `{rule}` | {cells} |{exponent}")


if __name__ == "__main__":
    main()
