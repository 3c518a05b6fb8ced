"""Retention: `homecoming purge` deletes or anonymises each kind after its period, not before."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from homecoming.core import retention
from homecoming.core.audit import note_text
from homecoming.core.models import AuditEvent, IdempotencyKey
from homecoming.handover.messaging import MAX_ATTEMPTS
from homecoming.handover.models import (
    Message,
    MessageStatus,
    OneTimeCode,
    SignInAttempt,
    SignInAttemptKind,
)
from homecoming.registry.importers import create_import, run_import
from homecoming.registry.models import Household, ImportStatus, RegistryImport
from homecoming.testing import World

pytestmark = pytest.mark.django_db

HOUSEHOLDS = """reg_number,origin,shelter_kind,registered_on,consent,phone,priority
KLB-100,AZ110101,dormitory,2001-05-04,yes,+994 50 123 45 67,2
"""
PERSONS = """household,surname,given_name,patronymic,sex,birth_date,national_id,relationship,needs_step_free
KLB-100,Məmmədov,Rəşid,Vəli oğlu,M,1961-03-05,,head,no
"""


def ago(days: float, minutes: float = 0) -> datetime:
    return timezone.now() - timedelta(days=days, minutes=minutes)


def purge(dry_run: bool = False) -> dict[str, int]:
    return {p.name: n for p, n in retention.purge(dry_run=dry_run)}


def message(household: Household, status: str, **dates: datetime) -> Message:
    m = Message.objects.create(
        household=household,
        channel="sms",
        to="+994501110001",
        language="az",
        template="offer",
        subject="",
        body="Your home in Kalbajar is ready",
        status=status,
        attempts=MAX_ATTEMPTS if status == MessageStatus.FAILED else 1,
    )
    Message.objects.filter(pk=m.pk).update(**dates)
    return m


@pytest.fixture
def old_and_new(world: World, tmp_path: Path, settings: Any) -> dict[str, Any]:
    """Of each kind, one row just past its period and one just inside it."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    family = Household.objects.get(reg_number="KLB-1")
    made: dict[str, Any] = {}
    for age, days in (("old", 1), ("new", -1)):  # a day past the period, a day within it
        code = OneTimeCode.objects.create(household=family, code_hash=age, expires_at=ago(0))
        OneTimeCode.objects.filter(pk=code.pk).update(
            expires_at=ago(settings.RETENTION_CODE_DAYS + days)
        )
        key = IdempotencyKey.objects.create(
            user=world.kamran, method="POST", path="/api/x/", path_hash="p", key_hash=age,
            request_hash="r", status_code=201, body={"name": "Rəşid"},
        )  # fmt: skip
        IdempotencyKey.objects.filter(pk=key.pk).update(
            created_at=ago(settings.RETENTION_IDEMPOTENCY_DAYS + days)
        )
        window = settings.FAMILY_SIGNIN_WINDOW_MINUTES
        counter = SignInAttempt.objects.create(
            kind=SignInAttemptKind.FAIL_CLIENT,
            key_hash=age,
            window_start=ago(settings.RETENTION_SIGNIN_COUNTER_DAYS + days, window),
            count=3,
        )
        sent = message(
            family, MessageStatus.SENT, sent_at=ago(settings.RETENTION_MESSAGE_DAYS + days)
        )
        given_up = message(
            family, MessageStatus.FAILED, created_at=ago(settings.RETENTION_MESSAGE_DAYS + days)
        )
        log = AccessLog.objects.create(username="kamran", ip_address="203.0.113.5")
        AccessLog.objects.filter(pk=log.pk).update(
            attempt_time=ago(settings.RETENTION_ACCESS_LOG_DAYS + days)
        )
        attempt = AccessAttempt.objects.create(
            username=f"kamran-{age}", ip_address="203.0.113.5", failures_since_start=2
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=ago(settings.RETENTION_ACCESS_LOG_DAYS + days)
        )
        task = DBTaskResult.objects.create(
            status=TaskResultStatus.SUCCESSFUL,
            args_kwargs={"args": ["KLB-1", "az", True], "kwargs": {}},
            task_path="homecoming.handover.otp.send_code",
            backend_name="default",
            run_after=ago(0),
            finished_at=ago(settings.RETENTION_TASK_DAYS + days),
        )
        folder = Path(settings.MEDIA_ROOT) / "imports" / age
        folder.mkdir(parents=True)
        (folder / "households.csv").write_text(HOUSEHOLDS.replace("100", f"1{days + 5}"))
        (folder / "persons.csv").write_text(PERSONS.replace("100", f"1{days + 5}"))
        imp = run_import(
            create_import(folder / "households.csv", folder / "persons.csv", user=world.kamran)
        )
        assert imp.status == ImportStatus.IMPORTED, imp.errors
        RegistryImport.objects.filter(pk=imp.pk).update(
            finished_at=ago(settings.RETENTION_IMPORT_FILE_DAYS + days)
        )
        made[age] = {
            "code": code, "key": key, "counter": counter, "sent": sent, "given_up": given_up,
            "log": log, "attempt": attempt, "task": task, "import": imp, "folder": folder,
        }  # fmt: skip
    return made


def exists(row: Any) -> bool:
    return bool(type(row).objects.filter(pk=row.pk).exists())


def test_each_kind_is_purged_after_its_period_and_kept_before_it(
    old_and_new: dict[str, Any],
) -> None:
    counts = purge()
    old, new = old_and_new["old"], old_and_new["new"]
    for name in ("code", "key", "counter", "log", "attempt", "task"):
        assert not exists(old[name]), name
        assert exists(new[name]), name
    assert counts == {
        "one-time codes": 1,
        "family sign-in counters": 1,
        "message bodies": 2,
        "import files": 1,
        "idempotency keys": 1,
        "staff sign-in records": 2,
        "finished task rows": 1,
        "records of reads and exports": 0,  # core/tests/test_access.py
        "expired cache entries": 0,  # below
    }


def test_expired_rows_of_the_database_cache_are_deleted_and_live_ones_kept() -> None:
    cache = DatabaseCache(retention.CACHE_TABLE, {})
    cache.set("throttle_anon_203.0.113.7", [1.0], 60)
    cache.set("throttle_anon_203.0.113.8", [1.0], 3600)
    later = timezone.now() + timedelta(minutes=5)
    assert retention.purge_cache(later, dry_run=True) == 1
    assert retention.purge_cache(later, dry_run=False) == 1
    assert cache.get("throttle_anon_203.0.113.8") == [1.0]
    assert retention.purge_cache(later, dry_run=False) == 0


def test_message_bodies_and_numbers_are_blanked_and_the_rows_kept(
    old_and_new: dict[str, Any],
) -> None:
    purge()
    for which in ("sent", "given_up"):
        old = Message.objects.get(pk=old_and_new["old"][which].pk)
        assert (old.body, old.to, old.subject) == ("", "", "")
        assert old.template == "offer" and old.household_id is not None
        assert old.status == old_and_new["old"][which].status
        new = Message.objects.get(pk=old_and_new["new"][which].pk)
        assert new.body == "Your home in Kalbajar is ready" and new.to == "+994501110001"


def test_a_message_still_being_retried_keeps_its_text(old_and_new: dict[str, Any]) -> None:
    family = Household.objects.get(reg_number="KLB-1")
    retrying = message(family, MessageStatus.FAILED, created_at=ago(365))
    Message.objects.filter(pk=retrying.pk).update(attempts=MAX_ATTEMPTS - 1)
    purge()
    assert Message.objects.get(pk=retrying.pk).body == "Your home in Kalbajar is ready"


def test_an_imports_files_are_deleted_from_storage_and_its_record_kept(
    old_and_new: dict[str, Any], world: World
) -> None:
    old, new = old_and_new["old"], old_and_new["new"]
    before = RegistryImport.objects.get(pk=old["import"].pk)
    purge()
    assert not (old["folder"] / "households.csv").exists()
    assert not (old["folder"] / "persons.csv").exists()
    assert (new["folder"] / "households.csv").exists()
    after = RegistryImport.objects.get(pk=old["import"].pk)
    assert after.files_purged_at is not None
    assert (after.sha256, after.households_created, after.persons_created, after.status) == (
        before.sha256,
        1,
        1,
        ImportStatus.IMPORTED,
    )
    assert RegistryImport.objects.get(pk=new["import"].pk).files_purged_at is None
    # The audit trail records the change, with the channel and why.
    event = AuditEvent.objects.filter(
        table="registry_registryimport", object_pk=str(after.pk), action="update"
    ).latest("at")
    assert event.channel == "cli" and event.path == "purge"
    assert note_text(event.note) == "retention purge: import files"
    # The import's page says the files are gone, and the download is no more.
    from django.test import Client

    client = Client()
    client.force_login(world.kamran)
    page = client.get(f"/registry/imports/{after.pk}/")
    assert "retention period over" in page.content.decode()
    assert client.get(f"/registry/imports/{after.pk}/files/households/").status_code == 404


def test_a_dry_run_counts_and_changes_nothing(old_and_new: dict[str, Any]) -> None:
    def state() -> list[Any]:
        return [
            sorted(OneTimeCode.objects.values_list("pk", flat=True)),
            sorted(IdempotencyKey.objects.values_list("pk", flat=True)),
            sorted(SignInAttempt.objects.values_list("pk", flat=True)),
            sorted(Message.objects.values_list("pk", "body", "to")),
            sorted(AccessLog.objects.values_list("pk", flat=True)),
            sorted(AccessAttempt.objects.values_list("pk", flat=True)),
            sorted(str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)),
            sorted(RegistryImport.objects.values_list("pk", "files_purged_at")),
            sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*.csv")),
            AuditEvent.objects.count(),
        ]

    before = state()
    out = io.StringIO()
    call_command("purge", "--dry-run", stdout=out)
    assert state() == before
    assert "message bodies" in out.getvalue() and "2 would be anonymised" in out.getvalue()
    assert "Dry run: 9 rows would be purged; nothing changed." in out.getvalue()
    assert purge(dry_run=True) == purge()


def test_a_second_run_purges_nothing_more(old_and_new: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("purge", stdout=out)
    assert "Purged 9 rows." in out.getvalue()
    events = AuditEvent.objects.count()
    assert set(purge().values()) == {0}
    assert AuditEvent.objects.count() == events


def test_the_worker_purges_once_per_period(old_and_new: dict[str, Any], settings: Any) -> None:
    settings.RETENTION_PURGE_HOURS = 24
    first = retention.purge_if_due(None)
    assert first is not None and not exists(old_and_new["old"]["code"])
    # Within the period nothing runs, even with something new to purge.
    OneTimeCode.objects.filter(pk=old_and_new["new"]["code"].pk).update(expires_at=ago(30))
    assert retention.purge_if_due(first) == first
    assert exists(old_and_new["new"]["code"])
    assert retention.purge_if_due(first - timedelta(hours=25)) != first
    assert not exists(old_and_new["new"]["code"])
    settings.RETENTION_PURGE_HOURS = 0
    assert retention.purge_if_due(None) is None
