"""One network, one method: the CLI and the app ask their travel times here.

``Router(network, method)`` picks the path once (``scipy``: the engine's Dijkstra and its
incremental scenarios; ``cch``: the contraction hierarchy of ``cch.py``; ``auto``: the
hierarchy from ``CCH_FROM_NODES`` nodes when it is installed) and gives matrices, routes,
comparisons and savings with the same meaning whichever path answers: minutes agree to
0.01 (the hierarchy's integer weights, see ``cch.py``). The hierarchy is built on first use
and kept with its metric, so a page asking twelve months orders, builds and customises once,
then customises again only the arcs that change from one month to the next.

>>> from .model import Edge, Network, Node
>>> net = Network((Node("a", "A", 0, 0), Node("b", "B", 0, 1)),
...               (Edge("ab", "a", "b", "road", 30, speed_kmh=60),))
>>> Router(net, "scipy").matrix(["a"], ["b"]).tolist()
[[30.0]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Literal

from . import cch
from .errors import NetworkError, UnknownEdge
from .graph import FloatArray, Route, TravelMatrix, compile_graph, matrix_on, route_on
from .model import Network, Scenario
from .scenario import DEFAULT_MEMORY_BUDGET, Comparison, compare, savings, savings_by_project

Method = Literal["auto", "scipy", "cch"]
METHODS: tuple[Method, ...] = ("auto", "scipy", "cch")

#: From this many nodes the hierarchy's one-off build pays for itself on a single matrix.
CCH_FROM_NODES = 50_000


def resolve(method: str, network: Network) -> Literal["scipy", "cch"]:
    """The path ``method`` takes on ``network``; ``cch`` without the package is an error."""
    if method not in METHODS:
        raise NetworkError(f"unknown travel method {method!r} (auto, scipy or cch)")
    if method == "cch":
        if not cch.available():
            raise cch.CCHError("routingkit-cch is not installed (pip install '.[cch]')")
        return "cch"
    if method == "auto" and cch.available() and len(network.nodes) >= CCH_FROM_NODES:
        return "cch"
    return "scipy"


class Router:
    """Travel times on ``network`` by one method (see the module's docstring).

    ``cache_dir`` keeps the hierarchy's node order; ``memory_budget`` (bytes) bounds the
    scipy path's incremental scenarios (the hierarchy's memory does not grow with them).
    """

    def __init__(
        self,
        network: Network,
        method: str = "auto",
        *,
        cache_dir: Path | str | None = None,
        workers: int = 1,
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
    ) -> None:
        self.network = network
        self.method = resolve(method, network)
        self.cache_dir = cache_dir
        self.workers = workers
        self.memory_budget = memory_budget
        self._hierarchy: cch.Hierarchy | None = None

    @property
    def hierarchy(self) -> cch.Hierarchy:
        if self._hierarchy is None:
            self._hierarchy = cch.build(self.network, self.cache_dir)
        return self._hierarchy

    def _ends(
        self, sources: Sequence[str] | None, targets: Sequence[str] | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        settlements = self.network.ids_of_kind("settlement")
        return (
            tuple(sources) if sources is not None else settlements,
            tuple(targets) if targets is not None else settlements,
        )

    def matrix(
        self,
        sources: Sequence[str] | None = None,
        targets: Sequence[str] | None = None,
        on: date | None = None,
        with_planned: bool = False,
    ) -> FloatArray:
        """Minutes from each source to each target on ``on`` (``inf``: unreachable)."""
        src, tgt = self._ends(sources, targets)
        if self.method == "cch":
            h = self.hierarchy
            return cch.matrix(h, cch.weights_on(h, on, with_planned), src, tgt, self.workers)
        graph = compile_graph(self.network, on, with_planned)
        return matrix_on(graph, src, tgt, self.workers).minutes

    def route(
        self, source: str, target: str, on: date | None = None, with_planned: bool = False
    ) -> Route:
        """The fastest route (raises ``Unreachable``); edge ids and km on either path."""
        if self.method == "cch":
            h = self.hierarchy
            return cch.route(h, cch.weights_on(h, on, with_planned), source, target)
        return route_on(compile_graph(self.network, on, with_planned), source, target)

    def compare(
        self,
        scenario: Scenario,
        on: date | None,
        sources: Sequence[str] | None = None,
        targets: Sequence[str] | None = None,
        with_planned: bool = False,
    ) -> Comparison:
        """Times without and with ``scenario`` (the scipy path within the memory budget)."""
        src, tgt = self._ends(sources, targets)
        if self.method == "cch":
            before, after = cch.compare_matrices(
                self.network,
                scenario,
                on,
                src,
                tgt,
                with_planned,
                self.workers,
                self.cache_dir,
                base=self.hierarchy,
            )
            return Comparison(TravelMatrix(src, tgt, before), TravelMatrix(src, tgt, after))
        return compare(
            self.network,
            scenario,
            on,
            src,
            tgt,
            with_planned,
            self.workers,
            memory_budget=self.memory_budget,
        )

    def _weighted(
        self,
        src: tuple[str, ...],
        tgt: tuple[str, ...],
        on: date | None,
        *,
        removed: Sequence[str] = (),
        force_open: Sequence[str] = (),
    ) -> TravelMatrix:
        h = self.hierarchy
        weights = cch.weights_on(h, on, removed=removed, force_open=force_open)
        return TravelMatrix(src, tgt, cch.matrix(h, weights, src, tgt, self.workers))

    def savings(
        self,
        edge_ids: Iterable[str],
        on: date | None = None,
        sources: Sequence[str] | None = None,
        targets: Sequence[str] | None = None,
    ) -> Comparison:
        """What a set of edges saves: before without them, after built (months kept)."""
        ids = tuple(dict.fromkeys(edge_ids))
        src, tgt = self._ends(sources, targets)
        if self.method == "scipy":
            return savings(
                self.network, ids, on, src, tgt, self.workers, memory_budget=self.memory_budget
            )
        for edge_id in ids:
            self.network.edge(edge_id)
        return Comparison(
            self._weighted(src, tgt, on, removed=ids), self._weighted(src, tgt, on, force_open=ids)
        )

    def savings_by_project(
        self,
        on: date | None = None,
        sources: Sequence[str] | None = None,
        targets: Sequence[str] | None = None,
        project_ids: Iterable[str] | None = None,
    ) -> dict[str, Comparison]:
        """For each project edge on its own, what it saves (``savings_by_project``)."""
        ids = tuple(project_ids) if project_ids is not None else self.network.projects()
        src, tgt = self._ends(sources, targets)
        if self.method == "scipy":
            return savings_by_project(
                self.network, on, src, tgt, ids, self.workers, memory_budget=self.memory_budget
            )
        for edge_id in ids:
            if edge_id not in self.network.edge_index:
                raise UnknownEdge(edge_id)
        base = self._weighted(src, tgt, on)
        out: dict[str, Comparison] = {}
        for edge_id in ids:
            if self.network.edge(edge_id).usable_on(on):
                out[edge_id] = Comparison(self._weighted(src, tgt, on, removed=(edge_id,)), base)
            else:
                out[edge_id] = Comparison(base, self._weighted(src, tgt, on, force_open=(edge_id,)))
        return out
