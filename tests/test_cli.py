"""The trustkit command: readable output, JSON output, one-line errors with exit status 2."""

from __future__ import annotations

import io
import json
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import trustkit
import trustkit._cli
from trustkit._cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "checkin.json"


def run(*argv: str, stdin: str = "", replies: list[str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    answers: Iterator[str] = iter(replies or [])

    def ask(prompt: str) -> str:
        out.write(prompt)
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err, ask=ask)
    return code, out.getvalue(), err.getvalue()


def test_recommend_reads_the_example_checkin() -> None:
    """The README's first command works on the shipped example."""
    code, out, err = run("recommend", str(EXAMPLE))
    expected = trustkit.recommend_next_step(
        json.loads(EXAMPLE.read_text())["answers"], respondent="partner"
    )
    assert (code, err) == (0, "")
    assert out.startswith(f"Next step: {expected.step.title}")
    for reason in expected.reasons:
        assert reason in out
    assert f"Rule {expected.rule_id}" in out


def test_recommend_json_is_the_converter_output() -> None:
    """--json prints what trustkit.converter makes of the recommendation."""
    code, out, _ = run(
        "recommend", "-", "--json", "--respondent", "supporter", stdin='{"stuck": 5}'
    )
    rec = trustkit.recommend_next_step({"stuck": 5}, respondent="supporter")
    assert code == 0
    assert json.loads(out) == trustkit.converter.unstructure(rec)


def test_a_safety_recommendation_lists_help_first() -> None:
    """Helplines come before everything else, with their numbers."""
    code, out, _ = run("recommend", "-", stdin='{"hurt_or_threatened": true}')
    assert code == 0
    assert out.index("Get help now:") < out.index("Why:")
    assert "1-800-799-7233" in out
    fallback = next(r for r in trustkit.default_pack().resources if r.country == "INTL")
    assert fallback.notes in out
    assert "together" not in out.split("What you can do:")[1]


def test_who_does_each_action_is_said_from_the_readers_side() -> None:
    """Actions read 'you', 'your partner' or 'together' depending on who answered."""
    _, as_partner, _ = run("recommend", "-", stdin='{"feels_heard": 1}')
    _, as_supporter, _ = run(
        "recommend", "-", "--respondent", "supporter", stdin='{"safe_to_share": 1}'
    )
    assert "your partner)" in as_partner
    assert "you)" in as_supporter
    assert "together)" in as_supporter


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["recommend", "-"], '{"feels_heard": 9}', "feels_heard: a whole number from 1 to 5"),
        (["recommend", "-"], "{not json", "not valid JSON (line 1)"),
        (
            ["recommend", "-"],
            '{"answers": {}, "mood": "sad"}',
            "unexpected field(s) in the check-in: mood",
        ),
        (
            ["recommend", "-", "--respondent", "supporter"],
            '{"respondent": "partner", "answers": {}}',
            "does not match",
        ),
        (["recommend", "/nonexistent/checkin.json"], "", "No such file"),
        (["recommend", "-", "--pack", "/nonexistent"], "{}", "not a folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(argv: list[str], stdin: str, message: str) -> None:
    """No traceback, no answer values: one line on stderr."""
    code, out, err = run(*argv, stdin=stdin)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("trustkit: error: ")
    assert message in err
    assert "9" not in err.replace("feels_heard", "")
    assert "sad" not in err


def test_country_narrows_the_helplines() -> None:
    """--country GB shows UK and international lines only."""
    code, out, _ = run("recommend", "-", "--country", "GB", stdin='{"controlled": true}')
    assert code == 0
    helplines = out.split("Get help now:")[1].split("Why:")[0]
    assert "(GB" in helplines
    assert "(US)" not in helplines
    assert "(INTL)" in helplines
    assert "Advice Line (Respect) (GB) · for: Men · call 0808 801 0327" in helplines


def test_a_checkin_with_a_timestamp_is_checked_as_a_checkin() -> None:
    """A check-in object with "at" goes through parse_checkin, so a bad timestamp is an error."""
    good = '{"respondent": "supporter", "answers": {"stuck": 5}, "at": "2026-03-01T10:00:00Z"}'
    code, out, _ = run("recommend", "-", stdin=good)
    assert code == 0
    assert "[professional_help · warning]" in out
    code, _, err = run("recommend", "-", stdin=good.replace("10:00:00Z", "10:00:00"))
    assert code == 2
    assert "at: a timezone-aware datetime" in err


def test_a_full_checkin_object_is_accepted_on_stdin() -> None:
    """{"respondent", "answers", "at"} works as well as bare answers."""
    code, out, _ = run(
        "recommend", "-", stdin='{"respondent": "supporter", "answers": {"understand_roots": 1}}'
    )
    assert code == 0
    assert "[educate" in out


def test_checkin_asks_each_question_and_recommends() -> None:
    """The interactive check-in re-asks on bad input, skips on Enter and stops at end of input."""
    pack = trustkit.default_pack()
    questions = pack.questions_for("partner")
    replies = ["", "9", "1"]  # skip the first, then a bad reply, then a valid one
    code, out, _ = run("checkin", replies=replies)
    assert code == 0
    assert questions[0].prompt in out
    assert "Please answer 1 = strongly disagree" in out
    expected = trustkit.recommend_next_step({questions[1].id: 1})
    assert f"Next step: {expected.step.title}" in out


def test_checkin_reaches_the_safety_screen_with_a_note() -> None:
    """Yes/no and count questions parse; the safety questions are introduced first."""
    pack = trustkit.default_pack()
    replies = []
    for q in pack.questions_for("supporter"):
        replies.append({"scale": "3", "yes_no": "maybe", "count": "x"}[q.kind.value])
        replies.append({"scale": "3", "yes_no": "no", "count": "2"}[q.kind.value])
    code, out, _ = run("checkin", "--respondent", "supporter", "--json", replies=replies)
    assert code == 0
    assert "about your safety" in out
    data = json.loads(out[out.index("{") :])
    assert data["rule_id"] == "consistency-promises"


def test_checkin_with_yes_to_a_safety_question() -> None:
    """'y' counts as yes."""
    pack = trustkit.default_pack()
    replies = ["y" if q.id == "controlled" else "" for q in pack.questions_for("partner")]
    code, out, _ = run("checkin", replies=replies)
    assert code == 0
    assert "[professional_help · critical]" in out


def test_steps_lists_every_step() -> None:
    """trustkit steps shows each id and title, or JSON."""
    code, out, _ = run("steps")
    assert code == 0
    for step in trustkit.default_pack().steps:
        assert step.id in out
        assert step.title in out
    _, as_json, _ = run("steps", "--json")
    assert [s["id"] for s in json.loads(as_json)] == [s.id for s in trustkit.default_pack().steps]


def test_steps_from_another_pack_folder(tmp_path: Path) -> None:
    """--pack reads a pack folder."""
    import shutil

    from trustkit._pack.load import bundled_root

    source = bundled_root("core")
    assert isinstance(source, Path)
    shutil.copytree(source, tmp_path / "copy")
    code, out, _ = run("steps", "--pack", str(tmp_path / "copy"))
    assert code == 0
    assert "celebrate" in out


def test_the_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the version."""
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert trustkit.__version__ in capsys.readouterr().out


def test_python_dash_m_runs_the_same_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """python -m trustkit is the trustkit command (and exits with its status)."""
    monkeypatch.setattr(sys, "argv", ["trustkit", "steps"])
    with pytest.raises(SystemExit) as info:
        runpy.run_module("trustkit", run_name="__main__")
    assert info.value.code == 0
    assert "educate" in capsys.readouterr().out


def test_importing_the_main_module_runs_nothing() -> None:
    """trustkit.__main__ only runs the command when executed, not when imported."""
    import importlib

    module = importlib.import_module("trustkit.__main__")
    assert module.run is trustkit._cli.run


def test_the_installed_console_script_runs() -> None:
    """The 'trustkit' script next to the interpreter works end to end."""
    script = Path(sys.executable).parent / "trustkit"
    if not script.exists():  # only when run outside a virtual environment
        pytest.skip("no console script next to this interpreter")
    result = subprocess.run(
        [str(script), "recommend", str(EXAMPLE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Next step:")
