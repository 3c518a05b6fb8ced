"""The programme dashboard's figures, as one JSON-able dict: what the page draws today and
what a daily snapshot keeps (``history.py``), so an "as of" view draws a kept dict with the
same code.

Built on the open data's aggregates (``opendata.figures.aggregates``: homes by state, the
gate's verdict and forecast, returns and waiting per place) plus a few counts of their own:
families by status (the registry's definition: counted in their registered district),
returns by month (move-in dates), targets per stage and year, and who is still waiting by
shelter and origin.

Definitions (docs/dashboard.md):
- *with a home allocated*: families whose status is "home allocated" or "keys handed" (an
  offer accepted, or a run approved); an open offer is counted apart, as *offered*;
- *home states* partition the homes: occupied, allocated (allocated or keys handed), offered,
  and the free homes by construction: planned, building, built but the place not ready yet,
  ready (built, in a complex the gate lets families into);
- *a blocker holds back* the families planned for each complex it blocks (planned families,
  else its homes), less those already returned there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from homecoming.accounts.models import Profile
from homecoming.geography.models import Area
from homecoming.handover.models import Occupancy
from homecoming.housing.models import Construction, UnitStatus
from homecoming.opendata.figures import Figures, aggregates
from homecoming.readiness.models import Stage
from homecoming.registry.models import DIFFICULT_SHELTER, Household, HouseholdStatus

#: The home states shown, in the order of a home's life.
HOME_STATES = ("planned", "building", "built", "ready", "offered", "allocated", "occupied")
#: Family groups shown, by registry status.
FAMILY_GROUPS: dict[str, tuple[str, ...]] = {
    "waiting": (HouseholdStatus.REGISTERED, HouseholdStatus.ELIGIBLE),
    "offered": (HouseholdStatus.OFFERED,),
    "allocated": (HouseholdStatus.ALLOCATED, HouseholdStatus.KEYS_HANDED),
    "moved_in": (HouseholdStatus.MOVED_IN,),
    "withdrawn": (HouseholdStatus.WITHDRAWN,),
}
#: Version of the dict's layout, kept in every snapshot.
LAYOUT = 1


@dataclass(frozen=True)
class Scope:
    """What the figures cover: a district (None: every district the reader sees) and a
    programme stage number (None: every stage). Checked against the reader's scope by the
    caller (``views.scope_asked``)."""

    district: Area | None = None
    stage: int | None = None

    @property
    def key(self) -> str:
        return self.district.code if self.district is not None else ""


def home_states(row: Figures) -> dict[str, int]:
    """A complex's homes in the dashboard's states (they partition its homes)."""
    free = row.free_by_construction
    built = free.get(Construction.BUILT, 0)
    return {
        "planned": free.get(Construction.PLANNED, 0),
        "building": free.get(Construction.UNDER_CONSTRUCTION, 0),
        "built": 0 if row.ready else built,
        "ready": built if row.ready else 0,
        "offered": row.by_state[UnitStatus.OFFERED],
        "allocated": row.by_state[UnitStatus.ALLOCATED] + row.by_state[UnitStatus.KEYS_HANDED],
        "occupied": row.by_state[UnitStatus.OCCUPIED],
    }


def _households(profile: Profile, scope: Scope) -> Any:
    found = Household.objects.for_profile(profile)
    if scope.district is not None:
        found = found.filter(district=scope.district)
    return found


def _family_rows(profile: Profile, scope: Scope) -> list[dict[str, Any]]:
    """Families and persons by status, current shelter and origin: one GROUP BY."""
    return list(
        _households(profile, scope)
        .values("status", "shelter_kind", "origin__code")
        .annotate(families=Count("pk", distinct=True), persons=Count("members"))
        .order_by()
    )


def _families(rows: list[dict[str, Any]]) -> tuple[dict[str, int], dict[str, int]]:
    """Families and persons per group, and those in difficult conditions still waiting."""
    families = dict.fromkeys([*FAMILY_GROUPS, "registered", "difficult"], 0)
    persons = dict.fromkeys(families, 0)
    for row in rows:
        for group, statuses in FAMILY_GROUPS.items():
            if row["status"] in statuses:
                families[group] += row["families"]
                persons[group] += row["persons"]
                if group == "waiting" and row["shelter_kind"] in DIFFICULT_SHELTER:
                    families["difficult"] += row["families"]
                    persons["difficult"] += row["persons"]
        families["registered"] += row["families"]
        persons["registered"] += row["persons"]
    return families, persons


def _waiting(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Who is still waiting, by current shelter kind and by origin settlement."""
    shelters: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    origins: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row["status"] not in FAMILY_GROUPS["waiting"]:
            continue
        for bucket in (shelters[row["shelter_kind"]], origins[row["origin__code"] or ""]):
            bucket[0] += row["families"]
            bucket[1] += row["persons"]
    by_shelter = [
        {"kind": k, "families": v[0], "persons": v[1]}
        for k, v in sorted(shelters.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
    by_origin = [
        {"area": k, "families": v[0], "persons": v[1]}
        for k, v in sorted(origins.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
    return by_shelter, by_origin


def _returns(profile: Profile, scope: Scope, moved_in: int) -> list[dict[str, Any]]:
    """Families (and their members) who moved in, by the month of their move-in; families
    moved in with no move-in record (loaded as returned) in a last row without a month."""
    occupancies = Occupancy.objects.for_profile(profile).filter(
        moved_out_on__isnull=True, household__status=HouseholdStatus.MOVED_IN
    )
    if scope.district is not None:
        occupancies = occupancies.filter(household__district=scope.district)
    if scope.stage is not None:
        occupancies = occupancies.filter(unit__building__complex__stage=scope.stage)
    rows = (
        occupancies.annotate(month=TruncMonth("moved_in_on"))
        .values("month")
        .annotate(families=Count("pk", distinct=True), persons=Count("household__members"))
        .order_by("month")
    )
    found: list[dict[str, Any]] = [
        {"month": row["month"].strftime("%Y-%m"), "families": row["families"]}
        | {"persons": row["persons"]}
        for row in rows
    ]
    dated = sum(r["families"] for r in found)
    if scope.stage is None and moved_in > dated:
        found.append({"month": "", "families": moved_in - dated, "persons": None})
    return found


def _stages(profile: Profile, scope: Scope, complexes: list[Figures]) -> list[dict[str, Any]]:
    """Each stage's targets against the families returned to its complexes, and when its
    last complex should open (None: it cannot be told)."""
    stages = Stage.objects.for_profile(profile).select_related("settlement")
    if scope.district is not None:
        stages = stages.filter(settlement__parent=scope.district)
    if scope.stage is not None:
        stages = stages.filter(number=scope.stage)
    by_code = {c.code: c for c in complexes}
    by_number: dict[tuple[int, int], list[Figures]] = defaultdict(list)
    for c in complexes:
        by_number[(c.area.pk, c.stage or 0)].append(c)
    found = []
    for s in stages.prefetch_related("complexes"):
        named = [by_code[c.code] for c in s.complexes.all() if c.code in by_code]
        rows = named or by_number[(s.settlement_id, s.number)]
        pending = [r for r in rows if not r.ready]
        unknown = any(r.forecast is None for r in pending)
        forecast = (
            None if unknown else max((r.forecast for r in pending if r.forecast), default=None)
        )
        found.append(
            {
                "area": s.settlement.code,
                "number": s.number,
                "name": s.name,
                "starts_on": s.starts_on.isoformat(),
                "ends_on": s.ends_on.isoformat(),
                "year": s.ends_on.year,
                "target_families": s.target_families,
                "target_persons": s.target_persons,
                "returned_families": sum(r.returned_families for r in rows),
                "returned_persons": sum(r.returned_persons for r in rows),
                "open": not pending and bool(rows),
                "forecast": forecast.isoformat() if forecast else None,
            }
        )
    return found


def _blockers(complexes: list[Figures]) -> list[dict[str, Any]]:
    """What keeps places closed, ranked by the families it holds back."""
    found: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for c in complexes:
        if c.ready or c.assessment is None:
            continue
        held = max((c.planned_families or c.homes) - c.returned_families, 0)
        a = c.assessment
        # (why, code, name, area code, complex name): where is an area or a complex.
        here = ("", c.name)
        keys = [("missing", k.code, k.name, *here) for k in a.missing]
        keys += [
            ("pending", i.kind.code, i.kind.name, *(here if i.complex_id else (c.area.code, "")))
            for i in a.pending
        ]
        keys += [
            ("hazard", h.code, h.name or h.code, c.district.code if c.district else "", "")
            for h, _b, _d in a.hazards
        ]
        if a.undetermined:
            keys.append(("undetermined", "", "", *here))
        if a.unplaced:
            keys.append(("unplaced", "", "", *here))
        for why, code, name, area, complex_name in dict.fromkeys(keys):
            row = found.setdefault(
                (why, code, area, complex_name),
                {"why": why, "code": code, "label": name, "area": area, "complex": complex_name}
                | {"families": 0},
            )
            row["families"] += held
            row.setdefault("complexes", []).append(c.code)
    return sorted(
        found.values(), key=lambda r: (-r["families"], r["label"], r["area"], r["complex"])
    )


def _places(complexes: list[Figures], settlements: dict[int, Figures]) -> list[dict[str, Any]]:
    """Homes by state per settlement and complex, with each complex's verdict and forecast."""
    places: dict[int, dict[str, Any]] = {}
    for c in complexes:
        states = home_states(c)
        s = settlements.get(c.area.pk)
        place = places.setdefault(
            c.area.pk,
            {
                "code": c.area.code,
                "district": c.district.code if c.district else "",
                "lat": s.lat if s else None,
                "lon": s.lon if s else None,
                "ready": s.ready if s else None,
                "homes": dict.fromkeys(HOME_STATES, 0),
                "total": 0,
                "complexes": [],
            },
        )
        place["total"] += c.homes
        for state, n in states.items():
            place["homes"][state] += n
        place["complexes"].append(
            {
                "code": c.code,
                "name": c.name,
                "stage": c.stage,
                "lat": c.lat,
                "lon": c.lon,
                "total": c.homes,
                "homes": states,
                "ready": bool(c.ready),
                "forecast": c.forecast.isoformat() if c.forecast else None,
                "planned_families": c.planned_families,
                "returned_families": c.returned_families,
                "returned_persons": c.returned_persons,
            }
        )
    return sorted(places.values(), key=lambda p: p["code"])


def _narrowed(profile: Profile, scope: Scope) -> Profile:
    """The reader narrowed to the district asked (already checked to be in their scope), so
    that a district's figures read that district only."""
    if scope.district is None or profile.district_id == scope.district.pk:
        return profile
    return Profile(role=profile.role, district=scope.district)


def _complexes(
    profile: Profile, scope: Scope, on: date
) -> tuple[list[Figures], dict[int, Figures]]:
    """The open data's rows of the complexes in ``scope``, and of the settlements by id."""
    # The settlements' waiting families are the open data's (by origin); the dashboard
    # counts its own, by registered district like the registry's list.
    found = aggregates(_narrowed(profile, scope), on, with_waiting=False)
    complexes = [c for c in found.complexes if scope.stage is None or c.stage == scope.stage]
    return complexes, {s.area.pk: s for s in found.settlements}


def places_of(profile: Profile, scope: Scope, on: date | None = None) -> list[dict[str, Any]]:
    """Only the homes by state per settlement and complex (the map's data)."""
    complexes, settlements = _complexes(profile, scope, on or timezone.localdate())
    return _places(complexes, settlements)


def compute(profile: Profile, scope: Scope, on: date | None = None) -> dict[str, Any]:
    """The dashboard's figures for ``scope`` as the reader may see them, on ``on`` (today)."""
    on = on or timezone.localdate()
    complexes, settlements = _complexes(profile, scope, on)
    rows = _family_rows(profile, scope)
    families, persons = _families(rows)
    by_shelter, by_origin = _waiting(rows)
    places = _places(complexes, settlements)
    homes = dict.fromkeys(HOME_STATES, 0)
    for place in places:
        for state, n in place["homes"].items():
            homes[state] += n
    forecast = [
        {"code": c["code"], "name": c["name"], "area": p["code"], "stage": c["stage"]}
        | {"date": c["forecast"], "homes": c["total"], "families": c["planned_families"]}
        for p in places
        for c in p["complexes"]
        if not c["ready"]
    ]
    forecast.sort(key=lambda r: (r["date"] is None, r["date"] or "", r["code"]))
    return {
        "layout": LAYOUT,
        "on": on.isoformat(),
        "district": scope.key,
        "stage": scope.stage,
        "families": families,
        "persons": persons,
        "homes": homes | {"total": sum(homes.values())},
        "places": places,
        "returns": _returns(profile, scope, families["moved_in"]),
        "stages": _stages(profile, scope, complexes),
        "blockers": _blockers(complexes),
        "waiting_by_shelter": by_shelter,
        "waiting_by_origin": by_origin,
        "forecast": forecast,
    }
