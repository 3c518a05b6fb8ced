"""The old readiness change log survives in the audit trail (data migration)."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from homecoming.core.models import AuditEvent
from homecoming.core.testing import World
from homecoming.readiness.tests.helpers import item

MIGRATION = "0003_audit_trail_replaces_changes"


@pytest.mark.django_db(transaction=True)
def test_old_readiness_changes_are_copied_into_the_audit_trail(world: World) -> None:
    migration = importlib.import_module(f"homecoming.readiness.migrations.{MIGRATION}")
    loader = MigrationLoader(connection)
    before_it = [
        ("readiness", "0002_default_kinds"),
        ("core", "0004_audit_trail"),
        *loader.graph.leaf_nodes("auth"),
    ]
    old_apps = loader.project_state(before_it).apps
    Change = old_apps.get_model("readiness", "ReadinessChange")
    water = item(world.kalbajar_complex, "water")
    when = datetime(2025, 3, 4, 5, 6, tzinfo=UTC)
    with connection.schema_editor() as editor:
        editor.create_model(Change)
    try:
        Change.objects.bulk_create(
            [
                Change(
                    district_id=world.kalbajar.pk,
                    item_id=water.pk,
                    subject="Water — KLB",
                    field="status",
                    before="not_started",
                    after="done",
                    changed_by_id=world.kamran.pk,
                ),
                Change(district_id=world.kalbajar.pk, subject="Gone", field="notes", after="x"),
            ]
        )
        Change.objects.update(changed_at=when)
        ids = list(Change.objects.order_by("id").values_list("id", flat=True))
        before = AuditEvent.objects.count()
        with connection.schema_editor() as editor:
            migration.copy_changes(old_apps, editor)
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Change)
    copied = list(AuditEvent.objects.order_by("id"))[before:]
    assert [(e.table, e.object_pk, e.old, e.new, e.actor, e.at) for e in copied] == [
        (
            "readiness_readinessitem",
            str(water.pk),
            {"status": "not_started"},
            {"status": "done"},
            "kamran",
            when,
        ),
        ("readiness_readinessitem", "", {"notes": ""}, {"notes": "x"}, "", when),
    ]
    assert copied[0].actor_id == world.kamran.pk
    assert copied[0].path == f"readiness change #{ids[0]}: Water — KLB"
