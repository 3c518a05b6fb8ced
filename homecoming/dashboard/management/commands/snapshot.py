"""``homecoming snapshot``: keep today's figures of the programme (national and per district).

The worker does it once a day by itself; this is for cron without a worker, or by hand.
A day's snapshot is taken once: run twice, the second run keeps the first and says so.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from homecoming.core.audit import audit_channel
from homecoming.dashboard.history import take_snapshots
from homecoming.dashboard.models import SnapshotSource


class Command(BaseCommand):
    help = "Keep today's programme figures (one snapshot per day, national and per district)."

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_channel("cli", "snapshot"):
            taken = take_snapshots(SnapshotSource.COMMAND)
        self.stdout.write(f"{taken} snapshot(s) taken")
