"""The audit trail names a changed field as people read it, in their language, never by its
database column (actual_end)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils.functional import Promise

from homecoming.core.audit import audited_models
from homecoming.core.audit_views import column_labels
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
