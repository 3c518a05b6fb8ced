"""Bad requests get a clear 4xx in JSON, never a 500, and leave the data as it was."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.exceptions import ValidationError

from homecoming.core.api import exception_handler
from homecoming.core.testing import World
from homecoming.housing.models import Unit

pytestmark = pytest.mark.django_db


def test_a_value_the_database_refuses_is_a_409_naming_the_rule(world: World, api: Any) -> None:
    unit = Unit.objects.filter(building__complex=world.kalbajar_complex).first()
    assert unit is not None
    response = api(world.ayten).patch(f"/api/units/{unit.pk}/", {"rooms": 0}, format="json")
    assert response.status_code == 409
    assert "unit_rooms_positive" in response.json()["detail"]
    unit.refresh_from_db()
    assert unit.rooms >= 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/households/KLB-1%00/",
        "/api/households/?search=a%00b",
        "/api/units/?status=ready&building__complex__code=%00",
        "/api/persons/?ordering=%00",
        "/households/KLB-1%00/",
    ],
)
def test_a_nul_character_in_the_address_is_a_400(world: World, api: Any, url: str) -> None:
    response = api(world.ayten).get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    "header", ["HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_IDEMPOTENCY_KEY", "HTTP_ACCEPT_LANGUAGE"]
)
def test_a_nul_character_in_a_header_is_a_400(world: World, api: Any, header: str) -> None:
    response = api(world.ayten).get("/api/households/", **{header: "Token abcdefgh\x00ij"})
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_nul_character_in_a_body_is_a_400_and_changes_nothing(world: World, api: Any) -> None:
    client = api(world.ayten)
    family = world.kalbajar_family
    for body in ({"origin": "AZ110104\x00"}, {"notes": "a\x00b"}, {"x\x00": 1}):
        response = client.patch(f"/api/households/{family.reg_number}/", body, format="json")
        assert response.status_code == 400, body
    as_form = client.patch(f"/api/households/{family.reg_number}/", {"notes": "a\x00b"})
    assert as_form.status_code == 400
    family.refresh_from_db()
    assert family.notes == "" and family.origin == world.zar


def test_an_address_no_api_route_matches_is_a_json_404(world: World, api: Any) -> None:
    response = api(world.ayten).get("/api/households/a.b/c/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_record_still_referred_to_is_a_409() -> None:
    from django.db.models import ProtectedError

    response = exception_handler(ProtectedError("referenced", set()), {})
    assert response is not None and response.status_code == 409
    assert "refer" in response.data["detail"]


def test_a_bare_list_of_messages_becomes_an_object() -> None:
    response = exception_handler(ValidationError("unknown offer"), {})
    assert response is not None and response.status_code == 400
    assert response.data == {"non_field_errors": ["unknown offer"]}


def test_the_schema_declares_the_errors_each_operation_can_answer(world: World, api: Any) -> None:
    paths = api(world.ayten).get("/api/schema/?format=json").json()["paths"]
    household = paths["/api/households/{reg_number}/"]
    assert {"200", "400", "403", "404", "409"} <= set(household["patch"]["responses"])
    assert {"200", "400", "403", "404"} <= set(household["get"]["responses"])
    assert "409" not in household["get"]["responses"]
    assert {"201", "400", "403", "409"} <= set(paths["/api/households/"]["post"]["responses"])
