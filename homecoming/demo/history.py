"""The demo's past: move-in dates for the families loaded as already returned, and kept
snapshots of the programme for the months behind us, so the dashboard's trends and "as of"
views show something on a fresh demo.

The demo's families who returned are loaded with their homes occupied, not moved in one by
one: ``backfill_moves`` gives each a move-in record dated from its complex's completion, in
convoys of about 30 families a fortnight (the brief). ``past_snapshots`` then keeps one
snapshot at the end of every month since the first move-in, and every week of the last
three months, made from today's figures *rewound* by the move-in dates: families moved in
(and their homes occupied) as of that day, the others counted as still waiting; the homes'
construction and the readiness are today's. They are marked ``source = demo``: made up from
the demo, not observed (docs/dashboard.md).
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from homecoming.dashboard.figures import Scope, compute
from homecoming.dashboard.history import do_take_snapshot, national_reader
from homecoming.dashboard.models import SnapshotSource
from homecoming.geography.models import Area
from homecoming.handover.models import Occupancy
from homecoming.registry.models import Household, HouseholdStatus

CONVOY = 30
FORTNIGHT = timedelta(days=14)


def backfill_moves(today: date) -> int:
    """A move-in record for each family moved in without one; returns how many."""
    families = (
        Household.objects.filter(status=HouseholdStatus.MOVED_IN, home__isnull=False)
        .exclude(pk__in=Occupancy.objects.filter(moved_out_on__isnull=True).values("household_id"))
        .select_related("home__building__complex")
        .order_by("home__building__complex__code", "reg_number")
    )
    made: list[Occupancy] = []
    seen: dict[int, int] = {}
    for family in families:
        home = family.home
        if home is None:
            continue
        complex_ = home.building.complex
        n = seen.get(complex_.pk, 0)
        seen[complex_.pk] = n + 1
        start = complex_.actual_completion or complex_.planned_completion or today
        moved = min(start + FORTNIGHT * (n // CONVOY + 1), today)
        made.append(Occupancy(unit=home, household=family, moved_in_on=moved))
    Occupancy.objects.bulk_create(made)
    return len(made)


def _days(first: date, today: date) -> list[date]:
    """Month ends from ``first``'s month to last month, then every week of the last 90 days."""
    days: list[date] = []
    month = date(first.year, first.month, 1)
    while True:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = following - timedelta(days=1)
        if end >= today - timedelta(days=90):
            break
        days.append(end)
        month = following
    day = today - timedelta(days=91)
    while (day := day + timedelta(days=7)) < today:
        days.append(day)
    return days


def rewound(figures: dict[str, Any], day: date) -> dict[str, Any]:
    """Today's ``figures`` as they would have read on ``day`` by the move-in dates alone."""
    past = copy.deepcopy(figures)
    month = day.strftime("%Y-%m")
    past["on"] = day.isoformat()
    past["returns"] = [r for r in figures["returns"] if r["month"] and r["month"] <= month]
    families = sum(r["families"] for r in past["returns"])
    persons = sum(r["persons"] or 0 for r in past["returns"])
    later = figures["families"]["moved_in"] - families
    later_persons = figures["persons"]["moved_in"] - persons
    recent = day >= date.fromisoformat(figures["on"]) - timedelta(days=30)
    fam, per, homes = past["families"], past["persons"], past["homes"]
    for group in ("offered", "allocated"):
        if not recent:  # the offers and allocations of today were not made yet
            fam["waiting"] += fam[group]
            per["waiting"] += per[group]
            homes["ready"] += homes[group]
            fam[group] = per[group] = homes[group] = 0
    fam["moved_in"], per["moved_in"] = families, persons
    fam["waiting"] += later
    per["waiting"] += later_persons
    homes["occupied"] -= later
    homes["ready"] += later
    return past


def past_snapshots(today: date | None = None) -> int:
    """Kept snapshots of the demo's past (national and per district); returns how many."""
    today = today or timezone.localdate()
    reader = national_reader()
    taken = 0
    for district in [None, *Area.objects.districts().order_by("code")]:
        figures = compute(reader, Scope(district), today)
        if district is not None and not figures["families"]["registered"]:
            continue
        dated = [r["month"] for r in figures["returns"] if r["month"]]
        first = date.fromisoformat(min(dated) + "-01") if dated else today - timedelta(days=90)
        for day in _days(first, today):
            snapshot = do_take_snapshot(rewound(figures, day), day, district, SnapshotSource.DEMO)
            taken += snapshot is not None
    return taken


def load(today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    moves = backfill_moves(today)
    return {"move_ins_dated": moves, "snapshots": past_snapshots(today)}
