"""Large settlements: districts of complexes bound the repair, whose tries are tested at once."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.allocation.engine import Household, Policy, Resident, Unit, allocate, check, packing
from homecoming.allocation.engine.core import Joint, admit, build_instance


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
    """A packing of the one settlement's admitted households, with the first `bound` of its
    kin groups bound where they fit best (planned into no complex)."""
    inst = build_instance(hs, us, Policy.default())
    adm = admit(inst, np.random.default_rng(0))
    admitted = [bi for bi in adm.order if adm.settlement_of_block[bi] == 0]
    complexes = np.arange(len(inst.complexes))
    complex_of: dict[int, int] = {}
    demand = np.zeros((len(complexes), inst.hall.n_classes), dtype=np.int64)
    rank = {bi: p for p, bi in enumerate(admitted)}
    p = packing.BuildingPacking(inst, Joint(inst.hall), complexes, demand, complex_of, rank)
    for bi in [bi for bi in admitted if inst.blocks[bi].multi][:bound]:
        p.bind_best(bi, p.everywhere)
    return p


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12))
def test_all_tries_at_once_agree_with_each_try_made_on_the_packing(seed: int, bound: int) -> None:
    hs = _families(40, seed)
    p = _packing(hs, _city(2, 3), bound)
    movers = [bi for bi in p.admission_rank if p.inst.blocks[bi].multi and bi not in p.building_of]
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


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12))
def test_the_settlement_total_is_what_it_is_recomputed_from_scratch(seed: int, n: int) -> None:
    p = _packing(_families(40, seed), _city(2, 3), n)
    for bi in sorted(p.bound_at)[::2]:  # unbind every other group, back into its complex
        p.unbind(bi, int(p.complex_at[p.bound_at[bi]]))
    unbound = sum(
        (p.inst.blocks[bi].demand for bi in p.admission_rank if bi not in p.bound_at),
        np.zeros(p.hall.n_classes, dtype=np.int64),
    )
    fresh = p.joint.slack(p.bound, p.supply)
    assert (p.slack == fresh).all()
    assert (p.settlement_total == p.joint.demand(unbound) + fresh.sum(axis=0)).all()
    assert (p.settlement_total <= 0).all()  # every binding kept the settlement fitting


def _no_complex_case() -> tuple[list[Household], list[Unit]]:
    # u (two families of 3: 2-3 rooms each) fits no complex, only the settlement: the two
    # 2-room flats are in C1/B1 and C2/B2. g (2 and 1 persons) is planned into C1, where B1
    # gives both their ideal rooms; bound there it would take the 2-room flat u needs.
    rooms = {("C1", "B1"): [2, 1], ("C1", "B4"): [1], ("C2", "B2"): [2], ("C2", "B3"): [1, 1]}
    us = [
        Unit(f"{b}-{i}", "S", c, b, rooms=r)
        for (c, b), rs in rooms.items()
        for i, r in enumerate(rs)
    ]
    hs = [
        Household("u1", 3, group_id="u"),
        Household("u2", 3, group_id="u"),
        Household("g1", 2, group_id="g"),
        Household("g2", 1, group_id="g"),
    ]
    return hs, us


def test_a_group_is_not_bound_where_it_would_take_the_room_of_a_group_of_no_complex() -> None:
    hs, us = _no_complex_case()
    r = allocate(hs, us, seed=1)
    assert check(hs, us, None, r.assignments) == []
    where = {a.household_id: a.unit_id for a in r.assignments}
    assert {where["u1"], where["u2"]} == {"B1-0", "B2-0"}
    assert where["g1"] is not None and where["g1"][:2] == where["g2"][:2] == "B3"  # type: ignore[index]
    assert r.metrics["groups_in_one_building"] == 1


def test_followers_stay_in_their_residents_complex_rather_than_together_elsewhere() -> None:
    # f's first family lives in C1; C1 has no building with two free flats, C2 has one.
    # Objective 2 ranks the residents' complex before one building elsewhere.
    us = [
        Unit("B1-0", "S", "C1", "B1", rooms=1),
        Unit("B2-0", "S", "C1", "B2", rooms=1),
        Unit("B3-0", "S", "C2", "B3", rooms=1),
        Unit("B3-1", "S", "C2", "B3", rooms=1),
    ]
    hs = [Household("f1", 1, group_id="f"), Household("f2", 1, group_id="f")]
    residents = [Resident("r", "S", "C1", "B1", "f")]
    r = allocate(hs, us, seed=1, residents=residents)
    assert check(hs, us, None, r.assignments, residents) == []
    assert {a.unit_id for a in r.assignments} == {"B1-0", "B2-0"}
    assert r.metrics["followers_with_residents_complex"] == 2
