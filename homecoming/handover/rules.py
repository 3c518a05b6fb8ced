"""Who may be offered which home: the allocation engine's rules, applied to one pair.

A home freed by a refusal goes down the run's reserve list "by the same rules" as the run:
the room band for the family's size (from the run's policy), step-free access when a member
needs it, and the family's chosen destination. The bands come from the engine itself.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def best_home(policy: Policy, household: Household, homes: Sequence[Unit]) -> Unit | None:
    """The free home of `homes` that fits the family best, or None when none fits.

    It must suit the family (`misfit`) and be in the family's own district (families go
    back where they came from). Among those: the room count nearest the band's ideal,
    then the smaller home, then one without step-free access when the family does not
    need it (kept for families who do), then the first in the list's order (complex,
    building, floor, number).

    >>> from types import SimpleNamespace as NS
    >>> place = NS(complex=NS(settlement_id=1, settlement=NS(parent_id=9)))
    >>> homes = [NS(rooms=r, step_free=s, building=place) for r, s in [(4, 0), (3, 1), (3, 0)]]
    >>> family = NS(size=4, needs_step_free=False, destination_id=None, district_id=9)
    >>> best_home(Policy.default(), family, homes) is homes[2]
    True
    """
    need = need_of(household)
    band = policy.band(need.size)
    fitting = [
        u
        for u in homes
        if u.building.complex.settlement.parent_id == household.district_id
        and misfit(policy, need, u) is None
    ]
    return min(
        fitting,
        key=lambda u: (abs(u.rooms - band.ideal), u.rooms, u.step_free and not need.step_free),
        default=None,
    )


def pair_homes(
    policy: Policy, households: Sequence[Household], homes: Sequence[Unit]
) -> list[tuple[Household, Unit | None]]:
    """Each family, in the order given (priority or reserve rank), with the best-fitting
    home still free after the families before it (`best_home`); None when none fits."""
    free = list(homes)
    pairs: list[tuple[Household, Unit | None]] = []
    for household in households:
        unit = best_home(policy, household, free)
        if unit is not None:
            free.remove(unit)
        pairs.append((household, unit))
    return pairs
