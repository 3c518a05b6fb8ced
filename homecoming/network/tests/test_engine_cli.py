"""The ``travel`` command: contract outputs and exit codes; the engine imports no Django."""

from __future__ import annotations

import csv
import doctest
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from homecoming.network.engine import read_network
from homecoming.network.engine.cli import main

DEMO = str(Path(__file__).resolve().parents[1] / "demo")


def test_the_engine_and_its_cli_import_no_django() -> None:
    code = (
        "import sys, homecoming.network.engine, homecoming.network.engine.cli, "
        "homecoming.network.engine.synthetic; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "module", ["errors", "model", "readers", "graph", "scenario", "cli", "synthetic", "__init__"]
)
def test_the_docstring_examples_run(module: str) -> None:
    name = "homecoming.network.engine" + ("" if module == "__init__" else f".{module}")
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0 and result.attempted > 0


def test_route_prints_minutes_km_and_the_sequence(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["route", "--network", DEMO, "--from", "kalbajar", "--to", "ganja", "--on", "2026-01-15"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "89.4 min" in out and "84.0 km" in out
    assert "murovdag-tunnel" in out and "Toganali [toganali]" in out


def test_route_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "route",
                "--network",
                DEMO,
                "--from",
                "kalbajar",
                "--to",
                "ganja",
                "--on",
                "2026-01-15",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert 80 <= data["minutes"] <= 100 and data["nodes"][0] == "kalbajar"
    assert len(data["edges"]) == len(data["nodes"]) - 1


def test_route_with_planned_uses_the_highway(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "route",
                "--network",
                DEMO,
                "--from",
                "kalbajar",
                "--to",
                "lachin",
                "--on",
                "2026-01-15",
                "--with-planned",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["edges"] == ["kalbajar-lachin-highway"]


def test_an_unreachable_route_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nodes.csv").write_text("node_id,name,lat,lon,kind\na,A,0,0,x\nb,B,0,1,x\n")
    (tmp_path / "edges.csv").write_text(
        "edge_id,from,to,mode,length_km,speed_kmh,closed_months\ne,a,b,pass,5,30,1\n"
    )
    assert (
        main(
            ["route", "--network", str(tmp_path), "--from", "a", "--to", "b", "--on", "2026-01-02"]
        )
        == 1
    )
    assert "no usable route" in capsys.readouterr().err


def test_a_bad_file_exits_2_naming_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nodes.csv").write_text("node_id,name,lat,lon,kind\na,A,0,0,x\nb,B,zero,1,x\n")
    (tmp_path / "edges.csv").write_text("edge_id,from,to,mode,length_km,speed_kmh\n")
    out = tmp_path / "m.csv"
    assert main(["matrix", "--network", str(tmp_path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nodes.csv, line 3, column lat" in err
    assert not out.exists()  # refused before any work


def test_bad_arguments_and_unknown_nodes_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--network", DEMO, "--from", "kalbajar", "--to", "atlantis"]) == 2
    assert "atlantis" in capsys.readouterr().err
    assert (
        main(
            [
                "route",
                "--network",
                DEMO,
                "--from",
                "kalbajar",
                "--to",
                "ganja",
                "--on",
                "15/01/2026",
            ]
        )
        == 2
    )
    assert main(["teleport"]) == 2
    assert main(["compare", "--network", DEMO, "--scenario", "x.csv", "--out", "y.csv"]) == 2


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_matrix_has_every_ordered_pair_self_zero_and_empty_when_unreachable(tmp_path: Path) -> None:
    net = read_network(DEMO)
    settlements = net.ids_of_kind("settlement")
    out = tmp_path / "matrix.csv"
    assert main(["matrix", "--network", DEMO, "--on", "2026-01-15", "--out", str(out)]) == 0
    rows = read_csv(out)
    assert list(rows[0]) == ["source", "target", "minutes"]
    assert [(r["source"], r["target"]) for r in rows] == [
        (s, t) for s in settlements for t in settlements
    ]
    assert all(float(r["minutes"]) == 0 for r in rows if r["source"] == r["target"])
    kg = next(r for r in rows if (r["source"], r["target"]) == ("kalbajar", "ganja"))
    assert 80 <= float(kg["minutes"]) <= 100
    # A one-way-only node: nothing leads back to it, so its column is empty elsewhere.
    (tmp_path / "only.csv").write_text("node_id\nlachin-cableway-top\nlachin\n")
    (tmp_path / "lonely").mkdir()
    (tmp_path / "lonely" / "nodes.csv").write_text(
        "node_id,name,lat,lon,kind\na,A,0,0,settlement\nb,B,0,1,settlement\nc,C,1,1,settlement\n"
    )
    (tmp_path / "lonely" / "edges.csv").write_text(
        "edge_id,from,to,mode,length_km,speed_kmh,oneway\ne,a,b,road,5,30,1\n"
    )
    assert (
        main(
            [
                "matrix",
                "--network",
                str(tmp_path / "lonely"),
                "--on",
                "2026-01-15",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    minutes = {(r["source"], r["target"]): r["minutes"] for r in read_csv(out)}
    assert len(minutes) == 9
    assert minutes[("a", "b")] == "10.00" and minutes[("b", "a")] == ""
    assert minutes[("c", "a")] == "" and minutes[("c", "c")] == "0.00"


def test_matrix_reads_sources_and_targets_files(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("node_id\nkalbajar\n")
    (tmp_path / "t.csv").write_text("node_id\nganja-hospital\nkalbajar-centre\n")
    out = tmp_path / "m.csv"
    assert (
        main(
            [
                "matrix",
                "--network",
                DEMO,
                "--on",
                "2026-07-01",
                "--sources",
                str(tmp_path / "s.csv"),
                "--targets",
                str(tmp_path / "t.csv"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert [(r["source"], r["target"]) for r in read_csv(out)] == [
        ("kalbajar", "ganja-hospital"),
        ("kalbajar", "kalbajar-centre"),
    ]


def test_compare_writes_the_pairs_that_change(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.csv"
    scenario.write_text(
        "action,edge_id,from,to,mode,length_km,speed_kmh\nremove,murovdag-tunnel,,,,,\n"
    )
    out = tmp_path / "changes.csv"
    assert (
        main(
            [
                "compare",
                "--network",
                DEMO,
                "--on",
                "2026-01-15",
                "--scenario",
                str(scenario),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    rows = {(r["source"], r["target"]): r for r in read_csv(out)}
    assert list(next(iter(rows.values()))) == [
        "source",
        "target",
        "minutes_before",
        "minutes_after",
        "saved",
    ]
    kg = rows[("kalbajar", "ganja")]
    assert 80 <= float(kg["minutes_before"]) <= 100 and float(kg["minutes_after"]) > 200
    assert float(kg["saved"]) == pytest.approx(
        float(kg["minutes_before"]) - float(kg["minutes_after"]), abs=0.011
    )
    assert all(s != t for s, t in rows)
    scenario.write_text("action,edge_id\nremove,no-such-edge\n")
    assert (
        main(
            [
                "compare",
                "--network",
                DEMO,
                "--on",
                "2026-01-15",
                "--scenario",
                str(scenario),
                "--out",
                str(out),
            ]
        )
        == 2
    )


def test_the_module_runs_as_a_command() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "homecoming.network.engine.cli",
            "route",
            "--network",
            DEMO,
            "--from",
            "kalbajar",
            "--to",
            "ganja",
            "--on",
            "2026-01-15",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "Kalbajar -> Gəncə" in done.stdout
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "homecoming.network.engine.cli",
            "route",
            "--network",
            "/nonexistent",
            "--from",
            "a",
            "--to",
            "b",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "/nonexistent" in done.stderr
