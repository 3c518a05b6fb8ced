"""In a real browser: find duplicates, review a pair side by side, merge it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from homecoming.registry.models import CandidateStatus, DuplicateCandidate, PersonMerge
from homecoming.registry.tests.test_review import add_duplicate, give_real_names
from homecoming.testing import World, log_in

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


def test_a_reviewer_works_through_the_uncertain_pairs_with_the_keyboard(
    world: World, live_server: Any, page: Any
) -> None:
    from homecoming.registry.tests.test_review_band import _review_pair, add_thin_pair

    first, second = add_thin_pair(world)
    head = world.kalbajar_family.head
    assert head is not None
    skipped = _review_pair(world, head, first)
    decided = _review_pair(world, first, second)
    DuplicateCandidate.objects.filter(pk=skipped.pk).update(benefit=0.9)
    base = live_server.url
    log_in(page, base, "kamran")
    page.goto(f"{base}/registry/duplicates/?band=review")
    page.locator(f"tr[data-pair='{skipped.pk}'] a").click()
    expect(page.locator("[data-band]")).to_have_attribute("data-band", "review")
    expect(page.locator("[data-summary]")).to_contain_text("Birth date")
    page.keyboard.press("n")  # skip: the next pair in the queue
    expect(page).to_have_url(f"{base}/registry/duplicates/{decided.pk}/")
    page.fill("input[name=note]", "sisters")  # typing in the note triggers nothing
    expect(page).to_have_url(f"{base}/registry/duplicates/{decided.pk}/")
    page.locator("h1").click()
    page.keyboard.press("s")  # separate: different persons
    expect(page).to_have_url(f"{base}/registry/duplicates/{skipped.pk}/")
    decided.refresh_from_db()
    assert decided.status == CandidateStatus.DIFFERENT and decided.note == "sisters"
    page.keyboard.press("a")  # accept: same person, keep the first record
    expect(page.locator(".msg").first).to_contain_text("Merged into")
    assert PersonMerge.objects.get(candidate=skipped).survivor == head
