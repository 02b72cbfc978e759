"""`_json.loads` reads the usual text at C speed, and gives exactly what the careful reading gives.

The quick reading trusts a text only when its colons show that no key was given
twice (see `_json._plain`); for every text, the value or the error must be the
careful reading's.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from trustkit import _json
from trustkit.errors import AnswerError

keys = st.sampled_from(["a", "b", "a:b", ":", "é", "q\\u003a"])
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.integers(10**99, 10**101),
    st.floats(allow_nan=False),
    st.sampled_from(["x", "x:y", "::", "\\u003a", "\\\\"]),
)


def _json_text(value: Any) -> str:
    """JSON text, keys written as given (so that duplicates and escapes survive)."""
    if isinstance(value, list) and value and value[0] == "object":
        return "{" + ", ".join(f'"{k}": {_json_text(v)}' for k, v in value[1:]) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_text(v) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return json.dumps(value)


values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(st.tuples(keys, children), max_size=4).map(lambda pairs: ["object", *pairs]),
    ),
    max_leaves=12,
)


def careful(text: str | bytes) -> Any:
    """What `_json.loads` gives when it reads the careful way only."""
    try:
        return json.loads(text, object_pairs_hook=_json._unique, parse_int=_json._whole)
    except RecursionError:  # pragma: no cover  (no text here nests that deep)
        raise AssertionError from None


def outcome(read: Any, text: str | bytes) -> tuple[str, Any]:
    try:
        return "value", read(text)
    except AnswerError as error:
        return "error", str(error)
    except ValueError as error:
        return "not JSON", type(error).__name__


@settings(max_examples=examples(600), deadline=None)
@given(values, st.booleans())
def test_the_quick_reading_gives_the_careful_one(value: Any, as_bytes: bool) -> None:
    written = _json_text(value)
    text: str | bytes = written.encode() if as_bytes else written
    assert outcome(_json.loads, text) == outcome(careful, text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        '{"a": "x:y", "a": 2}',
        '{"a": 1, "a\\u003a": 2, "a": 3}',
        '{"a": {"b": 1, "b": 1}}',
        "[" * 9 + "]" * 9,
        '{"n": ' + "9" * 101 + "}",
        '"a:b"',
        "7",
    ],
)
def test_texts_at_the_edges(text: str) -> None:
    assert outcome(_json.loads, text) == outcome(careful, text)


def test_the_usual_text_is_read_quickly() -> None:
    assert _json._plain({"a": [1, {"b:c": "d:e"}], "f": None, "g": 1.5, "h": True}) == 7
    assert _json._plain({"n": 10**100}) == -1
    assert _json._plain([[[[[[[[[1]]]]]]]]]) == -1
    assert _json._plain([bytearray()]) == -1
