"""The optimiser in independent parts: split, solve each part anywhere, merge.

What is global and what is not, in `optimal.allocate`:

- Admission (core.admit) is global: families are served in one priority order, and a
  family with no destination may go to any settlement, where its choice depends on every
  family admitted before it. It is one sequential pass; :func:`split` runs it.
- Once admitted, a block belongs to one settlement and cannot go elsewhere (the hard
  rules: a kin group lives in one settlement, a destination is binding, and admission has
  chosen the settlement of the others). The plan of a settlement (villages to complexes,
  groups to buildings, the matching into slots) reads only its own blocks and units, so
  settlements are independent; a part is a set of settlements, balanced by households.
- The seeded lottery that draws the flat addresses inside each (building, room count)
  slot is one random stream over the settlements in order. It is cheap, so the merge
  replays it exactly as the single process does: parts return households per slot, never
  flats, and the merged result is byte for byte the single-process one, with the same seed.
- The report's bounds decompose: the placement bound and the ideal-rooms bound are sums
  over settlements (each a min-cost flow whose arcs never cross settlements), so each part
  computes its share; the global bound depends on the inputs only (:func:`global_bound`,
  computed beside the parts).

Everything a part needs or returns is JSON-able (`Split.to_json`, `PartResult.to_json`),
so parts can run in other processes or machines; each rebuilds the instance from the same
inputs.

>>> from homecoming.allocation.engine import allocate, assignments_csv
>>> hs = [Household("a", 4, "g", destination="S1"), Household("b", 2, "g"),
...       Household("c", 1, destination="S2"), Household("d", 3)]
>>> us = [Unit(f"u{i}", f"S{1 + i % 2}", "C", f"B{i % 3}", rooms=r)
...       for i, r in enumerate([3, 1, 2, 2, 2, 1])]
>>> inst = build_instance(hs, us, Policy.default())
>>> sp = split(inst, seed=5, parts=2)
>>> [p.settlements for p in sp.parts]
[(0,), (1,)]
>>> results = [solve_part(inst, sp, p.key) for p in sp.parts]
>>> merged = merge(inst, sp, results, global_bound(inst))
>>> assignments_csv(merged) == assignments_csv(allocate(hs, us, seed=5))
True
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .core import Admission, Instance, Joint, admit, build_instance
from .explain import finish, housed_reasons
from .metrics import ideal_rooms_bound, upper_bound
from .model import Assignment, Household, Policy, Resident, Result, Unit
from .optimal import _unit_slots
from .planner import SettlementPlanner
from .reasons import Reason, english

#: households per (building, unit type) slot, in the order the matching gives them
SlotList = list[tuple[int, int, list[int]]]


@dataclass(frozen=True)
class Part:
    """Settlements solved together (indices into the instance's sorted settlements)."""

    key: int
    settlements: tuple[int, ...]
    households: int


@dataclass
class Split:
    """The admission (global) and the parts that may be solved independently."""

    seed: int
    admission: Admission
    parts: list[Part]
    _by_settlement: dict[int, list[int]] | None = field(default=None, repr=False, compare=False)

    def blocks_of(self, settlement: int) -> list[int]:
        """The blocks admitted into `settlement`, in admission order."""
        if self._by_settlement is None:
            self._by_settlement = {}
            where = self.admission.settlement_of_block.tolist()
            for bi in self.admission.order:
                if where[bi] >= 0:
                    self._by_settlement.setdefault(where[bi], []).append(bi)
        return self._by_settlement.get(settlement, [])

    def to_json(self) -> dict[str, Any]:
        adm = self.admission
        return {
            "seed": self.seed,
            "settlement_of_block": adm.settlement_of_block.tolist(),
            "demand_s": adm.demand_s.tolist(),
            "order": list(adm.order),
            "refusal": {str(i): [r.as_dict() for r in rs] for i, rs in adm.refusal.items()},
            "parts": [[p.key, list(p.settlements), p.households] for p in self.parts],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Split:
        """The split back from :meth:`to_json` (the same values, equal arrays)."""
        adm = Admission(
            settlement_of_block=np.array(data["settlement_of_block"], dtype=np.int64),
            demand_s=np.array(data["demand_s"], dtype=np.int64),
            refusal={
                int(i): [Reason.from_dict(r) for r in rs] for i, rs in data["refusal"].items()
            },
            order=[int(bi) for bi in data["order"]],
        )
        parts = [Part(int(k), tuple(int(s) for s in ss), int(n)) for k, ss, n in data["parts"]]
        return cls(int(data["seed"]), adm, parts)


@dataclass
class PartResult:
    """What a part returns: households per slot for each of its settlements, and its share
    of the placement and ideal-rooms bounds."""

    key: int
    slots: dict[int, SlotList]  # settlement -> [(building, type, households)]
    placement_bound: int
    ideal_rooms_bound: int
    #: household -> the sentence and the reasons of its unit
    explained: dict[int, tuple[str, tuple[Reason, ...]]]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "slots": {str(s): [[b, t, hs] for b, t, hs in sl] for s, sl in self.slots.items()},
            "placement_bound": self.placement_bound,
            "ideal_rooms_bound": self.ideal_rooms_bound,
            "explained": {
                str(i): [text, [r.as_dict() for r in why]]
                for i, (text, why) in self.explained.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PartResult:
        slots = {
            int(s): [(int(b), int(t), [int(i) for i in hs]) for b, t, hs in sl]
            for s, sl in data["slots"].items()
        }
        explained = {
            int(i): (str(text), tuple(Reason.from_dict(r) for r in why))
            for i, (text, why) in data["explained"].items()
        }
        return cls(
            int(data["key"]),
            slots,
            int(data["placement_bound"]),
            int(data["ideal_rooms_bound"]),
            explained,
        )


def split(inst: Instance, *, seed: int, parts: int) -> Split:
    """Admit families exactly as `allocate` does with `seed`, then share the settlements
    that received families out into at most `parts` parts of about equal households
    (largest settlement first into the lightest part; ties by index, so it is repeatable).

    >>> hs = [Household(f"h{i}", 2, destination=f"S{i % 3}") for i in range(6)]
    >>> us = [Unit(f"u{i}", f"S{i % 3}", "C", "B", rooms=2) for i in range(5)]
    >>> sp = split(build_instance(hs, us, Policy.default()), seed=1, parts=2)
    >>> [(p.settlements, p.households) for p in sp.parts]
    [((0, 2), 3), ((1,), 2)]
    """
    if parts < 1:
        raise ValueError("parts must be 1 or more")
    adm = admit(inst, np.random.default_rng(seed))
    load = np.zeros(len(inst.settlements), dtype=np.int64)
    for bi, s in enumerate(adm.settlement_of_block.tolist()):
        if s >= 0:
            load[s] += len(inst.blocks[bi].members)
    busy = sorted((s for s in range(len(load)) if load[s] > 0), key=lambda s: (-load[s], s))
    bins: list[list[int]] = [[] for _ in range(min(parts, len(busy)))]
    weight = [0] * len(bins)
    for s in busy:
        k = min(range(len(bins)), key=lambda i: (weight[i], i))
        bins[k].append(s)
        weight[k] += int(load[s])
    out = [Part(k, tuple(sorted(b)), weight[k]) for k, b in enumerate(bins)]
    return Split(seed, adm, out)


def solve_part(inst: Instance, sp: Split, key: int) -> PartResult:
    """Plan each settlement of part `key` (phases 1-3 of the planner: no addresses drawn),
    and the part's share of the bounds.

    Depends only on the instance and the split: two runs of a part, in any process, give
    equal results.
    """
    part = sp.parts[key]
    joint = Joint(inst.hall)
    slots = _unit_slots(inst)
    out: dict[int, SlotList] = {}
    unit_of = np.full(len(inst.households), -1, dtype=np.int64)
    for s in part.settlements:
        planner = SettlementPlanner(inst, s, sp.blocks_of(s), joint)
        planner.plan_villages()
        households_at = planner.match(planner.pack_groups())
        out[s] = [(b, t, hs) for (b, t), hs in households_at.items()]
        # any flat of the slot stands for the one the lottery will draw: the bounds only
        # read a flat's settlement, building, rooms and access, the same in one slot
        for (b, t), hs in households_at.items():
            for i, j in zip(hs, slots[(b, t)], strict=False):
                unit_of[i] = j
    where = sp.admission.settlement_of_block
    placed = np.where(np.isin(where, np.array(part.settlements, dtype=np.int64)), where, -1)
    housed = np.nonzero(unit_of >= 0)[0].tolist()
    # every admitted block is housed (the matching can always place it): the lowest
    # priority left out is the admission's
    lowest = min((b.priority for b in inst.blocks if where[b.index] < 0), default=np.inf)
    why = housed_reasons(inst, unit_of, housed, float(lowest))
    explained = {i: (english(why[i], housed=True), tuple(why[i])) for i in housed}
    bound = upper_bound(inst, placed)
    return PartResult(key, out, bound, _ideal_bound(inst, part, unit_of), explained)


def _ideal_bound(inst: Instance, part: Part, unit_of: np.ndarray) -> int:
    """The ideal-rooms bound over the part's settlements: its households and units only."""
    here = set(part.settlements)
    units = [u for j, u in enumerate(inst.units) if int(inst.u_settlement[j]) in here]
    housed = [i for i in range(len(inst.households)) if unit_of[i] >= 0]
    households = [inst.households[i] for i in housed]
    assignments = [
        Assignment(inst.households[i].household_id, inst.units[int(unit_of[i])].unit_id, "")
        for i in housed
    ]
    return ideal_rooms_bound(households, units, inst.policy, assignments)


def global_bound(inst: Instance) -> int:
    """The report's bound (metrics.upper_bound): inputs only, so it runs beside the parts."""
    return upper_bound(inst)


def merge(
    inst: Instance,
    sp: Split,
    results: Sequence[PartResult],
    bound: int,
    *,
    started: float | None = None,
) -> Result:
    """The single-process result from the parts: the addresses drawn by the one seeded
    stream, settlement by settlement (as `allocate` draws them), then the reasons and the
    report, with the bounds summed over the parts.

    Raises ValueError when a part is missing or given twice.
    """
    keys = sorted(r.key for r in results)
    if keys != [p.key for p in sp.parts]:
        raise ValueError(f"parts {keys} do not match the split's {len(sp.parts)} parts")
    t0 = time.perf_counter() if started is None else started
    rng = np.random.default_rng(sp.seed)
    rng.random(len(inst.blocks))  # the admission's draw, so the stream goes on as in allocate
    by_settlement: dict[int, SlotList] = {}
    for r in results:
        by_settlement.update(r.slots)
    slots = _unit_slots(inst)
    unit_of = np.full(len(inst.households), -1, dtype=np.int64)
    for s in sorted(by_settlement):
        households_at = {(b, t): hs for b, t, hs in by_settlement[s]}
        SettlementPlanner.draw_addresses(households_at, rng, slots, unit_of)
    admitted = {
        i
        for bi, s in enumerate(sp.admission.settlement_of_block.tolist())
        if s >= 0
        for i in inst.blocks[bi].members
    }
    if admitted != set(np.nonzero(unit_of >= 0)[0].tolist()):  # pragma: no cover - see above
        raise ValueError("the parts did not house exactly the admitted households")
    given = {
        "bound": bound,
        "placement_bound": sum(r.placement_bound for r in results),
        "ideal_rooms_bound": sum(r.ideal_rooms_bound for r in results),
    }
    explained: dict[int, tuple[str, tuple[Reason, ...]]] = {}
    for r in results:
        explained.update(r.explained)
    return finish(
        inst,
        unit_of,
        sp.admission,
        method="optimal",
        seed=sp.seed,
        started=t0,
        bounds=given,
        explained=explained,
    )


def allocate_in_parts(
    households: Sequence[Household],
    units: Sequence[Unit],
    policy: Policy | None = None,
    *,
    seed: int,
    parts: int,
    residents: Sequence[Resident] = (),
    order: Callable[[list[Part]], list[Part]] | None = None,
) -> Result:
    """Split, solve every part (in the order `order` gives, default as split), merge: in
    one process, the same bytes as `allocate`. For tests and the bench's reference.

    >>> from homecoming.allocation.engine import allocate, assignments_csv
    >>> hs = [Household(f"h{i}", 1 + i % 5, f"g{i // 3}") for i in range(12)]
    >>> us = [Unit(f"u{i}", f"S{i % 3}", "C", f"B{i % 4}", rooms=1 + i % 4) for i in range(12)]
    >>> a = allocate_in_parts(hs, us, seed=3, parts=2)
    >>> assignments_csv(a) == assignments_csv(allocate(hs, us, seed=3))
    True
    """
    started = time.perf_counter()
    inst = build_instance(households, units, policy or Policy.default(), residents)
    sp = split(inst, seed=seed, parts=parts)
    todo = order(list(sp.parts)) if order is not None else sp.parts
    results = [solve_part(inst, sp, p.key) for p in todo]
    return merge(inst, sp, results, global_bound(inst), started=started)
