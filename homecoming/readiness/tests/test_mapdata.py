"""The readiness layers of the map, built from plain values (no database)."""

from __future__ import annotations

from homecoming.readiness.mapdata import (
    Hazard,
    Place,
    hazard_feature,
    place_feature,
    readiness_collection,
)

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[46.0, 40.0], [46.1, 40.0], [46.1, 40.1], [46.0, 40.0]]],
}


def _place(kind: str = "complex", ready: bool = False, homes: int = 40, lived_in: int = 3) -> Place:
    return Place(kind, "KC1", "Kalbajar complex", 40.1, 46.05, ready, homes, lived_in)


def test_a_place_is_green_only_when_the_gate_lets_families_in() -> None:
    assert "place-ready" in place_feature(_place(ready=True))["properties"]["cls"]
    blocked = place_feature(_place(ready=False))["properties"]
    assert "place-blocked" in blocked["cls"]
    assert blocked["title"] == "Kalbajar complex: not ready for families. 3 of 40 homes lived in."


def test_a_place_carries_its_returns_and_no_one_s_name() -> None:
    props = place_feature(_place())["properties"]
    assert set(props) == {
        "layer",
        "cls",
        "title",
        "label",
        "rank",
        "radius",
        "homes",
        "lived_in",
        "ready",
    }
    assert (props["homes"], props["lived_in"]) == (40, 3)


def test_settlements_are_labelled_before_complexes_and_bigger_places_drawn_bigger() -> None:
    settlement = place_feature(_place("settlement"))["properties"]
    complex_ = place_feature(_place("complex"))["properties"]
    assert settlement["rank"] < complex_["rank"]
    small = place_feature(_place(homes=4))["properties"]["radius"]
    big = place_feature(_place(homes=400))["properties"]["radius"]
    huge = place_feature(_place(homes=40_000))["properties"]["radius"]
    assert small < big <= huge <= 11


def test_a_hazard_area_keeps_its_shape_and_says_its_status_in_words() -> None:
    f = hazard_feature(Hazard("HA-1", "", "suspected", "Suspected", SQUARE))
    assert f["geometry"] == SQUARE
    assert f["properties"]["cls"] == "hazard hazard-suspected"
    assert f["properties"]["title"] == "HA-1: Suspected"


def test_hazard_areas_are_drawn_under_the_places_and_the_map_fits_them_all() -> None:
    data = readiness_collection(
        [_place("complex"), _place("settlement")],
        [Hazard("HA-1", "", "confirmed", "Confirmed", SQUARE)],
    )
    layers = [f["properties"]["layer"] for f in data["features"]]
    assert layers == ["hazard", "settlement", "complex"]
    assert data["bbox"] == [46.0, 40.0, 46.1, 40.1]
