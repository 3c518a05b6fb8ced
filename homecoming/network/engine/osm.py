"""Read highways from an OpenStreetMap extract (``.osm.pbf``, ``.osm``) into a ``Network``.

pyosmium (``osmium``) is imported only when a file is read. Every way with a ``highway`` tag
of a known class becomes edges: the way is split at its ends and at every node shared with
another highway (junctions), so the graph keeps only the nodes where a route can turn.
Speeds come from the highway class (``maxspeed`` when it is a plain km/h number),
``tunnel=yes`` makes a tunnel, ``oneway=yes`` (or ``-1``) a one-way edge. Lengths are
great-circle distances along the way.

>>> DEFAULT_SPEEDS["motorway"], DEFAULT_SPEEDS["track"]
(100.0, 20.0)
>>> round(haversine_km(40.0, 46.0, 40.1, 46.0), 2)
11.12
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .model import Edge, Network, Node

#: km/h by OSM highway class, for mountain roads (slower than the lowland defaults).
DEFAULT_SPEEDS: dict[str, float] = {
    "motorway": 100.0,
    "trunk": 80.0,
    "primary": 70.0,
    "secondary": 60.0,
    "tertiary": 50.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 15.0,
    "service": 20.0,
    "track": 20.0,
    "motorway_link": 60.0,
    "trunk_link": 50.0,
    "primary_link": 40.0,
    "secondary_link": 40.0,
    "tertiary_link": 30.0,
}
PLACE_KINDS = {"city", "town", "village", "hamlet"}
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


@dataclass
class OsmExtract:
    """The network read from an extract, with each edge's road name (when tagged)."""

    network: Network
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class _Way:
    way_id: int
    refs: list[int]
    coords: list[tuple[float, float]]  # (lat, lon)
    tags: dict[str, str]


def _speed(tags: dict[str, str], speeds: dict[str, float]) -> float:
    text = tags.get("maxspeed", "").strip()
    if text.isdigit() and int(text) > 0:
        return float(text)
    return speeds[tags["highway"]]


def read_osm(path: str | Path, speeds: dict[str, float] | None = None) -> OsmExtract:
    """Read the highways of an OSM file; ``InputError`` names the file when it is unreadable."""
    speeds = DEFAULT_SPEEDS if speeds is None else speeds
    name = str(path)
    if not Path(path).is_file():
        raise InputError(name, None, None, "no such file")
    ways, places = _read_highways_and_places(path, name, speeds)
    if not ways:
        raise InputError(name, None, "highway", "no highway ways in the file")
    splitter = _WaySplitter(places, _junction_uses(ways))
    for w in ways:
        splitter.add(w, _speed(w.tags, speeds))
    return splitter.extract()


def _read_highways_and_places(
    path: str | Path, name: str, speeds: dict[str, float]
) -> tuple[list[_Way], dict[int, tuple[str, str]]]:
    """The highway ways of known classes, and the named places by node id (name, kind)."""
    import osmium

    ways: list[_Way] = []
    places: dict[int, tuple[str, str]] = {}
    try:
        processor = osmium.FileProcessor(str(path)).with_locations()
        item: Any
        for item in processor:
            obj = item
            tags: Any = obj.tags
            if obj.is_node():
                place = tags.get("place")
                if place in PLACE_KINDS and tags.get("name"):
                    places[obj.id] = (tags["name"], "settlement")
            elif obj.is_way() and tags.get("highway") in speeds:
                way = _way(obj, tags, name)
                if way is not None:
                    ways.append(way)
    except InputError:
        raise
    except (RuntimeError, ValueError, osmium.InvalidLocationError) as exc:
        raise InputError(name, None, None, f"not a readable OSM file: {exc}") from None
    return ways, places


def _way(obj: Any, tags: Any, name: str) -> _Way | None:
    """A way with its node locations; ``None`` when it has fewer than two nodes."""
    refs, coords = [], []
    for n in obj.nodes:
        if not n.location.valid():
            raise InputError(name, None, f"way {obj.id}", f"node {n.ref} has no location")
        refs.append(n.ref)
        coords.append((n.location.lat, n.location.lon))
    if len(refs) < 2:
        return None
    return _Way(obj.id, refs, coords, dict(tags))


def _junction_uses(ways: list[_Way]) -> Counter[int]:
    """How often each node is used: a node used twice or more (or a way's end) splits ways."""
    uses = Counter(ref for w in ways for ref in set(w.refs))
    for w in ways:
        uses[w.refs[0]] += 1
        uses[w.refs[-1]] += 1
    return uses


class _WaySplitter:
    """Splits ways into edges at their junctions, making each node once."""

    def __init__(self, places: dict[int, tuple[str, str]], uses: Counter[int]) -> None:
        self.places = places
        self.uses = uses
        self.nodes: dict[int, Node] = {}
        self.edges: list[Edge] = []
        self.names: dict[str, str] = {}

    def node(self, ref: int, lat: float, lon: float) -> str:
        """The id of the node ``ref``, made (a place or a junction) when first met."""
        if ref not in self.nodes:
            label, kind = self.places.get(ref, (f"OSM node {ref}", "junction"))
            self.nodes[ref] = Node(f"osm-n{ref}", label, lat, lon, kind)
        return self.nodes[ref].node_id

    def add(self, w: _Way, speed: float) -> None:
        """The edges of one way, from junction to junction, in driving order."""
        mode = "tunnel" if w.tags.get("tunnel") in ("yes", "building_passage") else "road"
        oneway = w.tags.get("oneway") in ("yes", "1", "true", "-1")
        refs, coords = w.refs, w.coords
        if w.tags.get("oneway") == "-1":
            refs, coords = refs[::-1], coords[::-1]
        start, km, part = 0, 0.0, 0
        for i in range(1, len(refs)):
            km += haversine_km(*coords[i - 1], *coords[i])
            if i < len(refs) - 1 and self.uses[refs[i]] < 2:
                continue
            if refs[start] != refs[i] and km > 0:
                part += 1
                edge_id = f"osm-w{w.way_id}-{part}"
                self.edges.append(
                    Edge(
                        edge_id,
                        self.node(refs[start], *coords[start]),
                        self.node(refs[i], *coords[i]),
                        mode,
                        round(km, 4),
                        speed_kmh=speed,
                        oneway=oneway,
                    )
                )
                if w.tags.get("name"):
                    self.names[edge_id] = w.tags["name"]
            start, km = i, 0.0

    def extract(self) -> OsmExtract:
        """The network made so far, with the road names."""
        return OsmExtract(Network(tuple(self.nodes.values()), tuple(self.edges)), self.names)
