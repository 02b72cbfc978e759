"""One way to name a pack and its overlays on every command, "did you mean", --skip-locale.

Every command that uses a pack takes ``--pack PACK``, ``--overlay OVERLAY`` (repeatable)
and ``--ordered``; ``pack diff`` adds ``--old-``/``--new-`` options for one side. The
forms of 0.1 (positional packs, overlays after ``schema --pack``, ``pack diff OLD NEW``
with ``+``) still work, with a one-line deprecation note that says what to write instead.
"""

from __future__ import annotations

import argparse
import io
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

import trustkit
from tests.conftest import Overlay
from tests.test_lint_translations import REST_RULE, REST_STEP
from trustkit import LintWarning
from trustkit._batch import Tally
from trustkit._cli import _parser, _skipped, format_diff, main
from trustkit._vocabulary import MAX_GUESSED_CHARS, did_you_mean

APART = Path(__file__).parent.parent / "examples/packs/apart/trustkit_pack_apart/data"
NOTE = "trustkit: note: "


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> dict[str, argparse.ArgumentParser]:
    """Every command of the parser, by its words ("pack check"), walking the subparsers."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            choices: dict[str, Any] = action.choices
            for name, sub in choices.items():
                found.update(commands(sub, (*path, name)))
    if not found and path:
        found[" ".join(path)] = parser
    return found


@pytest.mark.parametrize("command", sorted(commands(_parser())))
def test_every_command_names_its_pack_the_same_way(command: str) -> None:
    parser = commands(_parser())[command]
    options = {s for action in parser._actions for s in action.option_strings}
    assert {"--pack", "--overlay", "--ordered"} <= options
    usage = parser.format_usage()
    assert "--pack PACK" in usage
    assert "--overlay OVERLAY" in usage
    assert "OVERLAY ..." not in usage  # the deprecated forms are not shown


def test_the_new_form_and_the_old_one_load_the_same_packs() -> None:
    code, new, err = run("pack", "check", "--overlay", str(APART))
    assert (code, err) == (0, "")
    assert new.endswith("core 1.2.0, apart 1.0.0: no errors, 0 warnings\n")
    code, old, err = run("pack", "check", "core", str(APART))
    assert (code, old) == (0, new)
    assert err == f"{NOTE}naming packs by position still works but is deprecated; write: " + (
        f"--pack core --overlay {APART}\n"
    )
    code, alone, err = run("pack", "show", "--pack", str(APART))
    assert (code, err) == (0, "")
    assert "packs: core 1.2.0, apart 1.0.0" in alone


def test_pack_test_takes_overlays_as_every_command_does() -> None:
    code, out, err = run("pack", "test", "--overlay", str(APART), "--min-coverage", "100")
    assert (code, err) == (0, "")
    assert "core 1.2.0, apart 1.0.0: 87 examples, 0 failures" in out
    assert run("pack", "test", "core", "--overlay", str(APART))[:2] == (0, out)


def test_recommend_checkin_steps_and_export_take_overlays() -> None:
    answers = json.dumps({"distance_strain": 5})
    assert run("recommend", "-", stdin=answers)[0] == 2  # core has no such question
    code, out, err = run("recommend", "-", "--overlay", str(APART), "--json", stdin=answers)
    assert (code, err) == (0, "")
    assert json.loads(out)["step"]["id"] == "stay_connected"
    code, out, _ = run("steps", "--overlay", str(APART), "--ordered")
    assert code == 0
    assert "stay_connected" in out
    code, out, _ = run("export", "fhir", "--overlay", str(APART))
    assert "distance_strain" in out
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        if len(asked) > 30:
            raise EOFError
        return ""

    talk = io.StringIO()
    assert main(["checkin", "--overlay", str(APART)], stdout=talk, stderr=talk, ask=ask) == 0
    assert any("distance" in prompt.lower() for prompt in asked)  # the overlay's question


def test_schema_takes_overlay_and_still_takes_overlays_after_pack() -> None:
    code, new, err = run("schema", "checkin", "--overlay", str(APART))
    assert (code, err) == (0, "")
    assert "distance_strain" in new
    code, old, err = run("schema", "checkin", "--pack", "core", str(APART))
    assert (code, old) == (0, new)
    assert err == (
        f"{NOTE}naming overlays after --pack still works but is deprecated; write: "
        f"--pack core --overlay {APART}\n"
    )
    assert "distance_strain" not in run("schema", "checkin", "--pack", "core")[1]
    helped = commands(_parser())["schema"].format_help()
    assert "[--pack PACK]" in helped


def test_a_pack_named_twice_is_bad_input() -> None:
    code, out, err = run("pack", "check", "--pack", "core", str(APART))
    assert (code, out) == (2, "")
    assert "the pack is named twice" in err
    assert "each overlay with --overlay" in err


# ----------------------------------------------------------------------------- pack diff


@pytest.fixture
def checkins(tmp_path: Path) -> Path:
    path = tmp_path / "c.jsonl"
    lines = [
        {"id": 1, "respondent": "partner", "answers": {"feels_heard": 1}},
        {"id": 2, "respondent": "partner", "answers": {"feels_heard": 4, "distance_strain": 5}},
        {"id": 3, "respondent": "partner", "answers": {"nope": 4}},
    ]
    at = "2026-03-01T20:00:00Z"
    path.write_text("".join(json.dumps({**r, "at": at}) + "\n" for r in lines), encoding="utf-8")
    return path


def test_pack_diff_names_each_side_with_old_and_new_options(checkins: Path) -> None:
    code, out, err = run("pack", "diff", "--new-overlay", str(APART), "--checkins", str(checkins))
    assert (code, err) == (0, "")
    assert "old: core 1.2.0\nnew: core 1.2.0 + apart 1.0.0\n" in out
    assert "3 check-ins read, 2 decided by both packs, 1 decisions changed" in out
    assert (
        "1 check-in answers questions only the new pack has; the old pack decided it as if "
        "those were unanswered" in out
    )
    assert "3: 1 problem in the check-in: nope: a known question id" in out
    code, back, _ = run("pack", "diff", "--old-overlay", str(APART), "--checkins", str(checkins))
    assert "old: core 1.2.0 + apart 1.0.0\nnew: core 1.2.0\n" in back
    assert "1 check-in answers questions only the old pack has; the new pack decided" in back
    argv = ["--old-pack", str(APART), "--new-pack", "core", "--checkins", str(checkins)]
    assert run("pack", "diff", *argv)[1] == back
    argv = ["--pack", "core", "--overlay", str(APART), "--new-overlay", str(APART)]
    code, _, err = run("pack", "diff", *argv, "--checkins", str(checkins))
    assert code == 2  # apart applied twice on the new side
    assert "apart" in err


def test_pack_diff_refuses_two_sides_that_are_the_same(checkins: Path) -> None:
    code, out, err = run("pack", "diff", "--overlay", str(APART), "--checkins", str(checkins))
    assert (code, out) == (2, "")
    assert "the old and the new pack are the same" in err
    argv = ["--old-pack", "core", "--new-pack", "core", "--checkins", str(checkins), "--json"]
    code, out, err = run("pack", "diff", *argv)
    assert (code, err) == (0, "")
    assert json.loads(out)["changed"] == 0


@pytest.mark.parametrize(
    ("old", "new", "instead"),
    [
        ("core", "core+{a}", "--new-overlay {a}"),
        ("core+{a}", "core", "--old-overlay {a}"),
        ("core", "core", "--old-pack core --new-pack core"),
        ("{a}", "core", "--old-pack {a} --new-pack core"),
        ("core+{a}", "core+{a}", "--overlay {a} --old-pack core --new-pack core"),
        ("x+{a}", "y+{a}+z", "--overlay {a} --old-pack x --new-pack y --new-overlay z"),
        ("x", "x+{a}", "--pack x --new-overlay {a}"),
        ("core+{a}", "core+x", "--old-overlay {a} --new-overlay x"),
    ],
)
def test_pack_diff_old_new_still_works_and_says_what_to_write(
    old: str, new: str, instead: str, checkins: Path
) -> None:
    a = str(APART)
    old, new, instead = (text.format(a=a) for text in (old, new, instead))
    code, out, err = run("pack", "diff", old, new, "--checkins", str(checkins))
    first = err.splitlines()[0]
    assert first == (
        f"{NOTE}naming the packs of pack diff as OLD NEW still works but is deprecated; "
        f"write: {instead}"
    )
    if "x" in instead.split():
        assert code == 2  # no such pack: the note came first
        return
    assert code == 0
    words = instead.split()
    again = run("pack", "diff", *words, "--checkins", str(checkins))
    assert again[:2] == (0, out)


def test_pack_diff_old_new_is_both_or_neither(checkins: Path) -> None:
    code, _, err = run("pack", "diff", "core", "--checkins", str(checkins))
    assert code == 2
    assert "not both" in err
    code, _, err = run("pack", "diff", "core", "core", "--pack", "core", "--checkins", "x")
    assert code == 2
    assert "not both" in err


def test_pack_diff_reports_unknown_questions_by_count() -> None:
    core = trustkit.default_pack()
    tally = Tally()
    tally.unknown_to_old, tally.unknown_to_new = 2, 1
    tally.add("r1", "bad", trustkit.decide({"feels_heard": 1}))
    merged = Tally()
    merged.merge(pickle.loads(pickle.dumps(tally)))
    diff = merged.report(core, core)
    assert (diff.unknown_to_old, diff.unknown_to_new, diff.malformed) == (2, 1, 1)
    assert diff.malformed_records == (("r1", "old pack: bad"),)
    text = format_diff(diff)
    assert "2 check-ins answer questions only the new pack has; the old pack decided them" in text
    assert "1 check-in answers questions only the old pack has; the new pack decided it" in text


# --------------------------------------------------------------------------- did you mean


def test_did_you_mean_names_the_closest_id_or_nothing() -> None:
    ids = ["feels_heard", "promises_kept"]
    assert did_you_mean("feels_herd", ids) == " (did you mean 'feels_heard'?)"
    assert did_you_mean("weather", ids) == ""
    assert did_you_mean(5, ids) == ""
    assert did_you_mean("", ids) == ""
    assert did_you_mean("f" * (MAX_GUESSED_CHARS + 1), ["f" * MAX_GUESSED_CHARS]) == ""


def test_a_misspelt_command_or_choice_gets_a_guess(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, guess in (
        (["recomend", "-"], "'recommend'"),
        (["pack", "chek"], "'check'"),
        (["schema", "checkn"], "'checkin'"),
    ):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert f"(did you mean {guess}?)" in err
    with pytest.raises(SystemExit):
        main(["steps", "--respondent", "zzz"])
    assert "did you mean" not in capsys.readouterr().err


def test_a_misspelt_pack_gets_a_guess() -> None:
    code, _, err = run("steps", "--pack", "cor")
    assert code == 2
    assert "cor: no such pack is bundled or installed (did you mean 'core'?)" in err


def test_a_misspelt_question_gets_a_guess_never_the_answer() -> None:
    code, out, err = run("recommend", "-", stdin='{"feels_herd": 4242}')
    assert (code, out) == (2, "")
    assert "feels_herd: a known question id (did you mean 'feels_heard'?)" in err
    assert "4242" not in err


def test_misspelt_ids_in_a_pack_get_a_guess(overlay: Overlay) -> None:
    root = overlay(
        "typos",
        rules='[[rules]]\nid = "r"\nstep = "patiense"\npriority = 5\nreason = "R."\n'
        'when = { answered = "feels_herd" }\n',
        overrides="[rules.patience-pase]\npriority = 3\n"
        '[disable]\nrules = ["validation-not-herd"]\n',
        steps='[[actions]]\nid = "a1"\nstep = "educat"\ntitle = "T"\nhow = "H."\nminutes = 5\n'
        'who = "both"\n',
    )
    code, out, _ = run("pack", "check", "--overlay", str(root))
    assert code == 1
    for guess in (
        "unknown step 'patiense' (did you mean 'patience'?)",
        "unknown question 'feels_herd' (did you mean 'feels_heard'?)",
        "core has no such item to change (did you mean 'patience-pace'?)",
        "core has no rule 'validation-not-herd' (did you mean 'validation-not-heard'?)",
        "unknown step 'educat' (did you mean 'educate'?)",
    ):
        assert guess in out


# ---------------------------------------------------------------------------- skip-locale


def test_skip_locale_leaves_out_missing_translations(overlay: Overlay) -> None:
    root = overlay("rest", steps=REST_STEP, rules=REST_RULE)
    code, out, _ = run("pack", "check", "--overlay", str(root))
    assert "--skip-locale es leaves them out" in out
    code, out, err = run("pack", "check", "--overlay", str(root), "--skip-locale", "es")
    assert (code, err) == (0, "")
    assert "missing-translation" not in out
    assert out.endswith(
        "core 1.2.0, rest 1.0.0: no errors, 0 warnings (10 missing translations in 'es' skipped)\n"
    )
    code, out, _ = run("pack", "check", "--overlay", str(root), "--skip-locale", "fr")
    assert out.endswith("core 1.2.0, rest 1.0.0: no errors, 10 warnings\n")


def test_skip_locale_counts_one_and_covers_regional_variants(overlay: Overlay) -> None:
    root = overlay("few", rules=REST_RULE.replace('step = "rest"', 'step = "patience"'))
    code, out, _ = run("pack", "check", "--overlay", str(root), "--skip-locale", "ES")
    assert code == 0
    assert out.endswith(" (1 missing translation in 'es' skipped)\n")
    missing = LintWarning("missing-translation", "steps.x", "m", locale="es-MX")
    assert _skipped(missing, ["es"])
    assert _skipped(missing, ["es_mx"])
    assert not _skipped(missing, ["e"])
    assert not _skipped(LintWarning("missing-translation", "steps.x", "m"), ["es"])
    assert not _skipped(LintWarning("unknown-locale-file", "es-ES", "m", locale="es-ES"), ["es"])
