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
from typing import TYPE_CHECKING, Any, NamedTuple

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


class Wanted(NamedTuple):
    """Which of the costlier facts to work out: those a pack's rules read (see `wanted`).

    A fact no rule reads is never compared and never explained, so leaving it
    out changes no decision and no text.
    """

    streak: bool = True
    """``streak_weeks``."""
    since_first: bool = True
    """``change_since_first.<dim>`` (and the detail that explains it)."""


EVERY = Wanted()
"""Every fact: for callers that do not know which rules will read them."""


def wanted(read: Iterable[str]) -> Wanted:
    """The costlier facts among ``read``, the names of the facts some rule reads."""
    names = set(read)
    return Wanted(
        streak="streak_weeks" in names,
        since_first=any(n.startswith("change_since_first.") for n in names),
    )


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
    only: Wanted = EVERY,
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
        only: Which of the costlier facts to work out (the others always are).
    """
    facts: dict[str, Any] = {}
    boundaries = tuple(boundaries)
    assert today is not None  # recommend reports a missing 'today' first
    past: list[CheckIn] = []
    if history is not None:
        past = window(history, today, role, current)
        _journey(facts, past, today, streak=only.streak)
        # One pass: this partner's own earlier check-ins and the other's latest, from
        # before the safety period when one is open.
        own_before: list[CheckIn] = []
        other: CheckIn | None = None
        for checkin in past:
            if compare_before is not None and checkin.at >= compare_before:
                continue
            if checkin.respondent is role:
                own_before.append(checkin)
            else:
                other = checkin
        if own_before:
            _changes(facts, scores, own_before, score_of, since_first=only.since_first)
            # The steps actually given, and (in a safety period) only from before it.
            _repeats(facts, own_before, recommended_step)
        if other is not None and (today - other.at).days <= GAP_DAYS:
            theirs = score_of(other.answers)
            for dim, mine in scores.items():
                was = theirs.get(dim)
                if was is not None:
                    facts[_gap_name(dim)] = abs(mine - was)
    if boundaries:
        # Crossed since this partner's own last check-in, so that a crossing is not
        # missed because the other partner checked in in between.
        own_past = [c for c in past if c.respondent is role]
        _boundaries(facts, boundaries, today, own_past[-1].at if own_past else None)
    return facts


def _journey(
    facts: dict[str, Any], past: list[CheckIn], today: dt.datetime, *, streak: bool
) -> None:
    checkins = len(past) + 1
    weeks = (today - past[0].at).days // 7 if past else 0
    facts["@checkins"] = checkins
    facts["@weeks_since_first"] = weeks
    facts["#journey"] = {"checkins": checkins, "weeks": weeks}
    if not streak:
        return
    # Weeks in a row with a check-in, counting back from today's (week 0).
    seen = {(today - c.at).days // 7 for c in past}
    weeks_in_a_row = 1
    while weeks_in_a_row in seen:
        weeks_in_a_row += 1
    facts["@streak_weeks"] = weeks_in_a_row


@functools.lru_cache(maxsize=1024)
def _names(dim: str) -> tuple[str, str, str, str, str, str]:
    """The change facts' names for a dimension, made once (not for every check-in)."""
    return (f"@change.{dim}", f"@improved.{dim}", f"@declined.{dim}", f"#change.{dim}",
            f"@change_since_first.{dim}", f"#change_since_first.{dim}")  # fmt: skip


_NONE: Mapping[str, float] = {}


@functools.lru_cache(maxsize=1024)
def _gap_name(dim: str) -> str:
    """The perception gap fact's name for a dimension, made once."""
    return f"@gap.{dim}"


def _changes(
    facts: dict[str, Any],
    scores: Mapping[str, float],
    own: list[CheckIn],
    score_of: Callable[[Mapping[str, Any]], Mapping[str, float]],
    *,
    since_first: bool,
) -> None:
    """Change facts against this partner's previous and first check-in in the window.

    A score that moves by at least `MEANINGFUL_CHANGE` has improved (or
    declined); so has one that crosses from a concern (`CONCERN_AT_MOST` or
    less) to fine (`FINE_AT_LEAST` or more), or back.
    """
    previous, first = own[-1], own[0]
    before = score_of(previous.answers)
    at_first = (
        _NONE if not since_first else before if first is previous else score_of(first.answers)
    )
    then, since_then = previous.at, first.at
    for dim, after in scores.items():
        change, improved, declined, why, since, why_since = _names(dim)
        was = before.get(dim)
        if was is not None:
            facts[change] = after - was
            facts[improved] = after - was >= MEANINGFUL_CHANGE or (
                was <= CONCERN_AT_MOST and after >= FINE_AT_LEAST
            )
            facts[declined] = was - after >= MEANINGFUL_CHANGE or (
                was >= FINE_AT_LEAST and after <= CONCERN_AT_MOST
            )
            facts[why] = (was, after, then)
        was = at_first.get(dim)
        if was is not None:
            facts[since] = after - was
            facts[why_since] = (was, after, since_then)


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
