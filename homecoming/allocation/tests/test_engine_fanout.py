"""The optimiser in parts (engine.fanout): split + solve + merge is `allocate`, byte for byte."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecoming.allocation.engine import (
    Household,
    Policy,
    Resident,
    Unit,
    allocate,
    assignments_csv,
    check,
)
from homecoming.allocation.engine.core import build_instance
from homecoming.allocation.engine.fanout import (
    PartResult,
    Split,
    allocate_in_parts,
    global_bound,
    merge,
    solve_part,
    split,
)

SETTLEMENTS = ["S1", "S2", "S3", "S4"]

Case = tuple[list[Household], list[Unit], list[Resident]]


@st.composite
def instances(draw: st.DrawFn, max_h: int = 18, max_u: int = 24) -> Case:
    """Families with and without a destination, kin groups, villages, followers; homes in
    up to four settlements of two complexes and two buildings each."""
    n_h = draw(st.integers(1, max_h))
    hs = [
        Household(
            f"h{i}",
            size=draw(st.integers(1, 8)),
            group_id=draw(st.sampled_from([None, None, "g1", "g2", "g3", "g4"])),
            origin=draw(st.sampled_from([None, "V1", "V2", "V3"])),
            needs_accessible=draw(st.booleans()),
            priority=float(draw(st.integers(0, 2))),
            destination=draw(st.sampled_from([None, None, *SETTLEMENTS, "S9"])),
        )
        for i in range(n_h)
    ]
    us = [
        Unit(
            f"u{j}",
            draw(st.sampled_from(SETTLEMENTS)),
            draw(st.sampled_from(["C1", "C2"])),
            draw(st.sampled_from(["B1", "B2"])),
            # few room counts and floors: several flats per slot, so the draw matters
            rooms=draw(st.integers(2, 4)),
            floor=draw(st.sampled_from([0, 2])),
        )
        for j in range(draw(st.integers(0, max_u)))
    ]
    rs = [
        Resident(f"r{k}", draw(st.sampled_from(SETTLEMENTS)), "C1", "B2", f"g{k % 4 + 1}")
        for k in range(draw(st.integers(0, 2)))
    ]
    return hs, us, rs


def _in_parts(case: Case, seed: int, parts: int, shuffle: int) -> bytes:
    """Split, solve the parts in a shuffled order, each result through JSON, merge."""
    hs, us, rs = case
    inst = build_instance(hs, us, Policy.default(), rs)
    sp = Split.from_json(json.loads(json.dumps(split(inst, seed=seed, parts=parts).to_json())))
    keys = [p.key for p in sp.parts]
    random.Random(shuffle).shuffle(keys)
    results = [
        PartResult.from_json(json.loads(json.dumps(solve_part(inst, sp, k).to_json())))
        for k in keys
    ]
    merged = merge(build_instance(hs, us, Policy.default(), rs), sp, results, global_bound(inst))
    assert check(hs, us, None, merged.assignments, rs) == []
    single = allocate(hs, us, seed=seed, residents=rs)
    assert {**merged.metrics, "seconds": 0} == {**single.metrics, "seconds": 0}
    assert merged.assignments == single.assignments
    return assignments_csv(merged)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(0, 2**31), st.integers(1, 5), st.integers(0, 1000))
def test_split_solve_and_merge_give_the_single_process_bytes(
    case: Case, seed: int, parts: int, shuffle: int
) -> None:
    hs, us, rs = case
    got = _in_parts(case, seed, parts, shuffle)
    assert got == assignments_csv(allocate(hs, us, seed=seed, residents=rs))


def test_it_splits_settlements_into_balanced_parts_that_cover_every_admitted_family() -> None:
    hs = [Household(f"h{i}", 2, destination=f"S{i % 5}") for i in range(40)]
    us = [Unit(f"u{j}", f"S{j % 5}", "C", "B", rooms=2) for j in range(30)]
    inst = build_instance(hs, us, Policy.default())
    sp = split(inst, seed=1, parts=2)
    assert sorted(s for p in sp.parts for s in p.settlements) == [0, 1, 2, 3, 4]
    assert sum(p.households for p in sp.parts) == 30  # six homes in each of five settlements
    assert abs(sp.parts[0].households - sp.parts[1].households) <= 6


def test_it_makes_no_more_parts_than_settlements_with_families() -> None:
    hs = [Household("a", 2, destination="S1")]
    us = [Unit("u1", "S1", "C", "B", rooms=2), Unit("u2", "S2", "C", "B", rooms=2)]
    sp = split(build_instance(hs, us, Policy.default()), seed=0, parts=8)
    assert [p.settlements for p in sp.parts] == [(0,)]


def test_a_merge_refuses_a_missing_or_repeated_part() -> None:
    hs = [Household(f"h{i}", 2, destination=f"S{i % 2}") for i in range(4)]
    us = [Unit(f"u{j}", f"S{j % 2}", "C", "B", rooms=2) for j in range(4)]
    inst = build_instance(hs, us, Policy.default())
    sp = split(inst, seed=0, parts=2)
    one = solve_part(inst, sp, 0)
    with pytest.raises(ValueError, match="do not match"):
        merge(inst, sp, [one], global_bound(inst))
    with pytest.raises(ValueError, match="do not match"):
        merge(inst, sp, [one, one], global_bound(inst))


def test_a_part_solved_twice_gives_equal_results() -> None:
    hs = [Household(f"h{i}", 1 + i % 6, f"g{i // 4}", f"V{i % 3}") for i in range(30)]
    us = [Unit(f"u{j}", f"S{j % 3}", f"C{j % 2}", f"B{j % 4}", 1 + j % 4) for j in range(30)]
    inst = build_instance(hs, us, Policy.default())
    sp = split(inst, seed=9, parts=3)
    assert [solve_part(inst, sp, p.key).to_json() for p in sp.parts] == [
        solve_part(build_instance(hs, us, Policy.default()), sp, p.key).to_json() for p in sp.parts
    ]


def test_the_programme_in_parts_matches_the_single_run_on_a_generated_programme() -> None:
    rng = random.Random(4)
    hs = [
        Household(
            f"h{i:03d}",
            rng.randint(1, 8),
            f"g{i // 3}" if i % 4 else None,
            f"V{rng.randint(0, 9)}",
            rng.random() < 0.1,
            float(rng.randint(0, 3)),
            rng.choice([None, "S0", "S1", "S2", "S3", "S4", "S5"]),
        )
        for i in range(300)
    ]
    us = [
        Unit(f"u{j:03d}", f"S{j % 6}", f"C{j % 4}", f"B{j % 8}", rng.choice([2, 3, 3, 4, 5]), j % 4)
        for j in range(280)
    ]
    single = allocate(hs, us, seed=77)
    for parts in (1, 2, 3, 6, 10):
        got = allocate_in_parts(hs, us, seed=77, parts=parts, order=lambda ps: ps[::-1])
        assert assignments_csv(got) == assignments_csv(single)
