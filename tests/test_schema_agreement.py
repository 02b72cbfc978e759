"""The schemas and the loader agree on every declared field, both ways.

Tables are drawn from the one description of the pack format (its fields, shapes and
schema keywords). What the file's schema accepts, the loader reads without a problem;
a table with a required field left out, an unknown field or a value of the wrong shape
is refused by both. The known differences are the documented ones (see trustkit._schema):
what needs the whole pack, such as an unassigned country code or a condition that fits
its question, is checked only by the loader's whole-pack check, which this does not run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

import trustkit
from tests.conftest import examples
from trustkit._pack import spec, tables
from trustkit._pack.load import bundled_root
from trustkit._pack.read import PackFile
from trustkit._pack.spec import Field, Table
from trustkit._pack.versions import satisfies
from trustkit._schema import loader_only, pack_file_schema, schema
from trustkit.errors import PackError, PackProblem
from trustkit.models import Op, PlanPart

EXAMPLES = settings(max_examples=examples(60))
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


# ------------------------------------------------ whole files, loaded as part of a pack
# Each example writes one file of a small pack folder (a copy of the bundled pack and
# two overlays on it), with one text changed, and loads the pack. What the file's schema
# accepts, the loader refuses only for one of the rules listed in
# trustkit._schema.LOADER_ONLY (so what it refuses for any other reason, the schema
# refuses); what the loader reads, the schema accepts.

FOLDERS = Path(tempfile.mkdtemp(prefix="trustkit-agree-"))
BASE = FOLDERS / "core"
shutil.copytree(str(bundled_root()), BASE)
OVERLAY_PACK = 'id = "{id}"\nversion = "1.0.0"\ntitle = "Overlay {id}"\nextends = "{extends}"\n'
WHOLE = settings(max_examples=examples(40), deadline=None)

PIECES = st.sampled_from(
    [
        *"a {}:!.,*+1",
        "0",
        "\n",
        "é",
        "{value}",
        "{prompt}",
        "{emergency}",
        "{nope}",
        ">=",
        "<",
        "~=",
        "==",
        "rc",
        "RC",
        ".post1",
        "core ",
        "1.0.0",
        "\t",
    ]
)
TEXTS = st.lists(PIECES, max_size=6).map("".join)
"""Texts near every rule: versions, ranges, templates, placeholders, blanks."""


def toml_file(data: dict[str, Any]) -> str:
    """A TOML document: top-level values first, then tables and arrays of tables."""
    lines = [f"{json.dumps(k)} = {toml(v)}" for k, v in data.items() if not _table(v)]
    for key, value in data.items():
        if isinstance(value, dict) and _table(value):
            lines.extend(_section(json.dumps(key), value))
        elif isinstance(value, list) and _table(value):
            for item in value:
                lines.append(f"[[{json.dumps(key)}]]")
                lines.extend(f"{json.dumps(k)} = {toml(v)}" for k, v in item.items())
    return "\n".join(lines) + "\n"


def _table(value: object) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def _section(name: str, table: dict[str, Any]) -> list[str]:
    lines = [f"[{name}]"]
    lines.extend(f"{json.dumps(k)} = {toml(v)}" for k, v in table.items() if not _is_dict(v))
    for key, value in table.items():
        if _is_dict(value):
            lines.extend(_section(f"{name}.{json.dumps(key)}", value))
    return lines


def _is_dict(value: object) -> bool:
    return isinstance(value, dict)


def validator(schema_name: str) -> Draft202012Validator:
    """The validator of one schema, with formats checked."""
    return Draft202012Validator(schema(schema_name), format_checker=FormatChecker())


FILE_VALIDATORS = {
    name: validator(f"pack-{name}") for name in ("pack", "messages", "overrides", "locale", "plans")
}


def problems_loading(folders: list[Path], locale: str | None) -> list[PackProblem]:
    """The problems loading these packs (and reading their locale) gives, if any."""
    try:
        pack = trustkit.load_pack(*folders)
        if locale is not None:
            pack.localized(locale)
    except PackError as error:
        return list(error.problems)
    return []


@contextlib.contextmanager
def pack_with(name: str, text: str) -> Iterator[tuple[list[Path], str]]:
    """A pack folder chain (core, a, b) with one file written: the folders and its path."""
    with tempfile.TemporaryDirectory(dir=FOLDERS) as tmp:
        root = Path(tmp)
        folders = [BASE]
        for pack_id, extends in (("a", "core >=1"), ("b", "a >=1")):
            folder = root / pack_id
            folder.mkdir()
            (folder / "pack.toml").write_text(OVERLAY_PACK.format(id=pack_id, extends=extends))
            folders.append(folder)
        where, _, file = name.partition(":")
        if where == "core":
            original = (BASE / file).read_text(encoding="utf-8")
            (BASE / file).write_text(text, encoding="utf-8")
            try:
                yield folders, f"core/{file}"
            finally:
                (BASE / file).write_text(original, encoding="utf-8")
            return
        path = root / where / file
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        yield folders, f"{where}/{file}"


def _core(file: str) -> dict[str, Any]:
    return tomllib.loads((BASE / file).read_text(encoding="utf-8"))


MESSAGE_NAMES = st.sampled_from([*spec.TEMPLATES, "sensitive_words"])


@st.composite
def changed_files(draw: st.DrawFn) -> tuple[str, str, dict[str, Any], str | None]:
    """One pack file with one text changed: (where, schema, data, locale to read)."""
    text = draw(TEXTS)
    kind = draw(st.sampled_from(["pack", "overlay", "messages", "overrides", "locale", "plans"]))
    if kind == "pack":
        data = _core("pack.toml")
        data[draw(st.sampled_from(["version", "trustkit"]))] = text
        return "core:pack.toml", "pack", data, None
    if kind == "overlay":
        data = {"id": "b", "version": "1.0.0", "title": "B", "extends": "a >=1"}
        data[draw(st.sampled_from(["version", "extends", "trustkit"]))] = text
        return "b:pack.toml", "pack", data, None
    name = draw(MESSAGE_NAMES)
    value: Any = [text] if name == "sensitive_words" else text
    if kind == "messages":
        data = _core("messages.toml")
        data["explain"][name] = value
        return "core:messages.toml", "messages", data, None
    if kind == "plans":
        data = _core("plans.toml")
        plan = draw(st.sampled_from(data["plans"]))
        field = draw(st.sampled_from(["title", "intro", "resources", *(p.value for p in PlanPart)]))
        plan[field] = text if field in ("title", "intro") else [text]
        return "core:plans.toml", "plans", data, None
    item = draw(
        st.sampled_from(
            [
                ("messages", "", name, value),
                ("steps", "educate", "title", text),
                ("steps", "educate", "why", text),
                ("steps", "educate", "summary", text * 30),
                ("rules", "catch-all", "reason", text),
                ("rules", "safety-self-harm", "reason", text),
                ("plans", "abuse", "intro", text),
            ]
        )
    )
    kind_of_item, item_id, field, value = item
    table = {field: value}
    data = {kind_of_item: table if not item_id else {item_id: table}}
    if kind == "overrides":
        return "b:overrides.toml", "overrides", data, None
    return "b/locales:fr.toml", "locale", data, "fr"


@WHOLE
@given(changed_files())
def test_a_file_the_schema_accepts_loads_but_for_the_listed_rules(
    change: tuple[str, str, dict[str, Any], str | None],
) -> None:
    """Pack, messages, overrides, locale and plans files: schema and loader agree both ways."""
    where, schema_name, data, locale = change
    accepted = FILE_VALIDATORS[schema_name].is_valid(json.loads(json.dumps(data, default=str)))
    with pack_with(where, toml_file(data)) as (folders, _):
        problems = problems_loading(folders, locale)
    unlisted = [p for p in problems if loader_only(f"pack-{schema_name}", p.code, p.field) is None]
    if accepted:  # then the loader refuses it only for a listed rule
        assert unlisted == []
    if not problems:  # and the schema is no stricter than the loader
        assert accepted


CHECKIN = validator("checkin")
RECEIVED = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@EXAMPLES
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "respondent": st.sampled_from(["partner", "supporter", "both"]),
            "answers": st.sampled_from([{}, {"feels_heard": 3}, {"feels_heard": None}]),
            "at": st.sampled_from(["2026-03-01T20:15:00+00:00", "2026-03-01T20:15:00Z", "x"]),
            "recommended": st.sampled_from([None, "educate"]),
            "extra": st.just(1),
        },
    )
)
def test_a_checkin_the_schema_accepts_parses_but_for_the_listed_rule(doc: dict[str, Any]) -> None:
    """What the check-in schema accepts, parse_checkin reads; without at, only given at."""
    accepted = CHECKIN.is_valid(doc)
    if accepted:
        assert trustkit.parse_checkin(doc, at=RECEIVED).respondent.value == doc["respondent"]
    try:
        trustkit.parse_checkin(doc)
    except trustkit.AnswerError as error:
        unlisted = [p for p in error.problems if loader_only("checkin", p.code, p.field) is None]
        assert not accepted or unlisted == []
    else:
        assert accepted


# ------------------------------------------------------------------ who gets the blame

FAULTS = (
    ("pack.toml", 'version = "1.0.0"', 'version = "1.0.0RC1"'),
    ("pack.toml", 'extends = "', 'trustkit = "~=1"\nextends = "'),
    ("overrides.toml", "", '\n[messages]\nanswer_yes = "You said {nope}"\n'),
    ("overrides.toml", "", '\n["plans"."abuse"]\nintro = ""\n'),
    ("locales/fr.toml", "", '\n[steps.educate]\ntitle = "{emergency}"\n'),
    ("locales/fr.toml", "", f'\n[steps.educate]\nsummary = "{"x" * 141}"\n'),
    ("rules.toml", "", '[[rules]]\nid = "r"\nstep = "educate"\npriority = 1\nreason = "x"\n'),
)


@settings(max_examples=examples(20), deadline=None)
@given(st.sampled_from(["a", "b"]), st.sampled_from(FAULTS))
def test_a_fault_is_blamed_on_the_file_that_holds_it(
    pack_id: str, fault: tuple[str, str, str]
) -> None:
    """One fault planted in one file of a chain of overlays is reported there, and only there."""
    name, old, new = fault
    with tempfile.TemporaryDirectory(dir=FOLDERS) as tmp:
        folders = [BASE]
        for each, extends in (("a", "core >=1"), ("b", "a >=1")):
            folder = Path(tmp) / each
            (folder / "locales").mkdir(parents=True)
            (folder / "pack.toml").write_text(OVERLAY_PACK.format(id=each, extends=extends))
            if each == pack_id:
                path = folder / name
                text = path.read_text() if path.is_file() else ""
                path.write_text(text.replace(old, new) if old else text + new)
            folders.append(folder)
        problems = problems_loading(folders, "fr" if name.startswith("locales") else None)
    assert problems
    assert {p.file for p in problems} == {f"{pack_id}/{name}"}
    assert all(p.line is not None for p in problems)


def test_a_version_no_pack_could_have_is_in_no_range() -> None:
    """A version too long or not ASCII (never one of a pack file) is in no range."""
    assert satisfies("1.0.0", ">=1")
    assert not satisfies("1.0.0+" + "a" * 300, ">=1")
    assert not satisfies("1.0.0+é", ">=1")
    assert not satisfies("one", ">=1")
