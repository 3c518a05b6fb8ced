"""Backup and restore of the database and the uploaded files, checked by counts and checksums.

A backup is a folder: the database (PostgreSQL custom-format dump, or an SQLite copy made with
SQLite's online backup), the media files as a tar archive, and `manifest.json` with the
SHA-256 of each file, the SHA-256 of every uploaded file, and for every table its row count
and a digest of its rows. The digests are taken from the very snapshot that is dumped
(PostgreSQL: an exported snapshot shared with pg_dump; SQLite: the copy itself), so writes
during a backup cannot make it disagree with itself.

A restore goes into a fresh database (it refuses one that has tables), then reads every table
back and compares counts and digests with the manifest; any difference is an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_TAR = "media.tar"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be trusted; the message says what and where."""


@dataclass(frozen=True)
class Database:
    """Where a database is: a PostgreSQL DSN, or an SQLite file."""

    vendor: str  # "postgresql" or "sqlite"
    dsn: str = ""  # without the password, which travels in PGPASSWORD (not in argv)
    password: str = ""
    path: str = ""

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> Database:
        """From a Django DATABASES entry (e.g. one parsed by dj_database_url)."""
        engine = config["ENGINE"]
        if engine.endswith("sqlite3"):
            return cls("sqlite", path=str(config["NAME"]))
        if engine.endswith("postgresql"):
            from psycopg.conninfo import make_conninfo

            parts = {"dbname": config["NAME"], "user": config.get("USER")}
            parts |= {"host": config.get("HOST"), "port": config.get("PORT")}
            dsn = make_conninfo(**{k: str(v) for k, v in parts.items() if v})
            return cls("postgresql", dsn=dsn, password=str(config.get("PASSWORD") or ""))
        raise BackupError(f"no backup for the database engine {engine}")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.dsn, password=self.password or None)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------- table digests


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [r[0] for r in cursor.fetchall()]


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [r[0] for r in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_digests(cursor: Any, tables: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of each table's rows in a stable order (all columns)."""
    out: dict[str, dict[str, Any]] = {}
    for table in tables:
        # SQL from strings (bandit B608, reviewed): table names from the database catalogue, quoted.
        cursor.execute(f"SELECT * FROM {_quote(table)} LIMIT 0")  # nosec B608
        n_columns = len(cursor.description)
        order = ", ".join(str(i) for i in range(1, n_columns + 1))
        # SQL from strings (bandit B608, reviewed): table names from the database catalogue, quoted.
        cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")  # nosec B608
        digest = hashlib.sha256()
        rows = 0
        while batch := cursor.fetchmany(5000):
            for row in batch:
                digest.update(repr(tuple(row)).encode())
                digest.update(b"\n")
            rows += len(batch)
        out[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return out


# ---------------------------------------------------------------------------- backup


def backup(db: Database, media_root: Path, target: Path) -> dict[str, Any]:
    """Write a backup folder at `target` (which must not exist); returns the manifest."""
    if target.exists():
        raise BackupError(f"{target}: already exists; choose a new folder")
    target.mkdir(parents=True)
    manifest: dict[str, Any] = {
        "format": 1,
        "created_at": datetime.now(UTC).isoformat(),
        "vendor": db.vendor,
    }
    if db.vendor == "postgresql":
        manifest["tables"] = _backup_postgresql(db, target / PG_DUMP)
        manifest["database"] = {"file": PG_DUMP, "sha256": file_sha256(target / PG_DUMP)}
    elif db.vendor == "sqlite":
        copy = target / SQLITE_COPY
        source = sqlite3.connect(db.path, uri=True)
        try:
            dest = sqlite3.connect(copy)
            with dest:
                source.backup(dest)
            manifest["tables"] = table_digests(dest.cursor(), _sqlite_tables(dest.cursor()))
            dest.close()
        finally:
            source.close()
        manifest["database"] = {"file": SQLITE_COPY, "sha256": file_sha256(copy)}
    else:
        raise BackupError(f"no backup for the {db.vendor} database")
    manifest["media"] = _backup_media(media_root, target / MEDIA_TAR)
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), "utf-8")
    return manifest


def _backup_postgresql(db: Database, out: Path) -> dict[str, dict[str, Any]]:
    import psycopg

    with db.connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
            assert row is not None
            digests = table_digests(cursor, _pg_tables(cursor))
            # pg_dump reads the same snapshot while this transaction holds it open.
            done = subprocess.run(
                ["pg_dump", "-Fc", "--no-owner", f"--snapshot={row[0]}", "-f", str(out), db.dsn],
                capture_output=True,
                text=True,
                env=db.env(),
                check=False,
            )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return digests


def _backup_media(media_root: Path, out: Path) -> dict[str, Any]:
    files: dict[str, str] = {}
    with tarfile.open(out, "w") as tar:
        if media_root.is_dir():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                name = path.relative_to(media_root).as_posix()
                files[name] = file_sha256(path)
                tar.add(path, arcname=name, recursive=False)
    return {"file": MEDIA_TAR, "sha256": file_sha256(out), "files": files}


# ---------------------------------------------------------------------------- restore


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source / MANIFEST}: unreadable ({exc})") from exc
    for part in ("database", "media"):
        name = manifest[part]["file"]
        if file_sha256(source / name) != manifest[part]["sha256"]:
            raise BackupError(f"{source / name}: checksum differs from the manifest")
    return manifest


def restore(source: Path, db: Database, media_root: Path) -> dict[str, Any]:
    """Restore a backup folder into a fresh database and an empty media folder, then check
    every table's count and digest and every file's checksum. Returns the manifest."""
    manifest = read_manifest(source)
    if manifest["vendor"] != db.vendor:
        raise BackupError(f"a {manifest['vendor']} backup cannot go into {db.vendor}")
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root}: not empty; restore media into an empty folder")
    if db.vendor == "postgresql":
        found = _restore_postgresql(source / manifest["database"]["file"], db)
    else:
        found = _restore_sqlite(source / manifest["database"]["file"], Path(db.path))
    _compare(manifest["tables"], found)
    _restore_media(source / manifest["media"]["file"], media_root, manifest["media"]["files"])
    return manifest


def _restore_postgresql(dump: Path, db: Database) -> dict[str, dict[str, Any]]:
    with db.connect() as conn, conn.cursor() as cursor:
        if _pg_tables(cursor):
            raise BackupError("the target database has tables; restore into a fresh database")
    done = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", db.dsn, str(dump)],
        capture_output=True,
        text=True,
        env=db.env(),
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    with db.connect() as conn, conn.cursor() as cursor:
        return table_digests(cursor, _pg_tables(cursor))


def _restore_sqlite(copy: Path, path: Path) -> dict[str, dict[str, Any]]:
    if path.exists():
        raise BackupError(f"{path}: already exists; restore into a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(copy, path)
    conn = sqlite3.connect(path)
    try:
        return table_digests(conn.cursor(), _sqlite_tables(conn.cursor()))
    finally:
        conn.close()


def _compare(expected: dict[str, dict[str, Any]], found: dict[str, dict[str, Any]]) -> None:
    problems = [f"table {t} is missing" for t in expected if t not in found]
    problems += [
        f"table {t}: {found[t]['rows']} rows, {expected[t]['rows']} expected"
        if found[t]["rows"] != expected[t]["rows"]
        else f"table {t}: rows differ from the backup (checksum)"
        for t in expected
        if t in found and found[t] != expected[t]
    ]
    if problems:
        raise BackupError("; ".join(problems))


def _restore_media(archive: Path, media_root: Path, files: dict[str, str]) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        # The "data" filter refuses absolute paths, "..", links out of the folder, devices.
        tar.extractall(media_root, filter="data")
    for name, sha in files.items():
        path = media_root / name
        if not path.is_file() or file_sha256(path) != sha:
            raise BackupError(f"{path}: missing or its checksum differs from the manifest")
