"""Lifecycles of a home (unit): its construction state and its allocation state."""

from __future__ import annotations

from homecoming.accounts.lifecycles import (
    ANSWERERS,
    EDITORS,
    EDITORS_AND_SYSTEM,
    OFFICERS,
    OFFICERS_AND_SYSTEM,
)
from homecoming.core.lifecycle import Lifecycle, Step, register
from homecoming.housing.models import Construction, UnitStatus

C = Construction
U = UnitStatus

CONSTRUCTION = Lifecycle(
    "housing.Unit",
    field="construction",
    states=C.choices,
    initial=tuple(C.values),
    note="Where the works stand. A home whose keys are handed stays built (a database rule).",
    steps=(
        Step("start_construction", (C.PLANNED,), (C.UNDER_CONSTRUCTION,), EDITORS_AND_SYSTEM),
        Step("pause_construction", (C.UNDER_CONSTRUCTION,), (C.PLANNED,), EDITORS),
        Step(
            "complete_construction",
            (C.PLANNED, C.UNDER_CONSTRUCTION),
            (C.BUILT,),
            EDITORS_AND_SYSTEM,
        ),
        Step("reopen_works", (C.BUILT,), (C.UNDER_CONSTRUCTION,), EDITORS, "repairs"),
    ),
)

UNIT = Lifecycle(
    "housing.Unit",
    states=U.choices,
    initial=(U.FREE.value,),
    note="Who the home is given to, whatever its construction state (lots may be drawn for "
    "homes still being built; keys and move-in wait until the home is ready).",
    steps=(
        Step(
            "offer_home",
            (U.FREE,),
            (U.OFFERED,),
            OFFICERS_AND_SYSTEM,
            "the reserve list offers by itself",
        ),
        Step("accept_offer", (U.OFFERED,), (U.ALLOCATED,), ANSWERERS),
        Step(
            "release_offer",
            (U.OFFERED, U.ALLOCATED),
            (U.FREE,),
            ANSWERERS | OFFICERS_AND_SYSTEM,
            "declined, expired or withdrawn",
        ),
        Step("swap", (U.OFFERED, U.ALLOCATED), (U.OFFERED, U.ALLOCATED), OFFICERS),
        Step("hand_keys", (U.ALLOCATED,), (U.KEYS_HANDED,), OFFICERS),
        Step("move_in", (U.KEYS_HANDED,), (U.OCCUPIED,), OFFICERS),
        Step("move_out", (U.OCCUPIED,), (U.FREE,), OFFICERS),
    ),
)

register(CONSTRUCTION, UNIT)
