"""Boundaries: agreements about what is and isn't OK, and how they change over time.

A `Boundary` moves through its lifecycle by methods that each return a new,
immutable record with one more timestamped `BoundaryEvent`::

    proposed --agree (both partners)--> agreed --cross--> crossed --review--> reviewed
    agreed --review--> reviewed        reviewed --cross--> crossed
    reviewed --review--> reviewed
    any status but retired --retire--> retired

The original record never changes, so an app can keep every version.

    >>> import datetime as dt
    >>> at = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)
    >>> b = Boundary.propose("b1", "Phones stay private", by="partner", at=at)
    >>> b = b.agree(by="supporter", at=at + dt.timedelta(hours=1))
    >>> b.status, b.in_force
    (<BoundaryStatus.AGREED: 'agreed'>, True)
    >>> [event.status.value for event in b.events]
    ['proposed', 'agreed']
    >>> b.retire(at=at).status
    Traceback (most recent call last):
    ...
    trustkit.errors.BoundaryError: 1 problem in the boundary: at: ...
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from typing import TypeGuard

import attrs

from trustkit._public import public
from trustkit._roles import Role
from trustkit.errors import AnswerProblem, BoundaryError, ProblemCode

__all__ = ["Boundary", "BoundaryError", "BoundaryEvent", "BoundaryStatus"]


class BoundaryStatus(enum.StrEnum):
    """Where a `Boundary` stands.

    Added in version 0.1.0.
    """

    PROPOSED = "proposed"
    """One partner has put it forward; not both have agreed yet."""
    AGREED = "agreed"
    """Both partners have agreed: it is in force."""
    CROSSED = "crossed"
    """It was crossed and has not been talked through yet."""
    REVIEWED = "reviewed"
    """The couple looked at it again (after a crossing or on schedule): it is in force."""
    RETIRED = "retired"
    """No longer in use. Final."""


# --------------------------------------------------------------------------- helpers

_ROLE_VALUES = frozenset(role.value for role in Role)
_STATUS_VALUES = frozenset(status.value for status in BoundaryStatus)
_ROLE_EXPECTED = "'partner' or 'supporter'"
_STATUS_EXPECTED = "one of " + ", ".join(repr(s.value) for s in BoundaryStatus)


def _to_role(value: object) -> object:
    if isinstance(value, str) and value in _ROLE_VALUES:
        return Role(value)
    return value


def _to_optional_role(value: object) -> object:
    return None if value is None else _to_role(value)


def _to_roles(value: object) -> object:
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_to_role(v) for v in value)
    return value


def _to_status(value: object) -> object:
    if isinstance(value, str) and value in _STATUS_VALUES:
        return BoundaryStatus(value)
    return value


def _to_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _aware(value: object) -> TypeGuard[dt.datetime]:
    return isinstance(value, dt.datetime) and value.utcoffset() is not None


def _is_day(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _hidden(_: object) -> str:
    return "<hidden>"


def _check_at(at: object, last: dt.datetime | None, problems: list[AnswerProblem]) -> None:
    if not _aware(at):
        problems.append(
            AnswerProblem("at", "a timezone-aware datetime", code=ProblemCode.WRONG_TYPE)
        )
        return
    if last is not None and at < last:
        problems.append(
            AnswerProblem(
                "at",
                "a time no earlier than the boundary's last event",
                code=ProblemCode.OUT_OF_ORDER,
            )
        )


def _check_review_on(value: object, problems: list[AnswerProblem]) -> None:
    if value is not None and not _is_day(value):
        problems.append(
            AnswerProblem(
                "review_on", "a date (not a datetime), or None", code=ProblemCode.WRONG_TYPE
            )
        )


def _describe(statuses: tuple[BoundaryStatus, ...]) -> str:
    names = [s.value for s in statuses]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    article = "an" if joined[0] in "aeiou" else "a"
    return f"{article} {joined} boundary"


# --------------------------------------------------------------------------- models


@attrs.frozen
class BoundaryEvent:
    """One step in a boundary's history.

    The ``repr`` hides the note, which is private.

    Added in version 0.2.0.

    Attributes:
        status: The status the boundary had right after this step. An
            agreement by only one of the partners leaves the boundary
            proposed, so its event says ``PROPOSED``; ``by`` tells who agreed.
        at: When it happened; timezone-aware.
        by: Who took the step, when known.
        note: Anything the couple wants to remember about it. Private.

    Raises:
        BoundaryError: A field does not have the right shape.
    """

    status: BoundaryStatus = attrs.field(converter=_to_status)
    at: dt.datetime
    by: Role | None = attrs.field(converter=_to_optional_role)
    note: str = attrs.field(default="", repr=_hidden)

    def __attrs_post_init__(self) -> None:
        problems: list[AnswerProblem] = []
        status: object = self.status  # the converters leave a bad value as it is
        if not isinstance(status, BoundaryStatus):
            problems.append(
                AnswerProblem("status", _STATUS_EXPECTED, code=ProblemCode.INVALID_VALUE)
            )
        _check_at(self.at, None, problems)
        by: object = self.by
        if by is not None and not isinstance(by, Role):
            problems.append(
                AnswerProblem("by", f"{_ROLE_EXPECTED}, or None", code=ProblemCode.INVALID_VALUE)
            )
        note: object = self.note
        if not isinstance(note, str):
            problems.append(AnswerProblem("note", "text", code=ProblemCode.WRONG_TYPE))
        if problems:
            raise BoundaryError(problems)


_PROPOSED = (BoundaryStatus.PROPOSED,)
_CROSSABLE = (BoundaryStatus.AGREED, BoundaryStatus.REVIEWED)
_REVIEWABLE = (BoundaryStatus.AGREED, BoundaryStatus.CROSSED, BoundaryStatus.REVIEWED)
_RETIRABLE = tuple(s for s in BoundaryStatus if s is not BoundaryStatus.RETIRED)
_IN_FORCE = frozenset(_CROSSABLE)


@attrs.frozen
class Boundary:
    """An agreement about what is and isn't OK between the partners.

    Start one with `Boundary.propose` and move it on with `agree`, `cross`,
    `review` and `retire`; each returns a new record with one more event and
    leaves this one unchanged. Each step's ``at`` must be timezone-aware and
    no earlier than the last event's.

    The ``repr`` hides ``what`` and every note, which are private.

    Added in version 0.1.0.

    Attributes:
        id: Stable id chosen by the app.
        what: The boundary, in the couple's words. Private.
        set_by: Who proposed it.
        agreed_by: Who has agreed to it, in the order they agreed.
        status: Where it stands.
        review_on: When the couple means to look at it again, if set.
        events: Its history, oldest first. Empty for a record made directly
            rather than by `propose`.

    Raises:
        BoundaryError: A field does not have the right shape.
    """

    id: str
    what: str = attrs.field(repr=_hidden)
    set_by: Role = attrs.field(converter=_to_role)
    agreed_by: tuple[Role, ...] = attrs.field(default=(), converter=_to_roles)
    status: BoundaryStatus = attrs.field(default=BoundaryStatus.PROPOSED, converter=_to_status)
    review_on: dt.date | None = None
    events: tuple[BoundaryEvent, ...] = attrs.field(default=(), converter=_to_tuple)

    def __attrs_post_init__(self) -> None:
        problems: list[AnswerProblem] = []
        set_by: object = self.set_by  # the converters leave a bad value as it is
        if not isinstance(set_by, Role):
            problems.append(AnswerProblem("set_by", _ROLE_EXPECTED, code=ProblemCode.INVALID_VALUE))
        agreed_by: object = self.agreed_by
        if not isinstance(agreed_by, tuple) or not all(isinstance(r, Role) for r in agreed_by):
            problems.append(
                AnswerProblem(
                    "agreed_by", f"a sequence of {_ROLE_EXPECTED}", code=ProblemCode.INVALID_VALUE
                )
            )
        elif len(set(agreed_by)) != len(agreed_by):
            problems.append(
                AnswerProblem("agreed_by", "each role at most once", code=ProblemCode.DUPLICATE)
            )
        status: object = self.status
        if not isinstance(status, BoundaryStatus):
            problems.append(
                AnswerProblem("status", _STATUS_EXPECTED, code=ProblemCode.INVALID_VALUE)
            )
        _check_review_on(self.review_on, problems)
        events: object = self.events
        if not isinstance(events, tuple) or not all(isinstance(e, BoundaryEvent) for e in events):
            problems.append(
                AnswerProblem("events", "a sequence of BoundaryEvent", code=ProblemCode.WRONG_TYPE)
            )
        elif any(later.at < earlier.at for earlier, later in itertools.pairwise(events)):
            problems.append(
                AnswerProblem("events", "events in time order", code=ProblemCode.OUT_OF_ORDER)
            )
        elif events and events[-1].status != status:
            problems.append(
                AnswerProblem(
                    "events",
                    "a last event with the boundary's status",
                    code=ProblemCode.INVALID_VALUE,
                )
            )
        if problems:
            raise BoundaryError(problems)

    # ------------------------------------------------------------------- lifecycle

    @classmethod
    def propose(
        cls,
        id: str,
        what: str,
        *,
        by: Role | str,
        at: dt.datetime,
        review_on: dt.date | None = None,
        note: str = "",
    ) -> Boundary:
        """Put a new boundary forward.

        The proposer counts as having agreed, so the other partner's
        `agree` puts it in force.

        Args:
            id: Stable id chosen by the app.
            what: The boundary, in the couple's words.
            by: Who proposes it.
            at: When; timezone-aware.
            review_on: When to look at it again, if wanted.
            note: A private note for the first event.

        Returns:
            A ``PROPOSED`` boundary with ``agreed_by == (by,)`` and one event.

        Raises:
            BoundaryError: ``by``, ``at``, ``review_on`` or ``note`` is not valid.
        """
        problems: list[AnswerProblem] = []
        role = _to_role(by)
        if not isinstance(role, Role):
            problems.append(AnswerProblem("by", _ROLE_EXPECTED, code=ProblemCode.INVALID_VALUE))
        _check_at(at, None, problems)
        _check_review_on(review_on, problems)
        _check_note(note, problems)
        if problems:
            raise BoundaryError(problems)
        event = BoundaryEvent(BoundaryStatus.PROPOSED, at, by, note)
        return cls(
            id=id,
            what=what,
            set_by=by,
            agreed_by=(by,),
            status=BoundaryStatus.PROPOSED,
            review_on=review_on,
            events=(event,),
        )

    def agree(self, *, by: Role | str, at: dt.datetime, note: str = "") -> Boundary:
        """Record that one partner agrees to a proposed boundary.

        Once both partners have agreed the boundary is ``AGREED``; until then
        it stays ``PROPOSED``. Either way the new event carries the status the
        boundary has afterwards.

        Args:
            by: Who agrees; must not have agreed already.
            at: When; timezone-aware, no earlier than the last event.
            note: A private note for the event.

        Returns:
            A new boundary with ``by`` added to ``agreed_by`` and one more event.

        Raises:
            BoundaryError: The boundary is not proposed, ``by`` is not a role
                or has already agreed, or ``at`` or ``note`` is not valid.
        """
        problems = self._check_status(_PROPOSED)
        role = _to_role(by)
        agreed_by = self.agreed_by
        if not isinstance(role, Role):
            problems.append(AnswerProblem("by", _ROLE_EXPECTED, code=ProblemCode.INVALID_VALUE))
        elif role in agreed_by:
            if self.status is BoundaryStatus.PROPOSED:  # otherwise the status says it all
                problems.append(
                    AnswerProblem(
                        "by", "a partner who has not agreed yet", code=ProblemCode.NOT_ALLOWED
                    )
                )
        else:
            agreed_by = (*agreed_by, role)
        both = set(agreed_by) == set(Role)
        status = BoundaryStatus.AGREED if both else BoundaryStatus.PROPOSED
        return self._advance(problems, status, at, role, note, agreed_by=agreed_by)

    def cross(self, *, at: dt.datetime, by: Role | str | None = None, note: str = "") -> Boundary:
        """Record that an agreed or reviewed boundary was crossed.

        Args:
            at: When; timezone-aware, no earlier than the last event.
            by: Who crossed it, when known.
            note: A private note for the event.

        Returns:
            A new ``CROSSED`` boundary with one more event.

        Raises:
            BoundaryError: The boundary is not in force, or ``at``, ``by`` or
                ``note`` is not valid.
        """
        problems = self._check_status(_CROSSABLE)
        role = _to_optional_role(by)
        if role is not None and not isinstance(role, Role):
            problems.append(
                AnswerProblem("by", f"{_ROLE_EXPECTED}, or None", code=ProblemCode.INVALID_VALUE)
            )
        return self._advance(problems, BoundaryStatus.CROSSED, at, role, note)

    def review(
        self, *, at: dt.datetime, review_on: dt.date | None = None, note: str = ""
    ) -> Boundary:
        """Record that the couple looked at the boundary again; it is in force afterwards.

        Allowed after a crossing and for a boundary in force (agreed, or
        reviewed before), whether or not its review date has come.

        Args:
            at: When; timezone-aware, no earlier than the last event.
            review_on: The next review date. ``None`` keeps the current one.
            note: A private note for the event.

        Returns:
            A new ``REVIEWED`` boundary with one more event.

        Raises:
            BoundaryError: The boundary is proposed or retired, or ``at``,
                ``review_on`` or ``note`` is not valid.
        """
        problems = self._check_status(_REVIEWABLE)
        _check_review_on(review_on, problems)
        return self._advance(problems, BoundaryStatus.REVIEWED, at, None, note, review_on=review_on)

    def retire(self, *, at: dt.datetime, note: str = "") -> Boundary:
        """Retire the boundary: it is no longer in use. This is final.

        Args:
            at: When; timezone-aware, no earlier than the last event.
            note: A private note for the event.

        Returns:
            A new ``RETIRED`` boundary with one more event.

        Raises:
            BoundaryError: The boundary is already retired, or ``at`` or
                ``note`` is not valid.
        """
        problems = self._check_status(_RETIRABLE)
        return self._advance(problems, BoundaryStatus.RETIRED, at, None, note)

    # --------------------------------------------------------------------- queries

    @property
    def in_force(self) -> bool:
        """``True`` when the boundary is agreed or reviewed."""
        return self.status in _IN_FORCE

    @property
    def last_changed(self) -> dt.datetime | None:
        """When the last event happened, or ``None`` if there are no events."""
        return self.events[-1].at if self.events else None

    def crossed_since(self, when: dt.datetime) -> bool:
        """Whether the boundary was crossed strictly after ``when``.

        Args:
            when: A timezone-aware datetime.

        Returns:
            ``True`` if some ``CROSSED`` event is later than ``when``, even if
            the boundary has been reviewed or retired since.

        Raises:
            BoundaryError: ``when`` is not timezone-aware.
        """
        if not _aware(when):
            raise BoundaryError(
                [AnswerProblem("when", "a timezone-aware datetime", code=ProblemCode.WRONG_TYPE)]
            )
        return any(e.status is BoundaryStatus.CROSSED and e.at > when for e in self.events)

    def due_for_review(self, today: dt.date) -> bool:
        """Whether the couple should look at the boundary again.

        Args:
            today: The date to check against. A datetime counts as its own
                calendar date.

        Returns:
            ``True`` when the boundary is in force or crossed, has a
            ``review_on`` date, and that date is ``today`` or earlier.
        """
        day = today.date() if isinstance(today, dt.datetime) else today
        due = self.in_force or self.status is BoundaryStatus.CROSSED
        return due and self.review_on is not None and self.review_on <= day

    # -------------------------------------------------------------------- internals

    def _check_status(self, allowed: tuple[BoundaryStatus, ...]) -> list[AnswerProblem]:
        if self.status in allowed:
            return []
        if allowed == _RETIRABLE:
            expected = "a boundary that is not retired yet"
        else:
            expected = _describe(allowed)
        return [
            AnswerProblem(
                "status",
                f"{expected} (this one is {self.status.value})",
                code=ProblemCode.NOT_ALLOWED,
            )
        ]

    def _advance(
        self,
        problems: list[AnswerProblem],
        status: BoundaryStatus,
        at: dt.datetime,
        by: object,
        note: str,
        *,
        agreed_by: tuple[Role, ...] | None = None,
        review_on: dt.date | None = None,
    ) -> Boundary:
        _check_at(at, self.last_changed, problems)
        _check_note(note, problems)
        if problems:
            raise BoundaryError(problems)
        return attrs.evolve(
            self,
            agreed_by=self.agreed_by if agreed_by is None else agreed_by,
            status=status,
            review_on=self.review_on if review_on is None else review_on,
            events=(*self.events, BoundaryEvent(status, at, by, note)),
        )


def _check_note(note: object, problems: list[AnswerProblem]) -> None:
    if not isinstance(note, str):
        problems.append(AnswerProblem("note", "text", code=ProblemCode.WRONG_TYPE))


# Public as trustkit.Boundary etc.: reprs and pickles name that, not this private module.
public(BoundaryStatus)
public(BoundaryEvent)
public(Boundary)
