"""The ``trustkit`` command: a thin shell over the public API.

It holds no rule logic of its own. Bad input ends with a one-line error on
standard error and exit status 2, never a traceback. A check-in stopped before
its end (end of input, exit status 3; Ctrl-C, exit status 130) is never
recommended on as if it were complete.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import IO, Any

import trustkit
from trustkit import _json
from trustkit._engine.examples import example_problems
from trustkit._pack.kinds import json_answers
from trustkit._vocabulary import did_you_mean, fold
from trustkit.models import (
    Answer,
    ContentPack,
    Messages,
    Question,
    QuestionKind,
    Recommendation,
    Resource,
    Role,
    RuleOutcome,
    Trace,
)

EXIT_OK = 0
EXIT_PACK_ERRORS = 1
EXIT_BAD_INPUT = 2
EXIT_INCOMPLETE = 3
"""``trustkit checkin`` reached the end of its input before the last question."""
EXIT_INTERRUPTED = 130
"""Stopped with Ctrl-C: 128 + SIGINT, as shells report it."""
EXIT_BROKEN_PIPE = 141
"""Standard output was closed early (``trustkit steps | head -1``): 128 + SIGPIPE, quietly."""
MAX_INPUT_CHARS = 1_000_000
"""The largest JSON check-in read; a real one is a few kilobytes."""


class _BadInputError(Exception):
    """Input the CLI itself rejects (as opposed to the library)."""


BUNDLED = "core"
"""The pack ``--pack`` names when it is left out: the bundled one."""


def _option_words(pack: str | None, overlays: Sequence[str], prefix: str = "") -> list[str]:
    """``--pack PACK --overlay OVERLAY...`` (each option's name after ``prefix``), quoted."""
    words = [] if pack is None else [f"--{prefix}pack", shlex.quote(pack)]
    for overlay in overlays:
        words += [f"--{prefix}overlay", shlex.quote(overlay)]
    return words


def _deprecated(err: IO[str], what: str, words: Sequence[str]) -> None:
    """A one-line note that a form still works but is deprecated, with what to write instead."""
    instead = " ".join(words) or "the options --pack and --overlay"
    err.write(f"trustkit: note: {what} still works but is deprecated; write: {instead}\n")


def _named(args: argparse.Namespace, err: IO[str]) -> tuple[str | None, list[str]]:
    """The pack and overlays a command names: ``--pack`` and ``--overlay``.

    The forms of trustkit 0.1 still work, with a note on standard error: the
    pack and overlays as positional arguments (``pack check PACK OVERLAY...``)
    and overlays after ``schema --pack PACK``.
    """
    pack: str | None = args.pack
    overlays: list[str] = list(args.overlay)
    by_position: str | None = getattr(args, "legacy_pack", None)
    legacy: list[str] = list(getattr(args, "legacy_overlays", ()))
    if by_position is None and not legacy:
        return pack, overlays
    if by_position is not None:
        if pack is not None:
            raise _BadInputError(
                f"the pack is named twice ({by_position!r}, and {pack!r} with --pack): "
                "name the pack once, with --pack, and each overlay with --overlay"
            )
        pack = by_position
    overlays = [*legacy, *overlays]
    what = "naming packs by position" if by_position is not None else "naming overlays after --pack"
    _deprecated(err, what, _option_words(pack, overlays))
    return pack, overlays


def _load(pack: str | None, overlays: Sequence[str], ordered: bool) -> ContentPack:
    """The pack with its overlays applied; the bundled pack when neither is named."""
    if pack is None and not overlays:
        return trustkit.default_pack()
    return trustkit.load_pack(BUNDLED if pack is None else pack, *overlays, ordered=ordered)


def _pack(args: argparse.Namespace, err: IO[str]) -> ContentPack:
    pack = _load(*_named(args, err), args.ordered)
    locale = getattr(args, "locale", None)
    return _localized(pack, locale, err) if locale else pack


def _localized(pack: ContentPack, locale: str, err: IO[str]) -> ContentPack:
    """The pack in ``locale``, with a note on standard error when it has no such texts."""
    local = pack.localized(locale)
    language = locale.strip().replace("_", "-").split("-")[0].lower()
    if local.locale.split("-")[0].lower() != language:
        err.write(f"trustkit: this pack has no texts in {locale!r}; showing {local.locale!r}\n")
    return local


def _read_json(source: str, stdin: IO[str]) -> object:
    try:
        if source == "-":
            text = stdin.read(MAX_INPUT_CHARS + 1)
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read(MAX_INPUT_CHARS + 1)
    except UnicodeDecodeError:
        raise _BadInputError(f"{source}: not UTF-8 text") from None
    if len(text) > MAX_INPUT_CHARS:
        raise _BadInputError(
            f"{source}: larger than {MAX_INPUT_CHARS:,} characters; a check-in is a few kilobytes"
        )
    try:
        return _json.loads(text)  # a key given twice is an AnswerError, naming the key
    except json.JSONDecodeError as exc:
        # The position only: the message of a JSON error can quote the input.
        raise _BadInputError(f"{source}: not valid JSON (line {exc.lineno})") from None
    except trustkit.AnswerError as exc:
        if exc.problems[0].field != _json.FIELD:
            raise
        raise _BadInputError(f"{source}: not a check-in: {exc.problems[0]}") from None


def _split_checkin(data: object) -> tuple[object, str | None]:
    """Bare answers (an object without "answers"), or a check-in document.

    A check-in document follows the one rule of parse_checkin and the check-in schema:
    "respondent" and "answers" required, "at" and "recommended" optional, nothing else.
    The clock stands in for a missing "at" only so that parse_checkin can check the rest;
    such a check-in is recommended on as its answers alone, as bare answers are.
    """
    if isinstance(data, dict) and "answers" in data:
        checkin = trustkit.parse_checkin(data, at=dt.datetime.now(dt.UTC))
        return (checkin if "at" in data else checkin.answers), checkin.respondent.value
    return data, None


def _resource_line(res: Resource, messages: Messages) -> str:
    where = res.country if not res.region else f"{res.country}, {res.region}"
    parts = [f"{res.name} ({where})"]
    parts.extend(
        text
        for text in (
            messages.resource_audience.format(audience=res.audience) if res.audience else "",
            _whole(messages.resource_phone.format(phone=res.phone)) if res.phone else "",
            res.text,
            res.url,
            res.hours,
            res.notes,  # e.g. "press 2 ... text AYUDA", the UK's silent 999 "press 55"
        )
        if text
    )
    return " · ".join(parts)


_KEEP = "\x00"
"""Stands for a space that wrapping must not break at (pack texts never hold it)."""


def _whole(text: str) -> str:
    """``text`` kept on one line when wrapped, e.g. "call 0808 2000 247"."""
    return text.replace(" ", _KEEP)


MIN_WIDTH = 20
"""The narrowest width text is wrapped to, however narrow the terminal says it is."""

_Line = tuple[str, str, str]
"""A line of readable output: its indent, the indent of its continuation lines, its text."""


def _wrap(lines: Sequence[_Line], width: int | None) -> str:
    """The lines as text, each wrapped to ``width`` columns when a width is given.

    Words are never broken, nor at hyphens, so that phone numbers and web
    addresses stay whole (a longer one overflows rather than breaks).
    """
    out: list[str] = []
    for first, rest, text in lines:
        if width is None or not text or len(first) + len(text) <= width:
            out.append(first + text if text else "")
            continue
        out.extend(
            textwrap.wrap(
                text,
                width=width,
                initial_indent=first,
                subsequent_indent=rest,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out).replace(_KEEP, " ")


def format_recommendation(
    rec: Recommendation, messages: Messages | None = None, width: int | None = None
) -> str:
    """The recommendation as text for a person to read.

    Args:
        rec: The recommendation.
        messages: The labels to use: the messages of the (localized) pack that
            made it. By default, those of the bundled pack in ``rec.locale``.
        width: Wrap the text to this many columns; by default, it is not wrapped.
    """
    if messages is None:
        messages = trustkit.default_pack().localized(rec.locale).messages
    step = rec.step
    urgency = messages.urgency(rec.urgency)
    lines: list[_Line] = [
        ("", "", f"{messages.heading_next_step}: {step.title}  [{step.id} · {urgency}]"),
        ("", "", step.summary),
        ("", "", ""),
    ]
    if rec.resources:
        lines.append(("", "", f"{messages.heading_get_help}:"))
        lines.extend(("  - ", "    ", _resource_line(res, messages)) for res in rec.resources)
        lines.append(("", "", ""))
    lines.append(("", "", f"{messages.heading_why}:"))
    lines.extend(("  - ", "    ", reason) for reason in rec.reasons)
    lines.extend([("", "", ""), ("", "", f"{messages.heading_actions}:")])
    for number, action in enumerate(step.actions, start=1):
        minutes = messages.action_minutes.format(minutes=action.minutes)
        who = trustkit.action_label(action, rec.respondent, messages)
        lines.append((f"  {number}. ", "     ", f"{action.title} ({minutes}, {who})"))
        lines.append(("     ", "     ", action.how))
    if rec.alternatives:
        lines.append(("", "", ""))
        others = ", ".join(f"{alt.title} ({alt.step_id})" for alt in rec.alternatives)
        lines.append(("", "  ", f"{messages.heading_alternatives}: {others}"))
    packs = ", ".join(map(str, rec.packs))
    # A safety rule's id names the kind of disclosure ("safety-high-risk"): not on screen,
    # where someone else may read it (--json keeps it for apps).
    made = f"pack {packs} · {rec.locale}"
    footer = made[:1].upper() + made[1:] if rec.safety else f"Rule {rec.rule_id} · {made}"
    lines.extend([("", "", ""), ("", "", footer)])
    return _wrap(lines, width)


_OUTCOME_WORDS = {
    RuleOutcome.DECIDED: "decided",
    RuleOutcome.ALTERNATIVE: "held, offered as an alternative",
    RuleOutcome.JOINED: "held, its reasons and helplines joined",
    RuleOutcome.SAME_STEP: "held, its step was already chosen",
    RuleOutcome.CATCH_ALL: "held, a catch-all (never an alternative)",
    RuleOutcome.ENOUGH: "held, two alternatives were already found",
    RuleOutcome.FAILED: "did not hold",
    RuleOutcome.EARLIER: "held at your earlier check-in, and decides again",
    RuleOutcome.NOT_TRIED: "not tried",
}


def format_trace(trace: Trace) -> str:
    """The rules of a trace as text: one line each, then what failed and what it read."""
    lines = ["Rules, in the order they were tried:"]
    width = max((len(entry.rule_id) for entry in trace.rules), default=0)
    for entry in trace.rules:
        tag = "safety" if entry.safety else str(entry.priority)
        lines.append(
            f"  {tag:>6}  {entry.rule_id:<{width}} -> {entry.step}: {_OUTCOME_WORDS[entry.outcome]}"
        )
        if entry.failed is not None:
            lines.append(f"          failed at: {entry.failed}")
            read = [*entry.questions, *entry.facts]
            if read:
                lines.append(f"          reads: {', '.join(read)}")
    return "\n".join(lines)


def _width(out: IO[str]) -> int | None:
    """The width to wrap readable output to: the terminal's, when it is one or COLUMNS is set.

    Output to a file or a pipe is not wrapped, so that scripts get whole lines.
    """
    if "COLUMNS" not in os.environ and not out.isatty():
        return None
    return max(shutil.get_terminal_size().columns - 1, MIN_WIDTH)


def _print_rec(rec: Recommendation, as_json: bool, out: IO[str], pack: ContentPack) -> None:
    if as_json:
        data = trustkit.converter.unstructure(rec)
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(format_recommendation(rec, pack.messages, _width(out)) + "\n")


MAX_STATE_CHARS = 1_000_000
"""The largest couple state file read; a real one is a few kilobytes."""

_UNREADABLE = object()
"""Stands for a state file that could not be read: recommend reports it (help still first)."""


def _read_state(path: str) -> object:
    """The couple state in ``path``: a new one when there is no file, `_UNREADABLE` if broken.

    A broken file is never overwritten: it may be the only record of a disclosure.
    """
    if not os.path.exists(path):
        return trustkit.CoupleState()
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(MAX_STATE_CHARS + 1)
        if len(text) > MAX_STATE_CHARS:
            return _UNREADABLE
        return trustkit.converter.structure(_json.loads(text), trustkit.CoupleState)
    except Exception:  # any fault in the file: reported, never quoted
        return _UNREADABLE


def _write_state(path: str, state: trustkit.CoupleState) -> None:
    """Write the state next to where it was, readable by its owner only, in one step."""
    text = json.dumps(trustkit.converter.unstructure(state), ensure_ascii=False)
    temporary = f"{path}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    os.replace(temporary, path)


def _carry(
    args: argparse.Namespace,
    state: object,
    checkin: object,
    rec: Recommendation,
    pack: ContentPack,
    err: IO[str],
) -> int:
    """Report what was wrong beside the help, then fold the check-in into the state file."""
    for problem in rec.problems:
        err.write(f"trustkit: note: {problem}\n")
    if args.state is None:
        return EXIT_OK
    if state is _UNREADABLE:
        err.write(f"trustkit: error: {args.state}: not a trustkit couple state; left as it is\n")
        return EXIT_BAD_INPUT
    if not isinstance(checkin, trustkit.CheckIn):
        err.write('trustkit: error: --state needs a check-in document with "at"\n')
        return EXIT_BAD_INPUT
    assert isinstance(state, trustkit.CoupleState)  # read above
    try:
        new = trustkit.advance(state, checkin, rec, pack=pack)
    except trustkit.AnswerError as error:
        err.write(f"trustkit: error: {args.state} not updated: {error}\n")
        return EXIT_BAD_INPUT
    _write_state(args.state, new)
    return EXIT_OK


def _cmd_recommend(args: argparse.Namespace, stdin: IO[str], out: IO[str], err: IO[str]) -> int:
    answers, respondent = _split_checkin(_read_json(args.file, stdin))
    if args.respondent is not None:
        if respondent is not None and respondent != args.respondent:
            raise _BadInputError("--respondent does not match the check-in's respondent")
        respondent = args.respondent
    pack = _pack(args, err)
    state = None if args.state is None else _read_state(args.state)
    if args.trace:
        trace = trustkit.trace(
            answers,  # type: ignore[arg-type]  # checked by trace
            respondent=respondent,
            pack=pack,
            country=args.country,
            state=state,  # type: ignore[arg-type]  # checked by trace
        )
        rec = trace.recommendation
        if args.json:
            data = trustkit.converter.unstructure(trace)
            out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        else:
            width = _width(out)
            out.write(format_recommendation(rec, pack.messages, width) + "\n\n")
            out.write(format_trace(trace) + "\n")
        return _carry(args, state, answers, rec, pack, err)
    try:
        rec = trustkit.recommend_next_step(
            answers,  # type: ignore[arg-type]  # checked by recommend_next_step
            respondent=respondent,
            pack=pack,
            country=args.country,
            state=state,  # type: ignore[arg-type]  # checked by recommend_next_step
        )
    except trustkit.AnswerError:
        if state is _UNREADABLE:
            raise _BadInputError(f"{args.state}: not a trustkit couple state") from None
        raise
    _print_rec(rec, args.json, out, pack)
    return _carry(args, state, answers, rec, pack, err)


_YES = {"y": True, "yes": True, "n": False, "no": False}
"""The English replies to a yes/no question, understood in every language."""


def _yes_no(messages: Messages) -> dict[str, bool]:
    """The replies to a yes/no question: the pack's words, their first letters and English.

    A first letter shared by the two words is no reply, and neither is a reply
    that would mean both yes and no (a first letter that English reads the
    other way): the question is asked again. `pack check` refuses words that
    are blank, alike, or mean the opposite.
    """
    yes, no = fold(messages.word_yes), fold(messages.word_no)
    replies = [*_YES.items(), (yes, True), (no, False)]
    if yes[:1] != no[:1]:
        replies += [(yes[:1], True), (no[:1], False)]
    meanings: dict[str, set[bool]] = {}
    for reply, meaning in replies:
        meanings.setdefault(reply, set()).add(meaning)
    return {reply: said.pop() for reply, said in meanings.items() if reply and len(said) == 1}


def _hint(question: Question, messages: Messages) -> str:
    """What a question takes, e.g. "1 = strongly disagree … 5 = strongly agree"."""
    if question.kind is QuestionKind.SCALE:
        return f"1 = {messages.scale_1} … 5 = {messages.scale_5}"
    if question.kind is QuestionKind.COUNT:
        return messages.hint_count
    if question.kind is QuestionKind.CHOICE:
        return messages.hint_choice
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        return messages.hint_multiple_choice
    yes, no = messages.word_yes, messages.word_no
    replies = _yes_no(messages)
    short = replies.get(fold(yes)[:1]) is True and replies.get(fold(no)[:1]) is False
    return f"{yes[:1]} / {no[:1]}" if short else f"{yes} / {no}"


def _option(question: Question, reply: str) -> str | None:
    """The code of the option a reply names: by its number in the list, or by its code."""
    reply = reply.strip()
    if reply.isascii() and reply.isdigit():
        number = int(reply)
        return question.codes[number - 1] if 1 <= number <= len(question.codes) else None
    return next((code for code in question.codes if fold(code) == fold(reply)), None)


def _parse_reply(question: Question, reply: str, messages: Messages) -> Answer | None:
    """The answer typed for a question; None if it cannot be one.

    A choice takes the number of an option in the list, or its code; a multiple
    choice one or more of them, separated by commas (each at most once).
    """
    if question.kind is QuestionKind.YES_NO:
        return _yes_no(messages).get(fold(reply))
    if question.kind is QuestionKind.CHOICE:
        return _option(question, reply)
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        parts = [part for part in reply.split(",") if part.strip()]
        codes = {code for part in parts if (code := _option(question, part)) is not None}
        return frozenset(codes) if parts and len(codes) == len(parts) else None
    reply = reply.strip()
    if not (reply.isascii() and reply.isdigit()):
        return None
    value = int(reply)
    if question.kind is QuestionKind.SCALE and not 1 <= value <= 5:
        return None
    return value


def _checkin_questions(pack: ContentPack, role: Role) -> tuple[Question, ...]:
    """The questions in the order they are asked: the safety screen is always the last block.

    An overlay's questions come after the base pack's in ``pack.questions``,
    so they are moved in front of the safety questions here.
    """
    questions = pack.questions_for(role)
    return (
        *(q for q in questions if not q.safety),
        *(q for q in questions if q.safety),
    )


BACK = "<"
"""Typed instead of an answer: go back to the previous question."""


def _prompt(question: Question, progress: str, hint: str, width: int | None) -> str:
    """A question as `trustkit checkin` asks it: numbered, its options listed, what it takes."""
    lines: list[_Line] = [("", "   ", f"{progress}. {question.prompt}")]
    lines += [
        ("   ", "      ", f"{n}. {option.label}") for n, option in enumerate(question.options, 1)
    ]
    lines.append(("   ", "   ", f"({hint})"))
    return _wrap(lines, width)


def _ask_all(
    questions: Sequence[Question],
    ask: Callable[[str], str],
    talk: IO[str],
    answers: dict[str, Answer],
    messages: Messages,
    width: int | None = None,
) -> None:
    """Ask each question in turn, filling ``answers`` as the person goes.

    Each prompt says how far along the person is ("3 of 18"); Enter skips a
    question and ``<`` goes back to the one before, clearing its answer. The
    labels come from ``messages``, and text is wrapped to ``width`` if given.
    ``EOFError`` and ``KeyboardInterrupt`` from ``ask`` pass through; the
    answers given so far are then in ``answers``.
    """
    talk.write(_wrap([("", "", messages.checkin_intro.format(back=BACK))], width) + "\n")
    total = len(questions)
    told_safety = False
    number = 0
    while number < total:
        question = questions[number]
        if question.safety and not told_safety:
            told_safety = True
            talk.write("\n" + _wrap([("", "", messages.checkin_safety)], width) + "\n")
        progress = messages.checkin_progress.format(number=number + 1, total=total)
        hint = _hint(question, messages)
        prompt = _prompt(question, progress, hint, width)
        reply = ask(f"\n{prompt} > ")
        if reply.strip() == BACK:
            number = max(number - 1, 0)
            answers.pop(questions[number].id, None)
            continue
        if not reply.strip():
            number += 1
            continue
        value = _parse_reply(question, reply, messages)
        if value is None:
            retry = messages.checkin_retry.format(hint=hint, back=BACK)
            talk.write(_wrap([("   ", "   ", retry)], width) + "\n")
            continue
        answers[question.id] = value
        number += 1
    talk.write("\n")


def _ask_adaptive(
    pack: ContentPack,
    role: Role,
    ask: Callable[[str], str],
    talk: IO[str],
    answers: dict[str, Answer],
    width: int | None,
) -> None:
    """Ask what `trustkit.next_questions` returns, one at a time, until nothing is left.

    The safety screen comes first; then only the questions that can still change
    the step (and tracked ones). Enter skips a question (it is not asked again),
    ``<`` goes back to the one before. The progress says how many are left at most.
    """
    messages = pack.messages
    talk.write(_wrap([("", "", messages.checkin_intro.format(back=BACK))], width) + "\n")
    given: dict[str, Answer | None] = {}
    shown: list[str] = []
    told_safety = False
    while left := trustkit.next_questions(given, respondent=role, pack=pack).questions:
        question = pack.question(left[0])
        if question.safety and not told_safety:
            told_safety = True
            talk.write("\n" + _wrap([("", "", messages.checkin_safety)], width) + "\n")
        number = len(shown) + 1
        progress = messages.checkin_progress.format(number=number, total=len(shown) + len(left))
        hint = _hint(question, messages)
        prompt = _prompt(question, progress, hint, width)
        reply = ask(f"\n{prompt} > ")
        if reply.strip() == BACK:
            if shown:
                last = shown.pop()
                given.pop(last)
                answers.pop(last, None)
            continue
        value = _parse_reply(question, reply, messages) if reply.strip() else None
        if reply.strip() and value is None:
            retry = messages.checkin_retry.format(hint=hint, back=BACK)
            talk.write(_wrap([("   ", "   ", retry)], width) + "\n")
            continue
        given[question.id] = value
        shown.append(question.id)
        if value is not None:
            answers[question.id] = value
    talk.write("\n")


_STOPPED = {
    EXIT_INCOMPLETE: "trustkit: input ended before the last question; "
    "the check-in was not completed\n",
    EXIT_INTERRUPTED: "trustkit: stopped; the check-in was not completed\n",
}
"""One line each, the same whatever was answered: it echoes nothing."""


def _cmd_checkin(
    args: argparse.Namespace, ask: Callable[[str], str], out: IO[str], err: IO[str]
) -> int:
    pack = _pack(args, err)
    role = Role(args.respondent or "partner")
    answers: dict[str, Answer] = {}
    # With --json, standard output carries the JSON and nothing else: the prompts go to
    # standard error, written here, and ``ask`` only reads the reply.
    talk = err if args.json else out
    if args.json:
        reply = ask

        def ask(prompt: str) -> str:
            talk.write(prompt)
            talk.flush()
            return reply("")

    try:
        if args.adaptive:
            _ask_adaptive(pack, role, ask, talk, answers, _width(talk))
        else:
            _ask_all(
                _checkin_questions(pack, role), ask, talk, answers, pack.messages, _width(talk)
            )
    except (EOFError, KeyboardInterrupt) as stop:
        status = EXIT_INCOMPLETE if isinstance(stop, EOFError) else EXIT_INTERRUPTED
        talk.write("\n")  # the prompt line is still open
        # A "yes" on the safety screen is never dropped: help stays in view, from the
        # safety answers alone, since the rest of the check-in is incomplete.
        safety = {qid: value for qid, value in answers.items() if pack.question(qid).safety}
        if any(value is True for value in safety.values()):
            rec = trustkit.recommend_next_step(
                safety, respondent=role, pack=pack, country=args.country
            )
            _print_rec(rec, args.json, out, pack)
        err.write(_STOPPED[status])
        return status
    rec = trustkit.recommend_next_step(answers, respondent=role, pack=pack, country=args.country)
    _print_rec(rec, args.json, out, pack)
    return EXIT_OK


def _cmd_steps(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    pack = _pack(args, err)
    if args.json:
        data = [trustkit.converter.unstructure(step) for step in pack.steps]
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    column = max(len(step.id) for step in pack.steps)
    width = _width(out)
    lines: list[_Line] = []
    for step in pack.steps:
        if width is not None and 2 * (column + 2) > width:  # too narrow for two columns
            lines.extend([("", "", step.id), ("  ", "  ", step.title), ("  ", "  ", step.summary)])
            continue
        indent = " " * (column + 2)
        lines.append((f"{step.id:<{column}}  ", indent, step.title))
        lines.append((indent, indent, step.summary))
    out.write(_wrap(lines, width) + "\n")
    return EXIT_OK


def _cmd_pack_check(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    problems: list[trustkit.PackProblem] = []
    named = _named(args, err)
    try:
        pack = _load(*named, args.ordered)
        for tag in pack.locales:  # locale files are otherwise read only when first used
            try:
                pack.localized(tag)
            except trustkit.PackError as error:
                problems.extend(error.problems)
        # examples.toml is test data, read only by pack test: check it here too.
        problems.extend(example_problems(named[0] or BUNDLED, *named[1], pack=pack))
    except trustkit.PackError as error:
        problems.extend(error.problems)
    if problems:
        for problem in problems:
            out.write(f"error: {problem}\n")
        count = len(problems)
        out.write(f"{count} error{'s' if count != 1 else ''}; the pack cannot be used\n")
        return EXIT_PACK_ERRORS
    today = args.today if args.today is not None else _today()
    warnings = trustkit.lint_pack(pack, today=today)
    skipped = [w for w in warnings if _skipped(w, args.skip_locale)]
    warnings = tuple(w for w in warnings if not _skipped(w, args.skip_locale))
    _write_warnings(warnings, args.verbose, out)
    packs = ", ".join(map(str, pack.packs))
    note = ""
    if skipped:
        tags = ", ".join(sorted({repr(w.locale) for w in skipped}))
        plural = "s" if len(skipped) != 1 else ""
        note = f" ({len(skipped)} missing translation{plural} in {tags} skipped)"
    out.write(
        f"{packs}: no errors, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}{note}\n"
    )
    return EXIT_OK


def _skipped(warning: trustkit.LintWarning, tags: Sequence[str]) -> bool:
    """Whether ``--skip-locale`` silences a warning: a missing translation into one of ``tags``.

    A language (``es``) covers its regional variants (``es-MX``) too.
    """
    if warning.code != "missing-translation" or warning.locale is None:
        return False
    locale = warning.locale.replace("_", "-").lower()
    return any(
        locale == tag or locale.startswith(tag + "-")
        for tag in (t.strip().replace("_", "-").lower() for t in tags)
    )


MAX_LISTED = 5
"""A locale missing more texts than this gets one summary line (``--verbose`` lists them all)."""


def _write_warnings(warnings: Sequence[trustkit.LintWarning], verbose: bool, out: IO[str]) -> None:
    """Each warning on its own line, but one line per locale that misses many translations."""
    missing: dict[str | None, list[trustkit.LintWarning]] = {}
    for warning in warnings:
        if warning.code == "missing-translation":
            missing.setdefault(warning.locale, []).append(warning)
    summed = {tag for tag, found in missing.items() if len(found) > MAX_LISTED and not verbose}
    for warning in warnings:
        if warning.code == "missing-translation" and warning.locale in summed:
            found = missing[warning.locale]
            if warning is found[0]:
                files = ", ".join(sorted({w.file for w in found if w.file}))
                out.write(
                    f"warning: {files + ': ' if files else ''}missing-translation: {len(found)} "
                    f"texts have no {warning.locale!r} translation and show the pack's own "
                    f"(the first: {warning.item}); --verbose lists each, and "
                    f"--skip-locale {warning.locale} leaves them out\n"
                )
            continue
        out.write(f"warning: {warning}\n")
        if warning.example is not None and warning.respondent is not None:
            example = json.dumps(dict(warning.example), sort_keys=True)
            out.write(f"  for example, {warning.respondent} answers: {example}\n")


def _cmd_pack_test(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    pack, overlays = _named(args, err)
    try:
        report = trustkit.run_examples(
            BUNDLED if pack is None else pack, *overlays, ordered=args.ordered
        )
    except trustkit.PackError as error:
        for problem in error.problems:
            out.write(f"error: {problem}\n")
        count = len(error.problems)
        out.write(f"{count} error{'s' if count != 1 else ''}; the examples cannot run\n")
        return EXIT_PACK_ERRORS
    low = args.min_coverage is not None and report.coverage < args.min_coverage
    mutation = None
    if args.mutate and report.ok:
        mutation = trustkit.mutation_test(
            BUNDLED if pack is None else pack, *overlays, ordered=args.ordered
        )
        low = low or _weak(mutation, args.min_score)
    if args.json:
        data = {
            **trustkit.converter.unstructure(report),
            "never_decided": list(report.never_decided),
            "never_held": list(report.never_held),
            "coverage": report.coverage,
            "ok": report.ok and not low,
        }
        if mutation is not None:
            data["mutation"] = mutation.to_json()
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_PACK_ERRORS if data["ok"] is False else EXIT_OK
    for failure in report.failures:
        out.write(f"FAIL {failure}\n")
    failed = len(report.failures)
    packs = ", ".join(map(str, report.packs))
    out.write(
        f"{packs}: {report.examples} example{'s' if report.examples != 1 else ''}, "
        f"{failed} failure{'s' if failed != 1 else ''}\n"
    )
    rules = len(report.rules)
    out.write(
        f"coverage: {len(report.decided)} of {rules} rule{'s' if rules != 1 else ''} decided "
        f"an example ({report.coverage:.1f}%)\n"
    )
    if report.never_decided:
        out.write(f"  no example made these decide: {', '.join(report.never_decided)}\n")
    if report.never_held:
        out.write(f"  these never held: {', '.join(report.never_held)}\n")
    if args.min_coverage is not None and report.coverage < args.min_coverage:
        out.write(f"coverage is below the minimum of {args.min_coverage:g}%\n")
    if mutation is not None:
        _write_mutation(mutation, args.min_score, out)
    return EXIT_PACK_ERRORS if failed or low else EXIT_OK


def _weak(report: trustkit.MutationReport, min_score: float | None) -> bool:
    """Whether a mutation run fails: a safety rule's mutant survives, or the score is too low."""
    return report.safety_score < 100.0 or (min_score is not None and report.score < min_score)


def _write_mutation(report: trustkit.MutationReport, min_score: float | None, out: IO[str]) -> None:
    """The mutation score, the condition coverage and every surviving mutant, by rule."""
    counts = report.to_json()["counts"]
    safe = [m for m in report.mutants if m.safety and m.outcome in ("killed", "survived")]
    safe_killed = sum(m.outcome == "killed" for m in safe)
    judged = counts["killed"] + counts["survived"]
    safe_refused = sum(m.safety and m.outcome == "refused" for m in report.mutants)
    if safe:
        on_safety = f"{safe_killed} of {len(safe)} ({report.safety_score:.1f}%)"
    elif safe_refused:  # never "0 of 0 (100%)": say why no example had to tell one apart
        on_safety = f"none to count, all {safe_refused} refused by the pack check"
    else:
        on_safety = "none to count"
    out.write(
        f"mutation: {counts['killed']} of {judged} mutants killed ({report.score:.1f}%); "
        f"safety rules: {on_safety}\n"
    )
    out.write(
        f"  not counted: {counts['equivalent']} equivalent (no example could tell them apart), "
        f"{counts['refused']} refused by the pack check ({safe_refused} of safety rules)\n"
    )
    seen = sum(c.covered for c in report.conditions)
    out.write(
        f"condition coverage: {seen} of {len(report.conditions)} conditions seen true and false "
        f"({report.condition_coverage:.1f}%)\n"
    )
    by_rule: dict[str, list[str]] = {}
    for mutant in report.survivors:
        by_rule.setdefault(mutant.rule, []).append(mutant.change)
    for rule, changes in by_rule.items():
        out.write(f"  survived in {rule}: {'; '.join(changes)}\n")
    for c in report.conditions:
        if not c.covered:
            never = "true" if not c.seen_true else "false"
            out.write(f"  never {never} in {c.rule}: {c.condition}\n")
    if report.safety_score < 100.0:
        out.write("a mutant of a safety rule survived: add an example that tells it apart\n")
    if min_score is not None and report.score < min_score:
        out.write(f"the mutation score is below the minimum of {min_score:g}%\n")


def _cmd_pack_verify(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    named = _named(args, err)
    try:
        pack = _load(*named, args.ordered)
    except trustkit.PackError as error:
        for problem in error.problems:
            out.write(f"error: {problem}\n")
        count = len(error.problems)
        out.write(f"{count} error{'s' if count != 1 else ''}; the pack cannot be used\n")
        return EXIT_PACK_ERRORS
    if args.locale:
        pack = pack.localized(args.locale)
    report = trustkit.verify_pack(pack)
    if args.json:
        out.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK if report.safe else EXIT_PACK_ERRORS
    for finding in report.findings:
        level = "error" if finding.kind == "unsafe" else "warning"
        out.write(f"{level}: {finding.kind}: {finding.message}\n")
        example = finding.example
        if example is not None:
            answers = json.dumps(json_answers(example.answers), sort_keys=True)
            during = " during the other partner's safety period" if example.history else ""
            out.write(f"  for example, {example.respondent} answers{during}: {answers}\n")
    for why in report.gave_up:
        out.write(f"gave up: {why}\n")
    packs = ", ".join(map(str, pack.packs))
    regions = f"{report.regions:,} region{'s' if report.regions != 1 else ''} of answers"
    verdict = (
        "every safety yes ends at crisis-safe help, for both roles (proved)"
        if report.safe
        else "NOT proved safe"
    )
    out.write(f"{packs}: {verdict}; {regions} decided\n")
    return EXIT_OK if report.safe else EXIT_PACK_ERRORS


def _pack_spec(text: str) -> tuple[str, list[str]]:
    """A pack given as ``BASE[+OVERLAY...]`` (deprecated): an installed id or folder, overlays."""
    base, *overlays = text.split("+")
    if not base or not all(overlays):
        raise _BadInputError(f"expected a pack as BASE or BASE+OVERLAY+..., not {text!r}")
    return base, overlays


def _sides_words(old: tuple[str, list[str]], new: tuple[str, list[str]]) -> list[str]:
    """The options of ``pack diff`` that name these two sides: what they share, then each's own."""
    (old_pack, old_overlays), (new_pack, new_overlays) = old, new
    shared = 0
    while shared < min(len(old_overlays), len(new_overlays)):
        if old_overlays[shared] != new_overlays[shared]:
            break
        shared += 1
    # The same pack on both sides: said with --old-pack and --new-pack, the only way to do so.
    if old == new:
        return [
            *_option_words(None, old_overlays),
            *_option_words(old_pack, (), "old-"),
            *_option_words(new_pack, (), "new-"),
        ]
    if old_pack == new_pack:
        words = _option_words(None if old_pack == BUNDLED else old_pack, old_overlays[:shared])
        return [
            *words,
            *_option_words(None, old_overlays[shared:], "old-"),
            *_option_words(None, new_overlays[shared:], "new-"),
        ]
    return [
        *_option_words(None, old_overlays[:shared]),
        *_option_words(old_pack, old_overlays[shared:], "old-"),
        *_option_words(new_pack, new_overlays[shared:], "new-"),
    ]


def _diff_sides(args: argparse.Namespace, err: IO[str]) -> tuple[ContentPack, ContentPack]:
    """The old and the new pack of ``pack diff``.

    Each side is ``--pack`` (by default the bundled pack) with the ``--overlay``
    packs, then that side's own ``--old-overlay`` or ``--new-overlay`` packs;
    ``--old-pack`` and ``--new-pack`` give a side another pack. The 0.1 form,
    ``OLD NEW`` as ``BASE+OVERLAY...``, still works, with a note.
    """
    options = (args.pack, args.old_pack, args.new_pack)
    named = any(option is not None for option in options) or any(
        (args.overlay, args.old_overlay, args.new_overlay)
    )
    if args.old is not None:
        if args.new is None or named:
            raise _BadInputError(
                "name the two packs with --pack, --overlay, --old-overlay and --new-overlay "
                "(or --old-pack and --new-pack), or, deprecated, as OLD NEW; not both"
            )
        old, new = _pack_spec(args.old), _pack_spec(args.new)
        _deprecated(err, "naming the packs of pack diff as OLD NEW", _sides_words(old, new))
    else:
        old = (args.old_pack or args.pack or BUNDLED, [*args.overlay, *args.old_overlay])
        new = (args.new_pack or args.pack or BUNDLED, [*args.overlay, *args.new_overlay])
        if old == new and (args.old_pack is None or args.new_pack is None):
            raise _BadInputError(
                "the old and the new pack are the same: name what the new one adds with "
                "--new-overlay or --new-pack (or what the old one had with --old-overlay "
                "or --old-pack); to compare a pack with itself, name it with both --old-pack "
                "and --new-pack"
            )
    return _load(*old, args.ordered), _load(*new, args.ordered)


def _change_line(change: trustkit.Change) -> str:
    tag = "SAFETY " if change.safety else ""
    return (
        f"  {tag}{change.from_step} [{change.from_rule}] -> {change.to_step} [{change.to_rule}]: "
        f"{change.count:,} (e.g. {', '.join(change.examples)})"
    )


def format_diff(diff: trustkit.PackDiff, *, records: bool = False) -> str:
    """A pack diff, readably: counts, then changes (safety first), then malformed records.

    With ``records``, the old side is decision records (``pack diff --records``).
    """
    share = f" ({100 * diff.changed / diff.decided:.2f}%)" if diff.decided else ""
    both = "decided by the new pack and compared with their records" if records else (
        "decided by both packs")  # fmt: skip
    lines = [
        f"old{' (decision records)' if records else ''}: {' + '.join(map(str, diff.old))}",
        f"new: {' + '.join(map(str, diff.new))}",
        f"{diff.records:,} check-ins read, {diff.decided:,} {both}, "
        f"{diff.changed:,} decisions changed{share}, {diff.malformed:,} malformed",
    ]
    for count, has, other in (
        (diff.unknown_to_old, "new", "old"),
        (diff.unknown_to_new, "old", "new"),
    ):
        if count:
            one = count == 1
            lines.append(
                f"{count:,} {'check-in answers' if one else 'check-ins answer'} questions only "
                f"the {has} pack has; the {other} pack decided {'it' if one else 'them'} as if "
                "those were unanswered"
            )
    if diff.unmatched_records:
        one = diff.unmatched_records == 1
        lines.append(
            f"{diff.unmatched_records:,} decision record{'' if one else 's'} named no check-in"
        )
    safety = [change for change in diff.changes if change.safety]
    others = [change for change in diff.changes if not change.safety]
    if safety:
        lines.append(f"\nsafety decisions that changed ({diff.safety_changed:,}):")
        lines.extend(map(_change_line, safety))
    if others:
        lines.append("\nother changes, from step [rule] -> to step [rule]:")
        lines.extend(map(_change_line, others))
    if diff.malformed:
        listed = len(diff.malformed_records)
        more = f", the first {listed}" if listed < diff.malformed else ""
        lines.append(f"\nmalformed records (by id, never their values{more}):")
        lines.extend(f"  {rid}: {problem}" for rid, problem in diff.malformed_records)
    return "\n".join(lines) + "\n"


def _progress(err: IO[str]) -> Callable[[int], None] | None:
    if not err.isatty():
        return None

    def show(count: int) -> None:
        err.write(f"\rtrustkit: {count:,} check-ins read")
        err.flush()

    return show


def _records_side(args: argparse.Namespace) -> ContentPack:
    """The new pack of ``pack diff --records``: the old side is the records."""
    if args.old is not None or args.old_pack is not None or args.old_overlay:
        raise _BadInputError(
            "with --records, the records are the old side: name only the new pack "
            "(--pack, --overlay, --new-overlay or --new-pack)"
        )
    if args.scheduler:
        raise _BadInputError("--records runs in one process, not on a Dask cluster")
    return _load(args.new_pack or args.pack or BUNDLED, [*args.overlay, *args.new_overlay],
                 args.ordered)  # fmt: skip


def _cmd_pack_diff(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if args.records is not None:
        new = _records_side(args)
        progress = _progress(err)
        diff = trustkit.diff_records(
            args.records, new, args.checkins, country=args.country, progress=progress
        )
        return _show_diff(diff, args, out, err, progress)
    old, new = _diff_sides(args, err)
    progress = _progress(err)
    if args.scheduler:
        from trustkit._batch import optional  # noqa: PLC0415

        distributed = optional("distributed", "dask")  # before trustkit.dask: a clear message
        from trustkit.dask import diff_packs  # noqa: PLC0415  (an optional extra)

        with distributed.Client(args.scheduler) as client:
            diff = diff_packs(
                old, new, args.checkins, client=client, country=args.country, progress=progress
            )
    else:
        diff = trustkit.diff_packs(old, new, args.checkins, country=args.country, progress=progress)
    return _show_diff(diff, args, out, err, progress)


def _show_diff(
    diff: trustkit.PackDiff,
    args: argparse.Namespace,
    out: IO[str],
    err: IO[str],
    progress: Callable[[int], None] | None,
) -> int:
    if progress is not None:
        err.write("\n")
    if args.json:
        out.write(json.dumps(trustkit.converter.unstructure(diff), indent=2) + "\n")
    else:
        out.write(format_diff(diff, records=args.records is not None))
    return EXIT_OK


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100, not {text!r}")
    return value


def _cmd_pack_show(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    pack = _load(*_named(args, err), args.ordered)
    if args.locale:
        pack = _localized(pack, args.locale, err)
    lines = [f"{pack.title} ({pack.id} {pack.version}, {pack.locale})"]
    lines.append("packs: " + ", ".join(map(str, pack.packs)))
    if pack.locales:
        lines.append("translations: " + ", ".join(pack.locales))
    lines.append(f"\nsteps ({len(pack.steps)}):")
    for step in pack.steps:
        lines.append(f"  {step.id}: {step.title} ({len(step.actions)} actions)")
    lines.append(f"\nquestions ({len(pack.questions)}):")
    for q in pack.questions:
        roles = "/".join(sorted(r.value for r in q.respondents))
        extra = ", safety" if q.safety else f", {q.dimension}" if q.dimension else ""
        lines.append(f"  {q.id} [{q.kind.value}, {roles}{extra}]: {q.prompt}")
    lines.append(f"\nrules ({len(pack.rules)}), in the order they are tried:")
    ordered = sorted(pack.rules, key=lambda r: (not r.safety, -r.priority, r.id))
    for rule in ordered:
        tag = "safety" if rule.safety else str(rule.priority)
        lines.append(f"  {tag:>6}  {rule.id} -> {rule.step} [{rule.urgency.value}]: {rule.when}")
    countries = sorted({r.country for r in pack.resources})
    lines.append(f"\nresources ({len(pack.resources)}): " + ", ".join(countries))
    out.write("\n".join(lines) + "\n")
    return EXIT_OK


def _today() -> dt.date:
    """The system date: read here, in the CLI, never in the library."""
    return dt.date.today()


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date such as 2026-11-27, not {text!r}"
        ) from None


_MERMAID_ESCAPE = frozenset('"#&<>`')


def _label(text: str) -> str:
    """Text for inside a quoted Mermaid label: quotes, '#', markup and line breaks as #NN; codes."""
    return "".join(
        f"#{ord(ch)};" if ch in _MERMAID_ESCAPE or not ch.isprintable() else ch for ch in text
    )


class _Nodes:
    """Mermaid node ids: readable (``q_feels_heard``) and distinct for distinct ids.

    Mermaid ids keep letters, digits and ``_``, so ``a-b`` and ``a_b`` would
    both become ``a_b``; the second one met gets a number (``a_b_2``).
    """

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], str] = {}
        self.used: set[str] = set()

    def __call__(self, kind: str, name: str) -> str:
        found = self.ids.get((kind, name))
        if found is None:
            base = f"{kind}_{''.join(ch if ch.isascii() and ch.isalnum() else '_' for ch in name)}"
            found, n = base, 1
            while found in self.used:
                n += 1
                found = f"{base}_{n}"
            self.ids[kind, name] = found
            self.used.add(found)
        return found


def _cmd_pack_graph(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    out.write(_graph(_load(*_named(args, err), args.ordered)))
    return EXIT_OK


def _graph(pack: ContentPack) -> str:
    """The Mermaid flowchart of a pack: questions -> rules -> steps."""
    from trustkit._engine.compile import dimension_items, questions_read  # noqa: PLC0415

    items = dimension_items(pack)
    node = _Nodes()
    lines = ["flowchart LR"]
    for q in pack.questions:
        lines.append(f'  {node("q", q.id)}["{_label(q.id)}"]')
    for rule in sorted(pack.rules, key=lambda r: (not r.safety, -r.priority, r.id)):
        label = _label(f"{rule.id} ({'safety' if rule.safety else rule.priority})")
        lines.append(f'  {node("r", rule.id)}{{{{"{label}"}}}}')
        for qid in sorted(questions_read(rule.when, items)):
            lines.append(f"  {node('q', qid)} --> {node('r', rule.id)}")
        lines.append(f"  {node('r', rule.id)} --> {node('s', rule.step)}")
    for step in pack.steps:
        lines.append(f'  {node("s", step.id)}(["{_label(step.title)}"])')
    return "\n".join(lines) + "\n"


def _cmd_schema(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from trustkit._schema import json_schema  # noqa: PLC0415

    named = _named(args, err)
    pack = _load(*named, args.ordered) if named != (None, []) else None
    out.write(json.dumps(json_schema(args.name, pack=pack), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``trustkit export fhir``: the pack's check-in as a FHIR R4 Questionnaire."""
    import trustkit.fhir  # noqa: PLC0415

    pack = _load(*_named(args, err), args.ordered)
    for tag in args.locale or ():
        _localized(pack, tag, err)  # says so when the pack has no texts in that language
    form = trustkit.fhir.questionnaire(pack, locales=args.locale)
    out.write(json.dumps(form, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


class _PackThenOverlays(argparse.Action):
    """``schema --pack PACK [OVERLAY...]``: the pack, then overlays after it (deprecated)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[object] | None,
        option_string: str | None = None,
    ) -> None:
        pack, *overlays = values or [None]  # nargs="+": at least one value
        namespace.pack = pack
        namespace.legacy_overlays = [*namespace.legacy_overlays, *map(str, overlays)]


class _Formatter(argparse.HelpFormatter):
    """Shows ``schema --pack`` as taking one PACK, the form to use (more are deprecated)."""

    def _format_args(self, action: argparse.Action, default_metavar: str) -> str:
        if isinstance(action, _PackThenOverlays):
            return "PACK"
        return super()._format_args(action, default_metavar)


class _Parser(argparse.ArgumentParser):
    """An argument parser that says "did you mean" for a misspelt command or choice."""

    def _check_value(self, action: argparse.Action, value: object) -> None:
        choices = action.choices
        if choices is not None and value not in choices:
            known = [str(choice) for choice in choices]
            raise argparse.ArgumentError(
                action,
                f"invalid choice: {value!r}{did_you_mean(value, known)} "
                f"(choose from {', '.join(known)})",
            )


PACK_HELP = "the pack: an installed pack's id or a folder (default: the bundled pack, core)"
OVERLAY_HELP = (
    "an overlay pack to apply on top: a folder or an installed pack's id "
    "(repeat it for more, applied in order)"
)
ORDERED_HELP = "let later overlays win where they change the same field"


def _pack_options(
    p: argparse.ArgumentParser, *, by_position: bool = False, then_overlays: bool = False
) -> None:
    """``--pack PACK``, ``--overlay OVERLAY`` (repeatable) and ``--ordered``: one grammar.

    The 0.1 forms still work (deprecated, not shown in the help): with ``by_position``,
    ``PACK [OVERLAY...]`` as positional arguments; with ``then_overlays``, overlays after
    ``--pack PACK`` (``schema --pack core ./overlay``).
    """
    if then_overlays:
        p.add_argument(
            "--pack", metavar="PACK", nargs="+", action=_PackThenOverlays, help=PACK_HELP
        )
        p.set_defaults(legacy_overlays=[])
    else:
        p.add_argument("--pack", metavar="PACK", help=PACK_HELP)
    p.add_argument("--overlay", metavar="OVERLAY", action="append", default=[], help=OVERLAY_HELP)
    p.add_argument("--ordered", action="store_true", help=ORDERED_HELP)
    if by_position:
        p.add_argument("legacy_pack", nargs="?", help=argparse.SUPPRESS)
        p.add_argument("legacy_overlays", nargs="*", default=[], help=argparse.SUPPRESS)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="trustkit",
        description="Recommend the next step for a partner who struggles with trust.",
        epilog="Every command names its pack the same way: --pack PACK, then --overlay OVERLAY "
        "for each overlay, in order (pack diff: --old-overlay and --new-overlay for one side).",
    )
    parser.add_argument("--version", action="version", version=f"trustkit {trustkit.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser, *, respondent: bool = True) -> None:
        p.add_argument("--json", action="store_true", help="print JSON for machines")
        _pack_options(p)
        p.add_argument("--locale", metavar="TAG", help="texts in this language, e.g. es")
        if respondent:
            p.add_argument(
                "--country",
                metavar="CC",
                help="show helplines for this country (e.g. GB) and international ones only",
            )
            p.add_argument(
                "--respondent",
                choices=[role.value for role in Role],
                help="who answered (default: partner)",
            )

    rec = sub.add_parser("recommend", help="recommend the next step for a JSON check-in")
    rec.add_argument("file", metavar="FILE", help="the check-in as JSON, or - for standard input")
    rec.add_argument(
        "--trace",
        action="store_true",
        help="also show every rule tried, whether it held, and what failed "
        "(with --json: the trace's JSON, recommendation included)",
    )
    rec.add_argument(
        "--state",
        metavar="FILE",
        help="the couple's state (JSON): read it if the file exists, recommend with it, and "
        'write it back with this check-in folded in (the check-in needs "at"); '
        "as private as the answers",
    )
    common(rec)
    checkin = sub.add_parser("checkin", help="answer the check-in here, one question at a time")
    common(checkin)
    checkin.add_argument(
        "--adaptive",
        action="store_true",
        help="ask the safety screen, then only the questions that can still change the step "
        "(and tracked ones); by default every question is asked",
    )
    steps = sub.add_parser("steps", help="list the steps")
    common(steps, respondent=False)

    pack_sub = _pack_parsers(sub)

    from trustkit._schema import SCHEMA_NAMES  # noqa: PLC0415

    schema = sub.add_parser(
        "schema", help="print a JSON Schema (draft 2020-12)", formatter_class=_Formatter
    )
    schema.add_argument(
        "name", metavar="NAME", choices=SCHEMA_NAMES, help=f"one of: {', '.join(SCHEMA_NAMES)}"
    )
    _pack_options(schema, then_overlays=True)
    export = sub.add_parser("export", help="print the check-in in another standard's format")
    export.add_argument(
        "format", metavar="FORMAT", choices=["fhir"], help="fhir: a FHIR R4 Questionnaire (JSON)"
    )
    _pack_options(export)
    export.add_argument(
        "--locale",
        metavar="TAG",
        action="append",
        help="add the texts in this language, e.g. es (repeat for more; default: every one)",
    )
    # A missing command is named by its choices ("{check,show,graph}"), not by the internal
    # attribute argparse would otherwise print.
    for group, choices in ((sub, sub.choices), (pack_sub, pack_sub.choices)):
        group.metavar = "{" + ",".join(choices) + "}"
    return parser


def _pack_parsers(sub: Any) -> Any:
    """``trustkit pack ...``: the tools for pack authors."""
    pack = sub.add_parser(
        "pack", help="tools for pack authors: check, test, verify, show, graph, diff"
    )
    pack_sub = pack.add_subparsers(dest="pack_command", required=True)
    for name, text in (
        ("check", "list every error and warning in a pack (exit status 1 on errors)"),
        (
            "test",
            "run the examples of a pack and its overlays, with rule coverage "
            "(exit status 1 on a failure)",
        ),
        ("show", "print the merged pack, readably"),
        ("graph", "print a Mermaid flowchart: questions -> rules -> steps"),
        (
            "verify",
            "prove every safety yes ends at crisis-safe help, and find gaps, dead rules "
            "and ties (exit status 1 unless proved safe)",
        ),
    ):
        p = pack_sub.add_parser(name, help=text)
        _pack_options(p, by_position=True)
        if name in ("show", "verify"):
            verb = "show" if name == "show" else "prove"
            p.add_argument("--locale", metavar="TAG", help=f"{verb} the texts in this language")
        if name == "verify":
            p.add_argument("--json", action="store_true", help="print the report as JSON")
        if name == "test":
            p.add_argument(
                "--min-coverage",
                metavar="PERCENT",
                type=_percent,
                help="also fail when fewer rules than this decided an example",
            )
            p.add_argument(
                "--mutate",
                action="store_true",
                help="also mutation-test the examples: change each rule condition a little "
                "(thresholds by 1, comparisons swapped, conditions dropped) and report the "
                "changes no example notices, and condition coverage (fails when a safety "
                "rule's change survives)",
            )
            p.add_argument(
                "--min-score",
                metavar="PERCENT",
                type=_percent,
                help="with --mutate: also fail when fewer mutants than this are killed",
            )
            p.add_argument("--json", action="store_true", help="print the report as JSON")
        if name == "check":
            p.add_argument(
                "--today",
                metavar="YYYY-MM-DD",
                type=_date,
                help="judge 'verified' dates by this day (default: the system date); a "
                "resource verified over 12 months earlier gets a stale-resource warning",
            )
            p.add_argument(
                "--skip-locale",
                metavar="TAG",
                action="append",
                default=[],
                help="no missing-translation warnings for this locale, e.g. es for an overlay "
                "that ships no Spanish (repeat it for more; es covers es-MX too)",
            )
            p.add_argument(
                "--verbose",
                action="store_true",
                help=f"list every missing translation (by default, a locale missing more "
                f"than {MAX_LISTED} gets one line with their count)",
            )

    diff = pack_sub.add_parser(
        "diff",
        help="re-decide stored check-ins with two packs and report the decisions that change",
    )
    _pack_options(diff)
    for side, text in (("old", "the pack in use"), ("new", "the pack to compare it with")):
        diff.add_argument(
            f"--{side}-pack",
            metavar="PACK",
            help=f"{text}, when it is not --pack's",
        )
        diff.add_argument(
            f"--{side}-overlay",
            metavar="OVERLAY",
            action="append",
            default=[],
            help=f"an overlay for {text} only, after the --overlay ones (repeat it for more)",
        )
        diff.add_argument(side, nargs="?", help=argparse.SUPPRESS)  # 0.1: BASE+OVERLAY...
    diff.add_argument(
        "--checkins",
        metavar="FILE",
        required=True,
        help="the check-ins: JSON Lines, or Parquet (.parquet, with the parquet extra)",
    )
    diff.add_argument(
        "--records",
        metavar="FILE",
        help="decision records (JSON Lines or Parquet) as the old side: what an audit trail "
        "says was decided, each joined to the check-in whose id is its decision_id",
    )
    diff.add_argument("--json", action="store_true", help="print the report as JSON")
    diff.add_argument(
        "--country", metavar="CC", help="decide as for this country (e.g. GB), as recommend does"
    )
    diff.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask cluster, e.g. tcp://10.0.0.5:8786 (needs the dask extra)",
    )
    return pack_sub


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    ask: Callable[[str], str] | None = None,
) -> int:
    """Run the ``trustkit`` command; returns the exit status."""
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    try:
        args = _parser().parse_args(argv)
        return _dispatch(args, stdin, out, err, ask)
    except KeyboardInterrupt:  # e.g. while a pack loads: stop quietly, as shells expect
        err.write("\ntrustkit: interrupted\n")
        return EXIT_INTERRUPTED


def _dispatch(
    args: argparse.Namespace,
    stdin: IO[str],
    out: IO[str],
    err: IO[str],
    ask: Callable[[str], str] | None,
) -> int:
    try:
        if args.command == "recommend":
            return _cmd_recommend(args, stdin, out, err)
        if args.command == "checkin":
            return _cmd_checkin(args, input if ask is None else ask, out, err)
        if args.command == "pack":
            command = {
                "check": _cmd_pack_check,
                "diff": _cmd_pack_diff,
                "graph": _cmd_pack_graph,
                "show": _cmd_pack_show,
                "test": _cmd_pack_test,
                "verify": _cmd_pack_verify,
            }[args.pack_command]
            return command(args, out, err)
        if args.command == "schema":
            return _cmd_schema(args, out, err)
        if args.command == "export":
            return _cmd_export(args, out, err)
        return _cmd_steps(args, out, err)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing more to say
        return EXIT_BROKEN_PIPE
    except (trustkit.TrustkitError, _BadInputError, OSError, UnicodeDecodeError) as exc:
        message = " ".join(_message(exc).split())
        err.write(f"trustkit: error: {message}\n")
        return EXIT_BAD_INPUT


def _message(exc: Exception) -> str:
    """An error in one clear line: an OS error as ``FILE: what is wrong``, never ``[Errno 2]``."""
    if isinstance(exc, OSError) and exc.strerror:
        what = exc.strerror[:1].lower() + exc.strerror[1:]
        return what if exc.filename is None else f"{exc.filename}: {what}"
    if isinstance(exc, UnicodeDecodeError):
        return "the input is not UTF-8 text"
    return str(exc)


def run() -> None:
    """Entry point for the console script."""
    status = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        status = EXIT_BROKEN_PIPE
    if status == EXIT_BROKEN_PIPE:
        # Python flushes standard output once more on the way out; point it at the null
        # device so that a closed pipe ends quietly instead of with "Exception ignored".
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(status)
