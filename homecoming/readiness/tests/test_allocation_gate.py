"""Lots may be drawn for homes not ready yet (programmes draw in advance): the run form shows
the gate's reasons, and approval holds those homes with offers that wait without a deadline."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from homecoming.allocation import services as allocation
from homecoming.allocation.forms import RunForm
from homecoming.core.testing import World
from homecoming.handover import services as handover
from homecoming.handover.models import Offer
from homecoming.housing.models import Unit, UnitStatus
from homecoming.readiness import services
from homecoming.readiness.importers import import_hazard_geojson
from homecoming.readiness.models import HazardArea, ItemStatus
from homecoming.readiness.tests.helpers import (
    collection,
    feature,
    item,
    place_complex,
    policy,
    record_ready,
)

pytestmark = pytest.mark.django_db


def form_for(world: World, complex_: Any) -> RunForm:
    return RunForm(
        {
            "name": "Draw",
            "method": "lottery",
            "district": world.kalbajar.pk,
            "complexes": [complex_.pk],
            "policy": "",
        },
        profile=world.orkhan.profile,
    )


def draw(world: World, capture: Any) -> Any:
    with capture(execute=True):
        run = allocation.do_create_run(
            user=world.orkhan,
            name="Draw",
            method="lottery",
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
        )
    run.refresh_from_db()
    return run


def test_the_run_form_takes_a_complex_not_ready_and_says_why_it_is_not(
    world: World, client: Client
) -> None:
    policy("electricity")
    assert form_for(world, world.kalbajar_complex).is_valid()
    client.force_login(world.orkhan)
    page = client.get("/allocation/new/").content.decode()
    assert (
        "Complex KLB-RC1 — not ready yet (offers will wait for it): "
        "Electricity: not recorded yet." in page
    )


def test_approval_on_a_complex_not_ready_holds_the_homes_without_a_deadline(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    policy("electricity")
    power = item(world.kalbajar_complex, "electricity", ItemStatus.IN_PROGRESS)
    run = draw(world, django_capture_on_commit_callbacks)
    assert allocation.do_approve_run(run, world.orkhan) == 3
    offers = list(Offer.objects.filter(run=run))
    assert len(offers) == 3 and all(o.deadline is None for o in offers)
    assert Unit.objects.filter(status=UnitStatus.OFFERED, household__isnull=False).count() == 3
    assert handover.do_start_deadlines() == 0, "still not ready"
    services.do_save_item(kind=power.kind, item=power, user=None, status=ItemStatus.DONE)
    assert handover.do_start_deadlines() == 3
    assert all(o.deadline is not None for o in Offer.objects.filter(run=run))


def test_a_complex_near_an_unreleased_hazard_area_gets_no_deadline_until_released(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    record_ready(world.kalbajar_city)
    run = draw(world, django_capture_on_commit_callbacks)
    place_complex(world.kalbajar_complex)
    doc = json.dumps(collection(feature("HA-9", "suspected")))
    import_hazard_geojson("a.geojson", doc, world.kalbajar, None)
    assert form_for(world, world.kalbajar_complex).is_valid()
    assert allocation.do_approve_run(run, world.orkhan) == 3
    offer = Offer.objects.filter(run=run).select_related("unit__building__complex__settlement")[0]
    assert offer.deadline is None
    with pytest.raises(handover.NotReady) as refused:
        handover.check_home_ready(offer.unit, "Key handover")
    assert any("hazard area HA-9 (suspected)" in r for r in refused.value.reasons)
    area = HazardArea.objects.get(code="HA-9")
    services.do_set_hazard_status(area, "released", world.kamran)
    assert handover.do_start_deadlines() == 3
