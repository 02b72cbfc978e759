"""Whole-pack checks: every id is valid, every reference resolves, every condition fits.

Models are plain data: creating a [`ContentPack`][trustkit.ContentPack] checks
nothing. `check_pack` is the check, and it runs once per pack: when a pack is
read from files (after every overlay is applied), and for a pack built in
Python, before it is first used to recommend a step (`ensure_checked`, called
when the engine compiles it) or whenever an app calls
[`trustkit.check_pack`][trustkit.check_pack]. It raises one
[`PackError`][trustkit.PackError] listing every problem it finds.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from trustkit._countries import INTERNATIONAL, country_problem
from trustkit._pack.conditions import MAX_CONDITION_DEPTH
from trustkit._pack.kinds import CODE_OPS, kind_of
from trustkit._pack.read import ID_WORDS, is_id
from trustkit._pack.spec import (
    ALL_TABLES,
    DISCREET_MESSAGES,
    MAX_SUMMARY,
    MONTHS,
    PLACEHOLDER_NAME,
    SAFETY_MESSAGES,
    SCALE_MAX,
    SCALE_MIN,
    TABLES,
    TEMPLATES,
    TRANSLATABLE,
    WORD,
)
from trustkit._public import public
from trustkit._roles import role_field
from trustkit._vocabulary import (
    EMERGENCY,
    FACT_FAMILIES,
    SAFETY_PERIOD_FLOOR_WEEKS,
    SAFETY_PERIOD_MAX_WEEKS,
    did_you_mean,
    sensitive_word,
    split_fact,
    yes_no_problem,
)
from trustkit.errors import PackError, PackProblem, ProblemCode
from trustkit.models import (
    Action,
    AllOf,
    Always,
    AnswerCompare,
    Answered,
    AnyOf,
    Condition,
    Dimension,
    FactCompare,
    Not,
    Op,
    Origin,
    PlanKind,
    PlanTemplate,
    Question,
    QuestionKind,
    Resource,
    Role,
    Rule,
    ScoreCompare,
    Step,
    Urgency,
    Who,
)

if TYPE_CHECKING:
    from trustkit.models import ContentPack, Text, Translation

Moved = Mapping[tuple[str, str, str], Origin]
"""Where an overlay changed a field, by ``(kind, item id, field)``: problems with the
field are reported there, not where the item was first defined."""

_KINDS: dict[type, str] = {
    Step: "steps",
    Action: "actions",
    Dimension: "dimensions",
    Question: "questions",
    Rule: "rules",
    Resource: "resources",
    PlanTemplate: "plans",
}

_ORDERING_OPS = frozenset({Op.LT, Op.LE, Op.GT, Op.GE})
_EQUALITY_OPS = frozenset({Op.EQ, Op.NE})
_TEMPLATE_FIELDS = {t.name: set(t.placeholders) for t in TEMPLATES.values()}
_WORD = re.compile(WORD)

PARTNER_FACING = re.compile(
    r"\b(together|each other|with your partner|ask your partner|tell your partner|talk it over"
    r"|both of you|the two of you|juntos|juntas|con tu pareja|a tu pareja|los dos|las dos)\b",
    re.IGNORECASE,
)
"""Words that make a crisis step or action a couples or partner-facing one (English, Spanish)."""

SECRECY = re.compile(
    r"(between (the two of )?(you|us)|keep (this|it) (between|to yourselves|quiet|secret)"
    r"|don'?t tell|do not tell|\bsecret|entre (vosotros|ustedes|los dos|las dos)"
    r"|no se lo (digas|cuentes)|secreto)",
    re.IGNORECASE,
)
"""Words that ask for secrecy, which no crisis text may do (English, Spanish)."""


_NOWHERE: Moved = {}


class _Place:
    """Where an item is, for the problems found in it."""

    __slots__ = ("file", "item", "key", "line", "moved")

    def __init__(
        self,
        file: str,
        item: str,
        line: int | None,
        key: tuple[str, str] = ("", ""),
        moved: Moved = _NOWHERE,
    ) -> None:
        self.file = file
        self.item = item
        self.line = line
        self.key = key
        self.moved = moved

    def problem(self, field: str, message: str, code: ProblemCode) -> PackProblem:
        kind, item_id = self.key
        origin = (
            self.moved.get((kind, item_id, field.split(".", maxsplit=1)[0])) if self.moved else None
        )
        if origin is not None:  # an overlay changed this field: the problem is in its change
            return PackProblem(origin.file, self.item, field, message, origin.line, code=code)
        return PackProblem(self.file, self.item, field, message, self.line, code=code)


def _place(pack: ContentPack, item: Any, default_file: str, moved: Moved = _NOWHERE) -> _Place:
    origin = item.origin
    key = (_KINDS.get(type(item), ""), item.id)
    if origin is None:
        return _Place(f"<{pack.id}>/{default_file}", item.id, None, key, moved)
    return _Place(origin.file, item.id, origin.line, key, moved)


def _duplicates(
    pack: ContentPack, items: Iterable[Any], kind: str, default_file: str
) -> Iterator[PackProblem]:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            yield _place(pack, item, default_file).problem(
                "id", f"duplicate {kind} id", ProblemCode.DUPLICATE_ID
            )
        seen.add(item.id)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_GROUPS = (AllOf, AnyOf)
_COMPARISONS = (AnswerCompare, ScoreCompare, FactCompare)
# Tuples, not ``A | B``: isinstance with a union written in the call builds it each time.


class _ConditionChecker:
    """Checks one rule's condition against the pack's questions and dimensions."""

    def __init__(self, pack: ContentPack) -> None:
        self.questions: dict[str, Question] = {q.id: q for q in pack.questions}
        self.dimensions = {d.id for d in pack.dimensions}
        self.steps = {s.id for s in pack.steps}
        self.place: _Place
        self.problems: list[PackProblem] = []
        self.clean: dict[int, object] = {}
        """Comparisons found without a problem, by id: rules of one file share them."""

    def rule(self, place: _Place, when: object) -> list[PackProblem]:
        """The problems with one rule's condition."""
        self.place = place
        self.problems = []
        self.check(when, "when")
        return self.problems

    def fail(self, path: str, message: str, code: ProblemCode) -> None:
        self.problems.append(self.place.problem(path, message, code))

    def check(self, cond: object, path: str, depth: int = 1) -> None:
        if depth > MAX_CONDITION_DEPTH:
            self.fail(
                path, f"conditions nest more than {MAX_CONDITION_DEPTH} deep", ProblemCode.TOO_LARGE
            )
        elif isinstance(cond, _GROUPS):
            word = "all" if isinstance(cond, AllOf) else "any"
            if isinstance(cond, AnyOf) and not cond.conditions:
                self.fail(
                    f"{path}.{word}", "an empty 'any' can never be true", ProblemCode.NEVER_TRUE
                )
            for i, child in enumerate(cond.conditions):
                self.check(child, f"{path}.{word}[{i}]", depth + 1)
        elif isinstance(cond, Not):
            self.check(cond.condition, f"{path}.not", depth + 1)
        elif isinstance(cond, _COMPARISONS):
            if id(cond) in self.clean:
                return
            before = len(self.problems)
            if cond.op in CODE_OPS and not isinstance(cond, AnswerCompare):
                self.fail(
                    f"{path}.op",
                    f"{cond.op!r} compares option codes: only choice questions have them",
                    ProblemCode.INVALID_VALUE,
                )
            elif isinstance(cond, AnswerCompare):
                self.check_answer(cond, path)
            elif isinstance(cond, ScoreCompare):
                self.check_score(cond, path)
            else:
                self.check_fact(cond, path)
            if len(self.problems) == before:
                self.clean[id(cond)] = cond  # kept, so that its id is not reused
        elif isinstance(cond, Answered):
            if cond.question not in self.questions:
                self.fail(
                    f"{path}.answered",
                    f"unknown question {cond.question!r}"
                    f"{did_you_mean(cond.question, self.questions)}",
                    ProblemCode.UNKNOWN_REFERENCE,
                )
        elif not isinstance(cond, Always):
            self.fail(path, "not a condition", ProblemCode.WRONG_TYPE)

    def check_answer(self, cond: AnswerCompare, path: str) -> None:
        question = self.questions.get(cond.question)
        if question is None:
            self.fail(
                f"{path}.answer",
                f"unknown question {cond.question!r}{did_you_mean(cond.question, self.questions)}",
                ProblemCode.UNKNOWN_REFERENCE,
            )
            return
        value = cond.value
        if question.options or isinstance(value, tuple) or cond.op in CODE_OPS:
            self.check_codes(cond, question, path)
            return
        if question.kind is QuestionKind.YES_NO:
            if cond.op not in _EQUALITY_OPS:
                self.fail(
                    f"{path}.op",
                    f"{cond.question} is a yes/no question: use '=' or '!='",
                    ProblemCode.INVALID_VALUE,
                )
            if not isinstance(value, bool):
                self.fail(
                    f"{path}.value",
                    f"{cond.question} is a yes/no question: use true or false",
                    ProblemCode.WRONG_TYPE,
                )
            return
        if not _is_number(value):
            self.fail(
                f"{path}.value",
                f"{cond.question} takes a number: compare it with a number",
                ProblemCode.WRONG_TYPE,
            )
            return
        low = SCALE_MIN if question.kind is QuestionKind.SCALE else 0
        high = SCALE_MAX if question.kind is QuestionKind.SCALE else None
        self.check_range(cond.op, value, low, high, f"{path}.value", cond.question)

    def check_codes(self, cond: AnswerCompare, question: Question, path: str) -> None:
        """A comparison on codes: a choice question's own, with an operator its kind allows."""
        kind = kind_of(question)
        if cond.op not in kind.ops:
            allowed = " or ".join(repr(op.value) for op in Op if op in kind.ops)
            self.fail(
                f"{path}.op",
                f"{cond.question} is a {question.kind.value} question: use {allowed}",
                ProblemCode.INVALID_VALUE,
            )
            return
        value = cond.value
        if not (isinstance(value, tuple) and value and all(isinstance(c, str) for c in value)):
            self.fail(
                f"{path}.value",
                f"{cond.question}: compare it with a list of its option codes",
                ProblemCode.WRONG_TYPE,
            )
            return
        unknown = [c for c in value if c not in question.codes]
        if unknown:
            self.fail(
                f"{path}.value",
                f"unknown code {unknown[0]!r} of {cond.question}"
                f"{did_you_mean(unknown[0], question.codes)}",
                ProblemCode.UNKNOWN_REFERENCE,
            )
        elif (
            question.kind is QuestionKind.CHOICE
            and cond.op is Op.NOT_IN
            and set(question.codes) <= set(value)
        ):
            # One option is always chosen, and 'not in' means answered with none of these.
            self.fail(
                f"{path}.value",
                f"{cond.question} is answered with one of its options and this names every one, "
                "so this comparison can never be true",
                ProblemCode.NEVER_TRUE,
            )

    def check_fact(self, cond: FactCompare, path: str) -> None:
        family, suffix = split_fact(cond.fact)
        spec = FACT_FAMILIES.get(family)
        names = spec[1] if spec else None
        if spec is None or (names is None and suffix):
            self.fail(f"{path}.fact", f"unknown fact {cond.fact!r}", ProblemCode.UNKNOWN_REFERENCE)
            return
        if names == "step" and suffix not in self.steps:
            self.fail(
                f"{path}.fact",
                f"unknown step {suffix!r} in fact {cond.fact!r}",
                ProblemCode.UNKNOWN_REFERENCE,
            )
        elif names == "dimension" and suffix not in self.dimensions:
            self.fail(
                f"{path}.fact",
                f"unknown dimension {suffix!r} in fact {cond.fact!r}",
                ProblemCode.UNKNOWN_REFERENCE,
            )
        if spec[0] == "flag":
            if cond.op not in _EQUALITY_OPS:
                self.fail(
                    f"{path}.op",
                    f"{cond.fact} is true or false: use '=' or '!='",
                    ProblemCode.INVALID_VALUE,
                )
            if not isinstance(cond.value, bool):
                self.fail(
                    f"{path}.value",
                    f"{cond.fact} is true or false: compare with one",
                    ProblemCode.WRONG_TYPE,
                )
        elif not _is_number(cond.value):
            self.fail(
                f"{path}.value",
                f"{cond.fact} is a number: compare it with a number",
                ProblemCode.WRONG_TYPE,
            )

    def check_score(self, cond: ScoreCompare, path: str) -> None:
        if cond.dimension not in self.dimensions:
            self.fail(
                f"{path}.score",
                f"unknown dimension {cond.dimension!r}",
                ProblemCode.UNKNOWN_REFERENCE,
            )
        elif not _is_number(cond.value):
            self.fail(
                f"{path}.value",
                "a score is a number from 1 to 5: compare it with a number",
                ProblemCode.WRONG_TYPE,
            )
        else:
            self.check_range(
                cond.op, cond.value, SCALE_MIN, SCALE_MAX, f"{path}.value", cond.dimension
            )

    def check_range(
        self, op: Op, value: float, low: int, high: int | None, path: str, name: str
    ) -> None:
        span = f"from {low} to {high}" if high is not None else f"of {low} or more"
        never = (
            (op in (Op.EQ, Op.LE, Op.LT) and value < low)
            or (op is Op.LT and value == low)
            or (high is not None and op in (Op.EQ, Op.GE, Op.GT) and value > high)
            or (high is not None and op is Op.GT and value == high)
        )
        if never:
            self.fail(
                path,
                f"{name} takes values {span}, so this comparison can never be true",
                ProblemCode.NEVER_TRUE,
            )


def _safety_questions_of(cond: Condition, questions: dict[str, Question]) -> set[str] | None:
    """The safety questions a safety rule's condition asks about, or None if malformed.

    A safety rule may only say "this safety question was answered yes", or
    "any of these were": nothing else can then hold a positive screen back.
    """
    parts = cond.conditions if isinstance(cond, AnyOf) else (cond,)
    found: set[str] = set()
    for part in parts:
        if not (
            isinstance(part, AnswerCompare)
            and part.op is Op.EQ
            and part.value is True
            and part.question in questions
            and questions[part.question].safety
        ):
            return None
        found.add(part.question)
    return found


def _check_messages(pack: ContentPack, moved: Moved) -> Iterator[PackProblem]:
    origin = pack.messages.origin or Origin(f"<{pack.id}>/messages.toml")
    place = _Place(origin.file, "messages", origin.line, ("messages", ""), moved)
    if len(pack.messages.months) != MONTHS:
        yield place.problem("months", "the names of the 12 months", ProblemCode.INVALID_VALUE)
    for name in _TEMPLATE_FIELDS:
        problem = template_problem(name, getattr(pack.messages, name))
        if problem is not None:
            yield place.problem(name, problem, ProblemCode.INVALID_VALUE)
    for name in SAFETY_MESSAGES:
        if SECRECY.search(getattr(pack.messages, name)):
            yield place.problem(
                name, "a safety text must never ask for secrecy", ProblemCode.UNSAFE
            )
    words = yes_no_problem(pack.messages.word_yes, pack.messages.word_no)
    if words is not None:
        yield place.problem(*words, ProblemCode.UNSAFE)
    listed: tuple[object, ...] = pack.messages.sensitive_words  # built in Python: anything
    if not all(_is_word(w) for w in listed):
        yield place.problem("sensitive_words", "a list of words", ProblemCode.INVALID_VALUE)
    sensitive = sensitive_words(pack)
    for name in DISCREET_MESSAGES:
        problem = discreet_problem(getattr(pack.messages, name), sensitive)
        if problem is not None:
            yield place.problem(name, problem, ProblemCode.SENSITIVE)


def sensitive_words(pack: ContentPack) -> tuple[str, ...]:
    """The sensitive words of the pack and of the locale files read with it, together.

    A translated reminder is checked against its own language's words and the
    pack's: an English word left in a Spanish reminder is as visible on a lock
    screen.
    """
    words: list[object] = list(pack.messages.sensitive_words)
    for translation in pack.translations:
        for kind, item_id, field, text in translation.texts:
            if (kind, item_id, field) == ("messages", "", "sensitive_words") and isinstance(
                text, tuple
            ):
                words.extend(text)
    return tuple(dict.fromkeys(w for w in words if isinstance(w, str)))


def _is_word(word: object) -> bool:
    """Whether a sensitive word is a text that is not blank (`trustkit._pack.spec.WORD`)."""
    return isinstance(word, str) and _WORD.fullmatch(word) is not None


def _check_word_list(place: _Place, text: object) -> Iterator[PackProblem]:
    """A locale's sensitive words: a list of words, as long as the language needs."""
    if not (isinstance(text, tuple) and all(_is_word(w) for w in text)):
        yield place.problem("sensitive_words", "a list of words", ProblemCode.WRONG_TYPE)


def _check_discreet(
    place: _Place, field: str, text: str, words: tuple[str, ...]
) -> Iterator[PackProblem]:
    """A translated message, if it is a discreet one, holds none of the sensitive words."""
    problem = discreet_problem(text, words) if field in DISCREET_MESSAGES else None
    if problem is not None:
        yield place.problem(field, problem, ProblemCode.SENSITIVE)


def discreet_problem(text: object, words: Iterable[str]) -> str | None:
    """What makes a discreet text (a reminder) not discreet, or None."""
    if not isinstance(text, str):
        return None  # not a text: reported as such
    found = sensitive_word(text, words)
    if found is None:
        return None
    return (
        f"a reminder or progress text may be read by anyone who sees the screen: "
        f"leave out the sensitive word {found!r}"
    )


def template_problem(name: str, template: object) -> str | None:
    """What is wrong with one message template, or None.

    A template may use only its own placeholders, written plainly (``{value}``):
    no format specs, conversions, attributes or indexes, so that filling it in
    can never fail or grow without bound.
    """
    allowed = _TEMPLATE_FIELDS[name]
    if not isinstance(template, str) or not template:
        return "a text"
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return "not a valid template (check the braces)"
    fields = [(f, spec, conv) for _, f, spec, conv in parsed if f is not None]
    if any(spec or conv for _, spec, conv in fields):
        return "write placeholders plainly, such as {value}: no ':' formats or '!' conversions"
    unknown = sorted({f for f, _, _ in fields} - allowed)
    if unknown:
        names = ", ".join(f"{{{u}}}" for u in unknown)
        return f"unknown placeholder {names}; use {sorted(allowed)}"
    return None


_PLACEHOLDER = re.compile(rf"\{{({PLACEHOLDER_NAME})\}}")


def text_placeholder_problem(kind: str, item: Any, field: str, text: object) -> str | None:
    """What is wrong with the placeholders of one item's text (or list of texts), or None.

    A field may use the placeholders `trustkit._pack.spec` declares for it, and a
    rule's reason only when it is a safety rule's (no other reason is filled): an
    ``{emergency}`` anywhere else would reach a reader as it is written. In a field
    with placeholders any other ``{name}`` is a typo; elsewhere braces are plain text.
    """
    declared = ALL_TABLES[kind].field(field).placeholders
    allowed = set(declared)
    if kind == "rules" and not item.safety:
        allowed.discard(EMERGENCY)
    texts = text if isinstance(text, tuple) else (text,)
    found = {name for t in texts if isinstance(t, str) for name in _PLACEHOLDER.findall(t)}
    wrong = sorted(n for n in found - allowed if declared or n == EMERGENCY)
    if not wrong:
        return None
    names = ", ".join(f"{{{n}}}" for n in wrong)
    if not allowed:
        where = "is filled only in a safety rule's reason" if declared else "is not filled here"
        return f"{names} {where}: write the text out"
    return f"unknown placeholder {names}; use {sorted(allowed)}"


def _check_placeholders(pack: ContentPack, moved: Moved) -> Iterator[PackProblem]:
    for kind, items in item_tables(pack).items():
        if kind in ("messages", "options"):
            continue  # templates: `template_problem`; an option's label is never filled in
        table = TABLES[kind]
        for item in items.values():
            for field in table.fields:
                if field.shape not in ("text", "texts"):
                    continue
                problem = text_placeholder_problem(
                    kind, item, field.name, getattr(item, field.name)
                )
                if problem is not None:
                    yield _place(pack, item, table.file, moved).problem(
                        field.name, problem, ProblemCode.INVALID_VALUE
                    )


def _check_steps(pack: ContentPack, moved: Moved) -> Iterator[PackProblem]:
    yield from _duplicates(pack, pack.steps, "step", "steps.toml")
    yield from _duplicates(pack, (a for s in pack.steps for a in s.actions), "action", "steps.toml")
    for step in pack.steps:
        for name in _versions("summary"):
            if len(getattr(step, name)) > MAX_SUMMARY:
                yield _place(pack, step, "steps.toml", moved).problem(
                    name,
                    f"at most {MAX_SUMMARY} characters (one short sentence)",
                    ProblemCode.TOO_LARGE,
                )
        for action in step.actions:
            place = _place(pack, action, "steps.toml", moved)
            if action.in_crisis and action.who is Who.BOTH:
                yield place.problem(
                    "who",
                    "an action marked in_crisis cannot be a couples exercise (who = 'both')",
                    ProblemCode.UNSAFE,
                )
            minutes: object = action.minutes  # Python-built packs may hold anything
            if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
                yield place.problem(
                    "minutes", "a whole number of minutes, at least 1", ProblemCode.OUT_OF_RANGE
                )


def _check_questions(pack: ContentPack, moved: Moved) -> Iterator[PackProblem]:
    yield from _duplicates(pack, pack.dimensions, "dimension", "questions.toml")
    yield from _duplicates(pack, pack.questions, "question", "questions.toml")
    dimensions = {d.id for d in pack.dimensions}
    for q in pack.questions:
        place = _place(pack, q, "questions.toml", moved)
        if not q.respondents:
            yield place.problem(
                "respondents", "at least one of 'partner', 'supporter'", ProblemCode.MISSING
            )
        if q.dimension is not None:
            if q.kind is not QuestionKind.SCALE:
                yield place.problem(
                    "dimension",
                    "only scale questions count towards a dimension",
                    ProblemCode.INVALID_VALUE,
                )
            elif q.dimension not in dimensions:
                yield place.problem(
                    "dimension", f"unknown dimension {q.dimension!r}", ProblemCode.UNKNOWN_REFERENCE
                )
        if q.reverse and q.kind is not QuestionKind.SCALE:
            yield place.problem(
                "reverse", "only scale questions can be reverse-keyed", ProblemCode.INVALID_VALUE
            )
        if q.safety and q.kind is not QuestionKind.YES_NO:
            yield place.problem(
                "safety", "safety questions must be yes/no questions", ProblemCode.UNSAFE
            )
        if q.high_risk and not q.safety:
            yield place.problem(
                "high_risk", "only a safety question can be a high-risk marker", ProblemCode.UNSAFE
            )
        yield from _check_options(q, place)


_CHOICES = frozenset({QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE})


def _check_options(q: Question, place: _Place) -> Iterator[PackProblem]:
    """A choice question's options: at least two, each code an id used once, each labelled."""
    if q.kind not in _CHOICES:
        if q.options:
            yield place.problem(
                "options", "only choice questions have options", ProblemCode.INVALID_VALUE
            )
        return
    if len(q.options) < 2:
        yield place.problem(
            "options", "a choice question needs at least two options", ProblemCode.MISSING
        )
    seen: set[str] = set()
    for i, option in enumerate(q.options):
        if not is_id(option.code):
            yield place.problem(
                f"options[{i}].code", f"a code: {ID_WORDS}", ProblemCode.INVALID_VALUE
            )
        elif option.code in seen:
            yield place.problem(
                f"options[{i}].code", f"code {option.code!r} is used twice", ProblemCode.DUPLICATE
            )
        seen.add(option.code)
        if not option.label.strip():
            yield place.problem(f"options[{i}].label", "a text", ProblemCode.MISSING)
        weight: Any = option.weight
        if weight is not None and not (_is_number(weight) and math.isfinite(weight)):
            yield place.problem(f"options[{i}].weight", "a finite number", ProblemCode.WRONG_TYPE)


def _check_rules(pack: ContentPack, moved: Moved) -> Iterator[PackProblem]:
    yield from _duplicates(pack, pack.rules, "rule", "rules.toml")
    steps = {s.id: s for s in pack.steps}
    topics = {t for r in pack.resources for t in r.topics}
    questions = {q.id: q for q in pack.questions}
    covered: set[str] = set()
    checker = _ConditionChecker(pack)
    for rule in pack.rules:
        place = _place(pack, rule, "rules.toml", moved)
        step = steps.get(rule.step)
        if step is None:
            yield place.problem(
                "step",
                f"unknown step {rule.step!r}{did_you_mean(rule.step, steps)}",
                ProblemCode.UNKNOWN_REFERENCE,
            )
        if isinstance(rule.priority, bool) or not isinstance(rule.priority, int):
            yield place.problem("priority", "a whole number", ProblemCode.WRONG_TYPE)
        for topic in rule.resources:
            if topic not in topics:
                yield place.problem(
                    "resources",
                    f"no resource has the topic {topic!r}",
                    ProblemCode.UNKNOWN_REFERENCE,
                )
        when_problems = checker.rule(place, rule.when)
        yield from when_problems
        yield from _rule_plan_problems(pack, rule, place)
        if not rule.safety:
            continue
        if rule.urgency is not Urgency.CRITICAL:
            yield place.problem(
                "urgency", "a safety rule's urgency must be 'critical'", ProblemCode.UNSAFE
            )
        if not rule.resources:
            yield place.problem(
                "resources", "a safety rule must name resource topics to show", ProblemCode.UNSAFE
            )
        if step is not None and not any(a.in_crisis for a in step.actions):
            yield place.problem(
                "step",
                f"step {rule.step!r} has no action marked in_crisis for a safety rule",
                ProblemCode.UNSAFE,
            )
        yield from _crisis_rule_problems(rule, place)
        asked = None if when_problems else _safety_questions_of(rule.when, questions)
        if asked is None:
            if not when_problems:
                yield place.problem(
                    "when",
                    "a safety rule may only check that safety questions were answered yes "
                    "(one such comparison, or 'any' of them)",
                    ProblemCode.UNSAFE,
                )
        else:
            covered |= asked
    for q in pack.questions:
        if q.safety and q.id not in covered:
            yield _place(pack, q, "questions.toml", moved).problem(
                "safety", "no safety rule covers this safety question", ProblemCode.UNSAFE
            )


CRISIS_TOPICS = ("crisis", "domestic_abuse")
"""A safety rule must attach resources on at least one of these topics."""

_PLAN_KINDS = ", ".join(repr(k.value) for k in PlanKind)


def _rule_plan_problems(pack: ContentPack, rule: Rule, place: _Place) -> Iterator[PackProblem]:
    """A safety rule names the kind of plan that fits, and the pack has that plan."""
    plan: object = rule.plan  # Python-built rules may hold anything
    if not rule.safety:
        if plan is not None:
            yield place.problem(
                "plan", "only a safety rule names a safety plan", ProblemCode.NOT_ALLOWED
            )
        return
    if plan is None:
        yield place.problem(
            "plan",
            f"a safety rule must name the safety plan that fits: one of {_PLAN_KINDS}",
            ProblemCode.UNSAFE,
        )
    elif not any(p.kind is plan for p in pack.plans):
        yield place.problem(
            "plan",
            f"the pack has no {str(plan)!r} plan: add one to plans.toml",
            ProblemCode.UNKNOWN_REFERENCE,
        )


def _check_plans(pack: ContentPack, moved: Moved) -> Iterator[PackProblem]:
    """One plan per kind, every section with prompts, crisis lines listed, no secrecy."""
    yield from _duplicates(pack, pack.plans, "plan", "plans.toml")
    topics = {t for r in pack.resources for t in r.topics}
    kinds: set[PlanKind] = set()
    for plan in pack.plans:
        place = _place(pack, plan, "plans.toml", moved)
        if plan.kind in kinds:
            yield place.problem(
                "kind", f"a second {plan.kind.value!r} plan: one per kind", ProblemCode.DUPLICATE_ID
            )
        kinds.add(plan.kind)
        for topic in plan.resources:
            if topic not in topics:
                yield place.problem(
                    "resources",
                    f"no resource has the topic {topic!r}",
                    ProblemCode.UNKNOWN_REFERENCE,
                )
        if not set(CRISIS_TOPICS) & set(plan.resources):
            yield place.problem(
                "resources",
                f"a safety plan must list crisis resources: one of {list(CRISIS_TOPICS)}",
                ProblemCode.UNSAFE,
            )
        for field in TABLES["plans"].fields:
            if field.shape not in ("text", "texts") or field.name == "resources":
                continue
            value = getattr(plan, field.name)
            texts = value if isinstance(value, tuple) else (value,)
            if not texts or not all(texts):
                yield place.problem(
                    field.name, "at least one text, none empty", ProblemCode.MISSING
                )
            if any(SECRECY.search(t) for t in texts):
                yield place.problem(
                    field.name, "a safety text must never ask for secrecy", ProblemCode.UNSAFE
                )


def _versions(name: str) -> tuple[str, ...]:
    """A text and its version for each role: ``summary``, ``summary_partner``, ..."""
    return (name, *(role_field(name, role) for role in Role))


def _crisis_rule_problems(rule: Any, place: _Place) -> Iterator[PackProblem]:
    """What keeps a safety rule from being safe in a crisis: its resources and its reason."""
    if rule.resources and not set(CRISIS_TOPICS) & set(rule.resources):
        yield place.problem(
            "resources",
            f"a safety rule must attach crisis resources: one of {list(CRISIS_TOPICS)}",
            ProblemCode.UNSAFE,
        )
    for name in _versions("reason"):
        if SECRECY.search(getattr(rule, name)):
            yield place.problem(
                name, "a safety text must never ask for secrecy", ProblemCode.UNSAFE
            )


def _check_crisis_steps(pack: ContentPack, moved: Moved) -> Iterator[PackProblem]:
    """Every step a safety rule leads to is for the person reading, on their own."""
    steps = {s.id: s for s in pack.steps}
    crisis_steps = dict.fromkeys(r.step for r in pack.rules if r.safety and r.step in steps)
    for step in (steps[step_id] for step_id in crisis_steps):
        where = _place(pack, step, "steps.toml", moved)
        if step.couples:
            yield where.problem(
                "couples", "a safety rule's step cannot be couples work", ProblemCode.UNSAFE
            )
        for name in _versions("title"):
            if PARTNER_FACING.search(getattr(step, name)):
                yield where.problem(
                    name,
                    "a safety rule's step is for the person reading, on their own: "
                    "not couples or partner-facing",
                    ProblemCode.UNSAFE,
                )
        for field in (*_versions("title"), *_versions("summary"), "why"):
            if SECRECY.search(getattr(step, field)):
                yield where.problem(
                    field, "a safety text must never ask for secrecy", ProblemCode.UNSAFE
                )
        for action in step.actions:
            if not action.in_crisis:
                continue
            at = _place(pack, action, "steps.toml", moved)
            if PARTNER_FACING.search(action.title):
                yield at.problem(
                    "title",
                    "a crisis action is for the person reading, on their own: "
                    "not couples or partner-facing",
                    ProblemCode.UNSAFE,
                )
            for field in ("title", "how"):
                if SECRECY.search(getattr(action, field)):
                    yield at.problem(
                        field, "a safety text must never ask for secrecy", ProblemCode.UNSAFE
                    )


def _crisis_items(pack: ContentPack) -> set[tuple[str, str]]:
    """The (kind, id) of every text shown in a crisis: safety rules, their steps and actions."""
    steps = {s.id: s for s in pack.steps}
    out: set[tuple[str, str]] = {("messages", "")}
    out.update(("plans", p.id) for p in pack.plans)
    for rule in pack.rules:
        if not rule.safety:
            continue
        out.add(("rules", rule.id))
        step = steps.get(rule.step)
        if step is not None:
            out.add(("steps", step.id))
            out.update(("actions", a.id) for a in step.actions if a.in_crisis)
    return out


def _check_meta(pack: ContentPack, moved: Moved) -> Iterator[PackProblem]:
    weeks: object = pack.safety_period_weeks  # Python-built packs may hold anything
    if not (
        isinstance(weeks, int)
        and not isinstance(weeks, bool)
        and SAFETY_PERIOD_FLOOR_WEEKS <= weeks <= SAFETY_PERIOD_MAX_WEEKS
    ):
        yield PackProblem(
            f"<{pack.id}>/pack.toml",
            "",
            "safety_period_weeks",
            f"from {SAFETY_PERIOD_FLOOR_WEEKS} to {SAFETY_PERIOD_MAX_WEEKS} weeks",
            code=ProblemCode.UNSAFE,
        )
    steps = {s.id: s for s in pack.steps}
    for rule in pack.rules:
        step = steps.get(rule.step)
        if isinstance(rule.when, Always) and step is not None and _is_couples(step):
            yield _place(pack, rule, "rules.toml", moved).problem(
                "step",
                "a catch-all rule must lead to a step that is not couples work, so that "
                "there is always a step during a safety period",
                ProblemCode.UNSAFE,
            )


def _is_couples(step: Step) -> bool:
    return step.couples or all(a.who is Who.BOTH for a in step.actions)


def _check_resources(pack: ContentPack, moved: Moved) -> Iterator[PackProblem]:
    yield from _duplicates(pack, pack.resources, "resource", "resources.toml")
    for res in pack.resources:
        place = _place(pack, res, "resources.toml", moved)
        if not res.topics:
            yield place.problem("topics", "at least one topic", ProblemCode.MISSING)
        if not res.source or not all(res.source):
            yield place.problem("source", "say where the facts come from", ProblemCode.MISSING)
        if not (res.phone or res.url or res.text or res.notes):
            yield place.problem(
                "phone", "give a phone number, a text line, a website or notes", ProblemCode.MISSING
            )
        country = None if res.country == INTERNATIONAL else country_problem(res.country)
        if country is None and res.country != res.country.upper():
            country = "an upper-case ISO 3166-1 country code, as apps pass it: 'GB', not 'gb'"
        if country is not None:
            yield place.problem(
                "country",
                f"{country}, or 'INTL' for a line that serves everyone",
                ProblemCode.INVALID_VALUE,
            )


def item_tables(pack: ContentPack) -> dict[str, dict[str, Any]]:
    """A pack's items by kind and id (the messages under the empty id)."""
    return {
        "steps": {s.id: s for s in pack.steps},
        "actions": {a.id: a for s in pack.steps for a in s.actions},
        "dimensions": {d.id: d for d in pack.dimensions},
        "questions": {q.id: q for q in pack.questions},
        "options": {f"{q.id}.{o.code}": o for q in pack.questions for o in q.options},
        "rules": {r.id: r for r in pack.rules},
        "resources": {r.id: r for r in pack.resources},
        "plans": {p.id: p for p in pack.plans},
        "messages": {"": pack.messages},
    }


def _too_long(place: _Place, kind: str, field: str, text: str) -> Iterator[PackProblem]:
    """A translated summary that is too long, reported in the locale file (not the step's)."""
    if kind == "steps" and field in _versions("summary") and len(text) > MAX_SUMMARY:
        yield place.problem(
            field, f"at most {MAX_SUMMARY} characters (one short sentence)", ProblemCode.TOO_LARGE
        )


def _check_translations(pack: ContentPack) -> Iterator[PackProblem]:
    targets = item_tables(pack)
    crisis_texts = _crisis_items(pack)
    sensitive = sensitive_words(pack)
    for translation in pack.translations:
        missing: set[tuple[str, str]] = set()
        file = translation.file or f"<{pack.id}>/locales/{translation.locale}.toml"
        lines = translation.lines or (None,) * len(translation.texts)
        for (kind, item_id, field, text), line in zip(translation.texts, lines, strict=False):
            place = _Place(file, f"{kind}.{item_id}" if item_id else kind, line)
            items = targets.get(kind)
            if items is None:
                yield place.problem(
                    "",
                    f"{kind!r} is not something a locale can translate",
                    ProblemCode.UNKNOWN_FIELD,
                )
                continue
            item = items.get(item_id)
            if item is None:
                if (kind, item_id) not in missing:  # once per item, not once per field
                    missing.add((kind, item_id))
                    yield place.problem(
                        "", f"unknown {kind[:-1]} id", ProblemCode.UNKNOWN_REFERENCE
                    )
                continue
            if field not in TRANSLATABLE[kind]:
                yield place.problem(
                    field, "not a field a locale can translate", ProblemCode.UNKNOWN_FIELD
                )
                continue
            original = getattr(item, field)
            if (kind, field) == ("messages", "sensitive_words"):
                yield from _check_word_list(place, text)
                continue
            if isinstance(original, tuple):
                if not (isinstance(text, tuple) and len(text) == len(original)):
                    count = len(original)
                    yield place.problem(
                        field, f"a list of {count} texts, like the original", ProblemCode.WRONG_TYPE
                    )
                elif kind != "messages":  # the months: no placeholders
                    problem = text_placeholder_problem(kind, item, field, text)
                    if problem is not None:
                        yield place.problem(field, problem, ProblemCode.INVALID_VALUE)
                continue
            if not isinstance(text, str) or not text:
                yield place.problem(field, "a text", ProblemCode.WRONG_TYPE)
                continue
            yield from _too_long(place, kind, field, text)
            if kind == "messages" and field in _TEMPLATE_FIELDS:
                problem = template_problem(field, text)
            else:
                problem = text_placeholder_problem(kind, item, field, text)
            if problem is not None:
                yield place.problem(field, problem, ProblemCode.INVALID_VALUE)
            if kind == "messages":
                yield from _check_discreet(place, field, text, sensitive)
            crisis = (kind, item_id) in crisis_texts and (
                kind != "messages" or field in SAFETY_MESSAGES
            )
            if crisis and SECRECY.search(text):
                yield place.problem(
                    field, "a safety text must never ask for secrecy", ProblemCode.UNSAFE
                )
        yield from _check_translated_words(pack, translation, file)


def _check_translated_words(
    pack: ContentPack, translation: Translation, file: str
) -> Iterator[PackProblem]:
    """A locale's words for yes and no (each falling back to the pack's own) keep their meaning."""
    given: dict[str, tuple[Text, int | None]] = {}
    lines = translation.lines or (None,) * len(translation.texts)
    for (kind, item_id, field, text), line in zip(translation.texts, lines, strict=False):
        if (kind, item_id) == ("messages", "") and field in ("word_yes", "word_no"):
            given[field] = (text, line)
    if not given:
        return
    yes = given.get("word_yes", (pack.messages.word_yes, None))[0]
    no = given.get("word_no", (pack.messages.word_no, None))[0]
    if not (isinstance(yes, str) and isinstance(no, str)):
        return  # not a text: already reported
    problem = yes_no_problem(yes, no)
    if problem is not None:
        field, message = problem
        if field not in given:  # the locale gave only the other word: that one is at fault
            (field,) = given
        yield _Place(file, "messages", given[field][1]).problem(field, message, ProblemCode.UNSAFE)


def _check_ids(pack: ContentPack) -> Iterator[PackProblem]:
    """Every item has an id, ASCII and never empty (a pack built in Python was not read)."""
    items: list[tuple[Any, str]] = [
        *((s, "steps.toml") for s in pack.steps),
        *((a, "steps.toml") for s in pack.steps for a in s.actions),
        *((d, "questions.toml") for d in pack.dimensions),
        *((q, "questions.toml") for q in pack.questions),
        *((r, "rules.toml") for r in pack.rules),
        *((r, "resources.toml") for r in pack.resources),
        *((p, "plans.toml") for p in pack.plans),
    ]
    if not is_id(pack.id):
        yield PackProblem(
            f"<{pack.id}>/pack.toml", "", "id", ID_WORDS, code=ProblemCode.INVALID_VALUE
        )
    for item, file in items:
        if not is_id(item.id):
            yield _place(pack, item, file).problem("id", ID_WORDS, ProblemCode.INVALID_VALUE)


def pack_problems(pack: ContentPack, moved: Moved | None = None) -> list[PackProblem]:
    """Every problem with a pack, in file order.

    Args:
        pack: The pack.
        moved: Where overlays changed fields, so that problems with them are
            reported against the overlay's file and line.
    """
    where = _NOWHERE if moved is None else moved
    return [
        *_check_ids(pack),
        *_check_meta(pack, where),
        *_check_steps(pack, where),
        *_check_questions(pack, where),
        *_check_rules(pack, where),
        *_check_crisis_steps(pack, where),
        *_check_resources(pack, where),
        *_check_plans(pack, where),
        *_check_messages(pack, where),
        *_check_placeholders(pack, where),
        *_check_translations(pack),
    ]


@public
def check_pack(pack: ContentPack, moved: Moved | None = None) -> None:
    """Check a content pack as a whole, as `load_pack` does for the packs it reads.

    Models are plain data: creating a `ContentPack` in Python (or changing one
    with ``attrs.evolve``) checks nothing. Call this to find every problem at
    once, with where it is; a pack that passes is not checked again. A pack
    that was never checked is checked anyway before it is first used to
    recommend a step.

    Added in version 0.2.0.

    Args:
        pack: The pack.
        moved: For trustkit's loader only: where overlays changed fields, so
            that problems with them are reported in the overlay's files.

    Raises:
        PackError: Every problem with the pack, each with its file (a pseudo-file
            such as ``<core>/rules.toml`` for items built in Python), item,
            field and line.

    Examples:
        >>> import attrs, trustkit
        >>> pack = trustkit.default_pack()
        >>> typo = trustkit.Rule(
        ...     id="typo", step="educate", when=trustkit.AnswerCompare("feels_herd", "<=", 2)
        ... )
        >>> broken = attrs.evolve(pack, rules=(*pack.rules, typo))  # plain data: no error yet
        >>> trustkit.check_pack(broken)
        Traceback (most recent call last):
        ...
        trustkit.errors.PackError: ...unknown question 'feels_herd'...
    """
    problems = pack_problems(pack, moved)
    if problems:
        raise PackError(problems)
    object.__setattr__(pack, "_checked", True)


def ensure_checked(pack: ContentPack) -> None:
    """Check a pack unless it was checked already (packs read from files always were).

    Raises:
        PackError: Every problem with the pack.
    """
    if not pack._checked:
        check_pack(pack)


__all__ = ["MAX_CONDITION_DEPTH", "check_pack", "ensure_checked", "pack_problems"]
