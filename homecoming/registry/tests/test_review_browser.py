"""In a real browser: find duplicates, review a pair side by side, merge it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from homecoming.core.testing import World, log_in
from homecoming.registry.models import CandidateStatus, DuplicateCandidate, PersonMerge
from homecoming.registry.tests.test_review import add_duplicate, give_real_names

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_district_officer_finds_reviews_and_merges_a_duplicate_pair(
    world: World, live_server: Any, page: Any
) -> None:
    give_real_names(world)
    original, copy = add_duplicate(world)
    base = live_server.url
    log_in(page, base, "kamran")

    page.click("nav >> text=Duplicates")
    page.click("text=Find duplicates")
    pair = DuplicateCandidate.objects.get(person_a=original, person_b=copy)
    row = page.locator(f"tr[data-pair='{pair.pk}']")
    expect(row).to_contain_text("KLB-77")
    row.locator("a").click()

    # Side by side: the birth date agrees, the households differ, and it shows.
    expect(page.locator("tr[data-field=birth_date]")).to_have_attribute("data-verdict", "same")
    expect(page.locator("tr[data-field=household]")).to_have_attribute("data-verdict", "differ")
    expect(page.locator("tr[data-field=household] td.v-differ").first).to_have_text("KLB-1")
    page.fill("input[name=note]", "Same person, registered twice in 1994")
    page.click("text=Same person: keep the first record")
    expect(page.locator(".msg").first).to_contain_text("Merged into")

    pair.refresh_from_db()
    assert pair.status == CandidateStatus.MERGED and pair.decided_by == world.kamran
    merge = PersonMerge.objects.get(duplicate=copy)
    assert merge.survivor == original and "patronymic" in merge.changes
    page.goto(f"{base}/registry/duplicates/{pair.pk}/")
    expect(page.locator("[data-pair-status]")).to_have_attribute("data-pair-status", "merged")
    expect(page.locator("body")).to_contain_text("decided by kamran")
