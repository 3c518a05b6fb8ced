"""The allocation run form and the approval apply the readiness gate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from homecoming.allocation import services as allocation
from homecoming.allocation.forms import RunForm
from homecoming.readiness import services
from homecoming.readiness.importers import import_hazard_geojson
from homecoming.readiness.models import HazardArea, ItemStatus
from homecoming.readiness.tests.helpers import collection, feature, item, place_complex, policy

pytestmark = pytest.mark.django_db


def form_for(world: Any, complex_: Any) -> RunForm:
    return RunForm(
        {
            "name": "Draw",
            "method": "lottery",
            "district": world.kalbajar.pk,
            "complexes": [complex_.pk],
            "policy": "",
        }
    )


def test_the_run_form_refuses_a_complex_missing_a_required_item_and_says_why(
    world: Any, client: Client
) -> None:
    policy("electricity")
    form = form_for(world, world.kalbajar_complex)
    assert not form.is_valid() and "complexes" in form.errors
    client.force_login(world.orkhan)
    page = client.get("/allocation/new/").content.decode()
    assert "Complex KLB-RC1 — not ready: Electricity: not recorded yet." in page
    assert "disabled" in page


def test_finishing_the_item_lets_the_run_form_take_the_complex(world: Any) -> None:
    policy("electricity")
    power = item(world.kalbajar_complex, "electricity", ItemStatus.IN_PROGRESS)
    assert not form_for(world, world.kalbajar_complex).is_valid()
    services.do_save_item(kind=power.kind, item=power, user=None, status=ItemStatus.DONE)
    assert form_for(world, world.kalbajar_complex).is_valid()


def test_a_complex_near_an_unreleased_hazard_area_cannot_receive_an_allocation(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = allocation.do_create_run(
            user=world.orkhan,
            name="Draw",
            method="lottery",
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
        )
    run.refresh_from_db()
    place_complex(world.kalbajar_complex)
    doc = json.dumps(collection(feature("HA-9", "suspected")))
    import_hazard_geojson("a.geojson", doc, world.kalbajar, None)
    form = form_for(world, world.kalbajar_complex)
    assert not form.is_valid()
    with pytest.raises(allocation.ApprovalError, match="hazard area HA-9 \\(suspected\\)"):
        allocation.do_approve_run(run, world.orkhan)
    area = HazardArea.objects.get(code="HA-9")
    services.do_set_hazard_status(area, "released", world.kamran)
    assert form_for(world, world.kalbajar_complex).is_valid()
    assert allocation.do_approve_run(run, world.orkhan) == 3
