"""Reading a rule's condition from its TOML table into a [`Condition`][trustkit.Condition]."""

from __future__ import annotations

import sys
from typing import Any

from trustkit._pack.read import Reader
from trustkit.errors import ProblemCode
from trustkit.models import (
    AllOf,
    Always,
    AnswerCompare,
    Answered,
    AnyOf,
    Condition,
    FactCompare,
    Not,
    Op,
    ScoreCompare,
)

MAX_CONDITION_DEPTH = 32
"""How deeply conditions may nest (``all`` inside ``any`` inside ``not`` ...)."""

CONDITION_KEYS = ("answer", "score", "fact", "answered", "all", "any", "not", "always")
"""The forms a condition takes, by the key that names each."""

_MISSING: Any = object()


_VALUES = (bool, int, float)
_COMPARED = ("answer", "score", "fact")


def _seen_comparison(data: object, shared: dict[tuple[object, ...], Any]) -> Condition | None:
    """A comparison this file already holds, read without a second look at its fields.

    Only a well-formed comparison is ever shared (see below), and an equal table
    reads to an equal comparison, so a large pack's thousands of repeats cost a
    dictionary lookup each.
    """
    if type(data) is not dict or len(data) != 3:  # a name, "op" and "value"
        return None
    op = data.get("op")
    value = data.get("value")
    if type(op) is not str or type(value) not in _VALUES:
        return None
    for kind in _COMPARED:
        name = data.get(kind)
        if type(name) is str:
            found: Condition | None = shared.get((kind, name, op, type(value), value))
            return found
    return None


_OPS = {op.value: op for op in Op}
_KINDS: dict[str, Any] = {"answer": AnswerCompare, "score": ScoreCompare, "fact": FactCompare}


def quick_condition(
    data: object, shared: dict[tuple[object, ...], Any], depth: int = 1
) -> Condition | None:
    """The condition in ``data`` if it is well formed, else None (`read_condition` then says why).

    The fast path of reading a pack: what it returns is what `read_condition` gives
    for the same table, with the same comparisons shared, and it returns None for
    anything `read_condition` would record a problem about.
    """
    if type(data) is not dict or depth > MAX_CONDITION_DEPTH:
        return None
    if len(data) == 3:
        seen = _seen_comparison(data, shared)
        if seen is not None:
            return seen
        kinds = [k for k in _COMPARED if k in data]
        op_text = data.get("op")
        op = _OPS.get(op_text) if type(op_text) is str else None
        value = data.get("value")
        if len(kinds) != 1 or op is None or type(value) not in _VALUES:
            return None
        name = data[kinds[0]]
        if type(name) is not str:
            return None
        name = sys.intern(name)
        made: Condition = _KINDS[kinds[0]](name, op, value)
        found: Condition = shared.setdefault((kinds[0], name, op, type(value), value), made)
        return found
    if len(data) != 1:
        return None
    ((kind, inner),) = data.items()
    if kind in ("all", "any") and type(inner) is list:
        conds = []
        for child in inner:
            cond = quick_condition(child, shared, depth + 1)
            if cond is None:
                return None
            conds.append(cond)
        return AllOf(tuple(conds)) if kind == "all" else AnyOf(tuple(conds))
    if kind == "not":
        cond = quick_condition(inner, shared, depth + 1)
        return None if cond is None else Not(cond)
    if kind == "always" and inner is True:
        return Always()
    if kind == "answered" and type(inner) is str:
        return Answered(sys.intern(inner))
    return None


def read_condition(reader: Reader, data: object, path: str, depth: int) -> Condition:
    """The condition in ``data``, recording its problems against the reader's item."""
    if depth <= MAX_CONDITION_DEPTH:
        seen = _seen_comparison(data, reader.file.shared)
        if seen is not None:
            return seen
    problems_before = len(reader.problems)
    sub = Reader(data, reader.file, reader.item, reader.problems, path)
    if depth > MAX_CONDITION_DEPTH:
        sub.fail(
            "", f"conditions nest more than {MAX_CONDITION_DEPTH} deep", code=ProblemCode.TOO_LARGE
        )
        return Always()
    if not isinstance(data, dict):
        return Always()
    kinds = [k for k in CONDITION_KEYS if k in data]
    if len(kinds) != 1:
        sub.fail(
            "",
            "expected exactly one of " + ", ".join(repr(k) for k in CONDITION_KEYS),
            code=ProblemCode.INVALID_VALUE,
        )
        return Always()
    kind = kinds[0]
    if kind in ("all", "any"):
        children = sub.raw(kind)
        if not isinstance(children, list):
            sub.fail(kind, "expected a list of conditions", code=ProblemCode.WRONG_TYPE)
            children = []
        conds = tuple(
            read_condition(sub, child, sub.path(f"{kind}[{i}]"), depth + 1)
            for i, child in enumerate(children)
        )
        result: Condition = AllOf(conds) if kind == "all" else AnyOf(conds)
    elif kind == "not":
        result = Not(read_condition(sub, sub.raw("not"), sub.path("not"), depth + 1))
    elif kind == "always":
        if sub.raw("always") is not True:
            sub.fail("always", "expected true", code=ProblemCode.INVALID_VALUE)
        result = Always()
    elif kind == "answered":
        result = Answered(sub.text("answered"))
    else:
        name = sub.text(kind)
        op = sub.choice("op", Op)
        raw = sub.raw("value", _MISSING)
        if kind == "answer" and type(raw) is list and all(type(c) is str for c in raw):
            value: Any = tuple(raw)  # option codes: `in`, `not in`, `contains`
        else:
            value = sub.typed(
                "value",
                (bool, int, float),
                "true, false or a number"
                if kind != "answer"
                else "true, false, a number or a list of option codes",
                _MISSING,
            )
            value = 0 if value is _MISSING else value
        kinds_of: dict[str, Any] = {"answer": AnswerCompare, "score": ScoreCompare}
        result = kinds_of.get(kind, FactCompare)(name, op, value)
        sub.done()
        if len(reader.problems) == problems_before:
            # Rules of one file that make the same comparison share one (immutable) object.
            # The type is part of the key: ``True == 1``, but a yes is not the number 1.
            # ``op`` is a StrEnum: its key equals the text "<=" that `_seen_comparison` looks up.
            result = reader.file.shared.setdefault((kind, name, op, type(value), value), result)
        return result
    sub.done()
    return result
