"""Error pages are the app's own: in its layout, in the reader's language, saying what
happened and never showing a traceback."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from homecoming.core.middleware import bad_request, server_error
from homecoming.core.models import Job, JobStatus
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_answered_in_the_apps_layout(world: World) -> None:
    client = Client()
    client.force_login(world.kamran)
    response = client.get("/households/NO-SUCH-FAMILY/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<header class="top"' in page and "Not found" in page
    assert "not in your district" in page


def test_a_missing_page_speaks_the_readers_language(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(world.kamran)
    page = client.get("/no-such-page/").content.decode()
    assert "Not found" not in page


def test_a_server_error_page_says_what_to_do_and_shows_no_traceback() -> None:
    with translation.override("en"):
        response = server_error(RequestFactory().get("/households/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and "Traceback" not in page


def test_a_bad_request_page_is_the_apps_own(world: World) -> None:
    request = RequestFactory().get("/households/")
    request.user = world.kamran
    with translation.override("en"):
        response = bad_request(request)
    assert response.status_code == 400 and "check the form" in response.content.decode()


def test_a_failed_job_shows_its_message_and_only_administrators_its_details(
    world: World,
) -> None:
    job = Job.objects.create(
        kind="registry_import",
        title="Import",
        status=JobStatus.FAILED,
        message="The file has no households sheet.",
        error='ValueError: no sheet\\n\\nTraceback (most recent call last):\\n  File "x.py"',
        created_by=world.kamran,
    )
    officer = Client()
    officer.force_login(world.kamran)
    page = officer.get(f"/jobs/{job.pk}/").content.decode()
    assert "The file has no households sheet." in page and "Traceback" not in page
    admin = Client()
    admin.force_login(world.ayten)
    assert "Traceback" in admin.get(f"/jobs/{job.pk}/").content.decode()
