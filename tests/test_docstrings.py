"""The examples in trustkit's docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import trustkit


def _modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.walk_packages(trustkit.__path__, prefix="trustkit.")
        if info.name != "trustkit.__main__"
    ]
    return [trustkit, *(importlib.import_module(name) for name in names)]


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    """Every >>> example in the module's docstrings holds."""
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module.__name__}"


def test_the_examples_are_found() -> None:
    """The doctest run above actually sees examples (so it cannot pass vacuously)."""
    finder = doctest.DocTestFinder()
    found = sum(len(t.examples) for m in _modules() for t in finder.find(m))
    assert found >= 5
