"""One rule for a check-in document, in the schema, the CLI and parse_checkin.

``respondent`` and ``answers`` are required; ``at`` and ``recommended`` are
optional; nothing else is allowed. The same documents go to all three, and
they must agree on each.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from tests.strategies import ROLES, valid_answers
from tests.test_schema import errors
from trustkit import Role
from trustkit._cli import main

RECEIVED = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
AT = "2026-03-01T20:15:00+00:00"
ANSWERS = {"feels_heard": 2, "past_hurt": True, "missed_commitments": 0}


def schema_accepts(document: object) -> bool:
    return errors("checkin", document) == []


def parse_checkin_accepts(document: object) -> bool:
    """parse_checkin (given the time it was received), then the pack's questionnaire."""
    try:
        trustkit.recommend_next_step(trustkit.parse_checkin(document, at=RECEIVED))
    except trustkit.AnswerError:
        return False
    return True


def cli_accepts(document: object) -> bool:
    out, err = io.StringIO(), io.StringIO()
    code = main(["recommend", "-"], stdin=io.StringIO(json.dumps(document)), stdout=out, stderr=err)
    assert code in (0, 2), err.getvalue()
    return code == 0


def verdicts(document: object) -> tuple[bool, bool, bool]:
    return schema_accepts(document), parse_checkin_accepts(document), cli_accepts(document)


def doc(**fields: Any) -> dict[str, Any]:
    """A check-in document: the given fields, with the value ... meaning "left out"."""
    base: dict[str, Any] = {"respondent": "partner", "answers": ANSWERS, "at": AT}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not ...}


ACCEPTED = [
    doc(),
    doc(at=...),
    doc(recommended="validation"),
    doc(recommended=None),
    doc(at=..., recommended="validation"),
    doc(respondent="supporter", answers={"understand_roots": 2}),
    doc(answers={"feels_heard": None}),
    doc(at="2026-03-01T20:15:00Z"),
]

REFUSED = [
    doc(respondent=...),
    doc(respondent=..., at=...),
    doc(respondent="boyfriend"),
    doc(respondent=None),
    doc(answers=[]),
    doc(answers={"feels_heard": 9}),
    doc(answers={"feels_herd": 2}),
    doc(at="2026-03-01T20:15:00"),
    doc(at="yesterday"),
    doc(at=None),
    doc(at=5),
    doc(recommended=3),
    doc(mood="sad"),
    doc(at=..., mood="sad"),
    {"answers": {}},
]


@pytest.mark.parametrize("document", ACCEPTED)
def test_all_three_accept(document: dict[str, Any]) -> None:
    assert verdicts(document) == (True, True, True)


@pytest.mark.parametrize("document", REFUSED)
def test_all_three_refuse(document: dict[str, Any]) -> None:
    assert verdicts(document) == (False, False, False)


@pytest.mark.slow
@given(
    role=ROLES,
    data=st.data(),
    keep=st.sets(st.sampled_from(["respondent", "at", "recommended", "extra"])),
)
def test_they_agree_on_any_mix_of_fields(role: Role, data: st.DataObject, keep: set[str]) -> None:
    """Whichever optional and required fields a document has, the three agree."""
    document: dict[str, Any] = {"answers": data.draw(valid_answers(role))}
    values = {"respondent": role.value, "at": AT, "recommended": "validation", "extra": 1}
    document.update({key: values[key] for key in keep})
    accepted = verdicts(document)
    assert accepted in ((True, True, True), (False, False, False))
    assert accepted[0] == ("respondent" in keep and "extra" not in keep)


def test_a_documents_own_at_wins_and_none_is_needed_when_given() -> None:
    """parse_checkin takes the document's at; without one, the time it is given."""
    assert trustkit.parse_checkin(doc(), at=RECEIVED).at.isoformat() == AT
    assert trustkit.parse_checkin(doc(at=...), at=RECEIVED).at == RECEIVED
    with pytest.raises(trustkit.AnswerError) as info:
        trustkit.parse_checkin(doc(at=...))
    assert [(p.field, p.code) for p in info.value.problems] == [("at", "missing")]


def test_the_schema_requires_respondent_and_answers_only() -> None:
    schema = trustkit.json_schema("checkin")
    assert schema["required"] == ["respondent", "answers"]
    properties = schema["properties"]
    assert isinstance(properties, dict)
    assert set(properties) == {"respondent", "answers", "at", "recommended"}
    assert schema["additionalProperties"] is False


def test_the_cli_fills_in_no_respondent() -> None:
    """A document without a respondent is refused; --respondent is for bare answers only."""
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["recommend", "-", "--respondent", "partner"],
        stdin=io.StringIO(json.dumps({"answers": ANSWERS})),
        stdout=out,
        stderr=err,
    )
    assert code == 2
    assert "respondent: missing" in err.getvalue()
