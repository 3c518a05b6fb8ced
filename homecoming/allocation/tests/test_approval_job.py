"""Approval as a job: confirmed with a tick, queued once, followed on the run page; the run
page polled while it waits reloads whole when the run ends; metrics as percentages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from homecoming.allocation import chart, services
from homecoming.allocation.models import AllocationRun, RunStatus
from homecoming.core.models import JobStatus
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def queued_db(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def finished_run(world: World, django_capture_on_commit_callbacks: Any) -> AllocationRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.do_create_run(
            user=world.orkhan,
            name="Draw",
            method="optimal",
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
            seed=7,
        )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    return run


def said(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_approval_needs_the_tick_box_checked_on_the_server(
    world: World, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run = finished_run(world, django_capture_on_commit_callbacks)
    client.force_login(world.orkhan)
    page = client.get(f"/allocation/{run.pk}/").content.decode()
    assert 'name="confirm"' in page and "This cannot be undone." in page
    response = client.post(f"/allocation/{run.pk}/approve/", follow=True)
    assert "tick the box to confirm" in said(response)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.approval_job is None


# The worker closes the database connections when it ends: on PostgreSQL that needs a test
# outside the rolled-back transaction, as in core/tests/test_jobs.py.
@pytest.mark.django_db(transaction=True)
def test_approval_is_queued_as_a_job_shown_on_the_page_until_a_worker_runs_it(
    world: World, client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run = finished_run(world, django_capture_on_commit_callbacks)
    queued_db(settings)
    client.force_login(world.orkhan)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/allocation/{run.pk}/approve/", {"confirm": "1"}, follow=True)
    assert "Approval started: the offers are being made." in said(response)
    page = response.content.decode()
    assert "Approve this run" not in page, "no second approval while one waits"
    assert 'id="job-' in page and "data-polling" in page
    run.refresh_from_db()
    assert run.approving and run.status == RunStatus.DONE
    # Polled while the approval waits: the status box, not a reload.
    polled = client.get(f"/allocation/{run.pk}/?poll=1", headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "HX-Refresh" not in polled

    # The same form sent again is refused: the approval is already queued.
    again = client.post(f"/allocation/{run.pk}/approve/", {"confirm": "1"}, follow=True)
    assert "its approval is already under way" in said(again)

    call_command("worker", "--batch")
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED and run.approval_job is not None
    assert run.approval_job.status == JobStatus.SUCCEEDED
    assert run.approval_job.result["offers"] == run.offers.count() == 3
    polled = client.get(f"/allocation/{run.pk}/?poll=1", headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"
    page = client.get(f"/allocation/{run.pk}/").content.decode()
    assert "Approved: 3 families have been offered a home." in page
    assert "Approve this run" not in page
    late = client.post(f"/allocation/{run.pk}/approve/", {"confirm": "1"}, follow=True)
    assert "run is Approved, not done" in said(late)


def test_an_approval_refused_by_its_job_says_why_on_the_run_page(
    world: World, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from homecoming.registry.models import Household

    run = finished_run(world, django_capture_on_commit_callbacks)
    housed = run.results.filter(unit__isnull=False).values_list("household_id", flat=True)
    Household.objects.filter(pk=housed[0]).update(status="withdrawn")
    client.force_login(world.orkhan)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/allocation/{run.pk}/approve/", {"confirm": "1"})
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.approval_job is not None
    assert run.approval_job.status == JobStatus.FAILED
    page = client.get(f"/allocation/{run.pk}/").content.decode()
    assert "The run cannot be approved: 1 family of this run is no longer waiting" in page
    assert "Approve this run" in page, "it may be tried again once the cause is dealt with"


def test_an_officer_of_another_district_cannot_approve(
    world: World, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run = finished_run(world, django_capture_on_commit_callbacks)
    client.force_login(world.leyla)
    response = client.post(f"/allocation/{run.pk}/approve/", {"confirm": "1"})
    assert response.status_code in (403, 404)
    run.refresh_from_db()
    assert run.approval_job is None and run.status == RunStatus.DONE


def test_a_polled_run_page_reloads_whole_once_the_run_is_done(
    world: World, client: Any, settings: Any
) -> None:
    queued_db(settings)
    run = services.do_create_run(
        user=world.orkhan,
        name="Waiting",
        method="lottery",
        district=world.kalbajar,
        complexes=[world.kalbajar_complex],
    )
    client.force_login(world.orkhan)
    htmx = {"HX-Request": "true"}
    polled = client.get(f"/allocation/{run.pk}/?poll=1", headers=htmx)
    assert polled.status_code == 200
    assert "Approve this run" not in polled.content.decode()
    AllocationRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
    polled = client.get(f"/allocation/{run.pk}/?poll=1", headers=htmx)
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"


def test_the_run_page_shows_shares_as_percentages_and_a_chart_against_the_lottery(
    world: World, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run = finished_run(world, django_capture_on_commit_callbacks)
    client.force_login(world.orkhan)
    page = client.get(f"/allocation/{run.pk}/").content.decode()
    housed, households = run.report["housed"], run.report["households"]
    assert f"({round(100 * housed / households, 1)} %)" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 ' in page
    assert "<script" not in page.split("<main", 1)[1], "no inline script in the page"
    rows = {r.key: r for r in chart.shares(run.report)}
    assert rows["housed_share"].run == housed / households
    assert rows["housed_share"].lottery is not None


def test_the_chart_leaves_out_the_lottery_when_there_is_none() -> None:
    drawn = chart.bar_chart(chart.shares({"housed": 1, "households": 2, "ideal_rooms_share": 1}))
    assert "50.0 %" in drawn and "100.0 %" in drawn and "Lottery" not in drawn


def test_the_approval_job_says_why_in_the_language_of_who_asked(
    world: World, client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from homecoming.registry.models import Household

    run = finished_run(world, django_capture_on_commit_callbacks)
    housed = run.results.filter(unit__isnull=False).values_list("household_id", flat=True)
    Household.objects.filter(pk=housed[0]).update(status="withdrawn")
    client.force_login(world.orkhan)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/allocation/{run.pk}/approve/", {"confirm": "1"})
    run.refresh_from_db()
    assert run.approval_job is not None
    assert run.approval_job.message.startswith("1 семья этого запуска больше не ожидает")
