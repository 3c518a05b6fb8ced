"""Lifecycle of a background job."""

from __future__ import annotations

from homecoming.core.lifecycle import SYSTEM, Lifecycle, Step, register
from homecoming.core.models import JobStatus

J = JobStatus
ONLY_SYSTEM = frozenset({SYSTEM})

JOB = Lifecycle(
    "core.Job",
    states=J.choices,
    initial=(J.QUEUED.value,),
    note="A job left behind by a killed process is marked failed by the worker's sweep.",
    steps=(
        Step("start_job", (J.QUEUED,), (J.RUNNING,), ONLY_SYSTEM),
        Step("finish_job", (J.QUEUED, J.RUNNING), (J.SUCCEEDED, J.FAILED), ONLY_SYSTEM),
    ),
)

register(JOB)
