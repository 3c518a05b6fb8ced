"""Household support: members of two households that match each other support each other's
links (issue 15, part 3).

A family registered twice appears as two households whose members match one to one. Once
two households are tied by a strong link between some of their members, a remaining
member of one is no longer one record among a hundred thousand for a member of the other:
it is one of the few persons of that household. Bayes' rule then says to keep the evidence
of the comparison (the Bayes factor of the Fellegi-Sunter model) and replace the prior:
the programme-wide chance that two records match becomes about ``1 / size`` of the larger
household, halved because the tie between the households may itself be wrong.

Two guards keep relatives apart:

- the other members must supply the tie: a link between ``a`` and ``b`` never supports
  itself, so a lone pair between two households gains nothing;
- matching is one to one: only a pair that is each record's best counterpart in the other
  household gains (twins, who share everything but a given name, each have a better
  counterpart: their own second registration).

A pair's probability only ever rises; pairs within one household are left as they are.

>>> import numpy as np
>>> uid = np.array(["a1", "a2", "b1", "b2"])
>>> household = np.array(["A", "A", "B", "B"])
>>> left, right = np.array([0, 1]), np.array([2, 3])   # a1~b1 strong, a2~b2 weak
>>> weight = np.array([20.0, 3.0])
>>> out = supported_weights(household, left, right, weight, prior=1e-5, threshold=0.9)
>>> [round(float(w), 1) for w in out]
[20.0, 18.0]
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["MAX_GROUP_HOUSEHOLDS", "household_groups", "supported_weights", "weight_of"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: A family is registered a few times at most: a chain of more households tied together is
#: common names linking strangers, and is not used to find more candidates.
MAX_GROUP_HOUSEHOLDS = 4
#: The chance that two strongly tied households are the same family (the rest: a wrong tie).
TIE_CONFIDENCE = 0.5


def weight_of(probability: float) -> float:
    """The match weight (log2 of the odds) of a probability.

    >>> weight_of(0.5), round(weight_of(0.9), 3)
    (0.0, 3.17)
    """
    return math.log2(probability / (1.0 - probability))


def _codes(household: npt.NDArray[np.object_]) -> tuple[IntArray, int]:
    """Household codes per record (-1 for none) and how many households there are."""
    present = pd.Series(household).fillna("").astype(str)
    codes, uniques = pd.factorize(present.where(present != "", None), use_na_sentinel=True)
    return codes.astype(np.int64), len(uniques)


def _strong_ties(
    hh: IntArray, left: IntArray, right: IntArray, weight: FloatArray, threshold: float
) -> pd.DataFrame:
    """Strong links between records of two different households, one row per link."""
    strong = weight >= weight_of(threshold)
    hl, hr = hh[left], hh[right]
    keep = strong & (hl >= 0) & (hr >= 0) & (hl != hr)
    lo, hi = np.minimum(hl, hr)[keep], np.maximum(hl, hr)[keep]
    return pd.DataFrame(
        {"lo": lo, "hi": hi, "l": left[keep], "r": right[keep]},
    )


def household_groups(
    household: npt.NDArray[np.object_],
    left: IntArray,
    right: IntArray,
    weight: FloatArray,
    threshold: float,
) -> npt.NDArray[np.object_]:
    """Each record's group of households tied by strong links (None when it has none).

    Groups of more than :data:`MAX_GROUP_HOUSEHOLDS` households are dropped (None): the
    candidates of the second pass are the members of one group, compared pair by pair.

    >>> hh = np.array(["A", "A", "B", "C", ""], dtype=object)
    >>> household_groups(hh, np.array([0]), np.array([2]), np.array([10.0]), 0.9).tolist()
    ['g0', 'g0', 'g0', None, None]
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    hh, count = _codes(household)
    ties = _strong_ties(hh, left, right, weight, threshold)
    out = np.full(len(household), None, dtype=object)
    if ties.empty:
        return out
    graph = coo_matrix(
        (np.ones(len(ties)), (ties["lo"].to_numpy(), ties["hi"].to_numpy())), shape=(count, count)
    )
    _, label = connected_components(graph, directed=False)
    tied = np.zeros(count, dtype=bool)
    tied[ties["lo"].to_numpy()] = tied[ties["hi"].to_numpy()] = True
    sizes = np.bincount(label[tied], minlength=int(label.max()) + 1)
    usable = tied & (sizes[label] <= MAX_GROUP_HOUSEHOLDS)
    has = hh >= 0
    mine = np.zeros(len(household), dtype=bool)
    mine[has] = usable[hh[has]]
    out[mine] = np.char.add("g", label[hh[mine]].astype(str)).astype(object)
    return out


def _other_ties(
    hh: IntArray,
    left: IntArray,
    right: IntArray,
    ties: pd.DataFrame,
    strong: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """Whether each pair's two households are tied by a strong link not touching its records."""
    hl, hr = hh[left], hh[right]
    lo, hi = np.minimum(hl, hr), np.maximum(hl, hr)
    total = ties.groupby(["lo", "hi"]).size().reindex(pd.MultiIndex.from_arrays([lo, hi]))
    ends = pd.concat(
        [
            ties[["lo", "hi", "l"]].rename(columns={"l": "rec"}),
            ties[["lo", "hi", "r"]].rename(columns={"r": "rec"}),
        ]
    )
    per_record = ends.groupby(["lo", "hi", "rec"]).size()
    touching = sum(
        per_record.reindex(pd.MultiIndex.from_arrays([lo, hi, mine])).fillna(0).to_numpy()
        for mine in (left, right)
    )
    # The pair's own link, when strong, was counted at both its ends.
    others = total.fillna(0).to_numpy() - touching + strong
    return np.asarray(others > 0)


def _mutual_best(
    hh: IntArray, left: IntArray, right: IntArray, weight: FloatArray
) -> npt.NDArray[np.bool_]:
    """Whether each pair is, for both its records, the one best counterpart in the other
    household (a tie for best is no best)."""
    index = np.arange(len(left))
    both = pd.DataFrame(
        {
            "pair": np.concatenate([index, index]),
            "me": np.concatenate([left, right]),
            "other": np.concatenate([hh[right], hh[left]]),
            "w": np.concatenate([weight, weight]),
        }
    ).sort_values(["me", "other", "w"], ascending=[True, True, False], kind="stable")
    groups = both.groupby(["me", "other"], sort=False)
    first = groups.cumcount().to_numpy() == 0
    runner_up = groups["w"].shift(-1).to_numpy()
    unique_best = first & ~(runner_up == both["w"].to_numpy())
    per_pair = pd.Series(unique_best).groupby(both["pair"].to_numpy()).all()
    return per_pair.reindex(index).fillna(False).to_numpy(dtype=bool)


def supported_weights(
    household: npt.NDArray[np.object_],
    left: IntArray,
    right: IntArray,
    weight: FloatArray,
    *,
    prior: float,
    threshold: float,
) -> FloatArray:
    """The pairs' match weights after household support (never lower than before).

    ``left`` and ``right`` index records into ``household``; ``weight`` is each pair's match
    weight under the programme-wide ``prior`` (the model's probability that two random
    records match); ``threshold`` is the probability from which a link is strong.
    """
    hh, _ = _codes(household)
    out = weight.astype(np.float64).copy()
    if len(left) == 0:
        return out
    ties = _strong_ties(hh, left, right, weight, threshold)
    if ties.empty:
        return out
    hl, hr = hh[left], hh[right]
    candidate = (hl >= 0) & (hr >= 0) & (hl != hr)
    strong = weight >= weight_of(threshold)
    candidate &= _other_ties(hh, left, right, ties, strong)
    candidate &= _mutual_best(hh, left, right, weight)
    if not candidate.any():
        return out
    sizes = np.bincount(hh[hh >= 0])
    larger = np.maximum(sizes[np.where(hl >= 0, hl, 0)], sizes[np.where(hr >= 0, hr, 0)])
    local_prior = TIE_CONFIDENCE / np.maximum(larger, 1)
    local_prior = np.minimum(local_prior, 0.5)
    factor = out - weight_of(prior)  # the comparison's evidence, without the prior
    boosted = np.log2(local_prior / (1.0 - local_prior)) + factor
    out[candidate] = np.maximum(out[candidate], boosted[candidate])
    return out
