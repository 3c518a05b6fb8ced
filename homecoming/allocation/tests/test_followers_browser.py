"""Stage after stage in the demo, in a real browser: stage 1's families live in complex 1, their
relatives who registered later follow them in the next run."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from homecoming.demo.scenario import FIRST_DRAW_KIN, do_load_demo
from homecoming.registry.models import Household
from homecoming.testing import log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stage_2_run_in_the_demo_brings_relatives_next_to_the_first_families(
    live_server: Any, page: Any
) -> None:
    do_load_demo()
    make_user("orkhan", "allocation_officer")
    log_in(page, live_server.url, "orkhan")
    page.goto(f"{live_server.url}/allocation/new/")
    page.fill("input[name=name]", "Stage 2: complex 2")
    expect(page.locator("select[name=method]")).to_have_value("optimal")
    page.select_option("select[name=district]", label="Kalbajar district")
    page.check("text=Kalbajar residential complex 2")
    page.click("text=Start the run")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "done", timeout=120_000)
    page.click("text=Followers")
    facts = page.locator("dl.followers-facts")
    expect(facts).to_contain_text("Families whose relatives already have a home")
    followers = page.locator("table.followers tbody tr[data-joined]")
    expect(followers.first).to_be_visible()
    waiting_relatives = (
        Household.objects.filter(
            status="eligible", consent=True, group__households__status="moved_in"
        )
        .distinct()
        .count()
    )
    assert FIRST_DRAW_KIN <= waiting_relatives <= FIRST_DRAW_KIN + FIRST_DRAW_KIN // 2
    assert followers.count() == waiting_relatives
    # the relatives live in complex 1, which has no home in this run: the rest follow to
    # their settlement, each line saying why not their complex
    joined = {followers.nth(i).get_attribute("data-joined") for i in range(followers.count())}
    assert joined <= {"settlement", "not_housed"} and "settlement" in joined
    expect(page.locator("table.followers")).to_contain_text(
        "no home of their relatives' complexes was in this run"
    )
