"""The Kalbajar demo: places, housing and a registry of displaced families.

Facts from docs/demo-facts.md (public sources 2022-2026); the families are synthetic.
Deterministic: the same seed gives the same database, row for row. Loads in seconds by
building every row in memory first and writing with bulk_create in one transaction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from faker import Faker

from homecoming.demo import history as demo_history
from homecoming.geography.models import Area, Level, SettlementKind
from homecoming.handover import demo as handover_demo
from homecoming.housing.models import (
    Building,
    BuildingKind,
    Construction,
    ResidentialComplex,
    Unit,
    UnitStatus,
)
from homecoming.network.services import load_demo_network
from homecoming.readiness import demo as readiness_demo
from homecoming.registry.models import (
    DIFFICULT_SHELTER,
    Group,
    GroupKind,
    Household,
    HouseholdStatus,
    Person,
    Relationship,
    Sex,
    ShelterKind,
)
from homecoming.registry.search import merged_keys, name_keys

DEMO_SEED = 20221116  # the day the first state programme was approved


@dataclass(frozen=True)
class Place:
    code: str
    az: str
    en: str
    ru: str
    lat: float
    lon: float
    kind: str = SettlementKind.VILLAGE


# Coordinates of cities are from the brief; villages are placed approximately.
KALBAJAR_CITY = Place("AZ110101", "Kəlbəcər", "Kalbajar", "Кельбаджар", 40.107, 46.038, "city")
KALBAJAR_VILLAGES = [
    Place("AZ110102", "Ağdaban", "Aghdaban", "Агдабан", 40.067, 46.132),
    Place("AZ110103", "Başlıbel", "Bashlibel", "Башлыбель", 40.010, 46.030),
    Place("AZ110104", "Zar", "Zar", "Зар", 40.185, 46.250),
    Place("AZ110105", "İstisu", "Istisu", "Истису", 39.950, 45.970),
    Place("AZ110106", "Keşdək", "Keshdak", "Кешдак", 40.215, 46.105),
    Place("AZ110107", "Çaykənd", "Chaykend", "Чайкенд", 40.150, 45.990),
    Place("AZ110108", "Qamışlı", "Gamishli", "Гамышлы", 40.040, 45.920),
    Place("AZ110109", "Otaqlı", "Otagli", "Отаглы", 40.120, 46.180),
    Place("AZ110110", "Yuxarı Ayrım", "Yukhari Ayrim", "Юхары Айрым", 40.240, 46.010),
    Place("AZ110111", "Qaraçanlı", "Garachanli", "Гарачанлы", 40.080, 45.860),
    Place("AZ110112", "Çopurlu", "Chopurlu", "Чопурлу", 40.170, 46.080),
    Place("AZ110113", "Kilsəli", "Kilsali", "Кильсали", 39.990, 46.110),
]
LACHIN_CITY = Place("AZ110201", "Laçın", "Lachin", "Лачин", 39.641, 46.547, "city")
ZABUKH = Place("AZ110202", "Zabux", "Zabukh", "Забух", 39.617, 46.566)
AGHALI = Place("AZ100101", "Ağalı", "Aghali", "Агалы", 39.095, 46.721)
# Where families live now; only needed as addresses, not as areas.
TEMPORARY_PLACES = ["Bakı", "Sumqayıt", "Gəncə", "Göygöl", "Naftalan", "Mingəçevir", "Bərdə"]

# Family sizes averaging about 4 (weights in per cent).
SIZE_WEIGHTS = {1: 6, 2: 12, 3: 18, 4: 26, 5: 20, 6: 11, 7: 5, 8: 2}
SHELTER_WEIGHTS = {
    ShelterKind.DORMITORY: 18,
    ShelterKind.SANATORIUM: 6,
    ShelterKind.ADMINISTRATIVE: 5,
    ShelterKind.PUBLIC_BUILDING: 6,
    ShelterKind.UNFINISHED: 7,
    ShelterKind.CHILDRENS_CAMP: 2,
    ShelterKind.TENT: 1,
    ShelterKind.RENTED: 25,
    ShelterKind.RELATIVES: 20,
    ShelterKind.OWN: 10,
}
AREA_BY_ROOMS = {1: 45, 2: 62, 3: 84, 4: 104, 5: 124}


def _mix(counts: dict[int, int]) -> list[int]:
    return [rooms for rooms, n in sorted(counts.items()) for _ in range(n)]


def _child_of(father: str, sex: str) -> str:
    """An Azerbaijani patronymic: "Elvin oğlu" (son of Elvin), "Elvin qızı" (daughter)."""
    return f"{father} {'oğlu' if sex == Sex.MALE else 'qızı'}"


class Builder:
    """Collects unsaved rows, then writes them in dependency order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.faker = Faker("az_AZ")
        self.faker.seed_instance(seed)
        self.areas: dict[str, Area] = {}
        self.complexes: list[ResidentialComplex] = []
        self.buildings: list[Building] = []
        self.units: list[Unit] = []
        self.households: list[Household] = []
        self.persons: list[Person] = []
        self.groups: list[Group] = []
        self.unit_of_household: list[tuple[Unit, Household]] = []
        self._fins = 0
        self._male_surnames = [self.faker.last_name_male() for _ in range(400)]
        self._male_names = [self.faker.first_name_male() for _ in range(300)]
        self._female_names = [self.faker.first_name_female() for _ in range(300)]

    # -- places ---------------------------------------------------------------------------
    def area(
        self,
        code: str,
        level: str,
        az: str,
        en: str,
        ru: str,
        parent: Area | None,
        kind: str = "",
        lat: float | None = None,
        lon: float | None = None,
    ) -> Area:
        obj = Area(
            code=code,
            level=level,
            name_az=az,
            name_en=en,
            name_ru=ru,
            parent=parent,
            kind=kind,
            lat=lat,
            lon=lon,
        )
        obj.save()
        self.areas[code] = obj
        return obj

    def settlement(self, place: Place, district: Area) -> Area:
        return self.area(
            place.code,
            Level.SETTLEMENT,
            place.az,
            place.en,
            place.ru,
            district,
            place.kind,
            place.lat,
            place.lon,
        )

    # -- housing --------------------------------------------------------------------------
    def complex(
        self, settlement: Area, code: str, name: str, stage: int, **kw: object
    ) -> ResidentialComplex:
        c = ResidentialComplex(
            settlement=settlement,
            code=code,
            name=name,
            stage=stage,
            lat=settlement.lat,
            lon=settlement.lon,
            **kw,
        )
        c.save()
        self.complexes.append(c)
        return c

    def block(
        self,
        c: ResidentialComplex,
        code: str,
        phase: int,
        rooms: list[int],
        construction: str,
        floors: int = 4,
    ) -> Building:
        """A four-storey block; flats spread over floors, ground floor step-free."""
        b = Building(
            complex=c,
            code=code,
            kind=BuildingKind.APARTMENT_BLOCK,
            phase=phase,
            floors=floors,
            has_lift=False,
        )
        self.buildings.append(b)
        per_floor = -(-len(rooms) // floors)
        ordered = sorted(rooms, reverse=True)  # larger flats lower: families with elders
        for i, r in enumerate(ordered):
            floor = i // per_floor + 1
            self.units.append(
                Unit(
                    building=b,
                    number=str(i + 1),
                    rooms=r,
                    floor=floor,
                    step_free=floor == 1,
                    construction=construction,
                    area_m2=Decimal(AREA_BY_ROOMS[r]),
                )
            )
        return b

    def houses(
        self,
        c: ResidentialComplex,
        prefix: str,
        phase: int,
        rooms: list[int],
        kind: str,
        construction: str,
        start: int = 1,
    ) -> None:
        """Townhouses or village houses: one unit per building."""
        for i, r in enumerate(rooms, start=start):
            floors = 2 if kind == BuildingKind.TOWNHOUSE else 1
            b = Building(complex=c, code=f"{prefix}{i}", kind=kind, phase=phase, floors=floors)
            self.buildings.append(b)
            self.units.append(
                Unit(
                    building=b,
                    number="1",
                    rooms=r,
                    floor=1,
                    step_free=kind == BuildingKind.VILLAGE_HOUSE,
                    construction=construction,
                    area_m2=Decimal(AREA_BY_ROOMS[r] + 10),
                )
            )

    # -- registry -------------------------------------------------------------------------
    def _surname(self, male: str, sex: str) -> str:
        if sex == Sex.FEMALE and male.endswith(("ov", "ev", "yev", "in")):
            return male + "a"
        return male

    def _birth(self, age: int) -> date:
        return date(2026, 1, 1) - timedelta(days=age * 365 + self.rng.randrange(365))

    def family(self, origin: Area, reg_no: int, status: str, group: Group | None) -> Household:
        rng = self.rng
        size = rng.choices(list(SIZE_WEIGHTS), weights=list(SIZE_WEIGHTS.values()))[0]
        h = self._household(origin, reg_no, status, group)
        self.households.append(h)
        surname = rng.choice(self._male_surnames)
        members = self._members(size)
        step_free_member = rng.random() < 0.08
        for i, (rel, sex, age, given, patronymic) in enumerate(members):
            elder = age >= 70 or rel == Relationship.PARENT
            self.persons.append(
                Person(
                    household=h,
                    surname=self._surname(surname, sex),
                    given_name=given,
                    patronymic=patronymic,
                    sex=sex,
                    birth_date=self._birth(age),
                    national_id=self._fin() if age >= 16 else None,
                    relationship=rel,
                    needs_step_free=step_free_member and (elder or i == len(members) - 1),
                )
            )
        return h

    def _household(self, origin: Area, reg_no: int, status: str, group: Group | None) -> Household:
        rng = self.rng
        shelter = rng.choices(list(SHELTER_WEIGHTS), weights=list(SHELTER_WEIGHTS.values()))[0]
        priority = (
            2 if shelter in DIFFICULT_SHELTER else (1 if shelter == ShelterKind.RENTED else 0)
        )
        registered = date(1994, 1, 1) + timedelta(days=rng.randrange(365 * 12))
        consent = rng.random() < 0.97
        return Household(
            reg_number=f"{origin.code[2:6]}-{reg_no:06d}",
            origin=origin,
            district=origin.parent,
            shelter_kind=shelter,
            shelter_address=f"{rng.choice(TEMPORARY_PLACES)}, {self.faker.street_name()}",
            priority=priority,
            registered_on=registered,
            status=status,
            consent=consent,
            consent_on=date(2023, 3, 1) + timedelta(days=rng.randrange(700)) if consent else None,
            phone=f"+994 {rng.choice(['50', '51', '55', '70', '77'])} {rng.randrange(100, 1000)} "
            f"{rng.randrange(10, 100)} {rng.randrange(10, 100)}",
            group=group,
        )

    def _given(self, sex: str) -> str:
        return self.rng.choice(self._male_names if sex == Sex.MALE else self._female_names)

    def _members(self, size: int) -> list[tuple[str, str, int, str, str]]:
        """(relationship, sex, age, given name, patronymic) of a family of ``size``: a head,
        a spouse, sometimes a parent of the head, and children."""
        rng = self.rng
        father = rng.choice(self._male_names)
        head_sex = (
            Sex.MALE if size > 1 and rng.random() < 0.85 else rng.choice([Sex.MALE, Sex.FEMALE])
        )
        head_age = rng.randint(28, 75) if size > 1 else rng.randint(45, 85)
        head_name = self._given(head_sex)
        members: list[tuple[str, str, int, str, str]] = [
            (Relationship.HEAD, head_sex, head_age, head_name, _child_of(father, head_sex))
        ]
        if size >= 2:
            sp_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
            members.append(
                (
                    Relationship.SPOUSE,
                    sp_sex,
                    max(20, head_age + rng.randint(-6, 3)),
                    self._given(sp_sex),
                    _child_of(rng.choice(self._male_names), sp_sex),
                )
            )
        child_father = head_name if head_sex == Sex.MALE else members[-1][3]
        elder_added = False
        for _ in range(size - len(members)):
            if not elder_added and head_age < 55 and rng.random() < 0.25:
                elder_added = True
                sex = rng.choice([Sex.MALE, Sex.FEMALE])
                age = head_age + rng.randint(22, 32)
                given = self._given(sex)
                patronymic = _child_of(rng.choice(self._male_names), sex)
                members.append((Relationship.PARENT, sex, age, given, patronymic))
                continue
            sex = rng.choice([Sex.MALE, Sex.FEMALE])
            age = max(0, min(head_age - 20, rng.randint(0, 22)))
            members.append(
                (Relationship.CHILD, sex, age, self._given(sex), _child_of(child_father, sex))
            )
        return members

    def _fin(self) -> str:
        # FIN: 7 characters of digits and Latin capitals; unique per person in the demo.
        alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
        self._fins += 1
        n = self._fins * 7919 % 34**6
        chars = []
        for _ in range(6):
            n, r = divmod(n, len(alphabet))
            chars.append(alphabet[r])
        return self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + "".join(reversed(chars))

    def families_from(
        self, villages: list[Area], count: int, start: int, status: str, group_share: float = 0.45
    ) -> list[Household]:
        """`count` families from `villages`, about half of them in kin or neighbour groups."""
        out: list[Household] = []
        reg = start
        while len(out) < count:
            origin = self.rng.choice(villages)
            if self.rng.random() < group_share:
                kind = GroupKind.RELATIVES if self.rng.random() < 0.8 else GroupKind.NEIGHBOURS
                n = min(count - len(out), max(2, min(12, round(self.rng.gauss(4, 2)))))
                group = Group(
                    code=f"G{len(self.groups) + 1:05d}",
                    kind=kind,
                    name=f"{origin.name_az} {'qohumları' if kind == GroupKind.RELATIVES else 'qonşuları'} {len(self.groups) + 1}",
                )
                self.groups.append(group)
            else:
                n, group = 1, None
            for _ in range(n):
                out.append(self.family(origin, reg, status, group))
                reg += 1
        return out

    def save(self) -> None:
        Group.objects.bulk_create(self.groups)
        Building.objects.bulk_create(self.buildings)
        for u in self.units:
            u.building_id = u.building.pk
        members: dict[int, list[str]] = {}
        for p in self.persons:  # search keys (registry.search): bulk_create skips save()
            p.name_keys = name_keys(p.surname, p.given_name, p.patronymic)
            members.setdefault(id(p.household), []).append(p.name_keys)
        for h in self.households:
            h.name_keys = merged_keys(members.get(id(h), []))
        Household.objects.bulk_create(self.households, batch_size=1000)
        for p in self.persons:
            p.household_id = p.household.pk
        Person.objects.bulk_create(self.persons, batch_size=2000)
        for unit, household in self.unit_of_household:
            unit.household = household
        Unit.objects.bulk_create(self.units, batch_size=2000)


def kalbajar_first_complex(b: Builder, city: Area) -> ResidentialComplex:
    """First complex: 524 families on 19.5 ha, phase 1 for 201 and phase 2 for 323."""
    c = b.complex(
        city,
        "KLB-RC1",
        "Kəlbəcər yaşayış kompleksi 1",
        1,
        area_ha=Decimal("19.5"),
        planned_families=524,
        planned_start=date(2023, 4, 1),
        planned_completion=date(2025, 6, 1),
        actual_completion=date(2025, 6, 5),
    )
    # Phase 1: six four-storey buildings of 27 flats (54 two-, 72 three-, 36 four-room
    # in all) plus 39 two-storey three-room townhouses.
    for i in range(1, 7):
        b.block(c, f"B{i}", 1, _mix({2: 9, 3: 12, 4: 6}), Construction.BUILT)
    b.houses(c, "T", 1, [3] * 39, BuildingKind.TOWNHOUSE, Construction.BUILT)
    # Phase 2: 16 apartment buildings (266 flats) and 57 townhouses = 323 homes.
    for i in range(7, 23):
        n = 17 if i < 17 else 16
        mix = {2: 4, 3: 7, 4: 4, 5: n - 15}
        b.block(c, f"B{i}", 2, _mix(mix), Construction.UNDER_CONSTRUCTION)
    b.houses(
        c,
        "T",
        2,
        [3] * 30 + [4] * 27,
        BuildingKind.TOWNHOUSE,
        Construction.UNDER_CONSTRUCTION,
        start=40,
    )
    return c


def kalbajar_other_complexes(b: Builder, city: Area) -> None:
    """Complexes 2-4 of stage 1: 692 homes each (24 blocks of 27 flats, 44 townhouses)."""
    for n, status, completion in [
        (2, Construction.UNDER_CONSTRUCTION, date(2026, 12, 15)),
        (3, Construction.UNDER_CONSTRUCTION, date(2027, 6, 1)),
        (4, Construction.PLANNED, date(2027, 12, 1)),
    ]:
        c = b.complex(
            city,
            f"KLB-RC{n}",
            f"Kəlbəcər yaşayış kompleksi {n}",
            1,
            planned_families=692,
            planned_start=date(2024, 3, 1),
            planned_completion=completion,
        )
        for i in range(1, 25):
            b.block(c, f"B{i}", 1 if i <= 12 else 2, _mix({2: 7, 3: 11, 4: 6, 5: 3}), status)
        b.houses(c, "T", 2, [3] * 20 + [4] * 16 + [5] * 8, BuildingKind.TOWNHOUSE, status)


@dataclass
class _DemoPlaces:
    """The demo's districts and settlements."""

    kalbajar: Area
    city: Area  # Kalbajar city
    villages: list[Area]  # Kalbajar district's villages
    lachin_city: Area
    zabukh: Area
    aghali: Area


def _areas(b: Builder) -> _DemoPlaces:
    """The country, two regions, three districts and their settlements."""
    az = b.area("AZ", Level.COUNTRY, "Azərbaycan", "Azerbaijan", "Азербайджан", None)
    klr = b.area("AZ11", Level.REGION, "Kəlbəcər-Laçın", "Kalbajar-Lachin", "Кельбаджар-Лачин", az)
    ezr = b.area("AZ10", Level.REGION, "Şərqi Zəngəzur", "East Zangezur", "Восточный Зангезур", az)
    kalbajar = b.area(
        "AZ1101",
        Level.DISTRICT,
        "Kəlbəcər rayonu",
        "Kalbajar district",
        "Кельбаджарский район",
        klr,
        lat=40.107,
        lon=46.038,
    )
    lachin = b.area(
        "AZ1102",
        Level.DISTRICT,
        "Laçın rayonu",
        "Lachin district",
        "Лачинский район",
        klr,
        lat=39.641,
        lon=46.547,
    )
    zangilan = b.area(
        "AZ1001",
        Level.DISTRICT,
        "Zəngilan rayonu",
        "Zangilan district",
        "Зангиланский район",
        ezr,
        lat=39.086,
        lon=46.653,
    )
    city = b.settlement(KALBAJAR_CITY, kalbajar)
    villages = [b.settlement(p, kalbajar) for p in KALBAJAR_VILLAGES]
    lachin_city = b.settlement(LACHIN_CITY, lachin)
    zabukh = b.settlement(ZABUKH, lachin)
    aghali = b.settlement(AGHALI, zangilan)
    return _DemoPlaces(kalbajar, city, villages, lachin_city, zabukh, aghali)


def _returned_villages(b: Builder, places: _DemoPlaces) -> tuple[ResidentialComplex, ...]:
    """Villages already returned to (draw outcomes from the brief), all occupied."""
    c_aghali = b.complex(
        places.aghali,
        "AGH-V1",
        "Aghali smart village",
        1,
        planned_families=33,
        actual_completion=date(2022, 7, 19),
    )
    b.houses(
        c_aghali,
        "H",
        1,
        _mix({3: 10, 4: 15, 5: 8}),
        BuildingKind.VILLAGE_HOUSE,
        Construction.BUILT,
    )
    c_zabukh = b.complex(
        places.zabukh,
        "ZBX-V1",
        "Zabukh village",
        1,
        planned_families=174,
        actual_completion=date(2023, 5, 1),
    )
    b.houses(
        c_zabukh,
        "H",
        1,
        _mix({2: 31, 3: 102, 4: 20, 5: 21}),
        BuildingKind.VILLAGE_HOUSE,
        Construction.BUILT,
    )
    return c_aghali, c_zabukh


def _istisu_and_lachin_complexes(b: Builder, places: _DemoPlaces) -> None:
    """Stage 2: a village of Kalbajar district rebuilt as houses, and Lachin city blocks."""
    c_istisu = b.complex(
        places.villages[3],
        "IST-V1",
        "Istisu village",
        2,
        planned_families=60,
        planned_completion=date(2027, 9, 1),
    )
    b.houses(
        c_istisu,
        "H",
        1,
        _mix({2: 10, 3: 25, 4: 17, 5: 8}),
        BuildingKind.VILLAGE_HOUSE,
        Construction.PLANNED,
    )
    c_lachin = b.complex(
        places.lachin_city,
        "LAC-RC1",
        "Laçın yaşayış kompleksi 1",
        1,
        planned_families=216,
        planned_completion=date(2026, 12, 20),
    )
    for i in range(1, 9):
        b.block(
            c_lachin, f"B{i}", 1, _mix({2: 7, 3: 11, 4: 6, 5: 3}), Construction.UNDER_CONSTRUCTION
        )


def _registry(
    b: Builder,
    places: _DemoPlaces,
    first: ResidentialComplex,
    c_aghali: ResidentialComplex,
    c_zabukh: ResidentialComplex,
) -> None:
    """The families: those already returned first (their homes occupied), then those waiting."""
    aghali_units = [u for u in b.units if u.building.complex is c_aghali]
    zabukh_units = [u for u in b.units if u.building.complex is c_zabukh]
    returned = b.families_from([places.aghali], len(aghali_units), 1, HouseholdStatus.MOVED_IN, 0.0)
    returned += b.families_from(
        [places.zabukh], len(zabukh_units), 1, HouseholdStatus.MOVED_IN, 0.0
    )
    for unit in aghali_units + zabukh_units:
        unit.status = UnitStatus.OCCUPIED
    b.unit_of_household += list(zip(aghali_units + zabukh_units, returned, strict=True))
    villages = places.villages
    # Kalbajar: 81 families of the first draw (12 Jun 2025) live in complex 1 already.
    first_draw = b.families_from(villages, 81, 1, HouseholdStatus.MOVED_IN, 0.0)
    first_units = [
        u for u in b.units if u.building.complex is first and u.construction == Construction.BUILT
    ]
    b.rng.shuffle(first_units)
    for unit, household in zip(first_units, first_draw, strict=False):
        unit.status = UnitStatus.OCCUPIED
        b.unit_of_household.append((unit, household))
    # About 4,000 Kalbajar families wait for about 2,600 homes of stage 1.
    waiting = b.families_from([*villages, places.city], 3960, 1000, HouseholdStatus.ELIGIBLE)
    waiting += b.families_from(
        [places.lachin_city, places.zabukh], 260, 5000, HouseholdStatus.ELIGIBLE
    )
    # Families given a choice ask for their own village; a few ask for Istisu by name.
    for h in waiting:
        if h.origin is villages[3] and b.rng.random() < 0.5:
            h.destination = villages[3]
    _relatives_of_the_first_draw(b, first_draw)


#: Families of the first draw whose relatives registered later and still wait: the next
#: runs treat the first as residents and bring the others next to them (issue 14).
FIRST_DRAW_KIN = 12


def _relatives_of_the_first_draw(b: Builder, first_draw: list[Household]) -> None:
    for n, household in enumerate(first_draw[:FIRST_DRAW_KIN]):
        group = Group(
            code=f"G{len(b.groups) + 1:05d}",
            kind=GroupKind.RELATIVES,
            name=f"{household.origin.name_az} qohumları {len(b.groups) + 1}",
        )
        b.groups.append(group)
        household.group = group
        for k in range(1 + n % 2):
            b.family(household.origin, 9000 + 2 * n + k, HouseholdStatus.ELIGIBLE, group)


@transaction.atomic
def do_load_demo(seed: int = DEMO_SEED) -> dict[str, int]:
    """Create the whole demo. Assumes an empty database (the `demo` command checks)."""
    b = Builder(seed)
    places = _areas(b)
    first = kalbajar_first_complex(b, places.city)
    kalbajar_other_complexes(b, places.city)
    c_aghali, c_zabukh = _returned_villages(b, places)
    _istisu_and_lachin_complexes(b, places)
    _registry(b, places, first, c_aghali, c_zabukh)
    b.save()
    readiness_demo.load(
        places.city,
        returned=[(places.aghali, date(2022, 7, 19)), (places.zabukh, date(2023, 5, 1))],
    )
    load_demo_network()  # the road network, its settlements linked by code
    handover_demo.load(places.kalbajar)
    past = demo_history.load()  # move-in dates, and kept snapshots of the months behind us
    return {
        "areas": len(b.areas),
        "complexes": len(b.complexes),
        "buildings": len(b.buildings),
        "units": len(b.units),
        "households": len(b.households),
        "persons": len(b.persons),
        "groups": len(b.groups),
        "snapshots": past["snapshots"],
    }
