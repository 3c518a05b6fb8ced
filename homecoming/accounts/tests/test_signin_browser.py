"""Staff sign-in in a real browser: an administrator proves the second factor."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from homecoming.core.testing import World, give_second_factor, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_logs_in_with_the_code_from_the_authenticator(
    world: World, live_server: Any, page: Any, settings: Any
) -> None:
    settings.OTP_REQUIRED_ROLES = ["administrator"]
    device = give_second_factor(world.ayten)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "ayten")
    page.fill("input[name=password]", "wrong-password")
    page.click("button.primary")
    expect(page.locator("p.error")).to_contain_text("didn't match")
    log_in(page, base, "ayten", device)
    expect(page.locator("[data-kpi=registered]")).to_have_text("4")
    page.click("text=API tokens")
    page.fill("input[name=name]", "browser")
    page.click("text=New token")
    expect(page.locator("code.new-token")).to_be_visible()
    expect(page.locator("table.grid tbody tr")).to_have_count(1)
