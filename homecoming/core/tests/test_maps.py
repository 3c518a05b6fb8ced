"""The map helpers: GeoJSON builders, the page's configuration, the tile setting."""

from __future__ import annotations

import json
from typing import Any

from django.test import RequestFactory
from django.utils import timezone

from homecoming.core.maps import (
    collection,
    feature,
    geojson_response,
    line_feature,
    map_config,
    month_asked,
    point_feature,
    positions,
)

SQUARES = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[46.0, 40.0], [46.2, 40.0], [46.2, 40.2], [46.0, 40.0]]],
        [[[45.5, 39.5], [45.6, 39.5], [45.6, 39.6], [45.5, 39.5]]],
    ],
}


def test_it_leaves_out_properties_without_a_value() -> None:
    f = feature({"type": "Point", "coordinates": [46, 40]}, title="A", label=None, rank=0)
    assert f["properties"] == {"title": "A", "rank": 0}


def test_it_rounds_coordinates_to_about_ten_centimetres() -> None:
    f = point_feature(46.123456789, 40.987654321)
    assert f["geometry"]["coordinates"] == [46.123457, 40.987654]
    line = line_feature([(46.0, 40.0), (46.1111111, 40.2222222)])
    assert line["geometry"] == {
        "type": "LineString",
        "coordinates": [[46.0, 40.0], [46.111111, 40.222222]],
    }


def test_the_collection_s_box_covers_every_position_of_every_shape() -> None:
    features = [feature(SQUARES, layer="hazard"), point_feature(47.0, 41.0)]
    assert collection(features)["bbox"] == [45.5, 39.5, 47.0, 41.0]
    assert len(list(positions(SQUARES))) == 8


def test_a_given_box_wins_and_an_empty_collection_has_none() -> None:
    assert collection([point_feature(47.0, 41.0)], [1, 2, 3, 4])["bbox"] == [1, 2, 3, 4]
    assert "bbox" not in collection([])


def test_the_answer_is_geojson_and_never_cached() -> None:
    response = geojson_response(collection([point_feature(46.0, 40.0, title="Kəlbəcər")]))
    assert response["Content-Type"] == "application/geo+json"
    assert response["Cache-Control"] == "private, no-store"
    assert "Kəlbəcər" in response.content.decode()
    assert json.loads(response.content)["type"] == "FeatureCollection"


def test_the_page_config_has_no_base_map_by_default(settings: Any) -> None:
    config = map_config(["/a/"], {"road": "Roads"}, "Nothing")
    assert config == {
        "sources": ["/a/"],
        "layers": [["road", "Roads"]],
        "empty": "Nothing",
        "tiles": "",
        "attribution": "",
    }
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example"
    config = map_config(["/a/"], {"road": "Roads"}, "Nothing")
    assert config["tiles"] == settings.MAP_TILE_URL and config["attribution"] == "© Example"


def test_the_month_asked_is_kept_within_the_year() -> None:
    factory = RequestFactory()
    assert month_asked(factory.get("/?month=2"))[0] == 2
    assert month_asked(factory.get("/?month=13"))[0] == 12
    assert month_asked(factory.get("/?month=0"))[0] == 1
    month, on = month_asked(factory.get("/?month=x"), day=15)
    assert month == timezone.localdate().month and on.day == 15
