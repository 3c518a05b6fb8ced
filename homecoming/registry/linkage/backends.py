"""Where splink runs: DuckDB in this process (the default) or Spark (``--engine spark``).

The pipeline in :mod:`.dedup` is one: the same normalisation, blocking rules, comparisons,
parameters, household pass and bands. A backend only says how to make the splink database
API, how to run SQL and bring a (small) result back as pandas, and how to make the prepared
table. On Spark the normalisation runs inside Spark: :func:`.dedup.prepare` is vectorised
pandas, applied to each partition with ``mapInPandas``; only the identifiers and
households (for the household pass) and the scored pairs come back to the driver (the
pairs sharing a FİN, which decide whether to train, are counted in Spark).

Spark is optional (``pip install homecoming[spark]``, Java 17). The session is the usual
one: ``spark.master`` and the rest come from ``spark-submit``, ``PYSPARK_SUBMIT_ARGS`` or
``spark-defaults.conf``; with none, a local Spark on every core.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from typing import Any, Protocol

import duckdb
import numpy as np
import pandas as pd

ENGINES = ("duckdb", "spark")
#: The columns the driver keeps from the prepared table.
LOCAL_COLUMNS = ("unique_id", "household")


class Backend(Protocol):
    """What :mod:`.dedup` needs from a database."""

    dialect: str

    def api(self) -> Any:
        """A new splink database API (splink caches tables by name per API object)."""

    def frame(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` and return the result as pandas."""

    def view(self, name: str, frame: Any) -> None:
        """Make ``frame`` (pandas, or the backend's own table) queryable as ``name``."""

    def drop(self, name: str) -> None:
        """Forget the view ``name``."""

    def prepared(self, persons: pd.DataFrame) -> tuple[Any, pd.DataFrame]:
        """The prepared table as splink reads it, and its :data:`LOCAL_COLUMNS` as pandas."""

    def with_groups(self, table: Any, uid: pd.Series, groups: Any) -> Any:
        """``table`` with the column ``hh_group`` (``groups`` in the order of ``uid``)."""

    def close(self) -> None:
        """Release the connection (a Spark session is left to its owner)."""


class DuckDBBackend:
    """An in-memory DuckDB, capped at ``threads`` when given."""

    dialect = "duckdb"

    def __init__(self, prepare: Callable[[pd.DataFrame], pd.DataFrame], threads: int | None):
        self._prepare = prepare
        self.con = duckdb.connect(":memory:")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute("SET preserve_insertion_order = false")

    def api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def frame(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def view(self, name: str, frame: Any) -> None:
        self.con.register(name, frame)

    def drop(self, name: str) -> None:
        self.con.unregister(name)

    def prepared(self, persons: pd.DataFrame) -> tuple[Any, pd.DataFrame]:
        table = self._prepare(persons)
        return table, table

    def with_groups(self, table: Any, uid: pd.Series, groups: Any) -> Any:
        return table.assign(hh_group=groups)

    def close(self) -> None:
        self.con.close()


def spark_session(**conf: str) -> Any:
    """The Spark session (created if none is active) with splink's similarity functions.

    ``conf`` adds Spark settings (``spark.sql.shuffle.partitions="4"``); the master and the
    rest come from the usual Spark configuration, else a local Spark on every core.
    """
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    # A local Spark runs its Python workers with this interpreter (a cluster sets its own).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("homecoming-dedup")
    builder = builder.config("spark.jars", similarity_jar_location())
    builder = builder.config("spark.ui.enabled", "false")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _jaro_winkler(left: pd.Series, right: pd.Series) -> pd.Series:
    """Jaro-Winkler similarity as DuckDB computes it (both are RapidFuzz's), NULL if either is.

    The jar splink ships for Spark counts transpositions differently (``mdina``/``mdaina``:
    0.876 there, 0.902 here and in DuckDB), which would move pairs across 0.88.

    >>> _jaro_winkler(pd.Series(["mdina", None]), pd.Series(["mdaina", "x"])).round(4).tolist()
    [0.9022, nan]
    """
    from rapidfuzz.distance import JaroWinkler

    values = [
        JaroWinkler.similarity(a, b) if isinstance(a, str) and isinstance(b, str) else None
        for a, b in zip(left, right, strict=True)
    ]
    return pd.Series(values, index=left.index, dtype="float64")


def _register_jaro_winkler(spark: Any) -> None:
    """``hc_jaro_winkler(a, b)`` in Spark SQL: :func:`_jaro_winkler`, vectorised (Arrow)."""
    from pyspark.sql.pandas.functions import pandas_udf

    udf = pandas_udf(_jaro_winkler, "double")  # type: ignore[call-overload]
    spark.udf.register("hc_jaro_winkler", udf)


#: Checkpoint folders Spark uses -> the temporary folders made here for them (a local
#: Spark without one), deleted when a backend closes.
_SCRATCH: dict[str, str] = {}


def _break_lineage_method(spark: Any) -> str:
    """How splink keeps its intermediate tables: written to Parquet in the checkpoint folder.

    Kept in memory instead (``persist``), a table is not always read back from the cache:
    Spark recomputed the blocking (the twelve self-joins) inside the scoring. Parquet cuts
    the lineage. A cluster sets its own checkpoint folder (``SparkContext.setCheckpointDir``
    on shared storage); a local Spark without one gets a temporary folder.
    """
    context = spark.sparkContext
    if context.getCheckpointDir() is None:
        if not context.master.startswith("local"):
            return "persist"
        folder = tempfile.mkdtemp(prefix="homecoming-splink-")
        context.setCheckpointDir(folder)
        _SCRATCH[context.getCheckpointDir()] = folder
    return "parquet"


def _spark_schema(columns: list[str]) -> str:
    return ", ".join(f"{c} string" for c in columns)


class SparkBackend:
    """Splink's Spark backend on :func:`spark_session`."""

    dialect = "spark"

    def __init__(self, prepare: Callable[[pd.DataFrame], pd.DataFrame]):
        self._prepare = prepare
        self.spark = spark_session()
        # Pandas to Spark and back (the input, the scored pairs) as Arrow columns, not rows.
        self.spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
        self._lineage = _break_lineage_method(self.spark)
        self._views_before = self._temp_views()

    def api(self) -> Any:
        from splink import SparkAPI

        _register_jaro_winkler(self.spark)
        return SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=self.spark, break_lineage_method=self._lineage
        )

    def frame(self, sql: str) -> pd.DataFrame:
        result: pd.DataFrame = self.spark.sql(sql).toPandas()
        return result

    def view(self, name: str, frame: Any) -> None:
        if isinstance(frame, pd.DataFrame):
            frame = self.spark.createDataFrame(frame)
        frame.createOrReplaceTempView(name)

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def prepared(self, persons: pd.DataFrame) -> tuple[Any, pd.DataFrame]:
        prepare = self._prepare
        inputs = self.spark.createDataFrame(persons.fillna("").astype(str))
        out_columns = list(prepare(persons.head(1)).columns)

        def per_partition(batches: Any) -> Any:
            for batch in batches:
                if len(batch):
                    yield prepare(batch)

        table = inputs.mapInPandas(per_partition, schema=_spark_schema(out_columns)).persist()
        local = table.select(*LOCAL_COLUMNS).toPandas()
        return table, local

    def with_groups(self, table: Any, uid: pd.Series, groups: Any) -> Any:
        frame = pd.DataFrame(
            {"unique_id": uid.to_numpy(dtype=object), "hh_group": np.asarray(groups, dtype=object)}
        ).dropna()
        tied = self.spark.createDataFrame(frame, schema="unique_id string, hh_group string")
        return table.join(tied, "unique_id", "left")

    def _temp_views(self) -> set[str]:
        return {t.name for t in self.spark.catalog.listTables() if t.isTemporary}

    def close(self) -> None:
        # The session outlives the run: splink's views (``persons``...) would clash with
        # the next run's.
        for name in self._temp_views() - self._views_before:
            self.spark.catalog.dropTempView(name)
        self.spark.catalog.clearCache()
        folder = _SCRATCH.get(self.spark.sparkContext.getCheckpointDir() or "")
        if folder is not None:  # splink's Parquet tables, read no more
            shutil.rmtree(folder, ignore_errors=True)


def backend(
    engine: str, prepare: Callable[[pd.DataFrame], pd.DataFrame], threads: int | None
) -> Backend:
    """The backend called ``engine`` (one of :data:`ENGINES`)."""
    if engine == "spark":
        return SparkBackend(prepare)
    return DuckDBBackend(prepare, threads)


def stop_spark(session: Any) -> None:
    """Stop ``session`` and the Java process a local Spark started for it.

    ``session.stop()`` leaves the JVM that pyspark launched alive (and its memory held);
    closing its standard input ends it, and a later :func:`spark_session` starts a new one.
    """
    from pyspark import SparkContext

    session.stop()
    gateway = SparkContext._gateway
    process = getattr(gateway, "proc", None)
    if gateway is None or process is None:
        return  # a session this process did not launch (spark-submit, a cluster client)
    gateway.shutdown()
    if process.stdin is not None:
        process.stdin.close()
    process.wait(timeout=30)
    SparkContext._gateway = None
    SparkContext._jvm = None
