"""Three bands instead of one threshold: auto-link, review, no-link (issue 15).

Every scored pair falls in one band by its match probability *p*:

- **auto-link**, ``p >= auto threshold`` (default :data:`DEFAULT_AUTO_THRESHOLD`, chosen on
  both generators so that the band's pairwise precision stays at or above 0.99): these links
  make clusters.csv;
- **review**, ``review threshold <= p < auto threshold`` (default
  :data:`DEFAULT_REVIEW_THRESHOLD`): a person should look at them;
- **no-link**, below: nobody looks.

Not every review-band edge is worth a person's time. An edge inside one auto cluster decides
nothing; of several edges between the same two clusters, accepting one merges them, so only
the strongest is kept. What is left is ranked by *expected benefit*: anything not reviewed
stays unlinked, so a review changes the result only when the pair is the same person
(probability *p*), and then it adds ``size_l x size_r`` same-person pairs (the two clusters
merge). Benefit = ``p x size_l x size_r``. The list is cut at a budget of review pairs per
record (:data:`DEFAULT_REVIEW_BUDGET`) and at :data:`MAX_PER_CLUSTER` pairs touching one
cluster (a common name should not eat the budget). Pairs a reviewer already decided are
left out.

By construction, accepting every selected pair on top of the auto clusters gives the widest
clustering the engine proposes (:func:`widest_clusters`).

>>> sizes = {"a": 2, "c": 1, "d": 1}
>>> picks = select_review([("a", "c", 0.6, "a", "c"), ("b", "c", 0.8, "a", "c"),
...                        ("c", "d", 0.3, "c", "d")], sizes, records=4, budget=1.0)
>>> [(p.person_id_l, p.person_id_r, p.benefit) for p in picks]
[('b', 'c', 1.6), ('c', 'd', 0.3)]
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_AUTO_THRESHOLD",
    "DEFAULT_REVIEW_BUDGET",
    "DEFAULT_REVIEW_THRESHOLD",
    "MAX_PER_CLUSTER",
    "ReviewPair",
    "benefit",
    "select_review",
    "widest_clusters",
]

DEFAULT_AUTO_THRESHOLD = 0.97
DEFAULT_REVIEW_THRESHOLD = 0.1
#: Review pairs per input record, at most.
DEFAULT_REVIEW_BUDGET = 0.1
#: Review pairs touching one auto cluster, at most.
MAX_PER_CLUSTER = 5


@dataclass(frozen=True, slots=True)
class ReviewPair:
    """A pair a person should look at; ``agreements`` is filled in by the engine."""

    person_id_l: str
    person_id_r: str
    match_probability: float
    benefit: float
    cluster_l: str = ""
    cluster_r: str = ""
    agreements: str = ""


def benefit(p: float, size_l: int, size_r: int) -> float:
    """Expected same-person pairs a review adds: ``p x size_l x size_r``.

    >>> benefit(0.5, 2, 3)
    3.0
    """
    return round(p * size_l * size_r, 6)


def budget_pairs(records: int, budget: float) -> int:
    """How many review pairs ``budget`` pairs per record allows (at least one if any).

    >>> budget_pairs(100_000, 0.1), budget_pairs(13, 0.1), budget_pairs(13, 0.0)
    (10000, 1, 0)
    """
    if budget <= 0 or records <= 0:
        return 0
    return max(1, math.floor(records * budget))


def _strongest_per_cluster_pair(
    candidates: Iterable[tuple[str, str, float, str, str]],
    decided: Collection[frozenset[str]],
) -> dict[frozenset[str], tuple[str, str, float, str, str]]:
    best: dict[frozenset[str], tuple[str, str, float, str, str]] = {}
    for cand in candidates:
        id_l, id_r, p, c_l, c_r = cand
        if c_l == c_r or frozenset((id_l, id_r)) in decided:
            continue
        key = frozenset((c_l, c_r))
        held = best.get(key)
        if held is None or (-p, id_l, id_r) < (-held[2], held[0], held[1]):
            best[key] = cand
    return best


def select_review(
    candidates: Iterable[tuple[str, str, float, str, str]],
    sizes: Mapping[str, int],
    *,
    records: int,
    budget: float = DEFAULT_REVIEW_BUDGET,
    per_cluster: int = MAX_PER_CLUSTER,
    decided: Collection[frozenset[str]] = (),
) -> list[ReviewPair]:
    """The review band, most useful first.

    ``candidates`` are review-band edges ``(id_l, id_r, p, cluster_l, cluster_r)`` with the
    auto cluster of each side; ``sizes`` maps a cluster to its number of records (1 when
    absent); ``decided`` holds pairs (as frozensets of the two ids) a reviewer already
    decided. Ties are broken by probability, then ids, so the order is deterministic.
    """
    best = _strongest_per_cluster_pair(candidates, decided)
    ranked = sorted(
        (
            ReviewPair(id_l, id_r, p, benefit(p, sizes.get(c_l, 1), sizes.get(c_r, 1)), c_l, c_r)
            for id_l, id_r, p, c_l, c_r in best.values()
        ),
        key=lambda r: (-r.benefit, -r.match_probability, r.person_id_l, r.person_id_r),
    )
    limit = budget_pairs(records, budget)
    used: dict[str, int] = {}
    out: list[ReviewPair] = []
    for pair in ranked:
        if len(out) >= limit:
            break
        if used.get(pair.cluster_l, 0) >= per_cluster or used.get(pair.cluster_r, 0) >= per_cluster:
            continue
        used[pair.cluster_l] = used.get(pair.cluster_l, 0) + 1
        used[pair.cluster_r] = used.get(pair.cluster_r, 0) + 1
        out.append(pair)
    return out


def widest_clusters(
    assignments: Sequence[tuple[str, str]], accepted: Iterable[tuple[str, str]]
) -> dict[str, str]:
    """Clusters after accepting pairs on top of ``(person_id, cluster_id)`` assignments.

    Each person's new cluster id is the smallest old cluster id of its component.

    >>> widest_clusters([("1", "1"), ("2", "1"), ("3", "3"), ("4", "4")], [("3", "2")])
    {'1': '1', '2': '1', '3': '1', '4': '4'}
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    cluster_of = dict(assignments)
    for _, cluster in assignments:
        find(cluster)
    for id_l, id_r in accepted:
        a, b = find(cluster_of[id_l]), find(cluster_of[id_r])
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {pid: find(cluster) for pid, cluster in assignments}
