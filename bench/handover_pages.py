"""How long do approval and the offers page take with thousands of offers?

    .venv/bin/python bench/handover_pages.py                 # SQLite in a throwaway folder
    .venv/bin/python bench/handover_pages.py --keep DIR      # keep (or reuse) the database in DIR

Loads the demo, draws a lottery over every complex of Kalbajar and approves it (the job's
handler, timed: all its offers in one transaction), then asks for /handover/ as Kalbajar's
district officer and as the allocation officer (no district), unfiltered, one status and a
registration-number search, through Django's test client. Prints the median of 5 requests in
milliseconds and the number of queries of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

URLS = ["/handover/", "/handover/?status=pending", "/handover/?q=1101-0011"]


def prepare() -> tuple[int, float]:
    """The demo with one approved Kalbajar run: (offers, seconds the approval took)."""
    from django.conf import settings
    from django.contrib.auth.models import User

    from homecoming.allocation import services
    from homecoming.demo.management.commands.demo import do_reset_demo_accounts
    from homecoming.demo.scenario import do_load_demo
    from homecoming.geography.models import Area
    from homecoming.handover.models import Offer
    from homecoming.housing.models import ResidentialComplex

    if Offer.objects.exists():
        return Offer.objects.count(), float("nan")
    do_load_demo()
    do_reset_demo_accounts("bench-only-password")
    settings.HANDOVER_MESSAGE_BACKEND = "homecoming.handover.messaging.MemoryBackend"
    allocator = User.objects.filter(profile__role="allocation_officer").first()
    assert allocator is not None
    kalbajar = Area.objects.get(code="AZ1101")
    run = services.do_create_run(
        user=allocator,
        name="Bench draw",
        method="lottery",
        district=kalbajar,
        complexes=list(ResidentialComplex.objects.filter(settlement__parent=kalbajar)),
    )
    # With the immediate task backend each job runs as it is queued.
    started = time.perf_counter()
    job = services.do_queue_approval(run, allocator)
    took = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    return Offer.objects.count(), took


def measure(username: str, url: str) -> tuple[float, int]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(url)
    times = []
    queries = 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as seen:
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(seen.captured_queries)
    return 1000 * statistics.median(times), queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="folder of the SQLite database (created or reused)")
    args = parser.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="hc-bench-handover-")
    os.environ["HOMECOMING_DATA_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    offers, approval = prepare()
    print(f"offers: {offers}; approval job: {approval:.1f} s")
    rows: list[Any] = []
    for username in ("kalbajar", "allocator"):
        for url in URLS:
            ms, queries = measure(username, url)
            rows.append((username, url, ms, queries))
            print(f"{username:10} {url:28} {ms:8.0f} ms  {queries:3d} queries")


if __name__ == "__main__":
    main()
