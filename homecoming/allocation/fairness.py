"""Who gets housed, by kind of family: a run beside its lottery baseline.

Pure: plain rows in, a table out, no database.

>>> rows = [Family("a", "dormitory", 4, False), Family("b", "rented", 2, True)]
>>> table = fairness_table(rows, housed={"a"}, baseline_housed={"b"})
>>> [(r.dimension, r.category, r.families, r.housed, r.baseline_housed) for r in table][:2]
[('shelter', 'dormitory', 1, 1, 0), ('shelter', 'rented', 1, 0, 1)]
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    household_id: str
    shelter_kind: str
    size: int
    needs_step_free: bool


@dataclass(frozen=True)
class Row:
    dimension: str
    category: str
    families: int
    housed: int
    baseline_housed: int | None

    @property
    def share(self) -> float:
        return self.housed / self.families if self.families else 0.0

    @property
    def baseline_share(self) -> float | None:
        if self.baseline_housed is None or not self.families:
            return None
        return self.baseline_housed / self.families


def size_band(size: int) -> str:
    return "1-2" if size <= 2 else ("3-4" if size <= 4 else ("5-6" if size <= 6 else "7+"))


DIMENSIONS: list[tuple[str, Callable[[Family], str]]] = [
    ("shelter", lambda f: f.shelter_kind),
    ("size", lambda f: size_band(f.size)),
    ("needs", lambda f: "step-free" if f.needs_step_free else "none"),
]


def fairness_table(
    families: Iterable[Family], housed: set[str], baseline_housed: set[str] | None
) -> list[Row]:
    """One row per (dimension, category): how many families, how many housed in each run."""
    families = list(families)
    rows: list[Row] = []
    for dimension, key in DIMENSIONS:
        groups: dict[str, list[Family]] = {}
        for f in families:
            groups.setdefault(key(f), []).append(f)
        for category in sorted(groups):
            members = groups[category]
            rows.append(
                Row(
                    dimension=dimension,
                    category=category,
                    families=len(members),
                    housed=sum(f.household_id in housed for f in members),
                    baseline_housed=None
                    if baseline_housed is None
                    else sum(f.household_id in baseline_housed for f in members),
                )
            )
    return rows


def housed_ids(assignments_csv: str) -> set[str]:
    """Household ids that got a unit in a contract assignments.csv text."""
    reader = csv.DictReader(io.StringIO(assignments_csv))
    return {row["household_id"] for row in reader if row.get("unit_id")}
