"""The readiness gate: may a residential complex (or a settlement) receive families?

It fails closed: a place is ready only when every required item kind is recorded as done
there. A required kind with no record is a reason ("Water supply: not recorded yet."), and
where no readiness policy applies every active kind is required, so a place nobody has
recorded anything for is never ready.

`blockers(complex_)` lists, in plain language, why a complex is not ready (empty: ready).
`home_blockers(units)` adds the home's own construction state and its building's: handover
calls it before it gives an offer a deadline, hands keys over or records a move-in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.core.text import lowercase
from homecoming.geography.models import Area
from homecoming.housing.models import Building, Construction, ResidentialComplex, Unit
from homecoming.readiness import geo
from homecoming.readiness.models import (
    DEFAULT_HAZARD_BUFFER_M,
    FINISHED,
    HazardArea,
    HazardStatus,
    ItemKind,
    ReadinessItem,
    ReadinessPolicy,
    Scope,
)


@dataclass
class Assessment:
    """The gate's verdict on one complex, with what it rests on."""

    reasons: list[str] = field(default_factory=list)
    missing: list[ItemKind] = field(default_factory=list)
    pending: list[ReadinessItem] = field(default_factory=list)
    hazards: list[tuple[HazardArea, str, float]] = field(default_factory=list)
    unplaced: bool = False
    undetermined: bool = False

    @property
    def ready(self) -> bool:
        return not self.reasons

    @property
    def forecast(self) -> date | None:
        """When the complex should open: the latest planned completion of what is pending.

        None when it cannot be told: an item is not recorded or has no planned date, or a
        hazard area blocks and no pending mine-clearance item carries a date.
        """
        if self.missing or self.unplaced or self.undetermined:
            return None
        dates = [i.planned_end for i in self.pending]
        if any(d is None for d in dates):
            return None
        if self.hazards and not any(i.kind.code == "mine-clearance" for i in self.pending):
            return None
        return max((d for d in dates if d is not None), default=None)


@dataclass
class Rule:
    """What the policy asks of one place. `policy` is None when none applies: then every
    active item kind is required (the gate fails closed)."""

    required: list[ItemKind] = field(default_factory=list)
    buffer_m: int = DEFAULT_HAZARD_BUFFER_M
    policy: ReadinessPolicy | None = None


@dataclass
class Policies:
    """The active policies with their required kinds, and the active kinds (the default)."""

    policies: list[tuple[ReadinessPolicy, list[ItemKind]]]
    kinds: list[ItemKind]


def _policies() -> Policies:
    policies = ReadinessPolicy.objects.filter(active=True).prefetch_related("required")
    return Policies(
        [(p, sorted(p.required.all(), key=lambda k: (k.order, k.code))) for p in policies],
        list(ItemKind.objects.filter(active=True).order_by("order", "code")),
    )


def rule_for(
    complex_: ResidentialComplex | None,
    policies: Policies,
    district_id: int | None = None,
) -> Rule:
    """The most specific active policy: district and stage, district, stage, programme.

    For a settlement (`complex_` None, `district_id` given) only policies without a stage
    apply. Without any policy every active kind is required.
    """
    stage = None
    if complex_ is not None:
        district_id, stage = complex_.settlement.parent_id, complex_.stage
    best: tuple[int, ReadinessPolicy, list[ItemKind]] | None = None
    for policy, kinds in policies.policies:
        if policy.district_id is not None and policy.district_id != district_id:
            continue
        if policy.stage is not None and policy.stage != stage:
            continue
        rank = (2 if policy.district_id is not None else 0) + (1 if policy.stage else 0)
        if best is None or rank > best[0] or (rank == best[0] and policy.pk < best[1].pk):
            best = (rank, policy, kinds)
    if best is None:
        return Rule(required=list(policies.kinds))
    return Rule(required=list(best[2]), buffer_m=best[1].hazard_buffer_m, policy=best[1])


def _nothing_defined() -> str:
    return _(
        "No readiness policy applies and no readiness item kinds are defined, so readiness "
        "cannot be told."
    )


def _finished(item: ReadinessItem, on: date) -> bool:
    if item.status not in FINISHED:
        return False
    return item.actual_end is None or item.actual_end <= on


def _released(area: HazardArea, on: date) -> bool:
    if area.status != HazardStatus.RELEASED:
        return False
    return area.released_on is None or area.released_on <= on


def blockers_for(
    complexes: Iterable[ResidentialComplex], on: date | None = None
) -> dict[int, list[str]]:
    """Blockers of many complexes at once, in a fixed number of queries (for lists)."""
    return {pk: a.reasons for pk, a in assess(complexes, on).items()}


def assess(
    complexes: Iterable[ResidentialComplex], on: date | None = None
) -> dict[int, Assessment]:
    """The gate's assessment of many complexes in a fixed number of queries."""
    on = on or timezone.localdate()
    complexes = list(complexes)
    if not complexes:
        return {}
    ids = [c.pk for c in complexes]
    # Settlement and district are read from the complexes; select_related them in lists.
    policies = _policies()
    items = _items_by_place(ids, {c.settlement_id for c in complexes})
    points = _points_by_complex(complexes, ids)
    rules = {c.pk: rule_for(c, policies) for c in complexes}
    hazards = _hazards_near(points, rules, on)
    districts_with_hazards = _districts_with_hazards(complexes, points)

    result: dict[int, Assessment] = {}
    for c in complexes:
        rule = rules[c.pk]
        found = result[c.pk] = Assessment()
        if rule.policy is None and not rule.required:
            found.undetermined = True
            found.reasons.append(_nothing_defined())
        place_items = items[("c", c.pk)] + items[("s", c.settlement_id)]
        _check_items(found, c, rule, place_items, on)
        if points[c.pk]:
            found.hazards = _blocking(points[c.pk], hazards, rule.buffer_m)
            found.reasons.extend(_hazard_reasons(found.hazards, rule.buffer_m))
        elif c.settlement.parent_id in districts_with_hazards:
            found.unplaced = True
            found.reasons.append(
                _(
                    "The complex has no coordinates, so it cannot be checked against the "
                    "district's hazard areas that are not released."
                )
            )
    return result


def _items_by_place(
    ids: list[int], settlement_ids: set[int]
) -> defaultdict[tuple[str, int], list[ReadinessItem]]:
    """The readiness items of the complexes ("c", pk) and of their settlements ("s", pk)."""
    items: defaultdict[tuple[str, int], list[ReadinessItem]] = defaultdict(list)
    for item in ReadinessItem.objects.filter(
        Q(complex_id__in=ids) | Q(settlement_id__in=settlement_ids)
    ).select_related("kind"):
        key = ("c", item.complex_id) if item.complex_id else ("s", item.settlement_id)
        items[key].append(item)  # type: ignore[index]
    return items


def _points_by_complex(
    complexes: list[ResidentialComplex], ids: list[int]
) -> defaultdict[int, list[tuple[str, float, float]]]:
    """Where each complex stands: its buildings' coordinates, else its own (code, lat, lon)."""
    points: defaultdict[int, list[tuple[str, float, float]]] = defaultdict(list)
    for b in Building.objects.filter(complex_id__in=ids).only("complex_id", "code", "lat", "lon"):
        if b.lat is not None and b.lon is not None:
            points[b.complex_id].append((b.code, b.lat, b.lon))
    for c in complexes:
        if not points[c.pk] and c.lat is not None and c.lon is not None:
            points[c.pk].append((c.code, c.lat, c.lon))
    return points


def _districts_with_hazards(
    complexes: list[ResidentialComplex], points: dict[int, list[tuple[str, float, float]]]
) -> set[int]:
    """Districts with unreleased hazard areas; only asked when a complex has no coordinates."""
    if all(points[c.pk] for c in complexes):
        return set()
    return set(
        HazardArea.objects.unreleased()
        .filter(district_id__in={c.settlement.parent_id for c in complexes})
        .values_list("district_id", flat=True)
    )


def _check_items(
    found: Assessment,
    complex_: ResidentialComplex,
    rule: Rule,
    place_items: list[ReadinessItem],
    on: date,
) -> None:
    """Record each required kind that is not recorded, or recorded and not finished."""
    for kind in rule.required:
        relevant = [i for i in place_items if i.kind_id == kind.pk]
        if not relevant:
            found.missing.append(kind)
            found.reasons.append(_("%(item)s: not recorded yet.") % {"item": kind.label})
            continue
        for item in relevant:
            if not _finished(item, on):
                found.pending.append(item)
                where = complex_.name if item.complex_id else complex_.settlement.name
                found.reasons.append(_pending_reason(kind, item, where))


def _pending_reason(kind: ItemKind, item: ReadinessItem, where: str) -> str:
    """The reason a pending item blocks: its kind, where, status and planned date."""
    text = _("%(item)s (%(where)s): %(status)s") % {
        "item": kind.label,
        "where": where,
        "status": lowercase(item.get_status_display()),
    }
    if item.planned_end:
        text += _(", planned for %(date)s") % {"date": item.planned_end.isoformat()}
    return text + "."


def _hazard_reasons(hazards: list[tuple[HazardArea, str, float]], buffer_m: int) -> list[str]:
    """Why each building is too close to (or inside) a hazard area."""
    reasons = []
    for area, building, metres in hazards:
        status = lowercase(area.get_status_display())
        if metres <= 0:
            reasons.append(
                _("Building %(building)s lies inside hazard area %(area)s (%(status)s).")
                % {"building": building, "area": area, "status": status}
            )
        else:
            reasons.append(
                _(
                    "Building %(building)s is %(metres)d m from hazard area %(area)s "
                    "(%(status)s); at least %(buffer)d m are required until it is released."
                )
                % {
                    "building": building,
                    "metres": metres,
                    "area": area,
                    "status": status,
                    "buffer": buffer_m,
                }
            )
    return reasons


def _hazards_near(
    points: dict[int, list[tuple[str, float, float]]], rules: dict[int, Rule], on: date
) -> list[HazardArea]:
    """Unreleased areas whose bounding box comes within the buffer of any point."""
    box: list[float] | None = None
    for pk, pts in points.items():
        for _code, lat, lon in pts:
            dlat, dlon = geo.degrees_for(rules[pk].buffer_m if pk in rules else 0, lat)
            b = [lat - dlat, lon - dlon, lat + dlat, lon + dlon]
            box = (
                b
                if box is None
                else [min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3])]
            )
    if box is None:
        return []
    candidates = HazardArea.objects.filter(
        max_lat__gte=box[0], min_lat__lte=box[2], max_lon__gte=box[1], min_lon__lte=box[3]
    )
    return [a for a in candidates if not _released(a, on)]


def _blocking(
    points: list[tuple[str, float, float]], hazards: list[HazardArea], buffer_m: int
) -> list[tuple[HazardArea, str, float]]:
    """For each area too close, the closest building and its distance (one line per area)."""
    found: list[tuple[HazardArea, str, float]] = []
    for area in hazards:
        closest: tuple[str, float] | None = None
        for code, lat, lon in points:
            dlat, dlon = geo.degrees_for(buffer_m, lat)
            if (
                lat + dlat < area.min_lat
                or lat - dlat > area.max_lat
                or lon + dlon < area.min_lon
                or lon - dlon > area.max_lon
            ):
                continue
            metres = geo.distance_m(lat, lon, area.geometry)
            if metres <= buffer_m and (closest is None or metres < closest[1]):
                closest = (code, metres)
        if closest is not None:
            found.append((area, closest[0], closest[1]))
    return found


def blockers(complex_: ResidentialComplex, on: date | None = None) -> list[str]:
    """Why the complex cannot receive families on `on` (today by default); empty: ready.

    Every kind the readiness policy requires (every active kind when no policy applies) must
    be recorded for the complex or its settlement: a kind with no record blocks ("not
    recorded yet"). It counts when every item of that kind for the complex and for its
    settlement is done or certified (with an actual completion date,
    if any, not after `on`). Every building (or the complex itself, without buildings
    placed) must lie outside, and farther than the policy's distance from, every hazard
    area not released by `on`.
    """
    return blockers_for([complex_], on)[complex_.pk]


def ready_complexes(queryset: Any, on: date | None = None) -> list[ResidentialComplex]:
    """The complexes of `queryset` that pass the gate, in its order."""
    complexes = list(queryset.select_related("settlement"))
    found = blockers_for(complexes, on)
    return [c for c in complexes if not found[c.pk]]


def assess_settlements(
    settlements: Iterable[Area], on: date | None = None
) -> dict[int, Assessment]:
    """The gate on settlements themselves, in a fixed number of queries.

    A settlement is ready when every kind its rule requires that is tracked for settlements
    (settlement, or settlement or complex) is recorded for the settlement and done. Hazard
    areas are checked per complex, where the buildings are.
    """
    on = on or timezone.localdate()
    settlements = list(settlements)
    if not settlements:
        return {}
    policies = _policies()
    items: dict[int, dict[int, ReadinessItem]] = defaultdict(dict)
    for item in ReadinessItem.objects.filter(
        settlement_id__in=[s.pk for s in settlements]
    ).select_related("kind"):
        items[item.settlement_id][item.kind_id] = item  # type: ignore[index]
    result: dict[int, Assessment] = {}
    for s in settlements:
        rule = rule_for(None, policies, district_id=s.parent_id)
        found = result[s.pk] = Assessment()
        if rule.policy is None and not rule.required:
            found.undetermined = True
            found.reasons.append(_nothing_defined())
        for kind in rule.required:
            if kind.scope == Scope.COMPLEX:
                continue
            recorded = items[s.pk].get(kind.pk)
            if recorded is None:
                found.missing.append(kind)
                found.reasons.append(_("%(item)s: not recorded yet.") % {"item": kind.label})
            elif not _finished(recorded, on):
                found.pending.append(recorded)
                text = _("%(item)s (%(where)s): %(status)s") % {
                    "item": kind.label,
                    "where": s.name,
                    "status": lowercase(recorded.get_status_display()),
                }
                if recorded.planned_end:
                    text += _(", planned for %(date)s") % {"date": recorded.planned_end.isoformat()}
                found.reasons.append(text + ".")
    return result


def home_blockers(
    units: Iterable[Unit], on: date | None = None, *, with_complex: bool = True
) -> dict[int, list[str]]:
    """Why each home may not yet be offered with a deadline, handed over or moved into.

    A home is ready when it is built, every home of its building is built, and its complex
    passes the gate (`assess`; left out with `with_complex=False`, for pages that show the
    complex's reasons once). Empty list: ready. A fixed number of queries for any number
    of homes; select_related("building__complex__settlement") on the units.
    """
    units = list(units)
    if not units:
        return {}
    building_ids = {u.building_id for u in units}
    unbuilt: dict[int, int] = defaultdict(int)
    total: dict[int, int] = defaultdict(int)
    for building_id, construction in Unit.objects.filter(building_id__in=building_ids).values_list(
        "building_id", "construction"
    ):
        total[building_id] += 1
        if construction != Construction.BUILT:
            unbuilt[building_id] += 1
    complexes = {u.building.complex_id: u.building.complex for u in units}
    verdicts = assess(complexes.values(), on) if with_complex else {}
    result: dict[int, list[str]] = {}
    for u in units:
        reasons = result[u.pk] = []
        if u.construction != Construction.BUILT:
            reasons.append(
                _("Home %(unit)s is %(state)s.")
                % {"unit": u, "state": lowercase(u.get_construction_display())}
            )
        elif unbuilt[u.building_id]:
            reasons.append(
                _("Building %(building)s: %(n)d of %(total)d homes are not built yet.")
                % {
                    "building": u.building,
                    "n": unbuilt[u.building_id],
                    "total": total[u.building_id],
                }
            )
        if not with_complex:
            continue
        complex_ = complexes[u.building.complex_id]
        reasons += [
            _("%(complex)s: %(reason)s") % {"complex": complex_.name, "reason": r}
            for r in verdicts[complex_.pk].reasons
        ]
    return result
