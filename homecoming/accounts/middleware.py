"""Sessions end when idle or old; staff who need a second factor prove it before anything."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from homecoming.accounts.signin import confirmed_devices, needs_second_factor

SIGNED_IN_AT = "signin_at"
SEEN_AT = "seen_at"
#: Last-seen is written at most this often (seconds), not on every request.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Log out a session idle for SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS.

    SESSION_COOKIE_AGE alone is not absolute (a saved session gets a new expiry), so the
    sign-in time is kept in the session and checked here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in = float(session.setdefault(SIGNED_IN_AT, now))
            seen = float(session.get(SEEN_AT, now))
            if (
                now - seen > settings.SESSION_IDLE_MINUTES * 60
                or now - signed_in > settings.SESSION_MAX_HOURS * 3600
            ):
                logout(request)
                messages.info(request, _("Your session ended. Please log in again."))
            elif now - seen >= SEEN_RESOLUTION or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)


def _open_paths() -> tuple[str, ...]:
    """Where an unverified user may go: signing in and out, enrolment, static files."""
    return (
        reverse("login"),
        reverse("logout"),
        reverse("accounts:enrol"),
        reverse("accounts:verify"),
        reverse("admin:logout"),
        "/i18n/",
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class SecondFactorMiddleware:
    """A signed-in user who needs a second factor and has not proved it this session reaches
    only the enrolment and verification pages (the admin and the API included)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(_open_paths())
            and needs_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Prove your second factor on the web first.")}, status=403
                )
            target = "accounts:verify" if confirmed_devices(user) else "accounts:enrol"
            return HttpResponseRedirect(
                f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
