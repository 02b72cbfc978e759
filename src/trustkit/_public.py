"""Naming a class or function of a private module by the public name it is exported under."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import TypeVar

import attrs

C = TypeVar("C", bound=Callable[..., object])


def public(obj: C, module: str = "trustkit") -> C:
    """Set ``obj.__module__`` to its public module, so reprs and pickles never name ours.

    ``pickle`` saves a class or function by ``__module__`` and ``__qualname__``
    and finds it there again on loading, so a pickle made with the public name
    keeps loading when the private module that defines it is renamed or split.
    (The lazily imported names of ``trustkit`` are found through its module
    ``__getattr__``.) A function still reads its globals from the module that
    defines it (``__globals__``), so nothing else changes for it.

    A class's string annotations (``from __future__ import annotations``) are
    resolved in the module that defines them, so they are resolved here first,
    while that is still the class's module: afterwards
    ``typing.get_type_hints``, attrs and cattrs see real types and never look
    names up in ``trustkit``.
    """
    if isinstance(obj, type):
        own = inspect.get_annotations(obj)
        hints = typing.get_type_hints(obj)
        obj.__annotations__ = {name: hints[name] for name in own}
        if attrs.has(obj):
            attrs.resolve_types(obj)
    obj.__module__ = module
    return obj
