"""Hostile packs: extreme values and crafted text are PackErrors in the right file, quickly."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

import trustkit
from tests.conftest import Overlay
from trustkit import PackError, PackProblem
from trustkit._cli import main
from trustkit._pack.load import bundled_root
from trustkit._pack.read import Lines


def copy_core(tmp_path: Path, name: str = "mypack") -> Path:
    """A copy of the bundled pack to edit."""
    source = bundled_root("core")
    assert isinstance(source, Path)
    root = tmp_path / name
    shutil.copytree(source, root)
    return root


def edit(root: Path, file: str, old: str, new: str) -> None:
    """Replace the first ``old`` in one of the pack's files."""
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(*roots: Path) -> tuple[PackProblem, ...]:
    """The problems load_pack finds, in this order of packs."""
    with pytest.raises(PackError) as info:
        trustkit.load_pack(*roots)
    return info.value.problems


def line_of(root: Path, file: str, needle: str) -> int:
    """The line a text is on in one of the pack's files."""
    lines = (root / file).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


# ------------------------------------------------------------------ extreme values


def test_a_priority_of_more_than_4300_digits_is_a_pack_error(tmp_path: Path) -> None:
    """Python will not read such an integer; the loader says so, with file and line."""
    root = copy_core(tmp_path)
    edit(root, "rules.toml", "priority = 45", "priority = " + "9" * 5000)
    (problem,) = problems(root)
    assert problem.file == "mypack/rules.toml"
    assert problem.line == line_of(root, "rules.toml", "9" * 5000)
    assert "4300 digits" in problem.message


def test_pack_check_prints_a_huge_number_as_an_error_not_a_traceback(tmp_path: Path) -> None:
    """`trustkit pack check` lists the problem and exits 1."""
    root = copy_core(tmp_path)
    edit(root, "rules.toml", "priority = 45", "priority = " + "1_2" * 3000)
    out, err = io.StringIO(), io.StringIO()
    assert main(["pack", "check", str(root)], stdout=out, stderr=err) == 1
    assert "mypack/rules.toml" in out.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("pack.toml", 'id = "core"', 'id = ""'),
        ("rules.toml", 'id = "catch-all"', 'id = ""'),
        ("resources.toml", 'id = "us-988-lifeline"', 'id = ""'),
        ("steps.toml", 'id = "educate-ask-about-the-past"', 'id = ""'),
        ("questions.toml", 'id = "hope"', 'id = ""'),
        ("rules.toml", 'id = "catch-all"', 'id = "catch-all-\u0663"'),
    ],
)
def test_empty_and_non_ascii_ids_are_refused(tmp_path: Path, file: str, old: str, new: str) -> None:
    """An id is never empty and is ASCII only, for a pack and for every item."""
    root = copy_core(tmp_path)
    edit(root, file, old, new)
    found = problems(root)
    assert any(p.file == f"mypack/{file}" and p.field == "id" for p in found), found


@pytest.mark.parametrize(
    "version", ["", "\u0661.\u0660.\u0660", "1.0", "1.0.0.", "v1.0.0", "1.0.0\n"]
)
def test_bad_versions_are_refused(tmp_path: Path, version: str) -> None:
    """A version is a semantic version in ASCII digits, never empty."""
    root = copy_core(tmp_path)
    edit(root, "pack.toml", 'version = "1.2.0"', f"version = {version!r}".replace("'", '"'))
    found = problems(root)
    assert [(p.file, p.field) for p in found] == [("mypack/pack.toml", "version")]
    assert found[0].line == line_of(root, "pack.toml", "version")


def test_an_empty_id_in_a_python_built_pack_is_refused() -> None:
    """A rule with an empty id could win recommendations: check_pack refuses it."""
    pack = trustkit.default_pack()
    rule = attrs.evolve(pack.rules[-1], id="")
    with pytest.raises(PackError) as info:
        trustkit.check_pack(attrs.evolve(pack, rules=(*pack.rules[:-1], rule)))
    assert [(p.item, p.field) for p in info.value.problems] == [("", "id")]
    with pytest.raises(PackError, match="lowercase"):
        trustkit.check_pack(attrs.evolve(pack, id="Core"))


# ------------------------------------------------------------------ the right file


def test_an_overridden_field_is_reported_in_overrides_toml(overlay: Overlay) -> None:
    """A problem with a field an overlay changed is in the overlay's file, at its line."""
    overrides = (
        "# changes\n\n[steps.patience]\nsummary = '" + "x" * 141 + "'\n\n"
        "[messages]\nscore = 'Your {nope} score'\n"
    )
    root = overlay(overrides=overrides)
    found = {(p.file, p.item, p.field, p.line) for p in problems(root)}
    assert found == {
        ("extra/overrides.toml", "patience", "summary", 3),
        ("extra/overrides.toml", "messages", "score", 6),
    }


def test_a_broken_template_is_reported_in_the_packs_own_messages_toml(tmp_path: Path) -> None:
    """Not in a <pack>/messages.toml pseudo-file: in the file, at its [explain] table."""
    root = copy_core(tmp_path)
    edit(root, "messages.toml", "for {label} is", "for {lable} is")
    (problem,) = problems(root)
    assert (problem.file, problem.item, problem.field) == (
        "mypack/messages.toml",
        "messages",
        "score",
    )
    assert problem.line == line_of(root, "messages.toml", "[explain]")


def test_a_fault_in_pack_toml_is_reported_there(tmp_path: Path) -> None:
    """pack.toml's problems name pack.toml, with the line."""
    root = copy_core(tmp_path)
    edit(root, "pack.toml", "safety_period_weeks = 52", "safety_period_weeks = 4")
    (problem,) = problems(root)
    assert (problem.file, problem.field) == ("mypack/pack.toml", "safety_period_weeks")
    assert problem.line == line_of(root, "pack.toml", "safety_period_weeks =")


def test_a_second_overlay_is_checked_with_the_first_once(overlay: Overlay) -> None:
    """The merged pack is checked once, after every overlay; each problem names its file."""
    first = overlay("first", overrides="[steps.patience]\nsummary = 'Short.'\n")
    second = overlay(
        "second", extends="first >=1", overrides="[steps.patience]\nwhy = ''\n[dimensions.hope]\n"
    )
    pack = trustkit.load_pack(first, second)
    assert pack.step("patience").summary == "Short."
    assert [ref.id for ref in pack.packs] == ["core", "first", "second"]


# ------------------------------------------------------------------ line numbers


def test_line_numbers_skip_the_insides_of_multi_line_strings() -> None:
    """What looks like an id or a table inside a multi-line string is not one."""
    text = "\n".join(
        [
            'why = """',
            "[steps.fake]",
            'id = "fake"',
            '\\""" still inside',
            '"""',
            '[steps.real]  # a comment with """ in it',
            'id = "real"',
            "how = '''",
            "[rules.fake]",
            "'''",
            "[rules.real]",
            "note = \"a \\\" quote\" # and a ''' in a comment",
            "[rules.last]",
            "",
        ]
    )
    lines = Lines(text)
    assert lines.tables == {("steps", "real"): 6, ("rules", "real"): 11, ("rules", "last"): 13}
    assert lines.ids == {"real": 7}
    assert lines.keys == {"why": 1}


def test_line_numbers_after_multi_line_strings_that_end_on_their_line() -> None:
    """A string opened and closed on one line, or ended with extra quotes, is skipped."""
    text = 'a = """one""" # [x.y]\nb = """\ntwo""""\n[steps.s]\nc = \'\'\'x\'\'\' \'\'\'\n'
    lines = Lines(text)
    assert lines.tables == {("steps", "s"): 4}
    assert lines.keys == {"a": 1, "b": 2}


def test_line_numbers_of_quoted_and_spaced_headers() -> None:
    """[ kind . "item" ] is the same table as [kind.item]; arrays of tables are not keyed."""
    lines = Lines("[ rules . \"a-b\" ]\n[[rules]]\nid = 'x'\n[messages]\n")
    assert lines.tables == {("rules", "a-b"): 1, ("messages", ""): 4}
    assert lines.ids == {"x": 3}


_LOAD = """
import sys, trustkit
try:
    pack = trustkit.load_pack(*sys.argv[1:])
    for tag in pack.locales:
        pack.localized(tag)
except trustkit.PackError as error:
    print(len(error.problems))
"""


def _loads_in_time(*roots: Path) -> None:
    """Load the packs in a fresh interpreter; a generous limit catches quadratic time only."""
    subprocess.run(
        [sys.executable, "-c", _LOAD, *map(str, roots)],
        check=True,
        timeout=10,
        capture_output=True,
    )


def test_a_crafted_multi_line_string_loads_in_linear_time(overlay: Overlay) -> None:
    """Lines of '[steps.' and spaces in a multi-line string once took minutes to number."""
    crafted = ("[steps." + " " * 4000 + "\n") * 240  # just under the size cap
    text = f'[steps.patience]\nwhy = """\n{crafted}"""\n'
    root = overlay(overrides=text, locales__es=text)
    _loads_in_time(root)


def test_many_blank_lines_load_in_linear_time(tmp_path: Path) -> None:
    """40,000 blank lines (and many items after them) once took seconds to number."""
    root = copy_core(tmp_path)
    rules = (root / "rules.toml").read_text(encoding="utf-8")
    (root / "rules.toml").write_text("\n" * 40_000 + rules, encoding="utf-8")
    blank_ids = "\n" * 200_000 + 'id = "x"\n' * 2_000
    (root / "locales" / "xx.toml").write_text(
        "# " + blank_ids.replace("\n", "\n# ") + "\n", encoding="utf-8"
    )
    _loads_in_time(root)
