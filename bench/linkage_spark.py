"""Duplicate detection on DuckDB and on a local Spark, side by side in one process.

    .venv/bin/python bench/linkage_spark.py --size 20000 --untrained   # bundled parameters
    .venv/bin/python bench/linkage_spark.py --size 20000               # trained as usual

Needs pyspark (``pip install -e '.[spark]'``) and Java 17. Generates ``--size`` records with
the engine's generator (seed 0), runs :func:`dedup` on DuckDB then on Spark (``local[N]``,
N = ``--cores``), and prints seconds, clusters, pairs compared, review pairs, and how many
cluster assignments the two engines share.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from homecoming.registry.linkage.backends import spark_session, stop_spark
from homecoming.registry.linkage.dedup import DedupResult, dedup
from homecoming.registry.linkage.synthetic import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--untrained", action="store_true", help="use the bundled parameters")
    args = parser.parse_args()
    persons = generate(args.size, seed=0).drop(columns=["true_id"])
    train = False if args.untrained else None
    results: dict[str, DedupResult] = {}
    for engine in ("duckdb", "spark"):
        session = None
        if engine == "spark":
            started = time.perf_counter()
            session = spark_session(
                **{
                    "spark.master": f"local[{args.cores}]",
                    "spark.sql.shuffle.partitions": str(4 * args.cores),
                    "spark.driver.memory": "2g",
                    "spark.sql.warehouse.dir": tempfile.mkdtemp(prefix="spark-warehouse-"),
                }
            )
            print(f"spark session started in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        result = dedup(persons, seed=0, train=train, engine=engine, threads=args.cores)
        seconds = time.perf_counter() - started
        results[engine] = result
        print(
            f"{engine}: {seconds:.1f} s, trained {result.trained}, {result.cluster_count} "
            f"clusters, {result.pairs_compared} pairs compared, {len(result.review)} to review",
            flush=True,
        )
        if session is not None:
            stop_spark(session)
    a, b = results["duckdb"].clusters, results["spark"].clusters
    same = sum(x.cluster_id == y.cluster_id for x, y in zip(a, b, strict=True))
    exact = sum(x == y for x, y in zip(a, b, strict=True))
    print(f"same cluster: {same} of {len(a)}; same cluster and probability: {exact}")


if __name__ == "__main__":
    main()
