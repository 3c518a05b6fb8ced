"""Roles: what each persona may see and do, through the web pages and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from homecoming.registry.models import Household
from homecoming.testing import PASSWORD, World

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_it_sends_anonymous_visitors_to_the_login_page(world: World) -> None:
    response = Client().get("/households/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_district_officer_lists_only_families_of_their_district(world: World) -> None:
    page = logged_in(world.kamran).get("/households/").content.decode()
    assert "KLB-1" in page and "KLB-3" in page
    assert "LAC-1" not in page


def test_a_district_officer_cannot_open_a_family_of_another_district(world: World) -> None:
    client = logged_in(world.kamran)
    assert client.get("/households/KLB-1/").status_code == 200
    assert client.get("/households/LAC-1/").status_code == 404


def test_a_district_officer_sees_only_the_housing_of_their_district(world: World) -> None:
    client = logged_in(world.leyla)
    tree = client.get("/housing/").content.decode()
    assert "Complex LAC-RC1" in tree and "Complex KLB-RC1" not in tree
    assert client.get("/housing/KLB-RC1/").status_code == 404
    dashboard = client.get("/").content.decode()
    assert "Complex KLB-RC1" not in dashboard


def test_the_dashboard_counts_only_the_officers_district(world: World) -> None:
    response = logged_in(world.leyla).get("/")
    assert response.context["f"]["families"]["registered"] == 1
    assert response.context["f"]["homes"]["total"] == 2


def test_the_api_lists_only_the_officers_district(world: World, api: Any) -> None:
    client = api(world.leyla)
    for url, present, absent in [
        ("/api/households/", "LAC-1", "KLB-1"),
        ("/api/complexes/", "LAC-RC1", "KLB-RC1"),
        ("/api/settlements/", "AZ110201", "AZ110101"),
    ]:
        body = client.get(url).content.decode()
        assert present in body and absent not in body, url
    persons = client.get("/api/persons/").json()
    assert {p["household"] for p in persons["results"]} == {"LAC-1"}
    units = client.get("/api/units/").json()
    assert units["count"] == 2
    assert client.get("/api/households/KLB-1/").status_code == 404
    assert client.get("/api/groups/G1/").status_code == 404


def test_a_district_officer_cannot_register_a_family_in_another_district(
    world: World, api: Any
) -> None:
    new = {
        "reg_number": "NEW-1",
        "origin": "AZ110101",
        "shelter_kind": "dormitory",
        "registered_on": "2001-02-03",
    }
    response = api(world.leyla).post("/api/households/", new, format="json")
    assert response.status_code == 400
    assert "origin" in response.json()
    assert not Household.objects.filter(reg_number="NEW-1").exists()
    response = api(world.kamran).post("/api/households/", new, format="json")
    assert response.status_code == 201, response.content
    assert Household.objects.get(reg_number="NEW-1").district == world.kalbajar


def test_a_district_officer_cannot_edit_a_family_of_another_district(
    world: World, api: Any
) -> None:
    response = api(world.kamran).patch("/api/households/LAC-1/", {"priority": 9}, format="json")
    assert response.status_code == 404
    world.lachin_family.refresh_from_db()
    assert world.lachin_family.priority == 0


def test_an_auditor_reads_everything_and_writes_nothing(world: World, api: Any) -> None:
    client = api(world.sabina)
    assert client.get("/api/households/").json()["count"] == 4
    response = client.patch("/api/households/KLB-1/", {"priority": 9}, format="json")
    assert response.status_code == 403
    assert logged_in(world.sabina).get("/allocation/new/").status_code == 403


def test_an_allocation_officer_cannot_edit_the_registry(world: World, api: Any) -> None:
    response = api(world.orkhan).patch("/api/households/KLB-1/", {"priority": 9}, format="json")
    assert response.status_code == 403


def test_an_account_without_a_role_is_refused(db: Any, api: Any) -> None:
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password=PASSWORD)
    assert api(nobody).get("/api/households/").status_code == 403
    assert logged_in(nobody).get("/households/").status_code == 403


def test_the_api_accepts_a_token(world: World) -> None:
    from rest_framework.test import APIClient

    from homecoming.accounts.services import do_issue_token

    _token, raw = do_issue_token(world.kamran)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/households/").json()["count"] == 3


def test_the_openapi_schema_is_served(world: World, api: Any) -> None:
    response = api(world.ayten).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/households/" in response.content
