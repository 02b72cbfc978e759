"""Warnings about a pack that is valid but probably not what its authors meant.

Reachability, shadowing and catch-all gaps are found by sampling the
questionnaire's answer space with a seeded generator: random check-ins for both
roles, plus check-ins aimed at each rule (answers chosen to satisfy its
comparisons). Every warning that comes from sampling carries a concrete example
check-in, so authors can try it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator, Mapping

import attrs

from trustkit._engine.compile import (
    OPERATORS,
    CompiledPack,
    CompiledRule,
    compiled,
    dimension_items,
    questions_read,
)
from trustkit.models import (
    AllOf,
    Answer,
    AnswerCompare,
    Answered,
    AnyOf,
    Condition,
    ContentPack,
    Question,
    QuestionKind,
    Resource,
    Role,
    ScoreCompare,
)

MIN_ACTIONS = 3
STALE_AFTER_MONTHS = 12
"""A resource last verified more than this many months before today is stale."""
_OPS = OPERATORS


@attrs.frozen
class LintWarning:
    """Something in a pack that is allowed but probably a mistake.

    Attributes:
        code: A stable short name: ``few-actions``, ``unused-question``,
            ``unreachable-step``, ``shadowed-rule``, ``no-catch-all`` or
            ``stale-resource``.
        item: The id of the step, question, rule or resource it is about
            (``""`` for the pack as a whole).
        message: What is wrong and what to do, in plain words.
        respondent: Who answers the example check-in, if there is one.
        example: A check-in that shows the problem, if sampling found one.
        file: The pack file the item is defined in, where known.
        line: The line the item starts on, where known.
    """

    code: str
    item: str
    message: str
    respondent: Role | None = None
    example: Mapping[str, Answer] | None = None
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        where = where or (f"{self.file}: " if self.file else "")
        return f"{where}{self.code}: {self.item + ': ' if self.item else ''}{self.message}"


def _domain(question: Question) -> list[Answer]:
    if question.kind is QuestionKind.YES_NO:
        return [True, False]
    if question.kind is QuestionKind.SCALE:
        return [1, 2, 3, 4, 5]
    return list(range(10))


def _leaves(cond: Condition) -> Iterator[AnswerCompare | ScoreCompare | Answered]:
    if isinstance(cond, AllOf | AnyOf):
        for child in cond.conditions:
            yield from _leaves(child)
    elif isinstance(cond, AnswerCompare | ScoreCompare | Answered):
        yield cond
    # Not: aiming at its inside would work against it; Always: nothing to aim at.


class _Sampler:
    def __init__(self, pack: ContentPack, seed: int) -> None:
        self.pack = pack
        self.rng = random.Random(seed)
        self.by_role = {role: pack.questions_for(role) for role in Role}
        self.questions = {q.id: q for q in pack.questions}
        self.items = dimension_items(pack)

    def random(self, role: Role, share: float) -> dict[str, Answer]:
        answers: dict[str, Answer] = {}
        for q in self.by_role[role]:
            if q.safety:
                continue  # a yes decides everything; sampled separately by the safety rules
            if self.rng.random() < share:
                answers[q.id] = self.rng.choice(_domain(q))
        return answers

    def aimed(self, rule: CompiledRule) -> tuple[Role, dict[str, Answer]]:
        """A check-in whose answers satisfy the comparisons a rule makes, where possible."""
        leaves = list(_leaves(rule.rule.when))
        needed = {q for leaf in leaves for q in questions_read(leaf, self.items)}
        roles = [r for r in Role if needed <= {q.id for q in self.by_role[r]}] or list(Role)
        role = self.rng.choice(roles)
        allowed = {q.id for q in self.by_role[role]}
        answers = self.random(role, 0.3)
        for leaf in leaves:
            if self.rng.random() < 0.2:  # sometimes leave a comparison unmet, as 'any' allows
                continue
            if isinstance(leaf, ScoreCompare):
                items = [self.questions[q] for q in self.items[leaf.dimension]]
                # The pack check guarantees some score from 1 to 5 meets the comparison.
                v = self.rng.choice([v for v in range(1, 6) if _OPS[leaf.op](v, leaf.value)])
                for q in items:
                    if q.id in allowed:
                        answers[q.id] = 6 - v if q.reverse else v
                continue
            if leaf.question not in allowed:
                continue
            question = self.questions[leaf.question]
            domain = _domain(question)
            if isinstance(leaf, AnswerCompare):
                domain = [v for v in domain if _OPS[leaf.op](v, leaf.value)]
            if domain:
                answers[leaf.question] = self.rng.choice(domain)
        return role, answers


def _year_before(today: dt.date) -> dt.date:
    """The same day twelve months earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def stale_resources(pack: ContentPack, today: dt.date) -> tuple[LintWarning, ...]:
    """A ``stale-resource`` warning for each resource last verified over 12 months before today."""
    cutoff = _year_before(today)
    return tuple(_stale(res, today) for res in pack.resources if res.verified < cutoff)


def _stale(res: Resource, today: dt.date) -> LintWarning:
    origin = res.origin
    return LintWarning(
        "stale-resource",
        res.id,
        f"last verified on {res.verified.isoformat()}, more than {STALE_AFTER_MONTHS} months "
        f"before {today.isoformat()}: check every number, channel and opening time with the "
        "service's own page, then update 'verified'",
        file=origin.file if origin else None,
        line=origin.line if origin else None,
    )


def lint_pack(
    pack: ContentPack,
    *,
    samples: int = 1500,
    seed: int = 0,
    today: dt.date | None = None,
) -> tuple[LintWarning, ...]:
    """Warnings about a valid pack: unreachable steps, unused questions, shadowed rules, gaps.

    Args:
        pack: The pack to look at.
        samples: How many random check-ins to try (more are aimed at each rule).
        seed: Seed of the generator, so that the same pack gives the same warnings.
        today: The date to judge ``verified`` dates by. trustkit never reads the
            clock: without it, no ``stale-resource`` warnings are given.

    Returns:
        The warnings, by code and item. An empty tuple means nothing was found.

    Examples:
        >>> import datetime as dt
        >>> import trustkit
        >>> trustkit.lint_pack(trustkit.default_pack())
        ()
        >>> later = trustkit.lint_pack(trustkit.default_pack(), today=dt.date(2030, 1, 1))
        >>> {w.code for w in later}
        {'stale-resource'}
    """
    c = compiled(pack)
    sampler = _Sampler(pack, seed)
    warnings: list[LintWarning] = []

    warnings.extend(
        LintWarning(
            "few-actions",
            step.id,
            f"has {len(step.actions)} action(s); give people at least {MIN_ACTIONS} to choose from",
        )
        for step in pack.steps
        if len(step.actions) < MIN_ACTIONS
    )
    read = {q for r in pack.rules for q in questions_read(r.when, sampler.items)}
    warnings.extend(
        LintWarning(
            "unused-question", q.id, "no rule reads this question; answers to it change nothing"
        )
        for q in pack.questions
        if q.id not in read
    )

    cases: list[tuple[Role, dict[str, Answer]]] = []
    for i in range(samples):
        role = Role.PARTNER if i % 2 else Role.SUPPORTER
        cases.append((role, sampler.random(role, (0.15, 0.5, 0.9)[i % 3])))
    cases.extend((role, {}) for role in Role)
    for rule in c.rules:
        cases.extend(sampler.aimed(rule) for _ in range(60))

    steps_of = {r.rule.id: r.rule.step for r in c.rules}
    reached: set[str] = {r.rule.step for r in c.safety_rules}
    held: dict[str, list[tuple[Role, dict[str, Answer], tuple[str, ...]]]] = {}
    won: set[str] = set()
    gap: tuple[Role, dict[str, Answer]] | None = None
    for role, answers in cases:
        scores = c.score(answers)
        winner = _winner(c, answers, scores, held, role)
        if winner is None:
            gap = gap or (role, answers)
        else:
            won.add(winner)
            reached.add(steps_of[winner])

    if gap is not None:
        warnings.append(
            LintWarning(
                "no-catch-all",
                "",
                "some check-ins get no step: add a catch-all rule (when = { always = true })",
                gap[0],
                gap[1],
            )
        )
    for rule in c.rules:
        rule_id = rule.rule.id
        if rule_id in won or rule_id not in held:
            continue
        role, answers, _ = held[rule_id][0]
        always = set.intersection(*(set(higher) for _, _, higher in held[rule_id]))
        if always:
            blocker = next(r.rule.id for r in c.rules if r.rule.id in always)
            why = f"{blocker!r} has a higher priority and held in every sampled check-in "
        else:
            blocker = Counter(h[0] for _, _, h in held[rule_id]).most_common(1)[0][0]
            why = f"rules of higher priority (most often {blocker!r}) held in every sampled "
        warnings.append(
            LintWarning(
                "shadowed-rule",
                rule_id,
                why + "where this one did, so it never decides; raise its priority or narrow "
                "the other rule",
                role,
                answers,
            )
        )
    warnings.extend(
        LintWarning(
            "unreachable-step",
            step.id,
            "no sampled check-in leads to this step"
            + ("" if any(r.step == step.id for r in pack.rules) else ": no rule proposes it"),
        )
        for step in pack.steps
        if step.id not in reached
    )
    if today is not None:
        warnings.extend(stale_resources(pack, today))
    return tuple(sorted(warnings, key=lambda w: (w.code, w.item)))


def _winner(
    c: CompiledPack,
    answers: dict[str, Answer],
    scores: Mapping[str, float],
    held: dict[str, list[tuple[Role, dict[str, Answer], tuple[str, ...]]]],
    role: Role,
) -> str | None:
    holding: list[str] = []
    for rule in c.rules:
        if rule.holds(answers, scores):
            if holding:
                held.setdefault(rule.rule.id, []).append((role, answers, tuple(holding)))
            holding.append(rule.rule.id)
    return holding[0] if holding else None
