"""Registry files and identifiers under attack: mojibake, "/" in a registration number,
formula cells in reports, import files served only to those in scope."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.forms import modelform_factory

from homecoming.core.testing import World
from homecoming.registry.importers import create_import, run_import
from homecoming.registry.models import Group, Household, ImportStatus, Person, RegistryImport

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "reg_number,origin,shelter_kind,registered_on\nKLB-100,AZ110101,dormitory,2001-05-04\n"
PERSONS = (
    "household,surname,given_name,sex,relationship\n"
    "KLB-100,Məmmədova,Sevinc,F,head\n"
    "KLB-100,Məmmədov,Rəşid,M,spouse\n"
)
RUSSIAN = (
    "household,surname,given_name,sex,relationship\n"
    "KLB-100,Мамедова,Севиндж,F,head\n"
    "KLB-100,Мамедов,Рашид,M,spouse\n"
)


def files(tmp_path: Path, persons: bytes) -> tuple[Path, Path]:
    h, p = tmp_path / "households.csv", tmp_path / "persons.csv"
    h.write_text(HOUSEHOLDS, encoding="utf-8")
    p.write_bytes(persons)
    return h, p


def test_a_utf8_file_with_one_invalid_byte_is_refused_naming_line_and_byte(
    world: World, tmp_path: Path
) -> None:
    # One byte 0xFF in place of an "ə": what one bad save or copy leaves behind.
    broken = PERSONS.encode().replace("Məmmədov,".encode(), b"M\xffmm\xc9\x99dov,")
    h, p = files(tmp_path, broken)
    imp = run_import(create_import(h, p, user=world.kamran))
    assert imp.status == ImportStatus.REJECTED
    (error,) = imp.errors
    assert error["message"] == (
        "persons.csv: line 3, byte 10 (byte 90 of the file): 0xff is not valid UTF-8; "
        "save the file as UTF-8 or choose its encoding"
    )
    assert not Household.objects.filter(reg_number="KLB-100").exists()
    assert not Person.objects.filter(household__reg_number="KLB-100").exists()


def test_a_windows_1251_file_is_refused_unless_its_encoding_is_chosen(
    world: World, tmp_path: Path
) -> None:
    h, p = files(tmp_path, RUSSIAN.encode("cp1251"))
    imp = run_import(create_import(h, p, user=world.kamran))
    assert imp.status == ImportStatus.REJECTED
    assert "persons.csv: line 2, byte 9" in imp.errors[0]["message"]
    assert not Household.objects.filter(reg_number="KLB-100").exists()

    out = io.StringIO()
    call_command("import-registry", h, persons=p, encoding="cp1251", user="kamran", stdout=out)
    names = set(Person.objects.filter(household__reg_number="KLB-100").values_list("surname"))
    assert names == {("Мамедова",), ("Мамедов",)}  # the right letters, no mojibake


def test_the_import_page_takes_an_encoding_choice(
    world: World,
    client: Any,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.kamran)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/registry/imports/",
            {
                "households_file": SimpleUploadedFile("h.csv", HOUSEHOLDS.encode()),
                "persons_file": SimpleUploadedFile("p.csv", RUSSIAN.encode("cp1251")),
                "encoding": "cp1251",
            },
        )
    assert response.status_code == 302
    imp = RegistryImport.objects.get()
    assert imp.encoding == "cp1251" and imp.status == ImportStatus.IMPORTED, imp.errors
    assert Person.objects.filter(surname="Мамедова").exists()


def test_a_registration_number_with_a_slash_is_refused_everywhere(
    world: World, api: Any, tmp_path: Path
) -> None:
    h = tmp_path / "households.csv"
    h.write_text(HOUSEHOLDS.replace("KLB-100", "KLB/100"), encoding="utf-8")
    imp = run_import(create_import(h, None, user=world.kamran))
    assert imp.status == ImportStatus.REJECTED
    assert imp.errors == [
        {
            "file": "households.csv",
            "row": 2,
            "field": "reg_number",
            "message": "'/' is not allowed (letters, digits, '-', '_' and '.' only)",
        }
    ]
    new = {
        "reg_number": "NEW/1",
        "origin": "AZ110101",
        "shelter_kind": "dormitory",
        "registered_on": "2001-02-03",
    }
    response = api(world.kamran).post("/api/households/", new, format="json")
    assert response.status_code == 400
    assert "reg_number" in response.json()
    for bad in ("NEW 1", "=cmd", "NEW\x001", "../x"):
        new["reg_number"] = bad
        assert api(world.kamran).post("/api/households/", new, format="json").status_code == 400
    assert not Household.objects.filter(reg_number__startswith="NEW").exists()
    form = modelform_factory(Group, fields=["code", "name"])({"code": "G/1", "name": "kin"})
    assert "code" in form.errors


def test_every_identifier_of_the_demo_passes_the_pattern(db: Any) -> None:
    from homecoming.core.identifiers import identifier_problem
    from homecoming.demo.scenario import do_load_demo
    from homecoming.geography.models import Area
    from homecoming.housing.models import Building, ResidentialComplex, Unit
    from homecoming.network.models import Edge, Node
    from homecoming.readiness.models import HazardArea

    do_load_demo()
    columns = [
        (Household, "reg_number"), (Group, "code"), (Area, "code"),
        (ResidentialComplex, "code"), (Building, "code"), (Unit, "number"),
        (HazardArea, "code"), (Node, "node_id"), (Edge, "edge_id"),
    ]  # fmt: skip
    checked = 0
    for model, column in columns:
        for value in model.objects.values_list(column, flat=True).distinct():  # type: ignore[attr-defined]
            assert identifier_problem(value) is None, (model.__name__, value)
            checked += 1
    assert Household.objects.count() > 4000 and checked > 5000


def test_a_formula_in_an_import_report_is_written_as_text(
    world: World,
    client: Any,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.kamran)
    name = '=HYPERLINK("evil.example","click").csv'
    bad = HOUSEHOLDS + "KLB-101,AZ999999,dormitory,2001-05-04\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/registry/imports/", {"households_file": SimpleUploadedFile(name, bad.encode())}
        )
    imp = RegistryImport.objects.get()
    assert imp.status == ImportStatus.REJECTED and imp.errors[0]["file"] == name
    body = client.get(f"/registry/imports/{imp.pk}/errors.csv").content.decode()
    (row,) = list(csv.DictReader(io.StringIO(body)))
    assert row["file"] == "'" + name
    cli_file = tmp_path / "=HYPERLINK(1).csv"
    cli_file.write_text(bad, encoding="utf-8")
    report = tmp_path / "report.csv"
    with pytest.raises(SystemExit):
        call_command("import-registry", cli_file, report=report, stdout=io.StringIO())
    (row,) = list(csv.DictReader(report.open(encoding="utf-8")))
    assert row["file"] == "'=HYPERLINK(1).csv"


def test_an_import_file_is_downloaded_only_in_scope_and_as_an_attachment(
    world: World, client: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.kamran)
    client.post(
        "/registry/imports/",
        {"households_file": SimpleUploadedFile("h.html", b"<script>alert(1)</script>")},
    )
    imp = RegistryImport.objects.get()
    response = client.get(f"/registry/imports/{imp.pk}/files/households/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    client.force_login(world.leyla)
    assert client.get(f"/registry/imports/{imp.pk}/files/households/").status_code == 404
    client.force_login(world.kamran)
    assert client.get(f"/registry/imports/{imp.pk}/files/persons/").status_code == 404
    stored = Path(imp.households_file).relative_to(tmp_path)
    assert client.get(f"/media/{stored}").status_code == 404
