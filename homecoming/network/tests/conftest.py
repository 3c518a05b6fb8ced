"""The demo network loaded over the personas' world (Kalbajar and Lachin are linked)."""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.core.testing import World


@pytest.fixture
def network(world: World) -> Any:
    from homecoming.network.services import load_demo_network

    load_demo_network()
    return world
