"""Nodes, edges and networks: plain frozen dataclasses, validated on construction.

>>> from datetime import date
>>> tunnel = Edge("t", "a", "b", "tunnel", 11.7, speed_kmh=70)
>>> round(tunnel.travel_minutes, 2)
10.03
>>> pass_road = Edge("p", "a", "b", "pass", 80, speed_kmh=30, closed_months=frozenset({11, 12, 1}))
>>> pass_road.usable_on(date(2026, 1, 15)), pass_road.usable_on(date(2026, 7, 1))
(False, True)
>>> net = Network((Node("a", "A", 40.0, 46.0), Node("b", "B", 40.1, 46.1)), (tunnel, pass_road))
>>> net.node("b").name
'B'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from .errors import DuplicateId, NetworkError, UnknownEdge, UnknownNode

MODES = ("road", "tunnel", "pass", "cableway", "rail", "air")
STATUSES = ("open", "construction", "planned")
NODE_KINDS = ("settlement", "junction", "airport", "station", "service")


@dataclass(frozen=True, slots=True)
class Node:
    """A place: settlement, junction, airport, station, service or any other kind."""

    node_id: str
    name: str
    lat: float
    lon: float
    kind: str = "settlement"


@dataclass(frozen=True, slots=True)
class Edge:
    """A link between two nodes, two-way unless ``oneway``.

    Its travel time is ``minutes`` when given, else ``length_km / speed_kmh * 60``.
    """

    edge_id: str
    from_node: str
    to_node: str
    mode: str
    length_km: float
    speed_kmh: float | None = None
    minutes: float | None = None
    oneway: bool = False
    closed_months: frozenset[int] = frozenset()
    status: str = "open"
    opens_on: date | None = None

    def __post_init__(self) -> None:
        if not self.edge_id:
            raise NetworkError("an edge needs an edge_id")
        if self.mode not in MODES:
            raise NetworkError(f"edge {self.edge_id!r}: mode {self.mode!r} not in {MODES}")
        if self.status not in STATUSES:
            raise NetworkError(f"edge {self.edge_id!r}: status {self.status!r} not in {STATUSES}")
        if self.from_node == self.to_node:
            raise NetworkError(f"edge {self.edge_id!r} joins {self.from_node!r} to itself")
        if not (self.length_km > 0 and math.isfinite(self.length_km)):
            raise NetworkError(f"edge {self.edge_id!r}: length_km must be > 0")
        for name, value in (("speed_kmh", self.speed_kmh), ("minutes", self.minutes)):
            if value is not None and not (value > 0 and math.isfinite(value)):
                raise NetworkError(f"edge {self.edge_id!r}: {name} must be > 0")
        if self.speed_kmh is None and self.minutes is None:
            raise NetworkError(f"edge {self.edge_id!r} needs speed_kmh or minutes")
        if any(not 1 <= m <= 12 for m in self.closed_months):
            raise NetworkError(f"edge {self.edge_id!r}: closed_months must lie in 1..12")

    @property
    def travel_minutes(self) -> float:
        """Fixed ``minutes`` when given, else the time at ``speed_kmh``."""
        if self.minutes is not None:
            return self.minutes
        assert self.speed_kmh is not None  # checked in __post_init__
        return self.length_km / self.speed_kmh * 60.0

    def usable_on(self, on: date | None, with_planned: bool = False) -> bool:
        """Whether the edge can be used on date ``on`` (the contract's rule).

        Usable when the month is not in ``closed_months`` and the edge is open, or
        ``with_planned`` is set, or ``opens_on <= on``. With ``on=None`` no date is
        known: seasons are ignored and only the status (or ``with_planned``) decides.
        """
        if on is not None and on.month in self.closed_months:
            return False
        if self.status == "open" or with_planned:
            return True
        return on is not None and self.opens_on is not None and self.opens_on <= on


@dataclass(frozen=True)
class Network:
    """Nodes and edges; every edge end must be a known node, every id unique."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    node_index: Mapping[str, int] = field(init=False, repr=False, compare=False)
    edge_index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        node_index: dict[str, int] = {}
        for i, node in enumerate(self.nodes):
            if node.node_id in node_index:
                raise DuplicateId(f"duplicate node id {node.node_id!r}")
            node_index[node.node_id] = i
        edge_index: dict[str, int] = {}
        for i, edge in enumerate(self.edges):
            if edge.edge_id in edge_index:
                raise DuplicateId(f"duplicate edge id {edge.edge_id!r}")
            edge_index[edge.edge_id] = i
            for end in (edge.from_node, edge.to_node):
                if end not in node_index:
                    raise UnknownNode(end, f"edge {edge.edge_id!r}")
        object.__setattr__(self, "node_index", node_index)
        object.__setattr__(self, "edge_index", edge_index)

    def node(self, node_id: str) -> Node:
        """The node with this id, or ``UnknownNode``."""
        try:
            return self.nodes[self.node_index[node_id]]
        except KeyError:
            raise UnknownNode(node_id) from None

    def edge(self, edge_id: str) -> Edge:
        """The edge with this id, or ``UnknownEdge``."""
        try:
            return self.edges[self.edge_index[edge_id]]
        except KeyError:
            raise UnknownEdge(edge_id) from None

    def ids_of_kind(self, kind: str) -> tuple[str, ...]:
        """Node ids of one kind, in file order (``settlement`` is the default matrix set)."""
        return tuple(n.node_id for n in self.nodes if n.kind == kind)

    def projects(self) -> tuple[str, ...]:
        """Ids of the edges under construction or planned."""
        return tuple(e.edge_id for e in self.edges if e.status != "open")


@dataclass(frozen=True)
class Scenario:
    """Edges to add (new ids, or an existing id to change that edge) and edge ids to remove."""

    add: tuple[Edge, ...] = ()
    remove: tuple[str, ...] = ()

    def check(self, network: Network) -> None:
        """Raise ``UnknownEdge``/``UnknownNode`` if the scenario does not fit ``network``."""
        for edge_id in self.remove:
            network.edge(edge_id)
        for edge in self.add:
            for end in (edge.from_node, edge.to_node):
                if end not in network.node_index:
                    raise UnknownNode(end, f"scenario edge {edge.edge_id!r}")


def apply_scenario(network: Network, scenario: Scenario) -> Network:
    """The network with the scenario applied (removals, then additions and changes).

    >>> a, b = Node("a", "A", 0, 0), Node("b", "B", 0, 1)
    >>> net = Network((a, b), (Edge("e1", "a", "b", "road", 10, speed_kmh=60),))
    >>> new = apply_scenario(net, Scenario(add=(Edge("e1", "a", "b", "road", 10, speed_kmh=30),)))
    >>> new.edge("e1").travel_minutes
    20.0
    """
    scenario.check(network)
    gone = set(scenario.remove)
    added = {e.edge_id: e for e in scenario.add}
    edges = [added.pop(e.edge_id, e) for e in network.edges if e.edge_id not in gone]
    edges.extend(added.values())
    return Network(network.nodes, tuple(edges))


def with_edges_open(edges: Iterable[Edge]) -> tuple[Edge, ...]:
    """Copies of ``edges`` marked open (closed months still apply): "as if built"."""
    return tuple(replace(e, status="open") for e in edges)
