"""Batch and diff read each record once: the quick reader, and the rows spilled to bucket files.

The quick reader (`_batch._plain`) takes records of the common shape in one
pass; everything else goes the careful way. Whatever it reads must be the very
row the careful reader gives. The rows a diff spills to its bucket files (plain
data, with `marshal`) must come back equal, safety yes answers included.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples
from trustkit import _batch

T0 = dt.datetime(2026, 3, 2, 20, 0, tzinfo=dt.UTC)
QUESTIONS = [q.id for q in trustkit.default_pack().questions]
ZONES = [
    dt.UTC,
    dt.timezone(dt.timedelta(hours=5, minutes=30)),
    dt.timezone(-dt.timedelta(hours=8)),
]

ids = st.one_of(
    st.text(max_size=3), st.integers(-3, 3), st.none(), st.booleans(), st.just("x" * 201)
)
answer_values = st.one_of(
    st.booleans(), st.integers(-2, 25), st.none(), st.text(max_size=2), st.floats(allow_nan=True),
    # Multiple choice codes: a set once read, but a list still when a code is given twice.
    st.lists(st.one_of(st.sampled_from(["a", "b", "c"]), st.integers(0, 1)), max_size=3),
)  # fmt: skip
answers = st.dictionaries(
    st.one_of(st.sampled_from(QUESTIONS), st.text(max_size=3), st.integers(0, 2)),
    answer_values,
    max_size=5,
)
times = st.one_of(
    st.datetimes(
        min_value=dt.datetime(1990, 1, 1),
        max_value=dt.datetime(2110, 1, 1),
        timezones=st.sampled_from(ZONES),
    ).map(lambda t: st.sampled_from([t, t.isoformat(), t.isoformat().replace("+00:00", "Z")])),
    st.just(st.sampled_from(["2026-03-02", "not a time", "2026-03-02T20:00:00", ""])),
    st.just(st.just(dt.datetime(2026, 3, 2))),  # naive
    st.just(st.integers()),
).flatmap(lambda s: s)


@st.composite
def records(draw: st.DrawFn) -> dict[Any, Any]:
    """Records of the common shape, and near misses of every kind."""
    record: dict[Any, Any] = {
        "id": draw(st.one_of(st.text(min_size=1, max_size=4), ids)),
        "respondent": draw(st.sampled_from(["partner", "supporter", "judge", 1, None])),
        "answers": draw(
            st.one_of(answers, answers.map(json.dumps), st.just("{oops"), st.just([1]))
        ),
        "at": draw(times),
    }
    if draw(st.booleans()):
        record["couple"] = draw(st.one_of(st.text(min_size=1, max_size=3), ids))
    if draw(st.booleans()):
        record["recommended"] = draw(st.one_of(st.none(), st.text(max_size=3), st.integers()))
    if draw(st.integers(0, 9)) == 0:
        record[draw(st.sampled_from(["mood", 3]))] = 1
    for field in draw(st.lists(st.sampled_from(["id", "respondent", "answers", "at"]), max_size=1)):
        del record[field]
    return record


@settings(max_examples=examples(400), deadline=None)
@given(records())
def test_the_quick_reader_gives_what_the_careful_reader_gives(record: dict[Any, Any]) -> None:
    row = _batch._plain(record)
    careful = _batch.careful_row(record, "#1")
    assert _batch.read_row(record, "#1") == (careful if row is None else row)
    if careful.checkin is not None:  # a couple that counts: the pool shares it out whole
        assert _batch._couple_of(record) == careful.couple
    if row is not None:
        assert row == careful
        assert row.checkin is not None
        assert row.checkin.at.utcoffset() == careful.checkin.at.utcoffset()  # type: ignore[union-attr]


def test_the_quick_reader_takes_the_common_shape() -> None:
    record: dict[str, Any] = {"id": "r1", "couple": "c1", "respondent": "partner",
                              "answers": {"feels_heard": 2}, "at": "2026-03-02T20:00:00Z",
                              "recommended": "validation"}  # fmt: skip
    assert _batch._plain(record) == _batch.careful_row(record, "#1")
    assert _batch._plain({**record, "answers": json.dumps(record["answers"])}) is not None
    assert _batch._plain({**record, "at": T0}) is not None
    assert _batch._plain({**record, "answers": {1: 2}}) is None  # a question id that is not text


@pytest.mark.parametrize(
    "codes",
    [["a", "b"], ["a", "a"], ["a", 1], [], ("a",)],
    ids=["set", "twice", "mixed", "none", "tuple"],
)
def test_multiple_choice_codes_read_as_check_in_reads_them(codes: list[object]) -> None:
    """Codes given as a list are a set once read (a list still if one is given twice)."""
    answers: dict[str, Any] = {"feels_heard": 2, "q": codes}
    record: dict[Any, object] = {"id": "r1", "couple": "c1", "respondent": "partner",
                                 "answers": answers, "at": T0.isoformat()}  # fmt: skip
    row = _batch._plain(record)
    assert row is not None
    assert row == _batch.careful_row(record, "#1")
    assert row.checkin is not None
    made = trustkit.CheckIn("partner", answers, T0)
    assert type(row.checkin.answers["q"]) is type(made.answers["q"])
    spilled = _batch.encode(row)
    if spilled is not None:  # a tuple is not JSON data: such a row is never spilled
        (back,) = _batch.decode_rows(_batch.spill([spilled]))
        assert back == row
        assert back.checkin is not None
        assert type(back.checkin.answers["q"]) is type(made.answers["q"])


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(records(), max_size=6))
def test_spilled_rows_come_back_equal(items: list[dict[Any, Any]]) -> None:
    rows = [_batch.read_row(item, f"#{n}") for n, item in enumerate(items, 1)]
    kept = [row for row in rows if _batch.encode(row) is not None]
    spilled = [s for row in kept if (s := _batch.encode(row)) is not None]
    data = b"".join(_batch.spill(spilled[n : n + 2]) for n in range(0, len(spilled), 2))
    back = _batch.decode_rows(data)
    assert back == kept
    for row, again in zip(kept, back, strict=True):
        for was, now in ((row.checkin, again.checkin), (row.said_yes, again.said_yes)):
            assert (was is None) == (now is None)
            if was is not None and now is not None:
                assert was.at.utcoffset() == now.at.utcoffset()
                assert dict(was.answers) == dict(now.answers)
                assert [type(v) for v in was.answers.values()] == [
                    type(v) for v in now.answers.values()
                ]


def test_only_json_data_is_spilled() -> None:
    assert _batch._json_data({"a": [1, 2.5, None, True, "x", {"b": []}]})
    assert not _batch._json_data({"a": [{1}]})
    assert not _batch._json_data({1: 2})
    row = _batch.read_row(
        {"id": "r1", "respondent": "partner", "answers": {"feels_heard": [1]}, "at": T0}, "#1"
    )
    assert _batch.encode(row) is not None
    row = _batch.read_row(
        {"id": "r1", "respondent": "partner", "answers": {"feels_heard": (1,)}, "at": T0}, "#1"
    )
    assert _batch.encode(row) is None


def test_a_yes_in_an_unreadable_record_survives_the_spill() -> None:
    record = {"id": "r1", "couple": "c1", "respondent": "partner", "mood": "low",
              "answers": {"afraid_of_partner": True}, "at": T0.isoformat()}  # fmt: skip
    row = _batch.read_row(record, "#1")
    assert row.checkin is None
    assert row.said_yes is not None
    spilled = _batch.encode(row)
    assert spilled is not None
    (back,) = _batch.decode_rows(_batch.spill([spilled]))
    assert back == row
    diff = trustkit.diff_packs(trustkit.default_pack(), trustkit.default_pack(), [record])
    assert (diff.decided, diff.malformed) == (1, 0)


def test_a_check_in_read_directly_equals_one_made_as_usual() -> None:
    """The fast reader makes its check-in without checking it again: the same check-in."""
    record = {"id": "r1", "respondent": "partner", "answers": {"feels_heard": 2, "distress": None},
              "at": "2026-03-02T20:00:00Z"}  # fmt: skip
    direct = _batch.read_row(record, "#1")
    assert direct == _batch.careful_row(record, "#1")
    at = dt.datetime(2026, 3, 2, 20, tzinfo=dt.UTC)
    assert direct.checkin == trustkit.CheckIn("partner", {"feels_heard": 2}, at)
    # models.checked_checkin sets these fields: a new one would need it too.
    names = [f.name for f in attrs.fields(trustkit.CheckIn)]
    assert names == ["respondent", "answers", "at", "recommended"]
