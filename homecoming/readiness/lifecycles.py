"""Lifecycles of readiness: items (utilities, roads, schools...) and hazard areas."""

from __future__ import annotations

from homecoming.accounts.lifecycles import ADMIN, EDITORS_AND_SYSTEM
from homecoming.core.lifecycle import Lifecycle, Step, register
from homecoming.readiness.models import HazardStatus, ItemStatus

W = ItemStatus
Z = HazardStatus

ITEM = Lifecycle(
    "readiness.ReadinessItem",
    states=W.choices,
    initial=tuple(W.values),
    note="Work can be reopened (a water main fails after the handover certificate).",
    steps=(
        Step("start_work", (W.NOT_STARTED,), (W.IN_PROGRESS,), EDITORS_AND_SYSTEM),
        Step("finish_work", (W.NOT_STARTED, W.IN_PROGRESS), (W.DONE,), EDITORS_AND_SYSTEM),
        Step("certify", (W.NOT_STARTED, W.IN_PROGRESS, W.DONE), (W.CERTIFIED,), EDITORS_AND_SYSTEM),
        Step(
            "reopen",
            (W.IN_PROGRESS, W.DONE, W.CERTIFIED),
            (W.NOT_STARTED, W.IN_PROGRESS, W.DONE),
            EDITORS_AND_SYSTEM,
        ),
    ),
)

HAZARD = Lifecycle(
    "readiness.HazardArea",
    states=Z.choices,
    initial=tuple(Z.values),
    note="IMAS land release: survey confirms or cancels, clearance, then release with a "
    "handover certificate. Only an administrator reopens a released area.",
    steps=(
        Step("confirm", (Z.SUSPECTED,), (Z.CONFIRMED,), EDITORS_AND_SYSTEM),
        Step("downgrade", (Z.CONFIRMED,), (Z.SUSPECTED,), EDITORS_AND_SYSTEM),
        Step("clear", (Z.SUSPECTED, Z.CONFIRMED), (Z.CLEARED,), EDITORS_AND_SYSTEM),
        Step("find_more", (Z.CLEARED,), (Z.SUSPECTED, Z.CONFIRMED), EDITORS_AND_SYSTEM),
        Step("release", (Z.SUSPECTED, Z.CONFIRMED, Z.CLEARED), (Z.RELEASED,), EDITORS_AND_SYSTEM),
        Step("reopen", (Z.RELEASED,), (Z.SUSPECTED, Z.CONFIRMED), ADMIN | {"system"}),
    ),
)

register(ITEM, HAZARD)
