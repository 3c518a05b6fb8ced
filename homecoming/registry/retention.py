"""Retention of raw import files (see core.retention)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from homecoming.core.retention import days_ago
from homecoming.registry.models import RegistryImport


def purge_import_files(now: dt.datetime, dry_run: bool) -> int:
    """Delete the stored files of imports that ended RETENTION_IMPORT_FILE_DAYS ago.

    The record stays (counts, errors, SHA-256, who and when) and `files_purged_at` says the
    files are gone. Only files under MEDIA_ROOT are ours to delete: a CLI import records the
    operator's own path, which is left alone (and marked, so it is not looked at again).
    """
    old = RegistryImport.objects.filter(
        finished_at__lt=days_ago(now, "RETENTION_IMPORT_FILE_DAYS"), files_purged_at__isnull=True
    )
    if dry_run:
        return old.count()
    media = Path(settings.MEDIA_ROOT).resolve()
    found = list(old.select_for_update())
    for imp in found:
        for stored in (imp.households_file, imp.persons_file):
            path = Path(stored) if stored else None
            if path is not None and path.resolve().is_relative_to(media):
                # Deleted before the row is marked: if the commit fails, the next run
                # finds the import again and the missing file is no error.
                path.unlink(missing_ok=True)
    RegistryImport.objects.filter(pk__in=[imp.pk for imp in found]).update(files_purged_at=now)
    return len(found)
