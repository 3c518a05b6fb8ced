"""Every page on a phone: each persona opens every page of the app at 390 px in a real
browser, and the family its own pages. A page fails if it scrolls sideways, answers with an
error, shows one (a traceback, a script error, a refused resource), or has a form field
without a label.

The pages and their objects are the permission walk's (test_scope_walk_pages.PAGES), so a
new URL name is walked here as soon as it is given its objects there. One chromium, one
live server, one scene: the whole walk takes about a minute.

With HOMECOMING_SCREENSHOTS=docs/screenshots, the second test also writes screenshots of
the main pages, on the demo's data, at desktop and phone width (docs/screens.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from homecoming.allocation import services as allocation
from homecoming.core.tests.test_scope_walk_pages import PAGES, _url
from homecoming.core.tests.walk import actors
from homecoming.demo.management.commands.demo import do_reset_demo_accounts
from homecoming.demo.scenario import do_load_demo
from homecoming.geography.models import Area
from homecoming.handover.family import SESSION_KEY
from homecoming.handover.models import Offer
from homecoming.housing.models import ResidentialComplex
from homecoming.testing import World, make_scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

#: Pages that answer with a file, not a page: fetched, not opened in a tab.
FILES = {
    "audit-export",
    "audit-reads-export",
    "allocation:file",
    "handover:manifest",
    "handover:receipt",
    "handover:receipts",
    "registry:import_errors",
    "registry:xlsform",
    "opendata:export",
    "opendata:places",
    "reports:download",
}

#: Words of an error page or a traceback, which no page of the app shows its users.
ERROR_WORDS = ["Traceback (most recent call last)", "Server Error (500)", "Something went wrong"]

#: What is wrong with the page on screen, in one round trip: the elements wider than the
#: screen (outermost first) if it scrolls sideways; the form fields that no label names
#: (label[for], a wrapping label, aria-label or aria-labelledby); the error words it shows.
CHECK = """(errorWords) => {
  const root = document.documentElement, width = root.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  let sideways = null;
  if (root.scrollWidth > width) {
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const parent = el.parentElement;
      if (el.getBoundingClientRect().right > width + 1 && parent
          && parent.getBoundingClientRect().right <= width + 1) {
        wide.push(name(parent) + ' > ' + name(el) + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
      }
    }
    sideways = {scrollWidth: root.scrollWidth, clientWidth: width, wide: wide.slice(0, 5)};
  }
  const unlabelled = Array.from(document.querySelectorAll('input, select, textarea'))
    .filter((el) => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
      && !el.getAttribute('aria-labelledby'))
    .map((el) => el.tagName.toLowerCase() + '[name=' + (el.name || '?') + ']');
  const text = document.body.innerText;
  return {sideways, unlabelled, shown: errorWords.filter((w) => text.includes(w))};
}"""


@dataclass
class Walk:
    """A browser tab signed in as someone, and every problem its visits found."""

    base: str
    tab: Any
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    visits: int = 0

    def listen(self) -> None:
        self.tab.on("pageerror", lambda exc: self.errors.append(f"script error: {exc}"))
        self.tab.on(
            "console",
            lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
        )

    def visit(self, who: str, url: str) -> None:
        """Open `url`; record a status other than 200, an error shown, a page wider than
        the screen, a field without a label."""
        self.visits += 1
        self.errors.clear()
        response = self.tab.goto(self.base + url, wait_until="load")
        where = f"{who} {url}"
        status = response.status if response else 0
        if status != 200:
            self.problems.append(f"{where}: answered {status}")
        found = self.tab.evaluate(CHECK, ERROR_WORDS)
        if found["sideways"]:
            self.problems.append(f"{where}: scrolls sideways {found['sideways']}")
        if found["unlabelled"]:
            self.problems.append(f"{where}: fields without a label {found['unlabelled']}")
        self.problems.extend(f"{where}: shows {words!r}" for words in found["shown"])
        self.problems.extend(f"{where}: {e}" for e in self.errors)

    def fetch(self, who: str, url: str) -> None:
        """A file download: it answers (200), with no server error."""
        self.visits += 1
        status = self.tab.request.get(self.base + url).status
        if status != 200:
            self.problems.append(f"{who} {url}: answered {status}")


def signed_in(browser: Any, base: str, cookies: dict[str, str], size: dict[str, int]) -> Any:
    """A new tab carrying a session made by Django's test client (no login form to fill)."""
    context = browser.new_context(
        viewport=size, is_mobile=size is PHONE, has_touch=size is PHONE, base_url=base
    )
    context.add_cookies([{"name": k, "value": v, "url": base} for k, v in cookies.items()])
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    return tab


def staff_cookies(user: Any) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {
        django_settings.SESSION_COOKIE_NAME: client.cookies[
            django_settings.SESSION_COOKIE_NAME
        ].value
    }


def family_cookies(household: Any) -> dict[str, str]:
    """A family's signed-in session, as its one-time code would have left it."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = household.pk
    session.save()
    return {django_settings.SESSION_COOKIE_NAME: session.session_key or ""}


@pytest.fixture
def tabs(browser: Any, live_server: Any) -> Iterator[list[Any]]:
    """Tabs to close when the test ends."""
    opened: list[Any] = []
    yield opened
    for tab in opened:
        tab.context.close()


def test_every_page_fits_a_phone_for_every_role_and_for_the_family(
    browser: Any, live_server: Any, tabs: list[Any], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    scene = make_scene()
    problems: list[str] = []
    visits = 0
    # One persona per role (the second district officer would see the same pages).
    for actor in [a for a in actors(scene) if a.name != "leyla"]:
        tab = signed_in(browser, live_server.url, staff_cookies(actor.user), PHONE)
        tabs.append(tab)
        walk = Walk(live_server.url, tab)
        walk.listen()
        for name, page in sorted(PAGES.items()):
            if not page.get or actor.name not in page.readers:
                continue
            url = _url(name, page, actor.own, actor.own)
            (walk.fetch if name in FILES else walk.visit)(actor.name, url)
        problems += walk.problems
        visits += walk.visits
    own = scene.kalbajar
    # The family's pages: signed out, with an offer to answer, and once it has moved in.
    for who, cookies, urls in (
        (
            "anonymous",
            {},
            [reverse("family:sign-in"), reverse("login"), reverse("opendata:statistics")],
        ),
        ("family with an offer", family_cookies(own.offer_a.household), [reverse("family:home")]),
        ("family at home", family_cookies(own.occupancy.household), [reverse("family:home")]),
    ):
        tab = signed_in(browser, live_server.url, cookies, PHONE)
        tabs.append(tab)
        walk = Walk(live_server.url, tab)
        walk.listen()
        for url in urls:
            walk.visit(who, url)
        problems += walk.problems
        visits += walk.visits
    assert visits > 150
    assert not problems, f"{len(problems)} problems in {visits} visits:\n" + "\n".join(problems)


def test_the_menu_folds_behind_a_button_on_a_phone_and_stands_open_on_a_desktop(
    world: World, browser: Any, live_server: Any, tabs: list[Any]
) -> None:
    cookies = staff_cookies(world.kamran)
    phone = signed_in(browser, live_server.url, cookies, PHONE)
    desktop = signed_in(browser, live_server.url, cookies, DESKTOP)
    tabs += [phone, desktop]
    for tab in (phone, desktop):
        tab.goto(live_server.url + reverse("dashboard"))
    families = "header nav >> text=Families"
    expect(desktop.locator("details.menu > summary")).to_be_hidden()
    expect(desktop.locator(families)).to_be_visible()
    expect(phone.locator(families)).to_be_hidden()
    phone.click("details.menu > summary")
    phone.click(families)
    phone.wait_for_url("**/households/")
    expect(phone.locator("h1")).to_have_text("Displaced families")


@dataclass
class Demo:
    """The demo's main pages (by the name of their screenshot), who reads them."""

    pages: dict[str, str]
    admin: Any
    family: Any


def demo_with_a_run() -> Demo:
    """The demo, with an approved optimal run over its smallest Kalbajar complex, whose
    families now hold offers."""
    do_load_demo()
    do_reset_demo_accounts("demo-password")
    admin = get_user_model().objects.get(username="admin")
    kalbajar = Area.objects.get(code="AZ1101")
    complexes = ResidentialComplex.objects.filter(settlement__parent=kalbajar).annotate(
        homes=Count("buildings__units")
    )
    smallest = complexes.filter(homes__gt=0).order_by("homes").first()
    largest = complexes.order_by("-homes").first()
    assert smallest is not None and largest is not None
    run = allocation.do_create_run(
        user=admin,
        name="Stage 1",
        method="optimal",
        district=kalbajar,
        complexes=[smallest],
        seed=2026,
    )
    run.refresh_from_db()
    allocation.do_approve_run(run, admin)
    offer = Offer.objects.filter(run=run).select_related("household").first()
    assert offer is not None
    pages = {
        "dashboard": reverse("dashboard"),
        "families": reverse("households"),
        "family": reverse("household", kwargs={"reg_number": offer.household.reg_number}),
        "housing": reverse("housing"),
        "complex": reverse("complex", kwargs={"code": largest.code}),
        "allocation-run": reverse("allocation:run", kwargs={"pk": run.pk}),
        "readiness": reverse("readiness:matrix"),
        "hazard-map": reverse("readiness:map"),
        "handover": reverse("handover:overview"),
        "travel": reverse("network:index"),
        "travel-settlement": reverse(
            "network:settlement", kwargs={"code": largest.settlement.code}
        ),
    }
    return Demo(pages, admin, offer.household)


def test_the_main_pages_on_the_demo_fit_a_phone_and_a_desktop(
    browser: Any, live_server: Any, tabs: list[Any]
) -> None:
    """The demo's pages, full of data, at 390 and 1366 px; with HOMECOMING_SCREENSHOTS set,
    a screenshot of each (the top of the page, as a reader first sees it)."""
    demo = demo_with_a_run()
    folder = os.environ.get("HOMECOMING_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for width, size in (("phone", PHONE), ("desktop", DESKTOP)):
        for who, cookies, pages in (
            ("admin", staff_cookies(demo.admin), demo.pages),
            ("family", family_cookies(demo.family), {"family-own-page": reverse("family:home")}),
        ):
            walk = Walk(live_server.url, signed_in(browser, live_server.url, cookies, size))
            tabs.append(walk.tab)
            walk.listen()
            for name, url in pages.items():
                walk.visit(f"{who} at {width}", url)
                if folder:
                    walk.tab.screenshot(path=str(Path(folder) / f"{name}-{width}.png"))
            problems += walk.problems
    assert not problems, "\n".join(problems)
