"""Household support (issue 15, part 3): members of two households that match each other
support each other's links, one to one, and never on their own say-so."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.registry.linkage.dedup import PersonRecord, dedup
from homecoming.registry.linkage.households import (
    MAX_GROUP_HOUSEHOLDS,
    household_groups,
    supported_weights,
    weight_of,
)

PRIOR = 1e-5
STRONG = 20.0


def _support(households: list[str], pairs: list[tuple[int, int, float]]) -> npt.NDArray[np.float64]:
    left = np.array([p[0] for p in pairs], dtype=np.int64)
    right = np.array([p[1] for p in pairs], dtype=np.int64)
    weight = np.array([p[2] for p in pairs], dtype=np.float64)
    hh = np.array(households, dtype=object)
    return supported_weights(hh, left, right, weight, prior=PRIOR, threshold=0.9)


def test_a_member_of_a_tied_household_is_judged_against_the_household_not_the_file() -> None:
    out = _support(["A", "A", "B", "B"], [(0, 2, STRONG), (1, 3, 3.0)])
    # Evidence 3 - log2(1e-5) = 19.6 bits; prior 0.5 / 2 persons: log2(1/3) = -1.58.
    assert round(float(out[1]), 2) == round(3.0 - weight_of(PRIOR) + np.log2(1 / 3), 2)
    assert out[1] > weight_of(0.9)


def test_a_lone_pair_between_two_households_gains_nothing() -> None:
    out = _support(["A", "A", "B", "B"], [(1, 3, 3.0)])
    assert out.tolist() == [3.0]


def test_a_link_never_supports_itself_even_when_strong() -> None:
    out = _support(["A", "B"], [(0, 1, 5.0)])
    assert out.tolist() == [5.0]


def test_twins_each_keep_their_own_counterpart() -> None:
    # A: father 0, twins 1 and 2; B (the same family again): father 3, twins 4 and 5.
    # Twin 1 is 4 again (names agree), but resembles 5 (same birth date, father, surname).
    pairs = [(0, 3, STRONG), (1, 4, 4.0), (1, 5, 2.0), (2, 5, 4.0), (2, 4, 2.0)]
    out = _support(["A", "A", "A", "B", "B", "B"], pairs)
    assert out[1] > weight_of(0.9) and out[3] > weight_of(0.9)
    assert out[2] == 2.0 and out[4] == 2.0


def test_a_tie_for_best_counterpart_gains_nothing() -> None:
    out = _support(["A", "A", "B", "B", "B"], [(0, 2, STRONG), (1, 3, 4.0), (1, 4, 4.0)])
    assert out[1:].tolist() == [4.0, 4.0]


def test_pairs_within_one_household_or_without_one_are_left_alone() -> None:
    out = _support(["A", "A", "", "B"], [(0, 3, STRONG), (0, 1, 2.0), (2, 3, 2.0)])
    assert out[1:].tolist() == [2.0, 2.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["A", "B", "C", ""]), min_size=2, max_size=12),
    st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(-30, 30)),
        max_size=30,
    ),
)
def test_support_never_lowers_a_weight(
    households: list[str], raw: list[tuple[int, int, float]]
) -> None:
    n = len(households)
    seen: set[tuple[int, int]] = set()
    pairs = []
    for a, b, w in raw:
        key = (min(a % n, b % n), max(a % n, b % n))
        if key[0] != key[1] and key not in seen:
            seen.add(key)
            pairs.append((*key, w))
    out = _support(households, pairs)
    assert (out >= np.array([p[2] for p in pairs])).all()


def test_a_chain_of_too_many_households_is_no_group() -> None:
    n = MAX_GROUP_HOUSEHOLDS + 1
    households = np.array([f"H{k}" for k in range(n)] + ["X", "Y"], dtype=object)
    left = np.array([*range(n - 1), n], dtype=np.int64)
    right = np.array([*range(1, n), n + 1], dtype=np.int64)
    groups = household_groups(households, left, right, np.full(n, STRONG), 0.9)
    assert groups[:n].tolist() == [None] * n
    assert groups[n] == groups[n + 1] is not None


def _family(household: str, ids: str, script: str) -> list[PersonRecord]:
    latin = script == "latin"
    father = PersonRecord(
        f"{ids}1",
        "Məmmədov" if latin else "Мамедов",
        "Rəşid" if latin else "Рашид",
        "Vəli oğlu" if latin else "Велиевич",
        "M",
        "1961-03-05",
        "5XK2LQ9",
        household,
        "AZ110101",
    )
    mother = PersonRecord(
        f"{ids}2",
        "Əliyeva" if latin else "Алиева",
        "Leyla" if latin else "Лейла",
        "Kamal qızı" if latin else "Камаловна",
        "F",
        "1965-07-21",
        "",
        household,
        "AZ110101",
    )
    # The son has names alone on both registrations: no date, no ID, no father's name.
    son = PersonRecord(
        f"{ids}3",
        "Məmmədov" if latin else "Мамедов",
        "Tural" if latin else "Турал",
        household_id=household,
    )
    return [father, mother, son]


def test_a_son_registered_with_names_alone_joins_his_family_s_second_registration() -> None:
    strangers = [
        PersonRecord(
            f"s{k}", "Məmmədov", name, birth_date=f"19{50 + k}-01-02", household_id=f"S{k}"
        )
        for k, name in enumerate(["Tural", "Elvin", "Orxan", "Tural", "Kamran", "Tural"])
    ]
    records = [*_family("H1", "a", "latin"), *_family("H2", "b", "cyrillic"), *strangers]
    result = dedup(records, seed=1, train=False)
    cluster = {a.person_id: a.cluster_id for a in result.clusters}
    assert cluster["a1"] == cluster["b1"] and cluster["a2"] == cluster["b2"]
    assert cluster["a3"] == cluster["b3"]
    assert {cluster[f"s{k}"] for k in range(6)}.isdisjoint({cluster["a3"]})

    without = [replace(r, household_id="") for r in records]
    alone = {a.person_id: a.cluster_id for a in dedup(without, seed=1, train=False).clusters}
    assert alone["a3"] != alone["b3"]


def test_the_clusters_are_named_by_their_smallest_id() -> None:
    frame = pd.DataFrame(
        {
            "person_id": ["9", "10", "3"],
            "surname": ["Quliyev", "Кулиев", "Həsənov"],
            "given_name": ["Elvin", "Эльвин", "Orxan"],
            "birth_date": ["1980-02-03", "1980-02-03", "1990-01-01"],
        }
    )
    result = dedup(frame, seed=0, train=False)
    assert [a.cluster_id for a in result.clusters] == ["10", "10", "3"]
    assert result.clusters[2].match_probability == 1.0
