"""Start the clock on offers whose home is ready now, expire unanswered offers past their
deadline and remind families whose deadline is near.

Run it from cron (e.g. hourly) or let the job "handover_expire" do it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from homecoming.handover.services import (
    do_expire_offers,
    do_remind_deadlines,
    do_start_deadlines,
)


class Command(BaseCommand):
    help = (
        "Give a deadline to offers whose home is ready now, expire overdue offers (their "
        "homes go down the reserve lists) and send reminders."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = do_start_deadlines()
        expired = do_expire_offers()
        reminded = do_remind_deadlines()
        self.stdout.write(
            f"{started} offers given a deadline, {expired} offers expired, {reminded} reminders queued"
        )
