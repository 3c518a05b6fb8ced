"""Role sets the lifecycle tables name, spelled once (values of `Role`, plus system/family)."""

from __future__ import annotations

from homecoming.accounts.actors import FAMILY, SYSTEM
from homecoming.accounts.models import Role, profile_of

ADMIN = frozenset({Role.ADMINISTRATOR.value})
EDITORS = frozenset({Role.ADMINISTRATOR.value, Role.DISTRICT_OFFICER.value})
ALLOCATORS = frozenset({Role.ADMINISTRATOR.value, Role.ALLOCATION_OFFICER.value})
OFFICERS = EDITORS | ALLOCATORS
#: The family answers its own offer; officers record an answer given at the desk.
ANSWERERS = OFFICERS | {FAMILY}
EDITORS_AND_SYSTEM = EDITORS | {SYSTEM}
OFFICERS_AND_SYSTEM = OFFICERS | {SYSTEM}
ONLY_SYSTEM = frozenset({SYSTEM})


#: An account with no role in the programme: no action lists it.
NO_ROLE = "none"


def role_of(user: object) -> str | None:
    """The role a `do_*` action checks: the user's role; None (system) when no user acts."""
    if user is None:
        return None
    profile = profile_of(user)
    return profile.role if profile is not None else NO_ROLE
