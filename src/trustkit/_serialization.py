"""Turning check-ins and recommendations into JSON-ready data and back (cattrs).

Imported lazily by ``trustkit.converter``, ``trustkit.make_converter`` and
``trustkit.parse_checkin``, so that apps which never serialise do not pay for
importing cattrs.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from trustkit._pack.kinds import json_answers
from trustkit._public import public
from trustkit.errors import AnswerError, AnswerProblem, ProblemCode
from trustkit.models import CheckIn, Resource, Role

__all__ = ["converter", "make_converter", "parse_checkin"]

_REQUIRED_KEYS = ("answers", "respondent")
_RFC3339 = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})?\Z"
)
_TIMESTAMP_PROBLEM = "an ISO 8601 timestamp with a UTC offset"


def _timestamp(text: str) -> dt.datetime:
    """An RFC 3339 date-time, as the check-in schema's ``date-time`` format has it.

    ``T`` and ``Z`` may be lower case, as RFC 3339 allows; a space may stand for
    the ``T`` (RFC 3339's note, and what ``str(datetime)`` writes), which the
    schema does not allow. Fractions of a second beyond microseconds are cut.
    Other ISO 8601 forms (week dates, no separators, ``+0100``) are refused, and
    one without an offset is left naive, for `CheckIn` to refuse.
    """
    match = _RFC3339.match(text)
    if match is None:
        raise ValueError(text)
    date, time, fraction, offset = match.groups()
    offset = "+00:00" if offset in ("Z", "z") else offset or ""  # none: not timezone-aware
    return dt.datetime.fromisoformat(f"{date}T{time}{(fraction or '')[:7]}{offset}")


_OPTIONAL_KEYS = frozenset({"at", "recommended"})
_CHECKIN_KEYS = frozenset(_REQUIRED_KEYS) | _OPTIONAL_KEYS


@public
def parse_checkin(data: object, *, at: dt.datetime | None = None) -> CheckIn:
    """Build a [`CheckIn`][trustkit.CheckIn] from JSON-ready data.

    One rule holds for a check-in document here, in the check-in JSON Schema
    ([`json_schema("checkin")`][trustkit.json_schema]) and in
    ``trustkit recommend``: it is an object with

    - ``respondent`` (required): ``"partner"`` or ``"supporter"``;
    - ``answers`` (required): question id to answer, ``null`` for not answered;
    - ``at`` (optional): when it was answered, an RFC 3339 timestamp with a
      UTC offset, e.g. ``"2026-03-01T20:15:00+00:00"``, as the schema's
      ``date-time`` has it (a space for the ``T`` is also accepted);
    - ``recommended`` (optional): the id of the step it led to, or ``null``;

    and nothing else. A `CheckIn` always has a time, so a document without
    ``at`` needs the ``at`` argument: the time the app received it (trustkit
    never reads the clock). A document's own ``at`` wins over the argument.
    Whether the answers fit the questionnaire is checked later, against a pack.

    Added in version 0.1.0.

    Changed in version 0.2.0: ``at`` may be left out of the document and given
    as an argument instead.

    Args:
        data: The check-in document, as ``json.loads`` gives it.
        at: When the check-in was received, for a document without ``at``;
            timezone-aware.

    Raises:
        AnswerError: The data does not have that shape (or has no ``at``
            and none was given). Values are never quoted in the message.

    Examples:
        >>> import datetime as dt
        >>> import trustkit
        >>> checkin = trustkit.parse_checkin(
        ...     {"respondent": "partner", "answers": {"feels_heard": 2},
        ...      "at": "2026-03-01T20:15:00+00:00"}
        ... )
        >>> checkin.respondent.value, checkin.at.isoformat()
        ('partner', '2026-03-01T20:15:00+00:00')
        >>> checkin.answers
        <1 answers hidden>
        >>> received = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
        >>> trustkit.parse_checkin(
        ...     {"respondent": "supporter", "answers": {}}, at=received
        ... ).at == received
        True
    """
    if not isinstance(data, Mapping):
        raise AnswerError(
            [
                AnswerProblem(
                    "check-in", "an object with respondent and answers", code=ProblemCode.WRONG_TYPE
                )
            ]
        )
    problems = [
        AnswerProblem(
            key if isinstance(key, str) else "check-in",
            "not a check-in field",
            code=ProblemCode.UNKNOWN_FIELD,
        )
        for key in data
        if key not in _CHECKIN_KEYS
    ]
    problems.extend(
        AnswerProblem(key, "missing", code=ProblemCode.MISSING)
        for key in _REQUIRED_KEYS
        if key not in data
    )
    if "at" not in data and at is None:
        problems.append(
            AnswerProblem(
                "at", "missing: in the check-in, or as parse_checkin's at", code=ProblemCode.MISSING
            )
        )
    if problems:
        raise AnswerError(problems)
    when: object = data.get("at", at)
    if isinstance(when, str):
        try:
            when = _timestamp(when)
        except ValueError:
            raise AnswerError(
                [AnswerProblem("at", _TIMESTAMP_PROBLEM, code=ProblemCode.WRONG_TYPE)]
            ) from None
    return CheckIn(
        respondent=data["respondent"],
        answers=data["answers"],
        at=when,  # type: ignore[arg-type]
        recommended=data.get("recommended"),
    )


def _omit_origin(cls: type[Any], conv: cattrs.Converter) -> Callable[[Any], dict[str, Any]]:
    overrides = {"origin": override(omit=True)} if "origin" in attrs.fields_dict(cls) else {}
    return make_dict_unstructure_fn(cls, conv, **overrides)  # type: ignore[arg-type]


def optional_texts(cls: type[Any]) -> tuple[str, ...]:
    """The fields of a model that are texts, empty when not known: ``null`` in JSON."""
    return tuple(a.name for a in attrs.fields(cls) if a.default == "")


def _resource_hooks(conv: cattrs.Converter) -> None:
    """A resource's empty optional texts are written as ``null``, and read back as empty."""
    unstructure = _omit_origin(Resource, conv)
    structure = make_dict_structure_fn(Resource, conv)
    names = optional_texts(Resource)

    def write(resource: Resource) -> dict[str, Any]:
        data = unstructure(resource)
        for name in names:
            data[name] = data[name] or None
        return data

    def read(data: Mapping[str, Any], _: object) -> Resource:
        texts = {name: data.get(name) or "" for name in names}
        return structure({**data, **texts}, Resource)

    conv.register_unstructure_hook(Resource, write)
    conv.register_structure_hook(Resource, read)


@public
def make_converter() -> cattrs.Converter:
    """A new cattrs converter for trustkit's models, for apps that need hooks of their own.

    It turns models into JSON-ready data and back exactly as the shared
    [`trustkit.converter`][trustkit.converter] does; register your own hooks
    on it (for your classes, or to change how a trustkit type is written)
    without changing what other code in the process gets from the shared one.

    Added in version 0.2.0.

    Examples:
        >>> import datetime as dt
        >>> import trustkit
        >>> conv = trustkit.make_converter()
        >>> conv.register_unstructure_hook(dt.datetime, lambda d: d.timestamp())
        >>> checkin = trustkit.CheckIn(
        ...     respondent="partner", answers={}, at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        ... )
        >>> conv.unstructure(checkin.at), trustkit.converter.unstructure(checkin.at)
        (1767225600.0, '2026-01-01T00:00:00+00:00')
    """
    conv = cattrs.Converter()
    conv.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    conv.register_structure_hook(dt.datetime, lambda v, _: dt.datetime.fromisoformat(v))
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), lambda member: member.value
    )
    conv.register_structure_hook(dt.date, lambda v, _: dt.date.fromisoformat(v))
    conv.register_unstructure_hook_func(
        lambda t: t == frozenset[Role], lambda roles: sorted(role.value for role in roles)
    )
    conv.register_unstructure_hook_factory(attrs.has, lambda cls: _omit_origin(cls, conv))
    conv.register_unstructure_hook(
        CheckIn,
        lambda c: {
            "respondent": c.respondent.value,
            "answers": json_answers(c.answers),
            "at": c.at.isoformat(),
            "recommended": c.recommended,
        },
    )
    conv.register_structure_hook(CheckIn, lambda v, _: parse_checkin(v))
    _resource_hooks(conv)
    return conv


converter: cattrs.Converter = make_converter()
"""The shared cattrs converter for trustkit's models: use it, do not change it.

``converter.unstructure(obj)`` turns a [`CheckIn`][trustkit.CheckIn],
[`Recommendation`][trustkit.Recommendation] or any other model into JSON-ready data
(shaped as the TypedDicts in [`trustkit.jsontypes`][trustkit.jsontypes] describe);
``converter.structure(data, Recommendation)`` turns it back.

It is one object shared by every user of trustkit in the process, so do not
register hooks on it: a hook added by one library would change the JSON of
another. Apps that need their own hooks call
[`make_converter`][trustkit.make_converter] for a converter of their own.

Added in version 0.1.0.
"""
