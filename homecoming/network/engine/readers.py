"""Read networks from the contract's CSV files (and GeoJSON), refusing bad input.

Every problem raises ``InputError`` naming the file, the line (1-based, the header is
line 1) and the column, before any computation starts.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "nodes.csv").write_text("node_id,name,lat,lon,kind\\na,A,40,46,settlement\\n")
>>> _ = (d / "edges.csv").write_text("edge_id,from,to,mode,length_km,speed_kmh\\ne1,a,b,road,5,50\\n")
>>> read_network(d)
Traceback (most recent call last):
...
homecoming.network.engine.errors.InputError: ...edges.csv, line 2, column to: unknown node 'b'
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import InputError, NetworkError
from .model import MODES, STATUSES, Edge, Network, Node, Scenario

NODE_COLUMNS = ("node_id", "name", "lat", "lon", "kind")
EDGE_REQUIRED = ("edge_id", "from", "to", "mode", "length_km")
EDGE_COLUMNS = (
    *EDGE_REQUIRED,
    "speed_kmh",
    "minutes",
    "oneway",
    "closed_months",
    "status",
    "opens_on",
)


@dataclass(frozen=True)
class _Row:
    file: str
    line: int
    values: Mapping[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def error(self, column: str | None, message: str) -> InputError:
        return InputError(self.file, self.line, column, message)


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[_Row]:
    name = str(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(name, None, None, f"cannot read: {exc.strerror or exc}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise InputError(name, 1, None, "empty file: a header line is required")
            header = [h.strip() for h in header]
            for column in required:
                if column not in header:
                    raise InputError(name, 1, column, f"missing column {column!r}")
            seen: set[str] = set()
            for h in header:
                if h and h in seen:
                    raise InputError(name, 1, h, f"column {h!r} appears twice")
                seen.add(h)
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > len(header):
                    raise InputError(
                        name, line, None, f"{len(cells)} fields but the header has {len(header)}"
                    )
                yield _Row(name, line, dict(zip(header, cells, strict=False)))
        except csv.Error as exc:
            raise InputError(name, reader.line_num, None, f"malformed CSV: {exc}") from None
        except UnicodeDecodeError:
            raise InputError(name, None, None, "not UTF-8 text") from None


def _number(
    row: _Row,
    column: str,
    *,
    positive: bool = False,
    required: bool = True,
    lo: float = -math.inf,
    hi: float = math.inf,
) -> float | None:
    text = row.get(column)
    if not text:
        if required:
            raise row.error(column, "a value is required")
        return None
    try:
        value = float(text)
    except ValueError:
        raise row.error(column, f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise row.error(column, f"not a finite number: {text!r}")
    if positive and value <= 0:
        raise row.error(column, f"must be greater than 0, got {text}")
    if not lo <= value <= hi:
        raise row.error(column, f"must lie between {lo:g} and {hi:g}, got {text}")
    return value


def parse_months(text: str) -> frozenset[int]:
    """Parse a month list such as ``"11,12,1,2,3,4"`` (commas, semicolons or spaces).

    >>> sorted(parse_months("11, 12;1"))
    [1, 11, 12]
    >>> parse_months("13")
    Traceback (most recent call last):
    ...
    ValueError: month 13 is not in 1..12
    """
    months: set[int] = set()
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        if not part.isdigit():
            raise ValueError(f"not a month number: {part!r}")
        month = int(part)
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} is not in 1..12")
        months.add(month)
    return frozenset(months)


def parse_date(text: str) -> date:
    """Parse a ``YYYY-MM-DD`` date.

    >>> parse_date("2025-08-21")
    datetime.date(2025, 8, 21)
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a valid date: {text!r}") from None


def read_nodes_csv(path: str | Path) -> tuple[Node, ...]:
    """Read ``nodes.csv``: ``node_id,name,lat,lon,kind``; ids unique."""
    nodes: list[Node] = []
    seen: dict[str, int] = {}
    for row in _rows(Path(path), NODE_COLUMNS):
        node_id = row.get("node_id")
        if not node_id:
            raise row.error("node_id", "a value is required")
        if node_id in seen:
            raise row.error(
                "node_id", f"duplicate node id {node_id!r} (first on line {seen[node_id]})"
            )
        seen[node_id] = row.line
        lat = _number(row, "lat", lo=-90, hi=90)
        lon = _number(row, "lon", lo=-180, hi=180)
        assert lat is not None and lon is not None
        nodes.append(
            Node(node_id, row.get("name") or node_id, lat, lon, row.get("kind") or "other")
        )
    return tuple(nodes)


def _edge_from_row(row: _Row, known_nodes: Mapping[str, int] | None) -> Edge:
    edge_id = row.get("edge_id")
    if not edge_id:
        raise row.error("edge_id", "a value is required")
    ends = []
    for column in ("from", "to"):
        node_id = row.get(column)
        if not node_id:
            raise row.error(column, "a value is required")
        if known_nodes is not None and node_id not in known_nodes:
            raise row.error(column, f"unknown node {node_id!r}")
        ends.append(node_id)
    if ends[0] == ends[1]:
        raise row.error("to", f"the edge joins {ends[0]!r} to itself")
    mode = row.get("mode")
    if mode not in MODES:
        raise row.error("mode", f"mode {mode!r} is not one of {', '.join(MODES)}")
    length = _number(row, "length_km", positive=True)
    speed = _number(row, "speed_kmh", positive=True, required=False)
    minutes = _number(row, "minutes", positive=True, required=False)
    if speed is None and minutes is None:
        raise row.error("speed_kmh", "give speed_kmh or minutes")
    oneway_text = row.get("oneway") or "0"
    if oneway_text not in ("0", "1"):
        raise row.error("oneway", f"must be 0 or 1, got {oneway_text!r}")
    try:
        months = parse_months(row.get("closed_months"))
    except ValueError as exc:
        raise row.error("closed_months", str(exc)) from None
    status = row.get("status") or "open"
    if status not in STATUSES:
        raise row.error("status", f"status {status!r} is not one of {', '.join(STATUSES)}")
    opens_text = row.get("opens_on")
    try:
        opens_on = parse_date(opens_text) if opens_text else None
    except ValueError as exc:
        raise row.error("opens_on", str(exc)) from None
    assert length is not None
    return Edge(
        edge_id,
        ends[0],
        ends[1],
        mode,
        length,
        speed,
        minutes,
        oneway_text == "1",
        months,
        status,
        opens_on,
    )


def read_edges_csv(path: str | Path, nodes: tuple[Node, ...]) -> tuple[Edge, ...]:
    """Read ``edges.csv`` against known nodes: an edge to an unknown node is an error."""
    known = {n.node_id: i for i, n in enumerate(nodes)}
    edges: list[Edge] = []
    seen: dict[str, int] = {}
    for row in _rows(Path(path), EDGE_REQUIRED):
        edge = _edge_from_row(row, known)
        if edge.edge_id in seen:
            raise row.error(
                "edge_id",
                f"duplicate edge id {edge.edge_id!r} (first on line {seen[edge.edge_id]})",
            )
        seen[edge.edge_id] = row.line
        edges.append(edge)
    return tuple(edges)


def read_scenario_csv(path: str | Path, network: Network) -> Scenario:
    """Read ``scenario.csv``: edges.csv columns plus ``action`` (add or remove).

    ``remove`` needs only ``edge_id``, which must name an edge of the network.
    """
    add: list[Edge] = []
    remove: list[str] = []
    seen: dict[str, int] = {}
    for row in _rows(Path(path), ("action", "edge_id")):
        action = row.get("action")
        edge_id = row.get("edge_id")
        if edge_id in seen:
            raise row.error(
                "edge_id", f"edge {edge_id!r} appears twice (first on line {seen[edge_id]})"
            )
        seen[edge_id] = row.line
        if action == "remove":
            if not edge_id:
                raise row.error("edge_id", "a value is required")
            if edge_id not in network.edge_index:
                raise row.error("edge_id", f"unknown edge {edge_id!r}")
            remove.append(edge_id)
        elif action == "add":
            for column in EDGE_REQUIRED:
                if column not in row.values:
                    raise InputError(row.file, 1, column, f"missing column {column!r}")
            add.append(_edge_from_row(row, network.node_index))
        else:
            raise row.error("action", f"action must be add or remove, got {action!r}")
    return Scenario(tuple(add), tuple(remove))


def read_node_list(path: str | Path, network: Network) -> tuple[str, ...]:
    """Read a file with a ``node_id`` column (matrix sources or targets); ids must exist."""
    ids: list[str] = []
    for row in _rows(Path(path), ("node_id",)):
        node_id = row.get("node_id")
        if not node_id:
            raise row.error("node_id", "a value is required")
        if node_id not in network.node_index:
            raise row.error("node_id", f"unknown node {node_id!r}")
        ids.append(node_id)
    return tuple(dict.fromkeys(ids))


def read_geojson(path: str | Path) -> Network:
    """Read a FeatureCollection: Point features are nodes, LineString features edges.

    Properties are the CSV columns (a Point's lat/lon come from its coordinates). Errors
    name the file, ``line`` as the feature's number (1-based) and the property.
    """
    name = str(path)
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError(name, None, None, f"cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(name, exc.lineno, f"char {exc.colno}", f"bad JSON: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError(name, None, "type", "expected a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(name, None, "features", "expected a list of features")

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    points: list[_Row] = []
    lines: list[_Row] = []
    for number, feature in enumerate(features, start=1):
        where = f"{name} (feature {number})"
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or not isinstance(props, dict):
            raise InputError(name, number, "geometry", "a feature needs geometry and properties")
        values = {k: text(v) for k, v in props.items()}
        kind = geometry.get("type")
        if kind == "Point":
            coords = geometry.get("coordinates")
            if not (isinstance(coords, list) and len(coords) >= 2):
                raise InputError(name, number, "coordinates", "a Point needs [lon, lat]")
            values["lon"], values["lat"] = text(coords[0]), text(coords[1])
            points.append(_Row(where, number, values))
        elif kind == "LineString":
            lines.append(_Row(where, number, values))
        else:
            raise InputError(name, number, "geometry", f"unsupported geometry {kind!r}")
    nodes: list[Node] = []
    seen: set[str] = set()
    for row in points:
        node_id = row.get("node_id")
        if not node_id:
            raise row.error("node_id", "a value is required")
        if node_id in seen:
            raise row.error("node_id", f"duplicate node id {node_id!r}")
        seen.add(node_id)
        lat = _number(row, "lat", lo=-90, hi=90)
        lon = _number(row, "lon", lo=-180, hi=180)
        assert lat is not None and lon is not None
        nodes.append(
            Node(node_id, row.get("name") or node_id, lat, lon, row.get("kind") or "other")
        )
    known = {n.node_id: i for i, n in enumerate(nodes)}
    edges: list[Edge] = []
    seen_edges: set[str] = set()
    for row in lines:
        for column in EDGE_REQUIRED:
            if column not in row.values:
                raise row.error(column, f"missing property {column!r}")
        edge = _edge_from_row(row, known)
        if edge.edge_id in seen_edges:
            raise row.error("edge_id", f"duplicate edge id {edge.edge_id!r}")
        seen_edges.add(edge.edge_id)
        edges.append(edge)
    return _network(name, tuple(nodes), tuple(edges))


def _network(name: str, nodes: tuple[Node, ...], edges: tuple[Edge, ...]) -> Network:
    try:
        return Network(nodes, edges)
    except NetworkError as exc:  # pragma: no cover - the readers check ids first
        raise InputError(name, None, None, str(exc)) from None


def read_network(path: str | Path) -> Network:
    """Read a network: a directory with ``nodes.csv`` and ``edges.csv`` (or one ``*.geojson``
    file), or a ``.geojson`` file itself."""
    p = Path(path)
    if p.is_file() and p.suffix.lower() in (".geojson", ".json"):
        return read_geojson(p)
    if not p.is_dir():
        raise InputError(str(p), None, None, "no such network directory")
    if not (p / "nodes.csv").exists():
        geojsons = sorted(p.glob("*.geojson"))
        if len(geojsons) == 1:
            return read_geojson(geojsons[0])
    nodes = read_nodes_csv(p / "nodes.csv")
    edges = read_edges_csv(p / "edges.csv", nodes)
    return _network(str(p), nodes, edges)
