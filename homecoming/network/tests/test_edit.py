"""Editing the network in the app: administrators only, checked like an import."""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.network.models import Edge, Node

pytestmark = pytest.mark.django_db


def edge_form(**changes: Any) -> dict[str, Any]:
    form = {
        "edge_id": "murovdag-tunnel",
        "name": "Murovdag tunnel",
        "project": "Murovdag tunnel",
        "from_node": "murovdag-north",
        "to_node": "murovdag-south",
        "mode": "tunnel",
        "length_km": "11.7",
        "speed_kmh": "70",
        "minutes": "",
        "closed_months": "",
        "status": "open",
        "opens_on": "2025-08-21",
    }
    form.update(changes)
    return form


def test_an_administrator_edits_an_edge_and_a_node(network: Any, client: Any) -> None:
    client.force_login(network.ayten)
    assert client.get("/network/edges/murovdag-tunnel/edit/").status_code == 200
    response = client.post(
        "/network/edges/murovdag-tunnel/edit/",
        edge_form(status="construction", opens_on="2027-01-01"),
    )
    assert response.status_code == 302
    tunnel = Edge.objects.get(edge_id="murovdag-tunnel")
    assert (tunnel.status, str(tunnel.opens_on)) == ("construction", "2027-01-01")
    node = {
        "node_id": "zar",
        "name": "Zar",
        "lat": "40.185",
        "lon": "46.25",
        "kind": "settlement",
        "role": "",
        "area": str(network.zar.pk),
    }
    assert client.post("/network/nodes/new/", node).status_code == 302
    assert Node.objects.get(node_id="zar").area == network.zar


def test_a_bad_edge_is_refused_with_the_reason(network: Any, client: Any) -> None:
    client.force_login(network.ayten)
    response = client.post(
        "/network/edges/murovdag-tunnel/edit/",
        edge_form(speed_kmh="", closed_months="11,13", to_node="murovdag-north"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "month 13 is not in 1..12" in html and "give a speed or fixed minutes" in html
    assert "an edge joins two different nodes" in html
    assert Edge.objects.get(edge_id="murovdag-tunnel").speed_kmh == 70


@pytest.mark.parametrize("persona", ["kamran", "orkhan", "sabina"])
def test_other_roles_cannot_edit_the_network(network: Any, client: Any, persona: str) -> None:
    client.force_login(getattr(network, persona))
    assert client.get("/network/edges/").status_code == 200
    assert client.get("/network/edges/murovdag-tunnel/edit/").status_code == 403
    response = client.post("/network/edges/murovdag-tunnel/edit/", edge_form(speed_kmh="10"))
    assert response.status_code == 403
    assert Edge.objects.get(edge_id="murovdag-tunnel").speed_kmh == 70


def test_an_existing_edge_can_be_saved_unchanged_from_its_own_form(
    network: Any, client: Any
) -> None:
    from homecoming.network.forms import EdgeForm

    tunnel = Edge.objects.get(edge_id="murovdag-tunnel")
    form = EdgeForm(instance=tunnel, profile=network.ayten.profile)
    assert form["from_node"].value() == "murovdag-north"
    assert form["to_node"].value() == "murovdag-south"
    client.force_login(network.ayten)
    page = client.get("/network/edges/murovdag-tunnel/edit/").content.decode()
    assert '<option value="murovdag-north" selected>' in page
    unchanged = {
        name: "" if value is None else value
        for name, value in ((f.name, f.value()) for f in form)
        if not isinstance(value, bool) or value
    }
    assert client.post("/network/edges/murovdag-tunnel/edit/", unchanged).status_code == 302


def test_a_finished_project_reads_open_on_the_edges_page(network: Any, client: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    highway = Edge.objects.get(edge_id="kalbajar-lachin-highway")
    highway.status, highway.opens_on, highway.closed_months = "construction", None, ""
    highway.opens_on = timezone.localdate() - timedelta(days=30)
    highway.save()
    client.force_login(network.kamran)
    page = client.get("/network/edges/").content.decode()
    assert 'data-state="opened">Open (project finished)' in page
    highway.opens_on = timezone.localdate() + timedelta(days=30)
    highway.save()
    page = client.get("/network/edges/").content.decode()
    assert 'data-state="construction">Under construction' in page
