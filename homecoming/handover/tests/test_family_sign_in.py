"""The family sign-in under attack: the replays of issue 11's findings, and the promise.

Every request sets REMOTE_ADDR: the limits per client read it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from homecoming.core.clientip import client_key
from homecoming.core.testing import World, make_family
from homecoming.handover import throttle
from homecoming.handover.models import Message, OneTimeCode, SignInAttempt
from homecoming.handover.otp import _digest
from homecoming.registry.models import Household

pytestmark = pytest.mark.django_db

FAMILY = "KLB-1"
PHONE = "+994501110001"
HOME_ADDR = "198.51.100.10"


@pytest.fixture
def family(world: World) -> Household:
    Household.objects.filter(reg_number=FAMILY).update(phone=PHONE)
    return Household.objects.get(reg_number=FAMILY)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Set the time everything reads, starting a minute into a fresh window."""
    now = [throttle.window_start(timezone.now()) + timedelta(minutes=1)]
    monkeypatch.setattr(timezone, "now", lambda: now[0])

    def set_to(moment: datetime) -> None:
        now[0] = moment

    return set_to


def ask_code(client: Client, reg: str, addr: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post("/family/sign-in/", {"reg_number": reg}, REMOTE_ADDR=addr)


def enter(client: Client, code: str, addr: str) -> Any:
    return client.post("/family/code/", {"code": code}, REMOTE_ADDR=addr)


def last_code(sent: list[tuple[str, str, str]]) -> str:
    body = [b for to, t, b in sent if to == PHONE and t == "one_time_code"][-1]
    match = re.search(rf"\b(\d{{{settings.FAMILY_CODE_DIGITS}}})\b", body)
    assert match, body
    return match.group(1)


def wrong(code: str, i: int = 0) -> str:
    guess = f"{i:0{len(code)}d}"
    return guess if guess != code else f"{i + 1:0{len(code)}d}"


def fresh_code(household: Household, code: str) -> None:
    """A new code reaches the family (as many as an attacker could make the family ask for)."""
    OneTimeCode.objects.create(
        household=household,
        code_hash=_digest(household.pk, code),
        expires_at=timezone.now() + timedelta(minutes=settings.FAMILY_CODE_MINUTES),
    )


def same_page(response: Any, reg: str) -> str:
    """The page with what is meant to differ taken out: the typed number, the CSRF token."""
    text = response.content.decode().replace(reg, "REG")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)


def test_a_hundred_wrong_codes_across_fresh_codes_are_refused_after_the_per_number_limit(
    family: Household, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    ask_code(client, FAMILY, "203.0.113.1", django_capture_on_commit_callbacks)
    limit = settings.FAMILY_FAILS_PER_NUMBER
    answers = []
    for i in range(100):
        if i % 5 == 0:
            # The old attack: a new code used to reset the tries.
            fresh_code(family, f"{10**settings.FAMILY_CODE_DIGITS - 1 - i:d}")
        # A hundred addresses, so only the limit per registration number can stop it.
        guess = f"{i:0{settings.FAMILY_CODE_DIGITS}d}"
        answers.append(enter(client, guess, f"10.9.0.{i}"))
    wrong_answers = [r for r in answers if "wrong or expired" in r.content.decode()]
    locked = [r for r in answers if r.status_code == 429]
    assert len(wrong_answers) == limit
    assert len(locked) == 100 - limit
    assert "for this registration number" in locked[-1].content.decode()
    # Only `limit` codes were ever compared: nothing past the limit reached the code check.
    assert not OneTimeCode.objects.filter(used_at__isnull=False).exists()
    assert client.get("/family/")["Location"] == "/family/sign-in/"


def test_one_client_asking_codes_for_forty_families_is_stopped_after_its_limit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    limit = settings.FAMILY_CODES_PER_CLIENT
    assert limit < 40
    for i in range(40):
        make_family(f"MASS-{i}", world.zar, size=1, phone=f"+99450200{i:04d}")
    client = Client()
    statuses = [
        ask_code(client, f"MASS-{i}", "203.0.113.7", django_capture_on_commit_callbacks)
        for i in range(40)
    ]
    assert [r.status_code for r in statuses] == [302] * limit + [429] * (40 - limit)
    assert "from your connection" in statuses[-1].content.decode()
    assert Message.objects.filter(template="one_time_code").count() == limit
    # Writing X-Forwarded-For does not make a new client: no proxy is trusted by default.
    spoofed = client.post(
        "/family/sign-in/",
        {"reg_number": "MASS-39"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert spoofed.status_code == 429
    # Another address is another client: the family next door still gets its code.
    other = ask_code(Client(), "MASS-39", "203.0.113.8", django_capture_on_commit_callbacks)
    assert other.status_code == 302
    assert Message.objects.filter(template="one_time_code").count() == limit + 1


def test_the_answers_for_an_existing_and_an_unknown_number_are_identical(
    family: Household, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    Household.objects.filter(reg_number="KLB-2").update(phone="")
    # The same limits hit an existing number and one that does not exist.
    for _ in range(settings.FAMILY_CODES_PER_NUMBER):
        ask_code(Client(), "KLB-3", "192.0.2.50", django_capture_on_commit_callbacks)
    cases = {
        "with a phone": FAMILY,
        "without a phone": "KLB-2",
        "out of codes": "KLB-3",
        "unknown": "NOPE-9",
    }
    asked, wrongs, locks = {}, {}, {}
    for n, (case, reg) in enumerate(cases.items()):
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/family/sign-in/", {"reg_number": reg}, REMOTE_ADDR=f"192.0.2.{n}", follow=True
            )
        asked[case] = (
            response.status_code,
            tuple(response.redirect_chain),
            same_page(response, reg),
        )
        answers = [
            enter(client, "0" * settings.FAMILY_CODE_DIGITS, f"192.0.2.{10 * n + k}")
            for k in range(settings.FAMILY_FAILS_PER_NUMBER + 1)
        ]
        wrongs[case] = (answers[0].status_code, same_page(answers[0], reg))
        locks[case] = (answers[-1].status_code, same_page(answers[-1], reg))
    # The family with a phone did get its code: the pages are alike, the outcomes are not.
    assert Message.objects.filter(household__reg_number=FAMILY).count() == 1
    assert not Message.objects.exclude(household__reg_number=FAMILY).exists()
    assert "If this registration number is ours" in asked["unknown"][2]
    assert len(set(asked.values())) == 1, asked.keys()
    assert len(set(wrongs.values())) == 1
    assert len(set(locks.values())) == 1 and locks["unknown"][0] == 429
    assert "Too many wrong codes were entered for this registration number" in locks["unknown"][1]


def test_the_right_code_after_the_lockout_is_refused_until_the_window_ends(
    family: Household,
    client: Client,
    sent: Any,
    clock: Callable[[datetime], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ask_code(client, FAMILY, HOME_ADDR, django_capture_on_commit_callbacks)
    attacker = Client()
    ask_code(attacker, FAMILY, "203.0.113.66", django_capture_on_commit_callbacks)
    code = last_code(sent)  # the attacker's request sent the family a newer code
    for i in range(settings.FAMILY_FAILS_PER_NUMBER):
        enter(attacker, wrong(code, i), f"10.8.0.{i}")
    response = enter(client, code, HOME_ADDR)
    assert response.status_code == 429
    page = response.content.decode()
    assert "for this registration number" in page and "Try again after" in page
    assert client.get("/family/")["Location"] == "/family/sign-in/"

    end = throttle.window_end(timezone.now())
    clock(end - timedelta(seconds=1))
    before = len(sent)
    ask_code(client, FAMILY, HOME_ADDR, django_capture_on_commit_callbacks)
    assert len(sent) == before  # a locked number gets no new code
    assert enter(client, code, HOME_ADDR).status_code == 429

    clock(end + timedelta(seconds=1))
    ask_code(client, FAMILY, HOME_ADDR, django_capture_on_commit_callbacks)
    response = enter(client, last_code(sent), HOME_ADDR)
    assert response["Location"] == "/family/"
    assert FAMILY in client.get("/family/").content.decode()


def test_a_legitimate_family_still_signs_in_after_a_typo(
    family: Household, client: Client, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = ask_code(client, FAMILY, HOME_ADDR, django_capture_on_commit_callbacks)
    assert response["Location"] == "/family/code/"
    code = last_code(sent)
    assert len(code) == settings.FAMILY_CODE_DIGITS >= 8
    assert "wrong or expired" in enter(client, wrong(code), HOME_ADDR).content.decode()
    assert enter(client, code, HOME_ADDR)["Location"] == "/family/"
    assert FAMILY in client.get("/family/").content.decode()
    # The good code gave its slots back: only the typo counts against the family.
    now = timezone.now()
    assert throttle.used("fail-number", throttle.number_key(FAMILY), now) == 1
    assert throttle.used("fail-client", HOME_ADDR, now) == 1


def test_the_counters_keep_no_registration_number_and_no_address(
    family: Household, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    ask_code(client, FAMILY, HOME_ADDR, django_capture_on_commit_callbacks)
    enter(client, "0" * settings.FAMILY_CODE_DIGITS, HOME_ADDR)
    rows = list(SignInAttempt.objects.values())
    assert {r["kind"] for r in rows} == {"code-client", "code-number", "fail-client", "fail-number"}
    stored = repr(rows).lower()
    assert FAMILY.lower() not in stored and HOME_ADDR not in stored
    assert all(r["created_at"] and r["updated_at"] for r in rows)


def test_the_client_is_the_address_our_own_proxy_saw(settings: Any) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    assert client_key(request) == "10.0.0.2"  # no proxy trusted: the header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_key(request) == "203.0.113.5"  # never the client-written 6.6.6.6
    v6 = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    settings.TRUSTED_PROXY_COUNT = 0
    # One subscriber's /64 is one client, however many addresses it walks through.
    assert client_key(v6) == "2001:db8:1:2::/64"


def expected_accounts_taken_per_year(addresses: int) -> float:
    """The figure docs/security.md promises, from the live settings.

    Fixed windows: a key gets at most its limit per window, and a year of 365.25 days meets at
    most ceil(year / window) + 1 windows. Each guess matches the live code with probability
    1 / code space, so the expected number of accounts taken is at most guesses / code space.
    """
    code_space: int = 10 ** int(settings.FAMILY_CODE_DIGITS)
    windows = math.ceil(365.25 * 24 * 60 / settings.FAMILY_SIGNIN_WINDOW_MINUTES) + 1
    guesses: int = addresses * int(settings.FAMILY_FAILS_PER_CLIENT) * windows
    return guesses / code_space


def test_a_hundred_addresses_take_fewer_than_one_account_in_a_hundred_years() -> None:
    figure = expected_accounts_taken_per_year(100)
    assert figure < 0.01, f"{figure:.4f} accounts a year: tighten the family sign-in settings"
    # And one family singled out: the limit per registration number bounds it on its own.
    windows = math.ceil(365.25 * 24 * 60 / settings.FAMILY_SIGNIN_WINDOW_MINUTES) + 1
    one_family = settings.FAMILY_FAILS_PER_NUMBER * windows / 10**settings.FAMILY_CODE_DIGITS
    assert one_family < 0.001
