"""Reading JSON text the one way every trustkit reader does: a key given twice is an error.

Python's ``json`` keeps the last of two equal keys, so
``{"afraid_of_partner": true, "afraid_of_partner": false}`` would read as "no".
Which value the person meant cannot be known, so such a text is refused, with
the key named (a key is a question id or a field, never an answer) and never
a value.

The text is also held to what a check-in or a couple state can need, so that
hostile input ends in a typed error, never deep inside Python: at most
`MAX_DEPTH` arrays and objects inside each other, and whole numbers of at most
`MAX_DIGITS` digits (Python refuses to read more than 4,300 with a bare
``ValueError``).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from trustkit.errors import AnswerError, AnswerProblem, ProblemCode

MAX_KEY_SHOWN = 64
"""How much of a key given twice the error keeps (question ids in a pack are shorter)."""
MAX_DEPTH = 64
"""The deepest nesting of arrays and objects read; a check-in or a couple state has under 10."""
MAX_DIGITS = 100
"""The most digits of a whole number read; an answer has at most 6."""

FIELD = "JSON"
"""The field a problem with the text as a whole is reported under."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused if a key is given twice."""
    obj = dict(pairs)
    if len(obj) < len(pairs):
        counts = Counter(key for key, _ in pairs)
        key = next(key for key, count in counts.items() if count > 1)
        shown = key if len(key) <= MAX_KEY_SHOWN else key[: MAX_KEY_SHOWN - 1] + "…"
        raise AnswerError(
            [AnswerProblem(shown, "given more than once", code=ProblemCode.DUPLICATE)]
        )
    return obj


def _too_large(expected: str) -> AnswerError:
    return AnswerError([AnswerProblem(FIELD, expected, code=ProblemCode.TOO_LARGE)])


def _whole(text: str) -> int:
    """A whole number, refused (before Python tries) when it has too many digits."""
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _too_large(f"whole numbers of at most {MAX_DIGITS} digits")
    return int(text)


def _depth(value: object) -> int:
    """How deeply arrays and objects nest in a value read from JSON (without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


_QUICK_DEPTH = 8
"""How deep a value `_plain` walks; a deeper one is read the careful way."""
_BIG = 10**MAX_DIGITS


def _plain(value: object) -> int:
    """The colons a text without backslashes needs to give ``value`` with no key twice; or -1.

    Such a text has one colon for each key it gives, and those inside its
    strings; ``value`` keeps one key of each given twice, and the strings of
    what it keeps (a backslash could write a colon without one: such a text is
    never asked). So the text's colons equal this count exactly when no key
    was given twice. -1 for a value that must be read the careful way: nested
    deeper than `_QUICK_DEPTH`, or with a whole number of more than `MAX_DIGITS` digits.
    """
    colons = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            # One colon a key, and those in the keys (joined with one between each two).
            colons += ":".join(item).count(":") + 1 if item else 0
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            children = (item,)
            depth -= 1
        if depth == _QUICK_DEPTH:
            return -1
        for child in children:
            kind = type(child)
            if kind is str:
                colons += child.count(":")
            elif kind is int:
                if not -_BIG < child < _BIG:
                    return -1
            elif kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind is not bool and kind is not float and child is not None:
                return -1  # what JSON never gives (a subclass): the careful way
    return colons


def loads(text: str | bytes) -> Any:
    """The value of a JSON text, as ``json.loads`` gives it, but refusing a key given twice.

    Raises:
        AnswerError: A key is given twice in one object (code ``DUPLICATE``,
            the field is the key, shortened when long); or the text nests
            deeper than `MAX_DEPTH` or has a whole number of more than
            `MAX_DIGITS` digits (code ``TOO_LARGE``, field `FIELD`).
        json.JSONDecodeError: The text is not JSON.
    """
    if isinstance(text, bytes):
        quick, colons = b"\\" not in text, text.count(b":")
    else:
        quick, colons = "\\" not in text, text.count(":")
    if quick:  # the usual text: read at C speed, then shown to have no key twice
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            pass  # read again below, to say what is wrong
        else:
            if _plain(value) == colons:
                return value
    try:
        value = json.loads(text, object_pairs_hook=_unique, parse_int=_whole)
    except RecursionError:
        value = None
        deep = True
    else:
        # Walked only when there are enough brackets (in strings too) to nest too deeply.
        if isinstance(text, bytes):
            opened = text.count(b"[") + text.count(b"{")
        else:
            opened = text.count("[") + text.count("{")
        deep = opened > MAX_DEPTH and _depth(value) > MAX_DEPTH
    if deep:
        raise _too_large(f"arrays and objects nested at most {MAX_DEPTH} deep")
    return value
