"""Role checks shared by the web views and the API.

Reading is scoped (a district officer's querysets only hold their district); writing is
allowed by role. A view or viewset names the roles that may write with `write_roles`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework import permissions

from homecoming.accounts.models import Profile, Role, profile_of

ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})
EDITORS = frozenset({Role.ADMINISTRATOR, Role.DISTRICT_OFFICER})
ALLOCATORS = frozenset({Role.ADMINISTRATOR, Role.ALLOCATION_OFFICER})


def current_user(request: HttpRequest) -> User:
    """The logged-in user (views call this after login_required has run)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Log in first."))
    return user


def require_profile(request: HttpRequest) -> Profile:
    profile = profile_of(request.user)
    if profile is None:
        raise PermissionDenied(_("This account has no role in the programme."))
    return profile


def require_role(request: HttpRequest, roles: Iterable[str]) -> Profile:
    profile = require_profile(request)
    if profile.role not in set(roles):
        raise PermissionDenied(_("Your role does not allow this action."))
    return profile


class RolePermission(permissions.BasePermission):
    """Any role may read (what its querysets hold); `write_roles` may write."""

    def has_permission(self, request: Any, view: Any) -> bool:
        profile = profile_of(request.user)
        if profile is None:
            return False
        request.profile = profile
        if request.method in permissions.SAFE_METHODS:
            return True
        if not hasattr(view, request.method.lower()):
            return True  # a method the view lacks (DELETE): let it answer 405, not 403
        return profile.role in getattr(view, "write_roles", EDITORS)


class ProfileMixin(LoginRequiredMixin):
    """Class-based views: login required, `self.profile` set, optional role list."""

    roles: Iterable[str] | None = None
    profile: Profile

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.profile = require_role(request, self.roles) if self.roles else require_profile(request)
        return super().dispatch(request, *args, **kwargs)
