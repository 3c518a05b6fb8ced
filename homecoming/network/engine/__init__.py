"""Homecoming's pure travel-time engine: no Django, numpy and scipy.sparse.csgraph only.

>>> from homecoming.network.engine import Edge, Network, Node, route
>>> net = Network((Node("a", "A", 0, 0), Node("b", "B", 0, 1)),
...               (Edge("ab", "a", "b", "road", 10, speed_kmh=60),))
>>> route(net, "a", "b").minutes
10.0
"""

from .errors import (
    DuplicateId,
    InputError,
    NetworkError,
    UnknownEdge,
    UnknownNode,
    Unreachable,
)
from .graph import (
    Graph,
    Route,
    TravelMatrix,
    compile_graph,
    default_workers,
    distances,
    matrix_on,
    route,
    route_on,
    travel_matrix,
)
from .model import MODES, STATUSES, Edge, Network, Node, Scenario, apply_scenario
from .readers import (
    parse_date,
    parse_months,
    read_edges_csv,
    read_geojson,
    read_network,
    read_node_list,
    read_nodes_csv,
    read_scenario_csv,
)
from .router import METHODS, Router
from .scenario import (
    Change,
    Comparison,
    compare,
    savings,
    savings_by_project,
    savings_on,
    update_matrix,
)

__all__ = [
    "METHODS",
    "MODES",
    "STATUSES",
    "Change",
    "Comparison",
    "DuplicateId",
    "Edge",
    "Graph",
    "InputError",
    "Network",
    "NetworkError",
    "Node",
    "Route",
    "Router",
    "Scenario",
    "TravelMatrix",
    "UnknownEdge",
    "UnknownNode",
    "Unreachable",
    "apply_scenario",
    "compare",
    "compile_graph",
    "default_workers",
    "distances",
    "matrix_on",
    "parse_date",
    "parse_months",
    "read_edges_csv",
    "read_geojson",
    "read_network",
    "read_node_list",
    "read_nodes_csv",
    "read_scenario_csv",
    "route",
    "route_on",
    "savings",
    "savings_by_project",
    "savings_on",
    "travel_matrix",
    "update_matrix",
]
