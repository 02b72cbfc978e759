"""From one check-in to one recommendation: check, score, evaluate, explain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from trustkit._countries import country_problem
from trustkit._engine.compile import (
    TEXT_FAULTS,
    Answers,
    CompiledPack,
    CompiledRule,
    Scores,
    compiled,
    questions_read,
)
from trustkit._engine.emergency import fill
from trustkit._engine.facts import compute
from trustkit._engine.period import SafetyPeriod
from trustkit._engine.state import Decider, checked_state, folded
from trustkit._engine.state import period as period_of
from trustkit._vocabulary import did_you_mean
from trustkit.errors import AnswerError, AnswerProblem, NoStepError, ProblemCode, TrustkitError
from trustkit.models import (
    Alternative,
    CheckIn,
    ContentPack,
    CoupleState,
    Evidence,
    Question,
    QuestionKind,
    Recommendation,
    Resource,
    Role,
    RuleOutcome,
    Step,
    Urgency,
)

MAX_ALTERNATIVES = 2
_ROLES = {role.value: role for role in Role}
_NO_SCORES: Scores = {}
_NEEDS_TODAY = "a timezone-aware datetime (history and boundaries need a 'today')"
_NO_STEPS: frozenset[str] = frozenset()


def _name(key: object) -> str:
    """A question id as it may appear in an error: text, shortened, never anything else."""
    if not isinstance(key, str):
        return "<a key that is not text>"
    return key if len(key) <= 60 else key[:57] + "..."


def _role(respondent: object) -> Role:
    role = _ROLES.get(respondent) if isinstance(respondent, str) else None
    if role is None:
        raise AnswerError(
            [
                AnswerProblem(
                    "respondent", "'partner' or 'supporter'", code=ProblemCode.INVALID_VALUE
                )
            ]
        )
    return role


def _value_code(question: Question, value: object) -> ProblemCode:
    """A number out of a scale's or a count's range, or a value of the wrong kind."""
    if question.kind is QuestionKind.YES_NO or type(value) is not int:
        return ProblemCode.WRONG_TYPE
    return ProblemCode.OUT_OF_RANGE


def _problems(c: CompiledPack, role: Role, data: Mapping[Any, object]) -> list[AnswerProblem]:
    """Every problem with a check-in's answers (the slow path, only taken on bad input)."""
    checks = c.checks[role]
    problems = []
    for key, value in data.items():
        check = checks.get(key) if isinstance(key, str) else None
        if check is None:
            if isinstance(key, str) and key in c.questions:
                problems.append(
                    AnswerProblem(
                        key, f"a question the {role} is not asked", code=ProblemCode.WRONG_ROLE
                    )
                )
            else:
                problems.append(
                    AnswerProblem(
                        _name(key),
                        f"a known question id{did_you_mean(key, c.checks[role])}",
                        code=ProblemCode.UNKNOWN_QUESTION,
                    )
                )
        elif value is not None and not check(value):
            problems.append(
                AnswerProblem(key, c.expected[key], code=_value_code(c.questions[key], value))
            )
    return problems


def check_answers(
    c: CompiledPack, answers: object, respondent: object
) -> tuple[Role, dict[str, bool | int]]:
    """Check answers against the questionnaire; return the role and the answered values.

    Raises:
        AnswerError: Listing every problem; never quoting a value.
    """
    if isinstance(answers, CheckIn):
        role = answers.respondent
        if respondent is not None and _role(respondent) is not role:
            raise AnswerError(
                [
                    AnswerProblem(
                        "respondent",
                        f"the check-in's own respondent ({role})",
                        code=ProblemCode.WRONG_ROLE,
                    )
                ]
            )
        data: Mapping[Any, object] = answers.answers
    elif isinstance(answers, Mapping):
        role = Role.PARTNER if respondent is None else _role(respondent)
        data = answers
    else:
        raise AnswerError(
            [
                AnswerProblem(
                    "answers",
                    "a mapping of question id to answer, or a CheckIn",
                    code=ProblemCode.WRONG_TYPE,
                )
            ]
        )
    checks = c.checks[role]
    clean: dict[str, bool | int] = {}
    try:
        for key, value in data.items():
            if value is None:
                if key not in checks:
                    raise KeyError(key)
                continue
            if not checks[key](value):
                raise ValueError(key)
            clean[key] = value
    except (KeyError, ValueError):
        # The fast path stops at the first problem; go back and collect them all.
        raise AnswerError(_problems(c, role, data)) from None
    return role, clean


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
    pack: ContentPack,
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
) -> Recommendation:
    """A recommendation made with ``pack``, which gives its id, version, packs and locale.

    Every path that decides (a safety rule, a follow-up in the safety period, an
    ordinary rule, a batch) builds its result here, so a field the pack gives is
    never forgotten on one of them.
    """
    return Recommendation(
        step=step,
        urgency=urgency,
        reasons=reasons,
        evidence=evidence,
        rule_id=rule_id,
        alternatives=alternatives,
        resources=resources,
        respondent=role,
        safety=safety,
        pack_id=pack.id,
        pack_version=pack.version,
        packs=pack.packs,
        locale=pack.locale,
        problems=problems,
    )


def _safety(
    c: CompiledPack,
    role: Role,
    answers: Answers,
    scores: Scores,
    matched: list[CompiledRule],
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
    for compiled_rule in matched:
        rule = compiled_rule.rule
        reason = _without_said_opening(fill(rule.reason, number), openings)
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
        c.pack,
        role,
        step=emergency.step(top.step, country),
        urgency=Urgency.CRITICAL,
        reasons=(*reasons, *sentences),
        evidence=tuple(evidence),
        rule_id=top.id,
        alternatives=(),
        resources=emergency.first(_near(c.resources_for(tuple(topics)), country), country),
        safety=True,
        problems=problems,
    )


def _country(country: object) -> str | None:
    """The country as an upper-case ISO 3166-1 code; a wrong one is an error, never ignored.

    A code such as ``UK`` or ``ZZ`` matches no resource, so accepting it would quietly drop a
    country's own helplines from a safety result and leave only the international ones.
    """
    if country is None:
        return None
    problem = country_problem(country)
    if problem is not None:
        raise AnswerError([AnswerProblem("country", problem, code=ProblemCode.INVALID_VALUE)])
    assert isinstance(country, str)  # country_problem checked it
    return country.upper()


def _near(resources: tuple[Resource, ...], country: str | None) -> tuple[Resource, ...]:
    if country is None:
        return resources
    return tuple(r for r in resources if r.country in (country, "INTL"))


def _today(answers: object, now: object) -> dt.datetime | None:
    if now is not None:
        if not (isinstance(now, dt.datetime) and now.utcoffset() is not None):
            raise AnswerError(
                [AnswerProblem("now", "a timezone-aware datetime", code=ProblemCode.WRONG_TYPE)]
            )
        return now
    return answers.at if isinstance(answers, CheckIn) else None


def readable(c: CompiledPack, answers: object, respondent: object) -> tuple[Role, Answers]:
    """The answers that can be read, when `check_answers` found a problem.

    Used only to find a safety yes: each answer is kept if it fits its
    question (for either role), everything else is left out.
    """
    if isinstance(answers, CheckIn):
        role = answers.respondent
    else:
        # A Role is a str (StrEnum): it finds itself here.
        role = _ROLES.get(respondent, Role.PARTNER) if isinstance(respondent, str) else Role.PARTNER
    data: object = answers.answers if isinstance(answers, CheckIn) else answers
    if not isinstance(data, Mapping):
        return role, {}
    checks = c.expected_checks
    clean: dict[str, bool | int] = {}
    for key, value in data.items():
        check = checks.get(key) if isinstance(key, str) else None
        if check is not None and check(value):
            clean[key] = value
    return role, clean


def decider(c: CompiledPack) -> Decider:
    """Works out the step a past check-in got, with the state before it (see `folded`)."""

    def decide(state: CoupleState, checkin: CheckIn) -> str:
        try:
            return recommend(checkin, None, c.pack, state=state).step.id
        except TrustkitError:  # e.g. answers to questions the pack no longer has
            return ""

    return decide


def carried(
    c: CompiledPack,
    answers: object,
    role: Role,
    history: Iterable[object] | None,
    state: object,
    today: dt.datetime | None,
) -> tuple[CoupleState | None, list[AnswerProblem]]:
    """The couple's state before this check-in: as passed, or folded from the history."""
    if state is not None:
        past, problems = checked_state(state)
        if history is not None:
            problems.append(
                AnswerProblem(
                    "history", "a history or a state, not both", code=ProblemCode.NOT_ALLOWED
                )
            )
        newest = None if past is None else past.newest
        if today is not None and newest is not None and today < newest:
            problems.append(
                AnswerProblem(
                    "state", "a state no newer than this check-in", code=ProblemCode.OUT_OF_ORDER
                )
            )
        return past, problems
    if history is None:
        return None, []
    return folded(c, history, today, answers, role, decider(c))


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

    A safety yes, today or earlier in an open safety period, is answered with
    help first: whatever else is wrong (other answers, the country, the dates,
    the history or the state) is then reported in ``problems``, never raised.
    Without a safety decision, the first error found is raised, as before.
    ``history_ordered`` is accepted for compatibility: every history is sorted.
    ``given`` holds errors the caller found first (a locale that cannot be used).
    """
    del history_ordered  # every history is sorted now: a wrong promise cannot lose a yes
    c = compiled(pack)
    errors: list[AnswerError] = list(given)
    try:
        country = _country(country)
    except AnswerError as error:
        errors.append(error)
        country = None
    clean: Answers
    try:
        role, clean = check_answers(c, answers, respondent)
    except AnswerError as error:
        errors.append(error)
        role, clean = readable(c, answers, respondent)
    scores: Scores = c.score(clean) if c.dimensions else _NO_SCORES
    # Safety rules only ever ask whether safety questions were answered yes (check_pack
    # refuses any other), so they are tried before the facts, which they never read; and
    # without a yes to a question of the gate, none of them can hold, so none is tried.
    # (``in`` finds a yes, or anything equal to True: never fewer check-ins than the rules.)
    gate = c.safety_gate
    matched_safety = (
        [r for r in c.safety_rules if r.holds(clean, scores)]
        if gate is None or True in map(clean.get, gate)
        else []
    )
    try:
        today = _today(answers, now)
    except AnswerError as error:
        errors.append(error)
        today = None
    past, problems = carried(c, answers, role, history, state, today)
    needs_today = history is not None or state is not None or bool(boundaries)
    if today is None and needs_today and not any(e.problems[0].field == "now" for e in errors):
        problems.append(AnswerProblem("now", _NEEDS_TODAY, code=ProblemCode.MISSING))
    if problems:
        errors.append(AnswerError(problems))
    period = None if past is None else period_of(past, role)

    if matched_safety or (period is not None and period.own):
        found = tuple(dict.fromkeys(p for error in errors for p in error.problems))
        if matched_safety:
            return _safety(c, role, clean, scores, matched_safety, country, found)
        assert period is not None
        return _follow_up(c, role, period, country, found)
    if errors:
        raise errors[0]

    with_facts = past is not None or bool(boundaries)
    if with_facts:
        scores = {**scores, **facts_of(c, answers, role, clean, past, boundaries, today, period)}

    # During a safety period the other partner gets no couples work: couples steps are
    # skipped (the catch-all never leads to one) and couples actions are taken out.
    skipped = c.couples_steps if period is not None else _NO_STEPS
    steps = c.steps_apart if period is not None else c.steps
    winner, alternatives = _choose(c, clean, scores, with_facts, skipped)
    if winner is None:
        raise NoStepError(pack.id)

    rule = winner.rule
    evidence: list[Evidence] = []
    sentences: list[str] = []
    winner.explain(clean, scores, evidence, sentences)
    return made_with(
        pack,
        role,
        step=steps[rule.step],
        urgency=rule.urgency,
        reasons=(rule.reason, *sentences),
        evidence=tuple(evidence),
        rule_id=rule.id,
        alternatives=tuple(alternatives),
        resources=_near(c.resources_for(rule.resources), country) if rule.resources else (),
        safety=False,
    )


def facts_of(
    c: CompiledPack,
    answers: object,
    role: Role,
    clean: Answers,
    past: CoupleState | None,
    boundaries: Iterable[object],
    today: dt.datetime | None,
    period: SafetyPeriod | None,
) -> dict[str, Any]:
    """The facts from the couple's state and boundaries: the same for recommend and trace."""
    return compute(
        role=role,
        today=today,
        current=answers if isinstance(answers, CheckIn) else None,
        scores=c.score_all(clean),
        history=None if past is None else past.recent,
        boundaries=boundaries,
        score_of=c.score_all,
        recommended_step=_given,
        compare_before=None if period is None else period.since,
    )


def _given(checkin: CheckIn) -> str:
    """The step a folded check-in got (a state stores it in ``recommended``)."""
    return checkin.recommended or ""


Observer = Callable[[CompiledRule, bool | None, RuleOutcome], None]
"""Told what became of each rule when a check-in is decided (the trace listens)."""


def _candidates(
    c: CompiledPack, clean: Answers, scores: Scores, with_facts: bool
) -> Iterator[CompiledRule]:
    """The rules the index finds may hold, in priority order (only they can hold)."""
    found = c.index.candidates(clean, scores, with_facts)
    if not with_facts:
        found &= c.facts_free
    ordered = c.rules
    while found:
        low = found & -found
        found ^= low
        yield ordered[low.bit_length() - 1]


def _choose(
    c: CompiledPack,
    clean: Answers,
    scores: Scores,
    with_facts: bool,
    skipped: frozenset[str],
    observe: Observer | None = None,
) -> tuple[CompiledRule | None, list[Alternative]]:
    """The rule that decides, and up to two alternatives: highest priority first, ties by id.

    The one statement of how ordinary rules decide. With ``observe``, every
    rule is tried, not only the index's candidates, and each one's outcome is
    reported; the decision is the same.
    """
    winner: CompiledRule | None = None
    alternatives: list[Alternative] = []
    seen: set[str] = set()
    tried = _candidates(c, clean, scores, with_facts) if observe is None else iter(c.rules)
    for candidate in tried:
        rule = candidate.rule
        if rule.step in skipped:  # couples work, during a safety period: not part of it
            outcome, held = RuleOutcome.NOT_TRIED, None
        elif not candidate.holds(clean, scores):
            outcome, held = RuleOutcome.FAILED, False
        elif winner is None:
            winner = candidate
            seen.add(rule.step)
            outcome, held = RuleOutcome.DECIDED, True
        elif rule.step in seen:
            outcome, held = RuleOutcome.SAME_STEP, True
        elif candidate.is_catch_all:
            # A catch-all always holds, so it says nothing about this check-in.
            outcome, held = RuleOutcome.CATCH_ALL, True
        elif len(alternatives) == MAX_ALTERNATIVES:
            outcome, held = RuleOutcome.ENOUGH, True
        else:
            seen.add(rule.step)
            alternatives.append(Alternative(rule.step, c.steps[rule.step].title, rule.id))
            outcome, held = RuleOutcome.ALTERNATIVE, True
        if observe is not None:
            observe(candidate, held, outcome)
        elif len(alternatives) == MAX_ALTERNATIVES:
            break
    return winner, alternatives


def _follow_up(
    c: CompiledPack,
    role: Role,
    period: SafetyPeriod,
    country: str | None,
    problems: tuple[AnswerProblem, ...] = (),
) -> Recommendation:
    """For the partner who screened positive earlier in the safety period: help for them alone.

    The step is the one the safety rules chose then, with only its crisis-safe
    actions; the resources are the ones those rules attach; the reason
    acknowledges the earlier answer without repeating it.
    """
    # Safety rules only ever ask "was this answered yes", so the yes answers of every
    # positive screen in the period, taken together, find the rules that held then.
    said_yes = period.said_yes()
    matched = [r for r in c.safety_rules if r.holds(said_yes, _NO_SCORES)]
    top = matched[0].rule
    topics: list[str] = []
    for compiled_rule in matched:
        topics.extend(t for t in compiled_rule.rule.resources if t not in topics)
    pack = c.pack
    emergency = c.emergency
    return made_with(
        pack,
        role,
        step=emergency.step(top.step, country),
        urgency=Urgency.WARNING,
        reasons=(fill(pack.messages.safety_earlier, emergency.number(country)),),
        # The evidence names neither the questions nor the conditions: on a shared screen,
        # "earlier in the safety period" is all it may say.
        evidence=tuple(Evidence(r.rule.id, "earlier in the safety period", ()) for r in matched),
        rule_id=top.id,
        alternatives=(),
        resources=emergency.first(_near(c.resources_for(tuple(topics)), country), country),
        safety=True,
        problems=problems,
    )
