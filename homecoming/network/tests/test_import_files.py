"""Network files: identifiers by pattern, UTF-8 only, size limits; nothing changes on refusal."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homecoming.network.engine import InputError
from homecoming.network.importers import DEMO_DIR, read_network_file
from homecoming.network.models import Edge
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def demo_copy(tmp_path: Path) -> Path:
    target = tmp_path / "net"
    shutil.copytree(DEMO_DIR, target)
    return target


def test_an_edge_id_with_a_slash_is_refused_with_file_line_and_column(
    network: Any, tmp_path: Path
) -> None:
    folder = demo_copy(tmp_path)
    edges = folder / "edges.csv"
    edges.write_text(edges.read_text().replace("ganja-goygol,", "ganja/goygol,", 1))
    with pytest.raises(InputError) as caught:
        read_network_file(folder)
    err = caught.value
    assert (Path(err.file).name, err.line, err.column) == ("edges.csv", 3, "edge_id")
    assert "'/' is not allowed" in err.message


def test_a_node_file_with_an_invalid_byte_is_refused_naming_line_and_byte(
    network: Any, tmp_path: Path
) -> None:
    folder = demo_copy(tmp_path)
    nodes = folder / "nodes.csv"
    nodes.write_bytes(nodes.read_bytes().replace("Göyg".encode(), b"G\xf6yg", 1))
    with pytest.raises(InputError, match=r"line 4, byte 9 .*0xf6 is not valid UTF-8"):
        read_network_file(folder)


def test_an_upload_past_the_import_limit_changes_nothing(
    world: World, network: Any, client: Any, settings: Any
) -> None:
    settings.FILE_LIMITS = {**settings.FILE_LIMITS, "import_max_bytes": 500}
    before = list(Edge.objects.values_list("edge_id", flat=True))
    client.force_login(world.ayten)
    nodes = (DEMO_DIR / "nodes.csv").read_bytes()
    response = client.post(
        "/network/edges/",
        {
            "file": SimpleUploadedFile("nodes.csv", nodes),
            "edges": SimpleUploadedFile("edges.csv", (DEMO_DIR / "edges.csv").read_bytes()),
        },
    )
    assert "the limit is 500" in response.content.decode()
    assert list(Edge.objects.values_list("edge_id", flat=True)) == before
