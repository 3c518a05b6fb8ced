"""Every example in a docstring is run: a docstring that says `>>> f(1)` and `2` is a test."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import homecoming

SKIPPED_PARTS = {"migrations", "tests"}


def modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(homecoming.__path__, "homecoming."):
        if SKIPPED_PARTS & set(info.name.split(".")):
            continue
        source = importlib.util.find_spec(info.name)
        origin = getattr(source, "origin", None)
        if origin and origin.endswith(".py"):
            with open(origin, encoding="utf-8") as f:
                if ">>> " in f.read():
                    names.append(info.name)
    return names


MODULES = modules_with_examples()


def test_the_examples_are_found() -> None:
    # guard against a finder that finds nothing and so passes vacuously
    assert len(MODULES) >= 10


@pytest.mark.django_db
@pytest.mark.parametrize("name", MODULES)
def test_the_examples_in_the_docstrings_hold(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} mentions >>> but has no example doctest can run"
    assert result.failed == 0
