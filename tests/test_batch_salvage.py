"""A record that cannot be read whole still has its safety yes answered and remembered.

The batch readers refuse a record with an unknown field, a bad couple id or a
broken answer type; when its respondent, time and yes answers can still be
read, the help comes first (with the record's problem beside it, in the
``error`` column) and the couple's later records are decided with the yes
remembered, as a single call with that history would decide them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import trustkit

T0 = dt.datetime(2026, 3, 2, 20, 0, tzinfo=dt.UTC)


def record(n: int, answers: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "id": str(n),
        "couple": "c1",
        "respondent": "partner",
        "answers": answers,
        "at": (T0 + dt.timedelta(weeks=n)).isoformat(),
        **more,
    }


def test_a_yes_in_a_record_with_an_unknown_field_is_answered_and_remembered() -> None:
    broken = record(0, {"afraid_of_partner": True, "feels_heard": 2}, mood="low")
    calm = record(1, {"feels_heard": 1})
    result = trustkit.batch([calm, broken])
    rows = dict(zip(result.record_id, zip(result.safety, result.error, strict=True), strict=True))
    assert rows["0"][0] is True
    assert rows["0"][1] is not None
    assert "mood" in rows["0"][1]
    assert rows["1"] == (True, None)  # the later calm check-in: still the safety follow-up
    # What a single call with the readable part of the history says.
    alone = trustkit.CheckIn("partner", {"afraid_of_partner": True}, T0)
    later = trustkit.CheckIn("partner", {"feels_heard": 1}, T0 + dt.timedelta(weeks=1))
    assert trustkit.recommend_next_step(later, history=[alone]).safety
    assert "low" not in repr(result.columns())  # the record's values are never echoed


def test_a_yes_in_a_record_with_a_bad_couple_id_is_answered_alone() -> None:
    broken = record(0, {"self_harm_thoughts": True}, couple=["not", "an", "id"])
    result = trustkit.batch([broken])
    assert result.safety == (True,)
    assert result.error[0] is not None
    assert "couple" in result.error[0]


def test_a_record_without_a_yes_or_a_readable_respondent_stays_unread() -> None:
    no_yes = record(0, {"feels_heard": 2}, mood="low")
    nobody = record(1, {"afraid_of_partner": True}, respondent="someone", mood="x")
    answers_not_an_object = record(2, "[1, 2]", mood="x")  # type: ignore[arg-type]
    no_time = record(3, {"afraid_of_partner": True}, at="not a time", mood="x")
    ordinary_yes = record(4, {"past_hurt": True}, mood="x")
    unknown_yes = record(5, {"not_a_question": True}, mood="x")
    result = trustkit.batch(
        [no_yes, nobody, answers_not_an_object, no_time, ordinary_yes, unknown_yes]
    )
    assert result.safety == (None,) * 6
    assert all(error is not None for error in result.error)


def test_the_error_column_reports_a_problem_beside_a_safety_yes() -> None:
    checkin = trustkit.CheckIn("partner", {"afraid_of_partner": True, "feels_heard": 9}, T0)
    result = trustkit.batch([checkin])
    assert result.safety == (True,)
    assert result.error[0] is not None
    assert result.error[0].startswith("feels_heard")
    assert "9" not in result.error[0]


def test_diff_packs_remembers_the_yes_too() -> None:
    broken = record(0, {"afraid_of_partner": True}, mood="low")
    calm = record(1, {"feels_heard": 1})
    pack = trustkit.default_pack()
    report = trustkit.diff_packs(pack, pack, [broken, calm])
    assert report.malformed == 0
    assert report.decided == 2


def test_a_yes_in_a_record_dated_far_from_today_is_answered_alone() -> None:
    far = record(0, {"afraid_of_partner": True}, at="0001-01-01T00:00:00+00:00")
    calm = record(1, {"feels_heard": 1})
    result = trustkit.batch([far, calm])
    assert result.safety == (True, False)  # answered; too far to join the couple's time line
    assert result.error[0] is not None
    assert "at:" in result.error[0]
