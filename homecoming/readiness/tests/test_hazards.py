"""GeoJSON import of hazard areas: valid files are imported, malformed ones change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from homecoming.core.models import AuditEvent
from homecoming.core.testing import World, acting_as, audited_changes
from homecoming.readiness.importers import HazardImportError, import_hazard_geojson
from homecoming.readiness.models import HazardArea
from homecoming.readiness.tests.helpers import NEAR_KALBAJAR, collection, feature

pytestmark = pytest.mark.django_db


def load(world: World, doc: Any, name: str = "areas.geojson") -> Any:
    data = doc if isinstance(doc, str) else json.dumps(doc)
    with acting_as(world.kamran):
        return import_hazard_geojson(name, data, world.kalbajar, world.kamran)


def test_a_valid_file_creates_areas_with_their_bounding_boxes(world: World) -> None:
    report = load(world, collection(feature("HA-1", name="Orchard"), feature("HA-2", "released")))
    assert (report.created, report.updated) == (2, 0)
    area = HazardArea.objects.get(code="HA-1")
    assert (area.min_lon, area.max_lat) == (46.038, 40.10845)
    assert area.district == world.kalbajar and area.source == "areas.geojson"


def test_reimporting_updates_by_code_and_audits_the_status_change(world: World) -> None:
    load(world, collection(feature("HA-1")))
    report = load(world, collection(feature("HA-1", "cleared")))
    assert (report.created, report.updated) == (0, 1)
    area = HazardArea.objects.get(code="HA-1")
    assert ("status", "confirmed", "cleared", "kamran") in audited_changes(area)


BROKEN_RING = {"type": "Polygon", "coordinates": [[[46.0, 40.0], [46.1, 40.0], [46.1, 40.1]]]}
NOT_CLOSED = {
    "type": "Polygon",
    "coordinates": [[[46.0, 40.0], [46.1, 40.0], [46.1, 40.1], [46.0, 40.2]]],
}
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[46.0, 40.0], [46.1, 40.1], [46.1, 40.0], [46.0, 40.1], [46.0, 40.0]]],
}
SWAPPED = {
    "type": "Polygon",
    "coordinates": [[[40.0, 146.0], [40.1, 146.0], [40.1, 146.1], [40.0, 146.0]]],
}


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ("{not json", "areas.geojson: not valid JSON"),
        ({"type": "Feature"}, "areas.geojson, type: expected a GeoJSON FeatureCollection"),
        (collection(), "areas.geojson, features: no features"),
        (
            collection(feature("A"), feature("B", status="mined")),
            "areas.geojson, feature 1, properties.status: 'mined' is not one of",
        ),
        (
            collection(feature("A"), feature("A")),
            "areas.geojson, feature 1, properties.code: code A appears twice",
        ),
        (
            collection(feature("")),
            "areas.geojson, feature 0, properties.code: a code of 1 to 40 characters",
        ),
        (
            collection(feature("A", geometry={"type": "Point", "coordinates": [46, 40]})),
            "areas.geojson, feature 0, geometry.type: expected a Polygon or MultiPolygon",
        ),
        (
            collection(feature("A", geometry=BROKEN_RING)),
            "feature 0, geometry.coordinates[0]: a ring needs at least four positions",
        ),
        (
            collection(feature("A", geometry=NOT_CLOSED)),
            "feature 0, geometry.coordinates[0]: the ring is not closed",
        ),
        (
            collection(feature("A", geometry=SWAPPED)),
            "feature 0, geometry.coordinates[0][0]: 40.0, 146.0 is not a WGS 84",
        ),
        (
            collection(feature("A", geometry=BOW_TIE)),
            "feature 0, geometry: invalid polygon: Self-intersection",
        ),
        (
            collection(feature("A", released_on="15/02/2023")),
            "feature 0, properties.released_on: expected a date as YYYY-MM-DD",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_where_and_why_and_changes_nothing(
    world: World, doc: Any, expected: str
) -> None:
    load(world, collection(feature("OLD", "suspected")))
    before = list(HazardArea.objects.values_list("code", "status", "geometry"))
    changes = AuditEvent.objects.count()
    good_then_bad = doc
    if isinstance(doc, dict) and doc.get("features"):
        # A valid first feature that would update OLD must not be written either.
        good_then_bad = {**doc, "features": [feature("OLD", "released"), *doc["features"]]}
        expected = expected.replace("feature 1,", "feature 2,").replace("feature 0,", "feature 1,")
    with pytest.raises(HazardImportError) as exc:
        load(world, good_then_bad)
    assert expected in str(exc.value)
    assert list(HazardArea.objects.values_list("code", "status", "geometry")) == before
    assert AuditEvent.objects.count() == changes


def test_multipolygons_and_numeric_ids_are_accepted(world: World) -> None:
    doc = collection(
        {
            "type": "Feature",
            "id": 17,
            "properties": {"status": "suspected"},
            "geometry": {"type": "MultiPolygon", "coordinates": [NEAR_KALBAJAR["coordinates"]]},
        }
    )
    load(world, doc)
    assert HazardArea.objects.get(code="17").geometry["type"] == "MultiPolygon"
