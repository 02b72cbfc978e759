"""Reading JSON text the one way every trustkit reader does: a key given twice is an error.

Python's ``json`` keeps the last of two equal keys, so
``{"afraid_of_partner": true, "afraid_of_partner": false}`` would read as "no".
Which value the person meant cannot be known, so such a text is refused, with
the key named (a key is a question id or a field, never an answer) and never
a value.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from trustkit.errors import AnswerError, AnswerProblem, ProblemCode

MAX_KEY_SHOWN = 64
"""How much of a key given twice the error keeps (question ids in a pack are shorter)."""


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


def loads(text: str | bytes) -> Any:
    """The value of a JSON text, as ``json.loads`` gives it, but refusing a key given twice.

    Raises:
        AnswerError: A key is given twice in one object (code ``DUPLICATE``,
            the field is the key, shortened when long).
        json.JSONDecodeError: The text is not JSON.
        RecursionError: The text is nested too deeply.
    """
    return json.loads(text, object_pairs_hook=_unique)
