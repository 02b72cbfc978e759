"""`trustkit checkin` offers a choice question's options, numbered, in the pack's locale;
`trustkit recommend` reads a code, or a list of codes, from JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import trustkit
from tests.conftest import Overlay
from tests.test_cli_labels import run
from trustkit import Question, QuestionKind, Role
from trustkit._cli import _hint, _parse_reply, main

CORE = trustkit.default_pack()
SPANISH = CORE.localized("es")
SECRET = "SECRET-REPLY-4711"

QUESTIONS = """
[[questions]]
id = "worry_from"
prompt = "Where does the worry seem to come from?"
kind = "choice"
respondents = ["partner"]

[[questions.options]]
code = "earlier"
label = "An earlier relationship"

[[questions.options]]
code = "family"
label = "The family I grew up in"

[[questions.options]]
code = "here"
label = "Something in this relationship"

[[questions]]
id = "set_off_by"
prompt = "What sets the worry off?"
kind = "multiple_choice"
respondents = ["partner"]

[[questions.options]]
code = "late"
label = "Coming home late"

[[questions.options]]
code = "phone"
label = "Time on the phone"

[[questions.options]]
code = "quiet"
label = "A quiet evening"
"""

RULES = """
[[rules]]
id = "from-the-family"
step = "educate"
priority = 44
reason = "The worry is older than this relationship."
when = { all = [
  { answer = "worry_from", op = "in", value = ["family", "earlier"] },
  { answer = "set_off_by", op = "contains", value = ["late", "quiet"] },
] }
"""

SPANISH_TEXTS = """
[questions.worry_from]
prompt = "¿De dónde parece venir la preocupación?"

[questions.set_off_by]
prompt = "¿Qué despierta la preocupación?"

[options."worry_from.earlier"]
label = "Una relación anterior"

[options."worry_from.family"]
label = "La familia en la que crecí"

[options."worry_from.here"]
label = "Algo de esta relación"

[options."set_off_by.late"]
label = "Llegar tarde a casa"

[options."set_off_by.phone"]
label = "El tiempo con el móvil"

[options."set_off_by.quiet"]
label = "Una tarde tranquila"
"""


@pytest.fixture
def choices(overlay: Overlay) -> Path:
    """An overlay with a choice and a multiple choice question, a rule on both, and Spanish."""
    return overlay("choices", questions=QUESTIONS, rules=RULES, locales__es=SPANISH_TEXTS)


ONE = Question(
    "q",
    "Q",
    QuestionKind.CHOICE,
    frozenset(Role),
    options=(trustkit.Option("earlier", "Earlier"), trustkit.Option("family", "Family")),
)
MANY = Question(
    "m",
    "M",
    QuestionKind.MULTIPLE_CHOICE,
    frozenset(Role),
    options=(*ONE.options, trustkit.Option("here", "Here")),
)


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("1", "earlier"),
        (" 2 ", "family"),
        ("family", "family"),
        (" FAMILY ", "family"),
        ("0", None),
        ("3", None),
        ("²", None),
        ("1, 2", None),
        ("", None),
        (SECRET, None),
    ],
)
def test_a_choice_reply_is_a_number_or_a_code(reply: str, want: str | None) -> None:
    assert _parse_reply(ONE, reply, CORE.messages) == want


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("1", {"earlier"}),
        ("1, 3", {"earlier", "here"}),
        ("here,1,", {"earlier", "here"}),
        ("3,2,1", {"earlier", "family", "here"}),
        ("1,1", None),  # a code twice
        ("1,earlier", None),
        ("1,4", None),
        ("1,x", None),
        (",", None),
        ("", None),
    ],
)
def test_a_multiple_choice_reply_is_numbers_or_codes_with_commas(
    reply: str, want: set[str] | None
) -> None:
    got = _parse_reply(MANY, reply, CORE.messages)
    assert got == (None if want is None else frozenset(want))


def test_the_hints_of_choice_questions_are_the_packs_words() -> None:
    assert _hint(ONE, CORE.messages) == CORE.messages.hint_choice
    assert _hint(MANY, SPANISH.messages) == SPANISH.messages.hint_multiple_choice
    assert SPANISH.messages.hint_choice != CORE.messages.hint_choice


def _replies(pack: trustkit.ContentPack, **chosen: list[str]) -> list[str]:
    """Skip every question of the partner but the given ones; answer no on the safety screen."""
    questions = pack.questions_for(Role.PARTNER)
    replies = [r for q in questions if not q.safety for r in chosen.get(q.id, [""])]
    return replies + ["no" for q in questions if q.safety]


def _check_output(err: str) -> None:
    assert "¿De dónde parece venir la preocupación?" in err
    assert "\n   1. Una relación anterior\n   2. La familia en la que crecí\n" in err
    assert "   3. Una tarde tranquila\n" in err
    assert f"({SPANISH.messages.hint_choice})" in err
    assert f"({SPANISH.messages.hint_multiple_choice})" in err
    assert SPANISH.messages.checkin_retry.format(hint=SPANISH.messages.hint_choice, back="<") in err


def test_checkin_offers_the_options_in_spanish_and_takes_numbers_and_codes(
    choices: Path,
) -> None:
    pack = trustkit.load_pack(choices).localized("es")
    replies = _replies(pack, worry_from=[SECRET, "2"], set_off_by=["quiet, 1"])
    code, out, err = run(
        "checkin", "--pack", str(choices), "--locale", "es", "--json", replies=replies
    )
    assert code == 0, err
    _check_output(err)
    assert SECRET not in out + err  # a reply is never echoed
    assert json.loads(out)["rule_id"] == "from-the-family"


def test_an_adaptive_checkin_offers_the_options_too(choices: Path) -> None:
    """Asked in the order next_questions gives: each reply picked by the question asked."""
    said: list[str] = []
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        if "venir la preocupación" in prompt:
            said.append(prompt)
            return SECRET if len(said) == 1 else "family"
        if "despierta la preocupación" in prompt:
            return "3, late"
        return "no" if "(s / n)" in prompt else ""

    out, err = io.StringIO(), io.StringIO()
    argv = ["checkin", "--adaptive", "--pack", str(choices), "--locale", "es"]
    code = main(argv, stdin=io.StringIO(), stdout=out, stderr=err, ask=ask)
    assert code == 0, err.getvalue()
    assert len(said) == 2  # the bad reply was asked again
    _check_output("".join(prompts) + out.getvalue())
    assert "Rule from-the-family " in out.getvalue()
    assert SECRET not in out.getvalue() + err.getvalue()


def test_checkin_in_english_lists_the_options_too(choices: Path) -> None:
    pack = trustkit.load_pack(choices)
    replies = _replies(pack, worry_from=["here"], set_off_by=["phone"])
    code, out, _ = run("checkin", "--pack", str(choices), replies=replies)
    assert code == 0
    assert "   3. Something in this relationship\n   (the number of one answer)" in out


@pytest.mark.parametrize(
    "checkin",
    [
        {"worry_from": "family", "set_off_by": ["late", "quiet", "phone"]},
        {
            "respondent": "partner",
            "at": "2026-03-01T20:15:00+00:00",
            "answers": {"worry_from": "earlier", "set_off_by": ["quiet", "late"]},
        },
    ],
)
@pytest.mark.parametrize("trace", [False, True])
def test_recommend_reads_a_code_and_a_list_of_codes(
    choices: Path, tmp_path: Path, checkin: dict[str, object], trace: bool
) -> None:
    flags = ["--trace"] if trace else []
    if "at" in checkin:
        flags += ["--state", str(tmp_path / "state.json")]
    code, out, err = run(
        "recommend", "--pack", str(choices), "--json", *flags, "-", stdin=json.dumps(checkin)
    )
    assert code == 0, err
    data = json.loads(out)
    rec = data["recommendation"] if trace else data
    assert rec["rule_id"] == "from-the-family"
    if "at" in checkin:  # the state keeps recent check-ins: a set of codes as a sorted list
        state = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
        assert state["recent"][-1]["answers"]["set_off_by"] == ["late", "quiet"]
        later = {**checkin, "at": "2026-03-08T20:15:00+00:00"}
        code, out, err = run(
            "recommend", "--pack", str(choices), "--json", *flags, "-", stdin=json.dumps(later)
        )
        assert code == 0, err


@pytest.mark.parametrize(
    "answers",
    [
        {"worry_from": SECRET},
        {"worry_from": ["family"]},
        {"set_off_by": [SECRET]},
        {"set_off_by": ["late", "late"]},
        {"set_off_by": "late"},
    ],
)
def test_recommend_refuses_a_bad_code_without_repeating_it(
    choices: Path, answers: dict[str, object]
) -> None:
    code, out, err = run("recommend", "--pack", str(choices), "-", stdin=json.dumps(answers))
    assert code == 2
    assert next(iter(answers)) in err
    assert SECRET not in out + err


def test_pack_verify_prints_a_set_of_codes_as_a_list(
    monkeypatch: pytest.MonkeyPatch, choices: Path
) -> None:
    """A counterexample that chooses codes prints them as a JSON list (never a crash)."""
    import attrs

    from tests.test_verify import reroute

    rerouted = reroute(trustkit.load_pack(choices))
    rule = rerouted.rules[-1]
    chosen = trustkit.AnswerCompare("set_off_by", "contains", ["phone"])
    when = trustkit.AllOf((rule.when, chosen))
    bad = attrs.evolve(rerouted, rules=(*rerouted.rules[:-1], attrs.evolve(rule, when=when)))
    monkeypatch.setattr(trustkit, "load_pack", lambda *a, **k: bad)
    code, out, _ = run("pack", "verify", str(choices))
    assert code == 1
    assert '"set_off_by": ["phone"]' in out
