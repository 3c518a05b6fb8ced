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
    csr = sp.csr_matrix(matrix)
    n = csr.shape[0]
    keep_mask = np.zeros(n, dtype=bool)
    if isinstance(keep, np.ndarray) and keep.dtype == np.bool_:
        keep_mask[:] = keep
    else:
        keep_mask[np.fromiter(keep, dtype=np.int64)] = True
    if not csr.has_canonical_format:
        csr = csr.copy()
        csr.sum_duplicates()  # never happens for compiled graphs (one arc per pair)
    t0 = np.repeat(np.arange(n, dtype=np.int64), np.diff(csr.indptr))
    key = t0 * n + csr.indices.astype(np.int64)  # sorted and unique: canonical CSR
    w = csr.data.astype(np.float64)
    alive = np.ones(n, dtype=bool)
    rank = np.full(n, -1, dtype=np.int64)
    # A fixed pseudo-random tie-break so that chains shrink by a share per round.
    salt = (np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)
    up_parts: list[tuple[IntArray, IntArray, FloatArray]] = []
    down_parts: list[tuple[IntArray, IntArray, FloatArray]] = []
    rounds = 0
    while rounds < max_rounds:
        t, h = key // n, key % n
        # Distinct neighbours: out-arcs + in-arcs - pairs driven both ways.
        back = np.searchsorted(key, h * n + t)
        mutual = back < len(key)
        mutual[mutual] = key[back[mutual]] == (h * n + t)[mutual]
        outs, ins = np.bincount(t, minlength=n), np.bincount(h, minlength=n)
        both_ways = np.bincount(t[mutual], minlength=n)
        degree = outs + ins - both_ways
        # Arcs gained by removing the node (before merging with existing arcs).
        growth = ins * outs - both_ways - ins - outs
        candidate = alive & ~keep_mask & (degree <= max_degree)
        if max_growth is not None:
            candidate &= growth <= max_growth
        if not candidate.any():
            break
        order = (growth + 64).clip(0, 1 << 20).astype(np.uint64)
        priority = order << np.uint64(32) | salt
        both = candidate[t] & candidate[h]
        a2, b2 = t[both], h[both]
        loser = np.where(priority[a2] > priority[b2], a2, b2)
        chosen = candidate.copy()
        chosen[loser] = False
        count = int(chosen.sum())
        if count < _MIN_ROUND_SHARE * int(alive.sum()) and rounds > 0:
            break
        rank[chosen] = rounds
        alive &= ~chosen
        into = chosen[h]
        out = chosen[t]
        it, ih, iw = t[into], h[into], w[into]  # u -> v, v removed
        ot, oh, ow = t[out], h[out], w[out]  # v -> x, v removed (sorted by v: keys sorted)
        up_parts.append((ot, oh, ow))
        down_parts.append((ih, it, iw))
        # Shortcuts u -> x for every u -> v -> x.
        out_count = np.bincount(ot, minlength=n)
        out_start = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(out_count, out=out_start[1:])
        reps = out_count[ih]
        rep = np.repeat(np.arange(len(ih)), reps)
        offset = np.arange(len(rep)) - np.repeat(np.cumsum(reps) - reps, reps)
        pick = out_start[ih[rep]] + offset
        su, sx, sw = it[rep], oh[pick], iw[rep] + ow[pick]
        real = su != sx
        skey, sw = _dedupe(su[real] * n + sx[real], sw[real])
        stay = ~(into | out)
        key, w = key[stay], w[stay]
        pos = np.searchsorted(key, skey)
        match = pos < len(key)
        match[match] = key[pos[match]] == skey[match]
        np.minimum.at(w, pos[match], sw[match])
        new = ~match
        key = np.insert(key, pos[new], skey[new])
        w = np.insert(w, pos[new], sw[new])
        rounds += 1
    core_nodes = np.flatnonzero(alive).astype(np.int64)
    core_of = np.full(n, -1, dtype=np.int64)
    core_of[core_nodes] = np.arange(len(core_nodes))
    rank[core_nodes] = rounds
    t, h = key // n, key % n
    m = len(core_nodes)
    core = sp.csr_matrix((w, (core_of[t], core_of[h])), shape=(m, m))
    return Contraction(
        n,
        keep_mask,
        core_nodes,
        core_of,
        rank,
        core,
        _stack(up_parts, n),
        _stack(down_parts, n),
        rounds,
    )


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
    c: Contraction, ends: IntArray, sources: IntArray, targets: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Exact ``d(s, k)`` (S x K), ``d(k, t)`` (K x T) and ``d(k_i, k_j)`` (K x K).

    ``sources`` and ``targets`` (original indices) must be in the core; the ``ends`` may
    have been contracted away: each is put back as an extra node joined to the core by its
    upward search space, and one Dijkstra per end and direction runs on the (small) core.
    """
    from scipy.sparse.csgraph import dijkstra

    m = c.matrix.shape[0]
    up = [c.upward(int(k)) for k in ends]
    down = [c.upward(int(k), backward=True) for k in ends]
    k = len(ends)
    virtual = np.arange(m, m + k)
    forward = dijkstra(_augmented(c.matrix, up, c.core_of), directed=True, indices=virtual)
    backward = dijkstra(_augmented(c.reverse, down, c.core_of), directed=True, indices=virtual)
    to_ends = backward[:, c.core_of[sources]].T.copy()  # d(s, k)
    from_ends = forward[:, c.core_of[targets]]  # d(k, t)
    between = np.full((k, k), np.inf)
    for i in range(k):
        for j in range(k):
            if i == j:
                between[i, j] = 0.0
                continue
            best = np.inf
            for x, d in down[j].items():
                cx = c.core_of[x]
                via = forward[i, cx] if cx >= 0 else up[i].get(x, np.inf)
                best = min(best, via + d)
            between[i, j] = best
    return to_ends, from_ends, between
