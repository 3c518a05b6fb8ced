"""Readiness pages: the matrix, the timeline, the map, schools, stages; scoping and queries."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
from homecoming.testing import World, audited_changes, make_complex

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


def test_the_map_draws_hazard_areas_and_buildings(world: World, client: Any) -> None:
    place_complex(world.kalbajar_complex)
    import_hazard_geojson(
        "a.geojson", json.dumps(collection(feature("HA-1"))), world.kalbajar, None
    )
    client.force_login(world.ayten)
    page = client.get("/readiness/map/").content.decode()
    assert "<svg" in page and 'class="hazard hazard-confirmed"' in page
    assert 'class="building"' in page


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
