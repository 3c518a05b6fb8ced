"""Lifecycle of a road-network edge (a road, tunnel or pass: planned, being built, open)."""

from __future__ import annotations

from homecoming.accounts.lifecycles import ADMIN
from homecoming.core.lifecycle import SYSTEM, Lifecycle, Step, register
from homecoming.network.models import Status

WRITERS = ADMIN | {SYSTEM}

EDGE = Lifecycle(
    "network.Edge",
    states=Status.choices,
    initial=tuple(Status.values),
    note="Edited by administrators (one edge) or replaced whole by a network file. A road "
    "once open is not planned again: it closes for works (under construction) instead.",
    steps=(
        Step("start_construction", (Status.PLANNED,), (Status.CONSTRUCTION,), WRITERS),
        Step("shelve", (Status.CONSTRUCTION,), (Status.PLANNED,), WRITERS),
        Step("open_edge", (Status.PLANNED, Status.CONSTRUCTION), (Status.OPEN,), WRITERS),
        Step("close_for_works", (Status.OPEN,), (Status.CONSTRUCTION,), WRITERS),
    ),
)

register(EDGE)
