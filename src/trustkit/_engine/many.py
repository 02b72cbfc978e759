"""Many check-ins at once: the rules tried once per chunk of check-ins, not once per check-in.

A chunk of check-ins is turned into columns: for each question, each answer
given in the chunk and the check-ins that gave it, as the bits of an int (bit
``i``: the chunk's ``i``-th check-in), as the rule index does for rules. Each
rule's condition is then evaluated once for the whole chunk with ``&``, ``|``
and ``~`` on those ints, and the winners and alternatives are handed out in
priority order exactly as [`recommend`][trustkit._engine.recommend.recommend]
does for one check-in. Results are memoized within the batch: a
``Recommendation`` depends only on the rule that wins, the alternatives, the
role and the answers the winning rule reads, so equal keys give the same
(immutable) object.

Anything out of the ordinary goes through the single call, which gives the
identical result or raises the identical error in the check-in's turn: a
check-in that fails its checks, one where no rule holds, or a pack too large
for columns to pay off. Where a safety rule holds, the result comes from the
single call's own safety code (`_safety`), remembered like the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from trustkit._engine.compile import (
    CompiledPack,
    Scores,
    compiled,
    dimension_items,
    questions_read,
)
from trustkit._engine.recommend import (
    _NO_SCORES,
    _country,
    _near,
    _role,
    _safety,
    check_answers,
    made_with,
    recommend,
)
from trustkit.models import (
    AllOf,
    Alternative,
    Always,
    Answer,
    AnswerCompare,
    Answered,
    AnyOf,
    CheckIn,
    Condition,
    ContentPack,
    Evidence,
    FactCompare,
    Not,
    Op,
    QuestionKind,
    Recommendation,
    Resource,
    Role,
    Rule,
    ScoreCompare,
    Step,
)

CHUNK = 256
"""Check-ins decided together: one bit each in the columns."""
MAX_RULES = 512
"""Above this many rules a chunk's columns cost more than the index saves: single calls."""
MAX_CELLS = 4096
"""How many distinct answers a batch files before it forgets the counts it has seen."""
MEMO_SIZE = 4096
"""How many distinct recommendations a batch remembers (forgotten all at once when full)."""

_ONE = 1
Columns = dict[str, dict[Any, int]]
"""For each question (or dimension), each value in the chunk and the check-ins that have it."""
Plan = Callable[[Columns, Columns, int], int]
"""A condition over a whole chunk: answer columns, score columns, all bits -> bits that hold."""


def _test(op: Op, value: bool | float) -> Callable[[Any], bool]:
    """One comparison on a present value, exactly as the compiled predicates make it."""
    if op is Op.EQ:
        if value is True or value is False:
            return lambda x: x is value
        return lambda x: x == value
    if op is Op.NE:
        return lambda x: x != value
    if op is Op.LT:
        return lambda x: x < value
    if op is Op.LE:
        return lambda x: x <= value
    if op is Op.GT:
        return lambda x: x > value
    return lambda x: x >= value


def _compare_plan(key: str, test: Callable[[Any], bool], use_scores: bool) -> Plan:
    known: dict[tuple[type, Any], bool] = {}  # each value is tested once per batch

    def plan(answers: Columns, scores: Columns, full: int) -> int:
        column = (scores if use_scores else answers).get(key)
        if column is None:
            return 0
        found = 0
        for value, bits in column.items():
            seen = (type(value), value)  # ``True == 1``, but ``x is True`` is not ``x == 1``
            holds = known.get(seen)
            if holds is None:
                holds = known[seen] = bool(test(value))
            if holds:
                found |= bits
        return found

    return plan


def plan_condition(cond: Condition) -> Plan:
    """Turn a (checked) condition into a function from a chunk's columns to the bits that hold."""
    if isinstance(cond, AnswerCompare):
        return _compare_plan(cond.question, _test(cond.op, cond.value), False)
    if isinstance(cond, ScoreCompare):
        return _compare_plan(cond.dimension, _test(cond.op, cond.value), True)
    if isinstance(cond, FactCompare):
        return lambda a, s, full: 0  # a batch has no history or boundaries: no facts
    if isinstance(cond, Answered):
        key = cond.question

        def answered(a: Columns, s: Columns, full: int) -> int:
            found = 0
            for bits in a.get(key, {}).values():
                found |= bits
            return found

        return answered
    if isinstance(cond, Not):
        inner = plan_condition(cond.condition)
        return lambda a, s, full: full & ~inner(a, s, full)
    if isinstance(cond, AllOf):
        parts = tuple(plan_condition(c) for c in cond.conditions)

        def all_of(a: Columns, s: Columns, full: int) -> int:
            found = full
            for part in parts:
                found &= part(a, s, full)
                if not found:
                    break
            return found

        return all_of
    if isinstance(cond, AnyOf):
        parts = tuple(plan_condition(c) for c in cond.conditions)

        def any_of(a: Columns, s: Columns, full: int) -> int:
            found = 0
            for part in parts:
                found |= part(a, s, full)
            return found

        return any_of
    assert isinstance(cond, Always)  # the pack check allows nothing else
    return lambda a, s, full: full


def _indices(bits: int) -> Iterator[int]:
    """The positions of the set bits, lowest first."""
    while bits:
        low = bits & -bits
        bits ^= low
        yield low.bit_length() - 1


def _columns(rows: Sequence[Mapping[str, Any]]) -> Columns:
    """Each key's values in the rows, and the rows that have each value, as bits."""
    grouped: defaultdict[tuple[str, Any], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        for item in row.items():
            # A question's answers are all of one type (checked), so ``True == 1`` cannot mix.
            grouped[item].append(i)
    columns: Columns = {}
    for (key, value), found in grouped.items():
        bits = 0
        for i in found:
            bits |= 1 << i
        columns.setdefault(key, {})[value] = bits
    return columns


Cell = tuple[Any, list[int], Callable[[int], None]]
"""One answer to one question: the value itself, the chunk's check-ins that gave it (and the
list's ``append``)."""


def _cell(value: Any) -> Cell:
    found: list[int] = []
    return value, found, found.append


class _Batch:
    """One call's state: the pack, the plans, the answer cells and the memo of results."""

    def __init__(self, c: CompiledPack, respondent: Role | str | None, country: str | None) -> None:
        self.c = c
        self.respondent = respondent
        self.fixed: Role | None = None if respondent is None else _role(respondent)
        self.country = country
        self.items = dimension_items(c.pack)
        self.safety_plans = tuple(plan_condition(r.rule.when) for r in c.safety_rules)
        self.rules = c.rules_without_facts
        self.plans: list[Plan | None] = [None] * len(self.rules)
        self.reads: dict[int, tuple[str, ...]] = {}
        self.safety_reads: dict[tuple[int, ...], tuple[str, ...]] = {}
        self.alternatives: dict[int, Alternative] = {}
        self.explained: dict[tuple[Any, ...], tuple[tuple[str, ...], tuple[Evidence, ...]]] = {}
        self.parts: dict[int, tuple[Rule, Step, tuple[Resource, ...]]] = {}
        self.memo: dict[tuple[Any, ...], Recommendation] = {}
        self.tables: dict[Role, dict[Any, Cell]] = {}
        self.cells: dict[tuple[str, Any], Cell] = {}
        self._fresh_cells()

    def _fresh_cells(self) -> None:
        """A cell for every answer a scale or yes/no question can take; counts are added later."""
        self.cells = {}
        for q in self.c.pack.questions:
            if q.kind is QuestionKind.YES_NO:
                domain: list[Answer] = [True, False]
            elif q.kind is QuestionKind.SCALE:
                domain = [1, 2, 3, 4, 5]
            else:
                domain = [0, 1, 2, 3]
            for value in domain:
                self.cells[q.id, value] = _cell(value)
        self.tables = {
            role: {item: cell for item, cell in self.cells.items() if item[0] in checks}
            for role, checks in self.c.checks.items()
        }

    def _slow(self, role: Role, key: object, value: object, i: int) -> None:
        """An answer without a cell of its own: checked as `check_answers` does, then filed."""
        check = self.c.checks[role].get(key) if isinstance(key, str) else None
        if check is None:
            raise KeyError(key)
        if value is None:
            return
        if not check(value):
            raise ValueError(key)
        assert isinstance(key, str)  # a question of the pack
        cell = self.cells.get((key, value))
        if cell is None:  # a count not seen yet (checked above, so an int like the others)
            cell = self.cells[key, value] = _cell(value)
            self.tables[role][key, value] = cell
        cell[2](i)

    def _intake(self, chunk: list[Any]) -> tuple[list[Role], list[Any], int]:
        """Each check-in's role and answers, filed in the cells; the bits of those that fail."""
        c = self.c
        roles: list[Role] = []
        data: list[Any] = []
        plain = 0  # check-ins that go through the single call
        for i, checkin in enumerate(chunk):
            kind = type(checkin)
            try:
                if kind is CheckIn:
                    role = checkin.respondent
                    if self.fixed is not None and self.fixed is not role:
                        raise ValueError(role)
                    answers = checkin.answers._data
                elif kind is dict:
                    role = self.fixed or Role.PARTNER
                    answers = checkin
                else:  # anything else is checked the plain way
                    role, answers = check_answers(c, checkin, self.respondent)
                cell_of = self.tables[role].get
                for item in answers.items():
                    cell = cell_of(item)
                    # ``True == 1 == 1.0``: only the very same object is known to be valid.
                    if cell is None or cell[0] is not item[1]:
                        self._slow(role, item[0], item[1], i)
                    else:
                        cell[2](i)
            except Exception:  # the single call raises it again, in its turn
                role, answers = Role.PARTNER, {}
                plain |= 1 << i
            roles.append(role)
            data.append(answers)
        return roles, data, plain

    def _columns(self) -> Columns:
        """The cells filled by the chunk, as columns; the cells are emptied for the next one."""
        columns: Columns = {}
        for (key, _), (value, found, _) in self.cells.items():
            if found:
                # Each check-in is in a cell at most once: the sum of its bits is their union.
                columns.setdefault(key, {})[value] = sum(map(_ONE.__lshift__, found))
                found.clear()
        if len(self.cells) > MAX_CELLS:  # many different counts: start again from the few
            self._fresh_cells()
        return columns

    def plan(self, n: int) -> Plan:
        found = self.plans[n]
        if found is None:
            found = self.plans[n] = plan_condition(self.rules[n].rule.when)
        return found

    def decide(self, chunk: list[Any]) -> Iterator[Recommendation]:
        """The chunk's results in order; the plain call for anything out of the ordinary."""
        c = self.c
        roles, data, plain = self._intake(chunk)
        answers = self._columns()
        full = (1 << len(chunk)) - 1
        scores: list[Scores] = [_NO_SCORES] * len(chunk)
        score_columns: Columns = {}
        if c.dimensions:
            scores = [c.score(d) for d in data]
            score_columns = _columns(scores)
        held = [safety(answers, score_columns, full) & ~plain for safety in self.safety_plans]
        unsafe = 0
        for bits in held:
            unsafe |= bits
        winners, alternatives = self.choose(answers, score_columns, full, full & ~plain & ~unsafe)
        memo = self.memo
        reads_of = self.reads
        rows = zip(chunk, winners, alternatives, roles, data, scores, strict=True)
        for i, (checkin, n, others, role, given, score) in enumerate(rows):
            if n is not None:
                reads = reads_of.get(n)
                if reads is None:
                    reads = reads_of[n] = questions_read(self.rules[n].rule.when, self.items)
                # The result depends on the rule, the alternatives, the role and the answers
                # the rule reads (and, through them, the scores); nothing else. A question's
                # answers are all of one type (checked), so ``True == 1`` cannot mix here.
                values = tuple(map(given.get, reads))
                key = (n, others, role, values)
                found = memo.get(key)
                if found is None:
                    found = self.build(n, values, others, role, given, score)
                    self.remember(key, found)
                yield found
            elif unsafe >> i & 1:
                matched = tuple(k for k, bits in enumerate(held) if bits >> i & 1)
                yield self.safety(matched, role, given, score)
            else:  # the single call raises what it raises: an invalid check-in, or no step
                yield recommend(checkin, self.respondent, c.pack, self.country)

    def choose(
        self, answers: Columns, scores: Columns, full: int, undecided: int
    ) -> tuple[list[int | None], list[tuple[int, ...]]]:
        """Each check-in's winning rule and alternatives, as `_choose` picks them, by position."""
        winners: list[int | None] = [None] * full.bit_length()
        alternatives: list[tuple[int, ...]] = [()] * full.bit_length()
        none_yet = 0  # decided, no alternative yet
        one_yet = 0  # decided, one alternative
        seen: dict[str, int] = {}  # each step: the check-ins it already won or is an alternative
        for n, compiled_rule in enumerate(self.rules):
            if not (undecided | none_yet | one_yet):
                break
            holds = self.plan(n)(answers, scores, full)
            if not holds:
                continue
            step = compiled_rule.rule.step
            before = seen.get(step, 0)
            taken = 0
            if not compiled_rule.is_catch_all:  # a catch-all says nothing about a check-in
                taken = holds & (none_yet | one_yet) & ~before
                for i in _indices(taken):
                    alternatives[i] = (*alternatives[i], n)
                second = taken & one_yet
                first = taken & none_yet
                one_yet = (one_yet & ~second) | first
                none_yet &= ~first
            won = holds & undecided
            for i in _indices(won):
                winners[i] = n
            undecided &= ~won
            none_yet |= won
            if won | taken:
                seen[step] = before | won | taken
        return winners, alternatives

    def remember(self, key: tuple[Any, ...], found: Recommendation) -> None:
        """Keep a result for the rest of the batch (all forgotten at once when the memo is full)."""
        if len(self.memo) >= MEMO_SIZE:
            self.memo.clear()
        self.memo[key] = found

    def safety(
        self,
        matched: tuple[int, ...],
        role: Role,
        answers: Mapping[str, Answer | None],
        scores: Scores,
    ) -> Recommendation:
        """The safety recommendation, from the same `_safety` as a single call, once per key.

        ``matched`` are the safety rules that hold; the result depends on them, the role and
        the answers they read, and nothing else.
        """
        reads = self.safety_reads.get(matched)
        if reads is None:
            each = [questions_read(self.c.safety_rules[k].rule.when, self.items) for k in matched]
            reads = self.safety_reads[matched] = tuple(dict.fromkeys(q for r in each for q in r))
        key = ("safety", matched, role, tuple(map(answers.get, reads)))
        found = self.memo.get(key)
        if found is None:
            clean = {k: v for k, v in answers.items() if v is not None}
            rules = [self.c.safety_rules[k] for k in matched]
            found = _safety(self.c, role, clean, scores, rules, self.country)
            self.remember(key, found)
        return found

    def alternative(self, n: int) -> Alternative:
        """The n-th rule as an alternative (one object per rule)."""
        found = self.alternatives.get(n)
        if found is None:
            rule = self.rules[n].rule
            found = self.alternatives[n] = Alternative(
                rule.step, self.c.steps[rule.step].title, rule.id
            )
        return found

    def build(
        self,
        n: int,
        values: tuple[Answer | None, ...],
        alternatives: tuple[int, ...],
        role: Role,
        answers: Mapping[str, Answer | None],
        scores: Scores,
    ) -> Recommendation:
        """What `recommend` returns when the n-th rule decides and no safety rule holds."""
        c = self.c
        said = self.explained.get((n, values))
        if said is None:
            clean = {k: v for k, v in answers.items() if v is not None}
            evidence: list[Evidence] = []
            sentences: list[str] = []
            # What raises here (a broken text, in a pack whose checks were bypassed) raises
            # from the same closure in the single call.
            self.rules[n].explain(clean, scores, evidence, sentences)
            said = ((self.rules[n].rule.reason, *sentences), tuple(evidence))
            if len(self.explained) >= MEMO_SIZE:
                self.explained.clear()
            self.explained[n, values] = said
        parts = self.parts.get(n)
        if parts is None:
            rule = self.rules[n].rule
            near = _near(c.resources_for(rule.resources), self.country) if rule.resources else ()
            parts = self.parts[n] = (rule, c.steps[rule.step], near)
        rule, step, resources = parts
        return made_with(
            c.pack,
            role,
            step=step,
            urgency=rule.urgency,
            reasons=said[0],
            evidence=said[1],
            rule_id=rule.id,
            alternatives=tuple(map(self.alternative, alternatives)),
            resources=resources,
            safety=False,
        )


def snapshot(item: object) -> object:
    """A mapping of answers as it is now, read as the single call reads it (``items()``).

    Anything else is kept as it is (a `CheckIn` cannot change); so is a mapping
    that cannot be read, for the single call to raise its error in its turn.
    """
    if not isinstance(item, Mapping):
        return item
    try:
        return dict(item.items())
    except Exception:  # the single call raises it again, in its turn
        return item


def recommend_many(
    checkins: Iterable[object],
    respondent: Role | str | None,
    pack: ContentPack,
    country: str | None = None,
) -> Iterator[Recommendation]:
    """The engine behind [`trustkit.recommend_many`][trustkit.recommend_many].

    Yields what ``recommend(checkin, respondent, pack, country)`` gives for each
    check-in, in order, or raises what it raises, in that check-in's turn. Each
    mapping is copied as it is read (up to a chunk ahead of its result), so a
    source that refills one dict gives what single calls on its copies give.
    """
    c = compiled(pack)
    stream: Iterator[Any] = iter(checkins)
    batch: _Batch | None = None
    while True:
        chunk: list[Any] = []
        failure: Exception | None = None
        try:
            # Each check-in is taken as it is when read: a generator may refill one dict.
            add = chunk.append
            for item in islice(stream, CHUNK):
                kind = type(item)
                add(item.copy() if kind is dict else item if kind is CheckIn else snapshot(item))
        except Exception as error:  # raised again after the check-ins before it
            failure = error
        if chunk:
            if batch is None:
                try:
                    fast = len(c.rules) <= MAX_RULES
                    batch = _Batch(c, respondent, _country(country)) if fast else None
                except Exception:  # a bad country: the single calls raise it
                    pass
            if batch is None:
                for checkin in chunk:
                    yield recommend(checkin, respondent, pack, country)
            else:
                yield from batch.decide(chunk)
        if failure is not None:
            raise failure
        if len(chunk) < CHUNK:
            return
