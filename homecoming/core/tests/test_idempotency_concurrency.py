"""On PostgreSQL, concurrent POSTs with one Idempotency-Key do the work exactly once.

Each thread has its own database connection, as web workers do; all are released at once.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from homecoming.core.models import IdempotencyKey
from homecoming.core.testing import World
from homecoming.handover.models import Appeal, Convoy

THREADS = 30
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent requests need PostgreSQL"
    ),
]


def together(post: Any) -> list[Any]:
    barrier = threading.Barrier(THREADS)
    responses: list[Any] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait()
            responses[i] = post()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return responses


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_appeals_with_one_key_file_one_appeal(
    world: World, api: Any, round_: int
) -> None:
    body = {"household": "KLB-1", "kind": "grievance", "text": f"No ramp ({round_})"}
    responses = together(
        lambda: api(world.kamran).post(
            "/api/appeals/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"same-{round_}"
        )
    )
    assert [r.status_code for r in responses] == [201] * THREADS
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r for r in responses) == 1
    assert Appeal.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_concurrent_convoys_with_one_key_and_other_bodies_plan_one_convoy(
    world: World, api: Any
) -> None:
    counter = iter(range(THREADS))
    lock = threading.Lock()

    def post() -> Any:
        with lock:
            n = next(counter)
        body = {
            "district": world.kalbajar.pk,
            "name": f"Convoy {n % 2}",
            "departs_on": "2026-06-12",
        }
        return api(world.kamran).post(
            "/api/convoys/", body, format="json", HTTP_IDEMPOTENCY_KEY="k"
        )

    codes = sorted(r.status_code for r in together(post))
    # One request ran; the others got its answer (same body) or a 422 (the other body).
    assert Convoy.objects.count() == 1
    assert set(codes) == {201, 422} and codes.count(201) == THREADS // 2
