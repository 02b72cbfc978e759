"""The history facts as trustkit 0.2 worked them out, kept to check the faster code against.

A frozen copy of ``compute`` and its helpers from ``trustkit._engine.facts``
before they were made faster (issue 19), without boundaries (whose code did
not change). `tests/test_facts_reference.py` asserts that the two agree on any
history.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from trustkit._engine.facts import (
    CONCERN_AT_MOST,
    FINE_AT_LEAST,
    GAP_DAYS,
    MEANINGFUL_CHANGE,
    window,
)
from trustkit.models import CheckIn, Role


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
        score_of: Scores of a past check-in's answers.
        recommended_step: The step a past check-in got (stored or recomputed).
        compare_before: During a safety period, when it began: changes,
            repeats and perception gaps then use only check-ins from before it.
    """
    facts: dict[str, Any] = {}
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
