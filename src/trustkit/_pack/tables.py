"""Turning the tables of pack files into models: steps, questions, rules, resources, messages.

Each item is read field by field as `trustkit._pack.spec` declares its table:
the fields listed there are the only ones accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from trustkit._pack import spec
from trustkit._pack.conditions import read_condition
from trustkit._pack.read import PackFile, Reader, item_id
from trustkit._pack.spec import TEMPLATES, Field, Table
from trustkit.errors import PackProblem, ProblemCode
from trustkit.models import (
    Action,
    Dimension,
    Messages,
    Origin,
    Question,
    Resource,
    Role,
    Rule,
    Step,
)

OPTIONAL_TEMPLATES = {t.name: t.default for t in TEMPLATES.values() if t.default is not None}
"""Templates a messages.toml may leave out, with their defaults."""

_MISSING: Any = object()


def items(
    file: PackFile,
    key: str,
    problems: list[PackProblem],
    build: Callable[[Reader], Any],
) -> tuple[Any, ...]:
    """The models built from each table of the list ``key`` in a file."""
    top = Reader(file.data, file, "", problems)
    out = []
    for i, raw in enumerate(top.tables(key)):
        reader = Reader(raw, file, item_id(raw, i), problems)
        out.append(build(reader))
        reader.done()
    return tuple(out)


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
    assert field.shape == "actions", field.shape
    actions = []
    for i, raw in enumerate(reader.tables(name)):
        sub = Reader(raw, reader.file, item_id(raw, i), reader.problems)
        actions.append(action(sub))
        sub.done()
    return tuple(actions)


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


def _item(table: Table, model: type[Any], reader: Reader) -> Any:
    values = {field.name: _field(reader, field) for field in table.fields}
    return model(**values, origin=reader.origin)


def action(reader: Reader) -> Action:
    """An action, from a ``[[steps.actions]]`` or ``[[actions]]`` table."""
    result: Action = _item(spec.ACTIONS, Action, reader)
    return result


def step(reader: Reader) -> Step:
    """A step, from a ``[[steps]]`` table."""
    result: Step = _item(spec.STEPS, Step, reader)
    return result


def dimension(reader: Reader) -> Dimension:
    """A dimension, from a ``[[dimensions]]`` table."""
    result: Dimension = _item(spec.DIMENSIONS, Dimension, reader)
    return result


def question(reader: Reader) -> Question:
    """A question, from a ``[[questions]]`` table."""
    result: Question = _item(spec.QUESTIONS, Question, reader)
    return result


def rule(reader: Reader) -> Rule:
    """A rule, from a ``[[rules]]`` table."""
    result: Rule = _item(spec.RULES, Rule, reader)
    return result


def resource(reader: Reader) -> Resource:
    """A resource, from a ``[[resources]]`` table."""
    result: Resource = _item(spec.RESOURCES, Resource, reader)
    return result


def messages(file: PackFile, problems: list[PackProblem]) -> Messages:
    """The sentence templates of a messages.toml (its ``[explain]`` table)."""
    top = Reader(file.data, file, "", problems)
    line = file.tables.get(("explain", ""))
    reader = Reader(top.raw("explain"), file, "explain", problems)
    result = Messages(
        **{name: reader.text(name, OPTIONAL_TEMPLATES.get(name, _MISSING)) for name in TEMPLATES},
        months=reader.texts("months"),
        origin=Origin(file.name, line),
    )
    reader.done()
    top.done()
    return result


def added_actions(file: PackFile, problems: list[PackProblem]) -> list[tuple[str, Action, Origin]]:
    """The actions an overlay's steps.toml adds to its base's steps (``[[actions]]``)."""
    top = Reader(file.data, file, "", problems)
    out = []
    for i, raw in enumerate(top.tables("actions")):
        reader = Reader(raw, file, item_id(raw, i), problems)
        step_id = reader.text("step")
        added = action(reader)
        reader.done()
        out.append((step_id, added, reader.origin))
    return out
