"""What each kind of question means, in one place: its answers, their classes, checks and words.

Every module that needs to know what a yes/no, scale, count or choice question
takes asks here: the pack check (which comparisons fit a question), the engine
(checking an answer, the answers a rule index looks up, the answer classes
`pack verify` enumerates, the domains mutation testing compares over, the
values the lint samples), the reverse key of a scale, the words an error uses
for a good answer, and the JSON Schema fragment of an answer.

A kind's **answer classes** for a question are answers that between them tell
apart everything a set of comparisons on it can: two answers left out behave
alike under every one of those comparisons. Unanswered is a class of its own,
never listed here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from trustkit.models import Answer, AnswerCompare, Op, Question, QuestionKind

__all__ = [
    "CODE_OPS",
    "KINDS",
    "MAX_CHOICE_CODES",
    "SCALE_MAX",
    "SCALE_MIN",
    "Kind",
    "json_answers",
    "kind_of",
    "parse",
    "reverse",
]


SCALE_MIN, SCALE_MAX = 1, 5
"""The agreement scale of ``scale`` questions (and of dimension scores)."""

MAX_CHOICE_CODES = 12
"""The most codes of one multiple choice question that conditions may tell apart before the
answer classes are given up on (each subset of them is a class: 2 ** 12 = 4,096)."""

_ORDERING = frozenset({Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE})
_EQUALITY = frozenset({Op.EQ, Op.NE})
CODE_OPS = frozenset({Op.IN, Op.NOT_IN, Op.CONTAINS})
"""The comparisons on option codes."""


def reverse(value: int) -> int:
    """A reverse-keyed scale answer as it counts towards a score: 1 is 5, 2 is 4 ..."""
    return SCALE_MIN + SCALE_MAX - value


def _thresholds(atoms: Iterable[AnswerCompare]) -> list[int]:
    return [
        math.floor(a.value)
        for a in atoms
        if isinstance(a.value, int | float) and not isinstance(a.value, bool)
    ]


def _codes_named(atoms: Iterable[AnswerCompare]) -> list[str]:
    return list(dict.fromkeys(c for a in atoms if isinstance(a.value, tuple) for c in a.value))


# --------------------------------------------------------------------- checks


def _scale(value: object) -> bool:
    return type(value) is int and SCALE_MIN <= value <= SCALE_MAX


def _yes_no(value: object) -> bool:
    return type(value) is bool


def _count(value: object) -> bool:
    return type(value) is int and value >= 0


def _one_of(question: Question) -> Callable[[object], bool]:
    codes = frozenset(question.codes)
    return lambda value: type(value) is str and value in codes


def _some_of(question: Question) -> Callable[[object], bool]:
    codes = frozenset(question.codes)

    def check(value: Any) -> bool:
        if type(value) is frozenset:
            return value <= codes
        # A list (JSON), tuple or set of distinct codes: read as a frozenset.
        return (
            type(value) in (list, tuple, set)
            and all(type(v) is str for v in value)
            and len(set(value)) == len(value)
            and set(value) <= codes
        )

    return check


def parse(question: Question, value: Any) -> Answer:
    """A (checked) answer in its canonical form: a multiple choice list becomes a frozenset."""
    if question.kind is QuestionKind.MULTIPLE_CHOICE and type(value) is not frozenset:
        return frozenset(value)
    answer: Answer = value
    return answer


def json_answers(answers: Mapping[str, Answer | None]) -> dict[str, Any]:
    """Answers as JSON holds them: a multiple choice answer's codes as a sorted list."""
    return {k: sorted(v) if isinstance(v, frozenset) else v for k, v in answers.items()}


# --------------------------------------------------------------------- classes


def _count_classes(question: Question, atoms: Sequence[AnswerCompare]) -> list[Answer]:
    # Every count above the largest threshold compares alike: one stands for them all.
    return list(range(max([0, *_thresholds(atoms)]) + 2))


def _subsets(question: Question, atoms: Sequence[AnswerCompare]) -> list[Answer] | None:
    named = [c for c in _codes_named(atoms) if c in question.codes]
    if len(named) > MAX_CHOICE_CODES:
        return None
    # Conditions only ask whether named codes were chosen: other codes change nothing.
    return [
        frozenset(chosen)
        for k in range(len(named) + 1)
        for chosen in itertools.combinations(named, k)
    ]


@attrs.frozen
class Kind:
    """What one kind of question takes, and how the rest of trustkit treats its answers.

    Attributes:
        kind: The kind.
        expected: What a good answer is, in the words of an error (never the answer).
        ops: The comparisons a condition may make on it.
        hint: The label a command line shows when it asks (``1-5``, ``y/n``).
        checker: From a question of this kind to the check of one answer.
        classes: From a question and the comparisons made on it to its answer
            classes (see the module's docs); None when there are too many.
        domain: From a question to the answers it takes that are few enough
            to list (a rule index and the engine's fast path look them up);
            empty when there is no such list.
        schema: From a question to the JSON Schema of one answer.
        indexable: Whether a rule index can look the answers up (one table
            entry per class); a multiple choice answer is tested instead.
    """

    kind: QuestionKind
    expected: Callable[[Question], str]
    ops: frozenset[Op]
    hint: str
    checker: Callable[[Question], Callable[[object], bool]]
    classes: Callable[[Question, Sequence[AnswerCompare]], list[Answer] | None]
    domain: Callable[[Question], tuple[Answer, ...]]
    schema: Callable[[Question], dict[str, Any]]
    indexable: bool = True


def _fixed(check: Callable[[object], bool]) -> Callable[[Question], Callable[[object], bool]]:
    return lambda question: check


_SCALE_VALUES: tuple[Answer, ...] = tuple(range(SCALE_MIN, SCALE_MAX + 1))
_YES_NO_VALUES: tuple[Answer, ...] = (True, False)
# Small ints are one object each in CPython, so these are recognised by identity.
_COUNT_VALUES: tuple[Answer, ...] = tuple(range(33))

KINDS = MappingProxyType(
    {
        QuestionKind.SCALE: Kind(
            QuestionKind.SCALE,
            lambda q: f"a whole number from {SCALE_MIN} to {SCALE_MAX}",
            _ORDERING,
            f"{SCALE_MIN}-{SCALE_MAX}",
            _fixed(_scale),
            lambda q, atoms: list(_SCALE_VALUES),
            lambda q: _SCALE_VALUES,
            lambda q: {"type": "integer", "minimum": SCALE_MIN, "maximum": SCALE_MAX},
        ),
        QuestionKind.YES_NO: Kind(
            QuestionKind.YES_NO,
            lambda q: "true or false",
            _EQUALITY,
            "y/n",
            _fixed(_yes_no),
            lambda q, atoms: list(_YES_NO_VALUES),
            lambda q: _YES_NO_VALUES,
            lambda q: {"type": "boolean"},
        ),
        QuestionKind.COUNT: Kind(
            QuestionKind.COUNT,
            lambda q: "a whole number, 0 or more",
            _ORDERING,
            "0 or more",
            _fixed(_count),
            _count_classes,
            lambda q: _COUNT_VALUES,
            lambda q: {"type": "integer", "minimum": 0},
        ),
        QuestionKind.CHOICE: Kind(
            QuestionKind.CHOICE,
            lambda q: "the code of one of its options",
            frozenset({Op.IN, Op.NOT_IN}),
            "a number or a code",
            _one_of,
            lambda q, atoms: list(q.codes),
            lambda q: q.codes,
            lambda q: {"enum": list(q.codes)},
        ),
        QuestionKind.MULTIPLE_CHOICE: Kind(
            QuestionKind.MULTIPLE_CHOICE,
            lambda q: "a list of the codes of its options, each at most once",
            CODE_OPS,
            "numbers or codes, separated by commas",
            _some_of,
            _subsets,
            lambda q: (),
            lambda q: {"type": "array", "items": {"enum": list(q.codes)}, "uniqueItems": True},
            indexable=False,
        ),
    }
)
"""Every kind of question, by kind."""


def kind_of(question: Question) -> Kind:
    """The registry entry of a question's kind."""
    return KINDS[question.kind]
