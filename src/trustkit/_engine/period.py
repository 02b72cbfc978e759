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

import bisect
import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, repeat

from trustkit.errors import AnswerError, AnswerProblem, ProblemCode
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

    def said_yes(self, safety_questions: tuple[str, ...]) -> dict[str, bool]:
        """The safety questions this respondent answered yes in the period, all taken together.

        "Yes" means ``True``, exactly as `positive` decides a positive screen:
        a truthy answer of another type (``1``, ``"yes"``) is not a yes here either.
        """
        return {
            q: True
            for checkin in self.own
            for q in safety_questions
            if checkin.answers.get(q) is True
        }


def positive(checkin: CheckIn, safety_questions: tuple[str, ...]) -> bool:
    """Whether a check-in answered yes to any of the safety questions."""
    answers = checkin.answers
    # The check-in's own dict when it has one: Mapping.get on the read-only view goes
    # through Python-level methods (and an exception per missing key). All in C below.
    get = getattr(answers, "_data", answers).get
    return any(map(operator.is_, map(get, safety_questions), repeat(True)))


def safety_period(
    history: Sequence[object],
    today: dt.datetime,
    role: Role,
    safety_questions: tuple[str, ...],
    weeks: int,
    ordered: bool = False,
) -> SafetyPeriod | None:
    """The safety period open today, if any earlier check-in (either role) opened one.

    Every check-in in the history is looked at, not only the recent window:
    a disclosure is remembered for the whole period however often the couple
    checks in. (Today's own check-in may be in the history: if it is a
    positive screen, today's safety rules decide before the period matters.)

    With ``ordered`` (the history is a sequence, oldest first), the period's
    check-ins are found by bisection and only they are read; each of them is
    checked to be in order, so a history that is not sorted is an error
    rather than a positive screen missed.

    The check-ins are read at C speed (see `_maybe_positive`); only the few
    that may be positive screens are then looked at one by one, exactly as
    a plain loop over every check-in would.

    Raises:
        AnswerError: An item of the history is not a CheckIn, or an ordered
            history is not in order.
    """
    start = today - dt.timedelta(weeks=weeks)
    if ordered:
        history = _period_slice(history, start, today)
    try:
        candidates = _maybe_positive(history, _yes(safety_questions), ordered)
    except Exception:  # anything odd: the plain loop below names it, or copes with it
        candidates = None
    return _scan(
        history if candidates is None else candidates, start, today, role, safety_questions, ordered
    )


def _scan(
    history: Iterable[object],
    start: dt.datetime,
    today: dt.datetime,
    role: Role,
    safety_questions: tuple[str, ...],
    ordered: bool,
) -> SafetyPeriod | None:
    """The plain loop: each check-in checked, in order, and screened with `positive`."""
    since: dt.datetime | None = None
    own: list[CheckIn] = []
    previous: dt.datetime | None = None
    for checkin in history:
        if not isinstance(checkin, CheckIn):
            raise AnswerError(
                [AnswerProblem("history", "CheckIn objects", code=ProblemCode.WRONG_TYPE)]
            )
        at = checkin.at
        if ordered:
            if previous is not None and at < previous:
                raise AnswerError([AnswerProblem("history", ORDER, code=ProblemCode.OUT_OF_ORDER)])
            previous = at
        if at <= start or at > today or not positive(checkin, safety_questions):
            continue
        if since is None or at < since:
            since = at
        if checkin.respondent is role:
            own.append(checkin)
    if since is None:
        return None
    return SafetyPeriod(since, tuple(own))


ORDER = "check-ins oldest first (history_ordered=True)"
_AT = operator.attrgetter("at")
# A slot's descriptor, called directly, reads the slot and checks the type in one C call:
# it raises TypeError for anything that is not a CheckIn (a subclass is one).
_AT_OF: Callable[[object], dt.datetime] = vars(CheckIn)["at"].__get__
_ANSWERS_OF: Callable[[object], object] = vars(CheckIn)["answers"].__get__
_DATA = operator.attrgetter("_data")
_ANSWERS_DATA = operator.attrgetter("answers._data")
_ITEMS = dict.items
_DISJOINT: Callable[..., bool] = type({}.items()).isdisjoint


@functools.lru_cache(maxsize=16)
def _yes(safety_questions: tuple[str, ...]) -> frozenset[tuple[str, bool]]:
    """A yes to each safety question, as ``(question, True)`` pairs of a dict's items."""
    return frozenset(zip(safety_questions, repeat(True)))


def _maybe_positive(
    history: Sequence[object], yes: frozenset[tuple[str, bool]], ordered: bool
) -> list[object] | None:
    """The check-ins that may be positive screens, in history order, found at C speed.

    A superset: a check-in whose answers hold a ``(question, True)`` pair of
    ``yes``, by ``==``, so an answer of ``1`` or ``1.0`` is kept too, and
    `positive` (which asks for ``True`` itself) decides. Every item is checked
    to be a CheckIn (a TypeError otherwise), and with ``ordered`` the dates
    to be in order; ``None`` when they are not, for the plain loop to name.
    Anything unexpected (an answer that cannot be compared) raises, and the
    caller falls back to the plain loop.
    """
    if ordered:
        dates = list(map(_AT_OF, history))  # every item a CheckIn, or a TypeError
        # Sorting is stable and its order unique: the dates are in order if sorting keeps them.
        if dates != sorted(dates):
            return None
        data = map(_ANSWERS_DATA, history)
    else:
        data = map(_DATA, map(_ANSWERS_OF, history))  # every item a CheckIn, or a TypeError
    said_no = map(_DISJOINT, map(_ITEMS, data), repeat(yes))
    return list(compress(history, map(operator.not_, said_no)))


def recent(history: Sequence[object], start: dt.datetime, window: int) -> Sequence[object]:
    """The check-ins of an unordered history dated after ``start``, in history order.

    One pass at C speed (``map`` and ``compress``, no Python-level loop per
    check-in) keeps every check-in dated after ``start``: every check-in of
    the safety period that begins then (and any dated after today, which
    the window refuses). Each date is read through the slot's descriptor,
    which checks in the same C call that the item is a CheckIn. When fewer
    than ``window`` + 1 are kept, the most recent check-ins are not all
    among them, and the whole history is returned instead, so the window is
    always the one the whole history gives.

    Raises:
        AnswerError: An item of the history is not a CheckIn.
    """
    try:
        kept = list(compress(history, map(operator.lt, repeat(start), map(_AT_OF, history))))
    except TypeError:
        raise AnswerError(
            [AnswerProblem("history", "CheckIn objects", code=ProblemCode.WRONG_TYPE)]
        ) from None
    return kept if len(kept) > window else history


def _period_slice(
    history: Sequence[object], start: dt.datetime, today: dt.datetime
) -> Sequence[object]:
    """The check-ins of an ordered history dated after ``start`` and up to ``today``.

    The check-ins on either side of the slice are checked too, so that the
    slice's edges are where the order says they are.
    """
    try:
        lo = bisect.bisect_right(history, start, key=_AT)
        hi = bisect.bisect_right(history, today, key=_AT, lo=lo)
    except (AttributeError, TypeError):
        raise AnswerError(
            [AnswerProblem("history", "CheckIn objects", code=ProblemCode.WRONG_TYPE)]
        ) from None
    return history[max(lo - 1, 0) : hi + 1]


__all__ = ["ORDER", "SafetyPeriod", "positive", "recent", "safety_period"]
