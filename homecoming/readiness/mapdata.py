"""The readiness layers of the interactive map, as GeoJSON: settlements and complexes coloured
by the gate's verdict with their returns (homes lived in out of homes), and hazard areas by
status. Aggregates only: no family is named or counted alone.

Pure builders over plain values (``place_feature``, ``hazard_feature``,
``readiness_collection``); ``load`` reads the rows in the actor's scope.

>>> p = Place("complex", "KC1", "Kalbajar complex", 40.1, 46.0, ready=False, homes=40, lived_in=0)
>>> f = place_feature(p)
>>> f["properties"]["cls"], f["properties"]["layer"]
('place place-complex place-blocked', 'complex')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from homecoming.core.maps import Feature, collection, feature, point_feature
from homecoming.housing.models import ResidentialComplex, UnitStatus
from homecoming.readiness.gate import assess, assess_settlements
from homecoming.readiness.models import HazardArea

if TYPE_CHECKING:
    from homecoming.accounts.models import Profile
    from homecoming.geography.models import Area


@dataclass(frozen=True)
class Place:
    """A settlement or a complex on the map."""

    kind: str  # "settlement" or "complex"
    code: str
    name: str
    lat: float
    lon: float
    #: The gate's verdict; a place it cannot judge (nothing recorded) is not ready.
    ready: bool
    homes: int
    lived_in: int


@dataclass(frozen=True)
class Hazard:
    code: str
    name: str
    status: str
    status_label: str
    geometry: dict[str, Any]


def place_feature(place: Place) -> Feature:
    """A point: green when the gate lets families in, red otherwise; bigger with more homes.

    >>> p = Place("settlement", "S1", "Zar", 40.0, 46.0, ready=True, homes=100, lived_in=25)
    >>> place_feature(p)["properties"]["title"]
    'Zar: ready for families. 25 of 100 homes lived in.'
    """
    verdict = _("ready for families") if place.ready else _("not ready for families")
    returns = _("%(lived_in)d of %(homes)d homes lived in.") % {
        "lived_in": place.lived_in,
        "homes": place.homes,
    }
    state = "ready" if place.ready else "blocked"
    return point_feature(
        place.lon,
        place.lat,
        layer=place.kind,
        cls=f"place place-{place.kind} place-{state}",
        title=f"{place.name}: {verdict}. {returns}",
        label=place.name,
        rank=1 if place.kind == "settlement" else 2,
        radius=_radius(place),
        homes=place.homes,
        lived_in=place.lived_in,
        ready=place.ready,
    )


def _radius(place: Place) -> float:
    """Pixels: 6 for a settlement, 5 for a complex, growing with the square root of homes."""
    base = 6 if place.kind == "settlement" else 5
    return round(base + min(6.0, math.sqrt(place.homes) / 4), 1)


def hazard_feature(hazard: Hazard) -> Feature:
    """A polygon (or several) coloured by status, named in the reader's language.

    >>> square = {"type": "Polygon", "coordinates": [[[46, 40], [46.1, 40], [46, 40.1], [46, 40]]]}
    >>> f = hazard_feature(Hazard("HA-1", "Field", "released", "Released", square))
    >>> f["properties"]["cls"], f["properties"]["title"]
    ('hazard hazard-released', 'HA-1 Field: Released')
    """
    name = f"{hazard.code} {hazard.name}".strip()
    return feature(
        hazard.geometry,
        layer="hazard",
        cls=f"hazard hazard-{hazard.status}",
        title=f"{name}: {hazard.status_label}",
        code=hazard.code,
        status=hazard.status,
    )


def readiness_collection(places: Sequence[Place], hazards: Sequence[Hazard]) -> dict[str, Any]:
    """Hazard areas first (drawn underneath), then settlements, then complexes."""
    ordered = sorted(places, key=lambda p: (p.kind != "settlement", p.name))
    return collection([hazard_feature(h) for h in hazards] + [place_feature(p) for p in ordered])


def load(
    profile: Profile,
    settlements: Sequence[Area],
    by_settlement: dict[int, list[ResidentialComplex]],
) -> dict[str, Any]:
    """The readiness layers in ``profile``'s scope (reads the database): the settlements and
    complexes the readiness pages list (``by_settlement``, already scoped), the hazard areas."""
    complexes = [c for found in by_settlement.values() for c in found]
    homes = {
        row["pk"]: (row["homes"], row["lived_in"])
        for row in ResidentialComplex.objects.filter(pk__in=[c.pk for c in complexes])
        .annotate(
            homes=Count("buildings__units", distinct=True),
            lived_in=Count(
                "buildings__units",
                filter=Q(buildings__units__status=UnitStatus.OCCUPIED),
                distinct=True,
            ),
        )
        .values("pk", "homes", "lived_in")
    }
    complex_verdicts = assess(complexes)
    settlement_verdicts = assess_settlements(settlements)
    places = [
        Place("complex", c.code, c.name, c.lat, c.lon, complex_verdicts[c.pk].ready, *homes[c.pk])
        for c in complexes
        if c.lat is not None and c.lon is not None
    ]
    for s in settlements:
        if s.lat is None or s.lon is None:
            continue
        own = [homes[c.pk] for c in by_settlement.get(s.pk, [])]
        ready = settlement_verdicts[s.pk].ready
        total, lived_in = sum(h for h, _n in own), sum(n for _h, n in own)
        places.append(Place("settlement", s.code, s.name, s.lat, s.lon, ready, total, lived_in))
    hazards = [
        Hazard(a.code, a.name, a.status, str(a.get_status_display()), a.geometry)
        for a in HazardArea.objects.for_profile(profile)
    ]
    return readiness_collection(places, hazards)
