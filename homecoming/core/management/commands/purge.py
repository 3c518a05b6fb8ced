"""Delete or anonymise what is past its retention period (docs/operations.md, "Retention")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from homecoming.core import retention


class Command(BaseCommand):
    help = "Delete or anonymise what is past its retention period (RETENTION_* settings)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be purged, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        done = retention.purge(dry_run=dry_run)
        width = max(len(p.name) for p, _ in done)
        for purger, count in done:
            verb = f"would be {purger.action}" if dry_run else purger.action
            self.stdout.write(f"{purger.name.ljust(width)}  {count:>8} {verb}")
        total = sum(n for _, n in done)
        self.stdout.write(
            f"Dry run: {total} rows would be purged; nothing changed."
            if dry_run
            else f"Purged {total} rows."
        )
