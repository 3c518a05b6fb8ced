"""Scenarios of any size stay within the update's memory budget and equal a recomputation."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

import numpy as np

from homecoming.network.engine import (
    Edge,
    Network,
    Scenario,
    apply_scenario,
    compile_graph,
    matrix_on,
    update_matrix,
)
from homecoming.network.engine.synthetic import grid_network

ON = date(2026, 1, 15)
T = TypeVar("T")


def peak_bytes(fn: Callable[[], T]) -> tuple[T, int]:
    """What ``fn`` returns and the most memory it held at once (numpy buffers included)."""
    tracemalloc.start()
    try:
        value = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return value, peak


def five_percent(net: Network, seed: int) -> Scenario:
    """Closures, faster roads and new links: 5 % of the edges in all."""
    rng = np.random.default_rng(seed)
    count = len(net.edges) // 20
    picks = rng.choice(len(net.edges), count, replace=False)
    third = count // 3
    remove = tuple(net.edges[int(i)].edge_id for i in picks[:third])
    faster = tuple(
        replace(net.edges[int(i)], speed_kmh=120.0, minutes=None) for i in picks[third : 2 * third]
    )
    ids = [n.node_id for n in net.nodes]
    links = tuple(
        Edge(f"new-{k}", ids[int(a)], ids[int(b)], "road", 2.0, speed_kmh=60)
        for k, (a, b) in enumerate(rng.choice(len(ids), (count - 2 * third, 2), replace=False))
    )
    return Scenario(add=(*faster, *links), remove=remove)


def recomputed(net: Network, scenario: Scenario, sources: list[str], targets: list[str]) -> Any:
    return matrix_on(compile_graph(apply_scenario(net, scenario), ON), sources, targets).minutes


def test_it_keeps_a_five_percent_scenario_within_a_small_memory_budget() -> None:
    net = grid_network(60, 60, seed=7, oneway_share=0.05)
    scenario = five_percent(net, seed=3)
    ids = [n.node_id for n in net.nodes]
    sources, targets = ids[::37], ids[5::41]
    graph = compile_graph(net, ON)
    base = matrix_on(graph, sources, targets, contracted=False)
    budget = 64 * 1024
    # Unbounded, the update would hold a row of distances per end of a changed edge.
    ends = 2 * len(scenario.remove) + 2 * len(scenario.add)
    unbounded = 8 * ends * len(net.nodes)
    after, peak = peak_bytes(
        lambda: update_matrix(graph, base, scenario, memory_budget=budget).minutes
    )
    np.testing.assert_allclose(after, recomputed(net, scenario, sources, targets), rtol=1e-9)
    graph_bytes = sum(a.nbytes for a in (graph.tails, graph.heads, graph.weights, graph.arc_edge))
    # Beyond the budget: the graph rebuilt without the closed edges (a few copies of its
    # arrays, sorted) and copies of the matrix; never a row of distances per changed end.
    assert peak < budget + 6 * graph_bytes + 4 * base.minutes.nbytes
    assert peak < unbounded / 4


def test_it_works_in_blocks_when_a_small_change_meets_a_tiny_budget() -> None:
    net = grid_network(40, 40, seed=11, oneway_share=0.05)
    ids = [n.node_id for n in net.nodes]
    sources, targets = ids[::7], ids[3::9]
    scenario = Scenario(
        add=(Edge("shortcut", ids[0], ids[-1], "tunnel", 5.0, speed_kmh=80),),
        remove=tuple(e.edge_id for e in net.edges[100:112]),
    )
    graph = compile_graph(net, ON)
    base = matrix_on(graph, sources, targets, contracted=False)
    budget = 16 * 1024  # fewer bytes than one Dijkstra row in each direction
    after, peak = peak_bytes(
        lambda: update_matrix(graph, base, scenario, memory_budget=budget).minutes
    )
    np.testing.assert_allclose(after, recomputed(net, scenario, sources, targets), rtol=1e-9)
    roomy = update_matrix(graph, base, scenario).minutes
    np.testing.assert_allclose(after, roomy, rtol=1e-12)
    graph_bytes = sum(a.nbytes for a in (graph.tails, graph.heads, graph.weights, graph.arc_edge))
    assert peak < 8 * 2 * len(net.nodes) * 4 + 6 * graph_bytes + 4 * base.minutes.nbytes
