"""What a monthly report prints: one function, ``report_figures(reader, month)``, and the plain
dataclass it returns.

Today it is built from the open data's aggregates (``opendata.figures.aggregates``: homes by
state, the gate's verdict, families returned and waiting per district and place) plus three
small queries of its own: families by status, returns per month (move-in dates) and the
readiness blockers of the places not ready. The lead will later feed it from the
dashboard's kept daily snapshots (``dashboard.ProgrammeSnapshot``) instead, so that a report
made late still shows the month as it was: keep this the one place that reads figures, and
keep it small, so that swapping its source changes nothing else (the PDF and the tests read
only ``ReportFigures``).

Definitions are the open data's (docs/opendata.md, "What is counted"): *returned* families
moved in, counted where their home is; *waiting* families registered or eligible, counted
where they come from; *homes ready* built homes in a complex the gate lets families into on
the report's day.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.accounts.models import Profile
from homecoming.handover.models import Occupancy
from homecoming.housing.models import Construction, ResidentialComplex, UnitStatus
from homecoming.opendata.figures import Figures, aggregates
from homecoming.readiness.gate import assess
from homecoming.readiness.models import Stage
from homecoming.registry.models import Household, HouseholdStatus, ShelterKind

#: Homes by state, in the order of a home's life: by its works (the first three), then by
#: who it is given to (the others); each group counts every home once.
HOME_STATES = (
    Construction.PLANNED,
    Construction.UNDER_CONSTRUCTION,
    Construction.BUILT,
    UnitStatus.FREE,
    UnitStatus.OFFERED,
    UnitStatus.ALLOCATED,
    UnitStatus.KEYS_HANDED,
    UnitStatus.OCCUPIED,
)
#: Months of returns the chart shows, up to the report's month.
MONTHS_SHOWN = 12


@dataclass
class DistrictRow:
    """A district's line in the report's table."""

    code: str
    name: str
    returned_families: int
    returned_persons: int
    waiting_families: int
    waiting_persons: int
    homes: int
    homes_ready: int
    homes_allocated: int  # allocated or keys handed
    homes_occupied: int
    complexes: int
    complexes_ready: int


@dataclass
class ComplexRow:
    """A residential complex's line in its district's table."""

    district: str  # the district's code
    code: str
    name: str
    stage: int | None
    homes: int
    homes_ready: int
    returned_families: int
    ready: bool
    forecast: date | None  # when the gate expects it ready (None: ready, or unknown)


@dataclass
class StageRow:
    """A stage of a settlement: its target against the families returned to its complexes."""

    settlement: str
    number: int
    name: str
    ends_on: date
    target_families: int
    returned_families: int


@dataclass
class Place:
    """A point on the report's map: a settlement or a complex, ready or not."""

    level: str  # "settlement" or "complex"
    code: str
    name: str
    lat: float
    lon: float
    ready: bool
    homes: int


@dataclass
class Blocker:
    """What keeps places closed, with the families it holds back (planned families, else
    homes, less those already returned) and how many complexes it blocks."""

    label: str
    families: int
    complexes: int


@dataclass
class ReportFigures:
    month: date  # its first day
    on: date  # the day the figures describe
    district: str  # the district's code, "" for the whole programme
    scope_name: str
    families: dict[str, int]  # registered, waiting, offered, allocated, moved_in, withdrawn
    persons: dict[str, int]  # returned, waiting
    homes: dict[str, int]  # HOME_STATES, total, ready
    districts: list[DistrictRow] = field(default_factory=list)
    complexes: list[ComplexRow] = field(default_factory=list)
    stages: list[StageRow] = field(default_factory=list)
    #: Families still waiting by where they live now: (shelter kind, its label, families).
    waiting_by_shelter: list[tuple[str, str, int]] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    returns: list[tuple[str, int]] = field(default_factory=list)  # ("2026-03", families)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (dates as ISO strings), as kept beside the PDF."""
        found: dict[str, Any] = json.loads(json.dumps(asdict(self), cls=DjangoJSONEncoder))
        return found


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def report_figures(reader: Profile, month: date) -> ReportFigures:
    """The figures of ``month`` for what ``reader`` sees: the programme (a national profile)
    or one district (a profile of that district; it need not be saved). Names are in the
    active language (call it under ``translation.override``)."""
    month = month.replace(day=1)
    on = min(month_end(month), timezone.localdate())
    found = aggregates(reader, on)
    districts = [_district_row(d) for d in found.districts if d.homes or d.waiting_families]
    homes: dict[str, int] = {
        str(state): sum(d.by_state[state] for d in found.districts) for state in HOME_STATES
    }
    homes["total"] = sum(d.homes for d in found.districts)
    homes["ready"] = sum(d.homes_ready for d in found.districts)
    places = [
        Place(row.level, row.code, row.name, row.lat, row.lon, bool(row.ready), row.homes)
        for row in [*found.settlements, *found.complexes]
        if row.lat is not None and row.lon is not None and (row.homes or row.level == "complex")
    ]
    return ReportFigures(
        month=month,
        on=on,
        district=reader.district.code if reader.district_id and reader.district else "",
        scope_name=str(reader.district.name) if reader.district_id and reader.district else "",
        families=_families(reader),
        persons={
            "returned": sum(d.returned_persons for d in districts),
            "waiting": sum(d.waiting_persons for d in districts),
        },
        homes=homes,
        districts=districts,
        complexes=[_complex_row(c) for c in found.complexes],
        stages=_stages(reader, found.complexes),
        waiting_by_shelter=_waiting_by_shelter(reader),
        places=places,
        blockers=_blockers(reader, found.complexes, on),
        returns=_returns(reader, month, on),
    )


def _district_row(d: Figures) -> DistrictRow:
    return DistrictRow(
        code=d.code,
        name=d.name,
        returned_families=d.returned_families,
        returned_persons=d.returned_persons,
        waiting_families=d.waiting_families or 0,
        waiting_persons=d.waiting_persons or 0,
        homes=d.homes,
        homes_ready=d.homes_ready,
        homes_allocated=d.by_state[UnitStatus.ALLOCATED] + d.by_state[UnitStatus.KEYS_HANDED],
        homes_occupied=d.by_state[UnitStatus.OCCUPIED],
        complexes=d.complexes,
        complexes_ready=d.complexes_ready,
    )


def _complex_row(c: Figures) -> ComplexRow:
    return ComplexRow(
        district=c.district.code if c.district is not None else "",
        code=c.code,
        name=c.name,
        stage=c.stage,
        homes=c.homes,
        homes_ready=c.homes_ready,
        returned_families=c.returned_families,
        ready=bool(c.ready),
        forecast=c.forecast,
    )


def _stages(reader: Profile, complexes: list[Figures]) -> list[StageRow]:
    """Each stage's target against the families returned to its complexes (those named on
    the stage, else the settlement's complexes of that stage number)."""
    by_code = {c.code: c for c in complexes}
    rows = []
    for stage in (
        Stage.objects.for_profile(reader)
        .select_related("settlement")
        .prefetch_related("complexes")
        .order_by("ends_on", "settlement__code", "number")
    ):
        named = [by_code[c.code] for c in stage.complexes.all() if c.code in by_code]
        found = named or [
            c for c in complexes if c.area.pk == stage.settlement_id and c.stage == stage.number
        ]
        rows.append(
            StageRow(
                settlement=str(stage.settlement.name),
                number=stage.number,
                name=stage.name,
                ends_on=stage.ends_on,
                target_families=stage.target_families,
                returned_families=sum(c.returned_families for c in found),
            )
        )
    return rows


def _waiting_by_shelter(reader: Profile) -> list[tuple[str, str, int]]:
    """Families waiting, by the kind of place they live in now, most first."""
    labels = dict(ShelterKind.choices)
    rows = (
        Household.objects.for_profile(reader)
        .filter(status__in=(HouseholdStatus.REGISTERED, HouseholdStatus.ELIGIBLE))
        .values_list("shelter_kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = [(kind, str(labels.get(kind, kind)), n) for kind, n in rows]
    return sorted(found, key=lambda r: (-r[2], r[0]))


def _families(reader: Profile) -> dict[str, int]:
    """Families by status (the registry's: counted in their registered district)."""
    by_status = dict(
        Household.objects.for_profile(reader)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    groups = {
        "waiting": (HouseholdStatus.REGISTERED, HouseholdStatus.ELIGIBLE),
        "offered": (HouseholdStatus.OFFERED,),
        "allocated": (HouseholdStatus.ALLOCATED, HouseholdStatus.KEYS_HANDED),
        "moved_in": (HouseholdStatus.MOVED_IN,),
        "withdrawn": (HouseholdStatus.WITHDRAWN,),
    }
    found = {g: sum(by_status.get(s, 0) for s in statuses) for g, statuses in groups.items()}
    found["registered"] = sum(by_status.values())
    return found


def _returns(reader: Profile, month: date, on: date) -> list[tuple[str, int]]:
    """Families who moved in, per month of their move-in, the last MONTHS_SHOWN months."""
    first = months_before(month, MONTHS_SHOWN - 1)
    rows = dict(
        Occupancy.objects.for_profile(reader)
        .filter(moved_in_on__gte=first, moved_in_on__lte=on)
        .annotate(m=TruncMonth("moved_in_on"))
        .values_list("m")
        .annotate(n=Count("household", distinct=True))
        .order_by()
    )
    counts = {m.strftime("%Y-%m"): n for m, n in rows.items()}
    months = [months_before(month, k) for k in range(MONTHS_SHOWN - 1, -1, -1)]
    return [(m.strftime("%Y-%m"), counts.get(m.strftime("%Y-%m"), 0)) for m in months]


def months_before(month: date, k: int) -> date:
    index = month.year * 12 + month.month - 1 - k
    return date(index // 12, index % 12 + 1, 1)


def _blockers(reader: Profile, complexes: list[Figures], on: date) -> list[Blocker]:
    """What the gate says keeps each complex not ready, ranked by the families held back."""
    waiting = {c.code: c for c in complexes if not c.ready}
    if not waiting:
        return []
    objects = list(
        ResidentialComplex.objects.for_profile(reader)
        .filter(code__in=list(waiting))
        .select_related("settlement__parent")
    )
    found: dict[str, Blocker] = {}
    verdicts = assess(objects, on)
    for complex_ in objects:
        verdict = verdicts[complex_.pk]
        row = waiting[complex_.code]
        held = max((row.planned_families or row.homes) - row.returned_families, 0)
        labels = [k.label for k in verdict.missing] + [i.kind.label for i in verdict.pending]
        labels += [f"{h.code} {h.name}".strip() for h, _b, _d in verdict.hazards]
        if verdict.undetermined or verdict.unplaced or not labels:
            labels.append(_("Not yet determined"))
        for label in dict.fromkeys(labels):
            blocker = found.setdefault(label, Blocker(label, 0, 0))
            blocker.families += held
            blocker.complexes += 1
    return sorted(found.values(), key=lambda b: (-b.families, b.label))
