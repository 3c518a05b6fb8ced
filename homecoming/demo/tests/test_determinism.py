"""The demo is deterministic: loaded twice, the same rows (its own module, on an empty
database: the other demo tests share one loaded demo per module)."""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.demo.scenario import do_load_demo
from homecoming.housing.models import Building, ResidentialComplex, Unit
from homecoming.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def test_the_demo_is_the_same_every_time(db: Any) -> None:
    do_load_demo()
    first = list(
        Person.objects.order_by("national_id").values_list("surname", "given_name", "national_id")[
            :50
        ]
    )
    from homecoming.core.audit import audit_maintenance
    from homecoming.dashboard.models import ProgrammeSnapshot
    from homecoming.handover.models import Occupancy

    with audit_maintenance():  # kept snapshots are append-only: only maintenance empties them
        ProgrammeSnapshot.objects.all()._raw_delete(ProgrammeSnapshot.objects.db)
    Occupancy.objects.all().delete()
    Unit.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    Building.objects.all().delete()
    ResidentialComplex.objects.all().delete()
    from homecoming.geography.models import Area
    from homecoming.registry.models import Group

    Group.objects.all().delete()
    for level in ["settlement", "district", "region", "country"]:
        Area.objects.filter(level=level).delete()
    do_load_demo()
    again = list(
        Person.objects.order_by("national_id").values_list("surname", "given_name", "national_id")[
            :50
        ]
    )
    assert first == again
