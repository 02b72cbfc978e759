"""The two roles in a couple using trustkit."""

from __future__ import annotations

import enum

__all__ = ["Role"]


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
