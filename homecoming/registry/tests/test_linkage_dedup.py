"""Duplicate detection: quality on generated registries, determinism, training."""

from __future__ import annotations

import pandas as pd
import pytest

from homecoming.registry.linkage.dedup import (
    BLOCKING_RULES,
    PersonRecord,
    dedup,
    prepare,
)
from homecoming.registry.linkage.errors import LinkageError
from homecoming.registry.linkage.synthetic import generate


def _pairwise_f1(truth: pd.Series, predicted: list[str]) -> tuple[float, float, float]:
    both = pd.DataFrame({"t": truth.to_numpy(), "p": predicted})

    def pairs(sizes: pd.Series) -> int:
        return int((sizes * (sizes - 1) // 2).sum())

    tp = pairs(both.groupby(["t", "p"]).size())
    precision = tp / max(pairs(both.groupby("p").size()), 1)
    recall = tp / max(pairs(both.groupby("t").size()), 1)
    return precision, recall, 2 * precision * recall / (precision + recall)


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return generate(20_000, seed=7)


@pytest.fixture(scope="module")
def trained(registry: pd.DataFrame) -> object:
    return dedup(registry.drop(columns="true_id"), seed=3, train=True)


def test_it_finds_duplicates_across_scripts_with_high_precision(
    registry: pd.DataFrame, trained: object
) -> None:
    clusters = [a.cluster_id for a in trained.clusters]  # type: ignore[attr-defined]
    precision, recall, f1 = _pairwise_f1(registry["true_id"], clusters)
    assert precision >= 0.97, (precision, recall)
    assert f1 >= 0.93, (precision, recall)


def test_the_bundled_parameters_work_without_training(registry: pd.DataFrame) -> None:
    sample = registry.iloc[:5000]
    result = dedup(sample.drop(columns="true_id"), seed=3, train=False)
    assert not result.trained
    precision, recall, f1 = _pairwise_f1(sample["true_id"], [a.cluster_id for a in result.clusters])
    assert precision >= 0.97 and f1 >= 0.9, (precision, recall)


def test_training_with_the_same_seed_gives_the_same_clusters(
    registry: pd.DataFrame, trained: object
) -> None:
    again = dedup(registry.drop(columns="true_id"), seed=3, train=True)
    assert again.clusters == trained.clusters  # type: ignore[attr-defined]
    before = trained.parameters  # type: ignore[attr-defined]
    assert again.parameters.keys() == before.keys()
    for key, value in again.parameters.items():
        assert value == pytest.approx(before[key], rel=1e-6), key


def test_it_does_not_learn_that_a_common_name_means_the_same_person(trained: object) -> None:
    params = trained.parameters  # type: ignore[attr-defined]
    m, u = params["name/both exact"]
    # Trained on FIN-blocked pairs: full-name agreement is common among random pairs of
    # this concentrated name pool, and on its own it stays far below the threshold.
    prior = params["prior"]
    odds = prior / (1 - prior) * m / u
    assert odds / (1 + odds) < 0.25
    surname_only_m, surname_only_u = params["name/surname only"]
    assert surname_only_m < surname_only_u  # same surname, other given name: a relative


def test_blocking_finds_nearly_all_true_pairs(registry: pd.DataFrame) -> None:
    import duckdb

    table = prepare(registry.drop(columns="true_id"))
    table["true_id"] = registry["true_id"].to_numpy()
    cond = " or ".join(f"coalesce({r}, false)" for r in BLOCKING_RULES)
    con = duckdb.connect()
    con.register("t", table)
    total, hit = con.execute(
        f"select count(*), count(*) filter (where {cond}) from t l join t r "
        "on l.true_id = r.true_id and l.unique_id < r.unique_id"
    ).fetchall()[0]
    assert hit / total >= 0.96


def test_it_takes_a_list_of_dataclasses_and_keeps_input_order() -> None:
    people = [
        PersonRecord("z", "Həsənov", "Tural", "Vüqar oğlu", "M", "1985-04-01"),
        PersonRecord("y", "Гасанов", "Турал", "Вугарович", "M", "1985-04-01"),
        PersonRecord("x", "Hasanova", "Tural", sex="F", birth_date="1955-09-09"),
    ]
    result = dedup(people)
    assert [a.person_id for a in result.clusters] == ["z", "y", "x"]
    assert result.clusters[0].cluster_id == result.clusters[1].cluster_id
    assert result.clusters[2].cluster_id != result.clusters[0].cluster_id
    assert result.clusters[2].match_probability == 1.0
    assert result.cluster_count == 2


def test_swapped_given_name_and_surname_are_recognised() -> None:
    people = [
        PersonRecord("1", "Quliyev", "Orxan", "Kamal oğlu", "M", "1979-12-30"),
        PersonRecord("2", "Orkhan", "Guliyev", "Kamal oglu", "M", "1979-12-30"),
        PersonRecord("3", "Orxan", "Qulili", "", "M", "1979-12-30"),
    ]
    assert dedup(people).cluster_count == 1


def test_an_empty_input_gives_no_clusters_and_a_bad_threshold_is_refused() -> None:
    assert dedup([]).clusters == []
    with pytest.raises(LinkageError):
        dedup([PersonRecord("1", "A", "B")], threshold=1.0)
