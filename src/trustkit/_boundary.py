"""Boundaries: agreements about what is and isn't OK, and how they change over time."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

import attrs

from trustkit._roles import Role

__all__ = ["Boundary", "BoundaryStatus"]


def _role_tuple(values: Iterable[Role | str]) -> tuple[Role, ...]:
    return tuple(Role(v) for v in values)


class BoundaryStatus(enum.StrEnum):
    """Where a `Boundary` stands."""

    PROPOSED = "proposed"
    AGREED = "agreed"
    CROSSED = "crossed"
    REVIEWED = "reviewed"
    RETIRED = "retired"


@attrs.frozen
class Boundary:
    """An agreement about what is and isn't OK between the partners.

    Attributes:
        id: Stable id chosen by the app.
        what: The boundary, in the couple's words.
        set_by: Who proposed it.
        agreed_by: Who has agreed to it.
        status: Where it stands.
        review_on: When the couple means to look at it again, if set.
    """

    id: str
    what: str
    set_by: Role = attrs.field(converter=Role)
    agreed_by: tuple[Role, ...] = attrs.field(default=(), converter=_role_tuple)
    status: BoundaryStatus = attrs.field(default=BoundaryStatus.PROPOSED, converter=BoundaryStatus)
    review_on: dt.date | None = None
