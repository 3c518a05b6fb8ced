"""The selects written out in Python give Django's own HTML."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test.html import parse_html

from homecoming.core.widgets import QuickNullBooleanSelect, QuickSelect

CHOICES: list[Any] = [
    ("", "---------"),
    ("tent", 'Tent <camp> & "site"'),
    ("Places", [("klb", "Kəlbəcər"), ("lac", "Laçın")]),
    (3, "Three"),
]


@pytest.mark.parametrize("value", [None, "", "tent", "lac", 3, "missing"])
def test_a_quick_select_draws_what_djangos_select_draws(value: Any) -> None:
    attrs = {"id": "id_kind", "class": "x", "required": True, "disabled": False}
    ours = QuickSelect(choices=CHOICES).render("kind", value, attrs)
    django = forms.Select(choices=CHOICES).render("kind", value, attrs)
    assert parse_html(ours) == parse_html(django)
    assert "<script" not in ours and "&lt;camp&gt;" in ours


@pytest.mark.parametrize("value", [None, True, False, "true", "unknown"])
def test_a_quick_yes_no_select_draws_what_djangos_draws(value: Any) -> None:
    ours = QuickNullBooleanSelect().render("in_group", value, {"id": "id_in_group"})
    django = forms.NullBooleanSelect().render("in_group", value, {"id": "id_in_group"})
    assert parse_html(ours) == parse_html(django)


def test_a_multiple_select_keeps_every_choice_selected() -> None:
    widget = QuickSelect(choices=CHOICES)
    widget.allow_multiple_selected = True
    ours = widget.render("kind", ["tent", "klb"])
    assert parse_html(ours) == parse_html(
        forms.SelectMultiple(choices=CHOICES).render("kind", ["tent", "klb"])
    )
