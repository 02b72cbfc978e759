"""Mutation testing of a pack's examples: would they notice if a rule's condition changed?

`mutation_test` changes one rule condition at a time, in the small ways a
pack author gets wrong: a threshold moved by one (``feels_heard <= 2`` to
``<= 3`` or ``<= 1``), a comparison swapped (``<`` and ``<=``, ``>`` and
``>=``, ``=`` and ``!=``), a condition dropped from an ``all`` or ``any`` of
more than one. Each changed pack is a *mutant*. The pack's examples run
against it; a mutant is *killed* when some example no longer gets what it
expects, and *survives* when every example still passes: then no example
pins that part of the rule down.

Two kinds of mutant are set apart and not counted in the score:

- *equivalent*: the changed condition holds for exactly the same answers as
  the original, so no example could ever tell them apart (``progress_noticed
  >= 1`` moved to ``>= 0`` on a 1-5 scale). This is decided exactly, over
  every answer a question can take (1-5, yes/no, the counts up to past both
  thresholds), every score a dimension can have, and the two values of a yes/no
  fact; other facts are never called equivalent.
- *refused*: the changed pack is one the pack check refuses, so it could never
  be loaded: a safety rule may only ask whether a safety question was answered
  yes, so ``self_harm_thoughts = true`` swapped to ``!= true`` is refused.

It also reports *condition coverage*: each atomic condition of each rule
(a comparison, or ``answered``), and whether some example that tried the rule
saw it true, and some saw it false.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from trustkit._engine.compile import OPERATORS, atoms, compiled, dimension_items, evaluate
from trustkit._engine.decide import verdict
from trustkit._engine.examples import REFERENCE_TIME, _check, _Example, read_examples
from trustkit._engine.trace import trace
from trustkit._pack.kinds import kind_of
from trustkit._public import public
from trustkit._vocabulary import FACT_FAMILIES, split_fact
from trustkit.errors import PackError, PackProblem, ProblemCode, TrustkitError
from trustkit.models import (
    AllOf,
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
    Rule,
    ScoreCompare,
)

if TYPE_CHECKING:
    from trustkit._pack.sources import Source

__all__ = [
    "ConditionCoverage",
    "Mutant",
    "MutationReport",
    "equivalent",
    "mutation_test",
    "mutations",
]

KILLED, SURVIVED, EQUIVALENT, REFUSED = "killed", "survived", "equivalent", "refused"
"""What became of a mutant."""

_SWAPS = {
    Op.LT: Op.LE,
    Op.LE: Op.LT,
    Op.GT: Op.GE,
    Op.GE: Op.GT,
    Op.EQ: Op.NE,
    Op.NE: Op.EQ,
    Op.IN: Op.NOT_IN,
    Op.NOT_IN: Op.IN,
    Op.CONTAINS: Op.IN,
}
_COMPARES = (AnswerCompare, ScoreCompare, FactCompare)
_ATOMS = (AnswerCompare, ScoreCompare, FactCompare, Answered)
_MOST_SCORE_ITEMS = 40
"""Scores of dimensions with more questions than this are not enumerated for equivalence."""


@attrs.frozen
class Mutant:
    """One small change to one rule's condition, and what the examples made of it.

    Added in version 0.2.0.

    Attributes:
        rule: The id of the rule changed.
        safety: Whether it is a safety rule.
        change: The change, in words, e.g. ``"feels_heard <= 2 -> feels_heard <= 3"``
            or ``"drop feels_heard <= 2"``.
        outcome: ``killed`` (an example fails), ``survived`` (every example
            still passes), ``equivalent`` (no example could tell it from the
            original) or ``refused`` (the pack check would refuse the changed
            pack).
        killed_by: For a killed mutant, the id of the first example that failed.
    """

    rule: str
    safety: bool
    change: str
    outcome: str
    killed_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with the same fields."""
        return attrs.asdict(self)


@attrs.frozen
class ConditionCoverage:
    """One atomic condition of a rule, and whether the examples saw it both ways.

    Added in version 0.2.0.

    Attributes:
        rule: The rule's id.
        condition: The condition, written out, e.g. ``"feels_heard <= 2"``.
        seen_true: Whether it held for some example that tried the rule.
        seen_false: Whether it failed for some example that tried the rule.
    """

    rule: str
    condition: str
    seen_true: bool
    seen_false: bool

    @property
    def covered(self) -> bool:
        """Whether some example saw it true and some saw it false."""
        return self.seen_true and self.seen_false

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with the same fields, and ``covered``."""
        return {**attrs.asdict(self), "covered": self.covered}


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 100.0


@attrs.frozen
class MutationReport:
    """What `mutation_test` found: every mutant, and the condition coverage.

    Added in version 0.2.0.

    Attributes:
        packs: Every pack that took part, base first.
        examples: How many examples ran against each mutant.
        mutants: Every mutant, rule by rule in the order rules are tried.
        conditions: Every atomic condition of every rule, in the same order.
    """

    packs: tuple[PackRef, ...]
    examples: int
    mutants: tuple[Mutant, ...]
    conditions: tuple[ConditionCoverage, ...]

    def _count(self, outcome: str, safety: bool | None = None) -> int:
        return sum(
            1
            for m in self.mutants
            if m.outcome == outcome and (safety is None or m.safety is safety)
        )

    @property
    def survivors(self) -> tuple[Mutant, ...]:
        """The mutants every example still passes."""
        return tuple(m for m in self.mutants if m.outcome == SURVIVED)

    @property
    def score(self) -> float:
        """Killed mutants as a share of killed and surviving ones, in percent (100.0 for none).

        Equivalent and refused mutants are not counted.
        """
        killed = self._count(KILLED)
        return _percent(killed, killed + self._count(SURVIVED))

    @property
    def safety_score(self) -> float:
        """The same, for the mutants of safety rules only."""
        killed = self._count(KILLED, True)
        return _percent(killed, killed + self._count(SURVIVED, True))

    @property
    def condition_coverage(self) -> float:
        """The share of atomic conditions seen both true and false, in percent (100.0 for none)."""
        return _percent(sum(c.covered for c in self.conditions), len(self.conditions))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: the counts, scores, every mutant and every condition."""
        return {
            "packs": [str(ref) for ref in self.packs],
            "examples": self.examples,
            "score": self.score,
            "safety_score": self.safety_score,
            "condition_coverage": self.condition_coverage,
            "counts": {
                outcome: self._count(outcome) for outcome in (KILLED, SURVIVED, EQUIVALENT, REFUSED)
            },
            "mutants": [m.to_json() for m in self.mutants],
            "conditions": [c.to_json() for c in self.conditions],
        }


# ------------------------------------------------------------------------ mutants


def _changed(cond: Compare) -> Iterator[Compare]:
    """The changed versions of one comparison: threshold +-1, then the comparison swapped.

    A comparison on codes loses each of its codes in turn (while one is left) instead
    of moving a threshold, and ``in`` and ``not in`` swap (``contains`` becomes ``in``).
    """
    value = cond.value
    if isinstance(value, tuple):
        assert isinstance(cond, AnswerCompare)  # only answers are compared with codes
        if len(value) > 1:
            for i in range(len(value)):
                yield attrs.evolve(cond, value=value[:i] + value[i + 1 :])
    elif not isinstance(value, bool):
        for step in (1, -1):
            yield attrs.evolve(cond, value=value + step)
    yield attrs.evolve(cond, op=_SWAPS[cond.op])


Compare = AnswerCompare | ScoreCompare | FactCompare
_Change = tuple[str, Condition, tuple[Compare, Compare] | None]


def mutations(cond: Condition) -> Iterator[_Change]:
    """Every mutant of a condition: (change in words, the new whole, (old leaf, new leaf)).

    The old and new comparison are given for a changed comparison (for the
    equivalence check); for a dropped condition, None.
    """
    if isinstance(cond, _COMPARES):
        for changed in _changed(cond):
            yield f"{cond} -> {changed}", changed, (cond, changed)
    elif isinstance(cond, AllOf | AnyOf):
        parts = cond.conditions
        if len(parts) > 1:
            for i, part in enumerate(parts):
                whole = attrs.evolve(cond, conditions=parts[:i] + parts[i + 1 :])
                yield f"drop {part}", whole, None
        for i, part in enumerate(parts):
            for change, inner, leaves in mutations(part):
                whole = attrs.evolve(cond, conditions=(*parts[:i], inner, *parts[i + 1 :]))
                yield change, whole, leaves
    elif isinstance(cond, Not):
        for change, inner, leaves in mutations(cond.condition):
            yield change, Not(inner), leaves


def _domain(leaf: Compare, new: Compare, pack: ContentPack) -> Sequence[Any] | None:
    """Every value the compared thing can take (None when unbounded or not known)."""
    if isinstance(leaf, AnswerCompare):
        # The answer classes of both comparisons: past them, every answer compares alike.
        question = pack.question(leaf.question)
        assert isinstance(new, AnswerCompare)  # a change keeps what is compared
        return kind_of(question).classes(question, (leaf, new))
    if isinstance(leaf, ScoreCompare):
        n = len(dimension_items(pack)[leaf.dimension])
        if n > _MOST_SCORE_ITEMS:
            return None
        return sorted(
            {total / count for count in range(1, n + 1) for total in range(count, 5 * count + 1)}
        )
    family, _suffix = split_fact(leaf.fact)
    return (True, False) if FACT_FAMILIES[family][0] == "flag" else None


def equivalent(leaf: Compare, new: Compare, pack: ContentPack) -> bool:
    """Whether a changed comparison holds for exactly the same values as the original.

    Unanswered (or unknown) is the same for both: neither holds.
    """
    domain = _domain(leaf, new, pack)
    if domain is None:
        return False
    before, after = OPERATORS[leaf.op], OPERATORS[new.op]
    return all(before(x, leaf.value) == after(x, new.value) for x in domain)


# ------------------------------------------------------------------------ running


def _killer(examples: Sequence[_Example], pack: ContentPack) -> str | None:
    """The first example the pack fails, or None when every one passes."""
    for example in examples:
        try:
            message = _check(example, pack)[0]
        except TrustkitError:  # e.g. no rule holds any more
            return example.id
        if message is not None:
            return example.id
    return None


def _mutants_of(
    rule: Rule, index: int, pack: ContentPack, examples: Sequence[_Example]
) -> Iterator[Mutant]:
    for change, when, leaves in mutations(rule.when):
        if leaves is not None and equivalent(*leaves, pack):
            yield Mutant(rule.id, rule.safety, change, EQUIVALENT)
            continue
        rules = (*pack.rules[:index], attrs.evolve(rule, when=when), *pack.rules[index + 1 :])
        mutant = attrs.evolve(pack, rules=rules)
        try:
            compiled(mutant)  # checks it, as a loaded pack was checked
        except PackError:
            yield Mutant(rule.id, rule.safety, change, REFUSED)
            continue
        killer = _killer(examples, mutant)
        outcome = SURVIVED if killer is None else KILLED
        yield Mutant(rule.id, rule.safety, change, outcome, killer)


@attrs.frozen
class _Seen:
    """One example as the pack itself decides it: what it read, and which rules it tried."""

    example: _Example
    clean: Mapping[str, Any]
    scores: Mapping[str, Any]
    tried: frozenset[str]
    held: frozenset[str]


def _seen(pack: ContentPack, examples: Sequence[_Example]) -> list[_Seen]:
    """Every example as the pack decides it, failing ones refused (mutants then mean nothing).

    Raises:
        PackError: An example fails on the pack itself.
    """
    c = compiled(pack)
    out = []
    problems = []
    for example in examples:
        message = _check(example, pack)[0]
        if message is not None:
            problems.append(
                PackProblem(
                    example.file,
                    example.id,
                    "expect",
                    f"fails on the pack itself, so no mutant can be judged: {message}",
                    example.line,
                    code=ProblemCode.INVALID_VALUE,
                )
            )
            continue
        answers: Mapping[str, Any] | CheckIn = example.answers
        if example.history is not None or example.boundaries:
            answers = CheckIn(example.respondent, example.answers, REFERENCE_TIME)
        found = verdict(
            c,
            answers,
            example.respondent,
            history=example.history,
            boundaries=example.boundaries,
            now=REFERENCE_TIME,
        )
        t = trace(
            answers,
            example.respondent,
            pack,
            history=example.history,
            boundaries=example.boundaries,
            now=REFERENCE_TIME,
        )
        tried = frozenset(e.rule_id for e in t.rules if e.held is not None)
        held = frozenset(e.rule_id for e in t.rules if e.held)
        out.append(_Seen(example, found.clean, found.scores, tried, held))
    if problems:
        raise PackError(problems)
    return out


def _ordered(pack: ContentPack) -> list[tuple[int, Rule]]:
    """The rules in the order they are tried, with their index in ``pack.rules``."""
    c = compiled(pack)
    where = {rule.id: i for i, rule in enumerate(pack.rules)}
    return [(where[r.rule.id], r.rule) for r in (*c.safety_rules, *c.rules)]


@public
def mutation_test(source: Source, *overlays: Source, ordered: bool = False) -> MutationReport:
    """Mutation-test the examples of a pack: would they notice a rule changed a little?

    Each rule's condition is changed in one small way at a time: each threshold
    moved by 1 either way, each comparison swapped (``<`` and ``<=``, ``>``
    and ``>=``, ``=`` and ``!=``), each condition of an ``all`` or ``any`` of
    more than one dropped. The examples of the pack and its overlays (see
    [`run_examples`][trustkit.run_examples]) run against each changed pack: a
    mutant is killed when one fails, and survives when every one still passes.
    A change no example could ever notice (equivalent) and a changed pack the
    pack check refuses (a safety rule may only ask ``q = true``) are listed
    apart and not counted in the score. The report also gives condition
    coverage: whether each atomic condition was seen true and seen false.

    Added in version 0.2.0.

    Args:
        source: A pack, given as for [`load_pack`][trustkit.load_pack].
        *overlays: Overlay packs to apply on top, in order.
        ordered: As for ``load_pack``.

    Returns:
        Every mutant with its outcome, and every atomic condition's coverage.

    Raises:
        PackError: The pack cannot be loaded, an example is malformed, or an
            example fails on the pack itself (a mutation score means nothing
            then): every problem, with file and line.

    Examples:
        >>> import trustkit
        >>> report = trustkit.mutation_test("core")
        >>> report.score >= 90.0, report.safety_score
        (True, 100.0)
        >>> [m.change for m in report.survivors if m.rule == "patience-early"]
        ['checkins <= 3 -> checkins <= 4']
    """
    pack, examples = read_examples(source, *overlays, ordered=ordered)
    seen = _seen(pack, examples)
    mutants: list[Mutant] = []
    conditions: list[ConditionCoverage] = []
    for index, rule in _ordered(pack):
        tried = [(e.clean, e.scores) for e in seen if rule.id in e.tried]
        # Examples in which the rule held are the likeliest to notice a change: tried first.
        held = [e.example for e in seen if rule.id in e.held]
        rest = [e.example for e in seen if rule.id not in e.held]
        mutants.extend(_mutants_of(rule, index, pack, held + rest))
        for leaf in atoms(rule.when):
            values = {evaluate(leaf, answers, scores) for answers, scores in tried}
            conditions.append(
                ConditionCoverage(rule.id, str(leaf), True in values, False in values)
            )
    return MutationReport(pack.packs, len(examples), tuple(mutants), tuple(conditions))


# Public as trustkit.MutationReport, trustkit.Mutant and trustkit.ConditionCoverage.
public(Mutant)
public(ConditionCoverage)
public(MutationReport)
