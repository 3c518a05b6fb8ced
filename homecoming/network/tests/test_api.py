"""The network API: national data, every role reads, administrators write."""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.network.models import Edge

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["ayten", "kamran", "leyla", "orkhan", "sabina"])
def test_every_role_reads_the_whole_network(network: Any, api: Any, persona: str) -> None:
    client = api(getattr(network, persona))
    edges = client.get("/api/network-edges/").json()
    assert len(edges) == 31 or edges.get("count") == 31
    tunnel = client.get("/api/network-edges/murovdag-tunnel/").json()
    assert tunnel["from_node"] == "murovdag-north" and tunnel["opens_on"] == "2025-08-21"
    node = client.get("/api/network-nodes/kalbajar/").json()
    assert node["area"] == "AZ110101"


@pytest.mark.parametrize("persona", ["kamran", "orkhan", "sabina"])
def test_only_administrators_change_the_network(network: Any, api: Any, persona: str) -> None:
    client = api(getattr(network, persona))
    response = client.patch("/api/network-edges/murovdag-tunnel/", {"speed_kmh": 20}, format="json")
    assert response.status_code == 403
    assert Edge.objects.get(edge_id="murovdag-tunnel").speed_kmh == 70


def test_an_administrator_closes_a_road_in_winter_through_the_api(network: Any, api: Any) -> None:
    client = api(network.ayten)
    response = client.patch(
        "/api/network-edges/shusha-lachin/", {"closed_months": "12 1;2"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert Edge.objects.get(edge_id="shusha-lachin").closed_months == "1,2,12"
    bad = client.patch("/api/network-edges/shusha-lachin/", {"closed_months": "13"}, format="json")
    assert bad.status_code == 400 and "closed_months" in bad.json()
    created = client.post(
        "/api/network-edges/",
        {
            "edge_id": "new",
            "from_node": "lachin",
            "to_node": "shusha",
            "mode": "road",
            "length_km": 40,
        },
        format="json",
    )
    assert created.status_code == 400 and "speed_kmh" in created.json()
