"""The open-data tests' world: the personas with one family returned and a hazard area."""

from __future__ import annotations

import pytest

from homecoming.opendata.tests.helpers import hazard, move_in
from homecoming.testing import World


@pytest.fixture
def returned(world: World) -> World:
    unit = world.kalbajar_complex.buildings.get().units.order_by("id").first()
    assert unit is not None
    move_in(unit, world.kalbajar_family)
    hazard(world.kalbajar)
    return world
