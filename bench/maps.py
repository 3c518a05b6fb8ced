"""How long the maps' GeoJSON layers take, beside the page they sit on, on the demo data.

    HOMECOMING_DATA_DIR=./var .venv/bin/homecoming demo --no-serve   # once
    HOMECOMING_DATA_DIR=./var .venv/bin/python bench/maps.py [--rounds 10]

Asks each URL through Django's test client (no network) as the auditor (national) and the
Kalbajar district officer; prints the median time, the answer's size and its query count.
The baseline is the page itself (the hazard map, the travel overview), drawn in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

URLS = (
    "/readiness/map/",  # baseline: the page
    "/readiness/map/data/",
    "/network/?month=1",  # baseline: the page
    "/network/map/data/?month=1",
    "/network/map/data/?month=1&settlement=AZ110101",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for who in ("auditor", "kalbajar"):
        client = Client()
        client.force_login(User.objects.get(username=who))
        for url in URLS:
            client.get(url)  # warm
            times = []
            for _round in range(rounds):
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(
                f"{who:9} {url:48} {response.status_code} median "
                f"{statistics.median(times) * 1000:5.0f} ms {len(response.content) / 1024:6.1f} KiB "
                f"{len(queries):3} queries"
            )


if __name__ == "__main__":
    main()
