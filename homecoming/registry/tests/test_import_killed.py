"""An import whose process is killed (SIGKILL) mid-write: the sweep marks it failed with
the reason, and the registry is exactly as it was before the import.

The import runs in a real process of its own: the CLI `import-registry`, or a worker
running the import's job. It is made slow where it matters, in the test's own wrapper
around the real command: after the first batch of persons is written (its transaction
open) it says so and sleeps, and the test kills it there.
"""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from homecoming.core import jobs
from homecoming.core.models import Job, JobStatus
from homecoming.registry.importers import create_import
from homecoming.registry.models import Household, ImportStatus, Person, RegistryImport
from homecoming.testing import World, database_for_subprocess

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_COMMAND = """
import sys, time
import django
django.setup()
from homecoming.registry import services
services.CHUNK = 5
real_insert_rows = services.insert_rows

def insert_rows(model, columns, rows, *, on_batch=None):
    def batch(n):
        if on_batch:
            on_batch(n)
        if model.__name__ == "Person":
            from homecoming.registry.models import Household, Person
            print("households, persons seen by its transaction:",
                  Household.objects.count(), Person.objects.count(), flush=True)
            print("persons written:", n, flush=True)
            time.sleep(120)  # killed here, the write's transaction open

    return real_insert_rows(model, columns, rows, on_batch=batch)

services.insert_rows = insert_rows
from django.core.management import call_command
call_command(*sys.argv[1:])
"""
FAMILIES = 20


def write_files(folder: Path) -> tuple[Path, Path]:
    households = ["reg_number,origin,shelter_kind,registered_on"]
    persons = ["household,surname,given_name,sex,relationship"]
    for i in range(FAMILIES):
        households.append(f"KLB-9{i:03d},AZ110101,dormitory,2001-05-04")
        persons.append(f"KLB-9{i:03d},Məmmədov,Rəşid,M,head")
        persons.append(f"KLB-9{i:03d},Məmmədova,Sevinc,F,spouse")
    h, p = folder / "households.csv", folder / "persons.csv"
    h.write_text("\n".join(households) + "\n", encoding="utf-8")
    p.write_text("\n".join(persons) + "\n", encoding="utf-8")
    return h, p


def registry_state() -> list[tuple[Any, ...]]:
    return list(Household.objects.order_by("pk").values_list()) + list(
        Person.objects.order_by("pk").values_list()
    )


def run_and_kill(database_url: str, folder: Path, *command: str) -> str:
    """Run `homecoming <command>` made slow; SIGKILL it mid-write; return its output."""
    env = {**os.environ, "DATABASE_URL": database_url, "HOMECOMING_DATA_DIR": str(folder)}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_COMMAND, *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout

    def read() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 20
    try:
        while not any(line.startswith("persons written") for line in seen):
            seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
    except queue.Empty:
        proc.kill()
        raise AssertionError("the import never got to writing persons:\n" + "".join(seen)) from None
    written = next(line for line in seen if line.startswith("households, persons"))
    households, persons = map(int, written.split(":")[1].split())
    assert (households, persons) == (
        Household.objects.count() + FAMILIES,
        Person.objects.count() + 5,
    ), written
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    return "".join(seen)


def outlive_the_timeout(settings: Any) -> None:
    settings.JOB_HEARTBEAT_TIMEOUT = 1
    time.sleep(1.1)


def test_a_cli_import_killed_mid_write_is_marked_failed_and_left_nothing(
    world: World, tmp_path: Path, settings: Any
) -> None:
    h, p = write_files(tmp_path)
    before = registry_state()
    with database_for_subprocess(tmp_path) as url:
        output = run_and_kill(url, tmp_path, "import-registry", str(h), "--persons", str(p))
    assert "Writing persons" in output
    killed = RegistryImport.objects.get()
    assert killed.status == ImportStatus.PENDING and killed.heartbeat_at is not None
    # The households and the first persons were written, in a transaction the database
    # rolled back when the process died.
    assert registry_state() == before

    # The next CLI import sweeps first, then imports the same files whole.
    outlive_the_timeout(settings)
    out = io.StringIO()
    call_command("import-registry", str(h), "--persons", str(p), stdout=out)
    assert "Marked failed (their process stopped): 1 imports." in out.getvalue()
    killed.refresh_from_db()
    assert killed.status == ImportStatus.FAILED and killed.finished_at is not None
    assert killed.failure.startswith("The process running it stopped: no heartbeat since ")
    again = RegistryImport.objects.exclude(pk=killed.pk).get()
    assert again.status == ImportStatus.IMPORTED
    assert Household.objects.filter(reg_number__startswith="KLB-9").count() == FAMILIES


def test_a_worker_killed_mid_import_has_its_job_and_import_marked_failed_at_the_next_start(
    world: World, tmp_path: Path, settings: Any
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    h, p = write_files(tmp_path)
    imp = create_import(h, p)
    imp.job = jobs.enqueue("registry_import", "Import", {"import_id": imp.pk})
    imp.save(update_fields=["job"])
    before = registry_state()
    with database_for_subprocess(tmp_path) as url:
        run_and_kill(url, tmp_path, "worker", "--batch")
    # The import's job (the worker also queues what is due at start: the day's programme
    # snapshot, the monthly reports).
    job = Job.objects.get(kind="registry_import")
    assert job.status == JobStatus.RUNNING and job.heartbeat_at is not None
    assert RegistryImport.objects.get().status == ImportStatus.PENDING
    assert registry_state() == before

    # Nothing is marked while the heartbeat is recent: the worker may still be alive.
    assert jobs.sweep_stale() == {"jobs": 0, "imports": 0, "allocation_runs": 0}
    outlive_the_timeout(settings)
    out = io.StringIO()
    call_command("worker", "--batch", stdout=out)
    assert "1 jobs, 1 imports" in out.getvalue()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.error.startswith("The process running it stopped: no heartbeat since ")
    imp.refresh_from_db()
    assert imp.status == ImportStatus.FAILED
    assert imp.failure == f"Its background job stopped: {job.error}"
    assert registry_state() == before
