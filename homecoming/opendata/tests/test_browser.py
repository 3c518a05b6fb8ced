"""The open data in a real browser at 390 px: an auditor signs in, downloads every export
from the page's links (HXL hashtags read back with libhxl, GeoJSON checked with shapely);
anyone opens the public statistics, which fit the phone's width."""

from __future__ import annotations

import io
import json
from typing import Any

import hxl
import pytest
from shapely.geometry import shape

from homecoming.opendata.tests.helpers import hazard, move_in
from homecoming.testing import World, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
#: Wider than the screen: the page scrolls sideways (a table scrolls in its own box).
SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def test_an_auditor_downloads_every_export_on_a_phone_and_anyone_reads_the_statistics(
    world: World, browser: Any, live_server: Any
) -> None:
    unit = world.kalbajar_complex.buildings.get().units.order_by("id").first()
    assert unit is not None
    move_in(unit, world.kalbajar_family)
    hazard(world.kalbajar)
    base = live_server.url
    context = browser.new_context(viewport=PHONE, is_mobile=True, accept_downloads=True)
    tab = context.new_page()
    log_in(tab, base, "sabina")
    tab.goto(f"{base}/opendata/")
    assert not tab.evaluate(SIDEWAYS)
    links = tab.eval_on_selector_all("main a.button", "els => els.map(e => e.getAttribute('href'))")
    assert len(links) == 8  # 3 levels x CSV, XLSX; GeoJSON; family rows as CSV (not XLSX)
    for href in links:
        with tab.expect_download() as download:
            tab.locator(f'main a.button[href="{href}"]').click()
        content = open(download.value.path(), "rb").read()  # noqa: SIM115
        if href.endswith(".geojson"):
            features = json.loads(content)["features"]
            assert {f["properties"]["kind"] for f in features} == {
                "settlement",
                "complex",
                "hazard_area",
            }
            assert all(shape(f["geometry"]).is_valid for f in features if f["geometry"])
        else:
            data = hxl.data(io.BytesIO(content), hxl.InputOptions(allow_local=True)).cache()
            tags = [c.display_tag for c in data.columns]
            assert "#adm2+code" in tags, href
            assert list(data), href
    context.close()
    anonymous = browser.new_context(viewport=PHONE, is_mobile=True)
    public = anonymous.new_page()
    response = public.goto(f"{base}/statistics/")
    assert response is not None and response.status == 200
    assert public.locator("h1").inner_text()
    assert public.locator("section table.grid").count() == 4
    assert not public.evaluate(SIDEWAYS)
    anonymous.close()
