"""How fast the programme dashboard is on 10 times the demo, against the demo itself, in one run.

    .venv/bin/python bench/dashboard.py [--rounds 5] [--scales 1,10]

For each scale, a child process makes a fresh SQLite database in a temporary folder, loads
the demo (with its kept history), copies its districts scale - 1 times under new codes (the
open-data bench's ``multiply``: places, complexes, buildings, homes, families, members,
readiness items, hazard areas), dates the copies' move-ins, then asks the dashboard through
Django's test client as the auditor (national) and as a district officer: the page, the
page filtered by district and by stage, the map's data, and the page "as of" a kept day; and
times the day's snapshot (the daily job: national and every district). It prints the median
time, the answer's size and its query count; the parent prints the scales side by side with
the ratio. The audit trail's triggers are dropped while the copies are written.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _opendata_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_opendata", ROOT / "bench" / "opendata.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _urls(kept: str) -> list[tuple[str, str]]:
    """(who, URL) asked: the auditor reads the nation, the officer their district."""
    return [
        ("auditor", "/"),
        ("auditor", "/?district=AZ1101"),
        ("auditor", "/?stage=1"),
        ("auditor", "/dashboard/map/data/"),
        ("auditor", f"/?as_of={kept}"),
        ("officer", "/"),
        ("officer", "/dashboard/map/data/"),
    ]


def _time(client: Any, url: str, rounds: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    times = []
    for _round in range(rounds):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "status": response.status_code,
        "ms": round(statistics.median(times) * 1000),
        "kib": round(len(response.content) / 1024, 1),
        "queries": len(queries),
    }


def child(scale: int, rounds: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from homecoming.accounts.models import Profile, Role
    from homecoming.core import audit
    from homecoming.dashboard.history import take_snapshots
    from homecoming.demo.history import backfill_moves
    from homecoming.demo.scenario import do_load_demo
    from homecoming.geography.models import Area
    from homecoming.registry.models import Household

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    do_load_demo()
    audit.drop_triggers()
    _opendata_bench().multiply(scale - 1)
    backfill_moves(timezone.localdate())
    audit.install_triggers()
    loaded = time.perf_counter() - start
    clients = {}
    for who, role, district in (
        ("auditor", Role.AUDITOR, None),
        ("officer", Role.DISTRICT_OFFICER, Area.objects.get(code="AZ1101")),
    ):
        user = User.objects.create_user(f"bench-{who}", password="x")
        Profile.objects.create(user=user, role=role, district=district)
        clients[who] = Client()
        clients[who].force_login(user)
    began = time.perf_counter()
    taken = take_snapshots()
    snapshot_s = time.perf_counter() - began
    kept = (timezone.localdate() - timedelta(days=30)).isoformat()
    found: dict[str, Any] = {
        "scale": scale,
        "families": Household.objects.count(),
        "load_s": round(loaded, 1),
        "snapshot_ms": round(snapshot_s * 1000),
        "snapshots": taken,
        "urls": {},
    }
    for who, url in _urls(kept):
        found["urls"][f"{who} {url}"] = _time(clients[who], url, rounds)
    return found


def run(scale: int, rounds: int) -> dict[str, Any]:
    found: dict[str, Any] = _opendata_bench().in_child(__file__, scale, rounds)
    return found


def report(results: list[dict[str, Any]], rounds: int) -> None:
    print(f"load average {os.getloadavg()[0]:.1f}; median of {rounds}")
    for r in results:
        print(
            f"scale {r['scale']}: {r['families']:,} families, data made in {r['load_s']} s; "
            f"the day's {r['snapshots']} snapshots in {r['snapshot_ms']} ms"
        )
    _opendata_bench().print_url_table(results, list(results[0]["urls"]), "who and URL", 40)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rounds)))
        return
    results = [run(int(scale), args.rounds) for scale in args.scales.split(",")]
    report(results, args.rounds)


if __name__ == "__main__":
    main()
