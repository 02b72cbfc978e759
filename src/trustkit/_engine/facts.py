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
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from trustkit.errors import AnswerError, AnswerProblem, ProblemCode

if TYPE_CHECKING:
    from trustkit._boundary import Boundary
from trustkit.models import CheckIn, Role

HISTORY_WINDOW = 12
"""How many earlier check-ins (the most recent, either role) the engine looks at."""

ONCE = "each check-in once (one per respondent and time)"
"""What a second check-in of one partner at one time is told it should be."""

GAP_DAYS = 14
"""The other partner's latest check-in counts for a perception gap if this recent."""

MEANINGFUL_CHANGE = 1.0
"""A score that moves by at least this much has improved (or declined)."""

CONCERN_AT_MOST = 2.0
FINE_AT_LEAST = 3.0
"""Crossing from a concern (2 or less) to fine (3 or more) also counts as improving."""


def _problem(field: str, expected: str, code: ProblemCode) -> AnswerError:
    return AnswerError([AnswerProblem(field, expected, code=code)])


def window(
    history: Sequence[CheckIn],
    today: dt.datetime,
    role: Role,
    current: CheckIn | None = None,
) -> list[CheckIn]:
    """The most recent earlier check-ins, oldest first.

    ``history`` is a couple state's latest check-ins, in order (see
    `trustkit._engine.state`, which refuses check-ins dated after today and
    a second check-in of one partner at one time).

    Raises:
        AnswerError: Another check-in of this partner is dated today.
    """
    checked: list[CheckIn] = []
    for checkin in reversed(history[-(HISTORY_WINDOW + 1) :]):
        if current is not None and same(checkin, current):
            continue  # today's check-in may already be in the stored history
        if checkin.respondent is role and checkin.at == today:
            raise _problem("history", ONCE, ProblemCode.DUPLICATE)
        checked.append(checkin)
    checked.reverse()
    return checked[-HISTORY_WINDOW:]


def same(a: CheckIn, b: CheckIn) -> bool:
    """The same check-in, whatever step either has stored (the object, then the instant, first)."""
    return a is b or (a.at == b.at and a.respondent is b.respondent and a.answers == b.answers)


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
    history: Sequence[CheckIn] | None,
    boundaries: Iterable[object],
    score_of: Callable[[Mapping[str, Any]], Mapping[str, float]],
    recommended_step: Callable[[CheckIn], str],
    compare_before: dt.datetime | None = None,
) -> dict[str, Any]:
    """Facts (``"@name"``) and the details that explain them (``"#name"``).

    Args:
        role: Who answered today.
        today: When today's check-in happened (the caller made sure there is one).
        current: Today's check-in, when the app passed one (it may be in the history).
        scores: Today's dimension scores (all dimensions).
        history: The latest earlier check-ins, oldest first (a couple state's),
            or None when the app passed no history.
        boundaries: The couple's boundaries.
        score_of: Scores of a past check-in's answers.
        recommended_step: The step a past check-in got (stored or recomputed).
        compare_before: During a safety period, when it began: changes,
            repeats and perception gaps then use only check-ins from before it.
    """
    facts: dict[str, Any] = {}
    boundaries = tuple(boundaries)
    assert today is not None  # recommend reports a missing 'today' first
    past: list[CheckIn] = []
    if history is not None:
        past = window(history, today, role, current)
    if history is not None:
        _journey(facts, past, today)
        comparable = past
        if compare_before is not None:
            comparable = [c for c in past if c.at < compare_before]
        own_before = [c for c in comparable if c.respondent is role]
        if own_before:
            _changes(facts, scores, own_before, score_of)
        if own_before:
            # The steps actually given, and (in a safety period) only from before it.
            _repeats(facts, own_before, recommended_step)
        other = [c for c in comparable if c.respondent is not role]
        if other and (today - other[-1].at).days <= GAP_DAYS:
            theirs = score_of(other[-1].answers)
            for dim, mine in scores.items():
                if dim in theirs:
                    facts[f"@gap.{dim}"] = abs(mine - theirs[dim])
    if boundaries:
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


@functools.lru_cache(maxsize=1024)
def _names(dim: str) -> tuple[str, str, str, str, str, str]:
    """The change facts' names for a dimension, made once (not for every check-in)."""
    return (f"@change.{dim}", f"@improved.{dim}", f"@declined.{dim}", f"#change.{dim}",
            f"@change_since_first.{dim}", f"#change_since_first.{dim}")  # fmt: skip


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
        change, improved, declined, why, since, why_since = _names(dim)
        if dim in before:
            was = before[dim]
            facts[change] = after - was
            facts[improved] = _crossed(was, after, improving=True)
            facts[declined] = _crossed(was, after, improving=False)
            facts[why] = (was, after, previous.at)
        if dim in at_first:
            facts[since] = after - at_first[dim]
            facts[why_since] = (at_first[dim], after, first.at)


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
