"""The examples in the engine's docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "",
    ".errors",
    ".model",
    ".csvio",
    ".checker",
    ".core",
    ".metrics",
    ".optimal",
    ".lottery",
]


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_of_the_engine_run(name: str) -> None:
    module = importlib.import_module("homecoming.allocation.engine" + name)
    failed, _ = doctest.testmod(module)
    assert failed == 0
