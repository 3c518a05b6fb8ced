"""Scenario comparison and project savings, updated incrementally from a base matrix.

Removing edges only changes the rows of sources whose shortest-path tree may use them (an
arc ``a -> b`` of weight ``w`` with ``d(s, a) + w == d(s, b)``): only those rows are
recomputed. Adding edges needs no new row at all: with ``K`` the ends of the added arcs,

    d'(s, t) = min(d(s, t), min over i, j in K of d(s, i) + C[i, j] + d(j, t))

where ``C`` is the closure (Floyd-Warshall) over ``K`` of base distances and new arcs. That
costs a Dijkstra from and to each node of ``K`` instead of one per source.

>>> from datetime import date
>>> from .model import Edge, Network, Node
>>> nodes = tuple(Node(x, x.upper(), 0, i) for i, x in enumerate("abc"))
>>> net = Network(nodes, (Edge("ab", "a", "b", "road", 60, speed_kmh=60),
...                       Edge("bc", "b", "c", "road", 60, speed_kmh=60)))
>>> tunnel = Edge("ac", "a", "c", "tunnel", 20, speed_kmh=60)
>>> comp = compare(net, Scenario(add=(tunnel,)), on=date(2026, 1, 1))
>>> [(c.source, c.target, c.minutes_before, c.minutes_after, c.saved) for c in comp.changes()]
[('a', 'c', 120.0, 20.0, 100.0), ('c', 'a', 120.0, 20.0, 100.0)]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from .contract import end_distances
from .errors import UnknownEdge
from .graph import (
    FloatArray,
    Graph,
    IntArray,
    TravelMatrix,
    _assemble,
    compile_graph,
    graph_distances,
    matrix_on,
)
from .model import Edge, Network, Scenario

# Distances are sums of a few hundred floats: ties closer than this count as ties.
_TIGHT = 1e-9

# Working memory the incremental update may allocate (distance rows and tables), beyond
# the graph and the matrices it is given and returns: a scenario of any size stays within
# it by working in blocks or by recomputing rows instead (see ``_remove`` and ``_add``).
DEFAULT_MEMORY_BUDGET = 1 << 30

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Change:
    """One ordered pair whose travel time changes; ``None`` means unreachable."""

    source: str
    target: str
    minutes_before: float | None
    minutes_after: float | None

    @property
    def saved(self) -> float | None:
        """Minutes saved (negative: lost); ``None`` unless reachable on both sides."""
        if self.minutes_before is None or self.minutes_after is None:
            return None
        return self.minutes_before - self.minutes_after


@dataclass(frozen=True)
class Comparison:
    """Travel times without (``before``) and with (``after``) a scenario or project."""

    before: TravelMatrix
    after: TravelMatrix

    def changed_mask(self, tolerance: float = 1e-6) -> np.ndarray:
        """Boolean matrix of the pairs whose time changes (excluding a node with itself)."""
        b, a = self.before.minutes, self.after.minutes
        both = np.isfinite(b) & np.isfinite(a)
        diff = np.where(
            both,
            np.abs(np.where(both, b, 0) - np.where(both, a, 0)) > tolerance,
            np.isfinite(b) != np.isfinite(a),
        )
        column = {t: j for j, t in enumerate(self.before.targets)}
        for i, s in enumerate(self.before.sources):
            if s in column:
                diff[i, column[s]] = False
        return np.asarray(diff)

    def changes(self, tolerance: float = 1e-6) -> list[Change]:
        """Every pair whose time changes by more than ``tolerance`` minutes, row by row."""
        out: list[Change] = []
        b, a = self.before.minutes, self.after.minutes
        for i, j in zip(*np.nonzero(self.changed_mask(tolerance)), strict=True):
            before, after = float(b[i, j]), float(a[i, j])
            out.append(
                Change(
                    self.before.sources[i],
                    self.before.targets[j],
                    before if np.isfinite(before) else None,
                    after if np.isfinite(after) else None,
                )
            )
        return out

    def total_saved(self) -> float:
        """Sum of minutes saved over the pairs reachable before and after."""
        b, a = self.before.minutes, self.after.minutes
        both = np.isfinite(b) & np.isfinite(a)
        return float(np.sum(b[both] - a[both]))

    def newly_connected(self) -> int:
        """Pairs unreachable before and reachable after."""
        return int(np.sum(~np.isfinite(self.before.minutes) & np.isfinite(self.after.minutes)))


def _blocks(count: int, size: int) -> Iterator[slice]:
    for lo in range(0, count, max(1, size)):
        yield slice(lo, min(count, lo + max(1, size)))


def _end_distances(
    graph: Graph,
    ends: IntArray,
    src: IntArray,
    tgt: IntArray,
    budget: int,
    *,
    between: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``d(s, k)`` (S x K), ``d(k, t)`` (K x T), ``d(k_i, k_j)`` (K x K) for nodes ``ends``.

    On the graph's kept contraction when its core holds the sources and targets (a matrix
    was computed on it): then the Dijkstra runs are on the smaller core. Else on the graph.
    The Dijkstra runs go a block of ends at a time so that their rows (a float per node)
    stay within ``budget`` bytes; without ``between`` the K x K part is empty.
    """
    c = graph.cached_contraction(np.concatenate([src, tgt]))
    width = c.matrix.shape[0] + len(ends) if c is not None else graph.n
    directions = 1 if graph.symmetric and c is None else 2
    block = max(1, budget // (8 * width * directions))
    if c is not None:
        return end_distances(c, ends, src, tgt, block=block, between=between)
    into = np.empty((len(src), len(ends)))
    out_of = np.empty((len(ends), len(tgt)))
    closure = np.empty((len(ends), len(ends)) if between else (0, 0))
    for part in _blocks(len(ends), block):
        forward = dijkstra(graph.matrix, directed=True, indices=ends[part])  # d(k, .)
        out_of[part] = forward[:, tgt]
        if between:
            closure[part] = forward[:, ends]
        if not graph.symmetric:
            del forward
            forward = dijkstra(graph.reverse, directed=True, indices=ends[part])  # d(., k)
        into[:, part] = forward[:, src].T
    return into, out_of, closure


def _affected(
    graph: Graph,
    minutes: FloatArray,
    arcs: tuple[IntArray, IntArray, FloatArray],
    src: IntArray,
    tgt: IntArray,
    budget: int,
) -> BoolArray:
    """Sources whose row may change when the arcs ``(tails, heads, weights)`` go.

    A row (source s) can only change if a removed arc a -> b lies on a shortest path from
    s to one of the targets: d(s, a) + w + d(b, t) == d(s, t). The arcs are taken a block
    at a time, the block sized so that its distance rows fit in ``budget``.
    """
    tails, heads, weights = arcs
    reachable = np.isfinite(minutes)
    bound = np.where(reachable, minutes + _TIGHT * (1 + np.abs(minutes)), -np.inf)
    affected = np.zeros(len(src), dtype=bool)
    per_end = 8 * (2 * graph.n + len(src) + len(tgt))
    for part in _blocks(len(tails), budget // (2 * per_end)):
        if affected.all():
            break
        ends, where = np.unique(np.concatenate([tails[part], heads[part]]), return_inverse=True)
        into, out_of, _ = _end_distances(graph, ends, src, tgt, budget // 2, between=False)
        count = len(tails[part])
        for a, b, w in zip(where[:count], where[count:], weights[part], strict=True):
            to_a = into[:, a]
            from_b = out_of[b]
            rows = np.flatnonzero(np.isfinite(to_a) & ~affected)
            if len(rows) == 0 or not np.isfinite(from_b).any():
                continue
            hit = (to_a[rows, None] + w + from_b[None, :] <= bound[rows]).any(axis=1)
            affected[rows[hit]] = True
    return affected


def _remove(
    graph: Graph, base: TravelMatrix, edge_indices: set[int], workers: int, budget: int
) -> tuple[Graph, FloatArray]:
    """Graph and matrix after removing edges, recomputing only the affected sources.

    When the removed arcs have at least as many ends as there are sources, finding the
    affected rows costs more searches than recomputing every row: then every row is.
    """
    reduced = graph.without_edges(edge_indices)
    minutes = base.minutes.copy()
    if reduced is graph:
        return graph, minutes
    gone = np.isin(graph.arc_edge, np.fromiter(edge_indices, dtype=np.int64))
    arcs = (graph.tails[gone], graph.heads[gone], graph.weights[gone])
    src = np.array([graph.index(s) for s in base.sources], dtype=np.int64)
    tgt = np.array([graph.index(t) for t in base.targets], dtype=np.int64)
    ends = len(np.unique(np.concatenate(arcs[:2])))
    if ends * (1 if graph.symmetric else 2) >= len(src):
        affected = np.ones(len(src), dtype=bool)
    else:
        affected = _affected(graph, minutes, arcs, src, tgt, budget)  # before removal
    rows = np.flatnonzero(affected)
    if len(rows):
        minutes[rows] = graph_distances(reduced, src[rows], tgt, workers, max_bytes=budget)
    return reduced, minutes


def _add(
    graph: Graph,
    minutes: FloatArray,
    sources: Sequence[str],
    targets: Sequence[str],
    arcs: Sequence[tuple[int, int, float]],
    workers: int = 1,
    budget: int = DEFAULT_MEMORY_BUDGET,
) -> FloatArray:
    """Matrix after adding arcs ``(tail, head, minutes)`` to ``graph`` (whose matrix it is).

    Recomputes from scratch when the new arcs have more ends than there are sources or
    targets (fewer searches), or when the S x K, K x T and K x K tables would not fit in
    half the ``budget`` (the other half bounds the Dijkstra rows).
    """
    if not arcs:
        return minutes
    ends = np.unique(np.array([[a, b] for a, b, _ in arcs], dtype=np.int64).ravel())
    pos = {int(k): i for i, k in enumerate(ends)}
    src = np.array([graph.index(s) for s in sources], dtype=np.int64)
    tgt = np.array([graph.index(t) for t in targets], dtype=np.int64)
    k = len(ends)
    searches = k * (1 if graph.symmetric else 2)
    tables = 8 * k * (2 * len(src) + len(tgt) + 2 * k)
    if searches >= min(len(src), len(tgt)) or 2 * tables > budget:
        return _recompute_with(graph, arcs, src, tgt, workers, budget)
    into, out_of, between = _end_distances(graph, ends, src, tgt, budget // 2)
    closure = between
    for a, b, w in arcs:
        i, j = pos[a], pos[b]
        closure[i, j] = min(closure[i, j], w)
    closure = _closure(closure)
    # via[s, j] = min over i of d(s, K_i) + C[i, j]
    via = np.full((len(src), k), np.inf)
    for i in range(k):
        np.minimum(via, into[:, i, None] + closure[i][None, :], out=via)
    result = minutes.copy()
    for j in range(k):
        np.minimum(result, via[:, j, None] + out_of[j][None, :], out=result)
    return result


def _recompute_with(
    graph: Graph,
    arcs: Sequence[tuple[int, int, float]],
    src: IntArray,
    tgt: IntArray,
    workers: int,
    budget: int,
) -> FloatArray:
    """Every row recomputed on ``graph`` plus the new arcs."""
    grown = _assemble(
        graph.network,
        graph.on,
        graph.with_planned,
        np.concatenate([graph.tails, np.array([x[0] for x in arcs], dtype=np.int64)]),
        np.concatenate([graph.heads, np.array([x[1] for x in arcs], dtype=np.int64)]),
        np.concatenate([graph.weights, np.array([x[2] for x in arcs], dtype=np.float64)]),
        np.concatenate([graph.arc_edge, np.full(len(arcs), -1, dtype=np.int64)]),
        False,
    )
    return graph_distances(grown, src, tgt, workers, max_bytes=budget)


def _closure(weights: FloatArray) -> FloatArray:
    """Floyd-Warshall on a dense matrix where ``inf`` means no arc."""
    c = weights.copy()
    for k in range(len(c)):
        np.minimum(c, c[:, k, None] + c[None, k, :], out=c)
    return c


def update_matrix(
    graph: Graph,
    base: TravelMatrix,
    scenario: Scenario,
    *,
    force_open: bool = False,
    workers: int = 1,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> TravelMatrix:
    """The matrix after applying ``scenario`` to ``graph``, given ``base`` = its matrix.

    Added edges follow the graph's date rule (``force_open``: as if built, closed months
    still apply). An added edge with an existing id replaces that edge. ``memory_budget``
    bounds the working memory in bytes (see ``DEFAULT_MEMORY_BUDGET``).
    """
    network = graph.network
    scenario.check(network)
    changed = {network.edge_index[i] for i in scenario.remove}
    changed |= {
        network.edge_index[e.edge_id] for e in scenario.add if e.edge_id in network.edge_index
    }
    reduced, minutes = _remove(graph, base, changed, workers, memory_budget)
    arcs: list[tuple[int, int, float]] = []
    for edge in scenario.add:
        if not edge.usable_on(graph.on, graph.with_planned or force_open):
            continue
        u, v = network.node_index[edge.from_node], network.node_index[edge.to_node]
        arcs.append((u, v, edge.travel_minutes))
        if not edge.oneway:
            arcs.append((v, u, edge.travel_minutes))
    return TravelMatrix(
        base.sources,
        base.targets,
        _add(reduced, minutes, base.sources, base.targets, arcs, workers, memory_budget),
    )


def _ends(
    network: Network, sources: Sequence[str] | None, targets: Sequence[str] | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    settlements = network.ids_of_kind("settlement")
    return (
        tuple(sources) if sources is not None else settlements,
        tuple(targets) if targets is not None else settlements,
    )


def compare(
    network: Network,
    scenario: Scenario,
    on: date | None,
    sources: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    with_planned: bool = False,
    workers: int = 1,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> Comparison:
    """Times on ``on`` without and with ``scenario`` (default pairs: settlements)."""
    scenario.check(network)
    src, tgt = _ends(network, sources, targets)
    graph = compile_graph(network, on, with_planned)
    before = matrix_on(graph, src, tgt, workers)
    after = update_matrix(graph, before, scenario, workers=workers, memory_budget=memory_budget)
    return Comparison(before, after)


def savings_on(
    graph: Graph,
    base: TravelMatrix,
    edges: Iterable[Edge],
    workers: int = 1,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> Comparison:
    """What building ``edges`` saves: ``graph`` and ``base`` must be the network without them.

    The edges count as open (their closed months still apply). This is the incremental step
    timed by the benchmark: no Dijkstra per source, one from and to each edge end.
    """
    after = update_matrix(
        graph,
        base,
        Scenario(add=tuple(edges)),
        force_open=True,
        workers=workers,
        memory_budget=memory_budget,
    )
    return Comparison(base, after)


def savings(
    network: Network,
    edge_ids: Iterable[str],
    on: date | None = None,
    sources: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    workers: int = 1,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> Comparison:
    """What a named set of edges (a project: a tunnel, a highway) saves on date ``on``.

    Before: the network on ``on`` without them. After: with them built (status ignored,
    closed months kept), other planned edges following the date rule.
    """
    ids = tuple(dict.fromkeys(edge_ids))
    edges = tuple(network.edge(i) for i in ids)
    src, tgt = _ends(network, sources, targets)
    graph = compile_graph(network, on, exclude=ids)
    base = matrix_on(graph, src, tgt, workers)
    return savings_on(graph, base, edges, workers, memory_budget)


def savings_by_project(
    network: Network,
    on: date | None = None,
    sources: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    project_ids: Iterable[str] | None = None,
    workers: int = 1,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> dict[str, Comparison]:
    """For each project edge (default: every construction or planned edge), what it saves.

    One base matrix serves every project that is not usable on ``on`` anyway; a project
    already usable is removed incrementally to get its "before".
    """
    ids = tuple(project_ids) if project_ids is not None else network.projects()
    for edge_id in ids:
        if edge_id not in network.edge_index:
            raise UnknownEdge(edge_id)
    src, tgt = _ends(network, sources, targets)
    graph = compile_graph(network, on)
    base = matrix_on(graph, src, tgt, workers)
    out: dict[str, Comparison] = {}
    for edge_id in ids:
        edge = network.edge(edge_id)
        open_now = edge.usable_on(on)
        # an open edge is compared with the network without it, a closed one with it open
        other = update_matrix(
            graph,
            base,
            Scenario(remove=(edge_id,)) if open_now else Scenario(add=(edge,)),
            force_open=not open_now,
            workers=workers,
            memory_budget=memory_budget,
        )
        out[edge_id] = Comparison(other, base) if open_now else Comparison(base, other)
    return out
