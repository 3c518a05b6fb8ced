"""Least privilege on personal data: each role sees the fields its work needs, the rest is
masked (pages and API) unless an administrator grants it; no search by a hidden field; and no
answer tells whether an identity number exists outside the writer's district."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from homecoming.registry.importers import create_import, run_import
from homecoming.registry.models import DuplicateCandidate, Household, Person
from homecoming.testing import World

pytestmark = pytest.mark.django_db

FIN = "5ABCD7E"
OTHER_FIN = "7ZXCV2B"
PHONE = "+994501112233"
ADDRESS = "Sanatorium Qubadli, room 14"


@pytest.fixture
def family(world: World) -> Household:
    """The Kalbajar family with every kind of personal data filled in."""
    h = world.kalbajar_family
    h.phone, h.shelter_address, h.notes = PHONE, ADDRESS, "widow, two small children"
    h.save(update_fields=["phone", "shelter_address", "notes"])
    head = h.members.get(relationship="head")
    head.national_id, head.other_needs = FIN, "insulin, kept cold"
    head.save(update_fields=["national_id", "other_needs"])
    return h


def grant(user: Any, codename: str) -> None:
    user.user_permissions.add(Permission.objects.get(codename=codename))


def family_page(client: Any, user: Any, household: Household) -> str:
    client.force_login(user)
    response = client.get(f"/households/{household.reg_number}/")
    assert response.status_code == 200
    return response.content.decode()  # type: ignore[no-any-return]


def test_a_district_officer_sees_their_families_in_full(
    world: World, client: Any, family: Household
) -> None:
    page = family_page(client, world.kamran, family)
    for value in (FIN, PHONE, ADDRESS, "insulin, kept cold", "1970"):
        assert value in page
    assert "data-masked" not in page


def test_an_auditor_sees_a_family_with_identity_phone_address_birth_and_needs_hidden(
    world: World, client: Any, family: Household
) -> None:
    page = family_page(client, world.sabina, family)
    for value in (FIN, PHONE, ADDRESS, "insulin", "1970"):
        assert value not in page
    assert page.count("data-masked") >= 4
    assert "Member0" in page  # names are not masked: the auditor checks who got what


def test_an_allocation_officer_sees_needs_but_not_identity_numbers_or_phones(
    world: World, client: Any, family: Household
) -> None:
    page = family_page(client, world.orkhan, family)
    assert "insulin, kept cold" in page
    for value in (FIN, PHONE, ADDRESS):
        assert value not in page


def test_an_administrator_grants_one_kind_of_field_to_one_auditor(
    world: World, client: Any, family: Household
) -> None:
    grant(world.sabina, "see_national_id")
    page = family_page(client, world.sabina, family)
    assert FIN in page
    assert PHONE not in page


def test_the_api_gives_masked_fields_empty_and_names_them(
    world: World, client: Any, family: Household
) -> None:
    client.force_login(world.sabina)
    household = client.get(f"/api/households/{family.reg_number}/").json()
    assert (household["phone"], household["shelter_address"], household["notes"]) == ("", "", "")
    assert household["needs_step_free"] is None
    assert set(household["masked_fields"]) == {
        "phone",
        "shelter_address",
        "notes",
        "needs_step_free",
    }
    persons = client.get(f"/api/persons/?household__reg_number={family.reg_number}").json()
    head = next(p for p in persons["results"] if p["relationship"] == "head")
    assert (head["national_id"], head["birth_date"], head["other_needs"]) == (None, None, "")
    assert head["surname"] == "Məmmədov"
    assert FIN not in str(persons) and "insulin" not in str(persons)
    client.force_login(world.kamran)
    head = client.get(f"/api/persons/{head['id']}/").json()
    assert (head["national_id"], head["masked_fields"]) == (FIN, [])


def test_a_role_without_identity_numbers_cannot_search_by_them(
    world: World, client: Any, family: Household
) -> None:
    client.force_login(world.sabina)
    assert client.get(f"/api/persons/?search={FIN}").json()["count"] == 0
    assert family.reg_number not in client.get(f"/households/?q={FIN}").content.decode()
    assert family.reg_number not in client.get("/households/?q=501112233").content.decode()
    # by name still works
    assert client.get("/api/persons/?search=Member").json()["count"] >= 1
    client.force_login(world.kamran)
    assert client.get(f"/api/persons/?search={FIN}").json()["count"] == 1
    assert family.reg_number in client.get(f"/households/?q={FIN}").content.decode()


def test_a_district_officer_searches_identity_numbers_only_in_their_district(
    world: World, client: Any, family: Household
) -> None:
    client.force_login(world.leyla)
    assert client.get(f"/api/persons/?search={FIN}").json()["count"] == 0
    assert family.reg_number not in client.get(f"/households/?q={FIN}").content.decode()


def test_filtering_by_needs_is_refused_to_a_role_that_does_not_see_needs(
    world: World, client: Any, family: Household
) -> None:
    client.force_login(world.sabina)
    response = client.get("/api/persons/?needs_step_free=true")
    assert response.status_code == 400
    assert "needs_step_free" in response.json()
    assert "Needs step-free access" not in client.get("/households/").content.decode()
    client.force_login(world.orkhan)
    assert client.get("/api/persons/?needs_step_free=true").status_code == 200


def add_person(client: Any, household: Household, fin: str) -> Any:
    return client.post(
        "/api/persons/",
        {
            "household": household.reg_number,
            "surname": "Quliyeva",
            "given_name": "Nərmin",
            "sex": "F",
            "relationship": "spouse",
            "national_id": fin,
        },
        content_type="application/json",
    )


def test_an_identity_number_held_in_another_district_is_answered_like_a_new_one(
    world: World, client: Any, family: Household
) -> None:
    """Leyla (Lachin) adds a person whose number is held in Kalbajar: no oracle."""
    client.force_login(world.leyla)
    fresh = add_person(client, world.lachin_family, OTHER_FIN)
    taken_elsewhere = add_person(client, world.lachin_family, FIN)
    assert (fresh.status_code, taken_elsewhere.status_code) == (201, 201)
    assert set(fresh.json()) == set(taken_elsewhere.json())
    assert family.reg_number not in taken_elsewhere.content.decode()
    # ... and the pair goes to the programme-wide duplicate review, not to either officer.
    pair = DuplicateCandidate.objects.get()
    holders = {pair.person_a.national_id, pair.person_b.national_id}
    assert (holders, pair.district_id, pair.probability) == ({FIN}, None, 1.0)
    assert pair.comparison["national_id"] == "same"
    assert not DuplicateCandidate.objects.for_profile(world.leyla.profile).exists()
    assert not DuplicateCandidate.objects.for_profile(world.kamran.profile).exists()
    client.force_login(world.ayten)
    assert client.get(f"/registry/duplicates/{pair.pk}/").status_code == 200


def test_an_identity_number_taken_in_ones_own_scope_is_refused_with_the_family(
    world: World, client: Any, family: Household
) -> None:
    client.force_login(world.kamran)
    other = Household.objects.get(reg_number="KLB-3")
    response = add_person(client, other, FIN)
    assert response.status_code == 400
    assert family.reg_number in response.json()["national_id"][0]
    assert Person.objects.filter(national_id=FIN).count() == 1
    # changing one's own number to itself is no clash
    head = family.members.get(relationship="head")
    response = client.patch(
        f"/api/persons/{head.pk}/", {"national_id": FIN}, content_type="application/json"
    )
    assert response.status_code == 200


def test_an_import_names_no_family_of_another_district_and_sends_the_pair_to_review(
    world: World, family: Household, tmp_path: Path
) -> None:
    h, p = tmp_path / "households.csv", tmp_path / "persons.csv"
    h.write_text(
        "reg_number,origin,shelter_kind,registered_on\nLAC-50,AZ110201,dormitory,2001-05-04\n",
        encoding="utf-8",
    )
    p.write_text(
        f"household,surname,given_name,sex,relationship,national_id\n"
        f"LAC-50,Quliyeva,Nərmin,F,head,{FIN}\n",
        encoding="utf-8",
    )
    imp = run_import(create_import(h, p, user=world.leyla))
    assert (imp.status, imp.persons_created, imp.errors) == ("imported", 1, [])
    assert DuplicateCandidate.objects.filter(district=None).count() == 1
    # the same file from a Kalbajar officer: the number is in scope, the row is refused
    h.write_text(
        "reg_number,origin,shelter_kind,registered_on\nKLB-50,AZ110101,dormitory,2001-05-04\n",
        encoding="utf-8",
    )
    p.write_text(p.read_text(encoding="utf-8").replace("LAC-50", "KLB-50"), encoding="utf-8")
    imp = run_import(create_import(h, p, user=world.kamran))
    assert imp.status == "rejected"
    assert family.reg_number in str(imp.errors)


def test_the_duplicate_review_masks_identity_numbers_for_an_auditor(
    world: World, client: Any, family: Household
) -> None:
    client.force_login(world.leyla)
    add_person(client, world.lachin_family, FIN)
    pair = DuplicateCandidate.objects.get()
    client.force_login(world.sabina)
    page = client.get(f"/registry/duplicates/{pair.pk}/").content.decode()
    assert FIN not in page and PHONE not in page
    assert "data-masked" in page
    client.force_login(world.ayten)
    assert FIN in client.get(f"/registry/duplicates/{pair.pk}/").content.decode()


def test_the_audit_trail_shows_an_auditor_that_an_identity_number_changed_but_not_its_value(
    world: World, client: Any, family: Household
) -> None:
    client.force_login(world.sabina)
    for url in (
        "/audit/?table=registry_person",
        "/audit/export.csv?table=registry_person",
        "/audit/export.json?table=registry_household",
    ):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        assert response.status_code == 200
        assert FIN not in text and PHONE not in text and "insulin" not in text
        assert "[changed]" in text
    client.force_login(world.ayten)
    assert FIN in client.get("/audit/?table=registry_person").content.decode()
