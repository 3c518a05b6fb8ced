"""The open data through the API: the same tables with their HXL hashtags, as JSON or as the
files (?format=csv, ?format=xlsx), GeoJSON of the places, scoped and recorded."""

from __future__ import annotations

import io
from typing import Any

import hxl
import pytest
from shapely.geometry import shape

from homecoming.core.models import AccessEvent
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def test_the_aggregates_answer_json_with_their_hashtags(returned: World, api: Any) -> None:
    body = api(returned.orkhan).get("/api/aggregates/?level=settlement").json()
    assert body["level"] == "settlement"
    tags = {c["key"]: c["hxl"] for c in body["columns"]}
    assert tags["returned_families"] == "#affected+returnees+hh"
    assert tags["waiting_families"] == "#affected+idps+hh"
    zar = next(r for r in body["results"] if r["settlement_code"] == "AZ110104")
    assert (zar["waiting_families"], zar["waiting_persons"]) == (1, 3)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_aggregates_answer_the_hxl_files_too(returned: World, api: Any, fmt: str) -> None:
    response = api(returned.ayten).get(f"/api/aggregates/?level=complex&format={fmt}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = hxl.data(io.BytesIO(response.content), hxl.InputOptions(allow_local=True)).cache()
    assert "#loc+complex+code" in [c.display_tag for c in data.columns]
    assert {r.get("#loc+complex+code") for r in data} == {"KLB-RC1", "LAC-RC1"}


def test_one_place_s_row_by_its_code(returned: World, api: Any) -> None:
    client = api(returned.kamran)
    row = client.get("/api/aggregates/KLB-RC1/").json()
    assert (row["level"], row["returned_families"], row["homes"]) == ("complex", 1, 6)
    assert client.get("/api/aggregates/AZ1101/").json()["level"] == "district"
    assert client.get("/api/aggregates/LAC-RC1/").status_code == 404  # another district's


def test_an_unknown_level_is_a_400_naming_it(returned: World, api: Any) -> None:
    response = api(returned.ayten).get("/api/aggregates/?level=planet")
    assert response.status_code == 400
    assert "level" in response.json()


def test_family_rows_through_the_api_need_the_format_s_permission(
    returned: World, api: Any
) -> None:
    assert (
        api(returned.sabina).get("/api/aggregates/?level=household&format=xlsx").status_code == 403
    )
    body = api(returned.sabina).get("/api/aggregates/?level=household").json()
    assert {r["reg_number"] for r in body["results"]} == {"KLB-1", "KLB-2", "KLB-3", "LAC-1"}
    assert AccessEvent.objects.filter(object_type="registry.household", refused=False).count() == 1


def test_the_places_are_geojson_with_valid_geometry(returned: World, api: Any) -> None:
    response = api(returned.ayten).get("/api/places/?layer=hazard_area&layer=complex")
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert {f["properties"]["kind"] for f in body["features"]} == {"complex", "hazard_area"}
    for f in body["features"]:
        if f["geometry"] is not None:
            assert shape(f["geometry"]).is_valid
    feature = api(returned.ayten).get("/api/places/HA-1/").json()
    assert feature["properties"]["status"] == "confirmed"
    assert shape(feature["geometry"]).exterior.is_ccw
    assert api(returned.ayten).get("/api/places/?layer=roads").status_code == 400


def test_every_api_export_is_recorded(returned: World, api: Any) -> None:
    client = api(returned.sabina)
    client.get("/api/aggregates/?level=district&format=csv")
    client.get("/api/places/")
    found = list(
        AccessEvent.objects.filter(kind="opendata_export")
        .order_by("id")
        .values_list("channel", "format", "object_type")
    )
    assert found == [("api", "csv", "opendata.district"), ("api", "json", "opendata.places")]


def test_an_error_is_json_whatever_the_format_of_the_success(returned: World, api: Any) -> None:
    """The schema declares errors as JSON: a missing place is not answered as GeoJSON."""
    missing = api(returned.ayten).get("/api/places/NO-SUCH/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    bad = api(returned.ayten).get("/api/aggregates/?level=planet&format=csv")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", ["/api/places/?format=docx", "/api/aggregates/?format=%11x"])
def test_an_unknown_format_is_a_400_naming_it_not_a_missing_page(
    returned: World, api: Any, url: str
) -> None:
    """DRF answers an unknown ?format= with 404, which the schema does not declare (the
    fuzzer found it): it is a wrong parameter, so a 400 that names it and the formats."""
    response = api(returned.ayten).get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "json" in str(response.json()["format"])
