"""``homecoming dedup``: find duplicate registrations in a persons.csv file.

    homecoming dedup --persons persons.csv --out clusters.csv [--threshold P] [--report r.json]

The whole file is validated first; every bad cell is reported on stderr as
``file:line: column name: message`` and the exit status is 2, with nothing written. Outputs
are written to temporary files and renamed into place, so a crash cannot leave half a file.

>>> main(["--persons", "/nonexistent.csv", "--out", "/tmp/x.csv"])
2
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import tempfile
import time
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import InputError, LinkageError
from .names import is_valid_fin

REQUIRED = ("person_id", "surname", "given_name")
OPTIONAL = ("patronymic", "sex", "birth_date", "national_id", "household_id", "origin", "phone")
MAX_REPORTED = 50
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@lru_cache(maxsize=1 << 16)
def _valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def read_persons(path: Path) -> tuple[dict[str, list[str]], list[InputError]]:
    """Read and validate persons.csv into columns; return them and every error found.

    Lines are counted as in the file, the header being line 1.
    """
    name = str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        return {}, [InputError(f"cannot read file: {exc.strerror}", file=name)]
    errors: list[InputError] = []
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            return {}, [InputError("empty file, expected a header", file=name, line=1)]
        except (UnicodeDecodeError, csv.Error) as exc:
            return {}, [InputError(f"unreadable header: {exc}", file=name, line=1)]
        for col in REQUIRED:
            if col not in header:
                errors.append(InputError("missing required column", file=name, line=1,
                                         column=col))  # fmt: skip
        if errors:
            return {}, errors
        index = {col: header.index(col) for col in (*REQUIRED, *OPTIONAL) if col in header}
        columns: dict[str, list[str]] = {col: [] for col in (*REQUIRED, *OPTIONAL)}
        seen: dict[str, int] = {}
        line = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError:
                errors.append(InputError("not valid UTF-8", file=name, line=line + 1))
                break
            except csv.Error as exc:
                errors.append(InputError(f"malformed CSV: {exc}", file=name, line=line + 1))
                break
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            values = {col: (row[i].strip() if i < len(row) else "") for col, i in index.items()}

            def bad(col: str, message: str, ln: int = line) -> None:
                errors.append(InputError(message, file=name, line=ln, column=col))

            pid = values["person_id"]
            if not pid:
                bad("person_id", "empty person_id")
            elif pid in seen:
                bad("person_id", f"duplicate person_id {pid!r} (first on line {seen[pid]})")
            else:
                seen[pid] = line
            for col in ("surname", "given_name"):
                if not values[col]:
                    bad(col, f"empty {col}")
            sex = values.get("sex", "").upper()
            if sex not in ("", "M", "F"):
                bad("sex", f"sex must be M or F, got {values['sex']!r}")
            birth = values.get("birth_date", "")
            if birth and not _valid_date(birth):
                bad("birth_date", f"not a date in YYYY-MM-DD form: {birth!r}")
            fin = values.get("national_id", "")
            if fin and not is_valid_fin(fin):
                bad("national_id", f"not a FIN (7 letters/digits, no I or O): {fin!r}")
            for col in columns:
                columns[col].append(values.get(col, "").upper() if col == "sex" else
                                    values.get(col, ""))  # fmt: skip
    return columns, errors


def _write_atomically(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive): {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``homecoming dedup``."""
    from .dedup import DEFAULT_THRESHOLD

    parser = argparse.ArgumentParser(
        prog="homecoming dedup",
        description="Find duplicate registrations of the same person in a persons.csv file.",
    )
    parser.add_argument("--persons", required=True, type=Path, help="input persons.csv")
    parser.add_argument("--out", required=True, type=Path, help="output clusters.csv")
    parser.add_argument("--threshold", type=_probability, default=DEFAULT_THRESHOLD,
                        help=f"match probability to link two records (default "
                             f"{DEFAULT_THRESHOLD})")  # fmt: skip
    parser.add_argument("--report", type=Path, help="write a JSON report here")
    parser.add_argument("--seed", type=int, default=0, help="seed of the u sampling")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``homecoming dedup``; return the exit status (0 ok, 2 bad input or usage)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["dedup"]:
        args_list = args_list[1:]
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:
        return int(exc.code or 0)
    started = time.perf_counter()
    columns, errors = read_persons(args.persons)
    if errors:
        for err in errors[:MAX_REPORTED]:
            print(f"error: {err}", file=sys.stderr)
        if len(errors) > MAX_REPORTED:
            print(f"error: ... and {len(errors) - MAX_REPORTED} more", file=sys.stderr)
        print(f"{args.persons}: {len(errors)} error(s), nothing written", file=sys.stderr)
        return 2

    import pandas as pd

    from .dedup import dedup

    try:
        result = dedup(pd.DataFrame(columns), threshold=args.threshold, seed=args.seed)
    except LinkageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    frame = result.to_frame()
    seconds = round(time.perf_counter() - started, 3)
    report = {
        "records": len(frame),
        "clusters": result.cluster_count,
        "duplicate_records": len(frame) - result.cluster_count,
        "pairs_compared": result.pairs_compared,
        "seconds": seconds,
        "blocking_rules": result.blocking_rules,
        "threshold": result.threshold,
        "trained": result.trained,
        "seed": args.seed,
    }
    _write_atomically(args.out, lambda h: frame.to_csv(h, index=False, lineterminator="\n"))
    if args.report:
        _write_atomically(args.report,
                          lambda h: h.write(json.dumps(report, indent=2) + "\n"))  # fmt: skip
    print(f"{report['records']} records, {report['clusters']} persons, "
          f"{report['pairs_compared']} pairs compared in {seconds} s", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
