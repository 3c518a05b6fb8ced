"""Small-count suppression (homecoming.opendata.suppression), checked by an independent
attacker: for random tables, every set of micro-cells whose sum the published figures pin
down is found by linear algebra (its indicator vector is orthogonal to the null space of the
published rows), over every subset of the micro-cells of small tables."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Sequence

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space

from homecoming.opendata.suppression import (
    SuppressionError,
    disclosing_group,
    grid,
    suppress,
    value,
)

THRESHOLD = 5
#: Small counts most of the time: the interesting tables are the ones with small cells.
COUNT = st.one_of(st.integers(0, 6), st.integers(0, 60))


def derivable_subsets(
    figures: Sequence[frozenset[int]], n: int, shown: Sequence[int]
) -> list[tuple[int, ...]]:
    """Every non-empty set of the n micro-cells whose sum the published figures determine."""
    rows = np.array([[1.0 if i in figures[j] else 0.0 for i in range(n)] for j in shown])
    found = []
    free = null_space(rows) if len(shown) else np.eye(n)
    for size in range(1, n + 1):
        for subset in itertools.combinations(range(n), size):
            vector = np.zeros(n)
            vector[list(subset)] = 1.0
            if free.size == 0 or np.allclose(vector @ free, 0.0, atol=1e-9):
                found.append(subset)
    return found


def attack(figures: Sequence[frozenset[int]], counts: Sequence[int], hidden: set[int]) -> None:
    """Assert the rule: no published figure under the threshold, and no derivable set of
    micro-cells holds between 1 and THRESHOLD - 1 families."""
    shown = [j for j in range(len(figures)) if j not in hidden]
    for j in shown:
        assert value(figures[j], counts) >= THRESHOLD, (j, figures[j], counts)
    for subset in derivable_subsets(figures, len(counts), shown):
        total = sum(counts[i] for i in subset)
        assert not 0 < total < THRESHOLD, (subset, total, counts, sorted(hidden))


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.data())
def test_it_leaves_no_small_cell_in_a_table_with_margins_nor_derivable(
    rows: int, cols: int, data: st.DataObject
) -> None:
    counts = data.draw(st.lists(COUNT, min_size=rows * cols, max_size=rows * cols))
    figures = grid(rows, cols)
    hidden = suppress(figures, counts, THRESHOLD)
    attack(figures, counts, hidden)
    assert disclosing_group(figures, counts, THRESHOLD, hidden) is None


@st.composite
def linked_tables(draw: st.DrawFn) -> tuple[list[frozenset[int]], list[int]]:
    """Micro-cells and figures over them as several published tables make them: random
    groups, their unions (totals), the same group twice (one figure in two tables)."""
    n = draw(st.integers(1, 9))
    counts = draw(st.lists(COUNT, min_size=n, max_size=n))
    subsets = st.frozensets(st.integers(0, n - 1), min_size=1)
    figures = draw(st.lists(subsets, min_size=1, max_size=10))
    figures.append(frozenset().union(*figures))
    if draw(st.booleans()):
        figures.append(figures[0])
    return figures, counts


@settings(max_examples=120, deadline=None)
@given(linked_tables())
def test_it_leaves_nothing_derivable_across_linked_tables(
    table: tuple[list[frozenset[int]], list[int]],
) -> None:
    figures, counts = table
    hidden = suppress(figures, counts, THRESHOLD)
    attack(figures, counts, hidden)


def test_it_keeps_a_total_whose_parts_are_all_large() -> None:
    assert suppress(grid(2, 2), [10, 20, 30, 40], THRESHOLD) == set()


def test_it_hides_the_complement_of_a_single_small_cell_in_a_line() -> None:
    # One row: a=2, b=9, c=40, and the total 51. Hiding a alone, 51 - 9 - 40 gives it back.
    figures = [frozenset({0}), frozenset({1}), frozenset({2}), frozenset({0, 1, 2})]
    hidden = suppress(figures, [2, 9, 40], THRESHOLD)
    assert hidden == {0, 1}  # the smallest complement, b
    attack(figures, [2, 9, 40], hidden)


def test_it_hides_two_small_cells_whose_difference_to_the_total_is_small() -> None:
    # a=1 and b=2 both hidden, but 51 - 48 = 3: the two together are fewer than five.
    figures = [frozenset({0}), frozenset({1}), frozenset({2}), frozenset({0, 1, 2})]
    hidden = suppress(figures, [1, 2, 48], THRESHOLD)
    assert 2 in hidden or 3 in hidden
    attack(figures, [1, 2, 48], hidden)


def test_it_hides_zeros_too() -> None:
    assert suppress([frozenset({0}), frozenset({1})], [0, 7], THRESHOLD) == {0}


def test_it_gives_the_same_answer_every_time() -> None:
    counts = [3, 20, 30, 40, 1, 60, 7, 8, 90]
    first = suppress(grid(3, 3), counts, THRESHOLD)
    assert all(suppress(grid(3, 3), counts, THRESHOLD) == first for _ in range(3))


def test_it_refuses_a_figure_outside_the_micro_cells() -> None:
    try:
        suppress([frozenset({3})], [1, 2], THRESHOLD)
    except SuppressionError:
        return
    raise AssertionError("no error")


def test_the_engine_imports_no_django() -> None:
    code = (
        "import sys; import homecoming.opendata.suppression; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
