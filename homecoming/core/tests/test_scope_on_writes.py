"""Scope on writes, the rules the permission walks do not spell out one by one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homecoming.handover.models import Offer, OfferStatus
from homecoming.registry import importers
from homecoming.registry.models import Group, Household
from homecoming.testing import World, make_scene

pytestmark = pytest.mark.django_db


def test_expire_now_by_a_district_officer_leaves_the_other_districts_offers_alone() -> None:
    scene = make_scene()
    past = timezone.now() - timedelta(days=1)
    Offer.objects.filter(pk__in=[scene.kalbajar.offer_b.pk, scene.lachin.offer_b.pk]).update(
        deadline=past
    )
    client = Client()
    kamran: Any = scene.world.kamran
    client.force_login(kamran)
    client.post("/handover/offers/expire/")
    assert Offer.objects.get(pk=scene.kalbajar.offer_b.pk).status == OfferStatus.EXPIRED
    assert Offer.objects.get(pk=scene.lachin.offer_b.pk).status == OfferStatus.PENDING


def test_a_group_is_its_families_district_and_an_empty_one_anyones(world: World) -> None:
    empty = Group.objects.create(code="G-EMPTY", kind="relatives")
    kalbajar = world.kamran.profile
    lachin = world.leyla.profile
    assert set(Group.objects.for_profile(kalbajar)) == {Group.objects.get(code="G1"), empty}
    assert set(Group.objects.for_profile(lachin)) == {empty}
    assert Group.objects.for_profile(world.ayten.profile).count() == 2


def test_an_appeal_names_an_offer_of_its_own_family(api: Any) -> None:
    scene = make_scene()
    d = scene.kalbajar
    response = api(scene.world.ayten).post(
        "/api/appeals/",
        {"household": d.waiting.reg_number, "offer": d.offer_a.pk, "kind": "appeal", "text": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "offer" in response.json()


def test_a_ceremony_on_another_districts_complex_is_refused_even_for_the_administrator(
    api: Any,
) -> None:
    scene = make_scene()
    response = api(scene.world.ayten).post(
        "/api/ceremonies/",
        {
            "district": scene.kalbajar.district.pk,
            "complex": scene.lachin.complex.pk,
            "held_at": "2030-06-01T10:00:00Z",
            "place": "Hall",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"complex": ["not in this district"]}


def test_an_officers_import_may_not_name_another_districts_group_or_destination(
    world: World,
) -> None:
    lachin_group = Group.objects.create(code="G-LAC", kind="relatives")
    Household.objects.filter(reg_number="LAC-1").update(group=lachin_group)
    table = importers.Table(
        "households.csv",
        ["reg_number", "origin", "shelter_kind", "registered_on", "group", "destination"],
        [(2, ["NEW-1", "AZ110101", "dormitory", "2020-01-01", "G-LAC", "AZ110201"])],
    )
    plan = importers.validate(table, None, district_id=world.kalbajar.pk)
    fields = {e.field for e in plan.errors}
    assert {"group", "destination"} <= fields
    assert not plan.households


def test_scope_relations_reaches_nested_serializers_and_many_to_many(world: World) -> None:
    from rest_framework import serializers

    from homecoming.core.api import scope_relations
    from homecoming.housing.models import ResidentialComplex

    class Child(serializers.Serializer[Any]):
        household = serializers.SlugRelatedField(
            slug_field="reg_number", queryset=Household.objects.all()
        )

    class Parent(serializers.Serializer[Any]):
        complexes = serializers.SlugRelatedField(
            slug_field="code", many=True, queryset=ResidentialComplex.objects.all()
        )
        families = Child(many=True)
        one = Child()

    parent = Parent()
    scope_relations(parent, world.kamran.profile)
    fields: Any = parent.fields
    assert set(fields["complexes"].child_relation.get_queryset()) == {world.kalbajar_complex}
    for nested in (fields["families"].child, fields["one"]):
        regs = {h.reg_number for h in nested.fields["household"].get_queryset()}
        assert regs == {"KLB-1", "KLB-2", "KLB-3"}


def test_a_scoped_form_offers_only_the_users_districts_choices(world: World) -> None:
    from django import forms

    from homecoming.core.scoping import ScopedFormMixin
    from homecoming.housing.models import ResidentialComplex

    class Choose(ScopedFormMixin, forms.Form):
        complexes = forms.ModelMultipleChoiceField(ResidentialComplex.objects.all())
        family = forms.ModelChoiceField(Household.objects.all(), to_field_name="reg_number")

    form = Choose(
        {"complexes": [world.lachin_complex.pk], "family": "LAC-1"}, profile=world.kamran.profile
    )
    assert not form.is_valid()
    assert set(form.errors) == {"complexes", "family"}
    national = Choose(
        {"complexes": [world.lachin_complex.pk], "family": "LAC-1"}, profile=world.ayten.profile
    )
    assert national.is_valid()


def test_api_modules_read_input_only_through_the_scoped_helpers() -> None:
    """A serializer built by hand in a viewset would escape the scoping of its relations:
    inputs go through `get_serializer()` or `validated_input()` (core/api.py)."""
    from pathlib import Path

    import homecoming

    root = Path(homecoming.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("*/api.py")
        if path.parent.name != "core" and "is_valid(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_a_district_officers_only_district_is_chosen_for_them_in_a_new_form(
    world: World, client: Any
) -> None:
    client.force_login(world.kamran)
    page = client.get("/handover/convoys/").content.decode()
    chosen = f'<option value="{world.kalbajar.pk}" selected>'
    assert chosen in page
    client.force_login(world.ayten)  # an administrator chooses among all districts
    assert chosen not in client.get("/handover/convoys/").content.decode()
