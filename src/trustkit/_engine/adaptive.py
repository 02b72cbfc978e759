"""Adaptive check-ins: which questions can still change the decision.

A check-in's step is often fixed before every question is answered: once
``distress`` is 5, the rule above every other ordinary rule holds, and no
later answer can change the step. `next_questions_for` says what to ask next:

1. The respondent's safety screen, always, until every safety question is
   answered. (A question can only make the result a safety one if it is a
   safety question: safety rules read nothing else.)
2. Then only the unanswered questions that can still change the step or
   the rule, and the questions the pack marks ``tracked`` (needed for
   trends and progress), which are always asked.

It never restates the decision policy. The reasoning is three-valued, over
the rules' own conditions: with the answers given so far, each ordinary rule
(in the order [`verdict`][trustkit._engine.decide.verdict] tries them) surely
holds, surely fails, or depends on questions still open. The rule that
decides is the first that holds, so it is either the first rule that surely
holds or one of the open rules before it; only the questions those open
rules read (directly, through a score, or through a fact about a score) can
change which. When none is left, the decision is read from `verdict` on the
answers given, and confirmed against the reasoning: should they ever
disagree, every unanswered question is asked (never skip when unsure). A
safety yes, or the respondent's own safety period, decides without any
ordinary answer; whether an unanswered safety question could still change
that is asked of `verdict`, one yes at a time (safety rules only ever ask
"was this answered yes", so the rule that any set of yes answers gives is
the one of its highest single yes).

A question answered ``None`` was seen and not answered: it is not asked
again, and it stays unanswered in every completion.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping

import attrs

from trustkit._engine.compile import (
    Answers,
    CompiledPack,
    Scores,
    dimension_items,
    evaluate,
    questions_read,
)
from trustkit._engine.decide import (
    _NEEDS_TODAY,
    NO_SCORES,
    carried,
    check_answers,
    facts_of,
    skipped_steps,
    today_of,
    verdict,
)
from trustkit._engine.state import period as period_of
from trustkit._public import public
from trustkit.errors import AnswerError, AnswerProblem, NoStepError, ProblemCode
from trustkit.models import (
    AllOf,
    AnyOf,
    CheckIn,
    Condition,
    FactCompare,
    Not,
)

__all__ = ["NextQuestions", "next_questions_for", "open_rules"]

_T, _F, _U = 1, 0, 2
"""Surely holds, surely fails, depends on a question still open."""

Tri = Callable[[frozenset[str], Answers, Scores, bool], int]
"""A condition over the answers so far: the open questions, answers, scores and facts, whether
facts are known (with a history or a state)."""


@attrs.frozen
class NextQuestions:
    """What to ask next in a check-in, and whether the step is already decided.

    Added in version 0.2.0.

    Attributes:
        questions: The question ids to ask, in order: first the
            respondent's unanswered safety questions (always asked), then the
            unanswered questions that can still change the step or the rule
            (highest-priority rule first), then unanswered ``tracked`` ones.
        decided: True when no unanswered question, safety ones included,
            can change the step or the rule: every way of answering the rest
            gives the same decision.
        step_id: The step, when decided; else None.
        rule_id: The rule that decides, when decided; else None.
    """

    questions: tuple[str, ...]
    decided: bool
    step_id: str | None = None
    rule_id: str | None = None


def _atom(cond: Condition, reads: tuple[str, ...]) -> Tri:
    is_fact = isinstance(cond, FactCompare)

    def tri(open_: frozenset[str], a: Answers, s: Scores, with_facts: bool) -> int:
        # Without facts a fact is missing (its comparison fails), whatever is answered.
        if (with_facts or not is_fact) and not open_.isdisjoint(reads):
            return _U
        return _T if evaluate(cond, a, s) else _F

    return tri


def _tri(cond: Condition, items: Mapping[str, tuple[str, ...]]) -> Tri:
    """The three-valued form of a condition."""
    if isinstance(cond, Not):
        inner = _tri(cond.condition, items)

        def negated(open_: frozenset[str], a: Answers, s: Scores, f: bool) -> int:
            v = inner(open_, a, s, f)
            return v if v == _U else 1 - v

        return negated
    if isinstance(cond, AllOf | AnyOf):
        parts = tuple(_tri(c, items) for c in cond.conditions)
        decisive = _F if isinstance(cond, AllOf) else _T

        def group(open_: frozenset[str], a: Answers, s: Scores, f: bool) -> int:
            unknown = False
            for part in parts:
                v = part(open_, a, s, f)
                if v == decisive:
                    return decisive
                unknown = unknown or v == _U
            return _U if unknown else 1 - decisive

        return group
    return _atom(cond, questions_read(cond, items))


class _Plan:
    """A pack's ordinary rules in three-valued form, in the order the decision tries them."""

    def __init__(self, c: CompiledPack) -> None:
        items = dimension_items(c.pack)
        self.rules = tuple(
            (r.rule.id, r.rule.step, _tri(r.rule.when, items), questions_read(r.rule.when, items))
            for r in c.rules
        )


@functools.lru_cache(maxsize=16)
def _plan(c: CompiledPack) -> _Plan:
    return _Plan(c)


def open_rules(
    c: CompiledPack,
    open_: frozenset[str],
    answers: Answers,
    scores: Scores,
    with_facts: bool,
    skipped: frozenset[str],
) -> tuple[list[str], str | None]:
    """The open questions that can change the ordinary rule, and the rule that surely holds.

    The rule is the first that surely holds (None when none does); the questions
    are those read by the open rules before it, highest priority first.
    """
    relevant: dict[str, None] = {}
    for rule_id, step, tri, reads in _plan(c).rules:
        if step in skipped:
            continue
        v = tri(open_, answers, scores, with_facts)
        if v == _T:
            return list(relevant), rule_id
        if v == _U:
            relevant.update((q, None) for q in reads if q in open_)
    return list(relevant), None


def _seen(answers: object) -> Iterable[object]:
    """The question ids in a check-in's answers, those answered None included."""
    data = answers.answers if isinstance(answers, CheckIn) else answers
    assert isinstance(data, Mapping)  # check_answers accepted it
    return data.keys()


def next_questions_for(
    c: CompiledPack,
    answers: object,
    respondent: object,
    *,
    state: object = None,
    history: Iterable[object] | None = None,
    now: object = None,
) -> NextQuestions:
    """What to ask next, for a partial check-in (see the module's docstring).

    Raises:
        AnswerError: Bad answers, state, history or time (never quoting a value).
    """
    role, clean = check_answers(c, answers, respondent)
    today = today_of(answers, now)
    past, problems = carried(c, answers, role, history, state, today)
    if today is None and (history is not None or state is not None):
        problems.append(AnswerProblem("now", _NEEDS_TODAY, code=ProblemCode.MISSING))
    if problems:
        raise AnswerError(problems)
    period = None if past is None else period_of(past, role)
    seen = set(_seen(answers))
    asked = [q for q in c.pack.questions if role in q.respondents]
    open_ = frozenset(q.id for q in asked if q.id not in seen)
    screen = [q for q in c.screen[role] if q in open_]

    def decision(extra: Mapping[str, bool]) -> tuple[str, str] | None:
        try:
            found = verdict(c, {**clean, **extra}, role, state=past, now=today, wanted=0)
        except NoStepError:
            return None
        rule = found.rule(c).rule
        return rule.step, rule.id

    relevant: list[str] = []
    if any(clean.get(q) is True for q in c.screen[role]) or (period is not None and period.own):
        # A safety yes, or the respondent's own safety period: no ordinary answer counts.
        base = decision({})
        settled = True
    else:
        with_facts = past is not None
        scores: Scores = c.score(clean) if c.dimensions else NO_SCORES
        if with_facts:
            every = c.score_checked(clean)
            scores = {**scores, **facts_of(c, answers, role, every, past, (), today, period)}
        skipped = skipped_steps(c, period)
        relevant, sure = open_rules(c, open_, clean, scores, with_facts, skipped)
        base = None if relevant else decision({})
        settled = not relevant and (None if base is None else base[1]) == sure
        if not (relevant or settled):  # the reasoning and the decision disagree: ask it all
            relevant = [q.id for q in asked if q.id in open_]
    decided = settled and all(decision({q: True}) == base for q in screen)
    rest = [q for q in relevant if q not in c.screen[role]]
    tracked = [q.id for q in asked if q.tracked and q.id in open_ and q.id not in rest]
    questions = (*screen, *rest, *tracked)
    if decided and base is not None:
        return NextQuestions(questions, True, *base)
    return NextQuestions(questions, False)


public(NextQuestions)
