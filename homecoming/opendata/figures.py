"""The aggregate queries of the open data, in one place (the dashboard's figures are built on
them, ``dashboard/figures.py``): per complex, settlement and district, the families
returned and waiting, the homes by state and the readiness; and the micro-cells the public
statistics are cut from.

Definitions (docs/opendata.md, "What is counted"):
- *returned*: families moved in (status "moved in") and their members, counted where their
  home is (complex, its settlement, its district);
- *waiting*: families registered or eligible, not withdrawn, counted where they come from
  (their origin settlement and its district); a complex has none;
- *homes ready*: built homes in a complex that passes the readiness gate today.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils import timezone

from homecoming.geography.models import Area, Level
from homecoming.housing.models import Construction, ResidentialComplex, Unit, UnitStatus
from homecoming.readiness.gate import Assessment, assess, assess_settlements
from homecoming.registry.models import Household, HouseholdStatus

if TYPE_CHECKING:
    from homecoming.accounts.models import Profile

WAITING = (HouseholdStatus.REGISTERED, HouseholdStatus.ELIGIBLE)
IN_PROGRESS = (HouseholdStatus.OFFERED, HouseholdStatus.ALLOCATED, HouseholdStatus.KEYS_HANDED)
HOME_STATES = [*Construction.values, *UnitStatus.values]


@dataclass
class Figures:
    """One row of the aggregates: a district, a settlement or a complex."""

    level: str
    code: str
    name: str
    area: Area  # the district, the settlement, or the complex's settlement
    lat: float | None = None
    lon: float | None = None
    stage: int | None = None
    planned_families: int | None = None
    returned_families: int = 0
    returned_persons: int = 0
    waiting_families: int | None = None
    waiting_persons: int | None = None
    homes: int = 0
    by_state: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HOME_STATES, 0))
    homes_ready: int = 0
    complexes: int = 0
    complexes_ready: int = 0
    ready: bool | None = None
    forecast: date | None = None
    #: A complex's free homes by construction state (the dashboard's home states), and the
    #: gate's assessment behind ``ready`` (its blockers); not exported.
    free_by_construction: dict[str, int] = field(default_factory=dict)
    assessment: Assessment | None = None
    #: Where the row sits, resolved once for every row (aggregates: no query per row).
    district: Area | None = None
    region: Area | None = None
    country: str = ""

    def add(self, other: Figures) -> None:
        """Add a complex's (or a settlement's) figures to its settlement's (district's)."""
        self.returned_families += other.returned_families
        self.returned_persons += other.returned_persons
        self.homes += other.homes
        self.homes_ready += other.homes_ready
        for state in HOME_STATES:
            self.by_state[state] += other.by_state[state]
        if other.level == "complex":
            self.complexes += 1
            self.complexes_ready += int(bool(other.ready))
        else:
            self.complexes += other.complexes
            self.complexes_ready += other.complexes_ready
        if other.planned_families is not None:
            self.planned_families = (self.planned_families or 0) + other.planned_families


@dataclass
class Aggregates:
    """The rows of every level, in the order a reader expects (by code)."""

    on: date
    districts: list[Figures]
    settlements: list[Figures]
    complexes: list[Figures]

    def level(self, name: str) -> list[Figures]:
        return {
            "district": self.districts,
            "settlement": self.settlements,
            "complex": self.complexes,
        }[name]


def _homes(
    complex_ids: list[int],
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """Complex id -> homes by construction and by allocation state, and complex id -> free
    homes by construction: one GROUP BY over the homes (no DISTINCT over joins)."""
    found: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(HOME_STATES, 0))
    free: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Construction.values, 0))
    for row in (
        Unit.objects.filter(building__complex__in=complex_ids)
        .values("building__complex_id", "status", "construction")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        states = found[row["building__complex_id"]]
        states[row["status"]] += row["n"]
        states[row["construction"]] += row["n"]
        if row["status"] == UnitStatus.FREE:
            free[row["building__complex_id"]][row["construction"]] += row["n"]
    return found, free


def _complex_rows(profile: Profile, on: date) -> list[Figures]:
    complexes = list(
        ResidentialComplex.objects.for_profile(profile)
        .select_related("settlement__parent")
        .order_by("code")
    )
    homes, free = _homes([c.pk for c in complexes])
    returned = {
        row["home__building__complex_id"]: row
        for row in Household.objects.filter(
            status=HouseholdStatus.MOVED_IN,
            home__building__complex__in=[c.pk for c in complexes],
        )
        .values("home__building__complex_id")
        .annotate(families=Count("pk", distinct=True), persons=Count("members", distinct=True))
    }
    verdicts = assess(complexes, on)
    rows = []
    for c in complexes:
        verdict = verdicts[c.pk]
        counts: dict[str, Any] = dict(returned.get(c.pk, {}))
        row = Figures(
            "complex",
            c.code,
            c.name,
            c.settlement,
            c.lat,
            c.lon,
            stage=c.stage,
            planned_families=c.planned_families,
            returned_families=counts.get("families", 0),
            returned_persons=counts.get("persons", 0),
            homes=sum(homes[c.pk][state] for state in Construction.values),
            by_state=dict(homes[c.pk]),
            ready=verdict.ready,
            forecast=None if verdict.ready else verdict.forecast,
            free_by_construction=dict(free[c.pk]),
            assessment=verdict,
        )
        row.homes_ready = row.by_state[Construction.BUILT] if verdict.ready else 0
        rows.append(row)
    return rows


def _waiting(profile: Profile) -> dict[int, tuple[int, int]]:
    """Origin settlement id -> (families, persons) waiting."""
    return {
        row["origin_id"]: (row["families"], row["persons"])
        for row in Household.objects.for_profile(profile)
        .filter(status__in=WAITING)
        .values("origin_id")
        .annotate(families=Count("pk", distinct=True), persons=Count("members", distinct=True))
    }


def aggregates(profile: Profile, on: date | None = None, with_waiting: bool = True) -> Aggregates:
    """Every row the profile may see, in a fixed number of queries (without the waiting
    families, all 0, when ``with_waiting`` is False: the dashboard counts its own)."""
    on = on or timezone.localdate()
    complexes = _complex_rows(profile, on)
    areas = list(
        Area.objects.for_profile(profile)
        .filter(level__in=[Level.DISTRICT, Level.SETTLEMENT])
        .select_related("parent__parent")
        .order_by("code")
    )
    settlements = [a for a in areas if a.level == Level.SETTLEMENT]
    waiting = _waiting(profile) if with_waiting else {}
    verdicts = assess_settlements(settlements, on)
    by_settlement: dict[int, Figures] = {}
    for s in settlements:
        families, persons = waiting.get(s.pk, (0, 0))
        by_settlement[s.pk] = Figures(
            "settlement",
            s.code,
            s.name,
            s,
            s.lat,
            s.lon,
            waiting_families=families,
            waiting_persons=persons,
            ready=verdicts[s.pk].ready,
        )
    for c in complexes:
        if c.area.pk in by_settlement:
            by_settlement[c.area.pk].add(c)
    districts = {
        a.pk: Figures(
            "district", a.code, a.name, a, a.lat, a.lon, waiting_families=0, waiting_persons=0
        )
        for a in areas
        if a.level == Level.DISTRICT
    }
    for row in by_settlement.values():
        district = districts.get(row.area.parent_id or 0)
        if district is not None:
            district.add(row)
            district.waiting_families = (district.waiting_families or 0) + (
                row.waiting_families or 0
            )
            district.waiting_persons = (district.waiting_persons or 0) + (row.waiting_persons or 0)
    found = Aggregates(on, list(districts.values()), list(by_settlement.values()), complexes)
    _place(found)
    return found


def _place(found: Aggregates) -> None:
    """Each row's district, region and country code, from one read of the areas above."""
    areas = {a.pk: a for a in Area.objects.exclude(level=Level.SETTLEMENT)}
    for row in [*found.districts, *found.settlements, *found.complexes]:
        district = row.area if row.level == "district" else areas.get(row.area.parent_id or 0)
        row.district = district
        parent = areas.get(district.parent_id or 0) if district is not None else None
        row.region = parent if parent is not None and parent.level == Level.REGION else None
        top = parent
        while top is not None and top.parent_id is not None:
            top = areas.get(top.parent_id)
        row.country = top.code if top is not None and top.level == Level.COUNTRY else ""


def households(profile: Profile) -> Any:
    """The families the profile may see, one row each, for the personal-data export."""
    return (
        Household.objects.for_profile(profile)
        .with_size()
        .select_related("origin", "district", "destination", "home__building__complex")
        .order_by("reg_number")
    )


# ------------------------------------------------------------------ public statistics


@dataclass(frozen=True)
class Micro:
    """A group of families sharing every dimension the public tables cut by."""

    district_id: int
    status: str  # "waiting", "in_progress" or "returned"
    shelter: str
    home_settlement_id: int | None  # where a family who returned lives


def status_group(status: str) -> str | None:
    if status in WAITING:
        return "waiting"
    if status in IN_PROGRESS:
        return "in_progress"
    if status == HouseholdStatus.MOVED_IN:
        return "returned"
    return None  # withdrawn: not counted


def micro_cells() -> dict[Micro, tuple[int, int]]:
    """Every micro-cell of the programme -> (families, persons), nationally: one query."""
    cells: dict[Micro, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        Household.objects.exclude(status=HouseholdStatus.WITHDRAWN)
        .values("district_id", "status", "shelter_kind", "home__building__complex__settlement_id")
        .annotate(families=Count("pk", distinct=True), persons=Count("members", distinct=True))
        .order_by()
    )
    for row in rows:
        group = status_group(row["status"])
        if group is None:
            continue
        home = row["home__building__complex__settlement_id"] if group == "returned" else None
        key = Micro(row["district_id"], group, row["shelter_kind"], home)
        cells[key][0] += row["families"]
        cells[key][1] += row["persons"]
    return {key: (value[0], value[1]) for key, value in cells.items()}


def homes_by_settlement() -> dict[int, dict[str, int]]:
    """Settlement id -> homes by construction state, nationally (homes are not people)."""
    by_state: dict[str, Any] = {
        state: Count(
            "buildings__units", filter=Q(buildings__units__construction=state), distinct=True
        )
        for state in Construction.values
    }
    rows: Any = ResidentialComplex.objects.values("settlement_id").annotate(**by_state).order_by()
    return {
        row["settlement_id"]: {state: row[state] for state in Construction.values} for row in rows
    }


def public_areas() -> tuple[list[Area], list[Area]]:
    """The districts, and the settlements with housing being rebuilt (the rows of the public
    tables come from the geography and the housing, never from who is counted)."""
    districts = list(Area.objects.districts().order_by("code"))
    settlements = list(
        Area.objects.settlements()
        .filter(pk__in=ResidentialComplex.objects.values("settlement_id"))
        .select_related("parent")
        .order_by("code")
    )
    return districts, settlements
