"""Writes of the allocation app. Each do_* runs in one transaction and trusts its input."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from homecoming.accounts.lifecycles import role_of
from homecoming.allocation import adapter
from homecoming.allocation.engine import Result
from homecoming.allocation.lifecycles import RUN
from homecoming.allocation.models import (
    AllocationResult,
    AllocationRun,
    RunStatus,
    seed_commitment,
)
from homecoming.allocation.signals import run_approved
from homecoming.core import jobs
from homecoming.core.models import Job, JobStatus
from homecoming.geography.models import Area
from homecoming.housing.models import ALLOCATABLE_STATUSES, ResidentialComplex, Unit
from homecoming.registry.models import Household, HouseholdStatus


class ApprovalError(Exception):
    """The run can no longer be approved as it is (homes or families changed since)."""


def candidate_households(district: Area) -> Any:
    """Families of the district still waiting, with consent to have their data processed."""
    return Household.objects.filter(district=district, consent=True).waiting()


def candidate_units(complexes: Sequence[ResidentialComplex]) -> Any:
    return Unit.objects.filter(building__complex__in=complexes).allocatable()


@transaction.atomic
def do_create_run(
    *,
    user: User,
    name: str,
    method: str,
    district: Area,
    complexes: Sequence[ResidentialComplex],
    policy: str = "",
    seed: int | None = None,
    parts: int | None = None,
) -> AllocationRun:
    """Freeze the inputs, commit to a secret seed and queue the run.

    An optimiser run is fanned out over the workers in up to `parts` parts
    (allocation.fanout; default: the ALLOCATION_FANOUT_PARTS setting, 0: one job).
    """
    secret = secrets.randbelow(2**62) if seed is None else seed
    families = candidate_households(district)
    hh_text = adapter.households_csv(families)
    un_text = adapter.units_csv(candidate_units(complexes))
    rs_text = adapter.residents_csv(families)
    run = AllocationRun.objects.create(
        name=name,
        method=method,
        district=district,
        seed=secret,
        seed_commitment=seed_commitment(secret),
        policy=policy,
        households_csv=hh_text,
        units_csv=un_text,
        residents_csv=rs_text,
        inputs_sha256=adapter.inputs_sha256(hh_text, un_text, rs_text),
        status=RunStatus.QUEUED,
        created_by=user,
    )
    run.complexes.set(complexes)
    fanout_parts = settings.ALLOCATION_FANOUT_PARTS if parts is None else parts
    if method == "optimal" and fanout_parts > 0:
        # imported here: the fan-out's jobs store their result through this module
        from homecoming.allocation import fanout

        run.fanout_parts = fanout_parts
        run.save(update_fields=["fanout_parts"])
        fanout.do_start(run)
        return run
    run.job = jobs.enqueue("allocation", f"Allocation: {name}", {"run_id": run.pk}, user)
    run.save(update_fields=["job"])
    return run


def _reserve_order(run: AllocationRun, unhoused: list[Household]) -> list[Household]:
    """Families not housed, first to be offered first: priority, registration, then a
    lottery keyed on the run's seed (anyone can recompute it from the published seed)."""

    def lot(h: Household) -> str:
        return hashlib.sha256(f"{run.seed}:{h.reg_number}".encode()).hexdigest()

    return sorted(unhoused, key=lambda h: (-h.priority, h.registered_on, lot(h)))


def lottery_baseline(run: AllocationRun) -> tuple[Result, str]:
    """The lottery on the run's frozen inputs and seed: the baseline every run is shown beside."""
    return adapter.run_engine(
        "lottery",
        run.households_csv,
        run.units_csv,
        run.policy,
        run.seed,
        residents_text=run.residents_csv,
    )


def run_allocation_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """Job handler: run the engine on the frozen inputs and store the outcome."""
    run = AllocationRun.objects.get(pk=job.params["run_id"])
    AllocationRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    try:
        result, assignments_text = adapter.run_engine(
            run.method,
            run.households_csv,
            run.units_csv,
            run.policy,
            run.seed,
            progress,
            run.residents_csv,
        )
    except Exception:
        AllocationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now()
        )
        raise
    baseline_text = ""
    if run.method != "lottery":
        baseline, baseline_text = lottery_baseline(run)
        result.metrics["baseline"] = baseline.metrics
        result.metrics["without_groups"] = adapter.without_groups(
            run.households_csv, run.units_csv, run.policy, run.seed
        )
    do_store_result(run, result, assignments_text, baseline_text)
    return {"run_id": run.pk, "housed": result.metrics.get("housed")}


@transaction.atomic
def do_fail_abandoned_runs(cutoff: dt.datetime) -> dict[str, int]:
    """Mark failed the runs whose job ended without them (a core.jobs sweeper).

    A run killed with its worker stays queued or running; once the sweep has failed its
    job (no heartbeat), the run fails too, the reason shown on its job. Results are
    written in one transaction at the end, so a killed run has none.
    """
    found = list(
        AllocationRun.objects.filter(
            status__in=[RunStatus.QUEUED, RunStatus.RUNNING], job__status=JobStatus.FAILED
        ).select_for_update(skip_locked=True, of=("self",))
    )
    AllocationRun.objects.filter(pk__in=[run.pk for run in found]).update(
        status=RunStatus.FAILED, finished_at=timezone.now()
    )
    return {"allocation_runs": len(found)}


@transaction.atomic
def do_store_result(
    run: AllocationRun, result: Any, assignments_text: str, baseline_text: str = ""
) -> None:
    wanted = {a.household_id for a in result.assignments}
    households = {
        adapter.household_key(h.reg_number): h
        for h in Household.objects.filter(
            reg_number__in=wanted | {k[1:] for k in wanted if k.startswith("'")}
        )
    }
    units = {
        adapter.unit_key(u): u
        for u in Unit.objects.filter(building__complex__in=run.complexes.all()).select_related(
            "building__complex"
        )
    }
    rows = []
    unhoused = []
    for household_id, unit_id, reason, why in adapter.assignment_rows(result):
        h = households[household_id]
        if unit_id:
            rows.append(
                AllocationResult(
                    run=run, household=h, unit=units[unit_id], reason=reason, reasons=why
                )
            )
        else:
            unhoused.append((h, reason, why))
    reasons = {h.pk: (r, w) for h, r, w in unhoused}
    for rank, h in enumerate(_reserve_order(run, [h for h, _, _ in unhoused]), start=1):
        text, why = reasons[h.pk]
        rows.append(
            AllocationResult(run=run, household=h, reason=text, reasons=why, reserve_rank=rank)
        )
    AllocationResult.objects.bulk_create(rows, batch_size=2000)
    run.assignments_csv = assignments_text
    run.baseline_csv = baseline_text
    run.report = {**result.metrics, "method": result.method}
    run.status = RunStatus.DONE
    run.seed_revealed = True
    run.finished_at = timezone.now()
    run.save()


@transaction.atomic
def do_queue_approval(run: AllocationRun, user: User) -> Job:
    """Check that the run may be approved and queue its approval as a job.

    Refused, with the reason, when the role may not approve, the run is not done (already
    approved, failed...) or an approval of it is already queued or under way (a form sent
    twice). The job (:func:`approve_run_job`) checks everything again, in its transaction.
    """
    if not RUN.may("approve_run", role_of(user)):
        raise ApprovalError(gettext("Your role may not approve a run."))
    run = (
        AllocationRun.objects.select_for_update(of=("self",))
        .select_related("approval_job")
        .get(pk=run.pk)
    )
    if run.status != RunStatus.DONE:
        raise ApprovalError(
            gettext("run is %(status)s, not done") % {"status": run.get_status_display()}
        )
    if run.approving:
        raise ApprovalError(gettext("its approval is already under way"))
    # The job speaks the requester's language in its progress and its refusal.
    params = {"run_id": run.pk, "language": translation.get_language()}
    job = jobs.enqueue("allocation_approve", f"Approval: {run.name}", params, user)
    run.approval_job = job
    run.save(update_fields=["approval_job"])
    return job


def approve_run_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """Job handler: approve the run, offering every housed family its home (all or nothing).

    The offers are written in one transaction, unseen by others until it commits: the
    page shows the step under way, then the outcome.
    """
    with translation.override(job.params.get("language")):
        return _approve(job, progress)


def _approve(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    run = AllocationRun.objects.get(pk=job.params["run_id"])
    housed = run.results.filter(unit__isnull=False).count()
    progress(
        0.1,
        ngettext(
            "Checking the homes and making the offer to %(n)d family",
            "Checking the homes and making the offers to %(n)d families",
            housed,
        )
        % {"n": housed},
    )
    if job.created_by is None:
        raise ApprovalError(gettext("Nobody asked for this approval."))
    offered = do_approve_run(run, job.created_by)
    return {"run_id": run.pk, "offers": offered}


@transaction.atomic
def do_approve_run(run: AllocationRun, user: User) -> int:
    """Offer every housed family of the run its unit. All or nothing.

    Homes not ready yet (being built, or their complex's readiness gate closed) are held
    for their families with offers that wait without a deadline (see do_create_offers).

    Rows are locked first so that two approvals (or an approval and a handover) cannot
    both take one unit; the unit's one-to-one link to a household is the last guard.
    """
    if not RUN.may("approve_run", role_of(user)):
        raise ApprovalError(gettext("Your role may not approve a run."))
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.DONE:
        raise ApprovalError(
            gettext("run is %(status)s, not done") % {"status": run.get_status_display()}
        )
    housed = list(run.results.filter(unit__isnull=False).values_list("unit_id", "household_id"))
    unit_ids = [u for u, _ in housed]
    household_ids = [h for _, h in housed]
    units = {u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=unit_ids)}
    families = {h.pk: h for h in Household.objects.select_for_update().filter(pk__in=household_ids)}
    taken = [
        u
        for u in units.values()
        if u.household_id is not None or u.status not in ALLOCATABLE_STATUSES
    ]
    if taken:
        raise ApprovalError(
            ngettext(
                "%(n)d home of this run was given to others since, e.g. %(example)s",
                "%(n)d homes of this run were given to others since, e.g. %(example)s",
                len(taken),
            )
            % {"n": len(taken), "example": taken[0]}
        )
    moved = [
        h
        for h in families.values()
        if h.status not in (HouseholdStatus.REGISTERED, HouseholdStatus.ELIGIBLE)
    ]
    if moved:
        raise ApprovalError(
            ngettext(
                "%(n)d family of this run is no longer waiting, e.g. %(example)s",
                "%(n)d families of this run are no longer waiting, e.g. %(example)s",
                len(moved),
            )
            % {"n": len(moved), "example": moved[0]}
        )
    # Each housed family gets an offer (unit and family become "offered"); they become
    # "allocated" when the family accepts (homecoming.handover). Lots may be drawn for homes
    # still being built: their offers wait without a deadline until the home is ready (the
    # readiness gate is applied there, home by home), and keys wait for it too.
    run_approved.send(sender=AllocationRun, run=run, user=user)
    run.status = RunStatus.APPROVED
    run.approved_by = user
    run.approved_at = timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at"])
    return len(housed)
