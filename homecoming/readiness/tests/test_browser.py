"""In a real browser: the readiness matrix and the hazard map."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from homecoming.readiness.importers import import_hazard_geojson
from homecoming.readiness.models import ItemStatus
from homecoming.readiness.tests.helpers import collection, feature, item, place_complex, policy
from homecoming.testing import World, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_opens_the_readiness_matrix_and_the_map(
    world: World, live_server: Any, page: Any
) -> None:
    policy("water")
    item(world.kalbajar_city, "water", ItemStatus.IN_PROGRESS)
    place_complex(world.kalbajar_complex)
    import_hazard_geojson(
        "a.geojson", json.dumps(collection(feature("HA-1"))), world.kalbajar, None
    )
    base = live_server.url
    log_in(page, base, "kamran")
    page.click("text=Readiness")
    expect(page.locator("h1")).to_have_text("Readiness matrix")
    expect(page.locator("#matrix a.rs-in_progress")).to_be_visible()
    expect(page.locator("#matrix")).to_contain_text("Blocked")
    # The settlement's own verdict comes first; the complex's row (indented) names the hazard.
    complex_row = page.locator("#matrix tr:has(th.indent)").first
    complex_row.locator("details summary").click()
    expect(complex_row.locator(".reasons")).to_contain_text("hazard area HA-1")
    settlement_row = page.locator("#matrix tr.group").first
    expect(settlement_row).to_contain_text("Blocked")
    page.click("text=Hazard map")
    expect(page.locator("#hazard-map .hc-map path.hazard-confirmed")).to_have_count(1)
    expect(page.locator("#hazard-map .hc-map path.place-complex")).to_have_count(1)
