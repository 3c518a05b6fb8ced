"""The programme plan in the app: every stage ahead, per district, as one job; never binding.

Stages come from readiness (each stage's complexes and the date readiness expects its last
complex to open: the gate's forecast, else the end of the stage's period); families from the
registry (waiting, with consent, as a run would take them); residents are the families
already housed. The engine (`engine.programme`) allocates stage after stage. The plan is
recomputed by the worker when a family, a home, a stage or a readiness item changed since
the last one (`request_if_stale`, run with the worker's sweep).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Max

from homecoming.allocation import adapter
from homecoming.allocation.engine.programme import PlannedStage, plan_programme
from homecoming.allocation.models import ProgrammePlan
from homecoming.allocation.services import candidate_households, candidate_units
from homecoming.core import jobs
from homecoming.core.models import AuditEvent, Job, JobStatus
from homecoming.geography.models import Area
from homecoming.readiness.models import Stage
from homecoming.readiness.planning import stage_progress

KIND = "programme-plan"
#: Tables whose changes make the plan stale (the audit trail records every write).
WATCHED = (
    "registry_household",
    "registry_person",
    "registry_group",
    "housing_unit",
    "housing_residentialcomplex",
    "readiness_stage",
    "readiness_stage_complexes",
    "readiness_readinessitem",
    "readiness_hazardarea",
)


def inputs_version() -> int:
    """The last recorded change to anything the plan reads (0: none)."""
    last = AuditEvent.objects.filter(table__in=WATCHED).aggregate(n=Max("id"))["n"]
    return int(last or 0)


def request_if_stale() -> dict[str, int]:
    """Queue a plan when the inputs changed since the newest plan and none is waiting
    (a core.jobs refresher: the worker calls it with its sweep)."""
    if not Stage.objects.exists():
        return {"programme_plans": 0}  # nothing to plan
    newest = ProgrammePlan.objects.order_by("-pk").values_list("version", flat=True).first()
    if newest is not None and newest >= inputs_version():
        return {"programme_plans": 0}
    if Job.objects.filter(kind=KIND, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exists():
        return {"programme_plans": 0}
    with transaction.atomic():
        jobs.enqueue(KIND, "Programme plan", {})
    return {"programme_plans": 1}


def _stages_of(district: Area) -> list[tuple[Stage, PlannedStage]]:
    stages = list(
        Stage.objects.filter(settlement__parent=district)
        .select_related("settlement")
        .prefetch_related("complexes")
    )
    out = []
    for progress in stage_progress(stages):
        stage = progress.stage
        complexes = [cp.complex for cp in progress.complexes]
        _, units, _ = adapter.read_inputs(
            "household_id,size\n", adapter.units_csv(candidate_units(complexes))
        )
        opens = progress.forecast or stage.ends_on
        out.append((stage, PlannedStage(str(stage.pk), opens, tuple(units))))
    return out


def compute(progress: jobs.Progress | None = None) -> dict[str, Any]:
    """The plan of every district with stages, as stored in ProgrammePlan.result."""
    version = inputs_version()
    districts = Area.objects.filter(pk__in=Stage.objects.values("settlement__parent")).order_by(
        "code"
    )
    stages_out: list[dict[str, Any]] = []
    expected: dict[str, dict[str, Any]] = {}
    waiting: dict[str, int] = defaultdict(int)
    seconds = 0.0
    for district in districts:
        families = candidate_households(district)
        households, _, residents = adapter.read_inputs(
            adapter.households_csv(families),
            "unit_id,settlement,complex,building,rooms\n",
            adapter.residents_csv(families),
        )
        planned = _stages_of(district)
        by_key = {p.key: (s, p) for s, p in planned}
        plan = plan_programme(
            households, [p for _, p in planned], residents, seed=0, progress=progress
        )
        seconds += plan.seconds
        for sp in plan.stages:
            stage, p = by_key[sp.key]
            stages_out.append(
                {
                    "stage": stage.pk,
                    "district": district.code,
                    "settlement": stage.settlement.code,
                    "number": stage.number,
                    "name": str(stage),
                    "opens_on": p.opens_on.isoformat() if p.opens_on else "",
                    "homes": sp.homes,
                    "families": sp.housed,
                    "persons": sp.persons,
                    "followers": sp.followers,
                    "spare": {str(k): v for k, v in sp.spare.items()},
                    "lacking": {str(k): v for k, v in sp.lacking.items()},
                }
            )
            for hid, key in plan.expected.items():
                if key == sp.key:
                    expected[hid] = {"stage": stage.pk, "opens_on": stages_out[-1]["opens_on"]}
        waiting[district.code] = len(plan.waiting)
    return {
        "version": version,
        "stages": stages_out,
        "expected": expected,
        "waiting": dict(waiting),
        "seconds": round(seconds, 3),
    }


def run_plan_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """Job handler: compute and keep the plan (plans are never changed, only superseded)."""
    result = compute(progress)
    plan = ProgrammePlan.objects.create(
        version=result.pop("version"), result=result, job=job, seconds=result["seconds"]
    )
    return {"plan_id": plan.pk, "stages": len(result["stages"])}
