"""Contraction: the core graph gives exactly the distances of the uncontracted graph."""

from __future__ import annotations

import random
from datetime import date

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from homecoming.network.engine import (
    Edge,
    Network,
    Node,
    compile_graph,
    matrix_on,
    savings_on,
    travel_matrix,
)
from homecoming.network.engine.contract import contract, end_distances
from homecoming.network.engine.synthetic import grid_network

from .test_engine_routes import oracle

ON = date(2026, 1, 15)


def road_like_network(seed: int, n: int = 60) -> Network:
    """A sparse random network with chains, dead ends, one-way arcs and a closed pass."""
    rng = random.Random(seed)
    nodes = tuple(Node(f"n{i}", f"N{i}", 40 + rng.random(), 46 + rng.random()) for i in range(n))
    edges: list[Edge] = []

    def add(u: int, v: int) -> None:
        fixed = rng.random() < 0.15
        edges.append(
            Edge(
                f"e{len(edges)}",
                f"n{u}",
                f"n{v}",
                rng.choice(["road", "road", "tunnel", "pass"]),
                round(rng.uniform(0.5, 30), 2),
                speed_kmh=None if fixed else rng.choice([20, 40, 60, 90]),
                minutes=round(rng.uniform(1, 30), 1) if fixed else None,
                oneway=rng.random() < 0.25,
                closed_months=frozenset({12, 1, 2}) if rng.random() < 0.1 else frozenset(),
                status="planned" if rng.random() < 0.05 else "open",
            )
        )

    # A random tree (many degree-1 and degree-2 nodes) plus a few extra links.
    for v in range(1, n):
        add(rng.randrange(v), v)
    for _ in range(n // 3):
        u, v = rng.sample(range(n), 2)
        add(u, v)
    return Network(nodes, tuple(edges))


def full_distances(matrix: sp.csr_matrix, sources: list[int], targets: list[int]) -> np.ndarray:
    return np.asarray(dijkstra(matrix, directed=True, indices=sources)[:, targets])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("max_degree", [2, 3, 8])
def test_the_core_keeps_the_distances_between_kept_nodes_on_random_graphs(
    seed: int, max_degree: int
) -> None:
    net = road_like_network(seed)
    graph = compile_graph(net, ON)  # closed months and planned edges leave arcs out
    rng = random.Random(seed)
    keep = rng.sample(range(len(net.nodes)), 10)
    c = contract(graph.matrix, keep, max_degree=max_degree)
    assert c.covers(keep)
    assert c.matrix.shape[0] <= len(net.nodes)
    got = full_distances(c.matrix, list(c.core_of[keep]), list(c.core_of[keep]))
    np.testing.assert_allclose(got, full_distances(graph.matrix, keep, keep), rtol=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_a_contracted_matrix_equals_networkx_and_the_uncontracted_one(seed: int) -> None:
    net = road_like_network(seed, n=80)
    ids = [n.node_id for n in net.nodes]
    rng = random.Random(seed)
    sources, targets = rng.sample(ids, 12), rng.sample(ids, 9)
    plain = travel_matrix(net, sources, targets, on=ON, contracted=False)
    contracted = travel_matrix(net, sources, targets, on=ON, contracted=True)
    np.testing.assert_allclose(contracted.minutes, plain.minutes, rtol=1e-12)
    g = oracle(net)  # every edge open: compare the undated matrix with networkx
    undated = travel_matrix(net, sources, targets, with_planned=True, contracted=True)
    for i, s in enumerate(sources):
        lengths = nx.single_source_dijkstra_path_length(g, s)
        for j, t in enumerate(targets):
            assert undated.minutes[i, j] == pytest.approx(lengths.get(t, np.inf))


def test_chains_and_dead_ends_collapse_into_single_arcs() -> None:
    # a - x - y - b, a dead-end tree at y, and a one-way chain b -> p -> q -> a.
    names = ["a", "x", "y", "b", "d1", "d2", "p", "q"]
    nodes = tuple(Node(v, v, 40, 46 + i / 10) for i, v in enumerate(names))
    roads = [("a", "x", 1), ("x", "y", 2), ("y", "b", 3), ("y", "d1", 4), ("d1", "d2", 5)]
    edges = [Edge(f"{u}{v}", u, v, "road", km, speed_kmh=60) for u, v, km in roads]
    edges += [
        Edge(f"{u}{v}", u, v, "road", km, speed_kmh=60, oneway=True)
        for u, v, km in [("b", "p", 1), ("p", "q", 1), ("q", "a", 1)]
    ]
    graph = compile_graph(Network(nodes, tuple(edges)))
    a, b = graph.index("a"), graph.index("b")
    c = contract(graph.matrix, [a, b], max_degree=2)
    assert sorted(c.core_nodes.tolist()) == [a, b]
    core = c.matrix.toarray()
    ca, cb = c.core_of[a], c.core_of[b]
    assert core[ca, cb] == pytest.approx(6.0)  # a-x-y-b, 6 km at 60 km/h
    assert core[cb, ca] == pytest.approx(3.0)  # the one-way chain back is faster


def test_a_contraction_is_deterministic() -> None:
    graph = compile_graph(grid_network(20, 20, seed=4, oneway_share=0.1))
    keep = list(range(0, 400, 37))
    one, two = contract(graph.matrix, keep), contract(graph.matrix, keep)
    assert one.core_nodes.tolist() == two.core_nodes.tolist()
    assert (one.matrix != two.matrix).nnz == 0
    assert one.matrix.shape[0] < 400


@pytest.mark.parametrize("seed", range(10))
def test_contracted_away_nodes_get_exact_distances_back(seed: int) -> None:
    net = road_like_network(seed, n=70)
    graph = compile_graph(net, ON)
    rng = random.Random(seed)
    keep = rng.sample(range(len(net.nodes)), 12)
    c = contract(graph.matrix, keep)
    removed = [v for v in range(len(net.nodes)) if c.core_of[v] < 0]
    ends = np.array([*rng.sample(removed, min(3, len(removed))), keep[0]], dtype=np.int64)
    src, tgt = np.array(keep[:6]), np.array(keep[6:])
    into, out_of, between = end_distances(c, ends, src, tgt)
    full = dijkstra(graph.matrix, directed=True)
    np.testing.assert_allclose(into, full[np.ix_(src, ends)], rtol=1e-12)
    np.testing.assert_allclose(out_of, full[np.ix_(ends, tgt)], rtol=1e-12)
    np.testing.assert_allclose(between, full[np.ix_(ends, ends)], rtol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_savings_on_a_contracted_matrix_equal_a_recomputation(seed: int) -> None:
    net = road_like_network(seed, n=90)
    ids = [n.node_id for n in net.nodes]
    rng = random.Random(seed)
    sources, targets = rng.sample(ids, 15), rng.sample(ids, 15)
    graph = compile_graph(net, ON)
    base = matrix_on(graph, sources, targets, contracted=True)  # keeps the contraction
    u, v = rng.sample(ids, 2)
    link = Edge("link", u, v, "tunnel", 2.0, speed_kmh=60, oneway=rng.random() < 0.5)
    after = savings_on(graph, base, [link]).after
    grown = compile_graph(Network(net.nodes, (*net.edges, link)), ON)
    expected = matrix_on(grown, sources, targets, contracted=False)
    np.testing.assert_allclose(after.minutes, expected.minutes, rtol=1e-12)
