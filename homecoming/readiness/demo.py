"""Readiness data for the Kalbajar demo (called from homecoming.demo.scenario.do_load_demo).

Complex 1 is ready; complexes 2-4 are at different stages; a confirmed hazard area lies
about 60 m from complex 3, so it is blocked; the modular school (Sep 2025) serves until the
permanent school for 528 pupils and the kindergarten for 80 open at the end of 2026.

The gate fails closed, so every place that has received families must have its items on
record: a programme-wide policy covers the other districts, and the villages already
returned to (Aghali, Zabukh) have theirs recorded as done before their families moved in.
Istisu (stage 2) and Lachin city have nothing recorded yet, so they are not ready.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from homecoming.geography.models import Area
from homecoming.housing.models import Building, ResidentialComplex
from homecoming.readiness import services
from homecoming.readiness.kinds import ensure_default_kinds
from homecoming.readiness.models import (
    ItemKind,
    ItemStatus,
    ReadinessPolicy,
    School,
    SchoolKind,
    Stage,
)

#: Where the four complexes of Kalbajar city stand (lat, lon), around the city centre.
POSITIONS = {
    "KLB-RC1": (40.1040, 46.0330),
    "KLB-RC2": (40.1100, 46.0440),
    "KLB-RC3": (40.1000, 46.0450),
    "KLB-RC4": (40.1150, 46.0300),
}
#: Buildings on a grid around their complex, about 44 m × 34 m apart.
STEP_LAT, STEP_LON, COLUMNS = 0.0004, 0.0004, 9

D = date
DONE, CERT, WIP, NOT_STARTED = (
    ItemStatus.DONE,
    ItemStatus.CERTIFIED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.NOT_STARTED,
)

#: (kind, status, organisation, planned start, planned end, actual end)
CITY_ITEMS = [
    ("electricity", CERT, "Azerishiq", D(2022, 5, 1), D(2024, 12, 1), D(2024, 11, 20)),
    ("water", DONE, "Azersu", D(2022, 6, 1), D(2025, 3, 1), D(2025, 3, 10)),
    ("gas", DONE, "Azeriqaz", D(2023, 1, 1), D(2025, 4, 1), D(2025, 4, 15)),
    ("sewerage", DONE, "Azersu", D(2023, 1, 1), D(2025, 4, 1), D(2025, 4, 28)),
    ("road", DONE, "Azerbaijan Highways", D(2021, 4, 1), D(2025, 8, 21), D(2025, 8, 21)),
    ("mine-clearance", CERT, "ANAMA", D(2021, 1, 1), D(2023, 12, 1), D(2023, 11, 1)),
    (
        "school",
        DONE,
        "Ministry of Science and Education",
        D(2025, 3, 1),
        D(2025, 9, 1),
        D(2025, 9, 1),
    ),
    (
        "kindergarten",
        WIP,
        "Ministry of Science and Education",
        D(2025, 3, 1),
        D(2026, 12, 20),
        None,
    ),
    ("clinic", DONE, "TABIB", D(2024, 6, 1), D(2025, 5, 1), D(2025, 5, 20)),
    ("mobile", DONE, "Azercell", D(2022, 9, 1), D(2024, 6, 1), D(2024, 5, 1)),
]
UTILITIES = ["electricity", "water", "gas", "sewerage", "mine-clearance"]
COMPLEX_ITEMS: dict[str, list[tuple[str, str, date | None, date | None, date | None]]] = {
    "KLB-RC1": [
        ("electricity", CERT, D(2024, 1, 1), D(2025, 5, 1), D(2025, 4, 25)),
        ("water", CERT, D(2024, 1, 1), D(2025, 5, 1), D(2025, 5, 5)),
        ("gas", DONE, D(2024, 3, 1), D(2025, 5, 15), D(2025, 5, 20)),
        ("sewerage", DONE, D(2024, 3, 1), D(2025, 5, 15), D(2025, 5, 12)),
        ("mine-clearance", CERT, D(2022, 6, 1), D(2023, 3, 1), D(2023, 2, 15)),
    ],
    "KLB-RC2": [
        ("electricity", DONE, D(2025, 3, 1), D(2026, 6, 1), D(2026, 6, 10)),
        ("water", WIP, D(2025, 6, 1), D(2026, 12, 1), None),
        ("gas", WIP, D(2025, 9, 1), D(2026, 12, 10), None),
        ("sewerage", WIP, D(2025, 9, 1), D(2026, 12, 10), None),
        ("mine-clearance", CERT, D(2023, 1, 1), D(2024, 1, 1), D(2023, 12, 20)),
    ],
    "KLB-RC3": [
        ("electricity", WIP, D(2026, 3, 1), D(2027, 3, 1), None),
        ("water", NOT_STARTED, D(2026, 12, 1), D(2027, 4, 1), None),
        ("gas", NOT_STARTED, D(2027, 1, 1), D(2027, 5, 1), None),
        ("sewerage", NOT_STARTED, D(2027, 1, 1), D(2027, 5, 15), None),
        ("mine-clearance", WIP, D(2025, 10, 1), D(2027, 2, 1), None),
    ],
    "KLB-RC4": [
        ("electricity", NOT_STARTED, D(2027, 1, 1), D(2027, 9, 1), None),
        ("mine-clearance", WIP, D(2026, 5, 1), D(2027, 4, 1), None),
    ],
}


def _square(lat: float, lon: float, dlat: float, dlon: float) -> dict[str, Any]:
    ring = [
        [lon, lat],
        [lon + dlon, lat],
        [lon + dlon, lat + dlat],
        [lon, lat + dlat],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _place_buildings(complexes: dict[str, ResidentialComplex]) -> None:
    buildings = list(Building.objects.filter(complex__in=complexes.values()).order_by("id"))
    by_complex: dict[int, list[Building]] = {}
    for b in buildings:
        by_complex.setdefault(b.complex_id, []).append(b)
    for code, c in complexes.items():
        lat0, lon0 = POSITIONS[code]
        c.lat, c.lon = lat0, lon0
        mine = by_complex.get(c.pk, [])
        rows = -(-len(mine) // COLUMNS)
        for i, b in enumerate(mine):
            row, col = divmod(i, COLUMNS)
            b.lat = round(lat0 + (row - (rows - 1) / 2) * STEP_LAT, 6)
            b.lon = round(lon0 + (col - (COLUMNS - 1) / 2) * STEP_LON, 6)
    ResidentialComplex.objects.bulk_update(complexes.values(), ["lat", "lon"])
    Building.objects.bulk_update(buildings, ["lat", "lon"], batch_size=1000)


#: What the programme-wide policy requires, where no district policy applies.
PROGRAMME_REQUIRED = [*UTILITIES, "road", "school"]


def _returned_village(settlement: Area, completed: date, kinds: dict[str, ItemKind]) -> int:
    """A village already lived in: its required items done some weeks before completion."""
    for i, code in enumerate(PROGRAMME_REQUIRED):
        done = completed - timedelta(days=60 - 7 * i)
        services.do_save_item(
            kind=kinds[code],
            user=None,
            settlement=settlement,
            status=CERT if code == "mine-clearance" else DONE,
            organisation=dict((row[0], row[2]) for row in CITY_ITEMS)[code],
            planned_end=done,
            actual_end=done,
        )
    return len(PROGRAMME_REQUIRED)


def load(city: Area, returned: Sequence[tuple[Area, date]] = ()) -> dict[str, int]:
    """Add readiness data around Kalbajar city (complexes KLB-RC1..4 must exist), and the
    records of the villages already `returned` to (settlement, completion date)."""
    district = city.parent
    assert district is not None
    complexes = {
        c.code: c for c in ResidentialComplex.objects.filter(code__in=POSITIONS, settlement=city)
    }
    _place_buildings(complexes)
    ensure_default_kinds(ItemKind)
    kinds = {k.code: k for k in ItemKind.objects.all()}
    _policies(district, kinds)
    items = sum(_returned_village(s, when, kinds) for s, when in returned)
    items += _city_items(city, complexes, kinds)
    features = _hazard_areas()
    services.do_import_hazard_areas(features, district, "demo", None)
    _schools_and_stage(city)
    return {"readiness_items": items, "hazard_areas": len(features)}


def _policies(district: Area, kinds: dict[str, ItemKind]) -> None:
    """Kalbajar district's policy and the programme's (the default elsewhere)."""
    policy = ReadinessPolicy.objects.create(
        name="Kəlbəcər rayonu: evlər kommunal xidmətlər, yol, minatəmizləmə və məktəb hazır olanda",
        district=district,
        hazard_buffer_m=100,
    )
    policy.required.set([kinds[k] for k in [*UTILITIES, "road", "school"]])
    programme = ReadinessPolicy.objects.create(
        name="Programme: homes open when utilities, roads, mines and school are done",
        hazard_buffer_m=100,
    )
    programme.required.set([kinds[k] for k in PROGRAMME_REQUIRED])


def _city_items(
    city: Area, complexes: dict[str, ResidentialComplex], kinds: dict[str, ItemKind]
) -> int:
    """The city's readiness items, then each complex's; returns how many."""
    items = 0
    for code, status, org, p_start, p_end, a_end in CITY_ITEMS:
        services.do_save_item(
            kind=kinds[code],
            user=None,
            settlement=city,
            status=status,
            organisation=org,
            planned_start=p_start,
            planned_end=p_end,
            actual_end=a_end,
        )
        items += 1
    organisations = {row[0]: row[2] for row in CITY_ITEMS}
    for complex_code, rows in COMPLEX_ITEMS.items():
        for code, c_status, c_start, c_end, c_actual in rows:
            services.do_save_item(
                kind=kinds[code],
                user=None,
                complex_=complexes[complex_code],
                status=c_status,
                organisation=organisations[code],
                planned_start=c_start,
                planned_end=c_end,
                actual_end=c_actual,
            )
            items += 1
    return items


def _hazard_areas() -> list[services.HazardFeature]:
    """One confirmed about 60 m east of complex 3's buildings (it blocks), one suspected in
    the hills 2 km away, one released beside complex 1 with its certificate."""
    lat3, lon3 = POSITIONS["KLB-RC3"]
    lat1, lon1 = POSITIONS["KLB-RC1"]
    return [
        services.HazardFeature(
            "KLB-HA-017",
            "Orchard east of complex 3",
            "confirmed",
            _square(lat3 - 0.001, lon3 + 0.0025, 0.002, 0.0025),
            None,
        ),
        services.HazardFeature(
            "KLB-HA-031",
            "Tartar river slope",
            "suspected",
            _square(40.124, 46.050, 0.004, 0.005),
            None,
        ),
        services.HazardFeature(
            "KLB-HA-009",
            "Former checkpoint west of complex 1",
            "released",
            _square(lat1 - 0.001, lon1 - 0.0060, 0.002, 0.0020),
            D(2023, 2, 15),
        ),
    ]


def _schools_and_stage(city: Area) -> None:
    """The city's school and kindergarten (modular now, permanent later) and stage 1."""
    School.objects.create(
        name="Kəlbəcər şəhər məktəbi",
        kind=SchoolKind.SCHOOL,
        settlement=city,
        modular_capacity=120,
        modular_opens_on=D(2025, 9, 1),
        permanent_capacity=528,
        permanent_opens_on=D(2026, 12, 20),
    )
    School.objects.create(
        name="Kəlbəcər şəhər uşaq bağçası",
        kind=SchoolKind.KINDERGARTEN,
        settlement=city,
        modular_capacity=20,
        modular_opens_on=D(2025, 9, 1),
        permanent_capacity=80,
        permanent_opens_on=D(2026, 12, 20),
    )
    Stage.objects.create(
        settlement=city,
        number=1,
        name="Kəlbəcər şəhəri, 1-ci mərhələ",
        starts_on=D(2023, 1, 1),
        ends_on=D(2027, 12, 31),
        target_families=2600,
        target_persons=10400,
    )
