"""One-time sign-in codes for the family self-service.

A code is six digits sent by SMS through the outbox; only an HMAC of it is stored. It
expires after a few minutes, allows a few wrong tries, and a family can ask for only a few
codes in a quarter of an hour (so the outbox cannot be used to flood a phone).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from homecoming.handover import messaging
from homecoming.handover.models import OneTimeCode
from homecoming.registry.models import Household

CODE_MINUTES = 10
MAX_CODES = 3  # per family per RATE_WINDOW
RATE_WINDOW = timedelta(minutes=15)
MAX_TRIES = 5  # wrong codes before a code is dead


class TooManyCodes(Exception):
    """The family asked for too many codes recently."""


def _digest(household_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{household_id}:{code}".encode(), hashlib.sha256).hexdigest()


def find_household(reg_number: str) -> Household | None:
    return Household.objects.filter(reg_number__iexact=reg_number.strip()).first()


@transaction.atomic
def do_send_code(household: Household, language: str) -> None:
    """Create a code and queue it to the family's phone. Raises TooManyCodes."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    now = timezone.now()
    recent = OneTimeCode.objects.filter(household=household, created_at__gte=now - RATE_WINDOW)
    if recent.count() >= MAX_CODES:
        raise TooManyCodes
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.create(
        household=household,
        code_hash=_digest(household.pk, code),
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    messaging.queue(
        "one_time_code",
        {"code": code, "minutes": CODE_MINUTES},
        to=household.phone,
        household=household,
        language=language,
    )


@transaction.atomic
def do_check_code(household: Household, code: str) -> bool:
    """True (and the code used up) when `code` is the family's latest live code."""
    now = timezone.now()
    latest = (
        OneTimeCode.objects.select_for_update()
        .filter(household=household, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if latest is None or latest.attempts >= MAX_TRIES:
        return False
    if hmac.compare_digest(latest.code_hash, _digest(household.pk, code.strip())):
        latest.used_at = now
        latest.save(update_fields=["used_at"])
        return True
    latest.attempts += 1
    latest.save(update_fields=["attempts"])
    return False
