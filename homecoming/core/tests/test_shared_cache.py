"""The cache is shared by every web process when CACHE_URL says so (docs/scaling.md).

Two operating-system processes, one after the other, post to /api/token/ from the same
client address with a limit of three a minute: with a shared cache (the database table or
Redis) the second process counts the first one's requests and refuses its second; with
locmem, each process counts only its own.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from homecoming.core.tests.test_production import GOOD_KEY, run_django

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import sys
import django
django.setup()
from django.test import Client
client = Client(REMOTE_ADDR=sys.argv[2])
print(" ".join(str(client.post("/api/token/", {}).status_code) for _ in range(int(sys.argv[1]))))
"""


def run(tmp_path: Path, cache_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A new Python process on a SQLite file under `tmp_path`, with this CACHE_URL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CACHE_URL", "PRODUCTION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        HOMECOMING_DATA_DIR=str(tmp_path),
        CACHE_URL=cache_url,
        API_THROTTLE_TOKEN="3/minute",
    )
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result


def posts(tmp_path: Path, cache_url: str, address: str, count: int) -> list[int]:
    """`count` posts to /api/token/ from `address`, in a new process; their status codes."""
    result = run(tmp_path, cache_url, "-c", PROBE, str(count), address)
    return [int(code) for code in result.stdout.split()]


def fresh_address() -> str:
    """A client address no earlier run used (Redis keeps its keys between runs)."""
    return "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))


def redis_unavailable() -> str:
    if importlib.util.find_spec("redis") is None:
        return "the redis package is not installed (pip install '.[scale]')"
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return "no Redis on 127.0.0.1:6379"
    return ""


def test_a_second_process_counts_the_first_ones_api_requests_with_the_database_cache(
    tmp_path: Path,
) -> None:
    run(tmp_path, "db", "-m", "django", "createcachetable")  # what migration 0009 makes
    address = fresh_address()
    assert posts(tmp_path, "db", address, 2) == [400, 400]
    assert posts(tmp_path, "db", address, 2) == [400, 429]


def test_a_second_process_counts_the_first_ones_api_requests_with_redis(tmp_path: Path) -> None:
    reason = redis_unavailable()
    if reason:
        pytest.skip(reason)
    address = fresh_address()
    assert posts(tmp_path, "redis://127.0.0.1:6379/15", address, 2) == [400, 400]
    assert posts(tmp_path, "redis://127.0.0.1:6379/15", address, 2) == [400, 429]


def test_with_locmem_each_process_counts_only_its_own_requests(tmp_path: Path) -> None:
    address = fresh_address()
    assert posts(tmp_path, "locmem", address, 2) == [400, 400]
    assert posts(tmp_path, "locmem", address, 2) == [400, 400]


def test_production_shares_the_cache_in_the_database_unless_told_redis(tmp_path: Path) -> None:
    safe = {
        "PRODUCTION": "true",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "homecoming.example.org",
        "SITE_URL": "https://homecoming.example.org",
    }
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    shown = run_django(tmp_path, "shell", "-c", script, **safe)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[-1] == "django.core.cache.backends.db.DatabaseCache"
    refused = run_django(tmp_path, "check", CACHE_URL="locmem", **safe)
    assert refused.returncode != 0
    assert "Unsafe production settings" in refused.stderr and "CACHE_URL" in refused.stderr
    unknown = run_django(tmp_path, "check", CACHE_URL="memcached://127.0.0.1:11211")
    assert unknown.returncode != 0 and "CACHE_URL" in unknown.stderr
