"""The audit trail: every write leaves a record with who, from where, before and after."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test import Client

from homecoming.core.audit import audit_context, audited_models, install_triggers
from homecoming.core.models import AuditEvent
from homecoming.core.testing import World
from homecoming.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def events(table: str, pk: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(table=table, object_pk=str(pk)).order_by("id"))


def test_an_api_patch_is_recorded_with_the_user_and_the_values_before_and_after(
    world: World, api: Any
) -> None:
    family = world.kalbajar_family
    old = family.priority
    response = api(world.kamran).patch(
        f"/api/households/{family.reg_number}/",
        {"priority": old + 1},
        format="json",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200, response.content
    event = events("registry_household", family.pk)[-1]
    assert event.action == "update"
    assert event.old["priority"] == old
    assert event.new["priority"] == old + 1
    assert "priority" in event.changed
    assert (event.actor, event.actor_id) == ("kamran", world.kamran.pk)
    assert event.channel == "api"
    assert event.ip == "10.1.2.3"
    assert event.path == f"PATCH /api/households/{family.reg_number}/"
    assert event.request_id


def test_an_admin_change_is_recorded_as_the_admin_channel(world: World) -> None:
    world.ayten.is_staff = world.ayten.is_superuser = True
    world.ayten.save()
    client = Client()
    client.force_login(world.ayten)
    family = world.kalbajar_family
    person = Person.objects.filter(household=family).first()
    assert person is not None
    response = client.get(f"/admin/registry/person/{person.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({k: "" for k in form.fields if k not in data})
    for name, field in form.fields.items():
        if hasattr(field, "choices") and data.get(name) == "" and form.initial.get(name):
            data[name] = form.initial[name]
        if isinstance(data.get(name), bool):
            data[name] = "on" if data[name] else ""
        if hasattr(data.get(name), "pk"):
            data[name] = data[name].pk
    data["given_name"] = "Renamed"
    response = client.post(f"/admin/registry/person/{person.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = events("registry_person", person.pk)[-1]
    assert event.action == "update"
    assert event.new["given_name"] == "Renamed"
    assert event.old["given_name"] == person.given_name
    assert (event.actor, event.channel) == ("ayten", "admin")


def test_a_queryset_update_records_every_row(world: World) -> None:
    with audit_context("cli", actor_label="operator", path="homecoming shell"):
        changed = Household.objects.filter(
            pk__in=[world.kalbajar_family.pk, world.lachin_family.pk]
        ).update(priority=5)
    assert changed == 2
    for family in (world.kalbajar_family, world.lachin_family):
        event = events("registry_household", family.pk)[-1]
        assert (event.old["priority"], event.new["priority"]) == (family.priority, 5)
        assert (event.channel, event.actor, event.path) == ("cli", "operator", "homecoming shell")


def test_a_bulk_create_records_each_new_row(world: World) -> None:
    family = world.kalbajar_family
    with audit_context("import", actor=world.kamran, path="import #1 test.csv"):
        made = Person.objects.bulk_create(
            [
                Person(
                    household=family,
                    given_name=name,
                    surname="Əliyev",
                    sex="F",
                    birth_date="2001-02-03",
                    relationship="child",
                )
                for name in ("Aysel", "Nigar")
            ]
        )
    names = {
        e.new["given_name"]
        for e in AuditEvent.objects.filter(table="registry_person", action="insert")
        .exclude(channel="system")
        .filter(actor="kamran", channel="import")
    }
    assert names == {"Aysel", "Nigar"}
    assert all(p.pk for p in made)


def test_a_bulk_update_records_each_changed_row(world: World) -> None:
    families = [world.kalbajar_family, world.lachin_family]
    for family in families:
        family.shelter_address = f"Block {family.pk}"
    with audit_context("ui", actor=world.ayten):
        Household.objects.bulk_update(families, ["shelter_address"])
    for family in families:
        event = events("registry_household", family.pk)[-1]
        assert event.changed == ["shelter_address"]
        assert (event.new["shelter_address"], event.actor) == (f"Block {family.pk}", "ayten")


def test_a_raw_sql_update_is_recorded(world: World) -> None:
    family = world.lachin_family
    with (
        audit_context("system", actor_label="maintenance script"),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE registry_household SET shelter_address = %s WHERE id = %s",
            ["Dormitory 4", family.pk],
        )
    event = events("registry_household", family.pk)[-1]
    assert event.new["shelter_address"] == "Dormitory 4"
    assert event.old["shelter_address"] == family.shelter_address
    assert (event.channel, event.actor) == ("system", "maintenance script")


def test_a_context_whose_first_query_streams_rows_still_records_its_actor(world: World) -> None:
    # On PostgreSQL .iterator() runs on a server-side cursor: the context push must not.
    with audit_context("job", actor_label="streamer"):
        pks = [h.pk for h in Household.objects.iterator(chunk_size=1)]
        Household.objects.filter(pk__in=pks).update(priority=8)
    assert {e.actor for e in events("registry_household", world.kalbajar_family.pk)[-1:]} == {
        "streamer"
    }


def test_a_write_outside_any_context_is_still_recorded_as_the_system(world: World) -> None:
    Household.objects.filter(pk=world.kalbajar_family.pk).update(priority=7)
    event = events("registry_household", world.kalbajar_family.pk)[-1]
    assert (event.channel, event.actor, event.actor_id) == ("system", "", None)


def test_a_delete_keeps_the_last_values(world: World) -> None:
    person = Person.objects.filter(household=world.kalbajar_family).first()
    assert person is not None
    pk, name = person.pk, person.given_name
    Person.objects.filter(pk=pk).delete()
    event = events("registry_person", pk)[-1]
    assert (event.action, event.after, event.old["given_name"]) == ("delete", None, name)


def test_an_update_that_changes_nothing_leaves_no_event(world: World) -> None:
    family = world.kalbajar_family
    before = len(events("registry_household", family.pk))
    Household.objects.filter(pk=family.pk).update(priority=family.priority)
    assert len(events("registry_household", family.pk)) == before


def test_password_hashes_never_enter_the_trail(world: World) -> None:
    user = world.sabina
    user.set_password("a new long passphrase")
    user.save()
    event = events("auth_user", user.pk)[-1]
    assert event.old["password"] == "[hidden]"
    assert event.new["password"] == "[changed]"
    assert user.password not in str(event.old) + str(event.new)
    created = get_user_model().objects.create_user("newcomer", password="another passphrase")
    assert events("auth_user", created.pk)[0].new["password"] == "[hidden]"


@pytest.mark.parametrize(
    "write",
    [
        lambda: AuditEvent.objects.update(actor="someone else"),
        lambda: AuditEvent.objects.all().delete(),
        lambda: AuditEvent.objects.first().save(),  # type: ignore[union-attr]
        lambda: connection.cursor().execute("UPDATE core_auditevent SET actor = 'x'"),
        lambda: connection.cursor().execute("DELETE FROM core_auditevent"),
    ],
    ids=["orm-update", "orm-delete", "orm-save", "sql-update", "sql-delete"],
)
def test_the_database_refuses_to_change_or_delete_an_audit_event(world: World, write: Any) -> None:
    Household.objects.filter(pk=world.kalbajar_family.pk).update(priority=7)
    count = AuditEvent.objects.count()
    assert count > 0
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        write()
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(actor__in=["x", "someone else"]).exists()


def test_every_domain_table_is_audited_and_secrets_are_not() -> None:
    tables = {m._meta.db_table for m in audited_models()}
    assert {"registry_household", "registry_person", "housing_unit", "auth_user"} <= tables
    assert {"accounts_profile", "network_edge", "handover_convoy"} <= tables
    assert not tables & {
        "core_auditevent",
        "core_job",
        "django_session",
        "authtoken_token",
        "handover_onetimecode",
        "handover_idempotencykey",
        "handover_message",
    }
    assert install_triggers() == len(tables)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_to_truncate_the_trail(world: World) -> None:
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("TRUNCATE core_auditevent")
    assert AuditEvent.objects.count() == count
