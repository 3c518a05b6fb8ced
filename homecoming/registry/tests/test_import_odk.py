"""Field registration: the XLSForm, and imports of ODK Central and KoBoToolbox exports."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from homecoming.core.testing import World
from homecoming.registry.importers import create_import, run_import
from homecoming.registry.models import (
    Household,
    ImportStatus,
    Person,
    Relationship,
    Sex,
    ShelterKind,
)
from homecoming.registry.xlsform import build as xlsform_build
from homecoming.registry.xlsform.spec import CHOICES

FORM = Path(xlsform_build.__file__).with_name("household_registration.xlsx")

# ODK Central: "Download all as CSV" gives a zip of the main table and one per repeat,
# group paths joined with "-", repeat rows tied to their submission by PARENT_KEY = KEY.
CENTRAL_MAIN = (
    "SubmissionDate,start,end,registered_on,household-reg_number,household-origin,"
    "household-shelter_kind,household-shelter_address,household-phone,consent,"
    "meta-instanceID,KEY,SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,"
    "Status,ReviewState,DeviceID,Edits,FormVersion\n"
    "2026-05-02T10:01:00.000Z,2026-05-02T09:50:00.000+04:00,2026-05-02T10:00:00.000+04:00,"
    "2026-05-02,KLB-500,AZ110104,sanatorium,Naftalan sanatorium room 12,+994 55 111 22 33,yes,"
    "uuid:aaa1,uuid:aaa1,5,registrar1,0,0,,approved,collect:x1,0,2026050101\n"
    "2026-05-02T11:01:00.000Z,,,2026-05-02,KLB-501,AZ110101,tent,,,no,"
    "uuid:bbb2,uuid:bbb2,5,registrar1,0,0,,,collect:x1,0,2026050101\n"
)
CENTRAL_MEMBERS = (
    "surname,given_name,patronymic,sex,birth_date,national_id,relationship,needs_step_free,"
    "PARENT_KEY,KEY\n"
    "Hüseynov,Elçin,Akif oğlu,M,1975-04-11,2BX7K9P,head,no,uuid:aaa1,uuid:aaa1/members[1]\n"
    "Hüseynova,Lalə,,F,1979-09-30,,spouse,yes,uuid:aaa1,uuid:aaa1/members[2]\n"
    "Quliyev,Anar,,M,1990-01-01,,head,no,uuid:bbb2,uuid:bbb2/members[1]\n"
    "Nobody,Lost,,M,1990-01-01,,child,no,uuid:zzz9,uuid:zzz9/members[1]\n"
)


def central_zip(tmp_path: Path, members: str = CENTRAL_MEMBERS) -> Path:
    path = tmp_path / "household_registration.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("household_registration.csv", CENTRAL_MAIN)
        z.writestr("household_registration-members.csv", members)
    return path


def kobo_xlsx(tmp_path: Path) -> Path:
    """KoBoToolbox XLS export ("XML values and headers"): a sheet per repeat group."""
    book = Workbook()
    main = book.active
    assert main is not None
    main.title = "Homecoming household registr"
    main.append(
        [
            "start", "end", "registered_on", "household/reg_number", "household/origin",
            "household/shelter_kind", "household/shelter_address", "household/phone",
            "consent", "_id", "_uuid", "_submission_time", "_validation_status", "_notes",
            "_status", "_submitted_by", "__version__", "_tags", "_index",
        ]
    )  # fmt: skip
    main.append(
        [
            "2026-05-03T09:00:00", "2026-05-03T09:20:00", "2026-05-03", "KLB-600", "AZ110104",
            "dormitory", "Sumqayit dormitory 4", "0501234567", "yes", 301, "c0ffee-1",
            "2026-05-03T09:21:00", "", "", "submitted_via_web", "registrar2", "v1", "", 1,
        ]
    )  # fmt: skip
    members = book.create_sheet("members")
    members.append(
        [
            "members/surname", "members/given_name", "members/patronymic", "members/sex",
            "members/birth_date", "members/national_id", "members/relationship",
            "members/needs_step_free", "_index", "_parent_table_name", "_parent_index",
            "_submission__id", "_submission__uuid", "_submission__submission_time",
        ]
    )  # fmt: skip
    from datetime import datetime

    members.append(
        ["Əliyev", "Vüqar", "Rasim oğlu", "M", datetime(1968, 2, 14), "", "head", "no", 1,
         "Homecoming household registr", 1, 301, "c0ffee-1", "2026-05-03T09:21:00"]
    )  # fmt: skip
    members.append(
        ["Əliyeva", "Gülnar", "", "F", datetime(1971, 6, 1), "", "spouse", "no", 2,
         "Homecoming household registr", 1, 301, "c0ffee-1", "2026-05-03T09:21:00"]
    )  # fmt: skip
    path = tmp_path / "kobo.xlsx"
    book.save(path)
    return path


@pytest.mark.django_db
def test_an_odk_central_export_imports_and_reports_a_repeat_row_without_submission(
    world: World, tmp_path: Path
) -> None:
    rejected = run_import(create_import(central_zip(tmp_path), user=world.kamran))
    assert rejected.format == "odk" and rejected.status == ImportStatus.REJECTED
    assert [(e["row"], e["field"]) for e in rejected.errors] == [(5, "PARENT_KEY")]
    assert not Household.objects.filter(reg_number="KLB-500").exists()

    fixed = CENTRAL_MEMBERS.rsplit("Nobody", 1)[0]
    (tmp_path / "fixed").mkdir()
    imp = run_import(create_import(central_zip(tmp_path / "fixed", fixed), user=world.kamran))
    assert imp.status == ImportStatus.IMPORTED, imp.errors
    family = Household.objects.get(reg_number="KLB-500")
    assert family.origin == world.zar and family.shelter_kind == ShelterKind.SANATORIUM
    assert family.consent and family.consent_on is not None
    assert family.registered_on.isoformat() == "2026-05-02"
    assert [p.given_name for p in family.members.order_by("id")] == ["Elçin", "Lalə"]
    assert Person.objects.get(given_name="Lalə").needs_step_free
    assert Household.objects.get(reg_number="KLB-501").members.count() == 1


@pytest.mark.django_db
def test_unzipped_central_csv_files_import_as_odk(world: World, tmp_path: Path) -> None:
    main = tmp_path / "household_registration.csv"
    main.write_text(CENTRAL_MAIN)
    members = tmp_path / "household_registration-members.csv"
    members.write_text(CENTRAL_MEMBERS.rsplit("Nobody", 1)[0])
    imp = run_import(create_import(main, members))
    assert imp.format == "odk" and imp.status == ImportStatus.IMPORTED, imp.errors
    assert imp.persons_created == 3


@pytest.mark.django_db
def test_a_kobo_xlsx_export_imports_its_members_sheet(world: World, tmp_path: Path) -> None:
    imp = run_import(create_import(kobo_xlsx(tmp_path), fmt="odk"))
    assert imp.status == ImportStatus.IMPORTED, imp.errors
    family = Household.objects.get(reg_number="KLB-600")
    assert family.head is not None and family.head.birth_date is not None
    assert family.head.birth_date.isoformat() == "1968-02-14"
    assert family.members.count() == 2
    again = run_import(create_import(kobo_xlsx(tmp_path), fmt="odk"))
    assert again.status == ImportStatus.UNCHANGED and again.persons_created == 0


def test_the_xlsform_has_the_survey_choices_and_settings_of_our_model() -> None:
    assert FORM.is_file()
    book = load_workbook(FORM, read_only=True)
    assert book.sheetnames == ["survey", "choices", "settings"]
    survey = list(book["survey"].iter_rows(values_only=True))
    header = survey[0]
    assert header[:2] == ("type", "name") and "label::English (en)" in header
    assert "label::Azərbaycanca (az)" in header and "label::Русский (ru)" in header
    names = {row[1]: row[0] for row in survey[1:] if row[1]}
    for field in ("reg_number", "origin", "shelter_kind", "phone", "consent", "registered_on"):
        assert field in names
    assert names["members"] == "begin_repeat"
    for field in ("surname", "given_name", "patronymic", "sex", "birth_date", "national_id"):
        assert field in names
    assert names["relationship"] == "select_one relationship"
    assert names["needs_step_free"] == "select_one yes_no"
    choices = {(r[0], r[1]) for r in book["choices"].iter_rows(min_row=2, values_only=True)}
    assert {n for lst, n in choices if lst == "shelter"} == set(ShelterKind.values)
    assert {n for lst, n in choices if lst == "relationship"} == set(Relationship.values)
    assert {n for lst, n in choices if lst == "sex"} == set(Sex.values)
    settings = list(book["settings"].iter_rows(values_only=True))
    assert dict(zip(settings[0], settings[1], strict=True))["form_id"] == "household_registration"


def test_the_xlsform_file_is_the_one_the_script_builds(tmp_path: Path) -> None:
    fresh = xlsform_build.build(tmp_path / "form.xlsx")

    def cells(path: Path) -> list[Any]:
        book = load_workbook(path, read_only=True)
        return [list(book[s].iter_rows(values_only=True)) for s in book.sheetnames]

    assert cells(fresh) == cells(FORM), "run python -m homecoming.registry.xlsform.build"
    assert set(CHOICES) == {"yes_no", "sex", "shelter", "relationship"}


def test_the_xlsform_converts_to_an_xform_without_warnings() -> None:
    from pyxform.xls2xform import convert

    result = convert(xlsform=str(FORM), validate=False)
    assert result.warnings == []
    assert '/members"' in result.xform and '/household/origin"' in result.xform
