"""Duplicate detection on DuckDB and on a local Spark, side by side in one process.

    .venv/bin/python bench/linkage_spark.py --size 20000 --untrained   # bundled parameters
    .venv/bin/python bench/linkage_spark.py --size 20000               # trained as usual
    .venv/bin/python bench/linkage_spark.py --size 1000000 --untrained --driver-memory 6g

Needs pyspark (``pip install -e '.[spark]'``) and Java 17. Generates ``--size`` records with
the engine's generator (seed 0), runs :func:`dedup` on DuckDB then on Spark (``local[N]``,
N = ``--cores``), and prints for each: seconds (and per step), clusters, pairs compared,
review pairs, the peak resident memory of this process (the driver) and, for Spark, of the
Java process and its Python workers; then how many cluster assignments the two engines share.
The load average is printed with each figure: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from homecoming.registry.linkage.backends import spark_session, stop_spark
from homecoming.registry.linkage.dedup import DedupResult, dedup
from homecoming.registry.linkage.synthetic import generate

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def _rss(pid: int) -> int:
    """Resident bytes of ``pid`` (0 once it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and of its children it has waited for (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return sum(int(x) for x in fields[11:15]) / TICK


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            out.extend(children)
            todo.extend(children)
    return out


class Peaks:
    """Samples, twice a second, this process's resident memory and that of the Java
    process of a local Spark with everything it started (its Python workers), and the CPU
    seconds the Java process and its workers used (a figure the machine's load does not
    inflate as much as the wall clock)."""

    def __init__(self, java_pid: int | None) -> None:
        self.driver = self.jvm = 0
        self.java_pid = java_pid
        self._cpu_before = self._jvm_cpu_now()
        self.jvm_cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.driver = max(self.driver, _rss(os.getpid()))
            if self.java_pid is not None:
                tree = [self.java_pid, *_descendants(self.java_pid)]
                self.jvm = max(self.jvm, sum(_rss(p) for p in tree))
                self.jvm_cpu = max(self.jvm_cpu, self._jvm_cpu_now() - self._cpu_before)

    def _jvm_cpu_now(self) -> float:
        if self.java_pid is None:
            return 0.0
        return sum(_cpu(p) for p in [self.java_pid, *_descendants(self.java_pid)])


def _java_pid() -> int | None:
    from pyspark import SparkContext

    process = getattr(SparkContext._gateway, "proc", None)
    return None if process is None else int(process.pid)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _spark(args: argparse.Namespace, scratch: str) -> Any:
    started = time.perf_counter()
    session = spark_session(
        **{
            "spark.master": f"local[{args.cores}]",
            "spark.sql.shuffle.partitions": str(args.partitions or 4 * args.cores),
            "spark.driver.memory": args.driver_memory,
            "spark.sql.warehouse.dir": os.path.join(scratch, "warehouse"),
            "spark.local.dir": os.path.join(scratch, "local"),
        }
    )
    print(f"spark session started in {time.perf_counter() - started:.1f} s", flush=True)
    return session


def _run(engine: str, persons: Any, args: argparse.Namespace) -> DedupResult:
    train = False if args.untrained else None
    scratch = tempfile.mkdtemp(prefix="spark-bench-")  # Spark's warehouse and local folders
    session = _spark(args, scratch) if engine == "spark" else None
    with Peaks(_java_pid() if session is not None else None) as peaks:
        cpu_before = time.process_time()
        started = time.perf_counter()
        result = dedup(persons, seed=0, train=train, engine=engine, threads=args.cores)
        seconds = time.perf_counter() - started
        driver_cpu = time.process_time() - cpu_before
    jvm = ""
    if session is not None:
        jvm = f", Java and workers {peaks.jvm / 2**30:.2f} GB ({peaks.jvm_cpu:.0f} CPU s)"
    print(
        f"{engine}: {seconds:.1f} s (load {_load()}), trained {result.trained}, "
        f"{result.cluster_count} clusters, {result.pairs_compared} pairs compared, "
        f"{len(result.review)} to review; peak memory: driver {peaks.driver / 2**30:.2f} GB "
        f"({driver_cpu:.0f} CPU s){jvm}",
        flush=True,
    )
    print("  steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.steps.items()), flush=True)
    if session is not None:
        stop_spark(session)
    shutil.rmtree(scratch, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--untrained", action="store_true", help="use the bundled parameters")
    parser.add_argument("--driver-memory", default="2g", help="spark.driver.memory (local Spark)")
    parser.add_argument("--partitions", type=int, help="spark.sql.shuffle.partitions (4 x cores)")
    parser.add_argument("--engines", default="duckdb,spark", help="comma-separated, in order")
    args = parser.parse_args()
    started = time.perf_counter()
    persons = generate(args.size, seed=0).drop(columns=["true_id"])
    print(f"{len(persons)} records generated in {time.perf_counter() - started:.1f} s", flush=True)
    results = {engine: _run(engine, persons, args) for engine in args.engines.split(",")}
    if len(results) == 2:
        a, b = (r.clusters for r in results.values())
        same = sum(x.cluster_id == y.cluster_id for x, y in zip(a, b, strict=True))
        exact = sum(x == y for x, y in zip(a, b, strict=True))
        print(f"same cluster: {same} of {len(a)}; same cluster and probability: {exact}")


if __name__ == "__main__":
    main()
