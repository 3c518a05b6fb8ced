"""One-time sign-in codes for the family self-service.

A code is settings.FAMILY_CODE_DIGITS digits sent by SMS through the outbox; only an HMAC
of it is stored, and it expires after settings.FAMILY_CODE_MINUTES. Asking for a code and
entering one do the same work whether or not the registration number is a family's, has a
phone, or has used up its codes: asking takes the counters and queues one job (which makes
and sends the code, if there is a family to send it to); entering runs one query for the
number's live code, takes the counters and compares one hash. Neither the answer nor its
time tells whether a family exists. The limits (handover/throttle.py) are counted per
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
from homecoming.handover.models import OneTimeCode, SignInAttemptKind
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
def send_code(reg_number: str, language: str, allowed: bool) -> None:
    """Make a code for the family `reg_number` names, if any, and send it by SMS.

    A job, not the request: the request then does the same work for every number (it never
    even looks the number up), and a gateway's delay cannot tell that a family exists.
    """
    household = find_household(reg_number)
    if not allowed or household is None or not household.phone:
        return
    with transaction.atomic():
        code = new_code()
        OneTimeCode.objects.create(
            household=household,
            code_hash=_digest(household.pk, code),
            expires_at=timezone.now() + timedelta(minutes=settings.FAMILY_CODE_MINUTES),
        )
        # Sent once this block commits; the outbox masks the code once it is delivered.
        messaging.queue(
            "one_time_code",
            {"code": code, "minutes": settings.FAMILY_CODE_MINUTES},
            to=household.phone,
            household=household,
            language=language,
        )


@transaction.atomic
def do_request_code(reg_number: str, client: str, language: str) -> None:
    """Have a code sent to the family `reg_number` names, if any and if its limits allow.

    Raises Locked only for the client's own limit, which says nothing about the number; a
    number out of codes (or locked by wrong codes) silently gets none.
    """
    now = timezone.now()
    if not throttle.do_take(SignInAttemptKind.CODE_CLIENT, client, now):
        raise Locked(SignInAttemptKind.CODE_CLIENT, throttle.window_end(now))
    number = throttle.number_key(reg_number)
    allowed = throttle.do_take(SignInAttemptKind.CODE_NUMBER, number, now) and (
        throttle.used(SignInAttemptKind.FAIL_NUMBER, number, now)
        < throttle.limit(SignInAttemptKind.FAIL_NUMBER)
    )
    reg = reg_number.strip()
    transaction.on_commit(lambda: send_code.enqueue(reg, language, allowed))


def do_check_code(reg_number: str, client: str, code: str) -> Household | None:
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
    # One query whether or not the number is a family's: its latest live code, if any.
    latest = (
        OneTimeCode.objects.select_for_update(of=("self",))
        .select_related("household")
        .filter(
            household__reg_number__iexact=reg_number.strip(),
            used_at__isnull=True,
            expires_at__gt=now,
        )
        .order_by("-created_at")
        .first()
    )
    digest = _digest(latest.household_id if latest is not None else NOBODY, code.strip())
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
        return latest.household, None
    return None, None
