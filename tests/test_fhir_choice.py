"""FHIR for choice questions: coded options in a system per question, weights, ``repeats``
for multiple choice, and responses read back to a code or a frozenset of codes.

Every resource is checked against the fhir.resources R4B models, as in tests/test_fhir.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from tests.strategies import valid_answers
from tests.test_fhir import MOMENTS, SECRET, _by_link, _fhir_module, response
from tests.test_fhir_sdc import fill
from trustkit import (
    AnswerCompare,
    AnswerError,
    ContentPack,
    Op,
    Option,
    Question,
    QuestionKind,
    Role,
)
from trustkit.fhir import (
    _TYPES,
    ORDINAL_VALUE,
    answer_system,
    canonical,
    checkin_from_response,
    questionnaire,
    recommend_response,
)

AT = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)
CODES = ("earlier", "family", "here", "unsure")
ONE = Question(
    "source",
    "Where does it come from?",
    "choice",
    ["partner"],
    options=tuple(Option(c, c.title(), weight=n if n % 2 else None) for n, c in enumerate(CODES)),
)
MANY = Question(
    "sources",
    "What sets it off?",
    "multiple_choice",
    ["partner", "supporter"],
    options=(Option("here", "Something here"), Option("late", "Coming home late", 2.5)),
)


def _choice_pack() -> ContentPack:
    pack = trustkit.default_pack()
    rules = (
        trustkit.Rule(
            "choice-rule", "educate", AnswerCompare("source", Op.IN, ("earlier", "family")), 1
        ),
        trustkit.Rule("many-rule", "educate", AnswerCompare("sources", Op.CONTAINS, ("here",)), 1),
    )
    # Before the safety screen, as the core pack orders its questions.
    plain = tuple(q for q in pack.questions if not q.safety)
    screen = tuple(q for q in pack.questions if q.safety)
    return attrs.evolve(
        pack,
        questions=(*plain, ONE, MANY, *screen),
        rules=(*pack.rules, *(attrs.evolve(r, reason="Because.") for r in rules)),
    )


PACK = _choice_pack()


def test_every_kind_has_a_fhir_type() -> None:
    assert set(_TYPES) == set(QuestionKind)


def test_choice_items_offer_their_options_in_a_system_of_their_own() -> None:
    items = _by_link(questionnaire(PACK))
    one, many = items["source"], items["sources"]
    system = f"{canonical(PACK)}/answers/choice/source"
    assert answer_system(ONE, PACK) == system
    assert answer_system(MANY, PACK) != system  # two questions' codes never collide
    assert (one["type"], many["type"]) == ("choice", "choice")
    assert "repeats" not in one
    assert many["repeats"] is True
    assert [o["valueCoding"] for o in one["answerOption"]] == [
        {"system": system, "code": c, "display": c.title()} for c in CODES
    ]
    weights = [
        [e["valueDecimal"] for e in o.get("extension", []) if e["url"] == ORDINAL_VALUE]
        for o in [*one["answerOption"], *many["answerOption"]]
    ]
    assert weights == [[], [1], [], [3], [], [2.5]]


def test_the_choice_questionnaire_is_valid_fhir() -> None:
    r4b = _fhir_module("fhir.resources.R4B.questionnaire").Questionnaire
    form = questionnaire(PACK)
    assert r4b.model_validate(form).model_dump(mode="json", exclude_none=True)["item"]


def test_the_core_packs_choice_question_has_spanish_option_labels() -> None:
    """worry_source's options, each with its Spanish label in _display."""
    pack = trustkit.default_pack()
    question = pack.question("worry_source")
    spanish = pack.localized("es").question("worry_source")
    item = _by_link(questionnaire(locales=["es"]))["worry_source"]
    assert item["type"] == "choice"
    assert [o["valueCoding"]["code"] for o in item["answerOption"]] == list(question.codes)
    for option, local in zip(item["answerOption"], spanish.options, strict=True):
        (ext,) = option["valueCoding"]["_display"]["extension"]
        assert ext["extension"] == [
            {"url": "lang", "valueCode": "es"},
            {"url": "content", "valueString": local.label},
        ]


@st.composite
def checkins(draw: st.DrawFn) -> tuple[Role, dict[str, Any], dt.datetime]:
    role = draw(st.sampled_from(list(Role)))
    return role, draw(valid_answers(role, PACK)), draw(MOMENTS)


def _sent(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers a response can carry: an empty multiple choice is not answered."""
    return {k: v for k, v in answers.items() if v is not None and v != frozenset()}


@given(checkins())
def test_a_choice_pack_round_trips_through_fhir(
    case: tuple[Role, dict[str, Any], dt.datetime],
) -> None:
    """answers -> response -> check-in; and the form filled in from its own options."""
    role, answers, at = case
    want = trustkit.CheckIn(role, _sent(answers), at)
    assert checkin_from_response(response(role, answers, at, PACK), pack=PACK) == want
    data = fill(questionnaire(PACK, locales=()), role, answers, at)
    assert checkin_from_response(data, pack=PACK) == want
    rec = recommend_response(data, pack=PACK, country="GB")
    assert rec == trustkit.recommend_next_step(want, pack=PACK, country="GB")


@given(checkins())
def test_every_choice_response_is_valid_fhir(
    case: tuple[Role, dict[str, Any], dt.datetime],
) -> None:
    r4b = _fhir_module("fhir.resources.R4B.questionnaireresponse").QuestionnaireResponse
    data = response(*case, PACK)
    assert r4b.model_validate(data).model_dump(mode="json", exclude_none=True)["item"]


def test_a_multiple_choice_answer_is_read_as_a_frozenset() -> None:
    data = response("partner", {"sources": frozenset({"here", "late"}), "source": "here"}, AT, PACK)
    answers = checkin_from_response(data, pack=PACK).answers
    assert answers["sources"] == frozenset({"here", "late"})
    assert answers["source"] == "here"


def _coding(question: Question, code: str, system: str | None = None) -> dict[str, Any]:
    return {"valueCoding": {"system": system or answer_system(question, PACK), "code": code}}


def _with(link: str, answer: object) -> dict[str, Any]:
    data = response("partner", {}, AT, PACK)
    data["item"].append({"linkId": link, "answer": answer})
    return data


WRONG = "https://trustkit.invalid/fhir/Questionnaire/core/answers/choice/sources"


@pytest.mark.parametrize(
    ("link", "answer"),
    [
        ("source", [_coding(ONE, SECRET)]),  # not one of its codes
        ("source", [_coding(ONE, "here", WRONG)]),  # another question's system
        ("source", [_coding(ONE, "here"), _coding(ONE, "family")]),  # several: single choice
        ("source", [{"valueString": SECRET}]),
        ("source", [{"valueInteger": 2}]),
        ("sources", [_coding(MANY, "here"), _coding(MANY, SECRET)]),
        ("sources", [_coding(MANY, "here"), _coding(MANY, "here")]),  # a code twice
        ("sources", [_coding(MANY, "here", answer_system(ONE, PACK))]),
        ("sources", [_coding(MANY, "here"), {"valueString": SECRET}]),
        ("sources", [_coding(MANY, "here"), {**_coding(MANY, "late"), "valueString": SECRET}]),
        ("sources", [SECRET]),
        ("sources", []),
        ("sources", SECRET),
    ],
)
def test_a_bad_choice_answer_names_the_link_id_only(link: str, answer: object) -> None:
    with pytest.raises(AnswerError) as caught:
        checkin_from_response(_with(link, answer), pack=PACK)
    assert [p.field for p in caught.value.problems] == [link]
    assert SECRET not in str(caught.value)
    assert "here" not in str(caught.value).replace(link, "")


def test_items_nested_under_a_multiple_choice_answer_are_read() -> None:
    nested = {"linkId": "source", "answer": [_coding(ONE, "family")]}
    answer = [_coding(MANY, "here"), {**_coding(MANY, "late"), "item": [nested]}]
    answers = checkin_from_response(_with("sources", answer), pack=PACK).answers
    assert dict(answers) == {"sources": frozenset({"here", "late"}), "source": "family"}


def test_a_safety_yes_beside_a_bad_choice_answer_still_gets_help() -> None:
    data = response("partner", {"afraid_of_partner": True}, AT, PACK)
    data["item"].append({"linkId": "sources", "answer": [_coding(MANY, SECRET)]})
    rec = recommend_response(data, pack=PACK, country="GB")
    assert rec.safety
    assert SECRET not in str(rec.problems)
