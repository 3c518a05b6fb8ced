"""Reviewers' decisions feed back into the model (issue 15).

A reviewer who says "same person" or "different persons" about a pair labels it. The next
run reads those labels (a labelled-pairs file, ``person_id_l,person_id_r,same`` with ``same``
1 or 0, or the app's decided pairs) and adjusts the model before scoring:

- **m probabilities**: among pairs judged the same person, how often each comparison sits at
  each level is what m means. The labelled counts are blended into the model's m with a
  pseudo-count of :data:`PRIOR_WEIGHT` pairs, so a handful of decisions nudges the model and
  hundreds move it. A level reviewers keep confirming (same person, birth date missing) gains
  weight. u probabilities are left alone: decided pairs are hard cases, not random pairs.
- **prior**: if reviewers confirm fewer (or more) pairs than the model expected (the sum of
  the labelled pairs' probabilities), the prior odds are scaled by the ratio (smoothed by
  one pair, and bounded to [1/4, 4] per run), which moves the whole probability scale.

A decided pair is also never proposed again (:func:`.bands.select_review`).

>>> params = {"prior": 0.01, "dob/exact": [0.8, 0.01], "dob/else": [0.2, 0.99]}
>>> new = adjust(params, [({"dob": "else"}, True)] * 20)
>>> round(new["dob/else"][0], 3), round(new["dob/exact"][0], 3)
(0.429, 0.571)
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = ["PRIOR_WEIGHT", "adjust", "probability", "read_labels"]

#: Pseudo-count of the model's own m probabilities against the labelled pairs.
PRIOR_WEIGHT = 50.0
MAX_PRIOR_STEP = 4.0
TRUE_WORDS = {"1", "true", "yes", "same", "y"}
FALSE_WORDS = {"0", "false", "no", "different", "n"}

Observation = tuple[Mapping[str, str], bool]


def probability(params: Mapping[str, Any], levels: Mapping[str, str]) -> float:
    """The model's match probability of a pair at ``levels`` (no term frequencies).

    >>> round(probability({"prior": 0.5, "dob/exact": [0.8, 0.2]}, {"dob": "exact"}), 3)
    0.8
    """
    prior = float(params["prior"])
    log_odds = math.log(prior / (1.0 - prior))
    for comparison, level in levels.items():
        mu = params.get(f"{comparison}/{level}")
        if mu and mu[0] and mu[1]:
            log_odds += math.log(float(mu[0]) / float(mu[1]))
    log_odds = max(-700.0, min(700.0, log_odds))
    return 1.0 / (1.0 + math.exp(-log_odds))


def _levels_by_comparison(params: Mapping[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for key in params:
        if "/" in key:
            comparison, level = key.split("/", 1)
            out[comparison].append(level)
    return out


def adjust(
    params: Mapping[str, Any],
    observations: Sequence[Observation],
    *,
    weight: float = PRIOR_WEIGHT,
) -> dict[str, Any]:
    """New parameters after ``observations``: (comparison levels of a pair, same person?).

    Levels are keyed by comparison name (``{"name": "both exact", "dob": "null"}``); a null
    level says nothing and is skipped. Without observations the parameters come back as
    they were.
    """
    out: dict[str, Any] = {k: (list(v) if isinstance(v, list) else v) for k, v in params.items()}
    if not observations:
        return out
    matches = [levels for levels, same in observations if same]
    for comparison, labels in _levels_by_comparison(params).items():
        counts = {label: 0 for label in labels}
        for levels in matches:
            if levels.get(comparison) in counts:
                counts[levels[comparison]] += 1
        seen = sum(counts.values())
        if not seen:
            continue
        old = {label: float(params[f"{comparison}/{label}"][0] or 0.0) for label in labels}
        total = sum(old.values()) or 1.0
        for label in labels:
            m = (weight * old[label] / total + counts[label]) / (weight + seen)
            out[f"{comparison}/{label}"][0] = m * total
    expected = sum(probability(params, levels) for levels, _ in observations)
    step = (len(matches) + 1.0) / (expected + 1.0)
    step = max(1.0 / MAX_PRIOR_STEP, min(MAX_PRIOR_STEP, step))
    prior = float(params["prior"])
    odds = prior / (1.0 - prior) * step
    out["prior"] = odds / (1.0 + odds)
    return out


def _label(text: str) -> bool | None:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def read_labels(path: Path) -> tuple[dict[frozenset[str], bool], list[InputError]]:
    """Read a labelled-pairs file: ``person_id_l,person_id_r,same`` (1/0, yes/no, same/different).

    Returns the labels (keyed by the pair as a frozenset) and the errors (a missing column,
    a line with an unknown label or an empty id), each naming file, line and column.
    """
    name = str(path)
    labels: dict[frozenset[str], bool] = {}
    errors: list[InputError] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        return {}, [InputError(f"cannot read file: {exc.strerror}", file=name)]
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("person_id_l", "person_id_r", "same")
                   if c not in (reader.fieldnames or [])]  # fmt: skip
        if missing:
            return {}, [InputError("missing required column", file=name, line=1, column=c)
                        for c in missing]  # fmt: skip
        for row in reader:
            line = reader.line_num
            left, right = (row["person_id_l"] or "").strip(), (row["person_id_r"] or "").strip()
            same = _label(row["same"] or "")
            if not left or not right or left == right:
                errors.append(InputError("two different person ids expected", file=name,
                                         line=line, column="person_id_r"))  # fmt: skip
            elif same is None:
                errors.append(InputError(f"same must be 1 or 0, got {row['same']!r}",
                                         file=name, line=line, column="same"))  # fmt: skip
            else:
                labels[frozenset((left, right))] = same
    return labels, errors
