"""Housing pages always show both states of a home: its construction and its allocation."""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.housing.models import Construction, Unit, UnitStatus
from homecoming.testing import World, give_home

pytestmark = pytest.mark.django_db


def test_the_complex_page_shows_construction_and_allocation_of_each_home(
    world: World, client: Any
) -> None:
    home = Unit.objects.get(building__complex=world.kalbajar_complex, number="2")
    Unit.objects.filter(pk=home.pk).update(construction=Construction.UNDER_CONSTRUCTION)
    give_home(home, world.kalbajar_family, UnitStatus.ALLOCATED)
    client.force_login(world.kamran)
    page = client.get("/housing/KLB-RC1/").content.decode()
    assert 'class="unit st-allocated c-under_construction"' in page
    assert "construction: Under construction; allocation: Allocated, KLB-1" in page
    assert '<span data-construction="built">Built: 5</span>' in page
    assert '<span data-construction="under_construction">Under construction: 1</span>' in page
    assert '<span data-status="free">Free: 5</span>' in page
    assert '<span data-status="allocated">Allocated: 1</span>' in page
    # The chip's colours in words too, for a reader who cannot tell them apart.
    assert '2·3<span class="sr-only">: Allocated, Under construction</span>' in page


def test_the_housing_tree_counts_homes_by_construction_and_by_allocation(
    world: World, client: Any
) -> None:
    for state in (Construction.UNDER_CONSTRUCTION, Construction.PLANNED):  # works paused
        Unit.objects.filter(building__complex=world.kalbajar_complex, number="1").update(
            construction=state
        )
    client.force_login(world.ayten)
    page = client.get("/housing/").content.decode()
    assert 'title="Planned: 1"' in page and 'title="Built: 5"' in page
    assert 'title="Free: 6"' in page


def test_the_unit_api_refuses_to_unbuild_a_home_whose_keys_are_handed(
    world: World, api: Any
) -> None:
    home = Unit.objects.get(building__complex=world.kalbajar_complex, number="2")
    give_home(home, world.kalbajar_family, UnitStatus.KEYS_HANDED)
    response = api(world.kamran).patch(
        f"/api/units/{home.pk}/", {"construction": "planned"}, format="json"
    )
    assert response.status_code == 400
    assert "construction" in response.json()
    home.refresh_from_db()
    assert home.construction == Construction.BUILT


def test_a_buildings_floors_are_counted_in_the_readers_grammar(world: World, client: Any) -> None:
    from homecoming.housing.models import Building

    Building.objects.filter(complex=world.kalbajar_complex).update(floors=1)
    client.force_login(world.kamran)
    assert "1 floor" in client.get("/housing/KLB-RC1/").content.decode()
    assert "1 floors" not in client.get("/housing/KLB-RC1/").content.decode()
    page = client.get("/housing/KLB-RC1/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "1 этаж" in page
