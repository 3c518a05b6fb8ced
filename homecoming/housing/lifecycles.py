"""Lifecycle of a home (unit)."""

from __future__ import annotations

from homecoming.accounts.lifecycles import ANSWERERS, EDITORS, OFFICERS, OFFICERS_AND_SYSTEM
from homecoming.core.lifecycle import Lifecycle, Step, register
from homecoming.housing.models import UnitStatus

U = UnitStatus
FREE = (U.PLANNED.value, U.UNDER_CONSTRUCTION.value, U.READY.value)

UNIT = Lifecycle(
    "housing.Unit",
    states=U.choices,
    initial=FREE,
    note="A home from its plan to its family. A released home goes back to the state it had.",
    steps=(
        Step("start_construction", (U.PLANNED,), (U.UNDER_CONSTRUCTION,), EDITORS),
        Step("complete_construction", (U.PLANNED, U.UNDER_CONSTRUCTION), (U.READY,), EDITORS),
        Step(
            "offer_home",
            FREE,
            (U.OFFERED,),
            OFFICERS_AND_SYSTEM,
            "the reserve list offers by itself",
        ),
        Step("accept_offer", (U.OFFERED,), (U.ALLOCATED,), ANSWERERS),
        Step(
            "release_offer",
            (U.OFFERED, U.ALLOCATED),
            FREE,
            ANSWERERS | OFFICERS_AND_SYSTEM,
            "declined, expired or withdrawn",
        ),
        Step("swap", (U.OFFERED, U.ALLOCATED), (U.OFFERED, U.ALLOCATED), OFFICERS),
        Step("hand_keys", (U.ALLOCATED,), (U.KEYS_HANDED,), EDITORS),
        Step("move_in", (U.KEYS_HANDED,), (U.OCCUPIED,), EDITORS),
        Step("move_out", (U.OCCUPIED,), (U.READY,), EDITORS),
    ),
)

register(UNIT)
