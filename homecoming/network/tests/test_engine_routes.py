"""Routes and matrices: correct against networkx, and dates decide what is usable."""

from __future__ import annotations

import itertools
import random
from datetime import date

import networkx as nx
import numpy as np
import pytest

from homecoming.network.engine import (
    Edge,
    Network,
    Node,
    UnknownNode,
    Unreachable,
    compile_graph,
    route,
    travel_matrix,
)
from homecoming.network.engine.synthetic import grid_network


def random_network(seed: int, n: int = 25, m: int = 60) -> Network:
    rng = random.Random(seed)
    nodes = tuple(Node(f"n{i}", f"N{i}", 40 + rng.random(), 46 + rng.random()) for i in range(n))
    edges = []
    for k in range(m):
        u, v = rng.sample(range(n), 2)
        fixed = rng.random() < 0.2
        edges.append(
            Edge(
                f"e{k}",
                f"n{u}",
                f"n{v}",
                rng.choice(["road", "tunnel", "pass"]),
                round(rng.uniform(1, 50), 2),
                speed_kmh=None if fixed else rng.choice([30, 50, 60, 90]),
                minutes=round(rng.uniform(1, 30), 1) if fixed else None,
                oneway=rng.random() < 0.3,
            )
        )
    return Network(nodes, tuple(edges))


def oracle(network: Network) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(n.node_id for n in network.nodes)
    for e in network.edges:
        pairs = [(e.from_node, e.to_node)] + ([] if e.oneway else [(e.to_node, e.from_node)])
        for u, v in pairs:
            if not g.has_edge(u, v) or g[u][v]["weight"] > e.travel_minutes:
                g.add_edge(u, v, weight=e.travel_minutes)
    return g


@pytest.mark.parametrize("seed", range(12))
def test_routes_and_matrices_match_networkx_on_random_graphs(seed: int) -> None:
    net = random_network(seed)
    g = oracle(net)
    ids = [n.node_id for n in net.nodes]
    matrix = travel_matrix(net, ids, ids)
    for s in ids:
        lengths = nx.single_source_dijkstra_path_length(g, s)
        for t in ids:
            expected = lengths.get(t, np.inf)
            assert matrix.get(s, t) == pytest.approx(expected)
    rng = random.Random(seed)
    for _ in range(10):
        s, t = rng.sample(ids, 2)
        if t not in nx.descendants(g, s):
            with pytest.raises(Unreachable):
                route(net, s, t)
            continue
        r = route(net, s, t)
        assert r.minutes == pytest.approx(nx.dijkstra_path_length(g, s, t))
        # The edge sequence walks the node sequence and adds up to the totals.
        edges = [net.edge(e) for e in r.edges]
        assert r.nodes[0] == s and r.nodes[-1] == t and len(edges) == len(r.nodes) - 1
        for (u, v), e in zip(itertools.pairwise(r.nodes), edges, strict=True):
            assert {u, v} == {e.from_node, e.to_node}
            assert e.from_node == u or not e.oneway
        assert sum(e.travel_minutes for e in edges) == pytest.approx(r.minutes)
        assert sum(e.length_km for e in edges) == pytest.approx(r.km)


def test_a_matrix_in_two_processes_equals_the_serial_one() -> None:
    net = grid_network(30, 30, seed=3, oneway_share=0.1)
    ids = [n.node_id for n in net.nodes][::7]
    serial = travel_matrix(net, ids, ids, workers=1)
    parallel = travel_matrix(net, ids, ids, workers=2)
    np.testing.assert_array_equal(serial.minutes, parallel.minutes)


def two_ways() -> Network:
    nodes = (Node("a", "A", 0, 0), Node("b", "B", 0, 1))
    return Network(
        nodes,
        (
            Edge("slow", "a", "b", "road", 100, speed_kmh=50),
            Edge("pass", "a", "b", "pass", 30, speed_kmh=30, closed_months=frozenset({11, 12, 1})),
            Edge(
                "tunnel",
                "a",
                "b",
                "tunnel",
                10,
                speed_kmh=60,
                status="construction",
                opens_on=date(2026, 9, 1),
            ),
            Edge("plan", "a", "b", "road", 5, speed_kmh=60, status="planned"),
        ),
    )


def test_a_closed_month_takes_a_pass_out_of_use() -> None:
    net = two_ways()
    assert route(net, "a", "b", on=date(2026, 7, 1)).edges == ("pass",)
    assert route(net, "a", "b", on=date(2026, 1, 10)).edges == ("slow",)


def test_a_project_is_used_from_its_opening_date_on() -> None:
    net = two_ways()
    assert route(net, "a", "b", on=date(2026, 8, 31)).edges == ("pass",)
    assert route(net, "a", "b", on=date(2026, 9, 1)).edges == ("tunnel",)
    assert route(net, "a", "b", on=date(2026, 12, 1)).edges == ("tunnel",)


def test_with_planned_counts_every_project_as_open() -> None:
    net = two_ways()
    assert route(net, "a", "b", on=date(2026, 1, 1), with_planned=True).edges == ("plan",)
    assert route(net, "a", "b", with_planned=True).minutes == 5.0


def test_without_a_date_seasons_are_ignored_and_status_decides() -> None:
    assert route(two_ways(), "a", "b").edges == ("pass",)


def test_a_one_way_edge_is_not_used_backwards() -> None:
    nodes = (Node("a", "A", 0, 0), Node("b", "B", 0, 1))
    net = Network(nodes, (Edge("up", "a", "b", "cableway", 1.7, minutes=6, oneway=True),))
    assert route(net, "a", "b").minutes == 6
    with pytest.raises(Unreachable):
        route(net, "b", "a")


def test_an_unknown_node_is_refused() -> None:
    with pytest.raises(UnknownNode):
        route(two_ways(), "a", "nowhere")


def test_compiling_keeps_the_fastest_of_parallel_edges() -> None:
    graph = compile_graph(two_ways(), date(2026, 7, 1))
    assert graph.matrix.nnz == 2 and graph.symmetric
    assert graph.matrix[0, 1] == pytest.approx(60.0)
