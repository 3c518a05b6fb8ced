"""Does the family sign-in take as long for a number that is no family's as for one that is?

    .venv/bin/python bench/family_sign_in.py                 # SQLite (a throwaway test database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hc_bench .venv/bin/python bench/family_sign_in.py

Asks for a code and enters a wrong one, alternating a known family with a phone, a known
family without a phone and an unknown number, through Django's test client (no network).
Prints the median and 90th percentile of each, in milliseconds. The limits are raised for
the run so that every request does the full work; the counters are still taken.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
for name in ("CODES_PER_NUMBER", "CODES_PER_CLIENT", "FAILS_PER_NUMBER", "FAILS_PER_CLIENT"):
    os.environ[f"FAMILY_{name}"] = "1000000"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from homecoming.testing import make_family, make_world

        world = make_world()
        make_family("BENCH-PHONE", world.zar, size=2, phone="+994500000001")
        make_family("BENCH-NOPHONE", world.zar, size=2)
        cases = {"family with a phone": "BENCH-PHONE", "family without a phone": "BENCH-NOPHONE"}
        cases["unknown number"] = "BENCH-NONE"
        asked: dict[str, list[float]] = {c: [] for c in cases}
        entered: dict[str, list[float]] = {c: [] for c in cases}
        order = list(cases.items())
        rng = random.Random(7)
        for i in range(args.rounds + 20):
            rng.shuffle(order)  # no case always goes first
            for n, (case, reg) in enumerate(order):
                # An address of its own: each request starts the client's counters alike.
                client = Client(REMOTE_ADDR=f"10.{n}.{i // 250}.{i % 250}")
                t = time.perf_counter()
                r = client.post("/family/sign-in/", {"reg_number": reg})
                spent = time.perf_counter() - t
                assert r.status_code == 302, r.status_code
                t = time.perf_counter()
                r = client.post("/family/code/", {"code": "00000000"})
                spent_code = time.perf_counter() - t
                assert r.status_code == 200, r.status_code
                if i >= 20:  # the first rounds warm caches up
                    asked[case].append(spent * 1000)
                    entered[case].append(spent_code * 1000)
        print(f"{connection.vendor}, {args.rounds} rounds, milliseconds: median / 90th percentile")
        for label, figures in (("ask a code", asked), ("enter a wrong code", entered)):
            for case, times in figures.items():
                p90 = statistics.quantiles(times, n=10)[-1]
                print(f"  {label:20} {case:24} {statistics.median(times):6.2f} / {p90:6.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
