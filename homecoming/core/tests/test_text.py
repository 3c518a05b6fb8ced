"""Language-aware text helpers."""

from __future__ import annotations

import doctest

from django.utils import translation

from homecoming.core import text


def test_it_lowercases_azerbaijani_dotted_and_dotless_i() -> None:
    with translation.override("az"):
        assert text.lowercase("İcra olunur") == "icra olunur"
        assert text.lowercase("QIZ") == "qız"


def test_its_examples_hold() -> None:
    assert doctest.testmod(text).failed == 0
