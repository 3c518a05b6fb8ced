"""Fanned-out optimiser runs: pieces of one run as jobs that any worker takes.

A run with ``fanout_parts > 0`` is queued as four independent jobs: the split (the
admission, engine.fanout.split), the report's bound, the lottery baseline and the run
without groups. The split queues one job per part (settlements solved independently).
Each job stores what it computed as a :class:`RunPiece` (append-only, one per kind and
key) and, under the run's row lock, checks whether every piece is in: the one that
completes the set queues the merge, which rebuilds the single-process result (the
engine's merge, then the independent checker) and stores it exactly as the single job
does (services.do_store_result). PostgreSQL is the only shared state: workers can run on
several machines.

Safe with several workers: pieces are written under the run's row lock and a piece written
twice is a no-op; the merge is queued once (``merge_job``, set under the lock) and stores
nothing when the run is already done. A worker killed in the middle of a piece: the sweep
marks its job failed (no heartbeat) and :func:`do_retry_pieces` queues the piece again, up
to ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from homecoming.allocation import adapter, services
from homecoming.allocation import engine as eng
from homecoming.allocation.engine import fanout as parts
from homecoming.allocation.engine.core import Instance, build_instance
from homecoming.allocation.models import AllocationRun, RunPiece, RunStatus
from homecoming.core import jobs
from homecoming.core.models import Job, JobStatus

KIND = "allocation_piece"
#: pieces queued with the run; "part" pieces follow the split, "merge" the last piece
BESIDE = ("split", "bound", "baseline", "alone")
MAX_ATTEMPTS = 3


def _enqueue(run: AllocationRun, piece: str, key: int = 0, attempt: int = 1) -> Job:
    params = {"run_id": run.pk, "piece": piece, "key": key, "attempt": attempt}
    return jobs.enqueue(KIND, f"Allocation {piece} {key}: {run.name}", params, run.created_by)


def do_start(run: AllocationRun) -> None:
    """Queue the first pieces of a fanned-out run (in the caller's transaction)."""
    queued = {piece: _enqueue(run, piece) for piece in BESIDE}
    run.job = queued["split"]
    run.save(update_fields=["job"])


def _inputs(run: AllocationRun) -> Instance:
    households, units, residents = adapter.read_inputs(
        run.households_csv, run.units_csv, run.residents_csv
    )
    return build_instance(households, units, adapter.read_policy(run.policy), residents)


def run_piece_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """Job handler: compute one piece of the run and store it; the merge stores the run."""
    piece, key = str(job.params["piece"]), int(job.params["key"])
    run = AllocationRun.objects.get(pk=job.params["run_id"])
    if run.status in (RunStatus.FAILED, RunStatus.DONE, RunStatus.APPROVED):
        return {"run_id": run.pk, "piece": piece, "skipped": run.status}
    AllocationRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING
    )
    progress(0.0, f"{piece} {key}")
    try:
        if piece == "merge":
            return _merge(run)
        data = _compute(run, piece, key)
    except eng.AllocationError:
        # the engine refused the inputs: running the piece again would fail the same way
        do_fail_run(run)
        raise
    stored = do_record_piece(run, piece, key, data)
    return {"run_id": run.pk, "piece": piece, "key": key, "stored": stored}


def _compute(run: AllocationRun, piece: str, key: int) -> dict[str, Any]:
    if piece == "baseline":
        result, text = services.lottery_baseline(run)
        return {"metrics": result.metrics, "csv": text}
    if piece == "alone":
        return adapter.without_groups(run.households_csv, run.units_csv, run.policy, run.seed)
    inst = _inputs(run)
    if piece == "split":
        return parts.split(inst, seed=run.seed, parts=run.fanout_parts).to_json()
    if piece == "bound":
        return {"bound": parts.global_bound(inst)}
    if piece == "part":
        sp = parts.Split.from_json(RunPiece.objects.get(run=run, kind="split").data)
        return parts.solve_part(inst, sp, key).to_json()
    raise ValueError(f"unknown piece {piece!r}")


@transaction.atomic
def do_record_piece(run: AllocationRun, piece: str, key: int, data: dict[str, Any]) -> bool:
    """Store a piece unless it is there already (False then); a split queues its parts;
    the piece that completes the set queues the merge. Under the run's row lock, so that
    two workers finishing at once see each other's pieces and queue one merge."""
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if RunPiece.objects.filter(run=run, kind=piece, key=key).exists():
        return False
    # through JSON text, so that what the merge reads is what a reload gives
    RunPiece.objects.create(run=run, kind=piece, key=key, data=json.loads(json.dumps(data)))
    if piece == "split":
        for p in data["parts"]:
            _enqueue(run, "part", int(p[0]))
    _merge_if_complete(run)
    return True


def _merge_if_complete(run: AllocationRun) -> None:
    if run.merge_job_id is not None:
        return
    have = set(RunPiece.objects.filter(run=run).values_list("kind", "key"))
    split = RunPiece.objects.filter(run=run, kind="split").first()
    if split is None or any((piece, 0) not in have for piece in BESIDE):
        return
    if any(("part", int(p[0])) not in have for p in split.data["parts"]):
        return
    run.merge_job = _enqueue(run, "merge")
    run.save(update_fields=["merge_job"])


def _merge(run: AllocationRun) -> dict[str, Any]:
    """Merge the parts, check the result independently and store it as the single job."""
    pieces = {(p.kind, p.key): p.data for p in RunPiece.objects.filter(run=run)}
    inst = _inputs(run)
    sp = parts.Split.from_json(pieces[("split", 0)])
    results = [parts.PartResult.from_json(pieces[("part", p.key)]) for p in sp.parts]
    result = parts.merge(inst, sp, results, int(pieces[("bound", 0)]["bound"]))
    violations = eng.check(
        inst.households, inst.units, inst.policy, result.assignments, inst.residents
    )
    if violations:
        do_fail_run(run)
        raise eng.CheckFailed(list(violations))
    baseline = pieces[("baseline", 0)]
    result.metrics["baseline"] = baseline["metrics"]
    result.metrics["without_groups"] = pieces[("alone", 0)]
    text = eng.assignments_csv(result).decode("utf-8")
    stored = do_store_merged(run, result, text, baseline["csv"])
    return {"run_id": run.pk, "housed": result.metrics.get("housed"), "stored": stored}


@transaction.atomic
def do_store_merged(run: AllocationRun, result: eng.Result, text: str, baseline: str) -> bool:
    """Store the merged result unless the run is done already (a merge run twice)."""
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.RUNNING:
        return False
    services.do_store_result(run, result, text, baseline)
    return True


@transaction.atomic
def do_fail_run(run: AllocationRun) -> None:
    AllocationRun.objects.filter(
        pk=run.pk, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).update(status=RunStatus.FAILED, finished_at=timezone.now())


@transaction.atomic
def do_retry_pieces(cutoff: dt.datetime) -> dict[str, int]:
    """Queue again each piece whose job failed without storing it (a core.jobs sweeper,
    run after the sweep has failed the jobs of killed workers); a piece that failed
    ``MAX_ATTEMPTS`` times fails its run."""
    del cutoff  # the jobs' sweep has applied it
    retried = failed = 0
    open_runs = AllocationRun.objects.filter(
        fanout_parts__gt=0, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).select_for_update(skip_locked=True, of=("self",))
    for run in open_runs:
        latest: dict[tuple[str, int], Job] = {}
        for job in Job.objects.filter(kind=KIND, params__run_id=run.pk).order_by("created_at"):
            latest[(job.params["piece"], int(job.params["key"]))] = job
        done = set(RunPiece.objects.filter(run=run).values_list("kind", "key"))
        for (piece, key), job in sorted(latest.items()):
            if job.status != JobStatus.FAILED or (piece, key) in done:
                continue
            if int(job.params["attempt"]) >= MAX_ATTEMPTS:
                do_fail_run(run)
                failed += 1
                break
            again = _enqueue(run, piece, key, int(job.params["attempt"]) + 1)
            retried += 1
            if piece in ("split", "merge"):
                setattr(run, "job" if piece == "split" else "merge_job", again)
                run.save(update_fields=["job" if piece == "split" else "merge_job"])
    counts = {"allocation_pieces_retried": retried, "allocation_runs_failed_pieces": failed}
    return {name: n for name, n in counts.items() if n}  # a run without fan-out sees none
