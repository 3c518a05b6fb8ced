"""Writes on accounts: API tokens and second-factor devices."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecoming.accounts.models import ApiToken
from homecoming.accounts.tokens import digest_of

BACKUP_CODES = 10


@transaction.atomic
def do_issue_token(user: Any, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; the raw token is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=digest_of(raw),
        prefix=raw[:8],
        name=name,
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
    )
    return token, raw


@transaction.atomic
def do_revoke_token(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def do_revoke_tokens_of(user: Any) -> int:
    """Revoke every live token of `user` (a changed password, a departed officer)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def do_start_enrolment(user: Any) -> TOTPDevice:
    """The user's unconfirmed authenticator, made once and kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def do_confirm_enrolment(device: TOTPDevice) -> list[str]:
    """Confirm the authenticator (its code was checked) and give fresh backup codes."""
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return do_new_backup_codes(device.user)


@transaction.atomic
def do_new_backup_codes(user: Any) -> list[str]:
    """Replace the user's single-use backup codes; returns them to be shown once."""
    backup, _ = StaticDevice.objects.get_or_create(
        user=user, name="backup", defaults={"confirmed": True}
    )
    backup.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return codes


@transaction.atomic
def do_reset_second_factor(user: Any) -> None:
    """Recovery by an administrator: remove the user's devices; they enrol again at sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def do_give_demo_second_factor(user: Any) -> tuple[TOTPDevice, list[str]]:
    """Demo only: a confirmed authenticator and backup codes, whose secrets the demo prints."""
    do_reset_second_factor(user)
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device, do_new_backup_codes(user)
