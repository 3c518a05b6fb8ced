"""Recall of ``homecoming dedup`` per kind of variation, on the second generator's data (issue 15).

    .venv/bin/python bench/linkage_variations.py                     # 10k and 100k, seed 0
    .venv/bin/python bench/linkage_variations.py --sizes 10000 --seed 3

For each size, ``linkage_gen2`` writes a registry into ``bench/out/gen2_<n>_<seed>/``; the
command then runs on it as a user would (``python -m homecoming.cli dedup``, a subprocess,
one at a time), and only its output files are read: ``clusters.csv`` and, when the command
offers ``--review`` (it is asked through ``--help``), ``review.csv``. Printed side by side:
pairwise precision, recall and F1; recall among the true pairs that carry each kind of
variation; recall by evidence class; how often relatives and namesakes were wrongly put
together; and with a review file, the same figures once every review pair is accepted, and
the review pairs per record. The figures are also written to
``bench/out/linkage_variations.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
# A sibling module of the bench folder (not a package), found through the path above.
import linkage_gen2 as gen2

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
EVIDENCE_LABELS = {
    "id": "same ID on both",
    "date": "both have a birth date",
    "father_no_date": "missing date (names + father)",
    "names_only": "names only",
}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _pairs_within(labels: Iterable[str]) -> int:
    counts = np.array(list(Counter(labels).values()), dtype=np.int64)
    return int((counts * (counts - 1) // 2).sum())


def pairwise(truth: dict[str, str], cluster: dict[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of ``cluster`` against ``truth`` (person → entity).

    >>> pairwise({"a": "1", "b": "1", "c": "2"}, {"a": "x", "b": "x", "c": "x"})
    {'precision': 0.3333, 'recall': 1.0, 'f1': 0.5}
    """
    ids = list(truth)
    true = _pairs_within(truth[i] for i in ids)
    found = _pairs_within(cluster[i] for i in ids)
    both = _pairs_within(f"{cluster[i]}\x00{truth[i]}" for i in ids)
    precision = both / found if found else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def widened(cluster: dict[str, str], review: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The clustering once every review pair is accepted (connected components).

    >>> widened({"a": "a", "b": "b", "c": "c"}, [("a", "b")])["b"]
    'a'
    """
    parent = {c: c for c in cluster.values()}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for left, right in review:
        a, b = find(cluster[left]), find(cluster[right])
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {pid: find(c) for pid, c in cluster.items()}


def recall_by(pairs: list[dict[str, str]], cluster: dict[str, str]) -> dict[str, list[int]]:
    """``{kind: [found, pairs]}`` for every variation kind, "none" and evidence class."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in pairs:
        hit = int(cluster[row["person_id_l"]] == cluster[row["person_id_r"]])
        kinds = [k for k in row["variations"].split(";") if k] or ["none"]
        for key in [*kinds, f"evidence:{row['evidence']}", "all"]:
            out[key][0] += hit
            out[key][1] += 1
    return dict(out)


def wrongly_linked(hard: list[dict[str, str]], cluster: dict[str, str]) -> dict[str, list[int]]:
    """``{kind: [linked, pairs]}`` for the relatives and namesakes (never duplicates)."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in hard:
        out[row["kind"]][0] += int(cluster[row["person_id_l"]] == cluster[row["person_id_r"]])
        out[row["kind"]][1] += 1
    return dict(out)


def review_supported(python: str) -> bool:
    """Whether this version of the command writes a review file (asked through --help)."""
    OUT.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([python, "-m", "homecoming.cli", "dedup", "--help"], cwd=OUT,
                          capture_output=True, text=True, check=False)  # fmt: skip
    return "--review" in done.stdout


def run_dedup(directory: Path, seed: int, threshold: float | None, review: bool,
              python: str) -> dict[str, Any]:  # fmt: skip
    """Run the command on ``directory``'s persons.csv; return its wall time and exit status."""
    cmd = [python, "-m", "homecoming.cli", "dedup",
           "--persons", str(directory / "persons.csv"), "--out", str(directory / "clusters.csv"),
           "--report", str(directory / "report.json"), "--seed", str(seed)]  # fmt: skip
    if threshold is not None:
        cmd += ["--threshold", str(threshold)]
    if review:
        cmd += ["--review", str(directory / "review.csv")]
    started = time.perf_counter()
    # Run from the data's folder: `python -m` puts the working directory first on the path,
    # and another checkout's Python must import its own homecoming, not this one.
    done = subprocess.run(cmd, cwd=directory, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"status": done.returncode, "seconds": round(seconds, 1), "peak_mb": round(peak)}


def evaluate(directory: Path, review: bool) -> dict[str, Any]:
    """Score the command's outputs in ``directory`` against the generator's truth."""
    truth = {r["person_id"]: r["entity_id"] for r in _read(directory / "truth.csv")}
    cluster = {r["person_id"]: r["cluster_id"] for r in _read(directory / "clusters.csv")}
    pairs = _read(directory / "pairs.csv")
    hard = _read(directory / "hard_pairs.csv")
    bands: dict[str, Any] = {"auto": {**pairwise(truth, cluster),
                                      "by": recall_by(pairs, cluster),
                                      "hard": wrongly_linked(hard, cluster)}}  # fmt: skip
    review_file = directory / "review.csv"
    if review and review_file.exists():
        rows = _read(review_file)
        edges = [(r["person_id_l"], r["person_id_r"]) for r in rows]
        wide = widened(cluster, edges)
        true_edges = sum(truth[a] == truth[b] for a, b in edges)
        bands["auto+review"] = {**pairwise(truth, wide), "by": recall_by(pairs, wide),
                                "hard": wrongly_linked(hard, wide),
                                "review_pairs": len(edges),
                                "review_per_record": round(len(edges) / len(truth), 4),
                                "review_precision": round(true_edges / len(edges), 4)
                                if edges else None}  # fmt: skip
    return {"records": len(truth), "true_pairs": len(pairs), "hard_pairs": len(hard), **bands}


def _ratio(cell: list[int] | None) -> str:
    if not cell or not cell[1]:
        return "—"
    return f"{cell[0] / cell[1]:.3f} ({cell[1]:,})"


def table(results: dict[str, dict[str, Any]]) -> list[str]:
    """The figures side by side, one column per size and band."""
    cols = [(size, band) for size, res in results.items() for band in ("auto", "auto+review")
            if band in res]  # fmt: skip
    head = ["", *(f"{size} {band}" for size, band in cols)]
    rows: list[list[str]] = [head]

    def add(label: str, get: Any) -> None:
        rows.append([label, *(get(results[s], results[s][b]) for s, b in cols)])

    add("records", lambda res, _: f"{res['records']:,}")
    add("true pairs", lambda res, _: f"{res['true_pairs']:,}")
    add("seconds (dedup)", lambda res, _: str(res["run"]["seconds"]))
    add("peak MB (dedup)", lambda res, _: str(res["run"]["peak_mb"]))
    for metric in ("precision", "recall", "f1"):
        add(metric, lambda _, band, m=metric: f"{band[m]:.4f}")
    add("review pairs per record", lambda _, band: str(band.get("review_per_record", "—")))
    add("review pairs that are true", lambda _, band: str(band.get("review_precision", "—")))
    rows.append(["recall by variation (pairs)"])
    for kind in (*gen2.KINDS, "none"):
        add(f"  {kind}", lambda _, band, k=kind: _ratio(band["by"].get(k)))
    rows.append(["recall by evidence (pairs)"])
    for key, label in EVIDENCE_LABELS.items():
        add(f"  {label}", lambda _, band, k=key: _ratio(band["by"].get(f"evidence:{k}")))
    rows.append(["not duplicates, wrongly linked (pairs)"])
    for kind in ("sibling", "twin", "cousin_same_name", "relative_same_name", "namesake"):
        add(f"  {kind}", lambda _, band, k=kind: _ratio(band["hard"].get(k)))
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(len(head))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=0, help="generator and command seed")
    parser.add_argument("--threshold", type=float, help="passed to the command")
    parser.add_argument("--rate", action="append", default=[], metavar="NAME=VALUE",
                        help="a generator rate other than its default (linkage_gen2.Rates)")  # fmt: skip
    parser.add_argument("--python", default=sys.executable,
                        help="the Python whose homecoming runs (another checkout's venv, to "
                             "compare versions); default: this one")  # fmt: skip
    args = parser.parse_args(argv)
    rates = gen2.rates_from(args.rate)
    review = review_supported(args.python)
    if not review:
        print("this `homecoming dedup` has no --review: the review band is skipped")
    results: dict[str, dict[str, Any]] = {}
    for n in args.sizes:
        directory = OUT / f"gen2_{n}_{args.seed}"
        started = time.perf_counter()
        gen2.write(gen2.generate(n, seed=args.seed, rates=rates), directory)
        generated = round(time.perf_counter() - started, 1)
        run = run_dedup(directory, args.seed, args.threshold, review, args.python)
        if run["status"] != 0:
            print(f"{n}: the command failed with status {run['status']}")
            return 1
        label = f"{n // 1000}k" if n % 1000 == 0 else str(n)
        results[label] = {**evaluate(directory, review), "run": run, "generated_s": generated}
        print(f"{label}: generated in {generated} s, dedup {run['seconds']} s", flush=True)
    print("\n".join(table(results)))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "linkage_variations.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
