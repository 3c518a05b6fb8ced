"""What the handover's writes share: their errors, role and lifecycle checks, the readiness
of a home, and the small writes of a unit's and a family's status."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from homecoming.accounts.lifecycles import role_of
from homecoming.core.lifecycle import FAMILY, Lifecycle, TransitionRefused
from homecoming.handover import messaging
from homecoming.handover.models import (
    Message,
    Offer,
)
from homecoming.housing.lifecycles import UNIT
from homecoming.housing.models import (
    ResidentialComplex,
    Unit,
)
from homecoming.registry.lifecycles import HOUSEHOLD
from homecoming.registry.models import Household, HouseholdStatus

User = AbstractBaseUser | AnonymousUser | None
T = TypeVar("T")
R = TypeVar("R")
WAITING = (HouseholdStatus.REGISTERED, HouseholdStatus.ELIGIBLE)


class HandoverError(Exception):
    """A refusal; the message says why in the user's language."""


class Conflict(HandoverError):
    """The state changed: the home is taken, the offer answered, the bus full..."""


class NotReady(HandoverError):
    """The home is not ready: still being built, or its complex has readiness blockers (no
    water, mines not cleared...). `reasons` lists them, one sentence each."""

    def __init__(self, summary: str, reasons: list[str]) -> None:
        super().__init__(" ".join([summary, *reasons]))
        self.summary = summary
        self.reasons = reasons


# ---------------------------------------------------------------------------- helpers


def _who(user: User, actor: str = "") -> tuple[Any, str]:
    if user is not None and getattr(user, "is_authenticated", False):
        return user, actor or user.get_username()
    return None, actor or "system"


def _role(user: User, actor: str = "") -> str | None:
    """Who acts, for the lifecycle tables: a family in its own pages comes without a user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return FAMILY if actor else None
    return role_of(user)


def _may(life: Lifecycle, action: str, user: User, actor: str = "") -> None:
    """Refuse, as a conflict, an action the lifecycle table does not give this role."""
    if not life.may(action, _role(user, actor)):
        raise Conflict(
            gettext("Your role may not do this: %(action)s.") % {"action": life.step(action).label}
        )


def _move(life: Lifecycle, before: str, after: str, user: User, actor: str) -> None:
    try:
        life.check_move(before, after, _role(user, actor))
    except TransitionRefused as exc:
        raise Conflict(str(exc)) from exc


def readiness_blockers(complex_: ResidentialComplex) -> list[str]:
    """What still keeps families out of the complex; empty when ready."""
    from homecoming.readiness.gate import blockers

    return list(blockers(complex_))


def home_blockers(units: Iterable[Unit], *, with_complex: bool = True) -> dict[int, list[str]]:
    """Per home, what keeps a family out of it: its construction, its building's, its
    complex's readiness gate. Empty list: ready. Fails closed (see readiness.gate)."""
    from homecoming.readiness.gate import home_blockers as found

    return found(units, with_complex=with_complex)


def check_home_ready(unit: Unit, what: str) -> None:
    """Refuse `what` (an offer deadline, the keys, the move-in) while the home is not ready."""
    unit = Unit.objects.select_related("building__complex__settlement").get(pk=unit.pk)
    reasons = home_blockers([unit])[unit.pk]
    if reasons:
        raise NotReady(
            gettext("%(what)s refused: home %(unit)s is not ready.") % {"what": what, "unit": unit},
            reasons,
        )


def default_deadline(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(days=settings.HANDOVER_OFFER_DAYS)


def family_url() -> str:
    """The family pages' address, absolute (SITE_URL), for messages read on a phone."""
    return messaging.absolute_url(reverse("family:home"))


def _offer_message(offer: Offer, unit: Unit) -> Message | None:
    h = offer.household
    if not h.phone:
        return None
    context = {
        "reg": h.reg_number,
        "address": lambda: unit.address,  # the settlement's name in the family's language
        "rooms": unit.rooms,
        "floor": unit.floor,
        "deadline": offer.deadline,
        "url": family_url(),
    }
    return messaging.queue("offer_made", context, to=h.phone, household=h)


def _set_unit(
    unit: Unit, status: str, household_id: int | None, user: User, actor: str = ""
) -> None:
    if unit.status != status:
        _move(UNIT, unit.status, status, user, actor)
    unit.status = status
    unit.household_id = household_id
    unit.save(update_fields=["status", "household"])


def _set_household(household: Household, status: str, user: User, actor: str = "") -> None:
    if household.status != status:
        _move(HOUSEHOLD, household.status, status, user, actor)
    household.status = status
    household.save(update_fields=["status", "updated_at"])


def named(household: Household, exc: Exception) -> str:
    """A refusal with the family it is about, unless it names the family already."""
    why = exc.summary if isinstance(exc, NotReady) else str(exc)
    if household.reg_number in why:
        return why
    return gettext("Family %(reg)s: %(why)s") % {"reg": household.reg_number, "why": why}


def all_or_none(
    items: Sequence[T], do: Callable[[T], R], family: Callable[[T], Household]
) -> list[R]:
    """`do` for each item picked from a list (a family to board, to invite, to offer a
    home), in the caller's transaction: the first refusal names its family and, raised
    through the caller's atomic block, undoes the others."""
    done = []
    for item in items:
        try:
            done.append(do(item))
        except NotReady as exc:
            raise NotReady(named(family(item), exc), exc.reasons) from exc
        except HandoverError as exc:
            raise Conflict(named(family(item), exc)) from exc
    return done
