"""The bulk paths of imports: registry look-ups in one query, the fast row checks.

Rows are checked by a fast path (cached choices and dates) and, at the first problem, by
the full checks that report it; these tests hold both to the same answers.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homecoming.core.testing import World
from homecoming.registry.importers import create_import, run_import
from homecoming.registry.models import Household, ImportStatus, Person
from homecoming.registry.services import household_pks, rows_for_keys

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "reg_number,origin,shelter_kind,registered_on\nKLB-200,AZ110101,tent,2001-05-04\n"
PERSONS_HEADER = (
    "household,surname,given_name,sex,birth_date,national_id,relationship,needs_step_free\n"
)


def test_registry_look_ups_find_every_key_in_one_query_or_in_chunks(world: World) -> None:
    keys = {"KLB-1", "KLB-2", "LAC-1", "", *(f"NONE-{i}" for i in range(12_000))}
    sql = f"SELECT reg_number, id FROM {Household._meta.db_table} WHERE reg_number {{keys}}"
    with CaptureQueriesContext(connection) as queries:
        found = dict(rows_for_keys(sql, keys))
    assert found == dict(
        Household.objects.filter(reg_number__in=["KLB-1", "KLB-2", "LAC-1"]).values_list(
            "reg_number", "pk"
        )
    )
    # PostgreSQL: one array parameter; SQLite: IN lists of 5,000.
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    scoped = f"SELECT reg_number FROM {Household._meta.db_table} WHERE district_id = %s"
    assert rows_for_keys(scoped + " AND reg_number {keys}", keys, [world.lachin.pk]) == [("LAC-1",)]
    assert rows_for_keys(sql, set()) == []
    assert household_pks(["KLB-1", "NONE-1"]) == {"KLB-1": world.kalbajar_family.pk}


def test_the_fast_row_checks_accept_what_the_full_checks_accept(
    world: World, tmp_path: Path
) -> None:
    persons = PERSONS_HEADER + (
        "KLB-200,Məmmədov,Rəşid,kişi,05.03.1961,5gxm-4dz,Head,Bəli\n"
        "KLB-200,Məmmədova,Sevinc,Qadın,05.03.1961,,Spouse,X\n"
        "KLB-200,Məmmədov,Elvin,m,1990-01-02,94FMDDD,child,no\n"
        "KLB-200,Məmmədova,Aysel,F,1990-01-02,,CHILD,\n"
    )
    h, p = tmp_path / "h.csv", tmp_path / "p.csv"
    h.write_text(HOUSEHOLDS, encoding="utf-8")
    p.write_text(persons, encoding="utf-8")
    imp = run_import(create_import(h, p))
    assert imp.status == ImportStatus.IMPORTED, imp.errors
    got = list(
        Person.objects.filter(household__reg_number="KLB-200")
        .order_by("pk")
        .values_list("sex", "birth_date", "national_id", "relationship", "needs_step_free")
    )
    assert got == [
        ("M", date(1961, 3, 5), "5GXM4DZ", "head", True),
        ("F", date(1961, 3, 5), None, "spouse", True),
        ("M", date(1990, 1, 2), "94FMDDD", "child", False),
        ("F", date(1990, 1, 2), None, "child", False),
    ]


def test_a_bad_value_met_again_is_reported_again(world: World, tmp_path: Path) -> None:
    future = (date.today() + timedelta(days=400)).isoformat()
    rows = [
        "KLB-200,Quliyev,Anar,M,1980-02-30,,head,",  # 2: not a date
        "KLB-200,Quliyeva,Aynur,F,1980-02-30,,spouse,",  # 3: the same text again
        f"KLB-200,Quliyev,Orxan,M,{future},,child,",  # 4: in the future
        f"KLB-200,Quliyev,Zaur,M,{future},,child,",  # 5: again
        "KLB-200,Quliyev,Vüqar,M,1899-12-31,,child,",  # 6: before 1900
        "KLB-200,Quliyev,Elçin,X,1990-01-01,,child,maybe",  # 7: sex, step-free
        "KLB-200,Quliyev,Kənan,X,1990-01-01,,child,maybe",  # 8: again
        "KLB-200,Quliyev,Rauf,M,1990-01-01,94FMODD,boss,",  # 9: FIN, relationship
        "KLB-200,,Rauf,M,1990-01-01,94FMDDD,child,",  # 10: surname
        "KLB-200,Quliyev,Tural,M,1990-01-01,94fm-ddd,child,",  # 11: FIN also on row 10
        "KLB-200,Quliyev,Anar,M,1980-01-01,,head,",  # 12: the head (a bad head is none)
        "KLB-200,Quliyev,Nihad,M,1980-01-01,,head,",  # 13: a second head
    ]
    h, p = tmp_path / "h.csv", tmp_path / "p.csv"
    h.write_text(HOUSEHOLDS, encoding="utf-8")
    p.write_text(PERSONS_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    before = Person.objects.count()
    imp = run_import(create_import(h, p))
    assert imp.status == ImportStatus.REJECTED
    assert Person.objects.count() == before
    assert [(e["row"], e["field"]) for e in imp.errors] == [
        (2, "birth_date"),
        (3, "birth_date"),
        (4, "birth_date"),
        (5, "birth_date"),
        (6, "birth_date"),
        (7, "sex"),
        (7, "needs_step_free"),
        (8, "sex"),
        (8, "needs_step_free"),
        (9, "relationship"),
        (9, "national_id"),
        (10, "surname"),
        (11, "national_id"),
        (13, "relationship"),
    ]
    messages = {e["row"]: e["message"] for e in imp.errors}
    assert "not a date" in messages[3] and "future" in messages[5] and "1900" in messages[6]
    assert "row 10" in messages[11] and "already has a head" in messages[13]
