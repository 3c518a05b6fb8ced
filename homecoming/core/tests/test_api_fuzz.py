"""Schemathesis against the live API: no server error, no answer that breaks the schema.

A live server on the test database holds a small but varied world (the personas, a run
with offers, a swap, an appeal, a convoy with a bus, a ceremony, readiness items, a hazard
area, a school, a stage, the demo road network), so path parameters name real objects as
well as missing ones. The administrator calls every operation of /api/schema/ with cases
Hypothesis draws from the schema, valid and invalid, under a fixed seed and a time budget.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from homecoming.accounts.services import do_issue_token
from homecoming.core.tests.api_world import known_values, make_api_world

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

#: Cases drawn per operation, half valid and half invalid on average.
MAX_EXAMPLES = 12
#: Cases every operation gets even past its share of the time (a loaded machine still
#: calls each operation, valid or not, more than once).
MIN_CASES = 2
#: Seconds the whole run may take; each operation gets its share of what is left. CI runs
#: the suite twice (SQLite, PostgreSQL) within its 30 minutes; a longer hunt:
#: HOMECOMING_FUZZ_SECONDS=900.
BUDGET_SECONDS = float(os.environ.get("HOMECOMING_FUZZ_SECONDS", "90"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class Fuzzer:
    """Calls operations with drawn cases and keeps the counts and the distinct failures."""

    def __init__(self, session: requests.Session, known: dict[str, list[Any]]) -> None:
        self.session = session
        self.known = known
        self.counts: Counter[str] = Counter()
        self.failures: dict[tuple[str, str], str] = {}

    def run(self, operation: Any, deadline: float) -> None:
        values = next((v for p, v in self.known.items() if operation.path.startswith(p)), [])
        drawn = Counter[str]()
        strategy = st.one_of(
            operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],  # no shrinking: every failure is recorded as found
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, pick=st.integers(min_value=0, max_value=9))
        def call(case: Any, pick: int) -> None:
            drawn["cases"] += 1
            if drawn["cases"] > MIN_CASES and time.monotonic() > deadline:
                self.counts["skipped (time)"] += 1
                return
            if values and case.path_parameters and pick < 6:
                # Most cases aim at an object that exists; the others at random ids.
                name = next(iter(case.path_parameters))
                case.path_parameters[name] = values[pick % len(values)]
            self.check(operation, case)

        call()
        self.counts["operations"] += 1

    def check(self, operation: Any, case: Any) -> None:
        self.counts["cases"] += 1
        response = case.call(session=self.session, timeout=30)
        self.counts[str(response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            curl = case.as_curl_command(headers=dict(self.session.headers))
            for failure in group.exceptions:
                key = (operation.label, failure.title)
                self.failures.setdefault(key, f"{failure.message}\n{curl}")


def test_the_api_survives_the_fuzzer(live_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    world = make_api_world()
    _token, raw_token = do_issue_token(world.ayten, name="fuzzer")
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    session = requests.Session()
    session.headers["Authorization"] = f"Token {raw_token}"
    fuzzer = Fuzzer(session, known_values())

    started = time.monotonic()
    for index, operation in enumerate(operations):
        left = BUDGET_SECONDS - (time.monotonic() - started)
        fuzzer.run(operation, time.monotonic() + max(left, 0) / (len(operations) - index))
    took = time.monotonic() - started

    counts, failures = fuzzer.counts, fuzzer.failures
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if k.isdigit())
    with capsys.disabled():
        print(
            f"\nAPI fuzz: {counts['operations']} operations, {counts['cases']} cases "
            f"({counts['skipped (time)']} skipped for time) in {took:.0f} s; "
            f"statuses {statuses}; {len(failures)} failures"
        )
    report = "\n\n".join(f"{op}: {title}\n{detail}" for (op, title), detail in failures.items())
    assert not failures, report
    assert counts["operations"] == len(operations)
    assert counts["cases"] >= MIN_CASES * len(operations)
