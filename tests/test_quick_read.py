"""The fast path of reading pack tables gives exactly what the field-by-field reader gives.

`trustkit._pack.tables` reads a well-formed table in one pass and hands anything else to
the reader that records every problem. Whatever the table, well formed or not, both
must give the same models (same values of the same types, same origins), the same
problems and the same shared comparisons.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tests.test_schema_agreement import IDS, KINDS_READ, table_of, toml
from trustkit._pack import conditions, spec, tables
from trustkit._pack.read import Lines, PackFile
from trustkit.errors import PackProblem
from trustkit.models import Op

ODD = st.one_of(
    st.booleans(),
    st.integers(-3, 7),
    st.floats(-1, 6, allow_nan=False),
    st.sampled_from(["", "Bad Id", "x", "yes", "scale", "partner", "info", "<=", "=", "both"]),
    IDS,
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
    st.just(dt.datetime(2026, 1, 1, 12, 0)),
    st.lists(st.sampled_from(["partner", "supporter", "x", ""]), max_size=3),
    st.just([1, "a"]),
    st.just({"id": "a"}),
)
"""Values of every type TOML has, some of them right for some field."""

LEAVES = st.one_of(
    st.builds(
        lambda form, name, op, value: {form: name, "op": op, "value": value},
        st.sampled_from(["answer", "score", "fact"]),
        st.one_of(st.sampled_from(["q", "d", "checkins"]), st.integers(0, 2)),
        st.one_of(st.sampled_from([op.value for op in Op]), st.just("~")),
        st.one_of(st.booleans(), st.integers(0, 6), st.just(2.5), st.just("3")),
    ),
    st.builds(lambda v: {"always": v}, st.sampled_from([True, False, 1])),
    st.builds(lambda v: {"answered": v}, st.sampled_from(["q", 3])),
    st.just({}),
    st.just({"answer": "q", "op": "=", "value": 1, "extra": 1}),
    st.just({"answer": "q", "score": "d", "op": "="}),
    st.just({"answer": "q", "op": "="}),
    st.just({"always": True, "answered": "q"}),
    st.just({"bogus": 1}),
    st.just("not a table"),
)


def messy_conditions() -> st.SearchStrategy[Any]:
    """Conditions, well formed or not in every way the reader knows."""
    return st.recursive(
        LEAVES,
        lambda inner: st.one_of(
            st.builds(lambda c: {"all": c}, st.lists(inner, max_size=3)),
            st.builds(lambda c: {"any": c}, st.lists(inner, max_size=3)),
            st.builds(lambda c: {"not": c}, inner),
            st.builds(lambda c: {"all": c}, inner),
        ),
        max_leaves=6,
    )


@st.composite
def messy_tables(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A table of a kind: well formed, or with a field left out, added or of another type."""
    table = spec.TABLES[kind]
    item = draw(table_of(table))
    for _ in range(draw(st.integers(0, 2))):
        how = draw(st.sampled_from(["drop", "add", "retype", "condition", "actions"]))
        name = draw(st.sampled_from([f.name for f in table.fields]))
        if how == "drop":
            item.pop(name, None)
        elif how == "add":
            item[draw(st.sampled_from(["extra", "Id", "step_id"]))] = 1
        elif how == "retype":
            item[name] = draw(ODD)
        elif how == "condition" and kind == "rules":
            item["when"] = draw(messy_conditions())
        elif how == "actions" and kind == "steps":
            item["actions"] = draw(st.lists(messy_tables("actions"), max_size=2))
    return item


def deeply_nested(depth: int) -> dict[str, Any]:
    cond: dict[str, Any] = {"answer": "q", "op": "=", "value": True}
    for _ in range(depth):
        cond = {"not": cond}
    return cond


def _read(
    kind: str, items: list[dict[str, Any]], quick: bool
) -> tuple[tuple[Any, ...], list[PackProblem], PackFile]:
    text = f"{kind} = [\n" + "".join(f"  {toml(item)},\n" for item in items) + "]\n"
    file = PackFile(f"p/{spec.TABLES[kind].file}", tomllib.loads(text), text)
    problems: list[PackProblem] = []
    if quick:
        models = tables.items(file, kind, problems)
    else:
        with mock.patch.object(tables, "_quick", return_value=None):
            models = tables.items(file, kind, problems)
    return models, problems, file


def assert_same_read(kind: str, items: list[dict[str, Any]]) -> None:
    fast, fast_problems, fast_file = _read(kind, items, quick=True)
    plain, plain_problems, plain_file = _read(kind, items, quick=False)
    # repr tells True from 1 and 1 from 1.0, and shows the origins
    assert repr(fast) == repr(plain)
    assert [m.origin for m in fast] == [m.origin for m in plain]
    assert fast_problems == plain_problems
    assert repr(fast_file.shared) == repr(plain_file.shared)


@pytest.mark.slow
@settings(max_examples=examples(300))
@given(st.sampled_from(sorted(KINDS_READ)), st.data())
def test_the_fast_path_reads_what_the_plain_reader_reads(kind: str, data: st.DataObject) -> None:
    """Same models, origins, problems and shared comparisons, on good and bad tables."""
    items = data.draw(st.lists(messy_tables(kind), min_size=1, max_size=3))
    assert_same_read(kind, items)


@given(st.lists(messy_conditions(), min_size=1, max_size=4))
def test_rules_with_any_condition(whens: list[Any]) -> None:
    """Rules alike but for their conditions, sharing comparisons across rules."""
    items = [
        {"id": f"r{i}", "step": "s", "when": when, "priority": 1, "reason": "r"}
        for i, when in enumerate(whens)
    ]
    assert_same_read("rules", items)


def test_too_deep_a_condition_is_left_to_the_plain_reader() -> None:
    """Past the nesting limit the fast path gives up, and the reader says why."""
    limit = conditions.MAX_CONDITION_DEPTH
    for depth in (limit - 1, limit, limit + 1):
        rule = {"id": "r", "step": "s", "when": deeply_nested(depth), "priority": 1, "reason": "r"}
        assert_same_read("rules", [rule])
    assert conditions.quick_condition(deeply_nested(limit), {}) is None
    assert conditions.quick_condition(deeply_nested(limit - 1), {}) is not None


GOOD: dict[str, dict[str, Any]] = {
    "actions": {"id": "a", "title": "t", "how": "h", "minutes": 5, "who": "both"},
    "dimensions": {"id": "d", "label": "l"},
    "questions": {
        "id": "q",
        "prompt": "p",
        "kind": "scale",
        "respondents": ["partner", "supporter"],
        "dimension": "d",
        "reverse": True,
        "safety": False,
    },
    "rules": {
        "id": "r",
        "step": "s",
        "when": {"any": [{"answer": "q", "op": "<=", "value": 2}, {"not": {"always": True}}]},
        "priority": 1,
        "urgency": "warning",
        "reason": "r",
        "resources": ["crisis"],
        "safety": False,
        "plan": "abuse",
    },
    "resources": {
        "id": "x",
        "name": "n",
        "topics": ["crisis"],
        "country": "GB",
        "region": "",
        "phone": "1",
        "url": "u",
        "languages": ["en"],
        "source": "s",
        "verified": dt.date(2026, 11, 27),
        "secondary_source": True,
    },
    "plans": {
        "id": "p",
        "kind": "abuse",
        "title": "t",
        "intro": "i",
        "warning_signs": ["w"],
        "on_my_own": ["o"],
        "people_and_places": ["p"],
        "ask_for_help": ["a"],
        "professionals": ["p"],
        "safer": ["s"],
        "resources": ["domestic_abuse"],
    },
}
GOOD["steps"] = {
    "id": "s",
    "title": "T",
    "summary": "S",
    "why": "W",
    "actions": [GOOD["actions"]],
    "pitfalls": ["p"],
    "couples": True,
}
TRICKY: list[Any] = [
    "",
    "Bad Id",
    "x",
    "info",
    "both",
    "partner",
    True,
    1,
    1.5,
    [],
    ["x"],
    ["partner", "x"],
    [1],
    {"id": "a"},
    dt.date(2026, 1, 1),
    dt.datetime(2026, 1, 1, 12, 0),
]
"""Values that are right for some field and wrong for most."""


def test_every_field_with_every_kind_of_value() -> None:
    """Each field of each kind left out, or given each tricky value, reads the same both ways."""
    for kind, table in spec.TABLES.items():
        for field in table.fields:
            variants = [{k: v for k, v in GOOD[kind].items() if k != field.name}]
            variants += [{**GOOD[kind], field.name: value} for value in TRICKY]
            for item in variants:
                if kind == "actions":
                    assert_same_read("steps", [{**GOOD["steps"], "actions": [item]}])
                else:
                    assert_same_read(kind, [item, GOOD[kind]])


def test_every_kind_of_condition() -> None:
    """Each form of condition, with names, operators and values right and wrong."""
    leaves: list[Any] = [
        {form: name, "op": op, "value": value}
        for form in ("answer", "score", "fact")
        for name in ("q", 3)
        for op in ("<=", "~", 1)
        for value in (True, 2, 2.5, "3", [1])
    ]
    leaves += [
        {"always": True},
        {"always": 1},
        {"answered": "q"},
        {"answered": 3},
        {},
        {"answer": "q", "op": "=", "value": 1, "extra": 1},
        {"answer": "q", "value": 1, "extra": 1},
        {"answer": "q", "score": "d", "op": "="},
        {"answered": "q", "op": "=", "value": 1},
        {"question": "q", "op": "=", "value": 1},
        {"all": {"always": True}},
        {"any": "x"},
        {"not": 3},
        {"bogus": 1},
        "x",
    ]
    whens = [
        *leaves,
        *({"all": [leaf, leaf]} for leaf in leaves),
        *({"not": {"any": [{"always": True}, leaf]}} for leaf in leaves),
    ]
    for when in whens:
        assert_same_read("rules", [{**GOOD["rules"], "when": when}, GOOD["rules"]])


LINES = st.sampled_from(
    [
        "[steps.a]",
        ' [ rules . "a-b" ]  # c',
        "[messages]",
        "[[rules]]",
        "[[steps.actions]]",
        'id = "x"',
        "  id='y'\r",
        'id = "a\\"b"',
        'id = ""',
        "id=",
        "key = 1",
        '  other-key = "v"',
        "# id = 'c'",
        "",
        "\r",
        'when = {answer = "q", op = "=", value = true}',
        "[broken",
        "x = [",
        "  1,",
        "]",
    ]
)


@given(st.lists(LINES, max_size=30))
def test_line_numbers_in_one_pass(lines: list[str]) -> None:
    """Without multi-line strings, the one-pass scan finds what the line-by-line scan finds."""
    text = "\n".join(lines)
    fast = Lines(text)
    plain = Lines(text + '\n# """ makes the scan go line by line')
    assert (fast.tables, fast.ids, fast.keys) == (plain.tables, plain.ids, plain.keys)
