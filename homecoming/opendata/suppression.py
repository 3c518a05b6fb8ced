"""Small counts kept out of published tables: primary and secondary cell suppression.

A pure engine (no Django, no app): plain lists in, a set of indices out. The public
statistics (homecoming.opendata.public) call it; docs/opendata.md has the proof sketch.

**The model.** Families are counted in *micro-cells*: groups of families that share every
dimension value the published tables use (a district, a status, a former shelter...). Only
we know them. Each published *figure* (a cell of a table, a row or column total, a grand
total, in any of several tables) is the sum of a set of micro-cells, and a reader knows which
set. So by adding and subtracting published figures she learns every combination
``y · M`` of micro-cells in the span of the published figures' rows of ``M`` (the 0/1 matrix
figure x micro-cell), whatever the other tables say.

**The rule**, for a threshold ``t``:

1. *primary*: every figure under ``t`` is suppressed, zeros included;
2. *secondary*: no group of families that the published figures pin down has between 1 and
   ``t - 1`` families. That is, there is no set ``U`` of micro-cells whose indicator vector
   lies in the span of the published rows with ``0 < count(U) < t``. A suppressed figure
   with ``0 < count < t`` is such a group, so it can never be derived exactly; nor can
   "a total minus its published parts" (a set of the other parts) come to fewer than ``t``,
   along one line or through any chain of rows, columns, totals and tables.

**How.** After the primary cells, a mixed-integer program (HiGHS through ``scipy.optimize.
milp``) looks for a disclosing group: binary ``w`` over micro-cells, free ``y`` over the
published figures, ``M_P^T y = w`` and ``1 <= counts · w <= t - 1``. If there is one, the
smallest figure its derivation uses (``y_j != 0``) is suppressed too, and the search runs
again. Each round suppresses one more figure, so it ends; with everything suppressed
nothing is derivable, so it always ends safe. Then each secondary figure, largest first, is
given back if the program finds no group without it. Deterministic: no randomness, the same
input gives the same output.

Micro-cells holding no family are left out of the program: a reader who does not know a
group is empty can derive no more than one who does, so leaving them out only ever finds
more disclosures (it is the cautious side).

>>> figures = grid(2, 2)              # a 2 x 2 table with its row, column and grand totals
>>> counts = [3, 20, 30, 40]          # the cells: the first one is small
>>> sorted(suppress(figures, counts, 5))
[0, 1, 2, 3]
>>> counts = [3, 20, 30, 40, 50, 60]  # a 2 x 3 table: the small cell and three others go
>>> hidden = suppress(grid(2, 3), counts, 5)
>>> sorted(hidden), disclosing_group(grid(2, 3), counts, 5, hidden)
([0, 1, 3, 4], None)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, hstack, identity

#: A figure: the micro-cells (indices into the counts) it sums.
Figure = Collection[int]

#: A derivation coefficient counts as used above this (HiGHS' solutions are floats).
EPS = 1e-7
#: scipy.optimize.milp's status for a program without a solution.
INFEASIBLE = 2


class SuppressionError(Exception):
    """The input is not a table (a negative count, a figure naming a micro-cell that does
    not exist), or the solver gave no answer."""


def grid(rows: int, cols: int) -> list[frozenset[int]]:
    """The figures of a ``rows`` x ``cols`` table with margins, over its ``rows * cols``
    cells as micro-cells (row-major): the cells, then the row totals, the column totals and
    the grand total.

    >>> [sorted(f) for f in grid(1, 2)]
    [[0], [1], [0, 1], [0], [1], [0, 1]]
    """
    cells = [frozenset({r * cols + c}) for r in range(rows) for c in range(cols)]
    row_totals = [frozenset(r * cols + c for c in range(cols)) for r in range(rows)]
    col_totals = [frozenset(r * cols + c for r in range(rows)) for c in range(cols)]
    return [*cells, *row_totals, *col_totals, frozenset(range(rows * cols))]


def value(figure: Figure, counts: Sequence[int]) -> int:
    return sum(counts[i] for i in figure)


def suppress(figures: Sequence[Figure], counts: Sequence[int], threshold: int) -> set[int]:
    """The indices of ``figures`` to suppress so that the rule holds (module docstring).

    ``counts[i]`` is the number of families in micro-cell ``i`` (never negative). Figures
    that sum the same families (the same non-empty micro-cells) share one decision: one of
    them suppressed and the other published would give it away.
    """
    _check(figures, counts)
    keys = [_key(f, counts) for f in figures]
    values = {key: value(key, counts) for key in keys}
    primary = {key for key in keys if values[key] < threshold}
    try:
        hidden = _complete(set(keys), primary, values, counts, threshold)
    except SuppressionError:
        # The solver gave no answer (a limit, a numerical failure): publish nothing of this
        # input rather than something unchecked.
        return set(range(len(figures)))
    return {j for j, key in enumerate(keys) if key in hidden}


def _order(key: frozenset[int], values: dict[frozenset[int], int]) -> tuple[int, int, list[int]]:
    """The cheapest figure first: the smallest count, then the most detailed (fewest
    micro-cells), then a fixed order."""
    return values[key], len(key), sorted(key)


def _complete(
    keys: set[frozenset[int]],
    primary: set[frozenset[int]],
    values: dict[frozenset[int], int],
    counts: Sequence[int],
    threshold: int,
) -> set[frozenset[int]]:
    """Secondary suppression: while a group can be derived, hide the cheapest figure its
    derivation uses; then give back, largest first, each secondary figure whose return
    lets no group be derived (the greedy order may have taken more than needed)."""
    hidden = set(primary)
    while True:
        shown = sorted(keys - hidden, key=sorted)
        found = _derivation(shown, counts, threshold)
        if found is None:
            break
        used = [key for key, weight in zip(shown, found, strict=True) if abs(weight) > EPS]
        hidden.add(min(used, key=lambda k: _order(k, values)))
    for key in sorted(hidden - primary, key=lambda k: _order(k, values), reverse=True):
        trial = sorted(keys - hidden | {key}, key=sorted)
        if _derivation(trial, counts, threshold) is None:
            hidden.discard(key)
    return hidden


def disclosing_group(
    figures: Sequence[Figure], counts: Sequence[int], threshold: int, hidden: Collection[int]
) -> set[int] | None:
    """A set of micro-cells with between 1 and ``threshold - 1`` families that the figures
    not in ``hidden`` pin down, or None when there is none (the rule's second part holds)."""
    _check(figures, counts)
    shown = sorted(
        {_key(f, counts) for j, f in enumerate(figures) if j not in set(hidden)}, key=sorted
    )
    found = _group(shown, counts, threshold)
    return None if found is None else found[0]


def _check(figures: Sequence[Figure], counts: Sequence[int]) -> None:
    if any(c < 0 for c in counts):
        raise SuppressionError("a count is negative")
    for figure in figures:
        if any(not 0 <= i < len(counts) for i in figure):
            raise SuppressionError(f"a figure names a micro-cell outside 0..{len(counts) - 1}")


def _key(figure: Figure, counts: Sequence[int]) -> frozenset[int]:
    """The figure's non-empty micro-cells: what it says about families."""
    return frozenset(i for i in figure if counts[i] > 0)


def _derivation(
    shown: list[frozenset[int]], counts: Sequence[int], threshold: int
) -> list[float] | None:
    found = _group(shown, counts, threshold)
    return None if found is None else found[1]


def _group(
    shown: list[frozenset[int]], counts: Sequence[int], threshold: int
) -> tuple[set[int], list[float]] | None:
    """A disclosing group and the published figures' weights that derive it, or None.

    Variables: ``w`` (one binary per non-empty micro-cell the published figures touch),
    then ``y`` (one free weight per published figure). Rows: ``M_P^T y - w = 0`` per
    micro-cell, and ``1 <= counts · w <= threshold - 1``."""
    shown = [key for key in shown if key]
    if threshold <= 1 or not shown:
        return None
    cells = sorted(set().union(*shown))
    column = {cell: n for n, cell in enumerate(cells)}
    n, p = len(cells), len(shown)
    entries = [(column[cell], j) for j, key in enumerate(shown) for cell in key]
    rows, cols = zip(*entries, strict=True)
    spans = csr_matrix((np.ones(len(entries)), (rows, cols)), shape=(n, p))
    derived = hstack([-identity(n, format="csr"), spans], format="csr")
    size = np.array([counts[cell] for cell in cells] + [0] * p, dtype=float)
    constraints = [
        LinearConstraint(derived, np.zeros(n), np.zeros(n)),
        LinearConstraint(size.reshape(1, -1), [1], [threshold - 1]),
    ]
    lower = np.concatenate([np.zeros(n), np.full(p, -np.inf)])
    upper = np.concatenate([np.ones(n), np.full(p, np.inf)])
    result = milp(
        np.concatenate([size[:n], np.zeros(p)]),  # the smallest group: a clear certificate
        constraints=constraints,
        integrality=np.concatenate([np.ones(n), np.zeros(p)]),
        bounds=Bounds(lower, upper),
    )
    if result.status == INFEASIBLE:
        return None  # no group of fewer than `threshold` families is derivable
    if result.status != 0 or result.x is None:
        raise SuppressionError(f"the solver gave no answer: {result.message}")
    group = {cells[i] for i in range(n) if result.x[i] > 0.5}
    return group, [float(v) for v in result.x[n:]]
