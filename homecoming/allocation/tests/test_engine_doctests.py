"""The examples in the engine's docstrings run (every module of the package)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import homecoming.allocation.engine as engine

MODULES = ["homecoming.allocation.engine"] + [
    m.name for m in pkgutil.iter_modules(engine.__path__, "homecoming.allocation.engine.")
]


def test_the_list_of_engine_modules_is_not_empty() -> None:
    assert "homecoming.allocation.engine.planner" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_of_the_engine_run(name: str) -> None:
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(module)
    assert failed == 0
