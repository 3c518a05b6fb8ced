"""The backup drill: back up, restore into a fresh database, compare counts and checksums."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from homecoming.core.backup import MANIFEST, BackupError, Database, restore
from homecoming.core.testing import World
from homecoming.registry.models import Household, Person


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind the tests run on, dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    base = Database.from_settings(django_settings.DATABASES["default"])
    name = f"hc_restore_{uuid.uuid4().hex[:12]}"
    with base.connect() as conn:
        conn.autocommit = True
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url({**django_settings.DATABASES["default"], "NAME": name})
    finally:
        with psycopg.connect(base.dsn, password=base.password or None, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url(config: dict[str, Any]) -> str:
    auth = config.get("USER") or ""
    if config.get("PASSWORD"):
        auth += f":{config['PASSWORD']}"
    host = config.get("HOST") or "127.0.0.1"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{config['NAME']}"


def _count(url: str, table: str) -> int:
    import dj_database_url

    db = Database.from_settings(dj_database_url.parse(url))
    if db.vendor == "sqlite":
        with sqlite3.connect(db.path) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    with db.connect() as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0])


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(
    world: World, settings: Any, tmp_path: Path, fresh_database_url: str
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    evidence = Path(settings.MEDIA_ROOT) / "evidence" / "water-certificate.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4 handover certificate\n")
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    assert manifest["tables"]["registry_household"]["rows"] == Household.objects.count() > 0
    assert manifest["tables"]["registry_person"]["rows"] == Person.objects.count() > 0
    assert list(manifest["media"]["files"]) == ["evidence/water-certificate.pdf"]

    restored_media = tmp_path / "restored-media"
    call_command(
        "restore",
        str(folder),
        "--database-url",
        fresh_database_url,
        "--media-dir",
        str(restored_media),
    )
    # Checked independently of the command's own comparison.
    assert _count(fresh_database_url, "registry_person") == Person.objects.count()
    assert (restored_media / "evidence" / "water-certificate.pdf").read_bytes() == (
        evidence.read_bytes()
    )
    # A second restore into the same (now full) database is refused, not merged.
    with pytest.raises(CommandError):
        call_command(
            "restore",
            str(folder),
            "--database-url",
            fresh_database_url,
            "--media-dir",
            str(tmp_path / "elsewhere"),
        )


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_written(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    dump = folder / manifest["database"]["file"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    target = Database("sqlite", path=str(tmp_path / "never.sqlite3"))
    with pytest.raises(BackupError, match="checksum"):
        restore(folder, target, tmp_path / "restored-media")
    assert not (tmp_path / "never.sqlite3").exists()
    assert not (tmp_path / "restored-media").exists()


def test_rows_that_differ_from_the_manifest_are_named() -> None:
    from homecoming.core.backup import _compare

    expected = {"a": {"rows": 2, "sha256": "x"}, "b": {"rows": 1, "sha256": "y"}}
    with pytest.raises(BackupError, match="table a: 1 rows, 2 expected"):
        _compare(expected, {"a": {"rows": 1, "sha256": "x"}, "b": {"rows": 1, "sha256": "y"}})
    with pytest.raises(BackupError, match="table b: rows differ"):
        _compare(expected, {"a": {"rows": 2, "sha256": "x"}, "b": {"rows": 1, "sha256": "z"}})
    with pytest.raises(BackupError, match="table b is missing"):
        _compare(expected, {"a": {"rows": 2, "sha256": "x"}})
