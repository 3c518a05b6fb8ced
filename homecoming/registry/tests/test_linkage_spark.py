"""``homecoming dedup --engine spark``: the same pipeline on splink's Spark backend.

The equivalence test runs a local Spark (pyspark from the ``spark`` or ``dev`` extra, and
Java); it is skipped when either is missing. The rest needs neither.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess  # nosec B404: only to find out whether Java runs
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from homecoming.registry.linkage.dedup import DIALECT_SQL, build_settings, dedup
from homecoming.registry.linkage.errors import LinkageError
from homecoming.registry.linkage.synthetic import generate


def _java_runs() -> bool:
    java = shutil.which("java")
    if java is None:
        return False
    done = subprocess.run([java, "-version"], capture_output=True, check=False)  # nosec B603
    return done.returncode == 0


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("pyspark")
    pytest.importorskip("rapidfuzz")
    if not _java_runs():
        pytest.skip("Spark needs Java, which is not installed")
    from homecoming.registry.linkage.backends import spark_session, stop_spark

    session = spark_session(
        **{
            "spark.master": "local[2]",
            "spark.sql.shuffle.partitions": "4",
            "spark.default.parallelism": "2",
            "spark.driver.memory": "1g",
            "spark.sql.warehouse.dir": str(tmp_path_factory.mktemp("spark-warehouse")),
        }
    )
    yield session
    stop_spark(session)


def test_the_spark_settings_use_no_duckdb_function() -> None:
    conditions = " ".join(
        level["sql_condition"]
        for comparison in build_settings(dialect="spark").comparisons
        for level in comparison["comparison_levels"]
    )
    assert "hc_jaro_winkler(" in conditions
    assert "datediff(" in conditions
    for duckdb_only in ("jaro_winkler_similarity", "date_diff("):
        assert duckdb_only not in conditions
    assert set(DIALECT_SQL) == {"duckdb", "spark"}


def test_it_rejects_an_unknown_engine() -> None:
    with pytest.raises(LinkageError, match="engine"):
        dedup(generate(20, seed=1), engine="polars")


def _labels(persons: Any) -> str:
    """A few decided pairs: two true duplicates and one pair of different persons."""
    groups = [g for _, g in persons.groupby("true_id") if len(g) > 1][:2]
    rows = [f"{a},{b},1" for g in groups for a, b in itertools.combinations(g["person_id"], 2)][:2]
    first, second = persons["person_id"].iloc[0], persons["person_id"].iloc[-1]
    return "person_id_l,person_id_r,same\n" + "\n".join([*rows, f"{first},{second},0"]) + "\n"


def test_a_file_gets_the_same_clusters_and_review_on_spark_as_on_duckdb(
    spark: Any, tmp_path: Path
) -> None:
    from homecoming.registry.linkage.cli import main

    persons = generate(2000, seed=3)
    path = tmp_path / "persons.csv"
    persons.to_csv(path, index=False)
    labels = tmp_path / "labels.csv"
    labels.write_text(_labels(persons), encoding="utf-8")
    outputs = {}
    for engine in ("duckdb", "spark"):
        out, review = tmp_path / f"clusters-{engine}.csv", tmp_path / f"review-{engine}.csv"
        status = main(
            ["--persons", str(path), "--out", str(out), "--review", str(review),
             "--labels", str(labels), "--engine", engine]
        )  # fmt: skip
        assert status == 0
        outputs[engine] = (out.read_text("utf-8"), review.read_text("utf-8"))
    clusters, review_pairs = outputs["spark"]
    assert clusters == outputs["duckdb"][0]
    assert review_pairs == outputs["duckdb"][1]
    # Not a trivial agreement: duplicates were found and some pairs are left to review.
    cluster_ids = [line.split(",")[1] for line in clusters.splitlines()[1:]]
    assert len(set(cluster_ids)) < len(cluster_ids) - 200
    assert len(review_pairs.splitlines()) > 10


def test_a_spark_session_runs_one_file_after_another_and_keeps_no_tables(spark: Any) -> None:
    from homecoming.registry.linkage.backends import _SCRATCH

    for seed in (5, 6):  # the second run meets no view left by the first
        result = dedup(generate(300, seed=seed), engine="spark", train=False)
        assert result.cluster_count < 300
    # The run wrote its tables in a temporary checkpoint folder, and deleted it.
    assert _SCRATCH
    assert not any(Path(folder).exists() for folder in _SCRATCH.values())


def test_the_pairs_sharing_a_fin_are_counted_alike_on_both_engines(spark: Any) -> None:
    from homecoming.registry.linkage.backends import backend
    from homecoming.registry.linkage.dedup import _fin_pairs, prepare

    persons = generate(3000, seed=2)
    fins = prepare(persons)["fin"].dropna()
    expected = sum(n * (n - 1) // 2 for n in fins.groupby(fins).size())
    assert expected > 100  # the generator gives FİNs to most persons, some registered twice
    counts = []
    for engine in ("duckdb", "spark"):
        db = backend(engine, prepare, threads=1)
        table, _ = db.prepared(persons)
        counts.append(_fin_pairs(db, table))
        db.close()
    assert counts == [expected, expected]
