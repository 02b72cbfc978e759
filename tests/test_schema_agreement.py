"""The schemas and the loader agree on every declared field, both ways.

Tables are drawn from the one description of the pack format (its fields, shapes and
schema keywords). What the file's schema accepts, the loader reads without a problem;
a table with a required field left out, an unknown field or a value of the wrong shape
is refused by both. The known differences are the documented ones (see trustkit._schema):
what needs the whole pack, such as an unassigned country code or a condition that fits
its question, is checked only by the loader's whole-pack check, which this does not run.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from trustkit._pack import spec, tables
from trustkit._pack.read import PackFile
from trustkit._pack.spec import Field, Table
from trustkit._schema import pack_file_schema
from trustkit.errors import PackProblem
from trustkit.models import Op

EXAMPLES = settings(max_examples=60)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
IDS = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True)
KINDS_READ = ("steps", "dimensions", "questions", "rules", "resources")
VALIDATORS = {
    name: Draft202012Validator(pack_file_schema(name), format_checker=FormatChecker())
    for name in ("steps", "questions", "rules", "resources")
}


def conditions() -> st.SearchStrategy[dict[str, Any]]:
    """Conditions of every form the schema and the loader read."""
    leaves = st.one_of(
        st.just({"always": True}),
        st.builds(lambda q: {"answered": q}, IDS),
        st.builds(
            lambda form, name, op, value: {form: name, "op": op, "value": value},
            st.sampled_from(["answer", "score"]),
            IDS,
            st.sampled_from([op.value for op in Op]),
            st.integers(1, 5),
        ),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(lambda c: {"all": c}, st.lists(inner, max_size=2)),
            st.builds(lambda c: {"any": c}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda c: {"not": c}, inner),
        ),
        max_leaves=4,
    )


def value(field: Field) -> st.SearchStrategy[Any]:
    """Values of a field, as its declaration allows them."""
    keywords = field.schema
    if field.shape in ("id", "ref"):
        return IDS
    if field.shape == "text":
        if "pattern" in keywords:
            return st.from_regex(keywords["pattern"].strip("^$"), fullmatch=True)
        return TEXT.filter(lambda t: keywords.get("minLength", 0) <= len(t)).map(
            lambda t: t[: keywords.get("maxLength", len(t))]
        )
    if field.shape == "texts":
        return st.lists(TEXT, min_size=keywords.get("minItems", 0), max_size=3)
    if field.shape == "sources":
        one = TEXT.filter(bool)
        return st.one_of(one, st.lists(one, min_size=1, max_size=3))
    if field.shape == "whole":
        return st.integers(min_value=keywords.get("minimum"), max_value=10**6)
    if field.shape == "flag":
        return st.booleans()
    if field.shape in ("choice", "roles"):
        assert field.choices is not None
        values = [m.value for m in field.choices]
        if field.shape == "choice":
            return st.sampled_from(values)
        return st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True)
    if field.shape == "date":
        return st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))
    if field.shape == "condition":
        return conditions()
    if field.shape == "number":
        return st.integers(-10, 10) | st.floats(-10, 10)
    if field.shape == "options":
        return st.lists(table_of(spec.OPTIONS), min_size=2, max_size=3)
    assert field.shape == "actions"
    return st.lists(table_of(spec.ACTIONS), max_size=2)


@st.composite
def table_of(draw: st.DrawFn, table: Table) -> dict[str, Any]:
    """One item's table: every required field, and some optional ones."""
    out = {}
    for field in table.fields:
        if field.required or draw(st.booleans()):
            out[field.name] = draw(value(field))
    return out


def toml(value: object) -> str:
    """A TOML value (inline tables and arrays; dates bare)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def as_json(value: object) -> Any:
    """The value as the schema sees it: dates as ISO 8601 text."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def read(kind: str, items: list[dict[str, Any]]) -> list[PackProblem]:
    """The problems the loader finds reading one file that holds these items."""
    text = f"{kind} = [\n" + "".join(f"  {toml(item)},\n" for item in items) + "]\n"
    file = PackFile(f"p/{spec.TABLES[kind].file}", tomllib.loads(text), text)
    problems: list[PackProblem] = []
    tables.items(file, kind, problems)
    return problems


def schema_accepts(kind: str, items: list[dict[str, Any]]) -> bool:
    """Whether the file's schema accepts a file holding these items."""
    return VALIDATORS[spec.TABLES[kind].file.removesuffix(".toml")].is_valid({kind: as_json(items)})


KINDS = st.sampled_from(KINDS_READ)


@EXAMPLES
@given(KINDS, st.data())
def test_what_the_schema_accepts_the_loader_reads(kind: str, data: st.DataObject) -> None:
    """A schema-valid table is read without a problem."""
    item = data.draw(table_of(spec.TABLES[kind]))
    assume(schema_accepts(kind, [item]))
    assert read(kind, [item]) == []


@EXAMPLES
@given(KINDS, st.data())
def test_what_the_loader_refuses_the_schema_refuses(kind: str, data: st.DataObject) -> None:
    """A required field left out, an unknown field or a wrong shape fails both."""
    table = spec.TABLES[kind]
    item = data.draw(table_of(table))
    how = data.draw(st.sampled_from(["drop", "add", "retype"]))
    if how == "drop":
        name = data.draw(st.sampled_from(table.required))
        del item[name]
        if table.field(name).shape in ("texts", "roles"):  # read as empty, refused by the check
            return
    elif how == "add":
        item[data.draw(st.sampled_from(["extra", "titel", "Id", "step_id"]))] = 1
    else:
        name = data.draw(st.sampled_from([f.name for f in table.fields]))
        shape = table.field(name).shape
        wrong: object = [] if shape in ("text", "id", "ref", "whole", "flag", "date") else 3.5
        if shape == "condition":
            wrong = {"bogus": 1}
        item[name] = wrong
    assert not schema_accepts(kind, [item])
    assert read(kind, [item]) != []
