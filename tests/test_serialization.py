"""JSON in and out: the converter and parse_checkin."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from tests.strategies import aware_datetimes, role_and_answers
from trustkit import AnswerError, CheckIn, Recommendation, Role


@given(role_and_answers(), aware_datetimes())
def test_a_checkin_survives_a_trip_through_json(
    case: tuple[Role, dict[str, Any]], at: dt.datetime
) -> None:
    """converter.unstructure -> json -> structure gives the same check-in."""
    role, answers = case
    checkin = CheckIn(respondent=role, answers=answers, at=at)
    data = json.loads(json.dumps(trustkit.converter.unstructure(checkin)))
    assert data["respondent"] == role.value
    assert trustkit.converter.structure(data, CheckIn) == checkin
    assert trustkit.parse_checkin(data) == checkin


@given(role_and_answers())
def test_a_recommendation_survives_a_trip_through_json(
    case: tuple[Role, dict[str, Any]],
) -> None:
    """Apps can serve recommendations over HTTP and read them back."""
    role, answers = case
    rec = trustkit.recommend_next_step(answers, respondent=role)
    data = json.loads(json.dumps(trustkit.converter.unstructure(rec)))
    assert data["step"]["id"] == rec.step.id
    assert data["urgency"] == rec.urgency.value
    assert "origin" not in data["step"]
    assert trustkit.converter.structure(data, Recommendation) == rec


def test_resources_serialise_dates_as_iso_text() -> None:
    """Dates become ISO 8601 text."""
    rec = trustkit.recommend_next_step({"self_harm_thoughts": True})
    data = trustkit.converter.unstructure(rec)
    assert data["resources"][0]["verified"] == rec.resources[0].verified.isoformat()
    roles = trustkit.converter.unstructure(trustkit.default_pack().question("stuck"))["respondents"]
    assert roles == ["partner", "supporter"]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ([], ["check-in"]),
        ({"respondent": "partner", "answers": {}}, ["at"]),
        ({"respondent": "partner", "answers": {}, "at": "x", "mood": 1}, ["mood"]),
        ({"respondent": "partner", "answers": {}, "at": "2026-13-01"}, ["at"]),
        ({"respondent": "partner", "answers": {}, "at": "2026-03-01T10:00:00"}, ["at"]),
        ({"respondent": "partner", "answers": {}, "at": 5}, ["at"]),
        ({"respondent": "lover", "answers": {}, "at": "2026-03-01T10:00:00Z"}, ["respondent"]),
        (
            {1: 2, "respondent": "partner", "answers": {}, "at": "2026-03-01T10:00:00Z"},
            ["check-in"],
        ),
    ],
)
def test_a_malformed_checkin_is_an_answer_error(data: object, fields: list[str]) -> None:
    """parse_checkin names each bad field and never repeats a value."""
    with pytest.raises(AnswerError) as info:
        trustkit.parse_checkin(data)
    assert [p.field for p in info.value.problems] == fields
    assert "2026-13-01" not in str(info.value)


@given(st.text(min_size=4))
def test_a_bad_timestamp_is_never_quoted(text: str) -> None:
    """Whatever the timestamp text, the error does not contain it."""
    data = {"respondent": "partner", "answers": {}, "at": text}
    message = ""
    try:
        checkin = trustkit.parse_checkin(data)
    except AnswerError as error:
        message = str(error)
    else:
        assert checkin.at.utcoffset() is not None
    assert message in {
        "",
        "1 problem in the check-in: at: an ISO 8601 timestamp with a UTC offset",
        "1 problem in the check-in: at: a timezone-aware datetime",
    }
