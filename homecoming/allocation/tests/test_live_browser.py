"""The run page live, in a real browser, with the job worker really running the jobs: the
results appear without a reload when the run ends, Approve never shows without them, and
the approval's progress and outcome follow on the same page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from homecoming.allocation.models import AllocationRun, RunStatus
from homecoming.testing import World, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Set in the page before the job runs: records an Approve form seen without the results.
WATCH = """() => {
  window.approveWithoutResults = false;
  new MutationObserver(() => {
    if (document.querySelector('form.approve') && !document.querySelector('table.compare')) {
      window.approveWithoutResults = true;
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""


def test_the_run_page_swaps_in_every_result_when_the_worker_finishes(
    world: World, live_server: Any, page: Any, settings: Any
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    log_in(page, live_server.url, "orkhan")
    page.goto(f"{live_server.url}/allocation/new/")
    page.fill("input[name=name]", "Live draw")
    page.select_option("select[name=method]", "optimal")
    page.select_option("select[name=district]", label="Kalbajar district")
    page.check("text=Complex KLB-RC1")
    page.click("text=Start the run")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "queued")
    expect(page.locator("#run-status[data-polling]")).to_have_count(1)
    expect(page.locator("form.approve")).to_have_count(0)
    page.evaluate(WATCH)

    call_command("worker", "--batch")  # the real queue and worker, while the page polls
    run = AllocationRun.objects.get()
    assert run.status == RunStatus.DONE

    # No reload by hand: the page reloads itself whole once the run is done.
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "done")
    expect(page.locator("table.compare")).to_contain_text("Lottery by size, same inputs")
    expect(page.locator("table.results tbody tr")).to_have_count(3)
    expect(page.locator("table.results")).to_contain_text("rooms for")
    expect(page.locator("[data-metric=housed]")).to_have_text("3")
    chart = page.locator(".run-chart svg")
    expect(chart).to_have_attribute("viewBox", re.compile(r"^0 0 360 \d+$"))
    expect(chart).to_contain_text("Lottery by size, same inputs")
    expect(page.locator("p.tabs")).to_contain_text("Reserve list")
    expect(page.locator("form.approve")).to_be_visible()
    assert page.evaluate("() => window.approveWithoutResults") in (False, None)

    # Approve: the tick is required; the approval waits for the worker, with progress.
    page.click("text=Approve this run")
    assert page.locator("form.approve input[name=confirm]:invalid").count() == 1
    page.check("form.approve input[name=confirm]")
    page.click("text=Approve this run")
    expect(page.locator(".msg.info")).to_contain_text("Approval started")
    expect(page.locator("#run-status progress")).to_have_count(1)
    expect(page.locator("form.approve")).to_have_count(0)

    call_command("worker", "--batch")
    expect(page.locator("[data-approval=done]")).to_contain_text(
        "Approved: 3 families have been offered a home."
    )
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "approved")
    expect(page.locator("form.approve")).to_have_count(0)
