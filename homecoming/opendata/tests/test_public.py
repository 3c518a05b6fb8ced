"""The public statistics: no sign-in, aggregates only, no count under the threshold and
none that subtracting published figures brings under it (checked by the same independent
attacker as the engine's tests, on the tables the page shows); what is published is the
programme's choice; no personal data; throttled like every anonymous request."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from homecoming.opendata.figures import micro_cells
from homecoming.opendata.public import public_tables
from homecoming.opendata.tests.helpers import move_in
from homecoming.opendata.tests.test_suppression import derivable_subsets
from homecoming.registry.models import Household, Person
from homecoming.testing import World, make_family

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the throttles' counters and the suppression's answers


@pytest.fixture
def programme(world: World) -> World:
    """Enough families for some figures to be published: 12 more from Zar, 6 of them
    moved into the Kalbajar complex; 2 more from Lachin."""
    for n in range(12):
        make_family(f"KLB-Z{n}", world.zar, 3, surname="Zərli", phone=f"+99450{n:07d}")
    for n in range(2):
        make_family(f"LAC-X{n}", world.lachin_city, 2)
    units = list(world.kalbajar_complex.buildings.get().units.order_by("id"))
    for unit, family in zip(
        units, Household.objects.filter(reg_number__startswith="KLB-Z"), strict=False
    ):
        move_in(unit, family)
    return world


def published_cells(found: dict[str, Any]) -> list[Any]:
    return [c for t in found["tables"] if t.unit == "families" for c in t.cells()]


def test_no_published_figure_is_under_the_threshold_nor_derivable_under_it(
    programme: World, settings: Any
) -> None:
    settings.OPENDATA_THRESHOLD = 5
    found = public_tables()
    cells = published_cells(found)
    shown = [c for c in cells if not c.suppressed]
    assert shown, "the programme publishes something"
    assert all(c.families >= 5 for c in shown)
    # The attacker: every set of micro-cells the published figures pin down.
    families = micro_cells()
    micro = sorted({m for c in cells for m in c.micro}, key=repr)
    index = {m: i for i, m in enumerate(micro)}
    figures = [frozenset(index[m] for m in c.micro) for c in cells]
    counts = [families[m][0] for m in micro]
    shown_ids = [j for j, c in enumerate(cells) if not c.suppressed]
    assert len(micro) <= 14
    for subset in derivable_subsets(figures, len(micro), shown_ids):
        total = sum(counts[i] for i in subset)
        assert not 0 < total < 5, (subset, total)


def test_the_page_and_the_api_show_the_same_published_figures(programme: World) -> None:
    page = Client().get("/statistics/")
    assert page.status_code == 200
    body = Client().get("/api/public-statistics/").json()
    assert body["threshold"] == 5
    numbers = [
        cell["families"]
        for table in body["results"]
        if table["unit"] == "families"
        for row in table["rows"]
        for cell in [*row["cells"], row["total"]]
        if not cell["suppressed"]
    ]
    assert numbers and min(numbers) >= 5
    status = next(t for t in body["results"] if t["figure"] == "families_by_status")
    kalbajar = next(r for r in status["rows"] if r["code"] == "AZ1101")
    assert kalbajar["cells"][2] == {"families": 6, "persons": 18, "suppressed": False}
    assert "[c]" in page.content.decode()


def test_a_figure_turned_off_is_not_published(programme: World, settings: Any) -> None:
    settings.OPENDATA_PUBLIC_FIGURES = ["families_by_status"]
    body = Client().get("/api/public-statistics/").json()
    assert [t["figure"] for t in body["results"]] == ["families_by_status"]
    assert Client().get("/api/public-statistics/waiting_by_shelter/").status_code == 404
    assert Client().get("/api/public-statistics/families_by_status/").status_code == 200
    page = Client().get("/statistics/").content.decode()
    assert 'id="families_by_status"' in page and 'id="waiting_by_shelter"' not in page
    settings.OPENDATA_PUBLIC_FIGURES = []
    assert Client().get("/api/public-statistics/").json()["results"] == []


def test_no_response_holds_personal_data(programme: World) -> None:
    texts = [
        Client().get("/statistics/").content.decode(),
        Client().get("/api/public-statistics/").content.decode(),
        Client().get("/api/public-statistics/families_by_status/").content.decode(),
    ]
    secrets = set()
    for h in Household.objects.all():
        secrets |= {h.reg_number, h.phone} - {""}
    for p in Person.objects.all():
        secrets |= {p.surname, p.given_name, p.national_id or "", str(p.birth_date)} - {"", "None"}
    for text in texts:
        leaked = [s for s in secrets if s in text]
        assert not leaked, leaked
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text.replace(date.today().isoformat(), ""))


def test_the_public_statistics_need_no_sign_in_and_are_throttled(
    programme: World, settings: Any
) -> None:
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "3/minute"}
    client = Client()
    answers = [client.get("/statistics/").status_code for _ in range(2)]
    answers += [client.get("/api/public-statistics/").status_code for _ in range(2)]
    assert answers == [200, 200, 200, 429]
    page = client.get("/statistics/")
    assert page.status_code == 429 and page["Retry-After"]


@pytest.mark.parametrize("language", ["az", "en", "ru"])
def test_the_page_speaks_each_language(programme: World, language: str) -> None:
    client = Client()
    client.cookies["django_language"] = language
    page = client.get("/statistics/").content.decode()
    assert f'<html lang="{language}">' in page
    if language == "ru":
        assert "Кельбаджарский район" in page  # the district's own name in Russian
