"""Household filters, shared by the list page and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.privacy import PersonalField, visible_fields
from homecoming.core.widgets import QuickNullBooleanSelect, QuickSelect
from homecoming.geography.models import Area
from homecoming.registry.models import Household, HouseholdStatus, Person, ShelterKind


class HouseholdFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="search", label=_("Search"))
    # Drawn on every load of the families list: selects written out in Python (core.widgets).
    status = django_filters.ChoiceFilter(choices=HouseholdStatus.choices, widget=QuickSelect)
    shelter_kind = django_filters.ChoiceFilter(choices=ShelterKind.choices, widget=QuickSelect)
    origin = django_filters.ModelChoiceFilter(
        queryset=Area.objects.settlements(),
        field_name="origin",
        to_field_name="code",
        widget=QuickSelect,
    )
    priority = django_filters.NumberFilter()
    in_group = django_filters.BooleanFilter(
        field_name="group", lookup_expr="isnull", exclude=True, widget=QuickNullBooleanSelect
    )
    needs_step_free = django_filters.BooleanFilter(
        method="step_free", widget=QuickNullBooleanSelect
    )

    class Meta:
        model = Household
        fields = ["q", "status", "shelter_kind", "origin", "priority", "in_group"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.personal = visible_fields(user)
        if PersonalField.NEEDS not in self.personal:
            # filtering by a hidden need would reveal who has it
            del self.filters["needs_step_free"]

    def search(self, queryset: QuerySet[Household], name: str, value: str) -> QuerySet[Household]:
        return queryset.search(value, self.personal)  # type: ignore[attr-defined,no-any-return]

    def step_free(
        self, queryset: QuerySet[Household], name: str, value: bool | None
    ) -> QuerySet[Household]:
        if value is None:
            return queryset
        needs = Exists(Person.objects.filter(household=OuterRef("pk"), needs_step_free=True))
        return queryset.filter(needs if value else ~needs)
