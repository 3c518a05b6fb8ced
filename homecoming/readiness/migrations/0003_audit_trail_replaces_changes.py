"""The readiness change log becomes part of the one audit trail (core.AuditEvent).

Each old row is copied as an event of the item (or hazard area) it was about, with the
field's value before and after, who and when; `path` names the old row it came from.
Then the old table goes: the triggers record every readiness write from now on.
"""

from django.conf import settings
from django.db import migrations

ITEM_TABLE = "readiness_readinessitem"
HAZARD_TABLE = "readiness_hazardarea"


def event_from_change(change, usernames):
    """The audit event fields for one old ReadinessChange row."""
    if change.item_id is not None:
        table, pk = ITEM_TABLE, str(change.item_id)
    elif change.hazard_id is not None:
        table, pk = HAZARD_TABLE, str(change.hazard_id)
    else:  # the item or area was deleted since; the row still says what happened
        table, pk = ITEM_TABLE, ""
    return {
        "at": change.changed_at,
        "table": table,
        "object_pk": pk,
        "action": "update",
        "before": {change.field: change.before},
        "after": {change.field: change.after},
        "actor_id": change.changed_by_id,
        "actor": usernames.get(change.changed_by_id, ""),
        "channel": "system",
        "path": f"readiness change #{change.pk}: {change.subject}"[:300],
    }


def copy_changes(apps, schema_editor):
    Change = apps.get_model("readiness", "ReadinessChange")
    Event = apps.get_model("core", "AuditEvent")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    usernames = dict(User.objects.values_list("pk", "username"))
    batch = []
    for change in Change.objects.order_by("id").iterator(chunk_size=2000):
        batch.append(Event(**event_from_change(change, usernames)))
        if len(batch) >= 2000:
            Event.objects.bulk_create(batch)
            batch = []
    Event.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("readiness", "0002_default_kinds"),
        ("core", "0004_audit_trail"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(copy_changes, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(name="ReadinessChange"),
    ]
