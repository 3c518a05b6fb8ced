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


def test_a_refusal_is_answered_in_the_apps_layout_saying_why(world: World) -> None:
    client = Client()
    client.force_login(world.sabina)  # an auditor reads, never starts a run
    response = client.get("/allocation/new/")
    page = response.content.decode()
    assert response.status_code == 403
    assert '<header class="top"' in page and "<h1>Not allowed</h1>" in page
    assert "Your role does not allow this action." in page
    assert "Traceback" not in page


def test_a_refusal_speaks_the_readers_language(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(world.sabina)
    page = client.get("/allocation/new/").content.decode()
    assert "Not allowed" not in page and "Your role does not allow this action." not in page


def test_a_form_without_its_security_token_is_refused_in_the_apps_layout(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.kamran)
    response = client.post(f"/households/{world.kalbajar_family.reg_number}/edit/", {})
    page = response.content.decode()
    assert response.status_code == 403
    assert '<header class="top"' in page and "nothing was saved" in page
    assert "CSRF verification failed" not in page  # not Django's technical page


def test_the_browser_s_favicon_request_finds_the_app_s_icon() -> None:
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/homecoming/favicon.svg")
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"


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
