"""One description of the pack format: the loader, schemas, shipped files and docs follow it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs
import pytest

import trustkit
from tests.conftest import Overlay
from trustkit._cli import main
from trustkit._engine.compile import RULE_TEXTS, STEP_TEXTS
from trustkit._pack import overlay, spec, translate
from trustkit._schema import (
    SCHEMA_NAMES,
    _write,
    checkin_schema,
    field_table,
    pack_file_schema,
    schema,
    schema_text,
    with_field_tables,
)
from trustkit._schema import main as schema_main
from trustkit._vocabulary import LABELS
from trustkit.models import Role

DOCS = Path(__file__).parent.parent / "docs" / "pack-format.md"
MODELS = {
    "steps": trustkit.Step,
    "actions": trustkit.Action,
    "dimensions": trustkit.Dimension,
    "questions": trustkit.Question,
    "rules": trustkit.Rule,
    "resources": trustkit.Resource,
    "plans": trustkit.PlanTemplate,
}


@pytest.mark.parametrize("kind", list(spec.TABLES))
def test_every_model_field_is_declared_once(kind: str) -> None:
    """Each declared table has exactly its model's fields (origin is where, not what)."""
    declared = [f.name for f in spec.TABLES[kind].fields]
    model = {f.name for f in attrs.fields(MODELS[kind])} - {"origin"}
    assert len(declared) == len(set(declared))
    assert set(declared) == model


def test_every_template_is_declared_once() -> None:
    """The templates and months are the fields of Messages; placeholders are what it allows."""
    model = {f.name for f in attrs.fields(trustkit.Messages)} - {"origin"}
    assert set(spec.MESSAGE_FIELDS) == model
    assert spec.TEMPLATES["safety_earlier"].default is not None
    assert spec.TEMPLATES["answer_scale"].words.endswith("Placeholders: {prompt}, {value}.")
    assert spec.TEMPLATES["streak"].words.endswith("Placeholder: {value}.")
    assert spec.TEMPLATES["safety_earlier"].words.endswith("Placeholder: {emergency}.")
    assert spec.TEMPLATES["emergency_elsewhere"].words.endswith("No placeholders.")


def test_optional_templates_have_the_models_defaults() -> None:
    """An optional template (safety_earlier, every label) defaults as Messages does; no other."""
    fields = attrs.fields_dict(trustkit.Messages)
    for name, template in spec.TEMPLATES.items():
        default = fields[name].default
        assert default == (attrs.NOTHING if template.default is None else template.default), name
    assert set(LABELS) <= {n for n, t in spec.TEMPLATES.items() if t.default is not None}
    assert spec.TEMPLATES["checkin_retry"].placeholders == ("hint", "back")
    assert set(spec.SAFETY_MESSAGES) == {
        "safety_earlier",
        "emergency_elsewhere",
        "checkin_safety",
        *(f"plan_{part.value}" for part in trustkit.PlanPart),
    }
    messages = pack_file_schema("messages")["$defs"]["templates"]["properties"]  # type: ignore[index]
    assert messages["hint_count"]["default"] == LABELS["hint_count"]
    assert "default" not in messages["answer_yes"]


@pytest.mark.parametrize("kind", list(spec.TABLES))
def test_the_schema_has_the_declared_fields(kind: str) -> None:
    """Each item schema lists the declared fields and requires the required ones."""
    table = spec.TABLES[kind]
    defs = pack_file_schema(table.file.removesuffix(".toml"))["$defs"]
    item: dict[str, object] = defs[table.item]  # type: ignore[index]
    assert list(item["properties"]) == [f.name for f in table.fields]  # type: ignore[call-overload]
    assert item.get("required", []) == list(table.required)


def test_overlays_and_locales_follow_the_declaration() -> None:
    """What overlays may change and locales may translate is read from the fields' marks."""
    assert {k: tuple(v) for k, v in overlay.OVERRIDABLE.items()} == dict(spec.OVERRIDABLE)
    assert translate.TRANSLATABLE is spec.TRANSLATABLE
    assert spec.OVERRIDABLE["rules"] == (
        "priority",
        "urgency",
        "reason",
        "reason_partner",
        "reason_supporter",
        "resources",
    )


def test_the_texts_for_each_role_are_declared_once() -> None:
    """The spec's per-role texts are the models' (the engine reads them from the models)."""
    assert spec.ROLE_TEXTS == {"steps": STEP_TEXTS, "rules": RULE_TEXTS}
    assert STEP_TEXTS == ("title", "summary")
    for kind, names in spec.ROLE_TEXTS.items():
        table = spec.TABLES[kind]
        for name in names:
            base = table.field(name)
            for role in Role:
                version = table.field(f"{name}_{role.value}")
                assert version.role is role
                assert not version.required
                assert (version.shape, version.overlay, version.translate) == (
                    base.shape,
                    base.overlay,
                    base.translate,
                )
                assert version.schema == base.schema
                assert version.placeholders == base.placeholders
    assert "country" not in spec.OVERRIDABLE["resources"]


@pytest.mark.parametrize("kind", list(spec.TABLES))
def test_the_loader_accepts_every_declared_field_and_no_other(overlay: Overlay, kind: str) -> None:
    """Only declared fields are read: a key the declaration lacks is an unknown field."""
    table = spec.TABLES[kind]
    text = {
        "steps": "[[steps]]\nid = 'x'\ntitle = 't'\nsummary = 's'\nwhy = 'w'\nextra = 1\n",
        "actions": "[[actions]]\nstep = 'educate'\nid = 'x'\ntitle = 't'\nhow = 'h'\n"
        "minutes = 1\nwho = 'either'\nextra = 1\n",
        "dimensions": "[[dimensions]]\nid = 'x'\nlabel = 'l'\nextra = 1\n",
        "questions": "[[questions]]\nid = 'x'\nprompt = 'p'\nkind = 'count'\n"
        "respondents = ['partner']\nextra = 1\n",
        "rules": "[[rules]]\nid = 'x'\nstep = 'educate'\nwhen = { always = true }\n"
        "priority = 1\nreason = 'r'\nextra = 1\n",
        "resources": "[[resources]]\nid = 'x'\nname = 'n'\ntopics = ['crisis']\n"
        "country = 'US'\nsource = 's'\nverified = 2026-01-01\nurl = 'u'\nextra = 1\n",
        "plans": "[[plans]]\nid = 'x'\nkind = 'abuse'\ntitle = 't'\nintro = 'i'\n"
        "warning_signs = ['w']\non_my_own = ['o']\npeople_and_places = ['p']\n"
        "ask_for_help = ['a']\nprofessionals = ['p']\nsafer = ['s']\n"
        "resources = ['domestic_abuse']\nextra = 1\n",
    }[kind]
    root = overlay(**{table.file.removesuffix(".toml"): text})
    with pytest.raises(trustkit.PackError) as info:
        trustkit.load_pack(root)
    assert [(p.item, p.field, p.message) for p in info.value.problems] == [
        ("x", "extra", "unknown field (check the spelling)")
    ]


# ------------------------------------------------------------------ shipped schemas


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_the_shipped_schema_is_the_generated_one(name: str) -> None:
    """The JSON files in the package match what the code generates (run --write if not)."""
    shipped = files("trustkit").joinpath("schemas", f"{name}.json")
    assert shipped.read_text(encoding="utf-8") == schema_text(name), (
        f"schemas/{name}.json is out of date: run python -m trustkit._schema --write"
    )


def test_no_other_schema_is_shipped() -> None:
    """The package's schemas folder holds one file per schema name, and nothing else."""
    names = {node.name for node in files("trustkit").joinpath("schemas").iterdir()}
    assert names == {f"{name}.json" for name in SCHEMA_NAMES}


def test_the_docs_field_tables_are_the_generated_ones() -> None:
    """docs/pack-format.md's field tables come from the declaration (run --write if not)."""
    if not DOCS.is_file():  # pragma: no cover - the docs are next to the tests in a checkout
        pytest.skip("docs/ is not here")
    text = DOCS.read_text(encoding="utf-8")
    assert with_field_tables(text) == text, "run python -m trustkit._schema --write"
    for kind in (*spec.TABLES, "messages"):
        assert field_table(kind) in text


def test_write_regenerates_schemas_and_docs(tmp_path: Path) -> None:
    """--write writes what is out of date, and only that."""
    docs = tmp_path / "page.md"
    docs.write_text(
        "Intro\n\n<!-- generated: rules -->\nold\n<!-- end generated: rules -->\nEnd\n",
        encoding="utf-8",
    )
    folder = tmp_path / "schemas"
    written = _write(folder, docs)
    assert len(written) == len(SCHEMA_NAMES) + 1
    assert field_table("rules") in docs.read_text(encoding="utf-8")
    assert docs.read_text(encoding="utf-8").endswith("<!-- end generated: rules -->\nEnd\n")
    assert _write(folder, docs) == []
    assert _write(folder, None) == []


def test_the_write_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --write it only explains itself; with it, it says what it wrote."""
    assert schema_main([]) == 2
    assert "--write" in capsys.readouterr().out
    assert schema_main(["--write", "--docs", "no/such/page.md"]) == 0
    assert capsys.readouterr().out == ""  # the shipped schemas are up to date
    page = tmp_path / "page.md"
    page.write_text("<!-- generated: steps -->\n<!-- end generated: steps -->\n", "utf-8")
    assert schema_main(["--write", "--docs", str(page)]) == 0
    assert capsys.readouterr().out == f"wrote {page}\n"


def test_python_m_trustkit_schema_runs() -> None:
    """`python -m trustkit._schema` is the regeneration script."""
    done = subprocess.run(
        [sys.executable, "-m", "trustkit._schema"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "--write" in done.stdout


# ------------------------------------------------------------------ json_schema


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_json_schema_gives_a_fresh_copy_of_each_schema(name: str) -> None:
    """trustkit.json_schema(NAME) is the shipped schema; changing it changes no later call."""
    first = trustkit.json_schema(name)
    assert first == schema(name)
    first["title"] = "changed"
    assert trustkit.json_schema(name)["title"] != "changed"


def test_json_schema_of_an_unknown_name() -> None:
    """An unknown name is a KeyError that lists the names."""
    with pytest.raises(KeyError, match="pack-rules"):
        trustkit.json_schema("rules")


def test_the_checkin_schema_of_an_overlay_knows_its_questions(overlay: Overlay) -> None:
    """Given a pack, the check-in schema lists its questions, the overlay's too."""
    root = overlay(
        questions="[[questions]]\nid = 'calls_missed'\nprompt = 'Calls we missed'\n"
        "kind = 'count'\nrespondents = ['partner']\n"
    )
    pack = trustkit.load_pack(root)
    mine: Any = trustkit.json_schema("checkin", pack=pack)
    bundled: Any = trustkit.json_schema("checkin")
    assert mine["properties"]["answers"]["properties"]["calls_missed"]["minimum"] == 0
    assert "calls_missed" not in bundled["properties"]["answers"]["properties"]
    assert trustkit.json_schema("checkin", pack=pack) == checkin_schema(pack)
    assert trustkit.json_schema("pack-rules", pack=pack) == trustkit.json_schema("pack-rules")
    out, err = io.StringIO(), io.StringIO()
    assert main(["schema", "checkin", "--pack", "core", str(root)], stdout=out, stderr=err) == 0
    assert json.loads(out.getvalue()) == checkin_schema(pack)
    out = io.StringIO()
    assert main(["schema", "checkin", "--pack", "core"], stdout=out, stderr=err) == 0
    assert json.loads(out.getvalue()) == trustkit.json_schema("checkin")
