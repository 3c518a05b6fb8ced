"""What a user may see, and so what a user may point at: one district-scoping rule shared by
every app's querysets, the API's serializers and the pages' forms.

A write may only name objects the writer could read: every foreign key or many-to-many
value in an API body or a form is looked up in `for_profile(profile)` of its model, so an
object outside the writer's district is answered exactly like one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django import forms
from django.db import models

if TYPE_CHECKING:
    from homecoming.accounts.models import Profile

M = TypeVar("M", bound=models.Model)


class DistrictScopedQuerySet(models.QuerySet[M]):
    """`for_profile` keeps a district officer to their district; others see everything.

    Subclasses name the lookup from their model to the district's id in `district_lookup`
    (e.g. "household__district_id" for a person).
    """

    district_lookup = "district_id"

    def for_profile(self, profile: Profile) -> Self:
        if profile.district_id is None:
            return self
        return self.filter(**{self.district_lookup: profile.district_id})


class NationalQuerySet(models.QuerySet[M]):
    """Reference data every role reads and may point at (kinds of readiness item...)."""

    def for_profile(self, profile: Profile) -> Self:
        return self


def scoped(queryset: models.QuerySet[Any], profile: Profile) -> models.QuerySet[Any]:
    """`queryset` narrowed to what `profile` may see.

    A model without a scope rule holds nothing for a district officer: failing closed, so a
    new model cannot be pointed at across districts before someone decides its rule.
    """
    for_profile = getattr(queryset, "for_profile", None)
    if for_profile is not None:
        return for_profile(profile)  # type: ignore[no-any-return]
    return queryset if profile.district_id is None else queryset.none()


def has_scope_rule(model: type[models.Model]) -> bool:
    return hasattr(model._default_manager.all(), "for_profile")


def scope_form_fields(form: forms.BaseForm, profile: Profile) -> None:
    """Restrict every model choice of `form` (ModelMultipleChoiceField included)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            field.queryset = scoped(field.queryset, profile)
    preselect_single_choices(form, profile)


def preselect_single_choices(form: forms.BaseForm, profile: Profile) -> None:
    """In a new form, a district officer's only possible choice (their district, its one
    settlement...) is chosen for them rather than left at "---------". Call it again after
    narrowing a field's queryset further."""
    if profile.district_id is None or form.is_bound:
        return
    if getattr(getattr(form, "instance", None), "pk", None) is not None:
        return
    for name, field in form.fields.items():
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        if not isinstance(field, forms.ModelChoiceField) or multiple or not field.required:
            continue
        if form.initial.get(name) is None and field.queryset is not None:
            only = list(field.queryset[:2])
            if len(only) == 1:
                form.initial[name] = only[0].pk


class ScopedFormMixin:
    """A form whose model choices hold only what the user may see: pass `profile=`."""

    def __init__(self, *args: Any, profile: Profile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.profile = profile
        assert isinstance(self, forms.BaseForm)
        scope_form_fields(self, profile)
