"""The decision: the one statement of trustkit's policy, from a check-in to a verdict.

Every way into trustkit decides here: the single call, ``recommend_many``,
``decide``, the trace (with an observer), batch, diff, Dask, FHIR, the web
example and the CLI. A [`Verdict`][trustkit._engine.decide.Verdict] says
which rules decided and why they could (the answers that could be read, the
scores and facts, the safety period), and nothing about how to say it:
[`render`][trustkit._engine.recommend.render] turns it into a
``Recommendation``, and the decision-only path reads its ids.

The policy, in order:

1. A safety yes now: the safety rules that hold decide, whatever else is
   wrong with the input (that is reported beside the help).
2. A safety period of the partner's own: a follow-up with help for them alone.
3. Anything wrong with the input is now an error.
4. Otherwise the highest-priority ordinary rule that holds decides (ties by
   id), with up to two alternatives; during a period, couples steps are
   left out for the other partner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from trustkit._countries import country_problem
from trustkit._engine.compile import Answers, CompiledPack, CompiledRule, Scores
from trustkit._engine.facts import compute
from trustkit._engine.period import SafetyPeriod
from trustkit._engine.state import Decider, checked_state, folded
from trustkit._engine.state import period as period_of
from trustkit._pack.kinds import parse
from trustkit._vocabulary import did_you_mean
from trustkit.errors import AnswerError, AnswerProblem, NoStepError, ProblemCode, TrustkitError
from trustkit.models import (
    Answer,
    CheckIn,
    CoupleState,
    Decision,
    Question,
    QuestionKind,
    Role,
    RuleOutcome,
    Urgency,
)

MAX_ALTERNATIVES = 2
_ROLES = {role.value: role for role in Role}
NO_SCORES: Scores = {}
_NEEDS_TODAY = "a timezone-aware datetime (history and boundaries need a 'today')"
_NO_STEPS: frozenset[str] = frozenset()
_NO_RULES: tuple[CompiledRule, ...] = ()


class Verdict:
    """What decided a check-in, before anything is said about it.

    Exactly one of three: ``safety`` (the safety rules that hold now, highest
    first), ``period`` with ``follow_up`` (the partner's own safety period),
    or ``winner`` (an ordinary rule, with ``alternatives``).
    """

    __slots__ = (
        "alternatives",
        "clean",
        "country",
        "follow_up",
        "period",
        "problems",
        "role",
        "safety",
        "scores",
        "winner",
    )

    def __init__(
        self,
        role: Role,
        clean: Answers,
        scores: Scores,
        country: str | None,
        *,
        safety: tuple[CompiledRule, ...] = _NO_RULES,
        period: SafetyPeriod | None = None,
        follow_up: bool = False,
        winner: CompiledRule | None = None,
        alternatives: tuple[CompiledRule, ...] = _NO_RULES,
        problems: tuple[AnswerProblem, ...] = (),
    ) -> None:
        self.role = role
        self.clean = clean
        self.scores = scores
        self.country = country
        self.safety = safety
        self.period = period
        self.follow_up = follow_up
        self.winner = winner
        self.alternatives = alternatives
        self.problems = problems

    def matched(self, c: CompiledPack) -> tuple[CompiledRule, ...]:
        """The safety rules behind a safety verdict: those that hold now, or held in the period."""
        if self.safety:
            return self.safety
        assert self.period is not None  # a follow-up
        # Safety rules only ever ask "was this answered yes", so the yes answers of every
        # positive screen in the period, taken together, find the rules that held then.
        said_yes = self.period.said_yes()
        return tuple(r for r in c.safety_rules if r.holds(said_yes, NO_SCORES))

    def rule(self, c: CompiledPack) -> CompiledRule:
        """The rule that decided."""
        if self.winner is not None:
            return self.winner
        return self.matched(c)[0]

    @property
    def urgency(self) -> Urgency:
        """Critical for a safety yes now, a warning for a follow-up, else the rule's own."""
        if self.winner is not None:
            return self.winner.rule.urgency
        return Urgency.WARNING if self.follow_up else Urgency.CRITICAL


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


_NUMBERS = frozenset({QuestionKind.SCALE, QuestionKind.COUNT})


def _value_code(question: Question, value: object) -> ProblemCode:
    """A number out of a scale's or a count's range, or a value of the wrong kind."""
    if question.kind not in _NUMBERS or type(value) is not int:
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
) -> tuple[Role, dict[str, Answer]]:
    """Check answers against the questionnaire; return the role and the answered values.

    Raises:
        AnswerError: Listing every problem; never quoting a value.
    """
    role, data = _given_answers(answers, respondent)
    return role, _checked(c, role, data)[0]


def _given_answers(answers: object, respondent: object) -> tuple[Role, Mapping[Any, object]]:
    """Whose answers these are, and the answers (not checked yet)."""
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
        return role, answers.answers
    if type(answers) is dict or isinstance(answers, Mapping):
        return (Role.PARTNER if respondent is None else _role(respondent)), answers
    raise AnswerError(
        [
            AnswerProblem(
                "answers",
                "a mapping of question id to answer, or a CheckIn",
                code=ProblemCode.WRONG_TYPE,
            )
        ]
    )


def _checked(
    c: CompiledPack, role: Role, data: Mapping[Any, object]
) -> tuple[dict[str, Answer], int]:
    """The answered values, and the ordinary rules they may make hold (see `RuleIndex`).

    Raises:
        AnswerError: Listing every problem; never quoting a value.
    """
    known = c.known[role]
    found = c.index.always
    # The usual check-in: every answer a common valid one (the very object the table
    # holds: ``True == 1 == 1.0``, but only ``1`` answers a scale), kept as it is.
    try:
        for item in data.items():
            hit = known.get(item)
            if hit is None or hit[0] is not item[1]:
                break
            found |= hit[1]
        else:
            return dict(data.items()), found
    except (KeyError, ValueError, TypeError):  # e.g. a list of codes: the long way, below
        pass
    clean: dict[str, Answer] = {}
    found = c.index.always
    try:
        for item in data.items():
            try:
                hit = known.get(item)
            except TypeError:  # a value that cannot be hashed: a list of codes, or not valid
                hit = None
            if hit is not None and hit[0] is item[1]:
                clean[item[0]] = item[1]
                found |= hit[1]
                continue
            key, value = item
            check = c.checks[role][key]  # a KeyError for a question the role is not asked
            if value is None:
                continue
            if not check(value):
                raise ValueError(key)
            value = parse(c.questions[key], value)
            clean[key] = value
            found |= c.index.answer_bits(key, value)
    except (KeyError, ValueError, TypeError):
        # The fast path stops at the first problem; go back and collect them all.
        raise AnswerError(_problems(c, role, data)) from None
    return clean, found


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
    clean: dict[str, Answer] = {}
    for key, value in data.items():
        check = checks.get(key) if isinstance(key, str) else None
        if check is not None and check(value):
            clean[key] = parse(c.questions[key], value)
    return role, clean


def country_code(country: object) -> str | None:
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


def today_of(answers: object, now: object) -> dt.datetime | None:
    """When the check-in happens: ``now``, else the check-in's own time, else unknown."""
    if now is not None:
        if not (isinstance(now, dt.datetime) and now.utcoffset() is not None):
            raise AnswerError(
                [AnswerProblem("now", "a timezone-aware datetime", code=ProblemCode.WRONG_TYPE)]
            )
        return now
    return answers.at if isinstance(answers, CheckIn) else None


def decider(c: CompiledPack) -> Decider:
    """Works out the step a past check-in got, with the state before it (see `folded`)."""

    def decide(state: CoupleState, checkin: CheckIn) -> str:
        try:
            return step_of(c, verdict(c, checkin, None, state=state, wanted=0))
        except TrustkitError:  # e.g. answers to questions the pack no longer has
            return ""

    return decide


def step_of(c: CompiledPack, found: Verdict) -> str:
    """The id of the step a verdict gives."""
    return found.rule(c).rule.step


def decision(c: CompiledPack, found: Verdict) -> Decision:
    """The decision alone, as [`trustkit.decide`][trustkit.decide] returns it."""
    rule = found.rule(c).rule
    urgency, safety = found.urgency, found.winner is None
    if found.problems:
        return Decision(
            rule.step, rule.id, urgency, safety, found.role, c.pack.id, c.pack.version,
            found.problems,
        )  # fmt: skip
    key = (rule.id, urgency, safety, found.role)
    made = c.decisions.get(key)
    if made is None:  # the first of its kind: made once, then shared (it is immutable)
        made = Decision(rule.step, rule.id, urgency, safety, found.role, c.pack.id, c.pack.version)
        c.decisions[key] = made
    return made


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


def verdict(
    c: CompiledPack,
    answers: object,
    respondent: object,
    country: object = None,
    history: Iterable[object] | None = None,
    boundaries: Iterable[object] = (),
    now: object = None,
    state: object = None,
    given: tuple[AnswerError, ...] = (),
    *,
    wanted: int = MAX_ALTERNATIVES,
) -> Verdict:
    """Decide one check-in: the policy, stated once.

    A safety yes, today or earlier in an open safety period, is answered with
    help first: whatever else is wrong (other answers, the country, the dates,
    the history or the state) is then reported in ``problems``, never raised.
    Without a safety decision, the first error found is raised. ``given``
    holds errors the caller found first (a locale that cannot be used);
    ``wanted`` is how many alternatives to look for (none for a decision alone).

    Raises:
        AnswerError: Bad input, when no safety rule decides.
        NoStepError: No rule holds.
    """
    errors: list[AnswerError] = list(given)
    try:
        code = country_code(country)
    except AnswerError as error:
        errors.append(error)
        code = None
    clean: Answers
    try:
        role, data = _given_answers(answers, respondent)
        clean, found = _checked(c, role, data)
    except AnswerError as error:
        errors.append(error)
        role, clean = readable(c, answers, respondent)
        found = 0  # only a safety result can come of it
    scores: Scores = c.score(clean) if c.dimensions else NO_SCORES
    # Safety rules only ever ask whether safety questions were answered yes (check_pack
    # refuses any other), so they are tried before the facts, which they never read; and
    # without a yes to a question of the gate, none of them can hold, so none is tried.
    # (``in`` finds a yes, or anything equal to True: never fewer check-ins than the rules.)
    gate = c.safety_gate
    safety = (
        tuple(r for r in c.safety_rules if r.holds(clean, scores))
        if gate is None or True in map(clean.get, gate)
        else _NO_RULES
    )
    try:
        today = today_of(answers, now)
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

    if safety or (period is not None and period.own):
        reported = tuple(dict.fromkeys(p for error in errors for p in error.problems))
        return Verdict(
            role,
            clean,
            scores,
            code,
            safety=safety,
            period=period,
            follow_up=not safety,
            problems=reported,
        )
    if errors:
        raise errors[0]

    with_facts = past is not None or bool(boundaries)
    if with_facts:
        every = c.score_checked(clean)
        if isinstance(answers, CheckIn):  # all its answers fit (checked above): kept for later
            c.remember_scores(answers.answers, every)
        facts = facts_of(c, answers, role, every, past, boundaries, today, period)
        scores = {**scores, **facts}
    skipped = skipped_steps(c, period)
    found = c.index.scored(found, clean, scores, with_facts)
    winner, alternatives = choose(c, clean, scores, with_facts, skipped, wanted=wanted, found=found)
    if winner is None:
        raise NoStepError(c.pack.id)
    return Verdict(
        role, clean, scores, code, period=period, winner=winner, alternatives=alternatives
    )


def skipped_steps(c: CompiledPack, period: SafetyPeriod | None) -> frozenset[str]:
    """The steps no rule may lead to now: couples steps during a safety period.

    During a safety period the other partner gets no couples work: couples steps
    are skipped (the catch-all never leads to one) and couples actions are taken out.
    """
    return c.couples_steps if period is not None else _NO_STEPS


def facts_of(
    c: CompiledPack,
    answers: object,
    role: Role,
    scores: Scores,
    past: CoupleState | None,
    boundaries: Iterable[object],
    today: dt.datetime | None,
    period: SafetyPeriod | None,
) -> dict[str, Any]:
    """The facts from the couple's state and boundaries (``scores``: today's, every dimension)."""
    return compute(
        role=role,
        today=today,
        current=answers if isinstance(answers, CheckIn) else None,
        scores=scores,
        history=None if past is None else past.recent,
        boundaries=boundaries,
        score_of=c.past_scores,
        recommended_step=_given,
        compare_before=None if period is None else period.since,
        only=c.facts_wanted,
    )


def _given(checkin: CheckIn) -> str:
    """The step a folded check-in got (a state stores it in ``recommended``)."""
    return checkin.recommended or ""


Observer = Callable[[CompiledRule, bool | None, RuleOutcome], None]
"""Told what became of each rule when a check-in is decided (the trace listens)."""


def _candidates(c: CompiledPack, found: int, with_facts: bool) -> Iterator[CompiledRule]:
    """The rules the index found may hold, in priority order (only they can hold)."""
    if not with_facts:
        found &= c.facts_free
    ordered = c.rules
    while found:
        low = found & -found
        found ^= low
        yield ordered[low.bit_length() - 1]


def choose(
    c: CompiledPack,
    clean: Answers,
    scores: Scores,
    with_facts: bool,
    skipped: frozenset[str],
    observe: Observer | None = None,
    *,
    wanted: int = MAX_ALTERNATIVES,
    found: int = 0,
) -> tuple[CompiledRule | None, tuple[CompiledRule, ...]]:
    """The rule that decides, and up to ``wanted`` alternatives: highest priority first, ties by id.

    The one statement of how ordinary rules decide. With ``observe``, every
    rule is tried, not only the index's candidates, and each one's outcome is
    reported; the decision is the same. Without it, only ``found`` are tried:
    the rules the index found may hold (see `RuleIndex`).
    """
    tried = iter(c.rules) if observe is not None else _candidates(c, found, with_facts)
    winner: CompiledRule | None = None
    alternatives: list[CompiledRule] = []
    seen: set[str] = set()
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
        elif len(alternatives) == wanted:
            outcome, held = RuleOutcome.ENOUGH, True
        else:
            seen.add(rule.step)
            alternatives.append(candidate)
            outcome, held = RuleOutcome.ALTERNATIVE, True
        if observe is not None:
            observe(candidate, held, outcome)
        elif winner is not None and len(alternatives) == wanted:
            break
    return winner, tuple(alternatives)
