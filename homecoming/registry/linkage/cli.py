"""``homecoming dedup``: find duplicate registrations in a persons.csv file.

    homecoming dedup --persons persons.csv --out clusters.csv [--threshold P] [--report r.json]
        [--review review.csv] [--review-threshold P] [--review-budget N] [--labels labels.csv]
        [--engine duckdb|spark]

The whole file is read first. A structural fault (missing required column, empty or
duplicate person_id, text that is not UTF-8 or not CSV) is reported on stderr as
``file:line: column name: message`` and the exit status is 2, with nothing written. A value
that is present but bad (empty name part, impossible or partial date, FİN in the wrong form,
sex other than M/F) keeps its record: it is read as missing or as a noisy string
(:mod:`.clean`) and counted by kind, with example lines, in the report and on stderr.
Links at or above ``--threshold`` (the auto-link band) make clusters.csv; with ``--review``,
pairs from ``--review-threshold`` up to it, at most ``--review-budget`` per record, are
written there most useful first with what agrees and what does not (:mod:`.bands`).
``--labels`` reads pairs a person decided (``person_id_l,person_id_r,same``): they adjust the
model (:mod:`.feedback`) and are not proposed again.
Outputs are written to temporary files and renamed into place, so a crash cannot leave half
a file.

>>> main(["--persons", "/nonexistent.csv", "--out", "/tmp/x.csv"])
2
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .clean import clean_birth_date, clean_national_id, clean_sex, empty_name_kind
from .errors import InputError, LinkageError

REQUIRED = ("person_id", "surname", "given_name")
OPTIONAL = ("patronymic", "sex", "birth_date", "national_id", "household_id", "origin", "phone")
MAX_REPORTED = 50
#: How many example lines the report keeps for each kind of bad value.
MAX_EXAMPLES = 10


@dataclass
class BadValues:
    """Values present but bad, counted by kind with the first few file lines of each."""

    counts: dict[str, int] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)

    def add(self, kind: str, line: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        examples = self.lines.setdefault(kind, [])
        if len(examples) < MAX_EXAMPLES:
            examples.append(line)

    def as_report(self) -> dict[str, dict[str, Any]]:
        """``{kind: {"count": n, "lines": [first lines]}}``, kinds sorted."""
        return {k: {"count": self.counts[k], "lines": self.lines[k]} for k in sorted(self.counts)}


def _clean_row(values: dict[str, str], line: int, bad: BadValues) -> dict[str, str]:
    """The row as the engine should see it: bad values read as missing or noisy, counted."""
    for col in ("surname", "given_name"):
        if not values[col]:
            bad.add(empty_name_kind(col), line)
    for col, cleaner in (("sex", clean_sex), ("birth_date", clean_birth_date),
                         ("national_id", clean_national_id)):  # fmt: skip
        if col in values:
            values[col], kind = cleaner(values[col])
            if kind:
                bad.add(kind, line)
    return values


def _undecodable(path: Path) -> InputError:
    """Where the text stops being UTF-8: the decoder reads ahead, so its position is not."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        line = raw.count(b"\n", 0, start) + 1
        return InputError(f"not valid UTF-8 (byte {start + 1})", file=str(path), line=line)
    return InputError("not valid UTF-8", file=str(path))


def _header(reader: Any, name: str) -> tuple[list[str], list[InputError]]:
    """The header's column names, or the structural errors that stop the run."""
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], [InputError("empty file, expected a header", file=name, line=1)]
    except UnicodeDecodeError:
        return [], [_undecodable(Path(name))]
    except csv.Error as exc:
        return [], [InputError(f"unreadable header: {exc}", file=name, line=1)]
    missing = [
        InputError("missing required column", file=name, line=1, column=col)
        for col in REQUIRED
        if col not in header
    ]
    return header, missing


def read_persons(path: Path) -> tuple[dict[str, list[str]], list[InputError], BadValues]:
    """Read persons.csv into columns; return them, the structural errors and the bad values.

    Only structural faults are errors (missing required column, empty or duplicate
    person_id, text that is not UTF-8 or not CSV). A value that is present but bad is
    cleaned by :mod:`.clean` and counted. Lines are counted as in the file, the header
    being line 1.
    """
    name = str(path)
    bad = BadValues()
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        return {}, [InputError(f"cannot read file: {exc.strerror}", file=name)], bad
    errors: list[InputError] = []
    with handle:
        reader = csv.reader(handle)
        header, errors = _header(reader, name)
        if errors or not header:
            return {}, errors, bad
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
                errors.append(_undecodable(path))
                break
            except csv.Error as exc:
                errors.append(InputError(f"malformed CSV: {exc}", file=name, line=line + 1))
                break
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            # NUL bytes are dropped: pandas hashes "a\x00" like "a", which scrambles lookups.
            values = {col: (row[i].replace("\x00", "").strip() if i < len(row) else "")
                      for col, i in index.items()}  # fmt: skip
            pid = values["person_id"]
            if not pid:
                errors.append(InputError("empty person_id", file=name, line=line,
                                         column="person_id"))  # fmt: skip
            elif pid in seen:
                errors.append(InputError(f"duplicate person_id {pid!r} (first on line "
                                         f"{seen[pid]})", file=name, line=line,
                                         column="person_id"))  # fmt: skip
            else:
                seen[pid] = line
            values = _clean_row(values, line, bad)
            for col in columns:
                columns[col].append(values.get(col, ""))
    return columns, errors, bad


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


def _budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 10.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 10 pairs per record: {text}")
    return value


def write_review(handle: Any, pairs: Any) -> None:
    """review.csv: ``person_id_l,person_id_r,match_probability,agreements``, in the given order."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["person_id_l", "person_id_r", "match_probability", "agreements"])
    for p in pairs:
        writer.writerow([p.person_id_l, p.person_id_r, f"{p.match_probability:.6f}", p.agreements])


def _read_inputs(args: argparse.Namespace) -> tuple[dict[str, list[str]], BadValues, Any] | None:
    """persons.csv and the labels, or None after printing the structural errors."""
    from .feedback import read_labels

    columns, errors, bad = read_persons(args.persons)
    labels: dict[frozenset[str], bool] = {}
    if args.labels:
        labels, label_errors = read_labels(args.labels)
        errors = [*errors, *label_errors]
    if not errors:
        return columns, bad, labels
    for err in errors[:MAX_REPORTED]:
        print(f"error: {err}", file=sys.stderr)
    if len(errors) > MAX_REPORTED:
        print(f"error: ... and {len(errors) - MAX_REPORTED} more", file=sys.stderr)
    print(f"{len(errors)} error(s), nothing written", file=sys.stderr)
    return None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``homecoming dedup``."""
    from .bands import DEFAULT_REVIEW_BUDGET, DEFAULT_REVIEW_THRESHOLD
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
    parser.add_argument("--review", type=Path,
                        help="write the review band here (person_id_l,person_id_r,"
                             "match_probability,agreements)")  # fmt: skip
    parser.add_argument("--review-threshold", type=_probability, default=DEFAULT_REVIEW_THRESHOLD,
                        help=f"lowest match probability worth a review (default "
                             f"{DEFAULT_REVIEW_THRESHOLD})")  # fmt: skip
    parser.add_argument("--review-budget", type=_budget, default=DEFAULT_REVIEW_BUDGET,
                        help=f"review pairs per record, at most (default "
                             f"{DEFAULT_REVIEW_BUDGET})")  # fmt: skip
    parser.add_argument(
        "--labels", type=Path, help="pairs a person decided: person_id_l,person_id_r,same (1/0)"
    )
    parser.add_argument("--report", type=Path, help="write a JSON report here")
    parser.add_argument("--seed", type=int, default=0, help="seed of the u sampling")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                        help="where splink runs: DuckDB in this process (default), or Spark "
                             "(pip install homecoming[spark]; the usual Spark settings)")  # fmt: skip
    return parser


def _print_bad_values(path: Path, bad: BadValues) -> None:
    """One stderr line per kind of bad value: how many, and where the first ones are."""
    for kind, entry in bad.as_report().items():
        lines = ", ".join(str(n) for n in entry["lines"])
        more = ", ..." if entry["count"] > len(entry["lines"]) else ""
        print(f"warning: {path}: {entry['count']} x {kind} (lines {lines}{more})",
              file=sys.stderr)  # fmt: skip


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
    inputs = _read_inputs(args)
    if inputs is None:
        return 2
    columns, bad, labels = inputs

    import pandas as pd

    from .dedup import dedup

    try:
        result = dedup(
            pd.DataFrame(columns),
            threshold=args.threshold,
            review_threshold=min(args.review_threshold, args.threshold),
            review_budget=args.review_budget,
            labels=labels,
            seed=args.seed,
            engine=args.engine,
        )
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
        "engine": args.engine,
        "bad_values": bad.as_report(),
        "bands": result.bands,
        "review_pairs": len(result.review),
        "review_pairs_per_record": round(len(result.review) / max(len(frame), 1), 4),
        "labels_used": result.labels_used,
    }
    _write_atomically(args.out, lambda h: frame.to_csv(h, index=False, lineterminator="\n"))
    if args.review:
        _write_atomically(args.review, lambda h: write_review(h, result.review))
    if args.report:
        _write_atomically(args.report,
                          lambda h: h.write(json.dumps(report, indent=2) + "\n"))  # fmt: skip
    _print_bad_values(args.persons, bad)
    print(f"{report['records']} records, {report['clusters']} persons, "
          f"{report['pairs_compared']} pairs compared, {len(result.review)} pairs to review "
          f"in {seconds} s", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
