"""Importing an OSM extract into the app replaces the network and links settlements by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from homecoming.network.models import Edge, Node
from homecoming.network.tests.test_engine_osm import write_pbf

pytestmark = pytest.mark.django_db


def test_an_osm_extract_is_imported_by_the_command(network: Any, tmp_path: Path) -> None:
    path = write_pbf(tmp_path / "tiny.osm.pbf", village="Zar")
    call_command("import-network", str(path))
    assert Edge.objects.count() == 3 and Node.objects.count() == 3
    assert Edge.objects.get(edge_id="osm-w10-1").name == "Main road"
    assert Edge.objects.get(edge_id="osm-w11-1").mode == "tunnel"
    assert Node.objects.get(node_id="osm-n4").area == network.zar  # linked by its name


def test_a_broken_extract_changes_nothing(network: Any, tmp_path: Path) -> None:
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x10not a pbf at all")
    with pytest.raises(SystemExit):
        call_command("import-network", str(bad))
    assert Edge.objects.count() == 31
