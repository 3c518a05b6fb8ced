"""Dirty data is data (issue 15): a present-but-bad value keeps its record and is counted."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.registry.linkage.clean import clean_birth_date, clean_national_id, clean_sex
from homecoming.registry.linkage.cli import main, read_persons
from homecoming.registry.linkage.dedup import prepare

HEADER = "person_id,surname,given_name,patronymic,sex,birth_date,national_id,origin"
# Line numbers in the file: the header is line 1, person 1 is line 2.
DIRTY = """\
1,Məmmədov,Rəşid,Vəli oğlu,M,1961-03-05,5GXM4DZ,AZ0101
2,Мамедов,Рашид,Велиевич,M,1961-03-50,,AZ0101
3,Hüseynova,Aygün,Hüseyn qızı,F,1975-05-05,94FMODD,AZ0303
4,Гусейнова,Айгюн,Гусейн кызы,female,1975-05-05,,AZ0303
5,Əliyev,Elvin,Kamal oğlu,M,1993-11-02,,AZ0202
6,Алиев,Эльвин,Камалович,M,1993-00-00,,AZ0202
7,,Elnur,Kamal oğlu,M,1995,,AZ0202
8,Quliyev,,,M,05.03.1990,,AZ0404
9,Nəsirov,Fuad,,M,unknown,,AZ0505
10,Kərimova,Səbinə,Arif qızı,F,1955-11-92,XYZ,AZ0606
"""
EXPECTED_BAD = {
    "birth_date: impossible date (kept as a noisy string)": {"count": 2, "lines": [3, 11]},
    "birth_date: other form (read as YYYY-MM-DD)": {"count": 1, "lines": [9]},
    "birth_date: partial date (year kept)": {"count": 2, "lines": [7, 8]},
    "birth_date: unreadable (treated as missing)": {"count": 1, "lines": [10]},
    "given_name: empty (treated as missing)": {"count": 1, "lines": [9]},
    "national_id: not a FIN (treated as missing)": {"count": 2, "lines": [4, 11]},
    "sex: not M or F (treated as missing)": {"count": 1, "lines": [5]},
    "surname: empty (treated as missing)": {"count": 1, "lines": [8]},
}


def _run(tmp_path: Path, body: str) -> tuple[int, dict[str, str], dict[str, object]]:
    persons = tmp_path / "persons.csv"
    persons.write_text(HEADER + "\n" + body, encoding="utf-8")
    out, report = tmp_path / "c.csv", tmp_path / "r.json"
    status = main(["--persons", str(persons), "--out", str(out), "--report", str(report)])
    if status:
        return status, {}, {}
    with out.open(encoding="utf-8") as handle:
        clusters = {row["person_id"]: row["cluster_id"] for row in csv.DictReader(handle)}
    return status, clusters, json.loads(report.read_text(encoding="utf-8"))


def test_a_dirty_file_is_accepted_and_every_record_is_kept(tmp_path: Path) -> None:
    status, clusters, report = _run(tmp_path, DIRTY)
    assert status == 0
    assert list(clusters) == [str(i) for i in range(1, 11)]
    assert report["records"] == 10


def test_each_kind_of_bad_value_is_counted_with_its_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, report = _run(tmp_path, DIRTY)
    assert report["bad_values"] == EXPECTED_BAD
    err = capsys.readouterr().err
    assert "warning: " in err and "2 x birth_date: partial date (year kept) (lines 7, 8)" in err


def test_the_good_pairs_are_still_linked_despite_their_bad_values(tmp_path: Path) -> None:
    _, clusters, _ = _run(tmp_path, DIRTY)
    assert clusters["1"] == clusters["2"]  # one has an impossible date, a digit swap away
    assert clusters["3"] == clusters["4"]  # a FIN in the wrong form, sex written out
    assert clusters["5"] == clusters["6"]  # a partial date: the year still counts
    assert len({clusters[p] for p in ("1", "3", "5", "7", "8", "9", "10")}) == 7


def test_bad_values_reach_the_engine_as_missing_or_noisy(tmp_path: Path) -> None:
    persons = tmp_path / "persons.csv"
    persons.write_text(HEADER + "\n" + DIRTY, encoding="utf-8")
    columns, errors, _ = read_persons(persons)
    assert errors == []
    assert columns["birth_date"] == ["1961-03-05", "1961-03-50", "1975-05-05", "1975-05-05",
                                     "1993-11-02", "1993", "1995", "1990-03-05", "",
                                     "1955-11-92"]  # fmt: skip
    assert columns["sex"][3] == "" and columns["national_id"][2] == ""
    table = prepare(__import__("pandas").DataFrame(columns))
    assert table["dob"].isna().tolist()[5:7] == [True, True]  # missing (None or NaN)
    assert table["dob_year"].tolist()[5:7] == ["1993", "1995"]
    assert table["dob"][9] == "1955-11-92" and table["dob_year"][9] == "1955"


def test_a_dirty_value_does_not_stop_a_structural_error_from_being_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = _run(tmp_path, DIRTY + "10,Duplicate,Row,,X,1955-13-45,,\n")
    assert status == 2
    err = capsys.readouterr().err
    assert ":12: column person_id: duplicate person_id '10' (first on line 11)" in err
    assert "birth_date" not in err


_GARBAGE = ["", " ", "1955-11-92", "1955-00-00", "0000-00-00", "9999-99-99", "1955", "19",
            "2024-02-30", "31.02.1990", "1/1/1", "12345678", "99999999", "--", "٣١-١٢-١٩٩٠",
            "None", "nan", "Ə", "\x00", "1955-1-1", "1955-11", "x" * 200, "-1955-01-01"]  # fmt: skip


def test_random_bad_values_never_make_the_command_raise(tmp_path: Path) -> None:
    rng = random.Random(15)
    rows = []
    for i in range(60):
        cells = [rng.choice([*_GARBAGE, rng.choice(["Məmmədov", "Əli", "Rəşid"])])
                 for _ in range(7)]  # fmt: skip
        rows.append(",".join([str(i), *(f'"{c}"' for c in cells)]))
    status, clusters, report = _run(tmp_path, "\n".join(rows) + "\n")
    assert status == 0 and len(clusters) == 60
    assert isinstance(report["bad_values"], dict)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_the_cleaners_accept_any_text(text: str) -> None:
    value, kind = clean_birth_date(text)
    assert kind is not None or value == text.strip()
    assert value == "" or (value[:4].isascii() and value[:4].isdigit())
    clean_national_id(text)
    clean_sex(text)
