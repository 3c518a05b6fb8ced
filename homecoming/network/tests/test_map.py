"""The network's map layers through the app: national roads, a route only in scope."""

from __future__ import annotations

import json
from typing import Any

import pytest

from homecoming.testing import World

pytestmark = pytest.mark.django_db


def _features(response: Any, layer: str) -> list[dict[str, Any]]:
    data = response.json()
    return [f for f in data["features"] if f["properties"]["layer"] == layer]


def test_the_roads_of_january_show_the_murov_pass_closed_and_july_open(
    network: World, client: Any
) -> None:
    client.force_login(network.leyla)  # roads are national: any district's officer reads them
    january = client.get("/network/map/data/?month=1")
    assert january["Content-Type"] == "application/geo+json"
    roads = {f["properties"]["edge"]: f["properties"] for f in _features(january, "road")}
    assert roads["murov-pass-north"]["state"] == "closed"
    assert "road-closed" in roads["murov-pass-north"]["cls"]
    july = client.get("/network/map/data/?month=7")
    roads = {f["properties"]["edge"]: f["properties"] for f in _features(july, "road")}
    assert roads["murov-pass-north"]["state"] == "open"
    assert not _features(july, "route")


def test_a_settlement_s_route_is_drawn_for_its_district_and_hidden_from_another(
    network: World, client: Any
) -> None:
    client.force_login(network.kamran)
    response = client.get("/network/map/data/?month=1&settlement=AZ110101&to=regional_city")
    (route,) = _features(response, "route")
    assert route["properties"]["title"].startswith("Route: ")
    focus = [f for f in _features(response, "node") if "focus" in f["properties"]["cls"]]
    assert [f["properties"]["rank"] for f in focus] == [0]
    assert response.json()["bbox"][0] <= focus[0]["geometry"]["coordinates"][0]
    client.force_login(network.leyla)
    assert client.get("/network/map/data/?settlement=AZ110101").status_code == 404


def test_the_travel_pages_hand_their_layers_to_the_map_as_data(network: World, client: Any) -> None:
    client.force_login(network.kamran)
    page = client.get("/network/AZ110101/?month=3&to=hospital").content.decode()
    config = json.loads(page.split('id="map-config" type="application/json">')[1].split("<")[0])
    assert config["sources"] == ["/network/map/data/?month=3&settlement=AZ110101&to=hospital"]
    assert [key for key, _name in config["layers"]] == ["road", "route", "node"]
    page = client.get("/network/?month=3").content.decode()
    config = json.loads(page.split('id="map-config" type="application/json">')[1].split("<")[0])
    assert config["sources"] == ["/network/map/data/?month=3", "/readiness/map/data/"]
