"""Examples inside packs: check-ins with what they must lead to, run as tests, with rule coverage.

A pack folder may hold ``examples.toml``::

    [[examples]]
    id = "not-heard"
    respondent = "partner"
    answers = { feels_heard = 2 }
    expect = { step = "validation", rule = "validation-not-heard", urgency = "info" }

`run_examples` runs the examples of a pack and of every overlay against the
merged pack, and reports the failures (with file and line) and which rules no
example made decide, or made hold at all. Examples are test data: they are
never part of a loaded pack, and a pack without them loads as before.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

import attrs

from trustkit._engine.compile import compiled
from trustkit._engine.decide import check_answers
from trustkit._engine.trace import trace
from trustkit._pack.read import PackFile, Reader, read_file
from trustkit._pack.sources import load_pack, resolve
from trustkit._public import public
from trustkit._vocabulary import did_you_mean
from trustkit.errors import AnswerError, PackError, PackProblem, ProblemCode
from trustkit.models import CheckIn, ContentPack, PackRef, Role, Urgency

if TYPE_CHECKING:
    from trustkit._pack.sources import Source

__all__ = [
    "EXAMPLES_FILE",
    "REFERENCE_TIME",
    "ExampleFailure",
    "ExampleReport",
    "example_problems",
    "read_examples",
    "run_examples",
]

EXAMPLES_FILE = "examples.toml"
"""The file of a pack folder that holds its examples."""

REFERENCE_TIME = dt.datetime(2026, 1, 5, 20, 0, tzinfo=dt.UTC)
""""Now" for every example: history and boundary dates are counted back from it."""

MAX_YEARS = 100
"""How far from `REFERENCE_TIME` an example's dates may be (``weeks_ago``, ``review_in_days``)."""

_EXPECTATIONS = ("step", "rule", "urgency", "safety")


@attrs.frozen
class ExampleFailure:
    """An example whose recommendation is not the one it expects.

    Added in version 0.2.0.

    Attributes:
        file: The examples file, e.g. ``"core/examples.toml"``.
        line: The line its ``id`` is on, when known.
        example: The example's id.
        message: What differs, e.g. ``"expected step 'validation', got
            'consistency' (rule consistency-promises)"``. Never an answer.
    """

    file: str
    line: int | None
    example: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.example}: {self.message}"


@attrs.frozen
class ExampleReport:
    """What running a pack's examples found: failures and rule coverage.

    Added in version 0.2.0.

    Attributes:
        packs: Every pack that took part, base first.
        examples: How many examples ran.
        failures: The examples that did not get what they expect.
        rules: Every rule of the merged pack, in the order they are tried.
        decided: The rules some example made decide.
        held: The rules that held for some example (deciding or not).
    """

    packs: tuple[PackRef, ...]
    examples: int
    failures: tuple[ExampleFailure, ...]
    rules: tuple[str, ...]
    decided: tuple[str, ...]
    held: tuple[str, ...]

    @property
    def never_decided(self) -> tuple[str, ...]:
        """The rules no example made decide, in the order they are tried."""
        return tuple(r for r in self.rules if r not in self.decided)

    @property
    def never_held(self) -> tuple[str, ...]:
        """The rules that held for no example at all, in the order they are tried."""
        return tuple(r for r in self.rules if r not in self.held)

    @property
    def coverage(self) -> float:
        """The share of rules some example made decide, as a percentage (100.0 for no rules)."""
        return 100.0 * len(self.decided) / len(self.rules) if self.rules else 100.0

    @property
    def ok(self) -> bool:
        """Whether every example got what it expects."""
        return not self.failures


@attrs.frozen
class _Example:
    id: str
    file: str
    line: int | None
    respondent: Role
    answers: Mapping[str, Any]
    history: tuple[CheckIn, ...] | None
    boundaries: tuple[Any, ...]
    expect: Mapping[str, Any]


# ------------------------------------------------------------------------ reading


def _answers(
    reader: Reader, key: str, role: Role, pack: ContentPack, default: Any = None
) -> dict[str, Any]:
    value = reader.raw(key, {} if default is None else default)
    if not isinstance(value, dict):
        reader.fail(key, "expected a table of question id to answer", ProblemCode.WRONG_TYPE)
        return {}
    try:
        check_answers(compiled(pack), value, role)
    except AnswerError as error:
        for problem in error.problems:
            reader.fail(f"{key}.{problem.field}", f"expected {problem.expected}", problem.code)
        return {}
    return value


def _when(reader: Reader) -> dt.datetime:
    back = dt.timedelta()
    fine = True
    for key, unit, most in (
        ("weeks_ago", "weeks", MAX_YEARS * 53),
        ("days_ago", "days", MAX_YEARS * 366),
    ):
        value = reader.raw(key, 0)
        # `not 0 <= value <= most` also refuses NaN, and keeps a timedelta from overflowing.
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= most:
            reader.fail(key, f"expected a number from 0 to {most:,}", ProblemCode.OUT_OF_RANGE)
            fine = False
        else:
            back += dt.timedelta(**{unit: value})
    if fine and back <= dt.timedelta():
        reader.fail(
            "", "an earlier check-in needs weeks_ago or days_ago above 0", ProblemCode.MISSING
        )
    return REFERENCE_TIME - back


def _history(reader: Reader, pack: ContentPack) -> tuple[CheckIn, ...] | None:
    if "history" not in reader.data:
        return None
    out = []
    seen: set[tuple[Role, dt.datetime]] = set()
    for n, raw in enumerate(reader.tables("history")):
        sub = Reader(raw, reader.file, reader.item, reader.problems, f"history[{n}]")
        role = sub.choice("respondent", Role, Role.PARTNER)
        answers = _answers(sub, "answers", role, pack)
        before = len(sub.problems)
        at = _when(sub)
        if len(sub.problems) == before and (role, at) in seen:
            sub.fail(
                "",
                "another earlier check-in of this respondent is at the same time: "
                "give each its own weeks_ago or days_ago",
                ProblemCode.DUPLICATE,
            )
        seen.add((role, at))
        recommended = sub.raw("recommended", None)
        steps = [s.id for s in pack.steps]
        if recommended is not None and recommended not in steps:
            sub.fail(
                "recommended",
                f"no such step in the pack{did_you_mean(recommended, steps)}",
                ProblemCode.UNKNOWN_REFERENCE,
            )
            recommended = None
        sub.done()
        out.append(CheckIn(role, answers, at, recommended))
    return tuple(out)


def _boundaries(reader: Reader) -> tuple[Any, ...]:
    from trustkit._boundary import Boundary, BoundaryStatus  # noqa: PLC0415

    out = []
    for n, raw in enumerate(reader.tables("boundaries")):
        sub = Reader(raw, reader.file, reader.item, reader.problems, f"boundaries[{n}]")
        status = sub.choice("status", BoundaryStatus, BoundaryStatus.AGREED)
        days = sub.raw("review_in_days", None)
        review_on = None
        if days is not None:
            if isinstance(days, bool) or not isinstance(days, int):
                sub.fail(
                    "review_in_days",
                    "expected a whole number of days (below 0: overdue)",
                    ProblemCode.WRONG_TYPE,
                )
            elif abs(days) > MAX_YEARS * 366:
                sub.fail(
                    "review_in_days",
                    f"expected a whole number of days from {-MAX_YEARS * 366:,} to "
                    f"{MAX_YEARS * 366:,}",
                    ProblemCode.OUT_OF_RANGE,
                )
            else:
                review_on = REFERENCE_TIME.date() + dt.timedelta(days=days)
        sub.done()
        out.append(
            Boundary(
                f"example-{n + 1}",
                "an example",
                set_by=Role.PARTNER,
                status=status,
                review_on=review_on,
            )
        )
    return tuple(out)


def _expect(reader: Reader, pack: ContentPack) -> dict[str, Any]:
    value = reader.raw("expect")
    if "expect" not in reader.data:  # reported as missing
        return {}
    sub = Reader(value, reader.file, reader.item, reader.problems, "expect")
    expect: dict[str, Any] = {}
    for name, ids in (("step", [s.id for s in pack.steps]), ("rule", [r.id for r in pack.rules])):
        if name in sub.data:
            expect[name] = sub.text(name)
            if expect[name] not in ids:
                sub.fail(
                    name,
                    f"no such {name} in the pack{did_you_mean(expect[name], ids)}",
                    ProblemCode.UNKNOWN_REFERENCE,
                )
    if "urgency" in sub.data:
        expect["urgency"] = sub.choice("urgency", Urgency)
    if "safety" in sub.data:
        expect["safety"] = sub.flag("safety")
    sub.done()
    if isinstance(value, dict) and not expect:
        sub.fail("", f"expected at least one of {', '.join(_EXPECTATIONS)}", ProblemCode.MISSING)
    return expect


def _read_examples(
    file: PackFile, pack: ContentPack, problems: list[PackProblem]
) -> list[_Example]:
    top = Reader(file.data, file, "", problems)
    tables = top.tables("examples")
    top.done()
    out = []
    seen: set[str] = set()
    for i, raw in enumerate(tables):
        item = raw.get("id") if isinstance(raw, dict) else None
        reader = Reader(raw, file, item if isinstance(item, str) else f"#{i + 1}", problems)
        example_id = reader.ident()
        if example_id in seen:
            reader.fail("id", "another example has this id", ProblemCode.DUPLICATE_ID)
        seen.add(example_id)
        role = reader.choice("respondent", Role, Role.PARTNER)
        before = len(problems)
        example = _Example(
            id=example_id,
            file=file.name,
            line=reader.origin.line,
            respondent=role,
            answers=_answers(reader, "answers", role, pack, default={}),
            history=_history(reader, pack),
            boundaries=_boundaries(reader),
            expect=_expect(reader, pack),
        )
        reader.done()
        if len(problems) == before:
            out.append(example)
    return out


def _folders(source: Source, overlays: tuple[Source, ...], pack: ContentPack) -> list[Traversable]:
    """The folder of every pack that took part, base first."""
    given: dict[str, Traversable] = {}
    for item in (source, *overlays):
        root, _label = resolve(item)
        meta = root / "pack.toml"
        data = tomllib.loads(meta.read_text(encoding="utf-8"))  # read before, when loading
        given.setdefault(str(data.get("id", "")), root)
    return [given[ref.id] if ref.id in given else resolve(ref.id)[0] for ref in pack.packs]


def _collect(
    source: Source, overlays: tuple[Source, ...], pack: ContentPack, problems: list[PackProblem]
) -> list[_Example]:
    """The examples of every pack that took part, base first; what is wrong goes to problems."""
    examples: list[_Example] = []
    for root, ref in zip(_folders(source, overlays, pack), pack.packs, strict=True):
        if (root / EXAMPLES_FILE).is_file():
            file = read_file(root, ref.id, EXAMPLES_FILE, problems)
            if file is not None:
                examples.extend(_read_examples(file, pack, problems))
    return examples


def example_problems(
    source: Source, *overlays: Source, pack: ContentPack
) -> tuple[PackProblem, ...]:
    """Everything wrong in the examples files of ``pack``, loaded from ``source`` and overlays.

    What ``trustkit pack check`` reports about examples.toml: each problem with its
    file and line, the same as `run_examples` refuses, without running an example.
    """
    problems: list[PackProblem] = []
    _collect(source, overlays, pack, problems)
    return tuple(problems)


def read_examples(
    source: Source, *overlays: Source, ordered: bool = False
) -> tuple[ContentPack, list[_Example]]:
    """The merged pack and the examples of every pack that took part.

    Raises:
        PackError: The pack cannot be loaded, or an example is malformed.
    """
    pack = load_pack(source, *overlays, ordered=ordered)
    problems: list[PackProblem] = []
    examples = _collect(source, overlays, pack, problems)
    if problems:
        raise PackError(problems)
    return pack, examples


# ------------------------------------------------------------------------ running


def _check(example: _Example, pack: ContentPack) -> tuple[str | None, str, set[str]]:
    """Run one example: what differs (or None), the rule that decided, the rules that held."""
    answers: Mapping[str, Any] | CheckIn = example.answers
    if example.history is not None or example.boundaries:
        answers = CheckIn(example.respondent, example.answers, REFERENCE_TIME)
    t = trace(
        answers,
        example.respondent,
        pack,
        history=example.history,
        boundaries=example.boundaries,
        now=REFERENCE_TIME,
    )
    rec = t.recommendation
    got = {
        "step": rec.step.id,
        "rule": rec.rule_id,
        "urgency": rec.urgency,
        "safety": rec.safety,
    }
    wrong = [
        f"expected {key} {_say(want)}, got {_say(got[key])}"
        for key, want in example.expect.items()
        if got[key] != want
    ]
    held = {e.rule_id for e in t.rules if e.held}
    message = None
    if wrong:
        message = "; ".join(wrong) + f" (step {rec.step.id}, rule {rec.rule_id})"
    return message, rec.rule_id, held


def _say(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(str(value))


@public
def run_examples(source: Source, *overlays: Source, ordered: bool = False) -> ExampleReport:
    """Run the examples of a pack and of every overlay against the merged pack.

    Each pack folder that took part may hold an ``examples.toml`` (see "Examples
    and coverage" in the docs). Every example runs against the merged pack, at
    the fixed time `REFERENCE_TIME`; history and boundary dates count back from
    it, so a run never depends on the clock.

    Added in version 0.2.0.

    Args:
        source: A pack, given as for [`load_pack`][trustkit.load_pack].
        *overlays: Overlay packs to apply on top, in order.
        ordered: As for ``load_pack``.

    Returns:
        The failures and the rule coverage.

    Raises:
        PackError: The pack cannot be loaded, or an example is malformed (an
            unknown question, a value out of range, an expected step or rule
            the pack does not have, ...): every problem, with file and line.

    Examples:
        >>> import trustkit
        >>> report = trustkit.run_examples("core")
        >>> report.ok, report.coverage, report.never_decided
        (True, 100.0, ())
    """
    pack, examples = read_examples(source, *overlays, ordered=ordered)
    failures = []
    decided: set[str] = set()
    held: set[str] = set()
    for example in examples:
        message, rule_id, rules_held = _check(example, pack)
        decided.add(rule_id)
        held |= rules_held | {rule_id}
        if message is not None:
            failures.append(ExampleFailure(example.file, example.line, example.id, message))
    c = compiled(pack)
    order = tuple(r.rule.id for r in (*c.safety_rules, *c.rules))
    return ExampleReport(
        packs=pack.packs,
        examples=len(examples),
        failures=tuple(failures),
        rules=order,
        decided=tuple(r for r in order if r in decided),
        held=tuple(r for r in order if r in held),
    )


# Public as trustkit.ExampleReport and trustkit.ExampleFailure: reprs and pickles name those,
# not this private module.
public(ExampleFailure)
public(ExampleReport)
