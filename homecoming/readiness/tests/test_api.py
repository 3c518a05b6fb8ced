"""The readiness REST API: items, hazard areas as GeoJSON, schools, stages; scoped."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from homecoming.core.testing import World, audited_changes
from homecoming.readiness.importers import import_hazard_geojson
from homecoming.readiness.models import ItemStatus, ReadinessItem, School, Stage
from homecoming.readiness.tests.helpers import (
    collection,
    feature,
    item,
    place_complex,
    record_ready,
)

pytestmark = pytest.mark.django_db


def test_district_officers_see_only_their_district_through_the_api(world: World, api: Any) -> None:
    item(world.kalbajar_complex, "water")
    item(world.lachin_complex, "water")
    import_hazard_geojson(
        "a.geojson", json.dumps(collection(feature("HA-K"))), world.kalbajar, None
    )
    import_hazard_geojson("b.geojson", json.dumps(collection(feature("HA-L"))), world.lachin, None)
    School.objects.create(name="Lachin school", kind="school", settlement=world.lachin_city)
    kamran = api(world.kamran)
    items = kamran.get("/api/readiness-items/").json()
    rows = items["results"] if isinstance(items, dict) else items
    assert [r["complex"] for r in rows] == ["KLB-RC1"]
    hazards = kamran.get("/api/hazard-areas/").json()
    assert hazards["type"] == "FeatureCollection"
    assert [f["id"] for f in hazards["features"]] == ["HA-K"]
    assert hazards["features"][0]["geometry"]["type"] == "Polygon"
    schools = kamran.get("/api/schools/").json()
    assert (schools["results"] if isinstance(schools, dict) else schools) == []
    assert api(world.ayten).get("/api/hazard-areas/").json()["features"][1]["id"] == "HA-L"


def test_an_officer_cannot_create_an_item_outside_their_district(world: World, api: Any) -> None:
    response = api(world.kamran).post(
        "/api/readiness-items/", {"kind": "water", "complex": "LAC-RC1", "status": "done"}
    )
    assert response.status_code == 400


def test_items_written_through_the_api_are_audited(world: World, api: Any) -> None:
    client = api(world.kamran)
    response = client.post(
        "/api/readiness-items/",
        {"kind": "water", "complex": "KLB-RC1", "status": "in_progress"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = client.patch(f"/api/readiness-items/{pk}/", {"status": "done"}, format="json")
    assert response.json()["status"] == "done"
    changes = audited_changes(ReadinessItem.objects.get(pk=pk))
    assert ("status", "in_progress", "done", "kamran") in changes


def test_the_auditor_reads_but_cannot_write(world: World, api: Any) -> None:
    sabina = api(world.sabina)
    assert sabina.get("/api/readiness-items/").status_code == 200
    response = sabina.post("/api/readiness-items/", {"kind": "water", "complex": "KLB-RC1"})
    assert response.status_code == 403


def test_releasing_a_hazard_area_through_the_api_opens_the_complex(world: World, api: Any) -> None:
    from homecoming.readiness.gate import blockers

    place_complex(world.kalbajar_complex)
    record_ready(world.kalbajar_city)
    import_hazard_geojson(
        "a.geojson", json.dumps(collection(feature("HA-1"))), world.kalbajar, None
    )
    assert blockers(world.kalbajar_complex)
    area_id = api(world.ayten).get("/api/hazard-areas/").json()["features"][0]["id"]
    assert area_id == "HA-1"
    from homecoming.readiness.models import HazardArea

    pk = HazardArea.objects.get(code="HA-1").pk
    response = api(world.kamran).patch(
        f"/api/hazard-areas/{pk}/",
        {"status": "released", "released_on": "2026-01-10"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["properties"]["status"] == "released"
    assert blockers(world.kalbajar_complex) == []


def test_a_school_and_a_stage_carry_their_plan_and_progress(world: World, api: Any) -> None:
    school = School.objects.create(
        name="Kalbajar school",
        kind="school",
        settlement=world.kalbajar_city,
        permanent_capacity=528,
        permanent_opens_on=date(2026, 12, 20),
        modular_capacity=120,
        modular_opens_on=date(2025, 9, 1),
    )
    stage = Stage.objects.create(
        settlement=world.kalbajar_city,
        number=1,
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 12, 31),
        target_families=10,
        target_persons=40,
    )
    item(world.kalbajar_complex, "water", ItemStatus.DONE)
    data = api(world.kamran).get(f"/api/stages/{stage.pk}/").json()
    (verdict,) = data["progress"]["complexes"]
    assert verdict["ready"] is False, "nothing recorded for the city: the gate stays closed"
    assert "Electricity: not recorded yet." in verdict["blockers"]
    record_ready(world.kalbajar_city)
    data = api(world.kamran).get(f"/api/schools/{school.pk}/").json()
    assert {"year", "children", "gap", "modular_needed"} <= set(data["years"][0])
    data = api(world.kamran).get(f"/api/stages/{stage.pk}/").json()
    assert data["progress"]["complexes"][0]["code"] == "KLB-RC1"
    assert data["progress"]["complexes"][0]["ready"] is True
    assert api(world.leyla).get(f"/api/stages/{stage.pk}/").status_code == 404
