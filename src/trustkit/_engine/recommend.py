"""From a verdict to a recommendation: the step, its texts, evidence and resources.

The decision itself is made in [`decide`][trustkit._engine.decide] (the
policy, stated once); this module only says it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from trustkit._engine.compile import (
    TEXT_FAULTS,
    Answers,
    CompiledPack,
    CompiledRule,
    Scores,
    compiled,
    questions_read,
)
from trustkit._engine.decide import Verdict, verdict
from trustkit._engine.emergency import fill
from trustkit.errors import AnswerError, AnswerProblem
from trustkit.models import (
    Alternative,
    CheckIn,
    ContentPack,
    CoupleState,
    Evidence,
    PlanKind,
    Recommendation,
    Resource,
    Role,
    Step,
    Urgency,
)


def _without_said_opening(reason: str, openings: set[str]) -> str:
    """The reason without its first sentence if an earlier reason opened with the same one.

    Each safety reason opens with what to do in immediate danger; when several safety rules
    hold, that sentence is said once, not once per rule. ``openings`` collects the first
    sentences said so far.
    """
    first, dot, rest = reason.partition(". ")
    if not dot:
        return reason
    if first in openings:
        return rest
    openings.add(first)
    return reason


def made_with(
    c: CompiledPack,
    role: Role,
    *,
    step: Step,
    urgency: Urgency,
    reasons: tuple[str, ...],
    evidence: tuple[Evidence, ...],
    rule_id: str,
    alternatives: tuple[Alternative, ...],
    resources: tuple[Resource, ...],
    safety: bool,
    problems: tuple[AnswerProblem, ...] = (),
    plan: PlanKind | None = None,
) -> Recommendation:
    """A recommendation made with ``c.pack``, which gives its id, version, packs and locale.

    Every path that decides (a safety rule, a follow-up in the safety period, an
    ordinary rule, a batch) builds its result here, so a field the pack gives is
    never forgotten on one of them. Here too the texts become the reader's
    (`trustkit._engine.compile.ForReader`): the step's title and summary, the
    alternatives' titles and, outside the safety screen, the deciding rule's
    reason, which is the first of ``reasons`` (`_safety` chooses its own).
    """
    pack = c.pack
    reader = c.readers[role]
    if not safety and reasons and rule_id in reader.reasons:
        reasons = (reader.reasons[rule_id], *reasons[1:])
    return Recommendation(
        step=reader.step(step),
        urgency=urgency,
        reasons=reasons,
        evidence=evidence,
        rule_id=rule_id,
        alternatives=reader.alternatives(alternatives),
        resources=resources,
        respondent=role,
        safety=safety,
        pack_id=pack.id,
        pack_version=pack.version,
        packs=pack.packs,
        locale=pack.locale,
        problems=problems,
        plan=plan,
    )


def _safety(
    c: CompiledPack,
    role: Role,
    answers: Answers,
    scores: Scores,
    matched: Sequence[CompiledRule],
    country: str | None,
    problems: tuple[AnswerProblem, ...] = (),
) -> Recommendation:
    top = matched[0].rule
    emergency = c.emergency
    number = emergency.number(country)
    evidence: list[Evidence] = []
    sentences: list[str] = []
    reasons: list[str] = []
    openings: set[str] = set()
    topics: list[str] = []
    reader = c.readers[role]
    for compiled_rule in matched:
        rule = compiled_rule.rule
        reason = _without_said_opening(fill(reader.reason(rule), number), openings)
        if reason and reason not in reasons:
            reasons.append(reason)
        found: list[Evidence] = []
        said: list[str] = []
        try:
            compiled_rule.explain(answers, scores, found, said)
        except TEXT_FAULTS:
            # A broken text must never hide the crisis lines: keep the rule's own reason,
            # evidence without the sentences, and go on.
            read = questions_read(rule.when, {})
            found = [Evidence(rule.id, str(rule.when), tuple(q for q in read if q in answers))]
            said = []
        evidence.extend(found)
        sentences.extend(s for s in said if s not in sentences)
        topics.extend(t for t in rule.resources if t not in topics)
    return made_with(
        c,
        role,
        step=emergency.step(top.step, country),
        urgency=Urgency.CRITICAL,
        reasons=(*reasons, *sentences),
        evidence=tuple(evidence),
        rule_id=top.id,
        alternatives=(),
        resources=emergency.first(near(c.resources_for(tuple(topics)), country), country),
        safety=True,
        problems=problems,
        plan=top.plan,
    )


def near(resources: tuple[Resource, ...], country: str | None) -> tuple[Resource, ...]:
    """The resources for the country and the international ones (all, without a country)."""
    if country is None:
        return resources
    return tuple(r for r in resources if r.country in (country, "INTL"))


def recommend(
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
) -> Recommendation:
    """The engine behind [`trustkit.recommend_next_step`][trustkit.recommend_next_step].

    Decided by [`verdict`][trustkit._engine.decide.verdict] (the policy,
    stated once) and said by `render`. ``history_ordered`` is accepted for
    compatibility: every history is sorted.
    """
    del history_ordered  # every history is sorted now: a wrong promise cannot lose a yes
    c = compiled(pack)
    found = verdict(c, answers, respondent, country, history, boundaries, now, state, given)
    return render(c, found)


def render(c: CompiledPack, found: Verdict) -> Recommendation:
    """The recommendation for a verdict: the step, its texts, evidence and resources."""
    if found.safety:
        return _safety(
            c, found.role, found.clean, found.scores, found.safety, found.country, found.problems
        )
    if found.follow_up:
        return _follow_up(c, found)
    winner = found.winner
    assert winner is not None  # neither safety nor a follow-up: a rule decided
    rule = winner.rule
    evidence: list[Evidence] = []
    sentences: list[str] = []
    winner.explain(found.clean, found.scores, evidence, sentences)
    steps = c.steps_apart if found.period is not None else c.steps
    return made_with(
        c,
        found.role,
        step=steps[rule.step],
        urgency=rule.urgency,
        reasons=(rule.reason, *sentences),
        evidence=tuple(evidence),
        rule_id=rule.id,
        alternatives=tuple(alternative(c, r) for r in found.alternatives),
        resources=near(c.resources_for(rule.resources), found.country) if rule.resources else (),
        safety=False,
    )


def alternative(c: CompiledPack, rule: CompiledRule) -> Alternative:
    """A rule that also held, as an alternative step."""
    return c.alternative(rule.rule)


def _follow_up(c: CompiledPack, found: Verdict) -> Recommendation:
    """For the partner who screened positive earlier in the safety period: help for them alone.

    The step is the one the safety rules chose then, with only its crisis-safe
    actions; the resources are the ones those rules attach; the reason
    acknowledges the earlier answer without repeating it.
    """
    matched = found.matched(c)
    top = matched[0].rule
    topics: list[str] = []
    for compiled_rule in matched:
        topics.extend(t for t in compiled_rule.rule.resources if t not in topics)
    pack = c.pack
    emergency = c.emergency
    country = found.country
    return made_with(
        c,
        found.role,
        step=emergency.step(top.step, country),
        urgency=found.urgency,
        reasons=(fill(pack.messages.safety_earlier, emergency.number(country)),),
        # The evidence names neither the questions nor the conditions: on a shared screen,
        # "earlier in the safety period" is all it may say.
        evidence=tuple(Evidence(r.rule.id, "earlier in the safety period", ()) for r in matched),
        rule_id=top.id,
        alternatives=(),
        resources=emergency.first(near(c.resources_for(tuple(topics)), country), country),
        safety=True,
        problems=found.problems,
        plan=top.plan,
    )
