"""The programme plan: every stage ahead, in order of its expected opening, never binding.

Each stage is allocated as its real run would be (the optimiser on the families still
waiting and that stage's homes), with every family placed by an earlier stage counted as a
resident, so that relatives follow. The plan says which families are expected in which
stage and from when, and per stage which homes are spare and which families of its
settlements it leaves waiting, by the number of rooms they need.

>>> import datetime
>>> hs = [Household("a", 2, "g"), Household("b", 3, "g"), Household("c", 1, priority=2),
...       Household("d", 4, destination="S")]
>>> s1 = PlannedStage("S-1", datetime.date(2027, 5, 1), (Unit("u1", "S", "C1", "B1", rooms=2),))
>>> s2 = PlannedStage("S-2", None, (Unit("u2", "S", "C2", "B1", rooms=2),
...                                 Unit("u3", "S", "C2", "B1", rooms=2),
...                                 Unit("u4", "S", "C2", "B1", rooms=5)))
>>> plan = plan_programme(hs, [s2, s1], seed=1)
>>> [(s.key, s.housed) for s in plan.stages]
[('S-1', 1), ('S-2', 2)]
>>> plan.expected["c"], sorted(plan.waiting)
('S-1', ['d'])
>>> plan.stages[1].spare, plan.stages[1].lacking
({5: 1}, {3: 1})
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .model import Household, Policy, Resident, Unit
from .optimal import allocate


@dataclass(frozen=True)
class PlannedStage:
    """A stage: its key, its expected opening (None: not known, planned last) and homes."""

    key: str
    opens_on: datetime.date | None
    units: tuple[Unit, ...]


@dataclass
class StagePlan:
    """One stage's outcome in the plan. `spare` counts homes left free by room count;
    `lacking` counts, by their ideal room count, the families who chose a settlement whose
    last stage this is and whom no stage houses."""

    key: str
    opens_on: datetime.date | None
    homes: int
    housed: int = 0
    persons: int = 0
    followers: int = 0
    spare: dict[int, int] = field(default_factory=dict)
    lacking: dict[int, int] = field(default_factory=dict)


@dataclass
class ProgrammePlan:
    stages: list[StagePlan]
    expected: dict[str, str]  # household_id -> stage key
    waiting: list[str]  # households no stage houses
    seconds: float = 0.0


def plan_programme(
    households: Sequence[Household],
    stages: Sequence[PlannedStage],
    residents: Sequence[Resident] = (),
    policy: Policy | None = None,
    *,
    seed: int,
    progress: Callable[[float, str], None] | None = None,
) -> ProgrammePlan:
    """Plan every stage in order of opening (unknown dates last, then by key)."""
    started = time.perf_counter()
    policy = policy or Policy.default()
    order = sorted(stages, key=lambda s: (s.opens_on or datetime.date.max, s.key))
    left = list(households)
    housed_so_far = list(residents)
    expected: dict[str, str] = {}
    out: list[StagePlan] = []
    for n, stage in enumerate(order):
        if progress is not None:
            progress(n / max(1, len(order)), stage.key)
        plan = StagePlan(stage.key, stage.opens_on, len(stage.units))
        groups = {r.group_id for r in housed_so_far if r.group_id}
        result = allocate(left, stage.units, policy, seed=seed, residents=housed_so_far)
        unit_by_id = {u.unit_id: u for u in stage.units}
        used: set[str] = set()
        still: list[Household] = []
        for h, a in zip(left, result.assignments, strict=True):
            if a.unit_id is None:
                still.append(h)
                continue
            u = unit_by_id[a.unit_id]
            used.add(u.unit_id)
            expected[h.household_id] = stage.key
            plan.housed += 1
            plan.persons += h.size
            plan.followers += h.group_id in groups
            housed_so_far.append(
                Resident(h.household_id, u.settlement, u.complex, u.building, h.group_id)
            )
        plan.spare = _by_rooms(u.rooms for u in stage.units if u.unit_id not in used)
        left = still
        out.append(plan)
    # What the plan leaves waiting counts against the last stage of the settlement each
    # family chose: "stage 4 of S lacks 120 homes of 3 rooms".
    last = {u.settlement: plan for stage, plan in zip(order, out, strict=True) for u in stage.units}
    short: dict[str, list[int]] = {}
    for h in left:
        if h.destination in last:
            short.setdefault(last[h.destination].key, []).append(policy.band(h.size).ideal)
    for plan in out:
        plan.lacking = _by_rooms(short.get(plan.key, []))
    return ProgrammePlan(
        out, expected, [h.household_id for h in left], round(time.perf_counter() - started, 3)
    )


def _by_rooms(rooms: Iterable[int]) -> dict[int, int]:
    return dict(sorted(Counter(rooms).items()))
