"""The permission walk of the API: every endpoint of the router × every persona × an object
inside and outside the persona's scope, for reads and writes.

Endpoints, their actions and the relations each write reads are discovered (the router in
config/urls.py, each viewset's `input_serializers` and serializer fields); the walk only
needs, per endpoint, which object of a district it is about and a valid body. A new
endpoint without its line in SPECS fails `test_every_api_endpoint_is_walked`.

For each persona, on each endpoint:
- reads: the list holds the persona's own object and, for a district officer, never the
  other district's; a detail of the other district's object is a 404;
- writes by a role that may not write are 403 and change nothing;
- writes by a district officer that point at another district's object (each relation of
  the body, in turn) are answered exactly like a pointer to an object that does not exist,
  and change nothing; a write on the other district's object is a 404 and changes nothing;
- the same write pointing at the persona's own objects succeeds (the control that shows a
  refusal above is the scope's doing, not a bad body);
- no answer is a server error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.test import APIClient

from config.urls import router
from homecoming.accounts.permissions import EDITORS
from homecoming.core.api import ScopedViewSet
from homecoming.core.scoping import scoped
from homecoming.core.tests.walk import Actor, Tally, actors, fingerprint, rolled_back
from homecoming.testing import DistrictScene, make_scene

Body = Callable[[DistrictScene], dict[str, Any]]


@dataclass
class Spec:
    target: Callable[[DistrictScene], Any]
    create: Body | None = None
    patch: Body | None = None
    #: A whole replacement of the district's object (default: the create body).
    put: Body | None = None
    actions: dict[str, Body] = field(default_factory=dict)
    #: How a list names its rows, when not by the lookup field (GeoJSON features by code).
    listed_as: tuple[str, Callable[[Any], str]] | None = None
    #: National data (the road network): every role reads every row.
    national: bool = False
    #: Actions the lifecycle refuses from the scene object's state (e.g. arriving before
    #: departing): on its own object a writer gets this code instead of a success.
    refused_from_state: dict[str, int] = field(default_factory=dict)
    #: GET actions that are exports, and the personas whose role may take that format
    #: (accounts.privacy.ROLE_FORMATS); the others get 403 on their own object.
    exporters: dict[str, frozenset[str]] = field(default_factory=dict)


def _members(d: DistrictScene) -> Any:
    return d.waiting.members.order_by("id").first()


SPECS: dict[str, Spec] = {
    "area": Spec(
        lambda d: d.settlement,
        lambda d: {
            "code": "AZ999901",
            "level": "settlement",
            "parent": d.district.code,
            "name_az": "Yeni",
            "name_en": "New",
        },
    ),
    "settlement": Spec(
        lambda d: d.settlement,
        lambda d: {
            "code": "AZ999902",
            "level": "settlement",
            "parent": d.district.code,
            "name_az": "Yeni",
            "name_en": "New",
        },
    ),
    "household": Spec(
        lambda d: d.waiting,
        lambda d: {
            "reg_number": "NEW-1",
            "origin": d.settlement.code,
            "destination": d.settlement.code,
            "group": d.group.code,
            "shelter_kind": "dormitory",
            "registered_on": "2020-01-01",
        },
        actions={
            "withdraw": lambda d: {"reason": "moved abroad"},
            "reinstate": lambda d: {},
            "erase": lambda d: {"reason": "asked in writing", "reference": "REQ-1"},
        },
        # The scene's waiting family is not withdrawn: reinstating it is a wrong step.
        refused_from_state={"reinstate": 409},
    ),
    "person": Spec(
        _members,
        lambda d: {
            "household": d.waiting.reg_number,
            "surname": "Yeni",
            "given_name": "Ad",
            "sex": "F",
            "relationship": "child",
        },
        actions={"erase": lambda d: {"reason": "asked in writing", "reference": "REQ-2"}},
    ),
    "group": Spec(lambda d: d.group, lambda d: {"code": "G-NEW", "kind": "relatives"}),
    "complex": Spec(
        lambda d: d.complex,
        lambda d: {"code": "RC-NEW", "name": "New complex", "settlement": d.settlement.code},
    ),
    "building": Spec(
        lambda d: d.building,
        lambda d: {"complex": d.complex.code, "code": "B9", "kind": "block", "floors": 3},
    ),
    "unit": Spec(
        lambda d: d.free_unit,
        lambda d: {"building": d.building.pk, "number": "N-1", "rooms": 2, "floor": 1},
    ),
    "allocation-run": Spec(lambda d: d.run),
    "readiness-item": Spec(
        lambda d: d.item,
        lambda d: {"kind": "electricity", "settlement": d.settlement.code, "status": "done"},
        put=lambda d: {"kind": d.item.kind.code, "complex": d.complex.code, "status": "done"},
    ),
    "hazard-area": Spec(
        lambda d: d.hazard,
        patch=lambda d: {"status": "confirmed"},
        listed_as=("code", lambda h: h.code),
    ),
    "school": Spec(
        lambda d: d.school,
        lambda d: {"name": "School 2", "kind": "school", "settlement": d.settlement.code},
    ),
    "stage": Spec(
        lambda d: d.stage,
        lambda d: {
            "settlement": d.settlement.code,
            "number": 2,
            "starts_on": "2031-01-01",
            "ends_on": "2031-12-31",
            "complexes": [d.complex.code],
        },
    ),
    "offer": Spec(
        lambda d: d.offer_a,
        lambda d: {"unit": d.free_unit.pk, "household": d.waiting.reg_number},
        actions={
            "accept": lambda d: {},
            "decline": lambda d: {"reason": "too far"},
            "withdraw": lambda d: {"reason": "error"},
        },
    ),
    "swap": Spec(
        lambda d: d.swap,
        lambda d: {"first": d.offer_a.pk, "second": d.offer_b.pk},
        actions={"consent": lambda d: {"household": d.offer_a.household.reg_number}},
    ),
    "appeal": Spec(
        lambda d: d.appeal,
        lambda d: {
            "household": d.offer_a.household.reg_number,
            "offer": d.offer_a.pk,
            "kind": "appeal",
            "text": "Too small",
        },
        actions={"decide": lambda d: {"status": "upheld", "decision": "Agreed"}},
    ),
    "pickup-point": Spec(
        lambda d: d.pickup, lambda d: {"district": d.district.pk, "name": "Second point"}
    ),
    "convoy": Spec(
        lambda d: d.convoy,
        lambda d: {
            "district": d.district.pk,
            "name": "Second convoy",
            "departs_on": "2030-06-01",
            "destination": d.complex.pk,
        },
        actions={
            "depart": lambda d: {},
            "arrive": lambda d: {},
            "cancel": lambda d: {"reason": "the pass is closed"},
        },
        refused_from_state={"arrive": 409},  # a planned convoy departs before it arrives
    ),
    "bus": Spec(
        lambda d: d.bus,
        lambda d: {"convoy": d.convoy.pk, "number": "2", "seats": 30, "pickup": d.pickup.pk},
        actions={"assign": lambda d: {"household": d.allocated.reg_number}},
    ),
    "ceremony": Spec(
        lambda d: d.ceremony,
        lambda d: {
            "district": d.district.pk,
            "complex": d.complex.pk,
            "held_at": "2030-06-01T10:00:00Z",
            "place": "Hall",
        },
        actions={
            "invite": lambda d: {"household": d.allocated.reg_number},
            "hand-keys": lambda d: {"household": d.keys_waiting.household.reg_number},
            "receipts": lambda d: {},
            "hold": lambda d: {},
            "cancel": lambda d: {"reason": "rain"},
        },
        exporters={"receipts": frozenset({"ayten", "kamran", "leyla"})},  # PDF
    ),
    "occupancy": Spec(
        lambda d: d.occupancy,
        lambda d: {"household": d.handed.reg_number},
        actions={"move-out": lambda d: {"reason": "moved abroad"}},
    ),
    "message": Spec(lambda d: d.message),
    "transition": Spec(lambda d: d.transition),
    "network-node": Spec(
        lambda d: d.node,
        lambda d: {
            "node_id": "N-NEW",
            "name": "New",
            "lat": 40,
            "lon": 46,
            "area": d.settlement.code,
        },
        national=True,
    ),
    "network-edge": Spec(
        lambda d: d.edge,
        lambda d: {
            "edge_id": "E-NEW",
            "from_node": d.node.node_id,
            "to_node": d.edge.to_node.node_id,
            "length_km": 3,
            "speed_kmh": 50,
        },
        national=True,
    ),
    "accessibility": Spec(lambda d: d.settlement),
    "aggregate": Spec(lambda d: d.complex, listed_as=("complex_code", lambda c: c.code)),
    "place": Spec(lambda d: d.complex, listed_as=("code", lambda c: c.code)),
    # The public statistics: national tables, the same for every reader.
    "public-statistic": Spec(
        lambda d: SimpleNamespace(figure="families_by_status"),
        listed_as=("figure", lambda t: t.figure),
        national=True,
    ),
}

MISSING_SLUG = "NO-SUCH-0"
MISSING_PK = 987654321


def test_every_api_endpoint_is_walked() -> None:
    """A new endpoint must be given its objects here, or the walk would skip it; and every
    path of the published schema must be one of the router's (walked) endpoints."""
    assert {basename for _p, _v, basename in router.registry} == set(SPECS)
    schema = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    prefixes = {prefix for prefix, _v, _b in router.registry} | {"token", "schema"}
    outside = {p for p in schema["paths"] if p.split("/")[2] not in prefixes}
    assert not outside, f"API paths the walk does not know: {outside}"


# ------------------------------------------------------------------------- introspection


def _relations(serializer_class: Any) -> dict[str, Any]:
    """Writable relations of an input serializer: name -> the relation field."""
    found = {}
    for name, f in serializer_class().fields.items():
        if f.read_only:
            continue
        if isinstance(f, serializers.ManyRelatedField | serializers.RelatedField):
            found[name] = f
    return found


def _relation_of(f: Any) -> Any:
    return f.child_relation if isinstance(f, serializers.ManyRelatedField) else f


def _value(f: Any, obj: Any) -> Any:
    rel = _relation_of(f)
    one = getattr(obj, rel.slug_field) if isinstance(rel, serializers.SlugRelatedField) else obj.pk
    return [one] if isinstance(f, serializers.ManyRelatedField) else one


def _missing(f: Any) -> Any:
    rel = _relation_of(f)
    one = MISSING_SLUG if isinstance(rel, serializers.SlugRelatedField) else MISSING_PK
    return [one] if isinstance(f, serializers.ManyRelatedField) else one


def _foreign_object(f: Any, own_value: Any, actor: Actor) -> Any:
    """The other district's counterpart of what the body names (the same role in the
    scene), or else any object of the field's model the other district's officer sees and
    the actor does not."""
    rel = _relation_of(f)
    queryset = rel.queryset.all()
    if own_value is not None:
        one = own_value[0] if isinstance(own_value, list) else own_value
        lookup = rel.slug_field if isinstance(rel, serializers.SlugRelatedField) else "pk"
        own_obj = queryset.filter(**{lookup: one}).first()
        for name in actor.own.__dataclass_fields__:
            if getattr(actor.own, name) == own_obj and own_obj is not None:
                counterpart = getattr(actor.foreign, name)
                if queryset.filter(pk=counterpart.pk).exists():
                    return counterpart
    officer: Any = actor.foreign.officer
    theirs = scoped(queryset, officer.profile)
    mine = scoped(queryset, actor.profile)
    return theirs.exclude(pk__in=mine.values("pk")).order_by("pk").first()


def _lookup(viewset: Any, obj: Any) -> str:
    return str(getattr(obj, getattr(viewset, "lookup_field", "pk") or "pk"))


def _keys(payload: Any, key: str) -> set[str]:
    rows = payload.get("results", payload.get("features")) if isinstance(payload, dict) else payload
    found = set()
    for row in rows or []:
        value = row.get(key, row.get("properties", {}).get(key) if "properties" in row else None)
        if value is None and key == "pk":
            value = row.get("id")
        found.add(str(value))
    return found


def _listed(client: APIClient, url: str, key: str) -> set[str]:
    found: set[str] = set()
    for _page in range(10):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found |= _keys(response.json(), key)
        following = response.json().get("next") if isinstance(response.json(), dict) else None
        if not following:
            break
        url = following
    return found


def _errors_without(data: Any, f: str, value: Any) -> str:
    text = json.dumps(data.get(f) if isinstance(data, dict) else data, sort_keys=True)
    for one in value if isinstance(value, list) else [value]:
        text = text.replace(str(one), "<value>")
    return text


# ------------------------------------------------------------------------------- the walk


class Walk:
    def __init__(self, basename: str, viewset: Any, tally: Tally) -> None:
        self.basename = basename
        self.viewset = viewset
        self.spec = SPECS[basename]
        self.tally = tally
        self.allowed = set(getattr(viewset, "http_method_names", []))
        self.prefix = next(p for p, _v, b in router.registry if b == basename)
        # Every case is rolled back, so the data before each one is the scene as built.
        self.before = fingerprint()

    def url(self, obj: Any = None, action: str = "") -> str:
        path = f"/api/{self.prefix}/"
        if obj is not None:
            path += f"{obj}/" if isinstance(obj, str) else f"{_lookup(self.viewset, obj)}/"
        return path + (f"{action}/" if action else "")

    def may_write(self, actor: Actor, action: dict[str, Any] | None = None) -> bool:
        """Whether the role may write here (an action may narrow `write_roles`)."""
        roles = (action or {}).get("write_roles", getattr(self.viewset, "write_roles", EDITORS))
        return actor.profile.role in roles

    def send(self, client: APIClient, method: str, url: str, body: Any = None) -> Any:
        response = getattr(client, method)(url, body, format="json")
        self.tally.check(
            response.status_code < 500, f"{method.upper()} {url} {body}: {response.status_code}"
        )
        return response

    def refused(
        self, actor: Actor, client: APIClient, method: str, url: str, body: Any, codes: set[int]
    ) -> Any:
        with rolled_back():
            before = self.before
            response = self.send(client, method, url, body)
            what = f"{actor.name} {method.upper()} {url} {body}"
            self.tally.check(
                response.status_code in codes, f"{what}: {response.status_code}, not {codes}"
            )
            self.tally.check(fingerprint() == before, f"{what}: the data changed")
        return response

    def control(self, actor: Actor, client: APIClient, method: str, url: str, body: Any) -> None:
        with rolled_back():
            response = self.send(client, method, url, body)
            self.tally.check(
                200 <= response.status_code < 300,
                f"control {actor.name} {method.upper()} {url} {body}: "
                f"{response.status_code} {getattr(response, 'data', '')}",
            )

    def pointers(
        self, actor: Actor, client: APIClient, method: str, url: str, body: dict[str, Any], cls: Any
    ) -> None:
        """Each relation of the body pointed, in turn, at the other district's object."""
        for name, f in _relations(cls).items():
            foreign = _foreign_object(f, body.get(name), actor)
            if foreign is None:
                continue  # the model has no row the actor cannot see
            value = _value(f, foreign)
            missing = self.send(client, method, url, {**body, name: _missing(f)})
            response = self.refused(actor, client, method, url, {**body, name: value}, {400, 404})
            what = f"{actor.name} {method.upper()} {url} {name}={value}"
            self.tally.check(
                response.status_code == missing.status_code
                and _errors_without(response.data, name, value)
                == _errors_without(missing.data, name, _missing(f)),
                f"{what}: answered {response.data} where a missing one gets {missing.data}",
            )

    def write(
        self,
        actor: Actor,
        client: APIClient,
        method: str,
        url: str,
        body: dict[str, Any],
        cls: Any,
        action: dict[str, Any] | None = None,
    ) -> None:
        if not self.may_write(actor, action):
            self.refused(actor, client, method, url, body, {403})
            return
        if actor.limited:
            self.pointers(actor, client, method, url, body, cls)
        self.control(actor, client, method, url, body)

    def reads(self, actor: Actor, client: APIClient) -> None:
        own, foreign = self.spec.target(actor.own), self.spec.target(actor.foreign)
        hidden = actor.limited and not self.spec.national
        if hasattr(self.viewset, "list"):
            key = getattr(self.viewset, "lookup_field", None) or "pk"
            name: Callable[[Any], str] = lambda o: _lookup(self.viewset, o)  # noqa: E731
            if self.spec.listed_as:
                key, name = self.spec.listed_as
            listed = _listed(client, self.url(), key)
            self.tally.check(name(own) in listed, f"{actor.name} list lacks its own {own}")
            self.tally.check(
                (name(foreign) in listed) != hidden,
                f"{actor.name} list {'shows' if hidden else 'lacks'} {foreign}",
            )
        self.tally.check(
            self.send(client, "get", self.url(own)).status_code == 200,
            f"{actor.name} cannot read its own {own}",
        )
        status = self.send(client, "get", self.url(foreign)).status_code
        self.tally.check(
            status == (404 if hidden else 200), f"{actor.name} GET {foreign}: {status}"
        )
        self.tally.check(
            self.send(client, "get", self.url(str(MISSING_PK))).status_code == 404,
            f"{actor.name} GET a missing {self.basename}",
        )

    def writes(self, actor: Actor, client: APIClient) -> None:
        viewset, spec = self.viewset, self.spec
        own, foreign = spec.target(actor.own), spec.target(actor.foreign)
        inputs = getattr(viewset, "input_serializers", {})
        serializer_class = getattr(viewset, "serializer_class", None)
        if "post" in self.allowed and hasattr(viewset, "create"):
            assert spec.create is not None, f"{self.basename}: give a body to create"
            cls = inputs.get("create", serializer_class)
            self.write(actor, client, "post", self.url(), spec.create(actor.own), cls)
        if "patch" in self.allowed and hasattr(viewset, "partial_update"):
            cls = inputs.get("partial_update", serializer_class)
            body = spec.patch(actor.own) if spec.patch else {}
            if not spec.patch:
                for name, f in _relations(cls).items():
                    current = getattr(own, name)
                    if hasattr(current, "all"):
                        body[name] = [_value(f.child_relation, o) for o in current.all()]
                    elif current is not None:
                        body[name] = _value(f, current)
            self.write(actor, client, "patch", self.url(own), body, cls)
            if actor.limited:
                self.refused(actor, client, "patch", self.url(foreign), body, {403, 404})
        if "put" in self.allowed and hasattr(viewset, "update") and spec.create:
            # A whole replacement: the create body, on the own object.
            cls = inputs.get("update", serializer_class)
            replace = spec.put or spec.create
            self.write(actor, client, "put", self.url(own), replace(actor.own), cls)
            if actor.limited:
                body = replace(actor.own)
                self.refused(actor, client, "put", self.url(foreign), body, {403, 404})
        if "delete" in self.allowed and hasattr(viewset, "destroy"):
            # DELETE answering 405 everywhere is another part; here: never across districts.
            if actor.limited:
                self.refused(actor, client, "delete", self.url(foreign), None, {403, 404, 405})
            if not self.may_write(actor):
                self.refused(actor, client, "delete", self.url(own), None, {403, 405})

    def actions(self, actor: Actor, client: APIClient) -> None:
        own, foreign = self.spec.target(actor.own), self.spec.target(actor.foreign)
        inputs = getattr(self.viewset, "input_serializers", {})
        for extra in self.viewset.get_extra_actions():
            assert extra.url_path in self.spec.actions, f"{self.basename}: map {extra.url_path}"
            body = self.spec.actions[extra.url_path](actor.own)
            for method, name in extra.mapping.items():
                if method == "get":
                    exporters = self.spec.exporters.get(extra.url_path)
                    ok = 200 if exporters is None or actor.name in exporters else 403
                    status = self.send(client, "get", self.url(own, extra.url_path)).status_code
                    self.tally.check(
                        status == ok, f"{actor.name} GET its own {extra.url_path}: {status}"
                    )
                    status = self.send(client, "get", self.url(foreign, extra.url_path)).status_code
                    self.tally.check(
                        status == (404 if actor.limited else ok),
                        f"{actor.name} GET {foreign} {extra.url_path}: {status}",
                    )
                    continue
                cls = inputs.get(name, serializers.Serializer)
                code = self.spec.refused_from_state.get(extra.url_path)
                if code is not None and self.may_write(actor, extra.kwargs):
                    with rolled_back():
                        got = self.send(client, method, self.url(own, extra.url_path), body)
                    self.tally.check(
                        got.status_code == code,
                        f"{actor.name} {extra.url_path} on its own {own}: {got.status_code}",
                    )
                else:
                    self.write(
                        actor,
                        client,
                        method,
                        self.url(own, extra.url_path),
                        body,
                        cls,
                        extra.kwargs,
                    )
                if actor.limited:
                    self.refused(
                        actor,
                        client,
                        method,
                        self.url(foreign, extra.url_path),
                        self.spec.actions[extra.url_path](actor.foreign),
                        {403, 404},
                    )


@pytest.mark.django_db
@pytest.mark.parametrize("basename", sorted(SPECS))
def test_no_persona_reads_or_writes_outside_its_scope_through_the_api(
    basename: str, api: Any
) -> None:
    scene = make_scene()
    viewset = next(v for _p, v, b in router.registry if b == basename)
    tally = Tally(f"api:{basename}")
    walk = Walk(basename, viewset, tally)
    for actor in actors(scene):
        client = api(actor.user)
        walk.reads(actor, client)
        walk.writes(actor, client)
        walk.actions(actor, client)
    if issubclass(viewset, ScopedViewSet):
        unknown = (
            set(viewset.input_serializers)
            - {"create", "partial_update", "update"}
            - {a.__name__ for a in viewset.get_extra_actions()}
        )
        tally.check(not unknown, f"{basename}: input_serializers for no action: {unknown}")
    tally.finish()
