"""Customisable contraction hierarchies (routingkit-cch) behind the engine's own functions.

A hierarchy is ordered and built once per network version over every arc that can ever be
open (passes, construction, planned projects); a date or a scenario is only a weight
vector (``weights_on``), applied by customisation; an arc that is not usable gets
RoutingKit's infinite weight. The node order (the slow, weight-independent step) is cached
on disk under a key of the arcs, so a second process builds in seconds.

Weights are integers of ``UNIT_MINUTES`` (0.00001 min, 0.6 ms). RoutingKit keeps weights
and path lengths in unsigned 32 bits with ``2**31 - 1`` meaning "no path", so a path must
stay under ``MAX_MINUTES`` (about 21,475 min, 14.9 days): longer ones raise
``PathTooLong`` rather than come back cut short. Each arc is rounded by at most half a
unit, so a path of N arcs is off the float engine by at most N * 0.000005 min: 0.01 min
for 2,000 arcs. Routes add the float minutes of the arcs they take, as the float engine.

The scipy engine (``graph``) stays the fallback when the package is missing, and the
oracle of the tests.

>>> from .model import Edge, Network, Node
>>> net = Network((Node("a", "A", 0, 0), Node("b", "B", 0, 1), Node("c", "C", 0, 2)),
...               (Edge("ab", "a", "b", "road", 30, speed_kmh=60),
...                Edge("bc", "b", "c", "road", 20, speed_kmh=40)))
>>> h = build(net) if available() else None
>>> h is None or matrix(h, weights_on(h), ["a"], ["a", "c"]).tolist() == [[0.0, 60.0]]
True
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import NetworkError, UnknownNode, Unreachable
from .graph import Route
from .model import Edge, Network, Scenario

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

UNITS_PER_MINUTE = 100_000
UNIT_MINUTES = 1 / UNITS_PER_MINUTE
INF_WEIGHT = 2**31 - 1  # RoutingKit's inf_weight: "no arc", "no path"
MAX_MINUTES = (INF_WEIGHT - 1) * UNIT_MINUTES


class CCHError(NetworkError):
    """The hierarchy library failed (its panics end here) or is not installed."""


class PathTooLong(CCHError):
    """A path longer than the integer weights can hold (``MAX_MINUTES``)."""


def _library() -> Any:
    try:
        import routingkit_cch
    except ImportError:
        return None
    return routingkit_cch


def available() -> bool:
    """Whether routingkit-cch is installed (else the scipy engine does the work)."""
    return _library() is not None


@contextmanager
def _guard(what: str) -> Iterator[None]:
    """Turn the library's Rust panics (pyo3's PanicException, a BaseException) into ours."""
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:
        raise CCHError(f"routingkit-cch failed in {what}: {exc}") from exc


#: Changed arcs up to which new weights are applied to the kept metric by partial
#: customisation rather than a full one. Measured on the benchmark's grid (1.95M arcs, a full
#: customisation 2-3.5 s): 10 random arcs 3 ms, 100 arcs 0.3 s, 1,000 arcs 10 s.
PARTIAL_MAX_ARCS = 100


@dataclass(eq=False)
class _Kept:
    """The metric a hierarchy keeps between calls, the weights it holds, and its lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    metric: Any = None
    weights: IntArray | None = None
    updater: Any = None


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """A built hierarchy: arc ``k`` runs ``tails[k] -> heads[k]`` along ``edges[arc_edge[k]]``.

    It keeps its last metric: a later date or set of closures that changes few arcs is a
    partial customisation of it (``kept_metric``), not a full one.
    """

    network: Network
    edges: tuple[Edge, ...]
    tails: IntArray
    heads: IntArray
    arc_edge: IntArray
    key: str
    cch: Any
    kept: _Kept = field(default_factory=_Kept, repr=False)
    #: a scenario's edges that keep the ends of the edge they replace, by that edge's index:
    #: they take its arcs (no new arc, so the base hierarchy and its metric serve)
    swapped: dict[int, Edge] = field(default_factory=dict, repr=False)

    def edge_of(self, arc: int) -> Edge:
        """The edge arc ``arc`` runs along (a scenario's replacement where it has one)."""
        i = int(self.arc_edge[arc])
        return self.swapped.get(i, self.edges[i])

    def index(self, node_id: str) -> int:
        try:
            return self.network.node_index[node_id]
        except KeyError:
            raise UnknownNode(node_id) from None


def _arcs(network: Network, edges: Sequence[Edge]) -> tuple[IntArray, IntArray, IntArray]:
    index = network.node_index
    tails: list[int] = []
    heads: list[int] = []
    owner: list[int] = []
    for i, edge in enumerate(edges):
        u, v = index[edge.from_node], index[edge.to_node]
        tails.append(u)
        heads.append(v)
        owner.append(i)
        if not edge.oneway:
            tails.append(v)
            heads.append(u)
            owner.append(i)
    return (
        np.asarray(tails, dtype=np.int64),
        np.asarray(heads, dtype=np.int64),
        np.asarray(owner, dtype=np.int64),
    )


def _order(network: Network, tails: IntArray, heads: IntArray, key: str, cache: Path | None) -> Any:
    """The nested-dissection node order, read from ``cache`` when it holds this key's."""
    path = cache / f"cch-order-{key}.npy" if cache is not None else None
    if path is not None and path.exists():
        order = np.load(path)
        if len(order) == len(network.nodes):
            return order.tolist()
    lib = _library()
    with _guard("ordering"):
        order_list = lib.compute_order_inertial(
            len(network.nodes),
            tails.tolist(),
            heads.tolist(),
            [n.lat for n in network.nodes],
            [n.lon for n in network.nodes],
        )
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # one partial file per process: workers ordering the same network at once on one
        # machine (or one shared folder) do not write into each other's file
        partial = path.with_suffix(f".{os.getpid()}.partial.npy")
        np.save(partial, np.asarray(order_list, dtype=np.uint32))
        partial.replace(path)  # atomic: a reader never sees half an order
    return order_list


def _ends(edge: Edge) -> tuple[str, str, bool]:
    return edge.from_node, edge.to_node, edge.oneway


def _swaps(network: Network, extra: Sequence[Edge]) -> tuple[dict[int, Edge], list[Edge]]:
    """``extra`` split: replacements on the same ends and direction (by the replaced edge's
    index), and edges that need arcs of their own."""
    swapped: dict[int, Edge] = {}
    added: list[Edge] = []
    by_id = {e.edge_id: i for i, e in enumerate(network.edges)}
    listed = Counter(e.edge_id for e in extra)  # an id listed twice: the last wins, as arcs
    for edge in extra:
        i = by_id.get(edge.edge_id) if listed[edge.edge_id] == 1 else None
        if i is not None and _ends(network.edges[i]) == _ends(edge):
            swapped[i] = edge
        else:
            added.append(edge)
    return swapped, added


def build(
    network: Network,
    cache_dir: Path | str | None = None,
    extra: Sequence[Edge] = (),
    base: Hierarchy | None = None,
) -> Hierarchy:
    """Order (cached under ``cache_dir``) and build a hierarchy over every arc that can be open.

    ``extra`` edges (a scenario's) that replace an edge on the same ends take its arcs; the
    others join the arcs: same order, a new build. With no new arc and ``base`` (the
    network's own hierarchy), the scenario shares base's hierarchy and kept metric.
    """
    swapped, added = _swaps(network, extra)
    if base is not None and not added and base.network is network and not base.swapped:
        return Hierarchy(
            network,
            base.edges,
            base.tails,
            base.heads,
            base.arc_edge,
            base.key,
            base.cch,
            base.kept,
            swapped,
        )
    lib = _library()
    if lib is None:
        raise CCHError("routingkit-cch is not installed")
    base_tails, base_heads, _ = _arcs(network, network.edges)
    digest = hashlib.sha256(np.int64(len(network.nodes)).tobytes())
    digest.update(base_tails.tobytes())
    digest.update(base_heads.tobytes())
    key = digest.hexdigest()[:24]
    cache = Path(cache_dir) if cache_dir is not None else None
    order = _order(network, base_tails, base_heads, key, cache)
    edges = (*network.edges, *added)
    tails, heads, arc_edge = _arcs(network, edges)
    with _guard("building"):
        cch = lib.CCH(order, tails.tolist(), heads.tolist(), False)
    return Hierarchy(network, edges, tails, heads, arc_edge, key, cch, swapped=swapped)


def weights_on(
    h: Hierarchy,
    on: date | None = None,
    with_planned: bool = False,
    *,
    removed: Sequence[str] = (),
    force_open: Sequence[str] = (),
    with_extra: bool = True,
) -> list[int]:
    """Integer arc weights for date ``on``: ``INF_WEIGHT`` where an arc is not usable.

    ``removed`` closes edges by id; ``force_open`` counts them as built (months still apply).
    With ``with_extra`` the ``extra`` edges of ``build`` count, and an edge replaced by an
    extra one with the same id (a scenario's change) is closed; without, they are closed.
    """
    gone, forced = set(removed), set(force_open)
    count = len(h.edges) if with_extra else len(h.network.edges)
    last = {e.edge_id: i for i, e in enumerate(h.edges[:count])}
    per_edge = np.full(len(h.edges), INF_WEIGHT, dtype=np.int64)
    for i, edge in enumerate(h.edges[:count]):
        if with_extra:
            edge = h.swapped.get(i, edge)
        if edge.edge_id in gone or last[edge.edge_id] != i:
            continue
        if edge.usable_on(on, with_planned or edge.edge_id in forced):
            w = round(edge.travel_minutes * UNITS_PER_MINUTE)
            if w >= INF_WEIGHT:
                raise PathTooLong(f"edge {edge.edge_id!r} is longer than {MAX_MINUTES:.0f} min")
            per_edge[i] = max(1, w)
    return per_edge[h.arc_edge].tolist()  # type: ignore[no-any-return]


def customise(h: Hierarchy, weights: list[int]) -> Any:
    """A new metric: ``weights`` applied to the hierarchy (RoutingKit's customisation)."""
    with _guard("customisation"):
        return _library().CCHMetric(h.cch, weights)


@contextmanager
def kept_metric(h: Hierarchy, weights: list[int]) -> Iterator[Any]:
    """The hierarchy's kept metric, set to ``weights``, locked while the caller queries it.

    The first call customises; a later one re-customises only the arcs whose weight changed
    when there are at most ``PARTIAL_MAX_ARCS`` of them (RoutingKit's partial
    customisation: a winter pass closing is milliseconds), else all of them in the kept
    buffers. The minutes are those of a new metric either way (tested).
    """
    kept = h.kept
    with kept.lock:
        new = np.asarray(weights, dtype=np.int64)
        if kept.metric is None or kept.weights is None:
            kept.metric = customise(h, weights)
        else:
            changed = np.flatnonzero(new != kept.weights)
            kept.weights = None  # until the update is through: a failure leaves no stale pair
            with _guard("customisation"):
                if len(changed) > PARTIAL_MAX_ARCS:
                    kept.metric.reset(weights)
                elif len(changed):
                    if kept.updater is None:
                        kept.updater = _library().CCHMetricPartialUpdater(h.cch)
                    kept.updater.apply(kept.metric, {int(a): int(new[a]) for a in changed})
        kept.weights = new
        yield kept.metric


def _minutes(raw: list[int | None]) -> FloatArray:
    out = np.fromiter((-1 if x is None else x for x in raw), dtype=np.float64, count=len(raw))
    if np.any(out >= INF_WEIGHT - 1):
        raise PathTooLong(f"a path is longer than {MAX_MINUTES:.0f} min")
    out /= UNITS_PER_MINUTE  # a division: 6,000,000 units give exactly 60.0
    out[out < 0] = np.inf
    return out


def matrix(
    h: Hierarchy,
    weights: list[int] | Any,
    sources: Sequence[str],
    targets: Sequence[str],
    workers: int = 1,
) -> FloatArray:
    """Minutes from each source to each target (``inf``: unreachable), in ``workers`` threads.

    ``weights`` is a weight vector (applied to the kept metric, ``kept_metric``) or a
    metric already customised. The library's one-to-many sweeps release the GIL: each
    thread pins the targets once, then runs a sweep per source of its share.
    """
    if isinstance(weights, list):
        with kept_metric(h, weights) as metric:
            return _sweeps(h, metric, sources, targets, workers)
    return _sweeps(h, weights, sources, targets, workers)


def _sweeps(
    h: Hierarchy, metric: Any, sources: Sequence[str], targets: Sequence[str], workers: int
) -> FloatArray:
    src = [h.index(s) for s in sources]
    tgt = [h.index(t) for t in targets]
    out = np.empty((len(src), len(tgt)))
    if not src or not tgt:
        return out
    lib = _library()
    lock = threading.Lock()

    def rows(lo: int, hi: int) -> None:
        with lock, _guard("pinning targets"):  # the metric's query count is not thread-safe
            query = lib.CCHOneToMany(metric, tgt)
        try:
            for i in range(lo, hi):
                with _guard("a one-to-many query"):
                    raw = query.distances_from(src[i])
                out[i] = _minutes(raw)
        finally:
            with lock:
                del query  # unsendable: dropped in the thread that made it

    workers = max(1, min(workers, len(src)))
    step = -(-len(src) // workers)
    with ThreadPoolExecutor(workers) as pool:
        for job in [
            pool.submit(rows, lo, min(len(src), lo + step)) for lo in range(0, len(src), step)
        ]:
            job.result()
    return out


def route(h: Hierarchy, weights: list[int] | Any, source: str, target: str) -> Route:
    """The fastest route with its edge ids and km; minutes summed from the edges' floats."""
    s, t = h.index(source), h.index(target)
    if isinstance(weights, list):
        with kept_metric(h, weights) as metric:
            distance, nodes, arcs = _route_query(metric, s, t)
    else:
        distance, nodes, arcs = _route_query(weights, s, t)
    if distance is None or distance >= INF_WEIGHT - 1:
        if distance is not None:
            raise PathTooLong(f"the path is longer than {MAX_MINUTES:.0f} min")
        raise Unreachable(source, target)
    edges = [h.edge_of(a) for a in arcs]
    ids = h.network.nodes
    return Route(
        source,
        target,
        float(sum(e.travel_minutes for e in edges)),
        float(sum(e.length_km for e in edges)),
        tuple(ids[int(v)].node_id for v in nodes) if nodes else (source,),
        tuple(e.edge_id for e in edges),
    )


def _route_query(metric: Any, s: int, t: int) -> tuple[int | None, list[int], list[int]]:
    with _guard("a route query"):
        query = _library().CCHQuery(metric)
        result = query.run(s, t)
        found = result.distance, result.node_path, result.arc_path
        del result, query  # before the metric may change: the library refuses otherwise
    return found


def compare_matrices(
    network: Network,
    scenario: Scenario,
    on: date | None,
    sources: Sequence[str],
    targets: Sequence[str],
    with_planned: bool = False,
    workers: int = 1,
    cache_dir: Path | str | None = None,
    base: Hierarchy | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Minutes without and with ``scenario``: one hierarchy, two customisations.

    The scenario's new or changed edges join the arcs (the cached order serves); its
    removals and replacements are infinite weights; changes of an edge on the same ends
    only change its arcs' weights, and with no new arc the ``base`` hierarchy serves, with
    its kept metric. The second customisation is partial when the scenario changes few
    arcs. Memory: the hierarchy and one metric, whatever the size of the scenario.
    """
    scenario.check(network)
    h = build(network, cache_dir, extra=scenario.add, base=base)
    before = matrix(h, weights_on(h, on, with_planned, with_extra=False), sources, targets, workers)
    after_weights = weights_on(h, on, with_planned, removed=scenario.remove)
    return before, matrix(h, after_weights, sources, targets, workers)
