"""Facts from a couple's history and boundaries, for rules to read.

During a safety period (see `trustkit._engine.period`), the comparisons
(``change``, ``change_since_first``, ``improved``, ``declined`` and ``gap``)
use only check-ins from before the period began.

Only a bounded window of history is processed: the `HISTORY_WINDOW` most recent
earlier check-ins (either role). Finding them is a single pass over the
timestamps; everything else (checks, scores, recommendations of past
check-ins) is done for the window alone, so older history never changes a
fact. (The safety period, which reads every check-in of its 52 weeks for a
positive screen, is worked out separately, in `trustkit._engine.period`.)

Fact names (each is absent when it cannot be known, so a rule that needs it
does not hold):

| fact | value |
| --- | --- |
| ``checkins`` | check-ins in the window, today's included |
| ``weeks_since_first`` | whole weeks since the first check-in in the window |
| ``streak_weeks`` | weeks in a row, up to today, with at least one check-in |
| ``repeats.<step>`` | times in a row the step was this respondent's suggestion |
| ``change.<dim>`` | today's score minus the respondent's previous one |
| ``change_since_first.<dim>`` | today's score minus the respondent's first in the window |
| ``improved.<dim>`` / ``declined.<dim>`` | true when the score rose (fell) meaningfully |
| ``gap.<dim>`` | how far apart the two partners' latest scores are |
| ``boundaries.proposed`` | boundaries proposed but not yet agreed |
| ``boundaries.crossed`` | boundaries crossed since this respondent's previous check-in |
| ``boundaries.due`` | boundaries due for review |
"""

from __future__ import annotations

import datetime as dt
import heapq
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from trustkit.errors import AnswerError, AnswerProblem, ProblemCode

if TYPE_CHECKING:
    from trustkit._boundary import Boundary
from trustkit.models import CheckIn, Role

HISTORY_WINDOW = 12
"""How many earlier check-ins (the most recent, either role) the engine looks at."""

GAP_DAYS = 14
"""The other partner's latest check-in counts for a perception gap if this recent."""

MEANINGFUL_CHANGE = 1.0
"""A score that moves by at least this much has improved (or declined)."""

CONCERN_AT_MOST = 2.0
FINE_AT_LEAST = 3.0
"""Crossing from a concern (2 or less) to fine (3 or more) also counts as improving."""

_AT = operator.attrgetter("at")


def _problem(field: str, expected: str, code: ProblemCode) -> AnswerError:
    return AnswerError([AnswerProblem(field, expected, code=code)])


def window(
    history: Iterable[object],
    today: dt.datetime,
    role: Role,
    current: CheckIn | None = None,
    ordered: bool = False,
) -> list[CheckIn]:
    """The most recent earlier check-ins, oldest first, checked.

    ``history`` holds only CheckIn objects: the engine has already read every
    one of them for the safety period (see `trustkit._engine.period`), which
    names anything else.

    Raises:
        AnswerError: A check-in is dated after today, or appears twice (same
            respondent, same time).
    """
    if ordered:
        assert isinstance(history, Sequence)
        latest = _latest_ordered(history)
    else:
        latest = heapq.nlargest(HISTORY_WINDOW + 1, history, key=_AT)  # type: ignore[arg-type]
    seen: set[tuple[Role, dt.datetime]] = set()
    checked: list[CheckIn] = []
    for checkin in latest:
        if checkin == current:  # today's check-in may already be in the stored history
            continue
        if checkin.at > today:
            raise _problem(
                "history", "check-ins dated no later than today's", ProblemCode.OUT_OF_ORDER
            )
        key = (checkin.respondent, checkin.at)
        if key in seen or (checkin.respondent is role and checkin.at == today):
            raise _problem(
                "history", "each check-in once (one per respondent and time)", ProblemCode.DUPLICATE
            )
        seen.add(key)
        checked.append(checkin)
    checked.reverse()
    return checked[-HISTORY_WINDOW:]


def _latest_ordered(history: Sequence[object]) -> list[CheckIn]:
    """What ``heapq.nlargest`` gives for an ordered history, reading only its end.

    Check-ins sharing the time at the window's edge are all taken, then sorted
    as ``nlargest`` would (newest first, ties in history order), so that the
    window is exactly the one an unordered history gives.
    """
    if not history:
        return []
    lo = max(len(history) - HISTORY_WINDOW - 1, 0)
    try:
        edge = _AT(history[lo])
        while lo and _AT(history[lo - 1]) == edge:
            lo -= 1
        tail: list[CheckIn] = sorted(history[lo:], key=_AT, reverse=True)  # type: ignore[arg-type]
    except AttributeError:
        raise _problem("history", "CheckIn objects", ProblemCode.WRONG_TYPE) from None
    return tail[: HISTORY_WINDOW + 1]


def _crossed(before: float, after: float, improving: bool) -> bool:
    if improving:
        return after - before >= MEANINGFUL_CHANGE or (
            before <= CONCERN_AT_MOST and after >= FINE_AT_LEAST
        )
    return before - after >= MEANINGFUL_CHANGE or (
        before >= FINE_AT_LEAST and after <= CONCERN_AT_MOST
    )


def compute(
    *,
    role: Role,
    today: dt.datetime | None,
    current: CheckIn | None,
    scores: Mapping[str, float],
    history: Iterable[object] | None,
    boundaries: Iterable[object],
    score_of: Callable[[Mapping[str, Any]], Mapping[str, float]],
    recommended_step: Callable[[CheckIn], str],
    compare_before: dt.datetime | None = None,
    ordered: bool = False,
    check_only: bool = False,
) -> dict[str, Any]:
    """Facts (``"@name"``) and the details that explain them (``"#name"``).

    Args:
        role: Who answered today.
        today: When today's check-in happened (needed with history or boundaries).
        current: Today's check-in, when the app passed one (it may be in the history).
        scores: Today's dimension scores (all dimensions).
        history: Earlier check-ins, or None when the app passed none.
        boundaries: The couple's boundaries.
        score_of: Scores of a past check-in's answers.
        recommended_step: The step a past check-in got (stored or recomputed).
        compare_before: During a safety period, when it began: changes and
            perception gaps then use only check-ins from before it.
        ordered: The history is a sequence, oldest first: only its end is read.
        check_only: Check the history and boundaries (the same errors) but work
            out no fact: for a decision that reads none.
    """
    facts: dict[str, Any] = {}
    boundaries = tuple(boundaries)
    if (history is not None or boundaries) and today is None:
        raise _problem(
            "now",
            "a timezone-aware datetime (history and boundaries need a 'today')",
            ProblemCode.MISSING,
        )
    past: list[CheckIn] = []
    if history is not None:
        assert today is not None
        past = window(history, today, role, current, ordered)
    if check_only:
        if boundaries:
            _checked_boundaries(boundaries)
        return facts
    if history is not None:
        assert today is not None
        _journey(facts, past, today)
        own = [c for c in past if c.respondent is role]
        comparable = past
        if compare_before is not None:
            comparable = [c for c in past if c.at < compare_before]
        own_before = [c for c in comparable if c.respondent is role]
        if own_before:
            _changes(facts, scores, own_before, score_of)
        if own:
            _repeats(facts, own, recommended_step)
        other = [c for c in comparable if c.respondent is not role]
        if other and (today - other[-1].at).days <= GAP_DAYS:
            theirs = score_of(other[-1].answers)
            for dim, mine in scores.items():
                if dim in theirs:
                    facts[f"@gap.{dim}"] = abs(mine - theirs[dim])
    if boundaries:
        assert today is not None
        # Crossed since this partner's own last check-in, so that a crossing is not
        # missed because the other partner checked in in between.
        own_past = [c for c in past if c.respondent is role]
        _boundaries(facts, boundaries, today, own_past[-1].at if own_past else None)
    return facts


def _journey(facts: dict[str, Any], past: list[CheckIn], today: dt.datetime) -> None:
    facts["@checkins"] = len(past) + 1
    first = past[0].at if past else today
    facts["@weeks_since_first"] = (today - first).days // 7
    facts["#journey"] = {"checkins": len(past) + 1, "weeks": (today - first).days // 7}
    weeks = {(today - c.at).days // 7 for c in past} | {0}
    streak = 0
    while streak in weeks:
        streak += 1
    facts["@streak_weeks"] = streak


def _changes(
    facts: dict[str, Any],
    scores: Mapping[str, float],
    own: list[CheckIn],
    score_of: Callable[[Mapping[str, Any]], Mapping[str, float]],
) -> None:
    previous, first = own[-1], own[0]
    before = score_of(previous.answers)
    at_first = score_of(first.answers)
    for dim, after in scores.items():
        if dim in before:
            facts[f"@change.{dim}"] = after - before[dim]
            facts[f"@improved.{dim}"] = _crossed(before[dim], after, improving=True)
            facts[f"@declined.{dim}"] = _crossed(before[dim], after, improving=False)
            facts[f"#change.{dim}"] = (before[dim], after, previous.at)
        if dim in at_first:
            facts[f"@change_since_first.{dim}"] = after - at_first[dim]
            facts[f"#change_since_first.{dim}"] = (at_first[dim], after, first.at)


def _repeats(
    facts: dict[str, Any], own: list[CheckIn], recommended_step: Callable[[CheckIn], str]
) -> None:
    run_step = recommended_step(own[-1])
    run = 0
    for checkin in reversed(own):
        if recommended_step(checkin) != run_step:
            break
        run += 1
    facts[f"@repeats.{run_step}"] = run


def _checked_boundaries(boundaries: tuple[object, ...]) -> tuple[Boundary, ...]:
    from trustkit._boundary import Boundary  # noqa: PLC0415  (only when used)

    if not all(isinstance(b, Boundary) for b in boundaries):
        raise _problem("boundaries", "Boundary objects", ProblemCode.WRONG_TYPE)
    return boundaries  # type: ignore[return-value]


def _boundaries(
    facts: dict[str, Any],
    boundaries: tuple[object, ...],
    today: dt.datetime,
    previous: dt.datetime | None,
) -> None:
    from trustkit._boundary import BoundaryStatus  # noqa: PLC0415  (only when used)

    records = _checked_boundaries(boundaries)
    facts["@boundaries.proposed"] = sum(b.status is BoundaryStatus.PROPOSED for b in records)
    if previous is None:
        crossed = sum(b.status is BoundaryStatus.CROSSED for b in records)
    else:
        crossed = sum(b.crossed_since(previous) for b in records)
    facts["@boundaries.crossed"] = crossed
    facts["@boundaries.due"] = sum(b.due_for_review(today.date()) for b in records)
