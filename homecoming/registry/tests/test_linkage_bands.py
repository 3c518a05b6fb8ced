"""Three bands (issue 15): auto-link, review, no-link; agreements in words; feedback.

Engine only: no database.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from homecoming.registry.linkage.agreements import describe, verdicts
from homecoming.registry.linkage.bands import (
    DEFAULT_AUTO_THRESHOLD,
    budget_pairs,
    select_review,
    widest_clusters,
)
from homecoming.registry.linkage.cli import main
from homecoming.registry.linkage.dedup import dedup
from homecoming.registry.linkage.feedback import adjust, probability, read_labels

from .test_linkage_cli import HEADER, PERSONS

# Records whose evidence is thin: the same names and father with other birth dates (a
# namesake?), or one without a birth date. They should land in the review band, not in a
# cluster.
THIN = """\
21,Həsənov,Tural,Elçin oğlu,M,1988-04-11,,H21,AZ0404,
25,Babayev,Orxan,Vüqar oğlu,M,1990-09-09,,H25,AZ0606,
26,Babayev,Orxan,Vüqar oğlu,M,1991-03-12,,H26,AZ0808,
27,Kərimova,Səbinə,Arif qızı,F,1979-02-02,,H27,AZ0110,
28,Kərimova,Səbinə,Arif qızı,F,,,H28,AZ0111,
"""


def _frame(body: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(HEADER + "\n" + body), dtype=str).fillna("")


def test_candidates_inside_one_cluster_or_already_decided_are_not_reviewed() -> None:
    picks = select_review(
        [("1", "2", 0.5, "1", "1"), ("3", "4", 0.5, "3", "4"), ("5", "6", 0.6, "5", "6")],
        {"1": 2},
        records=10,
        budget=1.0,
        decided={frozenset(("4", "3"))},
    )
    assert [(p.person_id_l, p.person_id_r) for p in picks] == [("5", "6")]


def test_the_review_band_is_ranked_by_expected_benefit_and_cut_at_the_budget() -> None:
    candidates = [
        ("a", "b", 0.3, "a", "b"),  # 0.3 x 1 x 1
        ("c", "d", 0.5, "c", "d"),  # 0.5 x 3 x 1 = 1.5: merges a cluster of three
        ("e", "f", 0.9, "e", "f"),  # 0.9
    ]
    picks = select_review(candidates, {"c": 3}, records=20, budget=0.1)
    assert [p.person_id_l for p in picks] == ["c", "e"]
    assert [p.benefit for p in picks] == [1.5, 0.9]
    assert budget_pairs(20, 0.1) == 2


def test_one_cluster_cannot_take_more_than_its_share_of_the_review_band() -> None:
    candidates = [("h", str(i), 0.5, "h", str(i)) for i in range(10)]
    picks = select_review(candidates, {}, records=100, budget=1.0, per_cluster=3)
    assert len(picks) == 3


def test_accepting_every_review_pair_on_top_of_the_clusters_gives_the_widest_clustering() -> None:
    frame = _frame(PERSONS + THIN)
    result = dedup(frame, review_budget=1.0, seed=1)
    auto = [(a.person_id, a.cluster_id) for a in result.clusters]
    review = [(p.person_id_l, p.person_id_r) for p in result.review]
    assert review, "thin-evidence pairs go to review"
    wide = widest_clusters(auto, review)
    # Every review pair joins two different auto clusters, and the widest clustering is the
    # one a threshold at the bottom of the review band would give on these links.
    cluster_of = dict(auto)
    assert all(cluster_of[a] != cluster_of[b] for a, b in review)
    low = dedup(frame, threshold=0.1, review_threshold=0.1, seed=1)
    low_groups = {frozenset(p for p, c in auto if wide[p] == w) for w in set(wide.values())}
    by_low: dict[str, set[str]] = {}
    for a in low.clusters:
        by_low.setdefault(a.cluster_id, set()).add(a.person_id)
    assert low_groups == {frozenset(g) for g in by_low.values()}


def test_the_auto_band_keeps_only_links_at_or_above_its_threshold() -> None:
    result = dedup(_frame(PERSONS + THIN), seed=1)
    assert result.threshold == DEFAULT_AUTO_THRESHOLD
    linked = [a for a in result.clusters if a.match_probability < 1.0]
    assert all(a.match_probability >= DEFAULT_AUTO_THRESHOLD for a in linked)
    assert all(p.match_probability < DEFAULT_AUTO_THRESHOLD for p in result.review)
    counts = result.bands
    assert (
        counts["auto"]["pairs_scored"]
        + counts["review"]["pairs_scored"]
        + counts["no_link"]["pairs_scored"]
        == result.pairs_compared
    )


def test_agreements_say_what_agrees_and_what_does_not_per_field() -> None:
    levels = {"name": "surname only", "father": "exact", "dob": "one typo", "sex": "exact",
              "fin": "null", "origin": "else"}  # fmt: skip
    assert verdicts(levels)["given name"] == "differ"
    assert describe(levels) == (
        "agree: surname, father, sex; close: birth date; differ: given name, origin; missing: ID"
    )


def test_a_review_pair_carries_its_agreements_in_words() -> None:
    result = dedup(_frame(PERSONS + THIN), review_budget=1.0, seed=1)
    pair = next(p for p in result.review if {p.person_id_l, p.person_id_r} == {"27", "28"})
    assert pair.agreements == (
        "agree: surname, given name, father, sex; differ: origin; missing: birth date, ID"
    )


def test_confirmed_pairs_raise_the_weight_of_the_levels_they_sit_at() -> None:
    params: dict[str, Any] = {"prior": 0.001, "dob/exact": [0.9, 0.001], "dob/null": [0.0, 0.0],
              "dob/else": [0.1, 0.999]}  # fmt: skip
    before = probability(params, {"dob": "else"})
    after = adjust(params, [({"dob": "else"}, True)] * 30)
    assert after["dob/else"][0] > params["dob/else"][0]
    assert probability(after, {"dob": "else"}) > before
    assert adjust(params, []) == params


def test_rejected_pairs_lower_the_prior_when_the_model_was_overconfident() -> None:
    params = {"prior": 0.5, "dob/exact": [0.9, 0.1], "dob/else": [0.1, 0.9]}
    after = adjust(params, [({"dob": "exact"}, False)] * 10)
    assert after["prior"] < params["prior"]
    assert after["dob/exact"] == params["dob/exact"]  # no confirmed pair: m unchanged


def test_decided_pairs_adjust_the_model_and_are_not_proposed_again() -> None:
    frame = _frame(PERSONS + THIN)
    first = dedup(frame, review_budget=1.0, seed=1)
    decided = {frozenset((p.person_id_l, p.person_id_r)): True for p in first.review}
    again = dedup(frame, review_budget=1.0, seed=1, labels=decided)
    assert again.labels_used == len(decided)
    assert not {frozenset((p.person_id_l, p.person_id_r)) for p in again.review} & set(decided)
    assert again.parameters != first.parameters


def test_a_labels_file_with_a_bad_line_names_it(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("person_id_l,person_id_r,same\n1,2,yes\n3,4,maybe\n5,,1\n", "utf-8")
    labels, errors = read_labels(path)
    assert labels == {frozenset(("1", "2")): True}
    assert [(e.line, e.column) for e in errors] == [(3, "same"), (4, "person_id_r")]


def _run(tmp_path: Path, *extra: str) -> tuple[int, Path, Path, Path]:
    persons = tmp_path / "persons.csv"
    persons.write_text(HEADER + "\n" + PERSONS + THIN, encoding="utf-8")
    out, review, report = tmp_path / "c.csv", tmp_path / "review.csv", tmp_path / "r.json"
    status = main(["--persons", str(persons), "--out", str(out), "--review", str(review),
                   "--report", str(report), "--seed", "1", *extra])  # fmt: skip
    return status, out, review, report


def test_the_command_writes_the_review_band_most_useful_first(tmp_path: Path) -> None:
    status, _, review, report = _run(tmp_path, "--review-budget", "1")
    assert status == 0
    text = review.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "person_id_l,person_id_r,match_probability,agreements"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    for row in rows:
        assert 0.1 <= float(row["match_probability"]) < DEFAULT_AUTO_THRESHOLD
        assert row["agreements"].startswith(("agree:", "swapped:", "close:"))
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert figures["bands"]["review"]["pairs"] == len(rows) == figures["review_pairs"]
    assert figures["bands"]["auto"]["from"] == DEFAULT_AUTO_THRESHOLD
    assert figures["bands"]["review"]["from"] == 0.1


def test_the_review_budget_caps_the_review_file(tmp_path: Path) -> None:
    status, _, review, report = _run(tmp_path, "--review-budget", "0.05")
    assert status == 0
    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    assert len(rows) == 1  # 18 records x 0.05, at least one
    assert json.loads(report.read_text(encoding="utf-8"))["review_pairs_per_record"] == round(
        1 / 18, 4
    )


def test_a_higher_review_threshold_leaves_the_weaker_pairs_out(tmp_path: Path) -> None:
    _, _, review, _ = _run(tmp_path, "--review-budget", "1", "--review-threshold", "0.6")
    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    assert all(float(r["match_probability"]) >= 0.6 for r in rows)


def test_the_command_reads_decisions_and_does_not_propose_them_again(tmp_path: Path) -> None:
    _, _, review, _ = _run(tmp_path, "--review-budget", "1")
    first = list(csv.DictReader(review.open(encoding="utf-8")))
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "person_id_l,person_id_r,same\n"
        + "".join(f"{r['person_id_l']},{r['person_id_r']},0\n" for r in first),
        encoding="utf-8",
    )
    status, _, review, report = _run(tmp_path, "--review-budget", "1", "--labels", str(labels))
    assert status == 0
    again = {(r["person_id_l"], r["person_id_r"]) for r in csv.DictReader(review.open())}
    assert not again & {(r["person_id_l"], r["person_id_r"]) for r in first}
    assert json.loads(report.read_text(encoding="utf-8"))["labels_used"] == len(first)


def test_a_bad_labels_file_stops_the_run_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("person_id_l,person_id_r\n1,2\n", encoding="utf-8")
    status, out, review, _ = _run(tmp_path, "--labels", str(labels))
    assert status == 2
    assert not out.exists() and not review.exists()
    assert "column same: missing required column" in capsys.readouterr().err
