"""Examples inside packs: `trustkit pack test` and `trustkit.run_examples`, with rule coverage."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import Overlay, examples
from tests.strategies import ROLES, valid_answers
from trustkit._cli import main

APART = (
    Path(__file__).parent.parent / "examples" / "packs" / "apart" / "trustkit_pack_apart" / "data"
)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_core_examples_pass_and_make_every_rule_decide() -> None:
    """CI's check of the bundled pack: every example passes, every rule decides one."""
    code, out, _ = run("pack", "test", "core", "--min-coverage", "100")
    assert code == 0, out
    assert out.splitlines() == [
        f"core 1.2.0: {trustkit.run_examples('core').examples} examples, 0 failures",
        "coverage: 29 of 29 rules decided an example (100.0%)",
    ]


def test_the_example_overlay_passes_with_core_at_full_coverage() -> None:
    """CI's check of examples/packs/apart: its examples and core's, on the merged pack."""
    for argv in ([str(APART)], ["core", str(APART)], ["core", "--overlay", str(APART)]):
        code, out, _ = run("pack", "test", *argv, "--min-coverage", "100")
        assert code == 0, out
        assert "core 1.2.0, apart 1.0.0:" in out
        assert "(100.0%)" in out
    report = trustkit.run_examples(APART)
    assert report.ok
    assert report.coverage == 100.0
    assert {"stay-connected-distance-strain", "catch-all"} <= set(report.decided)


def test_failures_name_file_line_and_what_differs(overlay: Overlay) -> None:
    folder = overlay(
        examples='[[examples]]\nid = "fine"\nanswers = { feels_heard = 1 }\n'
        'expect = { step = "validation" }\n\n'
        '[[examples]]\nid = "wrong"\nanswers = { feels_heard = 1 }\n'
        'expect = { step = "patience", urgency = "warning", safety = true }\n'
    )
    code, out, _ = run("pack", "test", "core", str(folder))
    assert code == 1
    assert out.splitlines()[0] == (
        "FAIL extra/examples.toml:7: wrong: expected step 'patience', got 'validation'; "
        "expected urgency 'warning', got 'info'; expected safety true, got false "
        "(step validation, rule validation-not-heard)"
    )
    report = trustkit.run_examples("core", folder)
    assert not report.ok
    assert [str(f) for f in report.failures] == [out.splitlines()[0].removeprefix("FAIL ")]
    assert report.examples == trustkit.run_examples("core").examples + 2


def test_coverage_lists_rules_never_decided_and_never_held(overlay: Overlay) -> None:
    folder = overlay(
        rules='[[rules]]\nid = "never"\nstep = "patience"\npriority = 1\nreason = "R."\n'
        'when = { answer = "missed_commitments", op = "=", value = 99 }\n\n'
        '[[rules]]\nid = "held-only"\nstep = "educate"\npriority = 1\nreason = "R."\n'
        'when.all = [{ answered = "feels_heard" }, '
        '{ answer = "feels_heard", op = "<=", value = 2 }]\n'
    )
    code, out, _ = run("pack", "test", "core", str(folder))
    assert code == 0
    report = trustkit.run_examples("core", folder)
    assert report.never_decided == ("held-only", "never")
    assert report.never_held == ("never",)
    assert report.coverage == pytest.approx(100 * 29 / 31)
    assert "coverage: 29 of 31 rules decided an example (93.5%)" in out
    assert "  no example made these decide: held-only, never" in out
    assert "  these never held: never" in out
    code, out, _ = run("pack", "test", "core", str(folder), "--min-coverage", "95")
    assert code == 1
    assert out.endswith("coverage is below the minimum of 95%\n")
    code, out, _ = run("pack", "test", "core", str(folder), "--min-coverage", "90", "--json")
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    assert data["ok"] is True
    assert data["never_held"] == ["never"]
    code, out, _ = run("pack", "test", "core", str(folder), "--min-coverage", "95", "--json")
    assert (code, json.loads(out)["ok"]) == (1, False)


def test_min_coverage_must_be_a_percentage(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("lots", "101", "-1"):
        with pytest.raises(SystemExit):
            main(["pack", "test", "core", "--min-coverage", bad])
        assert "expected a percentage from 0 to 100" in capsys.readouterr().err


BAD_EXAMPLES = """\
examples_too = 1

[[examples]]
id = "unknown-question"
answers = { no_such_question = 3, feels_heard = 9 }
expect = { step = "validation" }

[[examples]]
id = "unknown-targets"
respondent = "nobody"
answers = {}
expect = { step = "no_such_step", rule = "no-such-rule", urgency = "soon", colour = "red" }

[[examples]]
id = "unknown-targets"
answers = []
expect = {}

[[examples]]
id = "Bad Id"
answers = {}

[[examples]]
id = "bad-history"
answers = {}
history = [
  { weeks_ago = -1, answers = { feels_heard = true } },
  { answers = {}, recommended = "nowhere", when = "now" },
  { days_ago = "two", respondent = "supporter", answers = { feels_heard = 2 } },
]
boundaries = [{ status = "maybe" }, { review_in_days = 1.5 }, { review_in_days = true }]
expect = { safety = "no" }

[[examples]]
id = "fine"
answers = {}
expect = { rule = "catch-all" }
"""


def test_bad_examples_are_pack_errors_with_file_and_line(overlay: Overlay) -> None:
    folder = overlay(examples=BAD_EXAMPLES)
    with pytest.raises(trustkit.PackError) as caught:
        trustkit.run_examples("core", folder)
    found = {(p.item, p.field, p.line): p.message for p in caught.value.problems}
    assert len(found) == len(caught.value.problems)
    assert all(p.file == "extra/examples.toml" for p in caught.value.problems)
    assert found == {
        ("", "examples_too", None): "unknown field (check the spelling)",
        ("unknown-question", "answers.no_such_question", 4): "expected a known question id",
        ("unknown-question", "answers.feels_heard", 4): "expected a whole number from 1 to 5",
        ("unknown-targets", "respondent", 9): "expected one of 'partner', 'supporter'",
        ("unknown-targets", "expect.step", 9): "no such step in the pack",
        ("unknown-targets", "expect.rule", 9): "no such rule in the pack",
        ("unknown-targets", "expect.urgency", 9): "expected one of 'info', 'warning', 'critical'",
        ("unknown-targets", "expect.colour", 9): "unknown field (check the spelling)",
        ("unknown-targets", "id", 9): "another example has this id",
        ("unknown-targets", "answers", 9): "expected a table of question id to answer",
        ("unknown-targets", "expect", 9): "expected at least one of step, rule, urgency, safety",
        (
            "Bad Id",
            "id",
            20,
        ): "use lowercase letters, digits, '-' and '_', starting with a letter or digit",
        ("Bad Id", "expect", 20): "missing",
        ("bad-history", "history[0].weeks_ago", 24): "expected a number from 0 to 5,300",
        (
            "bad-history",
            "history[0].answers.feels_heard",
            24,
        ): "expected a whole number from 1 to 5",
        (
            "bad-history",
            "history[1]",
            24,
        ): "an earlier check-in needs weeks_ago or days_ago above 0",
        ("bad-history", "history[1].recommended", 24): "no such step in the pack",
        ("bad-history", "history[1].when", 24): "unknown field (check the spelling)",
        ("bad-history", "history[2].days_ago", 24): "expected a number from 0 to 36,600",
        (
            "bad-history",
            "history[2].answers.feels_heard",
            24,
        ): "expected a question the supporter is not asked",
        ("bad-history", "boundaries[0].status", 24): (
            "expected one of 'proposed', 'agreed', 'crossed', 'reviewed', 'retired'"
        ),
        ("bad-history", "boundaries[1].review_in_days", 24): (
            "expected a whole number of days (below 0: overdue)"
        ),
        ("bad-history", "boundaries[2].review_in_days", 24): (
            "expected a whole number of days (below 0: overdue)"
        ),
        ("bad-history", "expect.safety", 24): "expected true or false",
    }
    code, out, _ = run("pack", "test", "core", str(folder))
    assert code == 1
    assert "error: extra/examples.toml:4: unknown-question: answers.feels_heard: " in out
    assert out.endswith(f"{len(caught.value.problems)} errors; the examples cannot run\n")
    assert "9" not in out.split("answers.feels_heard")[1].split("\n")[0]  # never the value


def test_broken_examples_files(overlay: Overlay) -> None:
    folder = overlay(examples="[[examples]\n")
    with pytest.raises(trustkit.PackError, match=r"extra/examples.toml:1: not valid TOML"):
        trustkit.run_examples("core", folder)
    folder = overlay("other", examples='examples = "many"\n')
    with pytest.raises(trustkit.PackError, match="expected a list of tables"):
        trustkit.run_examples("core", folder)
    code, out, _ = run("pack", "test", "core", str(folder))
    assert (code, out.endswith("1 error; the examples cannot run\n")) == (1, True)


def test_a_pack_without_examples_covers_nothing(overlay: Overlay, tmp_path: Path) -> None:
    folder = overlay()
    report = trustkit.run_examples("core", folder)
    assert report.examples == trustkit.run_examples("core").examples
    assert report.coverage == 100.0
    empty = trustkit.ExampleReport(packs=(), examples=0, failures=(), rules=(), decided=(), held=())
    assert (empty.coverage, empty.ok) == (100.0, True)


@settings(max_examples=examples(25))
@given(ROLES, st.data())
def test_an_example_expecting_what_recommend_gives_passes(
    role: trustkit.Role, data: st.DataObject
) -> None:
    """Any valid check-in, written down as an example of what it gets, passes and is covered."""
    answers = {k: v for k, v in data.draw(valid_answers(role)).items() if v is not None}
    rec = trustkit.recommend_next_step(answers, respondent=role)
    values = ", ".join(f"{k} = {json.dumps(v)}" for k, v in answers.items())
    text = (
        f'[[examples]]\nid = "drawn"\nrespondent = "{role.value}"\nanswers = {{ {values} }}\n'
        f'expect = {{ step = "{rec.step.id}", rule = "{rec.rule_id}", '
        f'urgency = "{rec.urgency.value}", safety = {json.dumps(rec.safety)} }}\n'
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "drawn"
        root.mkdir()
        (root / "pack.toml").write_text(
            'id = "drawn"\nversion = "1.0.0"\ntitle = "Drawn"\nextends = "core >=1,<2"\n',
            encoding="utf-8",
        )
        (root / "examples.toml").write_text(text, encoding="utf-8")
        report = trustkit.run_examples("core", root)
    assert report.ok
    assert rec.rule_id in report.decided


# ------------------------------------------------------------ pack check reads examples.toml

CHECKED_EXAMPLES = """\
[[examples]]
id = "typo"
answers = { feels_herd = 2 }
expect = { step = "validaton" }

[[examples]]
id = "far-away"
answers = { feels_heard = 2 }
history = [
  { weeks_ago = nan, answers = { feels_heard = 2 } },
  { days_ago = inf, answers = { feels_heard = 2 } },
  { weeks_ago = 1e300, answers = { feels_heard = 2 } },
]
expect = { rule = "validation-not-heard" }

[[examples]]
id = "same-time"
answers = { feels_heard = 2 }
history = [
  { weeks_ago = 1, answers = { feels_heard = 2 } },
  { days_ago = 7, answers = { feels_heard = 3 } },
  { days_ago = 7, respondent = "supporter", answers = {} },
]
expect = { rule = "nowhere" }
"""


def test_pack_check_reports_the_examples_with_file_and_line(overlay: Overlay) -> None:
    """An unknown question, non-finite or huge dates, two check-ins at once: each with its line."""
    folder = overlay(examples=CHECKED_EXAMPLES)
    code, out, _ = run("pack", "check", "--pack", "core", "--overlay", str(folder))
    assert code == 1
    lines = out.splitlines()
    assert lines == [
        "error: extra/examples.toml:2: typo: answers.feels_herd: expected a known question id "
        "(did you mean 'feels_heard'?)",
        "error: extra/examples.toml:2: typo: expect.step: no such step in the pack "
        "(did you mean 'validation'?)",
        "error: extra/examples.toml:7: far-away: history[0].weeks_ago: "
        "expected a number from 0 to 5,300",
        "error: extra/examples.toml:7: far-away: history[1].days_ago: "
        "expected a number from 0 to 36,600",
        "error: extra/examples.toml:7: far-away: history[2].weeks_ago: "
        "expected a number from 0 to 5,300",
        "error: extra/examples.toml:17: same-time: history[1]: another earlier check-in of "
        "this respondent is at the same time: give each its own weeks_ago or days_ago",
        "error: extra/examples.toml:17: same-time: expect.rule: no such rule in the pack",
        "7 errors; the pack cannot be used",
    ]
    # pack test refuses the same, rather than a bare exception from deep inside
    with pytest.raises(trustkit.PackError) as caught:
        trustkit.run_examples("core", folder)
    assert [f"error: {p}" for p in caught.value.problems] == lines[:-1]


def test_pack_check_passes_good_examples(overlay: Overlay) -> None:
    """The bundled pack's examples and a sound overlay's pass pack check."""
    assert run("pack", "check")[:2] == (0, "core 1.2.0: no errors, 0 warnings\n")
    code, out, _ = run("pack", "check", "--pack", str(APART))
    assert code == 0, out
    assert out.startswith("core 1.2.0, apart 1.0.0: no errors")
