"""Readiness pages: the matrix, the timeline, the map, schools, stages; scoping and queries."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homecoming.housing.models import Unit, UnitStatus
from homecoming.readiness.importers import import_hazard_geojson
from homecoming.readiness.models import HazardArea, ItemStatus, ReadinessItem
from homecoming.readiness.tests.helpers import (
    collection,
    feature,
    item,
    place_complex,
    policy,
    record_ready,
)
from homecoming.testing import World, audited_changes, give_home, make_complex

pytestmark = pytest.mark.django_db

PAGES = [
    "/readiness/",
    "/readiness/timeline/",
    "/readiness/map/",
    "/readiness/schools/",
    "/readiness/stages/",
    "/readiness/changes/",
]


def queries_for(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", PAGES)
def test_every_readiness_page_opens_for_every_persona(world: World, client: Any, url: str) -> None:
    policy("water")
    item(world.kalbajar_city, "water", ItemStatus.IN_PROGRESS, planned_end=date(2026, 6, 1))
    for user in (world.ayten, world.kamran, world.leyla, world.orkhan, world.sabina):
        client.force_login(user)
        assert client.get(url).status_code == 200, (url, user)


def test_the_matrix_does_not_grow_queries_with_the_data(world: World, client: Any) -> None:
    policy("water", "electricity")
    place_complex(world.kalbajar_complex)
    client.force_login(world.ayten)
    before = queries_for(client, "/readiness/")
    for i in range(6):
        c = make_complex(world.zar, f"ZAR-{i}", [3, 3])
        item(c, "water", ItemStatus.IN_PROGRESS, planned_end=date(2026, 1, i + 1))
        item(c, "electricity")
        place_complex(c, 40.1 + i / 100, 46.0)
    doc = collection(*(feature(f"HA-{i}") for i in range(3)))
    import_hazard_geojson("a.geojson", json.dumps(doc), world.kalbajar, None)
    assert queries_for(client, "/readiness/") == before


def test_the_matrix_shows_status_dates_and_the_reasons(world: World, client: Any) -> None:
    policy("water")
    item(world.kalbajar_city, "water", ItemStatus.IN_PROGRESS, planned_end=date(2026, 6, 1))
    client.force_login(world.ayten)
    page = client.get("/readiness/").content.decode()
    assert "rs-in_progress" in page and "2026-06-01" in page
    assert "Water supply (Kalbajar): in progress, planned for 2026-06-01." in page


def test_a_district_officer_sees_only_their_district(world: World, client: Any) -> None:
    lachin_item = item(world.lachin_complex, "road")
    import_hazard_geojson("a.geojson", json.dumps(collection(feature("HA-L"))), world.lachin, None)
    client.force_login(world.kamran)
    page = client.get("/readiness/").content.decode()
    assert "KLB-RC1" in page and "LAC-RC1" not in page
    assert client.get(f"/readiness/items/{lachin_item.pk}/").status_code == 404
    assert "HA-L" not in client.get("/readiness/map/").content.decode()
    client.force_login(world.leyla)
    assert "HA-L" in client.get("/readiness/map/").content.decode()


def test_an_officer_records_an_item_and_the_change_is_audited(world: World, client: Any) -> None:
    client.force_login(world.kamran)
    url = f"/readiness/items/new/?kind=water&complex={world.kalbajar_complex.pk}"
    response = client.post(url, {"status": "in_progress", "organisation": "Azersu"})
    assert response.status_code == 302
    water = ReadinessItem.objects.get(kind__code="water", complex=world.kalbajar_complex)
    client.post(f"/readiness/items/{water.pk}/", {"status": "done", "organisation": "Azersu"})
    water.refresh_from_db()
    assert water.status == "done"
    assert ("status", "in_progress", "done", "kamran") in audited_changes(water)
    page = client.get("/readiness/changes/").content.decode()
    # the column and its values as people read them, not actual_end or in_progress
    assert "In progress" in page and "in_progress" not in page and "kamran" in page


def test_evidence_is_uploaded_under_the_media_root(
    world: World, client: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    mines = item(world.kalbajar_complex, "mine-clearance", ItemStatus.CERTIFIED)
    client.force_login(world.kamran)
    upload = SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 handover", "application/pdf")
    client.post(f"/readiness/items/{mines.pk}/", {"title": "Handover certificate", "file": upload})
    (evidence,) = mines.evidence.all()
    assert (tmp_path / evidence.file.name).read_bytes() == b"%PDF-1.4 handover"


def test_the_auditor_cannot_change_an_item(world: World, client: Any) -> None:
    water = item(world.kalbajar_complex, "water", ItemStatus.IN_PROGRESS)
    client.force_login(world.sabina)
    assert client.post(f"/readiness/items/{water.pk}/", {"status": "done"}).status_code == 403


def test_the_map_import_refuses_a_malformed_file_and_changes_nothing(
    world: World, client: Any
) -> None:
    client.force_login(world.kamran)
    bad = collection(feature("HA-1"), feature("HA-2", status="dangerous"))
    upload = SimpleUploadedFile("areas.geojson", json.dumps(bad).encode())
    page = client.post(
        "/readiness/map/", {"district": world.kalbajar.pk, "file": upload}, follow=True
    ).content.decode()
    assert "areas.geojson, feature 1, properties.status" in page
    assert not HazardArea.objects.exists()


def test_the_map_page_loads_its_layers_from_geojson_and_the_roads_of_the_month(
    world: World, client: Any
) -> None:
    client.force_login(world.ayten)
    page = client.get("/readiness/map/?month=2").content.decode()
    config = json.loads(page.split('id="map-config" type="application/json">')[1].split("<")[0])
    assert config["sources"] == ["/readiness/map/data/", "/network/map/data/?month=2"]
    assert [key for key, _name in config["layers"]] == ["road", "hazard", "settlement", "complex"]
    assert config["tiles"] == ""
    assert '<option value="2" selected>' in page
    assert "<script>" not in page  # the layers come as data, never as an inline script


def test_the_map_data_draws_hazard_areas_and_places_in_the_reader_s_scope(
    world: World, client: Any
) -> None:
    place_complex(world.kalbajar_complex)
    place_complex(world.lachin_complex, 39.6, 46.5)
    for code, district in (("HA-1", world.kalbajar), ("HA-L", world.lachin)):
        import_hazard_geojson("a.geojson", json.dumps(collection(feature(code))), district, None)
    unit = Unit.objects.filter(building__complex=world.kalbajar_complex).first()
    assert unit is not None
    give_home(unit, world.kalbajar_family, UnitStatus.OCCUPIED)
    client.force_login(world.kamran)
    response = client.get("/readiness/map/data/")
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    by_layer: dict[str, list[Any]] = {}
    for f in data["features"]:
        by_layer.setdefault(f["properties"]["layer"], []).append(f["properties"])
    assert [h["code"] for h in by_layer["hazard"]] == ["HA-1"]
    assert [h["cls"] for h in by_layer["hazard"]] == ["hazard hazard-confirmed"]
    (complex_,) = by_layer["complex"]
    assert complex_["label"] == "Complex KLB-RC1"
    assert (complex_["homes"], complex_["lived_in"], complex_["ready"]) == (6, 1, False)
    # Kalbajar has coordinates and a complex; Zar has neither; Lachin is another district.
    (settlement,) = by_layer["settlement"]
    assert (settlement["label"], settlement["homes"], settlement["lived_in"]) == ("Kalbajar", 6, 1)
    assert "LAC" not in response.content.decode() and "Lachin" not in response.content.decode()
    # Aggregates only: no family is named on the map.
    assert "KLB-1" not in response.content.decode()


def test_the_map_data_answers_in_a_fixed_number_of_queries(world: World, client: Any) -> None:
    place_complex(world.kalbajar_complex)
    client.force_login(world.ayten)
    client.get("/readiness/map/data/")
    with CaptureQueriesContext(connection) as few:
        client.get("/readiness/map/data/")
    for i in range(5):
        place_complex(make_complex(world.kalbajar_city, f"KLB-X{i}", [2, 3]), lon=46.04 + i / 100)
        import_hazard_geojson(
            "a.geojson", json.dumps(collection(feature(f"HA-{i}"))), world.kalbajar, None
        )
    with CaptureQueriesContext(connection) as many:
        data = client.get("/readiness/map/data/").json()
    assert len(data["features"]) == 1 + 5 + 6  # settlement, hazard areas, complexes
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_each_hazard_form_shows_the_area_s_own_status(world: World, client: Any) -> None:
    features = [feature("HA-1", "released", released_on="2026-01-10"), feature("HA-2", "cleared")]
    import_hazard_geojson("a.geojson", json.dumps(collection(*features)), world.kalbajar, None)
    client.force_login(world.kamran)
    page = client.get("/readiness/map/").content.decode()
    forms = page.split('action="/readiness/hazards/')[1:]
    assert forms[0].startswith("HA-1/") and forms[1].startswith("HA-2/")
    assert '<option value="released" selected>' in forms[0].split("</form>")[0]
    assert 'value="2026-01-10"' in forms[0].split("</form>")[0]
    assert '<option value="cleared" selected>' in forms[1].split("</form>")[0]
    assert 'id="id_HA-1_status"' in page and 'id="id_HA-2_status"' in page


def test_the_admin_cannot_change_audited_readiness_records(world: World, client: Any) -> None:
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", password="x-root-pass")
    client.force_login(admin_user)
    assert client.get("/admin/readiness/readinessitem/add/").status_code == 403
    assert client.get("/admin/readiness/hazardarea/add/").status_code == 403
    assert client.get("/admin/readiness/readinessitem/").status_code == 200


def test_a_place_with_nothing_recorded_is_never_shown_ready(world: World, client: Any) -> None:
    client.force_login(world.ayten)
    for url in ("/readiness/", "/housing/", "/housing/KLB-RC1/", "/readiness/map/"):
        page = client.get(url).content.decode()
        assert "gate-ok" not in page, url
        assert "gate-no" in page, url
    page = client.get("/readiness/").content.decode()
    assert "Electricity: not recorded yet." in page
    page = client.get("/housing/KLB-RC1/").content.decode()
    assert "Water supply: not recorded yet." in page


def test_a_recorded_and_done_place_is_shown_ready(world: World, client: Any) -> None:
    record_ready(world.kalbajar_city)
    client.force_login(world.ayten)
    page = client.get("/housing/KLB-RC1/").content.decode()
    assert '<dd id="gate"><span class="gate-ok">Ready</span>' in page
