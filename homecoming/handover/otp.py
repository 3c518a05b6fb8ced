"""One-time sign-in codes for the family self-service.

A code is settings.FAMILY_CODE_DIGITS digits sent by SMS through the outbox; only an HMAC
of it is stored, and it expires after settings.FAMILY_CODE_MINUTES. Asking for a code and
entering one do the same work whether or not the registration number is a family's, has a
phone, or has used up its codes: the number is looked up, a code is drawn and hashed, the
counters are taken and one delivery job is queued in every case, so neither the answer nor
its time tells whether a family exists. The limits (handover/throttle.py) are counted per
registration number and per client over fixed windows, so a new code buys no new tries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from homecoming.handover import messaging, throttle
from homecoming.handover.models import (
    Message,
    MessageStatus,
    OneTimeCode,
    SignInAttemptKind,
)
from homecoming.registry.models import Household

NOBODY = 0  # the household id hashed for a number that is no family's


@dataclass
class Locked(Exception):
    """A limit is reached until `until`: `kind` says whose (the client's or the number's)."""

    kind: str
    until: datetime


def code_digits() -> int:
    return int(settings.FAMILY_CODE_DIGITS)


def new_code() -> str:
    digits = code_digits()
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def _digest(household_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{household_id}:{code}".encode(), hashlib.sha256).hexdigest()


def find_household(reg_number: str) -> Household | None:
    return Household.objects.filter(reg_number__iexact=reg_number.strip()).first()


@task()
def send_code(message_id: int) -> None:
    """Deliver a code's SMS outside the request (a gateway's delay would tell a family exists).

    Queued for every request; for an unknown number `message_id` matches nothing."""
    message = Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).first()
    if message is not None:
        messaging.deliver(message)


@transaction.atomic
def do_request_code(reg_number: str, client: str, language: str) -> None:
    """Send a code to the family `reg_number` names, if any and if its limits allow.

    Raises Locked only for the client's own limit, which says nothing about the number;
    a number out of codes (or locked by wrong codes) silently gets none.
    """
    now = timezone.now()
    if not throttle.do_take(SignInAttemptKind.CODE_CLIENT, client, now):
        raise Locked(SignInAttemptKind.CODE_CLIENT, throttle.window_end(now))
    number = throttle.number_key(reg_number)
    number_ok = throttle.do_take(SignInAttemptKind.CODE_NUMBER, number, now)
    not_locked = throttle.used(SignInAttemptKind.FAIL_NUMBER, number, now) < throttle.limit(
        SignInAttemptKind.FAIL_NUMBER
    )
    household = find_household(reg_number)
    code = new_code()
    digest = _digest(household.pk if household else NOBODY, code)
    message_id = 0
    if household is not None and household.phone and number_ok and not_locked:
        OneTimeCode.objects.create(
            household=household,
            code_hash=digest,
            expires_at=now + timedelta(minutes=settings.FAMILY_CODE_MINUTES),
        )
        message = messaging.queue(
            "one_time_code",
            {"code": code, "minutes": settings.FAMILY_CODE_MINUTES},
            to=household.phone,
            household=household,
            language=language,
            send_now=False,
        )
        message_id = message.pk
    transaction.on_commit(lambda: send_code.enqueue(message_id))


def check_code(reg_number: str, client: str, code: str) -> Household | None:
    """The family when `code` is the latest live code of `reg_number`, else None.

    Raises Locked when the client or the number has used up its wrong codes for the window,
    even if this code is right: the lock holds until the window ends.
    """
    household, locked = _do_check_code(reg_number, client, code)
    if locked is not None:
        raise locked
    return household


@transaction.atomic
def _do_check_code(
    reg_number: str, client: str, code: str
) -> tuple[Household | None, Locked | None]:
    # Returns the lock instead of raising it: the counters taken here must be committed.
    now = timezone.now()
    number = throttle.number_key(reg_number)
    household = find_household(reg_number)
    household_id = household.pk if household else NOBODY
    digest = _digest(household_id, code.strip())
    latest = (
        OneTimeCode.objects.select_for_update()
        .filter(household_id=household_id, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    # Slots are taken before the code is compared, so parallel guesses cannot overrun the
    # limit; the client's first, so a locked client does not use up the number's slots.
    if not throttle.do_take(SignInAttemptKind.FAIL_CLIENT, client, now):
        return None, Locked(SignInAttemptKind.FAIL_CLIENT, throttle.window_end(now))
    if not throttle.do_take(SignInAttemptKind.FAIL_NUMBER, number, now):
        return None, Locked(SignInAttemptKind.FAIL_NUMBER, throttle.window_end(now))
    # A number with no live code is compared against a fresh hash: the same work either way.
    expected = latest.code_hash if latest is not None else _digest(NOBODY, new_code())
    if hmac.compare_digest(expected, digest) and latest is not None:
        latest.used_at = now
        latest.save(update_fields=["used_at"])
        throttle.do_give_back(SignInAttemptKind.FAIL_CLIENT, client, now)
        throttle.do_give_back(SignInAttemptKind.FAIL_NUMBER, number, now)
        return household, None
    return None, None
