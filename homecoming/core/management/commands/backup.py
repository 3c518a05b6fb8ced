"""Back up the database and the uploaded files into a new folder, with a checked manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from homecoming.core.backup import BackupError, Database, backup


class Command(BaseCommand):
    help = "Back up the database and media into FOLDER (a new folder), with counts and checksums."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        db = Database.from_settings(settings.DATABASES["default"])
        if db.vendor == "sqlite":
            # The live file, even for an in-memory test database: SQLite's backup API reads
            # through this connection's file name.
            db = Database("sqlite", path=str(connection.settings_dict["NAME"]))
        try:
            manifest = backup(db, Path(settings.MEDIA_ROOT), options["folder"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"{options['folder']}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['media']['files'])} media files"
        )
