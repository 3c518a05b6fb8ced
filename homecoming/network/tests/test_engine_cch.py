"""The hierarchy path (routingkit-cch) gives the scipy engine's minutes, routes and changes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from homecoming.network.engine import (
    Edge,
    Network,
    Node,
    Scenario,
    cch,
    compare,
    compile_graph,
    read_network,
    route_on,
    travel_matrix,
)
from homecoming.network.engine.cli import main
from homecoming.network.engine.synthetic import grid_network

pytestmark = pytest.mark.skipif(not cch.available(), reason="routingkit-cch is not installed")

DEMO = Path(cch.__file__).resolve().parents[1] / "demo"
WINTER, SUMMER = date(2026, 1, 15), date(2026, 7, 1)


def same_minutes(a: np.ndarray, b: np.ndarray) -> None:
    assert (np.isfinite(a) == np.isfinite(b)).all()
    finite = np.isfinite(b)
    assert np.abs(a[finite] - b[finite]).max(initial=0.0) <= 0.005


@pytest.mark.parametrize("on", [WINTER, SUMMER])
def test_it_gives_the_demo_matrix_of_the_scipy_engine_to_a_hundredth(
    on: date, tmp_path: Path
) -> None:
    net = read_network(DEMO)
    ids = [n.node_id for n in net.nodes]
    h = cch.build(net, tmp_path)
    for planned in (False, True):
        got = cch.matrix(h, cch.weights_on(h, on, planned), ids, ids, workers=2)
        same_minutes(got, travel_matrix(net, ids, ids, on, planned).minutes)


def test_it_holds_the_longest_path_of_the_demo_and_of_a_generated_network(tmp_path: Path) -> None:
    for net in (read_network(DEMO), grid_network(50, 50, seed=5, oneway_share=0.05)):
        ids = [n.node_id for n in net.nodes]
        oracle = travel_matrix(net, ids, ids, WINTER, contracted=False).minutes
        finite = np.where(np.isfinite(oracle), oracle, -1)
        i, j = np.unravel_index(np.argmax(finite), finite.shape)
        assert oracle[i, j] < cch.MAX_MINUTES / 10  # far from the integer cap
        h = cch.build(net, tmp_path)
        weights = cch.weights_on(h, WINTER)
        got = cch.matrix(h, weights, [ids[i]], [ids[j]])[0, 0]
        assert abs(got - oracle[i, j]) <= 0.005
        r = cch.route(h, weights, ids[i], ids[j])
        expected = route_on(compile_graph(net, WINTER), ids[i], ids[j])
        assert r.minutes == pytest.approx(expected.minutes, abs=1e-9)
        assert r.km == pytest.approx(sum(net.edge(e).length_km for e in r.edges))
        assert r.nodes[0] == ids[i] and r.nodes[-1] == ids[j]


def test_it_caches_the_order_on_disk_and_builds_the_same_hierarchy_from_it(tmp_path: Path) -> None:
    net = grid_network(20, 20, seed=2)
    first = cch.build(net, tmp_path)
    assert list(tmp_path.glob(f"cch-order-{first.key}.npy"))
    again = cch.build(net, tmp_path)
    ids = [n.node_id for n in net.nodes][::7]
    np.testing.assert_array_equal(
        cch.matrix(first, cch.weights_on(first), ids, ids),
        cch.matrix(again, cch.weights_on(again), ids, ids),
    )


def test_it_compares_a_scenario_as_the_scipy_engine_does(tmp_path: Path) -> None:
    net = grid_network(30, 30, seed=9, oneway_share=0.05)
    ids = [n.node_id for n in net.nodes]
    scenario = Scenario(
        add=(
            Edge("tunnel", ids[0], ids[-1], "tunnel", 12.0, speed_kmh=80),
            replace(net.edges[10], speed_kmh=110.0),
        ),
        remove=tuple(e.edge_id for e in net.edges[200:260]),
    )
    sources = ids[::11]
    before, after = cch.compare_matrices(
        net, scenario, WINTER, sources, sources, cache_dir=tmp_path
    )
    oracle = compare(net, scenario, WINTER, sources, sources)
    same_minutes(before, oracle.before.minutes)
    same_minutes(after, oracle.after.minutes)


def test_a_scenario_that_only_changes_speeds_and_closes_roads_reuses_the_base_hierarchy(
    tmp_path: Path,
) -> None:
    net = grid_network(30, 30, seed=11, oneway_share=0.1)
    ids = [n.node_id for n in net.nodes][::7]
    faster = tuple(replace(e, speed_kmh=120.0) for e in net.edges[300:340])
    closed = tuple(e.edge_id for e in net.edges[500:530])
    scenario = Scenario(add=faster, remove=closed)
    base = cch.build(net, tmp_path)
    cch.matrix(base, cch.weights_on(base, WINTER), ids, ids)  # the base metric is kept
    shared = cch.build(net, tmp_path, extra=scenario.add, base=base)
    assert shared.cch is base.cch and shared.kept is base.kept
    before, after = cch.compare_matrices(
        net, scenario, WINTER, ids, ids, cache_dir=tmp_path, base=base
    )
    oracle = compare(net, scenario, WINTER, ids, ids)
    same_minutes(before, oracle.before.minutes)
    same_minutes(after, oracle.after.minutes)
    assert (after < before - 0.01).any() and (after > before + 0.01).any()
    # the same scenario on a hierarchy of its own gives the same minutes
    alone = cch.build(net, tmp_path, extra=scenario.add)
    assert alone.cch is not base.cch and len(alone.swapped) == len(faster)
    np.testing.assert_array_equal(
        after, cch.matrix(alone, cch.weights_on(alone, WINTER, removed=closed), ids, ids)
    )
    # a new road needs arcs of its own: no sharing
    road = Edge("new-road", ids[0], ids[-1], "road", 2.0, speed_kmh=60)
    assert cch.build(net, tmp_path, extra=(*faster, road), base=base).cch is not base.cch


@pytest.mark.parametrize("partial_max", [cch.PARTIAL_MAX_ARCS, 0])
def test_its_kept_metric_gives_the_minutes_of_a_new_one_after_each_change(
    partial_max: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # partial_max 0 takes the full re-customisation in the kept buffers for every change
    monkeypatch.setattr(cch, "PARTIAL_MAX_ARCS", partial_max)
    net = grid_network(30, 30, seed=4, oneway_share=0.1)
    ids = [n.node_id for n in net.nodes][::13]
    h = cch.build(net, tmp_path)
    rng = np.random.default_rng(partial_max)
    closures: list[list[str]] = [[], [], []]
    for _ in range(3):
        picks = rng.choice(len(net.edges), 12, replace=False)
        closures.append([net.edges[int(i)].edge_id for i in picks])
    closures.append([])  # everything reopened: weights go up and down
    for removed in closures:
        weights = cch.weights_on(h, WINTER, removed=removed)
        kept = cch.matrix(h, weights, ids, ids)
        np.testing.assert_array_equal(kept, cch.matrix(h, cch.customise(h, weights), ids, ids))
        left = Network(net.nodes, tuple(e for e in net.edges if e.edge_id not in set(removed)))
        same_minutes(kept, travel_matrix(left, ids, ids, WINTER).minutes)
        a, b = ids[1], ids[-2]
        if np.isfinite(kept[1, -2]):
            assert cch.route(h, weights, a, b).minutes == pytest.approx(kept[1, -2], abs=0.005)


def test_it_serialises_threads_that_ask_the_kept_metric_for_different_dates(
    tmp_path: Path,
) -> None:
    net = grid_network(25, 25, seed=6)
    ids = [n.node_id for n in net.nodes][::9]
    h = cch.build(net, tmp_path)
    vectors = [
        cch.weights_on(h, WINTER, removed=[e.edge_id for e in net.edges[k : k + 40]])
        for k in range(0, 400, 40)
    ]
    expected = [cch.matrix(h, cch.customise(h, w), ids, ids) for w in vectors]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda w: cch.matrix(h, w, ids, ids, workers=2), vectors * 3))
    for i, m in enumerate(got):
        np.testing.assert_array_equal(m, expected[i % len(vectors)])


def test_it_turns_the_library_panics_and_overlong_paths_into_typed_errors() -> None:
    with pytest.raises(cch.CCHError, match="building"), cch._guard("building"):
        cch._library().CCH([0, 1], [0], [1, 0], False)
    net = Network(
        (Node("a", "A", 0, 0), Node("b", "B", 0, 1)),
        (Edge("slow", "a", "b", "road", 1.0, minutes=cch.MAX_MINUTES * 2),),
    )
    h = cch.build(net)
    with pytest.raises(cch.PathTooLong):
        cch.weights_on(h)


def test_it_gives_the_same_cli_matrix_whichever_path(tmp_path: Path) -> None:
    outs = []
    for method in ("scipy", "cch"):
        out = tmp_path / f"{method}.csv"
        args = ["matrix", "--network", str(DEMO), "--on", "2026-01-15", "--out", str(out)]
        assert main([*args, "--method", method]) == 0
        outs.append(out.read_text())
    assert outs[0] == outs[1]
