"""Staff sign-in, attacked as issue 11 did: guessing passwords, skipping the second factor,
guessing codes, reusing old tokens and sessions, flooding the API."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from homecoming.accounts.middleware import SEEN_AT, SIGNED_IN_AT
from homecoming.accounts.models import ApiToken
from homecoming.accounts.services import do_issue_token
from homecoming.core.testing import PASSWORD, World, give_second_factor, totp_code, verified_client

pytestmark = pytest.mark.django_db

LIMIT = 10  # SIGNIN_FAILURE_LIMIT's default


@pytest.fixture(autouse=True)
def production_sign_in(settings: Any) -> None:
    """The production rules (conftest relaxes them for the other tests)."""
    settings.OTP_REQUIRED_ROLES = ["administrator"]
    settings.SIGNIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = LIMIT


def log_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/login/", {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return client.get("/households/").status_code == 200


def token_request(username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return APIClient().post(
        "/api/token/", {"username": username, "password": password, **extra}, format="json"
    )


# ------------------------------------------------------------------------------ lockout


def test_100_wrong_passwords_on_the_token_endpoint_lock_out_even_the_right_one(
    world: World,
) -> None:
    answers = [token_request("kamran", f"guess-{i}").status_code for i in range(100)]
    assert answers[: LIMIT - 1] == [400] * (LIMIT - 1)
    assert set(answers[LIMIT:]) == {429}
    right = token_request("kamran")
    assert right.status_code == 429
    assert (
        "token" not in right.json() and "Too many failed sign-in attempts" in right.json()["detail"]
    )
    assert right["Retry-After"] == str(15 * 60)
    assert not ApiToken.objects.exists()


def test_50_wrong_passwords_on_the_login_page_lock_out_even_the_right_one(world: World) -> None:
    client = Client()
    for i in range(50):
        assert log_in(client, "kamran", f"guess-{i}").status_code in {200, 429}
    answer = log_in(client, "kamran")
    assert answer.status_code == 429
    assert "Too many failed sign-in attempts" in answer.content.decode()
    assert not signed_in(client)


def test_the_admin_login_is_locked_out_too(world: World) -> None:
    world.ayten.is_staff = True
    world.ayten.save()
    client = Client()
    for i in range(LIMIT):
        client.post("/admin/login/", {"username": "ayten", "password": f"guess-{i}"})
    answer = client.post("/admin/login/?next=/admin/", {"username": "ayten", "password": PASSWORD})
    assert answer.status_code == 429
    assert client.get("/admin/").status_code == 302  # still sent to log in


def test_one_client_guessing_across_many_usernames_is_locked_out(world: World) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for name in ["leyla", "orkhan", "sabina", "nobody-1", "nobody-2"] * 2:
        log_in(attacker, name, "guess")
    # No account had more than two failures, but the address is locked out for all of them.
    assert log_in(attacker, "kamran").status_code == 429
    assert not signed_in(attacker)
    colleague = Client(REMOTE_ADDR="198.51.100.20")
    assert log_in(colleague, "kamran").status_code == 302
    assert signed_in(colleague)


def test_an_oversized_username_is_a_clear_error_not_a_crash(world: World) -> None:
    answer = token_request("k" * 300)
    assert answer.status_code == 400 and "username" in answer.json()
    assert not AccessAttempt.objects.exists()


def test_the_lockout_answer_does_not_tell_whether_the_account_exists(world: World) -> None:
    answers = []
    for username, address in [("kamran", "203.0.113.1"), ("no-such-user", "203.0.113.2")]:
        client = Client(REMOTE_ADDR=address)
        for _ in range(LIMIT):
            answer = log_in(client, username, "guess")
        page = re.sub(r'(X-CSRFToken": "|value=")[^"]*', "", answer.content.decode())
        answers.append((answer.status_code, page.replace(username, "")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 429


def test_the_right_password_works_again_after_the_cool_off(world: World) -> None:
    client = Client()
    for _ in range(LIMIT):
        log_in(client, "kamran", "guess")
    assert log_in(client, "kamran").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, "kamran").status_code == 302


def test_an_administrator_sees_and_lifts_a_lockout(world: World) -> None:
    client = Client()
    for _ in range(LIMIT):
        log_in(client, "kamran", "guess")
    world.ayten.is_staff = world.ayten.is_superuser = True
    world.ayten.save()
    root = verified_client(world.ayten, REMOTE_ADDR="198.51.100.1")
    listing = root.get("/admin/axes/accessattempt/").content.decode()
    assert "kamran" in listing
    call_command("axes_reset_username", "kamran", verbosity=0)
    call_command("axes_reset_ip", "127.0.0.1", verbosity=0)
    assert log_in(client, "kamran").status_code == 302


# ------------------------------------------------------------------------ second factor


def test_an_administrator_without_a_second_factor_reaches_only_the_enrolment(world: World) -> None:
    client = Client()
    assert log_in(client, "ayten").status_code == 302
    for url in ["/", "/households/", "/admin/", "/account/tokens/", "/allocation/"]:
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert answer["Location"].startswith("/account/second-factor/"), url
    assert client.get("/api/households/").status_code == 403
    assert client.get("/account/second-factor/").status_code == 200


def test_an_administrator_enrols_an_authenticator_and_gets_backup_codes(world: World) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    log_in(client, "ayten")
    page = client.get("/account/second-factor/").content.decode()
    assert "<svg" in page and "otpauth://totp/" in page
    device = TOTPDevice.objects.get(user=world.ayten)
    assert not device.confirmed
    answer = client.post("/account/second-factor/", {"code": "000000"})
    assert "That code is wrong" in answer.content.decode()
    device.throttle_reset()  # the wrong code made the next try wait a second
    answer = client.post("/account/second-factor/", {"code": totp_code(device)})
    assert answer.status_code == 200
    assert len(answer.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert signed_in(client)


def test_a_wrong_code_is_refused_and_the_right_one_accepted(world: World) -> None:
    device = give_second_factor(world.ayten)
    client = Client()
    log_in(client, "ayten")
    assert client.get("/households/")["Location"].startswith("/account/verify/")
    answer = client.post("/account/verify/?next=/households/", {"code": "123456"})
    assert answer.status_code == 200 and "That code is wrong" in answer.content.decode()
    assert not signed_in(client)
    device.throttle_reset()  # the wrong code made the next try wait a second
    answer = client.post("/account/verify/", {"code": totp_code(device), "next": "/households/"})
    assert answer.status_code == 302 and answer["Location"] == "/households/"
    assert signed_in(client)


def test_guessing_codes_is_throttled_by_the_device(world: World) -> None:
    device = give_second_factor(world.ayten)
    client = Client()
    log_in(client, "ayten")
    for _ in range(5):
        client.post("/account/verify/", {"code": "123456"})
    # After 5 failures the device refuses every code for 16 s, even the right one.
    client.post("/account/verify/", {"code": totp_code(device)})
    assert not signed_in(client)


def test_a_backup_code_signs_in_once(world: World) -> None:
    from homecoming.accounts.services import do_new_backup_codes

    give_second_factor(world.ayten)
    code = do_new_backup_codes(world.ayten)[0]
    first = Client()
    log_in(first, "ayten")
    first.post("/account/verify/", {"code": code})
    assert signed_in(first)
    second = Client()
    log_in(second, "ayten")
    second.post("/account/verify/", {"code": code})
    assert not signed_in(second)


def test_an_administrator_resets_a_lost_second_factor_and_the_user_enrols_again(
    world: World,
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    lost = give_second_factor(world.kamran)
    before = Client()
    log_in(before, "kamran")
    assert before.get("/households/")["Location"].startswith("/account/verify/")
    world.ayten.is_staff = world.ayten.is_superuser = True
    world.ayten.save()
    root = verified_client(world.ayten)
    answer = root.post(f"/admin/otp_totp/totpdevice/{lost.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    client = Client()
    log_in(client, "kamran")
    # No device left: kamran's role does not require one, so he is in; an administrator would
    # be sent to the enrolment page (see above).
    assert signed_in(client)


def test_other_roles_need_a_second_factor_when_configured(world: World, settings: Any) -> None:
    client = Client()
    log_in(client, "kamran")
    assert signed_in(client)  # district officers are not in OTP_REQUIRED_ROLES by default
    settings.OTP_REQUIRED_ROLES = ["administrator", "district_officer"]
    assert client.get("/households/")["Location"].startswith("/account/second-factor/")


def test_the_token_endpoint_asks_an_administrator_for_the_second_factor(world: World) -> None:
    assert token_request("ayten").status_code == 403  # no authenticator enrolled yet
    device = give_second_factor(world.ayten)
    missing = token_request("ayten")
    assert missing.status_code == 400 and "otp" in missing.json()
    assert token_request("ayten", otp="000000").status_code == 400
    device.throttle_reset()
    issued = token_request("ayten", otp=totp_code(device))
    assert issued.status_code == 200, issued.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    assert client.get("/api/households/").status_code == 200


def test_wrong_codes_on_the_token_endpoint_count_towards_the_lockout(world: World) -> None:
    device = give_second_factor(world.ayten)
    for _ in range(LIMIT):
        token_request("ayten", otp="000000")
    device.throttle_reset()
    assert token_request("ayten", otp=totp_code(device)).status_code == 429


# ------------------------------------------------------------------------------- tokens


def test_the_token_endpoint_answers_as_before_for_a_district_officer(world: World) -> None:
    answer = token_request("kamran")
    assert answer.status_code == 200
    raw = answer.json()["token"]
    token = ApiToken.objects.get(user=world.kamran)
    assert raw not in {token.digest, token.prefix} and token.prefix == raw[:8]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/households/").json()["count"] == 3
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_expired_token_is_refused(world: World) -> None:
    token, raw = do_issue_token(world.kamran)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/households/").status_code == 401


def test_a_revoked_token_is_refused(world: World) -> None:
    token, raw = do_issue_token(world.kamran)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/households/").status_code == 200
    page = Client()
    page.force_login(world.kamran)
    listing = page.get("/account/tokens/").content.decode()
    assert token.prefix in listing
    assert page.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/households/").status_code == 401


def test_officers_revoke_only_their_own_tokens_and_administrators_anyone_s(world: World) -> None:
    leylas, _raw = do_issue_token(world.leyla)
    kamran = Client()
    kamran.force_login(world.kamran)
    assert leylas.prefix not in kamran.get("/account/tokens/").content.decode()
    assert kamran.post(f"/account/tokens/{leylas.pk}/revoke/").status_code == 404
    ayten = verified_client(world.ayten)
    assert leylas.prefix in ayten.get("/account/tokens/").content.decode()
    ayten.post(f"/account/tokens/{leylas.pk}/revoke/")
    leylas.refresh_from_db()
    assert leylas.revoked_at is not None


def test_a_new_token_from_the_page_is_shown_once(world: World) -> None:
    client = Client()
    client.force_login(world.kamran)
    raw = client.post("/account/tokens/", {"name": "laptop"}).context["new_token"]
    assert ApiToken.objects.get(user=world.kamran, name="laptop").prefix == raw[:8]
    assert raw not in client.get("/account/tokens/").content.decode()


# ----------------------------------------------------------------------------- sessions


def age_session(client: Client, **seconds_ago: float) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_an_idle_session_is_logged_out(world: World) -> None:
    client = Client()
    log_in(client, "kamran")
    assert signed_in(client)
    age_session(client, **{SEEN_AT: 29 * 60})
    assert signed_in(client)
    age_session(client, **{SEEN_AT: 31 * 60})
    assert not signed_in(client)


def test_a_session_ends_after_twelve_hours_even_when_busy(world: World) -> None:
    client = Client()
    log_in(client, "kamran")
    age_session(client, **{SIGNED_IN_AT: 12 * 3600 + 60, SEEN_AT: 10})
    assert not signed_in(client)


def test_a_new_password_ends_other_sessions_and_revokes_tokens(world: World) -> None:
    client = Client()
    log_in(client, "kamran")
    _token, raw = do_issue_token(world.kamran)
    world.kamran.set_password("another-long-passphrase")
    world.kamran.save()
    assert not signed_in(client)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get("/api/households/").status_code == 401


# ---------------------------------------------------------------------------- throttles


def test_the_api_throttles_each_user(world: World, settings: Any) -> None:
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "user": "5/minute"}
    _token, raw = do_issue_token(world.kamran)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    answers = [client.get("/api/households/").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_the_token_endpoint_throttles_each_client(world: World, settings: Any) -> None:
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "token": "3/minute"}
    answers = [token_request("kamran").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_every_api_endpoint_is_throttled() -> None:
    from config.urls import router
    from homecoming.accounts.tokens import AnonThrottle, TokenThrottle, UserThrottle
    from homecoming.accounts.views import ObtainToken

    for prefix, viewset, _basename in router.registry:
        classes = {type(throttle) for throttle in viewset().get_throttles()}  # type: ignore[attr-defined]
        assert {AnonThrottle, UserThrottle} <= classes, prefix
    assert {type(t) for t in ObtainToken().get_throttles()} == {TokenThrottle}


# --------------------------------------------------------------------------------- demo


def test_the_demo_administrator_signs_in_with_the_printed_second_factor(world: World) -> None:
    from base64 import b32decode
    from io import StringIO

    from django_otp.oath import totp

    from homecoming.core.management.commands.demo import Command, do_reset_demo_accounts

    do_reset_demo_accounts(PASSWORD)
    out = StringIO()
    Command(stdout=out).print_demo_second_factor()
    printed = out.getvalue()
    assert "DEMO ONLY" in printed
    key = printed.split("authenticator key:")[1].splitlines()[0].replace(" ", "")
    backup = printed.split("backup code:")[1].split()[0]
    with_app = Client()
    log_in(with_app, "admin")
    assert not signed_in(with_app)
    with_app.post("/account/verify/", {"code": f"{totp(b32decode(key)):06d}"})
    assert signed_in(with_app)
    with_code = Client()
    log_in(with_code, "admin")
    with_code.post("/account/verify/", {"code": backup})
    assert signed_in(with_code)
