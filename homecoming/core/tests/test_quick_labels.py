"""A choice's label is read from a plain dict, in the reader's language, once per call."""

from __future__ import annotations

from unittest import mock

from django.utils import translation

from homecoming.handover.models import Offer
from homecoming.registry.models import Household, HouseholdStatus, ShelterKind


def test_a_label_is_the_choice_in_the_readers_language_and_an_unknown_code_itself() -> None:
    family = Household(status=HouseholdStatus.OFFERED, shelter_kind=ShelterKind.TENT)
    for language in ("en", "az", "ru"):
        with translation.override(language):
            assert family.get_status_display() == str(HouseholdStatus.OFFERED.label)
            assert family.get_shelter_kind_display() == str(ShelterKind.TENT.label)
    with translation.override("ru"):
        assert family.get_status_display() != HouseholdStatus.OFFERED.value  # translated
    assert Household(status="not-a-status").get_status_display() == "not-a-status"
    assert Offer(status="pending").get_status_display() == "Waiting for an answer"


def test_one_label_is_translated_per_call_not_every_choice() -> None:
    family = Household(status=HouseholdStatus.OFFERED)
    with mock.patch("django.utils.translation._trans.gettext", side_effect=str) as gettext:
        family.get_status_display()
    assert gettext.call_count == 1
