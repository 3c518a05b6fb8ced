"""The run of an import: its record, its files kept on disk, the job, the outcome.

:func:`create_import` records an import of files already on disk (:func:`save_upload` keeps
an upload there); :func:`run_import` reads them (:mod:`.readers`), checks every row
(:mod:`.validation`) and writes the plan through
:func:`homecoming.registry.services.do_write_import` only if there is no bad row, or if the
user asked for the good rows (``partial``); the outcome is recorded on the import.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.accounts.models import profile_of
from homecoming.core.jobs import Heartbeat
from homecoming.core.models import Job
from homecoming.registry.importers.readers import (
    ImportFileError,
    RowError,
    Table,
    join_odk,
    read_any,
    read_file,
    split_tables,
)
from homecoming.registry.importers.validation import (
    Plan,
    Progress,
    keep_whole_families,
    validate,
)
from homecoming.registry.models import ImportFormat, ImportStatus, RegistryImport

#: Bad rows kept in the database per import; the count is always exact.
MAX_STORED_ERRORS = 20_000


def file_digest(*paths: Path) -> str:
    """SHA-256 over the files' own SHA-256s, each read in chunks (never whole in memory)."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()


def save_upload(upload: UploadedFile[Any]) -> Path:
    """Keep an uploaded file under MEDIA_ROOT/imports (the worker reads it from there).

    Written as it streams in (never whole in memory); MEDIA_ROOT is not served: the file
    goes out only through the import's permission-checked download.
    """
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.\-]+", "_", Path(upload.name or "upload").name)[-100:]
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=folder)
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    path = folder / f"{digest.hexdigest()[:16]}-{safe}"
    os.replace(tmp, path)
    return path


def create_import(
    households_file: Path,
    persons_file: Path | None = None,
    *,
    fmt: str = "",
    partial: bool = False,
    user: Any = None,
    original_name: str = "",
    encoding: str = "",
) -> RegistryImport:
    """Record an import of files already on disk (not started yet)."""
    profile = profile_of(user) if user is not None else None
    paths = [households_file] if persons_file is None else [households_file, persons_file]
    return RegistryImport.objects.create(
        format=fmt,
        households_file=str(households_file),
        persons_file=str(persons_file or ""),
        original_name=original_name or households_file.name,
        sha256=file_digest(*paths),
        partial=partial,
        encoding=encoding,
        district_id=profile.district_id if profile else None,
        created_by=user,
    )


def load_tables(imp: RegistryImport) -> tuple[Table, Table | None, str]:
    main_path = Path(imp.households_file)
    name = imp.original_name or main_path.name
    main = read_any(read_file(main_path, name), name, imp.encoding)
    persons = None
    if imp.persons_file:
        p = Path(imp.persons_file)
        persons = read_any(read_file(p, p.name), p.name, imp.encoding)
    return split_tables(main, persons, imp.format)


def run_import(imp: RegistryImport, progress: Progress | None = None) -> RegistryImport:
    """Read, validate and (if allowed) write one import; record the outcome on `imp`."""
    from homecoming.core.audit import audit_channel
    from homecoming.registry.services import gc_paused

    _touch(imp.pk)
    # A million rows are a few million objects kept until the write: the cyclic garbage
    # collector would walk them again and again (a third of the time), and finds nothing.
    with (
        gc_paused(),
        Heartbeat(lambda: _touch(imp.pk)),
        audit_channel("import", f"import #{imp.pk} {imp.original_name}", actor=imp.created_by),
    ):
        return _run_import(imp, progress)


def _touch(pk: int) -> None:
    RegistryImport.objects.filter(pk=pk, status=ImportStatus.PENDING).update(
        heartbeat_at=timezone.now()
    )


def _run_import(imp: RegistryImport, progress: Progress | None) -> RegistryImport:
    from homecoming.registry.services import do_flag_shared_identities, do_write_import

    last_touch = [time.monotonic()]

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)
        # Inside the write's transaction on PostgreSQL this also locks the import's row
        # until the commit, which tells the sweep that a live process holds it.
        if time.monotonic() - last_touch[0] >= 1.0:
            last_touch[0] = time.monotonic()
            _touch(imp.pk)

    report(0.0, _("Reading the files"))
    done_before = (
        RegistryImport.objects.filter(sha256=imp.sha256, status=ImportStatus.IMPORTED)
        .exclude(pk=imp.pk)
        .exists()
    )
    try:
        households, persons, fmt = load_tables(imp)
    except ImportFileError as exc:
        return _finish(
            imp, ImportStatus.REJECTED, Plan(errors=[RowError(imp.original_name, 0, "", str(exc))])
        )
    imp.format = fmt
    if fmt == ImportFormat.ODK and persons is not None:
        join_errors = join_odk(households, persons)
    else:
        join_errors = []
    plan = validate(households, persons, district_id=imp.district_id, progress=report)
    plan.errors[:0] = join_errors
    if plan.errors and not imp.partial:
        return _finish(imp, ImportStatus.REJECTED, plan)
    if imp.partial:
        keep_whole_families(plan)
    if done_before and not plan.households and not plan.persons:
        return _finish(imp, ImportStatus.UNCHANGED, plan)
    counts = do_write_import(plan, progress=lambda f, m: report(0.5 + 0.5 * f, m))
    do_flag_shared_identities(p.national_id for p in plan.persons)
    imp.households_created, imp.persons_created = counts
    if not plan.households and not plan.persons:
        status = ImportStatus.UNCHANGED
    else:
        status = ImportStatus.PARTIAL if plan.errors else ImportStatus.IMPORTED
    report(1.0, _("Done"))
    return _finish(imp, status, plan)


def _finish(imp: RegistryImport, status: str, plan: Plan) -> RegistryImport:
    imp.status = status
    imp.failure = ""  # what really happened, even if a sweep gave up on it too early
    imp.households_read = plan.households_read
    imp.persons_read = plan.persons_read
    imp.rows_unchanged = plan.unchanged
    imp.error_count = len(plan.errors)
    imp.errors = [e.as_dict() for e in plan.errors[:MAX_STORED_ERRORS]]
    imp.finished_at = timezone.now()
    imp.save()
    return imp


def run_import_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Job handler: run the import recorded in ``job.params["import_id"]``."""
    imp = RegistryImport.objects.get(pk=job.params["import_id"])
    try:
        imp = run_import(imp, progress)
    except Exception:
        RegistryImport.objects.filter(pk=imp.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now()
        )
        raise
    return summary(imp)


def summary(imp: RegistryImport) -> dict[str, Any]:
    return {
        "import_id": imp.pk,
        "status": imp.status,
        "households_created": imp.households_created,
        "persons_created": imp.persons_created,
        "rows_unchanged": imp.rows_unchanged,
        "bad_rows": imp.error_count,
    }
