"""Staff sign-in rules shared by the login pages, the admin, the API token endpoint and the
middleware: the client's address, the lockout answer, and who needs a second factor."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token
from django_otp.models import Device

from homecoming.accounts.models import profile_of


def lockout_message() -> str:
    # The same words whether or not the username exists, and whether the account or the
    # address tripped the limit: the answer must not confirm a username.
    return _(
        "Too many failed sign-in attempts for this username or from this address. "
        "Sign-in is refused, even with the right password, for %(minutes)d minutes; "
        "every attempt during the wait starts it again. An administrator can lift it."
    ) % {"minutes": settings.SIGNIN_LOCKOUT_MINUTES}


def lockout_response(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out sign-in gets (axes' AXES_LOCKOUT_CALLABLE): 429 with Retry-After."""
    retry_after = str(settings.SIGNIN_LOCKOUT_MINUTES * 60)
    if request.path.startswith("/api/"):
        answer: HttpResponse = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        form = AuthenticationForm(request)
        answer = render(
            request,
            "registration/login.html",
            {"form": form, "lockout": lockout_message()},
            status=429,
        )
    answer["Retry-After"] = retry_after
    return answer


def readable_key(device: Any) -> str:
    """A TOTP device's secret as an authenticator app asks for it: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirmed_devices(user: Any) -> list[Device]:
    return list(devices_for_user(user, confirmed=True))


def role_requires_second_factor(user: Any) -> bool:
    profile = profile_of(user)
    return profile is not None and profile.role in settings.OTP_REQUIRED_ROLES


def needs_second_factor(user: Any) -> bool:
    """A role in OTP_REQUIRED_ROLES, or anyone who enrolled a device, proves a second factor."""
    return role_requires_second_factor(user) or bool(confirmed_devices(user))


def check_second_factor(user: Any, code: str) -> Device | None:
    """The device (authenticator or backup codes) that accepts `code`, or None. Each device
    throttles its own failures (the wait doubles after each wrong code), and a TOTP code is
    accepted once only."""
    code = "".join(code.split())
    if not code:
        return None
    return match_token(user, code)
