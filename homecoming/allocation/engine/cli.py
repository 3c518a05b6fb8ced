"""`homecoming allocate`: the contract's command on plain CSV files.

Exit status: 0 done (or --verify: identical), 1 --verify: different, 2 bad input,
3 a result broke a hard rule (nothing written).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from .checker import check
from .csvio import (
    assignments_csv,
    read_households,
    read_residents,
    read_units,
    write_bytes_atomic,
)
from .errors import AllocationError, InputError
from .lottery import lottery
from .model import Policy
from .optimal import allocate, without_groups


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="homecoming allocate", description="Allocate homes to households (CSV in, CSV out)."
    )
    p.add_argument("--households", required=True, help="households.csv")
    p.add_argument("--units", required=True, help="units.csv")
    p.add_argument(
        "--residents", help="residents.csv: households housed in earlier stages, with their group"
    )
    p.add_argument("--policy", help="policy.toml (room bands, score weights)")
    p.add_argument("--seed", type=int, default=0, help="seed of the lottery (default 0)")
    p.add_argument("--out", required=True, help="assignments.csv to write (or check)")
    p.add_argument("--report", help="report.json to write")
    p.add_argument("--method", choices=("optimal", "lottery"), default="optimal")
    p.add_argument(
        "--verify",
        action="store_true",
        help="replay the run and compare with the existing --out file; write nothing",
    )
    return p


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        households = read_households(args.households)
        units = read_units(args.units)
        residents = read_residents(args.residents, households) if args.residents else []
        policy = Policy.from_toml(Path(args.policy)) if args.policy else Policy.default()
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.method == "lottery":
            result = lottery(households, units, policy, seed=args.seed, residents=residents)
        else:
            result = allocate(households, units, policy, seed=args.seed, residents=residents)
    except AllocationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    violations = check(households, units, policy, result.assignments, residents)
    if violations:
        for v in violations[:20]:
            print(f"hard rule broken: {v}", file=sys.stderr)
        print("error: result refused, nothing written", file=sys.stderr)
        return 3
    data = assignments_csv(result)
    if args.verify:
        return _verify(Path(args.out), data)
    metrics = dict(result.metrics)
    if args.report and args.method == "optimal":
        # what keeping groups together cost, for the report only (a second run)
        metrics["without_groups"] = without_groups(households, units, policy, seed=args.seed)
    metrics["input_sha256"] = {
        "households": _sha256(args.households),
        "units": _sha256(args.units),
        **({"residents": _sha256(args.residents)} if args.residents else {}),
        **({"policy": _sha256(args.policy)} if args.policy else {}),
    }
    metrics["output_sha256"] = hashlib.sha256(data).hexdigest()
    report = (json.dumps(metrics, indent=2, sort_keys=True) + "\n").encode("utf-8")
    write_bytes_atomic(args.out, data)
    if args.report:
        write_bytes_atomic(args.report, report)
    m = result.metrics
    print(
        f"{m['housed']} of {m['households']} households housed; "
        f"{m['groups_in_one_building']} of {m['groups_housed']} groups in one building; "
        f"ideal rooms {m['ideal_rooms_share']:.1%}; gap {m.get('gap', 0):.3%}; "
        f"{m['seconds']} s",
        file=sys.stderr,
    )
    return 0


def _verify(path: Path, expected: bytes) -> int:
    try:
        actual = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    if actual == expected:
        print(
            f"identical: {path} is the output of this run (sha256 "
            f"{hashlib.sha256(expected).hexdigest()})"
        )
        return 0
    a_lines = actual.decode("utf-8", "replace").splitlines()
    e_lines = expected.decode("utf-8").splitlines()
    for n, (a, e) in enumerate(zip(a_lines, e_lines, strict=False), start=1):
        if a != e:
            print(f"different: {path} line {n}\n  file: {a}\n  run:  {e}")
            return 1
    print(f"different: {path} has {len(a_lines)} lines, the run gives {len(e_lines)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
