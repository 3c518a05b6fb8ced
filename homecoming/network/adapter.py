"""The only module that knows both the network models and the pure engine.

It turns the database rows into an engine ``Network`` (two queries), and the engine's
answers into plain results for the pages and the API: accessibility of a settlement month
by month, with and without planned projects, and what each project saves.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.conf import settings
from django.db.models import Count

from homecoming.housing.models import Unit
from homecoming.network.engine import (
    Comparison,
    Edge,
    Network,
    Node,
    Router,
    Unreachable,
    parse_months,
)
from homecoming.network.engine.graph import Route
from homecoming.network.models import CONTRACT_TO_MODEL, EDGE_FIELDS, Role, Status, state_on
from homecoming.network.models import Edge as EdgeRow
from homecoming.network.models import Node as NodeRow

#: The destinations of the accessibility page, in display order.
DESTINATIONS = (Role.DISTRICT_CENTRE, Role.HOSPITAL, Role.REGIONAL_CITY)
#: Which day of each month stands for the month.
DAY_OF_MONTH = 15


@dataclass(frozen=True)
class NodeInfo:
    pk: int
    role: str
    area_id: int | None


@dataclass(frozen=True)
class EdgeInfo:
    pk: int
    name: str
    project: str

    def label(self, edge_id: str) -> str:
        return self.name or edge_id


@dataclass
class NetworkData:
    """The network for the engine, and what the app adds to each node and edge."""

    network: Network
    nodes: dict[str, NodeInfo]
    edges: dict[str, EdgeInfo]
    _router: Router | None = field(default=None, repr=False)

    @property
    def router(self) -> Router:
        """The travel times, by the method the settings name (as ``homecoming travel``)."""
        if self._router is None:
            self._router = Router(
                self.network,
                settings.TRAVEL_METHOD,
                cache_dir=settings.TRAVEL_CACHE_DIR,
                memory_budget=settings.TRAVEL_MEMORY_BUDGET_MB << 20,
            )
        return self._router

    def with_role(self, role: str) -> tuple[str, ...]:
        return tuple(n for n, info in self.nodes.items() if info.role == role)

    def node_of_area(self, area_id: int) -> str | None:
        for node_id, info in self.nodes.items():
            if info.area_id == area_id and self.network.node(node_id).kind != "service":
                return node_id
        return None

    def district_centres(self, district_id: int | None) -> tuple[str, ...]:
        """The district centre linked to the district, else every district centre."""
        centres = self.with_role(Role.DISTRICT_CENTRE)
        own = tuple(n for n in centres if self.nodes[n].area_id == district_id)
        return own or centres

    def projects(self) -> dict[str, tuple[str, ...]]:
        """Project label -> its edge ids: edges not open yet, or open with an opening date."""
        groups: dict[str, list[str]] = defaultdict(list)
        for e in self.network.edges:
            if e.status != Status.OPEN or e.opens_on is not None:
                groups[self.edges[e.edge_id].project or e.edge_id].append(e.edge_id)
        return {key: tuple(ids) for key, ids in groups.items()}


def load() -> NetworkData:
    """The whole network from the database, in two queries."""
    nodes: list[Node] = []
    node_info: dict[str, NodeInfo] = {}
    for pk, node_id, name, lat, lon, kind, role, area_id in NodeRow.objects.values_list(
        "pk", "node_id", "name", "lat", "lon", "kind", "role", "area_id"
    ):
        nodes.append(Node(node_id, name, lat, lon, kind))
        node_info[node_id] = NodeInfo(pk, role, area_id)
    edges: list[Edge] = []
    edge_info: dict[str, EdgeInfo] = {}
    # The model's field for each contract column; the two nodes by their contract ids.
    columns = {f: f"{f}__node_id" if f in CONTRACT_TO_MODEL.values() else f for f in EDGE_FIELDS}
    for row in EdgeRow.objects.values("pk", *columns.values()):
        value = {field: row[name] for field, name in columns.items()}
        edge_id, name, project = value["edge_id"], value["name"], value["project"]
        pk = row["pk"]
        edges.append(
            Edge(
                edge_id,
                value["from_node"],
                value["to_node"],
                value["mode"],
                value["length_km"],
                value["speed_kmh"],
                value["minutes"],
                value["oneway"],
                parse_months(value["closed_months"]),
                value["status"],
                value["opens_on"],
            )
        )
        edge_info[edge_id] = EdgeInfo(pk, name, project)
    return NetworkData(Network(tuple(nodes), tuple(edges)), node_info, edge_info)


def month_dates(year: int) -> list[date]:
    """A date in each month of ``year`` (the 15th)."""
    return [date(year, m, DAY_OF_MONTH) for m in range(1, 13)]


@dataclass(frozen=True)
class Reach:
    """Time to one kind of destination on one date: the nearest candidate, or none."""

    minutes: float | None
    node_id: str | None


@dataclass
class MonthRow:
    on: date
    now: dict[str, Reach]  # as things stand on that date
    planned: dict[str, Reach]  # with every planned and construction project built


@dataclass
class ProjectSaving:
    key: str
    label: str
    edge_ids: tuple[str, ...]
    status: str
    opens_on: date | None
    km: float
    before: dict[str, Reach]
    after: dict[str, Reach]
    families: int = 0
    #: the date the figures are for: a project whose opening date has passed is open then
    on: date | None = None

    @property
    def status_label(self) -> str:
        if self.on is None:
            return str(Status(self.status).label)
        return str(state_on(self.status, self.opens_on, (), self.on).label)

    def saved(self, role: str) -> float | None:
        b, a = self.before[role].minutes, self.after[role].minutes
        if b is None or a is None:
            return None
        return b - a

    def connects(self, role: str) -> bool:
        """The project makes the destination reachable at all."""
        return self.before[role].minutes is None and self.after[role].minutes is not None

    @property
    def helps(self) -> bool:
        return any(self.connects(r) or (self.saved(r) or 0) > 0.05 for r in self.before)


@dataclass
class Accessibility:
    settlement_node: str
    candidates: dict[str, tuple[str, ...]]
    months: list[MonthRow]
    projects: list[ProjectSaving] = field(default_factory=list)


def candidates_for(data: NetworkData, district_id: int | None) -> dict[str, tuple[str, ...]]:
    return {
        Role.DISTRICT_CENTRE: data.district_centres(district_id),
        Role.HOSPITAL: data.with_role(Role.HOSPITAL),
        Role.REGIONAL_CITY: data.with_role(Role.REGIONAL_CITY),
    }


def _nearest(row: np.ndarray, targets: Sequence[str], index: dict[str, int]) -> Reach:
    best: Reach = Reach(None, None)
    for node_id in targets:
        value = float(row[index[node_id]])
        if math.isfinite(value) and (best.minutes is None or value < best.minutes):
            best = Reach(value, node_id)
    return best


def _reaches(
    row: np.ndarray, candidates: dict[str, tuple[str, ...]], index: dict[str, int]
) -> dict[str, Reach]:
    return {role: _nearest(row, ids, index) for role, ids in candidates.items()}


def _targets(candidates_of: Iterable[dict[str, tuple[str, ...]]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for c in candidates_of for ids in c.values() for n in ids))


def monthly(
    data: NetworkData, source: str, candidates: dict[str, tuple[str, ...]], year: int
) -> list[MonthRow]:
    """Nearest destination of each kind in each month, now and with planned projects."""
    targets = _targets([candidates])
    index = {t: j for j, t in enumerate(targets)}
    rows = []
    for on in month_dates(year):
        now = data.router.matrix([source], targets, on)[0]
        planned = data.router.matrix([source], targets, on, with_planned=True)[0]
        rows.append(
            MonthRow(on, _reaches(now, candidates, index), _reaches(planned, candidates, index))
        )
    return rows


def _project_meta(
    data: NetworkData, key: str, ids: tuple[str, ...]
) -> tuple[str, str, date | None, float]:
    edges = [data.network.edge(i) for i in ids]
    label = data.edges[ids[0]].project or data.edges[ids[0]].label(ids[0])
    statuses = {e.status for e in edges}
    status = next((s for s in (Status.PLANNED, Status.CONSTRUCTION) if s in statuses), "open")
    dates = [e.opens_on for e in edges if e.opens_on is not None]
    return label, str(status), max(dates) if dates else None, sum(e.length_km for e in edges)


def project_savings(
    data: NetworkData,
    sources: Sequence[str],
    candidates_of: dict[str, dict[str, tuple[str, ...]]],
    on: date,
) -> dict[str, list[ProjectSaving]]:
    """For each source, what each project saves on ``on`` to each kind of destination.

    Single-edge projects share one base matrix (``savings_by_project``); a project of
    several edges is asked as a whole (``savings``).
    """
    groups = data.projects()
    targets = _targets(candidates_of.values())
    out: dict[str, list[ProjectSaving]] = {s: [] for s in sources}
    if not groups or not targets or not sources:
        return out
    singles = [ids[0] for ids in groups.values() if len(ids) == 1]
    comparisons: dict[str, Comparison] = {}
    if singles:
        by_edge = data.router.savings_by_project(on, sources, targets, project_ids=singles)
        for key, ids in groups.items():
            if len(ids) == 1:
                comparisons[key] = by_edge[ids[0]]
    for key, ids in groups.items():
        if len(ids) > 1:
            comparisons[key] = data.router.savings(ids, on, sources, targets)
    tindex = {t: j for j, t in enumerate(targets)}
    for key, ids in groups.items():
        label, status, opens_on, km = _project_meta(data, key, ids)
        comp = comparisons[key]
        for i, source in enumerate(sources):
            cands = candidates_of[source]
            out[source].append(
                ProjectSaving(
                    key,
                    label,
                    ids,
                    status,
                    opens_on,
                    km,
                    _reaches(comp.before.minutes[i], cands, tindex),
                    _reaches(comp.after.minutes[i], cands, tindex),
                    on=on,
                )
            )
    return out


def accessibility(
    data: NetworkData, source: str, district_id: int | None, year: int, on: date
) -> Accessibility:
    """Everything the accessibility page shows for one settlement node."""
    candidates = candidates_for(data, district_id)
    result = Accessibility(source, candidates, monthly(data, source, candidates, year))
    result.projects = project_savings(data, [source], {source: candidates}, on)[source]
    return result


def route_to(
    data: NetworkData, source: str, target: str | None, on: date, with_planned: bool = False
) -> Route | None:
    """The fastest route on ``on``, or ``None`` when there is none."""
    if target is None:
        return None
    try:
        return data.router.route(source, target, on, with_planned)
    except Unreachable:
        return None


def closed_on(data: NetworkData, on: date) -> set[str]:
    """Edge ids that exist (or are built) but cannot be used on ``on``: winter closures."""
    return {e.edge_id for e in data.network.edges if on.month in e.closed_months}


def unusable_on(data: NetworkData, on: date) -> set[str]:
    """Edge ids that cannot be used on ``on`` for any reason (season or not built yet)."""
    return {e.edge_id for e in data.network.edges if not e.usable_on(on)}


def families_by_area(area_ids: Iterable[int]) -> dict[int, int]:
    """Families allocated or housed (a unit with a household) per settlement: one query."""
    rows = (
        Unit.objects.filter(
            building__complex__settlement_id__in=list(area_ids), household__isnull=False
        )
        .values("building__complex__settlement_id")
        .annotate(n=Count("pk"))
    )
    return {r["building__complex__settlement_id"]: r["n"] for r in rows}


def times_on(
    data: NetworkData,
    sources: Sequence[str],
    candidates_of: dict[str, dict[str, tuple[str, ...]]],
    on: date,
    with_planned: bool = False,
) -> dict[str, dict[str, Reach]]:
    """For each source, the nearest destination of each kind on ``on``: one matrix."""
    if not sources:
        return {}
    targets = _targets(candidates_of[s] for s in sources)
    index = {t: j for j, t in enumerate(targets)}
    rows = data.router.matrix(sources, targets, on, with_planned)
    return {s: _reaches(rows[i], candidates_of[s], index) for i, s in enumerate(sources)}
