"""The JSON Schemas: well formed, they accept the bundled pack and agree with the loader."""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import json
import re
import shutil
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

import trustkit
from tests.strategies import ROLES, aware_datetimes, role_and_answers, valid_answers
from trustkit import CheckIn, ContentPack, Question, QuestionKind, Role
from trustkit._pack.conditions import CONDITION_KEYS
from trustkit._pack.load import bundled_root
from trustkit._schema import (
    PACK_FILE_NAMES,
    PACK_FILE_PATTERNS,
    SCHEMA_NAMES,
    checkin_schema,
    pack_file_schema,
    pack_schema,
    recommendation_schema,
    schema,
)
from trustkit._vocabulary import FACT_FAMILIES

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def _formats() -> FormatChecker:
    """The 2020-12 format checker, with a strict date-time check whether or not it has one.

    jsonschema checks "date-time" only when rfc3339-validator is installed, which the test
    dependencies do not ask for.
    """
    checker = FormatChecker(list(Draft202012Validator.FORMAT_CHECKER.checkers))

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return bool(_RFC3339.fullmatch(value)) and bool(dt.datetime.fromisoformat(value.upper()))

    return checker


FORMATS = _formats()


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A validator (with format checks) for the schema of this name, built once."""
    return Draft202012Validator(schema(name), format_checker=FORMATS)


def as_json(value: object) -> Any:
    """Parsed TOML as JSON data: dates and times become ISO 8601 strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def toml_json(text: str) -> Any:
    """TOML text as JSON data."""
    return as_json(tomllib.loads(text))


def core_folder() -> Path:
    """The bundled pack's folder on disk."""
    root = bundled_root("core")
    assert isinstance(root, Path)  # the package is installed as files
    return root


def core_files() -> list[str]:
    """The bundled pack's TOML files (translations and examples.toml too), relative to it."""
    return sorted(p.relative_to(core_folder()).as_posix() for p in core_folder().rglob("*.toml"))


def errors(name: str, data: object) -> list[str]:
    """The messages of every error the named schema finds in the data."""
    return [error.message for error in validator(name).iter_errors(data)]


# --------------------------------------------------------------------------- the schemas


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_schema_is_a_valid_2020_12_schema(name: str) -> None:
    """Each schema passes the 2020-12 meta-schema and survives a JSON round trip."""
    document = schema(name)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(document)) == document
    assert isinstance(document["title"], str)
    assert isinstance(document["description"], str)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_ids_are_distinct_placeholders(name: str) -> None:
    """Each $id is under the non-resolvable trustkit.invalid domain, one per schema."""
    ids = {str(schema(other)["$id"]) for other in SCHEMA_NAMES}
    assert len(ids) == len(SCHEMA_NAMES)
    assert str(schema(name)["$id"]).startswith("https://trustkit.invalid/schema/")


def _local_refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _local_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _local_refs(value)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_ref_is_local_and_resolves(name: str) -> None:
    """Every $ref points into the schema's own $defs (nothing is fetched)."""
    document = schema(name)
    defs = document.get("$defs", {})
    assert isinstance(defs, dict)
    for ref in _local_refs(document):
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in defs, ref


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schemas_are_fresh_and_deterministic(name: str) -> None:
    """Every call returns an equal, independent dict: changing one does not change the next."""
    first = schema(name)
    text = json.dumps(first, sort_keys=False)
    first["title"] = "changed"
    first.pop("$defs", None)
    assert json.dumps(schema(name), sort_keys=False) == text


def _containers(node: object) -> Iterator[dict[str, Any] | list[Any]]:
    if isinstance(node, dict | list):
        yield node
        for value in node.values() if isinstance(node, dict) else node:
            yield from _containers(value)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_no_part_of_a_schema_is_shared(name: str) -> None:
    """No dict or list appears twice, within a schema or across calls: callers may edit one."""
    first, second = schema(name), schema(name)
    seen = [id(part) for part in _containers(first)]
    assert len(seen) == len(set(seen))
    assert not set(seen) & {id(part) for part in _containers(second)}
    text = json.dumps(second)
    for part in _containers(first):
        part.clear()
    assert json.dumps(schema(name)) == text


def test_schema_names() -> None:
    """SCHEMA_NAMES: pack, one pack-<file> per file kind, checkin, recommendation, trace, plan,
    decision record and feedback."""
    assert set(SCHEMA_NAMES) == {
        "pack",
        "checkin",
        "recommendation",
        "trace",
        "safety-plan",
        "decision-record",
        "feedback",
        *(f"pack-{name}" for name in PACK_FILE_NAMES),
    }
    assert set(PACK_FILE_PATTERNS) == set(PACK_FILE_NAMES)
    assert schema("pack-rules") == pack_file_schema("rules")
    assert schema("pack") == pack_schema()
    assert schema("checkin") == checkin_schema()
    assert schema("recommendation") == recommendation_schema()


@pytest.mark.parametrize("name", ["nope", "pack-nope", "pack-", "rules", "checkins"])
def test_an_unknown_name_is_a_key_error(name: str) -> None:
    """schema() raises KeyError for a name it does not know."""
    with pytest.raises(KeyError, match="no schema named"):
        schema(name)


def test_an_unknown_pack_file_is_a_key_error() -> None:
    """pack_file_schema() raises KeyError for a file kind it does not know."""
    with pytest.raises(KeyError, match="no pack file schema named"):
        pack_file_schema("rule")


def test_the_pack_schema_holds_every_file_schema() -> None:
    """pack_schema()'s $defs hold each file's schema; its anyOf refers to every one."""
    whole = pack_schema()
    defs = whole["$defs"]
    assert isinstance(defs, dict)
    assert whole["anyOf"] == [{"$ref": f"#/$defs/{name}-file"} for name in PACK_FILE_NAMES]
    for name in PACK_FILE_NAMES:
        single = pack_file_schema(name)
        single_defs = single.pop("$defs")
        del single["$schema"], single["$id"]
        assert defs[f"{name}-file"] == single
        assert isinstance(single_defs, dict)
        for key, value in single_defs.items():
            assert defs[key] == value


def _described(node: dict[str, Any], defs: dict[str, Any], path: str, seen: set[str]) -> None:
    """Assert that every field under this schema node has a description for authors."""
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        assert "description" in node or "description" in defs[name], path
        if name not in seen:
            seen.add(name)
            _described(defs[name], defs, f"$defs/{name}", seen)
    for key, value in node.get("properties", {}).items():
        assert "description" in value or "$ref" in value, f"{path}.{key}"
        _described(value, defs, f"{path}.{key}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            _described(node[key], defs, f"{path}[{key}]", seen)
    for i, value in enumerate(node.get("oneOf", [])):
        _described(value, defs, f"{path}.oneOf[{i}]", seen)


@pytest.mark.parametrize("name", PACK_FILE_NAMES)
def test_every_field_an_author_writes_is_described(name: str) -> None:
    """Each field of each pack file has a description an editor can show while typing."""
    document = pack_file_schema(name)
    defs = document.get("$defs", {})
    assert isinstance(defs, dict)
    _described(document, defs, name, set())


# ------------------------------------------------------------------ the bundled pack


@pytest.mark.parametrize("relative", core_files())
def test_every_bundled_pack_file_validates(relative: str) -> None:
    """Each file of the core pack is valid against its own schema and pack_schema()."""
    data = toml_json((core_folder() / relative).read_text(encoding="utf-8"))
    assert errors(f"pack-{file_kind(relative)}", data) == []
    assert errors("pack", data) == []


def test_the_bundled_pack_has_a_file_of_every_base_kind() -> None:
    """The files checked above include the six every base pack has."""
    kinds = {file_kind(relative) for relative in core_files()}
    assert kinds - {"locale"} == set(PACK_FILE_NAMES) - {"overrides", "locale"}
    assert "examples" in kinds


EXAMPLE_OVERLAY = (
    Path(__file__).parent.parent / "examples" / "packs" / "apart" / "trustkit_pack_apart"
)


def file_kind(relative: str) -> str:
    """The pack file kind of a path inside a pack folder, found through PACK_FILE_PATTERNS."""
    (kind,) = [
        name
        for name, pattern in PACK_FILE_PATTERNS.items()
        if fnmatch.fnmatchcase(relative, pattern)
    ]
    return kind


@pytest.mark.parametrize(
    "relative",
    sorted(
        p.relative_to(EXAMPLE_OVERLAY / "data").as_posix() for p in EXAMPLE_OVERLAY.rglob("*.toml")
    ),
)
def test_the_example_overlay_pack_validates(relative: str) -> None:
    """Each file of examples/packs/apart validates against the schema its path maps to."""
    data = toml_json((EXAMPLE_OVERLAY / "data" / relative).read_text(encoding="utf-8"))
    assert errors(f"pack-{file_kind(relative)}", data) == []
    assert errors("pack", data) == []


def test_file_patterns_map_paths_to_kinds() -> None:
    """PACK_FILE_PATTERNS tells the files of a pack folder apart."""
    assert file_kind("rules.toml") == "rules"
    assert file_kind("locales/pt-BR.toml") == "locale"
    assert file_kind("overrides.toml") == "overrides"
    with pytest.raises(ValueError, match="not enough values"):
        file_kind("notes.toml")


# -------------------------------------------------------- broken copies of the base pack

_APPENDED_RULE = """
[[rules]]
id = "extra"
step = "educate"
reason = "A reason."
"""

# (case, file, old, new): replace the first `old` with `new`; an empty `old` appends `new`.
REJECTED = [
    ("unknown-field-promt", "questions.toml", 'prompt = "I have a good', 'promt = "I have a good'),
    ("bad-op", "rules.toml", 'answer = "distress", op = ">="', 'answer = "distress", op = "=<"'),
    ("id-with-uppercase", "resources.toml", 'id = "us-emergency"', 'id = "US-emergency"'),
    (
        "scale-question-without-kind",
        "questions.toml",
        'kind = "scale"\nrespondents = ["supporter"]\n',
        'respondents = ["supporter"]\n',
    ),
    (
        "condition-with-two-forms",
        "rules.toml",
        '{ answer = "boundary_crossed", op = "=", value = true }',
        '{ answer = "boundary_crossed", op = "=", value = true, answered = "boundary_crossed" }',
    ),
    ("minutes-ten", "steps.toml", "minutes = 20", 'minutes = "ten"'),
    ("resource-without-source", "resources.toml", 'source = ["https://www.911.gov"]', ""),
    ("resource-empty-source", "resources.toml", 'source = ["https://www.911.gov"]', "source = []"),
    ("resource-source-number", "resources.toml", 'source = ["https://www.911.gov"]', "source = 3"),
    ("who-nobody", "steps.toml", 'who = "supporter"', 'who = "nobody"'),
    ("pack-unknown-field", "pack.toml", "", 'licence = "MIT"\n'),
    ("pack-bad-version", "pack.toml", 'version = "1.2.0"', 'version = "1.0"'),
    ("pack-without-title", "pack.toml", 'title = "trustkit core pack"\n', ""),
    ("unknown-template", "messages.toml", "", 'answer_maybe = "Maybe: {prompt}."\n'),
    ("missing-template", "messages.toml", 'score = "Your score', '# score = "Your score'),
    ("minutes-zero", "steps.toml", "minutes = 20", "minutes = 0"),
    (
        "couples-exercise-in-crisis",
        "steps.toml",
        'who = "either"\nin_crisis = true',
        'who = "both"\nin_crisis = true',
    ),
    ("summary-too-long", "steps.toml", 'summary = "Find out', 'summary = "' + "x" * 141),
    ("always-false", "rules.toml", "when = { always = true }", "when = { always = false }"),
    ("empty-any", "rules.toml", "", _APPENDED_RULE + "priority = 1\nwhen = { any = [] }\n"),
    ("rule-without-priority", "rules.toml", "", _APPENDED_RULE + "when = { always = true }\n"),
    ("unknown-urgency", "rules.toml", 'urgency = "warning"', 'urgency = "urgent"'),
    ("safety-rule-not-critical", "rules.toml", 'urgency = "critical"', 'urgency = "warning"'),
    (
        "safety-rule-compares-a-scale",
        "rules.toml",
        'when = { answer = "self_harm_thoughts", op = "=", value = true }',
        'when = { answer = "self_harm_thoughts", op = "!=", value = false }',
    ),
    ("unknown-table", "rules.toml", "", '[[rule]]\nid = "typo"\n'),
    ("unknown-fact", "rules.toml", 'fact = "boundaries.crossed"', 'fact = "boundaries.broken"'),
    (
        "fact-without-its-step",
        "rules.toml",
        'fact = "repeats.validation"',
        'fact = "repeats"',
    ),
    (
        "true-or-false-fact-ordered",
        "rules.toml",
        '{ fact = "improved.pace", op = "=", value = true }',
        '{ fact = "improved.pace", op = ">=", value = true }',
    ),
    (
        "number-fact-compared-with-true",
        "rules.toml",
        '{ fact = "boundaries.crossed", op = ">=", value = 1 }',
        '{ fact = "boundaries.crossed", op = ">=", value = true }',
    ),
    (
        "true-or-false-fact-compared-with-a-number",
        "rules.toml",
        '{ fact = "improved.pace", op = "=", value = true }',
        '{ fact = "improved.pace", op = "=", value = 1 }',
    ),
    ("no-respondents", "questions.toml", 'respondents = ["supporter"]', "respondents = []"),
    ("unknown-respondent", "questions.toml", 'respondents = ["supporter"]', 'respondents = ["x"]'),
    (
        "dimension-on-a-yes-no-question",
        "questions.toml",
        "safety = true",
        'safety = true\ndimension = "hope"',
    ),
    (
        "safety-on-a-scale-question",
        "questions.toml",
        'dimension = "understanding"',
        'dimension = "understanding"\nsafety = true',
    ),
    ("no-topics", "resources.toml", 'topics = ["domestic_abuse"]', "topics = []"),
    ("verified-missing", "resources.toml", "verified = 2026-11-27", ""),
    (
        "no-way-to-reach-a-resource",
        "resources.toml",
        "",
        '[[resources]]\nid = "x"\nname = "X"\ntopics = ["crisis"]\ncountry = "US"\n'
        'source = "https://example.org"\nverified = 2026-01-01\n',
    ),
]

ACCEPTED = [
    (
        "number-facts",
        "rules.toml",
        '{ fact = "boundaries.crossed", op = ">=", value = 1 }',
        '{ all = [{ fact = "checkins", op = ">", value = 2 }, '
        '{ fact = "change.hope", op = "<=", value = -0.5 }] }',
    ),
    (
        "true-or-false-fact",
        "rules.toml",
        '{ fact = "improved.pace", op = "=", value = true }',
        '{ fact = "declined.pace", op = "!=", value = true }',
    ),
    ("who-either", "steps.toml", 'who = "supporter"', 'who = "either"'),
    ("in-crisis-left-out", "steps.toml", "in_crisis = false\n", ""),
    ("locale-left-out", "pack.toml", 'locale = "en"\n', ""),
    (
        "optional-resource-fields",
        "resources.toml",
        'country = "US"\nphone = "911"',
        'country = "US"\nregion = "Texas"\nlanguages = ["en", "es"]\nphone = "911"',
    ),
    (
        "nested-conditions",
        "rules.toml",
        'when = { answer = "boundary_crossed", op = "=", value = true }',
        'when = { all = [{ answered = "boundary_crossed" }, '
        '{ not = { answer = "boundary_crossed", op = "=", value = false } }] }',
    ),
    (
        "score-condition",
        "rules.toml",
        'when = { answer = "boundary_crossed", op = "=", value = true }',
        'when = { score = "hope", op = "<", value = 2.5 }',
    ),
]


def edited_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """Copy the core pack to tmp_path/mypack and make one edit to one file."""
    root = tmp_path / "mypack"
    shutil.copytree(core_folder(), root)
    path = root / file
    text = path.read_text(encoding="utf-8")
    if old:
        assert old in text, f"{old!r} not in {file}"
        text = text.replace(old, new, 1)
    else:
        text += "\n" + new
    path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(("case", "file", "old", "new"), REJECTED, ids=[c[0] for c in REJECTED])
def test_schema_and_loader_both_reject(
    tmp_path: Path, case: str, file: str, old: str, new: str
) -> None:
    """A broken copy of a base pack file fails its schema, pack_schema() and load_pack."""
    root = edited_copy(tmp_path, file, old, new)
    data = toml_json((root / file).read_text(encoding="utf-8"))
    stem = file.removesuffix(".toml")
    assert errors(f"pack-{stem}", data), f"{case}: the schema accepts it"
    assert errors("pack", data), f"{case}: pack_schema() accepts it"
    with pytest.raises(trustkit.PackError):
        trustkit.load_pack(root)


@pytest.mark.parametrize(("case", "file", "old", "new"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_schema_and_loader_both_accept(
    tmp_path: Path, case: str, file: str, old: str, new: str
) -> None:
    """A valid variation of a base pack file passes its schema and load_pack alike."""
    root = edited_copy(tmp_path, file, old, new)
    data = toml_json((root / file).read_text(encoding="utf-8"))
    assert errors(f"pack-{file.removesuffix('.toml')}", data) == [], case
    assert errors("pack", data) == [], case
    trustkit.load_pack(root)


def test_known_differences_from_the_loader(tmp_path: Path) -> None:
    """The documented differences: 10.0 minutes passes JSON's integer; 'UK' passes the schema."""
    root = edited_copy(tmp_path / "a", "steps.toml", "minutes = 20", "minutes = 20.0")
    assert errors("pack-steps", toml_json((root / "steps.toml").read_text("utf-8"))) == []
    with pytest.raises(trustkit.PackError):
        trustkit.load_pack(root)
    root = edited_copy(tmp_path / "b", "resources.toml", 'country = "GB"', 'country = "UK"')
    assert errors("pack-resources", toml_json((root / "resources.toml").read_text("utf-8"))) == []
    with pytest.raises(trustkit.PackError, match="use 'GB'"):
        trustkit.load_pack(root)
    root = edited_copy(tmp_path / "c", "resources.toml", 'country = "US"', 'country = "us"')
    assert errors("pack-resources", toml_json((root / "resources.toml").read_text("utf-8")))
    with pytest.raises(trustkit.PackError, match="upper-case"):
        trustkit.load_pack(root)


def test_conditions_have_the_forms_the_loader_reads() -> None:
    """The condition's forms are the loader's condition keys, each a property."""
    condition: Any = pack_file_schema("rules")["$defs"]["condition"]  # type: ignore[index]
    assert [one["required"][0] for one in condition["oneOf"]] == list(CONDITION_KEYS)
    assert set(condition["properties"]) == {*CONDITION_KEYS, "op", "value"}


def _rule_errors(when: dict[str, Any]) -> list[Any]:
    data = {"rules": [{"id": "r", "step": "s", "priority": 1, "reason": "r", "when": when}]}
    return list(validator("pack-rules").iter_errors(data))


def _fact_cases() -> list[tuple[str, object, bool]]:
    cases: list[tuple[str, object, bool]] = []
    for family, (kind, about) in FACT_FAMILIES.items():
        value = True if kind == "flag" else 2
        wrong = 2 if kind == "flag" else True
        name = f"{family}.hope" if about else family
        cases += [(name, value, True), (name, wrong, False)]
        cases.append((family if about else f"{family}.hope", value, False))
    return cases


@pytest.mark.parametrize(("fact", "value", "valid"), _fact_cases())
def test_every_fact_name_and_its_type(fact: str, value: object, valid: bool) -> None:
    """Each fact the engine knows is accepted with a value of its type, and only then."""
    assert (_rule_errors({"fact": fact, "op": "=", "value": value}) == []) is valid


def test_a_misspelt_op_is_reported_at_the_op() -> None:
    """An editor points at op itself when it is misspelt, and lists the choices."""
    (error,) = _rule_errors({"all": [{"answer": "q", "op": "=<", "value": 2}]})
    assert list(error.absolute_path) == ["rules", 0, "when", "all", 0, "op"]
    assert "'<='" in error.message


def test_a_condition_with_two_forms_says_so() -> None:
    """A condition that mixes two forms is reported as matching more than one."""
    (error,) = _rule_errors({"answer": "q", "op": "=", "value": 2, "answered": "q"})
    assert list(error.absolute_path) == ["rules", 0, "when"]
    assert "is valid under each of" in error.message


@pytest.mark.parametrize(
    "when",
    [
        {"answered": "q", "op": "="},
        {"score": "d", "op": "=", "value": True},
        {"answer": "q", "op": "="},
        {},
        {"not": {"always": True}, "value": 1},
        {"all": [{"any": [{"not": {"answer": "q", "op": "<", "value": 1, "extra": 1}}]}]},
    ],
)
def test_malformed_conditions_are_rejected(when: dict[str, Any]) -> None:
    """Stray op or value, a yes/no score, a missing value, an empty or nested-bad condition."""
    assert _rule_errors(when)


# ------------------------------------------------------------ overlay, overrides, locale

OVERLAY_PACK = """
id = "apart"
version = "1.0.0"
title = "Living apart"
description = "For couples who live in different cities."
extends = "core >=1,<2"
trustkit = ">=0.1"
"""

OVERLAY_STEPS = """
[[actions]]
step = "consistency"
id = "consistency-apart-shared-calendar"
title = "Share a calendar of calls"
how = "..."
minutes = 10
who = "both"
"""

OVERRIDES = """
[steps.patience]
summary = "A new summary."

[actions.educate-ask-about-the-past]
minutes = 20

[rules.patience-pace]
priority = 58

[questions.stuck]
prompt = "We keep having the same painful call without getting anywhere"

[resources.gb-national-domestic-abuse-helpline]
hours = "24/7, free"
verified = 2027-01-05

[dimensions.hope]
label = "hope"

[messages]
score = "Your {label} score: {value} of 5."

[disable]
rules = ["celebrate-progress"]
"""

LOCALE = """
[steps.educate]
title = "Entiende de dónde viene la desconfianza"
summary = "..."
why = "..."
signs_of_progress = ["...", "..."]
pitfalls = ["...", "..."]

[actions.educate-ask-about-the-past]
title = "..."
how = "..."

[dimensions.hope]
label = "..."

[questions.feels_heard]
prompt = "..."

[rules.validation-not-heard]
reason = "..."

[resources.us-domestic-violence-hotline]
hours = "..."
notes = "..."
text = "..."

[messages]
answer_yes = "Respondiste que sí a «{prompt}»."
"""

OVERLAY_VALID = [
    ("overlay-pack", "pack", OVERLAY_PACK),
    ("overlay-pack-any-version", "pack", OVERLAY_PACK.replace("core >=1,<2", "core >=0")),
    ("overlay-actions", "steps", OVERLAY_STEPS),
    ("overrides", "overrides", OVERRIDES),
    ("locale", "locale", LOCALE),
    ("empty-overrides", "overrides", ""),
]

OVERLAY_INVALID = [
    ("extends-uppercase-id", "pack", OVERLAY_PACK.replace('"core >=1', '"Core >=1')),
    ("extends-bad-range", "pack", OVERLAY_PACK.replace(">=1,<2", "=>1")),
    ("trustkit-without-op", "pack", OVERLAY_PACK.replace('">=0.1"', '"0.1"')),
    ("added-action-without-step", "steps", OVERLAY_STEPS.replace('step = "consistency"\n', "")),
    ("overrides-unknown-kind", "overrides", '[step.patience]\nsummary = "x"\n'),
    ("overrides-fixed-field", "overrides", '[rules.patience-pace]\nstep = "educate"\n'),
    ("overrides-bad-minutes", "overrides", "[actions.a]\nminutes = 0\n"),
    ("overrides-bad-item-id", "overrides", "[rules.Patience]\npriority = 1\n"),
    ("overrides-unknown-template", "overrides", '[messages]\nanswer_maybe = "x"\n'),
    ("overrides-disable-bad-id", "overrides", '[disable]\nrules = ["Not An Id"]\n'),
    ("locale-non-text-field", "locale", "[actions.educate-ask-about-the-past]\nminutes = 20\n"),
    ("locale-number-for-text", "locale", "[steps.educate]\ntitle = 5\n"),
    ("locale-text-for-list", "locale", '[steps.educate]\npitfalls = "one"\n'),
    ("locale-template-not-text", "locale", "[messages]\nanswer_yes = true\n"),
    ("locale-untranslatable-field", "locale", '[resources.r]\nphone = "112"\n'),
    ("locale-unknown-kind", "locale", '[disable]\nrules = ["x"]\n'),
    ("locale-empty-text", "locale", '[questions.feels_heard]\nprompt = ""\n'),
    ("locale-empty-template", "locale", '[messages]\nscore = ""\n'),
]


@pytest.mark.parametrize(("case", "name", "text"), OVERLAY_VALID, ids=[c[0] for c in OVERLAY_VALID])
def test_overlay_files_from_the_docs_validate(case: str, name: str, text: str) -> None:
    """The overlay, overrides and locale examples of docs/extending.md are valid."""
    data = toml_json(text)
    assert errors(f"pack-{name}", data) == [], case
    assert errors("pack", data) == [], case


@pytest.mark.parametrize(
    ("case", "name", "text"), OVERLAY_INVALID, ids=[c[0] for c in OVERLAY_INVALID]
)
def test_broken_overlay_files_are_rejected(case: str, name: str, text: str) -> None:
    """Broken overlay, overrides and locale files fail their schema (the schema side only)."""
    assert errors(f"pack-{name}", toml_json(text)), case


@pytest.mark.parametrize(
    ("extends", "valid"),
    [
        ("core", False),  # a range is required
        ("core >=0", True),
        ("core >=1,<2", True),
        ("core ~=1.2", True),
        ("core ==1.*", True),
        ("core >=1.0.0rc1,!=1.2.0.post1", True),
        ("core >=1, <2", True),
        ("  core  >= 1.2.3 , != 1.5 ", True),
        ("my_pack-2 ==1", True),
        ("", True),
        ("core>=1", False),
        ("core\t>=1", False),
        ("core >=1,", False),
        ("core >=1..2", False),
        ("core 1.0", False),
        ("core =>1", False),
        ("core >=v1", False),
        ("Core", False),
        ("   ", False),
    ],
)
def test_what_extends_accepts(extends: str, valid: bool) -> None:
    """extends is an id, then a space and a version range, as the loader reads it."""
    data = toml_json(OVERLAY_PACK)
    data["extends"] = extends
    assert (errors("pack-pack", data) == []) is valid


@pytest.mark.parametrize(
    ("spec", "valid"),
    [
        (">=0.1", True),
        (">=0.1,<1", True),
        (" >= 0.1 ", True),
        ("", True),
        ("0.1", False),
        ("  ", False),
        (">=0.1,", False),
        ("~=0.1", True),
        ("==0.*", True),
        ("~0.1", False),
        ("===0.1", False),
    ],
)
def test_what_trustkit_accepts(spec: str, valid: bool) -> None:
    """trustkit is a comma-separated version range."""
    data = toml_json(OVERLAY_PACK)
    data["trustkit"] = spec
    assert (errors("pack-pack", data) == []) is valid


def _fields(document: dict[str, object], kind: str) -> set[str]:
    """The fields the overrides or locale schema allows for one kind of item."""
    defs: Any = document["$defs"]
    ref: str = document["properties"][kind]["$ref"]  # type: ignore[index]
    target = defs[ref.removeprefix("#/$defs/")]
    tables = target if kind == "messages" else target["additionalProperties"]
    return set(tables["properties"])


def test_overrides_and_locale_allow_the_fields_trustkit_reads() -> None:
    """The kinds and fields of overrides.toml and locale files match the loader's tables."""
    overlay = pytest.importorskip("trustkit._pack.overlay")
    translate = pytest.importorskip("trustkit._pack.translate")
    for name, table in (
        ("overrides", overlay.OVERRIDABLE),
        ("locale", translate.TRANSLATABLE),
    ):
        document = pack_file_schema(name)
        kinds = set(document["properties"]) - {"disable"}  # type: ignore[call-overload]
        assert kinds == set(table), name
        for kind, fields in table.items():
            assert _fields(document, kind) == set(fields), f"{name}: {kind}"


def test_message_descriptions_name_the_allowed_placeholders() -> None:
    """Each template's description lists exactly the placeholders the pack checks allow."""
    validate = pytest.importorskip("trustkit._pack.validate")
    explain = pack_file_schema("messages")["$defs"]["templates"]  # type: ignore[index]
    labels = pytest.importorskip("trustkit._vocabulary").LABELS
    optional = {
        "safety_earlier",
        "emergency_elsewhere",
        "sensitive_words",
        *labels,
    }  # defaults: older packs stay valid
    templates = {f.name for f in attrs.fields(trustkit.Messages)} - {"origin"}
    assert set(explain["required"]) == templates - optional
    for name, allowed in validate._TEMPLATE_FIELDS.items():
        described = set(re.findall(r"\{(\w+)\}", explain["properties"][name]["description"]))
        assert described == allowed, name


# --------------------------------------------------------------------------- check-ins


@given(role=ROLES, data=st.data(), at=aware_datetimes())
def test_every_valid_checkin_validates(role: Role, data: st.DataObject, at: dt.datetime) -> None:
    """The JSON of any valid check-in, for either role, validates against checkin_schema()."""
    answers = data.draw(valid_answers(role))
    checkin = CheckIn(respondent=role, answers=answers, at=at)
    document = trustkit.converter.unstructure(checkin)
    assert errors("checkin", document) == []
    # A skipped question may also be sent as null.
    document["answers"].update({qid: None for qid, value in answers.items() if value is None})
    assert errors("checkin", document) == []
    assert trustkit.parse_checkin(document).answers == checkin.answers


def _checkin(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "respondent": "partner",
        "answers": {"feels_heard": 2, "past_hurt": True, "missed_commitments": 0},
        "at": "2026-03-01T20:15:00+00:00",
    }
    document.update(changes)
    return document


def recommend(document: dict[str, Any]) -> trustkit.Recommendation:
    """Read a check-in from JSON data and recommend a step for it."""
    return trustkit.recommend_next_step(trustkit.parse_checkin(document))


def test_the_example_checkin_validates() -> None:
    """examples/checkin.json is a valid check-in."""
    path = Path(__file__).parent.parent / "examples" / "checkin.json"
    assert errors("checkin", json.loads(path.read_text(encoding="utf-8"))) == []
    assert errors("checkin", _checkin()) == []


@pytest.mark.parametrize(
    "document",
    [
        _checkin(respondent="boyfriend"),
        _checkin(answers={"feels_heard": 6}),
        _checkin(answers={"feels_heard": 0}),
        _checkin(answers={"feels_heard": True}),
        _checkin(answers={"feels_heard": "2"}),
        _checkin(answers={"past_hurt": 1}),
        _checkin(answers={"missed_commitments": -1}),
        _checkin(answers={"missed_commitments": 1.5}),
        _checkin(answers={"feels_herd": 2}),
        _checkin(answers=[]),
        _checkin(at="2026-03-01T20:15:00"),
        _checkin(at="yesterday"),
        _checkin(extra=1),
        {"answers": {}, "at": "2026-03-01T20:15:00+00:00"},
    ],
)
def test_a_malformed_checkin_fails_both_schema_and_trustkit(document: dict[str, Any]) -> None:
    """What the schema rejects in a check-in, trustkit rejects too."""
    assert errors("checkin", document)
    with pytest.raises(trustkit.AnswerError):
        recommend(document)


def test_role_restrictions_are_left_to_trustkit() -> None:
    """A partner answering a supporter-only question passes the schema; trustkit refuses it."""
    document = _checkin(answers={"understand_roots": 3})
    assert errors("checkin", document) == []
    assert "not by this schema" in str(checkin_schema()["description"])
    with pytest.raises(trustkit.AnswerError):
        recommend(document)


def test_the_checkin_schema_follows_the_questionnaire() -> None:
    """Each question of the bundled pack is a property typed by its kind, and no other."""
    pack = trustkit.default_pack()
    answers = checkin_schema()["properties"]["answers"]  # type: ignore[index]
    assert answers["additionalProperties"] is False
    assert list(answers["properties"]) == [q.id for q in pack.questions]
    for question in pack.questions:
        prop = answers["properties"][question.id]
        assert question.prompt in prop["description"]
        expected = {
            QuestionKind.SCALE: {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
            QuestionKind.YES_NO: {"type": ["boolean", "null"]},
            QuestionKind.COUNT: {"type": ["integer", "null"], "minimum": 0},
            QuestionKind.CHOICE: {"enum": [*question.codes, None]},
        }[question.kind]
        assert {k: v for k, v in prop.items() if k != "description"} == expected


def test_a_checkin_schema_for_another_pack() -> None:
    """checkin_schema(pack) builds the answers from that pack's questions."""
    core = trustkit.default_pack()
    extra = Question(
        id="calls_missed",
        prompt="How many calls did we miss this week?",
        kind=QuestionKind.COUNT,
        respondents=frozenset({Role.PARTNER}),
    )
    pack: ContentPack = attrs.evolve(core, questions=(*core.questions, extra))
    document = checkin_schema(pack)
    Draft202012Validator.check_schema(document)
    answers = document["properties"]["answers"]["properties"]  # type: ignore[index]
    assert answers["calls_missed"]["minimum"] == 0
    assert "calls_missed" not in checkin_schema()["properties"]["answers"]["properties"]  # type: ignore[index]
    checker = Draft202012Validator(document, format_checker=FORMATS)
    assert checker.is_valid(_checkin(answers={"calls_missed": 3}))
    assert errors("checkin", _checkin(answers={"calls_missed": 3}))


# --------------------------------------------------------------------- recommendations


@pytest.mark.slow
@given(role_and_answers(safe=False))
def test_every_recommendation_validates(role_answers: tuple[Role, dict[str, Any]]) -> None:
    """The unstructured recommendation for any valid answers validates."""
    role, answers = role_answers
    recommendation = trustkit.recommend_next_step(answers, respondent=role)
    assert errors("recommendation", trustkit.converter.unstructure(recommendation)) == []


@pytest.mark.parametrize("country", [None, "GB", "JP"])
def test_a_safety_recommendation_validates(country: str | None) -> None:
    """A critical recommendation, with its helplines, validates (whatever the country)."""
    recommendation = trustkit.recommend_next_step({"self_harm_thoughts": True}, country=country)
    document = trustkit.converter.unstructure(recommendation)
    assert document["resources"]
    assert errors("recommendation", document) == []


def test_the_recommendation_schema_has_every_model_field() -> None:
    """Each object in the schema lists exactly its model's fields (origin is never written)."""
    document = recommendation_schema()
    defs: Any = document["$defs"]
    models = {
        "step": trustkit.Step,
        "action": trustkit.Action,
        "resource": trustkit.Resource,
        "evidence": trustkit.Evidence,
        "alternative": trustkit.Alternative,
        "pack_ref": trustkit.PackRef,
    }
    expected = {f.name for f in attrs.fields(trustkit.Recommendation)}
    assert set(document["properties"]) == expected  # type: ignore[call-overload]
    for name, model in models.items():
        fields = {f.name for f in attrs.fields(model)} - {"origin"}
        assert set(defs[name]["properties"]) == fields, name
        assert set(defs[name]["required"]) == fields, name


Change = Callable[[dict[str, Any]], object]

CHANGES: list[Change] = [
    lambda d: d.pop("reasons"),
    lambda d: d.update(extra=1),
    lambda d: d.update(urgency="urgent"),
    lambda d: d["resources"][0].update(verified="27/11/2026"),
    lambda d: d["step"]["actions"][0].pop("who"),
    lambda d: d["step"].update(id="Professional Help"),
    lambda d: d.update(packs=[]),
    lambda d: d.update(pack_version="1"),
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_changed_recommendation_is_rejected(change: Change) -> None:
    """A missing or extra field, a bad urgency, id, date or version fail the schema."""
    good = trustkit.converter.unstructure(
        trustkit.recommend_next_step({"self_harm_thoughts": True})
    )
    assert errors("recommendation", good) == []
    document = json.loads(json.dumps(good))
    change(document)
    assert errors("recommendation", document)


@pytest.mark.parametrize(
    ("at", "valid"),
    [
        ("2026-03-01T20:15:00+00:00", True),
        ("2026-03-01t20:15:00z", True),
        ("2026-03-01T20:15:00.123456789-05:30", True),
        ("20260301T201500Z", False),
        ("2026-W09-7T20:15:00+00:00", False),
        ("2026-03-01T20:15:00+0100", False),
        ("2026-02-30T20:15:00Z", False),
    ],
)
def test_the_schema_and_trustkit_agree_on_at(at: str, valid: bool) -> None:
    """at is an RFC 3339 date-time for both: T and Z in either case; other ISO forms fail."""
    document = _checkin(at=at)
    assert (errors("checkin", document) == []) is valid
    if valid:
        assert trustkit.parse_checkin(document).at.utcoffset() is not None
    else:
        with pytest.raises(trustkit.AnswerError, match="at: an ISO 8601 timestamp"):
            trustkit.parse_checkin(document)


def test_the_documented_differences_on_at() -> None:
    """trustkit also takes a space for the T, not a leap second; no offset fails both."""
    spaced = _checkin(at="2026-03-01 20:15:00+00:00")
    assert errors("checkin", spaced)
    assert trustkit.parse_checkin(spaced).at.hour == 20
    assert "space for the T" in str(checkin_schema()["properties"]["at"]["description"])  # type: ignore[index]
    with pytest.raises(trustkit.AnswerError):
        trustkit.parse_checkin(_checkin(at="2026-12-31T23:59:60Z"))
    naive = _checkin(at="2026-03-01T20:15:00")
    assert errors("checkin", naive)
    with pytest.raises(trustkit.AnswerError, match="timezone-aware"):
        trustkit.parse_checkin(naive)
