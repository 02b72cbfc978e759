"""The JSON Schema (draft 2020-12) of a trace, as ``trustkit.converter.unstructure`` makes it.

Kept apart from ``_schema`` on purpose: it only borrows the recommendation's
schema from there, and its own definitions stay in this file.

Examples:
    >>> from trustkit._trace_schema import trace_schema
    >>> schema = trace_schema()
    >>> schema["$id"], schema["required"]
    ('https://trustkit.invalid/schema/trace.json', ['recommendation', 'rules'])
"""

from __future__ import annotations

from typing import Any

from trustkit._schema import recommendation_schema
from trustkit.models import RuleOutcome

__all__ = ["trace_schema"]

_ID = {"$ref": "#/$defs/id"}


def _ids(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": description}


def trace_schema() -> dict[str, object]:
    """The JSON of a [`Trace`][trustkit.Trace]: the recommendation and every rule tried.

    Every field is always present and no other appears. The recommendation
    is checked by the recommendation schema, whose definitions are copied in.

    Returns:
        A fresh draft 2020-12 schema with ``$id``
        ``https://trustkit.invalid/schema/trace.json``.
    """
    rec = recommendation_schema()
    defs: dict[str, Any] = dict(rec.pop("$defs"))  # type: ignore[call-overload]
    for key in ("$schema", "$id", "title"):
        rec.pop(key)
    defs["recommendation"] = rec
    fields: dict[str, Any] = {
        "rule_id": {**_ID, "description": "The rule's id."},
        "step": {**_ID, "description": "The step it proposes."},
        "priority": {"type": "integer", "description": "Its priority."},
        "safety": {"type": "boolean", "description": "true for a safety rule."},
        "held": {
            "type": ["boolean", "null"],
            "description": "Whether its condition held; null when it was not tried.",
        },
        "outcome": {
            "type": "string",
            "enum": [member.value for member in RuleOutcome],
            "description": "What became of it.",
        },
        "failed": {
            "type": ["string", "null"],
            "description": "For a rule that did not hold, the first part of its condition that "
            "did not, written out; null otherwise.",
        },
        "questions": _ids("The questions that failed part reads."),
        "facts": _ids("The facts from history or boundaries that failed part reads."),
    }
    defs["rule_trace"] = {
        "type": "object",
        "description": "One rule as it was tried: whether it held, and what became of it.",
        "properties": fields,
        "required": list(fields),
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://trustkit.invalid/schema/trace.json",
        "title": "trustkit trace",
        "type": "object",
        "description": "A recommendation with every rule tried for it, in the order tried, as "
        "trustkit.converter.unstructure(trustkit.trace(...)) gives it. Ids and conditions only, "
        "never an answer.",
        "properties": {
            "recommendation": {"$ref": "#/$defs/recommendation"},
            "rules": {"type": "array", "items": {"$ref": "#/$defs/rule_trace"}},
        },
        "required": ["recommendation", "rules"],
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }
