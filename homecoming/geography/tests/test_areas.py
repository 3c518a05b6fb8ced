"""Administrative areas: names in the reader's language, scope, and who may change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from homecoming.geography.models import Area, Level
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def test_an_area_is_named_in_the_readers_language_and_falls_back_to_english(
    world: World,
) -> None:
    with translation.override("ru"):
        assert str(world.kalbajar_city) == "Кельбаджар"
        assert str(world.zar) == "Zar"  # no Russian name recorded: English
    with translation.override("az"):
        assert str(world.kalbajar) == "Kəlbəcər rayonu"


def test_a_settlement_and_its_district_share_one_scope(world: World) -> None:
    assert world.zar.district_id_for_scope == world.kalbajar.pk
    assert world.kalbajar.district_id_for_scope == world.kalbajar.pk
    country = Area.objects.get(level=Level.COUNTRY)
    assert country.district_id_for_scope is None


def test_a_district_officer_sees_their_district_and_its_settlements_only(world: World) -> None:
    seen = set(Area.objects.for_profile(world.kamran.profile).values_list("code", flat=True))
    assert seen == {"AZ1101", "AZ110101", "AZ110104"}
    assert Area.objects.for_profile(world.sabina.profile).count() == Area.objects.count()


def test_coordinates_outside_the_globe_are_refused_by_the_database(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.filter(pk=world.zar.pk).update(lat=91.0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.filter(pk=world.zar.pk).update(lon=-181.0)


def test_only_an_administrator_adds_an_area_and_never_outside_the_pattern(
    world: World, api: Any
) -> None:
    new = {
        "code": "AZ110105",
        "level": "settlement",
        "parent": "AZ1101",
        "name_az": "Yeni",
        "name_en": "New",
    }
    assert api(world.kamran).post("/api/areas/", new, format="json").status_code == 403
    assert api(world.ayten).post("/api/areas/", new, format="json").status_code == 201
    bad = {**new, "code": "AZ/11"}
    response = api(world.ayten).post("/api/areas/", bad, format="json")
    assert response.status_code == 400 and "code" in response.json()


def test_the_area_list_answers_in_a_fixed_number_of_queries(
    world: World, api: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(20):
        Area.objects.create(
            code=f"AZ1101{50 + i}",
            level="settlement",
            parent=world.kalbajar,
            name_az="X",
            name_en="X",
        )
    client = api(world.ayten)
    with django_assert_max_num_queries(8):
        response = client.get("/api/areas/?page_size=100")
    assert response.status_code == 200 and response.json()["count"] >= 25
