"""Followers: groups whose first families (residents) were housed in an earlier stage."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecoming.allocation.engine import (
    Assignment,
    Household,
    Resident,
    Unit,
    allocate,
    check,
    cli,
    lottery,
)

# Two settlements: S1 is the group's origin and roomier, S2 is where its residents live.
UNITS = [
    *(Unit(f"a{i}", "S1", "C1", "B1", rooms=r) for i, r in enumerate([2, 2, 3, 3, 2, 3])),
    Unit("b1", "S2", "C1", "B1", rooms=2),
    Unit("b2", "S2", "C1", "B1", rooms=3),
    Unit("b3", "S2", "C2", "B1", rooms=2),
    Unit("b4", "S2", "C2", "B1", rooms=3),
    Unit("b5", "S2", "C2", "B2", rooms=2),
    Unit("b6", "S2", "C2", "B2", rooms=3),
]


def where(result_units: list[Assignment], units: list[Unit] = UNITS) -> dict[str, Unit | None]:
    by_id = {u.unit_id: u for u in units}
    return {a.household_id: by_id[a.unit_id] if a.unit_id else None for a in result_units}


def test_a_group_with_residents_goes_to_their_settlement_not_to_its_origin() -> None:
    hs = [Household("f1", 3, "g", origin="S1"), Household("f2", 2, "g", origin="S1")]
    alone = where(allocate(hs, UNITS, seed=1).assignments)
    assert {u.settlement for u in alone.values() if u} == {"S1"}
    residents = [Resident("r1", "S2", "C2", "B2", "g")]
    for solve in (allocate, lottery):
        placed = where(solve(hs, UNITS, seed=1, residents=residents).assignments)
        assert {u.settlement for u in placed.values() if u} == {"S2"}


def test_followers_join_the_residents_building_where_it_has_room() -> None:
    hs = [Household("f1", 3, "g"), Household("f2", 2, "g"), Household("x", 2), Household("y", 3)]
    residents = [Resident("r1", "S2", "C2", "B2", "g")]
    result = allocate(hs, UNITS, seed=3, residents=residents)
    placed = where(result.assignments)
    assert {(u.complex, u.building) for k, u in placed.items() if k in ("f1", "f2") and u} == {
        ("C2", "B2")
    }
    m = result.metrics
    assert (m["followers"], m["followers_housed"], m["followers_with_residents_building"]) == (
        2,
        2,
        2,
    )
    assert m["followers_with_residents_complex"] == m["followers_with_residents_settlement"] == 2
    why = {a.household_id: a.reason for a in result.assignments}
    assert "next to your relatives, in building B2" in why["f1"]
    assert "relatives" not in why["x"]


def test_a_follower_alone_also_joins_its_residents() -> None:
    hs = [Household("x", 2), Household("f", 2, "g"), Household("y", 2)]
    for seed in range(5):
        placed = where(
            allocate(
                hs, UNITS, seed=seed, residents=[Resident("r", "S2", "C1", "B1", "g")]
            ).assignments
        )
        assert placed["f"] is not None
        assert (placed["f"].settlement, placed["f"].complex) == ("S2", "C1")


def test_the_complex_with_most_residents_is_preferred_when_their_building_is_full() -> None:
    # The residents' building B1 of C1 has one flat of the right size for two followers.
    hs = [Household("f1", 2, "g"), Household("f2", 2, "g")]
    residents = [
        Resident("r1", "S2", "C2", "B9", "g"),  # a building with no free flat in this run
        Resident("r2", "S2", "C2", "B8", "g"),
        Resident("r3", "S2", "C1", "B1", "g"),
    ]
    placed = where(allocate(hs, UNITS, seed=0, residents=residents).assignments)
    assert {u.complex for u in placed.values() if u} == {"C2"}


def test_a_members_own_destination_outweighs_the_residents_settlement() -> None:
    hs = [Household("f1", 3, "g", destination="S1"), Household("f2", 2, "g")]
    residents = [Resident("r1", "S2", "C2", "B2", "g")]
    result = allocate(hs, UNITS, seed=1, residents=residents)
    assert {u.settlement for u in where(result.assignments).values() if u} == {"S1"}
    assert check(hs, UNITS, None, result.assignments, residents) == []


def test_followers_are_not_housed_elsewhere_when_their_settlement_has_no_home_this_time() -> None:
    hs = [Household("f1", 3, "g")]
    result = allocate(hs, UNITS, seed=1, residents=[Resident("r1", "S7", "C1", "B1", "g")])
    assert result.assignments[0].unit_id is None
    assert "S7, where your group's first families live" in result.assignments[0].reason


def test_the_checker_catches_a_follower_housed_away_from_its_residents() -> None:
    hs = [Household("f1", 3, "g")]
    residents = [
        Resident("r1", "S2", "C2", "B2", "g"),
        Resident("r2", "S1", "C1", "B1", "g"),
        Resident("r3", "S2", "C1", "B1", "g"),
    ]
    violations = check(hs, UNITS, None, [Assignment("f1", "a2", "")], residents)
    assert [v.rule for v in violations] == ["residents-settlement"]
    assert "its residents live in S2" in str(violations[0])
    assert check(hs, UNITS, None, [Assignment("f1", "b2", "")], residents) == []


def test_a_run_without_residents_is_unchanged_by_empty_residents() -> None:
    hs = [Household(f"h{i}", 1 + i % 4, f"g{i % 3}" if i % 2 else None) for i in range(9)]
    assert (
        allocate(hs, UNITS, seed=5).assignments
        == allocate(hs, UNITS, seed=5, residents=[]).assignments
    )


@st.composite
def staged(draw: st.DrawFn) -> tuple[list[Household], list[Unit], list[Resident]]:
    hs = [
        Household(
            f"h{i}",
            size=draw(st.integers(1, 8)),
            group_id=draw(st.sampled_from([None, "g1", "g2", "g3"])),
            needs_accessible=draw(st.booleans()),
            priority=float(draw(st.integers(0, 2))),
            destination=draw(st.sampled_from([None, None, None, "S1", "S2"])),
        )
        for i in range(draw(st.integers(1, 12)))
    ]
    us = [
        Unit(
            f"u{j}",
            draw(st.sampled_from(["S1", "S2"])),
            draw(st.sampled_from(["C1", "C2"])),
            draw(st.sampled_from(["B1", "B2"])),
            rooms=draw(st.integers(1, 5)),
            floor=draw(st.sampled_from([0, 2])),
        )
        for j in range(draw(st.integers(0, 14)))
    ]
    rs = [
        Resident(
            f"r{k}",
            draw(st.sampled_from(["S1", "S2", "S3"])),
            draw(st.sampled_from(["C1", "C2", "C3"])),
            draw(st.sampled_from(["B1", "B2"])),
            draw(st.sampled_from([None, "g1", "g2", "g4"])),
        )
        for k in range(draw(st.integers(0, 5)))
    ]
    return hs, us, rs


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(staged(), st.integers(0, 2**31))
def test_every_hard_rule_holds_with_residents_for_both_methods(
    inst: tuple[list[Household], list[Unit], list[Resident]], seed: int
) -> None:
    hs, us, rs = inst
    for solve in (allocate, lottery):
        result = solve(hs, us, seed=seed, residents=rs)
        assert check(hs, us, None, result.assignments, rs) == []
        assert result.metrics["priority_violations"] == 0
        assert result.metrics["ideal_rooms"] <= result.metrics["ideal_rooms_bound"]
        assert result.metrics.get("followers", 0) == sum(
            1 for h in hs if h.group_id in {r.group_id for r in rs if r.group_id}
        )


HOUSEHOLDS_CSV = "household_id,size,group_id\nf1,3,g\nf2,2,g\nx,2,\n"
UNITS_CSV = "unit_id,settlement,complex,building,rooms\n" + "".join(
    f"{u.unit_id},{u.settlement},{u.complex},{u.building},{u.rooms}\n" for u in UNITS
)
RESIDENTS_CSV = "household_id,group_id,settlement,complex,building\nr1,g,S2,C2,B2\n"


def files(tmp: Path, residents: str = RESIDENTS_CSV) -> list[str]:
    for name, text in (
        ("households.csv", HOUSEHOLDS_CSV),
        ("units.csv", UNITS_CSV),
        ("residents.csv", residents),
    ):
        (tmp / name).write_text(text)
    return [
        "--households", str(tmp / "households.csv"),
        "--units", str(tmp / "units.csv"),
        "--residents", str(tmp / "residents.csv"),
        "--out", str(tmp / "out.csv"),
    ]  # fmt: skip


def test_the_cli_takes_residents_reports_followers_and_verifies_the_replay(tmp_path: Path) -> None:
    args = files(tmp_path)
    assert cli.main([*args, "--seed", "4", "--report", str(tmp_path / "report.json")]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["followers"] == 2 and report["followers_with_residents_building"] == 2
    assert set(report["input_sha256"]) == {"households", "units", "residents"}
    assert report["without_groups"]["housed"] >= report["housed"] - 2
    assert report["ideal_rooms"] <= report["ideal_rooms_bound"]
    assert cli.main([*args, "--seed", "4", "--verify"]) == 0
    # the same files without the residents give another allocation: --verify says so
    without = [a for a in args if a != str(tmp_path / "residents.csv") and a != "--residents"]
    assert cli.main([*without, "--seed", "4", "--verify"]) == 1


def test_the_cli_refuses_a_resident_listed_among_the_households(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = RESIDENTS_CSV + "f2,g,S2,C2,B2\n"
    assert cli.main(files(tmp_path, bad)) == 2
    err = capsys.readouterr().err
    assert "residents.csv:3:1: column 'household_id'" in err
    assert not (tmp_path / "out.csv").exists()


def test_the_cli_refuses_a_residents_file_without_a_building_column(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(files(tmp_path, "household_id,group_id,settlement,complex\nr1,g,S2,C2\n")) == 2
    assert "building" in capsys.readouterr().err
