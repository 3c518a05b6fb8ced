"""The audit trail names a changed field as people read it, in their language, never by its
database column (actual_end)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils.functional import Promise

from homecoming.core.audit import audited_models
from homecoming.core.audit_views import choice_labels, column_labels
from homecoming.readiness.models import ItemKind, ReadinessItem
from homecoming.testing import World, acting_as

pytestmark = pytest.mark.django_db


def test_every_audited_column_has_a_translated_name() -> None:
    labels = column_labels()
    for model in audited_models():
        table = model._meta.db_table
        for f in model._meta.concrete_fields:
            assert isinstance(labels[table].get(str(f.column)), Promise), (table, f.column)


@pytest.mark.parametrize(
    ("language", "label"), [("az", "faktiki başa çatma tarixi"), ("ru", "фактическое завершение")]
)
def test_the_change_log_shows_field_names_in_the_reader_s_language(
    world: World, client: Any, language: str, label: str
) -> None:
    with acting_as(world.kamran):
        item = ReadinessItem.objects.create(
            kind=ItemKind.objects.get(code="water"), complex=world.kalbajar_complex
        )
        item.actual_end = date(2026, 5, 1)
        item.save()
    client.force_login(world.ayten)
    client.cookies["django_language"] = language
    page = client.get(reverse("audit") + "?table=readiness_readinessitem").content.decode()
    assert f"<th>{label}</th>" in page
    assert "actual_end" not in page


def test_every_column_with_choices_has_its_labels_and_no_relation_is_among_them() -> None:
    choices = choice_labels()
    assert choices["handover_offer"]["status"]["accepted"] == "Accepted"
    assert choices["registry_household"]["shelter_kind"]["tent"] == "Tent camp"
    for model in audited_models():
        for f in model._meta.concrete_fields:
            if f.choices and not f.is_relation:
                assert set(choices[model._meta.db_table][str(f.column)]) == {
                    value for value, _label in f.flatchoices
                }


@pytest.mark.parametrize(
    ("language", "accepted", "tent"),
    [
        ("az", "Qəbul edilib", None),
        ("ru", "Принято", "Палаточный лагерь"),
        ("en", "Accepted", None),
    ],
)
def test_the_trail_shows_values_chosen_from_a_list_by_their_label_in_the_reader_s_language(
    world: World,
    client: Any,
    django_assert_max_num_queries: Any,
    language: str,
    accepted: str,
    tent: str | None,
) -> None:
    from homecoming.core.models import AuditEvent
    from homecoming.handover import services
    from homecoming.readiness.tests.helpers import record_ready

    record_ready(world.kalbajar_city)
    unit = world.kalbajar_complex.buildings.get().units.get(number="4")
    with acting_as(world.kamran):
        offer = services.do_make_offer(unit, world.kalbajar_family, user=world.kamran)
        services.do_accept_offer(offer, user=world.kamran)
        family = world.kalbajar_family
        family.refresh_from_db()
        family.shelter_kind = "tent"
        family.save()
    client.force_login(world.ayten)
    client.cookies["django_language"] = language
    client.get(reverse("audit"))  # the session and the caches settle
    with django_assert_max_num_queries(12):
        page = client.get(reverse("audit") + "?table=handover_offer").content.decode()
    assert f"<ins>{accepted}</ins>" in page
    assert "<ins>accepted</ins>" not in page and "<del>pending</del>" not in page
    households = client.get(reverse("audit") + "?table=registry_household").content.decode()
    assert "<ins>tent</ins>" not in households and "<del>dormitory</del>" not in households
    if tent:
        assert f"<ins>{tent}</ins>" in households
    stored = AuditEvent.objects.filter(table="handover_offer", action="update").first()
    assert stored is not None and stored.new["status"] == "accepted", "stored as it was"
