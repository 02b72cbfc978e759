"""FHIR at SDC depth: a response filled in from the questionnaire itself, its calculated scores
(checked with a FHIRPath engine, fhirpathpy, from the test extra), and the GuidanceResponse.

Every resource is checked against the fhir.resources R4B models, as in tests/test_fhir.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
import trustkit.fhir
from tests.strategies import valid_answers
from tests.test_fhir import MOMENTS, SECRET, _fhir_module
from trustkit import AnswerError, CheckIn, Role
from trustkit._engine.compile import compiled
from trustkit.fhir import (
    CALCULATED_EXPRESSION,
    PROBLEMS_ID,
    SCORES_LINK_ID,
    STEP_ID,
    checkin_from_response,
    guidance_response,
    questionnaire,
    recommend_response,
)

AT = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)
FORM = questionnaire(locales=())


def _items(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _items(item.get("item", []))


def fill(
    form: Mapping[str, Any], role: Role, answers: Mapping[str, Any], at: dt.datetime
) -> dict[str, Any]:
    """What a form renderer sends back: the questionnaire's own items, answered with its own
    answer options (the coding as offered, display included); score items left as they are."""

    def code(value: bool | int | str) -> str:
        return ("yes" if value else "no") if isinstance(value, bool) else str(value)

    def answered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            link = item["linkId"]
            if item["type"] == "group":
                inner = answered(item["item"])
                if inner:
                    out.append({"linkId": link, "item": inner})
            elif link == trustkit.fhir.RESPONDENT_LINK_ID:
                (option,) = [o for o in item["answerOption"] if o["valueCoding"]["code"] == role]
                out.append({"linkId": link, "answer": [{"valueCoding": option["valueCoding"]}]})
            elif answers.get(link) is not None:
                value = answers[link]
                assert value is not None
                if isinstance(value, frozenset):  # multiple choice: one answer per code
                    chosen = [
                        {"valueCoding": o["valueCoding"]}
                        for o in item["answerOption"]
                        if o["valueCoding"]["code"] in value
                    ]
                    if chosen:
                        out.append({"linkId": link, "answer": chosen})
                    continue
                if "answerOption" in item:
                    (option,) = [
                        o for o in item["answerOption"] if o["valueCoding"]["code"] == code(value)
                    ]
                    answer = {"valueCoding": option["valueCoding"]}
                else:
                    answer = {"valueInteger": value}
                out.append({"linkId": link, "answer": [answer]})
        return out

    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{form['url']}|{form['version']}",
        "status": "completed",
        "authored": at.isoformat(),
        "item": answered(form["item"]),
    }


@st.composite
def checkins(draw: st.DrawFn) -> tuple[Role, dict[str, bool | int | None], dt.datetime]:
    role = draw(st.sampled_from(list(Role)))
    return role, draw(valid_answers(role)), draw(MOMENTS)


# ------------------------------------------------------------- round trip through the form


@given(checkins())
def test_a_form_filled_in_from_the_questionnaire_reads_back_as_the_same_check_in(
    case: tuple[Role, dict[str, bool | int | None], dt.datetime],
) -> None:
    """export -> response from the form's own options -> import: the same check-in, and the
    same decision as the single call."""
    role, answers, at = case
    data = fill(FORM, role, answers, at)
    checkin = checkin_from_response(data)
    assert checkin == CheckIn(role, {k: v for k, v in answers.items() if v is not None}, at)
    assert recommend_response(data, country="GB") == trustkit.recommend_next_step(
        checkin, country="GB"
    )


@pytest.mark.slow
@given(checkins())
def test_every_filled_in_form_is_a_valid_response(
    case: tuple[Role, dict[str, bool | int | None], dt.datetime],
) -> None:
    r4b = _fhir_module("fhir.resources.R4B.questionnaireresponse").QuestionnaireResponse
    data = fill(FORM, *case)
    dumped = r4b.model_validate(data).model_dump(mode="json", exclude_none=True)
    assert dumped["item"] == data["item"]  # (authored may come back as Z for +00:00)


# ------------------------------------------------------------------ calculated scores


@functools.cache
def _calculations() -> dict[str, Callable[..., list[Any]]]:
    """Each score item's calculatedExpression, compiled by fhirpathpy for R4."""
    fhirpath = _fhir_module("fhirpathpy")
    models = _fhir_module("fhirpathpy.models").models
    found = {}
    for item in _items(FORM["item"]):
        for ext in item.get("extension", []):
            if ext["url"] == CALCULATED_EXPRESSION:
                expression = ext["valueExpression"]["expression"]
                found[item["linkId"]] = fhirpath.compile(expression, models["r4"])
    return found


def test_every_dimension_has_a_calculation(pack: trustkit.ContentPack) -> None:
    assert set(_calculations()) == {f"trustkit.score.{d.id}" for d in pack.dimensions}


@given(checkins())
def test_the_calculated_expressions_score_as_trustkit_does(
    case: tuple[Role, dict[str, bool | int | None], dt.datetime],
) -> None:
    """A FHIRPath engine, run over the form's calculatedExpressions, gets trustkit's scores."""
    role, answers, at = case
    data = fill(FORM, role, answers, at)
    given_ = {k: v for k, v in answers.items() if v is not None}
    expected = compiled(trustkit.default_pack()).score_all(given_)
    for link, calculate in _calculations().items():
        dimension = link.removeprefix("trustkit.score.")
        found = calculate(data, {"resource": data})
        if dimension in expected:
            (value,) = found
            assert math.isclose(float(value), expected[dimension]), dimension
        else:
            assert found == [], dimension


def test_a_reverse_keyed_answer_is_flipped_in_its_score() -> None:
    """feels_heard 2 and feelings_dismissed 5 (reverse: 1) make feeling_heard 1.5."""
    answers: dict[str, bool | int | None] = {"feels_heard": 2, "feelings_dismissed": 5}
    data = fill(FORM, Role.PARTNER, answers, AT)
    calculate = _calculations()["trustkit.score.feeling_heard"]
    assert [float(v) for v in calculate(data, {"resource": data})] == [1.5]


# ------------------------------------------------------------------ GuidanceResponse


def _r4b_guidance() -> Any:
    return _fhir_module("fhir.resources.R4B.guidanceresponse").GuidanceResponse


def _valid(guidance: dict[str, Any]) -> None:
    model = _r4b_guidance().model_validate(guidance)
    assert model.model_dump(mode="json", exclude_none=True) == guidance
    assert json.loads(json.dumps(guidance)) == guidance


def _step(guidance: Mapping[str, Any]) -> dict[str, Any]:
    (group,) = [r for r in guidance["contained"] if r["id"] == STEP_ID]
    assert guidance["result"] == {"reference": "#" + STEP_ID}
    return group  # type: ignore[no-any-return]


SAFETY = [q for q in trustkit.default_pack().questions if q.safety]


@pytest.mark.parametrize("question", SAFETY, ids=[q.id for q in SAFETY])
def test_a_safety_result_carries_the_crisis_texts_and_lines(question: trustkit.Question) -> None:
    """For every safety question: stat priority, the step's crisis texts, every line to call."""
    (role, *_) = sorted(question.respondents)
    rec = trustkit.recommend_next_step(CheckIn(role, {question.id: True}, AT), country="GB")
    assert rec.safety
    guidance = guidance_response(rec, occurrence=AT)
    _valid(guidance)
    group = _step(guidance)
    assert group["priority"] == "stat"
    step, help_now = group["action"]
    assert (step["title"], step["description"]) == (rec.step.title, rec.step.summary)
    assert step["textEquivalent"] == rec.step.why
    assert "999" in step["textEquivalent"]
    assert [a["title"] for a in step["action"]] == [a.title for a in rec.step.actions]
    assert help_now["title"] == "Get help now"
    assert [line["title"] for line in help_now["action"]] == [r.name for r in rec.resources]
    for line, resource in zip(help_now["action"], rec.resources, strict=True):
        if resource.phone:
            assert f"call {resource.phone}" in line["description"]
        if resource.url:
            assert line["documentation"][0]["url"] == resource.url
    assert guidance["moduleCanonical"] == "https://trustkit.invalid/fhir/Library/core|1.2.0"


def test_a_guidance_response_in_spanish() -> None:
    rec = trustkit.recommend_next_step(
        CheckIn("supporter", {"partner_self_harm": True}, AT), country="ES", locale="es"
    )
    guidance = guidance_response(rec)
    _valid(guidance)
    assert guidance["language"] == "es"
    assert "occurrenceDateTime" not in guidance
    help_now = _step(guidance)["action"][1]
    assert help_now["title"] == "Pide ayuda ahora"
    assert any(line.get("description", "").startswith("llama al") for line in help_now["action"])


@given(checkins())
def test_a_guidance_response_never_holds_an_answer(
    case: tuple[Role, dict[str, bool | int | None], dt.datetime],
) -> None:
    """Only the decision shapes it: a recommendation without its reasons and evidence gives the
    same resource, none of the reasons' words appear, and it is deterministic."""
    role, answers, at = case
    rec = trustkit.recommend_next_step(CheckIn(role, answers, at), country="GB")
    guidance = guidance_response(rec, occurrence=at)
    assert guidance == guidance_response(attrs.evolve(rec, reasons=(), evidence=()), occurrence=at)
    text = json.dumps(guidance, ensure_ascii=False)
    for reason in rec.reasons:
        assert reason not in text
    assert rec.rule_id not in text
    assert _step(guidance)["priority"] == {"info": "routine", "warning": "urgent"}.get(
        rec.urgency.value, "stat"
    )


@pytest.mark.slow
@given(checkins())
def test_every_guidance_response_is_valid_fhir(
    case: tuple[Role, dict[str, bool | int | None], dt.datetime],
) -> None:
    role, answers, at = case
    rec = trustkit.recommend_next_step(CheckIn(role, answers, at), country="AU")
    _valid(guidance_response(rec, occurrence=at))


def test_problems_come_as_an_operation_outcome_without_values() -> None:
    """A safety result despite bad input lists the problems, by field, never by value."""
    data = fill(FORM, Role.PARTNER, {"afraid_of_partner": True}, AT)
    data["item"].append({"linkId": "feels_heard", "answer": [{"valueString": SECRET}]})
    rec = recommend_response(data)
    guidance = guidance_response(rec)
    _valid(guidance)
    assert guidance["evaluationMessage"] == [{"reference": "#" + PROBLEMS_ID}]
    (outcome,) = [r for r in guidance["contained"] if r["id"] == PROBLEMS_ID]
    assert [i["diagnostics"].split(":")[0] for i in outcome["issue"]] == ["feels_heard"]
    assert SECRET not in json.dumps(guidance)


def test_a_step_without_actions_or_lines() -> None:
    """No empty lists: a step with no actions has none, and no lines means no help action."""
    rec = trustkit.recommend_next_step(CheckIn("partner", {"feels_heard": 1}, AT))
    bare = attrs.evolve(rec, step=attrs.evolve(rec.step, actions=()), resources=())
    guidance = guidance_response(bare)
    _valid(guidance)
    (step,) = _step(guidance)["action"]
    assert "action" not in step
    assert "evaluationMessage" not in guidance


def test_an_occurrence_needs_a_utc_offset() -> None:
    rec = trustkit.recommend_next_step(CheckIn("partner", {"feels_heard": 1}, AT))
    with pytest.raises(AnswerError) as info:
        guidance_response(rec, occurrence=dt.datetime(2026, 3, 1, 20, 15))
    assert [p.field for p in info.value.problems] == ["occurrence"]
    other = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert guidance_response(rec, occurrence=other)["occurrenceDateTime"].endswith("+01:00")


def test_the_scores_group_is_left_out_of_next_question() -> None:
    """An adaptive step shows questions only; scores are worked out at the end."""
    step = trustkit.fhir.next_question(fill(FORM, Role.PARTNER, {}, AT))
    links = {i["linkId"] for i in _items(step["contained"][0]["item"])}
    assert SCORES_LINK_ID not in links
