"""The contract CLI: validation errors, determinism, --verify, the checker gate, no Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from homecoming.allocation.engine import Assignment, Result, cli

HOUSEHOLDS = """household_id,size,group_id,origin,needs_accessible,priority,destination,registered_on,note
h1,4,g1,V1,0,2,S1,2001-05-01,extra columns are ignored
h2,2,g1,V1,0,0,,2003-01-01,
h3,5,,V2,1,1,,,
h4,1,,V2,0,0,S1,,
h5,3,g2,V1,0,3,,1999-12-31,
h6,6,g2,V1,0,0,,,
"""
UNITS = """unit_id,settlement,complex,building,rooms,floor,accessible,area_m2
u1,S1,C1,B1,3,0,,70.5
u2,S1,C1,B1,2,1,,50
u3,S1,C1,B2,3,0,1,
u4,S1,C1,B2,4,2,,
u5,S1,C2,B1,2,3,0,
u6,S1,C2,B1,4,0,,
u7,S2,C1,B1,3,0,,
u8,S2,C1,B1,1,0,,
"""


def write(tmp: Path, households: str = HOUSEHOLDS, units: str = UNITS) -> tuple[Path, Path]:
    h = tmp / "households.csv"
    u = tmp / "units.csv"
    h.write_text(households)
    u.write_text(units)
    return h, u


def run(tmp: Path, *extra: str, seed: int = 5, out: str = "out.csv") -> int:
    h, u = tmp / "households.csv", tmp / "units.csv"
    argv = [
        "--households",
        str(h),
        "--units",
        str(u),
        "--seed",
        str(seed),
        "--out",
        str(tmp / out),
        *extra,
    ]
    return cli.main(argv)


@pytest.mark.parametrize(
    ("households", "units", "needle"),
    [
        (HOUSEHOLDS.replace(",size,", ",persons,"), UNITS, "households.csv:1: column 'size'"),
        (HOUSEHOLDS.replace("h3,5", "h1,5"), UNITS, "households.csv:4:1: column 'household_id'"),
        (HOUSEHOLDS.replace("h3,5", "h3,five"), UNITS, "households.csv:4:2: column 'size'"),
        (
            HOUSEHOLDS.replace("h3,5,,V2,1", "h3,5,,V2,yes"),
            UNITS,
            "households.csv:4:5: column 'needs_accessible'",
        ),
        (
            HOUSEHOLDS,
            UNITS.replace("u6,S1,C2,B1,4,0,,", "u6,S1,C2,B1,4,0,maybe,"),
            "units.csv:7:7: column 'accessible'",
        ),
        (HOUSEHOLDS, UNITS.replace("u4,", "u1,"), "units.csv:5:1: column 'unit_id'"),
        (HOUSEHOLDS.replace("h4,1", "h4,0"), UNITS, "households.csv:5:2: column 'size'"),
    ],
)
def test_it_names_file_line_and_column_of_a_bad_input_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], households: str, units: str, needle: str
) -> None:
    write(tmp_path, households, units)
    assert run(tmp_path, "--report", str(tmp_path / "r.json")) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "r.json").exists()


def test_it_writes_one_row_per_household_in_input_order_and_a_report(tmp_path: Path) -> None:
    write(tmp_path)
    assert run(tmp_path, "--report", str(tmp_path / "r.json")) == 0
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "household_id,unit_id,reason"
    assert [ln.split(",")[0] for ln in lines[1:]] == ["h1", "h2", "h3", "h4", "h5", "h6"]
    import json

    report = json.loads((tmp_path / "r.json").read_text())
    for key in (
        "households",
        "housed",
        "persons_housed",
        "units",
        "units_used",
        "groups",
        "groups_in_one_building",
        "groups_in_one_complex",
        "ideal_rooms_share",
        "seconds",
        "seed",
        "input_sha256",
        "bound",
        "gap",
    ):
        assert key in report
    assert set(report["input_sha256"]) == {"households", "units"}


def test_it_gives_byte_identical_output_for_the_same_seed(tmp_path: Path) -> None:
    write(tmp_path)
    assert run(tmp_path, out="a.csv") == 0
    assert run(tmp_path, out="b.csv") == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_it_draws_differently_with_another_seed(tmp_path: Path) -> None:
    units = "unit_id,settlement,complex,building,rooms\n" + "".join(
        f"u{i},S,C,B,3\n" for i in range(30)
    )
    households = "household_id,size\n" + "".join(f"h{i},4\n" for i in range(30))
    write(tmp_path, households, units)
    outs = set()
    for seed in (1, 2, 3):
        assert run(tmp_path, seed=seed, out=f"o{seed}.csv") == 0
        outs.add((tmp_path / f"o{seed}.csv").read_bytes())
    assert len(outs) > 1


@pytest.mark.parametrize("method", ["optimal", "lottery"])
def test_it_verifies_a_published_output_and_spots_a_changed_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], method: str
) -> None:
    write(tmp_path)
    assert run(tmp_path, "--method", method) == 0
    capsys.readouterr()
    assert run(tmp_path, "--method", method, "--verify") == 0
    assert "identical" in capsys.readouterr().out
    out = tmp_path / "out.csv"
    lines = out.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace("h3,", "h3,u8", 1) if "h3,," in lines[3] else "h3,,forged\n"
    out.write_text("".join(lines))
    assert run(tmp_path, "--method", method, "--verify") == 1
    assert "line 4" in capsys.readouterr().out
    assert run(tmp_path, "--method", method, "--verify", seed=6) in (0, 1)


def test_it_refuses_to_write_a_result_that_breaks_a_hard_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path)

    def broken(
        households: list[object], units: object, policy: object, *, seed: int, residents: object
    ) -> Result:
        return Result([Assignment(h.household_id, "u8", "x") for h in households])  # type: ignore[attr-defined]

    monkeypatch.setattr(cli, "allocate", broken)
    assert run(tmp_path) == 3
    assert "hard rule broken" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_it_reads_a_policy_file(tmp_path: Path) -> None:
    write(tmp_path)
    (tmp_path / "p.toml").write_text("[weights]\nideal = 5\n")
    assert run(tmp_path, "--policy", str(tmp_path / "p.toml")) == 0
    (tmp_path / "bad.toml").write_text("[weights]\nideal = -1\n")
    assert run(tmp_path, "--policy", str(tmp_path / "bad.toml"), out="x.csv") == 2
    assert not (tmp_path / "x.csv").exists()


def test_it_runs_as_a_module_and_imports_no_django(tmp_path: Path) -> None:
    write(tmp_path)
    code = (
        "import sys\n"
        "import homecoming.allocation.engine, homecoming.allocation.engine.cli\n"
        "assert 'django' not in sys.modules, 'django imported'\n"
        "sys.exit(homecoming.allocation.engine.cli.main(sys.argv[1:]))\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "--households",
            str(tmp_path / "households.csv"),
            "--units",
            str(tmp_path / "units.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "homecoming.allocation.engine.cli",
            "--households",
            str(tmp_path / "households.csv"),
            "--units",
            str(tmp_path / "units.csv"),
            "--out",
            str(tmp_path / "o2.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "o.csv").read_bytes() == (tmp_path / "o2.csv").read_bytes()
