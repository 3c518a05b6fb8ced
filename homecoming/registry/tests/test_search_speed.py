"""Finding families by name in any script through name keys, kept in sync on every write;
pages of a long list that cost the same at its start and far into it (issue 13)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homecoming.core import paging
from homecoming.core.paging import bounded_page
from homecoming.handover.models import Offer
from homecoming.housing.models import Unit
from homecoming.registry.erasure import do_erase_household
from homecoming.registry.importers import NewHousehold, NewPerson, Plan
from homecoming.registry.models import Household, Person
from homecoming.registry.services import do_write_import
from homecoming.testing import World, make_complex, make_family

pytestmark = pytest.mark.django_db


def found(text: str, personal: tuple[str, ...] = ()) -> set[str]:
    return set(Household.objects.search(text, personal).values_list("reg_number", flat=True))


def test_a_surname_finds_its_family_in_latin_cyrillic_and_ascii_spellings(world: World) -> None:
    make_family("KLB-A1", world.zar, 2, surname="Əliyeva")
    for spelling in ("Məmmədov", "Мамедов", "Мәммәдов", "Mammadov", "mamedov", "Məmməd"):
        assert "KLB-1" in found(spelling), spelling
        assert "KLB-A1" not in found(spelling), spelling
    assert "KLB-A1" in found("Алиева") and "KLB-A1" in found("Aliyeva Member1")
    assert "KLB-A1" not in found("Aliyeva Sevinc")  # every word must match


def test_a_family_is_found_by_its_number_and_by_identity_number_only_when_seen(
    world: World,
) -> None:
    family = make_family("KLB-F1", world.zar, 1)
    Person.objects.filter(household=family).update(national_id="5ABCD7E")
    assert found("klb-f1") == {"KLB-F1"}
    assert found("5abcd7e", ("national_id",)) == {"KLB-F1"}
    assert found("5ABCD7E") == set()


def test_a_familys_keys_follow_its_members_names_as_they_change(world: World) -> None:
    family = make_family("KLB-K1", world.zar, 1, surname="Quliyev")
    person = family.members.get()
    assert "kuliav" in Household.objects.get(pk=family.pk).name_keys
    person.surname = "Гусейнов"
    person.save(update_fields=["surname"])
    assert Person.objects.get(pk=person.pk).name_keys.startswith("kusanov")
    assert "KLB-K1" in found("Hüseynov") and "KLB-K1" not in found("Quliyev")
    Person.objects.create(
        household=family, surname="Rzayeva", given_name="Lalə", sex="F", relationship="spouse"
    )
    assert found("Rzayeva Hüseynov") == {"KLB-K1"}
    family.members.get(surname="Rzayeva").delete()
    assert "KLB-K1" not in found("Rzayeva")


def test_an_import_writes_the_keys_of_new_and_existing_families(world: World) -> None:
    plan = Plan()
    plan.households.append(
        NewHousehold(
            row=2, reg_number="KLB-I1", origin_id=world.zar.pk, district_id=world.kalbajar.pk,
            destination_id=None, shelter_kind="tent", shelter_address="", priority=0,
            registered_on=date(2001, 1, 1), status="registered", consent=True,
            consent_on=date(2024, 1, 1), phone="", group_id=None, notes="",
        )
    )  # fmt: skip
    plan.existing["KLB-1"] = world.kalbajar_family.pk
    for row, (reg, surname) in enumerate((("KLB-I1", "Cəfərov"), ("KLB-1", "Bağırova")), 2):
        plan.persons.append(
            NewPerson(
                row=row, household=reg, surname=surname, given_name="Nigar", patronymic="",
                sex="F", birth_date=None, national_id=None, relationship="spouse"
                if reg == "KLB-1" else "head", needs_step_free=False, other_needs="",
            )
        )  # fmt: skip
    do_write_import(plan)
    assert "KLB-I1" in found("Джафаров") and "KLB-I1" not in found("Mammadov")
    assert found("Bagirova Mammadov") == {"KLB-1"}


def test_an_erased_familys_names_are_no_longer_found(world: World) -> None:
    do_erase_household(world.kalbajar_family, world.ayten, "request", "REQ-1")
    assert "KLB-1" not in found("Məmmədov")
    assert set(Person.objects.filter(household=world.kalbajar_family).values_list(
        "name_keys", flat=True)) == {""}  # fmt: skip


def test_the_persons_api_searches_names_in_any_script_and_identity_numbers_exactly(
    world: World, client: Any
) -> None:
    family = make_family("KLB-P1", world.zar, 1, surname="Kərimova")
    Person.objects.filter(household=family).update(national_id="7QWERT1")
    client.force_login(world.kamran)
    assert client.get("/api/persons/?search=Керимова").json()["count"] == 1
    assert client.get("/api/persons/?search=7qwert1").json()["count"] == 1
    assert client.get("/api/persons/?search=QWERT").json()["count"] == 0  # no partial numbers
    client.force_login(world.orkhan)  # sees no identity numbers: no search by them
    assert client.get("/api/persons/?search=7QWERT1").json()["count"] == 0


def test_an_identity_number_finds_its_holder_alone_without_asking_every_name(
    world: World,
) -> None:
    # "WV711ZY" has more letters than digits: as name parts its letters would also match
    # anyone whose name holds "v" and "zi", and no trigram index answers keys that short.
    holder = make_family("KLB-W1", world.zar, 1, surname="Vəziyev").members.get()
    Person.objects.filter(pk=holder.pk).update(national_id="WV711ZY")
    make_family("KLB-W2", world.zar, 1, surname="Vəzirov")
    with CaptureQueriesContext(connection) as queries:
        found_ids = list(Person.objects.search("wv711zy").values_list("pk", flat=True))
    assert found_ids == [holder.pk]
    assert not any("name_keys" in q["sql"] for q in queries.captured_queries)
    assert Person.objects.search("WV711ZZ").count() == 0  # not a holder: a name search


def test_the_apis_count_is_fresh_up_to_the_cap_and_a_minute_old_at_most_beyond_it(
    world: World, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache

    cache.clear()
    client.force_login(world.kamran)
    base = client.get("/api/households/").json()["count"]
    make_family("KLB-C0", world.zar, 1)
    assert client.get("/api/households/").json()["count"] == base + 1  # under the cap: fresh
    monkeypatch.setattr(paging, "CAP", base - 1)
    assert client.get("/api/households/").json()["count"] == base + 1
    make_family("KLB-C1", world.zar, 1)
    assert client.get("/api/households/").json()["count"] == base + 1  # kept
    pages = client.get("/api/households/?page=1").json()
    assert len(pages["results"]) == min(base + 2, 50)  # the rows themselves are fresh
    cache.clear()  # a minute later
    assert client.get("/api/households/").json()["count"] == base + 2


def test_a_far_page_is_read_by_ids_and_a_long_lists_count_is_capped(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(9):
        make_family(f"KLB-L{i}", world.zar, 1, priority=5)
    ordered = Household.objects.order_by("-priority", "registered_on", "reg_number")
    everything = list(ordered.values_list("reg_number", flat=True))
    monkeypatch.setattr(paging, "CAP", 5)
    page = bounded_page(ordered, Household.objects.with_size(), "3", per_page=2)
    assert [h.reg_number for h in page] == everything[4:6]
    assert page.capped and page.num_pages is None and page.has_next() and page.has_previous()
    monkeypatch.setattr(paging, "CAP", 1000)
    last = bounded_page(ordered, Household.objects.all(), "999", per_page=2)
    assert last.number == last.num_pages and not last.has_next()
    assert [h.reg_number for h in last] == everything[(last.number - 1) * 2 :]


def test_the_families_list_says_more_than_the_cap_and_numbers_pages_without_a_last_one(
    world: World, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "CAP", 2)
    client.force_login(world.ayten)
    body = client.get("/households/?page=2").content.decode()
    assert "More than 2 families" in body and "Page 2<" in body and "Page 2 of" not in body


def add_families_with_offers(world: World, n: int, tag: str) -> None:
    complex_ = make_complex(world.zar, f"KLB-RC{tag}", [2] * n)
    units = list(Unit.objects.filter(building__complex=complex_).order_by("pk"))
    for i, unit in enumerate(units):
        family = make_family(f"KLB-{tag}{i}", world.zar, 3, step_free=i % 2 == 0)
        unit.status, unit.household = "offered", family
        unit.save(update_fields=["status", "household"])
        Offer.objects.create(
            household=family, unit=unit, deadline=timezone.now() + timedelta(days=7)
        )


def count_queries(client: Any, url: str, headers: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/households/",
        "/households/?q=Məmmədov",
        "/households/?q=KLB&needs_step_free=true&page=2",
        "/households/KLB-1/",
        "/api/households/",
        "/api/households/?q=Мамедов",
        "/api/persons/",
        "/api/persons/?search=Mammadov",
        "/api/offers/",
        "/handover/swaps/",
        "/handover/appeals/",
        "/handover/convoys/",
        "/handover/occupancy/",
    ],
)
def test_lists_searches_and_a_family_page_take_as_many_queries_on_more_data(
    world: World, client: Any, django_assert_max_num_queries: Any, url: str
) -> None:
    client.force_login(world.ayten)
    add_families_with_offers(world, 2, "S")
    small = count_queries(client, url)
    add_families_with_offers(world, 30, "L")
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200
