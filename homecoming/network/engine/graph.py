"""Compile a network for a date into a sparse graph; routes and travel-time matrices.

>>> from datetime import date
>>> from .model import Edge, Network, Node
>>> net = Network(
...     (Node("a", "A", 0, 0), Node("b", "B", 0, 1), Node("c", "C", 0, 2)),
...     (Edge("ab", "a", "b", "road", 30, speed_kmh=60),
...      Edge("bc", "b", "c", "pass", 20, speed_kmh=40, closed_months=frozenset({1})),
...      Edge("ac", "a", "c", "road", 100, speed_kmh=60)))
>>> r = route(net, "a", "c", on=date(2026, 7, 1))
>>> r.minutes, r.km, r.nodes, r.edges
(60.0, 50.0, ('a', 'b', 'c'), ('ab', 'bc'))
>>> route(net, "a", "c", on=date(2026, 1, 1)).edges
('ac',)
>>> m = travel_matrix(net, ["a", "c"], ["a", "c"], on=date(2026, 7, 1))
>>> m.minutes.tolist()
[[0.0, 60.0], [60.0, 0.0]]
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from .contract import Contraction, contract
from .errors import UnknownNode, Unreachable
from .model import Network

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Rows of distances held at once per Dijkstra call: bounds memory to about 160 MB.
_CELLS_PER_CHUNK = 20_000_000

# Contracting costs about as much as 100 Dijkstra runs save (~35 % each on road grids):
# matrices with at least this many runs contract first when left to decide.
_CONTRACT_FROM_RUNS = 256


@dataclass(frozen=True, eq=False)
class Graph:
    """A network compiled for one date: the usable arcs as a CSR matrix of minutes.

    ``tails/heads/weights/arc_edge`` hold every usable arc (both directions of a two-way
    edge); ``matrix`` keeps the fastest arc per ordered node pair and ``matrix_edge`` the
    index (into ``network.edges``) of the edge behind each stored entry.
    """

    network: Network
    on: date | None
    with_planned: bool
    tails: IntArray
    heads: IntArray
    weights: FloatArray
    arc_edge: IntArray
    matrix: Any = field(repr=False)
    matrix_edge: IntArray = field(repr=False)
    symmetric: bool
    # The last contraction made for a matrix on this graph (see ``contraction``).
    _contracted: dict[str, Contraction] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return len(self.network.nodes)

    @cached_property
    def reverse(self) -> Any:
        """The transposed matrix (arcs reversed): distances *to* a node."""
        if self.symmetric:
            return self.matrix
        return self.matrix.T.tocsr()

    def index(self, node_id: str) -> int:
        try:
            return self.network.node_index[node_id]
        except KeyError:
            raise UnknownNode(node_id) from None

    def contraction(self, keep: Iterable[int]) -> Contraction:
        """The graph contracted around the nodes ``keep``; the last one is kept for reuse.

        A cached contraction whose core holds every node of ``keep`` is reused: it gives the
        same distances.
        """
        wanted = np.unique(np.fromiter(keep, dtype=np.int64))
        cached = self.cached_contraction(wanted)
        if cached is not None:
            return cached
        made = contract(self.matrix, wanted)
        if self.symmetric:
            made.__dict__["reverse"] = made.matrix  # the core of a two-way graph is too
        else:
            made.reverse  # noqa: B018 - built now, as part of the contraction's cost
        self._contracted.clear()
        self._contracted["last"] = made
        return made

    def cached_contraction(self, nodes: Iterable[int]) -> Contraction | None:
        """The kept contraction if its core holds all ``nodes``, else ``None``."""
        cached = self._contracted.get("last")
        if cached is not None and cached.covers(nodes):
            return cached
        return None

    def without_edges(self, edge_indices: Collection[int]) -> Graph:
        """The same graph with the arcs of these edges (indices into network.edges) gone."""
        if not edge_indices:
            return self
        keep = ~np.isin(self.arc_edge, np.fromiter(edge_indices, dtype=np.int64))
        if keep.all():
            return self
        return _assemble(
            self.network,
            self.on,
            self.with_planned,
            self.tails[keep],
            self.heads[keep],
            self.weights[keep],
            self.arc_edge[keep],
            self.symmetric,
        )


def _assemble(
    network: Network,
    on: date | None,
    with_planned: bool,
    tails: IntArray,
    heads: IntArray,
    weights: FloatArray,
    arc_edge: IntArray,
    symmetric: bool,
) -> Graph:
    n = len(network.nodes)
    # Sort arcs by (tail, head, weight) and keep the first, i.e. fastest, of each pair.
    order = np.lexsort((weights, heads, tails))
    t, h, w, e = tails[order], heads[order], weights[order], arc_edge[order]
    first = np.ones(len(t), dtype=bool)
    if len(t) > 1:
        first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    t, h, w, e = t[first], h[first], w[first], e[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(t, minlength=n), out=indptr[1:])
    matrix = sp.csr_matrix((w, h, indptr), shape=(n, n))
    return Graph(network, on, with_planned, tails, heads, weights, arc_edge, matrix, e, symmetric)


def compile_graph(
    network: Network,
    on: date | None = None,
    with_planned: bool = False,
    *,
    exclude: Iterable[str] = (),
    force_open: Iterable[str] = (),
) -> Graph:
    """The usable arcs of ``network`` on date ``on``.

    ``exclude`` drops edges by id; ``force_open`` treats edges as open whatever their status
    (their closed months still apply): "as if the project were built".
    """
    excluded = set(exclude)
    forced = set(force_open)
    index = network.node_index
    tails: list[int] = []
    heads: list[int] = []
    weights: list[float] = []
    arc_edge: list[int] = []
    symmetric = True
    for i, edge in enumerate(network.edges):
        if edge.edge_id in excluded:
            continue
        if not edge.usable_on(on, with_planned or edge.edge_id in forced):
            continue
        u, v, w = index[edge.from_node], index[edge.to_node], edge.travel_minutes
        tails.append(u)
        heads.append(v)
        weights.append(w)
        arc_edge.append(i)
        if edge.oneway:
            symmetric = False
        else:
            tails.append(v)
            heads.append(u)
            weights.append(w)
            arc_edge.append(i)
    return _assemble(
        network,
        on,
        with_planned,
        np.asarray(tails, dtype=np.int64),
        np.asarray(heads, dtype=np.int64),
        np.asarray(weights, dtype=np.float64),
        np.asarray(arc_edge, dtype=np.int64),
        symmetric,
    )


@dataclass(frozen=True)
class Route:
    """A fastest route: total minutes and km, the node ids and edge ids in order."""

    source: str
    target: str
    minutes: float
    km: float
    nodes: tuple[str, ...]
    edges: tuple[str, ...]


def route_on(graph: Graph, source: str, target: str) -> Route:
    """The fastest route on a compiled graph; ``Unreachable`` when there is none."""
    s, t = graph.index(source), graph.index(target)
    dist, pred = dijkstra(graph.matrix, directed=True, indices=s, return_predecessors=True)
    if not np.isfinite(dist[t]):
        raise Unreachable(source, target)
    path = [t]
    while path[-1] != s:
        path.append(int(pred[path[-1]]))
    path.reverse()
    matrix = graph.matrix
    edges = graph.network.edges
    edge_ids: list[str] = []
    km = 0.0
    for u, v in itertools.pairwise(path):
        lo, hi = matrix.indptr[u], matrix.indptr[u + 1]
        pos = lo + int(np.flatnonzero(matrix.indices[lo:hi] == v)[0])
        edge = edges[int(graph.matrix_edge[pos])]
        edge_ids.append(edge.edge_id)
        km += edge.length_km
    nodes = tuple(graph.network.nodes[i].node_id for i in path)
    return Route(source, target, float(dist[t]), km, nodes, tuple(edge_ids))


def route(
    network: Network, source: str, target: str, on: date | None = None, with_planned: bool = False
) -> Route:
    """The fastest route from ``source`` to ``target`` on date ``on`` (see ``route_on``)."""
    graph = compile_graph(network, on, with_planned)
    return route_on(graph, source, target)


@dataclass(frozen=True)
class TravelMatrix:
    """Minutes from each source (rows) to each target (columns); ``inf`` if unreachable."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    minutes: FloatArray

    def get(self, source: str, target: str) -> float:
        """Minutes from one source to one target.

        >>> TravelMatrix(("a",), ("b",), np.array([[5.0]])).get("a", "b")
        5.0
        """
        try:
            return float(self.minutes[self.sources.index(source), self.targets.index(target)])
        except ValueError:
            raise UnknownNode(source if source not in self.sources else target) from None

    def rows(self) -> Iterator[tuple[str, str, float | None]]:
        """``(source, target, minutes or None)`` for every ordered pair, row by row."""
        for i, s in enumerate(self.sources):
            row = self.minutes[i]
            for j, t in enumerate(self.targets):
                value = float(row[j])
                yield s, t, value if np.isfinite(value) else None


_WORKER: dict[str, Any] = {}


def _worker_init(data: FloatArray, indices: Any, indptr: Any, n: int, targets: IntArray) -> None:
    _WORKER["matrix"] = sp.csr_matrix((data, indices, indptr), shape=(n, n))
    _WORKER["targets"] = targets


def _worker_rows(sources: IntArray) -> FloatArray:
    dist = dijkstra(_WORKER["matrix"], directed=True, indices=sources)
    return np.ascontiguousarray(dist[:, _WORKER["targets"]])


def distances(
    matrix: Any,
    sources: Sequence[int] | IntArray,
    targets: Sequence[int] | IntArray,
    workers: int = 1,
    max_bytes: int | None = None,
) -> FloatArray:
    """Shortest-path minutes between node indices on a CSR matrix, optionally in processes.

    Each Dijkstra call holds a block of rows of ``n`` floats: at most ``max_bytes`` of them
    (default about 160 MB) per process.

    >>> m = sp.csr_matrix(np.array([[0, 2.0], [0, 0]]))
    >>> distances(m, [0, 1], [0, 1]).tolist()
    [[0.0, 2.0], [inf, 0.0]]
    """
    src = np.asarray(sources, dtype=np.int64)
    tgt = np.asarray(targets, dtype=np.int64)
    n = matrix.shape[0]
    out = np.empty((len(src), len(tgt)), dtype=np.float64)
    if len(src) == 0 or len(tgt) == 0:
        return out
    cells = _CELLS_PER_CHUNK if max_bytes is None else min(_CELLS_PER_CHUNK, max_bytes // 8)
    chunk = max(1, min(64, cells // max(n, 1)))
    if workers > 1 and len(src) >= 4 * chunk:
        # Smaller chunks keep both processes busy until the end.
        chunk = max(1, min(chunk, len(src) // (4 * workers)))
        pieces = [src[i : i + chunk] for i in range(0, len(src), chunk)]
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_worker_init,
            initargs=(matrix.data, matrix.indices, matrix.indptr, n, tgt),
        ) as pool:
            row = 0
            for block in pool.map(_worker_rows, pieces):
                out[row : row + len(block)] = block
                row += len(block)
        return out
    for i in range(0, len(src), chunk):
        dist = dijkstra(matrix, directed=True, indices=src[i : i + chunk])
        out[i : i + chunk] = dist[:, tgt]
    return out


def default_workers() -> int:
    """Processes to use for big matrices: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def graph_distances(
    graph: Graph,
    sources: Sequence[int] | IntArray,
    targets: Sequence[int] | IntArray,
    workers: int = 1,
    *,
    contracted: bool | None = None,
    max_bytes: int | None = None,
) -> FloatArray:
    """Minutes between node indices of ``graph``, on its contraction when that pays.

    ``contracted``: ``True`` always contracts around the sources and targets first,
    ``False`` never, ``None`` when there are at least ``_CONTRACT_FROM_RUNS`` Dijkstra runs
    (or a kept contraction already holds them). The results are the same either way, up to
    the order in which floating-point minutes are added.
    """
    src = np.asarray(sources, dtype=np.int64)
    tgt = np.asarray(targets, dtype=np.int64)
    flip = len(tgt) < len(src) and graph.symmetric
    runs = min(len(src), len(tgt)) if graph.symmetric else len(src)
    both = np.concatenate([src, tgt])
    if contracted is None:
        contracted = graph.cached_contraction(both) is not None or runs >= _CONTRACT_FROM_RUNS
    if contracted and len(src) and len(tgt):
        c = graph.contraction(both)
        matrix, src, tgt = c.matrix, c.core_of[src], c.core_of[tgt]
    else:
        matrix = graph.matrix
    if flip:
        # Two-way graph: fewer Dijkstra runs from the smaller side, then transpose.
        return distances(matrix, tgt, src, workers, max_bytes).T.copy()
    return distances(matrix, src, tgt, workers, max_bytes)


def matrix_on(
    graph: Graph,
    sources: Sequence[str],
    targets: Sequence[str],
    workers: int = 1,
    *,
    contracted: bool | None = None,
) -> TravelMatrix:
    """Travel-time matrix on a compiled graph (see ``graph_distances`` for ``contracted``)."""
    src = [graph.index(s) for s in sources]
    tgt = [graph.index(t) for t in targets]
    minutes = graph_distances(graph, src, tgt, workers, contracted=contracted)
    return TravelMatrix(tuple(sources), tuple(targets), minutes)


def travel_matrix(
    network: Network,
    sources: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    on: date | None = None,
    with_planned: bool = False,
    workers: int = 1,
    *,
    contracted: bool | None = None,
) -> TravelMatrix:
    """Minutes between every source and every target (default: every settlement)."""
    settlements = network.ids_of_kind("settlement")
    graph = compile_graph(network, on, with_planned)
    return matrix_on(
        graph,
        tuple(sources) if sources is not None else settlements,
        tuple(targets) if targets is not None else settlements,
        workers,
        contracted=contracted,
    )
