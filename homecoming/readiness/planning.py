"""School places per school year, and progress of programme stages against their targets."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from homecoming.housing.models import Construction, ResidentialComplex, Unit, UnitStatus
from homecoming.readiness.gate import Assessment, assess
from homecoming.readiness.models import AGES, School, Stage
from homecoming.registry.models import Person

#: The school year Y starts on this day (month, day) of year Y.
SCHOOL_YEAR_START = (9, 1)


def school_year_of(day: date) -> int:
    return day.year if (day.month, day.day) >= SCHOOL_YEAR_START else day.year - 1


def first_day(year: int) -> date:
    return date(year, *SCHOOL_YEAR_START)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass
class SchoolYear:
    year: int
    demand: int
    permanent: int
    modular: int
    permanent_open: bool

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def capacity(self) -> int:
        return self.permanent + self.modular

    @property
    def gap(self) -> int:
        """Places missing (positive) or spare (negative)."""
        return self.demand - self.capacity

    @property
    def modular_needed(self) -> int:
        """Modular places the year needs beside the permanent building (all of them before it opens)."""
        return max(0, self.demand - self.permanent)


@dataclass
class SchoolPlan:
    school: School
    years: list[SchoolYear] = field(default_factory=list)

    @property
    def modular_needed_until_permanent(self) -> int:
        """The most modular places any year needs before the permanent building opens."""
        return max((y.demand for y in self.years if not y.permanent_open), default=0)

    @property
    def worst_gap(self) -> int:
        return max((y.gap for y in self.years), default=0)


def _capacity(school: School, year: int) -> tuple[int, int, bool]:
    start = first_day(year)
    permanent_open = school.permanent_opens_on is not None and school.permanent_opens_on <= start
    permanent = school.permanent_capacity if permanent_open else 0
    modular_open = school.modular_opens_on is not None and school.modular_opens_on <= start
    # The modular building serves until the permanent one opens.
    modular = school.modular_capacity if modular_open and not permanent_open else 0
    return permanent, modular, permanent_open


def year_range(schools: Iterable[School], today: date | None = None) -> list[int]:
    """From the earliest opening (or this year) to two years after the last permanent opening."""
    this_year = school_year_of(today or timezone.localdate())
    opens = [
        school_year_of(d)
        for s in schools
        for d in (s.modular_opens_on, s.permanent_opens_on)
        if d is not None
    ]
    first = min([this_year, *opens])
    last = max([this_year, *opens]) + 2
    return list(range(max(first, last - 7), last + 1))


def school_plans(schools: Iterable[School], today: date | None = None) -> list[SchoolPlan]:
    """Demand and capacity per school year, from the children of families given a home.

    A child counts for a school when its family holds a unit (offered, allocated, keys
    handed or occupied) in a complex of the school's catchment, and its age on the first day
    of the school year is in the school's range (6-17 school, 1-5 kindergarten). Families
    allocated later are not projected.
    """
    schools = list(schools)
    if not schools:
        return []
    catchments: dict[int, set[int]] = {}
    for s in schools:
        ids = {a.pk for a in s.catchment.all()} or {s.settlement_id}
        catchments[s.pk] = ids
    settlement_ids = set().union(*catchments.values())
    births: dict[int, list[date]] = defaultdict(list)
    for settlement_id, birth in Person.objects.filter(
        household__home__building__complex__settlement_id__in=settlement_ids,
        birth_date__isnull=False,
    ).values_list("household__home__building__complex__settlement_id", "birth_date"):
        if birth is not None:
            births[settlement_id].append(birth)
    years = year_range(schools, today)
    plans = []
    for s in schools:
        low, high = AGES[s.kind]  # type: ignore[index]
        kids = [b for sid in catchments[s.pk] for b in births[sid]]
        plan = SchoolPlan(s)
        for y in years:
            day = first_day(y)
            demand = sum(1 for b in kids if low <= age_on(b, day) <= high)
            permanent, modular, permanent_open = _capacity(s, y)
            plan.years.append(SchoolYear(y, demand, permanent, modular, permanent_open))
        plans.append(plan)
    return plans


#: Unit states that count as a family given a home, and as a family that has returned.
ALLOCATED = (UnitStatus.OFFERED, UnitStatus.ALLOCATED, UnitStatus.KEYS_HANDED, UnitStatus.OCCUPIED)
RETURNED = (UnitStatus.KEYS_HANDED, UnitStatus.OCCUPIED)


@dataclass
class ComplexProgress:
    complex: ResidentialComplex
    assessment: Assessment
    units: int = 0
    built_units: int = 0
    allocated: int = 0
    returned: int = 0


@dataclass
class StageProgress:
    stage: Stage
    complexes: list[ComplexProgress] = field(default_factory=list)
    families_allocated: int = 0
    families_returned: int = 0
    persons_allocated: int = 0
    persons_returned: int = 0

    @property
    def families_pct(self) -> int:
        t = self.stage.target_families
        return min(100, round(100 * self.families_returned / t)) if t else 0

    @property
    def persons_pct(self) -> int:
        t = self.stage.target_persons
        return min(100, round(100 * self.persons_returned / t)) if t else 0

    @property
    def forecast(self) -> date | None:
        """When the last complex of the stage should open (None if any cannot be told)."""
        dates = []
        for cp in self.complexes:
            if cp.assessment.ready:
                continue
            if cp.assessment.forecast is None:
                return None
            dates.append(cp.assessment.forecast)
        return max(dates, default=None)


def stage_progress(stages: Iterable[Stage], on: date | None = None) -> list[StageProgress]:
    """Targets against families allocated and returned (keys handed or moved in)."""
    stages = list(stages)
    if not stages:
        return []
    by_stage: dict[int, list[ResidentialComplex]] = {}
    pending = [s for s in stages if not s.complexes.all()]
    by_number: dict[tuple[int, int], list[ResidentialComplex]] = defaultdict(list)
    if pending:
        for c in ResidentialComplex.objects.filter(
            settlement_id__in={s.settlement_id for s in pending}
        ).select_related("settlement"):
            by_number[(c.settlement_id, c.stage)].append(c)
    for s in stages:
        by_stage[s.pk] = list(s.complexes.all()) or by_number[(s.settlement_id, s.number)]
    all_complexes = {c.pk: c for cs in by_stage.values() for c in cs}
    assessments = assess(all_complexes.values(), on)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    persons: dict[int, Counter[str]] = defaultdict(Counter)
    built: Counter[int] = Counter()
    for row in (
        Unit.objects.filter(building__complex_id__in=all_complexes, construction=Construction.BUILT)
        .values("building__complex_id")
        .annotate(n=Count("id"))
    ):
        built[row["building__complex_id"]] = row["n"]
    rows = (
        Unit.objects.filter(building__complex_id__in=all_complexes)
        .values("building__complex_id", "status")
        .annotate(
            n=Count("id", distinct=True),
            people=Count("household__members", filter=Q(household__isnull=False)),
        )
    )
    for row in rows:
        counts[row["building__complex_id"]][row["status"]] += row["n"]
        persons[row["building__complex_id"]][row["status"]] += row["people"]
    result = []
    for s in stages:
        sp = StageProgress(s)
        for c in by_stage[s.pk]:
            n, p = counts[c.pk], persons[c.pk]
            cp = ComplexProgress(
                c,
                assessments[c.pk],
                units=sum(n.values()),
                built_units=built[c.pk],
                allocated=sum(n[st] for st in ALLOCATED),
                returned=sum(n[st] for st in RETURNED),
            )
            sp.complexes.append(cp)
            sp.families_allocated += cp.allocated
            sp.families_returned += cp.returned
            sp.persons_allocated += sum(p[st] for st in ALLOCATED)
            sp.persons_returned += sum(p[st] for st in RETURNED)
        result.append(sp)
    return result
