"""Turning the tables of pack files into models: steps, questions, rules, resources, messages.

Each item is read field by field as `trustkit._pack.spec` declares its table:
the fields listed there are the only ones accepted.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from trustkit._pack import spec
from trustkit._pack.conditions import quick_condition, read_condition
from trustkit._pack.read import PackFile, Reader, is_id, item_id
from trustkit._pack.spec import TEMPLATES, Field, Table
from trustkit._vocabulary import SENSITIVE_WORDS
from trustkit.errors import PackProblem, ProblemCode
from trustkit.models import (
    Action,
    Dimension,
    Messages,
    Option,
    Origin,
    PlanTemplate,
    Question,
    Resource,
    Role,
    Rule,
    Step,
)

OPTIONAL_TEMPLATES = {t.name: t.default for t in TEMPLATES.values() if t.default is not None}
"""Templates a messages.toml may leave out, with their defaults."""

MODELS: dict[str, type[Any]] = {
    "steps": Step,
    "actions": Action,
    "dimensions": Dimension,
    "questions": Question,
    "rules": Rule,
    "resources": Resource,
    "plans": PlanTemplate,
}
"""The model each kind of item in `trustkit._pack.spec.TABLES` is read into."""

_MISSING: Any = object()


def _tables(
    parent: Reader, key: str, build: Callable[[Reader], Any], table: Table | None = None
) -> list[Any]:
    """What ``build`` makes of each table of the list ``key``: the one reader of ``[[kind]]``.

    A table of a kind `trustkit._pack.spec` declares (``table``) is first tried
    on the fast path, `_quick`. Otherwise it gets its own `Reader` (its item is
    its id, or ``#n``), and every field ``build`` did not read is then recorded
    as unknown.
    """
    out = []
    file = parent.file
    for i, raw in enumerate(parent.tables(key)):
        quick = None if table is None else _quick(table, raw, file)
        if quick is not None:
            out.append(quick)
            continue
        reader = Reader(raw, file, item_id(raw, i), parent.problems)
        out.append(build(reader))
        reader.done()
    return out


def _kind(table: Table, parent: Reader, key: str) -> list[Any]:
    """Each table of the list ``key``, read as the items ``table`` declares."""
    return _tables(parent, key, partial(_item, table), table)


def items(file: PackFile, kind: str, problems: list[PackProblem]) -> tuple[Any, ...]:
    """The models of each ``[[kind]]`` table in a file, read as `trustkit._pack.spec` says."""
    return tuple(_kind(spec.TABLES[kind], Reader(file.data, file, "", problems), kind))


def _field(reader: Reader, field: Field) -> Any:
    """One field's value, read by its type in the pack format."""
    name = field.name
    if field.shape == "id":
        return reader.ident(name)
    if field.shape in ("text", "ref"):
        if field.required:
            return reader.text(name)
        value = reader.text(name, None if field.shape == "ref" else "")
        return value or (None if field.shape == "ref" else "")
    if field.shape == "texts":
        return reader.texts(name)
    if field.shape == "sources":
        value = reader.raw(name)  # records a missing one
        if isinstance(value, str):
            return (value,)
        return reader.texts(name) if name in reader.data else ()
    if field.shape == "whole":
        return reader.whole(name)
    if field.shape == "flag":
        return reader.flag(name)
    if field.shape == "choice":
        assert field.choices is not None
        if field.required:
            return reader.choice(name, field.choices)
        return reader.choice(name, field.choices, field.default)
    if field.shape == "roles":
        return _roles(reader, name)
    if field.shape == "date":
        return _date(reader, name)
    if field.shape == "condition":
        return read_condition(reader, reader.raw(name), name, 1)
    if field.shape == "number":
        value = reader.typed(name, (int, float), "a number", None)
        return None if isinstance(value, bool) else value
    if field.shape == "options":
        return tuple(_tables(reader, name, _option))
    assert field.shape == "actions", field.shape
    return tuple(_kind(spec.ACTIONS, reader, name))


def _option(reader: Reader) -> Option:
    """One option of a choice question (keyed by its code, not an id: no fast path)."""
    values = {field.name: _field(reader, field) for field in spec.OPTIONS.fields}
    return Option(**values, origin=reader.origin)


def _roles(reader: Reader, name: str) -> frozenset[Role]:
    roles = set()
    for value in reader.texts(name):
        try:
            roles.add(Role(value))
        except ValueError:
            reader.fail(
                name, "expected 'partner' and/or 'supporter'", code=ProblemCode.INVALID_VALUE
            )
    return frozenset(roles)


def _date(reader: Reader, name: str) -> dt.date:
    value = reader.raw(name, None)
    if value is None:
        reader.fail(name, "missing: the date the facts were last checked", code=ProblemCode.MISSING)
    elif not (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        reader.fail(name, "expected a date such as 2026-11-27", code=ProblemCode.WRONG_TYPE)
        value = None
    return value or dt.date.min


# The fast path. A table whose every field is well formed (the common case, and
# nearly all of a large pack) is read in one pass over its fields, without a
# `Reader`; anything else, however slightly off, returns None and is read again
# field by field by `_field`, which records every problem with its words. The
# values are the ones `_field` gives (interned texts, shared comparisons).

_BAD: Any = object()
_LEFT_OUT = {
    "text": "",
    "ref": None,
    "texts": (),
    "flag": False,
    "actions": (),
    "options": (),
    "number": None,
}
"""The value of each optional field's shape when a table leaves it out (``choice``: its default)."""
_CHOICES: dict[Any, dict[str, Any]] = {
    f.choices: {member.value: member for member in f.choices}
    for t in spec.TABLES.values()
    for f in t.fields
    if f.choices is not None
}
"""The members of each enum a field chooses from, by value (``roles``: `Role`)."""
_NAMES = {kind: frozenset(f.name for f in table.fields) for kind, table in spec.TABLES.items()}
"""The fields of each kind of item."""


def _texts(value: Any, file: PackFile) -> Any:
    if type(value) is list and all(type(v) is str for v in value):
        return tuple(value)
    return _BAD


def _quick_reader(field: Field) -> Callable[[Any, PackFile], Any]:
    """How the fast path reads a field that is there: its value, or _BAD."""
    shape, required = field.shape, field.required

    def text(value: Any, file: PackFile) -> Any:
        if type(value) is not str or (shape == "id" and not is_id(value)):
            return _BAD
        return sys.intern(value) if value or required else _LEFT_OUT[shape]

    def condition(value: Any, file: PackFile) -> Any:
        cond = quick_condition(value, file.shared)
        return _BAD if cond is None else cond

    def typed(kind: type) -> Callable[[Any, PackFile], Any]:
        return lambda value, file: value if type(value) is kind else _BAD

    def choice(value: Any, file: PackFile) -> Any:
        return members.get(value, _BAD) if type(value) is str else _BAD

    def sources(value: Any, file: PackFile) -> Any:
        return (value,) if type(value) is str else _texts(value, file)

    def roles(value: Any, file: PackFile) -> Any:
        if type(value) is not list or not all(type(v) is str and v in members for v in value):
            return _BAD
        return frozenset(members[v] for v in value)

    def never(value: Any, file: PackFile) -> Any:
        return _BAD  # read the slow way, by `_field`

    def actions(value: Any, file: PackFile) -> Any:
        if type(value) is not list:
            return _BAD
        read = tuple(_quick(spec.ACTIONS, raw, file) for raw in value)
        return _BAD if any(a is None for a in read) else read

    members = _CHOICES.get(field.choices, {})
    readers: dict[str, Callable[[Any, PackFile], Any]] = {
        "id": text,
        "text": text,
        "ref": text,
        "texts": _texts,
        "sources": sources,
        "whole": typed(int),
        "flag": typed(bool),
        "choice": choice,
        "roles": roles,
        "date": typed(dt.date),
        "condition": condition,
        "actions": actions,
        "options": never,
        "number": never,
    }
    return readers[shape]


_QUICK = {
    kind: tuple(
        (
            f.name,
            f.required,
            f.default if f.shape == "choice" else _LEFT_OUT.get(f.shape),
            _quick_reader(f),
        )
        for f in table.fields
    )
    for kind, table in spec.TABLES.items()
}
"""Each kind's fields for the fast path: name, whether required, value when left out, reader."""


def _quick(table: Table, data: object, file: PackFile) -> Any:
    """The model of a well-formed table, or None."""
    if type(data) is not dict or not data.keys() <= _NAMES[table.kind]:
        return None
    values = {}
    for name, required, left_out, read in _QUICK[table.kind]:
        value = data.get(name, _MISSING)
        if value is _MISSING:
            if required:
                return None
            value = left_out
        else:
            value = read(value, file)
            if value is _BAD:
                return None
        values[name] = value
    return MODELS[table.kind](**values, origin=Origin(file.name, file.lines.get(data["id"])))


def _item(table: Table, reader: Reader) -> Any:
    """One item of a kind, read by the fields `trustkit._pack.spec` declares for it."""
    values = {field.name: _field(reader, field) for field in table.fields}
    return MODELS[table.kind](**values, origin=reader.origin)


def messages(file: PackFile, problems: list[PackProblem]) -> Messages:
    """The sentence templates of a messages.toml (its ``[explain]`` table)."""
    top = Reader(file.data, file, "", problems)
    line = file.tables.get(("explain", ""))
    reader = Reader(top.raw("explain"), file, "explain", problems)
    result = Messages(
        **{name: reader.text(name, OPTIONAL_TEMPLATES.get(name, _MISSING)) for name in TEMPLATES},
        months=reader.texts("months"),
        sensitive_words=reader.texts("sensitive_words", SENSITIVE_WORDS),
        origin=Origin(file.name, line),
    )
    reader.done()
    top.done()
    return result


def added_actions(file: PackFile, problems: list[PackProblem]) -> list[tuple[str, Action, Origin]]:
    """The actions an overlay's steps.toml adds to its base's steps (``[[actions]]``)."""

    def added(reader: Reader) -> tuple[str, Action, Origin]:
        action: Action = _item(spec.ACTIONS, reader)
        return reader.text("step"), action, reader.origin

    return _tables(Reader(file.data, file, "", problems), "actions", added)
