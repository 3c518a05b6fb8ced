"""Retention of the handover's personal and secret rows (see core.retention)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q

from homecoming.core.retention import days_ago
from homecoming.handover.messaging import MAX_ATTEMPTS
from homecoming.handover.models import Message, MessageStatus, OneTimeCode, SignInAttempt


def purge_codes(now: dt.datetime, dry_run: bool) -> int:
    """One-time codes (hashes) a day or more past their expiry, used or not."""
    old = OneTimeCode.objects.filter(expires_at__lt=days_ago(now, "RETENTION_CODE_DAYS"))
    return old.count() if dry_run else old.delete()[0]


def purge_counters(now: dt.datetime, dry_run: bool) -> int:
    """Sign-in counters whose window ended RETENTION_SIGNIN_COUNTER_DAYS ago."""
    window = dt.timedelta(minutes=settings.FAMILY_SIGNIN_WINDOW_MINUTES)
    cutoff = days_ago(now, "RETENTION_SIGNIN_COUNTER_DAYS") - window
    old = SignInAttempt.objects.filter(window_start__lt=cutoff)
    return old.count() if dry_run else old.delete()[0]


def purge_messages(now: dt.datetime, dry_run: bool) -> int:
    """Blank the text, subject and address of messages sent, or failed for good, long ago.

    The row stays, with its family, template, language, status and dates: the outbox still
    shows that a family was told, and when, without what was written or to which number.
    """
    cutoff = days_ago(now, "RETENTION_MESSAGE_DAYS")
    sent = Q(status=MessageStatus.SENT, sent_at__lt=cutoff)
    # A failed message is retried until MAX_ATTEMPTS; only then is it failed for good.
    given_up = Q(status=MessageStatus.FAILED, attempts__gte=MAX_ATTEMPTS, created_at__lt=cutoff)
    old = Message.objects.filter(sent | given_up).exclude(body="", subject="", to="")
    if dry_run:
        return old.count()
    return old.update(body="", subject="", to="", error="")
