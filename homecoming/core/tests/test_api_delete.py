"""Nothing is deleted through the API: DELETE answers 405 everywhere and the row stays."""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.core.testing import World
from homecoming.core.tests.api_world import make_api_world
from homecoming.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def routes() -> list[tuple[str, Any]]:
    from config.urls import router

    return [(prefix, viewset) for prefix, viewset, _basename in router.registry]


def test_no_viewset_has_a_destroy_action() -> None:
    for prefix, viewset in routes():
        assert not hasattr(viewset, "destroy"), prefix


def test_delete_answers_405_on_every_endpoint_and_keeps_the_row(api: Any) -> None:
    world = make_api_world()
    client = api(world.ayten)
    tried = 0
    for prefix, viewset in routes():
        if hasattr(viewset, "list"):
            assert client.delete(f"/api/{prefix}/").status_code == 405, prefix
        queryset: Any = getattr(viewset, "queryset", None)
        if queryset is None:  # the accessibility of a settlement is computed, not stored
            response = client.delete(f"/api/{prefix}/{world.kalbajar_city.code}/")
            assert response.status_code == 405, prefix
            continue
        if prefix == "transitions":  # read from the audit trail, not a queryset of its own
            from homecoming.handover.history import status_changes

            queryset = status_changes()
        field = viewset.lookup_field
        value = queryset.values_list(field, flat=True).first()
        assert value is not None, f"the API world has no {prefix}"
        response = client.delete(f"/api/{prefix}/{value}/")
        assert response.status_code == 405, (prefix, response.content)
        assert queryset.model._default_manager.filter(**{field: value}).exists(), prefix
        assert client.get(f"/api/{prefix}/{value}/").status_code == 200, prefix
        tried += 1
    assert tried >= 20


def test_a_district_officer_cannot_delete_a_household(world: World, api: Any) -> None:
    family = world.kalbajar_family
    members = Person.objects.filter(household=family).count()
    response = api(world.kamran).delete(f"/api/households/{family.reg_number}/")
    assert response.status_code == 405
    assert api(world.sabina).delete(f"/api/households/{family.reg_number}/").status_code == 405
    assert Household.objects.filter(pk=family.pk).exists()
    assert Person.objects.filter(household=family).count() == members == 4


def test_the_schema_publishes_no_delete_operation(world: World, api: Any) -> None:
    schema = api(world.ayten).get("/api/schema/?format=json").json()
    methods = {method for operations in schema["paths"].values() for method in operations}
    assert "delete" not in methods and {"get", "post", "patch"} <= methods
