"""Naming a class defined in a private module by the public name it is exported under."""

from __future__ import annotations

import inspect
import typing
from typing import TypeVar

import attrs

C = TypeVar("C", bound=type)


def public(cls: C, module: str = "trustkit") -> C:
    """Set ``cls.__module__`` to its public module, so reprs and pickles never name ours.

    String annotations (``from __future__ import annotations``) are resolved in
    the module that defines them, so they are resolved here first, while that
    is still the class's module: afterwards ``typing.get_type_hints``, attrs and
    cattrs see real types and never look names up in ``trustkit``.
    """
    own = inspect.get_annotations(cls)
    hints = typing.get_type_hints(cls)
    cls.__annotations__ = {name: hints[name] for name in own}
    if attrs.has(cls):
        attrs.resolve_types(cls)
    cls.__module__ = module
    return cls
