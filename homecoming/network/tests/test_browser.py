"""In a real browser: a settlement's accessibility page with its chart and its map."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from homecoming.core.testing import World, log_in
from homecoming.network.services import load_demo_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_opens_kalbajar_s_accessibility_with_its_chart_and_map(
    world: World, live_server: Any, page: Any
) -> None:
    load_demo_network()
    base = live_server.url
    log_in(page, base, "sabina")
    page.click("nav >> text=Travel")
    page.click("#settlements >> text=Kalbajar")
    page.click("nav.months >> [data-month='1']")
    expect(page.locator("h1")).to_contain_text("Kalbajar")
    chart = page.locator("#year-chart svg")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline.series")).to_have_count(6)
    network_map = page.locator("#network-map svg")
    expect(network_map).to_be_visible()
    # January: the Murov pass is closed, the route goes through the tunnel.
    expect(network_map.locator("path[data-edge='murov-pass-north']")).to_have_attribute(
        "stroke", "#d64545"
    )
    expect(network_map.locator("path.route")).to_have_count(1)
    minutes = float(page.locator("[data-route-minutes]").get_attribute("data-route-minutes") or 0)
    assert 85 < minutes < 95
    box = network_map.bounding_box()
    assert box is not None and box["width"] > 400
    page.click("nav.months >> [data-month='7']")
    expect(network_map.locator("path[data-edge='murov-pass-north']")).not_to_have_attribute(
        "stroke", "#d64545"
    )
    page.screenshot(path="/tmp/network-accessibility.png", full_page=True)
