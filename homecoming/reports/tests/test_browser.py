"""The monthly report in a real browser: the administrator asks for March in Azerbaijani
from the reports page, the job keeps it, and the PDF downloaded from the list holds the
figures in Azerbaijani letters; a district officer's page fits a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from homecoming.opendata.tests.helpers import move_in
from homecoming.reports.models import MonthlyReport
from homecoming.reports.tests.helpers import pdf_text
from homecoming.testing import World, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def test_an_administrator_generates_and_downloads_the_monthly_pdf(
    world: World, browser: Any, live_server: Any
) -> None:
    unit = world.kalbajar_complex.buildings.get().units.order_by("id").first()
    assert unit is not None
    move_in(unit, world.kalbajar_family)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    log_in(tab, base, "ayten")
    assert tab.locator("a[href='/reports/']").count() == 1  # in the menu
    tab.goto(f"{base}/reports/")
    tab.fill("main input[name=month]", "2026-03")
    assert tab.input_value("main input[name=month]") == "2026-03"
    # The page's own language field, not the menu's language switch.
    tab.select_option("main select[name=language]", "az")
    tab.select_option("main select[name=district]", "")
    tab.click("main form button.primary")
    tab.wait_for_url(f"{base}/reports/")
    report = MonthlyReport.objects.get()
    link = tab.locator(f"a[href='/reports/{report.pk}.pdf']")
    with tab.expect_download() as download:
        link.click()
    content = Path(download.value.path()).read_bytes()
    assert content == bytes(report.pdf)
    assert download.value.suggested_filename == report.filename
    text = pdf_text(content)
    assert "Mart 2026" in text and "Kəlbəcər rayonu" in text
    assert f"Kəlbəcər rayonu (AZ1101) {report.figures['districts'][0]['returned_families']}" in text
    context.close()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    small = phone.new_page()
    log_in(small, base, "kamran")
    small.goto(f"{base}/reports/")
    assert small.locator("select[name=district] option").count() == 1  # their district only
    assert not small.evaluate(SIDEWAYS)
    assert small.locator(f"a[href='/reports/{report.pk}.pdf']").count() == 0
    phone.close()
