"""The pack authors' commands: pack check (golden output), pack show, pack graph, schema."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import attrs
import pytest

import trustkit
from tests.conftest import Overlay
from trustkit._cli import main
from trustkit._pack.load import bundled_root

GOLDEN = Path(__file__).parent / "golden"

# Each planted fault: (file, text in the core pack, replacement).
PLANTED = [
    ("rules.toml", '{ answer = "feels_heard", op = "<="', '{ answer = "feels_herd", op = "<="'),
    (
        "rules.toml",
        '{ answer = "boundaries_clear", op = "<="',
        '{ answer = "boundaries_clear", op = "=<"',
    ),
    (
        "rules.toml",
        '{ answer = "understand_roots", op = "<=", value = 2 }',
        '{ answer = "understand_roots", op = ">=", value = 7 }',
    ),
    ("rules.toml", 'priority = 993\nurgency = "critical"', 'priority = 993\nurgency = "info"'),
    ("steps.toml", 'id = "patience"', 'id = "educate"'),
    ("questions.toml", 'id = "hope"\nlabel', 'id = "hope"\nlable'),
    ("resources.toml", 'id = "us-emergency"', 'id = "us-emergency"\ncolour = "red"'),
]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A copy of the core pack, in a folder named 'broken', with every fault above planted."""
    source = bundled_root("core")
    assert isinstance(source, Path)
    root = tmp_path / "broken"
    shutil.copytree(source, root)
    for file, old, new in PLANTED:
        path = root / file
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def test_pack_check_lists_every_planted_fault_with_its_location(broken: Path) -> None:
    """The output matches the golden file: every fault, with file, line, item and field."""
    code, out, err = run("pack", "check", "--pack", str(broken))
    assert (code, err) == (1, "")
    golden = GOLDEN / "pack_check_broken.txt"
    if os.environ.get("TRUSTKIT_UPDATE_GOLDEN") == "1":  # regenerate after editing the core pack
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    for needle in (
        "validation-not-heard: when.any[0].answer: unknown question 'feels_herd'",
        "boundaries-unclear: when.op: expected one of",
        "educate-roots: when.value: understand_roots takes values from 1 to 5",
        "safety-abuse: urgency: a safety rule's urgency must be 'critical'",
        "steps.toml:7: educate: id: duplicate step id",
        "questions.toml:35: hope: lable: unknown field",
        "resources.toml:49: us-emergency: colour: unknown field",
    ):
        assert needle in out, needle


def test_pack_check_on_a_good_pack_shows_warnings_with_examples(overlay: Overlay) -> None:
    """Warnings do not fail the check, and come with an example check-in."""
    root = overlay(
        "shadowy",
        rules='[[rules]]\nid = "shadow"\nstep = "celebrate"\npriority = 1\nreason = "Hidden."\n'
        'when = { answer = "feels_heard", op = "<=", value = 1 }\n',
        locales__es='[rules.shadow]\nreason = "Oculta."\n',
    )
    code, out, _ = run("pack", "check", str(root), "--today", "2026-12-06")
    assert code == 0
    assert "warning: shadowed-rule: shadow: 'validation-not-heard' has a higher priority" in out
    assert "  for example, " in out
    assert out.endswith("core 1.2.0, shadowy 1.0.0: no errors, 1 warning\n")


def test_pack_check_with_conflicting_overlays(overlay: Overlay) -> None:
    """Overlays on the command line conflict unless --ordered."""
    one, two = (
        str(overlay(name, overrides=f"[steps.patience]\ntitle = '{name}'\n"))
        for name in ("one", "two")
    )
    code, out, _ = run("pack", "check", "core", one, two)
    assert code == 1
    assert "both one and two change this" in out
    assert out.endswith("1 error; the pack cannot be used\n")
    assert run("pack", "check", "core", one, two, "--ordered")[0] == 0


def test_pack_show_lists_rules_in_the_order_they_are_tried() -> None:
    """Safety rules first, then by priority; texts in the chosen locale."""
    code, out, _ = run("pack", "show", "core")
    assert code == 0
    rule_lines = [line for line in out.splitlines() if " -> " in line]
    assert rule_lines[0].strip().startswith("safety  safety-self-harm -> professional_help")
    assert rule_lines[-1].strip().startswith("0  catch-all -> educate")
    assert "translations: es" in out
    _, spanish, _ = run("pack", "show", "core", "--locale", "es")
    assert trustkit.default_pack().localized("es").step("educate").title in spanish


def test_pack_graph_is_a_mermaid_flowchart() -> None:
    """Every rule links the questions it reads to the step it proposes."""
    code, out, _ = run("pack", "graph", "core")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "flowchart LR"
    assert "  q_feels_heard --> r_validation_not_heard" in lines
    assert "  r_validation_not_heard --> s_validation" in lines
    assert "  q_hopeful --> r_patience_low_hope" in lines
    assert any(line.startswith('  r_catch_all{{"catch-all (0)"}}') for line in lines)


def test_schema_prints_each_schema_as_json() -> None:
    """trustkit schema NAME prints the schema the library builds."""
    from trustkit._schema import SCHEMA_NAMES, schema

    for name in SCHEMA_NAMES:
        code, out, _ = run("schema", name)
        assert code == 0
        assert json.loads(out) == schema(name)


def test_pack_check_warning_without_an_example_and_show_without_translations(
    tmp_path: Path, overlay: Overlay
) -> None:
    """Structural warnings have no example check-in; a pack may have no translations."""
    root = overlay(
        "thin",
        steps='[[steps]]\nid = "rest"\ntitle = "Rest"\nsummary = "S."\nwhy = "W."\n'
        '[[steps.actions]]\nid = "rest-walk"\ntitle = "Walk"\nhow = "Walk."\nminutes = 5\n'
        'who = "either"\n',
        rules='[[rules]]\nid = "rest-now"\nstep = "rest"\npriority = 200\nreason = "Rest."\n'
        'when = { answer = "stuck", op = ">=", value = 5 }\n',
    )
    code, out, _ = run("pack", "check", str(root))
    assert code == 0
    assert "warning: few-actions: rest: has 1 action(s)" in out
    assert (
        "few-actions: rest: has 1 action(s); give people at least 3 to choose from\n  for"
        not in out
    )
    source = bundled_root("core")
    assert isinstance(source, Path)
    shutil.copytree(source, tmp_path / "plain")
    shutil.rmtree(tmp_path / "plain" / "locales")
    code, out, _ = run("pack", "show", str(tmp_path / "plain"))
    assert code == 0
    assert "translations:" not in out


def test_pack_check_warns_about_stale_resources_with_their_place(overlay: Overlay) -> None:
    """--today sets the day 'verified' dates are judged by; the warning names file and line."""
    code, out, _ = run("pack", "check", "core", "--today", "2026-12-06")
    assert code == 0
    assert "stale-resource" not in out
    assert out.endswith("core 1.2.0: no errors, 0 warnings\n")
    code, out, _ = run("pack", "check", "core", "--today", "2027-12-08")
    assert code == 0
    stale = [line for line in out.splitlines() if "stale-resource" in line]
    assert len(stale) == len(trustkit.default_pack().resources)
    assert any(
        line.startswith("warning: core/resources.toml:")
        and ": stale-resource: us-988-lifeline: " in line
        for line in stale
    ), stale
    root = overlay(
        "fresh",
        overrides="[resources.us-988-lifeline]\nverified = 2020-01-01\n",
    )
    code, out, _ = run("pack", "check", str(root), "--today", "2026-12-06")
    assert code == 0
    (line,) = [line for line in out.splitlines() if "stale-resource" in line]
    assert "us-988-lifeline: last verified on 2020-01-01" in line


def test_pack_check_today_must_be_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    """A bad --today is a usage error, naming the expected form."""
    with pytest.raises(SystemExit) as exit_info:
        run("pack", "check", "core", "--today", "tomorrow")
    assert exit_info.value.code == 2
    assert "expected a date such as 2026-11-27, not 'tomorrow'" in capsys.readouterr().err


def test_pack_check_defaults_today_to_the_system_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --today the CLI (never the library) reads the clock."""
    import datetime as dt

    from trustkit import _cli

    assert _cli._today() == dt.date.today()
    monkeypatch.setattr(_cli, "_today", lambda: dt.date(2040, 1, 1))
    code, out, _ = run("pack", "check", "core")
    assert code == 0
    assert "stale-resource" in out


def test_pack_graph_escapes_labels_and_keeps_node_ids_distinct() -> None:
    """A quote in a title cannot end its label, and 'a-b' and 'a_b' stay two nodes."""
    from trustkit._cli import _graph

    core = trustkit.default_pack()
    patience = attrs.evolve(
        core.step("patience"), title='Say "not yet" # <b>kindly</b>\nand `wait`'
    )
    twins = [
        attrs.evolve(core.step("educate"), id=step_id, actions=()) for step_id in ("a-b", "a_b")
    ]
    rules = [
        trustkit.Rule(id=f"to-{s.id}", step=s.id, priority=1, when=trustkit.Answered("feels_heard"))
        for s in twins
    ]
    pack = attrs.evolve(
        core,
        steps=tuple(patience if s.id == "patience" else s for s in core.steps) + tuple(twins),
        rules=(*core.rules, *rules),
    )
    lines = _graph(pack).splitlines()
    (title,) = [line for line in lines if line.startswith("  s_patience([")]
    assert title == (
        '  s_patience(["Say #34;not yet#34; #35; #60;b#62;kindly#60;/b#62;#10;and #96;wait#96;"])'
    )
    assert "  r_to_a_b --> s_a_b" in lines
    assert "  r_to_a_b_2 --> s_a_b_2" in lines
    assert len({line.split("(")[0] for line in lines if line.startswith("  s_a_b")}) == 2
