"""Lifecycles as data: statuses change only through named actions, the database refuses jumps."""

from __future__ import annotations

import doctest
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.utils import translation
from rest_framework import serializers

from homecoming.core import lifecycle
from homecoming.core.lifecycle import (
    REGISTRY,
    SYSTEM,
    Lifecycle,
    LifecycleError,
    Step,
    TransitionRefused,
    as_markdown,
)
from homecoming.core.testing import World
from homecoming.housing.models import Unit, UnitStatus
from homecoming.registry import services as registry_services
from homecoming.registry.lifecycles import HOUSEHOLD
from homecoming.registry.models import Household, HouseholdStatus

DOCS = Path(__file__).resolve().parents[3] / "docs" / "lifecycles.md"

DOOR = Lifecycle(
    "test.Door",
    states=(("shut", "Shut"), ("open", "Open"), ("gone", "Gone")),
    initial=("shut",),
    steps=(
        Step("open_door", ("shut",), ("open",), frozenset({"keeper"})),
        Step("remove", ("shut", "open"), ("gone",), frozenset({SYSTEM})),
    ),
)


# ---------------------------------------------------------------------------- the table


def test_the_module_examples_run() -> None:
    failures, _tried = doctest.testmod(lifecycle)
    assert failures == 0


def test_it_allows_a_declared_step_to_the_role_that_may_make_it() -> None:
    assert DOOR.check("open_door", "shut", "keeper") == "open"
    assert DOOR.check("remove", "open", None) == "gone"  # no user: the system acts
    assert [s.action for s in DOOR.actions_from("shut", "keeper")] == ["open_door"]


def test_it_refuses_a_step_from_the_wrong_state_or_by_the_wrong_role() -> None:
    with pytest.raises(TransitionRefused, match="Open"):
        DOOR.check("open_door", "open", "keeper")
    with pytest.raises(TransitionRefused, match="role"):
        DOOR.check("open_door", "shut", "visitor")
    with pytest.raises(TransitionRefused, match="role"):
        DOOR.check("remove", "shut", "keeper")


def test_a_change_asked_for_by_its_result_must_match_some_step() -> None:
    assert DOOR.check_move("shut", "open", "keeper") == "open_door"
    assert DOOR.check_move("open", "open", "anyone") == ""
    with pytest.raises(TransitionRefused, match="cannot go"):
        DOOR.check_move("gone", "shut", SYSTEM)
    assert DOOR.allows("shut", "gone") and not DOOR.allows("gone", "open")


def test_a_table_naming_an_unknown_state_or_action_is_a_programming_error() -> None:
    with pytest.raises(LifecycleError):
        Lifecycle(
            "test.Bad",
            states=(("a", "A"),),
            initial=("a",),
            steps=(Step("go", ("a",), ("b",), frozenset()),),
        )
    with pytest.raises(LifecycleError):
        DOOR.check("fly", "shut", "keeper")


def test_every_model_with_a_status_has_a_lifecycle_with_the_same_states() -> None:
    for model in apps.get_models():
        if not model.__module__.startswith("homecoming."):
            continue
        fields = {f.name: f for f in model._meta.get_fields()}
        status = fields.get("status")
        if status is None or not getattr(status, "choices", None):
            continue
        life = REGISTRY.get(f"{model._meta.label}.status")
        assert life is not None, f"{model._meta.label} has a status but no lifecycle"
        assert [v for v, _ in life.states] == [v for v, _ in status.choices]  # type: ignore[union-attr]


def test_the_lifecycles_page_is_what_the_code_says() -> None:
    with translation.override("en"):
        expected = as_markdown(REGISTRY.values())
    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/lifecycles.md is stale: run `homecoming lifecycles > docs/lifecycles.md`"
    )


# ---------------------------------------------------------------------------- the database


@pytest.mark.django_db
def test_the_database_refuses_a_status_jump_however_it_is_written(world: World) -> None:
    family = world.kalbajar_family
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=family.pk).update(status=HouseholdStatus.MOVED_IN)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Household._meta.db_table} SET status = %s WHERE id = %s",
            [HouseholdStatus.KEYS_HANDED.value, family.pk],
        )
    family.refresh_from_db()
    assert family.status == HouseholdStatus.ELIGIBLE
    # A step of the table goes through, whatever path writes it.
    Household.objects.filter(pk=family.pk).update(status=HouseholdStatus.REGISTERED)
    unit = Unit.objects.filter(building__complex=world.kalbajar_complex).first()
    assert unit is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(status=UnitStatus.OCCUPIED)


@pytest.mark.django_db
def test_the_guards_follow_the_tables_after_every_migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    assert lifecycle.install_guards(connection) == len(REGISTRY)


# ---------------------------------------------------------------------------- edges


def lifecycle_fields_writable_through(serializer: serializers.BaseSerializer[Any]) -> list[str]:
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None:
        return []
    writable = []
    for life in lifecycle.lifecycles_of(model._meta.label):
        field = serializer.fields.get(life.field)  # type: ignore[attr-defined]
        if field is not None and not field.read_only:
            writable.append(f"{model._meta.label}.{life.field}")
    return writable


#: Serializers that write a status through a `do_*` action which checks the table, because the
#: status is what the form is for (a readiness item's progress, an edge opening).
CHECKED_BY_THEIR_ACTION = {
    "readiness.ReadinessItem.status",
    "network.Edge.status",
    "housing.Unit.construction",
}


@pytest.mark.django_db
def test_no_api_serializer_writes_a_status_behind_the_tables_back(world: World) -> None:
    from config.urls import router

    request = RequestFactory().get("/api/")
    request.user = world.ayten
    for _prefix, viewset, _basename in router.registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        if serializer_class is None:
            continue
        writable = lifecycle_fields_writable_through(serializer_class(context={"request": request}))
        assert set(writable) <= CHECKED_BY_THEIR_ACTION, (viewset.__name__, writable)


def test_the_admin_deletes_nothing_and_shows_statuses_read_only() -> None:
    request = RequestFactory().get("/admin/")
    request.user = type("Root", (), {"is_active": True, "is_staff": True, "is_superuser": True})()
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("homecoming."):
            continue
        assert not model_admin.has_delete_permission(request), model
        assert "delete_selected" not in model_admin.get_actions(request), model
        for life in lifecycle.lifecycles_of(model._meta.label):
            assert life.field in model_admin.get_readonly_fields(request), model


# ---------------------------------------------------------------------------- named actions


@pytest.mark.django_db
def test_a_patch_through_the_api_cannot_change_a_family_status(world: World, api: Any) -> None:
    url = f"/api/households/{world.kalbajar_family.reg_number}/"
    response = api(world.kamran).patch(url, {"status": "moved_in"}, format="json")
    assert response.status_code == 200
    world.kalbajar_family.refresh_from_db()
    assert world.kalbajar_family.status == HouseholdStatus.ELIGIBLE
    unit = Unit.objects.filter(building__complex=world.kalbajar_complex).first()
    assert unit is not None
    api(world.kamran).patch(f"/api/units/{unit.pk}/", {"status": "occupied"}, format="json")
    unit.refresh_from_db()
    assert unit.status != UnitStatus.OCCUPIED


@pytest.mark.django_db
def test_a_family_is_withdrawn_with_a_reason_and_never_deleted(world: World, api: Any) -> None:
    url = f"/api/households/{world.kalbajar_family.reg_number}/"
    client = api(world.kamran)
    assert client.post(url + "withdraw/", {}, format="json").status_code == 400
    response = client.post(url + "withdraw/", {"reason": "settled abroad"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert response.json()["withdrawal_reason"] == "settled abroad"
    # Withdrawing again is refused with the reason: a 409, never a 500.
    again = client.post(url + "withdraw/", {"reason": "twice"}, format="json")
    assert again.status_code == 409 and "Withdrawn" in again.json()["detail"]
    # Only an administrator brings a family back.
    assert client.post(url + "reinstate/").status_code == 403
    back = api(world.ayten).post(url + "reinstate/")
    assert back.status_code == 200 and back.json()["status"] == "registered"
    assert Household.objects.filter(pk=world.kalbajar_family.pk).exists()


@pytest.mark.django_db
def test_a_role_the_table_does_not_name_is_refused_by_the_action(world: World) -> None:
    # The auditor reads only; the table gives withdrawing to administrators and district officers.
    with pytest.raises(TransitionRefused, match="role"):
        registry_services.do_withdraw_household(world.kalbajar_family, "no", world.sabina)
    with pytest.raises(TransitionRefused, match="role"):
        registry_services.do_withdraw_household(world.kalbajar_family, "no", world.orkhan)
    assert HOUSEHOLD.may("withdraw", "district_officer")
    world.kalbajar_family.refresh_from_db()
    assert world.kalbajar_family.status == HouseholdStatus.ELIGIBLE


@pytest.mark.django_db
def test_the_database_refuses_a_family_offered_a_home_it_does_not_hold(world: World) -> None:
    family = world.kalbajar_family
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=family.pk).update(status=HouseholdStatus.OFFERED)
    unit = Unit.objects.filter(building__complex=world.kalbajar_complex).first()
    assert unit is not None
    Unit.objects.filter(pk=unit.pk).update(household=family, status=UnitStatus.OFFERED)
    Household.objects.filter(pk=family.pk).update(status=HouseholdStatus.OFFERED)
    family.refresh_from_db()
    assert family.status == HouseholdStatus.OFFERED
