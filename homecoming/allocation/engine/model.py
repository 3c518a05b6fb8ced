"""Plain data of the allocation engine: households, units, policy, assignments, results.

>>> p = Policy.default()
>>> p.band(5)
Band(size=5, min_rooms=3, ideal=3, max_rooms=4)
>>> p.band(11).ideal
5
>>> Unit("u1", "S", "C", "B", rooms=2, floor=1).is_accessible
True
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError


@dataclass(frozen=True)
class Household:
    """A registered family. Households sharing a `group_id` want to live together."""

    household_id: str
    size: int
    group_id: str | None = None
    origin: str | None = None
    needs_accessible: bool = False
    priority: float = 0.0
    destination: str | None = None
    registered_on: datetime.date | None = None


@dataclass(frozen=True)
class Unit:
    """A home. `accessible=None` means: step-free when `floor <= 1` (unknown floor: not)."""

    unit_id: str
    settlement: str
    complex: str
    building: str
    rooms: int
    floor: int | None = None
    accessible: bool | None = None
    area_m2: float | None = None

    @property
    def is_accessible(self) -> bool:
        if self.accessible is not None:
            return self.accessible
        return self.floor is not None and self.floor <= 1


@dataclass(frozen=True)
class Resident:
    """A household housed in an earlier stage. It takes no unit in this run; it pulls the
    remaining households of its group towards where it lives."""

    household_id: str
    settlement: str
    complex: str
    building: str
    group_id: str | None = None


@dataclass(frozen=True)
class GroupHome:
    """Where a group's residents live: the settlement holding most of them (the group's
    settlement, a hard rule) and, in it, their complexes and buildings, most residents
    first (objective 2)."""

    settlement: str
    complexes: tuple[str, ...]
    buildings: tuple[tuple[str, str], ...]  # (complex, building)


def group_homes(residents: Sequence[Resident]) -> dict[str, GroupHome]:
    """Each group's home from its residents; ties go to the name that sorts first.

    >>> rs = [Resident("r1", "S2", "C1", "B1", "g"), Resident("r2", "S1", "C9", "B2", "g"),
    ...       Resident("r3", "S1", "C9", "B1", "g"), Resident("r4", "S1", "C8", "B1", "g")]
    >>> group_homes(rs)["g"]
    GroupHome(settlement='S1', complexes=('C9', 'C8'), buildings=(('C9', 'B1'), ('C9', 'B2'), ('C8', 'B1')))
    """
    by_group: dict[str, list[Resident]] = {}
    for r in residents:
        if r.group_id is not None:
            by_group.setdefault(r.group_id, []).append(r)
    return {gid: _home(members) for gid, members in by_group.items()}


def _home(members: Sequence[Resident]) -> GroupHome:
    settlement = _most([r.settlement for r in members])[0]
    here = [r for r in members if r.settlement == settlement]
    complexes = _most([r.complex for r in here])
    rank = {c: i for i, c in enumerate(complexes)}
    # a building with more residents first; on a tie, the one in the fuller complex
    buildings = _most([(r.complex, r.building) for r in here], lambda cb: rank[cb[0]])
    return GroupHome(settlement, tuple(complexes), tuple(buildings))


def _most(values: Sequence[Any], tie: Callable[[Any], Any] = lambda v: 0) -> list[Any]:
    """Distinct values, most frequent first, then by `tie`, then in sorted order."""
    counts: dict[Any, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return sorted(counts, key=lambda v: (-counts[v], tie(v), v))


@dataclass(frozen=True)
class Band:
    """Rooms allowed for households of `size` persons (and more, for the last band)."""

    size: int
    min_rooms: int
    ideal: int
    max_rooms: int


DEFAULT_BANDS: tuple[Band, ...] = (
    Band(1, 1, 1, 2),
    Band(2, 1, 2, 2),
    Band(3, 2, 2, 3),
    Band(4, 2, 3, 3),
    Band(5, 3, 3, 4),
    Band(6, 3, 4, 4),
    Band(7, 4, 4, 5),
    Band(8, 4, 5, 5),
)

_WEIGHT_KEYS = ("housed", "group_building", "group_complex", "ideal", "origin")


@dataclass(frozen=True)
class Policy:
    """Room bands and the weights of the scalar score used for the bound and the gap.

    The weights only serve the reported score, bound and gap (and the cost of the final
    matching); the order of objectives is the contract's: housing by priority comes first
    by construction, never traded for the other terms.
    """

    bands: tuple[Band, ...] = DEFAULT_BANDS
    weight_housed: int = 100
    weight_group_building: int = 10
    weight_group_complex: int = 5
    weight_ideal: int = 3
    weight_origin: int = 1

    def __post_init__(self) -> None:
        sizes = [b.size for b in self.bands]
        if not self.bands or sizes != sorted(set(sizes)) or sizes[0] != 1:
            raise ValueError("bands must start at size 1 and have increasing sizes")
        for b in self.bands:
            if not 1 <= b.min_rooms <= b.ideal <= b.max_rooms:
                raise ValueError(f"band for size {b.size} needs 1 <= min <= ideal <= max")
        if self.max_level - self.min_level + 1 > 8:
            raise ValueError("bands may span at most 8 distinct room counts")

    @classmethod
    def default(cls) -> Policy:
        """The contract's default policy."""
        return cls()

    @property
    def min_level(self) -> int:
        return min(b.min_rooms for b in self.bands)

    @property
    def max_level(self) -> int:
        return max(b.max_rooms for b in self.bands)

    def band_index(self, size: int) -> int:
        """Index of the band that applies to a household of `size` persons."""
        index = 0
        for i, b in enumerate(self.bands):
            if b.size <= size:
                index = i
        return index

    def band(self, size: int) -> Band:
        return self.bands[self.band_index(size)]

    def weights(self) -> dict[str, int]:
        return {k: int(getattr(self, f"weight_{k}")) for k in _WEIGHT_KEYS}

    @classmethod
    def from_toml(cls, source: str | Path) -> Policy:
        """Read a policy from a TOML file path or TOML text.

        >>> text = '[bands]\\n1 = [1, 1, 2]\\n2 = [1, 2, 3]\\n3 = [2, 3, 4]\\n[weights]\\nideal = 4\\n'
        >>> p = Policy.from_toml(text)
        >>> (p.band(9).max_rooms, p.weight_ideal)
        (4, 4)
        """
        name = "policy.toml"
        if isinstance(source, Path) or ("\n" not in source and "=" not in source):
            name = str(source)
            try:
                text = Path(source).read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(name, None, None, f"cannot read: {exc}") from exc
        else:
            text = source
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = getattr(exc, "lineno", None)
            col = getattr(exc, "colno", None)
            raise InputError(name, line, None, f"not valid TOML: {exc}", column_number=col) from exc
        return cls._from_mapping(data, name)

    @classmethod
    def _from_mapping(cls, data: Mapping[str, Any], name: str) -> Policy:
        kwargs: dict[str, Any] = {}
        unknown = set(data) - {"bands", "weights"}
        if unknown:
            raise InputError(name, None, sorted(unknown)[0], "unknown policy key")
        if "bands" in data:
            bands = []
            table = data["bands"]
            if not isinstance(table, dict):
                raise InputError(name, None, "bands", "must be a table size = [min, ideal, max]")
            for key, value in table.items():
                ok = (
                    str(key).isdigit()
                    and isinstance(value, list)
                    and len(value) == 3
                    and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                )
                if not ok:
                    raise InputError(
                        name, None, f"bands.{key}", "expected size = [min, ideal, max]"
                    )
                bands.append(Band(int(key), value[0], value[1], value[2]))
            kwargs["bands"] = tuple(sorted(bands, key=lambda b: b.size))
        weights = data.get("weights", {})
        if not isinstance(weights, dict):
            raise InputError(name, None, "weights", "must be a table")
        for key, value in weights.items():
            if key not in _WEIGHT_KEYS or not isinstance(value, int) or value < 0:
                raise InputError(name, None, f"weights.{key}", "unknown weight or not an int >= 0")
            kwargs[f"weight_{key}"] = value
        try:
            return cls(**kwargs)
        except ValueError as exc:
            raise InputError(name, None, "bands", str(exc)) from exc


@dataclass(frozen=True)
class Assignment:
    """One output row: the household, its unit (None: not housed in this run) and why."""

    household_id: str
    unit_id: str | None
    reason: str


@dataclass(frozen=True)
class Violation:
    """A broken hard rule found by the checker."""

    rule: str
    household_id: str | None
    unit_id: str | None
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass
class Result:
    """Assignments (one per input household, input order), metrics and the method used."""

    assignments: list[Assignment]
    metrics: dict[str, Any] = field(default_factory=dict)
    method: str = "optimal"
