"""Hot pages render in a fixed number of queries, whatever the data size."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homecoming.core.testing import World, make_family

pytestmark = pytest.mark.django_db


def queries_for(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/", "/households/", "/housing/", "/housing/KLB-RC1/", "/households/KLB-1/", "/allocation/"],
)
def test_hot_pages_do_not_grow_queries_with_the_data(world: World, client: Any, url: str) -> None:
    client.force_login(world.ayten)
    before = queries_for(client, url)
    for i in range(15):
        make_family(f"KLB-X{i}", world.zar, 3, group=world.kalbajar_family.group)
    assert queries_for(client, url) == before


def test_the_household_list_filters_by_shelter_and_step_free_needs(
    world: World, client: Any
) -> None:
    client.force_login(world.ayten)
    page = client.get("/households/?needs_step_free=true").content.decode()
    assert "KLB-3" in page and "KLB-1" not in page
    page = client.get("/households/?q=KLB-2").content.decode()
    assert "KLB-2" in page and "KLB-1<" not in page


def test_the_household_list_answers_htmx_with_rows_only(world: World, client: Any) -> None:
    client.force_login(world.ayten)
    body = client.get("/households/?q=LAC", HTTP_HX_REQUEST="true").content.decode()
    assert "LAC-1" in body and "<html" not in body
