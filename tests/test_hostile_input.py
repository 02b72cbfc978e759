"""Hostile input on every surface ends in a typed trustkit error, bounded in time and memory.

JSON Lines and Parquet files (``diff_packs``, ``trustkit pack diff``), the
command line, ``pack test`` examples and the example web app: each case that
once ended deep inside Python (``RecursionError``, ``OverflowError``,
``pyarrow.lib.ArrowInvalid``, a 500) is here, with what it ends in now.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import trustkit
from tests.conftest import Overlay
from trustkit import _batch, _json
from trustkit._cli import main

AT = "2026-03-01T20:00:00Z"
CORE = trustkit.default_pack()


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def one_line_error(err: str) -> str:
    """The one line of a CLI error, checked to be one line and no traceback."""
    assert err.count("\n") == 1, err
    assert err.startswith("trustkit: error: "), err
    assert "Traceback" not in err
    assert "Errno" not in err
    return err


def record(rid: object, answers: object, at: object = AT, **more: object) -> dict[str, Any]:
    return {"id": rid, "respondent": "partner", "answers": answers, "at": at, **more}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- JSON


@pytest.mark.parametrize(
    "text", ["[" * 100_000, "[" * 65 + "]" * 65, '{"a":' * 65 + "1" + "}" * 65]
)
def test_json_nested_too_deeply_is_a_typed_error(text: str) -> None:
    for given in (text, text.encode()):
        with pytest.raises(trustkit.AnswerError) as caught:
            _json.loads(given)
        (problem,) = caught.value.problems
        assert (problem.field, problem.code) == ("JSON", trustkit.ProblemCode.TOO_LARGE)


def test_json_nested_up_to_the_limit_reads() -> None:
    text = "[" * _json.MAX_DEPTH + "]" * _json.MAX_DEPTH
    assert _json.loads(text) == json.loads(text)
    # Brackets in strings count for nothing.
    text = json.dumps({"a": "[" * 1000})
    assert _json.loads(text) == {"a": "[" * 1000}


def test_json_whole_numbers_have_a_digit_limit() -> None:
    assert _json.loads("-" + "9" * _json.MAX_DIGITS) == -int("9" * _json.MAX_DIGITS)
    for text in ("9" * 5000, '{"feels_heard": ' + "1" * (_json.MAX_DIGITS + 1) + "}"):
        with pytest.raises(trustkit.AnswerError, match="whole numbers of at most 100 digits"):
            _json.loads(text)


# ----------------------------------------------------------------------- JSON Lines


def test_a_64_mb_line_is_never_held_whole(tmp_path: Path) -> None:
    """A line past the cap is read and dropped a piece at a time: no +128 MB."""
    path = tmp_path / "huge.jsonl"
    good = json.dumps(record("b", {"feels_heard": 1}))
    with path.open("w", encoding="utf-8") as f:
        f.write('{"id": "a", "answers": "')
        for _ in range(64):
            f.write("x" * 1_000_000)
        f.write('"}\n' + good + "\n")
    tracemalloc.start()
    try:
        diff = trustkit.diff_packs(CORE, CORE, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 24_000_000
    assert (diff.records, diff.decided) == (2, 1)
    assert dict(diff.malformed_records) == {"line 1": "longer than 1,000,000 characters"}


def test_lines_at_the_cap_and_the_last_line_without_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_batch, "MAX_LINE_CHARS", 50)
    fits = json.dumps({"id": 1, "x": "a" * 32})  # exactly 50 characters, then a newline
    assert len(fits) == 50
    path = tmp_path / "c.jsonl"
    path.write_text(f"{fits}\n{fits}x\n{fits}", encoding="utf-8")
    rows = list(_batch.read_jsonl(path))
    assert [label for label, _ in rows] == ["line 1", "line 2", "line 3"]
    assert isinstance(rows[0][1], dict)
    assert rows[1][1] == _batch._Broken("longer than 50 characters")
    assert isinstance(rows[2][1], dict)


@pytest.mark.parametrize(
    "at",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "1970-01-01T00:00:00Z",
        "9999-12-31T23:59:59-14:00",
        "2100-01-01T00:00:00Z",
    ],
)
def test_a_checkin_dated_far_from_today_is_malformed(tmp_path: Path, at: str) -> None:
    lines = [
        json.dumps(record("far", {"afraid_of_partner": True}, at, couple="c")),
        json.dumps(record("near", {"feels_heard": 1}, couple="c")),
    ]
    expected = (
        "1 problem in the check-in: at: a time in the years 2000 to 2099; "
        "this one is too far from today"
    )
    # The record cannot join its couple's time line, but its yes is answered: help first,
    # with the problem beside it (in batch's error column).
    diff = trustkit.diff_packs(CORE, CORE, write_lines(tmp_path / "c.jsonl", lines))
    assert (diff.records, diff.decided, diff.malformed) == (2, 2, 0)
    result = trustkit.batch([json.loads(line) for line in lines])
    assert result.error == (expected, None)
    assert result.safety == (True, False)
    lines[0] = json.dumps(record("far", {"afraid_of_partner": False}, at, couple="c"))
    diff = trustkit.diff_packs(CORE, CORE, write_lines(tmp_path / "c.jsonl", lines))
    assert (diff.records, diff.decided) == (2, 1)
    assert dict(diff.malformed_records) == {"far": expected}
    code, out, err = run(
        "pack",
        "diff",
        "--old-pack",
        "core",
        "--new-pack",
        "core",
        "--checkins",
        str(tmp_path / "c.jsonl"),
    )
    assert (code, err) == (0, "")
    assert "far: 1 problem in the check-in: at: a time in the years 2000 to 2099" in out


def test_the_date_limits_hold_for_datetimes_too() -> None:
    far = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    first = _batch.EARLIEST
    last = _batch.LATEST - dt.timedelta(microseconds=1)
    result = trustkit.batch(
        [record(1, {"feels_heard": 1}, far), record(2, {}, first), record(3, {}, last)]
    )
    assert [e is None for e in result.error] == [False, True, True]


BROKEN_YES = {"afraid_of_partner": True, "feels_heard": 9, "mood": 3}
"""A safety yes beside an answer out of range and an unknown question."""


def _decided_safety(path: Path) -> list[bool | None]:
    rows = [_batch.read_row(item, label) for label, item in _batch.read_file(path)]
    return [
        None if isinstance(outcome, str) else outcome.safety
        for (outcome,) in _batch.decide(rows, (CORE,), None)
    ]


def test_a_safety_yes_in_a_broken_record_of_a_file_is_remembered(tmp_path: Path) -> None:
    """A yes beside broken fields gets help, and keeps the couple's later check-ins safe."""
    lines = [
        json.dumps(
            record("1", BROKEN_YES, "2026-03-01T20:00:00Z", couple="c", recommended="nowhere")
        ),
        json.dumps(record("2", {"feels_heard": 5}, "2026-03-08T20:00:00Z", couple="c")),
        json.dumps(record("3", {"feels_heard": 5}, "2026-03-08T20:00:00Z", couple="d")),
        # A second check-in of one partner at one time, with a yes: help, and remembered.
        json.dumps(record("4", {"feels_heard": 5}, "2026-03-01T20:00:00Z", couple="e")),
        json.dumps(record("5", BROKEN_YES, "2026-03-01T20:00:00Z", couple="e")),
        json.dumps(record("6", {"feels_heard": 5}, "2026-03-08T20:00:00Z", couple="e")),
    ]
    path = write_lines(tmp_path / "c.jsonl", lines)
    assert _decided_safety(path) == [True, True, False, False, True, True]


def test_a_safety_yes_in_a_broken_parquet_record_is_remembered(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "id": ["1", "2", "3"],
            "couple": ["c", "c", "d"],
            "respondent": ["partner"] * 3,
            "answers": [json.dumps(BROKEN_YES), '{"feels_heard": 5}', '{"feels_heard": 5}'],
            "at": ["2026-03-01T20:00:00Z", "2026-03-08T20:00:00Z", "2026-03-08T20:00:00Z"],
            "recommended": ["nowhere", None, None],
        }
    )
    pq.write_table(table, tmp_path / "c.parquet")
    assert _decided_safety(tmp_path / "c.parquet") == [True, True, False]


# -------------------------------------------------------------------------- Parquet


@pytest.mark.parametrize("content", [b"", b"hello", b"PAR1" + b"\0" * 100 + b"PAR1"])
def test_a_file_that_is_not_parquet_is_a_typed_error(tmp_path: Path, content: bytes) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "records.parquet"
    path.write_bytes(content)
    for buckets in (None, 1):
        with pytest.raises(trustkit.AnswerError) as caught:
            trustkit.diff_packs(CORE, CORE, path, buckets=buckets)
        (problem,) = caught.value.problems
        assert problem.field == "records.parquet"
        assert problem.code is trustkit.ProblemCode.INVALID_FILE
    code, out, err = run(
        "pack", "diff", "--old-pack", "core", "--new-pack", "core", "--checkins", str(path)
    )
    assert (code, out) == (2, "")
    assert "records.parquet: a Parquet file; this one cannot be read as Parquet" in one_line_error(
        err
    )


def test_a_cut_parquet_file_is_a_typed_error(tmp_path: Path) -> None:
    """A file whose footer reads but whose data is cut short fails while it is read."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    whole = tmp_path / "whole.parquet"
    answers = [json.dumps({"feels_heard": n % 5 + 1}) for n in range(2000)]
    pq.write_table(pa.table({"id": list(range(2000)), "answers": answers}), whole)
    data = bytearray(whole.read_bytes())
    data[4:200] = b"\xff" * 196  # the first pages are garbage; the footer still reads
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(bytes(data))
    with pytest.raises(trustkit.AnswerError, match=r"broken\.parquet: a Parquet file"):
        trustkit.diff_packs(CORE, CORE, broken)


def test_a_missing_parquet_file_is_an_os_error_naming_it(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "nowhere.parquet"
    with pytest.raises(FileNotFoundError):
        trustkit.diff_packs(CORE, CORE, path)
    code, _, err = run(
        "pack", "diff", "--old-pack", "core", "--new-pack", "core", "--checkins", str(path)
    )
    assert code == 2
    assert one_line_error(err) == f"trustkit: error: {path}: no such file or directory\n"


def test_parquet_times_python_cannot_hold_are_malformed_rows(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "id": [1, 2, 3],
            "respondent": ["partner"] * 3,
            "answers": ['{"feels_heard": 1}'] * 3,
            "at": pa.array(
                [-(2**62), 2**62, 1_772_395_200_000_000], type=pa.timestamp("us", tz="UTC")
            ),
        }
    )
    pq.write_table(table, tmp_path / "t.parquet")
    diff = trustkit.diff_packs(CORE, CORE, tmp_path / "t.parquet")
    assert (diff.records, diff.decided, diff.malformed) == (3, 1, 2)
    held = "a value Python cannot hold, such as a time outside the years 1 to 9999"
    assert dict(diff.malformed_records) == {"row 1": held, "row 2": held}
    result = trustkit.batch(table)
    assert result.error == (held, held, None)


# ------------------------------------------------------------------------------ CLI


def test_a_5000_digit_number_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "checkin.json"
    path.write_text('{"feels_heard": ' + "7" * 5000 + "}", encoding="utf-8")
    code, out, err = run("recommend", str(path))
    assert (code, out) == (2, "")
    line = one_line_error(err)
    assert f"{path}: not a check-in: JSON: whole numbers of at most 100 digits" in line
    assert "7777" not in line


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_bytes(b'\xff\xfe{"feels_heard": 2}'), "{path}: not UTF-8 text"),
        (lambda p: None, "{path}: no such file or directory"),
        (lambda p: p.mkdir(), "{path}: is a directory"),
    ],
)
def test_file_errors_are_one_line_naming_the_file(tmp_path: Path, make: Any, expected: str) -> None:
    path = tmp_path / "checkin.json"
    make(path)
    code, out, err = run("recommend", str(path))
    assert (code, out) == (2, "")
    assert one_line_error(err) == f"trustkit: error: {expected.format(path=path)}\n"


def test_an_os_error_without_a_file_is_still_one_line() -> None:
    from trustkit._cli import _message

    assert _message(OSError(28, "No space left on device")) == "no space left on device"
    assert _message(OSError("plain")) == "plain"
    error = UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
    assert _message(error) == "the input is not UTF-8 text"


def test_a_stdin_that_is_not_utf8_is_one_line() -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"\xff\xfe{}"), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["recommend", "-"], stdin=stdin, stdout=out, stderr=err) == 2
    assert one_line_error(err.getvalue()) == "trustkit: error: -: not UTF-8 text\n"


def test_json_lines_with_hostile_lines_end_in_a_report(tmp_path: Path) -> None:
    lines = ["[" * 100_000, '{"id": ' + "9" * 5000 + "}", "\udcff", '{"id": "ok", "a": 1}']
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogateescape")
    code, out, err = run(
        "pack", "diff", "--old-pack", "core", "--new-pack", "core", "--checkins", str(path)
    )
    assert (code, err) == (0, "")
    assert "4 check-ins read, 0 decided by both packs" in out
    assert "line 1: 1 problem in the check-in: JSON: arrays and objects nested" in out
    assert "line 2: 1 problem in the check-in: JSON: whole numbers of at most 100" in out
    assert "line 3: not JSON" in out
    assert "9999" not in out


# ------------------------------------------------------------------------- pack test


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ("weeks_ago = inf", "weeks_ago", "expected a number from 0 to 5,300"),
        ("weeks_ago = nan", "weeks_ago", "expected a number from 0 to 5,300"),
        ("weeks_ago = 1e300", "weeks_ago", "expected a number from 0 to 5,300"),
        ("weeks_ago = -inf", "weeks_ago", "expected a number from 0 to 5,300"),
        ("days_ago = 1e300", "days_ago", "expected a number from 0 to 36,600"),
        ("days_ago = 9223372036854775807", "days_ago", "expected a number from 0 to 36,600"),
    ],
)
def test_pack_test_example_ages_out_of_range_are_pack_errors(
    overlay: Overlay, entry: str, field: str, message: str
) -> None:
    folder = overlay(
        examples='[[examples]]\nid = "far-back"\nanswers = {}\n'
        f"history = [{{ {entry}, answers = {{}} }}]\n"
        'expect = { rule = "catch-all" }\n'
    )
    with pytest.raises(trustkit.PackError) as caught:
        trustkit.run_examples("core", folder)
    found = {(p.item, p.field): p.message for p in caught.value.problems}
    assert found == {("far-back", f"history[0].{field}"): message}
    code, out, _ = run("pack", "test", "core", str(folder))
    assert code == 1
    assert f"far-back: history[0].{field}: {message}" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("days", ["9223372036854775807", "-36601"])
def test_pack_test_review_dates_out_of_range_are_pack_errors(overlay: Overlay, days: str) -> None:
    folder = overlay(
        examples='[[examples]]\nid = "far-review"\nanswers = {}\n'
        f"boundaries = [{{ review_in_days = {days} }}]\n"
        'expect = { rule = "catch-all" }\n'
    )
    with pytest.raises(trustkit.PackError) as caught:
        trustkit.run_examples("core", folder)
    (problem,) = caught.value.problems
    assert (problem.item, problem.field) == ("far-review", "boundaries[0].review_in_days")
    assert problem.message == "expected a whole number of days from -36,600 to 36,600"
