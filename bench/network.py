"""Benchmark of the travel-time engine beside networkx on the same synthetic road network.

    .venv/bin/python bench/network.py            # ~1M edges, 1000 x 1000 matrix
    .venv/bin/python bench/network.py --quick    # small, for a smoke run

Prints each step's wall time, the networkx baseline (timed on a sample of sources and
extrapolated, as the output says), and peak memory (this process and its workers).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from homecoming.network.engine import (
    Edge,
    Network,
    Scenario,
    TravelMatrix,
    apply_scenario,
    compile_graph,
    distances,
    matrix_on,
    read_network,
    savings,
    savings_by_project,
    savings_on,
    update_matrix,
)
from homecoming.network.engine.contract import contract
from homecoming.network.engine.synthetic import grid_network

T = TypeVar("T")
ON = date(2026, 1, 15)
DEMO = Path(__file__).resolve().parents[1] / "homecoming" / "network" / "demo"


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its finished worker processes."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


CPU: dict[str, float] = {}  # CPU seconds of the last timed step, by label


def timed(label: str, fn: Callable[[], T]) -> tuple[T, float]:
    start, cpu = time.perf_counter(), cpu_seconds()
    value = fn()
    seconds = time.perf_counter() - start
    used = cpu_seconds() - cpu
    CPU[label] = used
    load = os.getloadavg()[0]
    print(f"  {label:<58} {seconds:9.3f} s wall {used:9.3f} s cpu  (load {load:.2f})", flush=True)
    return value, seconds


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (VmRSS) or at its peak since the last reset (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    """Start a new peak: Linux resets VmHWM to the current RSS on "5" in clear_refs."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small network, for a smoke run")
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--side", type=int, default=0, help="grid side (default 720; quick 160)")
    parser.add_argument(
        "--hierarchy-only",
        action="store_true",
        help="the network and the hierarchy's steps alone, so that the peak memory printed "
        "is the hierarchy path's (no engine matrix to agree with)",
    )
    args = parser.parse_args()
    side, pairs, nx_sample = (160, 200, 5) if args.quick else (720, 1000, 5)
    side = args.side or side
    rng = np.random.default_rng(args.seed)
    import networkx as nx
    import scipy

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy "
        f"{scipy.__version__}, networkx {nx.__version__}, workers {args.workers}"
    )
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(other work on the machine slows every figure)"
    )
    print(
        f"command: .venv/bin/python bench/network.py{' --quick' if args.quick else ''}"
        f" --seed {args.seed}"
    )

    print("\n1. Synthetic road network (seeded grid-like planar network, varied speeds)")
    base_net, _ = timed(
        f"generate {side} x {side} grid",
        lambda: grid_network(side, side, seed=args.seed, oneway_share=0.05),
    )
    # A planned tunnel across the middle: 12 km at 80 km/h under a ridge of slow streets.
    mid = side // 2
    tunnel = Edge(
        "bench-tunnel",
        f"r{mid - side // 8}c{mid - side // 8}",
        f"r{mid + side // 8}c{mid + side // 8}",
        "tunnel",
        12.0,
        speed_kmh=80,
        status="planned",
        opens_on=date(2027, 6, 1),
    )
    net = Network(base_net.nodes, (*base_net.edges, tunnel))
    print(f"  nodes {len(net.nodes):,}, edges {len(net.edges):,} (two-way unless one-way)")
    graph, t_compile = timed(f"compile for {ON} (arcs -> CSR)", lambda: compile_graph(net, ON))
    print(f"  arcs in the CSR matrix: {graph.matrix.nnz:,}")
    ids = [n.node_id for n in net.nodes]
    sources = [ids[i] for i in rng.choice(len(ids), pairs, replace=False)]
    targets = [ids[i] for i in rng.choice(len(ids), pairs, replace=False)]

    if args.hierarchy_only:
        _bench_cch(net, sources, targets, None, args.workers, rng, None)
        own, _ = peak_mb()
        print(
            f"\nPeak memory (max RSS) of this process, the network's objects included: {own:,.0f} MB"
        )
        return 0

    print(f"\n2. {pairs} x {pairs} travel-time matrix")
    base, t_matrix = timed(
        f"engine, {args.workers} processes",
        lambda: matrix_on(graph, sources, targets, workers=args.workers),
    )
    src_idx = [graph.index(s) for s in sources]
    tgt_idx = [graph.index(t) for t in targets]
    one_core_sample = max(10, pairs // 20)
    # The matrix above contracted the graph around its sources and targets (kept on the
    # graph): one process on the same core graph, plus the contraction's own time.
    core = graph.contraction([*src_idx, *tgt_idx])
    print(
        f"  contracted core: {core.matrix.shape[0]:,} nodes, {core.matrix.nnz:,} arcs "
        f"({core.rounds} rounds)"
    )
    _, t_contract = timed(
        "contraction alone (part of the matrix time above)",
        lambda: contract(graph.matrix, [*src_idx, *tgt_idx]),
    )
    _, t_one = timed(
        f"engine, 1 process, {one_core_sample} sources (core graph)",
        lambda: distances(
            core.matrix, core.core_of[src_idx[:one_core_sample]], core.core_of[tgt_idx]
        ),
    )
    _, t_one_full = timed(
        f"uncontracted graph, 1 process, {one_core_sample} sources",
        lambda: distances(graph.matrix, src_idx[:one_core_sample], tgt_idx),
    )
    print(
        f"  one Dijkstra: {t_one_full / one_core_sample:.4f} s uncontracted, "
        f"{t_one / one_core_sample:.4f} s on the core"
    )
    t_one_core = t_contract + t_one * pairs / one_core_sample
    print(
        f"  {'engine, 1 process, contraction + ' + str(pairs) + ' sources':<58} {t_one_core:9.3f} s"
    )
    g, t_nx_build = timed(
        "networkx: build DiGraph from the same arcs (not counted)", lambda: _nx_graph(nx, graph)
    )

    def nx_rows() -> list[dict[int, float]]:
        return [nx.single_source_dijkstra_path_length(g, s) for s in src_idx[:nx_sample]]

    rows, t_nx = timed(f"networkx single_source_dijkstra, {nx_sample} sources", nx_rows)
    for k, lengths in enumerate(rows):
        expected = np.array([lengths.get(t, np.inf) for t in tgt_idx])
        np.testing.assert_allclose(base.minutes[k], expected, rtol=1e-9)
    t_nx_full = t_nx * pairs / nx_sample
    print(f"  {'networkx extrapolated to ' + str(pairs) + ' sources':<58} {t_nx_full:9.3f} s")
    print(f"  same minutes as networkx on the {nx_sample} sampled rows: yes")
    nx_cpu = CPU[f"networkx single_source_dijkstra, {nx_sample} sources"] * pairs / nx_sample
    engine_cpu = CPU[f"engine, {args.workers} processes"]
    print(
        f"  ratio networkx / engine: {t_nx_full / t_matrix:.1f}x wall "
        f"({t_nx_full / t_one_core:.1f}x per core); CPU seconds: networkx {nx_cpu:.1f} s "
        f"extrapolated, engine {engine_cpu:.1f} s (all processes) -> {nx_cpu / engine_cpu:.1f}x; "
        f"on {args.workers} idle cores the matrix would take about "
        f"{engine_cpu / args.workers:.1f} s"
    )

    _bench_cch(net, sources, targets, base.minutes, args.workers, rng, t_matrix)

    print("\n3. Scenario comparison: close 3 street segments, add 2 roads and the tunnel")
    streets = [e for e in net.edges if e.speed_kmh is not None and e.speed_kmh < 70]
    picks = rng.choice(len(streets), 3, replace=False)
    remove = tuple(streets[int(i)].edge_id for i in picks)
    new_roads = tuple(
        Edge(f"bench-road-{k}", ids[int(a)], ids[int(b)], "road", 3.0, speed_kmh=60)
        for k, (a, b) in enumerate(rng.choice(len(ids), (2, 2), replace=False))
    )
    scenario = Scenario(
        add=(
            *new_roads,
            tunnel.__class__(
                **{**{f: getattr(tunnel, f) for f in tunnel.__dataclass_fields__}, "status": "open"}
            ),
        ),
        remove=remove,
    )
    after, t_update = timed(
        "engine, incremental update of the base matrix",
        lambda: update_matrix(graph, base, scenario, workers=args.workers),
    )
    scratch_graph = compile_graph(apply_scenario(net, scenario), ON)
    check = rng.choice(pairs, 20, replace=False)
    np.testing.assert_allclose(
        after.minutes[check],
        distances(scratch_graph.matrix, [src_idx[i] for i in check], tgt_idx),
        rtol=1e-9,
    )
    changed = int(
        np.sum(
            np.abs(np.nan_to_num(after.minutes - base.minutes, nan=0.0, posinf=1, neginf=1)) > 1e-6
        )
    )
    print(f"  pairs whose time changes: {changed:,}; 20 random rows equal a recomputation")
    print(f"  engine compare total (base matrix + update): {t_matrix + t_update:.3f} s")
    print(
        f"  networkx (recompute every source on the changed graph, extrapolated): "
        f"{t_nx_full:.3f} s -> ratio {t_nx_full / t_update:.1f}x vs the update, "
        f"{2 * t_nx_full / (t_matrix + t_update):.1f}x vs the whole comparison"
    )

    print(f"\n4. What does this tunnel save, {pairs} x {pairs} pairs (base matrix given)")
    saved, t_save = timed(
        "engine savings_on (incremental)", lambda: savings_on(graph, base, [tunnel])
    )
    np.testing.assert_allclose(
        saved.after.minutes[check],
        distances(
            compile_graph(net, ON, with_planned=True).matrix, [src_idx[i] for i in check], tgt_idx
        ),
        rtol=1e-9,
    )
    mask = saved.changed_mask()
    print(
        f"  pairs that gain: {int(mask.sum()):,}, minutes saved in total: "
        f"{saved.total_saved():,.0f}; 20 random rows equal a recomputation"
    )
    print(
        f"  networkx (recompute every source, extrapolated): {t_nx_full:.3f} s -> ratio "
        f"{t_nx_full / t_save:.0f}x"
    )

    print("\n5. Demo network (Kalbajar region), all pairs of all nodes")
    demo = read_network(DEMO)
    every = [n.node_id for n in demo.nodes]
    tunnel_demo, t_demo = timed(
        f"what the Murovdag tunnel saves in January, {len(every)}^2 pairs",
        lambda: savings(demo, ["murovdag-tunnel"], ON, every, every),
    )
    print(
        f"  Kalbajar -> Gəncə: {tunnel_demo.before.get('kalbajar', 'ganja'):.1f} min without, "
        f"{tunnel_demo.after.get('kalbajar', 'ganja'):.1f} min with the tunnel"
    )
    timed(
        "what each project under construction saves (savings_by_project)",
        lambda: savings_by_project(demo, ON, every, every),
    )

    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    own, children = peak_mb()
    print(f"\nPeak memory (max RSS): this process {own:,.0f} MB, largest worker {children:,.0f} MB")
    print(
        f"Targets: matrix <= 60 s: {'yes' if t_matrix <= 60 else 'NO'} ({t_matrix:.1f} s); "
        f">= 20x networkx: {'yes' if t_nx_full / t_matrix >= 20 else 'NO'} "
        f"({t_nx_full / t_matrix:.1f}x); tunnel savings <= 0.5 s: "
        f"{'yes' if t_save <= 0.5 else 'NO'} ({t_save:.3f} s); demo well under 1 s: "
        f"{'yes' if t_demo < 0.1 else 'NO'} ({t_demo * 1000:.1f} ms)"
    )
    del t_compile, t_nx_build
    return 0


def _bench_cch(
    net: Network,
    sources: list[str],
    targets: list[str],
    oracle: np.ndarray | None,
    workers: int,
    rng: np.random.Generator,
    engine_seconds: float | None,
) -> None:
    """The hierarchy path beside the engine: same matrix, then a 1 % scenario both ways."""
    import tempfile

    from homecoming.network.engine import cch

    print(f"\n2b. Contraction hierarchy (routingkit-cch), {workers} threads")
    if not cch.available():
        print("  routingkit-cch not installed: skipped (pip install '.[cch]')")
        return
    with tempfile.TemporaryDirectory() as cache:
        timed("order (cold, then cached on disk) + build", lambda: cch.build(net, cache))
        h, _ = timed("build from the cached order", lambda: cch.build(net, cache))
        weights = cch.weights_on(h, ON)
        metric, t_custom = timed(
            "customise for the date (full: the process's first)", lambda: _kept(cch, h, weights)
        )
        got, t_sweeps = timed(
            f"{len(sources)} x {len(targets)} one-to-many sweeps",
            lambda: cch.matrix(h, metric, sources, targets, workers),
        )
        _versus("matrix with its customisation", t_custom + t_sweeps, engine_seconds)
        # A later date of the same network: a winter pass (20 segments of one road) closes;
        # the hierarchy's kept metric is customised again on the arcs that changed only.
        row = f"r{int(sources[0][1:].split('c')[0])}c"
        road = [
            e.edge_id
            for e in net.edges
            if e.from_node.startswith(row) and e.to_node.startswith(row)
        ]
        winter = cch.weights_on(h, ON, removed=road[:20])
        changed = sum(a != b for a, b in zip(weights, winter, strict=True))
        metric, t_partial = timed(
            f"a later date, a pass closed ({changed} arcs): partial customisation",
            lambda: _kept(cch, h, winter),
        )
        later, t_sweeps = timed(
            f"{len(sources)} x {len(targets)} one-to-many sweeps",
            lambda: cch.matrix(h, metric, sources, targets, workers),
        )
        _versus(
            "a later date's matrix with its customisation", t_partial + t_sweeps, engine_seconds
        )
        fresh = cch.matrix(h, cch.customise(h, winter), sources[:20], targets, workers)
        print(f"  20 rows equal a new metric's: {bool(np.array_equal(fresh, later[:20]))}")
        if oracle is not None:
            finite = np.isfinite(oracle)
            off = np.abs(got[finite] - oracle[finite])
            print(
                f"  agreement with the engine: max |diff| {off.max():.5f} min, pairs off by "
                f"more than 0.005 min: {int((off > 0.005).sum())}, same unreachable pairs: "
                f"{bool((np.isfinite(got) == finite).all())}"
            )
        picks = rng.choice(len(net.edges), len(net.edges) // 100, replace=False)
        half = len(picks) // 2
        scenario = Scenario(
            # faster roads: the same edges at 90 km/h (one-way stays one-way)
            add=tuple(replace(net.edges[int(i)], speed_kmh=90.0) for i in picks[half:]),
            remove=tuple(net.edges[int(i)].edge_id for i in picks[:half]),
        )
        # The engine's update is given the matrix without the scenario; so is this step
        # (the kept metric holds the later date's weights): the scenario's hierarchy (its
        # faster roads keep their ends: no new arc, so the base hierarchy and its kept metric
        # serve), one customisation, the sweeps.
        before_mb = rss_mb()
        reset_peak()
        scenario_h, t_build = timed(
            "1 % scenario, hierarchy, base given: the base hierarchy, shared",
            lambda: cch.build(net, cache, extra=scenario.add, base=h),
        )
        only, t_after = timed(
            "1 % scenario, hierarchy, base given: customise + sweeps",
            lambda: cch.matrix(
                scenario_h,
                cch.weights_on(scenario_h, ON, removed=scenario.remove),
                sources,
                targets,
                workers,
            ),
        )
        print(
            f"  memory of those two steps: peak {rss_mb('VmHWM'):,.0f} MB, "
            f"{rss_mb('VmHWM') - before_mb:,.0f} MB above the {before_mb:,.0f} MB held before it "
            "(the network, its hierarchies and the matrices)"
        )
        # Both ways after it, so that the step above started from the later date's metric,
        # not from the scenario's.
        (before, after), _ = timed(
            f"1 % scenario ({len(picks):,} edges), hierarchy: 2 customisations + sweeps",
            lambda: cch.compare_matrices(
                net, scenario, ON, sources, targets, False, workers, cache, base=h
            ),
        )
        same = bool(np.array_equal(only, after))
        print(
            f"  1 % scenario with the base given: {t_build + t_after:.3f} s in all "
            f"(target <= 20 s: {'met' if t_build + t_after <= 20 else 'NOT met'}); "
            f"the same minutes as the comparison's: {same}"
        )
        if oracle is None:
            return
        engine, _ = timed(
            "1 % scenario, engine incremental update (1 GiB budget)",
            lambda: update_matrix(
                compile_graph(net, ON),
                TravelMatrix(tuple(sources), tuple(targets), oracle),
                scenario,
                workers=workers,
            ),
        )
        fin = np.isfinite(engine.minutes)
        print(
            f"  scenario agreement: max |diff| {np.abs(after[fin] - engine.minutes[fin]).max():.5f} min"
        )
        del before


def _kept(cch: Any, h: Any, weights: list[int]) -> Any:
    """The hierarchy's kept metric set to ``weights`` (full or partial customisation)."""
    with cch.kept_metric(h, weights) as metric:
        return metric


def _versus(label: str, seconds: float, engine_seconds: float | None) -> None:
    ratio = (
        ""
        if engine_seconds is None
        else f"; {engine_seconds / seconds:.2f}x the engine's "
        + (
            f"{engine_seconds:.1f} s (target >= 2x: {'met' if engine_seconds >= 2 * seconds else 'NOT met'})"
        )
    )
    print(
        f"  {label}: {seconds:.3f} s (target <= 20 s: {'met' if seconds <= 20 else 'NOT met'}){ratio}"
    )


def _nx_graph(nx: object, graph: object) -> object:
    import networkx

    g = networkx.DiGraph()
    m = graph.matrix  # type: ignore[attr-defined]
    coo = m.tocoo()
    g.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    return g


if __name__ == "__main__":
    sys.exit(main())
