"""Each household gets a plain-language reason: why this home, or why none."""

from __future__ import annotations

import pytest

from homecoming.allocation.engine import Household, Reason, Unit, allocate, lottery
from homecoming.allocation.engine.reasons import english


def reasons(households: list[Household], units: list[Unit]) -> dict[str, str]:
    r = allocate(households, units, seed=1)
    return {a.household_id: a.reason for a in r.assignments}


def building(b: str, rooms: list[int], settlement: str = "S1", floor: int = 0) -> list[Unit]:
    return [
        Unit(f"{b}-{i}", settlement, "C1", b, rooms=r, floor=floor) for i, r in enumerate(rooms)
    ]


def test_it_explains_size_group_building_and_priority() -> None:
    hs = [Household(f"g{i}", 5, group_id="G", origin="V1", priority=2) for i in range(5)]
    hs.append(Household("low", 5, priority=0))
    why = reasons(hs, building("B2", [3, 3, 3, 3, 3]) + building("B1", [2]))
    assert why["g0"].startswith("3 rooms for 5 persons, the ideal size")
    assert "with the 4 other households of your group in building B2" in why["g0"]
    assert "served before families of lower priority" in why["g0"]
    assert "with 4 other families from V1 in this complex" in why["g0"]
    assert why["low"] == "not housed in this run: no home of 3-4 rooms left at your priority"


def test_it_says_when_the_ideal_size_was_not_available() -> None:
    why = reasons([Household("a", 4)], building("B1", [2]))
    assert why["a"].startswith("2 rooms for 4 persons (the ideal 3 was not available)")


def test_it_explains_a_missing_step_free_home() -> None:
    units = building("B1", [3], floor=0) + building("B2", [3], floor=3)
    hs = [
        Household("first", 4, needs_accessible=True, priority=1),
        Household("second", 4, needs_accessible=True),
    ]
    why = reasons(hs, units)
    assert "step-free as needed" in why["first"]
    assert why["second"] == (
        "not housed in this run: no step-free home of 2-3 rooms left at your priority"
    )


def test_it_explains_a_destination_without_homes() -> None:
    why = reasons(
        [Household("a", 4, destination="S9"), Household("b", 8, destination="S1")],
        building("B1", [3]),
    )
    assert why["a"] == "not housed in this run: no home in your chosen destination S9"
    assert why["b"] == (
        "not housed in this run: there is no home of 4-5 rooms in your chosen destination S1"
    )


def test_it_explains_a_group_that_did_not_fit_in_one_settlement() -> None:
    units = building("B1", [3, 3], "S1") + building("B2", [3, 3], "S2")
    hs = [Household(f"g{i}", 4, group_id="G") for i in range(3)]
    why = reasons(hs, units)
    assert why["g0"] == (
        "not housed in this run: your group of 3 households did not fit together in one "
        "settlement at your priority"
    )


def test_it_explains_a_group_spread_over_buildings() -> None:
    units = building("B1", [3, 3]) + building("B2", [3, 3])
    hs = [Household(f"g{i}", 4, group_id="G") for i in range(3)]
    why = reasons(hs, units)
    assert "your group of 3 households is in complex C1, over 2 buildings" in why["g0"]


def test_the_lottery_explains_too() -> None:
    hs = [Household("a", 4), Household("b", 4)]
    r = lottery(hs, building("B1", [3]), seed=2)
    assert sum(a.reason.startswith("3 rooms for 4 persons") for a in r.assignments) == 1
    assert sum(a.reason.startswith("not housed") for a in r.assignments) == 1


def test_every_reason_is_also_data_whose_english_is_the_sentence() -> None:
    hs = [Household(f"g{i}", 5, group_id="G", origin="V1", priority=2) for i in range(5)]
    hs += [Household("low", 5), Household("far", 4, destination="S9")]
    hs.append(Household("step", 4, needs_accessible=True, priority=1))
    r = allocate(hs, building("B2", [3, 3, 3, 3, 3]) + building("B1", [2, 3]), seed=1)
    for a in r.assignments:
        assert a.reasons, a.household_id
        assert english(a.reasons, housed=a.unit_id is not None) == a.reason
    by_id = {a.household_id: a for a in r.assignments}
    assert [x.code for x in by_id["g0"].reasons] == [
        "rooms_ideal",
        "place",
        "group_building",
        "origin",
        "priority",
    ]
    assert by_id["g0"].reasons[2] == Reason("group_building", {"others": 4, "building": "B2"})
    assert by_id["g0"].reasons[1].params == {"building": "B2", "complex": "C1", "settlement": "S1"}
    assert by_id["far"].reasons == (Reason("no_destination", {"destination": "S9"}),)
    assert [x.code for x in by_id["step"].reasons][1] == "step_free"


def test_the_refusals_of_a_group_are_data_too() -> None:
    units = building("B1", [3, 3], "S1") + building("B2", [3, 3], "S2")
    hs = [Household(f"g{i}", 4, group_id="G") for i in range(3)]
    r = allocate(hs, units, seed=1)
    assert r.assignments[0].reasons == (Reason("group_no_room", {"households": 3}),)
    big = [Household("a", 9, group_id="H"), Household("b", 4, group_id="H")]
    r = allocate(big, building("B1", [3, 3]), seed=1)
    codes = {a.household_id: [x.code for x in a.reasons] for a in r.assignments}
    assert codes == {"a": ["none_exists", "group_all_or_none"], "b": ["group_member_unfit"]}


def test_an_unknown_reason_code_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown reason code"):
        english([Reason("made_up")], housed=True)
