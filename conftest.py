"""Shared pytest fixtures: the personas' world, and an API client per persona."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from homecoming.testing import World

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse to
# run beside it. Tests are single-threaded per connection, so the guard is not needed here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On PostgreSQL the test sessions do not wait for each commit to reach the disk: a
    test database is thrown away, and CI's suite commits thousands of times (transactional
    tests, their flushes). What a commit makes visible and when is unchanged."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql" and not os.environ.get("HC_TEST_SYNC"):
        db.setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"


@pytest.fixture(autouse=True)
def _default_language_after_each_test() -> Iterator[None]:
    """A page requested in Azerbaijani leaves the thread speaking it (Django's middleware
    activates the language and nothing deactivates it): the next test starts in the default."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def world(db: Any) -> World:
    """The personas (homecoming.testing.World): two districts, five users, four families."""
    from homecoming.testing import make_world

    return make_world()


@pytest.fixture(scope="module")
def demo_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """The whole demo, loaded once for a test module (each test still runs in its own
    transaction, rolled back); the database is emptied again when the module ends."""
    from django.core.management import call_command

    from homecoming.demo.scenario import do_load_demo

    with django_db_blocker.unblock():
        counts = do_load_demo()
    yield counts
    with django_db_blocker.unblock():
        # flush sends post_migrate: the readiness item kinds are seeded again (readiness.apps)
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def api() -> Any:
    """`api(user)`: a DRF test client signed in as `user`."""
    from rest_framework.test import APIClient

    def client_for(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture(autouse=True)
def _immediate_tasks(request: pytest.FixtureRequest) -> None:
    """Jobs run at once in tests unless a test asks for the database queue."""
    if not request.config.pluginmanager.hasplugin("django"):
        return  # pure engine tests may run with -p no:django
    settings = request.getfixturevalue("settings")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Real hashing costs a third of a second per persona; tests need no protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests sign personas in with force_login and never prove a second factor; the tests of
    # staff sign-in (accounts/tests/test_signin.py) put the production value back.
    settings.OTP_REQUIRED_ROLES = []
    # Throttle counters live in the cache: each test starts with none, and the API's rates
    # are raised so that suites and fuzz runs making many requests are not throttled.
    from django.core.cache import cache

    cache.clear()
    settings.API_THROTTLE_RATES = {
        "anon": "100000/minute",
        "user": "100000/minute",
        "token": "100000/minute",
    }


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Debian chromium for the whole run, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # The machine has no network: keep chromium from phoning home at start.
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def _new_page(browser: Any, **options: Any) -> Iterator[Any]:
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized page."""
    yield from _new_page(browser, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized page (the family self-service is mobile first)."""
    yield from _new_page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
