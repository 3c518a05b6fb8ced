"""The dashboard in a real browser, as every role: the figures of their scope, the charts,
the map's places drawn by Leaflet, the filters, in az/en/ru, on a phone without sideways
scrolling and without a console error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homecoming.core.tests.test_phone_walk_browser import signed_in, staff_cookies
from homecoming.dashboard.history import take_snapshots
from homecoming.registry.models import Household
from homecoming.testing import BrowserWatch, World, make_scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
PERSONAS = ("ayten", "kamran", "leyla", "orkhan", "sabina")


def test_every_role_opens_the_dashboard_with_its_figures_charts_and_map(
    world: World, browser: Any, live_server: Any
) -> None:
    make_scene(world)
    today = timezone.localdate()
    for days in (20, 10):
        take_snapshots(day=today - timedelta(days=days))
    base = live_server.url
    for who in PERSONAS:
        user = getattr(world, who)
        tab = signed_in(browser, base, staff_cookies(user), PHONE)
        watch = BrowserWatch(base).attach(tab)
        tab.goto(f"{base}/")
        district = user.profile.district
        families = Household.objects.all()
        if district is not None:
            families = families.filter(district=district)
        registered = tab.locator('[data-kpi="registered"]').inner_text()
        assert registered.replace(",", "").strip() == str(families.count()), who
        assert tab.locator("#places tbody tr").count() > 0
        # Leaflet draws the places the map endpoint answered (one path per point).
        tab.locator(".hc-map path.leaflet-interactive").first.wait_for()
        assert not tab.evaluate(SIDEWAYS), who
        if district is None:
            tab.select_option("select[name=district]", world.lachin.code)
            tab.locator("form.filters button").click()
            tab.wait_for_url("**district=*")
            lachin = families.filter(district=world.lachin).count()
            assert tab.locator('[data-kpi="registered"]').inner_text().strip() == str(lachin)
        for language in ("az", "ru"):
            tab.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            tab.goto(f"{base}/")
            assert tab.locator("html").get_attribute("lang") == language
            assert tab.locator("svg[role=img]").count() >= 1
        tab.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        assert not watch.problems, watch.problems
        tab.context.close()
