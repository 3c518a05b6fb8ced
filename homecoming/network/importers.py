"""Read a network file (the contract's CSV pair, GeoJSON, or an OSM extract) and check it
against the database before anything is written.

The engine's readers check the contract (every error names file, line and column; an edge
to an unknown node is an error); here the app's extra columns are read and checked too:
``role`` and ``area`` (a geography code) on nodes, ``name`` and ``project`` on edges. The
result is handed to ``services.do_replace_network``, which writes it in one transaction.
"""

from __future__ import annotations

import csv
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext as _

from homecoming.core.files import FileRefused, decode_text, limit
from homecoming.core.identifiers import identifier_problem
from homecoming.geography.models import Area, Level
from homecoming.network.engine import InputError, Network, read_geojson, read_network
from homecoming.network.engine.osm import read_osm
from homecoming.network.models import Role

DEMO_DIR = Path(__file__).resolve().parent / "demo"
OSM_SUFFIXES = (".pbf", ".osm", ".bz2")

#: How a node's kind or role may be spelled in a file -> the role.
ROLE_SPELLINGS = {
    "district_centre": Role.DISTRICT_CENTRE,
    "district_center": Role.DISTRICT_CENTRE,
    "hospital": Role.HOSPITAL,
    "regional_city": Role.REGIONAL_CITY,
    "regional_centre": Role.REGIONAL_CITY,
    "regional_center": Role.REGIONAL_CITY,
}


@dataclass
class NodeExtra:
    role: str = ""
    area_id: int | None = None


@dataclass
class EdgeExtra:
    name: str = ""
    project: str = ""


@dataclass
class ImportedNetwork:
    """A checked network and the app's extras, ready for ``do_replace_network``."""

    source: str
    network: Network
    nodes: dict[str, NodeExtra] = field(default_factory=dict)
    edges: dict[str, EdgeExtra] = field(default_factory=dict)


def _role_key(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def _role(text: str, kind: str, file: str, line: int, column: str) -> str:
    if text.strip():
        role = ROLE_SPELLINGS.get(_role_key(text))
        if role is None:
            raise InputError(
                file,
                line,
                column,
                _("role %(role)r is not one of district_centre, hospital, regional_city")
                % {"role": text},
            )
        return str(role)
    return str(ROLE_SPELLINGS.get(_role_key(kind), ""))


class _Areas:
    """Area codes and settlement names, loaded once (two queries whatever the file size)."""

    def __init__(self) -> None:
        rows = list(
            Area.objects.filter(Q(level=Level.SETTLEMENT) | Q(level=Level.DISTRICT)).values_list(
                "pk", "code", "level", "name_en", "name_az"
            )
        )
        self.by_code = {code: pk for pk, code, _level, _en, _az in rows}
        names: dict[str, list[int]] = {}
        for pk, _code, level, en, az in rows:
            if level == Level.SETTLEMENT:
                for n in {en.strip().lower(), az.strip().lower()} - {""}:
                    names.setdefault(n, []).append(pk)
        # A name shared by two settlements links nothing: better no link than a wrong one.
        self.by_name = {n: pks[0] for n, pks in names.items() if len(pks) == 1}

    def resolve(self, code: str, name: str, kind: str, file: str, line: int) -> int | None:
        if code.strip():
            pk = self.by_code.get(code.strip())
            if pk is None:
                raise InputError(
                    file, line, "area", _("unknown area code %(code)r") % {"code": code}
                )
            return pk
        if kind == "settlement":
            return self.by_name.get(name.strip().lower())
        return None


def _csv_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers, as the engine counts them (the header is line 1)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        return [
            (reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k})
            for row in reader
            if any((v or "").strip() for v in row.values() if isinstance(v, str))
        ]


def _check_id(value: str, file: str, line: int, column: str) -> None:
    problem = identifier_problem(value, 80 if column == "node_id" else 120)
    if problem is not None:
        raise InputError(file, line, column, problem)


def _precheck(path: Path, text: bool) -> None:
    """Refuse a file past the size limit, or text that is not valid UTF-8, before any
    reader loads it."""
    size, max_bytes = path.stat().st_size, limit("import_max_bytes")
    if size > max_bytes:
        raise InputError(
            str(path),
            None,
            None,
            _("%(size)d bytes; the limit is %(max)d (HOMECOMING_IMPORT_MAX_BYTES)")
            % {"size": size, "max": max_bytes},
        )
    if text:
        try:
            decode_text(path.read_bytes(), str(path))
        except FileRefused as exc:
            raise InputError(str(path), None, None, exc.message) from None


def _from_csv(directory: Path, areas: _Areas) -> ImportedNetwork:
    nodes_csv, edges_csv = directory / "nodes.csv", directory / "edges.csv"
    for p in (nodes_csv, edges_csv):
        if p.is_file():
            _precheck(p, text=True)
    network = read_network(directory)
    out = ImportedNetwork(str(directory), network)
    for line, row in _csv_rows(nodes_csv):
        _check_id(row["node_id"], str(nodes_csv), line, "node_id")
        kind = row.get("kind") or "other"
        out.nodes[row["node_id"]] = NodeExtra(
            _role(row.get("role", ""), kind, str(nodes_csv), line, "role"),
            areas.resolve(row.get("area", ""), row.get("name", ""), kind, str(nodes_csv), line),
        )
    for line, row in _csv_rows(edges_csv):
        _check_id(row["edge_id"], str(edges_csv), line, "edge_id")
        out.edges[row["edge_id"]] = EdgeExtra(row.get("name", ""), row.get("project", ""))
    return out


def _from_geojson(path: Path, areas: _Areas) -> ImportedNetwork:
    _precheck(path, text=True)
    network = read_geojson(path)
    out = ImportedNetwork(str(path), network)
    data: Any = json.loads(path.read_text(encoding="utf-8-sig"))
    for number, feature in enumerate(data["features"], start=1):
        props = {k: "" if v is None else str(v) for k, v in feature["properties"].items()}
        if feature["geometry"]["type"] == "Point":
            _check_id(props["node_id"], str(path), number, "node_id")
            kind = props.get("kind") or "other"
            out.nodes[props["node_id"]] = NodeExtra(
                _role(props.get("role", ""), kind, str(path), number, "role"),
                areas.resolve(
                    props.get("area", ""), props.get("name", ""), kind, str(path), number
                ),
            )
        else:
            _check_id(props["edge_id"], str(path), number, "edge_id")
            out.edges[props["edge_id"]] = EdgeExtra(props.get("name", ""), props.get("project", ""))
    return out


def _from_osm(path: Path, areas: _Areas) -> ImportedNetwork:
    _precheck(path, text=False)
    extract = read_osm(path)
    out = ImportedNetwork(str(path), extract.network)
    for node in extract.network.nodes:
        out.nodes[node.node_id] = NodeExtra(
            "", areas.resolve("", node.name, node.kind, str(path), 0)
        )
    for edge_id, name in extract.names.items():
        out.edges[edge_id] = EdgeExtra(name=name)
    return out


def read_network_file(path: str | Path) -> ImportedNetwork:
    """Read and check a network: a directory with nodes.csv and edges.csv (or one GeoJSON
    file), a ``.geojson`` file, or an OSM extract (``.osm.pbf``). Raises ``InputError``."""
    p = Path(path)
    areas = _Areas()
    lower = p.name.lower()
    if p.is_file() and lower.endswith(OSM_SUFFIXES):
        return _from_osm(p, areas)
    if p.is_file() and lower.endswith((".geojson", ".json")):
        return _from_geojson(p, areas)
    if p.is_dir() and not (p / "nodes.csv").exists():
        geojsons = sorted(p.glob("*.geojson"))
        if len(geojsons) == 1:
            return _from_geojson(geojsons[0], areas)
    if not p.is_dir():
        raise InputError(str(p), None, None, _("not a network directory or a known file type"))
    return _from_csv(p, areas)


def read_upload(
    first: UploadedFile[Any], edges: UploadedFile[Any] | None = None
) -> ImportedNetwork:
    """Read uploaded files: nodes.csv with edges.csv, or one GeoJSON or OSM file.

    Errors name the uploaded file, not the temporary folder it was read from.
    """
    with tempfile.TemporaryDirectory(prefix="network-") as tmp:
        folder = Path(tmp)
        name = Path(first.name or "upload").name
        if edges is not None:
            targets = [(first, folder / "nodes.csv"), (edges, folder / "edges.csv")]
            path = folder
        else:
            path = folder / name
            targets = [(first, path)]
        max_bytes = limit("import_max_bytes")
        for upload, target in targets:
            written = 0
            with target.open("wb") as out:
                for chunk in upload.chunks():
                    written += len(chunk)
                    if written > max_bytes:
                        raise InputError(
                            Path(upload.name or "upload").name,
                            None,
                            None,
                            _("larger than %(max)d bytes (HOMECOMING_IMPORT_MAX_BYTES)")
                            % {"max": max_bytes},
                        )
                    out.write(chunk)
        try:
            return read_network_file(path)
        except InputError as exc:
            file = Path(exc.file).name if exc.file.startswith(tmp) else exc.file
            raise InputError(file, exc.line, exc.column, exc.message) from None
