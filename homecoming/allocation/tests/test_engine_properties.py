"""Property tests on random small instances: hard rules always hold; the bound is a bound."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecoming.allocation.engine import (
    Assignment,
    Household,
    Policy,
    Unit,
    allocate,
    check,
    lottery,
)
from homecoming.allocation.engine.metrics import score_parts


@st.composite
def instances(
    draw: st.DrawFn, max_h: int = 14, max_u: int = 14
) -> tuple[list[Household], list[Unit]]:
    n_h = draw(st.integers(1, max_h))
    n_u = draw(st.integers(0, max_u))
    hs = []
    for i in range(n_h):
        hs.append(
            Household(
                f"h{i}",
                size=draw(st.integers(1, 9)),
                group_id=draw(st.sampled_from([None, None, "g1", "g2", "g3"])),
                origin=draw(st.sampled_from([None, "V1", "V2"])),
                needs_accessible=draw(st.booleans()),
                priority=float(draw(st.integers(0, 2))),
                destination=draw(st.sampled_from([None, None, "S1", "S2", "S3"])),
            )
        )
    us = []
    for j in range(n_u):
        s = draw(st.sampled_from(["S1", "S2"]))
        us.append(
            Unit(
                f"u{j}",
                s,
                draw(st.sampled_from(["C1", "C2"])),
                draw(st.sampled_from(["B1", "B2"])),
                rooms=draw(st.integers(1, 6)),
                floor=draw(st.sampled_from([None, 0, 1, 2, 3])),
                accessible=draw(st.sampled_from([None, None, True, False])),
            )
        )
    return hs, us


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(0, 2**31))
def test_the_checker_always_passes_what_allocate_and_lottery_return(
    inst: tuple[list[Household], list[Unit]], seed: int
) -> None:
    hs, us = inst
    for fn in (allocate, lottery):
        r = fn(hs, us, seed=seed)
        assert check(hs, us, None, r.assignments) == []
        assert r.metrics["priority_violations"] == 0
        assert r.metrics["score"] <= r.metrics["placement_bound"] <= r.metrics["bound"]


@settings(max_examples=40, deadline=None)
@given(instances(), st.integers(0, 1000))
def test_the_same_seed_gives_the_same_assignments(
    inst: tuple[list[Household], list[Unit]], seed: int
) -> None:
    hs, us = inst
    a = allocate(hs, us, seed=seed).assignments
    b = allocate(hs, us, seed=seed).assignments
    assert a == b


def exhaustive_optimum(hs: list[Household], us: list[Unit], policy: Policy) -> int:
    best = 0
    options: list[str | None] = [None, *[u.unit_id for u in us]]
    for combo in itertools.product(options, repeat=len(hs)):
        chosen = [c for c in combo if c is not None]
        if len(chosen) != len(set(chosen)):
            continue
        rows = [Assignment(h.household_id, c, "") for h, c in zip(hs, combo, strict=True)]
        if check(hs, us, policy, rows):
            continue
        best = max(best, score_parts(hs, us, policy, rows)["score"])
    return best


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_h=4, max_u=4), st.integers(0, 1000))
def test_on_tiny_instances_the_bound_is_true_and_the_gap_is_honest(
    inst: tuple[list[Household], list[Unit]], seed: int
) -> None:
    hs, us = inst
    policy = Policy.default()
    r = allocate(hs, us, policy, seed=seed)
    opt = exhaustive_optimum(hs, us, policy)
    assert r.metrics["score"] == score_parts(hs, us, policy, r.assignments)["score"]
    assert opt <= r.metrics["bound"]
    assert r.metrics["score"] <= opt
    if r.metrics["bound"] > 0:
        assert (opt - r.metrics["score"]) / r.metrics["bound"] <= r.metrics["gap"] + 1e-9
    # the placement bound bounds every allocation housing the same households where we do
    housed = [a.unit_id is not None for a in r.assignments]
    settlement = {u.unit_id: u.settlement for u in us}
    where = [settlement[a.unit_id] if a.unit_id else None for a in r.assignments]
    same = 0
    options: list[str | None] = [None, *[u.unit_id for u in us]]
    for combo in itertools.product(options, repeat=len(hs)):
        if [c is not None for c in combo] != housed:
            continue
        if [settlement[c] if c else None for c in combo] != where:
            continue
        rows = [Assignment(h.household_id, c, "") for h, c in zip(hs, combo, strict=True)]
        if not check(hs, us, policy, rows):
            same = max(same, score_parts(hs, us, policy, rows)["score"])
    assert r.metrics["score"] <= same <= r.metrics["placement_bound"]
