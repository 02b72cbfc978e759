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
import sys
from collections.abc import Callable, Sequence
from typing import IO

import trustkit
from trustkit.models import (
    Action,
    ContentPack,
    Question,
    QuestionKind,
    Recommendation,
    Resource,
    Role,
    Who,
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


def _pack(args: argparse.Namespace, err: IO[str]) -> ContentPack:
    pack = trustkit.default_pack() if args.pack is None else trustkit.load_pack(args.pack)
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
    if source == "-":
        text = stdin.read(MAX_INPUT_CHARS + 1)
    else:
        with open(source, encoding="utf-8") as handle:
            text = handle.read(MAX_INPUT_CHARS + 1)
    if len(text) > MAX_INPUT_CHARS:
        raise _BadInputError(
            f"{source}: larger than {MAX_INPUT_CHARS:,} characters; a check-in is a few kilobytes"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # The position only: the message of a JSON error can quote the input.
        raise _BadInputError(f"{source}: not valid JSON (line {exc.lineno})") from None
    except RecursionError:
        raise _BadInputError(f"{source}: JSON nested too deeply to be a check-in") from None


def _split_checkin(data: object) -> tuple[object, str | None]:
    """Accept bare answers, {"respondent", "answers"} or a full check-in with "at"."""
    if isinstance(data, dict) and "answers" in data:
        extra = sorted(
            str(k) for k in data if k not in ("respondent", "answers", "at", "recommended")
        )
        if extra:
            raise _BadInputError(f"unexpected field(s) in the check-in: {', '.join(extra)}")
        if "at" in data:
            checkin = trustkit.parse_checkin(data)
            return checkin, checkin.respondent.value
        respondent = data.get("respondent")
        return data["answers"], None if respondent is None else str(respondent)
    return data, None


def _who(action: Action, respondent: Role) -> str:
    if action.who is Who.BOTH:
        return "together"
    if action.who is Who.EITHER or action.who.value == respondent.value:
        return "you"
    return "your partner"


def _resource_line(res: Resource) -> str:
    where = res.country if not res.region else f"{res.country}, {res.region}"
    parts = [f"{res.name} ({where})"]
    parts.extend(
        text
        for text in (
            f"for: {res.audience}" if res.audience else "",
            f"call {res.phone}" if res.phone else "",
            res.text,
            res.url,
            res.hours,
        )
        if text
    )
    if not (res.phone or res.text or res.url):
        parts.append(res.notes)  # the only way to reach it, e.g. "call your local emergency number"
    return " · ".join(parts)


def format_recommendation(rec: Recommendation) -> str:
    """The recommendation as text for a person to read."""
    step = rec.step
    lines = [f"Next step: {step.title}  [{step.id} · {rec.urgency.value}]", step.summary, ""]
    if rec.resources:
        lines.append("Get help now:")
        lines.extend(f"  - {_resource_line(res)}" for res in rec.resources)
        lines.append("")
    lines.append("Why:")
    lines.extend(f"  - {reason}" for reason in rec.reasons)
    lines.extend(["", "What you can do:"])
    for number, action in enumerate(step.actions, start=1):
        lines.append(
            f"  {number}. {action.title} ({action.minutes} min, {_who(action, rec.respondent)})"
        )
        lines.append(f"     {action.how}")
    if rec.alternatives:
        lines.append("")
        others = ", ".join(f"{alt.title} ({alt.step_id})" for alt in rec.alternatives)
        lines.append(f"Also worth a look: {others}")
    packs = ", ".join(map(str, rec.packs))
    lines.extend(["", f"Rule {rec.rule_id} · pack {packs} · {rec.locale}"])
    return "\n".join(lines)


def _print_rec(rec: Recommendation, as_json: bool, out: IO[str]) -> None:
    if as_json:
        data = trustkit.converter.unstructure(rec)
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(format_recommendation(rec) + "\n")


def _cmd_recommend(args: argparse.Namespace, stdin: IO[str], out: IO[str], err: IO[str]) -> int:
    answers, respondent = _split_checkin(_read_json(args.file, stdin))
    if args.respondent is not None:
        if respondent is not None and respondent != args.respondent:
            raise _BadInputError("--respondent does not match the check-in's respondent")
        respondent = args.respondent
    rec = trustkit.recommend_next_step(
        answers,  # type: ignore[arg-type]  # checked by recommend_next_step
        respondent=respondent,
        pack=_pack(args, err),
        country=args.country,
    )
    _print_rec(rec, args.json, out)
    return EXIT_OK


_HINTS = {
    QuestionKind.SCALE: "1 = strongly disagree … 5 = strongly agree",
    QuestionKind.YES_NO: "y / n",
    QuestionKind.COUNT: "0 or more",
}
_YES = {"y", "yes"}
_NO = {"n", "no"}


def _parse_reply(question: Question, reply: str) -> bool | int | None:
    """The answer typed for a question; None if it cannot be one."""
    reply = reply.strip().lower()
    if question.kind is QuestionKind.YES_NO:
        return True if reply in _YES else False if reply in _NO else None
    if not reply.isdigit():
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


def _ask_all(
    questions: Sequence[Question],
    ask: Callable[[str], str],
    talk: IO[str],
    answers: dict[str, bool | int],
) -> None:
    """Ask each question in turn, filling ``answers`` as the person goes.

    Each prompt says how far along the person is ("3 of 18"); Enter skips a
    question and ``<`` goes back to the one before, clearing its answer.
    ``EOFError`` and ``KeyboardInterrupt`` from ``ask`` pass through; the
    answers given so far are then in ``answers``.
    """
    talk.write(f"Answer each question; press Enter to skip one, or type {BACK} to go back.\n")
    total = len(questions)
    told_safety = False
    number = 0
    while number < total:
        question = questions[number]
        if question.safety and not told_safety:
            told_safety = True
            talk.write(
                "\nThe last questions are about your safety. Answer them where you can do so "
                "privately; nothing is stored or sent anywhere.\n"
            )
        reply = ask(
            f"\n{number + 1} of {total}. {question.prompt}\n   ({_HINTS[question.kind]}) > "
        )
        if reply.strip() == BACK:
            number = max(number - 1, 0)
            answers.pop(questions[number].id, None)
            continue
        if not reply.strip():
            number += 1
            continue
        value = _parse_reply(question, reply)
        if value is None:
            talk.write(
                f"   Please answer {_HINTS[question.kind]}, press Enter to skip, "
                f"or type {BACK} to go back.\n"
            )
            continue
        answers[question.id] = value
        number += 1
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
    answers: dict[str, bool | int] = {}
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
        _ask_all(_checkin_questions(pack, role), ask, talk, answers)
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
            _print_rec(rec, args.json, out)
        err.write(_STOPPED[status])
        return status
    rec = trustkit.recommend_next_step(answers, respondent=role, pack=pack, country=args.country)
    _print_rec(rec, args.json, out)
    return EXIT_OK


def _cmd_steps(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    pack = _pack(args, err)
    if args.json:
        data = [trustkit.converter.unstructure(step) for step in pack.steps]
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    width = max(len(step.id) for step in pack.steps)
    for step in pack.steps:
        out.write(f"{step.id:<{width}}  {step.title}\n{'':<{width}}  {step.summary}\n")
    return EXIT_OK


def _cmd_pack_check(args: argparse.Namespace, out: IO[str]) -> int:
    problems: list[trustkit.PackProblem] = []
    try:
        pack = trustkit.load_pack(args.path, *args.overlay, ordered=args.ordered)
        for tag in pack.locales:  # locale files are otherwise read only when first used
            try:
                pack.localized(tag)
            except trustkit.PackError as error:
                problems.extend(error.problems)
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
    for warning in warnings:
        out.write(f"warning: {warning}\n")
        if warning.example is not None and warning.respondent is not None:
            example = json.dumps(dict(warning.example), sort_keys=True)
            out.write(f"  for example, {warning.respondent} answers: {example}\n")
    packs = ", ".join(map(str, pack.packs))
    out.write(f"{packs}: no errors, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}\n")
    return EXIT_OK


def _cmd_pack_show(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    pack = trustkit.load_pack(args.path, *args.overlay, ordered=args.ordered)
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


def _cmd_pack_graph(args: argparse.Namespace, out: IO[str]) -> int:
    out.write(_graph(trustkit.load_pack(args.path, *args.overlay, ordered=args.ordered)))
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


def _cmd_schema(args: argparse.Namespace, out: IO[str]) -> int:
    from trustkit._schema import schema  # noqa: PLC0415

    out.write(json.dumps(schema(args.name), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trustkit",
        description="Recommend the next step for a partner who struggles with trust.",
    )
    parser.add_argument("--version", action="version", version=f"trustkit {trustkit.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, *, respondent: bool = True) -> None:
        p.add_argument("--json", action="store_true", help="print JSON for machines")
        p.add_argument(
            "--pack", metavar="PACK", help="use this pack: an installed pack's id or a folder"
        )
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
    common(rec)
    checkin = sub.add_parser("checkin", help="answer the check-in here, one question at a time")
    common(checkin)
    steps = sub.add_parser("steps", help="list the steps")
    common(steps, respondent=False)

    pack = sub.add_parser("pack", help="tools for pack authors: check, show, graph")
    pack_sub = pack.add_subparsers(dest="pack_command", required=True)
    for name, text in (
        ("check", "list every error and warning in a pack (exit status 1 on errors)"),
        ("show", "print the merged pack, readably"),
        ("graph", "print a Mermaid flowchart: questions -> rules -> steps"),
    ):
        p = pack_sub.add_parser(name, help=text)
        p.add_argument("path", metavar="PACK", help="a pack folder, or an installed pack's id")
        p.add_argument(
            "overlay",
            metavar="OVERLAY",
            nargs="*",
            default=[],  # optional: without a default, argparse calls it required
            help="overlay packs to apply, in order",
        )
        p.add_argument(
            "--ordered", action="store_true", help="let later overlays win where they conflict"
        )
        if name == "show":
            p.add_argument("--locale", metavar="TAG", help="show the texts in this language")
        if name == "check":
            p.add_argument(
                "--today",
                metavar="YYYY-MM-DD",
                type=_date,
                help="judge 'verified' dates by this day (default: the system date); a "
                "resource verified over 12 months earlier gets a stale-resource warning",
            )

    from trustkit._schema import SCHEMA_NAMES  # noqa: PLC0415

    schema = sub.add_parser("schema", help="print a JSON Schema (draft 2020-12)")
    schema.add_argument(
        "name", metavar="NAME", choices=SCHEMA_NAMES, help=f"one of: {', '.join(SCHEMA_NAMES)}"
    )
    # A missing command is named by its choices ("{check,show,graph}"), not by the internal
    # attribute argparse would otherwise print.
    for group, choices in ((sub, sub.choices), (pack_sub, pack_sub.choices)):
        group.metavar = "{" + ",".join(choices) + "}"
    return parser


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
            if args.pack_command == "show":
                return _cmd_pack_show(args, out, err)
            command = {"check": _cmd_pack_check, "graph": _cmd_pack_graph}[args.pack_command]
            return command(args, out)
        if args.command == "schema":
            return _cmd_schema(args, out)
        return _cmd_steps(args, out, err)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing more to say
        return EXIT_BROKEN_PIPE
    except (trustkit.TrustkitError, _BadInputError, OSError, UnicodeDecodeError) as exc:
        message = " ".join(str(exc).split())
        err.write(f"trustkit: error: {message}\n")
        return EXIT_BAD_INPUT


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
