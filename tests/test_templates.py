"""Message templates: plain placeholders only, in messages, overrides and every locale file."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

import trustkit
from tests.conftest import Overlay
from trustkit import PackError
from trustkit._pack.load import bundled_root
from trustkit._pack.spec import MESSAGE_TEMPLATES
from trustkit._pack.validate import template_problem

HOSTILE = [
    "{value:s}",
    "{prompt:{x}}",
    "{prompt:>50000000}",
    "{value!r}",
    "{value.real}",
    "{value[0]}",
    "{prompt",
    "{nope}",
]


def test_every_shipped_template_is_plain() -> None:
    """The core pack's messages and every one of its locale files use plain placeholders."""
    core = bundled_root("core")
    assert isinstance(core, Path)
    sources = [tomllib.loads((core / "messages.toml").read_text("utf-8"))["explain"]]
    locales = sorted((core / "locales").glob("*.toml"))
    assert locales
    sources += [tomllib.loads(f.read_text("utf-8")).get("messages", {}) for f in locales]
    for templates in sources:
        for name in MESSAGE_TEMPLATES:
            if name in templates:
                assert template_problem(name, templates[name]) is None, name
    for tag in trustkit.default_pack().locales:  # and as loaded
        messages = trustkit.default_pack().localized(tag).messages
        assert all(template_problem(n, getattr(messages, n)) is None for n in MESSAGE_TEMPLATES)


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_templates_are_refused_in_messages_toml(tmp_path: Path, template: str) -> None:
    """A base pack's messages.toml with a format spec, attribute, index or bad brace fails."""
    root = tmp_path / "base"
    source = bundled_root("core")
    assert isinstance(source, Path)
    shutil.copytree(source, root)
    text = (root / "messages.toml").read_text("utf-8")
    planted = re.sub(r"^score = .*$", f'score = "{template}"', text, count=1, flags=re.M)
    assert planted != text
    (root / "messages.toml").write_text(planted, "utf-8")
    with pytest.raises(PackError) as caught:
        trustkit.load_pack(root)
    (problem,) = caught.value.problems
    assert (problem.field, problem.file.endswith("messages.toml")) == ("score", True)


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_templates_are_refused_in_overrides_with_file_and_line(
    overlay: Overlay, template: str
) -> None:
    """In an overlay's [messages], the problem names overrides.toml and the table's line."""
    folder = overlay(overrides=f'# changed wording\n[messages]\nscore = "{template}"\n')
    with pytest.raises(PackError) as caught:
        trustkit.load_pack(folder)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("extra/overrides.toml", 2, "score")


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_templates_are_refused_in_locale_files_with_file_and_line(
    overlay: Overlay, template: str
) -> None:
    """In a locale file, the problem names the file and line, when the locale is read."""
    folder = overlay()
    (folder / "locales").mkdir()
    (folder / "locales" / "es.toml").write_text(
        f'[steps.educate]\ntitle = "x"\n[messages]\nanswer_scale = "{template}"\n', "utf-8"
    )
    pack = trustkit.load_pack(folder)
    with pytest.raises(PackError) as caught:
        pack.localized("es")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (
        "extra/locales/es.toml",
        3,
        "answer_scale",
    )
