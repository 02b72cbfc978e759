"""The trustkit command: readable output, JSON output, one-line errors with exit status 2."""

from __future__ import annotations

import io
import json
import os
import runpy
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
import trustkit._cli
from trustkit import Role
from trustkit._cli import _checkin_questions, format_recommendation, main

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
            "2 problems in the check-in: mood: not a check-in field; respondent: missing",
        ),
        (
            ["recommend", "-", "--respondent", "supporter"],
            '{"respondent": "partner", "answers": {}}',
            "does not match",
        ),
        (["recommend", "/nonexistent/checkin.json"], "", "checkin.json: no such file"),
        (["recommend", "-", "--pack", "/nonexistent"], "{}", "not a folder"),
        (
            ["recommend", "-"],
            "[" * 100_000,
            "-: not a check-in: JSON: arrays and objects nested at most 64",
        ),
        (["recommend", "-"], " " * 1_000_001, "larger than 1,000,000 characters"),
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
    """The interactive check-in re-asks on bad input and skips on Enter."""
    pack = trustkit.default_pack()
    questions = pack.questions_for("partner")
    replies = ["", "9", "1"]  # skip the first, then a bad reply, then a valid one
    replies += [""] * (len(questions) - 2)  # and skip the rest, to the end
    code, out, err = run("checkin", replies=replies)
    assert (code, err) == (0, "")
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
    code, out, err = run("checkin", "--respondent", "supporter", "--json", replies=replies)
    assert code == 0
    assert "about your safety" in err  # with --json, the talk goes to standard error
    data = json.loads(out)  # and standard output is the JSON alone
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


# The order of the questions, and stopping a check-in part-way: Ctrl-D (end of input), Ctrl-C.

STOPS = {EOFError: 3, KeyboardInterrupt: 130}
STOP_MESSAGES = {
    EOFError: "trustkit: input ended before the last question; the check-in was not completed\n",
    KeyboardInterrupt: "trustkit: stopped; the check-in was not completed\n",
}
APART = EXAMPLE.parent / "packs" / "apart" / "trustkit_pack_apart" / "data"


def stopped_run(
    *argv: str, replies: list[str], stop: type[BaseException]
) -> tuple[int, str, str, list[str]]:
    """Run a command whose ``ask`` gives ``replies`` and then raises ``stop``; also the prompts."""
    out, err = io.StringIO(), io.StringIO()
    answers = iter(replies)
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        out.write(prompt)
        try:
            return next(answers)
        except StopIteration:
            raise stop from None

    code = main(list(argv), stdin=io.StringIO(), stdout=out, stderr=err, ask=ask)
    return code, out.getvalue(), err.getvalue(), prompts


def _typed(
    question: trustkit.Question,
) -> st.SearchStrategy[tuple[list[str], bool | int | str | None]]:
    """What a person might type for one question, and the answer it comes to (None: skipped).

    Zero to two replies that are not answers (asked again), then an answer or Enter.
    """
    invalid = {
        trustkit.QuestionKind.SCALE: st.sampled_from(["0", "6", "9", "often"]),
        trustkit.QuestionKind.YES_NO: st.sampled_from(["maybe", "2", "yess"]),
        trustkit.QuestionKind.COUNT: st.sampled_from(["x", "-1", "2.5"]),
        trustkit.QuestionKind.CHOICE: st.sampled_from(["0", "99", "nowhere"]),
    }[question.kind]
    final: st.SearchStrategy[tuple[str, bool | int | str | None]]
    if question.kind is trustkit.QuestionKind.YES_NO:
        final = st.sampled_from(
            [("y", True), ("Yes", True), ("n", False), (" NO ", False), ("", None)]
        )
    elif question.kind is trustkit.QuestionKind.SCALE:
        final = st.one_of(st.integers(1, 5).map(lambda n: (str(n), n)), st.just(("", None)))
    elif question.kind is trustkit.QuestionKind.CHOICE:  # the option's number, or its code
        numbered = [(str(n), code) for n, code in enumerate(question.codes, 1)]
        final = st.sampled_from([*numbered, *((c, c) for c in question.codes), ("", None)])
    else:
        final = st.one_of(st.integers(0, 50).map(lambda n: (str(n), n)), st.just(("  ", None)))
    return st.tuples(st.lists(invalid, max_size=2), final).map(
        lambda parts: ([*parts[0], parts[1][0]], parts[1][1])
    )


@st.composite
def interrupted_checkins(
    draw: st.DrawFn,
) -> tuple[Role, list[str], dict[str, bool | int | str], type[BaseException]]:
    """A role, what they typed before stopping, the answers that makes, and how they stopped.

    The stop falls anywhere: before the first question, between questions, or
    in the middle of re-asking one question.
    """
    role = draw(st.sampled_from(list(Role)))
    questions = _checkin_questions(trustkit.default_pack(), role)
    screen = next(i for i, q in enumerate(questions) if q.safety)
    # The question being asked when it stops; half the time somewhere in the safety screen.
    stop_at = draw(st.integers(0, len(questions) - 1) | st.integers(screen, len(questions) - 1))
    replies: list[str] = []
    answers: dict[str, bool | int | str] = {}
    for question in questions[:stop_at]:
        typed, value = draw(_typed(question))
        replies.extend(typed)
        if value is not None:
            answers[question.id] = value
    typed, _ = draw(_typed(questions[stop_at]))
    replies.extend(typed[: draw(st.integers(0, len(typed) - 1))])  # only not-yet-answers
    return role, replies, answers, draw(st.sampled_from([EOFError, KeyboardInterrupt]))


@pytest.mark.slow
@given(interrupted_checkins(), st.booleans())
def test_a_checkin_stopped_part_way_is_never_submitted(
    case: tuple[Role, list[str], dict[str, bool | int | str], type[BaseException]], as_json: bool
) -> None:
    """Ctrl-D or Ctrl-C at any point: exit 3 or 130, one fixed line on stderr, no answer shown.

    Only a "yes" on the safety screen brings a recommendation, made from the
    safety answers alone, so help stays in view.
    """
    role, replies, answers, stop = case
    argv = ["checkin", "--respondent", role.value, *(["--json"] if as_json else [])]
    code, out, err, prompts = stopped_run(*argv, replies=replies, stop=stop)
    assert code == STOPS[stop]
    if as_json:  # the prompts went to standard error; standard output is JSON or nothing
        assert set(prompts) == {""}
        assert err.endswith("\n" + STOP_MESSAGES[stop])
        after = out
    else:
        assert err == STOP_MESSAGES[stop]  # the same line whatever was answered
        after = out[out.rindex(prompts[-1]) + len(prompts[-1]) :][1:]
    pack = trustkit.default_pack()
    safety = {qid: v for qid, v in answers.items() if pack.question(qid).safety}
    if True not in safety.values():
        assert after == ""  # nothing after the last prompt: no recommendation, no answers
        return
    rec = trustkit.recommend_next_step(safety, respondent=role)
    assert rec.safety
    assert rec.resources
    if as_json:
        assert json.loads(after) == trustkit.converter.unstructure(rec)
    else:
        assert after == format_recommendation(rec) + "\n"
    for evidence in rec.evidence:  # it reads the safety screen and nothing else
        assert all(pack.question(qid).safety for qid in evidence.questions)


@pytest.mark.parametrize("stop", [EOFError, KeyboardInterrupt])
def test_a_yes_on_the_screen_keeps_help_in_view_when_stopped(
    stop: type[BaseException],
) -> None:
    """Stopping right after a yes to the safety screen still shows the helplines, then exits."""
    questions = _checkin_questions(trustkit.default_pack(), Role.PARTNER)
    replies = []
    for q in questions:
        if q.id == "afraid_of_partner":
            replies.append("y")
            break
        typed = {"scale": "5", "yes_no": "y", "count": "5", "choice": "1"}
        replies.append("" if q.safety else typed[q.kind])
    code, out, err, _ = stopped_run("checkin", replies=replies, stop=stop)
    assert code == STOPS[stop]
    assert err == STOP_MESSAGES[stop]
    assert "[professional_help · critical]" in out
    assert "Get help now:" in out
    assert "1-800-799-7233" in out
    assert " 5 out of 5" not in out  # no reason repeats an answer from the rest of the check-in


@pytest.mark.parametrize("stop", [EOFError, KeyboardInterrupt])
@pytest.mark.parametrize("answered", [0, 1, 5])
def test_stopping_before_the_screen_shows_no_recommendation(
    stop: type[BaseException], answered: int
) -> None:
    """Stopped before the end with no safety yes: no step, no reasons, and no answer on screen."""
    code, out, err, prompts = stopped_run("checkin", replies=["4"] * answered, stop=stop)
    assert (code, err) == (STOPS[stop], STOP_MESSAGES[stop])
    assert len(prompts) == answered + 1
    assert "Next step" not in out
    assert "4" not in err
    assert out.endswith(prompts[-1] + "\n")


def test_skipping_to_the_end_still_recommends() -> None:
    """Enter on every question is a complete check-in, not an interrupted one."""
    questions = _checkin_questions(trustkit.default_pack(), Role.PARTNER)
    code, out, err, _ = stopped_run("checkin", replies=[""] * len(questions), stop=EOFError)
    assert (code, err) == (0, "")
    assert "Next step:" in out


@pytest.mark.parametrize("respondent", ["partner", "supporter"])
def test_overlay_questions_come_before_the_safety_screen(respondent: str) -> None:
    """With --pack, an overlay's questions are asked first; the safety screen is the last block."""
    pack = trustkit.load_pack(APART)
    expected = pack.questions_for(respondent)
    assert expected[-1].id in {"distance_strain", "next_visit_planned"}  # overlays come last
    code, _, _, prompts = stopped_run(
        "checkin",
        "--pack",
        str(APART),
        "--respondent",
        respondent,
        replies=[""] * len(expected),
        stop=EOFError,
    )
    assert code == 0
    by_prompt = {q.prompt: q for q in expected}
    asked = [by_prompt[p.split(". ", 1)[1].split("\n", 1)[0]] for p in prompts]
    assert sorted(q.id for q in asked) == sorted(q.id for q in expected)
    flags = [q.safety for q in asked]
    assert flags == sorted(flags)  # every safety question after every other one
    assert {"distance_strain", "next_visit_planned"} <= {q.id for q in asked if not q.safety}
    total = len(prompts)
    assert [p.split(".", 1)[0].strip() for p in prompts] == [
        f"{n} of {total}" for n in range(1, total + 1)
    ]


def test_the_safety_note_comes_right_before_the_first_safety_question() -> None:
    """The note about answering privately is shown once, just before the screen, with an overlay."""
    pack = trustkit.load_pack(APART)
    questions = pack.questions_for("partner")
    _, out, _, _ = stopped_run(
        "checkin", "--pack", str(APART), replies=[""] * len(questions), stop=EOFError
    )
    first_safety = next(q for q in questions if q.safety)
    note = out.index("about your safety")
    assert out.count("about your safety") == 1
    assert note < out.index(first_safety.prompt)
    for q in questions:
        if not q.safety:
            assert out.index(q.prompt) < note


def test_ctrl_c_anywhere_else_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C while a pack loads ends quietly with exit status 130."""

    def interrupted(*_: object) -> trustkit.ContentPack:
        raise KeyboardInterrupt

    monkeypatch.setattr(trustkit._cli, "_pack", interrupted)
    for argv in (["steps"], ["checkin"], ["recommend", "-"]):
        code, out, err = run(*argv, stdin='{"feels_heard": 2}')
        assert (code, out, err) == (130, "", "\ntrustkit: interrupted\n")


def test_end_of_input_in_a_real_process() -> None:
    """python -m trustkit checkin with nothing on standard input: exit 3, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "trustkit", "checkin"],
        input="3\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    assert result.stderr == STOP_MESSAGES[EOFError]
    assert "Next step" not in result.stdout


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="POSIX signals")
def _sigint_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_until_blocked(pid: int) -> None:
    """Wait until the process sleeps in a system call (here: reading the reply).

    A signal that arrives after the prompt is written but before the read starts is
    noted by Python but acted on only once the read returns, which it never does while
    no reply comes: a race in the test, not in the command (a second Ctrl-C would stop
    it). Without ``/proc`` a short pause stands in.
    """
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        time.sleep(0.5)
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if stat.read_text().rpartition(")")[2].split()[0] == "S":
            return
        time.sleep(0.01)
    raise AssertionError("the command never waited for a reply")


def test_ctrl_c_in_a_real_process() -> None:
    """A real SIGINT at a question: exit 130, the one-line message, no traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "trustkit", "checkin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # As in a terminal: a test run started in the background (``cmd &`` in a script)
        # ignores SIGINT, and a child inherits that, so Python would never see Ctrl-C.
        preexec_fn=_sigint_as_in_a_terminal,  # noqa: PLW1509 (one signal call, no lock)
    )
    assert proc.stdout is not None
    shown = b""
    while not shown.endswith(b"> "):  # the first prompt: now it waits for a reply
        chunk = os.read(proc.stdout.fileno(), 4096)
        assert chunk, "the command ended before asking"
        shown += chunk
    _wait_until_blocked(proc.pid)
    proc.send_signal(signal.SIGINT)
    # Wait with standard input still open: communicate() would close it at once, and a
    # child that reads end-of-file before it handles the signal stops as for Ctrl-D.
    assert proc.wait(timeout=30) == 130
    assert proc.stdin is not None
    assert proc.stderr is not None
    err = proc.stderr.read()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        stream.close()
    assert err.decode() == STOP_MESSAGES[KeyboardInterrupt]


def test_checkin_shows_how_far_along_and_goes_back() -> None:
    """Each prompt says "n of N"; '<' goes back a question and clears that answer."""
    questions = _checkin_questions(trustkit.default_pack(), Role.PARTNER)
    total = len(questions)
    # answer the first question 1, the second 5, go back, skip the second, go back twice
    # (the first question now has no answer either), then skip everything.
    replies = ["1", "5", "<", "", "<", "<", "<", *[""] * total]
    code, out, _, prompts = stopped_run("checkin", replies=replies, stop=EOFError)
    assert code == 0
    asked = [p.split(".", 1)[0].strip() for p in prompts]
    assert asked[:8] == [f"{n} of {total}" for n in (1, 2, 3, 2, 3, 2, 1, 1)]
    expected = trustkit.recommend_next_step({})  # every answer was taken back or skipped
    assert out.endswith(format_recommendation(expected) + "\n")


def test_checkin_json_keeps_standard_output_pure() -> None:
    """With --json, standard output holds one JSON document; the talk goes to standard error."""
    questions = _checkin_questions(trustkit.default_pack(), Role.PARTNER)
    code, out, err = run("checkin", "--json", replies=["2", *[""] * len(questions)])
    assert code == 0
    assert json.loads(out) == trustkit.converter.unstructure(
        trustkit.recommend_next_step({questions[0].id: 2})
    )
    assert questions[0].prompt in err


SMALL = "a check-in is a few kilobytes"


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """A file of more than a million characters is one line on stderr, not a slow parse."""
    path = tmp_path / "huge.json"
    path.write_text('{"feels_heard": 2' + " " * 1_000_000 + "}", encoding="utf-8")
    code, out, err = run("recommend", str(path))
    assert (code, out) == (2, "")
    assert err == f"trustkit: error: {path}: larger than {1_000_000:,} characters; {SMALL}\n"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        ([], "{recommend,checkin,steps,pack,schema,export}"),
        (["pack"], "{check,test,show,graph,verify,diff}"),
        (["pack", "diff"], "--checkins"),
        (["schema"], "NAME"),
        (["export"], "FORMAT"),
    ],
)
def test_a_command_without_its_arguments_prints_its_usage(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The usage, then what is missing, by the name the usage shows: never an internal name."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: trustkit")
    assert err.rstrip().endswith(f"the following arguments are required: {named}")
    assert "pack_command" not in err


def test_a_closed_pipe_ends_quietly_in_a_real_process() -> None:
    """`trustkit steps | head -1`: the reader closed early; no message, exit status 141."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before trustkit writes a byte
    try:
        result = subprocess.run(
            [sys.executable, "-m", "trustkit", "steps"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (141, "")


class _OpenPipe(io.StringIO):
    def fileno(self) -> int:
        return 99


class _ClosedPipe(_OpenPipe):
    def write(self, text: str) -> int:
        raise BrokenPipeError

    def flush(self) -> None:
        raise BrokenPipeError


@pytest.mark.parametrize(("status", "closed"), [(0, False), (0, True), (141, False)])
def test_run_points_a_closed_standard_output_at_the_null_device(
    monkeypatch: pytest.MonkeyPatch, status: int, closed: bool
) -> None:
    """A pipe closed while writing or at the last flush: exit 141, stdout to the null device."""
    moved: list[tuple[int, int]] = []
    monkeypatch.setattr(trustkit._cli, "main", lambda: status)
    monkeypatch.setattr(sys, "stdout", _ClosedPipe() if closed else _OpenPipe())
    monkeypatch.setattr(os, "open", lambda *_: 7)
    monkeypatch.setattr(os, "dup2", lambda a, b: moved.append((a, b)))
    with pytest.raises(SystemExit) as info:
        trustkit._cli.run()
    quiet = closed or status == 141
    assert info.value.code == (141 if quiet else 0)
    assert moved == ([(7, 99)] if quiet else [])


def test_a_closed_pipe_inside_a_command_is_not_an_error() -> None:
    """A BrokenPipeError from a command returns 141 and writes no error line."""
    err = io.StringIO()
    assert main(["steps"], stdout=_ClosedPipe(), stderr=err) == 141
    assert err.getvalue() == ""


@pytest.mark.parametrize(
    ("locale", "note"),
    [
        ("es", ""),
        ("es_MX", ""),
        ("ES", ""),
        ("fr", "trustkit: this pack has no texts in 'fr'; showing 'en'\n"),
        ("zz-ZZ", "trustkit: this pack has no texts in 'zz-ZZ'; showing 'en'\n"),
    ],
)
def test_locale_says_what_it_shows(locale: str, note: str) -> None:
    """A locale the pack has no texts for is shown in the pack's own language, with a note."""
    code, out, err = run("recommend", "-", "--locale", locale, stdin='{"feels_heard": 2}')
    assert (code, err) == (0, note)
    assert out.rstrip().endswith("· es" if not note else "· en")
    code, out, err = run("pack", "show", "--pack", "core", "--locale", locale)
    assert (code, err) == (0, note)


def test_a_malformed_locale_is_bad_input() -> None:
    """--locale '' is not a language: one line, exit status 2."""
    code, out, err = run("steps", "--locale", "e")
    assert (code, out) == (2, "")
    assert err == "trustkit: error: 1 problem in the check-in: locale: " + (
        "a BCP 47 language tag such as 'es' or 'es-MX'\n"
    )


@pytest.mark.parametrize(
    ("answers", "country", "note"),
    [
        ('{"self_harm_thoughts": true}', "US", "text AYUDA to 988"),
        ('{"hurt_or_threatened": true}', "GB", "press 55"),
        ('{"afraid_of_partner": true}', "US", "TTY on 1-800-787-3224"),
    ],
)
def test_a_helplines_notes_are_shown(answers: str, country: str, note: str) -> None:
    """How to reach a line without speaking, or in another language, is part of the line."""
    code, out, err = run("recommend", "-", "--country", country, stdin=answers)
    assert (code, err) == (0, "")
    assert note in out.split("Why:")[0]


@pytest.mark.parametrize(
    "answers",
    [
        '{"choked_or_strangled": true}',
        '{"self_harm_thoughts": true}',
        '{"afraid_of_partner": true}',
    ],
)
def test_a_safety_result_does_not_name_its_rule_on_screen(answers: str) -> None:
    """A safety rule's id says what kind of disclosure it was; only --json carries it."""
    rec = trustkit.recommend_next_step(json.loads(answers))
    assert rec.safety
    code, out, _ = run("recommend", "-", stdin=answers)
    assert code == 0
    assert rec.rule_id not in out
    assert "Rule " not in out
    assert out.rstrip().endswith("Pack core 1.2.0 · en")
    _, as_json, _ = run("recommend", "-", "--json", stdin=answers)
    assert json.loads(as_json)["rule_id"] == rec.rule_id
