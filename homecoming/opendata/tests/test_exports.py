"""Exports in the field's formats: HXL-tagged CSV and XLSX read back with libhxl, GeoJSON
checked with shapely, scoped to the user's district, family rows only with the export
permission, every export recorded."""

from __future__ import annotations

import io
import json
from typing import Any

import hxl
import openpyxl
import pytest
from django.test import Client
from shapely.geometry import shape

from homecoming.core.models import AccessEvent
from homecoming.testing import World

pytestmark = pytest.mark.django_db

HXL_OPTIONS = hxl.InputOptions(allow_local=True)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_hxl(content: bytes) -> Any:
    return hxl.data(io.BytesIO(content), HXL_OPTIONS).cache()


@pytest.mark.parametrize("level", ["district", "settlement", "complex"])
def test_it_exports_each_level_as_csv_whose_hashtags_libhxl_finds(
    returned: World, level: str
) -> None:
    response = client_for(returned.ayten).get(f"/opendata/{level}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    data = read_hxl(response.content)
    tags = [c.display_tag for c in data.columns]
    assert {
        "#date+reported",
        "#adm2+code",
        "#affected+returnees+hh",
        "#affected+returnees+ind",
    } <= set(tags)
    assert "#indicator+homes+ready+num" in tags
    rows = list(data)
    assert rows
    assert all(r.get("#date+reported") for r in rows)
    if level == "complex":
        row = next(r for r in rows if r.get("#loc+complex+code") == "KLB-RC1")
        assert row.get("#affected+returnees+hh") == "1"
        assert row.get("#affected+returnees+ind") == "4"


def test_the_files_pass_libhxl_s_default_schema(returned: World) -> None:
    """Numbers where HXL expects numbers, dates where it expects dates."""
    client = client_for(returned.ayten)
    for level in ("district", "settlement", "complex"):
        data = read_hxl(client.get(f"/opendata/{level}.csv").content)
        report = hxl.validate(data)
        errors = [i for i in report["issues"] if i["rule"]["severity"] == "error"]
        assert not errors, errors


def test_it_exports_xlsx_that_libhxl_reads(returned: World) -> None:
    response = client_for(returned.ayten).get("/opendata/settlement.xlsx")
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["settlement"]
    data = read_hxl(response.content)
    by_code = {r.get("#loc+settlement+code"): r for r in data}
    assert by_code["AZ110104"].get("#affected+idps+hh") in (1, "1")  # Zar: one moved in, one waits
    assert by_code["AZ110101"].get("#affected+returnees+hh") in (1, "1")


def test_the_header_row_speaks_the_reader_s_language_and_the_hashtags_do_not_change(
    returned: World,
) -> None:
    client = client_for(returned.ayten)
    english = client.get("/opendata/district.csv").content.decode("utf-8-sig").splitlines()
    client.cookies["django_language"] = "ru"
    russian = client.get("/opendata/district.csv", HTTP_ACCEPT_LANGUAGE="ru").content
    lines = russian.decode("utf-8-sig").splitlines()
    assert [t.split("+i_")[0] for t in lines[1].split(",")] == [
        t.split("+i_")[0] for t in english[1].split(",")
    ]


def test_a_district_officer_exports_only_their_district(returned: World) -> None:
    text = client_for(returned.leyla).get("/opendata/complex.csv").content.decode()
    assert "LAC-RC1" in text
    assert "KLB-RC1" not in text
    geo = json.loads(client_for(returned.leyla).get("/opendata/places.geojson").content)
    codes = {f["properties"]["code"] for f in geo["features"]}
    assert "LAC-RC1" in codes and "KLB-RC1" not in codes and "HA-1" not in codes


def test_every_export_is_recorded(returned: World) -> None:
    client = client_for(returned.sabina)
    client.get("/opendata/complex.csv")
    client.get("/opendata/places.geojson")
    events = list(AccessEvent.objects.filter(kind="opendata_export").order_by("id"))
    assert [(e.actor, e.format, e.object_type, e.refused) for e in events] == [
        ("sabina", "csv", "opendata.complex", False),
        ("sabina", "json", "opendata.places", False),
    ]
    assert events[0].count == 2  # the two complexes


def test_family_rows_need_the_permission_to_export_the_format(returned: World) -> None:
    """Aggregates are for every role; one row per family only with the format's permission
    (an auditor takes CSV, not Excel), and even then no names, numbers or phones."""
    auditor = client_for(returned.sabina)
    assert auditor.get("/opendata/complex.xlsx").status_code == 200
    assert auditor.get("/opendata/household.xlsx").status_code == 403
    refused = AccessEvent.objects.get(kind="opendata_export", refused=True)
    assert (refused.actor, refused.format, refused.count) == ("sabina", "xlsx", 0)
    response = auditor.get("/opendata/household.csv")
    assert response.status_code == 200
    text = response.content.decode()
    assert "KLB-1" in text and "#beneficiary+hh+code" in text
    for personal in ("Məmmədov", "Member0", "1970-01-01"):
        assert personal not in text
    event = AccessEvent.objects.filter(kind="opendata_export", refused=False).latest("id")
    assert (event.object_type, event.count) == ("registry.household", 4)


def test_the_exports_page_offers_family_rows_only_in_the_formats_allowed(returned: World) -> None:
    page = client_for(returned.sabina).get("/opendata/").content.decode()
    assert "/opendata/household.csv" in page
    assert "/opendata/household.xlsx" not in page
    assert "/opendata/complex.xlsx" in page


def test_every_geojson_geometry_is_valid_wgs84_lon_lat(returned: World) -> None:
    response = client_for(returned.ayten).get("/opendata/places.geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection" and "crs" not in data
    kinds = {f["properties"]["kind"] for f in data["features"]}
    assert kinds == {"settlement", "complex", "hazard_area"}
    west, south, east, north = data["bbox"]
    for f in data["features"]:
        assert f["id"] == f["properties"]["code"]
        if f["geometry"] is None:
            continue  # a place without coordinates stays listed (RFC 7946 allows it)
        geometry = shape(f["geometry"])
        assert geometry.is_valid, f
        lon_min, lat_min, lon_max, lat_max = geometry.bounds
        assert -180 <= lon_min <= lon_max <= 180 and -90 <= lat_min <= lat_max <= 90
        assert west <= lon_min and lon_max <= east and south <= lat_min and lat_max <= north
        if geometry.geom_type == "Polygon":
            assert geometry.exterior.is_ccw  # the right-hand rule
    city = next(f for f in data["features"] if f["id"] == "AZ110101")
    assert city["geometry"]["coordinates"] == [46.038, 40.107]  # lon, lat
    assert city["properties"]["adm2_code"] == "AZ1101"
    assert city["properties"]["returned_families"] == 1


def test_an_unknown_level_or_format_is_not_found(returned: World) -> None:
    client = client_for(returned.ayten)
    assert client.get("/opendata/family.csv").status_code == 404
    assert client.get("/opendata/complex.pdf").status_code == 404
    assert client.get("/opendata/places.geojson?layer=roads").status_code == 404


def test_the_exports_need_a_sign_in(returned: World) -> None:
    assert Client().get("/opendata/complex.csv").status_code == 302
