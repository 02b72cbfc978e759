"""Compiling a pack once into plain Python predicates, explainers and lookup tables.

Everything that does not depend on a check-in is worked out here, once per
pack: each condition becomes a closure that tests it and a closure that
explains it; each question gets a checker; sentences for scale and yes/no
answers are written out in advance. A compiled pack never changes after it is
built, so one serves every thread. It is cached on the
[`ContentPack`][trustkit.ContentPack] (and rebuilt, not pickled, when a pack is
unpickled).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from trustkit._engine.emergency import Emergency, fill_step
from trustkit._engine.facts import wanted
from trustkit._pack.kinds import CODE_OPS, kind_of
from trustkit._pack.kinds import reverse as reverse_key
from trustkit._roles import for_role, role_field, role_texts
from trustkit._vocabulary import FACT_FAMILIES, split_fact
from trustkit.models import (
    AllOf,
    Alternative,
    Always,
    Answer,
    AnswerCompare,
    Answered,
    AnyOf,
    Condition,
    Decision,
    Evidence,
    FactCompare,
    Not,
    Op,
    Question,
    QuestionKind,
    Resource,
    Role,
    Rule,
    ScoreCompare,
    Step,
    Urgency,
    Who,
    _FrozenAnswers,
)

if TYPE_CHECKING:
    from trustkit.models import ContentPack

TEXT_FAULTS = (KeyError, ValueError, IndexError, AttributeError, TypeError)
"""What filling in a broken template can raise (packs are checked: only a bypassed check)."""

Answers = Mapping[str, Answer]
Scores = Mapping[str, Any]
"""Dimension scores by id; with history, facts too (``"@name"``) and their details (``"#name"``)."""
Predicate = Callable[[Answers, Scores], bool]
Explainer = Callable[[Answers, Scores, list[Evidence], list[str]], None]
"""Appends the evidence and the sentences for a condition that holds."""

# --------------------------------------------------------------------- predicates

Compared = bool | float | tuple[str, ...]
"""What a comparison compares with: a yes or no, a number, or option codes."""


def _compare(key: str, op: Op, value: Compared, use_scores: bool) -> Predicate:
    # One small closure per operator: no dispatch is left for the time a rule is checked.
    # ``x is not None`` also rules out unanswered questions and missing scores.
    if op in CODE_OPS:
        if type(value) is not tuple or use_scores:  # the pack check allows only codes
            return _never
        return _on_codes(key, op, frozenset(value))
    if op is Op.EQ:
        if value is True or value is False:

            def p(a: Answers, s: Scores) -> bool:
                return (s if use_scores else a).get(key) is value

            return p

        def p(a: Answers, s: Scores) -> bool:
            x: Any = (s if use_scores else a).get(key)
            return x is not None and x == value

    elif op is Op.NE:

        def p(a: Answers, s: Scores) -> bool:
            x: Any = (s if use_scores else a).get(key)
            return x is not None and x != value

    elif op is Op.LT:

        def p(a: Answers, s: Scores) -> bool:
            x: Any = (s if use_scores else a).get(key)
            return x is not None and x < value

    elif op is Op.LE:

        def p(a: Answers, s: Scores) -> bool:
            x: Any = (s if use_scores else a).get(key)
            return x is not None and x <= value

    elif op is Op.GT:

        def p(a: Answers, s: Scores) -> bool:
            x: Any = (s if use_scores else a).get(key)
            return x is not None and x > value

    else:

        def p(a: Answers, s: Scores) -> bool:
            x: Any = (s if use_scores else a).get(key)
            return x is not None and x >= value

    return p


def _never(a: Answers, s: Scores) -> bool:
    return False


def _on_codes(key: str, op: Op, codes: frozenset[str]) -> Predicate:
    """A comparison on the codes of a choice (a text) or a multiple choice (a frozenset)."""
    if op is Op.CONTAINS:

        def p(a: Answers, s: Scores) -> bool:
            x = a.get(key)
            return type(x) is frozenset and codes <= x

    elif op is Op.IN:

        def p(a: Answers, s: Scores) -> bool:
            x = a.get(key)
            return (
                (x in codes) if type(x) is str else type(x) is frozenset and not codes.isdisjoint(x)
            )

    else:

        def p(a: Answers, s: Scores) -> bool:
            x = a.get(key)
            return (
                (x not in codes) if type(x) is str else type(x) is frozenset and codes.isdisjoint(x)
            )

    return p


Leaves = dict[tuple[str, Op, type, object, bool], Predicate]
"""Comparisons already compiled, so that rules testing the same answer share one closure."""


def _leaf(key: str, op: Op, value: Compared, use_scores: bool, memo: Leaves | None) -> Predicate:
    if memo is None:
        return _compare(key, op, value, use_scores)
    # The type is part of the key: ``True == 1`` but ``x is True`` is not ``x == 1``.
    memo_key = (key, op, type(value), value, use_scores)
    found = memo.get(memo_key)
    if found is None:
        found = memo.setdefault(memo_key, _compare(key, op, value, use_scores))
    return found


def compile_condition(cond: Condition, memo: Leaves | None = None) -> Predicate:
    """Turn a (checked) condition into a predicate over answers and scores.

    Args:
        cond: The condition.
        memo: Comparisons already compiled for the same pack, shared between rules.
    """
    if isinstance(cond, AnswerCompare):
        return _leaf(cond.question, cond.op, cond.value, False, memo)
    if isinstance(cond, ScoreCompare):
        return _leaf(cond.dimension, cond.op, cond.value, True, memo)
    if isinstance(cond, FactCompare):
        return _leaf("@" + cond.fact, cond.op, cond.value, True, memo)
    if isinstance(cond, Answered):
        key = cond.question
        return lambda a, s: key in a
    if isinstance(cond, Not):
        inner = compile_condition(cond.condition, memo)
        return lambda a, s: not inner(a, s)
    if isinstance(cond, AllOf):
        parts = tuple(compile_condition(c, memo) for c in cond.conditions)

        def all_of(a: Answers, s: Scores) -> bool:
            for part in parts:  # noqa: SIM110 - a loop is faster than all() on a generator
                if not part(a, s):
                    return False
            return True

        return all_of
    if isinstance(cond, AnyOf):
        parts = tuple(compile_condition(c, memo) for c in cond.conditions)

        def any_of(a: Answers, s: Scores) -> bool:
            for part in parts:  # noqa: SIM110 - a loop is faster than any() on a generator
                if part(a, s):
                    return True
            return False

        return any_of
    assert isinstance(cond, Always)  # the pack check allows nothing else
    return lambda a, s: True


def _codes(x: Any, y: Any) -> bool:
    return type(y) is tuple and type(x) in (str, frozenset)


def _chosen(x: Any) -> frozenset[Any]:
    return x if type(x) is frozenset else frozenset((x,))


OPERATORS: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: lambda x, y: x == y,
    Op.NE: lambda x, y: x != y,
    Op.LT: lambda x, y: x < y,
    Op.LE: lambda x, y: x <= y,
    Op.GT: lambda x, y: x > y,
    Op.GE: lambda x, y: x >= y,
    # Codes (``y``, a tuple) against a choice (a code) or a multiple choice (a frozenset).
    # Anything else (only in a pack whose check was bypassed) never holds.
    Op.IN: lambda x, y: _codes(x, y) and not _chosen(x).isdisjoint(y),
    Op.NOT_IN: lambda x, y: _codes(x, y) and _chosen(x).isdisjoint(y),
    Op.CONTAINS: lambda x, y: type(x) is frozenset and type(y) is tuple and x.issuperset(y),
}


def evaluate(cond: Condition, answers: Answers, scores: Scores) -> bool:
    """Evaluate a condition directly (slowly): the reference the compiled form must match."""
    if isinstance(cond, AnswerCompare | ScoreCompare | FactCompare):
        if isinstance(cond, AnswerCompare):
            x = answers.get(cond.question)
        elif isinstance(cond, ScoreCompare):
            x = scores.get(cond.dimension)
        else:
            x = scores.get("@" + cond.fact)
        if x is None:
            return False
        return OPERATORS[cond.op](x, cond.value)
    if isinstance(cond, Answered):
        return cond.question in answers
    if isinstance(cond, Not):
        return not evaluate(cond.condition, answers, scores)
    if isinstance(cond, AllOf):
        return all(evaluate(c, answers, scores) for c in cond.conditions)
    if isinstance(cond, AnyOf):
        return any(evaluate(c, answers, scores) for c in cond.conditions)
    return True


_GROUPS = (AllOf, AnyOf)
_ATOMS = (AnswerCompare, Answered, ScoreCompare, FactCompare)
_ON_ANSWERS = (AnswerCompare, Answered)
# Tuples, not ``A | B``: isinstance with a union written in the call builds the union each
# time, and these run for every condition of every rule when a pack is compiled.


def without_facts(cond: Condition) -> bool | None:
    """What a condition is when no facts are known: False, True, or None (it depends).

    Three-valued logic over the condition: a fact comparison is false when the
    fact is missing, an answer or score comparison may go either way. A rule
    whose condition is False here can only hold with history or boundaries.
    """
    if isinstance(cond, FactCompare):
        return False
    if isinstance(cond, Always):
        return True
    if isinstance(cond, Not):
        inner = without_facts(cond.condition)
        return None if inner is None else not inner
    if isinstance(cond, _GROUPS):
        values = [without_facts(c) for c in cond.conditions]
        decisive = isinstance(cond, AnyOf)  # True decides 'any'; False decides 'all'
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    return None


def atoms(cond: Condition) -> Iterator[AnswerCompare | ScoreCompare | FactCompare | Answered]:
    """The atomic conditions of a condition, in order, under ``not`` too (``always`` is not one).

    The one walk over a condition's tree that the pack tools share (`verify`,
    `mutate` and `lint` each ask what a condition compares).
    """
    if isinstance(cond, _GROUPS):
        for part in cond.conditions:
            yield from atoms(part)
    elif isinstance(cond, Not):
        yield from atoms(cond.condition)
    elif isinstance(cond, AnswerCompare | ScoreCompare | FactCompare | Answered):
        yield cond


def facts_read(cond: Condition) -> tuple[str, ...]:
    """The facts a condition reads, in order, without repeats."""
    return tuple(dict.fromkeys(a.fact for a in atoms(cond) if isinstance(a, FactCompare)))


def dimensions_read(*conds: Condition) -> set[str]:
    """The dimensions whose scores these conditions read."""
    found: set[str] = set()
    todo = list(conds)
    while todo:
        cond = todo.pop()
        if isinstance(cond, ScoreCompare):
            found.add(cond.dimension)
        elif isinstance(cond, Not):
            todo.append(cond.condition)
        elif isinstance(cond, _GROUPS):
            todo.extend(cond.conditions)
    return found


# --------------------------------------------------------------------- answer checks

Check = Callable[[object], bool]
"""Whether a value is a valid answer to one question (`trustkit._pack.kinds`)."""


# --------------------------------------------------------------------- explanations


def dimension_items(pack: ContentPack) -> dict[str, tuple[str, ...]]:
    """Each dimension's questions, in the pack's order."""
    return {
        d.id: tuple(q.id for q in pack.questions if q.dimension == d.id) for d in pack.dimensions
    }


def questions_read(cond: Condition, items: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The questions a condition reads (directly, or through a score or fact), without repeats."""
    if isinstance(cond, AnswerCompare | Answered):
        found: tuple[str, ...] = (cond.question,)
    elif isinstance(cond, ScoreCompare):
        found = items.get(cond.dimension, ())
    elif isinstance(cond, FactCompare):
        family, suffix = split_fact(cond.fact)
        found = items.get(suffix, ()) if FACT_FAMILIES[family][1] == "dimension" else ()
    elif isinstance(cond, Not):
        found = questions_read(cond.condition, items)
    elif isinstance(cond, AllOf | AnyOf):
        found = tuple(q for c in cond.conditions for q in questions_read(c, items))
    else:
        found = ()
    return tuple(dict.fromkeys(found))


def format_score(value: float) -> str:
    """A score as people write it: ``4``, ``2.5``."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _choice_sayer(question: Question, template: str) -> Callable[[Answer], str]:
    """The sentence for a choice: the chosen options' labels, in the question's order."""
    labels = {o.code: o.label for o in question.options}
    order = question.codes
    prompt = question.prompt

    def say(v: Answer) -> str:
        chosen = v if type(v) is frozenset else (v,)
        said = ", ".join(labels[c] for c in order if c in chosen) or "-"
        return template.format(prompt=prompt, value=said)

    return say


class _Explaining:
    """Builds explainer closures for one pack."""

    def __init__(self, pack: ContentPack) -> None:
        self.pack = pack
        self.questions = {q.id: q for q in pack.questions}
        self.items = dimension_items(pack)
        self.labels = {d.id: d.label for d in pack.dimensions}
        self.titles = {s.id: s.title for s in pack.steps}
        self.sayers: dict[str, Callable[[Answer], str]] = {}

    def sayer(self, qid: str) -> Callable[[Answer], str]:
        """A function from an answer to the sentence that reports it."""
        if qid in self.sayers:
            return self.sayers[qid]
        question = self.questions[qid]
        messages = self.pack.messages
        prompt = question.prompt
        say: Callable[[Answer], str]
        try:
            if question.kind is QuestionKind.YES_NO:
                yes = messages.answer_yes.format(prompt=prompt)
                no = messages.answer_no.format(prompt=prompt)
                say = lambda v: yes if v else no  # noqa: E731
            elif question.kind is QuestionKind.SCALE:
                table = {
                    v: messages.answer_scale.format(prompt=prompt, value=v)
                    for v in kind_of(question).domain(question)
                }
                say = table.__getitem__
            elif question.options:
                say = _choice_sayer(question, messages.answer_count)
            else:
                template = messages.answer_count
                say = lambda v: template.format(prompt=prompt, value=v)  # noqa: E731
        except TEXT_FAULTS:
            # Only a pack whose checks were bypassed gets here. Compiling must still succeed,
            # so that a safety answer always gets its recommendation; filling in the broken
            # template again, when explaining, raises where the safety path can catch it.
            say = lambda v: messages.answer_yes.format(prompt=prompt)  # noqa: E731
        self.sayers[qid] = say
        return say

    def date(self, when: dt.datetime) -> str:
        """A date as the pack writes it."""
        messages = self.pack.messages
        return messages.date.format(
            day=when.day, month=messages.months[when.month - 1], year=when.year
        )

    def fact_sentence(self, fact: str, s: Scores) -> str:
        """The sentence that reports a fact from history or boundaries."""
        family, suffix = split_fact(fact)
        messages = self.pack.messages
        value = s["@" + fact]
        if family in ("change", "change_since_first", "improved", "declined"):
            detail = "change_since_first" if family == "change_since_first" else "change"
            before, after, when = s[f"#{detail}.{suffix}"]
            return messages.change.format(
                label=self.labels[suffix],
                before=format_score(before),
                after=format_score(after),
                date=self.date(when),
            )
        if family == "gap":
            return messages.gap.format(label=self.labels[suffix], value=format_score(value))
        if family == "repeats":
            return messages.repeats.format(step=self.titles[suffix], value=value)
        if family in ("checkins", "weeks_since_first"):
            return messages.journey.format(**s["#journey"])
        if family == "streak_weeks":
            return messages.streak.format(value=value)
        template: str = getattr(messages, family.replace(".", "_"))
        return template.format(value=value)

    def fact_explainer(self, rule_id: str, cond: FactCompare) -> Explainer:
        """Evidence (the dimension's answered items, if any) and the fact's sentence."""
        text = str(cond)
        reads = questions_read(cond, self.items)
        fact = cond.fact

        def explain_fact(a: Answers, s: Scores, ev: list[Evidence], out: list[str]) -> None:
            ev.append(Evidence(rule_id, text, tuple(q for q in reads if q in a)))
            sentence = self.fact_sentence(fact, s)
            if sentence not in out:
                out.append(sentence)

        return explain_fact

    def explainer(self, rule_id: str, cond: Condition) -> Explainer:
        """A closure recording why ``cond`` (which held) held."""
        if isinstance(cond, AnswerCompare | Answered):
            qid = cond.question
            evidence = Evidence(rule_id, str(cond), (qid,))
            say = self.sayer(qid)

            def explain_answer(a: Answers, s: Scores, ev: list[Evidence], out: list[str]) -> None:
                ev.append(evidence)
                sentence = say(a[qid])
                if sentence not in out:
                    out.append(sentence)

            return explain_answer
        if isinstance(cond, ScoreCompare):
            dim = cond.dimension
            text = str(cond)
            items = self.items[dim]
            template = self.pack.messages.score
            label = self.labels[dim]

            def explain_score(a: Answers, s: Scores, ev: list[Evidence], out: list[str]) -> None:
                ev.append(Evidence(rule_id, text, tuple(q for q in items if q in a)))
                out.append(template.format(label=label, value=format_score(s[dim])))

            return explain_score
        if isinstance(cond, FactCompare):
            return self.fact_explainer(rule_id, cond)
        if isinstance(cond, Not):
            text = str(cond)
            reads = questions_read(cond.condition, self.items)

            def explain_not(a: Answers, s: Scores, ev: list[Evidence], out: list[str]) -> None:
                ev.append(Evidence(rule_id, text, tuple(q for q in reads if q in a)))

            return explain_not
        if isinstance(cond, AllOf):
            parts = tuple(self.explainer(rule_id, c) for c in cond.conditions)

            def explain_all(a: Answers, s: Scores, ev: list[Evidence], out: list[str]) -> None:
                for part in parts:
                    part(a, s, ev, out)

            return explain_all
        if isinstance(cond, AnyOf):
            pairs = tuple(
                (compile_condition(c), self.explainer(rule_id, c)) for c in cond.conditions
            )

            def explain_any(a: Answers, s: Scores, ev: list[Evidence], out: list[str]) -> None:
                for holds, part in pairs:
                    if holds(a, s):
                        part(a, s, ev, out)

            return explain_any

        def explain_always(a: Answers, s: Scores, ev: list[Evidence], out: list[str]) -> None:
            return None

        return explain_always


# --------------------------------------------------------------------- the compiled pack


class CompiledRule:
    """A rule with its predicate and explainer, each built the first time it is needed.

    Only the rules the index offers as candidates are ever tried, and only the
    rule that decides (and, on the safety path, every safety rule that holds)
    is ever explained, so a pack of thousands of rules builds the closures of
    a few, not of every rule.
    """

    __slots__ = (
        "_explain",
        "_explaining",
        "_leaves",
        "_predicate",
        "holds",
        "is_catch_all",
        "rule",
    )

    def __init__(self, rule: Rule, explaining: _Explaining, leaves: Leaves | None = None) -> None:
        self.rule = rule
        self.holds: Predicate = self._first_holds
        self._predicate: Predicate | None = None
        self.is_catch_all = isinstance(rule.when, Always)
        self._explaining = explaining
        self._leaves = {} if leaves is None else leaves
        self._explain: Explainer | None = None

    def _first_holds(self, answers: Answers, scores: Scores) -> bool:
        """Compile the predicate, keep it in place of this method, and test it."""
        return self.predicate()(answers, scores)

    def predicate(self) -> Predicate:
        """The compiled predicate itself (``holds`` once compiled), to keep in a loop.

        A caller that keeps ``rule.holds`` before its first call keeps this
        compiling method instead: every call would compile the condition again.
        """
        holds = self._predicate
        if holds is None:
            # Two threads racing here build the same closure; either may win.
            holds = self._predicate = self.holds = compile_condition(self.rule.when, self._leaves)
        return holds

    @property
    def explain(self) -> Explainer:
        """The closure that records why the rule's condition held (built once, on first use)."""
        explain = self._explain
        if explain is None:
            # Two threads racing here build the same closure; either may win.
            explain = self._explaining.explainer(self.rule.id, self.rule.when)
            self._explain = explain
        return explain


# --------------------------------------------------------------------- the rule index

_BEYOND = None
"""The key of a count question's table for every answer above its largest threshold."""

Atom = AnswerCompare | Answered | ScoreCompare | FactCompare


def triggers(cond: Condition) -> tuple[Atom, ...] | None:
    """Comparisons at least one of which holds whenever ``cond`` holds; None if there are none.

    ``all`` needs every part, so one part's triggers will do (the shortest);
    ``any`` needs one part, so it takes every part's; ``not`` and ``always``
    can hold with nothing answered, so they have none.
    """
    if isinstance(cond, _ATOMS):
        return (cond,)
    if isinstance(cond, AllOf):
        found = [t for t in (triggers(c) for c in cond.conditions) if t is not None]
        return min(found, key=len) if found else None
    if isinstance(cond, AnyOf):
        union: list[Atom] = []
        for part in cond.conditions:
            found_part = triggers(part)
            if found_part is None:
                return None
            union.extend(found_part)
        return tuple(union)
    return None


def necessary(cond: Condition) -> list[tuple[Atom, ...]]:
    """Groups of comparisons, one of each of which holds whenever ``cond`` holds.

    An atom is its own group; ``all`` needs every part, so it has every part's
    groups; ``any`` has one group, its triggers (see `triggers`); ``not`` and
    ``always`` have none.
    """
    if isinstance(cond, _ATOMS):
        return [(cond,)]
    if isinstance(cond, AllOf):
        return [group for part in cond.conditions for group in necessary(part)]
    if isinstance(cond, AnyOf):
        found = triggers(cond)
        return [] if found is None else [found]
    return []


LEVELS = 3
"""How many of a rule's groups (see `necessary`) the index of a large pack checks."""

LEVELS_FROM = 100
"""Packs of more rules than this are indexed on up to `LEVELS` groups per rule, others on one."""


class RuleIndex:
    """Finds the rules that may hold for a check-in without trying each one.

    Each rule's condition is reduced to groups of comparisons, one of each of
    which holds whenever the condition holds (see `necessary`). A rule is a
    candidate when one comparison of each of its chosen groups holds: its
    shortest group, or in a pack of more than `LEVELS_FROM` rules its
    `LEVELS` shortest, so that a rule of ``all(a, b, c)`` is tried only when
    ``a``, ``b`` and ``c`` all hold. Every rule that holds is a candidate, so
    trying the candidates in priority order gives the same result as trying
    every rule.

    Candidates are bits of an int, bit ``i`` for the ``i``-th rule in priority
    order, one block of bits per level (the ``j``-th group of each rule sets
    bit ``j * width + i``); a rule with fewer groups than levels is free at the
    levels it lacks. A comparison on an answer is looked up: for each
    question, a table from each possible answer (1-5, yes/no, or a count up to
    just past its largest threshold) to the bits it sets. A comparison on a
    score or a fact is tested once however many rules share it. Rules without
    groups (a ``not`` or ``always`` at the top) are always candidates. `scored`
    ands the levels into the candidates.
    """

    __slots__ = ("always", "answers", "dimension_atoms", "fact_atoms", "free", "width")

    def __init__(
        self,
        rules: tuple[CompiledRule, ...],
        questions: Mapping[str, Question],
        levels: int | None = None,
    ) -> None:
        width = len(rules)
        chosen: list[list[tuple[Atom, ...]]] = []
        for compiled_rule in rules:
            groups = [
                group
                for group in dict.fromkeys(necessary(compiled_rule.rule.when))
                if all(
                    not isinstance(a, _ON_ANSWERS)
                    or (a.question in questions and kind_of(questions[a.question]).indexable)
                    for a in group
                )
            ]
            groups.sort(key=len)
            chosen.append(groups)
        if levels is None:
            most = max(map(len, chosen), default=1)
            levels = min(LEVELS, max(most, 1)) if width > LEVELS_FROM else 1
        always: list[int] = []
        free: list[list[int]] = [[] for _ in range(levels)]
        # Rules that share a comparison are grouped first, and each group's bits are made
        # once: or-ing one bit at a time into an int of thousands of bits would be quadratic.
        by_answer: dict[str, dict[tuple[object, ...], tuple[AnswerCompare | Answered, list[int]]]]
        by_answer = {}
        by_score: dict[tuple[object, ...], tuple[Condition, list[int]]] = {}
        for i, groups in enumerate(chosen):
            if not groups:
                always.append(i)
            for level in range(levels):
                if level >= len(groups):
                    free[level].append(i)
                    continue
                bit = level * width + i
                for atom in groups[level]:
                    if isinstance(atom, Answered):
                        group = by_answer.setdefault(atom.question, {})
                        group.setdefault(("answered",), (atom, []))[1].append(bit)
                    elif isinstance(atom, AnswerCompare):
                        group = by_answer.setdefault(atom.question, {})
                        key: tuple[object, ...] = (atom.op, type(atom.value), atom.value)
                        group.setdefault(key, (atom, []))[1].append(bit)
                    else:
                        key = (type(atom).__name__, str(atom), type(atom.value))
                        by_score.setdefault(key, (atom, []))[1].append(bit)
        self.width = width
        self.always = _bits(always)
        # Level 0 needs no mask of its own: the candidates start from its bits.
        self.free = tuple(_bits(bits) for bits in free[1:])
        self.answers = {
            qid: _answer_table(
                questions[qid], [(atom, _bits(found)) for atom, found in groups.values()]
            )
            for qid, groups in by_answer.items()
        }
        self.dimension_atoms = tuple(
            (compile_condition(atom), _bits(found))
            for atom, found in by_score.values()
            if isinstance(atom, ScoreCompare)
        )
        self.fact_atoms = self.dimension_atoms + tuple(
            (compile_condition(atom), _bits(found))
            for atom, found in by_score.values()
            if isinstance(atom, FactCompare)
        )

    def answer_bits(self, key: str, value: Answer) -> int:
        """The bits one (valid) answer sets, at every level."""
        table = self.answers.get(key)
        if table is None:
            return 0
        bits = table.get(value)
        return table[_BEYOND] if bits is None else bits

    def scored(self, found: int, answers: Answers, scores: Scores, with_facts: bool) -> int:
        """The candidates: ``found`` and the scores' and facts' bits, levels anded."""
        if scores:
            for holds, bits in self.fact_atoms if with_facts else self.dimension_atoms:
                if holds(answers, scores):
                    found |= bits
        if not self.free:
            return found
        width = self.width
        candidates = found & ((1 << width) - 1)
        for level, free in enumerate(self.free, 1):
            candidates &= (found >> (level * width)) | free
        return candidates


def _bits(indices: list[int]) -> int:
    """An int with bit ``i`` set for each ``i`` in ``indices``, built in one pass."""
    if not indices:
        return 0
    buffer = bytearray((max(indices) >> 3) + 1)
    for i in indices:
        buffer[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buffer, "little")


def _answer_table(
    question: Question, atoms: list[tuple[AnswerCompare | Answered, int]]
) -> dict[object, int]:
    """Each possible answer to one question, and the rules whose triggers it makes hold."""
    compares = [a for a, _ in atoms if isinstance(a, AnswerCompare)]
    domain = kind_of(question).classes(question, compares)
    assert domain  # only indexable kinds are looked up, and each has classes
    table: dict[object, int] = {}
    for value in domain:
        bits = 0
        for atom, bit in atoms:
            if evaluate(atom, {atom.question: value}, _EMPTY):
                bits |= bit
        table[value] = bits
    # Past the classes (a count above every threshold) answers compare as the last does.
    table[_BEYOND] = table[domain[-1]]
    return table


_EMPTY: Scores = {}


class CompiledPack:
    """Everything [`recommend`][trustkit._engine.recommend.recommend] needs, worked out once."""

    __slots__ = (
        "_alternatives",
        "_past",
        "_resources_for",
        "all_dimensions",
        "checks",
        "couples_steps",
        "crisis_steps",
        "decisions",
        "dimensions",
        "emergency",
        "expected",
        "expected_checks",
        "facts_free",
        "facts_wanted",
        "high_risk",
        "index",
        "known",
        "pack",
        "questions",
        "readers",
        "resources",
        "resources_by_id",
        "resources_where",
        "rules",
        "rules_without_facts",
        "safety_gate",
        "safety_questions",
        "safety_rules",
        "screen",
        "steps",
        "steps_apart",
    )

    def __init__(self, pack: ContentPack) -> None:
        self.pack = pack
        self.questions: dict[str, Question] = {q.id: q for q in pack.questions}
        self.expected_checks: dict[str, Check] = {
            q.id: kind_of(q).checker(q) for q in pack.questions
        }
        self.checks: dict[Role, dict[str, Check]] = {
            role: {
                q.id: self.expected_checks[q.id] for q in pack.questions if role in q.respondents
            }
            for role in Role
        }
        self.expected = {q.id: kind_of(q).expected(q) for q in pack.questions}
        self.all_dimensions = tuple(
            (d.id, tuple((q.id, q.reverse) for q in pack.questions if q.dimension == d.id))
            for d in pack.dimensions
        )
        read = dimensions_read(*(r.when for r in pack.rules))
        self.dimensions = tuple(d for d in self.all_dimensions if d[0] in read)
        explaining = _Explaining(pack)
        leaves: Leaves = {}
        ordered = sorted(pack.rules, key=lambda r: (-r.priority, r.id))
        self.safety_rules = tuple(CompiledRule(r, explaining, leaves) for r in ordered if r.safety)
        self.safety_gate = yes_gate(r.rule.when for r in self.safety_rules)
        self.rules = tuple(CompiledRule(r, explaining, leaves) for r in ordered if not r.safety)
        # Without history or boundaries, rules that need facts cannot hold: skip them.
        free = [i for i, r in enumerate(self.rules) if without_facts(r.rule.when) is not False]
        self.rules_without_facts = tuple(self.rules[i] for i in free)
        self.facts_free = _bits(free)
        # Only the costlier facts some rule reads are worked out (none other is ever used).
        self.facts_wanted = wanted(f for r in pack.rules for f in facts_read(r.when))
        self.index = RuleIndex(self.rules, self.questions)
        self.known = {role: self._known(role) for role in Role}
        # Crisis texts may name the emergency number ({emergency}): safety results fill it
        # for their country; every other step shown says the pack's fallback wording.
        written = {s.id: s for s in pack.steps}
        self.emergency = Emergency(
            pack,
            {
                r.rule.step: attrs.evolve(
                    written[r.rule.step],
                    actions=tuple(a for a in written[r.rule.step].actions if a.in_crisis),
                )
                for r in self.safety_rules
            },
        )
        elsewhere = pack.messages.emergency_elsewhere
        self.steps: dict[str, Step] = {s.id: fill_step(s, elsewhere) for s in pack.steps}
        self.safety_questions = tuple(q.id for q in pack.questions if q.safety)
        # The safety screen each role is asked, and the highest-risk markers in it.
        self.screen: dict[Role, tuple[str, ...]] = {
            role: tuple(q.id for q in pack.questions if q.safety and role in q.respondents)
            for role in Role
        }
        self.high_risk = frozenset(q.id for q in pack.questions if q.safety and q.high_risk)
        # For a safety period: each step without couples exercises, and the steps that are
        # couples work as a whole (marked so, or nothing left once the exercises are out).
        self.steps_apart: dict[str, Step] = {
            s.id: attrs.evolve(s, actions=tuple(a for a in s.actions if a.who is not Who.BOTH))
            for s in pack.steps
        }
        self.couples_steps = frozenset(
            s.id for s in pack.steps if s.couples or not self.steps_apart[s.id].actions
        )
        self.crisis_steps: dict[str, Step] = {
            r.rule.step: self.emergency.step(r.rule.step, None) for r in self.safety_rules
        }
        self.resources_by_id = {r.id: r for r in pack.resources}
        topics = {t for r in pack.resources for t in r.topics}
        self.resources: dict[str, tuple[Resource, ...]] = {
            t: tuple(r for r in pack.resources if t in r.topics) for t in topics
        }
        self.resources_where: dict[str, frozenset[int]] = {
            t: frozenset(i for i, r in enumerate(pack.resources) if t in r.topics) for t in topics
        }
        self.readers = {role: ForReader(pack, role) for role in Role}
        self._past: dict[int, tuple[Mapping[str, Any], dict[str, float]]] = {}
        # Each decision without problems, made once (`trustkit._engine.decide.decision`):
        # a few per rule, shared by every check-in that gets it (they are immutable).
        self.decisions: dict[tuple[str, Urgency, bool, Role], Decision] = {}
        self._alternatives: dict[str, Alternative] = {}
        self._resources_for: dict[tuple[str, ...], tuple[Resource, ...]] = {}

    def _known(self, role: Role) -> dict[tuple[str, object], tuple[Answer, int]]:
        """Every common valid answer of ``role``: the value itself and the rules it may make hold.

        A check-in's ``(question, answer)`` found here is valid if it is the very
        same object (``True == 1 == 1.0``, but only ``True`` answers yes/no and
        only ``1`` a scale); anything else is checked the long way.
        """
        known: dict[tuple[str, object], tuple[Answer, int]] = {}
        for q in self.pack.questions:
            if role in q.respondents:
                for value in kind_of(q).domain(q):
                    known[q.id, value] = (value, self.index.answer_bits(q.id, value))
        return known

    def score(self, answers: Answers) -> dict[str, float]:
        """Scores of the dimensions rules read: the mean of answered items, reverse ones flipped."""
        return _mean_scores(answers, self.dimensions)

    def score_checked(self, clean: Answers) -> dict[str, float]:
        """Every dimension's score of answers already checked (`score_all` without the checks)."""
        return _mean_scores(clean, self.all_dimensions)

    def score_all(self, answers: Mapping[str, Any]) -> dict[str, float]:
        """Every dimension's score; answers that do not fit their question are ignored."""
        checks = self.expected_checks
        fitting = {k: v for k, v in answers.items() if k in checks and checks[k](v)}
        return _mean_scores(fitting, self.all_dimensions)

    def past_scores(self, answers: Mapping[str, Any]) -> Mapping[str, float]:
        """`score_all` of a past check-in's answers, remembered while they are in use.

        A couple's latest check-ins are scored again for every later one (their
        changes and the gap between partners); a check-in's answers cannot
        change, so their scores are kept, by the answers' identity (the answers
        themselves are kept too, so that the identity is not reused). Read only.
        """
        if type(answers) is not _FrozenAnswers:  # only a check-in's own answers cannot change
            return self.score_all(answers)
        found = self._past.get(id(answers))
        if found is not None and found[0] is answers:
            return found[1]
        scores = self.score_all(answers)
        self.remember_scores(answers, scores)
        return scores

    def remember_scores(self, answers: Mapping[str, Any], scores: dict[str, float]) -> None:
        """Keep ``scores`` as the `past_scores` of a check-in's own answers (others are not kept).

        A caller that scored a check-in whose answers all fit their questions
        (`score_checked` of what `_checked` kept) passes them on here: they are
        `score_all` of those answers, so the check-in is not scored again when
        it is in a later check-in's history.
        """
        if type(answers) is not _FrozenAnswers:
            return
        if len(self._past) >= _MAX_PAST:
            self._past.clear()
        self._past[id(answers)] = (answers, scores)

    def resources_for(self, topics: tuple[str, ...]) -> tuple[Resource, ...]:
        """The pack's resources on any of these topics, in pack order (each set worked out once)."""
        if len(topics) == 1:
            return self.resources[topics[0]]
        found = self._resources_for.get(topics)
        if found is None:
            # Their places in the pack, merged and sorted: no loop over every resource.
            where = self.resources_where
            places = sorted(frozenset().union(*(where.get(t, ()) for t in topics)))
            found = tuple(map(self.pack.resources.__getitem__, places))
            if len(self._resources_for) >= _MAX_TOPIC_SETS:
                self._resources_for.clear()
            self._resources_for[topics] = found
        return found

    def alternative(self, rule: Rule) -> Alternative:
        """A rule that also held, as an alternative step (one object per rule, shared)."""
        found = self._alternatives.get(rule.id)
        if found is None:
            found = Alternative(rule.step, self.steps[rule.step].title, rule.id)
            self._alternatives[rule.id] = found
        return found


STEP_TEXTS = role_texts(Step)
"""The texts of a step that may have a version for each role: ``title``, ``summary``."""
RULE_TEXTS = role_texts(Rule)
"""The texts of a rule that may have a version for each role: ``reason``."""
_MAX_READER_STEPS = 4096
"""The most steps `ForReader` keeps (the pack's, apart, and crisis steps per country)."""

_MAX_PAST = 4096
"""How many past check-ins' scores a compiled pack keeps (see `CompiledPack.past_scores`)."""

_MAX_TOPIC_SETS = 4096
"""How many merged sets of resources a compiled pack keeps (rules' topics: few in practice)."""


class ForReader:
    """The texts for one role: where a step's title or summary and a rule's reason are chosen.

    A pack text may have a version for each role (``summary_partner``,
    ``reason_supporter``, see `trustkit._pack.spec`): where it has, that role
    reads it in place of the text every reader gets. Recommendations take their
    step, alternatives and reasons from here, so that each reads right for
    whoever answered.
    """

    __slots__ = ("_alternatives", "_steps", "reasons", "role", "titles")

    def __init__(self, pack: ContentPack, role: Role) -> None:
        self.role = role
        self.reasons: dict[str, str] = {
            r.id: text for r in pack.rules if (text := for_role(r, "reason", role)) != r.reason
        }
        self.titles: dict[str, str] = {
            s.id: text for s in pack.steps if (text := for_role(s, "title", role)) != s.title
        }
        self._steps: dict[int, tuple[Step, Step]] = {}
        self._alternatives: dict[tuple[str, str], Alternative] = {}

    def reason(self, rule: Rule) -> str:
        """The rule's reason as this role reads it."""
        return self.reasons.get(rule.id, rule.reason)

    def step(self, step: Step) -> Step:
        """The step as this role reads it: the same object for the same step, and no versions.

        ``title`` and ``summary`` become this role's, and every per-role field is
        emptied, so that the step says one thing; a step without such fields is
        returned as it is.
        """
        found = self._steps.get(id(step))
        if found is not None and found[0] is step:
            return found[1]
        changes: dict[str, Any] = {
            role_field(name, role): "" for name in STEP_TEXTS for role in Role
        }
        if any(getattr(step, field) for field in changes):
            changes.update({name: for_role(step, name, self.role) for name in STEP_TEXTS})
            mine = attrs.evolve(step, **changes)
        else:
            mine = step
        if len(self._steps) >= _MAX_READER_STEPS:
            self._steps.clear()
        # Keeping the step itself keeps its id from being reused for another one.
        self._steps[id(step)] = (step, mine)
        return mine

    def alternatives(self, alternatives: tuple[Alternative, ...]) -> tuple[Alternative, ...]:
        """The alternatives with the titles this role reads."""
        titles = self.titles
        if not titles or not any(a.step_id in titles for a in alternatives):
            return alternatives
        return tuple(self._alternative(a) if a.step_id in titles else a for a in alternatives)

    def _alternative(self, alternative: Alternative) -> Alternative:
        key = (alternative.step_id, alternative.rule_id)
        found = self._alternatives.get(key)
        if found is None:
            found = Alternative(key[0], self.titles[key[0]], key[1])
            self._alternatives[key] = found
        return found


def _mean_scores(
    answers: Answers, dimensions: tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]
) -> dict[str, float]:
    scores = {}
    for dim, items in dimensions:
        total = 0
        count = 0
        for qid, reverse in items:
            x = answers.get(qid)
            if x is not None:
                total += reverse_key(x) if reverse else x  # type: ignore[operator, arg-type]
                count += 1
        if count:
            scores[dim] = total / count
    return scores


def yes_gate(conditions: Iterable[Condition]) -> tuple[str, ...] | None:
    """Questions one of which must be answered yes for any of these conditions to hold; or None.

    A rule's triggers (see `triggers`) are comparisons one of which holds whenever
    the rule does. When each of them, for every condition, is ``question = true``,
    none can hold unless one of those questions is answered yes, and a check-in
    with no such yes need not try them. Safety rules are written so (the pack
    check refuses any other); for conditions of any other form this is None.
    """
    gate: dict[str, None] = {}
    for cond in conditions:
        found = triggers(cond)
        if found is None:
            return None
        for atom in found:
            if not (isinstance(atom, AnswerCompare) and atom.op is Op.EQ and atom.value is True):
                return None
            gate[atom.question] = None
    return tuple(gate)


def compiled(pack: ContentPack) -> CompiledPack:
    """The compiled form of a pack, built on first use and cached on the pack.

    A pack built or changed in Python is checked as a whole first (a pack read
    from files was checked when it was read), so a broken pack is refused
    before it is used. Two threads racing here both build the same immutable
    result; either may win.

    Raises:
        PackError: The pack has a problem.
    """
    cached = pack._compiled
    if cached is None:
        if not pack._checked:  # a pack built in Python: read from files, it was checked
            from trustkit._pack.validate import check_pack  # noqa: PLC0415

            check_pack(pack)
        cached = CompiledPack(pack)
        object.__setattr__(pack, "_compiled", cached)
    assert isinstance(cached, CompiledPack)
    return cached


__all__ = [
    "CompiledPack",
    "RuleIndex",
    "atoms",
    "compile_condition",
    "compiled",
    "evaluate",
    "format_score",
    "necessary",
    "triggers",
    "yes_gate",
]
