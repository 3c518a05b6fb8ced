"""The network layers of the interactive map, as GeoJSON: roads by their state on a date,
the places on the network, and a route.

A road's state on a date is the engine's rule in words (``models.state_on``): under
construction or planned until it opens, then closed for the season in its closed months,
else open.

>>> from datetime import date
>>> from homecoming.network.engine import Edge
>>> pass_ = Edge("p", "a", "b", "pass", 10.0, 30.0, closed_months=frozenset({1, 2}))
>>> edge_state(pass_, date(2026, 1, 15)), edge_state(pass_, date(2026, 7, 15))
('closed', 'open')
>>> road = Edge("r", "a", "b", "road", 5.0, 50.0, status="construction", opens_on=date(2026, 6, 1))
>>> edge_state(road, date(2026, 5, 15)), edge_state(road, date(2026, 6, 15))
('construction', 'open')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from homecoming.core.maps import Feature, collection, line_feature, point_feature
from homecoming.core.text import lowercase
from homecoming.network.adapter import NetworkData
from homecoming.network.engine import Edge
from homecoming.network.engine.graph import Route
from homecoming.network.models import Mode, Role, State, Status, state_on

#: The map's four states for the model's five: a finished project is open.
MAP_STATE = {
    State.OPEN: "open",
    State.OPENED: "open",
    State.WINTER: "closed",
    State.CONSTRUCTION: "construction",
    State.PLANNED: "planned",
}


def edge_state(edge: Edge, on: date) -> str:
    """``open``, ``closed`` (for the season), ``construction`` or ``planned`` on ``on``."""
    return MAP_STATE[state_on(edge.status, edge.opens_on, edge.closed_months, on)]


def state_labels() -> dict[str, str]:
    """The states in the reader's language."""
    return {
        "open": _("open"),
        "closed": _("closed this month"),
        "construction": lowercase(str(Status.CONSTRUCTION.label)),
        "planned": lowercase(str(Status.PLANNED.label)),
    }


def core_range(values: Sequence[float]) -> tuple[float, float]:
    """The range of the values without far outliers (a flight to a distant capital).

    >>> core_range([40.0, 40.1, 40.2, 40.3, 40.4, 40.5, 40.6, 40.7, 40.8, 40.9, 55.7])
    (40.0, 40.9)
    """
    ordered = sorted(values)
    n = len(ordered)
    lo, hi = ordered[n // 10], ordered[(9 * n) // 10]
    span = max(hi - lo, 0.05)
    kept = [v for v in ordered if lo - span <= v <= hi + span]
    return kept[0], kept[-1]


def _edge_feature(data: NetworkData, edge: Edge, on: date, labels: dict[str, str]) -> Feature:
    net = data.network
    a, b = net.node(edge.from_node), net.node(edge.to_node)
    state = edge_state(edge, on)
    mode = lowercase(str(Mode(edge.mode).label)) if edge.mode in Mode.values else edge.mode
    title = _("%(name)s: %(mode)s, %(km)s km, %(minutes).0f min, %(state)s") % {
        "name": data.edges[edge.edge_id].label(edge.edge_id),
        "mode": mode,
        "km": f"{edge.length_km:g}",
        "minutes": edge.travel_minutes,
        "state": labels[state],
    }
    return line_feature(
        [(a.lon, a.lat), (b.lon, b.lat)],
        layer="road",
        cls=f"road road-{state} mode-{edge.mode}",
        title=title,
        edge=edge.edge_id,
        state=state,
    )


def _node_feature(data: NetworkData, node_id: str, focus: str | None) -> Feature:
    node = data.network.node(node_id)
    role = data.nodes[node_id].role
    named = node.kind == "settlement" or bool(role) or node_id == focus
    kind = f"role-{role}" if role else f"kind-{node.kind}"
    title = f"{node.name} ({Role(role).label})" if role else node.name
    return point_feature(
        node.lon,
        node.lat,
        layer="node",
        cls=f"node {kind}" + (" focus" if node_id == focus else ""),
        title=title,
        label=node.name if named else None,
        rank=0 if node_id == focus else 3 if named else None,
        radius=7 if node_id == focus else 5 if named else 3,
        node=node_id,
    )


def network_collection(
    data: NetworkData, on: date, route: Route | None = None, focus: str | None = None
) -> dict[str, Any]:
    """Roads by their state on ``on``, the nodes, and ``route`` drawn over them.

    The map fits the route when there is one, else the network without far outliers.
    """
    net = data.network
    labels = state_labels()
    features = [_edge_feature(data, e, on, labels) for e in net.edges]
    if route is not None:
        points = [(net.node(n).lon, net.node(n).lat) for n in route.nodes]
        title = _("Route: %(min).0f min, %(km).1f km") % {"min": route.minutes, "km": route.km}
        features.append(line_feature(points, layer="route", cls="route", title=title))
    features += [_node_feature(data, n.node_id, focus) for n in net.nodes]
    if route is not None:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        box = [min(lons), min(lats), max(lons), max(lats)]
    elif net.nodes:
        west, east = core_range([n.lon for n in net.nodes])
        south, north = core_range([n.lat for n in net.nodes])
        box = [west, south, east, north]
    else:
        return collection([])
    return collection(features, box)
