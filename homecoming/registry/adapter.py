"""Registry persons <-> the linkage engine (homecoming.registry.linkage), both ways.

The only module that knows both the models and the engine: it turns persons into the
engine's records, runs duplicate detection as a job, and turns the clusters it returns into
candidate pairs with a field-by-field comparison for the review page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from homecoming.core.models import Job
from homecoming.registry.linkage.names import (
    name_key,
    normalise_fin,
    parse_patronymic,
    surname_stem,
)
from homecoming.registry.models import Person

#: Engine and review fields, in the order the review page shows them.
FIELDS = (
    "surname", "given_name", "patronymic", "sex", "birth_date", "national_id", "household",
    "origin", "phone",
)  # fmt: skip
#: Clusters larger than this are reviewed as a star around their first record, not as
#: every pair (a cluster of 50 would be 1,225 pairs to click through).
ALL_PAIRS_UP_TO = 6

SAME, MATCH, PARTIAL, DIFFER, MISSING = "same", "match", "partial", "differ", "missing"


@dataclass(frozen=True)
class Pair:
    person_a: int
    person_b: int
    probability: float
    comparison: dict[str, str]
    district_id: int | None
    band: str = "auto"
    agreements: str = ""
    benefit: float = 0.0


def person_rows(queryset: Any) -> list[dict[str, Any]]:
    """Persons not merged away, as plain values with their household's fields."""
    return list(
        queryset.filter(merged_into__isnull=True)
        .order_by("pk")
        .values(
            "pk", "surname", "given_name", "patronymic", "sex", "birth_date", "national_id",
            "household__reg_number", "household__origin__code", "household__phone",
            "household__district_id",
        )
    )  # fmt: skip


def engine_frame(rows: Sequence[dict[str, Any]]) -> Any:
    """The engine's persons table (the contract's persons.csv columns)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "person_id": [str(r["pk"]) for r in rows],
            "surname": [r["surname"] for r in rows],
            "given_name": [r["given_name"] for r in rows],
            "patronymic": [r["patronymic"] or "" for r in rows],
            "sex": [r["sex"] or "" for r in rows],
            "birth_date": [r["birth_date"].isoformat() if r["birth_date"] else "" for r in rows],
            "national_id": [r["national_id"] or "" for r in rows],
            "household_id": [r["household__reg_number"] for r in rows],
            "origin": [r["household__origin__code"] for r in rows],
            "phone": [r["household__phone"] or "" for r in rows],
        }
    )


def _values(row: dict[str, Any]) -> dict[str, str]:
    return {
        "surname": row["surname"],
        "given_name": row["given_name"],
        "patronymic": row["patronymic"] or "",
        "sex": row["sex"] or "",
        "birth_date": row["birth_date"].isoformat() if row["birth_date"] else "",
        "national_id": row["national_id"] or "",
        "household": row["household__reg_number"],
        "origin": row["household__origin__code"],
        "phone": row["household__phone"] or "",
    }


def compare(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    """Field by field: same text, same after normalisation (match), close, differ, missing.

    >>> c = compare(
    ...     {"surname": "Məmmədov", "given_name": "Rəşid", "birth_date": "1961-03-05"},
    ...     {"surname": "Мамедов", "given_name": "Rəşid", "birth_date": "1961-05-03"},
    ... )
    >>> c["surname"], c["given_name"], c["birth_date"], c["national_id"]
    ('match', 'same', 'partial', 'missing')
    """
    out: dict[str, str] = {}
    for name in FIELDS:
        x, y = (a.get(name) or "").strip(), (b.get(name) or "").strip()
        if not x or not y:
            out[name] = MISSING
        elif x == y:
            out[name] = SAME
        elif name == "surname" and name_key(x) != name_key(y):
            # Məmmədov / Məmmədova / Məmmədli: the same family name in another form.
            out[name] = PARTIAL if surname_stem(x) == surname_stem(y) else DIFFER
        elif name in ("surname", "given_name"):
            out[name] = MATCH if name_key(x) == name_key(y) else DIFFER
        elif name == "patronymic":
            same_father = parse_patronymic(x).father == parse_patronymic(y).father
            out[name] = MATCH if same_father else DIFFER
        elif name == "birth_date":
            out[name] = PARTIAL if x[:4] == y[:4] or sorted(x) == sorted(y) else DIFFER
        elif name == "national_id":
            out[name] = MATCH if normalise_fin(x) == normalise_fin(y) else DIFFER
        elif name == "phone":
            out[name] = MATCH if x[-9:] == y[-9:] else DIFFER
        else:
            out[name] = DIFFER
    return out


def pairs_from_clusters(rows: Sequence[dict[str, Any]], clusters: Iterable[Any]) -> list[Pair]:
    """Candidate pairs from the engine's clusters (one Assignment per person).

    The engine gives each record the strongest link that put it in its cluster; a pair's
    probability is the weaker of its two records' links.
    """
    by_id = {str(r["pk"]): r for r in rows}
    members: defaultdict[str, list[Any]] = defaultdict(list)
    for a in clusters:
        members[a.cluster_id].append(a)
    pairs = []
    for group in members.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda a: int(a.person_id))
        couples = (
            combinations(group, 2)
            if len(group) <= ALL_PAIRS_UP_TO
            else ((group[0], other) for other in group[1:])
        )
        for x, y in couples:
            ra, rb = by_id[x.person_id], by_id[y.person_id]
            da, db = ra["household__district_id"], rb["household__district_id"]
            pairs.append(
                Pair(
                    person_a=ra["pk"],
                    person_b=rb["pk"],
                    probability=round(min(x.match_probability, y.match_probability), 6),
                    comparison=compare(_values(ra), _values(rb)),
                    district_id=da if da == db else None,
                )
            )
    return pairs


def _pair(ra: dict[str, Any], rb: dict[str, Any], probability: float, **extra: Any) -> Pair:
    """A pair with the lower id first, its comparison and its shared district (if any)."""
    if ra["pk"] > rb["pk"]:
        ra, rb = rb, ra
    da, db = ra["household__district_id"], rb["household__district_id"]
    return Pair(
        person_a=ra["pk"],
        person_b=rb["pk"],
        probability=probability,
        comparison=compare(_values(ra), _values(rb)),
        district_id=da if da == db else None,
        **extra,
    )


def review_pairs(rows: Sequence[dict[str, Any]], review: Iterable[Any]) -> list[Pair]:
    """Candidate pairs from the engine's review band (:class:`ReviewPair`), band "review"."""
    by_id = {str(r["pk"]): r for r in rows}
    return [
        _pair(
            by_id[p.person_id_l],
            by_id[p.person_id_r],
            round(p.match_probability, 6),
            band="review",
            agreements=p.agreements[:300],
            benefit=p.benefit,
        )
        for p in review
    ]


def decided_labels(rows: Sequence[dict[str, Any]]) -> dict[frozenset[str], bool]:
    """Pairs among ``rows`` a reviewer decided (merged: same person; different: not).

    They feed back into the engine's model on the next run (linkage/feedback.py).
    """
    from homecoming.registry.models import CandidateStatus, DuplicateCandidate

    ids = {r["pk"] for r in rows}
    decided = DuplicateCandidate.objects.filter(
        status__in=[CandidateStatus.MERGED, CandidateStatus.DIFFERENT], person_a_id__in=ids
    ).values_list("person_a_id", "person_b_id", "status")
    return {
        frozenset((str(a), str(b))): status == CandidateStatus.MERGED
        for a, b, status in decided
        if b in ids
    }


def shared_identity_pairs(fins: Iterable[str]) -> list[Pair]:
    """Pairs of persons (not merged away) holding the same identity number, among `fins`.

    An identity number is refused when it is taken inside the writer's scope; taken outside
    it, the write goes through (refusing would tell the writer that the number exists
    elsewhere) and the pair goes to the duplicate review, where only programme-wide roles
    see a pair across districts.
    """
    wanted = {f for f in fins if f}
    if not wanted:
        return []
    rows = person_rows(Person.objects.filter(national_id__in=wanted))
    by_fin: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_fin[row["national_id"]].append(row)
    pairs = []
    for holders in by_fin.values():
        for ra, rb in combinations(holders, 2):  # rows are ordered by pk
            da, db = ra["household__district_id"], rb["household__district_id"]
            pairs.append(
                Pair(
                    person_a=ra["pk"],
                    person_b=rb["pk"],
                    probability=1.0,
                    comparison=compare(_values(ra), _values(rb)),
                    district_id=da if da == db else None,
                )
            )
    return pairs


def run_dedup_job(job: Job, progress: Any) -> dict[str, Any]:
    """Job handler: duplicate detection on the registry (or one district of it)."""
    from homecoming.registry.linkage.dedup import DEFAULT_THRESHOLD, dedup
    from homecoming.registry.services import do_store_candidates

    persons = Person.objects.all()
    district_id = job.params.get("district_id")
    if district_id:
        persons = persons.filter(household__district_id=district_id)
    progress(0.05, _("Reading persons"))
    rows = person_rows(persons)
    progress(0.15, _("Comparing %(n)d persons") % {"n": len(rows)})
    labels = decided_labels(rows)
    result = dedup(
        engine_frame(rows),
        threshold=float(job.params.get("threshold", DEFAULT_THRESHOLD)),
        labels=labels,
        seed=int(job.params.get("seed", 0)),
        engine=settings.DEDUP_ENGINE,
    )
    progress(0.85, _("Storing candidate pairs"))
    pairs = pairs_from_clusters(rows, result.clusters)
    uncertain = review_pairs(rows, result.review)
    counts = do_store_candidates([*pairs, *uncertain], job)
    return {
        "persons": len(rows),
        "pairs_compared": result.pairs_compared,
        "clusters": result.cluster_count,
        "candidate_pairs": len(pairs),
        "review_pairs": len(uncertain),
        "decisions_learned_from": result.labels_used,
        **counts,
        "seconds": result.seconds,
    }
