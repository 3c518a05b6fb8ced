"""Registry imports from CSV and XLSX: every bad row reported, all or nothing, idempotent."""

from __future__ import annotations

import doctest
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from homecoming.registry import importers, services
from homecoming.registry.importers import create_import, run_import
from homecoming.registry.models import Household, ImportStatus, Person, RegistryImport
from homecoming.testing import World

pytestmark = pytest.mark.django_db

HOUSEHOLDS = """reg_number,origin,shelter_kind,registered_on,consent,phone,priority
KLB-100,AZ110101,dormitory,2001-05-04,yes,+994 50 123 45 67,2
KLB-101,AZ110104,tent,04.05.2001,no,,
"""
PERSONS = """household,surname,given_name,patronymic,sex,birth_date,national_id,relationship,needs_step_free
KLB-100,Məmmədov,Rəşid,Vəli oğlu,M,1961-03-05,5GXM4DZ,head,no
KLB-100,Məmmədova,Sevinc,,F,1965-01-02,,spouse,
KLB-101,Əliyev,Elvin,,M,1980-02-03,,head,yes
KLB-101,Əliyeva,Aysel,,F,1982-07-09,94FMDDD,spouse,
"""
BAD_ROWS = (
    "KLB-102,AZ999999,castle,2001-13-04,maybe,abc,x\n",
    "KLB-103,AZ110201,dormitory,2001-05-04,no,,\n",  # a Lachin village: not Kamran's
)
BAD_PERSONS = (
    "KLB-101,Əliyev,Tural,,X,1980-02-30,94FMODD,child,\n",
    "KLB-999,Quliyev,Orxan,,M,,,child,\n",
)


def write(tmp_path: Path, households: str, persons: str) -> tuple[Path, Path]:
    h, p = tmp_path / "households.csv", tmp_path / "persons.csv"
    h.write_text(households, encoding="utf-8")
    p.write_text(persons, encoding="utf-8")
    return h, p


def registry_state() -> list[tuple[Any, ...]]:
    return list(Household.objects.order_by("pk").values_list()) + list(
        Person.objects.order_by("pk").values_list()
    )


def import_files(h: Path, p: Path | None, user: Any = None, **kw: Any) -> RegistryImport:
    return run_import(create_import(h, p, user=user, **kw))


def test_a_good_csv_pair_imports_households_and_their_members(world: World, tmp_path: Path) -> None:
    imp = import_files(*write(tmp_path, HOUSEHOLDS, PERSONS), user=world.kamran)
    assert imp.status == ImportStatus.IMPORTED and imp.error_count == 0
    assert (imp.households_created, imp.persons_created) == (2, 4)
    family = Household.objects.get(reg_number="KLB-100")
    assert family.district == world.kalbajar and family.origin == world.kalbajar_city
    assert family.consent and family.consent_on == family.registered_on
    assert family.head is not None and family.head.national_id == "5GXM4DZ"
    assert Household.objects.get(reg_number="KLB-101").registered_on.isoformat() == "2001-05-04"
    assert Person.objects.get(given_name="Elvin").needs_step_free


def test_a_file_with_bad_rows_changes_nothing_and_reports_every_bad_row(
    world: World, tmp_path: Path
) -> None:
    before = registry_state()
    h, p = write(tmp_path, HOUSEHOLDS + "".join(BAD_ROWS), PERSONS + "".join(BAD_PERSONS))
    imp = import_files(h, p, user=world.kamran)
    assert imp.status == ImportStatus.REJECTED
    assert registry_state() == before
    found = {(e["file"], e["row"], e["field"]) for e in imp.errors}
    assert found == {
        ("households.csv", 4, "origin"),
        ("households.csv", 4, "shelter_kind"),
        ("households.csv", 4, "registered_on"),
        ("households.csv", 4, "consent"),
        ("households.csv", 4, "phone"),
        ("households.csv", 4, "priority"),
        ("households.csv", 5, "origin"),  # outside Kamran's district
        ("persons.csv", 6, "sex"),
        ("persons.csv", 6, "birth_date"),
        ("persons.csv", 6, "national_id"),
        ("persons.csv", 7, "household"),
    }
    assert all(e["message"] for e in imp.errors)
    outside = next(e for e in imp.errors if e["row"] == 5)
    assert "AZ1102" in outside["message"]


def test_a_partial_import_keeps_the_good_families_and_the_report(
    world: World, tmp_path: Path
) -> None:
    h, p = write(tmp_path, HOUSEHOLDS + "".join(BAD_ROWS), PERSONS + "".join(BAD_PERSONS))
    imp = import_files(h, p, user=world.kamran, partial=True)
    assert imp.status == ImportStatus.PARTIAL
    # KLB-101 has a bad member: the family is kept out whole (its size decides its home).
    assert Household.objects.filter(reg_number__in=["KLB-100", "KLB-101"]).count() == 1
    assert Person.objects.filter(household__reg_number="KLB-100").count() == 2
    dropped = {(e["file"], e["row"]) for e in imp.errors if e["message"].startswith("not imported")}
    assert dropped == {("households.csv", 3), ("persons.csv", 4), ("persons.csv", 5)}


def test_reimporting_the_same_files_changes_nothing(world: World, tmp_path: Path) -> None:
    h, p = write(tmp_path, HOUSEHOLDS, PERSONS)
    import_files(h, p)
    after_first = registry_state()
    again = import_files(h, p)
    assert again.status == ImportStatus.UNCHANGED
    assert (again.households_created, again.persons_created) == (0, 0)
    assert again.rows_unchanged == 6
    assert registry_state() == after_first
    # A new file holding the same families plus one new member adds just that member.
    extra = PERSONS + "KLB-101,Əliyev,Nihad,,M,2010-01-01,,child,\n"
    (tmp_path / "later").mkdir()
    h2, p2 = write(tmp_path / "later", HOUSEHOLDS, extra)
    third = import_files(h2, p2)
    assert (third.households_created, third.persons_created) == (0, 1)
    assert Person.objects.filter(household__reg_number="KLB-101").count() == 3


def test_a_killed_import_leaves_the_registry_as_it_was(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = registry_state()
    h, p = write(tmp_path, HOUSEHOLDS, PERSONS)
    imp = create_import(h, p)

    def killed(message: str) -> Any:
        def progress(fraction: float, text: str) -> None:
            if text.startswith(message):
                raise KeyboardInterrupt("killed mid-way")

        return progress

    # Dies after the households are written, while the persons are being written.
    monkeypatch.setattr(services, "CHUNK", 1)
    with pytest.raises(KeyboardInterrupt):
        run_import(imp, killed("Writing persons: 2"))
    assert registry_state() == before


def test_a_district_officer_cannot_import_a_family_of_another_district(
    world: World, tmp_path: Path
) -> None:
    h, p = write(
        tmp_path,
        "reg_number,origin,shelter_kind,registered_on\nLAC-77,AZ110201,tent,2001-01-01\n",
        "household,surname,given_name,sex,relationship\nLAC-77,Quliyev,Anar,M,head\n"
        "LAC-1,Quliyev,Anar,M,child\n",
    )
    imp = import_files(h, p, user=world.kamran, partial=True)
    assert {(e["row"], e["field"]) for e in imp.errors if "outside" in e["message"]} == {
        (2, "origin")
    }
    # LAC-1 exists, but not in Kamran's registry: it is not there for him.
    assert any(e["row"] == 3 and e["field"] == "household" for e in imp.errors)
    assert not Household.objects.filter(reg_number="LAC-77").exists()
    assert world.lachin_family.members.count() == 4


def test_the_cli_prints_progress_and_every_bad_row_and_fails(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h, p = write(tmp_path, HOUSEHOLDS + BAD_ROWS[0], PERSONS)
    report = tmp_path / "report.csv"
    with pytest.raises(SystemExit) as exit_:
        call_command("import-registry", str(h), "--persons", str(p), "--report", str(report))
    assert exit_.value.code == 1
    out = capsys.readouterr()
    assert "0% Reading the files" in out.out and "Rejected" in out.out
    assert "households.csv, row 4, origin: no settlement with code AZ999999" in out.err
    assert len(report.read_text().splitlines()) == 1 + 6
    call_command("import-registry", str(h), "--persons", str(p), "--partial")
    assert "Writing persons" in capsys.readouterr().out
    assert Household.objects.filter(reg_number="KLB-100").exists()


def test_an_xlsx_workbook_with_two_sheets_imports(world: World, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Households"
    for line in HOUSEHOLDS.splitlines():
        sheet.append(line.split(","))
    persons = book.create_sheet("Persons")
    for i, line in enumerate(PERSONS.splitlines()):
        values: list[Any] = line.split(",")
        if i:  # a date cell, as Excel keeps it
            from datetime import datetime

            values[5] = datetime.fromisoformat(values[5])
        persons.append(values)
    path = tmp_path / "registry.xlsx"
    book.save(path)
    imp = import_files(path, None)
    assert imp.format == "xlsx" and imp.status == ImportStatus.IMPORTED, imp.errors
    born = Person.objects.get(given_name="Aysel").birth_date
    assert born is not None and born.isoformat() == "1982-07-09"


def test_the_column_names_and_dates_doctests_pass() -> None:
    for module in (importers.readers, importers.checks):
        failures, tried = doctest.testmod(module)
        assert tried > 0 and failures == 0, module.__name__
