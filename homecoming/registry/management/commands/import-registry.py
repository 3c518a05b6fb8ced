"""`homecoming import-registry FILE [--persons FILE] [--format csv|xlsx|odk] [--encoding ENC]
[--partial]`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homecoming.core.exports import SafeDictWriter
from homecoming.core.files import ENCODINGS
from homecoming.core.jobs import sweep_and_report
from homecoming.registry.importers import create_import, run_import
from homecoming.registry.models import ImportFormat, ImportStatus

#: Bad rows printed on the terminal; --report writes them all.
SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import households and persons from CSV, XLSX or an ODK/KoBo export. Every row is "
        "checked first; with bad rows nothing is imported unless --partial is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="households file (or the whole export)")
        parser.add_argument("--persons", type=Path, help="persons file (or ODK repeat file)")
        parser.add_argument("--format", choices=ImportFormat.values, default="")
        parser.add_argument(
            "--encoding",
            choices=list(ENCODINGS),
            default="",
            help="encoding of CSV files (default UTF-8; an invalid byte refuses the file)",
        )
        parser.add_argument(
            "--partial", action="store_true", help="import the good rows, report the bad ones"
        )
        parser.add_argument(
            "--user", help="import as this user (a district officer's import is limited)"
        )
        parser.add_argument("--report", type=Path, help="write every bad row to this CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        for path in (options["file"], options["persons"]):
            if path is not None and not path.is_file():
                raise CommandError(f"{path}: no such file")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        # An import killed earlier would stay pending for ever: say it failed first.
        sweep_and_report(self.stdout)
        imp = create_import(
            options["file"].resolve(),
            options["persons"].resolve() if options["persons"] else None,
            fmt=options["format"],
            partial=options["partial"],
            encoding=options["encoding"],
            user=user,
        )
        started = time.monotonic()
        last = [-1]

        def progress(fraction: float, message: str) -> None:
            percent = int(fraction * 100)
            if percent != last[0]:
                last[0] = percent
                self.stdout.write(f"{percent:3d}% {message}")

        imp = run_import(imp, progress)
        took = time.monotonic() - started
        for error in imp.errors[:SHOWN]:
            self.stderr.write(
                f"{error['file']}, row {error['row']}, {error['field'] or '-'}: {error['message']}"
            )
        if imp.error_count > SHOWN:
            self.stderr.write(f"... and {imp.error_count - SHOWN} more (see --report)")
        if options["report"]:
            with options["report"].open("w", newline="", encoding="utf-8") as f:
                writer = SafeDictWriter(f, fieldnames=["file", "row", "field", "message"])
                writer.writeheader()
                writer.writerows(imp.errors)
        self.stdout.write(
            f"{imp.get_status_display()}: {imp.households_created:,} households and "
            f"{imp.persons_created:,} persons created, {imp.rows_unchanged:,} rows already in "
            f"the registry, {imp.error_count:,} bad rows ({took:.1f} s, import #{imp.pk})."
        )
        if imp.status in (ImportStatus.REJECTED, ImportStatus.FAILED):
            sys.exit(1)
