"""Limits on the family sign-in, counted in the database so every web process sees them.

Four counters run over fixed windows of settings.FAMILY_SIGNIN_WINDOW_MINUTES, aligned on
the epoch: codes sent per registration number, code requests per client, wrong codes per
registration number and wrong codes per client. Fixed windows make the promise countable:
a key gets at most its limit in one window, and a year holds a known number of windows
(docs/security.md). A counter is taken *before* the guarded work, so concurrent requests
cannot slip past the limit together; a good code gives its slots back.

Keys are HMACs of the registration number as typed (whether or not it is a family's, so a
number that does not exist is limited exactly like one that does) or of the client address;
the table holds neither.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from homecoming.handover.models import SignInAttempt, SignInAttemptKind

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LIMIT_SETTINGS = {
    SignInAttemptKind.CODE_NUMBER: "FAMILY_CODES_PER_NUMBER",
    SignInAttemptKind.CODE_CLIENT: "FAMILY_CODES_PER_CLIENT",
    SignInAttemptKind.FAIL_NUMBER: "FAMILY_FAILS_PER_NUMBER",
    SignInAttemptKind.FAIL_CLIENT: "FAMILY_FAILS_PER_CLIENT",
}


def limit(kind: str) -> int:
    return int(getattr(settings, LIMIT_SETTINGS[SignInAttemptKind(kind)]))


def window() -> timedelta:
    return timedelta(minutes=settings.FAMILY_SIGNIN_WINDOW_MINUTES)


def window_start(now: datetime) -> datetime:
    size = int(window().total_seconds())
    elapsed = int((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % size)


def window_end(now: datetime) -> datetime:
    return window_start(now) + window()


def number_key(reg_number: str) -> str:
    """The key of a registration number as typed (the lookup ignores case and spaces)."""
    return reg_number.strip().casefold()


def key_hash(kind: str, key: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"sign-in|{kind}|{key}".encode(), hashlib.sha256).hexdigest()


def used(kind: str, key: str, now: datetime) -> int:
    """How many events `key` had in the window holding `now`."""
    rows = SignInAttempt.objects.filter(
        kind=kind, key_hash=key_hash(kind, key), window_start=window_start(now)
    )
    return rows.values_list("count", flat=True).first() or 0


@transaction.atomic
def do_take(kind: str, key: str, now: datetime) -> bool:
    """Count one event for `key`; True while the window's count stays within the limit.

    The row update takes the row's lock, so on PostgreSQL concurrent takers queue behind it
    and each reads its own count; SQLite serialises the whole write transaction.
    """
    digest = key_hash(kind, key)
    start = window_start(now)
    rows = SignInAttempt.objects.filter(kind=kind, key_hash=digest, window_start=start)
    if not rows.update(count=F("count") + 1, updated_at=now):
        try:
            with transaction.atomic():
                SignInAttempt.objects.create(
                    kind=kind, key_hash=digest, window_start=start, count=1
                )
        except IntegrityError:  # another process created the row first
            rows.update(count=F("count") + 1, updated_at=now)
    count = rows.values_list("count", flat=True).get()
    return count <= limit(kind)


@transaction.atomic
def do_give_back(kind: str, key: str, now: datetime) -> None:
    """Undo one event of `key` (a good code is not a failed attempt)."""
    SignInAttempt.objects.filter(
        kind=kind, key_hash=key_hash(kind, key), window_start=window_start(now), count__gt=0
    ).update(count=F("count") - 1, updated_at=now)
