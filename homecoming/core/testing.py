"""Personas and a small world for tests.

Two districts (Kalbajar and Lachin), a complex in each, a few families, and one user per
role: Ayten the administrator, Kamran the Kalbajar district officer, Leyla the Lachin
district officer, Orkhan the allocation officer and Sabina the auditor.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

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
    ayten: AbstractUser
    kamran: AbstractUser
    leyla: AbstractUser
    orkhan: AbstractUser
    sabina: AbstractUser
    kalbajar_family: Household
    lachin_family: Household


def make_user(username: str, role: str, district: Area | None = None) -> AbstractUser:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
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


def log_in(page: Any, base: str, username: str) -> None:
    """Log a persona in through the login page of a live server."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


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


def acting_as(user: AbstractUser, channel: str = "ui") -> Any:
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
