"""Erasure on request: a person's or a family's personal data goes from every table and
from the audit trail; the rows, their keys and the allocation history stay."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime

from homecoming.allocation.models import AllocationResult
from homecoming.core import audit
from homecoming.core.audit import note_text
from homecoming.core.models import AuditEvent, Erasure
from homecoming.handover.models import (
    Appeal,
    Invitation,
    Message,
    Occupancy,
    Offer,
    OneTimeCode,
)
from homecoming.housing.models import Unit
from homecoming.registry import services
from homecoming.registry.erasure import (
    AlreadyErased,
    do_erase_household,
    do_erase_person,
    erasure_of,
)
from homecoming.registry.models import (
    DuplicateCandidate,
    Household,
    Person,
    PersonMerge,
    RegistryImport,
)
from homecoming.testing import acting_as, make_scene

SURNAME = "Zeynalabdinli"
FIN = "7QX3K9P"
PHONE = "+994559876543"
ADDRESS = "Dormitory 5, room 12"
SECRETS = (SURNAME, FIN, PHONE, ADDRESS)


def database_text() -> str:
    """Every value of every table, as the database holds it (JSON decoded as well, so an
    escaped "\\u0259" does not hide a name)."""
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # nosec B608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    if isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False)
                    text = str(value)
                    parts.append(text)
                    if text[:1] in "[{":
                        with suppress(ValueError):
                            parts.append(json.dumps(json.loads(text), ensure_ascii=False))
    return "\n".join(parts)


def history(household: Household) -> dict[str, Any]:
    """The allocation history of a family, as the records hold it."""
    return {
        "family": Household.objects.filter(pk=household.pk)
        .with_size()
        .values("reg_number", "status", "priority", "size", "needs_step_free")  # type: ignore[misc]
        .get(),
        "results": list(
            AllocationResult.objects.filter(household=household).values(
                "run_id", "unit_id", "reason", "reserve_rank"
            )
        ),
        "offers": list(
            Offer.objects.filter(household=household)
            .order_by("pk")
            .values("pk", "unit_id", "run_id", "status", "reason", "answered_at")
        ),
        "home": list(Unit.objects.filter(household=household).values("pk", "status")),
        "occupancy": list(Occupancy.objects.filter(household=household).values()),
        "invitations": list(Invitation.objects.filter(household=household).values()),
        "members": list(
            Person.objects.filter(household=household)
            .order_by("pk")
            .values("pk", "relationship", "sex", "needs_step_free")
        ),
    }


def moved_in(scene: Any) -> Household:
    """The scene's Kalbajar family living in its new home."""
    return Household.objects.get(pk=scene.kalbajar.occupancy.household_id)


@pytest.fixture
def family(db: Any, api: Any, settings: Any, tmp_path: Path) -> Any:
    """The scene's Kalbajar family that moved in, made traceable: one surname, an identity
    number, a phone and an address nobody else has, copied into every kind of record that
    may hold them (merge, review note, appeal, decline, outbox, code, import errors and
    file, a stored API answer), each write in the audit trail."""
    scene = make_scene()
    world = scene.world
    home = moved_in(scene)
    settings.MEDIA_ROOT = tmp_path
    with acting_as(world.ayten):
        home.phone, home.shelter_address, home.notes = PHONE, ADDRESS, f"{SURNAME}s, ask for Ali"
        home.save()
        for person in home.members.all():
            person.surname = SURNAME
            person.save()
        head = home.members.get(relationship="head")
        head.national_id = FIN
        head.save()
        # A duplicate record of the head, merged into it (the merge copies the patronymic).
        twin = Person.objects.create(
            household=home,
            surname=SURNAME,
            given_name=head.given_name,
            patronymic="Əliyevna",
            sex=head.sex,
            relationship="other",
        )
        pair = DuplicateCandidate.objects.create(
            person_a=head, person_b=twin, probability=0.97, district=home.district
        )
        services.do_merge(pair, head, world.ayten, note=f"same {SURNAME}, same FIN {FIN}")
        Appeal.objects.create(
            household=home, kind="grievance", text=f"The {SURNAME} family: the flat is cold"
        )
        offer = Offer.objects.filter(household=home).first()
        assert offer is not None
        Offer.objects.filter(pk=offer.pk).update(decline_reason=f"{SURNAME}s first said no")
        Message.objects.create(
            household=home, channel="sms", to=PHONE, language="az", template="offer_made",
            body=f"Dear family ({home.reg_number}) ... call {PHONE}",
        )  # fmt: skip
        OneTimeCode.objects.create(household=home, code_hash="0" * 64, expires_at=offer.created_at)
        stored = tmp_path / "imports" / "batch.csv"
        stored.parent.mkdir()
        stored.write_text(f"reg_number,phone\n{home.reg_number},{PHONE}\n", encoding="utf-8")
        RegistryImport.objects.create(
            format="csv",
            households_file=str(stored),
            original_name="batch.csv",
            sha256="1" * 64,
            district=home.district,
            finished_at=offer.created_at,
            error_count=1,
            errors=[
                {"file": "batch.csv", "row": 3, "field": "national_id", "message": f"{FIN!r} twice"}
            ],
        )
    AllocationResult.objects.create(
        run=scene.kalbajar.run, household=home, unit=home.home, reason="matched size 3"
    )
    # A member added through the API with an Idempotency-Key: the answer is kept for retries.
    answer = api(world.ayten).post(
        "/api/persons/",
        {
            "household": home.reg_number,
            "surname": SURNAME,
            "given_name": "Nigar",
            "sex": "F",
            "relationship": "child",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="add-nigar",
    )
    assert answer.status_code == 201, answer.content
    text = database_text()
    assert all(secret in text for secret in SECRETS)  # the test can see them
    return scene


def test_erasing_a_family_leaves_no_trace_of_its_names_fin_phone_or_address_anywhere(
    family: Any, api: Any, tmp_path: Path
) -> None:
    home, ayten = moved_in(family), family.world.ayten
    before = history(home)
    answer = api(ayten).post(
        f"/api/households/{home.reg_number}/erase/",
        {"reason": "the family asked in writing", "reference": "REQ-2031-7"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    text = database_text()
    for secret in SECRETS:
        assert secret not in text, secret
    assert not (tmp_path / "imports" / "batch.csv").exists()
    # The rows stay, keyed as before, and the allocation history is unchanged.
    assert history(home) == before
    assert AllocationResult.objects.get(household=home).unit == home.home
    assert set(Person.objects.filter(household=home).values_list("surname", flat=True)) == {
        "[erased]"
    }
    messages = Message.objects.filter(household=home)
    assert messages.exists() and not messages.exclude(body="", to="").exists()
    assert not OneTimeCode.objects.filter(household=home).exists()
    done = answer.json()
    assert done["counts"]["persons"] == 5 and done["counts"]["audit events"] > 10
    assert "registry_person.national_id" in done["fields"]


def test_the_erasure_is_in_the_trail_with_who_and_why_and_its_writes_carry_no_old_values(
    family: Any, api: Any
) -> None:
    home, ayten = moved_in(family), family.world.ayten
    api(ayten).post(
        f"/api/households/{home.reg_number}/erase/",
        {"reason": "the family asked in writing", "reference": "REQ-2031-7"},
        format="json",
    )
    erasure = Erasure.objects.get()
    (recorded,) = AuditEvent.objects.filter(
        table="core_erasure", object_pk=str(erasure.pk), action="insert"
    )
    assert (recorded.actor, recorded.channel) == ("ayten", "api")
    assert recorded.new["reason"] == "the family asked in writing"
    assert recorded.new["reference"] == "REQ-2031-7"
    head = home.members.get(relationship="head")
    blanking = AuditEvent.objects.filter(table="registry_person", object_pk=str(head.pk)).first()
    assert (
        blanking is not None
        and note_text(blanking.note) == f"erasure #{erasure.pk}, request REQ-2031-7"
    )
    assert blanking.old["surname"] == "[erased]" and blanking.old["national_id"] == "[erased]"
    assert blanking.new["national_id"] is None
    # Everything else in the events stays: who created the person, when, and its other fields.
    created = AuditEvent.objects.filter(table="registry_person", object_pk=str(head.pk)).last()
    assert created is not None and created.action == "insert"
    assert created.new["relationship"] == "head" and created.new["given_name"] == "[erased]"


def test_erasing_one_member_keeps_the_others_and_the_page_says_when(
    family: Any, client: Any
) -> None:
    home, ayten = moved_in(family), family.world.ayten
    head = home.members.get(relationship="head")
    child = home.members.exclude(pk=head.pk).order_by("pk")[0]
    client.force_login(ayten)
    confirm = client.get(f"/registry/persons/{head.pk}/erase/")
    assert confirm.status_code == 200 and "csrfmiddlewaretoken" in confirm.content.decode()
    client.post(f"/registry/persons/{head.pk}/erase/", {"reason": "asked", "reference": "REQ-8"})
    head.refresh_from_db()
    assert (head.surname, head.national_id, head.birth_date) == ("[erased]", None, None)
    assert Person.objects.get(pk=child.pk).surname == SURNAME  # the others stay
    assert FIN not in database_text()
    page = client.get(f"/households/{home.reg_number}/").content.decode()
    erased_on = date_format(localtime(Erasure.objects.get().at), "DATE_FORMAT")
    assert f"erased on {erased_on}" in page
    assert f"/registry/persons/{child.pk}/erase/" in page
    assert f"/registry/persons/{head.pk}/erase/" not in page
    # The family is still whole for the allocation: its size and step-free need.
    assert Household.objects.with_size().get(pk=home.pk).size == 5  # type: ignore[attr-defined]


def test_erasing_twice_is_refused_with_409_a_message_and_a_cli_error(
    family: Any, api: Any, client: Any
) -> None:
    home, ayten = moved_in(family), family.world.ayten
    head = home.members.get(relationship="head")
    body = {"reason": "asked", "reference": "REQ-9"}
    assert api(ayten).post(f"/api/persons/{head.pk}/erase/", body).status_code == 200
    again = api(ayten).post(f"/api/persons/{head.pk}/erase/", body)
    assert again.status_code == 409 and "already erased" in again.content.decode()
    assert api(ayten).post(f"/api/households/{home.reg_number}/erase/", body).status_code == 200
    assert api(ayten).post(f"/api/households/{home.reg_number}/erase/", body).status_code == 409
    client.force_login(ayten)
    page = client.post(f"/registry/households/{home.reg_number}/erase/", body, follow=True)
    assert "already erased" in page.content.decode()
    with pytest.raises(CommandError, match="already erased"):
        call_command("erase", household=home.reg_number, reason="x", reference="y", by="ayten")
    assert Erasure.objects.count() == 2


def test_district_officers_and_the_auditor_may_not_erase(
    family: Any, api: Any, client: Any
) -> None:
    home, world = moved_in(family), family.world
    head = home.members.get(relationship="head")
    body = {"reason": "asked", "reference": "REQ-1"}
    for user in (world.kamran, world.orkhan, world.sabina):
        assert api(user).post(f"/api/persons/{head.pk}/erase/", body).status_code == 403
        assert api(user).post(f"/api/households/{home.reg_number}/erase/", body).status_code == 403
        client.force_login(user)
        assert client.post(f"/registry/persons/{head.pk}/erase/", body).status_code == 403
        assert client.get(f"/registry/households/{home.reg_number}/erase/").status_code == 403
    assert not Erasure.objects.exists()
    assert Person.objects.get(pk=head.pk).national_id == FIN
    # The administrator must say why and under which request.
    missing = api(world.ayten).post(f"/api/persons/{head.pk}/erase/", {"reason": "asked"})
    assert missing.status_code == 400 and "reference" in missing.json()


def test_the_cli_erases_as_a_named_administrator_only(family: Any) -> None:
    home, world = moved_in(family), family.world
    with pytest.raises(CommandError, match="not an administrator"):
        call_command("erase", household=home.reg_number, reason="x", reference="y", by="kamran")
    call_command("erase", household=home.reg_number, reason="asked", reference="REQ-3", by="ayten")
    erasure = Erasure.objects.get()
    assert (erasure.actor, erasure.label) == (world.ayten, home.reg_number)
    assert AuditEvent.objects.get(table="core_erasure", action="insert").channel == "cli"
    assert PHONE not in database_text()


def test_outside_an_erasure_the_trail_still_refuses_any_update(family: Any, api: Any) -> None:
    home = moved_in(family)
    api(family.world.ayten).post(
        f"/api/households/{home.reg_number}/erase/", {"reason": "a", "reference": "b"}
    )
    count = AuditEvent.objects.count()
    for sql in (
        "UPDATE core_auditevent SET actor = 'x'",
        "UPDATE core_auditevent SET before = NULL WHERE \"table\" = 'registry_person'",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(actor="x").exists()


def test_the_permit_allows_only_the_named_keys_of_the_named_rows(family: Any) -> None:
    home = moved_in(family)
    head = home.members.get(relationship="head")
    other = family.kalbajar.waiting.members.first()
    assert other is not None
    with transaction.atomic():
        erasure = Erasure.objects.create(
            actor_name="t", reason="r", reference="x", table="registry_person",
            object_pk=str(head.pk), label="t",
        )  # fmt: skip
        rows = {("registry_person", str(head.pk)): frozenset({"surname"})}
        events = AuditEvent.objects.filter(table="registry_person")
        mine = events.filter(object_pk=str(head.pk), action="update").first()
        theirs = events.filter(object_pk=str(other.pk)).first()
        assert mine is not None and theirs is not None
        with audit.scrub_permit(erasure.pk, rows):
            refused: list[Callable[[], Any]] = [
                lambda: events.filter(pk=mine.pk).update(actor="x"),  # another column
                lambda: events.filter(pk=mine.pk).update(  # another key
                    before={**mine.old, "relationship": "[erased]"}
                ),
                lambda: events.filter(pk=theirs.pk).update(  # another row
                    before={**theirs.old, "surname": "[erased]"}
                ),
            ]
            for write in refused:
                with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                    write()
            events.filter(pk=mine.pk).update(before={**mine.old, "surname": "[erased]"})
        # Closed with its block: the same change is refused again.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            events.filter(pk=mine.pk).update(before=mine.old)
    assert AuditEvent.objects.get(pk=mine.pk).old["surname"] == "[erased]"


def test_a_permit_needs_an_erasure_record(family: Any) -> None:
    head = moved_in(family).members.get(relationship="head")
    event = AuditEvent.objects.filter(table="registry_person", object_pk=str(head.pk)).first()
    assert event is not None
    rows = {("registry_person", str(head.pk)): frozenset({"surname"})}
    with (
        transaction.atomic(),
        audit.scrub_permit(10**9, rows),
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
    ):
        AuditEvent.objects.filter(pk=event.pk).update(before={**event.old, "surname": "[erased]"})


def test_erasing_the_record_kept_by_a_merge_erases_the_merged_record_and_the_values_it_took(
    family: Any,
) -> None:
    home, ayten = moved_in(family), family.world.ayten
    head = home.members.get(relationship="head")
    merge = PersonMerge.objects.get(survivor=head)
    assert merge.changes == {"patronymic": ["", "Əliyevna"]}
    with acting_as(ayten):
        erasure = do_erase_person(head, ayten, "asked", "REQ-4")
    merge.refresh_from_db()
    assert merge.changes == {"patronymic": ["", "[erased]"]}  # which field moved stays
    # The duplicate record is the same person: erased with it; the rest of the family stays.
    assert merge.duplicate.surname == "[erased]" and merge.duplicate.patronymic == ""
    assert home.members.filter(surname=SURNAME).count() == 3
    assert erasure.counts["persons"] == 2
    assert erasure_of(merge.duplicate) == erasure  # shown erased, not erased twice
    with pytest.raises(AlreadyErased), acting_as(ayten):
        do_erase_person(merge.duplicate, ayten, "asked", "REQ-4")
    assert DuplicateCandidate.objects.get(person_a=head).note == "[erased]"
    assert erasure.counts["merge records"] == 1
    assert "registry_personmerge.changes" in erasure.fields
    events = AuditEvent.objects.filter(table="registry_personmerge", object_pk=str(merge.pk))
    assert "Əliyevna" not in json.dumps([e.old | e.new for e in events], ensure_ascii=False)
    # The family is not erased: its phone stays, and erasing the family later is allowed.
    assert Household.objects.get(pk=home.pk).phone == PHONE
    with acting_as(ayten):
        do_erase_household(home, ayten, "asked again", "REQ-5")
    assert PHONE not in database_text()
