"""On PostgreSQL, fifty guesses at once for one number still meet the limit exactly.

Each thread has its own connection, as the web processes do; the counter row's lock is what
keeps them from all reading "under the limit" together.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from homecoming.core.testing import World
from homecoming.handover import otp
from homecoming.registry.models import Household

THREADS = 50
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-lock concurrency needs PostgreSQL"
    ),
]


@pytest.mark.parametrize("round_", range(3))
def test_fifty_simultaneous_wrong_codes_get_exactly_the_limit_of_tries(
    world: World, round_: int
) -> None:
    Household.objects.filter(reg_number="KLB-1").update(phone="+994501110001")
    otp.do_request_code("KLB-1", "198.51.100.1", "en")
    barrier = threading.Barrier(THREADS)
    outcomes = [""] * THREADS

    def guess(i: int) -> None:
        try:
            barrier.wait()
            signed_in = otp.do_check_code("KLB-1", f"10.7.{round_}.{i}", f"{i:08d}")
            outcomes[i] = "signed in" if signed_in else "wrong"
        except otp.Locked as locked:
            outcomes[i] = locked.kind
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("signed in") == 0 or outcomes.count("signed in") == 1
    tried = outcomes.count("wrong") + outcomes.count("signed in")
    assert tried == settings.FAMILY_FAILS_PER_NUMBER, outcomes
    assert outcomes.count("fail-number") == THREADS - tried, outcomes
