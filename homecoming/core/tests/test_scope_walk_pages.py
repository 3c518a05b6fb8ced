"""The permission walk of the pages: every URL of the app × every persona × objects inside
and outside the persona's scope, for reads (GET) and for the forms they post.

URLs are discovered from the URL conf; each needs its line in PAGES (how to point it at a
district's objects, what its list shows, what its form posts), or
`test_every_page_is_walked` fails. For each persona and page, three cases:
- own: the URL and the form's pointers in the persona's district (Kalbajar for the
  national roles): the page answers, a list shows the own object, a post by a role that
  may write changes the data (the control), a post by another role is a 403 and changes
  nothing;
- pointer: the URL's object in the persona's district, the objects the form or the URL
  points at in the other one: refused (404, or the form's error) and nothing changes;
- foreign: everything in the other district: a district officer gets a 404 and changes
  nothing, and a list of theirs never shows the other district's object.
No answer is a server error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from homecoming.core.tests.walk import Actor, Tally, actors, fingerprint, rolled_back
from homecoming.registry.models import Household
from homecoming.reports.tests.helpers import sample_report, sample_reports
from homecoming.testing import DistrictScene, make_scene

D = DistrictScene
EVERYONE = frozenset({"ayten", "kamran", "leyla", "orkhan", "sabina"})
EDITORS = frozenset({"ayten", "kamran", "leyla"})
WRITERS = EDITORS | {"orkhan"}
ALLOCATORS = frozenset({"ayten", "orkhan"})
ADMINS = frozenset({"ayten"})

#: Not walked, and why.
SKIPPED = {
    "login": "no object, no scope: the sign-in page",
    "logout": "no object, no scope",
    "set_language": "Django's language switch: a cookie, no data",
    "favicon": "a redirect to the app's icon, no data (core/tests/test_error_pages.py)",
    "family:home": "the family self-service acts for one signed-in family, not a persona",
    "family:sign-in": "family self-service (tests in handover/tests/test_family.py)",
    "family:code": "family self-service",
    "family:sign-out": "family self-service",
    "family:answer": "family self-service: only the family's own offers (test_family.py)",
    "family:appeal": "family self-service",
    "readiness:evidence": "a file download, scoped like its item: readiness/tests/test_files.py",
    "readiness:hazard_certificate": "a file download, scoped like its area: "
    "readiness/tests/test_files.py",
    "registry:import_file": "a file download, scoped like its import: "
    "registry/tests/test_import_safety.py",
    "accounts:enrol": "the signed-in user's own second factor, no district data",
    "accounts:verify": "the signed-in user's own second factor, no district data",
    "accounts:backup-codes": "the signed-in user's own backup codes, no district data",
    "accounts:tokens": "a user's own API tokens (accounts/tests/test_signin.py)",
    "accounts:token-revoke": "own tokens only, administrators anyone's: test_officers_revoke_"
    "only_their_own_tokens_and_administrators_anyone_s",
}


@dataclass
class Page:
    #: URL kwargs and query for a target district and a district the URL points into.
    url: Callable[[D, D], tuple[dict[str, Any], str]] = lambda t, r: ({}, "")
    #: Text a list shows for the district's object.
    marker: Callable[[D], str] | None = None
    #: Form bodies posted to the page, pointing at objects of the second district.
    posts: list[Callable[[D, D], dict[str, Any]]] = field(default_factory=list)
    get: bool = True
    readers: frozenset[str] = EVERYONE
    writers: frozenset[str] = EDITORS
    #: The post succeeding changes the data (False: it may refuse for other reasons).
    control: bool = True
    national: bool = False
    #: What a refused post must leave as it was (default: every row of the app).
    watch: Callable[[], Any] = fingerprint


def obj(
    name: str, attr: str = "pk", key: str = "pk"
) -> Callable[[D, D], tuple[dict[str, Any], str]]:
    return lambda t, r: ({key: getattr(getattr(t, name), attr)}, "")


def households_csv(t: D, r: D) -> dict[str, Any]:
    text = (
        "reg_number,origin,shelter_kind,registered_on,group,destination\n"
        f"NEW-9,{t.settlement.code},dormitory,2020-01-01,{r.group.code},{r.settlement.code}\n"
    )
    return {"households_file": SimpleUploadedFile("new.csv", text.encode(), "text/csv")}


def hazard_file(t: D, r: D) -> dict[str, Any]:
    square = [[46.7, 39.0], [46.8, 39.0], [46.8, 39.1], [46.7, 39.0]]
    feature = {
        "type": "Feature",
        "properties": {"code": "NEW-H", "status": "confirmed"},
        "geometry": {"type": "Polygon", "coordinates": [square]},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    return {"district": r.district.pk, "file": SimpleUploadedFile("h.geojson", data)}


def edge_form(t: D, r: D) -> dict[str, Any]:
    return {
        "edge_id": "E-NEW",
        "from_node": t.node.node_id,
        "to_node": r.edge.to_node.node_id,
        "mode": "road",
        "length_km": 5,
        "speed_kmh": 50,
        "status": "open",
    }


PAGES: dict[str, Page] = {
    # The dashboard and its map: the own district's complexes only; a filter naming another
    # district is a 404 (dashboard/tests/test_programme.py).
    "dashboard": Page(marker=lambda d: d.complex.code),
    "dashboard-map-data": Page(marker=lambda d: d.complex.name),
    "job": Page(obj("job")),
    "households": Page(marker=lambda d: d.waiting.reg_number),
    "household": Page(obj("waiting", "reg_number", "reg_number")),
    "household-withdrawal": Page(
        obj("waiting", "reg_number", "reg_number"),
        get=False,
        posts=[lambda t, r: {"reason": "moved abroad"}],
    ),
    "household-reinstatement": Page(
        obj("waiting", "reg_number", "reg_number"),
        get=False,
        posts=[lambda t, r: {}],
        control=False,  # the scene's family waits: only a withdrawn one comes back
    ),
    "registry:household-erase": Page(
        obj("waiting", "reg_number", "reg_number"),
        readers=ADMINS,
        writers=ADMINS,
        posts=[lambda t, r: {"reason": "asked in writing", "reference": "REQ-1"}],
    ),
    "registry:person-erase": Page(
        lambda t, r: ({"pk": t.waiting.members.order_by("id").first().pk}, ""),  # type: ignore[union-attr]
        readers=ADMINS,
        writers=ADMINS,
        posts=[lambda t, r: {"reason": "asked in writing", "reference": "REQ-2"}],
    ),
    "audit": Page(readers=frozenset({"ayten", "sabina"})),
    "audit-export": Page(lambda t, r: ({"fmt": "csv"}, ""), readers=frozenset({"ayten", "sabina"})),
    "audit-reads": Page(readers=frozenset({"ayten", "sabina"})),
    "audit-reads-export": Page(
        lambda t, r: ({"fmt": "csv"}, ""), readers=frozenset({"ayten", "sabina"})
    ),
    "household-edit": Page(
        obj("waiting", "reg_number", "reg_number"),
        readers=EDITORS,
        posts=[
            lambda t, r: {
                "shelter_kind": "tent",
                "priority": 7,
                "destination": r.settlement.pk,
                "phone": "",
            }
        ],
    ),
    "registry:imports": Page(
        marker=lambda d: d.registry_import.original_name,
        posts=[households_csv],
        watch=lambda: list(Household.objects.values_list("reg_number", "group", "destination")),
    ),
    "registry:import": Page(obj("registry_import")),
    "registry:import_errors": Page(obj("registry_import")),
    "registry:xlsform": Page(),
    "registry:duplicates": Page(marker=lambda d: f"/registry/duplicates/{d.duplicate.pk}/"),
    "registry:duplicates_find": Page(get=False, posts=[lambda t, r: {}]),
    "registry:duplicate": Page(obj("duplicate")),
    "registry:duplicate_decide": Page(
        obj("duplicate"), get=False, posts=[lambda t, r: {"decision": "different", "note": "x"}]
    ),
    "housing": Page(marker=lambda d: d.complex.code),
    "complex": Page(obj("complex", "code", "code")),
    "allocation:runs": Page(marker=lambda d: d.run.name),
    "allocation:new": Page(
        readers=ALLOCATORS,
        writers=ALLOCATORS,
        posts=[
            lambda t, r: {
                "name": "New draw",
                "method": "lottery",
                "district": r.district.pk,
                "complexes": [r.complex.pk],
                "policy": "",
            }
        ],
    ),
    "allocation:run": Page(obj("run")),
    "allocation:plan": Page(writers=ALLOCATORS, posts=[lambda t, r: {}], control=False),
    "allocation:approve": Page(
        obj("run"),
        get=False,
        writers=ALLOCATORS,
        posts=[lambda t, r: {"confirm": "1"}],
        control=False,
    ),
    "allocation:file": Page(lambda t, r: ({"pk": t.run.pk, "name": "report.json"}, "")),
    "readiness:matrix": Page(marker=lambda d: d.complex.name),
    "readiness:item_new": Page(
        lambda t, r: ({}, f"?kind=electricity&settlement={r.settlement.pk}"),
        readers=EDITORS,
        posts=[lambda t, r: {"status": "done"}],
    ),
    "readiness:item": Page(obj("item"), posts=[lambda t, r: {"status": "in_progress"}]),
    "readiness:timeline": Page(),
    "readiness:map": Page(marker=lambda d: d.hazard.code, posts=[hazard_file]),
    # The map's layers (GeoJSON): the own district's places and hazard areas only.
    "readiness:map_data": Page(marker=lambda d: d.hazard.code),
    "readiness:hazard_status": Page(
        obj("hazard", "code", "code"),
        get=False,
        posts=[lambda t, r: {"status": "released", "released_on": "2030-01-01"}],
    ),
    "readiness:schools": Page(marker=lambda d: d.school.name),
    "readiness:stages": Page(marker=lambda d: d.complex.code),
    "readiness:changes": Page(),
    "handover:overview": Page(marker=lambda d: d.offer_a.household.reg_number),
    "handover:offer-new": Page(
        get=False,
        writers=WRITERS,
        posts=[lambda t, r: {"household": r.waiting.reg_number, "unit": r.free_unit.pk}],
    ),
    # Offers in bulk: the list shows the waiting family; the confirmation's pairs point a
    # family and a home each into the other district in turn.
    "handover:offer-pick": Page(
        marker=lambda d: d.waiting.reg_number,
        writers=WRITERS,
        posts=[
            lambda t, r: {"pair": f"{r.waiting.pk}:{t.free_unit.pk}", "confirm": "1"},
            lambda t, r: {"pair": f"{t.waiting.pk}:{r.free_unit.pk}", "confirm": "1"},
        ],
    ),
    "handover:expire": Page(get=False, writers=WRITERS, posts=[lambda t, r: {}], control=False),
    "handover:offer": Page(obj("offer_a")),
    "handover:offer-act": Page(
        lambda t, r: ({"pk": t.offer_a.pk, "what": "swap"}, ""),
        get=False,
        writers=WRITERS,
        posts=[lambda t, r: {"other": r.offer_b.pk}],
    ),
    "handover:swaps": Page(marker=lambda d: d.offer_b.household.reg_number),
    "handover:swap-consent": Page(
        lambda t, r: ({"pk": t.swap.pk, "side": "first"}, ""),
        get=False,
        writers=WRITERS,
        posts=[lambda t, r: {}],
    ),
    "handover:appeals": Page(marker=lambda d: d.appeal.text + "" and d.appeal.household.reg_number),
    "handover:appeal-decide": Page(
        obj("appeal"),
        get=False,
        writers=WRITERS,
        posts=[lambda t, r: {"status": "upheld", "decision": "Agreed"}],
    ),
    "handover:convoys": Page(
        marker=lambda d: d.convoy.name,
        writers=WRITERS,
        posts=[
            lambda t, r: {
                "c-district": r.district.pk,
                "c-name": "New convoy",
                "c-departs_on": "2030-07-01",
                "c-destination": r.complex.pk,
            },
            lambda t, r: {"p-district": r.district.pk, "p-name": "New point", "p-address": ""},
        ],
    ),
    "handover:convoy": Page(
        obj("convoy"),
        writers=WRITERS,
        posts=[
            lambda t, r: {"number": "9", "seats": 20, "pickup": r.pickup.pk},
            lambda t, r: {"bus": t.bus.pk, "household": r.allocated.reg_number},
            lambda t, r: {"bus": r.bus.pk, "household": t.allocated.reg_number},
        ],
    ),
    "handover:convoy-status": Page(
        obj("convoy"), get=False, writers=WRITERS, posts=[lambda t, r: {"action": "depart_convoy"}]
    ),
    # printable manifests and PDF receipts: roles that may export PDF documents
    "handover:manifest": Page(obj("bus"), readers=EDITORS),
    "handover:ceremonies": Page(
        marker=lambda d: f"/handover/ceremonies/{d.ceremony.pk}/",
        writers=WRITERS,
        posts=[
            lambda t, r: {
                "district": r.district.pk,
                "complex": r.complex.pk,
                "held_at": "2030-07-01T10:00",
                "place": "Hall",
            }
        ],
    ),
    "handover:ceremony": Page(
        obj("ceremony"),
        writers=WRITERS,
        posts=[lambda t, r: {"household": r.allocated.reg_number}],
    ),
    "handover:ceremony-status": Page(
        obj("ceremony"),
        get=False,
        writers=WRITERS,
        posts=[lambda t, r: {"action": "hold_ceremony"}],
    ),
    "handover:receipts": Page(obj("ceremony"), readers=EDITORS),
    "handover:receipt": Page(
        lambda t, r: ({"pk": t.ceremony.pk, "household": r.keys_waiting.household_id}, ""),
        readers=EDITORS,
    ),
    "handover:ceremony-act": Page(
        lambda t, r: ({"pk": t.ceremony.pk, "invitation": r.keys_waiting.pk, "what": "keys"}, ""),
        get=False,
        writers=WRITERS,
        posts=[lambda t, r: {"confirm": "1"}],
    ),
    "handover:occupancy": Page(marker=lambda d: d.occupancy.household.reg_number),
    "handover:move-out": Page(
        obj("occupancy"), get=False, writers=WRITERS, posts=[lambda t, r: {"reason": "left"}]
    ),
    "handover:outbox": Page(marker=lambda d: d.message.household.reg_number),
    "network:index": Page(),
    "network:edges": Page(marker=lambda d: d.edge.edge_id, national=True, writers=ADMINS),
    "network:edge_new": Page(readers=ADMINS, writers=ADMINS, posts=[edge_form]),
    "network:edge_edit": Page(
        obj("edge", "edge_id", "edge_id"),
        readers=ADMINS,
        writers=ADMINS,
        national=True,
        posts=[lambda t, r: {**edge_form(t, r), "edge_id": t.edge.edge_id}],
    ),
    "network:node_new": Page(
        readers=ADMINS,
        writers=ADMINS,
        posts=[
            lambda t, r: {
                "node_id": "N-NEW",
                "name": "New",
                "lat": 40,
                "lon": 46,
                "kind": "junction",
                "area": r.settlement.pk,
            }
        ],
    ),
    "network:node_edit": Page(
        obj("node", "node_id", "node_id"),
        readers=ADMINS,
        writers=ADMINS,
        national=True,
        posts=[
            lambda t, r: {
                "node_id": t.node.node_id,
                "name": "Renamed",
                "lat": 40,
                "lon": 46,
                "kind": "settlement",
                "area": r.settlement.pk,
            }
        ],
    ),
    "network:settlement": Page(obj("settlement", "code", "code")),
    # Roads and nodes are national; the route is asked for a settlement in scope.
    "network:map_data": Page(lambda t, r: ({}, f"?month=1&settlement={t.settlement.code}")),
    # Open data: the exports hold the own district's complexes only; the public statistics
    # are national aggregates, the same for everyone (signed in or not).
    "opendata:exports": Page(),
    "opendata:export": Page(
        lambda t, r: ({"level": "complex", "fmt": "csv"}, ""), marker=lambda d: d.complex.code
    ),
    "opendata:places": Page(marker=lambda d: d.complex.code),
    "opendata:statistics": Page(national=True),
    # Monthly reports: the list shows the own district's kept report (every district has
    # one; its PDF link only to roles that may export PDF); the form asks for a report of a
    # district in scope; the PDF is an export of PDF.
    "reports:reports": Page(
        lambda t, r: (sample_reports(), ({}, ""))[1],
        marker=lambda d: f'data-report="{sample_report(d.district).pk}"',
        posts=[lambda t, r: {"month": "2026-03", "language": "en", "district": r.district.pk}],
    ),
    "reports:download": Page(
        lambda t, r: ({"pk": sample_report(t.district).pk}, ""), readers=EDITORS
    ),
}


def _names(patterns: list[Any], namespace: str | None = None) -> set[str]:
    found: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern) in ("admin/", "api/"):
                continue  # Django's admin (staff only); the API has its own walk
            ns = p.namespace
            found |= _names(p.url_patterns, f"{namespace}:{ns}" if namespace and ns else ns)
        elif isinstance(p, URLPattern) and p.name:
            found.add(f"{namespace}:{p.name}" if namespace else p.name)
    return found


def test_every_page_is_walked() -> None:
    """A new page must be given its objects here (or a reason to skip it)."""
    found = _names(get_resolver().url_patterns) - {"api-token", "schema"}
    assert found == set(PAGES) | set(SKIPPED)


def _comparable(body: dict[str, Any]) -> dict[str, Any]:
    """A body with its uploads replaced by their content (a new file object each time)."""
    return {k: v.read() if hasattr(v, "read") else v for k, v in body.items()}


def _url(name: str, page: Page, target: D, ref: D) -> str:
    kwargs, query = page.url(target, ref)
    return reverse(name, kwargs=kwargs) + query


class PageWalk:
    def __init__(self, name: str, tally: Tally) -> None:
        self.name, self.page, self.tally = name, PAGES[name], tally
        self.before: Any = None

    def send(self, client: Client, method: str, url: str, data: Any = None) -> Any:
        response = client.get(url) if method == "get" else client.post(url, data or {})
        self.tally.check(response.status_code < 500, f"{method} {url}: {response.status_code}")
        return response

    def read(self, actor: Actor, client: Client, target: D, ref: D, hidden: bool) -> None:
        """GET the page; a list (one URL for every district) shows the own district's object
        and, to a district officer, never the other's."""
        page, url = self.page, _url(self.name, self.page, target, ref)
        response = self.send(client, "get", url)
        status = response.status_code
        allowed = actor.name in page.readers
        # A role refused the page may learn that much (403) before the object is looked up.
        expected = {403, 404} if hidden and not allowed else {404} if hidden else {200}
        if not hidden and not allowed:
            expected = {403}
        self.tally.check(status in expected, f"{actor.name} GET {url}: {status}, not {expected}")
        if page.marker and status == 200:
            text = response.content.decode()
            for district, secret in ((actor.own, False), (actor.foreign, self.limited(actor))):
                marker = page.marker(district)
                self.tally.check(
                    (marker in text) != secret,
                    f"{actor.name} GET {url}: {'shows' if secret else 'lacks'} {marker}",
                )

    def limited(self, actor: Actor) -> bool:
        return actor.limited and not self.page.national

    def post(self, actor: Actor, client: Client, target: D, ref: D, case: str) -> None:
        page = self.page
        url = _url(self.name, page, target, ref)
        for body in page.posts:
            with rolled_back():
                before = self.before
                # Jobs and messages start on commit: run them inside the rolled-back case.
                with TestCase.captureOnCommitCallbacks(execute=True):
                    response = self.send(client, "post", url, body(target, ref))
                changed = page.watch() != before
                what = f"{actor.name} POST {url} ({case}) {body(target, ref)}"
                if actor.name not in page.writers:
                    self.tally.check(response.status_code == 403, f"{what}: not 403")
                    self.tally.check(not changed, f"{what}: the data changed")
                elif case == "own":
                    if page.control:
                        self.tally.check(changed, f"control {what}: nothing changed")
                else:
                    self.tally.check(not changed, f"{what}: the data changed")

    def walk(self, actor: Actor, client: Client) -> None:
        page, own, foreign = self.page, actor.own, actor.foreign
        # Every case is rolled back: the data before each one is as it is now (after this
        # persona's login).
        self.before = page.watch()
        limited = self.limited(actor)
        seen: list[Any] = []
        for case, target, ref in (
            ("own", own, own),
            ("pointer", own, foreign),
            ("foreign", foreign, foreign),
        ):
            url = _url(self.name, page, target, ref)
            bodies = [_comparable(b(target, ref)) for b in page.posts]
            if case != "own" and not limited:
                # The other district is in a national role's scope: read it, refuse nothing.
                if case == "foreign" and page.get:
                    self.read(actor, client, target, ref, hidden=False)
                continue
            if page.get and url not in [u for u, _b in seen]:
                self.read(actor, client, target, ref, hidden=case != "own")
            if (url, bodies) in seen:
                continue  # the same request as a case already walked
            seen.append((url, bodies))
            self.post(actor, client, target, ref, case)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_persona_reads_or_writes_outside_its_scope_through_the_pages(
    name: str, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    scene = make_scene()
    tally = Tally(f"page:{name}")
    walk = PageWalk(name, tally)
    for actor in actors(scene):
        client = Client()
        client.force_login(actor.user)
        walk.walk(actor, client)
    tally.finish()
