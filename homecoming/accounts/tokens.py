"""API tokens (stored as hashes, expiring, revocable) and the API's throttles."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling

from homecoming.accounts.models import ApiToken

#: A token's last use is written at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest_of(raw: str) -> str:
    # A token has 256 random bits: a plain SHA-256 is enough, no salt or slow hash needed.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <token>` (as DRF's authtoken had it) or `Bearer <token>`."""

    keywords = ("token", "bearer")

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as 'Token <token>'."))
        raw = parts[1].decode(errors="replace")
        token = ApiToken.objects.select_related("user").filter(digest=digest_of(raw)).first()
        now = timezone.now()
        # One answer for unknown, expired and revoked tokens: nothing to learn by probing.
        if token is None or not token.is_active(now) or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return "Token"


class SettingsRateMixin:
    """DRF reads its rates once at import; these read API_THROTTLE_RATES on each request, so
    a deployment (or a test) can change them."""

    scope: str | None

    def get_rate(self) -> str:
        return str(settings.API_THROTTLE_RATES[str(self.scope)])


class AnonThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    pass


class UserThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    pass


class TokenThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Requests to /api/token/ per client address, signed in or not."""

    scope = "token"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """How the OpenAPI schema describes the token (as drf-spectacular did for DRF's)."""

    target_class = "homecoming.accounts.tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token from /api/token/, sent with the prefix "Token"',
        }
