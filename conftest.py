"""Shared pytest fixtures: the personas' world, and an API client per persona."""

from __future__ import annotations

import os
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse to
# run beside it. Tests are single-threaded per connection, so the guard is not needed here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db: Any) -> Any:
    from homecoming.core.testing import make_world

    return make_world()


@pytest.fixture
def api() -> Any:
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
