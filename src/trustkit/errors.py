"""The exceptions trustkit raises.

Every error trustkit raises on purpose is a `TrustkitError`. The ones you
will meet are `AnswerError` (a check-in does not fit the questionnaire),
`BoundaryError` (a boundary record or lifecycle step is wrong) and
`PackError` (a content pack is broken). They subclass `ValueError` as well,
so code that already catches ``ValueError`` keeps working.

Each error carries its problems as structured data (``.problems``), so an app
can point at the exact question or pack field, and builds its message from
them, always under the same header: ``"1 problem in the check-in: ..."``,
``"2 problems in the boundary: ..."``, ``"3 problems in the content pack:"``.
Messages name questions, files and fields; they never repeat an answer's
value, because answers are private. Each problem also carries a
machine-readable `ProblemCode` (``problem.code``), so that an app can show
its own, translated, wording without parsing the message.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

__all__ = [
    "AnswerError",
    "AnswerProblem",
    "BoundaryError",
    "NoStepError",
    "PackError",
    "PackProblem",
    "ProblemCode",
    "TrustkitError",
]


class TrustkitError(Exception):
    """Base class of every error trustkit raises on purpose.

    Added in version 0.1.0.
    """


def _header(count: int, place: str) -> str:
    """The one wording of every error's first words: ``"2 problems in the check-in"``."""
    return f"{count} problem{'' if count == 1 else 's'} in {place}"


class ProblemCode(enum.StrEnum):
    """What kind of problem an `AnswerProblem` or a `PackProblem` is, for apps to act on.

    The codes are a stable set: within 1.x no code is removed, renamed or
    given another meaning, while new codes may be added in a minor release
    (so treat an unknown code like a generic problem). Members are strings
    (``ProblemCode.MISSING == "missing"``) and are written to JSON as such.
    Match on the code and the field, and word the message yourself in the
    user's language; the English ``expected`` and ``message`` texts are for
    people and may be reworded.

    Added in version 0.2.0.

    Examples:
        >>> import trustkit
        >>> try:
        ...     trustkit.recommend_next_step({"feels_heard": 9, "mood": 1})
        ... except trustkit.AnswerError as error:
        ...     [(p.field, p.code.value) for p in error.problems]
        [('feels_heard', 'out_of_range'), ('mood', 'unknown_question')]
    """

    MISSING = "missing"
    """A required field, file or value is absent."""
    UNKNOWN_FIELD = "unknown_field"
    """A field that has no place there (often a spelling mistake)."""
    WRONG_TYPE = "wrong_type"
    """A value of the wrong kind: text where a number belongs, a list where a table does,
    a timestamp without a UTC offset."""
    INVALID_VALUE = "invalid_value"
    """A value of the right kind that is not one of those allowed: a respondent other
    than ``partner`` or ``supporter``, a malformed id, a country code that is not
    ISO 3166-1, a locale that is not a language tag."""
    OUT_OF_RANGE = "out_of_range"
    """A number outside what is allowed, e.g. a scale answer of 9."""
    TOO_LARGE = "too_large"
    """Input beyond trustkit's limits on size, count or nesting."""
    UNKNOWN_QUESTION = "unknown_question"
    """An answer to a question the questionnaire does not have."""
    WRONG_ROLE = "wrong_role"
    """An answer to a question this respondent is not asked, or a respondent other than
    the check-in's own."""
    DUPLICATE = "duplicate"
    """Something given more than once where it may appear only once."""
    OUT_OF_ORDER = "out_of_order"
    """Times not in order: a history or a boundary's events."""
    NOT_ALLOWED = "not_allowed"
    """A change that is not allowed in this state or place: a boundary lifecycle step
    from the wrong status, a field an overlay cannot change."""
    DUPLICATE_ID = "duplicate_id"
    """Two items of a pack share an id."""
    UNKNOWN_REFERENCE = "unknown_reference"
    """A pack item names a step, question, dimension, fact, rule, resource topic, item
    or pack that does not exist."""
    INVALID_FILE = "invalid_file"
    """A file or folder that cannot be read: a pack file that is not UTF-8 or not valid TOML,
    a folder that is not a pack, a file of check-ins that is not Parquet."""
    NEVER_TRUE = "never_true"
    """A rule condition that can never hold."""
    UNSAFE = "unsafe"
    """Pack content that would weaken trustkit's safety guarantees (see "Safety")."""
    INCOMPATIBLE = "incompatible"
    """A version requirement that is not met: the trustkit a pack needs, or the
    version of the pack it extends."""
    CYCLE = "cycle"
    """Packs that extend each other in a cycle."""
    SENSITIVE = "sensitive"
    """A discreet text (a programme's reminder or progress words) that holds one of the
    pack's ``sensitive_words`` (added in version 0.2.0)."""


def _code(value: ProblemCode | str) -> ProblemCode:
    return ProblemCode(value)


@attrs.frozen
class AnswerProblem:
    """One thing wrong with a check-in.

    Added in version 0.1.0.

    Attributes:
        field: The question id the problem is about, or ``"respondent"``,
            ``"answers"`` or ``"at"`` for the check-in itself.
        expected: What trustkit expected there, in plain words. Never the
            value that was given.
        code: What kind of problem it is, for apps that word errors
            themselves (keyword-only; added in version 0.2).
    """

    field: str
    expected: str
    code: ProblemCode = attrs.field(converter=_code, kw_only=True)

    def __str__(self) -> str:
        return f"{self.field}: {self.expected}"


class AnswerError(TrustkitError, ValueError):
    """A check-in's answers do not fit the questionnaire.

    Raised with every problem found, not just the first. The message lists each
    problem by question id and says what was expected; it never contains the
    values that were given. It stays small whatever the input: it lists the
    first `MAX_LISTED` problems and counts the rest, and shortens a long
    question id.

    Added in version 0.1.0.

    Attributes:
        problems: One `AnswerProblem` for each thing that is wrong.
    """

    problems: tuple[AnswerProblem, ...]
    _place = "the check-in"

    def __init__(self, problems: Iterable[AnswerProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        listed = "; ".join(_short(p) for p in self.problems[:MAX_LISTED])
        more = f"; and {count - MAX_LISTED} more" if count > MAX_LISTED else ""
        super().__init__(f"{_header(count, self._place)}: {listed}{more}")

    def __reduce__(self) -> tuple[type[AnswerError], tuple[tuple[AnswerProblem, ...]]]:
        return (type(self), (self.problems,))


MAX_LISTED = 20
"""How many problems an `AnswerError`'s message lists before it only counts the rest."""
MAX_FIELD_SHOWN = 64
"""How much of a question id an `AnswerError`'s message shows (ids in a pack are shorter)."""


def _short(problem: AnswerProblem) -> str:
    field = problem.field
    if len(field) > MAX_FIELD_SHOWN:
        field = field[: MAX_FIELD_SHOWN - 1] + "…"
    return f"{field}: {problem.expected}"


class BoundaryError(AnswerError):
    """A boundary record is malformed, or a lifecycle step is not allowed.

    Raised with every problem found, not just the first. Each problem's
    ``field`` is the field or argument at fault (``"status"``, ``"at"``,
    ``"by"``, ``"set_by"``, ``"agreed_by"``, ...). The message never contains
    the boundary's text or any note, which are private.

    A subclass of `AnswerError`, so code that catches that for bad input
    catches this too.

    Added in version 0.2.0.

    Attributes:
        problems: One `AnswerProblem` for each thing that is wrong.
    """

    _place = "the boundary"


@attrs.frozen
class PackProblem:
    """One thing wrong with a content pack.

    Added in version 0.1.0.

    Attributes:
        file: The pack file, e.g. ``"core/rules.toml"``.
        item: The id of the step, question, rule or resource, or ``""`` when
            the problem is with the file as a whole.
        field: The field within the item, as a path such as ``"when.any[1].op"``,
            or ``""``.
        message: What is wrong, in plain words.
        line: The line in the file where the item starts, when known.
        code: What kind of problem it is, for tools that word errors
            themselves (keyword-only; added in version 0.2).
    """

    file: str
    item: str
    field: str
    message: str
    line: int | None = None
    code: ProblemCode = attrs.field(converter=_code, kw_only=True)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.item:
            parts.append(self.item)
        if self.field:
            parts.append(self.field)
        return f"{': '.join(parts)}: {self.message}"


class PackError(TrustkitError, ValueError):
    """A content pack is broken: it cannot be loaded or compiled.

    Raised with every problem found, not just the first.

    Added in version 0.1.0.

    Attributes:
        problems: One `PackProblem` for each thing that is wrong.
    """

    problems: tuple[PackProblem, ...]

    def __init__(self, problems: Iterable[PackProblem]) -> None:
        self.problems = tuple(problems)
        lines = "".join(f"\n  {problem}" for problem in self.problems)
        super().__init__(f"{_header(len(self.problems), 'the content pack')}:{lines}")

    def __reduce__(self) -> tuple[type[PackError], tuple[tuple[PackProblem, ...]]]:
        return (type(self), (self.problems,))


class NoStepError(TrustkitError, LookupError):
    """No rule in the pack held for a check-in, so there is no step to recommend.

    The bundled pack has a catch-all rule and never raises this; a pack without
    one can.

    Added in version 0.1.0.

    Attributes:
        pack_id: The pack whose rules all failed to hold.
    """

    pack_id: str

    def __init__(self, pack_id: str) -> None:
        self.pack_id = pack_id
        super().__init__(
            f"no rule in pack {pack_id!r} holds for this check-in; "
            "add a catch-all rule (when.always = true)"
        )

    def __reduce__(self) -> tuple[type[NoStepError], tuple[str]]:
        return (type(self), (self.pack_id,))
