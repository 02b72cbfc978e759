"""Re-deciding stored check-ins in bulk: ``trustkit.batch`` and ``trustkit.diff_packs``.

Records are plain mappings (one JSON object a line, a Parquet or Arrow row, a
pandas row): ``id``, ``respondent``, ``answers``, ``at`` and optionally
``couple`` and ``recommended``. A record that cannot be decided (broken JSON,
an unknown question, a bad value) is counted and named by its id, never by its
values, and the run goes on.

History: the records of one couple are sorted by ``at`` and each is decided with
the couple's earlier records as its history (so a positive safety screen is
remembered for the pack's safety period, as in an app). For that, a couple's
records must be decided together: ``diff_packs`` spreads a file over buckets by
couple (temporary files in a private folder, removed at the end), so memory is
bounded by the size of a bucket, not of the file.

pandas and pyarrow are optional (the ``pandas`` and ``parquet`` extras) and
imported only when a DataFrame, an Arrow table or a Parquet file is at hand.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import marshal
import math
import os
import pickle
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, Protocol

import attrs

from trustkit import _json
from trustkit._api import default_pack
from trustkit._engine.compile import CompiledPack, compiled
from trustkit._engine.decide import decision, verdict
from trustkit._engine.state import fold, screened, taken
from trustkit._pack.kinds import json_answers
from trustkit._public import public
from trustkit._serialization import _timestamp, parse_checkin
from trustkit.errors import AnswerError, AnswerProblem, ProblemCode, TrustkitError
from trustkit.models import (
    DECISION_ID_MAX,
    CheckIn,
    ContentPack,
    CoupleState,
    Decision,
    DecisionRecord,
    PackRef,
    Role,
    Urgency,
    checkin_from_data,
)

if TYPE_CHECKING:  # the pandas and parquet extras: named in return types, never imported here
    import pandas
    import pyarrow

MAX_LINE_CHARS = 1_000_000
"""The longest JSON Lines record read; a real check-in is a few hundred characters."""
MAX_PROBLEM_CHARS = 300
"""How much of a record's problem is kept (it names fields and questions, never values)."""
MAX_ID_CHARS = 200
EXAMPLES = 5
"""How many example record ids a change lists."""
MAX_MALFORMED_LISTED = 100
"""How many malformed records a report names (all are counted)."""
CHUNK = 10_000
"""Rows converted at a time from a DataFrame or Arrow table, and records between progress calls."""
BUCKET_BYTES = 8_000_000
"""About how much of a JSON Lines file one bucket holds."""
BUCKET_ROWS = 50_000
"""About how many Parquet rows one bucket holds."""

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""No stored check-in is dated before this: an earlier ``at`` is a broken record."""
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
"""No stored check-in is dated at or after this: a later ``at`` is a broken record."""

_NEW = CoupleState()
_FIELDS = frozenset({"id", "couple", "respondent", "answers", "at", "recommended"})
_PARQUET = (".parquet", ".pq")

Outcome = Decision | str
"""A decision, or the problem (text naming fields and questions only) that stopped it."""


class PandasDataFrame(Protocol):
    """A ``pandas.DataFrame`` of records, as ``batch`` and ``diff_packs`` read one.

    Structural, so that the signatures need neither pandas nor its stubs: a
    type checker that knows pandas sees a ``DataFrame`` match it, and one
    without pandas still knows every other type in the signature.
    """

    @property
    def iloc(self) -> object:
        """Rows by position."""

    def __len__(self) -> int: ...


class ArrowTable(Protocol):
    """A ``pyarrow.Table`` of records, as ``batch`` and ``diff_packs`` read one.

    Structural, like ``PandasDataFrame``: pyarrow ships no type information,
    so naming ``pyarrow.Table`` would make the whole signature unknown to
    pyright --strict.
    """

    def to_batches(self, max_chunksize: int | None = None) -> Iterable[object]:
        """The table as record batches."""


def optional(module: str, extra: str) -> Any:
    """Import an optional dependency, or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{module} is needed for this; install it with pip install 'trustkit-couples[{extra}]'"
        ) from error


# ------------------------------------------------------------------------------- records


class Row(NamedTuple):
    """One record, read: its id, couple and check-in, or the problem that stopped it.

    A named tuple, not an attrs class: one is made for every record read.
    """

    record_id: str
    couple: str | None
    checkin: CheckIn | None
    problem: str | None = None
    said_yes: CheckIn | None = None
    """A record that cannot be read whole, but whose respondent, time and yes answers can:
    those answers alone, so a safety yes in it is answered and remembered, never lost."""


def _missing(value: object) -> bool:
    """``None``, and what pandas and Arrow put in an empty cell (NaN, NaT)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NaTType", "NAType")


def _describe(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= MAX_PROBLEM_CHARS else text[: MAX_PROBLEM_CHARS - 3] + "..."


def _key(value: object) -> str | None:
    """A record id or couple id as text: text or a whole number, else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS:
        return value
    return None


def _checkin(record: Mapping[Any, object]) -> CheckIn:
    problems = [
        AnswerProblem(
            key if isinstance(key, str) else "record",
            "not a record field",
            code=ProblemCode.UNKNOWN_FIELD,
        )
        for key in record
        if key not in _FIELDS
    ]
    if problems:
        raise AnswerError(problems)
    answers = record.get("answers")
    if isinstance(answers, str):  # a Parquet or CSV column may hold the answers as JSON text
        try:
            answers = _json.loads(answers)  # a question given twice is an AnswerError
        except json.JSONDecodeError:
            raise AnswerError(
                [
                    AnswerProblem(
                        "answers", "an object, or its JSON text", code=ProblemCode.WRONG_TYPE
                    )
                ]
            ) from None
    at = record.get("at")
    to_datetime = getattr(at, "to_pydatetime", None)  # a pandas Timestamp
    if to_datetime is not None:
        at = to_datetime()
    data: dict[str, object] = {k: v for k, v in record.items() if k not in ("id", "couple")}
    data["answers"] = answers
    if "at" in record:
        data["at"] = at
        if _missing(at):
            del data["at"]
    if "recommended" in data and _missing(data["recommended"]):
        del data["recommended"]
    return parse_checkin(data)


_FAR = _describe(
    AnswerError(
        [
            AnswerProblem(
                "at",
                f"a time in the years {EARLIEST.year} to {LATEST.year - 1}; "
                "this one is too far from today",
                code=ProblemCode.OUT_OF_RANGE,
            )
        ]
    )
)


_ROLES = {role.value: role for role in Role}


def _plain(item: dict[Any, object]) -> Row | None:
    """A record of the common shape read in one pass, or ``None`` for `read_row`'s careful path.

    The common shape: known fields only, an ``id`` and any ``couple`` as text,
    a known respondent, ``answers`` a dict (or its JSON text) keyed by text,
    ``at`` an RFC 3339 text or an aware datetime in the readers' years, and
    ``recommended`` text or absent. Anything else (and every problem) is left
    to the careful path, which reads it as it always has; a record read here
    gives the very ``Row`` the careful path would give.
    """
    if not item.keys() <= _FIELDS:
        return None
    record_id, couple = item.get("id"), item.get("couple")
    if type(record_id) is not str or not 0 < len(record_id) <= MAX_ID_CHARS:
        return None
    if couple is not None and (type(couple) is not str or not 0 < len(couple) <= MAX_ID_CHARS):
        return None
    respondent = item.get("respondent")
    role = _ROLES.get(respondent) if type(respondent) is str else None
    answers, at, recommended = item.get("answers"), item.get("at"), item.get("recommended")
    if role is None or (recommended is not None and type(recommended) is not str):
        return None
    if type(answers) is str:
        try:
            answers = _json.loads(answers)
        except (AnswerError, ValueError):
            return None
    if type(answers) is not dict:
        return None
    try:
        "".join(answers)  # every question id is text (the quickest way to ask)
    except TypeError:
        return None
    if type(at) is str:
        try:
            at = _timestamp(at)
        except ValueError:
            return None
    if type(at) is not dt.datetime or at.utcoffset() is None or not EARLIEST <= at < LATEST:
        return None
    return Row(record_id, couple, checkin_from_data(role, answers, at, recommended))


def read_row(item: object, label: str) -> Row:
    """A record read as a row; ``label`` names it when it has no usable id."""
    if type(item) is dict:
        row = _plain(item)
        if row is not None:
            return row
    return careful_row(item, label)


def careful_row(item: object, label: str) -> Row:
    """A record read as a row, field by field, with every problem named."""
    if isinstance(item, CheckIn):
        return Row(label, None, item)
    if isinstance(item, _Broken):
        return Row(label, None, None, item.problem)
    if not isinstance(item, Mapping):
        return Row(label, None, None, "not an object")
    record_id = _key(item.get("id"))
    if record_id is None:
        return Row(label, None, None, "id: missing, or not text or a whole number")
    couple_value = item.get("couple")
    couple = None if _missing(couple_value) else _key(couple_value)
    if couple is None and not _missing(couple_value):
        problem = "couple: not text or a whole number"
        return Row(record_id, None, None, problem, _yes_only(item))
    try:
        checkin = _checkin(item)
    except AnswerError as error:
        return Row(record_id, couple, None, _describe(error), _yes_only(item))
    if not EARLIEST <= checkin.at < LATEST:
        # Too far from today to join its couple's time line; a yes in it is still answered.
        return Row(record_id, None, None, _FAR, _yes_only(item, anytime=True))
    return Row(record_id, couple, checkin)


def _yes_only(record: Mapping[Any, object], *, anytime: bool = False) -> CheckIn | None:
    """The yes answers of a record that cannot be read whole, if its respondent and time can be.

    Only answers that are ``true`` itself are kept (the engine then reads the
    safety questions among them); anything else about the record may be wrong.
    The time must be in the readers' years, unless ``anytime`` (for a record
    answered alone, never folded into its couple's time line).
    """
    answers = record.get("answers")
    try:
        if isinstance(answers, str):
            answers = _json.loads(answers)
        if not isinstance(answers, Mapping):
            return None
        yes = {
            key: True for key, value in answers.items() if isinstance(key, str) and value is True
        }
        if not yes:
            return None
        at = record.get("at")
        to_datetime = getattr(at, "to_pydatetime", None)  # a pandas Timestamp
        checkin = parse_checkin(
            {
                "respondent": record.get("respondent"),
                "answers": yes,
                "at": at if to_datetime is None else to_datetime(),
            }
        )
    except (TrustkitError, ValueError, TypeError):  # no respondent or time that can be read
        return None
    return checkin if anytime or EARLIEST <= checkin.at < LATEST else None


@attrs.frozen
class _Broken:
    problem: str


def items(data: object) -> Iterator[tuple[str, object]]:
    """Records with a fallback label each, from an iterable, a DataFrame or an Arrow table."""
    module = type(data).__module__.partition(".")[0]
    if module == "pandas" and hasattr(data, "iloc"):
        frame: Any = data
        for start in range(0, len(frame), CHUNK):
            records = frame.iloc[start : start + CHUNK].to_dict(orient="records")
            for n, record in enumerate(records, start + 1):
                yield f"#{n}", record
        return
    if module == "pyarrow" and hasattr(data, "to_batches"):
        table: Any = data
        n = 0
        for part in table.to_batches(max_chunksize=CHUNK):
            for record in _pylist(part):
                n += 1
                yield f"#{n}", record
        return
    if not isinstance(data, Iterable):
        raise TypeError("expected an iterable of records, a pandas DataFrame or an Arrow table")
    for n, record in enumerate(data, 1):
        yield f"#{n}", record


def _lines(path: Path) -> Iterator[str | None]:
    """A file's lines (newline dropped), ``None`` for one longer than `MAX_LINE_CHARS`.

    Never more than `MAX_LINE_CHARS` characters of a line are held: the rest of a
    longer one is read and dropped a piece at a time.
    """
    with path.open(encoding="utf-8", errors="replace", newline="\n") as lines:
        while line := lines.readline(MAX_LINE_CHARS + 1):
            if line.endswith("\n"):
                yield line[:-1]
            elif len(line) <= MAX_LINE_CHARS:
                yield line  # the last line, without a newline
            else:
                while line and not line.endswith("\n"):
                    line = lines.readline(MAX_LINE_CHARS)
                yield None


def read_jsonl(path: Path) -> Iterator[tuple[str, object]]:
    """The records of a JSON Lines file, a line at a time (blank lines skipped)."""
    for n, line in enumerate(_lines(path), 1):
        if line is None or line.strip():
            yield f"line {n}", _line_record(line)


def _line_record(line: str | None) -> object:
    """The record of a line that is not blank (``None`` for one too long)."""
    if line is None:
        return _Broken(f"longer than {MAX_LINE_CHARS:,} characters")
    try:
        return _json.loads(line)
    except AnswerError as error:  # a key given twice or nesting too deep, named
        return _Broken(_describe(error))
    except ValueError:
        return _Broken("not JSON")


# ------------------------------------------------------------------ reading in parts


@attrs.frozen
class Part:
    """One part of a file, read on its own (in parallel, on a cluster).

    For JSON Lines, the lines that begin in bytes ``start`` to ``end`` (the
    first of them numbered ``first``); for Parquet, the row groups ``start``
    to ``end`` (their first row numbered ``first``).
    """

    path: str
    start: int
    end: int
    first: int = 1


def parts(path: str | os.PathLike[str], count: int) -> list[Part]:
    """A file cut into about ``count`` parts (Parquet: whole row groups); numbered by `numbered`.

    Raises:
        AnswerError: It is not a Parquet file (by its suffix, it should be).
        OSError: It cannot be opened.
    """
    p = Path(path)
    if p.suffix.lower() in _PARQUET:
        with p.open("rb") as handle:
            meta = _parquet(p, handle).metadata
        sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
        each = max(1, -(-len(sizes) // max(1, count)))
        out, first = [], 1
        for g in range(0, len(sizes), each):
            out.append(Part(str(p), g, min(g + each, len(sizes)), first))
            first += sum(sizes[g : g + each])
        return out
    size = p.stat().st_size
    step = max(1, -(-size // max(1, count)))
    return [Part(str(p), start, min(start + step, size)) for start in range(0, size, step)]


def newlines(part: Part) -> int:
    """How many lines end in a JSON Lines part's bytes (run where the file is)."""
    count, left = 0, part.end - part.start
    with Path(part.path).open("rb") as f:
        f.seek(part.start)
        while left > 0 and (piece := f.read(min(left, 1 << 20))):
            count += piece.count(b"\n")
            left -= len(piece)
    return count


def numbered(found: list[Part], ended: list[int]) -> list[Part]:
    """JSON Lines parts with the number of their first line, from `newlines` of each."""
    out, before = [], 0
    for part, count in zip(found, ended, strict=True):
        out.append(attrs.evolve(part, first=before + 1))
        before += count
    return out


def _rest_of_line(f: IO[bytes]) -> int:
    """Read through the next newline (or to the end), a piece at a time; how many bytes."""
    count = 0
    while piece := f.readline(1 << 16):
        count += len(piece)
        if piece.endswith(b"\n"):
            break
    return count


def read_part(part: Part) -> Iterator[tuple[str, object]]:
    """The records of one part, labelled as reading the whole file labels them.

    A JSON Lines part holds the lines that begin in its bytes: a line begun in
    the part before is left to that part, and its last line is read to its end.

    Raises:
        AnswerError: A Parquet part cannot be read (code ``INVALID_FILE``).
    """
    path = Path(part.path)
    if path.suffix.lower() in _PARQUET:
        yield from _parquet_rows(path, list(range(part.start, part.end)), part.first)
        return
    longest = 4 * MAX_LINE_CHARS + 4  # bytes: more are too many characters, whatever they are
    with path.open("rb") as f:
        at, n = part.start, part.first
        if at > 0:
            f.seek(at - 1)
            if f.read(1) != b"\n":  # the line that began in the part before: its own
                at += _rest_of_line(f)
                n += 1
        while at < part.end and (raw := f.readline(longest + 1)):
            at += len(raw)
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            elif len(raw) > longest:  # too long, whatever its characters: skip the rest
                at += _rest_of_line(f)
            text = raw.decode("utf-8", "replace")
            line = None if len(text) > MAX_LINE_CHARS else text
            if line is None or line.strip():
                yield f"line {n}", _line_record(line)
            n += 1


def _unreadable(path: Path) -> AnswerError:
    return AnswerError(
        [
            AnswerProblem(
                path.name[:MAX_ID_CHARS],
                "a Parquet file; this one cannot be read as Parquet",
                code=ProblemCode.INVALID_FILE,
            )
        ]
    )


def _parquet(path: Path, handle: IO[bytes]) -> Any:
    """An open file read as Parquet (``pyarrow.parquet.ParquetFile``).

    Raises:
        AnswerError: It is not a Parquet file (code ``INVALID_FILE``, the file named).
    """
    pa = optional("pyarrow", "parquet")
    pq = optional("pyarrow.parquet", "parquet")
    try:
        return pq.ParquetFile(handle)
    except (pa.ArrowException, OSError, ValueError):
        raise _unreadable(path) from None


def _pylist(part: Any) -> list[object]:
    """A batch's rows; a row with a value Python cannot hold (a year past 9999) is broken."""
    pa = optional("pyarrow", "parquet")
    try:
        rows: list[object] = part.to_pylist()
    except (pa.ArrowException, OverflowError, ValueError):
        rows = []
        for n in range(part.num_rows):
            try:
                rows.extend(part.slice(n, 1).to_pylist())
            except (pa.ArrowException, OverflowError, ValueError):
                rows.append(
                    _Broken(
                        "a value Python cannot hold, such as a time outside the years 1 to 9999"
                    )
                )
    return rows


def read_parquet(path: Path) -> Iterator[tuple[str, object]]:
    """The records of a Parquet file, a row group's batch at a time.

    Raises:
        AnswerError: It is not a Parquet file, or a part of it cannot be read
            (code ``INVALID_FILE``, the file named).
        OSError: It cannot be opened.
    """
    return _parquet_rows(path, None, 1)


def _parquet_rows(path: Path, groups: list[int] | None, first: int) -> Iterator[tuple[str, object]]:
    """The records of some row groups (all for ``None``), a batch of columns at a time."""
    pa = optional("pyarrow", "parquet")
    n = first - 1
    with path.open("rb") as handle:
        batches = _parquet(path, handle).iter_batches(batch_size=CHUNK, row_groups=groups)
        while True:
            try:
                part = next(batches, None)
            except (pa.ArrowException, OSError, ValueError):
                raise _unreadable(path) from None
            if part is None:
                return
            for record in _pylist(part):
                n += 1
                yield f"row {n}", record


def read_file(path: str | os.PathLike[str]) -> Iterator[tuple[str, object]]:
    """The records of a JSON Lines or (by its suffix) Parquet file."""
    p = Path(path)
    return read_parquet(p) if p.suffix.lower() in _PARQUET else read_jsonl(p)


def bucket_count(path: str | os.PathLike[str]) -> int:
    """How many buckets keep a file's bucket to about ``BUCKET_BYTES`` or ``BUCKET_ROWS``."""
    p = Path(path)
    if p.suffix.lower() in _PARQUET:
        with p.open("rb") as handle:
            rows: int = _parquet(p, handle).metadata.num_rows
        return max(1, -(-rows // BUCKET_ROWS))
    return max(1, -(-p.stat().st_size // BUCKET_BYTES))


# ------------------------------------------------------------------------------ deciding


def _one(
    c: CompiledPack, checkin: CheckIn, state: CoupleState | None, country: str | None
) -> Outcome:
    """A record's outcome: decided as one call decides it, the decision alone (never said)."""
    try:
        return decision(c, verdict(c, checkin, None, country, state=state, wanted=0))
    except TrustkitError as error:
        return _describe(error)


def _carried(c: CompiledPack, state: CoupleState, checkin: CheckIn, result: Outcome) -> CoupleState:
    """The couple's state once a record is decided, as a single call's history would give it.

    A record that was decided goes in with the step it got (or the one stored
    with it); one that could not be decided, or a second check-in of one
    partner at one time, goes in only for its safety screen, so a yes in it
    is still remembered.
    """
    # Folded here, oldest first, so nothing in the state is newer than ``newest``: a later
    # check-in cannot be one it holds.
    later = state.newest is None or checkin.at > state.newest
    if isinstance(result, str) or (not later and taken(state, checkin) is not None):
        return attrs.evolve(state, disclosures=screened(c, state.disclosures, checkin))
    step = checkin.recommended if checkin.recommended is not None else result.step_id
    return fold(c, state, checkin, step)


def decide(
    rows: Sequence[Row], packs: Sequence[ContentPack], country: str | None
) -> list[tuple[Outcome, ...]]:
    """Each row's outcome under each pack, in row order.

    A row without a couple is decided alone (no history); the rows of a couple
    are decided oldest first, each with the couple's state folded (under the
    same pack) from the records before it, exactly as a single call with
    those records as its history decides it.
    """
    out: list[tuple[Outcome, ...]] = [()] * len(rows)
    compiled_packs = [compiled(pack) for pack in packs]
    couples: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if row.checkin is None and (row.said_yes is None or row.couple is None):
            out[i] = tuple(_unread(c, row, None, country) for c in compiled_packs)
        elif row.couple is None:
            assert row.checkin is not None
            out[i] = tuple(_one(c, row.checkin, None, country) for c in compiled_packs)
        else:
            couples.setdefault(row.couple, []).append(i)
    for members in couples.values():
        members.sort(key=lambda i: (_when(rows[i]), i))
        states = [_NEW] * len(packs)
        for i in members:
            row = rows[i]
            results = []
            for n, c in enumerate(compiled_packs):
                if row.checkin is None:  # only its yes answers can be read: answered, remembered
                    assert row.said_yes is not None
                    result = _unread(c, row, states[n], country)
                    states[n] = _carried(c, states[n], row.said_yes, row.problem or "")
                else:
                    result = _one(c, row.checkin, states[n], country)
                    states[n] = _carried(c, states[n], row.checkin, result)
                results.append(result)
            out[i] = tuple(results)
    return out


def _when(row: Row) -> dt.datetime:
    """When a row of a couple was answered (its check-in's time, or its yes answers')."""
    checkin = row.checkin or row.said_yes
    assert checkin is not None  # only such rows join their couple
    return checkin.at


def _unread(c: CompiledPack, row: Row, state: CoupleState | None, country: str | None) -> Outcome:
    """A record that cannot be read whole: its problem, or the help its yes answers call for.

    The help comes first, with the record's problem reported beside it (in
    ``problems``), as a single call reports a problem beside a safety result.
    """
    problem = row.problem or ""
    if row.said_yes is None:
        return problem
    try:
        found = verdict(c, row.said_yes, None, country, state=state, wanted=0)
    except TrustkitError:
        return problem
    if found.winner is not None:  # no safety yes among them: the record stays unread
        return problem
    said = decision(c, found)
    beside = AnswerProblem("record", problem, code=ProblemCode.INVALID_VALUE)
    return attrs.evolve(said, problems=(*said.problems, beside))


def _chosen(pack: ContentPack | None, locale: str | None) -> ContentPack:
    chosen = default_pack() if pack is None else pack
    if locale is not None:
        chosen = chosen.localized(locale)
    compiled(chosen)
    return chosen


# ------------------------------------------------------------------------------- batch


@public
@attrs.frozen
class BatchResult:
    """The decisions of [`trustkit.batch`][trustkit.batch], as columns in record order.

    Each column has one entry per record. A record that could not be decided
    has ``None`` in ``step_id``, ``rule_id``, ``urgency`` and ``safety`` and
    the problem in ``error`` (which names fields and questions, never answers).
    A safety yes is answered whatever else is wrong with its record: such a
    record has its safety decision and, in ``error``, the problem beside it.

    Added in version 0.2.0.

    Attributes:
        record_id: The record's ``id`` as text (``"#N"``, its position from 1,
            for a record without a usable id or a plain ``CheckIn``).
        step_id: The step recommended.
        rule_id: The rule that decided.
        urgency: The urgency's value (``"info"``, ``"soon"`` or ``"critical"``).
        safety: Whether the safety screen decided.
        error: ``None``, or why the record could not be decided.
    """

    record_id: tuple[str, ...]
    step_id: tuple[str | None, ...]
    rule_id: tuple[str | None, ...]
    urgency: tuple[str | None, ...]
    safety: tuple[bool | None, ...]
    error: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.record_id)

    @property
    def errors(self) -> tuple[tuple[str, str], ...]:
        """``(record id, problem)`` for each record that could not be decided."""
        return tuple(
            (rid, problem)
            for rid, problem in zip(self.record_id, self.error, strict=True)
            if problem is not None
        )

    def columns(self) -> dict[str, list[str | bool | None]]:
        """The columns as a dict of lists, by name."""
        return {field.name: list(getattr(self, field.name)) for field in attrs.fields(BatchResult)}

    def to_pandas(self) -> pandas.DataFrame:
        """The columns as a pandas DataFrame (needs pandas: the ``pandas`` extra).

        Text columns have the ``object`` dtype and ``safety`` pandas' nullable
        ``boolean``, so an undecided record keeps its ``None``.
        """
        pd = optional("pandas", "pandas")
        data = {
            name: pd.Series(values, dtype="boolean" if name == "safety" else object)
            for name, values in self.columns().items()
        }
        frame: pandas.DataFrame = pd.DataFrame(data)
        return frame

    def to_arrow(self) -> pyarrow.Table:
        """The columns as a pyarrow Table (needs pyarrow: the ``parquet`` extra)."""
        pa = optional("pyarrow", "parquet")
        table: pyarrow.Table = pa.table(
            {
                name: pa.array(values, type=pa.bool_() if name == "safety" else pa.string())
                for name, values in self.columns().items()
            }
        )
        return table


def _beside(rec: Decision) -> str | None:
    """The problems reported beside a safety result, as the ``error`` column says them."""
    if not rec.problems:
        return None
    said = [p.expected if p.field == "record" else f"{p.field}: {p.expected}" for p in rec.problems]
    text = "; ".join(said)
    return text if len(text) <= MAX_PROBLEM_CHARS else text[: MAX_PROBLEM_CHARS - 3] + "..."


Cells = tuple[str | None, str | None, str | None, bool | None, str | None]
"""One record's row of a `BatchResult`, after its id: step, rule, urgency, safety, error."""


def _cells(outcome: Outcome) -> Cells:
    if isinstance(outcome, str):
        return (None, None, None, None, outcome)
    return (
        outcome.step_id,
        outcome.rule_id,
        outcome.urgency.value,
        outcome.safety,
        _beside(outcome),
    )


def _all_cells(outcomes: Iterable[tuple[Outcome, ...]]) -> list[Cells]:
    """Each outcome's cells (under the first pack); one tuple for each decision, shared.

    Equal decisions are one object (see `trustkit._engine.decide.decision`), so
    their cells are made once, and a worker's cells pickle as references.
    """
    made: dict[int, Cells] = {}
    out: list[Cells] = []
    for under in outcomes:
        outcome = under[0]
        cells = made.get(id(outcome))
        if cells is None:
            cells = made[id(outcome)] = _cells(outcome)
        out.append(cells)
    return out


def _result(record_ids: Sequence[str], cells: Sequence[Cells]) -> BatchResult:
    columns = list(zip(*cells, strict=True)) if cells else [()] * 5
    return BatchResult(tuple(record_ids), *map(tuple, columns))


def batch_result(rows: Sequence[Row], outcomes: Sequence[tuple[Outcome, ...]]) -> BatchResult:
    """The columns for rows decided under one pack."""
    return _result([row.record_id for row in rows], _all_cells(outcomes))


Sent = tuple[str, object]
"""A record as the pool sends it: its fallback label and a plain ``dict``, or its `Row`."""


def _part(
    pack: ContentPack | None, sent: list[Sent], country: str | None
) -> list[tuple[str, Cells]]:
    """One worker's share of a batch, read here: each record's id and cells (small to send back)."""
    chosen = default_pack() if pack is None else pack
    rows = [item if isinstance(item, Row) else read_row(item, label) for label, item in sent]
    decided = decide(rows, (chosen,), country)
    return [(row.record_id, cells) for row, cells in zip(rows, _all_cells(decided), strict=True)]


_LENT: dict[int, list[Sent]] = {}
"""Records lent to the workers of a forked pool, by the call that lends them (see `_pooled`)."""


def _lent_part(
    pack: ContentPack | None, token: int, share: list[int], country: str | None
) -> list[tuple[str, Cells]]:
    """`_part` in a forked worker, of records its parent lent it: none of them was pickled."""
    sent = _LENT[token]
    return _part(pack, [sent[i] for i in share], country)


def _couple_of(item: object) -> str | None:
    """The couple a plain record names, as `careful_row` reads it (``None`` for none)."""
    if type(item) is dict:  # the usual record: its couple's id is text, or it has none
        value = item.get("couple")
        if value is None or (type(value) is str and 0 < len(value) <= MAX_ID_CHARS):
            return value
    value = item.get("couple") if isinstance(item, Mapping) else None
    return None if _missing(value) else _key(value)


def _shares(couples: Sequence[str | None], workers: int) -> list[list[int]]:
    """The records' positions split into ``workers`` shares: each couple's records in one share.

    A record whose couple turns out not to count (its check-in cannot be
    read) is decided alone wherever it goes.
    """
    groups: dict[str | None, list[int]] = {}
    loose: list[list[int]] = []
    for i, couple in enumerate(couples):
        if couple is None:
            loose.append([i])
        else:
            groups.setdefault(couple, []).append(i)
    shares: list[list[int]] = [[] for _ in range(workers)]
    # The largest couples first, each to the share with fewest rows so far.
    for group in sorted([*groups.values(), *loose], key=len, reverse=True):
        min(shares, key=len).extend(group)
    return [sorted(share) for share in shares if share]


def _pooled(
    pack: ContentPack | None, found: list[Sent], country: str | None, workers: int
) -> BatchResult:
    """The batch decided by ``workers`` processes; the same columns as in one process.

    A plain ``dict`` record is sent as it is and read in its worker, so that
    reading is shared out too; anything else is read here and sent as its
    `Row`. Where the pool forks its workers (the default on Linux before
    Python 3.14), the records are not sent at all: they are lent (`_LENT`)
    before the workers start, each worker finds its share in its copy of
    this process, and only the positions of the share are pickled. Elsewhere
    a share that cannot be pickled (a value in a record that pickle refuses,
    which no check has seen yet) is decided here instead.
    """
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    sent: list[Sent] = [
        (label, item if type(item) is dict else read_row(item, label)) for label, item in found
    ]
    shares = _shares(
        [item.couple if isinstance(item, Row) else _couple_of(item) for _, item in sent], workers
    )
    ids: list[str] = [""] * len(sent)
    cells: list[Cells | None] = [None] * len(sent)
    context = multiprocessing.get_context()
    lent = context.get_start_method() == "fork"
    token = id(sent)
    if lent:
        _LENT[token] = sent
    try:
        with ProcessPoolExecutor(max_workers=len(shares), mp_context=context) as pool:
            done = [
                pool.submit(_lent_part, pack, token, share, country)
                if lent
                else pool.submit(_part, pack, [sent[i] for i in share], country)
                for share in shares
            ]
            for share, future in zip(shares, done, strict=True):
                try:
                    decided = future.result()
                except (pickle.PicklingError, TypeError, AttributeError):
                    # Something in the share cannot be pickled: decide it here, the same way.
                    decided = _part(pack, [sent[i] for i in share], country)
                for i, (record_id, row_cells) in zip(share, decided, strict=True):
                    ids[i], cells[i] = record_id, row_cells
    finally:
        _LENT.pop(token, None)
    return _result(ids, cells)  # type: ignore[arg-type]


def _workers(workers: object) -> int:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise AnswerError(
            [AnswerProblem("workers", "a whole number, 1 or more", code=ProblemCode.INVALID_VALUE)]
        )
    return workers


@public
def batch(
    checkins: Iterable[Mapping[str, object] | CheckIn] | PandasDataFrame | ArrowTable,
    *,
    pack: ContentPack | None = None,
    country: str | None = None,
    locale: str | None = None,
    workers: int = 1,
) -> BatchResult:
    """Re-decide many stored check-ins and return the decisions as columns.

    For an app that keeps its users' check-ins and wants the decisions of a
    pack over all of them (for example, before shipping a new version). Each
    record is a mapping with ``id``, ``respondent``, ``answers`` (a mapping,
    or its JSON text), ``at`` (an RFC 3339 timestamp or an aware datetime)
    and optionally ``couple`` and ``recommended``; ``checkins`` is an
    iterable of them (or of ``CheckIn`` objects), a pandas DataFrame or a
    pyarrow Table with those columns.

    Records with the same ``couple`` are decided oldest first, each with the
    couple's earlier check-ins as its history, so a positive safety screen
    keeps couples work away for the pack's safety period as it does in an
    app. A record without ``couple`` is decided without history.

    A record that cannot be decided (a missing field, an unknown question, a
    bad value) never stops the run: its row has the problem in ``error``,
    which names the field or question and never an answer.

    Each check-in is decided on its own, by the decision-only path of
    [`decide`][trustkit.decide] (the same decision as
    [`recommend_next_step`][trustkit.recommend_next_step], without writing
    the texts that explain it): a record's row is what
    ``recommend_next_step(checkin, pack=pack, country=country,
    locale=locale, state=state)`` gives, where ``state`` is its couple's
    records before it, folded as [`advance`][trustkit.advance] folds them
    (each with its stored ``recommended`` step, or else the step it got
    here; a record that could not be decided adds only its safety answers).
    The pack is chosen, localized and compiled once for the whole call; a
    ``locale`` that cannot be used raises ``AnswerError`` at once, while a
    ``country`` that cannot be used is the ``error`` of each record's row,
    except where a safety yes decides (that record still gets its help).

    Added in version 0.2.0.

    Args:
        checkins: The records: mappings or ``CheckIn`` objects, a pandas
            ``DataFrame`` or a pyarrow ``Table`` (``PandasDataFrame`` and
            ``ArrowTable`` in the signature stand for those two, so that it
            needs neither library to type-check).
        pack: The content pack to use; the bundled one by default.
        country: As for ``recommend_next_step``.
        locale: As for ``recommend_next_step``.
        workers: How many processes decide (a process pool inside the
            call, for machines without Dask): the records are shared out
            with each couple's records kept together, read (plain ``dict``
            records in the workers, anything else here) and decided in the
            workers, which send back only the columns. Where the pool forks
            its workers (Linux, before Python 3.14), they read the records
            from their copy of this process instead of being sent them. The
            result is the same as with one. Added in version 0.2.0.

    Examples:
        >>> import trustkit
        >>> records = [
        ...     {"id": "a1", "respondent": "partner", "answers": {"feels_heard": 1},
        ...      "at": "2026-03-01T20:00:00Z"},
        ...     {"id": "a2", "respondent": "partner", "answers": {"feels_heard": 9},
        ...      "at": "2026-03-02T20:00:00Z"},
        ... ]
        >>> result = trustkit.batch(records)
        >>> result.step_id, result.urgency
        (('validation', None), ('info', None))
        >>> result.errors
        (('a2', '1 problem in the check-in: feels_heard: a whole number from 1 to 5'),)
    """
    count = _workers(workers)
    chosen = _chosen(pack, locale)
    found: Iterable[Sent] = items(checkins)
    if count > 1:
        found = list(found)
        if len(found) > 1:
            # The bundled pack is found again in each worker; any other is sent to it.
            sent = None if chosen is default_pack() else chosen
            return _pooled(sent, found, country, count)
    rows = [read_row(item, label) for label, item in found]
    return batch_result(rows, decide(rows, (chosen,), country))


# -------------------------------------------------------------------------------- diff


def _order(record_id: str) -> tuple[int, str]:
    """Record ids in a stable order that puts ``r9`` before ``r10``."""
    return (len(record_id), record_id)


def _smallest(ids: list[str]) -> list[str]:
    return sorted(set(ids), key=_order)[:EXAMPLES]


@public
@attrs.frozen
class Change:
    """One kind of changed decision in a [`PackDiff`][trustkit.PackDiff].

    Added in version 0.2.0.

    Attributes:
        from_step: The step the old pack recommended.
        from_rule: The rule of the old pack that decided.
        to_step: The step the new pack recommends.
        to_rule: The rule of the new pack that decides.
        safety: Whether either decision came from the safety screen.
        count: How many records changed this way.
        examples: A few of their record ids (those that sort first).
    """

    from_step: str
    from_rule: str
    to_step: str
    to_rule: str
    safety: bool
    count: int
    examples: tuple[str, ...]


@public
@attrs.frozen
class PackDiff:
    """What a new pack changes over stored check-ins: [`trustkit.diff_packs`][trustkit.diff_packs].

    Added in version 0.2.0.

    Attributes:
        old: The packs merged into the old pack (base first).
        new: The packs merged into the new one.
        records: How many records were read.
        decided: How many both packs could decide.
        changed: How many of those changed step or rule.
        changes: Each kind of change, those touching a safety decision first,
            then the most frequent.
        malformed: How many records either pack could not decide.
        malformed_records: ``(record id, problem)`` for up to 100 of them
            (those that sort first); the problem names the field or question,
            never a value.
        unknown_to_old: How many records answer a question that only the new
            pack has (an overlay's new question, say): the old pack decided
            them as if that question were unanswered.
        unknown_to_new: How many records answer a question that only the old
            pack has: the new pack decided them as if it were unanswered.
        unmatched_records: For [`diff_records`][trustkit.diff_records], how
            many decision records no check-in's id named (0 otherwise; added
            in version 0.3.0).
    """

    old: tuple[PackRef, ...]
    new: tuple[PackRef, ...]
    records: int
    decided: int
    changed: int
    changes: tuple[Change, ...]
    malformed: int
    malformed_records: tuple[tuple[str, str], ...]
    unknown_to_old: int = 0
    unknown_to_new: int = 0
    unmatched_records: int = 0

    @property
    def safety_changed(self) -> int:
        """How many changed decisions touch a safety decision (on either side)."""
        return sum(change.count for change in self.changes if change.safety)


_ChangeKey = tuple[str, str, str, str, bool]


class Tally:
    """A pack diff in the making: counts that merge, in any order, to the same report."""

    __slots__ = (
        "changes",
        "decided",
        "malformed",
        "malformed_records",
        "records",
        "unknown_to_new",
        "unknown_to_old",
    )

    def __init__(self) -> None:
        self.records = 0
        self.decided = 0
        self.malformed = 0
        self.malformed_records: list[tuple[str, str]] = []
        self.changes: dict[_ChangeKey, tuple[int, list[str]]] = {}
        self.unknown_to_old = 0
        self.unknown_to_new = 0

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)

    def _malformed(self, record_id: str, problem: str) -> None:
        self.malformed += 1
        self.malformed_records.append((record_id, problem))
        if len(self.malformed_records) > 2 * MAX_MALFORMED_LISTED:
            self._trim()

    def _trim(self) -> None:
        self.malformed_records.sort(key=lambda item: _order(item[0]))
        del self.malformed_records[MAX_MALFORMED_LISTED:]

    def add(self, record_id: str, old: Outcome, new: Outcome, old_side: str = "old pack") -> None:
        """Count one record's outcomes under the old and the new pack (or the old records)."""
        self.records += 1
        if isinstance(old, str) or isinstance(new, str):
            if old == new:
                problem = str(old)
            else:
                sides = [f"{side}: {o}" for side, o in ((old_side, old), ("new pack", new))
                         if isinstance(o, str)]  # fmt: skip
                problem = "; ".join(sides)
            self._malformed(record_id, problem)
            return
        self.decided += 1
        if old.step_id == new.step_id and old.rule_id == new.rule_id:
            return
        key = (old.step_id, old.rule_id, new.step_id, new.rule_id, old.safety or new.safety)
        count, examples = self.changes.get(key, (0, []))
        examples.append(record_id)
        if len(examples) > 4 * EXAMPLES:
            examples[:] = _smallest(examples)
        self.changes[key] = (count + 1, examples)

    def merge(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        self.records += other.records
        self.unknown_to_old += other.unknown_to_old
        self.unknown_to_new += other.unknown_to_new
        self.decided += other.decided
        self.malformed += other.malformed
        self.malformed_records.extend(other.malformed_records)
        self._trim()
        for key, (count, examples) in other.changes.items():
            mine, mine_examples = self.changes.get(key, (0, []))
            self.changes[key] = (mine + count, _smallest(mine_examples + examples))

    def report(self, old: ContentPack | Recorded, new: ContentPack) -> PackDiff:
        """The finished report."""
        self._trim()
        changes = sorted(
            (
                Change(*key[:4], safety=key[4], count=count, examples=tuple(_smallest(examples)))
                for key, (count, examples) in self.changes.items()
            ),
            key=lambda c: (not c.safety, -c.count, c.from_step, c.from_rule, c.to_step, c.to_rule),
        )
        return PackDiff(
            old=old.packs,
            new=new.packs,
            records=self.records,
            decided=self.decided,
            changed=sum(c.count for c in changes),
            changes=tuple(changes),
            malformed=self.malformed,
            malformed_records=tuple(self.malformed_records),
            unknown_to_old=self.unknown_to_old,
            unknown_to_new=self.unknown_to_new,
            unmatched_records=old.unmatched() if isinstance(old, Recorded) else 0,
        )


# ------------------------------------------------------------ decision records as the old side

_RECORD_TEXTS = ("pack_digest", "rule_id", "step_id", "locale")
_RECORD_FIELDS = frozenset(a.name for a in attrs.fields(DecisionRecord))
_RECORD_NEEDED = _RECORD_FIELDS - {"answers_hash"}
_URGENCIES = frozenset(u.value for u in Urgency)


def _record_problem(label: str, field: str, expected: str, code: ProblemCode) -> AnswerError:
    return AnswerError([AnswerProblem(f"records ({label}): {field}", expected, code=code)])


def _record_time(label: str, value: object) -> dt.datetime | None:
    """A record's ``at``: RFC 3339 text or an aware datetime, or ``None``.

    Raises:
        AnswerError: It is neither.
    """
    if value is None or (isinstance(value, dt.datetime) and value.utcoffset() is not None):
        return value
    if isinstance(value, str):
        try:
            at = _timestamp(value)
        except ValueError:
            at = None
        if at is not None and at.utcoffset() is not None:
            return at
    raise _record_problem(label, "at", "an RFC 3339 time with its offset, or null",
                          ProblemCode.INVALID_VALUE)  # fmt: skip


def _pack_refs(value: object) -> tuple[PackRef, ...] | None:
    if not isinstance(value, (list, tuple)) or not value:
        return None
    refs = []
    for item in value:
        if not isinstance(item, Mapping) or set(item) != {"id", "version"}:
            return None
        if not all(isinstance(item[k], str) and item[k] for k in ("id", "version")):
            return None
        refs.append(PackRef(item["id"], item["version"]))
    return tuple(refs)


def decision_record(label: str, item: object) -> DecisionRecord:
    """A decision record as `record_decision` made it, from its JSON data; strictly checked.

    Raises:
        AnswerError: The item is not one (naming the field, never a value).
    """
    if isinstance(item, DecisionRecord):
        return item
    if isinstance(item, _Broken):
        raise _record_problem(label, "record", item.problem, ProblemCode.WRONG_TYPE)
    if not isinstance(item, Mapping):
        raise _record_problem(label, "record", "a decision record", ProblemCode.WRONG_TYPE)
    missing = sorted(_RECORD_NEEDED - set(item))
    if missing:
        raise _record_problem(label, missing[0], "present", ProblemCode.MISSING)
    if any(k not in _RECORD_FIELDS for k in item):
        raise _record_problem(label, "record", "only the fields of a decision record",
                              ProblemCode.UNKNOWN_FIELD)  # fmt: skip
    decision_id = item["decision_id"]
    if not (isinstance(decision_id, str) and 0 < len(decision_id) <= DECISION_ID_MAX):
        raise _record_problem(label, "decision_id", f"a text of 1 to {DECISION_ID_MAX} characters",
                              ProblemCode.INVALID_VALUE)  # fmt: skip
    for name in _RECORD_TEXTS:
        if not (isinstance(item[name], str) and item[name]):
            raise _record_problem(label, name, "a text", ProblemCode.WRONG_TYPE)
    at = _record_time(label, item["at"])
    packs = _pack_refs(item["packs"])
    if packs is None:
        raise _record_problem(label, "packs", "a list of {id, version}", ProblemCode.WRONG_TYPE)
    if item["urgency"] not in _URGENCIES:
        raise _record_problem(label, "urgency", "an urgency", ProblemCode.INVALID_VALUE)
    if type(item["safety"]) is not bool:
        raise _record_problem(label, "safety", "true or false", ProblemCode.WRONG_TYPE)
    if item["respondent"] not in ("partner", "supporter"):
        raise _record_problem(label, "respondent", "'partner' or 'supporter'",
                              ProblemCode.INVALID_VALUE)  # fmt: skip
    answers_hash = item.get("answers_hash")
    if answers_hash is not None and not isinstance(answers_hash, str):
        raise _record_problem(label, "answers_hash", "a text or null", ProblemCode.WRONG_TYPE)
    return DecisionRecord(
        decision_id=decision_id,
        at=at,
        packs=packs,
        pack_digest=item["pack_digest"],
        rule_id=item["rule_id"],
        step_id=item["step_id"],
        urgency=Urgency(item["urgency"]),
        safety=item["safety"],
        respondent=Role(item["respondent"]),
        locale=item["locale"],
        answers_hash=answers_hash,
    )


class Recorded:
    """Decision records by id: the old side of `diff_records`."""

    __slots__ = ("by_id", "packs", "used")

    def __init__(self, records: Iterable[tuple[str, object]]) -> None:
        self.by_id: dict[str, tuple[Role, dt.datetime | None, Decision]] = {}
        packs: dict[PackRef, None] = {}
        # Equal decisions are one object, held by every record that has it (a few hundred
        # bytes a record, not twice that).
        shared: dict[tuple[object, ...], Decision] = {}
        for label, item in records:
            record = decision_record(label, item)
            if record.decision_id in self.by_id:
                raise _record_problem(label, "decision_id", "each decision id once",
                                      ProblemCode.DUPLICATE)  # fmt: skip
            packs.update(dict.fromkeys(record.packs))
            last = record.packs[-1]
            fields = (record.step_id, record.rule_id, record.urgency, record.safety,
                      record.respondent, last.id, last.version)  # fmt: skip
            made = shared.get(fields)
            if made is None:
                made = shared[fields] = Decision(*fields)
            self.by_id[record.decision_id] = (record.respondent, record.at, made)
        self.packs = tuple(packs)
        self.used: set[str] = set()

    def outcome(self, row: Row) -> Outcome:
        """What the record with this row's id says was decided, or why there is none to compare."""
        found = self.by_id.get(row.record_id)
        if found is None:
            return "no decision record has this id"
        self.used.add(row.record_id)
        respondent, at, made = found
        checkin = row.checkin or row.said_yes
        if checkin is not None and (
            checkin.respondent is not respondent or (at is not None and at != checkin.at)
        ):
            return "the decision record with this id is of another check-in (respondent or time)"
        return made

    def unmatched(self) -> int:
        """How many records no check-in's id named."""
        return len(self.by_id) - len(self.used)


def _unasked(rows: Sequence[Row], questions: frozenset[str]) -> tuple[list[Row], int]:
    """The rows with answers to ``questions`` left out (as if unanswered), and how many had any."""
    if not questions:
        return list(rows), 0
    out, touched = [], 0
    for row in rows:
        checkin = row.checkin
        if checkin is None or questions.isdisjoint(checkin.answers):
            out.append(row)
            continue
        touched += 1
        kept = {q: value for q, value in checkin.answers.items() if q not in questions}
        out.append(row._replace(checkin=attrs.evolve(checkin, answers=kept)))
    return out, touched


def diff_rows(
    rows: Sequence[Row], old: ContentPack | Recorded, new: ContentPack, country: str | None
) -> Tally:
    """The tally of rows that hold whole couples.

    A question only one of the packs has is unanswered for the other: a check-in
    that answers an overlay's new question is decided by the old pack on its
    other answers, not counted as malformed. With decision records as the old
    side, each row's old outcome is its record's.
    """
    if isinstance(old, Recorded):
        tally = Tally()
        now = decide(rows, (new,), country)
        for row, (after,) in zip(rows, now, strict=True):
            tally.add(row.record_id, old.outcome(row), after, "records")
        return tally
    old_ids = frozenset(q.id for q in old.questions)
    new_ids = frozenset(q.id for q in new.questions)
    old_rows, to_old = _unasked(rows, new_ids - old_ids)
    new_rows, to_new = _unasked(rows, old_ids - new_ids)
    was = decide(old_rows, (old,), country)
    now = decide(new_rows, (new,), country)
    tally = Tally()
    tally.unknown_to_old, tally.unknown_to_new = to_old, to_new
    for row, (before,), (after,) in zip(rows, was, now, strict=True):
        tally.add(row.record_id, before, after)
    return tally


_JSON_LEAVES = (str, int, float, bool, type(None))
SPILL_ROWS = 256
"""Rows held per bucket before they are written to its file."""

Spilled = tuple[str, str | None, str | None, object, object]
"""A row as a bucket file holds it: id, couple, problem, check-in, yes answers (plain data)."""


def _json_data(value: object) -> bool:
    """Whether a value is JSON data (as a JSON file's record is): what a bucket holds."""
    if isinstance(value, _JSON_LEAVES):
        return True
    if isinstance(value, list):
        return all(_json_data(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_data(v) for k, v in value.items())
    return False


PlainCheckIn = tuple[str, dict[str, Any], str, str | None]
"""A check-in as a bucket file holds it: respondent, answers as JSON holds them, time, step."""


def _plain_checkin(checkin: CheckIn | None) -> PlainCheckIn | None:
    """A check-in as plain data for `marshal`, or ``None`` for none.

    A multiple choice answer (a set of codes) is written as its sorted list of
    codes, as JSON holds it; `_checkin_of` reads it back as the set, as `CheckIn` would.
    """
    if checkin is None:
        return None
    return (checkin.respondent.value, json_answers(checkin.answers), checkin.at.isoformat(),
            checkin.recommended)  # fmt: skip


def encode(row: Row) -> Spilled | None:
    """A row as plain data for a bucket file, or ``None`` if its answers are not JSON data.

    Only our own plain data (text, numbers, lists, dicts) is written, with
    `marshal`: never pickle, and nothing is evaluated on the way back. A time is
    written as its ISO text, so it comes back with its UTC offset.
    """
    checkin, yes = _plain_checkin(row.checkin), _plain_checkin(row.said_yes)
    shown = checkin or yes
    if shown is not None and not _json_data(shown[1]):
        return None
    return (row.record_id, row.couple, row.problem, checkin, yes)


def _checkin_of(data: Any) -> CheckIn | None:
    if data is None:
        return None
    respondent, answers, at, recommended = data
    return checkin_from_data(Role(respondent), answers, dt.datetime.fromisoformat(at), recommended)


def decode_rows(data: bytes) -> list[Row]:
    """The rows of a bucket file's bytes (pieces written by `spill`)."""
    rows = []
    view, at = memoryview(data), 0
    while at < len(data):
        size = int.from_bytes(view[at : at + 4], "little")
        for record_id, couple, problem, checkin, yes in marshal.loads(view[at + 4 : at + 4 + size]):
            rows.append(Row(record_id, couple, _checkin_of(checkin), problem, _checkin_of(yes)))
        at += 4 + size
    return rows


def spill(rows: list[Spilled]) -> bytes:
    """Rows as a piece of a bucket file: their length, then their `marshal` bytes."""
    data = marshal.dumps(rows)
    return len(data).to_bytes(4, "little") + data


def _bucket_of(row: Row, buckets: int) -> int:
    key = row.record_id if row.couple is None else f"couple:{row.couple}"
    return zlib.crc32(key.encode("utf-8", "replace")) % buckets


def sort_rows(
    records: Iterable[tuple[str, object]],
    buckets: int,
    tally: Tally,
    write: Callable[[int, bytes], object],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Read each record once and ``write`` its row to its couple's bucket; how many were read.

    Records that cannot be kept (broken, or holding values that are not JSON
    data) are counted into ``tally`` at once.
    """
    held: list[list[Spilled]] = [[] for _ in range(buckets)]
    read = 0
    for label, item in records:
        read += 1
        if progress is not None and read % CHUNK == 0:
            progress(read)
        row = read_row(item, label)
        spilled = None if isinstance(item, (_Broken, CheckIn)) else encode(row)
        if spilled is None:
            problem = row.problem or "not a record of JSON data"
            tally.add(row.record_id, problem, problem)
            continue
        n = _bucket_of(row, buckets)
        held[n].append(spilled)
        if len(held[n]) >= SPILL_ROWS:
            write(n, spill(held[n]))
            held[n] = []
    for n, rest in enumerate(held):
        if rest:
            write(n, spill(rest))
    return read


def spread(
    records: Iterable[tuple[str, object]],
    buckets: int,
    folder: Path,
    tally: Tally,
    progress: Callable[[int], None] | None,
) -> list[Path]:
    """`sort_rows` into bucket files in ``folder``."""
    paths = [folder / f"bucket-{n}.bin" for n in range(buckets)]
    files = [path.open("wb") for path in paths]
    try:
        read = sort_rows(records, buckets, tally, lambda n, data: files[n].write(data), progress)
        if progress is not None:
            progress(read)
    finally:
        for f in files:
            f.close()
    return paths


def sort_part(part: Part, buckets: int) -> tuple[list[bytes], Tally, int]:
    """One part of a file read and sorted by couple: each bucket's bytes, the broken, the count.

    Raises:
        AnswerError: A Parquet part cannot be read, as `read_part` raises it.
    """
    out = [bytearray() for _ in range(buckets)]
    tally = Tally()
    read = sort_rows(read_part(part), buckets, tally, lambda n, data: out[n].extend(data))
    return [bytes(data) for data in out], tally, read


def diff_blobs(
    blobs: Iterable[bytes], old: ContentPack, new: ContentPack, country: str | None
) -> Tally:
    """The tally of one bucket, from its pieces sorted by `sort_part`."""
    return diff_rows(decode_rows(b"".join(blobs)), old, new, country)


def _source(checkins: object) -> Iterator[tuple[str, object]]:
    if isinstance(checkins, (str, os.PathLike)):
        return read_file(checkins)
    return items(checkins)


def run_diff(
    old: ContentPack | Recorded,
    new: ContentPack,
    checkins: object,
    *,
    country: str | None,
    buckets: int | None,
    progress: Callable[[int], None] | None,
    each: Callable[[Iterator[Path]], Iterator[Tally]],
) -> PackDiff:
    """The diff, with ``each`` turning bucket files into tallies (here or on a cluster)."""
    if isinstance(old, ContentPack):
        compiled(old)
    compiled(new)
    if buckets is None:
        is_file = isinstance(checkins, (str, os.PathLike))
        buckets = bucket_count(checkins) if is_file else 1  # type: ignore[arg-type]
    if buckets < 1:
        raise ValueError("buckets must be at least 1")
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="trustkit-diff-") as folder:
        paths = spread(_source(checkins), buckets, Path(folder), tally, progress)
        for part in each(iter(paths)):
            tally.merge(part)
    return tally.report(old, new)


def diff_file(
    path: Path, old: ContentPack | Recorded, new: ContentPack, country: str | None
) -> Tally:
    """The tally of one bucket file."""
    return diff_rows(decode_rows(path.read_bytes()), old, new, country)


@public
def diff_packs(
    old: ContentPack,
    new: ContentPack,
    checkins: str
    | os.PathLike[str]
    | Iterable[Mapping[str, object]]
    | PandasDataFrame
    | ArrowTable,
    *,
    country: str | None = None,
    buckets: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> PackDiff:
    """Re-decide stored check-ins with two packs and report what changes.

    Before shipping a pack update, see which decisions it changes for the
    check-ins you hold: how many, from which step and rule to which, safety
    decisions first, with a few record ids for each kind of change. The
    records are as for [`batch`][trustkit.batch], in a JSON Lines file, a
    Parquet file (``.parquet``, with the ``parquet`` extra), an iterable, a
    pandas DataFrame or an Arrow table. A record either pack cannot decide is
    counted in ``malformed`` and named by id, never by its values.

    A file is read once, as a stream, and spread over ``buckets`` temporary
    files by couple (in a private temporary folder, removed at the end), so
    that a couple's records are decided together, with their history, and
    memory stays bounded. [`trustkit.dask.diff_packs`][trustkit.dask.diff_packs]
    does the same on a Dask cluster, with the same result.

    Added in version 0.2.0.

    Args:
        old: The pack in use.
        new: The pack to compare it with.
        checkins: A file path, or the records themselves (mappings, a pandas
            ``DataFrame`` or a pyarrow ``Table``, as for ``batch``).
        country: As for ``recommend_next_step``.
        buckets: How many buckets; by default about one per 8 MB of JSON
            Lines or 50,000 Parquet rows, and one for records in memory.
        progress: Called now and then with the number of records read.

    Examples:
        >>> import trustkit
        >>> records = [
        ...     {"id": 1, "respondent": "partner", "answers": {"feels_heard": 1},
        ...      "at": "2026-03-01T20:00:00Z"},
        ...     {"id": 2, "respondent": "partner", "answers": {"promises_kept": 1},
        ...      "at": "2026-03-01T20:00:00Z"},
        ... ]
        >>> core = trustkit.default_pack()
        >>> diff = trustkit.diff_packs(core, core, records)
        >>> diff.records, diff.decided, diff.changed
        (2, 2, 0)
    """

    def here(paths: Iterator[Path]) -> Iterator[Tally]:
        return (diff_file(path, old, new, country) for path in paths)

    return run_diff(
        old, new, checkins, country=country, buckets=buckets, progress=progress, each=here
    )


@public
def diff_records(
    records: str | os.PathLike[str] | Iterable[DecisionRecord | Mapping[str, object]],
    new: ContentPack,
    checkins: str
    | os.PathLike[str]
    | Iterable[Mapping[str, object]]
    | PandasDataFrame
    | ArrowTable,
    *,
    country: str | None = None,
    buckets: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> PackDiff:
    """Compare the decisions an audit trail recorded with what a new pack decides.

    Like [`diff_packs`][trustkit.diff_packs], with decision records (made by
    [`record_decision`][trustkit.record_decision]) as the old side: each
    check-in is decided with ``new`` (a couple's with its history, as
    ``diff_packs`` does) and compared with the record whose ``decision_id``
    is the check-in's ``id``. The records may come from several packs, or
    several versions of one; the report's ``old`` names each pack they
    name. A check-in without a record, or whose record is of another
    respondent or time, is counted in ``malformed``; records no check-in
    names are counted in ``unmatched_records``.

    The records are held in memory (by id, without their texts), and read
    strictly: a record that is not one stops the diff with an error naming
    its line and field. Records hold no answers, so the check-ins are needed
    as well (see "Records and pack diffs" in the docs).

    Added in version 0.3.0.

    Args:
        records: A JSON Lines or Parquet file of records as
            ``trustkit.converter.unstructure`` writes them, or the records
            (`DecisionRecord` objects or such mappings).
        new: The pack to compare them with.
        checkins: The check-ins, as for ``diff_packs``; each ``id`` is the
            ``decision_id`` of its record.
        country: As for ``recommend_next_step``.
        buckets: As for ``diff_packs``.
        progress: As for ``diff_packs``.

    Returns:
        A [`PackDiff`][trustkit.PackDiff] whose ``old`` side is the records.

    Raises:
        AnswerError: A record is not one, or two records share a decision id.

    Examples:
        >>> import trustkit
        >>> stored = {"respondent": "partner", "answers": {"feels_heard": 1},
        ...           "at": "2026-03-01T20:00:00Z"}
        >>> checkin = trustkit.parse_checkin(stored)
        >>> record = trustkit.record_decision(checkin, decision_id="d-1")
        >>> checkins = [{"id": "d-1", **stored}]
        >>> diff = trustkit.diff_records([record], trustkit.default_pack(), checkins)
        >>> diff.decided, diff.changed, diff.unmatched_records
        (1, 0, 0)
    """
    recorded = Recorded(_source(records))

    def here(paths: Iterator[Path]) -> Iterator[Tally]:
        return (diff_file(path, recorded, new, country) for path in paths)

    return run_diff(
        recorded, new, checkins, country=country, buckets=buckets, progress=progress, each=here
    )
