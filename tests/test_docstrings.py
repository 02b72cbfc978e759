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


def _tests(module: ModuleType) -> list[doctest.DocTest]:
    """The module's doctests; for ``trustkit``, those of its lazily imported names too.

    doctest takes an object's examples from the module its ``__module__``
    names. The public functions and classes of private modules say
    ``trustkit``, so their own module skips them, and the lazily imported
    ones (``batch``, ``parse_checkin``...) are not in ``trustkit``'s namespace
    until first used: they are looked up here, by name.
    """
    finder = doctest.DocTestFinder()
    tests = finder.find(module)
    if module is trustkit:
        for name in trustkit.__all__:
            if name not in vars(trustkit):
                obj = getattr(trustkit, name)
                tests += finder.find(obj, f"trustkit.{name}", module=trustkit)
    return tests


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    """Every >>> example in the module's docstrings holds."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    for test in _tests(module):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module.__name__}"


def test_the_examples_are_found() -> None:
    """Every public function's examples are run, wherever it is defined (so none is skipped)."""
    found = {
        test.name.rpartition(".")[2]
        for module in _modules()
        for test in _tests(module)
        if test.examples
    }
    with_examples = {
        name
        for name in trustkit.__all__
        if ">>>" in (getattr(getattr(trustkit, name), "__doc__", None) or "")
    }
    assert {"batch", "parse_checkin", "recommend_next_step", "ProblemCode"} <= with_examples
    assert with_examples <= found
