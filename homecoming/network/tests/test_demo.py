"""The Kalbajar demo loads the road network, its settlements linked by code."""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.network.models import Edge, Node

pytestmark = pytest.mark.django_db


def test_the_demo_loads_the_network_linked_to_its_settlements(demo_db: Any, db: Any) -> None:
    assert Edge.objects.filter(edge_id="murovdag-tunnel").exists()
    linked = dict(Node.objects.filter(area__isnull=False).values_list("node_id", "area__code"))
    assert linked == {
        "kalbajar": "AZ110101",
        "kalbajar-centre": "AZ1101",
        "lachin": "AZ110201",
        "lachin-centre": "AZ1102",
    }
