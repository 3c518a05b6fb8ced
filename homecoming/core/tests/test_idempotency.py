"""Idempotency-Key on every POST of the API: once per key, replayed, 422 on another body."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from homecoming.core.models import IdempotencyKey
from homecoming.core.testing import World
from homecoming.handover.models import Appeal, Convoy
from homecoming.registry.models import Group

pytestmark = pytest.mark.django_db


def appeal(text: str = "The flat offered has no ramp.") -> dict[str, Any]:
    return {"household": "KLB-1", "kind": "grievance", "text": text}


def convoy(world: World, name: str = "Convoy 1") -> dict[str, Any]:
    return {"district": world.kalbajar.pk, "name": name, "departs_on": "2026-06-12"}


def test_an_appeal_posted_twice_with_one_key_is_filed_once(world: World, api: Any) -> None:
    client = api(world.kamran)
    first = client.post("/api/appeals/", appeal(), format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    assert first.status_code == 201, first.json()
    again = client.post("/api/appeals/", appeal(), format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Appeal.objects.count() == 1


def test_a_convoy_posted_twice_with_one_key_is_planned_once(world: World, api: Any) -> None:
    client = api(world.kamran)
    body = convoy(world)
    first = client.post("/api/convoys/", body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    again = client.post("/api/convoys/", body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Convoy.objects.count() == 1
    # Without a key every POST is a new request.
    client.post("/api/convoys/", body, format="json")
    assert Convoy.objects.count() == 2


def test_a_group_posted_twice_with_one_key_is_created_once(world: World, api: Any) -> None:
    client = api(world.ayten)
    body = {"code": "G-9", "kind": "relatives", "name": "The Aliyevs"}
    for _ in range(3):
        response = client.post("/api/groups/", body, format="json", HTTP_IDEMPOTENCY_KEY="g")
        assert response.status_code == 201
    assert Group.objects.filter(code="G-9").count() == 1


def test_the_same_fields_in_another_order_are_the_same_request(world: World, api: Any) -> None:
    client = api(world.kamran)
    pk = world.kalbajar.pk
    body = f'{{"name": "Convoy 1", "district": {pk}, "departs_on": "2026-06-12"}}'
    reordered = f'{{"departs_on": "2026-06-12",  "district": {pk},"name": "Convoy 1"}}'
    for text in (body, reordered):
        response = client.post(
            "/api/convoys/", text, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
        )
        assert response.status_code == 201
    assert Convoy.objects.count() == 1


def test_long_keys_differing_only_at_the_end_do_not_collide(world: World, api: Any) -> None:
    client = api(world.kamran)
    one, two = "k" * 299 + "1", "k" * 299 + "2"
    first = client.post("/api/convoys/", convoy(world), format="json", HTTP_IDEMPOTENCY_KEY=one)
    second = client.post("/api/convoys/", convoy(world), format="json", HTTP_IDEMPOTENCY_KEY=two)
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert Convoy.objects.count() == 2
    # Each long key still replays its own answer; only hashes of the whole keys are kept.
    again = client.post("/api/convoys/", convoy(world), format="json", HTTP_IDEMPOTENCY_KEY=two)
    assert again.json()["id"] == second.json()["id"] and Convoy.objects.count() == 2
    assert set(IdempotencyKey.objects.values_list("key_hash", flat=True)) == {
        hashlib.sha256(k.encode()).hexdigest() for k in (one, two)
    }


def test_the_same_key_with_another_body_is_a_422_and_does_nothing(world: World, api: Any) -> None:
    client = api(world.kamran)
    client.post("/api/appeals/", appeal(), format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    response = client.post(
        "/api/appeals/", appeal("Another text"), format="json", HTTP_IDEMPOTENCY_KEY="a-1"
    )
    assert response.status_code == 422
    assert "another request body" in response.json()["detail"]
    assert list(Appeal.objects.values_list("text", flat=True)) == ["The flat offered has no ramp."]


def test_a_key_is_scoped_to_its_user_and_operation(world: World, api: Any) -> None:
    kamran = api(world.kamran)
    kamran.post("/api/convoys/", convoy(world), format="json", HTTP_IDEMPOTENCY_KEY="same")
    # Another operation with the same key is another request, not a replay nor a 422.
    response = kamran.post("/api/appeals/", appeal(), format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    # Another user's identical request with the same key is theirs.
    response = api(world.ayten).post(
        "/api/convoys/", convoy(world), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Convoy.objects.count() == 2 and Appeal.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 1025, "ключ", "tab\there"])
def test_a_malformed_key_is_a_400_and_does_nothing(world: World, api: Any, key: str) -> None:
    response = api(world.kamran).post(
        "/api/convoys/", convoy(world), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert Convoy.objects.count() == 0 and IdempotencyKey.objects.count() == 0


def test_a_refused_request_is_replayed_as_refused(world: World, api: Any) -> None:
    client = api(world.leyla)  # Kalbajar is not Leyla's district
    first = client.post("/api/convoys/", convoy(world), format="json", HTTP_IDEMPOTENCY_KEY="l")
    again = client.post("/api/convoys/", convoy(world), format="json", HTTP_IDEMPOTENCY_KEY="l")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Convoy.objects.count() == 0


def test_a_caller_the_api_refuses_stores_no_key(world: World, api: Any) -> None:
    response = api(world.sabina).post(
        "/api/convoys/", convoy(world), format="json", HTTP_IDEMPOTENCY_KEY="s"
    )
    assert response.status_code == 403
    assert IdempotencyKey.objects.count() == 0


def test_the_schema_declares_the_header_on_every_post(world: World, api: Any) -> None:
    schema = api(world.ayten).get("/api/schema/?format=json").json()
    posts = [(p, ops["post"]) for p, ops in schema["paths"].items() if "post" in ops]
    posts = [(p, op) for p, op in posts if p != "/api/token/"]
    assert len(posts) > 15
    for path, op in posts:
        headers = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
        assert headers["Idempotency-Key"]["schema"]["maxLength"] == 1024
        assert "422" in op["responses"], path
    assert "Idempotency-Key" not in str(schema["paths"]["/api/convoys/"]["get"])
