"""Correcting a family's file in the web pages."""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.core.testing import World

pytestmark = pytest.mark.django_db

FORM = {
    "shelter_kind": "unfinished",
    "shelter_address": "Gəncə, yataqxana 3",
    "priority": "2",
    "destination": "",
    "phone": "+994 50 000 00 00",
    "consent": "on",
    "consent_on": "2024-01-01",
    "notes": "",
}


def test_a_district_officer_corrects_a_family_of_their_district(world: World, client: Any) -> None:
    client.force_login(world.kamran)
    response = client.post("/households/KLB-1/edit/", FORM)
    assert response.status_code == 302
    world.kalbajar_family.refresh_from_db()
    assert world.kalbajar_family.shelter_kind == "unfinished"


def test_it_refuses_to_edit_a_family_of_another_district(world: World, client: Any) -> None:
    client.force_login(world.kamran)
    assert client.post("/households/LAC-1/edit/", FORM).status_code == 404
    world.lachin_family.refresh_from_db()
    assert world.lachin_family.shelter_kind == "dormitory"


def test_an_auditor_cannot_edit(world: World, client: Any) -> None:
    client.force_login(world.sabina)
    assert client.get("/households/KLB-1/edit/").status_code == 403


def test_consent_needs_its_date(world: World, client: Any) -> None:
    client.force_login(world.ayten)
    response = client.post("/households/KLB-1/edit/", {**FORM, "consent_on": ""})
    assert response.status_code == 200
    assert "Give the date the family consented." in response.content.decode()
