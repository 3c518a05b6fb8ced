"""Scenario comparison and savings: the incremental update equals a recomputation."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from homecoming.network.engine import (
    Edge,
    Network,
    Scenario,
    UnknownEdge,
    apply_scenario,
    compare,
    compile_graph,
    matrix_on,
    savings,
    savings_by_project,
    savings_on,
    travel_matrix,
    update_matrix,
)
from homecoming.network.engine.synthetic import grid_network

from .test_engine_routes import random_network

ON = date(2026, 1, 15)


def random_scenario(net: Network, rng: random.Random, removals: int, additions: int) -> Scenario:
    ids = [n.node_id for n in net.nodes]
    remove = tuple(rng.sample([e.edge_id for e in net.edges], removals))
    add = []
    for k in range(additions):
        u, v = rng.sample(ids, 2)
        add.append(
            Edge(
                f"new{k}",
                u,
                v,
                rng.choice(["road", "tunnel"]),
                round(rng.uniform(0.5, 20), 2),
                speed_kmh=rng.choice([40, 80]),
                oneway=rng.random() < 0.3,
                closed_months=frozenset({1}) if rng.random() < 0.2 else frozenset(),
            )
        )
    # Change an existing edge too: same id, new speed.
    kept = [e for e in net.edges if e.edge_id not in remove]
    changed = rng.choice(kept)
    add.append(replace(changed, speed_kmh=rng.choice([5.0, 200.0]), minutes=None))
    return Scenario(tuple(add), remove)


def scratch(
    net: Network, scenario: Scenario, sources: list[str], targets: list[str], on: date | None = ON
) -> np.ndarray:
    return travel_matrix(apply_scenario(net, scenario), sources, targets, on=on).minutes


@pytest.mark.parametrize("seed", range(25))
def test_compare_equals_a_recomputation_from_scratch_on_random_scenarios(seed: int) -> None:
    rng = random.Random(seed)
    net = random_network(seed, n=30, m=70)
    ids = [n.node_id for n in net.nodes]
    sources, targets = rng.sample(ids, 25), rng.sample(ids, 28)
    scenario = random_scenario(net, rng, removals=rng.randint(0, 5), additions=rng.randint(0, 4))
    comparison = compare(net, scenario, ON, sources, targets)
    np.testing.assert_allclose(
        comparison.before.minutes, travel_matrix(net, sources, targets, on=ON).minutes
    )
    np.testing.assert_allclose(
        comparison.after.minutes, scratch(net, scenario, sources, targets), rtol=1e-12
    )


@pytest.mark.parametrize("seed", range(4))
def test_the_incremental_update_is_exact_on_a_grid_with_one_way_streets(seed: int) -> None:
    rng = random.Random(seed)
    net = grid_network(25, 25, seed=seed, oneway_share=0.15 * (seed % 2))
    ids = [n.node_id for n in net.nodes]
    sources, targets = rng.sample(ids, 40), rng.sample(ids, 50)
    scenario = random_scenario(net, rng, removals=3, additions=2)
    graph = compile_graph(net, ON)
    base = matrix_on(graph, sources, targets)
    after = update_matrix(graph, base, scenario)
    np.testing.assert_allclose(after.minutes, scratch(net, scenario, sources, targets), rtol=1e-12)


def test_many_additions_fall_back_to_a_recomputation_with_the_same_result() -> None:
    rng = random.Random(5)
    net = random_network(5, n=20, m=40)
    ids = [n.node_id for n in net.nodes]
    scenario = random_scenario(net, rng, removals=2, additions=12)
    comparison = compare(net, scenario, ON, ids[:3], ids[:4])
    np.testing.assert_allclose(comparison.after.minutes, scratch(net, scenario, ids[:3], ids[:4]))


def test_changes_list_only_pairs_whose_time_changes() -> None:
    net = random_network(2)
    ids = [n.node_id for n in net.nodes]
    tunnel = Edge("tunnel", ids[0], ids[1], "tunnel", 1, speed_kmh=60)
    comparison = compare(net, Scenario(add=(tunnel,)), ON, ids, ids)
    changes = comparison.changes()
    assert changes and all(c.source != c.target for c in changes)
    assert all(c.saved is None or c.saved > 0 for c in changes)
    assert comparison.changed_mask().sum() == len(changes)
    assert comparison.total_saved() == pytest.approx(
        sum(c.saved for c in changes if c.saved is not None)
    )


def test_savings_of_a_project_compare_without_and_with_it_built() -> None:
    net = random_network(7)
    ids = [n.node_id for n in net.nodes]
    project = Edge(
        "hwy", ids[0], ids[5], "road", 3, speed_kmh=90, status="planned", opens_on=date(2030, 1, 1)
    )
    net = Network(net.nodes, (*net.edges, project))
    result = savings(net, ["hwy"], ON, ids, ids)
    np.testing.assert_allclose(result.before.minutes, travel_matrix(net, ids, ids, on=ON).minutes)
    np.testing.assert_allclose(
        result.after.minutes, travel_matrix(net, ids, ids, on=ON, with_planned=True).minutes
    )
    by_project = savings_by_project(net, ON, ids, ids)
    assert list(by_project) == ["hwy"]
    np.testing.assert_allclose(by_project["hwy"].after.minutes, result.after.minutes)


def test_savings_of_an_open_edge_remove_it_for_the_before() -> None:
    net = random_network(8)
    ids = [n.node_id for n in net.nodes]
    edge = net.edges[3]
    result = savings_by_project(net, ON, ids, ids, project_ids=[edge.edge_id])[edge.edge_id]
    without = apply_scenario(net, Scenario(remove=(edge.edge_id,)))
    np.testing.assert_allclose(
        result.before.minutes, travel_matrix(without, ids, ids, on=ON).minutes
    )
    np.testing.assert_allclose(result.after.minutes, travel_matrix(net, ids, ids, on=ON).minutes)
    graph = compile_graph(without, ON)
    step = savings_on(graph, matrix_on(graph, ids, ids), [edge])
    np.testing.assert_allclose(step.after.minutes, result.after.minutes)


def test_a_scenario_naming_an_unknown_edge_is_refused() -> None:
    with pytest.raises(UnknownEdge):
        compare(random_network(1), Scenario(remove=("nope",)), ON)
