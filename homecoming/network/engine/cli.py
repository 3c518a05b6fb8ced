"""``homecoming travel route | matrix | compare`` on plain files (the network contract).

Exit status: 0 done; 1 no usable route (``route`` only); 2 bad input (a malformed file,
an unknown node, a bad argument), reported on stderr before any work starts.

>>> main(["route", "--network", "/nonexistent", "--from", "a", "--to", "b"])
2
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from . import cch
from .errors import InputError, NetworkError, Unreachable
from .graph import Route, TravelMatrix, compile_graph, default_workers, matrix_on, route_on
from .model import Network
from .readers import parse_date, read_network, read_node_list, read_scenario_csv
from .scenario import Comparison, compare


def _date(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="homecoming travel", description="Travel times on a road network."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, on_required: bool = False) -> None:
        p.add_argument(
            "--network",
            required=True,
            metavar="DIR",
            help="directory with nodes.csv and edges.csv (or a .geojson file)",
        )
        p.add_argument(
            "--on",
            type=_date,
            required=on_required,
            metavar="YYYY-MM-DD",
            help="date of travel (default: today)",
        )
        p.add_argument(
            "--with-planned",
            action="store_true",
            help="count construction and planned edges as open",
        )

    def method(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--method",
            choices=("auto", "scipy", "cch"),
            default="auto",
            help="cch: contraction hierarchy (routingkit-cch); auto: cch on large networks "
            "when installed, else scipy; the minutes agree to 0.01",
        )

    r = sub.add_parser("route", help="fastest route between two nodes")
    common(r)
    method(r)
    r.add_argument("--from", dest="source", required=True, metavar="NODE")
    r.add_argument("--to", dest="target", required=True, metavar="NODE")
    r.add_argument("--json", action="store_true", help="print the route as JSON")

    m = sub.add_parser("matrix", help="travel-time matrix as CSV")
    common(m)
    m.add_argument("--sources", metavar="FILE", help="CSV with a node_id column")
    m.add_argument("--targets", metavar="FILE", help="CSV with a node_id column")
    m.add_argument("--out", required=True, metavar="FILE")
    m.add_argument("--workers", type=int, default=0, help="processes (default: all cores)")
    method(m)

    c = sub.add_parser("compare", help="times without and with a scenario")
    common(c, on_required=True)
    c.add_argument("--scenario", required=True, metavar="FILE")
    c.add_argument("--sources", metavar="FILE", help="CSV with a node_id column")
    c.add_argument("--targets", metavar="FILE", help="CSV with a node_id column")
    c.add_argument("--out", required=True, metavar="FILE")
    c.add_argument("--workers", type=int, default=0, help="processes (default: all cores)")
    method(c)
    return parser


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _duration(minutes: float) -> str:
    hours, mins = divmod(round(minutes), 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def format_route(network: Network, r: Route, on: date, with_planned: bool) -> str:
    """A readable route: totals, then each node and the edge taken from it."""
    names = {n.node_id: n.name for n in network.nodes}
    planned = " (with planned projects)" if with_planned else ""
    lines = [
        f"{names[r.source]} -> {names[r.target]} on {on.isoformat()}{planned}: "
        f"{r.minutes:.1f} min ({_duration(r.minutes)}), {r.km:.1f} km"
    ]
    for i, node_id in enumerate(r.nodes):
        lines.append(f"  {names[node_id]} [{node_id}]")
        if i < len(r.edges):
            e = network.edge(r.edges[i])
            lines.append(
                f"    | {e.edge_id}: {e.mode}, {e.length_km:g} km, {e.travel_minutes:.1f} min"
            )
    return "\n".join(lines)


def write_matrix(matrix: TravelMatrix, out: TextIO) -> None:
    """``source,target,minutes`` for every ordered pair; empty minutes when unreachable."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["source", "target", "minutes"])
    for s, t, m in matrix.rows():
        writer.writerow([s, t, _minutes(m)])


def write_changes(comparison: Comparison, out: TextIO) -> None:
    """``source,target,minutes_before,minutes_after,saved`` for each changed pair."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["source", "target", "minutes_before", "minutes_after", "saved"])
    for c in comparison.changes():
        writer.writerow(
            [
                c.source,
                c.target,
                _minutes(c.minutes_before),
                _minutes(c.minutes_after),
                _minutes(c.saved),
            ]
        )


def _ends(args: argparse.Namespace, network: Network) -> tuple[tuple[str, ...], tuple[str, ...]]:
    settlements = network.ids_of_kind("settlement")
    sources = read_node_list(args.sources, network) if args.sources else settlements
    targets = read_node_list(args.targets, network) if args.targets else settlements
    return sources, targets


# From this many nodes the hierarchy's one-off build pays for itself on a single matrix.
_CCH_FROM_NODES = 50_000


def _use_cch(args: argparse.Namespace, network: Network) -> bool:
    if args.method == "cch":
        if not cch.available():
            raise NetworkError(
                "--method cch: routingkit-cch is not installed (pip install '.[cch]')"
            )
        return True
    return args.method == "auto" and cch.available() and len(network.nodes) >= _CCH_FROM_NODES


def _cache_dir() -> Path:
    """Where hierarchy orders are kept: the app's data directory, as the settings name it."""
    return Path(os.environ.get("HOMECOMING_DATA_DIR", "var")) / "cch"


def _run(args: argparse.Namespace) -> int:
    on: date = args.on or date.today()
    network = read_network(args.network)
    if args.command == "route":
        for node_id in (args.source, args.target):
            network.node(node_id)
        try:
            if _use_cch(args, network):
                h = cch.build(network, _cache_dir())
                r = cch.route(h, cch.weights_on(h, on, args.with_planned), args.source, args.target)
            else:
                r = route_on(
                    compile_graph(network, on, args.with_planned), args.source, args.target
                )
        except Unreachable as exc:
            print(f"homecoming travel: {exc} on {on.isoformat()}", file=sys.stderr)
            return 1
        if args.json:
            print(
                json.dumps(
                    {
                        "source": r.source,
                        "target": r.target,
                        "on": on.isoformat(),
                        "with_planned": args.with_planned,
                        "minutes": round(r.minutes, 3),
                        "km": round(r.km, 3),
                        "nodes": list(r.nodes),
                        "edges": list(r.edges),
                    },
                    indent=2,
                )
            )
        else:
            print(format_route(network, r, on, args.with_planned))
        return 0
    workers = args.workers or default_workers()
    sources, targets = _ends(args, network)
    if args.command == "matrix":
        if _use_cch(args, network):
            h = cch.build(network, _cache_dir())
            minutes = cch.matrix(
                h, cch.weights_on(h, on, args.with_planned), sources, targets, workers
            )
            matrix = TravelMatrix(sources, targets, minutes)
        else:
            matrix = matrix_on(
                compile_graph(network, on, args.with_planned),
                sources,
                targets,
                workers if len(sources) * len(network.nodes) > 10**8 else 1,
            )
        with Path(args.out).open("w", newline="", encoding="utf-8") as out:
            write_matrix(matrix, out)
        print(
            f"{len(sources)} x {len(targets)} travel times on {on.isoformat()} "
            f"written to {args.out}"
        )
        return 0
    scenario = read_scenario_csv(args.scenario, network)
    if _use_cch(args, network):
        before, after = cch.compare_matrices(
            network, scenario, on, sources, targets, args.with_planned, workers, _cache_dir()
        )
        comparison = Comparison(
            TravelMatrix(sources, targets, before), TravelMatrix(sources, targets, after)
        )
    else:
        comparison = compare(
            network,
            scenario,
            on,
            sources,
            targets,
            args.with_planned,
            workers if len(sources) * len(network.nodes) > 10**8 else 1,
        )
    with Path(args.out).open("w", newline="", encoding="utf-8") as out:
        write_changes(comparison, out)
    print(f"{len(comparison.changes())} pairs change on {on.isoformat()}; written to {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``travel route | matrix | compare``; ``argv`` starts at the sub-command."""
    parser = _parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else 2
    try:
        return _run(args)
    except InputError as exc:
        print(f"homecoming travel: error: {exc}", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"homecoming travel: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"homecoming travel: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
