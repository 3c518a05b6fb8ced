"""Graph contraction before the Dijkstra runs: exact distances on a smaller "core" graph.

Nodes that are not asked about (not a source, not a target) and have few neighbours are
removed round by round. Removing a node ``v`` replaces every pair of arcs ``u -> v -> x``
(``u != x``) by a shortcut ``u -> x`` of their summed minutes (the faster one is kept when
an arc ``u -> x`` exists already). Distances between the remaining nodes do not change:
any path through ``v`` has a shortcut, and no new path is made. So

- a dead end (one neighbour) or an isolated node simply goes, and so do whole dead-end trees,
  one leaf layer per round;
- a chain of degree-2 nodes collapses into one arc per direction it can be driven;
- with ``max_degree=3`` or more, low-degree crossings go too, at the price of shortcuts.

Each round removes an *independent* set of candidates (no two are neighbours), so every
shortcut joins two nodes that stay. The rounds give a ranking (contraction hierarchy): a
node removed in round ``r`` keeps its arcs to the nodes of round ``> r`` ("upward" arcs).
That lets a node that was contracted away still be asked about afterwards (``reinsert``):
its distance to the core is a small upward search, and two such nodes meet either in the
core or on their upward search spaces.

>>> import scipy.sparse as sp
>>> chain = sp.csr_matrix(([1.0, 1.0, 2.0, 2.0, 3.0], ([0, 1, 1, 2, 2], [1, 0, 2, 1, 3])), (4, 4))
>>> c = contract(chain, keep=[0, 3])
>>> c.core_nodes.tolist(), c.matrix.toarray().tolist()
([0, 3], [[0.0, 6.0], [0.0, 0.0]])
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# A round that removes fewer than this share of the remaining nodes ends the contraction.
_MIN_ROUND_SHARE = 0.001


@dataclass(frozen=True, eq=False)
class Contraction:
    """A contracted graph: ``matrix`` over ``core_nodes`` (indices of the original graph).

    ``core_of[i]`` is the core index of original node ``i`` or ``-1`` if it was removed;
    ``rank[i]`` is the round in which it was removed (core nodes: the number of rounds).
    ``up`` (``down``) holds, row ``v``, the arcs ``v -> x`` (``x -> v``) of a removed node to
    the nodes of higher rank, as they stood when ``v`` was removed.
    """

    n: int
    keep: BoolArray = field(repr=False)
    core_nodes: IntArray = field(repr=False)
    core_of: IntArray = field(repr=False)
    rank: IntArray = field(repr=False)
    matrix: Any = field(repr=False)
    up: Any = field(repr=False)
    down: Any = field(repr=False)
    rounds: int

    @cached_property
    def reverse(self) -> Any:
        """The core with its arcs reversed."""
        return self.matrix.T.tocsr()

    def covers(self, nodes: Iterable[int]) -> bool:
        """Whether these original nodes are all in the core."""
        idx = np.fromiter(nodes, dtype=np.int64)
        return bool(np.all(self.core_of[idx] >= 0))

    def upward(self, node: int, *, backward: bool = False) -> dict[int, float]:
        """Shortest upward distances from ``node`` (to it if ``backward``) over removed nodes.

        Keys are original node indices; the core nodes among them are where the search
        enters the core.
        """
        arcs = self.down if backward else self.up
        dist = {node: 0.0}
        heap = [(0.0, node)]
        done: set[int] = set()
        while heap:
            d, v = heapq.heappop(heap)
            if v in done:
                continue
            done.add(v)
            if self.core_of[v] >= 0:
                continue
            lo, hi = arcs.indptr[v], arcs.indptr[v + 1]
            for x, w in zip(arcs.indices[lo:hi].tolist(), arcs.data[lo:hi].tolist(), strict=True):
                nd = d + w
                if nd < dist.get(x, np.inf):
                    dist[x] = nd
                    heapq.heappush(heap, (nd, x))
        return dist


def _dedupe(key: IntArray, w: FloatArray) -> tuple[IntArray, FloatArray]:
    """Sorted unique keys with the smallest weight of each."""
    order = np.lexsort((w, key))
    key, w = key[order], w[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    return key[first], w[first]


def contract(
    matrix: Any,
    keep: Iterable[int] | BoolArray,
    *,
    max_degree: int = 8,
    max_growth: int | None = None,
    max_rounds: int = 64,
) -> Contraction:
    """Contract ``matrix`` (CSR of minutes, no self-loops) keeping the nodes ``keep``.

    Removes, round by round, independent sets of nodes outside ``keep`` with at most
    ``max_degree`` distinct neighbours (either direction). Deterministic.
    """
    csr = _canonical(sp.csr_matrix(matrix))
    n = csr.shape[0]
    keep_mask = _keep_mask(keep, n)
    key, w = _arc_keys(csr)
    alive = np.ones(n, dtype=bool)
    rank = np.full(n, -1, dtype=np.int64)
    salt = _tie_break_salt(n)
    up_parts: list[tuple[IntArray, IntArray, FloatArray]] = []
    down_parts: list[tuple[IntArray, IntArray, FloatArray]] = []
    rounds = 0
    while rounds < max_rounds:
        t, h = key // n, key % n
        degree, growth = _degree_and_growth(key, t, h, n)
        candidate = alive & ~keep_mask & (degree <= max_degree)
        if max_growth is not None:
            candidate &= growth <= max_growth
        if not candidate.any():
            break
        chosen = _independent_set(candidate, growth, salt, t, h)
        if int(chosen.sum()) < _MIN_ROUND_SHARE * int(alive.sum()) and rounds > 0:
            break
        rank[chosen] = rounds
        alive &= ~chosen
        key, w, up, down = _remove_nodes(chosen, key, w, t, h, n)
        up_parts.append(up)
        down_parts.append(down)
        rounds += 1
    core_nodes = np.flatnonzero(alive).astype(np.int64)
    core_of = np.full(n, -1, dtype=np.int64)
    core_of[core_nodes] = np.arange(len(core_nodes))
    rank[core_nodes] = rounds
    return Contraction(
        n,
        keep_mask,
        core_nodes,
        core_of,
        rank,
        _core_matrix(key, w, core_of, n, len(core_nodes)),
        _stack(up_parts, n),
        _stack(down_parts, n),
        rounds,
    )


def _canonical(csr: Any) -> Any:
    """``csr`` with duplicate entries summed (a copy only when there were any)."""
    if not csr.has_canonical_format:
        csr = csr.copy()
        csr.sum_duplicates()  # never happens for compiled graphs (one arc per pair)
    return csr


def _keep_mask(keep: Iterable[int] | BoolArray, n: int) -> BoolArray:
    """``keep`` (indices or a boolean mask) as a boolean mask over the ``n`` nodes."""
    keep_mask = np.zeros(n, dtype=bool)
    if isinstance(keep, np.ndarray) and keep.dtype == np.bool_:
        keep_mask[:] = keep
    else:
        keep_mask[np.fromiter(keep, dtype=np.int64)] = True
    return keep_mask


def _arc_keys(csr: Any) -> tuple[IntArray, FloatArray]:
    """Every arc as a key ``tail * n + head`` (sorted, unique) and its minutes."""
    n = csr.shape[0]
    t0 = np.repeat(np.arange(n, dtype=np.int64), np.diff(csr.indptr))
    key = t0 * n + csr.indices.astype(np.int64)  # sorted and unique: canonical CSR
    return key, csr.data.astype(np.float64)


def _tie_break_salt(n: int) -> Any:
    """A fixed pseudo-random tie-break so that chains shrink by a share per round."""
    return (np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)


def _degree_and_growth(
    key: IntArray, t: IntArray, h: IntArray, n: int
) -> tuple[IntArray, IntArray]:
    """Each node's distinct neighbours, and the arcs gained by removing it."""
    # Distinct neighbours: out-arcs + in-arcs - pairs driven both ways.
    back = np.searchsorted(key, h * n + t)
    mutual = back < len(key)
    mutual[mutual] = key[back[mutual]] == (h * n + t)[mutual]
    outs, ins = np.bincount(t, minlength=n), np.bincount(h, minlength=n)
    both_ways = np.bincount(t[mutual], minlength=n)
    degree = outs + ins - both_ways
    # Arcs gained by removing the node (before merging with existing arcs).
    growth = ins * outs - both_ways - ins - outs
    return degree, growth


def _independent_set(
    candidate: BoolArray, growth: IntArray, salt: Any, t: IntArray, h: IntArray
) -> BoolArray:
    """The candidates to remove this round: of two neighbours, the one gaining fewer arcs."""
    order = (growth + 64).clip(0, 1 << 20).astype(np.uint64)
    priority = order << np.uint64(32) | salt
    both = candidate[t] & candidate[h]
    a2, b2 = t[both], h[both]
    loser = np.where(priority[a2] > priority[b2], a2, b2)
    chosen = candidate.copy()
    chosen[loser] = False
    return chosen


def _remove_nodes(
    chosen: BoolArray, key: IntArray, w: FloatArray, t: IntArray, h: IntArray, n: int
) -> tuple[
    IntArray,
    FloatArray,
    tuple[IntArray, IntArray, FloatArray],
    tuple[IntArray, IntArray, FloatArray],
]:
    """Drop the arcs of the ``chosen`` nodes and add their shortcuts.

    Returns the remaining arcs (keys, minutes), then the removed nodes' upward arcs
    ``v -> x`` and downward arcs (``u -> v`` stored as row ``v``).
    """
    into = chosen[h]
    out = chosen[t]
    it, ih, iw = t[into], h[into], w[into]  # u -> v, v removed
    ot, oh, ow = t[out], h[out], w[out]  # v -> x, v removed (sorted by v: keys sorted)
    skey, sw = _shortcuts(it, ih, iw, ot, oh, ow, n)
    stay = ~(into | out)
    key, w = _merge_arcs(key[stay], w[stay], skey, sw)
    return key, w, (ot, oh, ow), (ih, it, iw)


def _shortcuts(
    it: IntArray,
    ih: IntArray,
    iw: FloatArray,
    ot: IntArray,
    oh: IntArray,
    ow: FloatArray,
    n: int,
) -> tuple[IntArray, FloatArray]:
    """Shortcuts ``u -> x`` for every ``u -> v -> x`` (keys sorted, the fastest of each)."""
    out_count = np.bincount(ot, minlength=n)
    out_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(out_count, out=out_start[1:])
    reps = out_count[ih]
    rep = np.repeat(np.arange(len(ih)), reps)
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(reps) - reps, reps)
    pick = out_start[ih[rep]] + offset
    su, sx, sw = it[rep], oh[pick], iw[rep] + ow[pick]
    real = su != sx
    return _dedupe(su[real] * n + sx[real], sw[real])


def _merge_arcs(
    key: IntArray, w: FloatArray, skey: IntArray, sw: FloatArray
) -> tuple[IntArray, FloatArray]:
    """Arcs plus shortcuts, sorted: a shortcut over an existing arc keeps the faster."""
    pos = np.searchsorted(key, skey)
    match = pos < len(key)
    match[match] = key[pos[match]] == skey[match]
    np.minimum.at(w, pos[match], sw[match])
    new = ~match
    return np.insert(key, pos[new], skey[new]), np.insert(w, pos[new], sw[new])


def _core_matrix(key: IntArray, w: FloatArray, core_of: IntArray, n: int, m: int) -> Any:
    """The remaining arcs as a CSR matrix over the ``m`` core nodes."""
    t, h = key // n, key % n
    return sp.csr_matrix((w, (core_of[t], core_of[h])), shape=(m, m))


def _stack(parts: list[tuple[IntArray, IntArray, FloatArray]], n: int) -> Any:
    if not parts:
        return sp.csr_matrix((n, n))
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    data = np.concatenate([p[2] for p in parts])
    return sp.csr_matrix((data, (rows, cols)), shape=(n, n))


def _augmented(core: Any, starts: list[dict[int, float]], core_of: IntArray) -> Any:
    """The core plus one extra node per entry of ``starts``, with arcs to where it enters."""
    m = core.shape[0]
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    for i, reach in enumerate(starts):
        for x, d in reach.items():
            if core_of[x] >= 0:
                rows.append(i)
                cols.append(int(core_of[x]))
                data.append(d)
    extra = sp.csr_matrix((data, (rows, cols)), shape=(len(starts), m))
    indptr = np.concatenate([core.indptr, extra.indptr[1:] + core.indptr[-1]])
    size = m + len(starts)
    return sp.csr_matrix(
        (
            np.concatenate([core.data, extra.data]),
            np.concatenate([core.indices, extra.indices]),
            indptr,
        ),
        shape=(size, size),
    )


def end_distances(
    c: Contraction,
    ends: IntArray,
    sources: IntArray,
    targets: IntArray,
    *,
    block: int | None = None,
    between: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Exact ``d(s, k)`` (S x K), ``d(k, t)`` (K x T) and ``d(k_i, k_j)`` (K x K).

    ``sources`` and ``targets`` (original indices) must be in the core; the ``ends`` may
    have been contracted away: each is put back as an extra node joined to the core by its
    upward search space, and one Dijkstra per end and direction runs on the (small) core.
    ``block`` ends at a time (default all) bound the Dijkstra output to ``block`` rows;
    without ``between`` the K x K part is left empty (shape ``(0, 0)``).
    """
    from scipy.sparse.csgraph import dijkstra

    m = c.matrix.shape[0]
    up = [c.upward(int(k)) for k in ends]
    down = [c.upward(int(k), backward=True) for k in ends]
    k = len(ends)
    step = max(1, block or k)
    forward_graph = _augmented(c.matrix, up, c.core_of)
    backward_graph = _augmented(c.reverse, down, c.core_of)
    core_src, core_tgt = c.core_of[sources], c.core_of[targets]
    to_ends = np.empty((len(sources), k))
    from_ends = np.empty((k, len(targets)))
    closure = np.full((k, k) if between else (0, 0), np.inf)
    for lo in range(0, k, step):
        rows = np.arange(m + lo, m + min(k, lo + step))
        forward = dijkstra(forward_graph, directed=True, indices=rows)
        backward = dijkstra(backward_graph, directed=True, indices=rows)
        to_ends[:, lo : lo + len(rows)] = backward[:, core_src].T  # d(s, k)
        from_ends[lo : lo + len(rows)] = forward[:, core_tgt]  # d(k, t)
        del backward
        if between:
            for i in range(lo, lo + len(rows)):
                closure[i] = _row_between(c, forward[i - lo], up[i], down, i)
    return to_ends, from_ends, closure


def _row_between(
    c: Contraction, forward: FloatArray, up: dict[int, float], down: list[dict[int, float]], i: int
) -> FloatArray:
    """``d(k_i, k_j)`` for every j, from k_i's Dijkstra row and each k_j's downward space."""
    row = np.full(len(down), np.inf)
    for j, space in enumerate(down):
        if i == j:
            row[j] = 0.0
            continue
        best = np.inf
        for x, d in space.items():
            cx = c.core_of[x]
            via = forward[cx] if cx >= 0 else up.get(x, np.inf)
            best = min(best, via + d)
        row[j] = best
    return row
