"""On PostgreSQL, many concurrent writers on one home leave exactly one winner.

Each thread has its own database connection, as web workers do. SQLite serialises all
writers anyway (IMMEDIATE transactions), so these tests need PostgreSQL's row locks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections

from homecoming.handover import services
from homecoming.handover.history import transitions
from homecoming.handover.models import Offer, OfferStatus
from homecoming.handover.tests.conftest import unit_no
from homecoming.registry.models import Household
from homecoming.testing import World, make_family

THREADS = 50
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-lock concurrency needs PostgreSQL"
    ),
]


def race(work: list[Callable[[], Any]]) -> list[str]:
    """Run each callable in its own thread, all released at once; 'won' or the error."""
    barrier = threading.Barrier(len(work))
    outcomes: list[str] = [""] * len(work)

    def run(i: int) -> None:
        try:
            barrier.wait()
            work[i]()
            outcomes[i] = "won"
        except services.Conflict:
            outcomes[i] = "conflict"
        except (IntegrityError, DatabaseError) as exc:
            outcomes[i] = f"db:{type(exc).__name__}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.parametrize("round_", range(5))
def test_fifty_concurrent_offers_of_one_home_leave_one_offer(world: World, round_: int) -> None:
    families = [make_family(f"KLB-C{round_}-{i}", world.zar, 3) for i in range(THREADS)]
    unit = unit_no(world, "5")

    def offer_to(h: Household) -> Callable[[], Any]:
        return lambda: services.do_make_offer(unit, h)

    outcomes = race([offer_to(h) for h in families])
    assert outcomes.count("won") == 1, outcomes
    assert set(outcomes) <= {"won", "conflict"}, outcomes
    offer = Offer.objects.get(unit=unit)
    unit.refresh_from_db()
    assert unit.household_id == offer.household_id
    assert Household.objects.filter(status="offered").count() == 1


@pytest.mark.parametrize("round_", range(5))
def test_fifty_concurrent_answers_to_one_offer_leave_one_answer(world: World, round_: int) -> None:
    offer = services.do_make_offer(unit_no(world, "5"), world.kalbajar_family)
    work: list[Callable[[], Any]] = []
    for i in range(THREADS):
        if i % 2:
            work.append(lambda: services.do_accept_offer(offer, actor="family"))
        else:
            work.append(lambda: services.do_decline_offer(offer, "no", actor="family"))
    outcomes = race(work)
    assert all(o in {"won", "conflict"} for o in outcomes), outcomes
    answers = transitions("offer", offer.pk).filter(to_state__in=["accepted", "declined"])  # type: ignore[misc]
    assert answers.count() == 1
    offer.refresh_from_db()
    assert offer.status == answers.get().to_state  # type: ignore[attr-defined]
    unit = unit_no(world, "5")
    if offer.status == OfferStatus.ACCEPTED:
        assert unit.household_id == offer.household_id and unit.status == "allocated"
    else:
        assert unit.household_id is None and unit.status == "free"


@pytest.mark.parametrize("round_", range(3))
def test_fifty_concurrent_api_accepts_with_one_key_answer_once(
    world: World, api: Any, round_: int
) -> None:
    offer = services.do_make_offer(unit_no(world, "5"), world.kalbajar_family)
    responses: list[int] = []

    def accept() -> None:
        r = api(world.kamran).post(
            f"/api/offers/{offer.pk}/accept/", {}, format="json", HTTP_IDEMPOTENCY_KEY="same"
        )
        responses.append(r.status_code)

    outcomes = race([accept] * THREADS)
    assert outcomes.count("won") == THREADS, outcomes
    assert responses == [200] * THREADS
    assert transitions("offer", to_state="accepted").count() == 1


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_bulk_offers_of_the_same_homes_in_crossed_orders_leave_one_batch(
    world: World, round_: int
) -> None:
    """Officers confirming overlapping picks, the homes listed in opposite orders: the homes
    and families are locked up front in id order, so one batch wins whole, the others are
    refused, and no transaction deadlocks."""
    threads = 12
    one, six = unit_no(world, "1"), unit_no(world, "6")
    work: list[Callable[[], Any]] = []
    for i in range(threads):
        a = make_family(f"KLB-B{round_}-{i}a", world.zar, 3)
        b = make_family(f"KLB-B{round_}-{i}b", world.zar, 3)
        pairs = [(one, a), (six, b)] if i % 2 else [(six, a), (one, b)]
        work.append(partial(services.do_make_offers, pairs, user=None))
    outcomes = race(work)
    assert outcomes.count("won") == 1, outcomes
    assert set(outcomes) <= {"won", "conflict"}, outcomes
    assert Offer.objects.filter(unit__in=[one, six]).count() == 2
    assert Household.objects.filter(status="offered").count() == 2
