"""The page-speed benchmark's users (Locust): officers reading lists, searching, paging.

Run by `bench/bench_pages.py`, which passes the users and tokens in BENCH_PAGES (JSON).
Every user takes a session signed in through the sign-in page by `bench_pages.py` before
the run (as a browser) and uses the API with its token; each request picks a family, a surname spelling or an identity number
at random from what the bench put in BENCH_PAGES.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import Any

from locust import HttpUser, between, task

DATA: dict[str, Any] = json.loads(os.environ.get("BENCH_PAGES", "{}"))
#: One surname in three scripts: Azerbaijani Latin, Cyrillic, plain ASCII.
SURNAMES = ["Məmmədov", "Мамедов", "Mammadov", "Əliyeva", "Алиева", "Aliyeva", "Hüseynov"]


SESSIONS = itertools.count()


class Officer(HttpUser):
    """An allocation officer (national scope), in the browser and through the API."""

    # seconds between a user's requests (bench_pages.py --think; 0,0 to load the server flat out)
    wait_time = between(*DATA.get("think", (0.5, 1.5)))

    def on_start(self) -> None:
        # a session signed in by bench_pages.py before the measured run (sign-in hashes a
        # password, about a second of CPU, and is not one of the pages measured)
        self.client.cookies.set(
            "sessionid", DATA["sessions"][next(SESSIONS) % len(DATA["sessions"])]
        )
        self.api = {"Authorization": f"Token {DATA['bench-officer']}"}
        self.district_api = {"Authorization": f"Token {DATA['bench-district']}"}

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as r:
            if r.status_code != 200 or "/login/" in r.url:
                r.failure(f"{r.status_code} {r.url}")

    def api_get(self, path: str, name: str, headers: dict[str, str] | None = None) -> None:
        with self.client.get(
            path, name=name, headers=headers or self.api, catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")

    @task
    def families(self) -> None:
        self.page("/households/", "families list")

    @task
    def far_page(self) -> None:
        self.page(f"/households/?page={random.randint(3900, 4100)}", "families list, page ~4,000")

    @task
    def filtered(self) -> None:
        self.page("/households/?status=offered&shelter_kind=tent", "families list, filtered")

    @task
    def by_number(self) -> None:
        self.page(f"/households/?q={random.choice(DATA['regs'])}", "find by registration number")

    @task
    def by_fin(self) -> None:
        self.page(f"/households/?q={random.choice(DATA['fins'])}", "find by identity number")

    @task
    def by_surname(self) -> None:
        self.page(f"/households/?q={random.choice(SURNAMES)}", "surname search (3 scripts)")

    @task
    def by_full_name(self) -> None:
        self.page("/households/?q=Kərimov+Elvin", "surname + given name search")

    @task
    def family(self) -> None:
        self.page(f"/households/{random.choice(DATA['regs'])}/", "a family's page")

    @task
    def handover(self) -> None:
        self.page("/handover/", "/handover/ (40,000 offers)")

    @task
    def api_households(self) -> None:
        self.api_get("/api/households/", "/api/households/")

    @task
    def api_households_far(self) -> None:
        self.api_get(
            f"/api/households/?page={random.randint(3900, 4100)}", "/api/households/ page ~4,000"
        )

    @task
    def api_households_search(self) -> None:
        self.api_get(f"/api/households/?q={random.choice(SURNAMES)}", "/api/households/?q=surname")

    @task
    def api_households_district(self) -> None:
        self.api_get("/api/households/", "/api/households/ (district officer)", self.district_api)

    @task
    def api_persons(self) -> None:
        self.api_get("/api/persons/", "/api/persons/")

    @task
    def api_persons_search(self) -> None:
        self.api_get(
            f"/api/persons/?search={random.choice(SURNAMES)}", "/api/persons/?search=surname"
        )

    @task
    def api_person_fin(self) -> None:
        self.api_get(
            f"/api/persons/?search={random.choice(DATA['fins'])}", "/api/persons/?search=FIN"
        )

    @task
    def api_offers(self) -> None:
        self.api_get("/api/offers/", "/api/offers/")

    @task
    def api_family(self) -> None:
        self.api_get(
            f"/api/households/{random.choice(DATA['regs'])}/", "BASELINE: a family's API record"
        )
