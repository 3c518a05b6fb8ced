"""Personas and a small world for tests.

Two districts (Kalbajar and Lachin), a complex in each, a few families, and one user per
role: Ayten the administrator, Kamran the Kalbajar district officer, Leyla the Lachin
district officer, Orkhan the allocation officer and Sabina the auditor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from homecoming.accounts.models import Profile, Role
from homecoming.geography.models import Area, Level
from homecoming.housing.models import Building, BuildingKind, ResidentialComplex, Unit, UnitStatus
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
            status=UnitStatus.READY,
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


def give_second_factor(user: AbstractUser) -> Any:
    """A confirmed authenticator for `user`, as after enrolment."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def verify_second_factor(page: Any, device: Any) -> None:
    """On a live server's verification page (after the password), enter the current code."""
    page.fill("input[name=code]", totp_code(device))
    page.click("button.primary")


def verified_client(user: AbstractUser, **defaults: Any) -> Any:
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
