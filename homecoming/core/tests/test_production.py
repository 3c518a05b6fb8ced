"""Production settings refuse to start unsafe; `check --deploy` is clean; pages obey the CSP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from homecoming.testing import World, log_in

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "k3y-" + "x9Qz" * 12 + "-random-enough"


def run_django(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "PRODUCTION"}}
    base.pop("ALLOWED_HOSTS", None)
    base.pop("SITE_URL", None)
    base.pop("CACHE_URL", None)
    base.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in tests only
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "HOMECOMING_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"ALLOWED_HOSTS": "homecoming.example.org"}, "SECRET_KEY"),
        (
            {"SECRET_KEY": "dev-only-insecure-key-change-me" * 2, "ALLOWED_HOSTS": "a.org"},
            "SECRET_KEY",
        ),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.org", "DEBUG": "true"}, "DEBUG"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.org"}, "SITE_URL"),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.org", "SITE_URL": "http://a.org"},
            "SITE_URL",
        ),
    ],
)
def test_production_refuses_to_start_unsafe(
    tmp_path: Path, env: dict[str, str], complaint: str
) -> None:
    result = run_django(tmp_path, "check", PRODUCTION="true", **env)
    assert result.returncode != 0
    assert "Unsafe production settings" in result.stderr and complaint in result.stderr


def test_a_base_map_tile_url_opens_the_image_policy_to_its_origin_only(tmp_path: Path) -> None:
    script = "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    result = run_django(
        tmp_path,
        "shell",
        "-c",
        script,
        MAP_TILE_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png",
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip().splitlines()[-1]
        == "[\"'self'\", 'data:', 'https://*.tiles.example.org']"
    )
    refused = run_django(tmp_path, "check", MAP_TILE_URL="javascript:alert(1)//")
    assert refused.returncode != 0 and "MAP_TILE_URL" in refused.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = run_django(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="true",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="homecoming.example.org",
        SITE_URL="https://homecoming.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_outside_production_the_key_is_random_and_kept_not_public(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_django(tmp_path, "shell", "-c", code)
    again = run_django(tmp_path, "shell", "-c", code)
    other = run_django(tmp_path / "elsewhere", "shell", "-c", code)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50 and key == again.stdout.strip() != other.stdout.strip()
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


@pytest.mark.django_db
def test_every_page_carries_the_content_security_policy(world: World, client: Any) -> None:
    client.force_login(world.ayten)
    for url in ("/", "/households/", "/handover/", "/admin/"):
        header = client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self'" in header and "unsafe-inline" not in header.split("style-src")[0]
        assert "frame-ancestors 'none'" in header


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_work_under_the_policy_without_violations(
    world: World, live_server: Any, page: Any
) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, live_server.url, "ayten")
    for path in ("/households/", "/housing/", "/readiness/", "/handover/", "/network/", "/admin/"):
        page.goto(f"{live_server.url}{path}")
    # The language switch runs from app.js, not an inline handler.
    page.goto(f"{live_server.url}/households/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "az")
    assert page.locator("html").get_attribute("lang") == "az"
    assert violations == []
