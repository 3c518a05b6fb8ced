"""Sign-in bookkeeping: when a session started; a new password ends every way in."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.http import HttpRequest

from homecoming.accounts.middleware import SEEN_AT, SIGNED_IN_AT


def start_session_clock(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


def revoke_tokens_on_new_password(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Other sessions end by themselves on a new password (Django checks a hash of it in each
    session); API tokens do not, so they are revoked here."""
    if instance.pk is None or kwargs.get("raw"):
        return
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        from homecoming.accounts.services import do_revoke_tokens_of

        do_revoke_tokens_of(instance)


def connect() -> None:
    user_logged_in.connect(start_session_clock, dispatch_uid="accounts-session-clock")
    pre_save.connect(
        revoke_tokens_on_new_password,
        sender=get_user_model(),
        dispatch_uid="accounts-revoke-tokens-on-new-password",
    )
