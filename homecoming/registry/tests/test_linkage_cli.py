"""The ``homecoming dedup`` contract: persons.csv in any script to clusters.csv."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from homecoming.registry.linkage.cli import main

HEADER = (
    "person_id,surname,given_name,patronymic,sex,birth_date,national_id,household_id,origin,phone"
)
PERSONS = """\
1,Məmmədov,Rəşid,Vəli oğlu,M,1961-03-05,5GXM4DZ,H1,AZ0101,+994501234567
2,Мамедов,Рашид,Велиевич,M,1961-03-05,,H7,AZ0101,
3,Мәммәдов,Рәшид,Вәли оғлу,,1961-03-05,5GXM4DZ,,AZ0101,
4,Mammadov,Rashid,Vali oglu,M,,,,AZ0101,
5,Məmmədova,Leyla,Rəşid qızı,F,1990-07-12,,H1,AZ0101,+994501234567
6,Мамедова,Лейла,Рашидовна,F,1990-07-12,,,AZ0101,
7,Məmmədov,Elvin,Rəşid oğlu,M,1993-02-20,,H1,AZ0101,+994501234567
8,Əliyev,Elvin,Kamal oğlu,M,1993-11-02,,H9,AZ0202,
9,Алиев,Эльвин,Камалович,M,1993-11-02,,,AZ0202,
10,Hüseynova,Aygün,,F,1975-05-05,,,AZ0303,
11,Elvin,Aliyev,Kamal oglu,M,1993-11-02,,,AZ0202,
12,Гусейнова,Айгюн,Гусейн кызы,F,1975-05-05,,,AZ0303,
13,Quliyev,Elvin,Kamal oğlu,M,1995-06-14,,,AZ0202,
"""
EXPECTED = [{"1", "2", "3", "4"}, {"5", "6"}, {"7"}, {"8", "9", "11"}, {"10", "12"}, {"13"}]


def _write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "persons.csv"
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


def _clusters(out: Path) -> list[set[str]]:
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    groups: dict[str, set[str]] = {}
    for row in rows:
        groups.setdefault(row["cluster_id"], set()).add(row["person_id"])
    return sorted(groups.values(), key=lambda g: min(int(x) for x in g))


def test_it_clusters_one_person_written_in_three_scripts(tmp_path: Path) -> None:
    persons, out, report = _write(tmp_path, PERSONS), tmp_path / "c.csv", tmp_path / "r.json"
    status = main(["--persons", str(persons), "--out", str(out), "--report", str(report)])
    assert status == 0
    assert _clusters(out) == EXPECTED
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["person_id", "cluster_id", "match_probability"]
    assert [r["person_id"] for r in rows] == [str(i) for i in range(1, 14)]
    alone = {r["person_id"]: float(r["match_probability"]) for r in rows}
    assert alone["7"] == 1.0 and alone["13"] == 1.0
    assert all(0.9 <= p <= 1.0 for p in alone.values())
    data = json.loads(report.read_text(encoding="utf-8"))
    assert {"records", "clusters", "pairs_compared", "seconds", "blocking_rules"} <= set(data)
    assert data["records"] == 13 and data["clusters"] == len(EXPECTED)
    assert data["pairs_compared"] > 0 and isinstance(data["blocking_rules"], list)


def test_it_accepts_the_dedup_subcommand_word_and_a_threshold(tmp_path: Path) -> None:
    persons, out = _write(tmp_path, PERSONS), tmp_path / "c.csv"
    assert main(["dedup", "--persons", str(persons), "--out", str(out),
                 "--threshold", "0.999999999"]) == 0  # fmt: skip
    strict = _clusters(out)
    assert len(strict) >= len(EXPECTED)


def test_extra_columns_and_missing_optional_columns_are_fine(tmp_path: Path) -> None:
    persons = _write(tmp_path, "1,Məmmədov,Rəşid,x\n2,Мамедов,Рашид,y\n",
                     header="person_id,surname,given_name,note")  # fmt: skip
    out = tmp_path / "c.csv"
    assert main(["--persons", str(persons), "--out", str(out)]) == 0
    assert len(_clusters(out)) in (1, 2)


@pytest.mark.parametrize(
    ("header", "body", "where"),
    [
        ("person_id,given_name", "1,Rəşid\n", ":1: column surname: missing required column"),
        (HEADER, "1,Məmmədov,Rəşid,,M,,,,,\n1,Мамедов,Рашид,,M,,,,,\n",
         ":3: column person_id: duplicate person_id '1' (first on line 2)"),
        (HEADER, "1,Məmmədov,Rəşid,,M,,,,,\n,Мамедов,Рашид,,M,,,,,\n",
         ":3: column person_id: empty person_id"),
        (HEADER, "1,Məmmədov,Rəşid,,M,,,,,\n2,Mam\udcff,Rashid,,M,,,,,\n", ":3: not valid UTF-8"),
    ],
)  # fmt: skip
def test_a_structurally_bad_file_writes_nothing_and_says_what_and_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, body: str, where: str
) -> None:
    path = tmp_path / "persons.csv"
    path.write_bytes((header + "\n" + body).encode("utf-8", "surrogateescape"))
    out, report = tmp_path / "c.csv", tmp_path / "r.json"
    status = main(["--persons", str(path), "--out", str(out), "--report", str(report)])
    assert status == 2
    assert not out.exists() and not report.exists()
    assert list(tmp_path.iterdir()) == [path]
    err = capsys.readouterr().err
    assert f"{path}{where}" in err


def test_every_structural_error_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "1,A,B,,,,,,,\n,C,D,,M,,,,,\n1,E,F,,M,,,,,\n"
    persons = _write(tmp_path, body)
    assert main(["--persons", str(persons), "--out", str(tmp_path / "c.csv")]) == 2
    err = capsys.readouterr().err
    assert ":3: column person_id: empty" in err and ":4: column person_id: duplicate" in err
    assert "2 error(s), nothing written" in err


def test_an_existing_output_is_left_alone_when_the_input_is_bad(tmp_path: Path) -> None:
    persons = _write(tmp_path, "1,A,B,,M,,,,,\n1,A,B,,M,,,,,\n")
    out = tmp_path / "c.csv"
    out.write_text("previous\n", encoding="utf-8")
    assert main(["--persons", str(persons), "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_a_missing_file_or_a_bad_threshold_exits_with_status_2(tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    assert main(["--persons", str(tmp_path / "none.csv"), "--out", str(out)]) == 2
    persons = _write(tmp_path, PERSONS)
    assert main(["--persons", str(persons), "--out", str(out), "--threshold", "1.5"]) == 2
    assert not out.exists()


def test_the_same_file_gives_the_same_clusters_every_time(tmp_path: Path) -> None:
    persons = _write(tmp_path, PERSONS)
    first, second = tmp_path / "1.csv", tmp_path / "2.csv"
    assert main(["--persons", str(persons), "--out", str(first)]) == 0
    assert main(["--persons", str(persons), "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_the_engine_and_its_cli_import_without_django() -> None:
    code = (
        "import sys, homecoming.registry.linkage, homecoming.registry.linkage.cli, "
        "homecoming.registry.linkage.dedup, homecoming.registry.linkage.names\n"
        "assert 'django' not in sys.modules, 'django imported'\n"
    )
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_the_cli_runs_as_a_module(tmp_path: Path) -> None:
    persons, out = _write(tmp_path, PERSONS), tmp_path / "c.csv"
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run(
        [sys.executable, "-m", "homecoming.registry.linkage.cli", "--persons", str(persons),
         "--out", str(out)],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert _clusters(out) == EXPECTED
