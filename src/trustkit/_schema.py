"""JSON Schemas (draft 2020-12) for pack files, check-ins and recommendations.

Content authors edit packs in TOML; editors that understand JSON Schema (VS
Code's Even Better TOML, anything built on taplo) use these schemas to point at
a mistake while it is being typed. Apps use `checkin_schema` and
`recommendation_schema` to check the JSON they exchange.

Which schema for which file: one pack file is checked against
`pack_file_schema` of its name. `PACK_FILE_PATTERNS` maps each name to the
file, relative to the pack's folder, so an editor can be set up once per pack
folder; in a taplo configuration (``.taplo.toml``) that is one rule per file::

    [[rule]]
    include = ["packs/*/rules.toml"]
    schema.path = "schemas/pack-rules.json"   # trustkit schema pack-rules

or, in a single file, a first line ``#:schema ../schemas/pack-rules.json``.
`pack_schema` accepts any valid pack file whatever its name (its top level is
an ``anyOf`` of the file schemas): use it only when a file's name is not known,
since an editor can say little more than "matches none of the file kinds" when
it fails.

Every schema is built afresh on each call (callers may change what they get),
holds only JSON data, and is the same from one call to the next. Ids live
under ``https://trustkit.invalid/schema/``, a domain that never resolves:
nothing is fetched from the network.

The schemas follow the loader: a file the loader rejects for its shape (a
misspelt or missing field, a value of the wrong type, an unknown choice, an id
with capitals) is rejected by its schema too. What needs more than one file
(that a rule's step exists, that a comparison fits its question, that a file
belongs in a base pack or in an overlay) or more than a schema can say (how
deeply conditions nest, that a translated list keeps its length) is checked
only by [`load_pack`][trustkit.load_pack]. Every such rule is listed once, in
`LOADER_ONLY` (docs/pack-format.md shows the list); the schema is stricter than
the loader only about a question's ``dimension`` (an id, not empty text).

Examples:
    >>> from trustkit._schema import schema
    >>> rules = schema("pack-rules")
    >>> rules["$id"]
    'https://trustkit.invalid/schema/pack/rules.json'
    >>> sorted(rules["$defs"])
    ['condition', 'id', 'rule', 'safety_check', 'safety_condition']
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from trustkit._boundary import BoundaryStatus
from trustkit._engine.examples import MAX_YEARS
from trustkit._pack import spec
from trustkit._pack.conditions import MAX_CONDITION_DEPTH
from trustkit._pack.kinds import CODE_OPS, kind_of
from trustkit._pack.read import ID_PATTERN
from trustkit._pack.spec import SCALE_MAX, SCALE_MIN, TEMPLATES, Field, Table
from trustkit._public import public
from trustkit._roles import Role, role_field
from trustkit._vocabulary import (
    FACT_FAMILIES,
    SAFETY_PERIOD_FLOOR_WEEKS,
    SAFETY_PERIOD_MAX_WEEKS,
    SENSITIVE_WORDS,
)
from trustkit.errors import ProblemCode
from trustkit.models import (
    DECISION_ID_MAX,
    ContentPack,
    FeedbackOutcome,
    FeedbackReason,
    Op,
    PlanKind,
    PlanPart,
    Question,
    QuestionKind,
    Resource,
    Urgency,
    Who,
)

__all__ = [
    "PACK_FILE_NAMES",
    "PACK_FILE_PATTERNS",
    "SCHEMA_NAMES",
    "SCHEMA_PACKAGE",
    "checkin_schema",
    "decision_record_schema",
    "feedback_schema",
    "json_schema",
    "pack_file_schema",
    "pack_schema",
    "recommendation_schema",
    "safety_plan_schema",
    "schema",
]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_BASE = "https://trustkit.invalid/schema/"

PACK_FILE_NAMES: tuple[str, ...] = (
    "pack",
    "steps",
    "questions",
    "rules",
    "resources",
    "messages",
    "plans",
    "overrides",
    "locale",
    "examples",
)
"""The kinds of pack file that have a schema, as accepted by `pack_file_schema`."""

PACK_FILE_PATTERNS: Mapping[str, str] = types.MappingProxyType(
    {
        "pack": "pack.toml",
        "steps": "steps.toml",
        "questions": "questions.toml",
        "rules": "rules.toml",
        "resources": "resources.toml",
        "messages": "messages.toml",
        "plans": "plans.toml",
        "overrides": "overrides.toml",
        "locale": "locales/*.toml",
        "examples": "examples.toml",
    }
)
"""Where each kind of file lives, as a glob relative to the pack's folder."""

SCHEMA_NAMES: tuple[str, ...] = (
    "pack",
    *(f"pack-{name}" for name in PACK_FILE_NAMES),
    "checkin",
    "recommendation",
    "trace",
    "safety-plan",
    "decision-record",
    "feedback",
)
"""Every name `schema` accepts (the names of ``trustkit schema NAME``)."""

_ID_PATTERN = ID_PATTERN
_OPTION_KEY = "^" + ID_PATTERN.strip("^$") + "\\." + ID_PATTERN.strip("^$") + "$"
"""The key of an option's translation: ``<question id>.<code>``."""
_VERSION_PATTERN = spec.whole(spec.VERSION)
_NOT_FILLED = spec.text_pattern(attrs.evolve(spec.RULES.field("reason"), placeholders=()))
"""A rule's reason that is not a safety rule's: no ``{emergency}``, which is not filled there."""
# What overlays may change and locales may translate, as the pack format declares them.
_OVERRIDABLE = {kind: fields for kind, fields in spec.OVERRIDABLE.items() if kind != "messages"}
_TRANSLATABLE = {kind: fields for kind, fields in spec.TRANSLATABLE.items() if kind != "messages"}
_ALL_TABLES = {**spec.TABLES, spec.OPTIONS.kind: spec.OPTIONS}
"""Every kind of item, with the options of choice questions (translated, never overridden)."""
_SINGULAR = {kind: table.item for kind, table in _ALL_TABLES.items()}


@attrs.frozen
class LoaderOnly:
    """One rule that only the loader (or `parse_checkin`) checks: no schema of one file can say it.

    Attributes:
        name: A short name for it.
        schemas: The schemas (`SCHEMA_NAMES`) of the files it concerns.
        codes: The codes of the problems the loader reports for it.
        fields: The fields those problems name (empty: any field).
        words: What it is, for authors (docs/pack-format.md lists every one).
    """

    name: str
    schemas: tuple[str, ...]
    codes: frozenset[ProblemCode]
    fields: tuple[str, ...]
    words: str


_REASONS = ("reason", *(role_field("reason", role) for role in Role))
_TRANSLATED_LISTS = (
    *sorted(
        {f.name for t in spec.ALL_TABLES.values() for f in t.fields if f.translate}
        & {f.name for t in spec.ALL_TABLES.values() for f in t.fields if f.shape == "texts"}
    ),
    "months",
)
_TEXT_FILES = ("pack-steps", "pack-questions", "pack-rules", "pack-resources", "pack-plans")
_CHANGE_FILES = ("pack-overrides", "pack-locale")

LOADER_ONLY: tuple[LoaderOnly, ...] = (
    LoaderOnly(
        "versions in range",
        ("pack-pack",),
        frozenset({ProblemCode.INCOMPATIBLE}),
        ("extends", "trustkit"),
        "The range in `extends` holds the version of the base pack, and the range in "
        "`trustkit` holds the version of trustkit that loads the pack.",
    ),
    LoaderOnly(
        "fits the base",
        ("pack-pack", *_CHANGE_FILES, *_TEXT_FILES),
        frozenset(
            {
                ProblemCode.UNKNOWN_REFERENCE,
                ProblemCode.DUPLICATE_ID,
                ProblemCode.NOT_ALLOWED,
                ProblemCode.UNSAFE,
            }
        ),
        (),
        "An overlay changes, disables and translates only what its base has, adds only ids "
        "its base does not have, never shortens its base's "
        "safety period and never weakens a safety rule; a file belongs in a base pack or in "
        "an overlay.",
    ),
    LoaderOnly(
        "a base pack's files",
        ("pack-pack",),
        frozenset({ProblemCode.MISSING}),
        (),
        "A pack without `extends` is a base pack: its folder holds every file but plans.toml.",
    ),
    LoaderOnly(
        "the base's language",
        ("pack-pack",),
        frozenset({ProblemCode.INVALID_VALUE}),
        ("locale",),
        "An overlay's texts are in its base's language (translations go in locales/).",
    ),
    LoaderOnly(
        "references",
        (*_TEXT_FILES, "pack-examples"),
        frozenset(
            {
                ProblemCode.UNKNOWN_REFERENCE,
                ProblemCode.DUPLICATE_ID,
                ProblemCode.NEVER_TRUE,
                ProblemCode.UNSAFE,
                ProblemCode.TOO_LARGE,
                ProblemCode.OUT_OF_RANGE,
            }
        ),
        (),
        "Whatever needs the whole pack: ids are unique in it, a rule's step, resource topics "
        "and plan exist, a condition fits its question (and nests at most "
        f"{MAX_CONDITION_DEPTH} deep), every safety question has a safety rule, and a "
        "crisis step is safe in a crisis.",
    ),
    LoaderOnly(
        "conditions fit their questions",
        ("pack-rules", "pack-questions"),
        frozenset({ProblemCode.INVALID_VALUE}),
        ("when", "kind", "dimension", "reverse", "safety", "high_risk", "options"),
        "A condition compares a question or score with values its kind has, and a "
        "question's dimension, reverse, safety and options fit its kind.",
    ),
    LoaderOnly(
        "emergency in a safety rule's reason",
        _CHANGE_FILES,
        frozenset({ProblemCode.INVALID_VALUE}),
        _REASONS,
        "A rule's reason may hold `{emergency}` only if it is a safety rule's: in "
        "overrides.toml and a locale file, the rule is in another file.",
    ),
    LoaderOnly(
        "lists keep their length",
        ("pack-locale",),
        frozenset({ProblemCode.WRONG_TYPE}),
        _TRANSLATED_LISTS,
        "A translated list has as many texts as the original.",
    ),
    LoaderOnly(
        "yes and no",
        ("pack-messages", *_CHANGE_FILES),
        frozenset({ProblemCode.UNSAFE}),
        ("word_yes", "word_no"),
        "`word_yes` and `word_no` mean yes and no: neither is blank once spaces and accents "
        "are left out, they differ, and neither is the other's word (they decide what a typed "
        "reply means on the safety screen).",
    ),
    LoaderOnly(
        "discreet texts",
        ("pack-messages", *_CHANGE_FILES),
        frozenset({ProblemCode.SENSITIVE}),
        spec.DISCREET_MESSAGES,
        "Reminders and progress texts hold none of the sensitive words: the pack's and, in "
        "a locale file, its own.",
    ),
    LoaderOnly(
        "no secrecy",
        ("pack-messages", *_CHANGE_FILES, *_TEXT_FILES),
        frozenset({ProblemCode.UNSAFE}),
        (),
        "A safety text (the crisis step and its actions, safety rules' reasons, plans and "
        "the safety messages) never asks for secrecy.",
    ),
    LoaderOnly(
        "country codes",
        ("pack-resources",),
        frozenset({ProblemCode.INVALID_VALUE}),
        ("country",),
        "A resource's country is a code ISO 3166-1 assigns (`GB`, not `UK`): the schema "
        "asks only for two capital letters or `INTL`.",
    ),
    LoaderOnly(
        "TOML types",
        ("pack-steps", "pack-questions", "pack-rules", "pack-resources", "pack-overrides"),
        frozenset({ProblemCode.WRONG_TYPE}),
        (),
        "JSON has no separate whole-number type (`minutes = 10.0` passes the schema, not "
        "the loader), and a schema cannot tell a TOML date from text that looks like one.",
    ),
    LoaderOnly(
        "check-in time",
        ("checkin",),
        frozenset({ProblemCode.MISSING}),
        ("at",),
        "A check-in without `at` needs `parse_checkin`'s `at` argument (the time the app "
        "received it); `trustkit recommend` needs neither. trustkit also accepts a space for "
        "the `T` of `at`, and refuses a leap second (`:60`), which Python cannot represent.",
    ),
)
"""Every rule the loader checks that the schemas do not say, in one place.

Everything else agrees both ways: what a file's schema accepts, the loader reads
or refuses only for one of these; what the loader refuses in one file for any
other reason, that file's schema refuses (tests/test_schema_agreement.py).
docs/pack-format.md lists them ("What only the loader checks")."""


def loader_only(schema_name: str, code: ProblemCode | str, field: str) -> LoaderOnly | None:
    """The listed rule that explains a loader problem in a file of this schema, if any."""
    top = field.split(".", maxsplit=1)[0]
    for rule in LOADER_ONLY:
        fits = not rule.fields or top in rule.fields
        if schema_name in rule.schemas and code in rule.codes and fits:
            return rule
    return None


# --------------------------------------------------------------------------- helpers


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _text(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _texts(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": description, **extra}


def _choice(description: str, values: list[str], **extra: Any) -> dict[str, Any]:
    return {"type": "string", "enum": values, "description": description, **extra}


def _table(
    description: str,
    properties: dict[str, Any],
    required: tuple[str, ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    """An object with known fields only (the loader rejects any other field)."""
    out: dict[str, Any] = {"type": "object", "description": description}
    out["properties"] = properties
    if required:
        out["required"] = list(required)
    out["additionalProperties"] = False
    out.update(extra)
    return out


def _flag_set(name: str) -> dict[str, Any]:
    """Matches a table whose field ``name`` is ``true``."""
    return {"properties": {name: {"const": True}}, "required": [name]}


def _values(enum_type: type[Op | Who | QuestionKind | Urgency | Role | ProblemCode]) -> list[str]:
    return [member.value for member in enum_type]


def _refs(node: object) -> Iterator[str]:
    """The names of the ``#/$defs/...`` entries a schema refers to."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            yield ref.removeprefix("#/$defs/")
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _needed(body: object, defs: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``defs`` that ``body`` refers to, directly or through others."""
    found: set[str] = set()
    todo = list(_refs(body))
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(_refs(defs[name]))
    return {name: defs[name] for name in sorted(found)}


def _document(
    schema_id: str, title: str, body: dict[str, Any], defs: dict[str, Any]
) -> dict[str, object]:
    out: dict[str, object] = {"$schema": _DIALECT, "$id": _BASE + schema_id, "title": title}
    out.update(body)
    needed = _needed(body, defs)
    if needed:
        out["$defs"] = needed
    return out


# ----------------------------------------------------------------- pieces of pack files


def _field(field: Field, *, placeholders: bool = True) -> dict[str, Any]:
    """The schema of one field, from its declaration in the pack format.

    A text (or each text of a list) follows the field's placeholder rule
    (`trustkit._pack.spec.text_pattern`), unless ``placeholders`` is false: an
    option's label in questions.toml is never filled in, so it is not checked.
    """
    shape, doc = field.shape, field.doc
    out: dict[str, Any]
    if shape in ("id", "ref"):
        out = {**_ref("id"), "description": doc}
    elif shape == "condition":
        out = {**_ref("condition"), "description": doc}
    elif shape == "text":
        out = _text(doc)
    elif shape == "date":
        out = _text(doc, format="date")
    elif shape == "texts":
        out = _texts(doc)
    elif shape == "sources":
        out = {
            "oneOf": [
                {"type": "string", "minLength": 1},
                {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
            ],
            "description": doc,
        }
    elif shape == "whole":
        out = {"type": "integer", "description": doc}
    elif shape == "flag":
        out = {"type": "boolean", "description": doc}
    elif shape == "choice":
        assert field.choices is not None
        out = _choice(doc, [m.value for m in field.choices])
    elif shape == "roles":
        assert field.choices is not None
        out = {"type": "array", "items": {"enum": [m.value for m in field.choices]}}
        out["description"] = doc
    elif shape == "number":
        out = {"type": "number", "description": doc}
    elif shape == "options":
        out = {"type": "array", "items": _ref("option"), "minItems": 2, "description": doc}
    else:
        assert shape == "actions", shape
        out = {"type": "array", "items": _ref("action"), "description": doc}
    rule = spec.text_pattern(field)
    if placeholders and shape == "text" and "pattern" not in field.schema:
        out["pattern"] = spec.whole(rule)
    elif placeholders and shape == "texts":
        out["items"] = {"type": "string", "pattern": spec.whole(rule)}
    extra = dict(field.schema)
    out["items"] = {**out.get("items", {}), **extra.pop("items", {})}
    out.update(extra)
    if not out["items"]:
        del out["items"]
    return out


def _fields(table: Table, *, placeholders: bool = True) -> dict[str, Any]:
    """The schemas of a table's fields, by name."""
    return {field.name: _field(field, placeholders=placeholders) for field in table.fields}


def _step_fields() -> dict[str, Any]:
    return _fields(spec.STEPS)


def _action_fields() -> dict[str, Any]:
    return _fields(spec.ACTIONS)


def _not_both_in_crisis() -> dict[str, Any]:
    return {
        "if": _flag_set("in_crisis"),
        "then": {"properties": {"who": {"not": {"const": Who.BOTH.value}}}},
    }


def _template_fields(*, defaults: bool = False) -> dict[str, Any]:
    """The fields of [explain], from the declared templates: texts, and the month names.

    With ``defaults``, an optional template's schema says its default (a base
    pack's messages.toml; an overlay's change or a translation has none).
    """
    out = {
        name: _text(template.words, pattern=spec.whole(spec.template_pattern(template)))
        for name, template in TEMPLATES.items()
    }
    for name in ("word_yes", "word_no"):
        out[name]["allOf"] = [{"pattern": spec.whole(spec.WORD)}]
    if defaults:
        for name, template in TEMPLATES.items():
            if template.default is not None:
                out[name]["default"] = template.default
    out["months"] = _texts(spec.MONTHS_DOC, minItems=spec.MONTHS, maxItems=spec.MONTHS)
    out["sensitive_words"] = _texts(spec.SENSITIVE_DOC)
    out["sensitive_words"]["items"]["pattern"] = spec.whole(spec.WORD)
    if defaults:
        out["sensitive_words"]["default"] = list(SENSITIVE_WORDS)
    return out


_FORMS = ("answer", "score", "fact", "answered", "all", "any", "not", "always")
_COMPARISONS = ("answer", "score", "fact")


def _fact_pattern(kind: str | None = None) -> str:
    """A pattern for the names of the facts a rule can read (only numbers or flags, if asked)."""
    names = [
        re.escape(family) + (r"\.[a-z0-9][a-z0-9_-]*" if about else "")
        for family, (type_, about) in FACT_FAMILIES.items()
        if kind in (None, type_)
    ]
    return "^(" + "|".join(names) + ")$"


def _fact_words() -> str:
    """The facts, in words: 'checkins', ..., 'repeats.<step id>', ..."""
    words: dict[str, list[str]] = {"number": [], "flag": []}
    for family, (type_, about) in FACT_FAMILIES.items():
        words[type_].append(f"{family}.<{about} id>" if about else family)
    return f"Numbers: {', '.join(words['number'])}. True or false: {', '.join(words['flag'])}."


def _condition_defs() -> dict[str, Any]:
    one_form = [{"required": [form]} for form in _FORMS]
    return {
        "condition": _table(
            "A condition, one of: { answer = 'question id', op = '<=', value = 2 }; "
            "{ score = 'dimension id', op = '<=', value = 2.5 }; "
            "{ fact = 'repeats.validation', op = '>=', value = 3 }; { answered = 'question id' }; "
            "{ all = [...] }; { any = [...] }; { not = {...} }; { always = true }.",
            {
                "answer": {
                    **_ref("id"),
                    "description": "True when this question was answered and its answer "
                    "compares as op and value say (a question that was not answered compares "
                    "false).",
                },
                "score": {
                    **_ref("id"),
                    "description": "True when this dimension has a score (the mean of its "
                    "answered questions, reverse-keyed ones flipped) and it compares as op and "
                    "value say.",
                },
                "fact": {
                    "type": "string",
                    "pattern": _fact_pattern(),
                    "description": "True when this fact about the couple's check-ins or "
                    "boundaries is known and compares as op and value say. " + _fact_words(),
                },
                "op": _choice(
                    "The comparison, with answer, score or fact: =, !=, <, <=, > or >=. A "
                    "yes/no question or a true-or-false fact takes = or != only. A choice "
                    "question takes 'in' (one of these codes was chosen) or 'not in' (it was "
                    "answered, and none of them was); a multiple choice question takes those "
                    "and 'contains' (every one of them was chosen).",
                    _values(Op),
                ),
                "value": {
                    "oneOf": [
                        {"type": ["boolean", "number"]},
                        {"type": "array", "items": _ref("id"), "minItems": 1},
                    ],
                    "description": "What the answer, score or fact is compared with: true or "
                    "false for a yes/no question or a true-or-false fact; a number for a scale "
                    f"or count question, a score ({SCALE_MIN} to {SCALE_MAX}) or a number "
                    "fact; a list of the question's option codes for a choice question.",
                },
                "answered": {
                    **_ref("id"),
                    "description": "True when this question was answered, whatever the answer.",
                },
                "all": {
                    "type": "array",
                    "items": _ref("condition"),
                    "description": "True when every condition in the list holds.",
                },
                "any": {
                    "type": "array",
                    "items": _ref("condition"),
                    "minItems": 1,
                    "description": "True when at least one condition in the list holds. It "
                    "cannot be empty.",
                },
                "not": {
                    **_ref("condition"),
                    "description": "True when this condition does not hold (also when it "
                    "compares a question that was not answered).",
                },
                "always": {
                    "const": True,
                    "description": "Always true (always = true): the condition of a catch-all "
                    "rule.",
                },
            },
            oneOf=one_form,
            allOf=[
                *(
                    {"if": {"required": [form]}, "then": {"required": ["op", "value"]}}
                    for form in _COMPARISONS
                ),
                {
                    "if": {"required": ["score"]},
                    "then": {"properties": {"value": {"type": "number"}}},
                },
                {
                    "if": {
                        "required": ["op"],
                        "properties": {"op": {"enum": sorted(o.value for o in CODE_OPS)}},
                    },
                    "then": {"required": ["answer"], "properties": {"value": {"type": "array"}}},
                },
                {
                    "if": {"required": ["fact"]},
                    "then": {
                        "if": {"properties": {"fact": {"pattern": _fact_pattern("flag")}}},
                        "then": {
                            "properties": {
                                "op": {"enum": [Op.EQ.value, Op.NE.value]},
                                "value": {"type": "boolean"},
                            }
                        },
                        "else": {"properties": {"value": {"type": "number"}}},
                    },
                },
                {
                    "if": {"not": {"anyOf": [{"required": [form]} for form in _COMPARISONS]}},
                    "then": {"properties": {"op": False, "value": False}},
                },
            ],
        ),
        "safety_check": {
            "description": "That a safety question was answered yes: "
            "{ answer = ..., op = '=', value = true }.",
            "type": "object",
            "properties": {"op": {"const": Op.EQ.value}, "value": {"const": True}},
            "required": ["answer", "op", "value"],
        },
        "safety_condition": {
            "description": "A safety rule may only check that safety questions were answered "
            "yes: one such comparison, or 'any' of them.",
            "anyOf": [
                _ref("safety_check"),
                {
                    "type": "object",
                    "properties": {"any": {"type": "array", "items": _ref("safety_check")}},
                    "required": ["any"],
                },
            ],
        },
    }


def _item_defs() -> dict[str, Any]:
    return {
        "step": _table(
            spec.STEPS.doc,
            _step_fields(),
            spec.STEPS.required,
        ),
        "action": _table(
            spec.ACTIONS.doc,
            _action_fields(),
            spec.ACTIONS.required,
            allOf=[_not_both_in_crisis()],
        ),
        "added_action": _table(
            "An action an overlay pack adds to a step of the pack it extends ([[actions]]).",
            {
                "step": {**_ref("id"), "description": "The id of the step it belongs to."},
                **_action_fields(),
            },
            ("step", *spec.ACTIONS.required),
            allOf=[_not_both_in_crisis()],
        ),
        "option": _table(
            spec.OPTIONS.doc, _fields(spec.OPTIONS, placeholders=False), spec.OPTIONS.required
        ),
        "dimension": _table(
            spec.DIMENSIONS.doc,
            _fields(spec.DIMENSIONS),
            spec.DIMENSIONS.required,
        ),
        "question": _table(
            spec.QUESTIONS.doc,
            _fields(spec.QUESTIONS),
            spec.QUESTIONS.required,
            allOf=[
                {
                    "if": {"required": ["dimension"]},
                    "then": {"properties": {"kind": {"const": QuestionKind.SCALE.value}}},
                },
                {
                    "if": _flag_set("reverse"),
                    "then": {"properties": {"kind": {"const": QuestionKind.SCALE.value}}},
                },
                {
                    "if": _flag_set("safety"),
                    "then": {"properties": {"kind": {"const": QuestionKind.YES_NO.value}}},
                },
            ],
        ),
        "rule": _table(
            spec.RULES.doc,
            _fields(spec.RULES),
            spec.RULES.required,
            allOf=[
                {
                    "if": _flag_set("safety"),
                    "then": {
                        "properties": {
                            "urgency": {"const": Urgency.CRITICAL.value},
                            "resources": {"minItems": 1},
                            "when": _ref("safety_condition"),
                        },
                        "required": ["urgency", "resources", "plan"],
                    },
                    "else": {
                        "not": {"required": ["plan"]},
                        "properties": {
                            field.name: {"pattern": spec.whole(_NOT_FILLED)}
                            for field in spec.RULES.fields
                            if field.placeholders
                        },
                    },
                }
            ],
        ),
        "resource": _table(
            spec.RESOURCES.doc,
            _fields(spec.RESOURCES),
            spec.RESOURCES.required,
            anyOf=[
                {"properties": {way: {"minLength": 1}}, "required": [way]}
                for way in ("phone", "text", "url", "notes")
            ],
        ),
        "plan": _table(spec.PLANS.doc, _fields(spec.PLANS), spec.PLANS.required),
    }


def _non_empty(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields, with every text field required to be non-empty (as translations are)."""
    for field in fields.values():
        if field.get("type") == "string":
            field["minLength"] = 1
    return fields


def _change_defs(kinds: dict[str, tuple[str, ...]], suffix: str, verb: str) -> dict[str, Any]:
    defs = {}
    for kind, names in kinds.items():
        fields = _fields(_ALL_TABLES[kind])
        if suffix == "translation":
            _non_empty(fields)
        item = _SINGULAR[kind]
        defs[f"{item}_{suffix}"] = {
            "type": "object",
            "description": f"One table per {item}, named by its id ([{kind}.ID]), holding only "
            f"the fields to {verb}: {', '.join(names)}.",
            "propertyNames": (
                {"type": "string", "pattern": _OPTION_KEY}
                if kind == spec.OPTIONS.kind
                else _ref("id")
            ),
            "additionalProperties": _table(
                f"The fields of one {item} to {verb}.",
                {name: fields[name] for name in names},
            ),
        }
    return defs


def _shared_defs() -> dict[str, Any]:
    """Every piece the pack file schemas share, by name."""
    templates = _template_fields(defaults=True)
    return {
        "id": {
            "type": "string",
            "pattern": _ID_PATTERN,
            "description": "An id: lowercase letters, digits, '-' and '_', starting with a "
            "letter or a digit.",
        },
        **_condition_defs(),
        **_item_defs(),
        "templates": _table(
            "Sentence templates that explain a recommendation. Each is text with "
            "{placeholders}; any other placeholder is an error.",
            templates,
            tuple(
                t
                for t in templates
                if t == "months" or (t in TEMPLATES and TEMPLATES[t].default is None)
            ),
        ),
        **_change_defs(_OVERRIDABLE, "changes", "change"),
        "template_changes": _table("The message templates to change.", _template_fields()),
        **_change_defs(_TRANSLATABLE, "translation", "translate"),
        "template_translation": _table(
            "The message templates, translated.", _non_empty(_template_fields())
        ),
    }


def _list_of(item: str, description: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(item), "description": description}


def _file_bodies() -> dict[str, dict[str, Any]]:
    """The schema of each pack file, without its ``$schema``, ``$id``, title and ``$defs``."""
    return {
        "pack": _table(
            "pack.toml: the pack's id, version and title. An overlay pack also names the pack "
            "it extends.",
            {
                "id": {
                    **_ref("id"),
                    "description": "The pack's id: lowercase letters, digits, '-' and '_'.",
                },
                "version": _text(
                    "The pack's version: three numbers, as PEP 440 reads them, e.g. '1.0.0', "
                    "'1.1.0rc1' or '2.0.0.post1'. Raise it whenever the content changes.",
                    pattern=_VERSION_PATTERN,
                    maxLength=spec.MAX_VERSION_CHARS,
                ),
                "title": _text("The pack's title."),
                "description": _text("Optional: one paragraph for people who browse packs."),
                "locale": _text(
                    "Optional: the language of the pack's texts, as a BCP 47 tag.",
                    default="en",
                ),
                "extends": _text(
                    "Overlay packs only: the id of the pack this one extends, then a space and "
                    "a PEP 440 version range on its version (==, !=, >=, <=, >, <, ~= and "
                    "==1.* wildcards, separated by commas), e.g. 'core >=1,<2'. The range is "
                    "required ('core >=0' accepts any version); pre-releases are in range.",
                    pattern=spec.whole(f"(?:{spec.EXTENDS})?"),
                    maxLength=spec.MAX_VERSION_CHARS,
                ),
                "trustkit": _text(
                    "Optional: the trustkit versions the pack works with, as a PEP 440 version "
                    "range, e.g. '>=0.1' or '>=0.1,<1'; pre-releases are in range.",
                    pattern=spec.whole(f"(?:{spec.RANGE})?"),
                    maxLength=spec.MAX_VERSION_CHARS,
                ),
                "safety_period_weeks": {
                    "type": "integer",
                    "minimum": SAFETY_PERIOD_FLOOR_WEEKS,
                    "maximum": SAFETY_PERIOD_MAX_WEEKS,
                    "default": SAFETY_PERIOD_FLOOR_WEEKS,
                    "description": "Optional: for how many weeks a positive safety screen is "
                    "remembered (no couples work for either partner, help kept in view for the "
                    f"one who answered yes). At least {SAFETY_PERIOD_FLOOR_WEEKS}; an overlay "
                    "may lengthen its base's period, never shorten it.",
                },
            },
            ("id", "version", "title"),
        ),
        "steps": _table(
            "steps.toml: the steps ([[steps]]) with their actions ([[steps.actions]]). An "
            "overlay pack may also add actions to the steps of the pack it extends "
            "([[actions]], each with its step).",
            {
                "steps": _list_of("step", "The steps, in the order they are listed."),
                "actions": _list_of(
                    "added_action",
                    "Overlay packs only: actions added to steps of the pack it extends.",
                ),
            },
        ),
        "questions": _table(
            "questions.toml: the dimensions ([[dimensions]]) and the check-in questions "
            "([[questions]]).",
            {
                "dimensions": _list_of("dimension", "The dimensions questions count towards."),
                "questions": _list_of("question", "The check-in questions, in order."),
            },
        ),
        "rules": _table(
            "rules.toml: the rules ([[rules]]) that turn answers into a step. End the pack "
            "with a catch-all rule (when = { always = true }, priority 0).",
            {"rules": _list_of("rule", "The rules.")},
        ),
        "resources": _table(
            "resources.toml: helplines and other places to get help ([[resources]]).",
            {"resources": _list_of("resource", "The resources.")},
        ),
        "messages": _table(
            "messages.toml (base packs only): the sentence templates ([explain]) used to "
            "explain a recommendation. An overlay changes them in overrides.toml, under "
            "[messages].",
            {"explain": _ref("templates")},
            ("explain",),
        ),
        "plans": _table(
            "plans.toml: the texts of the safety plans ([[plans]]), one per kind. A base pack "
            "needs a plan of every kind its safety rules name.",
            {"plans": _list_of("plan", "The plans.")},
        ),
        "overrides": _table(
            "overrides.toml (overlay packs only): changes to items of the pack it extends, one "
            "table per item keyed by kind and id, e.g. [rules.patience-pace], holding only "
            "the fields to change; and [disable] for rules to switch off.",
            {
                **{
                    kind: _ref(f"{_SINGULAR[kind]}_changes")
                    for kind in ("steps", "actions", "dimensions", "questions", "rules")
                },
                "resources": _ref("resource_changes"),
                "plans": _ref("plan_changes"),
                "messages": _ref("template_changes"),
                "disable": _table(
                    "Items to switch off. Safety rules cannot be disabled.",
                    {
                        "rules": {
                            "type": "array",
                            "items": _ref("id"),
                            "description": "The ids of the rules to disable.",
                        }
                    },
                ),
            },
        ),
        "locale": _table(
            "locales/<tag>.toml: translations of a pack's texts, keyed like overrides.toml, "
            "e.g. [steps.educate]. A list is translated as a whole and must keep its length.",
            {
                **{
                    kind: _ref(f"{_SINGULAR[kind]}_translation")
                    for kind in ("steps", "actions", "dimensions", "questions", "rules")
                },
                "options": _ref("option_translation"),
                "resources": _ref("resource_translation"),
                "plans": _ref("plan_translation"),
                "messages": _ref("template_translation"),
            },
        ),
        "examples": _examples_body(),
    }


def _examples_body() -> dict[str, Any]:
    """examples.toml: test data for ``trustkit pack test``, never part of a loaded pack."""
    weeks, days = MAX_YEARS * 53, MAX_YEARS * 366

    def roles() -> dict[str, Any]:
        return _choice(
            "Optional: who answered, 'partner' (the default) or 'supporter'.",
            _values(Role),
            default=Role.PARTNER.value,
        )

    def answers() -> dict[str, Any]:
        return {
            "type": "object",
            "description": "The answers, by question id: true or false for a yes/no question, "
            "a whole number from 1 to 5 for a scale question, 0 or more for a count, an "
            "option's code for a choice question and a list of codes for a multiple choice "
            "question. Each id must be a question of the pack, asked of this respondent.",
            "propertyNames": _ref("id"),
            "additionalProperties": {
                "anyOf": [
                    {"type": "boolean"},
                    {"type": "integer", "minimum": 0},
                    {"type": "string"},
                    {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                ],
                "description": "One answer.",
            },
        }

    earlier = _table(
        "An earlier check-in, dated back from the fixed time every example runs at. Two "
        "earlier check-ins of one respondent may not share a time.",
        {
            "respondent": roles(),
            "answers": answers(),
            "weeks_ago": {
                "type": "number",
                "minimum": 0,
                "maximum": weeks,
                "description": f"How many weeks before now (0 to {weeks:,}); with days_ago, "
                "above 0 in all.",
            },
            "days_ago": {
                "type": "number",
                "minimum": 0,
                "maximum": days,
                "description": f"How many days before now (0 to {days:,}), added to weeks_ago.",
            },
            "recommended": {**_ref("id"), "description": "Optional: the step it was given."},
        },
        ("answers",),
    )
    boundary = _table(
        "A boundary the couple set.",
        {
            "status": _choice(
                "Optional: where it stands (the default: 'agreed').",
                [s.value for s in BoundaryStatus],
                default=BoundaryStatus.AGREED.value,
            ),
            "review_in_days": {
                "type": "integer",
                "minimum": -days,
                "maximum": days,
                "description": "Optional: in how many days it is due for review (below 0: "
                "overdue).",
            },
        },
    )
    expect = _table(
        "What the check-in must lead to: at least one of step, rule, urgency and safety.",
        {
            "step": {**_ref("id"), "description": "The step it must get."},
            "rule": {**_ref("id"), "description": "The rule that must decide."},
            "urgency": _choice("The urgency it must have.", _values(Urgency)),
            "safety": {"type": "boolean", "description": "Whether it must be a safety result."},
        },
        minProperties=1,
    )
    example = _table(
        "One example: a check-in and what it must lead to.",
        {
            "id": {**_ref("id"), "description": "The example's id, unique in the file."},
            "respondent": roles(),
            "answers": answers(),
            "history": {
                "type": "array",
                "items": earlier,
                "description": "Optional: earlier check-ins, for rules on facts over time.",
            },
            "boundaries": {
                "type": "array",
                "items": boundary,
                "description": "Optional: the couple's boundaries, for rules on boundaries.",
            },
            "expect": expect,
        },
        ("id", "expect"),
    )
    return _table(
        "examples.toml: check-ins and what they must lead to ([[examples]]), run by trustkit "
        "pack test against the merged pack. Test data only: never part of a loaded pack.",
        {
            "examples": {
                "type": "array",
                "items": example,
                "description": "The examples.",
            }
        },
    )


_FILE_TITLES = {
    "pack": "trustkit pack file pack.toml",
    "steps": "trustkit pack file steps.toml",
    "questions": "trustkit pack file questions.toml",
    "rules": "trustkit pack file rules.toml",
    "resources": "trustkit pack file resources.toml",
    "messages": "trustkit pack file messages.toml",
    "plans": "trustkit pack file plans.toml",
    "overrides": "trustkit pack file overrides.toml",
    "locale": "trustkit pack file locales/<tag>.toml",
    "examples": "trustkit pack file examples.toml",
}


def _file_def(name: str) -> str:
    return f"{name}-file"


# --------------------------------------------------------------------------- public


def pack_file_schema(name: str) -> dict[str, object]:
    """The schema of one pack file, as its TOML reads once turned into JSON data.

    TOML dates (a resource's ``verified``) appear as ISO 8601 strings with
    ``"format": "date"``, as editors such as taplo present them.

    Args:
        name: The kind of file, one of `PACK_FILE_NAMES`: ``"pack"``,
            ``"steps"``, ``"questions"``, ``"rules"``, ``"resources"``,
            ``"messages"``, ``"plans"``, ``"overrides"``, ``"locale"``
            (``locales/<tag>.toml``) or ``"examples"`` (examples.toml).

    Returns:
        A fresh draft 2020-12 schema, with ``$id``
        ``https://trustkit.invalid/schema/pack/<name>.json`` and the shared
        pieces it uses under ``$defs``.

    Raises:
        KeyError: ``name`` is not the name of a pack file.

    Examples:
        >>> from trustkit._schema import pack_file_schema
        >>> steps = pack_file_schema("steps")
        >>> steps["$id"], steps["additionalProperties"]
        ('https://trustkit.invalid/schema/pack/steps.json', False)
    """
    if name not in _FILE_TITLES:
        raise KeyError(f"no pack file schema named {name!r}; use one of {PACK_FILE_NAMES}")
    return _document(f"pack/{name}.json", _FILE_TITLES[name], _file_bodies()[name], _shared_defs())


def pack_schema() -> dict[str, object]:
    """One schema that accepts any valid pack file, whatever its name.

    Its ``$defs`` hold each file's schema as ``<name>-file`` (e.g.
    ``rules-file``, the same as `pack_file_schema` of that name without
    ``$schema``, ``$id`` and ``$defs``) next to the pieces they share, and its
    top level is ``anyOf`` a reference to each: several kinds of file accept
    the same data (an empty file is a valid ``steps.toml`` and a valid
    ``rules.toml``), so "exactly one" could not work. When the file's name is
    known, prefer `pack_file_schema`: its errors say what is wrong, where this
    one can only say that no kind of file matched.

    Returns:
        A fresh draft 2020-12 schema with ``$id``
        ``https://trustkit.invalid/schema/pack.json``.
    """
    defs = _shared_defs()
    bodies = {
        _file_def(name): {"title": _FILE_TITLES[name], **body}
        for name, body in _file_bodies().items()
    }
    body: dict[str, Any] = {
        "description": "Any one file of a trustkit content pack: pack.toml, steps.toml, "
        "questions.toml, rules.toml, resources.toml, messages.toml, overrides.toml, a "
        "locale file or examples.toml. Editors should check each file against its own "
        "schema instead.",
        "anyOf": [_ref(name) for name in bodies],
    }
    return _document("pack.json", "trustkit pack file (any kind)", body, {**defs, **bodies})


def _answer_schema(question: Question) -> dict[str, Any]:
    """The kind's schema of an answer (`trustkit._pack.kinds`), or null (not answered)."""
    out = dict(kind_of(question).schema(question))
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    else:
        out["type"] = [out["type"], "null"]
    return out


_KIND_WORDS = {
    QuestionKind.SCALE: f"a whole number from {SCALE_MIN} (strongly disagree) to {SCALE_MAX} "
    "(strongly agree)",
    QuestionKind.YES_NO: "true or false",
    QuestionKind.COUNT: "a whole number, 0 or more",
}


def checkin_schema(pack: ContentPack | None = None) -> dict[str, object]:
    """The JSON that [`parse_checkin`][trustkit.parse_checkin] accepts, for one questionnaire.

    ``answers`` has one optional property per question of the pack, typed by
    its kind (``null`` means "not answered"); no other key is allowed. Which
    role is asked which question is left to trustkit: the schema accepts every
    question for either respondent.

    Args:
        pack: The pack whose questionnaire the answers follow; the bundled
            pack by default.

    Returns:
        A fresh draft 2020-12 schema with ``$id``
        ``https://trustkit.invalid/schema/checkin.json``.

    Examples:
        >>> from trustkit._schema import checkin_schema
        >>> answers = checkin_schema()["properties"]["answers"]["properties"]
        >>> answers["feels_heard"]["type"], answers["feels_heard"]["maximum"]
        (['integer', 'null'], 5)
    """
    if pack is None:
        from trustkit._api import default_pack  # noqa: PLC0415  (the pack loads on first use)

        pack = default_pack()
    answers: dict[str, Any] = {}
    for question in pack.questions:
        roles = " and ".join(sorted(role.value for role in question.respondents))
        answers[question.id] = {
            "description": f"“{question.prompt}” ({question.kind.value}: "
            f"{_KIND_WORDS.get(question.kind) or kind_of(question).expected(question)}, or "
            f"null if not answered; asked of the {roles}).",
            **_answer_schema(question),
        }
    packs = ", ".join(str(ref) for ref in pack.packs)
    body: dict[str, Any] = {
        "description": "One partner's check-in, as trustkit.parse_checkin accepts it. The "
        f"answers follow the questionnaire of {packs}. Whether each question is one the "
        "respondent is asked is checked by trustkit, not by this schema. The same rule holds "
        "here, in parse_checkin and in 'trustkit recommend': respondent and answers are "
        "required, at and recommended optional, and nothing else is allowed.",
        "type": "object",
        "properties": {
            "respondent": _choice(
                "Who answered: 'partner' (the partner who struggles to trust) or 'supporter' "
                "(the partner who is helping).",
                _values(Role),
            ),
            "answers": _table(
                "Question id to answer; leave a question out, or give null, if it was not "
                "answered.",
                answers,
            ),
            "at": _text(
                "When they answered: an RFC 3339 timestamp with a UTC offset, e.g. "
                "'2026-03-01T20:15:00+00:00' (trustkit also accepts a space for the T). "
                "Optional: without it, parse_checkin takes the time the app gives it (when the "
                "check-in was received), and 'trustkit recommend' uses the answers alone. Give it "
                "for a check-in that is kept as history.",
                format="date-time",
            ),
            "recommended": {
                "description": "The id of the step this check-in led to, if the app stored "
                "it (optional; null or absent if not).",
                "type": ["string", "null"],
            },
        },
        "required": ["respondent", "answers"],
        "additionalProperties": False,
    }
    return _document("checkin.json", "trustkit check-in", body, {})


def _closed(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    """An object that always has every one of its fields, and no other."""
    for field in properties.values():
        if "description" in field:  # always there, so not "optional" any more
            words = field["description"].removeprefix("Optional: ").removeprefix("Optional. ")
            field["description"] = words[:1].upper() + words[1:]
    return _table(description, properties, tuple(properties))


def recommendation_schema() -> dict[str, object]:
    """The JSON that ``trustkit.converter.unstructure`` makes of a recommendation.

    Every field is always present and no other appears; lists are JSON arrays,
    enums their string values, dates ISO 8601 strings.

    Returns:
        A fresh draft 2020-12 schema with ``$id``
        ``https://trustkit.invalid/schema/recommendation.json``.
    """
    actions = _action_fields()
    del actions["in_crisis"]["default"]
    steps = _step_fields()
    steps["actions"] = {"type": "array", "items": _ref("action"), "description": "What to do."}
    steps["signs_of_progress"] = _texts("What it looks like when the step is working.")
    steps["pitfalls"] = _texts("Common mistakes, each with what to do instead.")
    steps["summary"] = _text("One sentence.")
    resources = _fields(spec.RESOURCES)
    resources["country"] = _text("ISO 3166-1 alpha-2 code, or 'INTL'.")
    resources["source"] = _texts("Where the facts come from: web addresses or other references.")
    for name in (a.name for a in attrs.fields(Resource) if a.default == ""):
        resources[name] = {
            "type": ["string", "null"],
            "description": resources[name]["description"] + " null when not known.",
        }
    ids = {"type": "array", "items": _ref("id")}
    defs = {
        "id": {"type": "string", "pattern": _ID_PATTERN},
        "step": _closed("The step to take.", steps),
        "action": _closed("One concrete thing to do.", actions),
        "resource": _closed("A helpline or another place to get help.", resources),
        "evidence": _closed(
            "A condition that held, and the questions it read.",
            {
                "rule_id": _ref("id"),
                "condition": _text("The condition, written out, e.g. 'feels_heard <= 2'."),
                "questions": {**ids, "description": "The answered questions it read."},
            },
        ),
        "alternative": _closed(
            "Another step whose rule also held.",
            {"step_id": _ref("id"), "title": _text("The step's title."), "rule_id": _ref("id")},
        ),
        "problem": _closed(
            "Something wrong with the input, reported beside a safety result.",
            {
                "field": _text("The question id, or the argument, the problem is about."),
                "expected": _text("What was expected there; never the value given."),
                "code": _choice("What kind of problem it is.", _values(ProblemCode)),
            },
        ),
        "pack_ref": _closed(
            "A pack's id and version.",
            {"id": _ref("id"), "version": {"type": "string", "pattern": _VERSION_PATTERN}},
        ),
    }
    body = _closed(
        "A recommendation as trustkit.converter.unstructure(recommendation) gives it: the next "
        "step for one partner, and why.",
        {
            "step": _ref("step"),
            "urgency": _choice("How soon to act.", _values(Urgency)),
            "reasons": _texts("Plain sentences saying why, for the person who answered."),
            "evidence": {"type": "array", "items": _ref("evidence")},
            "rule_id": {**_ref("id"), "description": "The rule that decided."},
            "alternatives": {
                "type": "array",
                "items": _ref("alternative"),
                "maxItems": 2,
                "description": "Up to two other steps whose rules also held (none when the "
                "safety screen decided).",
            },
            "resources": {"type": "array", "items": _ref("resource")},
            "respondent": _choice("Whose answers this is for.", _values(Role)),
            "safety": {"type": "boolean", "description": "true when the safety screen decided."},
            "pack_id": {**_ref("id"), "description": "The id of the pack that was used."},
            "pack_version": {"type": "string", "pattern": _VERSION_PATTERN},
            "packs": {
                "type": "array",
                "items": _ref("pack_ref"),
                "minItems": 1,
                "description": "Every pack that took part, base first.",
            },
            "locale": _text(
                "The language of its texts, as a BCP 47 tag: the locale asked for, its "
                "language, or the pack's own where the pack has no texts in that language."
            ),
            "problems": {
                "type": "array",
                "items": _ref("problem"),
                "description": "What was wrong with the input when the safety screen decided "
                "anyway (empty otherwise).",
            },
            "plan": _plan_kind(),
        },
    )
    return _document("recommendation.json", "trustkit recommendation", body, defs)


def _plan_kind() -> dict[str, Any]:
    return {
        "enum": [*(k.value for k in PlanKind), None],
        "description": "When the safety screen decided, the kind of safety plan that fits "
        "('self_harm', 'abuse' or 'supporter'); null otherwise.",
    }


def safety_plan_schema() -> dict[str, object]:
    """The JSON that ``trustkit.converter.unstructure`` makes of a safety plan.

    Every field is always present and no other appears. Its lines are
    resources exactly as in the recommendation schema.

    Returns:
        A fresh draft 2020-12 schema with ``$id``
        ``https://trustkit.invalid/schema/safety-plan.json``.
    """
    recommendation = recommendation_schema()
    defs: dict[str, Any] = recommendation["$defs"]  # type: ignore[assignment]
    section = _closed(
        "One section of the plan: its heading, the pack's prompts, what the person wrote, and "
        "(professionals and lines only) the lines to call.",
        {
            "part": _choice("Which section it is.", [p.value for p in PlanPart]),
            "heading": _text("Its heading."),
            "prompts": _texts("Questions and suggestions from the pack."),
            "entries": _texts("What the person wrote, in their own words."),
            "resources": {
                "type": "array",
                "items": _ref("resource"),
                "description": "The lines to call, the emergency number first.",
            },
        },
    )
    body = _closed(
        "A safety plan as trustkit.converter.unstructure(plan) gives it: private to the person "
        "it is for.",
        {
            "kind": _choice("Which kind of plan it is.", [k.value for k in PlanKind]),
            "title": _text("Its title."),
            "intro": _text("What it is for."),
            **{part.value: _ref("section") for part in PlanPart},
            "country": {
                "type": ["string", "null"],
                "description": "The country its lines are for; null: every line of the pack.",
            },
            "locale": _text("The language of its texts, as a BCP 47 tag."),
            "pack_id": {**_ref("id"), "description": "The pack its texts came from."},
            "pack_version": {"type": "string", "pattern": _VERSION_PATTERN},
        },
    )
    pieces = {"id": defs["id"], "resource": defs["resource"], "section": section}
    del recommendation  # its pieces now belong to this schema alone
    return _document("safety-plan.json", "trustkit safety plan", body, pieces)


def _record_defs() -> dict[str, Any]:
    defs: dict[str, Any] = recommendation_schema()["$defs"]  # type: ignore[assignment]
    return {"id": defs["id"], "pack_ref": defs["pack_ref"]}


def _date_time(description: str) -> dict[str, Any]:
    return {"type": ["string", "null"], "format": "date-time", "description": description}


def decision_record_schema() -> dict[str, object]:
    """The JSON that ``trustkit.converter.unstructure`` makes of a decision record.

    Every field is always present and no other appears: in particular, no
    answers (at most their keyed hash).

    Returns:
        A fresh draft 2020-12 schema with ``$id``
        ``https://trustkit.invalid/schema/decision-record.json``.
    """
    body = _closed(
        "A decision record as trustkit.converter.unstructure(record) gives it: what was "
        "decided for one check-in, when and with which pack, and no answers.",
        {
            "decision_id": {
                "type": "string",
                "minLength": 1,
                "maxLength": DECISION_ID_MAX,
                "description": "The app's id for this decision.",
            },
            "at": _date_time("When the check-in happened; null when no time was given."),
            "packs": {
                "type": "array",
                "items": _ref("pack_ref"),
                "minItems": 1,
                "description": "Every pack that went into the pack used, base first.",
            },
            "pack_digest": {
                "type": "string",
                "pattern": "^sha256:[0-9a-f]{64}$",
                "description": "SHA-256 of the pack's canonical JSON.",
            },
            "rule_id": {**_ref("id"), "description": "The rule that decided."},
            "step_id": {**_ref("id"), "description": "The step it gave."},
            "urgency": _choice("How soon to act.", _values(Urgency)),
            "safety": {"type": "boolean", "description": "true when the safety screen decided."},
            "respondent": _choice("Whose check-in it was.", _values(Role)),
            "locale": _text("The language the decision was given in, as a BCP 47 tag."),
            "answers_hash": {
                "type": ["string", "null"],
                "pattern": "^hmac-sha256:[0-9a-f]{64}$",
                "description": "HMAC-SHA256 of the answers under the app's key; null "
                "without a key.",
            },
        },
    )
    return _document("decision-record.json", "trustkit decision record", body, _record_defs())


def feedback_schema() -> dict[str, object]:
    """The JSON that ``trustkit.converter.unstructure`` makes of a `Feedback`.

    Returns:
        A fresh draft 2020-12 schema with ``$id``
        ``https://trustkit.invalid/schema/feedback.json``.
    """
    body = _closed(
        "Feedback on a recorded decision as trustkit.converter.unstructure(feedback) gives "
        "it: codes only, no free text.",
        {
            "decision_id": {
                "type": "string",
                "minLength": 1,
                "description": "The decision record's id.",
            },
            "outcome": _choice("Accepted or overridden.", [o.value for o in FeedbackOutcome]),
            "reason": {
                "enum": [*(r.value for r in FeedbackReason), None],
                "description": "Why it was overridden; null when accepted.",
            },
            "override_step_id": {
                "anyOf": [_ref("id"), {"type": "null"}],
                "description": "The step taken instead, if any (only when overridden).",
            },
            "at": _date_time("When the feedback was given; null if not kept."),
        },
    )
    body["allOf"] = [
        {
            "if": {"properties": {"outcome": {"const": "accepted"}}},
            "then": {
                "properties": {"reason": {"const": None}, "override_step_id": {"const": None}}
            },
            "else": {"properties": {"reason": {"not": {"const": None}}}},
        }
    ]
    defs: dict[str, Any] = {"id": _record_defs()["id"]}
    return _document("feedback.json", "trustkit decision feedback", body, defs)


def schema(name: str) -> dict[str, object]:
    """A schema by the name ``trustkit schema NAME`` uses.

    Args:
        name: One of `SCHEMA_NAMES`: ``"pack"`` (any pack file),
            ``"pack-<file>"`` (one kind of pack file, e.g. ``"pack-rules"``),
            ``"checkin"``, ``"recommendation"``, ``"trace"``,
            ``"safety-plan"``, ``"decision-record"`` or ``"feedback"``.

    Returns:
        A fresh schema.

    Raises:
        KeyError: There is no schema of that name.

    Examples:
        >>> from trustkit._schema import schema
        >>> schema("checkin")["title"]
        'trustkit check-in'
        >>> schema("nope")
        Traceback (most recent call last):
        ...
        KeyError: "no schema named 'nope'; use one of ..."
    """
    if name == "pack":
        return pack_schema()
    if name == "checkin":
        return checkin_schema()
    if name == "recommendation":
        return recommendation_schema()
    if name == "trace":
        from trustkit._trace_schema import trace_schema  # noqa: PLC0415  (kept apart)

        return trace_schema()
    if name == "safety-plan":
        return safety_plan_schema()
    if name == "decision-record":
        return decision_record_schema()
    if name == "feedback":
        return feedback_schema()
    file = name.removeprefix("pack-")
    if file == name or file not in _FILE_TITLES:
        raise KeyError(f"no schema named {name!r}; use one of {', '.join(SCHEMA_NAMES)}")
    return pack_file_schema(file)


# ------------------------------------------------------------ shipped schemas and docs

SCHEMA_PACKAGE = "schemas"
"""The folder, inside the trustkit package, that holds each schema as ``<name>.json``."""

_LOADER_ONLY_DOCS = "loader-only"
_DOCS_START = "<!-- generated: {name} -->"
_DOCS_END = "<!-- end generated: {name} -->"
_GENERATED_NOTE = (
    "<!-- The tables between these markers come from src/trustkit/_pack/spec.py: run "
    "`python -m trustkit._schema --write` after changing it. -->"
)


def schema_text(name: str) -> str:
    """A schema as the JSON text shipped in the package (the bundled pack's, for a check-in)."""
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"


@public
def json_schema(name: str, *, pack: ContentPack | None = None) -> dict[str, object]:
    """A JSON Schema (draft 2020-12) for a pack file, a check-in, a recommendation, a trace, a plan.

    The schemas are generated from trustkit's one description of the pack
    format and shipped with the package as JSON files; this returns a fresh
    copy, which callers may change. Given a pack, the check-in schema lists
    that pack's questions (an overlay's too) instead of the bundled pack's.

    Added in version 0.2.0.

    Args:
        name: ``"checkin"`` (what [`parse_checkin`][trustkit.parse_checkin]
            accepts), ``"recommendation"`` (what ``converter.unstructure``
            makes of a recommendation), ``"trace"`` (likewise, of a
            [`Trace`][trustkit.Trace]), ``"safety-plan"`` (likewise, of a
            [`SafetyPlan`][trustkit.SafetyPlan]; added in version 0.2.0),
            ``"decision-record"`` and ``"feedback"`` (likewise, of a
            [`DecisionRecord`][trustkit.DecisionRecord] and a
            [`Feedback`][trustkit.Feedback]; added in version 0.2.0),
            ``"pack"`` (any pack file) or ``"pack-<file>"`` for one kind of
            pack file: ``pack-pack``, ``pack-steps``, ``pack-questions``,
            ``pack-rules``, ``pack-resources``, ``pack-messages``,
            ``pack-plans`` (added in version 0.2.0), ``pack-overrides`` or
            ``pack-locale``. ``trustkit schema NAME`` prints the same.
        pack: The pack whose questionnaire a check-in follows; the bundled
            pack by default. Only the check-in schema depends on it.

    Returns:
        The schema, as JSON data.

    Raises:
        KeyError: There is no schema of that name.

    Examples:
        >>> import trustkit
        >>> schema = trustkit.json_schema("checkin")
        >>> schema["$id"], schema["properties"]["answers"]["properties"]["feels_heard"]["maximum"]
        ('https://trustkit.invalid/schema/checkin.json', 5)
        >>> sorted(trustkit.json_schema("pack-rules")["$defs"])[:3]
        ['condition', 'id', 'rule']
    """
    if name not in SCHEMA_NAMES:
        raise KeyError(f"no schema named {name!r}; use one of {', '.join(SCHEMA_NAMES)}")
    if pack is not None and name == "checkin":
        return checkin_schema(pack)
    from importlib.resources import files  # noqa: PLC0415

    text = files("trustkit").joinpath(SCHEMA_PACKAGE, f"{name}.json").read_text(encoding="utf-8")
    loaded: dict[str, object] = json.loads(text)
    return loaded


_SHAPE_WORDS = {
    "id": "id",
    "ref": "id",
    "text": "text",
    "texts": "list of texts",
    "sources": "list of texts, or one text",
    "whole": "whole number",
    "flag": "true or false",
    "roles": "list of roles",
    "date": "date",
    "condition": "condition",
    "actions": "list of actions",
    "options": "list of options",
    "number": "number",
}


def _shape_words(field: Field) -> str:
    if field.shape == "choice":
        assert field.choices is not None
        return " \\| ".join(f"`{m.value}`" for m in field.choices)
    return _SHAPE_WORDS[field.shape]


def _first(text: str) -> str:
    """A text's first sentence, with an ellipsis when more follows (for a docs table)."""
    first, dot, rest = text.partition(". ")
    return f"{first}. …" if dot and rest else text


def field_table(kind: str) -> str:
    """The docs' Markdown table of one kind of item's fields, or of the message templates."""
    if kind == _LOADER_ONLY_DOCS:
        return loader_only_list()
    if kind == "messages":
        rows = ["| template | placeholders | default | said for |", "| --- | --- | --- | --- |"]
        for template in TEMPLATES.values():
            names = ", ".join(f"`{{{p}}}`" for p in template.placeholders) or "none"
            default = "required" if template.default is None else f'"{_first(template.default)}"'
            rows.append(f"| `{template.name}` | {names} | {default} | {template.doc} |")
        rows.append(f"| `months` | | required | {spec.MONTHS_DOC} |")
        rows.append(f"| `sensitive_words` | | the English list | {spec.SENSITIVE_DOC} |")
        return "\n".join(rows)
    table = spec.TABLES[kind]
    rows = [
        "| field | value | required | overlay may change | locale may translate | meaning |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for field in table.fields:
        marks = ["yes" if on else "" for on in (field.required, field.overlay, field.translate)]
        doc = field.doc.removeprefix("Optional. ").removeprefix("Optional: ")
        rows.append(f"| `{field.name}` | {_shape_words(field)} | {' | '.join(marks)} | {doc} |")
    return "\n".join(rows)


def loader_only_list() -> str:
    """The docs' Markdown list of `LOADER_ONLY`: what only the loader checks."""
    return "\n".join(
        f"- **{rule.name}** ({', '.join(rule.schemas)}): {rule.words}" for rule in LOADER_ONLY
    )


def with_field_tables(text: str) -> str:
    """A docs page with each generated table (between its markers) made afresh."""
    for kind in (*spec.TABLES, "messages", _LOADER_ONLY_DOCS):
        start, end = _DOCS_START.format(name=kind), _DOCS_END.format(name=kind)
        if start not in text:
            continue
        before, _, rest = text.partition(start)
        _, _, after = rest.partition(end)
        text = f"{before}{start}\n{_GENERATED_NOTE}\n\n{field_table(kind)}\n\n{end}{after}"
    return text


def _write(folder: Path, docs: Path | None) -> list[Path]:
    """Write every schema into ``folder`` and the field tables into ``docs``; the changed files."""
    changed = []
    folder.mkdir(exist_ok=True)
    for name in SCHEMA_NAMES:
        path = folder / f"{name}.json"
        text = schema_text(name)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    if docs is not None:
        old = docs.read_text(encoding="utf-8")
        new = with_field_tables(old)
        if new != old:
            docs.write_text(new, encoding="utf-8")
            changed.append(docs)
    return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m trustkit._schema --write``: regenerate the shipped schemas and docs tables.

    Run it from a source checkout after changing the pack format
    (`trustkit._pack.spec`); the tests fail while the files are out of date.
    """
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m trustkit._schema")
    parser.add_argument("--write", action="store_true", help="write the files")
    parser.add_argument(
        "--docs",
        type=Path,
        default=Path("docs/pack-format.md"),
        help="the docs page with the field tables (default: docs/pack-format.md)",
    )
    args = parser.parse_args(argv)
    folder = Path(__file__).parent / SCHEMA_PACKAGE
    if not args.write:
        parser.print_help()
        return 2
    docs = args.docs if args.docs.is_file() else None
    for path in _write(folder, docs):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover - run as python -m trustkit._schema (tested)
    raise SystemExit(main())
