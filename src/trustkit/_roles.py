"""The two roles in a couple using trustkit."""

from __future__ import annotations

import enum

import attrs

__all__ = ["Role", "for_role", "role_field", "role_texts"]


class Role(enum.StrEnum):
    """Who answers a check-in.

    ``PARTNER`` is the partner who struggles to trust; ``SUPPORTER`` is the
    partner who is helping.

    Added in version 0.1.0.
    """

    PARTNER = "partner"
    SUPPORTER = "supporter"


# Public as trustkit.Role: reprs and pickles name that, not this private module.
Role.__module__ = "trustkit"


def role_field(name: str, role: Role) -> str:
    """The name of a text's version for one role: ``summary_partner``."""
    return f"{name}_{role.value}"


def role_texts(cls: type) -> tuple[str, ...]:
    """The texts of a model that have a version for each role (``summary``: ``summary_partner``).

    Read from the model's fields, so that the engine never needs the pack
    format (`trustkit._pack.spec`, which declares the same and is tested to).
    """
    names = [a.name for a in attrs.fields(cls)]
    return tuple(name for name in names if all(role_field(name, role) in names for role in Role))


def for_role(item: object, name: str, role: Role) -> str:
    """A text as one role reads it: its version for that role where it has one, or else itself."""
    text: str = getattr(item, role_field(name, role)) or getattr(item, name)
    return text
