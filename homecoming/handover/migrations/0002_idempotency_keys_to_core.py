"""Idempotency keys move to core (every POST of the API uses them now).

The old rows are copied, hashed: the key as it was stored (keys were cut to 200
characters then), the fingerprint as the request hash (the same formula: method, path and
sorted JSON body). The old table did not record the path; it is recovered from the answer
for a successful accept, decline or withdraw (the offer's id and its new status). Rows
whose path cannot be recovered (a 409 answer) are kept but can no longer match a retry.
"""

import hashlib

from django.db import migrations

ACTIONS = {"accepted": "accept", "declined": "decline", "withdrawn": "withdraw"}


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def copy_keys(apps, schema_editor):
    Old = apps.get_model("handover", "IdempotencyKey")
    New = apps.get_model("core", "IdempotencyKey")
    for old in Old.objects.order_by("pk").iterator():
        body = old.body if isinstance(old.body, dict) else {}
        action = ACTIONS.get(body.get("status"))
        path = f"/api/offers/{body['id']}/{action}/" if action and "id" in body else ""
        new = New.objects.create(
            user_id=old.user_id,
            method="POST",
            path=path,
            path_hash=sha256(path),
            key_hash=sha256(old.key),
            request_hash=old.fingerprint,
            status_code=old.status_code,
            body=old.body,
        )
        New.objects.filter(pk=new.pk).update(created_at=old.created_at)


def copy_back(apps, schema_editor):
    # Hashes cannot give the keys back: going back starts with an empty table.
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("handover", "0001_initial"),
        ("core", "0002_idempotency_keys"),
    ]

    operations = [
        migrations.RunPython(copy_keys, copy_back),
        migrations.DeleteModel(name="IdempotencyKey"),
    ]
