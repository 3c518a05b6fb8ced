"""Who may be offered which home: the allocation engine's rules, applied to one pair.

A home freed by a refusal goes down the run's reserve list "by the same rules" as the run:
the room band for the family's size (from the run's policy), step-free access when a member
needs it, and the family's chosen destination. The bands come from the engine itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from homecoming.allocation.engine.model import Policy
from homecoming.allocation.models import AllocationRun
from homecoming.housing.models import Unit
from homecoming.registry.models import Household


@dataclass(frozen=True)
class Need:
    size: int
    step_free: bool
    destination_id: int | None


def need_of(household: Household) -> Need:
    size = getattr(household, "size", None)
    step_free = getattr(household, "needs_step_free", None)
    if size is None:
        size = household.members.count()
    if step_free is None:
        step_free = household.members.filter(needs_step_free=True).exists()
    return Need(int(size), bool(step_free), household.destination_id)


def policy_of(run: AllocationRun | None) -> Policy:
    if run is not None and run.policy.strip():
        return Policy.from_toml(run.policy)
    return Policy.default()


def misfit(policy: Policy, need: Need, unit: Unit) -> str | None:
    """Why the unit does not suit the family, or None when it does.

    >>> from types import SimpleNamespace as NS
    >>> u = NS(rooms=2, step_free=False, building=NS(complex=NS(settlement_id=1)))
    >>> misfit(Policy.default(), Need(5, False, None), u)  # doctest: +ELLIPSIS
    '...3-4 rooms...'
    >>> misfit(Policy.default(), Need(3, False, 1), u) is None
    True
    """
    band = policy.band(need.size)
    if not band.min_rooms <= unit.rooms <= band.max_rooms:
        return gettext("a family of %(size)d needs %(min)d-%(max)d rooms") % {
            "size": need.size,
            "min": band.min_rooms,
            "max": band.max_rooms,
        }
    if need.step_free and not unit.step_free:
        return gettext("a member needs step-free access")
    if (
        need.destination_id is not None
        and need.destination_id != unit.building.complex.settlement_id
    ):
        return gettext("the family chose another destination")
    return None
