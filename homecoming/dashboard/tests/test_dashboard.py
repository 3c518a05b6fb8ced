"""The dashboard: its figures are the registry's and housing's own counts, per scope, in a
fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from homecoming.housing.models import Unit
from homecoming.registry.models import Household
from homecoming.testing import World, make_family

pytestmark = pytest.mark.django_db


def dashboard_for(user: Any) -> Any:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.context


def test_the_figures_are_the_registrys_and_housings_counts(world: World) -> None:
    f = dashboard_for(world.ayten)["f"]
    assert f["families"]["registered"] == Household.objects.count() == 4
    assert f["homes"]["total"] == Unit.objects.count() == 8
    free = sum(f["homes"][s] for s in ("planned", "building", "built", "ready"))
    assert free == Unit.objects.filter(status="free").count()
    settlement_totals = sum(row["total"] for row in f["places"])
    assert settlement_totals == Unit.objects.count()


def test_a_district_officer_sees_only_their_districts_figures(world: World) -> None:
    f = dashboard_for(world.leyla)["f"]
    assert f["families"]["registered"] == Household.objects.filter(district=world.lachin).count()
    assert (
        f["homes"]["total"]
        == Unit.objects.filter(building__complex__settlement__parent=world.lachin).count()
    )


def test_the_dashboard_costs_the_same_queries_with_more_families(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(world.ayten)
    client.get("/")
    with django_assert_max_num_queries(40) as small:
        client.get("/")
    for i in range(30):
        make_family(f"KLB-Q{i}", world.zar, 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/")


def test_an_open_offer_is_not_counted_as_a_home_allocated(world: World) -> None:
    from homecoming.testing import give_home

    units = list(Unit.objects.filter(building__complex=world.kalbajar_complex).order_by("pk"))
    offered, accepted = Household.objects.filter(district=world.kalbajar).order_by("pk")[:2]
    for unit, family, path in (
        (units[0], offered, ["offered"]),
        (units[1], accepted, ["offered", "allocated"]),
    ):
        give_home(unit, family, path[-1])
        for status in path:  # the family's own status, one allowed step at a time
            Household.objects.filter(pk=family.pk).update(status=status)
    families = dashboard_for(world.ayten)["f"]["families"]
    assert (families["offered"], families["allocated"]) == (1, 1)
    assert families["allocated"] == Household.objects.filter(status="allocated").count()
