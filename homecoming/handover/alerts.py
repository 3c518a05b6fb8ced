"""Security alerts to the programme's administrators, through the outbox.

`core.access` calls `notify_administrators` (ALERT_HANDLERS) with each new bulk-read alert,
inside the transaction that wrote it, so the e-mail is queued with it and sent after commit.
The recipient is settings.BULK_READ_ALERT_TO (a shared security mailbox) when set, else every
active administrator with an e-mail address; with neither, the alert stays on the
administrators' dashboard and in the "Reads and exports" page only. Alerts are e-mails, not
SMS: they name a user and a count, which belongs in a mailbox the programme controls.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from homecoming.accounts.models import Role
from homecoming.core.models import BulkReadAlert
from homecoming.handover import messaging
from homecoming.handover.models import Channel, Message

log = logging.getLogger(__name__)


def administrator_addresses() -> list[str]:
    if settings.BULK_READ_ALERT_TO:
        return [settings.BULK_READ_ALERT_TO]
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(profile__role=Role.ADMINISTRATOR) | Q(is_superuser=True, profile__isnull=True))
        .exclude(email="")
        .order_by("pk")
    )
    return list(dict.fromkeys(u.email for u in users))


def notify_administrators(alert: BulkReadAlert) -> list[Message]:
    """Queue one e-mail per recipient about `alert`."""
    addresses = administrator_addresses()
    if not addresses:
        log.warning("bulk-read alert %s: no administrator e-mail address to send it to", alert.pk)
    language = settings.LANGUAGE_CODE.split("-")[0]
    context = {
        "actor": alert.actor,
        "records": alert.records,
        "threshold": alert.threshold,
        "at": alert.at,
        "url": messaging.absolute_url(
            reverse("audit-reads") + "?" + urlencode({"actor": alert.actor})
        ),
    }
    return [
        messaging.queue(
            "bulk_read_alert", context, to=address, language=language, channel=Channel.EMAIL
        )
        for address in addresses
    ]
