"""Evidence and certificates: typed by content, downloaded only in scope, never from /media/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homecoming.core.testing import World
from homecoming.readiness.importers import HazardImportError, parse_hazard_geojson
from homecoming.readiness.models import Evidence, HazardArea, ItemStatus
from homecoming.readiness.tests.helpers import collection, feature, item

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
HTML = b"<!doctype html><script>fetch('/api/persons/').then(r => r.text())</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"/>'


@pytest.fixture
def mines(world: World, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return item(world.kalbajar_complex, "mine-clearance", ItemStatus.CERTIFIED)


def upload(client: Any, mines: Any, name: str, data: bytes, content_type: str) -> Any:
    return client.post(
        f"/readiness/items/{mines.pk}/",
        {"title": "Act", "file": SimpleUploadedFile(name, data, content_type)},
    )


@pytest.mark.parametrize(
    ("name", "data", "claimed"),
    [
        ("act.html", HTML, "text/html"),
        ("map.svg", SVG, "image/svg+xml"),
        ("act.pdf", HTML, "application/pdf"),  # a name and a type that lie
        ("photo.jpg", SVG, "image/jpeg"),
    ],
)
def test_evidence_that_is_not_pdf_jpeg_png_or_text_is_refused(
    world: World, client: Any, mines: Any, name: str, data: bytes, claimed: str
) -> None:
    client.force_login(world.kamran)
    response = upload(client, mines, name, data, claimed)
    assert response.status_code == 200
    assert "is not a PDF, JPEG, PNG or plain text file" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_past_its_size_limit_is_refused(
    world: World, client: Any, mines: Any, settings: Any
) -> None:
    settings.FILE_LIMITS = {**settings.FILE_LIMITS, "evidence_max_bytes": 100}
    client.force_login(world.kamran)
    response = upload(client, mines, "act.pdf", PDF + b"0" * 100, "application/pdf")
    assert "the limit is 100" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_pdf_is_accepted_and_downloaded_only_in_scope_as_an_attachment(
    world: World, client: Any, mines: Any, tmp_path: Path
) -> None:
    client.force_login(world.kamran)
    assert upload(client, mines, "act of acceptance.PDF", PDF, "text/html").status_code == 302
    (evidence,) = Evidence.objects.all()
    stored = str(evidence.file.name)
    assert stored.endswith(".pdf")  # the name we give, from the content
    url = f"/readiness/evidence/{evidence.pk}/download/"
    page = client.get(f"/readiness/items/{mines.pk}/").content.decode()
    assert url in page and "/media/" not in page

    for user in (world.kamran, world.ayten, world.sabina, world.orkhan):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="act_of_acceptance')
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == PDF
    client.force_login(world.leyla)  # Lachin's officer: the item is not hers to see
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(world.ayten)
    assert client.get(f"/media/{stored}").status_code == 404
    assert (tmp_path / stored).read_bytes() == PDF


def test_a_file_stored_before_the_check_is_served_as_an_opaque_download(
    world: World, client: Any, mines: Any
) -> None:
    from django.core.files.base import ContentFile

    old = Evidence(item=mines, title="Old")
    old.file.save("old.html", ContentFile(HTML))
    client.force_login(world.kamran)
    response = client.get(f"/readiness/evidence/{old.pk}/download/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_hazard_certificate_is_checked_and_downloaded_in_scope(
    world: World, client: Any, mines: Any
) -> None:
    doc = collection(feature("HA-1", status="cleared"))
    client.force_login(world.kamran)
    client.post(
        "/readiness/map/",
        {
            "district": world.kalbajar.pk,
            "file": SimpleUploadedFile("a.geojson", json.dumps(doc).encode()),
        },
    )
    area = HazardArea.objects.get(code="HA-1")
    status_url = f"/readiness/hazards/{area.code}/status/"
    form = {"status": "released", "released_on": "2026-01-05"}
    page = client.post(
        status_url,
        {**form, "certificate": SimpleUploadedFile("c.svg", SVG, "image/svg+xml")},
        follow=True,
    ).content.decode()
    assert "is not a PDF, JPEG, PNG or plain text file" in page
    area.refresh_from_db()
    assert not area.certificate and area.status == "cleared"
    client.post(status_url, {**form, "certificate": SimpleUploadedFile("c.pdf", PDF)})
    area.refresh_from_db()
    assert area.certificate and area.status == "released"
    url = f"/readiness/hazards/{area.code}/certificate/"
    assert url in client.get("/readiness/map/").content.decode()
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    client.force_login(world.leyla)
    assert client.get(url).status_code == 404


def test_a_hazard_code_is_an_identifier_and_the_file_must_be_utf8() -> None:
    with pytest.raises(HazardImportError, match=r"feature 0, properties\.code: '/' is not allowed"):
        parse_hazard_geojson("a.geojson", json.dumps(collection(feature("HA/1"))))
    text = json.dumps(collection(feature("HA-1", name="Ağdaban")), ensure_ascii=False)
    with pytest.raises(HazardImportError, match=r"line 1, byte \d+ .*0xe0 is not valid UTF-8"):
        parse_hazard_geojson("a.geojson", text.encode("utf-8").replace(b"\xc4\x9f", b"\xe0"))


def test_a_plain_text_document_is_served_as_utf8_text_to_download(
    world: World, client: Any, mines: Any
) -> None:
    client.force_login(world.kamran)
    upload(client, mines, "akt.txt", "Akt qəbul edildi\n".encode(), "text/html")
    (evidence,) = Evidence.objects.all()
    response = client.get(f"/readiness/evidence/{evidence.pk}/download/")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="akt.txt"')
