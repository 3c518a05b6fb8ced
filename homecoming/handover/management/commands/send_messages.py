"""Send the outbox's queued and failed messages through the configured backend."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from homecoming.handover.messaging import send_pending


class Command(BaseCommand):
    help = "Send queued outbox messages (retries failed ones, up to 5 attempts)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_pending()} messages sent")
