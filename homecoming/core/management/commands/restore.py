"""Restore a backup folder into a fresh database and an empty media folder, and check it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homecoming.core.backup import BackupError, Database, restore


class Command(BaseCommand):
    help = (
        "Restore FOLDER into the database at --database-url (fresh: no tables) and media into "
        "--media-dir (empty), then compare every table's rows and every file with the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--database-url", required=True, help="postgres://... or sqlite:///...")
        parser.add_argument("--media-dir", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            db = Database.from_settings(dj_database_url.parse(options["database_url"]))
            manifest = restore(options["folder"], db, options["media_dir"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"restored and checked: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['media']['files'])} media files"
        )
