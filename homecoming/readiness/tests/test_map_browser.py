"""In a real browser: the interactive hazard map, offline, on a desktop and on a phone."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from config.settings import tile_origin
from homecoming.network.services import load_demo_network
from homecoming.readiness.importers import import_hazard_geojson
from homecoming.readiness.tests.helpers import collection, feature, place_complex
from homecoming.testing import BrowserWatch, World, log_in, make_complex

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Chromium asks for /favicon.ico by itself; the app has none yet (another part of issue 13).
FAVICON = "favicon.ico"


def _scene(world: World) -> None:
    place_complex(world.kalbajar_complex)
    # Neighbours a few metres apart: their labels would print on top of each other.
    for i in range(3):
        place_complex(make_complex(world.kalbajar_city, f"KLB-N{i}", [2]), lon=46.0383 + i * 1e-4)
    import_hazard_geojson(
        "a.geojson", json.dumps(collection(feature("HA-1"))), world.kalbajar, None
    )
    load_demo_network()


def _problems(watch: BrowserWatch) -> list[str]:
    return [p for p in watch.problems if FAVICON not in p]


def _visible_labels_overlap(page: Any) -> bool:
    return bool(
        page.evaluate(
            """() => {
              const boxes = [...document.querySelectorAll('.hc-map-label:not(.hc-map-label-hidden)')]
                .map((e) => e.getBoundingClientRect());
              return boxes.some((a, i) => boxes.slice(i + 1).some((b) =>
                a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom));
            }"""
        )
    )


def _wait_for_map(page: Any) -> Any:
    the_map = page.locator("#hazard-map .hc-map")
    expect(the_map).to_have_class(re.compile(r"\bhc-map-ready\b"))
    return the_map


def test_an_officer_pans_and_zooms_the_hazard_map_offline_with_no_csp_error(
    world: World, live_server: Any, page: Any
) -> None:
    _scene(world)
    watch = BrowserWatch(live_server.url).attach(page)
    log_in(page, live_server.url, "kamran")
    page.goto(f"{live_server.url}/readiness/map/?month=1")
    the_map = _wait_for_map(page)
    # The layers: the hazard area by status, complexes and the settlement, roads of January.
    expect(the_map.locator("path.hazard-confirmed")).to_have_count(1)
    expect(the_map.locator("path.place-complex")).to_have_count(4)
    expect(the_map.locator("path.place-settlement.place-blocked")).to_have_count(1)
    assert the_map.locator("path.road").count() > 20
    assert the_map.locator("path.road-closed").count() >= 1  # the Murov pass in January
    # Legend, layer switch, scale; no base map, so no attribution either.
    legend = page.locator("#hazard-map .map-legend").first
    expect(legend).to_contain_text("Hazard area: Confirmed")
    expect(legend).to_contain_text("not ready for families")
    expect(the_map.locator(".leaflet-control-layers")).to_contain_text("Hazard areas")
    expect(the_map.locator(".leaflet-control-scale-line")).to_be_visible()
    expect(the_map.locator(".leaflet-tile")).to_have_count(0)
    # Five names in a few hundred metres: only those that do not collide are shown.
    assert the_map.locator(".hc-map-label-hidden").count() >= 3
    assert not _visible_labels_overlap(page)
    zoom = the_map.evaluate("(el) => el.hcMap.getZoom()")
    for _step in range(4):
        the_map.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(400)
    assert the_map.evaluate("(el) => el.hcMap.getZoom()") == zoom + 4
    assert not _visible_labels_overlap(page)
    # A layer switched off leaves the map.
    the_map.locator(".leaflet-control-layers label", has_text="Hazard areas").locator(
        "input"
    ).uncheck()
    expect(the_map.locator("path.hazard-confirmed")).to_have_count(0)
    # A click names the place in words, its verdict and its returns.
    page.goto(f"{live_server.url}/readiness/map/?month=1")
    the_map = _wait_for_map(page)
    the_map.evaluate("(el) => el.hcMap.setZoom(17)")
    page.wait_for_timeout(400)
    # The complex stands on the settlement's point and is drawn above it.
    the_map.locator("path.place-settlement").click(force=True)
    expect(the_map.locator(".hc-map-popup")).to_have_text(
        "Complex KLB-RC1: not ready for families. 0 of 6 homes lived in."
    )
    assert _problems(watch) == []


def test_the_map_fits_a_phone(world: World, live_server: Any, phone: Any) -> None:
    _scene(world)
    watch = BrowserWatch(live_server.url).attach(phone)
    log_in(phone, live_server.url, "kamran")
    phone.goto(f"{live_server.url}/readiness/map/")
    the_map = _wait_for_map(phone)
    box = the_map.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["height"] >= 300
    card = phone.locator("#hazard-map")
    assert card.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    card_box = card.bounding_box()
    assert card_box is not None and card_box["x"] + card_box["width"] <= 390
    phone.screenshot(path="/tmp/hazard-map-phone.png")
    assert _problems(watch) == []


def test_a_base_map_setting_loads_tiles_and_the_watch_catches_them_leaving(
    world: World, live_server: Any, page: Any, settings: Any
) -> None:
    """The offline check can fail: with a tile server set, requests leave for it."""
    _scene(world)
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "Example tiles"
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"].append(tile_origin(settings.MAP_TILE_URL))
    settings.CONTENT_SECURITY_POLICY = policy
    watch = BrowserWatch(live_server.url).attach(page)
    log_in(page, live_server.url, "kamran")
    page.goto(f"{live_server.url}/readiness/map/")
    the_map = _wait_for_map(page)
    expect(the_map.locator(".leaflet-control-attribution")).to_contain_text("Example tiles")
    page.wait_for_timeout(500)
    left = [
        p
        for p in watch.problems
        if p.startswith("request to another host: https://tiles.example.org/")
    ]
    assert left, watch.problems
    assert not [p for p in watch.problems if "CSP" in p]
