"""The checker catches every hard rule broken on purpose."""

from __future__ import annotations

from homecoming.allocation.engine import Assignment, Household, Unit, allocate, check

UNITS = [
    Unit("u1", "S1", "C1", "B1", rooms=3, floor=0),
    Unit("u2", "S1", "C1", "B1", rooms=3, floor=3),
    Unit("u3", "S2", "C9", "B1", rooms=3, floor=0),
    Unit("u4", "S1", "C1", "B2", rooms=1, floor=2),
]


def rules(households: list[Household], rows: list[tuple[str, str | None]]) -> set[str]:
    assignments = [Assignment(h, u, "") for h, u in rows]
    return {v.rule for v in check(households, UNITS, None, assignments)}


def test_it_accepts_a_valid_assignment() -> None:
    hs = [Household("a", 4), Household("b", 5)]
    assert rules(hs, [("a", "u1"), ("b", "u2")]) == set()


def test_it_refuses_a_unit_given_twice() -> None:
    hs = [Household("a", 4), Household("b", 4)]
    assert rules(hs, [("a", "u1"), ("b", "u1")]) == {"one-per-unit"}


def test_it_refuses_rooms_outside_the_band() -> None:
    hs = [Household("a", 4), Household("b", 1)]
    assert rules(hs, [("a", "u4"), ("b", None)]) == {"band"}


def test_it_refuses_stairs_for_a_household_needing_step_free_access() -> None:
    hs = [Household("a", 4, needs_accessible=True)]
    assert rules(hs, [("a", "u2")]) == {"accessible"}
    assert rules(hs, [("a", "u1")]) == set()


def test_it_treats_an_explicit_accessible_flag_as_final() -> None:
    units = [Unit("x", "S1", "C1", "B1", rooms=3, floor=0, accessible=False)]
    hs = [Household("a", 4, needs_accessible=True)]
    assert [v.rule for v in check(hs, units, None, [Assignment("a", "x", "")])] == ["accessible"]


def test_it_refuses_a_home_outside_the_chosen_destination() -> None:
    hs = [Household("a", 4, destination="S1")]
    assert rules(hs, [("a", "u3")]) == {"destination"}


def test_it_refuses_a_group_housed_in_part() -> None:
    hs = [Household("a", 4, group_id="g"), Household("b", 4, group_id="g")]
    assert rules(hs, [("a", "u1"), ("b", None)]) == {"group-all-or-none"}


def test_it_refuses_a_group_spread_over_two_settlements() -> None:
    hs = [Household("a", 4, group_id="g"), Household("b", 4, group_id="g")]
    assert rules(hs, [("a", "u1"), ("b", "u3")]) == {"group-one-settlement"}


def test_it_refuses_unknown_units_and_rows_out_of_order() -> None:
    hs = [Household("a", 4), Household("b", 4)]
    assert rules(hs, [("a", "nope"), ("b", None)]) == {"unknown-unit"}
    assert "rows" in rules(hs, [("b", None), ("a", None)])
    assert "rows" in rules(hs, [("a", None)])


def test_it_passes_what_the_optimiser_returns_on_a_small_town() -> None:
    hs = [
        Household(f"h{i}", 1 + i % 8, group_id=f"g{i // 3}", needs_accessible=i % 7 == 0)
        for i in range(12)
    ]
    r = allocate(hs, UNITS, seed=3)
    assert check(hs, UNITS, None, r.assignments) == []
