"""Every list of the API answers in a number of queries that does not grow with the page: the
same count for a page of one object as for a page of all of them (no query per row)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.pagination import PageNumberPagination
from rest_framework.test import APIClient

from config.urls import router
from homecoming.testing import make_scene

pytestmark = pytest.mark.django_db


def queries_for(client: APIClient, url: str, page_size: int, monkeypatch: Any) -> tuple[int, int]:
    monkeypatch.setattr(PageNumberPagination, "page_size", page_size)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    return len(captured), len(rows) if isinstance(rows, list) else 0


def test_no_api_list_makes_a_query_per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    scene = make_scene()
    client = APIClient()
    client.force_authenticate(scene.world.ayten)
    growing, measured = {}, []
    for prefix, viewset, basename in router.registry:
        if not hasattr(viewset, "list"):
            continue
        url = f"/api/{prefix}/"
        client.get(url)  # warm caches (content types, permissions) out of the count
        one, _ = queries_for(client, url, 1, monkeypatch)
        many, rows = queries_for(client, url, 1000, monkeypatch)
        if rows < 2:
            continue
        measured.append(basename)
        if many > one:
            growing[basename] = (one, many, rows)
    assert growing == {}, "lists whose queries grow with the rows: (1 row, all rows, rows)"
    assert len(measured) >= 15, measured  # the scene holds two of nearly everything
