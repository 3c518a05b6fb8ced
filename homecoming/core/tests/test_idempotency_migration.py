"""The move of the idempotency keys from handover to core keeps the rows already there."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from homecoming.core.models import IdempotencyKey
from homecoming.core.testing import World, migrate_to

BEFORE = [("core", "0001_initial"), ("handover", "0001_initial")]


migrate = migrate_to


@pytest.mark.django_db(transaction=True)
def test_keys_stored_before_the_move_are_kept_and_still_replay(world: World, api: Any) -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old_apps = migrate(BEFORE)
    Old = old_apps.get_model("handover", "IdempotencyKey")
    answer = {"id": 12345, "status": "accepted", "household": "KLB-1"}
    fingerprint = hashlib.sha256(b"POST /api/offers/12345/accept/ {}").hexdigest()
    Old.objects.create(
        user_id=world.kamran.pk, key="k-old", fingerprint=fingerprint, status_code=200, body=answer
    )
    Old.objects.create(
        user_id=world.kamran.pk,
        key="k-409",
        fingerprint="f" * 64,
        status_code=409,
        body={"detail": "already accepted"},
    )
    migrate(latest)

    kept = IdempotencyKey.objects.get(path="/api/offers/12345/accept/")
    assert kept.key_hash == hashlib.sha256(b"k-old").hexdigest()
    assert IdempotencyKey.objects.count() == 2
    replay = api(world.kamran).post(
        "/api/offers/12345/accept/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k-old"
    )
    assert replay.status_code == 200 and replay.json() == answer
    assert replay["Idempotent-Replayed"] == "true"
