"""What a user may see: one district-scoping rule shared by every app's querysets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

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
