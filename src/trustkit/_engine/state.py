"""A couple's past, carried forward: the state folded one check-in at a time.

Every path that decides with a history goes through here. A history list is
sorted by time and folded into a [`CoupleState`][trustkit.CoupleState]; an
app that keeps the state passes it instead, and the result is the same.
Folding a check-in records:

- the step it actually got (as stored in ``recommended``, or as decided with
  the state before it, so a step withheld during a safety period never counts
  as given);
- the latest check-ins (a bounded window, for the facts);
- any positive safety screen, which opens or extends a safety period.

A safety period ends only when the partner who screened positive answers the
whole screen with no again, at least ``safety_period_weeks`` after their last
yes (twice that after a highest-risk marker). The reasoning and the sources
are in docs/safety.md ("Safety over time").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs

from trustkit._engine.facts import HISTORY_WINDOW, ONCE, same
from trustkit._engine.period import SafetyPeriod
from trustkit.errors import AnswerError, AnswerProblem, ProblemCode
from trustkit.models import (
    STATE_FORMAT,
    CheckIn,
    CoupleState,
    Disclosure,
    answer_lookup,
    checked_checkin,
)

if TYPE_CHECKING:
    from trustkit._engine.compile import CompiledPack

KEPT = HISTORY_WINDOW + 1
"""How many of the latest check-ins a state keeps: the window, and today's if it is stored."""

_EMPTY = CoupleState()

Decider = Callable[[CoupleState, CheckIn], str]
"""Works out the step a check-in got, given the state before it ("" when it cannot)."""


def _problem(field: str, expected: str, code: ProblemCode) -> AnswerProblem:
    return AnswerProblem(field, expected, code=code)


def period(state: CoupleState, role: object) -> SafetyPeriod | None:
    """The safety period open for the partner checking in now, if any.

    ``since`` is when the earliest open period began (no fact compares with a
    check-in from then on); ``said_yes`` holds what ``role`` answered yes in
    their own period, if they have one.
    """
    if not state.disclosures:
        return None
    since = min(d.opened for d in state.disclosures)
    own = [d for d in state.disclosures if d.respondent is role]
    return SafetyPeriod(since, own[0].said_yes if own else ())


def _said_no(c: CompiledPack, checkin: CheckIn) -> bool:
    """Whether the check-in answered every safety question its respondent is asked with no."""
    screen = c.screen[checkin.respondent]
    get = answer_lookup(checkin.answers)
    return bool(screen) and all(get(q) is False for q in screen)


def screened(
    c: CompiledPack, disclosures: tuple[Disclosure, ...], checkin: CheckIn
) -> tuple[Disclosure, ...]:
    """The open safety periods once ``checkin`` has been read.

    A yes (``True`` itself) to any safety question opens its respondent's
    period, or extends it; it is read even when the check-in's other answers
    are wrong. The period closes when that partner answers the whole screen
    with no, long enough after their last yes.
    """
    role = checkin.respondent
    get = answer_lookup(checkin.answers)
    yes = [q for q in c.safety_questions if get(q) is True]
    if not yes and not disclosures:
        return disclosures  # nothing said, nothing open: the usual check-in
    own = [d for d in disclosures if d.respondent is role]
    others = tuple(d for d in disclosures if d.respondent is not role)
    at = checkin.at
    if yes:
        if own:
            old = own[0]
            opened = attrs.evolve(
                old,
                last_yes=max(at, old.last_yes),
                said_yes=tuple(sorted({*old.said_yes, *yes})),
                high_risk=old.high_risk or not c.high_risk.isdisjoint(yes),
            )
        else:
            opened = Disclosure(role, at, at, tuple(sorted(yes)), not c.high_risk.isdisjoint(yes))
        return (*others, opened)
    if own and _said_no(c, checkin):
        weeks = c.pack.safety_period_weeks * (2 if own[0].high_risk else 1)
        if at - own[0].last_yes >= dt.timedelta(weeks=weeks):
            return others
    return disclosures


def fold(c: CompiledPack, state: CoupleState, checkin: CheckIn, step: str) -> CoupleState:
    """The state once ``checkin``, which got ``step``, is added (the caller checked its date)."""
    if checkin.recommended == step:
        kept = checkin
    elif type(checkin) is CheckIn:
        # Checked when the state took it, and a step id is text: not checked all again.
        kept = checked_checkin(checkin.respondent, checkin.answers, checkin.at, step)
    else:  # a subclass may check more: the usual way
        kept = attrs.evolve(checkin, recommended=step)
    return CoupleState(
        recent=(*state.recent, kept)[-KEPT:],
        disclosures=screened(c, state.disclosures, checkin),
        newest=checkin.at,
    )


def taken(state: CoupleState, checkin: CheckIn) -> CheckIn | None:
    """The check-in the state already holds for this partner at this time, if any."""
    who, at = checkin.respondent, checkin.at
    return next((k for k in state.recent if k.respondent is who and k.at == at), None)


def checked_state(state: object) -> tuple[CoupleState | None, list[AnswerProblem]]:
    """The state, if it is one this trustkit can read, and what is wrong with it."""
    if not isinstance(state, CoupleState):
        return None, [_problem("state", "a CoupleState", ProblemCode.WRONG_TYPE)]
    if state.format != STATE_FORMAT:
        return None, [
            _problem(
                "state",
                f"a state of format {STATE_FORMAT} (this trustkit cannot read another)",
                ProblemCode.INCOMPATIBLE,
            )
        ]
    return state, []


def advance(
    c: CompiledPack, state: object, checkin: object, step: str | None, decide: Decider
) -> CoupleState:
    """The engine behind [`trustkit.advance`][trustkit.advance]: strict about order.

    Raises:
        AnswerError: The state or the check-in is not one, the check-in is
            older than the state's newest, or another check-in of the same
            partner at the same time is already in it.
    """
    state, problems = checked_state(state)
    if not isinstance(checkin, CheckIn):
        problems.append(_problem("checkin", "a CheckIn", ProblemCode.WRONG_TYPE))
    if problems:
        raise AnswerError(problems)
    assert state is not None
    assert isinstance(checkin, CheckIn)
    if state.newest is not None and checkin.at < state.newest:
        raise AnswerError(
            [
                _problem(
                    "checkin",
                    "a check-in no older than the state's newest (fold check-ins oldest first)",
                    ProblemCode.OUT_OF_ORDER,
                )
            ]
        )
    kept = taken(state, checkin)
    if kept is not None:
        if same(kept, checkin):
            return state  # already folded in
        raise AnswerError([_problem("checkin", ONCE, ProblemCode.DUPLICATE)])
    if step is None:
        step = checkin.recommended if checkin.recommended is not None else decide(state, checkin)
    return fold(c, state, checkin, step)


def folded(
    c: CompiledPack,
    history: Iterable[object],
    today: dt.datetime | None,
    current: object,
    role: object,
    decide: Decider,
) -> tuple[CoupleState, list[AnswerProblem]]:
    """A history list, in any order, folded into a state; and what was wrong with it.

    The check-ins are sorted by time (equal times keep the history's order).
    Nothing is dropped silently: a check-in dated after today, a second
    check-in of one partner at one time, or an item that is not a check-in
    is reported, and a positive screen in a duplicate is still remembered.
    """
    problems: list[AnswerProblem] = []
    try:
        items = list(history)
    except TypeError:
        return _EMPTY, [_problem("history", "CheckIn objects", ProblemCode.WRONG_TYPE)]
    checkins = [x for x in items if isinstance(x, CheckIn)]
    if len(checkins) != len(items):
        problems.append(_problem("history", "CheckIn objects", ProblemCode.WRONG_TYPE))
    checkins.sort(key=_at)
    state = _EMPTY
    for checkin in checkins:
        if isinstance(current, CheckIn) and same(checkin, current):
            continue  # today's check-in, already stored
        if today is not None and checkin.at > today:
            problems.append(
                _problem(
                    "history", "check-ins dated no later than today's", ProblemCode.OUT_OF_ORDER
                )
            )
            continue
        if _twice(state, checkin, role, today):
            problems.append(_problem("history", ONCE, ProblemCode.DUPLICATE))
            state = attrs.evolve(state, disclosures=screened(c, state.disclosures, checkin))
            continue
        step = checkin.recommended if checkin.recommended is not None else decide(state, checkin)
        state = fold(c, state, checkin, step)
    return state, problems


def _at(checkin: CheckIn) -> dt.datetime:
    return checkin.at


def _twice(state: CoupleState, checkin: CheckIn, role: object, today: dt.datetime | None) -> bool:
    """Whether the partner already has a check-in at this time (today's included)."""
    if checkin.respondent is role and checkin.at == today:
        return True
    return taken(state, checkin) is not None


__all__ = ["KEPT", "advance", "checked_state", "fold", "folded", "period", "screened", "taken"]
