"""A pack may spread its rules over ``rules/*.toml``, next to or instead of rules.toml."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

import trustkit
from tests.conftest import Overlay
from trustkit._pack.load import bundled_root
from trustkit._pack.spec import MAX_RULES_FILES

RULE = """
[[rules]]
id = "{id}"
step = "validation"
priority = 1
reason = "A rule from the rules folder."
when = {{answer = "feels_heard", op = "<=", value = 1}}
"""


def _copy(tmp_path: Path) -> Path:
    source = bundled_root("core")
    assert isinstance(source, Path)
    root = tmp_path / "split"
    shutil.copytree(source, root)
    return root


def _split(root: Path, parts: int = 3) -> None:
    """Move rules.toml's rules into ``parts`` files under rules/, keeping their text."""
    text = (root / "rules.toml").read_text(encoding="utf-8")
    head, *chunks = text.split("[[rules]]")
    size = -(-len(chunks) // parts)
    (root / "rules").mkdir()
    for n in range(parts):
        body = "".join("[[rules]]" + c for c in chunks[n * size : (n + 1) * size])
        (root / "rules" / f"{n:02d}.toml").write_text(head + body, encoding="utf-8")
    (root / "rules.toml").unlink()


def test_rules_spread_over_a_folder_load_as_one_pack(tmp_path: Path) -> None:
    """The same rules, in the same order, whether in one file or in several."""
    root = _copy(tmp_path)
    _split(root)
    (root / "rules" / "notes.txt").write_text("not a rules file", encoding="utf-8")
    split = trustkit.load_pack(root)
    whole = trustkit.default_pack()
    assert [attrs_rule(r) for r in split.rules] == [attrs_rule(r) for r in whole.rules]
    assert {r.origin.file for r in split.rules if r.origin} == {
        f"split/rules/{n:02d}.toml" for n in range(3)
    }
    answers = {"feels_heard": 1, "promises_kept": 4}
    assert trustkit.recommend_next_step(answers, pack=split).rule_id == (
        trustkit.recommend_next_step(answers).rule_id
    )


def attrs_rule(rule: trustkit.Rule) -> tuple[object, ...]:
    return (rule.id, rule.step, rule.when, rule.priority, rule.reason, rule.safety)


def test_rules_toml_and_the_folder_add_up(tmp_path: Path) -> None:
    """rules.toml comes first, then each file of rules/ in the order of their names."""
    root = _copy(tmp_path)
    (root / "rules").mkdir()
    (root / "rules" / "b.toml").write_text(RULE.format(id="from-b"), encoding="utf-8")
    (root / "rules" / "a.toml").write_text(RULE.format(id="from-a"), encoding="utf-8")
    pack = trustkit.load_pack(root)
    ids = [r.id for r in pack.rules]
    count = len(tomllib.loads((root / "rules.toml").read_text(encoding="utf-8"))["rules"])
    assert ids[count:] == ["from-a", "from-b"]


def test_a_problem_in_a_rules_file_names_that_file(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "rules").mkdir()
    (root / "rules" / "extra.toml").write_text(
        RULE.format(id="extra") + "\n[[rulez]]\nid = 'x'\n", encoding="utf-8"
    )
    (root / "rules" / "dup.toml").write_text(RULE.format(id="extra"), encoding="utf-8")
    with pytest.raises(trustkit.PackError) as info:
        trustkit.load_pack(root)
    found = {(p.file, p.item, p.field, p.message) for p in info.value.problems}
    assert ("split/rules/extra.toml", "", "rulez", "unknown table (check the spelling)") in found
    assert any(f == "split/rules/extra.toml" and m == "duplicate rule id" for f, _, _, m in found)


def test_a_pack_without_rules_toml_needs_the_folder(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "rules.toml").unlink()
    (root / "rules").mkdir()
    with pytest.raises(trustkit.PackError) as info:
        trustkit.load_pack(root)
    assert [(p.file, p.message) for p in info.value.problems] == [
        ("split/rules.toml", "file is missing")
    ]


def test_a_broken_rules_file_is_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _split(root, 2)
    (root / "rules" / "01.toml").write_text("[[rules]\n", encoding="utf-8")
    with pytest.raises(trustkit.PackError) as info:
        trustkit.load_pack(root)
    assert [p.file for p in info.value.problems] == ["split/rules/01.toml"]


def test_the_folder_holds_a_bounded_number_of_files(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "rules").mkdir()
    for n in range(MAX_RULES_FILES + 1):
        (root / "rules" / f"{n:03d}.toml").write_text("", encoding="utf-8")
    with pytest.raises(trustkit.PackError) as info:
        trustkit.load_pack(root)
    assert [(p.file, p.message) for p in info.value.problems] == [
        ("split/rules", f"more than {MAX_RULES_FILES} rules files: merge some of them")
    ]


def test_an_overlay_may_add_rules_in_a_folder(overlay: Overlay) -> None:
    root = overlay("extra", rules__more=RULE.format(id="overlay-rule"))
    pack = trustkit.load_pack(root)
    assert pack.rules[-1].id == "overlay-rule"
    assert pack.rules[-1].origin is not None
    assert pack.rules[-1].origin.file == "extra/rules/more.toml"


def test_a_comparison_naming_no_question_is_read_the_slow_way(tmp_path: Path) -> None:
    """A table shaped like a comparison but without a question's name is never shared."""
    root = _copy(tmp_path)
    (root / "rules").mkdir()
    bad = RULE.format(id="bad").replace('answer = "feels_heard"', "answer = 5")
    (root / "rules" / "bad.toml").write_text(bad + bad.replace('"bad"', '"bad2"'), "utf-8")
    with pytest.raises(trustkit.PackError) as info:
        trustkit.load_pack(root)
    found = [(p.item, p.field, p.message) for p in info.value.problems]
    assert ("bad", "when.answer", "expected text") in found
    assert ("bad2", "when.answer", "expected text") in found
