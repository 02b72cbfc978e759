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
only by [`load_pack`][trustkit.load_pack]. Known differences: JSON has no
separate whole-number type, so ``minutes = 10.0`` passes the schema but not the
loader; a schema cannot tell a TOML date from text that looks like one; and
the schema is stricter than the loader about a question's ``dimension`` (an
id, not empty text), while the loader is stricter about a resource's
``country``: the schema asks for two capital letters or ``INTL``, the loader
also for a code ISO 3166-1 assigns (``GB``, not ``UK``).

Examples:
    >>> from trustkit._schema import schema
    >>> rules = schema("pack-rules")
    >>> rules["$id"]
    'https://trustkit.invalid/schema/pack/rules.json'
    >>> sorted(rules["$defs"])
    ['condition', 'id', 'rule', 'safety_check', 'safety_condition']
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from trustkit._pack.load import OPTIONAL_TEMPLATES
from trustkit._pack.overlay import OVERRIDABLE
from trustkit._pack.translate import TRANSLATABLE
from trustkit._pack.validate import MAX_SUMMARY, SCALE_MAX, SCALE_MIN
from trustkit._roles import Role
from trustkit._vocabulary import (
    FACT_FAMILIES,
    SAFETY_PERIOD_FLOOR_WEEKS,
    SAFETY_PERIOD_MAX_WEEKS,
)
from trustkit.models import ContentPack, Messages, Op, QuestionKind, Urgency, Who

__all__ = [
    "PACK_FILE_NAMES",
    "PACK_FILE_PATTERNS",
    "SCHEMA_NAMES",
    "checkin_schema",
    "pack_file_schema",
    "pack_schema",
    "recommendation_schema",
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
    "overrides",
    "locale",
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
        "overrides": "overrides.toml",
        "locale": "locales/*.toml",
    }
)
"""Where each kind of file lives, as a glob relative to the pack's folder."""

SCHEMA_NAMES: tuple[str, ...] = (
    "pack",
    *(f"pack-{name}" for name in PACK_FILE_NAMES),
    "checkin",
    "recommendation",
)
"""Every name `schema` accepts (the names of ``trustkit schema NAME``)."""

_ID_PATTERN = "^[a-z0-9][a-z0-9_-]*$"
# PEP 440 (as packaging reads it, in lower case): pre-, post- and dev release, local label.
_PEP440_TAIL = (
    r"([-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?[0-9]*)?"
    r"(-[0-9]+|[-_.]?(post|rev|r)[-_.]?[0-9]*)?"
    r"([-_.]?dev[-_.]?[0-9]*)?"
    r"(\+[a-z0-9]+([-_.][a-z0-9]+)*)?"
)
_VERSION_PATTERN = rf"^[0-9]+\.[0-9]+\.[0-9]+{_PEP440_TAIL}$"
_RANGE_PART = rf"\s*(~=|==|!=|>=|<=|>|<)\s*[0-9]+(\.[0-9]+)*(\.\*|{_PEP440_TAIL})\s*"
_RANGE = rf"{_RANGE_PART}(,{_RANGE_PART})*"
_MESSAGE_WORDS = {
    "answer_yes": "Said for a yes/no question answered yes. Placeholder: {prompt}.",
    "answer_no": "Said for a yes/no question answered no. Placeholder: {prompt}.",
    "answer_scale": "Said for an answer on the 1 to 5 scale. Placeholders: {prompt}, {value}.",
    "answer_count": "Said for a count question. Placeholders: {prompt}, {value}.",
    "score": "Said for a dimension's score, shown with at most one decimal. Placeholders: "
    "{label}, {value}.",
    "change": "Said for a score that changed since an earlier check-in. Placeholders: "
    "{label}, {before}, {after}, {date}.",
    "repeats": "Said when the same step has been suggested several times in a row. "
    "Placeholders: {step}, {value}.",
    "journey": "Says how far along the couple is. Placeholders: {checkins}, {weeks}.",
    "streak": "Said for weeks in a row with a check-in. Placeholder: {value}.",
    "gap": "Said when the partners see a dimension differently. Placeholders: {label}, {value}.",
    "boundaries_proposed": "Said for boundaries proposed but not agreed yet. Placeholder: {value}.",
    "boundaries_crossed": "Said for boundaries crossed since the last check-in. Placeholder: "
    "{value}.",
    "boundaries_due": "Said for boundaries due for a review. Placeholder: {value}.",
    "date": "How a date is written. Placeholders: {day}, {month}, {year}.",
    "safety_earlier": "Optional. Said during a safety period to the partner who screened "
    "positive earlier: it acknowledges that answer without repeating it. No placeholders.",
    "months": "The names of the twelve months, January first, used for {month}.",
}
_MESSAGE_EXTRA: dict[str, dict[str, Any]] = {"months": {"minItems": 12, "maxItems": 12}}
# What overlays may change and locales may translate, from the loader's own tables.
_OVERRIDABLE = {kind: tuple(fields) for kind, fields in OVERRIDABLE.items() if kind != "messages"}
_TRANSLATABLE = {kind: fields for kind, fields in TRANSLATABLE.items() if kind != "messages"}
_SINGULAR = {
    "steps": "step",
    "actions": "action",
    "dimensions": "dimension",
    "questions": "question",
    "rules": "rule",
    "resources": "resource",
}


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


def _id_field(description: str) -> dict[str, Any]:
    return {**_ref("id"), "description": description}


def _flag_set(name: str) -> dict[str, Any]:
    """Matches a table whose field ``name`` is ``true``."""
    return {"properties": {name: {"const": True}}, "required": [name]}


def _values(enum_type: type[Op | Who | QuestionKind | Urgency | Role]) -> list[str]:
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


def _step_fields() -> dict[str, Any]:
    return {
        "id": _id_field("The step's id. Apps store it, so keep it once it is published."),
        "title": _text("A short title that says what to do, e.g. 'Ask, then listen'."),
        "summary": _text(
            f"One sentence of at most {MAX_SUMMARY} characters, so that it fits in a "
            "notification or a list.",
            maxLength=MAX_SUMMARY,
        ),
        "why": _text("Two or three sentences: why this step helps."),
        "actions": {
            "type": "array",
            "items": _ref("action"),
            "description": "The concrete things to do for this step ([[steps.actions]]).",
        },
        "signs_of_progress": _texts("Optional. Short, observable signs that the step is working."),
        "pitfalls": _texts("Optional. Common mistakes, each with what to do instead."),
        "couples": {
            "type": "boolean",
            "default": False,
            "description": "Optional. true for a step that is work done with the other partner "
            "(talking it through, agreeing or celebrating together): during a safety period it "
            "is never recommended or offered, to either partner. An overlay may mark a step so, "
            "never unmark it.",
        },
    }


def _action_fields() -> dict[str, Any]:
    return {
        "id": _id_field(
            "The action's id, unique in the whole pack (e.g. 'educate-ask-about-the-past')."
        ),
        "title": _text("A short title that says what to do."),
        "how": _text("Concrete instructions: what to do, when, and what to say or avoid."),
        "minutes": {
            "type": "integer",
            "minimum": 1,
            "description": "About how long it takes, in whole minutes (at least 1).",
        },
        "who": _choice(
            "Who does it: 'supporter' (the partner who is helping), 'partner' (the partner "
            "who struggles to trust), 'both' (together, a couples exercise) or 'either' "
            "(whoever is reading).",
            _values(Who),
        ),
        "in_crisis": {
            "type": "boolean",
            "default": False,
            "description": "Optional. true when the action is still safe and useful when the "
            "safety screen is positive. Such an action cannot be a couples exercise "
            "(who = 'both').",
        },
    }


def _not_both_in_crisis() -> dict[str, Any]:
    return {
        "if": _flag_set("in_crisis"),
        "then": {"properties": {"who": {"not": {"const": Who.BOTH.value}}}},
    }


def _question_fields() -> dict[str, Any]:
    return {
        "id": _id_field(
            "The question's id. Apps store answers by it: never reuse it for a question "
            "with a different meaning."
        ),
        "prompt": _text(
            "The statement or question shown to the person answering: first person, present tense."
        ),
        "kind": _choice(
            "The kind of answer: 'scale' (1 = strongly disagree ... 5 = strongly agree), "
            "'yes_no' or 'count' (a whole number, 0 or more).",
            _values(QuestionKind),
        ),
        "respondents": {
            "type": "array",
            "items": {"enum": _values(Role)},
            "minItems": 1,
            "description": "Who is asked: 'partner' and/or 'supporter'.",
        },
        "dimension": {
            **_ref("id"),
            "description": "Optional, scale questions only: the id of the dimension the "
            "question counts towards.",
        },
        "reverse": {
            "type": "boolean",
            "default": False,
            "description": "Optional, scale questions only: true when agreeing means things "
            "are worse.",
        },
        "safety": {
            "type": "boolean",
            "default": False,
            "description": "Optional, yes/no questions only: true for the safety screen. "
            "Every safety question needs a safety rule.",
        },
    }


def _rule_fields() -> dict[str, Any]:
    return {
        "id": _id_field(
            "The rule's id, unique in the pack. Ties in priority go to the id that sorts first."
        ),
        "step": {**_ref("id"), "description": "The id of the step this rule leads to."},
        "when": {**_ref("condition"), "description": "When the rule holds."},
        "priority": {
            "type": "integer",
            "description": "A whole number: when several rules hold, the highest wins; ties "
            "go to the rule id that sorts first.",
        },
        "urgency": _choice(
            "Optional: how soon to act, 'info', 'warning' or 'critical'. Safety rules must be "
            "'critical'.",
            _values(Urgency),
            default=Urgency.INFO.value,
        ),
        "reason": _text(
            "A plain sentence, for the person who answered, saying why this step comes next. "
            "Do not quote answers: trustkit adds a sentence for each answer that counted."
        ),
        "resources": _texts(
            "Optional: the topics of the resources to show with the step, e.g. ['crisis']. "
            "Each must be a topic of at least one resource."
        ),
        "safety": {
            "type": "boolean",
            "default": False,
            "description": "Optional. true for a safety rule: safety rules run first and cannot "
            "be outranked. A safety rule must be 'critical', name resource topics and only "
            "check that safety questions were answered yes.",
        },
    }


def _resource_fields() -> dict[str, Any]:
    return {
        "id": _id_field("The resource's id, unique in the pack (e.g. 'us-988-lifeline')."),
        "name": _text("The service's name."),
        "topics": _texts(
            "What it helps with, at least one: usually 'crisis', 'domestic_abuse', "
            "'emergency', 'own_behaviour' or 'counselling'.",
            minItems=1,
        ),
        "country": _text(
            "The country it serves: a two-letter ISO 3166-1 code such as 'GB', or 'INTL' "
            "for a world-wide service.",
            pattern="^([A-Z]{2}|INTL)$",
        ),
        "region": _text("Optional: the part of the country it serves, e.g. 'Scotland'."),
        "phone": _text("Optional: the number to call."),
        "text": _text("Optional: how to reach it by text message."),
        "url": _text("Optional: its website."),
        "hours": _text("Optional: when it is open, e.g. '24/7'."),
        "languages": _texts("Optional: the languages it answers in, as BCP 47 tags such as 'en'."),
        "notes": _text("Optional: anything else worth knowing, in one sentence."),
        "audience": _text(
            "Optional: who it serves, where it serves only some people, e.g. 'Women', "
            "'Men' or 'Anyone'."
        ),
        "source": _text("Where the facts come from (not empty).", minLength=1),
        "verified": _text(
            "When the facts were last checked, against the service's own page unless "
            "secondary_source is true: a TOML date such as 2026-11-27 (no quotes).",
            format="date",
        ),
        "secondary_source": {
            "type": "boolean",
            "description": "Optional: true when some facts rest only on pages other than the "
            "service's own (news, directories, encyclopaedias). Default false.",
        },
    }


def _template_fields() -> dict[str, Any]:
    """The fields of [explain], from the ``Messages`` model: texts, and lists of texts."""
    out = {}
    for name, hint in typing.get_type_hints(Messages).items():
        words = _MESSAGE_WORDS.get(name, "A sentence template; see the pack format.")
        extra = _MESSAGE_EXTRA.get(name, {})
        out[name] = _text(words, **extra) if hint is str else _texts(words, **extra)
    return out


_ITEM_FIELDS = {
    "steps": _step_fields,
    "actions": _action_fields,
    "dimensions": lambda: {
        "id": _id_field(
            "The dimension's id, used by a question's dimension and by score conditions."
        ),
        "label": _text(
            "A short noun phrase used in sentences, e.g. 'feeling heard' in "
            "'Your score for feeling heard is ...'."
        ),
    },
    "questions": _question_fields,
    "rules": _rule_fields,
    "resources": _resource_fields,
}


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
                    "yes/no question or a true-or-false fact takes = or != only.",
                    _values(Op),
                ),
                "value": {
                    "type": ["boolean", "number"],
                    "description": "What the answer, score or fact is compared with: true or "
                    "false for a yes/no question or a true-or-false fact; a number for a scale "
                    f"or count question, a score ({SCALE_MIN} to {SCALE_MAX}) or a number fact.",
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
            "One step ([[steps]]): what the supporter can do next, with its actions.",
            _step_fields(),
            ("id", "title", "summary", "why"),
        ),
        "action": _table(
            "One concrete thing to do as part of a step. Its id must be unique in the whole pack.",
            _action_fields(),
            ("id", "title", "how", "minutes", "who"),
            allOf=[_not_both_in_crisis()],
        ),
        "added_action": _table(
            "An action an overlay pack adds to a step of the pack it extends ([[actions]]).",
            {
                "step": {**_ref("id"), "description": "The id of the step it belongs to."},
                **_action_fields(),
            },
            ("step", "id", "title", "how", "minutes", "who"),
            allOf=[_not_both_in_crisis()],
        ),
        "dimension": _table(
            "An area of the relationship that several scale questions measure together "
            "([[dimensions]]).",
            _ITEM_FIELDS["dimensions"](),
            ("id", "label"),
        ),
        "question": _table(
            "One check-in question ([[questions]]). Its id is a public contract: apps store "
            "answers by it.",
            _question_fields(),
            ("id", "prompt", "kind", "respondents"),
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
            "One rule ([[rules]]): when its condition holds, it proposes a step.",
            _rule_fields(),
            ("id", "step", "when", "priority", "reason"),
            allOf=[
                {
                    "if": _flag_set("safety"),
                    "then": {
                        "properties": {
                            "urgency": {"const": Urgency.CRITICAL.value},
                            "resources": {"minItems": 1},
                            "when": _ref("safety_condition"),
                        },
                        "required": ["urgency", "resources"],
                    },
                }
            ],
        ),
        "resource": _table(
            "A helpline or another place to get help ([[resources]]). It needs at least one "
            "way to reach it or learn about it: phone, text, url or notes.",
            _resource_fields(),
            ("id", "name", "topics", "country", "source", "verified"),
            anyOf=[
                {"properties": {way: {"minLength": 1}}, "required": [way]}
                for way in ("phone", "text", "url", "notes")
            ],
        ),
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
        fields = _ITEM_FIELDS[kind]()
        if suffix == "translation":
            _non_empty(fields)
        item = _SINGULAR[kind]
        defs[f"{item}_{suffix}"] = {
            "type": "object",
            "description": f"One table per {item}, named by its id ([{kind}.ID]), holding only "
            f"the fields to {verb}: {', '.join(names)}.",
            "propertyNames": _ref("id"),
            "additionalProperties": _table(
                f"The fields of one {item} to {verb}.",
                {name: fields[name] for name in names},
            ),
        }
    return defs


def _shared_defs() -> dict[str, Any]:
    """Every piece the pack file schemas share, by name."""
    templates = _template_fields()
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
            tuple(t for t in templates if t not in OPTIONAL_TEMPLATES),
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
                    pattern=rf"^(\s*[a-z0-9][a-z0-9_-]* {_RANGE})?$",
                ),
                "trustkit": _text(
                    "Optional: the trustkit versions the pack works with, as a PEP 440 version "
                    "range, e.g. '>=0.1' or '>=0.1,<1'; pre-releases are in range.",
                    pattern=rf"^({_RANGE})?$",
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
                "resources": _ref("resource_translation"),
                "messages": _ref("template_translation"),
            },
        ),
    }


_FILE_TITLES = {
    "pack": "trustkit pack file pack.toml",
    "steps": "trustkit pack file steps.toml",
    "questions": "trustkit pack file questions.toml",
    "rules": "trustkit pack file rules.toml",
    "resources": "trustkit pack file resources.toml",
    "messages": "trustkit pack file messages.toml",
    "overrides": "trustkit pack file overrides.toml",
    "locale": "trustkit pack file locales/<tag>.toml",
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
            ``"messages"``, ``"overrides"`` or ``"locale"``
            (``locales/<tag>.toml``).

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
        "questions.toml, rules.toml, resources.toml, messages.toml, overrides.toml or a "
        "locale file. Editors should check each file against its own schema instead.",
        "anyOf": [_ref(name) for name in bodies],
    }
    return _document("pack.json", "trustkit pack file (any kind)", body, {**defs, **bodies})


def _answer_schema(kind: QuestionKind) -> dict[str, Any]:
    if kind is QuestionKind.YES_NO:
        return {"type": ["boolean", "null"]}
    if kind is QuestionKind.SCALE:
        return {"type": ["integer", "null"], "minimum": SCALE_MIN, "maximum": SCALE_MAX}
    return {"type": ["integer", "null"], "minimum": 0}


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
            f"{_KIND_WORDS[question.kind]}, or null if not answered; asked of the {roles}).",
            **_answer_schema(question.kind),
        }
    packs = ", ".join(str(ref) for ref in pack.packs)
    body: dict[str, Any] = {
        "description": "One partner's check-in, as trustkit.parse_checkin accepts it. The "
        f"answers follow the questionnaire of {packs}. Whether each question is one the "
        "respondent is asked is checked by trustkit, not by this schema.",
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
                "'2026-03-01T20:15:00+00:00'.",
                format="date-time",
            ),
            "recommended": {
                "description": "The id of the step this check-in led to, if the app stored "
                "it (optional; null or absent if not).",
                "type": ["string", "null"],
            },
        },
        "required": ["respondent", "answers", "at"],
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
    resources = _resource_fields()
    resources["country"] = _text("ISO 3166-1 alpha-2 code, or 'INTL'.")
    resources["source"] = _text("Where the facts come from.")
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
        },
    )
    return _document("recommendation.json", "trustkit recommendation", body, defs)


def schema(name: str) -> dict[str, object]:
    """A schema by the name ``trustkit schema NAME`` uses.

    Args:
        name: One of `SCHEMA_NAMES`: ``"pack"`` (any pack file),
            ``"pack-<file>"`` (one kind of pack file, e.g. ``"pack-rules"``),
            ``"checkin"`` or ``"recommendation"``.

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
    file = name.removeprefix("pack-")
    if file == name or file not in _FILE_TITLES:
        raise KeyError(f"no schema named {name!r}; use one of {', '.join(SCHEMA_NAMES)}")
    return pack_file_schema(file)
