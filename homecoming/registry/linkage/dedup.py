"""Find duplicate registrations of the same person with splink (DuckDB, or Spark).

The pipeline:

1. :func:`prepare` turns each record into normalised keys (see :mod:`.names`): surname key
   and stem, given-name key, father's name from the patronymic, an effective sex (given,
   else from the patronymic, else from a -ov/-ova surname), FİN, last 9 digits of the phone.
   A record whose given name looks like a surname (Əliyev) while its surname does not is
   swapped back.
2. Blocking on those keys (:data:`BLOCKING_RULES`): FİN; surname stem + given name in either
   order + birth year or father; surname stem + birth date; given name + birth date;
   phone + given name.
3. A Fellegi-Sunter model with one joint comparison of surname and given name (so that
   "same surname, other given name", which is a sibling, is its own level), father, birth
   date (typos, swapped day and month, year only), sex, FİN, origin, household, phone.
   Exact full-name agreement is adjusted by the name's frequency.
4. Training that does not learn "same common name = same person": u probabilities by
   seeded random sampling, m probabilities by expectation maximisation on pairs blocked by
   FİN (which says nothing about names), then on name + birth date for the FİN comparison
   alone. Inputs too small to train on (fewer than :data:`MIN_TRAINING_PAIRS` pairs sharing
   a FİN) use the bundled parameters in ``default_model.json``, estimated the same way on
   the benchmark generator's data.
5. Household support (:mod:`.households`): the members of households that strong links tie
   together are compared too, and a pair that is each record's best counterpart in the
   other household is judged against that household's size, not against the whole file.
6. Connected components of the links at or above the threshold.

>>> import pandas as pd
>>> persons = pd.DataFrame({
...     "person_id": ["1", "2", "3", "4"],
...     "surname": ["Məmmədov", "Мамедов", "Mammadov", "Əliyeva"],
...     "given_name": ["Rəşid", "Рашид", "Rashid", "Leyla"],
...     "patronymic": ["Vəli oğlu", "Велиевич", "", "Kamal qızı"],
...     "birth_date": ["1961-03-05", "1961-03-05", "1961-05-03", "1990-01-01"],
... })
>>> result = dedup(persons, seed=1)
>>> [c.cluster_id for c in result.clusters]
['1', '1', '1', '4']
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .agreements import describe
from .backends import ENGINES, Backend, backend
from .bands import (
    DEFAULT_AUTO_THRESHOLD,
    DEFAULT_REVIEW_BUDGET,
    DEFAULT_REVIEW_THRESHOLD,
    ReviewPair,
    select_review,
)
from .errors import LinkageError
from .feedback import adjust
from .households import household_groups, supported_weights, weight_of
from .names import (
    is_valid_fin,
    name_key,
    normalise_fin,
    parse_patronymic,
    surname_sex_hint,
    surname_stem,
)

__all__ = [
    "BLOCKING_RULES",
    "DEFAULT_THRESHOLD",
    "MIN_TRAINING_PAIRS",
    "Assignment",
    "DedupResult",
    "PersonRecord",
    "build_settings",
    "dedup",
    "pair_levels",
    "prepare",
]

#: The auto-link band starts here (see :mod:`.bands`).
DEFAULT_THRESHOLD = DEFAULT_AUTO_THRESHOLD
MIN_TRAINING_PAIRS = 2000
COLUMNS = (
    "person_id", "surname", "given_name", "patronymic", "sex", "birth_date", "national_id",
    "household_id", "origin", "phone",
)  # fmt: skip

# Blocking rules, as SQL over the prepared columns (l. and r. are the two records).
BLOCKING_RULES: tuple[str, ...] = (
    "l.fin = r.fin",
    "l.name_lo = r.name_lo and l.name_hi = r.name_hi and l.dob_year = r.dob_year",
    "l.name_lo = r.name_lo and l.name_hi = r.name_hi and l.father = r.father",
    "l.name_lo = r.name_lo and l.name_hi = r.name_hi and l.origin = r.origin",
    "l.sn_stem = r.sn_stem and l.dob = r.dob",
    "l.gn = r.gn and l.dob = r.dob",
    "l.phone = r.phone and l.gn = r.gn",
    "l.father = r.father and l.dob = r.dob",
    "l.sn3 = r.sn3 and l.gn3 = r.gn3 and l.dob_year = r.dob_year",
    "l.gn = r.gn and l.father = r.father and l.origin = r.origin",
    "l.sn_stem = r.sn_stem and l.father = r.father and l.origin = r.origin",
    "l.gn = r.gn and l.household = r.household",
)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One registration, as in the contract's persons.csv (empty string = unknown)."""

    person_id: str
    surname: str
    given_name: str
    patronymic: str = ""
    sex: str = ""
    birth_date: str = ""
    national_id: str = ""
    household_id: str = ""
    origin: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Assignment:
    """A person's cluster and the strongest link that put it there (1.0 when alone)."""

    person_id: str
    cluster_id: str
    match_probability: float


@dataclass(frozen=True)
class DedupResult:
    """Clusters (one :class:`Assignment` per input record, in input order) and figures."""

    clusters: list[Assignment]
    pairs_compared: int
    blocking_rules: list[str]
    trained: bool
    threshold: float
    seconds: float
    parameters: dict[str, Any] = field(default_factory=dict, repr=False)
    #: The review band: pairs a person should look at, most useful first (:mod:`.bands`).
    review: list[ReviewPair] = field(default_factory=list)
    #: Thresholds and counts per band: scored pairs in each, review pairs kept, budget.
    bands: dict[str, Any] = field(default_factory=dict)
    #: Labelled pairs used to adjust the model (see :mod:`.feedback`).
    labels_used: int = 0
    #: Seconds per step (prepare, model, blocking, scoring, households, clusters, review).
    steps: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def cluster_count(self) -> int:
        """Number of distinct clusters (persons judged distinct)."""
        return len({a.cluster_id for a in self.clusters})

    def to_frame(self) -> pd.DataFrame:
        """The clusters as a DataFrame with the contract's output columns."""
        return pd.DataFrame(
            [asdict(a) for a in self.clusters],
            columns=["person_id", "cluster_id", "match_probability"],
        )


def _mapped(series: pd.Series, func: Any) -> pd.Series:
    """Apply a str -> value function once per distinct value (names repeat a lot)."""
    uniques = pd.unique(series)
    table = {u: func(u) for u in uniques}
    return series.map(table)


def _null_if_empty(series: pd.Series) -> pd.Series:
    return series.where(series != "", None)


def _dob_parts(text: str) -> tuple[str, str, str]:
    """Full date, year, month-day of a birth date; a year alone has only the year.

    >>> _dob_parts("1955-11-92"), _dob_parts("1955"), _dob_parts("")
    (('1955-11-92', '1955', '11-92'), ('', '1955', ''), ('', '', ''))
    """
    year = text[:4] if text[:4].isascii() and text[:4].isdigit() else ""
    if len(text) == 10:
        return text, year, text[5:10]
    return "", year, ""


def prepare(persons: pd.DataFrame) -> pd.DataFrame:
    """Compute the normalised columns splink compares, one row per input record.

    ``persons`` has the contract's columns as strings (missing optional columns are
    treated as empty). Assumes valid input (the CLI validates).

    >>> row = prepare(pd.DataFrame({"person_id": ["7"], "surname": ["Рашид"],
    ...     "given_name": ["Мамедова"], "patronymic": ["Гусейн кызы"]})).iloc[0]
    >>> row.sn_stem, row.gn, row.father, row.sex
    ('mamad', 'rasid', 'kusan', 'F')
    """
    df = persons.reindex(columns=list(COLUMNS), fill_value="").fillna("").astype(str)
    sur = df["surname"].str.strip()
    giv = df["given_name"].str.strip()
    sur_hint = _mapped(sur, surname_sex_hint)
    giv_hint = _mapped(giv, surname_sex_hint)
    # A given name with a surname ending (-ov, -ova) next to a surname without one was
    # written in the wrong field: swap back.
    swap = giv_hint.notna() & sur_hint.isna()
    sur, giv = sur.where(~swap, giv), giv.where(~swap, sur)
    sur_hint = sur_hint.where(~swap, giv_hint)

    out = pd.DataFrame({"unique_id": df["person_id"]})
    out["sn"] = _mapped(sur, name_key)
    out["sn_stem"] = _mapped(sur, surname_stem)
    out["gn"] = _mapped(giv, name_key)
    out["gn_stem"] = _mapped(giv, surname_stem)
    out["sn3"] = out["sn_stem"].str.slice(0, 3)
    out["gn3"] = out["gn"].str.slice(0, 3)
    lo_hi = np.sort(np.stack([out["sn_stem"].to_numpy(), out["gn_stem"].to_numpy()]), axis=0)
    out["name_lo"], out["name_hi"] = lo_hi[0], lo_hi[1]
    out["full_key"] = out["sn_stem"] + " " + out["gn"]
    pat = _mapped(df["patronymic"].str.strip(), parse_patronymic)
    out["father"] = [p.father for p in pat]
    pat_sex = pd.Series([p.sex for p in pat], index=df.index, dtype=object)
    sex = df["sex"].str.strip().str.upper()
    sex = sex.where(sex.isin(["M", "F"]), None)
    out["sex"] = sex.fillna(pat_sex).fillna(sur_hint)
    # A full date (real, or impossible but kept as a noisy string by the command), or a
    # year alone (a partial date): the year still blocks and compares.
    dob = df["birth_date"].str.strip()
    parts = {u: _dob_parts(u) for u in pd.unique(dob)}
    for i, col in enumerate(("dob", "dob_year", "dob_md")):
        out[col] = dob.map({u: p[i] for u, p in parts.items()})
    fin = _mapped(df["national_id"].str.strip(), normalise_fin)
    out["fin"] = fin.where(_mapped(fin, lambda f: bool(f) and is_valid_fin(f)), "")
    phone = df["phone"].str.replace(r"\D", "", regex=True).str.slice(-9)
    out["phone"] = phone.where(phone.str.len() >= 7, "")
    out["origin"] = df["origin"].str.strip().str.upper()
    out["household"] = df["household_id"].str.strip()
    for col in ("sn", "sn_stem", "sn3", "gn", "gn3", "gn_stem", "name_lo", "name_hi", "father", "dob",
                "dob_year", "dob_md", "fin", "phone", "origin", "household"):  # fmt: skip
        out[col] = _null_if_empty(out[col].fillna("").astype(str))
    out["sex"] = out["sex"].astype(object).where(out["sex"].notna(), None)
    return out.reset_index(drop=True)


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    # Written as l.col / r.col like the blocking rules; splink wants col_l / col_r here.
    sql = re.sub(r"\b([lr])\.(\w+)", r"\2_\1", sql)
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def _null(col: str) -> dict[str, Any]:
    return _level(f"l.{col} is null or r.{col} is null", "null", is_null_level=True)


def _simple(col: str) -> dict[str, Any]:
    return {
        "output_column_name": col,
        "comparison_levels": [
            _null(col),
            _level(f"l.{col} = r.{col}", "exact"),
            _level("true", "else"),
        ],
    }


#: SQL that differs between splink's backends: Jaro-Winkler (on Spark, RapidFuzz's as in
#: DuckDB, see :mod:`.backends`), Damerau-Levenshtein (on Spark, the jar splink ships) and
#: days between two dates (NULL if either is not a real date).
DIALECT_SQL: dict[str, dict[str, str]] = {
    "duckdb": {
        "jw": "jaro_winkler_similarity",
        "dl": "damerau_levenshtein",
        "days": "abs(date_diff('day', try_cast(l.dob as date), try_cast(r.dob as date)))",
    },
    "spark": {
        "jw": "hc_jaro_winkler",
        "dl": "damerau_levenshtein",
        "days": "abs(datediff(try_cast(l.dob as date), try_cast(r.dob as date)))",
    },
}


def _comparisons(tf: bool, dialect: str = "duckdb") -> list[dict[str, Any]]:
    sql = DIALECT_SQL[dialect]
    jw, dl = sql["jw"], sql["dl"]
    exact_names: dict[str, Any] = {}
    if tf:
        exact_names = {"tf_adjustment_column": "full_key", "tf_adjustment_weight": 1.0}
    names = {
        "output_column_name": "name",
        "comparison_levels": [
            _level(
                "l.sn_stem is null or r.sn_stem is null or l.gn is null or r.gn is null",
                "null",
                is_null_level=True,
            ),
            _level("l.full_key = r.full_key", "both exact", **exact_names),
            _level("l.sn_stem = r.gn_stem and l.gn_stem = r.sn_stem", "swapped"),
            _level(f"l.sn_stem = r.sn_stem and {jw}(l.gn, r.gn) >= 0.88", "given fuzzy"),
            _level(f"l.gn = r.gn and {jw}(l.sn_stem, r.sn_stem) >= 0.88", "surname fuzzy"),
            _level(
                f"{jw}(l.sn_stem, r.sn_stem) >= 0.88 and {jw}(l.gn, r.gn) >= 0.88",
                "both fuzzy",
            ),
            _level("l.sn_stem = r.sn_stem", "surname only"),
            _level("l.gn = r.gn", "given only"),
            _level("true", "else"),
        ],
    }
    father = {
        "output_column_name": "father",
        "comparison_levels": [
            _null("father"),
            _level("l.father = r.father", "exact"),
            _level(f"{jw}(l.father, r.father) >= 0.88", "fuzzy"),
            _level("true", "else"),
        ],
    }
    dob = {
        "output_column_name": "dob",
        "comparison_levels": [
            _null("dob_year"),
            _level("l.dob = r.dob", "exact"),
            _level(f"{dl}(l.dob, r.dob) <= 1", "one typo"),
            _level(
                "l.dob_year = r.dob_year and (l.dob is null or r.dob is null "
                "or l.dob_md = '01-01' or r.dob_md = '01-01' "
                "or substr(l.dob_md, 4, 2) = substr(r.dob_md, 1, 2) "
                "and substr(l.dob_md, 1, 2) = substr(r.dob_md, 4, 2))",
                "year only or day/month swapped",
            ),
            _level(f"{sql['days']} <= 10", "within 10 days"),
            _level("l.dob_year = r.dob_year", "same year"),
            _level("true", "else"),
        ],
    }
    fin = {
        "output_column_name": "fin",
        "comparison_levels": [
            _null("fin"),
            _level("l.fin = r.fin", "exact"),
            _level(f"{dl}(l.fin, r.fin) <= 1", "one typo"),
            _level("true", "else"),
        ],
    }
    # Household and phone are deliberately not compared (only blocked on): they identify a
    # family, not a person, so siblings agree on them as often as duplicates do and the
    # independence assumption of the model would turn "same family" into "same person".
    return [names, father, dob, _simple("sex"), fin, _simple("origin")]


def build_settings(
    parameters: dict[str, Any] | None = None,
    *,
    tf: bool = True,
    rules: Sequence[str] = BLOCKING_RULES,
    dialect: str = "duckdb",
) -> Any:
    """Build the splink settings; ``parameters`` (from a trained model) fixes m and u;
    ``rules`` are the blocking rules (the household pass has its own); ``dialect`` is the
    backend's SQL (:data:`DIALECT_SQL`).

    ``parameters`` maps ``"<comparison>/<level label>"`` to ``[m, u]`` and has a
    ``"prior"`` key (the probability that two random records match).

    >>> settings = build_settings()
    >>> [c["output_column_name"] for c in settings.comparisons][:3]
    ['name', 'father', 'dob']
    """
    from splink import SettingsCreator

    comparisons: list[Any] = _comparisons(tf, dialect)
    blocking: list[Any] = list(rules)
    prior = 1e-6
    if parameters:
        prior = float(parameters["prior"])
        for comp in comparisons:
            for lvl in comp["comparison_levels"]:
                key = f"{comp['output_column_name']}/{lvl['label_for_charts']}"
                if key in parameters:
                    m, u = parameters[key]
                    if m is not None:
                        lvl["m_probability"] = float(m)
                    if u is not None:
                        lvl["u_probability"] = float(u)
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
        em_convergence=0.0001,
    )


def _parameters(linker: Any) -> dict[str, Any]:
    """Extract the trained m and u probabilities from a linker."""
    model = linker.misc.save_model_to_json()
    params: dict[str, Any] = {"prior": model["probability_two_random_records_match"]}
    for comp in model["comparisons"]:
        for lvl in comp["comparison_levels"]:
            if lvl.get("is_null_level"):
                continue
            key = f"{comp['output_column_name']}/{lvl['label_for_charts']}"
            params[key] = [lvl.get("m_probability"), lvl.get("u_probability")]
    return params


M_FLOOR = 0.002


def _bounded(params: dict[str, Any]) -> dict[str, Any]:
    """Floor every m probability at :data:`M_FLOOR` and u at 1e-7.

    A level never seen in training (None) gets the floor too.
    """
    out: dict[str, Any] = {"prior": params["prior"]}
    for key, value in params.items():
        if key == "prior":
            continue
        m, u = value
        out[key] = [max(float(m or 0.0), M_FLOOR), max(float(u or 0.0), 1e-7)]
    return out


def default_parameters(records: int) -> dict[str, Any]:
    """The bundled parameters, for an input of ``records`` records too small to train on.

    The prior (probability that two random records match) was estimated on
    ``params["records"]`` records; duplicate pairs grow like n and all pairs like n², so it
    is scaled by the ratio of sizes, capped at 1e-3 (conservative on tiny files).

    >>> default_parameters(10)["prior"]
    0.001
    """
    text = resources.files(__package__).joinpath("default_model.json").read_text("utf-8")
    params: dict[str, Any] = json.loads(text)
    reference = float(params.pop("records"))
    params["prior"] = min(1e-3, float(params["prior"]) * reference / max(records, 1))
    return params


class _Steps(dict[str, float]):
    """Seconds per step of :func:`dedup`, each from the end of the one before."""

    def __init__(self) -> None:
        super().__init__()
        self._mark = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self[name] = round(now - self._mark, 3)
        self._mark = now


def _to_frame(persons: pd.DataFrame | Sequence[PersonRecord]) -> pd.DataFrame:
    if isinstance(persons, pd.DataFrame):
        return persons
    names = [f.name for f in fields(PersonRecord)]
    return pd.DataFrame([[getattr(p, n) for n in names] for p in persons], columns=names)


def dedup(
    persons: pd.DataFrame | Sequence[PersonRecord],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    review_budget: float = DEFAULT_REVIEW_BUDGET,
    labels: Mapping[frozenset[str], bool] | None = None,
    seed: int = 0,
    train: bool | None = None,
    threads: int | None = None,
    engine: str = "duckdb",
) -> DedupResult:
    """Cluster registrations of the same person; deterministic for a given ``seed``.

    Links at or above ``threshold`` make the clusters (the auto-link band); pairs from
    ``review_threshold`` up to it are the review band, of which at most ``review_budget``
    pairs per record are returned, most useful first (:mod:`.bands`). ``labels`` (pairs a
    person decided, as frozensets of two ids -> same person?) adjust the model before
    scoring (:mod:`.feedback`) and are not proposed for review again.

    ``train=None`` trains when at least :data:`MIN_TRAINING_PAIRS` pairs share a FİN, else
    uses the bundled parameters; ``True``/``False`` force either. ``threads`` caps DuckDB.
    ``engine`` is where splink runs: ``"duckdb"`` in this process, or ``"spark"`` on the
    Spark session of :func:`.backends.spark_session` (:mod:`.backends`).

    >>> r = dedup([PersonRecord("a", "Quliyev", "Elvin", birth_date="1980-02-03"),
    ...            PersonRecord("b", "Кулиев", "Эльвин", birth_date="1980-02-03"),
    ...            PersonRecord("c", "Quliyev", "Elnur", birth_date="1983-07-09")])
    >>> [(c.person_id, c.cluster_id) for c in r.clusters]
    [('a', 'a'), ('b', 'a'), ('c', 'c')]
    """
    if not 0.0 < threshold < 1.0:
        raise LinkageError(f"threshold must be between 0 and 1, got {threshold}")
    if engine not in ENGINES:
        raise LinkageError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if not 0.0 < review_threshold <= threshold:
        raise LinkageError(
            f"review threshold must be above 0 and at most the threshold, got {review_threshold}"
        )
    started = time.perf_counter()
    frame = _to_frame(persons)
    bands = _band_figures(threshold, review_threshold, review_budget)
    if frame.empty:
        return DedupResult([], 0, list(BLOCKING_RULES), False, threshold, 0.0, bands=bands)
    logging.getLogger("splink").setLevel(logging.WARNING)
    db = backend(engine, prepare, threads)
    steps = _Steps()
    table, local = db.prepared(frame)
    steps.lap("prepare")
    do_train = _fin_pairs(db, table) >= MIN_TRAINING_PAIRS if train is None else train
    labels = dict(labels or {})
    model = _scoring_model(db, table, local, do_train, seed, labels)
    steps.lap("model")
    pairs_compared = _pairs_compared(db, model.linker)
    steps.lap("blocking")
    pairs = _scored_pairs(db, model, table, local, threshold, steps)
    by_id = _clusters_with_strongest_links(local["unique_id"].to_numpy(), pairs, threshold)
    steps.lap("clusters")
    review = _review_band(db, table, local, pairs, by_id, bands, labels)
    db.close()
    steps.lap("review")
    clusters = [Assignment(pid, *by_id[pid]) for pid in frame["person_id"].astype(str).tolist()]
    bands["no_link"]["pairs_scored"] = max(
        0, pairs_compared - bands["auto"]["pairs_scored"] - bands["review"]["pairs_scored"]
    )
    return DedupResult(
        clusters=clusters,
        pairs_compared=pairs_compared,
        blocking_rules=list(BLOCKING_RULES),
        trained=do_train,
        threshold=threshold,
        seconds=round(time.perf_counter() - started, 3),
        parameters=model.parameters,
        review=review,
        bands=bands,
        labels_used=model.labels_used,
        steps=dict(steps),
    )


def _band_figures(threshold: float, review_threshold: float, budget: float) -> dict[str, Any]:
    return {
        "auto": {"from": threshold, "pairs_scored": 0},
        "review": {
            "from": review_threshold,
            "below": threshold,
            "budget_per_record": budget,
            "pairs_scored": 0,
            "candidates": 0,
            "pairs": 0,
        },
        "no_link": {"below": review_threshold, "pairs_scored": 0},
    }


def _review_band(
    db: Backend,
    table: Any,
    local: pd.DataFrame,
    pairs: pd.DataFrame,
    by_id: dict[str, tuple[str, float]],
    bands: dict[str, Any],
    labels: Mapping[frozenset[str], bool],
) -> list[ReviewPair]:
    """Select the review band (:func:`.bands.select_review`), with agreements in words.

    ``pairs`` are the scored pairs (record positions and supported match weight).
    """
    auto_w = weight_of(float(bands["auto"]["from"]))
    review_w = weight_of(float(bands["review"]["from"]))
    weight = pairs["weight"].to_numpy()
    lower = pairs[(weight >= review_w) & (weight < auto_w)]
    ids = local["unique_id"].astype(str).to_numpy()
    probability = 1.0 / (1.0 + np.exp2(-lower["weight"].to_numpy()))
    candidates = []
    for left, right, p in zip(lower["l"].to_numpy(), lower["r"].to_numpy(), probability,
                              strict=True):  # fmt: skip
        a, b = (ids[left], ids[right]) if ids[left] < ids[right] else (ids[right], ids[left])
        cluster_a, cluster_b = by_id[a][0], by_id[b][0]
        if cluster_a != cluster_b:
            candidates.append((a, b, round(float(p), 6), cluster_a, cluster_b))
    sizes: dict[str, int] = {}
    for cluster, _ in by_id.values():
        sizes[cluster] = sizes.get(cluster, 0) + 1
    picked = select_review(
        candidates,
        sizes,
        records=len(local),
        budget=float(bands["review"]["budget_per_record"]),
        decided=set(labels),
    )
    levels = pair_levels(db, table, [(r.person_id_l, r.person_id_r) for r in picked])
    picked = [
        replace(r, agreements=describe(lv or {})) for r, lv in zip(picked, levels, strict=True)
    ]
    bands["auto"]["pairs_scored"] = int((weight >= auto_w).sum())
    bands["review"].update(pairs_scored=len(lower), candidates=len(candidates), pairs=len(picked))
    return picked


def _levels_sql(comparisons: Sequence[dict[str, Any]]) -> str:
    """One CASE per comparison giving the label of the level a pair falls in."""
    cases = []
    for comp in comparisons:
        whens = " ".join(
            f"when {lvl['sql_condition']} then '{lvl['label_for_charts']}'"
            for lvl in comp["comparison_levels"]
        )
        cases.append(f"case {whens} end as {comp['output_column_name']}")
    return ", ".join(cases)


def pair_levels(
    db: Backend, table: Any, pairs: Sequence[tuple[str, str]]
) -> list[dict[str, str] | None]:
    """The comparison level of each of ``pairs`` (ids of ``table``), as the model compares.

    ``table`` is the prepared table as ``db`` holds it (pandas, or a Spark DataFrame).

    A pair naming an id not in ``table`` gets None.
    """
    if not pairs:
        return []
    comparisons = _comparisons(tf=False, dialect=db.dialect)
    cols = [c for c in table.columns if c != "unique_id"]
    db.view("hc_persons", table)
    db.view(
        "hc_pairs",
        pd.DataFrame(
            {"i": range(len(pairs)), "id_l": [a for a, _ in pairs], "id_r": [b for _, b in pairs]}
        ),
    )
    side = ", ".join(f"l.{c} as {c}_l, r.{c} as {c}_r" for c in cols)
    # SQL from strings (bandit B608, reviewed): our own column names and level conditions.
    rows = db.frame(
        f"select i, {_levels_sql(comparisons)} from (select p.i, {side} "  # nosec B608
        "from hc_pairs p join hc_persons l on l.unique_id = p.id_l "
        "join hc_persons r on r.unique_id = p.id_r)"
    ).itertuples(index=False)
    db.drop("hc_pairs")
    db.drop("hc_persons")
    names = [c["output_column_name"] for c in comparisons]
    out: list[dict[str, str] | None] = [None] * len(pairs)
    for row in rows:
        out[int(row[0])] = dict(zip(names, row[1:], strict=True))
    return out


def _fin_pairs(db: Backend, table: Any) -> int:
    """How many pairs of records share a FİN (the training signal), counted where ``table``
    is (on Spark, the FİNs do not come to the driver)."""
    db.view("hc_fins", table)
    counted = db.frame(
        "select sum(n * (n - 1)) as twice from "
        "(select count(*) as n from hc_fins where fin is not null group by fin)"
    )
    db.drop("hc_fins")
    twice = counted["twice"].iloc[0]
    return 0 if pd.isna(twice) else int(twice) // 2


@dataclass(frozen=True)
class ScoringModel:
    """A splink linker with the parameters it scores with (trained or bundled)."""

    linker: Any
    parameters: dict[str, Any]
    tf: bool
    labels_used: int = 0


def _scoring_model(
    db: Backend,
    table: Any,
    local: pd.DataFrame,
    do_train: bool,
    seed: int,
    labels: Mapping[frozenset[str], bool] | None = None,
) -> ScoringModel:
    """A splink linker over ``table`` with the parameters to score with: trained or bundled,
    then adjusted by the pairs a person decided (:mod:`.feedback`)."""
    from splink import Linker

    db_api = db.api()
    dialect = db.dialect
    if do_train:
        settings = build_settings(tf=True, dialect=dialect)
    else:
        settings = build_settings(default_parameters(len(local)), tf=False, dialect=dialect)
    sdf = db_api.register(table, dataset_display_name="persons")
    linker = Linker(sdf, settings, log_level=logging.WARNING)
    if do_train:
        _train(linker, len(local), seed)
        # Rebuild with the trained parameters, bounded away from 0: EM on clean training
        # pairs can estimate that a disagreement never happens among matches (m = 1e-12),
        # which would let one changed phone number veto every other piece of evidence.
        params = _bounded(_parameters(linker))
        sdf = db_api.register(table, dataset_display_name="persons_scored")
        settings = build_settings(params, tf=True, dialect=dialect)
        linker = Linker(sdf, settings, log_level=logging.WARNING)
    if not labels:
        return ScoringModel(linker, _parameters(linker), do_train)
    ordered = [tuple(sorted(pair)) for pair in labels if len(pair) == 2]
    levels = pair_levels(db, table, ordered)  # type: ignore[arg-type]
    observations = [
        (lv, labels[frozenset(pair)]) for pair, lv in zip(ordered, levels, strict=True) if lv
    ]
    params = adjust(_parameters(linker), observations)
    for key, value in params.items():  # m stays above the floor; u is not touched
        if key != "prior" and value[0] is not None:
            value[0] = max(float(value[0]), M_FLOOR)
    sdf = db_api.register(table, dataset_display_name="persons_adjusted")
    settings = build_settings(params, tf=do_train, dialect=dialect)
    linker = Linker(sdf, settings, log_level=logging.WARNING)
    return ScoringModel(linker, _parameters(linker), do_train, len(observations))


def _pairs_compared(db: Backend, linker: Any) -> int:
    """How many pairs the blocking rules let through to scoring."""
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    # SQL from strings (bandit B608, reviewed): splink's own table name.
    counted = db.frame(f"select count(*) as n from {blocked.physical_name}")  # nosec B608
    return int(counted["n"].iloc[0])


#: Pairs scored below this probability are not kept at all (not even as candidates).
CANDIDATE_FLOOR = 0.001
#: The household pass compares every two members of households tied by strong links.
HOUSEHOLD_RULE = "l.hh_group = r.hh_group and l.household <> r.household"


def _predicted(db: Backend, linker: Any, floor: float | None = CANDIDATE_FLOOR) -> pd.DataFrame:
    """The scored pairs at or above ``floor`` (all of them for None): ids and match weight."""
    predictions = linker.inference.predict(threshold_match_probability=floor, warning_mode="never")
    # SQL from strings (bandit B608, reviewed): splink's own table name.
    return db.frame(
        f"select unique_id_l, unique_id_r, match_weight from {predictions.physical_name}"  # nosec B608
    )


def _positions(uid: pd.Series, pairs: pd.DataFrame) -> tuple[Any, Any]:
    position = pd.Series(np.arange(len(uid)), index=uid.to_numpy())
    return (
        position.reindex(pairs["unique_id_l"].astype(str)).to_numpy(dtype=np.int64),
        position.reindex(pairs["unique_id_r"].astype(str)).to_numpy(dtype=np.int64),
    )


def _scored_pairs(
    db: Backend,
    model: ScoringModel,
    table: Any,
    local: pd.DataFrame,
    threshold: float,
    steps: _Steps | None = None,
) -> pd.DataFrame:
    """Every candidate pair's record positions and match weight, household support included.

    A second pass compares the members of households that strong links tie together
    (:func:`.households.household_groups`), which the blocking rules may never have put
    side by side (a child registered with names only); then each pair's weight gets the
    support of its households (:func:`.households.supported_weights`).
    """
    from splink import Linker

    uid = local["unique_id"].astype(str)
    household = local["household"].to_numpy(dtype=object)
    pairs = _predicted(db, model.linker)
    left, right = _positions(uid, pairs)
    weight = pairs["match_weight"].to_numpy(dtype=np.float64)
    if steps is not None:
        steps.lap("scoring")
    groups = household_groups(household, left, right, weight, threshold)
    if any(g is not None for g in groups):
        settings = build_settings(
            model.parameters, tf=model.tf, rules=(HOUSEHOLD_RULE,), dialect=db.dialect
        )
        # A database API of its own: splink caches intermediate tables (the blocked pairs)
        # by name per API object, and would serve the first pass's pairs again.
        sdf = db.api().register(
            db.with_groups(table, uid, groups), dataset_display_name="persons_households"
        )
        # No floor: a pair far below it on its own evidence may be the household's member.
        second = _predicted(db, Linker(sdf, settings, log_level=logging.WARNING), None)
        pairs = pd.concat([pairs, second], ignore_index=True).drop_duplicates(
            ["unique_id_l", "unique_id_r"]
        )
        left, right = _positions(uid, pairs)
        weight = pairs["match_weight"].to_numpy(dtype=np.float64)
    supported = supported_weights(
        household, left, right, weight, prior=float(model.parameters["prior"]), threshold=threshold
    )
    if steps is not None:
        steps.lap("households")
    return pd.DataFrame({"l": left, "r": right, "weight": supported})


def _clusters_with_strongest_links(
    uid: Any, pairs: pd.DataFrame, threshold: float
) -> dict[str, tuple[str, float]]:
    """Each record's cluster (named by its smallest id) and its strongest link (1.0 alone).

    Clusters are the connected components of the links at or above ``threshold``.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = np.asarray(uid).astype(str)
    n = len(ids)
    strong = pairs[pairs["weight"] >= weight_of(threshold)]
    left, right = strong["l"].to_numpy(), strong["r"].to_numpy()
    graph = coo_matrix((np.ones(len(strong)), (left, right)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    names = pd.Series(ids).groupby(label).transform("min").to_numpy()
    probability = 1.0 / (1.0 + np.exp2(-strong["weight"].to_numpy()))
    best = np.full(n, -1.0)
    np.maximum.at(best, left, probability)
    np.maximum.at(best, right, probability)
    best[best < 0] = 1.0
    return {str(i): (str(c), round(float(p), 6)) for i, c, p in zip(ids, names, best, strict=True)}


def _train(linker: Any, n: int, seed: int) -> None:
    """Estimate u by seeded random sampling and m by EM on FİN-blocked pairs.

    Pairs sharing a FİN are (almost) all true matches whatever their names, so the m
    probabilities of the name levels are not inflated by namesakes; the name levels' u
    probabilities come from random pairs, where common names agree by chance.
    """
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        ["l.fin = r.fin", "l.full_key = r.full_key and l.dob = r.dob and l.father = r.father"],
        recall=0.7,
    )
    max_pairs = min(2e7, max(1e5, n * 20.0))
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("fin"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("sn_stem", "gn", "dob"), estimate_without_term_frequencies=True
    )
