"""The handover's transition log becomes part of the one audit trail (core.AuditEvent).

Each old row is copied as an event of the row it was about (offer, home, family, swap,
appeal) whose `status` went from `from_state` to `to_state`, with who, when and the note;
`path` names the old row it came from. Then the old table goes: the triggers record every
handover write from now on.
"""

from django.db import migrations

TABLES = {
    "offer": "handover_offer",
    "unit": "housing_unit",
    "household": "registry_household",
    "swap": "handover_swap",
    "appeal": "handover_appeal",
}


def event_from_transition(t):
    """The audit event fields for one old Transition row."""
    created = t.from_state == "" and ":" not in t.to_state
    return {
        "at": t.at,
        "table": TABLES.get(t.entity, t.entity),
        "object_pk": str(t.entity_id),
        "action": "insert" if created else "update",
        "before": None if created else {"status": t.from_state},
        "after": {"status": t.to_state},
        "actor_id": t.by_id,
        "actor": t.actor,
        "channel": "system",
        "path": f"handover transition #{t.pk}: {t.label}"[:300],
        "note": t.note,
    }


def copy_transitions(apps, schema_editor):
    Transition = apps.get_model("handover", "Transition")
    Event = apps.get_model("core", "AuditEvent")
    batch = []
    for t in Transition.objects.order_by("id").iterator(chunk_size=2000):
        batch.append(Event(**event_from_transition(t)))
        if len(batch) >= 2000:
            Event.objects.bulk_create(batch)
            batch = []
    Event.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("handover", "0003_convoy_and_ceremony_status"),
        ("core", "0004_audit_trail"),
    ]

    operations = [
        migrations.RunPython(copy_transitions, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(name="Transition"),
    ]
