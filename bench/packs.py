"""Generated packs of N rules for the benchmarks, and two outside references for them.

A generated pack is the bundled pack with its ordinary rules replaced by ``n``
random ones over the bundled questions (scale, yes/no and count), written with
``all`` / ``any`` / ``not`` and comparisons, plus the bundled safety rules and
a catch-all. Every rule needs at least one "concerning" answer (a scale of 1-2
or 4-5, a count of 2 or more, a yes), so a check-in whose answers are all
neutral (scales 3, counts 0, no) is the no-match case: every question
answered, and no rule but the catch-all holds.

The references, for the 30-rule row:

- ``Closures``: hand-written Python closures, one per rule, that the caller
  evaluates one after the other (every rule, in priority order).
- ``JsonLogic``: the same rules as JSON-Logic, evaluated by a pure-Python
  JSON-Logic engine from PyPI (``json-logic-qubit``, in the ``bench``
  dependency group only).
"""

from __future__ import annotations

import importlib
import operator
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

import trustkit
from trustkit import (
    AllOf,
    AnswerCompare,
    AnyOf,
    Condition,
    ContentPack,
    Not,
    Op,
    QuestionKind,
    Role,
    Rule,
    Urgency,
)

STEPS = ("educate", "patience", "consistency", "validation", "communication", "boundaries")


def _concern(rng: random.Random, qid: str, kind: QuestionKind) -> AnswerCompare:
    """A comparison that holds only for a concerning answer."""
    if kind is QuestionKind.YES_NO:
        return AnswerCompare(qid, Op.EQ, True)
    if kind is QuestionKind.COUNT:
        return AnswerCompare(qid, Op.GE, rng.choice([2, 3]))
    return rng.choice(
        [
            AnswerCompare(qid, Op.LE, 2),
            AnswerCompare(qid, Op.GE, 4),
            AnswerCompare(qid, Op.GE, 4),
            AnswerCompare(qid, Op.EQ, rng.choice([1, 2, 4, 5])),
        ]
    )


def _condition(rng: random.Random, questions: list[tuple[str, QuestionKind]]) -> Condition:
    def leaf() -> AnswerCompare:
        return _concern(rng, *rng.choice(questions))

    shape = rng.random()
    if shape < 0.3:
        return leaf()
    if shape < 0.55:
        return AnyOf((leaf(), leaf()))
    if shape < 0.8:
        return AllOf((AnyOf((leaf(), leaf(), leaf())), Not(leaf())))
    return AllOf((leaf(), AnyOf((leaf(), leaf()))))


def generated_pack(n: int, seed: int = 11) -> ContentPack:
    """The bundled pack with ``n`` generated ordinary rules, its safety rules and a catch-all."""
    rng = random.Random(seed)
    base = trustkit.default_pack()
    # Numbers and yes/no only: the comparisons below are not for option codes.
    questions = [(q.id, q.kind) for q in base.questions if not q.safety and not q.options]
    rules = [r for r in base.rules if r.safety]
    for i in range(n):
        rules.append(
            Rule(
                id=f"g{i:05d}",
                step=rng.choice(STEPS),
                when=_condition(rng, questions),
                reason="A generated rule.",
                priority=rng.randint(1, 500),
                urgency=Urgency.INFO,
            )
        )
    rules.append(Rule(id="catch-all", step="educate", when=trustkit.Always(), reason="Start here."))
    return attrs.evolve(base, id=f"gen{n}", rules=tuple(rules), translations=(), locale_files=())


def _specific(rng: random.Random, qid: str, kind: QuestionKind) -> AnswerCompare:
    """A comparison that holds for one answer in two to five: no leaning towards concern."""
    if kind is QuestionKind.YES_NO:
        return AnswerCompare(qid, Op.EQ, rng.random() < 0.5)
    if kind is QuestionKind.COUNT:
        return AnswerCompare(qid, rng.choice([Op.GE, Op.LE, Op.EQ]), rng.randint(1, 3))
    return AnswerCompare(qid, rng.choice([Op.EQ, Op.EQ, Op.LE, Op.GE]), rng.randint(2, 4))


def selective_pack(n: int, seed: int = 5) -> ContentPack:
    """The bundled pack with ``n`` selective rules: each ``all`` of 3-4 different answers.

    Each rule tests different questions in different ways, so few rules hold
    for a check-in (about 1 in 30) although each of their parts often does:
    the pack that an index on one part per rule serves worst (issue 19).
    """
    rng = random.Random(seed)
    base = trustkit.default_pack()
    # Numbers and yes/no only: the comparisons below are not for option codes.
    questions = [(q.id, q.kind) for q in base.questions if not q.safety and not q.options]
    rules = [r for r in base.rules if r.safety]
    for i in range(n):
        parts = rng.sample(questions, rng.randint(3, 4))
        rules.append(
            Rule(
                id=f"s{i:05d}",
                step=rng.choice(STEPS),
                when=AllOf(tuple(_specific(rng, *part) for part in parts)),
                reason="A generated rule.",
                priority=rng.randint(1, 500),
                urgency=Urgency.INFO,
            )
        )
    rules.append(Rule(id="catch-all", step="educate", when=trustkit.Always(), reason="Start here."))
    return attrs.evolve(base, id=f"sel{n}", rules=tuple(rules), translations=(), locale_files=())


def varied(count: int, seed: int = 3) -> list[tuple[dict[str, Any], str]]:
    """``count`` check-ins answering about 80% of the questions at random, none of safety."""
    rng = random.Random(seed)
    base = trustkit.default_pack()
    out = []
    for _ in range(count):
        role = rng.choice(list(Role))
        answers: dict[str, Any] = {}
        for q in base.questions_for(role):
            if q.safety:
                answers[q.id] = False
            elif rng.random() < 0.8:
                if q.kind is QuestionKind.YES_NO:
                    answers[q.id] = rng.random() < 0.5
                elif q.kind is QuestionKind.SCALE:
                    answers[q.id] = rng.randint(1, 5)
                elif q.options:
                    answers[q.id] = rng.choice(q.codes)
                else:
                    answers[q.id] = rng.randint(0, 4)
        out.append((answers, role.value))
    return out


def every_rule(pack: ContentPack, answers: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The winner and alternatives found by trying every rule in priority order.

    The plain evaluator, no index: a safety rule that holds decides alone;
    otherwise the first ordinary rule that holds, and up to two alternatives
    with other steps. For check-ins without history (tests/test_scale.py holds
    the indexed engine to it).
    """
    from trustkit._engine.compile import compiled, evaluate

    clean = {k: v for k, v in answers.items() if v is not None}
    scores = compiled(pack).score(clean)
    ordered = sorted(pack.rules, key=lambda r: (-r.priority, r.id))
    for rule in ordered:
        if rule.safety and evaluate(rule.when, clean, scores):
            return rule.id, ()
    winner: str | None = None
    alternatives: list[str] = []
    seen: set[str] = set()
    for rule in ordered:
        if rule.safety or not evaluate(rule.when, clean, scores):
            continue
        if winner is None:
            winner = rule.id
            seen.add(rule.step)
        elif rule.step not in seen and not isinstance(rule.when, trustkit.Always):
            seen.add(rule.step)
            alternatives.append(rule.id)
            if len(alternatives) == 2:
                break
    assert winner is not None
    return winner, tuple(alternatives)


def neutral(role: Role) -> dict[str, Any]:
    """Every question answered, nothing concerning: only the catch-all holds."""
    answers: dict[str, Any] = {}
    for q in trustkit.default_pack().questions_for(role):
        if q.kind is QuestionKind.YES_NO:
            answers[q.id] = False
        elif q.kind is QuestionKind.SCALE:
            answers[q.id] = 3
        elif q.options:  # "not sure": it leads nowhere
            answers[q.id] = q.codes[-1]
        else:
            answers[q.id] = 0
    return answers


def rules_toml(pack: ContentPack, rules: tuple[Rule, ...] | None = None) -> str:
    """The rules of a generated pack (or some of them), as the pack format writes them."""

    def cond(c: Condition) -> str:
        if isinstance(c, AnswerCompare):
            if isinstance(c.value, tuple):  # option codes
                value = "[" + ", ".join(f'"{code}"' for code in c.value) + "]"
            else:
                value = str(c.value).lower() if isinstance(c.value, bool) else str(c.value)
            return f'{{answer = "{c.question}", op = "{c.op.value}", value = {value}}}'
        if isinstance(c, Not):
            return f"{{not = {cond(c.condition)}}}"
        if isinstance(c, AllOf | AnyOf):
            key = "all" if isinstance(c, AllOf) else "any"
            return f"{{{key} = [{', '.join(cond(p) for p in c.conditions)}]}}"
        return "{always = true}"

    out = []
    for r in pack.rules if rules is None else rules:
        out.append(
            f'[[rules]]\nid = "{r.id}"\nstep = "{r.step}"\npriority = {r.priority}\n'
            f'urgency = "{r.urgency.value}"\n'
            + ("safety = true\n" if r.safety else "")
            + (f'plan = "{r.plan.value}"\n' if r.plan is not None else "")
            + (f"resources = {list(r.resources)!r}\n".replace("'", '"') if r.resources else "")
            + f'reason = "{r.reason}"\nwhen = {cond(r.when)}\n'
        )
    return "\n".join(out)


def write_pack_folder(pack: ContentPack, folder: Path) -> Path:
    """A pack folder on disk: the bundled pack's files with generated rules."""
    import shutil

    source = Path(trustkit.__file__).parent / "packs" / "core"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("locales", "examples.toml"))
    toml = (folder / "pack.toml").read_text(encoding="utf-8")
    (folder / "pack.toml").write_text(
        toml.replace('id = "core"', f'id = "{pack.id}"'), encoding="utf-8"
    )
    # A large pack spreads its rules over rules/*.toml, each well under the 1 MB cap.
    (folder / "rules.toml").unlink()
    (folder / "rules").mkdir()
    per_file = 1000
    for start in range(0, len(pack.rules), per_file):
        chunk = pack.rules[start : start + per_file]
        (folder / "rules" / f"{start // per_file:03d}.toml").write_text(
            rules_toml(pack, chunk), encoding="utf-8"
        )
    return folder


# --------------------------------------------------------------------- the references

_OPS: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
    Op.LT: operator.lt,
    Op.LE: operator.le,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    # Option codes (a tuple) against a choice (a code) or a multiple choice (a set of codes).
    Op.IN: lambda x, v: bool(set(v) & (x if isinstance(x, frozenset) else {x})),
    Op.NOT_IN: lambda x, v: not set(v) & (x if isinstance(x, frozenset) else {x}),
    Op.CONTAINS: lambda x, v: isinstance(x, frozenset) and x >= set(v),
}


def _closure(c: Condition) -> Callable[[dict[str, Any]], bool]:
    """The condition as the closure one would write by hand."""
    if isinstance(c, AnswerCompare):
        q, v, op = c.question, c.value, _OPS[c.op]
        if v is True:
            return lambda a: a.get(q) is True
        return lambda a: (x := a.get(q)) is not None and op(x, v)
    if isinstance(c, Not):
        inner = _closure(c.condition)
        return lambda a: not inner(a)
    if isinstance(c, AllOf):
        parts = [_closure(p) for p in c.conditions]
        return lambda a: all(p(a) for p in parts)
    if isinstance(c, AnyOf):
        parts = [_closure(p) for p in c.conditions]
        return lambda a: any(p(a) for p in parts)
    return lambda a: True


def _json_logic(c: Condition) -> Any:
    """The condition in JSON-Logic (a missing answer makes a comparison false, as in trustkit)."""
    if isinstance(c, AnswerCompare):
        op = {"=": "==", "!=": "!="}.get(c.op.value, c.op.value)
        var = {"var": c.question}
        return {"and": [{"!==": [var, None]}, {op: [var, c.value]}]}
    if isinstance(c, Not):
        return {"!": _json_logic(c.condition)}
    if isinstance(c, AllOf):
        return {"and": [_json_logic(p) for p in c.conditions]}
    if isinstance(c, AnyOf):
        return {"or": [_json_logic(p) for p in c.conditions]}
    return True


class _Choosing:
    """Check the answers, try every rule in order, pick the winner and two alternatives."""

    def __init__(self, pack: ContentPack) -> None:
        self.kinds = {
            role: {q.id: q.kind for q in pack.questions if role in q.respondents} for role in Role
        }
        ordered = sorted(pack.rules, key=lambda r: (-r.priority, r.id))
        self.safety = [r for r in ordered if r.safety]
        self.rules = [r for r in ordered if not r.safety]

    def clean(self, answers: dict[str, Any], role: str) -> dict[str, Any]:
        kinds = self.kinds[Role(role)]
        clean = {}
        for key, value in answers.items():
            kind = kinds[key]
            if value is None:
                continue
            if kind is QuestionKind.YES_NO:
                ok = type(value) is bool
            elif kind is QuestionKind.SCALE:
                ok = type(value) is int and 1 <= value <= 5
            elif kind is QuestionKind.CHOICE:
                ok = type(value) is str
            else:
                ok = type(value) is int and value >= 0
            if not ok:
                raise ValueError(key)
            clean[key] = value
        return clean

    def choose(self, held: list[bool]) -> tuple[str, tuple[str, ...]]:
        winner = None
        alternatives: list[str] = []
        seen: set[str] = set()
        for rule, ok in zip(self.rules, held, strict=True):
            if not ok:
                continue
            if winner is None:
                winner = rule.id
                seen.add(rule.step)
            elif rule.step not in seen and rule.id != "catch-all" and len(alternatives) < 2:
                seen.add(rule.step)
                alternatives.append(rule.id)
        assert winner is not None
        return winner, tuple(alternatives)


class Closures(_Choosing):
    """Hand-written closures, every rule evaluated: the rule that decides and the alternatives."""

    def __init__(self, pack: ContentPack) -> None:
        super().__init__(pack)
        self.safety_tests = [(r.id, _closure(r.when)) for r in self.safety]
        self.tests = [_closure(r.when) for r in self.rules]

    def __call__(self, answers: dict[str, Any], role: str) -> tuple[str, tuple[str, ...]]:
        clean = self.clean(answers, role)
        for rule_id, test in self.safety_tests:
            if test(clean):
                return rule_id, ()
        return self.choose([test(clean) for test in self.tests])


class JsonLogic(_Choosing):
    """The same rules evaluated by a pure-Python JSON-Logic engine."""

    def __init__(self, pack: ContentPack) -> None:
        # Imported by name: the engine is in the bench group only, not where mypy runs.
        json_logic: Any = importlib.import_module("json_logic")

        super().__init__(pack)
        self.run = json_logic.jsonLogic
        self.safety_logic = [(r.id, _json_logic(r.when)) for r in self.safety]
        self.logic = [_json_logic(r.when) for r in self.rules]

    def __call__(self, answers: dict[str, Any], role: str) -> tuple[str, tuple[str, ...]]:
        clean = self.clean(answers, role)
        run = self.run
        for rule_id, logic in self.safety_logic:
            if run(logic, clean):
                return rule_id, ()
        return self.choose([bool(run(logic, clean)) for logic in self.logic])


class FirstMatch(_Choosing):
    """The tightest hand-written decision: check, then the first rule that holds, in order.

    Safety rules first, then the ordinary rules by priority (ties by id), stopping at the
    first that holds: the rule, step and urgency, and whether safety decided; no texts.
    """

    def __init__(self, pack: ContentPack) -> None:
        super().__init__(pack)
        self.safety_tests = [(r, _closure(r.when)) for r in self.safety]
        self.tests = [(r, _closure(r.when)) for r in self.rules]

    def __call__(self, answers: dict[str, Any], role: str) -> tuple[str, str, str, bool]:
        clean = self.clean(answers, role)
        for rule, test in self.safety_tests:
            if test(clean):
                return rule.id, rule.step, "critical", True
        for rule, test in self.tests:
            if test(clean):
                return rule.id, rule.step, rule.urgency.value, False
        raise AssertionError("no rule holds")  # the generated packs have a catch-all
