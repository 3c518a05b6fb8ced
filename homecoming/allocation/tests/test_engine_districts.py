"""Large settlements: districts of complexes bound the repair, whose tries are tested at once."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.allocation.engine import Household, Policy, Unit, allocate, check, packing
from homecoming.allocation.engine.core import Joint, build_instance


def test_districts_are_runs_of_complexes_within_the_building_limit() -> None:
    got = packing.districts(np.array([4, 4, 4, 9, 2, 2, 2]), limit=8)
    assert got.tolist() == [0, 0, 1, 2, 3, 3, 3]


def test_a_settlement_within_the_limit_is_one_district() -> None:
    assert packing.districts(np.array([20, 20, 20]), limit=60).tolist() == [0, 0, 0]
    assert packing.districts(np.array([], dtype=np.int64), limit=60).tolist() == []


def _city(complexes: int, buildings: int) -> list[Unit]:
    rooms = [1, 2, 3, 3, 4, 2, 5, 3]
    return [
        Unit(f"C{c}-B{b}-{f}", "S", f"C{c}", f"B{b}", rooms=rooms[(c + b + f) % 8], floor=f % 3)
        for c in range(complexes)
        for b in range(buildings)
        for f in range(6)
    ]


def _families(n: int, seed: int) -> list[Household]:
    rng = np.random.default_rng(seed)
    out: list[Household] = []
    g = 0
    while len(out) < n:
        size = int(rng.integers(1, 5))
        for _ in range(size):
            out.append(
                Household(
                    f"H{len(out)}",
                    int(rng.integers(1, 9)),
                    group_id=f"G{g}" if size > 1 else None,
                    origin=f"V{int(rng.integers(4))}",
                    needs_accessible=bool(rng.random() < 0.1),
                )
            )
        g += 1
    return out[:n]


def _packing(hs: list[Household], us: list[Unit], bound: int) -> packing.BuildingPacking:
    """A packing of the one settlement with its first `bound` kin groups bound where they fit
    best, every group planned into complex C0."""
    inst = build_instance(hs, us, Policy.default())
    complexes = np.arange(len(inst.complexes))
    complex_of: dict[int, int] = {}
    demand = np.zeros((len(complexes), inst.hall.n_classes), dtype=np.int64)
    rank = {b.index: b.index for b in inst.blocks}
    p = packing.BuildingPacking(inst, Joint(inst.hall), complexes, demand, complex_of, rank)
    for b in [b for b in inst.blocks if b.multi][:bound]:
        p.bind_best(b.index, p.everywhere)
    return p


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12))
def test_all_tries_at_once_agree_with_each_try_made_on_the_packing(seed: int, bound: int) -> None:
    hs = _families(40, seed)
    p = _packing(hs, _city(2, 3), bound)
    movers = [b.index for b in p.inst.blocks if b.multi and b.index not in p.building_of]
    if not movers or not p.bound_at:
        return
    bi = movers[0]
    moved = sorted(p.bound_at)
    at = np.array([p.bound_at[h] for h in moved], dtype=np.int64)
    ok, slack = p._slacks_if_swapped(bi, moved, at)
    for i, (h, k) in enumerate(zip(moved, at.tolist(), strict=True)):
        c = int(p.complex_at[k])
        p.unbind(h, c)  # h free in its building's complex, as the try has it
        one_ok, one_slack = p.fitting(bi, np.array([k]))
        assert bool(one_ok[0]) == bool(ok[i])
        if ok[i]:
            assert (one_slack[0] == slack[i]).all()
        _, back = p.fitting(h, np.array([k]))
        p.bind(h, k, back[0])


def test_the_repair_of_a_large_settlement_keeps_to_the_district(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hs, us = _families(120, 4), _city(6, 4)
    monkeypatch.setattr(packing, "DISTRICT_BUILDINGS", 8)  # districts of two complexes
    moves: list[tuple[int, int, int]] = []  # districts of: bi's complex, k, h's new building
    swap = packing.BuildingPacking._swap

    def spy(self: packing.BuildingPacking, bi: int, h: int, k: int, s: np.ndarray) -> bool:
        own = self.complex_of.get(bi, -1)
        home = int(self.district_at[np.argmax(self.complex_at == own)]) if own >= 0 else -1
        done = swap(self, bi, h, k, s)
        if done:
            moves.append((home, int(self.district_at[k]), int(self.district_at[self.bound_at[h]])))
        return done

    monkeypatch.setattr(packing.BuildingPacking, "_swap", spy)
    first = allocate(hs, us, seed=5)
    assert check(hs, us, None, first.assignments) == []
    assert moves  # the case needs the repair
    assert all(a in (-1, b) and b == c for a, b, c in moves)
    again = allocate(hs, us, seed=5)
    assert [a.unit_id for a in again.assignments] == [a.unit_id for a in first.assignments]


def test_districts_change_nothing_in_a_settlement_within_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hs, us = _families(150, 11), _city(6, 4)
    wide = allocate(hs, us, seed=2)
    monkeypatch.setattr(packing, "DISTRICT_BUILDINGS", 24)  # exactly the settlement
    same = allocate(hs, us, seed=2)
    assert [a.reason for a in same.assignments] == [a.reason for a in wide.assignments]
    assert [a.unit_id for a in same.assignments] == [a.unit_id for a in wide.assignments]
