"""End to end in a real browser: Playwright drives Debian's chromium against a live server."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from homecoming.testing import World, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_logs_in_opens_a_family_and_runs_an_allocation(
    world: World, live_server: Any, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, "orkhan")
    expect(page.locator("[data-kpi=registered]")).to_have_text("4")

    page.click("nav >> text=Families")
    page.fill("input[name=q]", "Hüseynov")
    expect(page.locator("#rows tbody tr")).to_have_count(1)
    assert page.url.endswith("?q=H%C3%BCseynov") or "q=" in page.url
    page.click("#rows >> text=KLB-3")
    assert "step-free access" in page.content()

    page.click("nav >> text=Allocation")
    page.click("text=New allocation run")
    page.fill("input[name=name]", "Browser draw")
    page.select_option("select[name=method]", "optimal")
    page.select_option("select[name=district]", label="Kalbajar district")
    page.check("text=Complex KLB-RC1")
    page.click("text=Start the run")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "done")
    expect(page.locator("[data-metric=housed]")).to_have_text("3")
    expect(page.locator("table.results tbody tr")).to_have_count(3)
    # Every family's line says why it got this home; the run is compared with the lottery.
    expect(page.locator("table.results")).to_contain_text("rooms for")
    expect(page.locator("table.compare")).to_contain_text("Lottery by size, same inputs")
    page.click("text=Fairness")
    expect(page.locator("table.fairness")).to_contain_text("Dormitory")
    page.check("form.approve input[name=confirm]")
    page.click("text=Approve this run")
    expect(page.locator(".msg")).to_contain_text("Approved: 3 families")


def test_a_district_officer_sees_only_their_district_in_the_browser(
    world: World, live_server: Any, page: Any
) -> None:
    log_in(page, live_server.url, "leyla")
    page.goto(f"{live_server.url}/households/")
    expect(page.locator("#rows")).to_contain_text("LAC-1")
    expect(page.locator("#rows")).not_to_contain_text("KLB-1")
