"""The command's own labels come from the pack's messages; readable output fits the terminal."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from tests.conftest import Overlay
from tests.strategies import role_and_answers
from trustkit import PackError, Question, QuestionKind, Role, Urgency
from trustkit._cli import _hint, _parse_reply, format_recommendation, main
from trustkit._pack.load import bundled_root
from trustkit._vocabulary import LABELS

CORE = trustkit.default_pack()
EXAMPLE = Path(__file__).parent.parent / "examples" / "checkin.json"
SPANISH = CORE.localized("es")
HEADINGS = ("heading_next_step", "heading_get_help", "heading_why", "heading_actions")


@pytest.fixture(autouse=True)
def _no_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output is not wrapped unless a test sets COLUMNS itself."""
    monkeypatch.delenv("COLUMNS", raising=False)


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


# ----------------------------------------------------------------------------- labels


def test_every_label_has_an_english_default_and_a_spanish_translation() -> None:
    """The core pack leaves the labels to their defaults; Spanish translates each one."""
    for name, default in LABELS.items():
        assert getattr(CORE.messages, name) == default, name
        same = {"action_minutes", "word_no"}  # "{minutes} min" and "no" read the same
        assert (getattr(SPANISH.messages, name) == default) is (name in same), name
    assert CORE.messages.scale == tuple(LABELS[f"scale_{n}"] for n in range(1, 6))
    assert SPANISH.messages.scale[0] == "muy en desacuerdo"


@pytest.mark.parametrize("urgency", list(Urgency))
def test_each_urgency_has_a_name(urgency: Urgency) -> None:
    """Messages.urgency names every urgency, by member or by value."""
    assert CORE.messages.urgency(urgency) == urgency.value
    assert SPANISH.messages.urgency(urgency.value) == getattr(
        SPANISH.messages, f"urgency_{urgency.value}"
    )


def test_a_spanish_recommendation_has_spanish_labels() -> None:
    """--locale es gives Spanish headings, who, minutes and urgency; English has none of them."""
    code, out, _ = run("recommend", "-", "--locale", "es", stdin='{"hurt_or_threatened": true}')
    assert code == 0
    spanish = SPANISH.messages
    for name in HEADINGS:
        assert f"{getattr(spanish, name)}:" in out, name
    assert f"· {spanish.urgency_critical}]" in out
    assert spanish.resource_phone.format(phone="") in out
    assert "Get help now" not in out
    assert "Why:" not in out
    _, english, _ = run("recommend", "-", stdin='{"hurt_or_threatened": true}')
    assert "Get help now:" in english
    assert "Pide ayuda" not in english


def test_who_and_alternatives_are_translated() -> None:
    """Who does an action and the other steps worth a look read in Spanish."""
    _, out, _ = run("recommend", str(EXAMPLE), "--locale", "es")
    spanish = SPANISH.messages
    assert f"{spanish.action_minutes.format(minutes=5)}, {spanish.who_partner})" in out
    assert f"{spanish.heading_alternatives}: " in out
    _, out, _ = run(
        "recommend", "-", "--locale", "es", "--respondent", "supporter", stdin='{"stuck": 5}'
    )
    assert f", {spanish.who_together})" in out or f", {spanish.who_you})" in out


def test_format_recommendation_defaults_to_the_labels_of_its_locale() -> None:
    """Without messages, the bundled pack's labels in the recommendation's locale are used."""
    rec = trustkit.recommend_next_step({"feels_heard": 1}, locale="es")
    assert format_recommendation(rec) == format_recommendation(rec, SPANISH.messages)
    assert format_recommendation(rec).startswith(SPANISH.messages.heading_next_step + ":")


def test_an_overlay_may_change_a_label_and_a_locale_may_translate_it(overlay: Overlay) -> None:
    """Labels are messages: an overlay overrides them, its locale file translates them."""
    root = overlay(
        "labels",
        overrides='[messages]\nheading_why = "Because"\n',
        locales__es='[messages]\nheading_why = "Porque"\n',
    )
    code, out, _ = run("recommend", "--pack", str(root), "-", stdin='{"feels_heard": 1}')
    assert code == 0
    assert "\nBecause:\n" in out
    _, out, _ = run("recommend", "--pack", str(root), "--locale", "es", "-", stdin="{}")
    assert "\nPorque:\n" in out


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("action_minutes", "{value} min", "unknown placeholder {value}; use ['minutes']"),
        ("heading_why", "Why {label}", "unknown placeholder {label}; use []"),
        ("checkin_safety", "Keep this between us.", "a safety text must never ask for secrecy"),
        ("checkin_progress", "{number:>3} of {total}", "write placeholders plainly"),
    ],
)
def test_labels_are_checked_like_templates(
    overlay: Overlay, field: str, text: str, message: str
) -> None:
    """A label uses only its own placeholders; the note before the screen never asks secrecy."""
    for number, where in enumerate(("overrides", "locales__es")):
        root = overlay(f"bad{number}", **{where: f"[messages]\n{field} = {text!r}\n"})
        with pytest.raises(PackError) as caught:
            trustkit.load_pack(root).localized("es")
        assert any(
            p.field == field and p.message.startswith(message) for p in caught.value.problems
        ), caught.value.problems


def test_a_pack_without_labels_gets_the_english_defaults(tmp_path: Path) -> None:
    """The labels are optional in messages.toml, so packs written before them still load."""
    source = bundled_root("core")
    assert isinstance(source, Path)
    shutil.copytree(source, tmp_path / "old")
    shutil.rmtree(tmp_path / "old" / "locales")
    pack = trustkit.load_pack(tmp_path / "old")
    assert pack.messages == CORE.messages  # where they were read (origin) aside


# ---------------------------------------------------------------------------- checkin


def test_checkin_asks_in_spanish_and_takes_spanish_replies() -> None:
    """Intro, progress, hints and the note before the screen are Spanish; 'sí' is yes."""
    questions = [q for q in CORE.questions_for(Role.PARTNER) if not q.safety]
    replies = ["x", "3"] + [""] * (len(questions) - 1) + ["sí"]
    code, out, _ = run("checkin", "--locale", "es", replies=replies)
    spanish = SPANISH.messages
    assert out.startswith(spanish.checkin_intro.format(back="<"))
    total = len(CORE.questions_for(Role.PARTNER))
    assert spanish.checkin_progress.format(number=1, total=total) + ". " in out
    assert f"(1 = {spanish.scale_1} … 5 = {spanish.scale_5})" in out
    assert (
        spanish.checkin_retry.format(
            hint=f"1 = {spanish.scale_1} … 5 = {spanish.scale_5}", back="<"
        )
        in out
    )
    assert spanish.checkin_safety in out
    assert "(s / n)" in out
    assert code == 3  # the replies ran out after the first safety question ...
    assert f"{spanish.heading_get_help}:" in out  # ... which was a yes, so help stays in view


@pytest.mark.parametrize(
    ("reply", "spanish", "english"),
    [
        ("sí", True, None),
        ("SI", True, None),
        ("s", True, None),
        ("no", False, False),
        ("N", False, False),
        ("y", True, True),
        ("Yes", True, True),
        ("", None, None),
        ("oui", None, None),
    ],
)
def test_yes_no_replies(reply: str, spanish: bool | None, english: bool | None) -> None:
    """The pack's words and their first letters answer, without accents; English always does."""
    question = CORE.question("afraid_of_partner")
    assert _parse_reply(question, reply, SPANISH.messages) is spanish
    assert _parse_reply(question, reply, CORE.messages) is english


def test_words_that_start_alike_are_only_taken_whole() -> None:
    """If yes and no begin with the same letter, the hint shows them whole."""
    messages = attrs.evolve(CORE.messages, word_yes="nod", word_no="nope")
    question = Question("q", "Q", QuestionKind.YES_NO, frozenset(Role))
    assert _hint(question, messages) == "nod / nope"
    assert _parse_reply(question, "nod", messages) is True
    assert _parse_reply(question, "n", messages) is False  # English "n" still means no
    assert _parse_reply(question, "nope", messages) is False


def test_count_replies_are_ascii_digits() -> None:
    """A digit from another script is not a count (and does not crash the check-in)."""
    question = Question("q", "Q", QuestionKind.COUNT, frozenset(Role))
    assert _parse_reply(question, " 12 ", CORE.messages) == 12
    assert _parse_reply(question, "²", CORE.messages) is None
    assert _hint(question, SPANISH.messages) == SPANISH.messages.hint_count


# ----------------------------------------------------------------------------- wrapping


def _rec(answers: dict[str, bool | int]) -> trustkit.Recommendation:
    return trustkit.recommend_next_step(answers, respondent="partner", country="GB")


@given(
    rec=role_and_answers().map(lambda ra: trustkit.recommend_next_step(ra[1], respondent=ra[0])),
    width=st.integers(20, 200),
)
def test_wrapped_text_fits_and_keeps_every_word(rec: trustkit.Recommendation, width: int) -> None:
    """Every wrapped line fits the width unless it is one unbreakable word; no word is lost."""
    plain = format_recommendation(rec)
    wrapped = format_recommendation(rec, width=width)
    assert wrapped.split() == plain.split()
    # Only one unbreakable unit overflows: a word, a web address or a phone number.
    unit = re.compile(r"(\d+\. |- )?(\S+|call [\d -]+\d)( ·)?")
    for line in wrapped.splitlines():
        assert len(line) <= width or unit.fullmatch(line.strip()), line
    assert format_recommendation(rec, width=10_000) == plain


def test_columns_wraps_the_readable_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """With COLUMNS set, recommend, steps and checkin fit it; a long address stays whole."""
    monkeypatch.setenv("COLUMNS", "41")
    _, out, _ = run("recommend", "-", "--country", "GB", stdin='{"hurt_or_threatened": true}')
    lines = out.splitlines()
    assert max(len(line) for line in lines if " " in line.strip()) <= 40
    assert "https://nationaldahelpline.org.uk" in out  # no break at a hyphen or a dot
    assert "call 0808 2000 247" in out  # nor inside a phone number
    _, out, _ = run("steps")
    assert max(len(line) for line in out.splitlines()) <= 40
    _, out, _ = run("checkin", replies=[])
    assert max(len(line) for line in out.splitlines()) <= 40


def test_a_tiny_terminal_still_gets_readable_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A width below 20 columns is taken as 20; steps then go one under the other."""
    monkeypatch.setenv("COLUMNS", "5")
    _, out, _ = run("steps")
    lines = out.splitlines()
    assert max(len(line) for line in lines if " " in line.strip()) <= 20
    assert lines[:2] == ["educate", "  Learn where the"]


def test_json_and_pipes_are_never_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    """--json ignores COLUMNS; without COLUMNS, output that is not a terminal is not wrapped."""
    _, piped, _ = run("recommend", "-", stdin='{"feels_heard": 1}')
    assert piped == format_recommendation(_rec({"feels_heard": 1})) + "\n"
    monkeypatch.setenv("COLUMNS", "30")
    _, as_json, _ = run("recommend", "-", "--json", stdin='{"feels_heard": 1}')
    monkeypatch.delenv("COLUMNS")
    _, unwrapped_json, _ = run("recommend", "-", "--json", stdin='{"feels_heard": 1}')
    assert as_json == unwrapped_json


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_is_wrapped_to_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal, the width is the terminal's, less one column."""
    monkeypatch.setattr(shutil, "get_terminal_size", lambda: os.terminal_size((50, 24)))
    out = _Terminal()
    code = main(["steps"], stdout=out, stderr=io.StringIO())
    assert code == 0
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 49
    assert any(len(line) > 40 for line in lines)


def test_a_reply_that_would_mean_both_is_asked_again() -> None:
    """A first letter that English reads the other way ("n" of "ndiyo") is no reply at all."""
    messages = attrs.evolve(CORE.messages, word_yes="ndiyo", word_no="hapana")
    question = Question("q", "Q", QuestionKind.YES_NO, frozenset(Role))
    assert _parse_reply(question, "n", messages) is None
    assert _parse_reply(question, "ndiyo", messages) is True
    assert _parse_reply(question, "h", messages) is False
    assert _parse_reply(question, "no", messages) is False
    assert _hint(question, messages) == "ndiyo / hapana"


def test_a_blank_word_is_no_reply() -> None:
    """An empty reply (Enter) skips a question; a blank word never makes it an answer."""
    messages = attrs.evolve(CORE.messages, word_no=" ")
    question = Question("q", "Q", QuestionKind.YES_NO, frozenset(Role))
    assert _parse_reply(question, "", messages) is None
    assert _parse_reply(question, "  ", messages) is None
