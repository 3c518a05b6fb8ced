"""Expire unanswered offers past their deadline and remind families whose deadline is near.

Run it from cron (e.g. hourly) or let the job "handover_expire" do it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from homecoming.handover.services import do_expire_offers, do_remind_deadlines


class Command(BaseCommand):
    help = "Expire overdue offers (their homes go down the reserve lists) and send reminders."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = do_expire_offers()
        reminded = do_remind_deadlines()
        self.stdout.write(f"{expired} offers expired, {reminded} reminders queued")
