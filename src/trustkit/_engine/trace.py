"""A full evaluation trace: every rule tried for a check-in, and what became of it.

The recommendation comes from the ordinary path, unchanged; the trace then
decides again through the same `choose` (the one statement of how ordinary
rules decide), with an observer that is told what became of every rule.

During a safety period the trace says no more than the recommendation does.
For the partner who did not screen positive, rules proposing couples steps are
left out of the trace altogether, as they are left out of the decision: the
trace neither lists them nor says why. (That couples work pauses for both
partners during a period is documented; that this couple is in one is not
something the trace adds.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from trustkit._engine.compile import (
    Answers,
    CompiledPack,
    CompiledRule,
    Scores,
    compiled,
    dimension_items,
    evaluate,
    facts_read,
    questions_read,
)
from trustkit._engine.decide import choose, verdict
from trustkit._engine.recommend import render
from trustkit.errors import AnswerError
from trustkit.models import (
    AllOf,
    CheckIn,
    Condition,
    ContentPack,
    CoupleState,
    Role,
    RuleOutcome,
    RuleTrace,
    Trace,
)

__all__ = ["facts_read", "first_failure", "trace"]


def first_failure(cond: Condition, answers: Answers, scores: Scores) -> Condition:
    """The first part of a condition that does not hold (the condition must not hold).

    The first failing part of an ``all`` is followed down; an ``any`` or a
    ``not`` that fails is itself the part that failed.
    """
    if isinstance(cond, AllOf):
        failing = next(part for part in cond.conditions if not evaluate(part, answers, scores))
        return first_failure(failing, answers, scores)
    return cond


def _entry(
    compiled_rule: CompiledRule,
    held: bool | None,
    outcome: RuleOutcome,
    answers: Answers,
    scores: Scores,
    items: Mapping[str, tuple[str, ...]],
) -> RuleTrace:
    rule = compiled_rule.rule
    failed: Condition | None = None
    if held is False:
        failed = first_failure(rule.when, answers, scores)
    return RuleTrace(
        rule_id=rule.id,
        step=rule.step,
        priority=rule.priority,
        safety=rule.safety,
        held=held,
        outcome=outcome,
        failed=None if failed is None else str(failed),
        questions=() if failed is None else questions_read(failed, items),
        facts=() if failed is None else facts_read(failed),
    )


def _listed(values: Iterable[object]) -> Sequence[object]:
    """The items, read once for both passes; anything else as it is, for recommend to name."""
    try:
        return tuple(values)
    except TypeError:
        return values  # type: ignore[return-value]


def trace(
    answers: Mapping[str, object] | CheckIn,
    respondent: Role | str | None,
    pack: ContentPack,
    country: str | None = None,
    history: Iterable[object] | None = None,
    boundaries: Iterable[object] = (),
    now: dt.datetime | None = None,
    history_ordered: bool = False,
    state: CoupleState | None = None,
    given: tuple[AnswerError, ...] = (),
) -> Trace:
    """The engine behind [`trustkit.trace`][trustkit.trace]."""
    del history_ordered  # every history is sorted
    listed_history = None if history is None else _listed(history)
    listed_boundaries = _listed(boundaries)
    c = compiled(pack)
    found = verdict(
        c,
        answers,
        respondent,
        country,
        listed_history,
        listed_boundaries,
        now,
        state,
        given,
    )
    rec = render(c, found)
    items = dimension_items(pack)
    if rec.problems:  # safety decided over broken input: the rules read what could be read
        return Trace(rec, tuple(_safety_only(c, rec, items)))
    clean, scores, period = found.clean, found.scores, found.period
    entries: list[RuleTrace] = []

    def add(rule: CompiledRule, held: bool | None, outcome: RuleOutcome) -> None:
        entries.append(_entry(rule, held, outcome, clean, scores, items))

    if found.safety:
        held_now = set(found.safety)
        first = found.safety[0]
        for rule in c.safety_rules:
            outcome = RuleOutcome.FAILED
            if rule in held_now:
                outcome = RuleOutcome.DECIDED if rule is first else RuleOutcome.JOINED
            add(rule, rule in held_now, outcome)
        for rule in c.rules:
            add(rule, None, RuleOutcome.NOT_TRIED)
        return Trace(rec, tuple(entries))

    if found.follow_up:
        # The same rules the follow-up recommendation names: those the yes answers of
        # this person's own positive screens in the period make hold.
        earlier = set(found.matched(c))
        for rule in c.safety_rules:
            add(rule, False, RuleOutcome.EARLIER if rule in earlier else RuleOutcome.FAILED)
        for rule in c.rules:
            add(rule, None, RuleOutcome.NOT_TRIED)
        return Trace(rec, tuple(entries))

    for rule in c.safety_rules:
        add(rule, False, RuleOutcome.FAILED)
    # The other partner, during a safety period: rules for couples steps are not part of
    # the decision. They are listed as not tried, so that the trace lists every rule,
    # whatever was disclosed (see the module's notes).
    left_out = c.couples_steps if period is not None else frozenset()
    choose(c, clean, scores, True, left_out, add)
    return Trace(rec, tuple(entries))


def _safety_only(
    c: CompiledPack, rec: object, items: Mapping[str, tuple[str, ...]]
) -> list[RuleTrace]:
    """The trace of a safety result given beside problems: the deciding rule, the rest untried."""
    decided = getattr(rec, "rule_id", None)
    return [
        RuleTrace(
            rule_id=r.rule.id,
            step=r.rule.step,
            priority=r.rule.priority,
            safety=r.rule.safety,
            held=True if r.rule.id == decided else None,
            outcome=RuleOutcome.DECIDED if r.rule.id == decided else RuleOutcome.NOT_TRIED,
        )
        for r in (*c.safety_rules, *c.rules)
    ]
