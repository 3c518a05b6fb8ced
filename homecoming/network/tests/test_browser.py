"""In a real browser: a settlement's accessibility page with its chart and its map."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from homecoming.network.services import load_demo_network
from homecoming.testing import BrowserWatch, World, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _problems(watch: BrowserWatch) -> list[str]:
    # Chromium asks for /favicon.ico by itself; the app has none yet (another part of issue 13).
    return [p for p in watch.problems if "favicon.ico" not in p]


def test_an_auditor_opens_kalbajar_s_accessibility_with_its_chart_and_map(
    world: World, live_server: Any, page: Any
) -> None:
    load_demo_network()
    base = live_server.url
    watch = BrowserWatch(base).attach(page)
    log_in(page, base, "sabina")
    page.click("nav >> text=Travel")
    page.click("#settlements >> text=Kalbajar")
    page.click("nav.months >> [data-month='1']")
    expect(page.locator("h1")).to_contain_text("Kalbajar")
    chart = page.locator("#year-chart svg")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline.series")).to_have_count(6)
    network_map = page.locator("#network-map .hc-map.hc-map-ready")
    expect(network_map).to_be_visible()
    # January: the Murov pass is closed, the route goes through the tunnel.
    expect(network_map.locator("path.road-closed.mode-pass").first).to_be_visible()
    expect(network_map.locator("path.route")).to_have_count(1)
    # The settlement's own node (labelled first, never hidden by a neighbour's name).
    shown = network_map.locator(".hc-map-label:not(.hc-map-label-hidden)")
    expect(shown.filter(has_text="Kalbajar district executive office")).to_have_count(1)
    minutes = float(page.locator("[data-route-minutes]").get_attribute("data-route-minutes") or 0)
    assert 85 < minutes < 95
    box = network_map.bounding_box()
    assert box is not None and box["width"] > 400
    page.click("nav.months >> [data-month='7']")
    network_map = page.locator("#network-map .hc-map.hc-map-ready")
    expect(network_map.locator("path.route")).to_have_count(1)
    expect(network_map.locator("path.road-closed.mode-pass")).to_have_count(0)
    assert _problems(watch) == []
    page.screenshot(path="/tmp/network-accessibility.png", full_page=True)
