"""No English sentence on the pages that explain a home, read in Azerbaijani and Russian in
a real browser: the run page, a family's page (staff) and the family's own page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from homecoming.allocation import services as allocation
from homecoming.allocation.models import AllocationRun, RunStatus
from homecoming.registry.models import Household
from homecoming.testing import World, english_runs, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: What each language must show on the pages (the reasons, rendered with place names).
SAYS = {
    "az": "4 nəfər üçün 3 otaq, ideal ölçü; Kəlbəcər, Kəlbəcər yaşayış kompleksi 1",
    "ru": "3 комнаты для семьи из 4 человек, идеальный размер; Кельбаджар",
}


def english_on(page: Any) -> list[str]:
    """Runs of common English words in the visible text of the page, line by line."""
    text = page.inner_text("body")
    return [
        f"{run!r} in {line.strip()[:160]!r}"
        for line in text.splitlines()
        for run in english_runs(line)
    ]


def approved_run(world: World) -> AllocationRun:
    world.kalbajar_complex.name = "Kəlbəcər yaşayış kompleksi 1"
    world.kalbajar_complex.save()
    run = allocation.do_create_run(
        user=world.orkhan,
        name="Bölgü 1",
        method="optimal",
        district=world.kalbajar,
        complexes=[world.kalbajar_complex],
    )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.job and run.job.error
    allocation.do_approve_run(run, world.orkhan)
    return run


@pytest.mark.parametrize("language", ["az", "ru"])
def test_the_run_and_family_pages_say_nothing_in_english(
    world: World, live_server: Any, page: Any, phone: Any, sent: Any, language: str
) -> None:
    Household.objects.filter(reg_number="KLB-1").update(phone="+994501110001")
    run = approved_run(world)
    base = live_server.url
    for browser_page in (page, phone):
        browser_page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
        )
    log_in(page, base, "kamran")
    for url in (
        reverse("allocation:run", args=[run.pk]),
        reverse("allocation:run", args=[run.pk]) + "?show=reserve",
        reverse("household", args=["KLB-1"]),
    ):
        page.goto(base + url)
        assert page.locator("html").get_attribute("lang") == language
        assert english_on(page) == [], url
    page.goto(base + reverse("allocation:run", args=[run.pk]))
    assert SAYS[language] in page.inner_text("body")

    phone.goto(base + reverse("family:home"))
    phone.fill("input[name=reg_number]", "KLB-1")
    phone.click("button.primary")
    phone.wait_for_selector("input[name=code]")
    body = next(b for to, t, b in sent if t == "one_time_code" and to == "+994501110001")
    code = re.search(rf"\b(\d{{{settings.FAMILY_CODE_DIGITS}}})\b", body).group(1)  # type: ignore[union-attr]
    phone.fill("input[name=code]", code)
    phone.click("button.primary")
    phone.wait_for_selector("#offer")
    assert english_on(phone) == []
    assert SAYS[language] in phone.inner_text("#offer")
