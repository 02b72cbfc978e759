"""Safety over time: a positive safety screen opens a safety period for the couple.

A yes to any safety-screen question is remembered for the pack's
``safety_period_weeks`` (at least 52). While the period lasts:

- the partner who answered yes is offered help for themselves, never couples
  work, whatever their later answers say (one "no" does not clear a positive
  screen);
- the other partner gets an ordinary recommendation with couples work taken
  out, and no fact compares them with a check-in from the period. Nothing in
  it reveals that there was a disclosure.

The reasoning and the sources are in docs/safety.md ("Safety over time").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from trustkit.errors import AnswerError, AnswerProblem
from trustkit.models import CheckIn, Role


class SafetyPeriod:
    """An open safety period, as seen by the partner checking in now.

    Attributes:
        since: When the earliest positive screen still inside the period was
            given: no comparison may use a check-in from then on.
        own: This respondent's own positive screens inside the period, in the
            order the history gave them.
    """

    __slots__ = ("own", "since")

    def __init__(self, since: dt.datetime, own: tuple[CheckIn, ...]) -> None:
        self.since = since
        self.own = own


def positive(checkin: CheckIn, safety_questions: tuple[str, ...]) -> bool:
    """Whether a check-in answered yes to any of the safety questions."""
    answers = checkin.answers
    return any(answers.get(q) is True for q in safety_questions)


def safety_period(
    history: Iterable[object],
    today: dt.datetime,
    role: Role,
    safety_questions: tuple[str, ...],
    weeks: int,
) -> SafetyPeriod | None:
    """The safety period open today, if any earlier check-in (either role) opened one.

    Every check-in in the history is looked at, not only the recent window:
    a disclosure is remembered for the whole period however often the couple
    checks in. (Today's own check-in may be in the history: if it is a
    positive screen, today's safety rules decide before the period matters.)

    Raises:
        AnswerError: An item of the history is not a CheckIn.
    """
    start = today - dt.timedelta(weeks=weeks)
    since: dt.datetime | None = None
    own: list[CheckIn] = []
    for checkin in history:
        if not isinstance(checkin, CheckIn):
            raise AnswerError([AnswerProblem("history", "CheckIn objects")])
        at = checkin.at
        if at <= start or at > today or not positive(checkin, safety_questions):
            continue
        if since is None or at < since:
            since = at
        if checkin.respondent is role:
            own.append(checkin)
    if since is None:
        return None
    return SafetyPeriod(since, tuple(own))


__all__ = ["SafetyPeriod", "positive", "safety_period"]
