"""Proving a pack: the safety screen, gaps, dead rules and ties, over every class of answers.

A pack's answers are finite once cut by the thresholds its conditions use: a
yes/no question is yes, no or unanswered; a scale question is 1-5 or
unanswered, grouped where no condition tells the values apart; a count is cut
into the intervals between its thresholds, plus unanswered. `verify_pack`
works over those classes, and never restates the decision policy: every
region it reports is decided by [`verdict`][trustkit._engine.decide.verdict]
on a concrete check-in from it, and every fault it reports comes with that
check-in (`Counterexample`), which `trustkit.recommend_next_step` decides the
same way.

- **Safety** (an error): for both roles, every check-in with a yes to a
  safety question the role is asked, whatever else is answered, is decided by
  a safety rule, and the result is crisis-safe: critical, with a crisis or
  domestic abuse line besides the emergency number, a step of the reader's
  own (not couples work, nothing partner-facing, at least one crisis action)
  and no text that asks for secrecy. When every safety rule has the form the
  pack check requires (one ``question = true``, or ``any`` of them, on safety
  questions), the rules that
  hold only grow with the set of yes answers, so the rule that decides any
  combination is the one that decides one of its single yes answers, and its
  step, resources and reasons are those of that single answer or more: one
  check-in per safety question proves every combination. Other safety rules
  (only in a pack built in Python that was never checked) are tried on every
  combination of the classes they read, up to `MAX_SAFETY_CASES`.
- **Gaps** (a warning): regions of answers that, without a history, only the
  catch-all decides (or no rule at all).
- **Dead rules** (a warning): ordinary rules that can never decide, in any
  region, with any history: the facts a history gives (``@checkins``,
  ``@improved.hope``, ...) are free variables, absent or taking any value, so a
  rule that only a history could make decide is never called dead.
- **Ties** (a warning): two rules of equal priority with different steps that
  both hold where none above them does, without a history; the one whose id
  sorts first decides.

Each analysis is also run for the other partner's safety period, when couples
steps are skipped: its counterexamples carry the history that opens one.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from trustkit._engine.compile import (
    OPERATORS,
    Answers,
    CompiledPack,
    CompiledRule,
    atoms,
    compiled,
    evaluate,
)
from trustkit._engine.decide import verdict
from trustkit._engine.emergency import TOPIC
from trustkit._engine.facts import compute
from trustkit._engine.recommend import render
from trustkit._pack.kinds import MAX_CHOICE_CODES, json_answers, kind_of
from trustkit._pack.kinds import reverse as reverse_key
from trustkit._pack.validate import CRISIS_TOPICS, PARTNER_FACING, SECRECY, pack_problems
from trustkit._public import public
from trustkit.errors import NoStepError, PackError, ProblemCode
from trustkit.models import (
    AllOf,
    Answer,
    AnswerCompare,
    Answered,
    AnyOf,
    CheckIn,
    Condition,
    ContentPack,
    FactCompare,
    Not,
    Op,
    PackRef,
    Recommendation,
    Role,
    ScoreCompare,
    Urgency,
    Who,
)

__all__ = [
    "MAX_REGIONS",
    "MAX_SAFETY_CASES",
    "NOW",
    "Counterexample",
    "Finding",
    "VerifyReport",
    "crisis_problems",
    "verify_pack",
]

NOW = dt.datetime(2026, 1, 5, 20, 0, tzinfo=dt.UTC)
""""Now" for the counterexamples that need a history (a safety period of the other partner)."""

MAX_REGIONS = 2_000_000
"""The most regions of answers the analysis of ordinary rules looks at before it gives up."""

MAX_SAFETY_CASES = 200_000
"""The most combinations tried for safety rules not of the checked form, before giving up."""

MAX_EXAMPLES = 3
"""Counterexamples kept per kind of finding and role (a gap region is counted, not listed)."""

_T, _F, _U = 1, 0, 2
"""True, false, and unknown (it depends on an answer not chosen yet, or on a history fact)."""

Value = Answer | None
Assignment = dict[str, Value]


@attrs.frozen
class Counterexample:
    """A concrete check-in that shows a finding.

    Added in version 0.2.0.

    Pass it on as ``trustkit.recommend_next_step(example.answers,
    respondent=example.respondent, history=example.history or None,
    now=example.now)``: the result shows the fault.

    Attributes:
        respondent: Who answers.
        answers: The answers (unanswered questions are left out).
        history: Earlier check-ins, when the finding needs one: a check-in of
            the other partner with a safety yes, which opens a safety period
            in which couples steps are skipped. Empty otherwise.
        now: When the check-in happens (set with a history), else None.
    """

    respondent: Role
    answers: Mapping[str, Answer]
    history: tuple[CheckIn, ...] = ()
    now: dt.datetime | None = None

    @property
    def during_safety_period(self) -> bool:
        """Whether the check-in falls in the other partner's safety period."""
        return bool(self.history)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: respondent, answers, history (``at`` as ISO 8601) and now."""
        return {
            "respondent": self.respondent.value,
            "answers": json_answers(self.answers),
            "history": [
                {
                    "respondent": h.respondent.value,
                    "answers": json_answers(h.answers),
                    "at": h.at.isoformat(),
                }
                for h in self.history
            ],
            "now": None if self.now is None else self.now.isoformat(),
        }


@attrs.frozen
class Finding:
    """One thing `verify_pack` found, with a check-in that shows it where one exists.

    Added in version 0.2.0.

    Attributes:
        kind: ``unsafe`` (a safety yes that does not end in a crisis-safe
            safety result), ``gap`` (regions only the catch-all decides, or no
            rule), ``dead-rule`` (an ordinary rule that can never decide) or
            ``tie`` (two rules of equal priority and different steps that hold
            together, where the id decides).
        rules: The rules it is about: the rule that decided (``unsafe``, none
            when no rule did), the catch-all (``gap``, none without one), the
            dead rule and the rule that decides where it holds, or the two
            tied rules, the one that decides first.
        message: What was found, in plain words (it never quotes an answer).
        example: A check-in that shows it; None for a rule that never holds
            without a history.
        regions: For a gap, how many regions of answers it covers; else 1.
    """

    kind: str
    rules: tuple[str, ...]
    message: str
    example: Counterexample | None = None
    regions: int = 1

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with the same fields."""
        return {
            "kind": self.kind,
            "rules": list(self.rules),
            "message": self.message,
            "regions": self.regions,
            "example": None if self.example is None else self.example.to_json(),
        }


@attrs.frozen
class VerifyReport:
    """What `verify_pack` proved about a pack, and what it found.

    Added in version 0.2.0.

    Attributes:
        packs: Every pack that took part, base first.
        safe: True only when the safety property is proved for both roles:
            every check-in with a safety yes ends at a crisis-safe safety
            result. Never True when the analysis gave up on it.
        complete: Whether the analysis of ordinary rules looked at every
            region (when it gives up, ``dead_rules`` is left empty: nothing is
            claimed dead; the gaps and ties found so far are real).
        regions: How many regions of answers were decided (each by a check-in).
        unsafe: Counterexamples to the safety property.
        gaps: Regions only the catch-all decides (or no rule), per role and
            safety period, each with its count and a check-in from it.
        dead_rules: Ordinary rules that can never decide.
        ties: Rules of equal priority and different steps that hold together.
        gave_up: Why the analysis stopped short, if it did.
    """

    packs: tuple[PackRef, ...]
    safe: bool
    complete: bool
    regions: int
    unsafe: tuple[Finding, ...] = ()
    gaps: tuple[Finding, ...] = ()
    dead_rules: tuple[Finding, ...] = ()
    ties: tuple[Finding, ...] = ()
    gave_up: tuple[str, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding: the unsafe ones first, then gaps, dead rules and ties."""
        return (*self.unsafe, *self.gaps, *self.dead_rules, *self.ties)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data, in a stable shape (``"format": "trustkit.verify/1"``)."""
        return {
            "format": "trustkit.verify/1",
            "packs": [str(p) for p in self.packs],
            "safe": self.safe,
            "complete": self.complete,
            "regions": self.regions,
            "gave_up": list(self.gave_up),
            "unsafe": [f.to_json() for f in self.unsafe],
            "gaps": [f.to_json() for f in self.gaps],
            "dead_rules": [f.to_json() for f in self.dead_rules],
            "ties": [f.to_json() for f in self.ties],
        }


class _GaveUpError(Exception):
    """The analysis has looked at as many regions as it may."""


class _TooManyCodesError(_GaveUpError):
    """Conditions tell apart too many codes of one multiple choice question to list each set."""

    def __init__(self, question: str) -> None:
        super().__init__(question)
        self.why = (
            f"conditions on {question!r} name more than {MAX_CHOICE_CODES} of its codes: "
            "the sets of codes it may be answered with are too many to try each"
        )


class _Budget:
    __slots__ = ("left",)

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _GaveUpError


# ------------------------------------------------------------------------ crisis safety


def crisis_problems(rec: Recommendation) -> list[str]:
    """What keeps a recommendation from being a crisis-safe answer to a safety yes (none: safe)."""
    found: list[str] = []
    if not rec.safety:
        found.append("an ordinary rule decides it, not a safety rule")
    if rec.urgency is not Urgency.CRITICAL:
        found.append("its urgency is not critical")
    if not any(TOPIC not in r.topics and set(r.topics) & set(CRISIS_TOPICS) for r in rec.resources):
        # The emergency line is always listed first: a helpline of the rules' own must follow.
        found.append(f"it shows no {' or '.join(CRISIS_TOPICS)} line besides the emergency number")
    step = rec.step
    if step.couples or any(a.who is Who.BOTH for a in step.actions):
        found.append(f"its step {step.id!r} is couples work")
    if not step.actions:
        found.append(f"its step {step.id!r} has no action for a crisis")
    if any(_partner_facing(t) for t in (step.title, *(a.title for a in step.actions))):
        found.append(f"its step {step.id!r} is partner-facing")
    texts = (
        *rec.reasons,
        step.title,
        step.summary,
        step.why,
        *(t for a in step.actions for t in (a.title, a.how)),
    )
    if any(_secrecy(t) for t in texts):
        found.append("a text asks for secrecy")
    return found


# The same few texts come back in every region a safety yes is checked in: search each once.
@functools.lru_cache(maxsize=4096)
def _secrecy(text: str) -> bool:
    return SECRECY.search(text) is not None


@functools.lru_cache(maxsize=4096)
def _partner_facing(text: str) -> bool:
    return PARTNER_FACING.search(text) is not None


def _unsafe(c: CompiledPack, role: Role, answers: Answers) -> Finding | None:
    """The finding for one check-in with a safety yes, or None when its result is crisis-safe."""
    example = Counterexample(role, dict(answers))
    try:
        found = verdict(c, answers, role, wanted=0)
    except NoStepError:
        return Finding("unsafe", (), "a safety yes that no rule decides", example)
    rec = render(c, found)
    problems = crisis_problems(rec)
    if not problems:
        return None
    return Finding(
        "unsafe",
        (rec.rule_id,),
        f"a safety yes of the {role} ends at rule {rec.rule_id!r}, which is not crisis-safe: "
        + "; ".join(problems),
        example,
    )


def _pure(cond: Condition, c: CompiledPack) -> bool:
    """Whether a safety rule has the checked form: ``q = true`` on safety questions, or any."""
    parts = cond.conditions if isinstance(cond, AnyOf) else (cond,)
    return all(
        isinstance(p, AnswerCompare)
        and p.op is Op.EQ
        and p.value is True
        and p.question in c.questions
        and c.questions[p.question].safety
        for p in parts
    )


def _combinations(
    screen: tuple[str, ...], names: list[str], domains: list[tuple[Value, ...]]
) -> Iterator[Answers]:
    """Every check-in with a yes on the screen, fewest yes answers first (a fault shows early)."""
    for k in range(1, len(screen) + 1):
        for yes in itertools.combinations(screen, k):
            rest = [q for q in screen if q not in yes]
            for said in itertools.product((False, None), repeat=len(rest)):
                for values in itertools.product(*domains):
                    answers: dict[str, Answer] = dict.fromkeys(yes, True)
                    pairs = zip((*rest, *names), (*said, *values), strict=True)
                    answers.update((q, v) for q, v in pairs if v is not None)
                    yield answers


def _safety(c: CompiledPack, role: Role) -> tuple[list[Finding], str | None]:
    """Counterexamples to the safety property for one role, and why it gave up (if it did)."""
    screen = c.screen[role]
    if all(_pure(r.rule.when, c) for r in c.safety_rules):
        cases: Iterator[Answers] = ({q: True} for q in screen)
    else:
        try:
            space = _Space(c, role, safety_yes=True)
        except _TooManyCodesError as error:
            return [], f"the {role}'s safety rules cannot be proved: {error.why}"
        others = [q for r in c.safety_rules for q in space.reads(r.rule.when) if q not in screen]
        names = list(dict.fromkeys(others))
        domains = [space.classes[q] for q in names]
        count = (3 ** len(screen) - 2 ** len(screen)) * math.prod(map(len, domains))
        if count > MAX_SAFETY_CASES:
            return [], (
                f"the {role}'s safety rules read too many combinations of answers "
                f"({count:,}, more than {MAX_SAFETY_CASES:,}) to try each"
            )
        cases = _combinations(screen, names, domains)
    found: list[Finding] = []
    for answers in cases:
        finding = _unsafe(c, role, answers)
        if finding is not None:
            found.append(finding)
            if len(found) == MAX_EXAMPLES:
                break
    return found, None


# ------------------------------------------------------------------------ answer classes


class _Space:
    """One role's questions, each cut into classes of answers that every condition treats alike."""

    def __init__(self, c: CompiledPack, role: Role, *, safety_yes: bool) -> None:
        asked = [q for q in c.pack.questions if role in q.respondents]
        on: dict[str, list[AnswerCompare | Answered]] = {}
        scored: set[str] = set()
        for rule in c.pack.rules:
            for atom in atoms(rule.when):
                if isinstance(atom, AnswerCompare | Answered):
                    on.setdefault(atom.question, []).append(atom)
                elif isinstance(atom, ScoreCompare):
                    scored.add(atom.dimension)
        self.classes: dict[str, tuple[Value, ...]] = {}
        for q in asked:
            compares = [a for a in on.get(q.id, ()) if isinstance(a, AnswerCompare)]
            found = kind_of(q).classes(q, compares)
            if found is None:
                raise _TooManyCodesError(q.id)
            values = [False] if q.safety and not safety_yes else found
            if q.dimension in scored:  # a score needs each value
                self.classes[q.id] = (*values, None)
                continue
            read = on.get(q.id, [])
            seen: dict[tuple[bool, ...], Value] = {}
            if not any(isinstance(a, Answered) for a in read):
                # Unanswered makes every comparison false: it stands for the values that do too.
                seen[(False,) * len(read)] = None
            for v in values:
                seen.setdefault(tuple(evaluate(a, {q.id: v}, {}) for a in read), v)
            self.classes[q.id] = (
                tuple(seen.values())
                if None in seen.values()
                else (
                    *seen.values(),
                    None,
                )
            )
        self.items = {
            d.id: tuple((q.id, q.reverse) for q in asked if q.dimension == d.id)
            for d in c.pack.dimensions
        }

    def reads(self, cond: Condition) -> list[str]:
        """The questions of this role a condition reads, directly or through a score."""
        out: list[str] = []
        for atom in atoms(cond):
            if isinstance(atom, AnswerCompare | Answered):
                if atom.question in self.classes:
                    out.append(atom.question)
            elif isinstance(atom, ScoreCompare):
                out.extend(q for q, _ in self.items.get(atom.dimension, ()))
        return out

    def value(
        self, cond: Condition, a: Assignment, facts: Mapping[str, Any] | None
    ) -> tuple[int, str | None]:
        """True, false or unknown, over the answers chosen so far; and one to choose next.

        ``facts`` None leaves every history fact free: a comparison on one is
        unknown, and no answer settles it (the question to choose is None).
        """
        if isinstance(cond, AnswerCompare | Answered):
            q = cond.question
            if q not in self.classes:  # never asked of this role: never answered
                return _F, None
            if q not in a:
                return _U, q
            x = a[q]
            if x is None:
                return _F, None
            holds = True if isinstance(cond, Answered) else evaluate(cond, {q: x}, {})
            return (_T if holds else _F), None
        if isinstance(cond, ScoreCompare):
            total = count = 0
            for q, reverse in self.items.get(cond.dimension, ()):
                if q not in a:
                    return _U, q
                x = a[q]
                if x is not None:
                    # as CompiledPack.score: the same sum (only scale questions are scored)
                    total += reverse_key(x) if reverse else x  # type: ignore[arg-type, operator]
                    count += 1
            holds = bool(count) and OPERATORS[cond.op](total / count, cond.value)
            return (_T if holds else _F), None
        if isinstance(cond, FactCompare):
            if facts is None:
                return _U, None
            return (_T if evaluate(cond, {}, facts) else _F), None
        if isinstance(cond, Not):
            v, hint = self.value(cond.condition, a, facts)
            return (v if v == _U else 1 - v), hint
        if isinstance(cond, AllOf | AnyOf):
            decides = _F if isinstance(cond, AllOf) else _T
            unknown = False
            hint = None
            for part in cond.conditions:
                v, h = self.value(part, a, facts)
                if v == decides:
                    return decides, None
                if v == _U:
                    unknown = True
                    hint = hint or h
            return (_U, hint) if unknown else (1 - decides, None)
        return _T, None  # always


# ------------------------------------------------------------------------ ordinary rules

Leaf = Callable[[Assignment, tuple[int, ...], tuple[int, ...]], None]


def _explore(
    space: _Space,
    rules: tuple[CompiledRule, ...],
    skipped: frozenset[str],
    facts: Mapping[str, Any] | None,
    budget: _Budget,
    leaf: Leaf,
) -> None:
    """Cut the answers into regions, each decided alike, and hand each to ``leaf``.

    In a region, every rule before the first that surely holds is false or
    (facts free) depends only on facts; ``leaf`` gets the answers chosen, the
    indices of the rules that may decide (in order, the last one surely holds
    unless no rule does) and those of equal priority after it that may hold too.
    """

    def node(a: Assignment, start: int, may: tuple[int, ...]) -> None:
        budget.spend()
        i = start
        while i < len(rules):
            rule = rules[i].rule
            if rule.step in skipped:
                i += 1
                continue
            v, q = space.value(rule.when, a, facts)
            if v == _F:
                i += 1
                continue
            if q is not None:
                for x in space.classes[q]:
                    node({**a, q: x}, i, may)
                return
            if v == _U:  # only history facts can settle it
                may = (*may, i)
                i += 1
                continue
            along: list[int] = []
            j = i + 1
            while j < len(rules) and rules[j].rule.priority == rule.priority:
                other = rules[j].rule
                if other.step not in skipped:
                    v, q = space.value(other.when, a, facts)
                    if q is not None:
                        for x in space.classes[q]:
                            node({**a, q: x}, i, may)
                        return
                    if v != _F:
                        along.append(j)
                j += 1
            leaf(a, (*may, i), tuple(along))
            return
        leaf(a, may, ())

    node({}, 0, ())


class _Analysis:
    """Gaps, dead rules and ties of one pack, per role, with and without a safety period."""

    def __init__(self, c: CompiledPack, budget: _Budget) -> None:
        self.c = c
        self.budget = budget
        self.regions = 0
        self.may_win: set[str] = set()
        self.gaps: list[Finding] = []
        self.ties: dict[tuple[str, str], Finding] = {}

    def mode(self, role: Role, apart: bool) -> tuple[frozenset[str], tuple[CheckIn, ...]]:
        """The steps skipped and the history, without or with the other partner's safety period."""
        if not apart:
            return frozenset(), ()
        other = Role.SUPPORTER if role is Role.PARTNER else Role.PARTNER
        yes = {self.c.screen[other][0]: True}
        return self.c.couples_steps, (CheckIn(other, yes, NOW - dt.timedelta(days=1)),)

    def run(self, role: Role, apart: bool) -> None:
        """Decide every region of ``role``'s answers, and find what may decide with any history."""
        c = self.c
        skipped, history = self.mode(role, apart)
        facts: dict[str, Any] = {}
        if history:
            facts = compute(
                role=role,
                today=NOW,
                current=None,
                scores={},
                history=history,
                boundaries=(),
                score_of=c.score_all,
                recommended_step=lambda _: "",
                compare_before=history[0].at,
            )
        space = _Space(c, role, safety_yes=False)
        rules = c.rules
        gap = _GapCount()

        def decided(a: Assignment, may: tuple[int, ...], along: tuple[int, ...]) -> None:
            self.regions += 1
            answers = {q: v for q, v in a.items() if v is not None}
            example = Counterexample(role, answers, history, NOW if history else None)
            try:
                found = verdict(c, answers, role, history=history or None, now=example.now)
            except NoStepError:
                gap.add(None, example)
                return
            winner = found.winner
            assert winner is not None  # the core agrees with the regions
            assert winner is rules[may[-1]]
            if winner.is_catch_all:
                gap.add(winner.rule.id, example)
            for j in along:
                other = rules[j]
                if other.rule.step != winner.rule.step:
                    self._tie(winner, other, example)

        def possible(a: Assignment, may: tuple[int, ...], along: tuple[int, ...]) -> None:
            self.may_win.update(rules[i].rule.id for i in may)

        _explore(space, rules, skipped, facts, self.budget, decided)
        _explore(space, rules, skipped, None, self.budget, possible)
        self.gaps.extend(gap.findings(role, apart))

    def _tie(self, winner: CompiledRule, other: CompiledRule, example: Counterexample) -> None:
        key = (winner.rule.id, other.rule.id)
        if key not in self.ties:
            self.ties[key] = Finding(
                "tie",
                key,
                f"{winner.rule.id!r} and {other.rule.id!r} have the same priority "
                f"({winner.rule.priority}) and different steps ({winner.rule.step!r}, "
                f"{other.rule.step!r}) and both hold here: {winner.rule.id!r} decides only "
                "because its id sorts first; give one a higher priority",
                example,
            )

    def dead(self) -> list[Finding]:
        """The ordinary rules that no region, with any history, lets decide."""
        found = []
        for rule in self.c.rules:
            if rule.rule.id not in self.may_win:
                found.append(self._dead(rule))
        return found

    def _dead(self, rule: CompiledRule) -> Finding:
        """A dead rule, with a check-in where it holds and another rule decides, if there is one."""
        for role in Role:
            space = _Space(self.c, role, safety_yes=False)
            hit = _holding(space, rule.rule.when, self.budget)
            if hit is None:
                continue
            example = Counterexample(role, hit)
            found = verdict(self.c, hit, role)
            blocker = found.rule(self.c).rule.id
            return Finding(
                "dead-rule",
                (rule.rule.id, blocker),
                f"{rule.rule.id!r} never decides: where it holds, a rule above it holds too "
                f"(here {blocker!r}), with or without a history or a safety period; raise its "
                "priority, narrow the other rule, or remove it",
                example,
            )
        return Finding(
            "dead-rule",
            (rule.rule.id,),
            f"{rule.rule.id!r} never decides: it never holds without a history, and where "
            "history facts could make it hold, rules above it hold too",
        )


def _holding(space: _Space, cond: Condition, budget: _Budget) -> dict[str, Answer] | None:
    """Answers (without a history) for which ``cond`` holds, or None if there are none."""

    def search(a: Assignment) -> Assignment | None:
        budget.spend()
        v, q = space.value(cond, a, {})
        if v == _T:
            return a
        if q is None:
            return None
        for x in space.classes[q]:
            hit = search({**a, q: x})
            if hit is not None:
                return hit
        return None

    found = search({})
    return None if found is None else {q: v for q, v in found.items() if v is not None}


class _GapCount:
    """The regions of one role and mode that only the catch-all decides, or no rule."""

    def __init__(self) -> None:
        self.count: dict[str | None, int] = {}
        self.first: dict[str | None, Counterexample] = {}

    def add(self, rule_id: str | None, example: Counterexample) -> None:
        self.count[rule_id] = self.count.get(rule_id, 0) + 1
        self.first.setdefault(rule_id, example)

    def findings(self, role: Role, apart: bool) -> list[Finding]:
        when = " during the other partner's safety period" if apart else ""
        out = []
        for rule_id, count in self.count.items():
            regions = f"{count} region{'s' if count != 1 else ''} of the {role}'s answers{when}"
            if rule_id is None:
                message = f"{regions} get no step at all: add a catch-all rule"
            else:
                message = f"{regions} only the catch-all {rule_id!r} decides (without a history)"
            example = self.first[rule_id]
            out.append(
                Finding("gap", () if rule_id is None else (rule_id,), message, example, count)
            )
        return out


# ------------------------------------------------------------------------ the whole


def _compiled(pack: ContentPack) -> CompiledPack:
    """The compiled pack; one that fails only the pack's safety checks is analysed all the same.

    Raises:
        PackError: The pack has problems other than safety ones.
    """
    if pack._checked:
        return compiled(pack)
    problems = pack_problems(pack)
    fatal = [p for p in problems if p.code is not ProblemCode.UNSAFE]
    if fatal:
        raise PackError(fatal)
    if not problems:
        return compiled(pack)
    return CompiledPack(pack)  # not cached: the pack is still refused when used


def verify_pack(pack: ContentPack, *, max_regions: int = MAX_REGIONS) -> VerifyReport:
    """Prove a pack safe over every class of answers, and find its gaps, dead rules and ties.

    Added in version 0.2.0.

    The answers are cut into the finite classes the pack's thresholds make,
    the facts a history gives are left free, and every region is decided by
    the engine itself on a concrete check-in (the policy is never restated).
    "Proving a pack" in the docs says what each finding means and how far the
    proof goes.

    A pack built in Python that fails only the pack check's safety checks is
    analysed all the same, so that its counterexamples show what those checks
    prevent; the engine still refuses it.

    Args:
        pack: The (merged) pack to prove.
        max_regions: The most regions of answers to look at. Past it the
            analysis gives up (``complete`` is False) and claims no rule dead;
            the safety proof does not depend on it.

    Returns:
        The report: ``safe`` is True only when the safety property is proved.

    Raises:
        PackError: The pack has problems other than safety ones.

    Examples:
        >>> import trustkit
        >>> report = trustkit.verify_pack(trustkit.default_pack())
        >>> report.safe, report.complete, report.unsafe
        (True, True, ())
    """
    c = _compiled(pack)
    unsafe: list[Finding] = []
    gave_up: list[str] = []
    for role in Role:
        found, why = _safety(c, role)
        unsafe.extend(found)
        if why is not None:
            gave_up.append(why)
    proved = not unsafe and not gave_up
    analysis = _Analysis(c, _Budget(max_regions))
    complete = True
    try:
        for role in Role:
            analysis.run(role, apart=False)
            other = Role.SUPPORTER if role is Role.PARTNER else Role.PARTNER
            if c.screen[other]:
                analysis.run(role, apart=True)
        dead = analysis.dead()
    except _GaveUpError as error:
        complete = False
        dead = []
        gave_up.append(
            f"{error.why}: no rule is claimed dead"
            if isinstance(error, _TooManyCodesError)
            else f"the ordinary rules cut the answers into more than {max_regions:,} regions: "
            "no rule is claimed dead"
        )
    return VerifyReport(
        packs=pack.packs,
        safe=proved,
        complete=complete,
        regions=analysis.regions,
        unsafe=tuple(unsafe),
        gaps=tuple(analysis.gaps),
        dead_rules=tuple(dead),
        ties=tuple(sorted(analysis.ties.values(), key=lambda f: f.rules)),
        gave_up=tuple(gave_up),
    )


# Public as trustkit.VerifyReport, trustkit.Finding and trustkit.Counterexample: reprs and
# pickles name those, not this private module.
public(Counterexample)
public(Finding)
public(VerifyReport)
public(verify_pack)
