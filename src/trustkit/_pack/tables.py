"""Turning the tables of pack files into models: steps, questions, rules, resources, messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from trustkit._pack.conditions import read_condition
from trustkit._pack.read import PackFile, Reader, item_id
from trustkit._vocabulary import MESSAGE_TEMPLATES, SAFETY_EARLIER
from trustkit.errors import PackProblem
from trustkit.models import (
    Action,
    Dimension,
    Messages,
    Origin,
    Question,
    QuestionKind,
    Resource,
    Role,
    Rule,
    Step,
    Urgency,
    Who,
)

OPTIONAL_TEMPLATES = {"safety_earlier": SAFETY_EARLIER}
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


def action(reader: Reader) -> Action:
    """An action, from a ``[[steps.actions]]`` or ``[[actions]]`` table."""
    return Action(
        id=reader.ident(),
        title=reader.text("title"),
        how=reader.text("how"),
        minutes=reader.whole("minutes"),
        who=reader.choice("who", Who),
        in_crisis=reader.flag("in_crisis"),
        origin=reader.origin,
    )


def step(reader: Reader) -> Step:
    """A step, from a ``[[steps]]`` table."""
    actions = []
    for i, raw in enumerate(reader.tables("actions")):
        sub = Reader(raw, reader.file, item_id(raw, i), reader.problems)
        actions.append(action(sub))
        sub.done()
    return Step(
        id=reader.ident(),
        title=reader.text("title"),
        summary=reader.text("summary"),
        why=reader.text("why"),
        actions=tuple(actions),
        signs_of_progress=reader.texts("signs_of_progress"),
        pitfalls=reader.texts("pitfalls"),
        couples=reader.flag("couples"),
        origin=reader.origin,
    )


def dimension(reader: Reader) -> Dimension:
    """A dimension, from a ``[[dimensions]]`` table."""
    return Dimension(id=reader.ident(), label=reader.text("label"), origin=reader.origin)


def question(reader: Reader) -> Question:
    """A question, from a ``[[questions]]`` table."""
    roles = set()
    for name in reader.texts("respondents"):
        try:
            roles.add(Role(name))
        except ValueError:
            reader.fail("respondents", "expected 'partner' and/or 'supporter'")
    dimension_id = reader.text("dimension", None)
    return Question(
        id=reader.ident(),
        prompt=reader.text("prompt"),
        kind=reader.choice("kind", QuestionKind),
        respondents=frozenset(roles),
        dimension=dimension_id or None,
        reverse=reader.flag("reverse"),
        safety=reader.flag("safety"),
        origin=reader.origin,
    )


def rule(reader: Reader) -> Rule:
    """A rule, from a ``[[rules]]`` table."""
    return Rule(
        id=reader.ident(),
        step=reader.text("step"),
        when=read_condition(reader, reader.raw("when"), "when", 1),
        priority=reader.whole("priority"),
        urgency=reader.choice("urgency", Urgency, Urgency.INFO),
        reason=reader.text("reason"),
        resources=reader.texts("resources"),
        safety=reader.flag("safety"),
        origin=reader.origin,
    )


def resource(reader: Reader) -> Resource:
    """A resource, from a ``[[resources]]`` table."""
    verified = reader.raw("verified", None)
    if verified is None:
        reader.fail("verified", "missing: the date the facts were last checked")
    elif not (isinstance(verified, dt.date) and not isinstance(verified, dt.datetime)):
        reader.fail("verified", "expected a date such as 2026-11-27")
        verified = dt.date.min
    return Resource(
        id=reader.ident(),
        name=reader.text("name"),
        topics=reader.texts("topics"),
        country=reader.text("country"),
        source=reader.text("source"),
        verified=verified or dt.date.min,
        region=reader.text("region", ""),
        phone=reader.text("phone", ""),
        text=reader.text("text", ""),
        url=reader.text("url", ""),
        hours=reader.text("hours", ""),
        languages=reader.texts("languages"),
        notes=reader.text("notes", ""),
        audience=reader.text("audience", ""),
        secondary_source=reader.flag("secondary_source"),
        origin=reader.origin,
    )


def messages(file: PackFile, problems: list[PackProblem]) -> Messages:
    """The sentence templates of a messages.toml (its ``[explain]`` table)."""
    top = Reader(file.data, file, "", problems)
    line = file.tables.get(("explain", ""))
    reader = Reader(top.raw("explain"), file, "explain", problems)
    result = Messages(
        **{
            name: reader.text(name, OPTIONAL_TEMPLATES.get(name, _MISSING))
            for name in MESSAGE_TEMPLATES
        },
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
