"""Personas and a small world for tests.

Two districts (Kalbajar and Lachin), a complex in each, a few families, and one user per
role: Ayten the administrator, Kamran the Kalbajar district officer, Leyla the Lachin
district officer, Orkhan the allocation officer and Sabina the auditor.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib.auth.models import User

from homecoming.accounts.models import Profile, Role
from homecoming.geography.models import Area, Level
from homecoming.housing.models import (
    Building,
    BuildingKind,
    Construction,
    ResidentialComplex,
    Unit,
)
from homecoming.registry.models import Group, GroupKind, Household, Person, Relationship

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    kalbajar: Area
    lachin: Area
    kalbajar_city: Area
    zar: Area
    lachin_city: Area
    kalbajar_complex: ResidentialComplex
    lachin_complex: ResidentialComplex
    ayten: User
    kamran: User
    leyla: User
    orkhan: User
    sabina: User
    kalbajar_family: Household
    lachin_family: Household


def make_user(username: str, role: str, district: Area | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    Profile.objects.create(user=user, role=role, district=district)
    return user


def make_family(
    reg: str,
    origin: Area,
    size: int = 4,
    *,
    priority: int = 0,
    group: Group | None = None,
    step_free: bool = False,
    surname: str = "Məmmədov",
    **extra: Any,
) -> Household:
    assert origin.parent is not None, "a settlement hangs under its district"
    h = Household.objects.create(
        reg_number=reg,
        origin=origin,
        district=origin.parent,
        shelter_kind="dormitory",
        priority=priority,
        registered_on=date(2000, 1, 1),
        status="eligible",
        consent=True,
        consent_on=date(2024, 1, 1),
        group=group,
        **extra,
    )
    for i in range(size):
        Person.objects.create(
            household=h,
            surname=surname,
            given_name=f"Member{i}",
            sex="M" if i % 2 else "F",
            birth_date=date(1970 + i * 5, 1, 1),
            relationship=Relationship.HEAD if i == 0 else Relationship.CHILD,
            needs_step_free=step_free and i == 0,
        )
    return h


def make_complex(settlement: Area, code: str, rooms: list[int]) -> ResidentialComplex:
    c = ResidentialComplex.objects.create(settlement=settlement, code=code, name=f"Complex {code}")
    b = Building.objects.create(complex=c, code="B1", kind=BuildingKind.APARTMENT_BLOCK, floors=4)
    for i, r in enumerate(rooms, start=1):
        Unit.objects.create(
            building=b,
            number=str(i),
            rooms=r,
            floor=1 + (i - 1) // 3,
            step_free=i <= 3,
            construction=Construction.BUILT,
        )
    return c


def make_world() -> World:
    az = Area.objects.create(
        code="AZ", level=Level.COUNTRY, name_az="Azərbaycan", name_en="Azerbaijan"
    )
    kalbajar = Area.objects.create(
        code="AZ1101",
        level=Level.DISTRICT,
        parent=az,
        name_az="Kəlbəcər rayonu",
        name_en="Kalbajar district",
        name_ru="Кельбаджарский район",
    )
    lachin = Area.objects.create(
        code="AZ1102",
        level=Level.DISTRICT,
        parent=az,
        name_az="Laçın rayonu",
        name_en="Lachin district",
    )
    kalbajar_city = Area.objects.create(
        code="AZ110101",
        level=Level.SETTLEMENT,
        parent=kalbajar,
        name_az="Kəlbəcər",
        name_en="Kalbajar",
        name_ru="Кельбаджар",
        kind="city",
        lat=40.107,
        lon=46.038,
    )
    zar = Area.objects.create(
        code="AZ110104",
        level=Level.SETTLEMENT,
        parent=kalbajar,
        name_az="Zar",
        name_en="Zar",
        kind="village",
    )
    lachin_city = Area.objects.create(
        code="AZ110201",
        level=Level.SETTLEMENT,
        parent=lachin,
        name_az="Laçın",
        name_en="Lachin",
        kind="city",
    )
    kin = Group.objects.create(code="G1", kind=GroupKind.RELATIVES, name="Zar relatives")
    kalbajar_family = make_family("KLB-1", zar, 4, priority=2, group=kin)
    make_family("KLB-2", zar, 3, group=kin, surname="Əliyev")
    make_family("KLB-3", kalbajar_city, 5, step_free=True, surname="Hüseynov")
    lachin_family = make_family("LAC-1", lachin_city, 4, surname="Quliyev")
    return World(
        kalbajar=kalbajar,
        lachin=lachin,
        kalbajar_city=kalbajar_city,
        zar=zar,
        lachin_city=lachin_city,
        kalbajar_complex=make_complex(kalbajar_city, "KLB-RC1", [2, 3, 3, 4, 3, 2]),
        lachin_complex=make_complex(lachin_city, "LAC-RC1", [3, 4]),
        ayten=make_user("ayten", Role.ADMINISTRATOR),
        kamran=make_user("kamran", Role.DISTRICT_OFFICER, kalbajar),
        leyla=make_user("leyla", Role.DISTRICT_OFFICER, lachin),
        orkhan=make_user("orkhan", Role.ALLOCATION_OFFICER),
        sabina=make_user("sabina", Role.AUDITOR),
        kalbajar_family=kalbajar_family,
        lachin_family=lachin_family,
    )


def log_in(page: Any, base: str, username: str, device: Any = None) -> None:
    """Log a persona in through the login page of a live server; with `device`, also through
    the second-factor step, entering the code the authenticator would show."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    if device is not None:
        page.wait_for_url(f"{base}/account/verify/**")
        verify_second_factor(page, device)
    page.wait_for_url(f"{base}/")


class BrowserWatch:
    """What a browser page did wrong: a request to another host than the live server
    (refused before it leaves), a console error, a page error or a CSP violation.

    >>> BrowserWatch("http://localhost:8000").problems
    []
    """

    def __init__(self, base: str) -> None:
        self.origin = base.rstrip("/")
        self.problems: list[str] = []

    def attach(self, page: Any) -> BrowserWatch:
        page.route("**/*", self._route)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        # Chromium also reports a violation as a console error; the event names the directive.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', (e) => "
            "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )
        return self

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url == self.origin or url.startswith(self.origin + "/") or url.startswith("data:"):
            route.continue_()
        else:
            self.problems.append(f"request to another host: {url}")
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")


@contextmanager
def database_for_subprocess(folder: Path) -> Iterator[str]:
    """A DATABASE_URL another process can open, holding this test's committed data.

    For tests that run the real command in a process of its own (to kill it, say); use
    with ``django_db(transaction=True)`` so that the data is committed. PostgreSQL: the
    test database itself. SQLite's test database lives in this process's memory: it is
    copied to a file for the other process, and the file is copied back on leaving, so
    that the test reads what the other process left.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        s = connection.settings_dict
        login = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
        yield f"postgres://{login}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
        return
    path = folder / "shared.sqlite3"
    connection.ensure_connection()
    memory = connection.connection
    with closing(sqlite3.connect(path)) as file:
        memory.backup(file)
    yield f"sqlite:///{path}"
    with closing(sqlite3.connect(path)) as file:
        file.backup(memory)


def migrate_to(targets: list[tuple[str, str]]) -> Any:
    """Move the test database to `targets` (migration tests) and return the apps of that state.

    The database guards and audit triggers name columns of the latest schema, so they are
    dropped first and installed again at the latest state, as `homecoming migrate` does.
    """
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from homecoming.core import audit
    from homecoming.core.lifecycle import drop_guards, install_guards

    drop_guards(connection)
    audit.on_pre_migrate(None)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    if set(targets) == set(executor.loader.graph.leaf_nodes()):
        install_guards(connection)
        audit.on_post_migrate(None)
    return executor.loader.project_state(targets).apps


#: The allocation states of a home in the order the lifecycle table walks them.
HOME_PATH = ("offered", "allocated", "keys_handed", "occupied")


def give_home(unit: Any, household: Any, status: str) -> None:
    """Put `household` in `unit` at allocation `status`, one allowed step at a time (the
    database refuses jumps), without the services' checks: a test's shortcut to a state."""
    from homecoming.housing.models import Unit

    for step in HOME_PATH[: HOME_PATH.index(status) + 1]:
        Unit.objects.filter(pk=unit.pk).update(household=household, status=step)


def acting_as(user: User, channel: str = "ui") -> Any:
    """Writes in the block are recorded as `user`'s, as a request would (the audit trail)."""
    from homecoming.core.audit import audit_context

    return audit_context(channel, actor=user)


def audited_changes(obj: Any) -> list[tuple[str, Any, Any, str]]:
    """(field, before, after, who) of every change the audit trail holds for one row."""
    from homecoming.core.models import AuditEvent

    events = AuditEvent.objects.filter(table=obj._meta.db_table, object_pk=str(obj.pk))
    return [
        (name, before, after, event.actor)
        for event in events.order_by("id")
        for name, before, after in event.diff()
    ]


@dataclass
class DistrictScene:
    """One district's objects of every kind a user can read or point at."""

    district: Area
    settlement: Area
    complex: ResidentialComplex
    building: Building
    officer: User
    group: Group
    waiting: Household  # eligible, a free home of its size left
    free_unit: Unit
    offer_a: Any  # pending offers of two families, with a swap proposed between them
    offer_b: Any
    swap: Any
    appeal: Any
    allocated: Household  # accepted its home; not invited, not on a bus yet
    keys_waiting: Any  # an invitation (accepted home, keys not handed yet)
    handed: Household  # keys handed, not moved in yet
    occupancy: Any  # a family living in its home
    run: Any
    pickup: Any
    convoy: Any
    bus: Any
    ceremony: Any
    message: Any
    transition: Any
    item: Any
    hazard: Any
    school: Any
    stage: Any
    registry_import: Any
    duplicate: Any
    job: Any
    node: Any
    edge: Any


@dataclass
class Scene:
    world: World
    kalbajar: DistrictScene
    lachin: DistrictScene

    def of(self, name: str) -> DistrictScene:
        return {"kalbajar": self.kalbajar, "lachin": self.lachin}[name]


@dataclass
class _Place:
    """Who and where one district's scene is built: its settlement, complex and staff."""

    district: Area
    settlement: Area
    complex: ResidentialComplex
    officer: Any
    allocator: Any
    prefix: str
    lat: float

    @classmethod
    def of(cls, world: World, name: str) -> _Place:
        kalbajar = name == "kalbajar"
        return cls(
            district=getattr(world, name),
            settlement=world.kalbajar_city if kalbajar else world.lachin_city,
            complex=world.kalbajar_complex if kalbajar else world.lachin_complex,
            officer=world.kamran if kalbajar else world.leyla,
            allocator=world.orkhan,
            prefix="KLB" if kalbajar else "LAC",
            lat=40.1 if kalbajar else 39.6,
        )


def _place_and_make_ready(place: _Place) -> tuple[Building, list[Any]]:
    """Placed, with every kind of readiness item done: the gate lets families in."""
    from homecoming.readiness.kinds import ensure_default_kinds
    from homecoming.readiness.models import ItemKind, ItemStatus, ReadinessItem

    complex_ = place.complex
    complex_.lat, complex_.lon = place.lat, 46.0
    complex_.save()
    building = complex_.buildings.get()
    building.lat, building.lon = place.lat, 46.0
    building.save()
    ensure_default_kinds(ItemKind)
    items = []
    for kind in ItemKind.objects.filter(active=True):
        where = (
            {"settlement": place.settlement}
            if kind.scope == "settlement"
            else {"complex": complex_}
        )
        items.append(ReadinessItem.objects.create(kind=kind, status=ItemStatus.DONE, **where))
    return building, items


def _built_units(building: Building, prefix: str) -> list[Unit]:
    """Seven built two-room homes: one stays free, the others go to the families."""
    return [
        Unit.objects.create(
            building=building, number=f"{prefix}-{i}", rooms=2, floor=1, construction="built"
        )
        for i in range(1, 8)
    ]


def _families(place: _Place) -> tuple[Group, list[Household]]:
    """The district's kin group and seven families, one for each step of the handover."""
    group = Group.objects.filter(
        households__district=place.district
    ).first() or Group.objects.create(
        code=f"G-{place.prefix}", kind=GroupKind.RELATIVES, name=f"{place.prefix} relatives"
    )
    families = [
        make_family(f"{place.prefix}-{n}", place.settlement, 3, group=group if n == "OFA" else None)
        for n in ("WAIT", "OFA", "OFB", "ALLOC", "KEYS", "HANDED", "HOME")
    ]
    for f in families:
        f.phone = "+994501234567"
        f.save(update_fields=["phone"])
    return group, families


@dataclass
class _Offers:
    offer_a: Any
    offer_b: Any
    swap: Any
    appeal: Any


def _offers(units: list[Unit], families: list[Household], user: User) -> _Offers:
    """Two pending offers with a swap and an appeal; four families accept their homes."""
    from homecoming.handover import services as handover

    _waiting, fam_a, fam_b, allocated, keys, handed, home = families
    offer_a = handover.do_make_offer(units[1], fam_a, user=user)
    offer_b = handover.do_make_offer(units[2], fam_b, user=user)
    swap = handover.do_propose_swap(offer_a, offer_b, user=user)
    appeal = handover.do_file_appeal(
        fam_a, "appeal", "Too far from school", offer=offer_a, user=user
    )
    for family, unit in (
        (allocated, units[3]),
        (keys, units[4]),
        (handed, units[5]),
        (home, units[6]),
    ):
        handover.do_accept_offer(handover.do_make_offer(unit, family, user=user), user=user)
    return _Offers(offer_a, offer_b, swap, appeal)


@dataclass
class _Handover:
    ceremony: Any
    keys_waiting: Any
    occupancy: Any
    pickup: Any
    convoy: Any
    bus: Any


def _ceremony_and_convoy(place: _Place, families: list[Household], user: User) -> _Handover:
    """A key ceremony (one family invited, two handed keys, one moved in) and a convoy."""
    from homecoming.handover import services as handover
    from homecoming.handover.models import Bus, Ceremony, Convoy, PickupPoint

    keys, handed, home = families[4:7]
    # Held already: keys are handed on the ceremony's day or later, never before it.
    ceremony = Ceremony.objects.create(
        district=place.district,
        complex=place.complex,
        held_at=datetime(2025, 5, 1, 10, tzinfo=UTC),
        place="Square",
    )
    keys_waiting = handover.do_invite(ceremony, keys, user=user)
    for family in (handed, home):
        handover.do_hand_keys(handover.do_invite(ceremony, family, user=user), user=user)
    occupancy = handover.do_move_in(home, date(2025, 5, 2), user=user)
    pickup = PickupPoint.objects.create(district=place.district, name=f"{place.prefix} dormitory")
    convoy = Convoy.objects.create(
        district=place.district,
        name=f"{place.prefix} convoy",
        departs_on=date(2030, 5, 1),
        destination=place.complex,
    )
    bus = Bus.objects.create(convoy=convoy, number="1", seats=40, pickup=pickup)
    for f in families:
        f.refresh_from_db()
    handover.do_assign_to_bus(bus, keys, user=user)
    return _Handover(ceremony, keys_waiting, occupancy, pickup, convoy, bus)


def _allocation_run(place: _Place) -> Any:
    """A finished lottery over the district's complex."""
    from homecoming.allocation.models import AllocationRun, RunStatus, seed_commitment

    run = AllocationRun.objects.create(
        name=f"{place.prefix} draw",
        method="lottery",
        district=place.district,
        seed=1,
        seed_commitment=seed_commitment(1),
        seed_revealed=True,
        status=RunStatus.DONE,
        created_by=place.allocator,
    )
    run.complexes.set([place.complex])
    return run


def _message(household: Household) -> Any:
    """An SMS telling the family of its offer."""
    from homecoming.handover.models import Message

    return Message.objects.create(
        household=household,
        channel="sms",
        to="+994501234567",
        language="az",
        template="offer_made",
        body=".",
    )


def _readiness_records(place: _Place) -> tuple[Any, Any, Any]:
    """A confirmed hazard area away from the complex, a school and a return stage."""
    from homecoming.readiness.models import HazardArea, School, Stage

    lat = place.lat
    square = [[46.5, lat - 0.5], [46.6, lat - 0.5], [46.6, lat - 0.4], [46.5, lat - 0.5]]
    hazard = HazardArea.objects.create(
        code=f"{place.prefix}-H1",
        district=place.district,
        status="confirmed",
        geometry={"type": "Polygon", "coordinates": [square]},
        min_lon=46.5,
        min_lat=lat - 0.5,
        max_lon=46.6,
        max_lat=lat - 0.4,
    )
    school = School.objects.create(
        name=f"{place.prefix} school 1", kind="school", settlement=place.settlement
    )
    stage = Stage.objects.create(
        settlement=place.settlement,
        number=1,
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 12, 31),
    )
    stage.complexes.set([place.complex])
    return hazard, school, stage


def _registry_records(place: _Place, waiting: Household) -> tuple[Any, Any, Any]:
    """An import job with its registry import, and a duplicate pair in a waiting family."""
    from homecoming.core.models import Job
    from homecoming.registry.models import DuplicateCandidate, RegistryImport

    job = Job.objects.create(
        kind="registry_import", title=f"{place.prefix} import", created_by=place.officer
    )
    registry_import = RegistryImport.objects.create(
        format="csv",
        households_file=f"{place.prefix}.csv",
        original_name=f"{place.prefix}.csv",
        sha256="0" * 64,
        district=place.district,
        created_by=place.officer,
        job=job,
    )
    twins = list(waiting.members.order_by("id")[:2])
    duplicate = DuplicateCandidate.objects.create(
        person_a=twins[0], person_b=twins[1], district=place.district, probability=0.9
    )
    return job, registry_import, duplicate


def _road(place: _Place) -> tuple[Any, Any]:
    """The settlement's network node and a road from it to a hub outside any area."""
    from homecoming.network.models import Edge, Node

    node = Node.objects.create(
        node_id=f"N-{place.prefix}",
        name=place.settlement.name_en,
        lat=place.lat,
        lon=46.0,
        area=place.settlement,
    )
    hub = Node.objects.create(
        node_id=f"N-{place.prefix}-HUB", name=f"{place.prefix} hub", lat=place.lat, lon=46.1
    )
    edge = Edge.objects.create(
        edge_id=f"E-{place.prefix}", from_node=node, to_node=hub, length_km=8, speed_kmh=60
    )
    return node, edge


def _district_scene(world: World, name: str) -> DistrictScene:
    """Build one district's handover, readiness, registry and network objects through the
    services where one exists, so each object is in a state the app can reach."""
    from homecoming.core.models import AuditEvent
    from homecoming.handover.models import Offer

    place = _Place.of(world, name)
    building, items = _place_and_make_ready(place)
    units = _built_units(building, place.prefix)
    group, families = _families(place)
    waiting, fam_a, _fam_b, allocated, _keys, handed, _home = families
    offers = _offers(units, families, world.ayten)
    handed_over = _ceremony_and_convoy(place, families, world.ayten)
    run = _allocation_run(place)
    message = _message(fam_a)
    hazard, school, stage = _readiness_records(place)
    job, registry_import, duplicate = _registry_records(place, waiting)
    node, edge = _road(place)
    return DistrictScene(
        district=place.district,
        settlement=place.settlement,
        complex=place.complex,
        building=building,
        officer=place.officer,
        group=group,
        waiting=waiting,
        free_unit=units[0],
        offer_a=offers.offer_a,
        offer_b=offers.offer_b,
        swap=offers.swap,
        appeal=offers.appeal,
        allocated=allocated,
        keys_waiting=handed_over.keys_waiting,
        handed=handed,
        occupancy=handed_over.occupancy,
        run=run,
        pickup=handed_over.pickup,
        convoy=handed_over.convoy,
        bus=handed_over.bus,
        ceremony=handed_over.ceremony,
        message=message,
        # A status change of this district's offers, as the transitions API reads it.
        transition=AuditEvent.objects.of(Offer.objects.filter(household__district=place.district))
        .order_by("id")
        .first(),
        item=items[0],
        hazard=hazard,
        school=school,
        stage=stage,
        registry_import=registry_import,
        duplicate=duplicate,
        job=job,
        node=node,
        edge=edge,
    )


def make_scene(world: World | None = None) -> Scene:
    """The personas' world with, in each district, one object of every kind the app reads
    or writes (offers, swaps, appeals, convoys, ceremonies, readiness, imports, network...):
    what the permission walk points at from inside and outside each role's scope."""
    world = world or make_world()
    return Scene(world, _district_scene(world, "kalbajar"), _district_scene(world, "lachin"))


def totp_code(device: Any) -> str:
    """The code an authenticator app would show for `device` now; if this time step's code was
    already used (a TOTP code is accepted once), the next step's, which the device's tolerance
    of one step accepts."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    step = max(totp.t(), device.last_t + 1)
    totp.time = device.t0 + (step - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def give_second_factor(user: User) -> Any:
    """A confirmed authenticator for `user`, as after enrolment."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def verify_second_factor(page: Any, device: Any) -> None:
    """On a live server's verification page (after the password), enter the current code."""
    page.fill("input[name=code]", totp_code(device))
    page.click("button.primary")


def verified_client(user: User, **defaults: Any) -> Any:
    """A test client signed in through the login page and the second-factor step."""
    from django.test import Client

    device = give_second_factor(user)
    client = Client(**defaults)
    assert (
        client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )
    answer = client.post("/account/verify/", {"code": totp_code(device)})
    assert answer.status_code == 302, answer.content
    return client


#: Common English words: a run of ENGLISH_RUN of them in a row is an English sentence left
#: in a page that should be in another language. It takes three in a row, so a word that
#: is also Azerbaijani (on, at, an...) is no finding on its own.
_ENGLISH_TEXT = """
    a about above after again all also an and any are as at back be because been before
    being below both but by can cannot could did do does done each either every few for
    from had has have here his how if in into is it its just less may more most must my
    need needs no none nor not now of off on once one only or other our out over own per
    same she should since so some such than that the their them then there these they
    this those through to too under until up upon very was we were what when where which
    while who whom why will with within without would yet you your yours
    home homes family families household households room rooms person persons people
    building buildings complex complexes group groups run runs priority left given
    housed waiting offer offered answer answered date time name names show shows shown
    list new old last next first year years day days week weeks month months number
    kept keep keeps free ready still open closed done find found make made see seen
"""
ENGLISH_WORDS = frozenset(_ENGLISH_TEXT.split())
ENGLISH_RUN = 3


def english_runs(text: str, run: int = ENGLISH_RUN) -> list[str]:
    """Runs of `run` or more common English words in a row in `text` (punctuation does not
    break a run; numbers, codes and other words do).

    >>> english_runs("3 rooms for 4 persons, the ideal size; building B1")
    []
    >>> english_runs("Not housed in this run: no home was left at your priority")
    ['not housed in this run no home was left at your priority']
    >>> english_runs("Bu prosesdə evlə təmin olunmayıb: ev qalmamışdı. Kəlbəcər, Complex 1")
    []
    """
    found: list[str] = []
    current: list[str] = []
    for token in re.findall(r"[^\W_]+", text):
        word = token.lower()
        if word in ENGLISH_WORDS:
            current.append(word)
            continue
        if len(current) >= run:
            found.append(" ".join(current))
        current = []
    if len(current) >= run:
        found.append(" ".join(current))
    return found
