"""Lifecycle of an allocation run."""

from __future__ import annotations

from homecoming.accounts.lifecycles import ALLOCATORS, ONLY_SYSTEM
from homecoming.allocation.models import RunStatus
from homecoming.core.lifecycle import Lifecycle, Step, register

R = RunStatus

RUN = Lifecycle(
    "allocation.AllocationRun",
    states=R.choices,
    initial=(R.DRAFT.value, R.QUEUED.value),
    note="A run is created queued with its inputs frozen; the worker runs it; people approve it.",
    steps=(
        Step("queue_run", (R.DRAFT,), (R.QUEUED,), ALLOCATORS),
        Step("start_run", (R.QUEUED,), (R.RUNNING,), ONLY_SYSTEM),
        Step("finish_run", (R.QUEUED, R.RUNNING), (R.DONE, R.FAILED), ONLY_SYSTEM),
        Step("approve_run", (R.DONE,), (R.APPROVED,), ALLOCATORS),
    ),
)

register(RUN)
