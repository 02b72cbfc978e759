"""FHIR R4: the questionnaire trustkit writes, and the responses it reads back as check-ins.

Both are checked against the ``fhir.resources`` models (the optional extra ``fhir``;
its R4B models, FHIR 4.3, are the closest the package has to R4 and read the same
Questionnaire and QuestionnaireResponse). Without the extra these checks skip, except
under scripts/test, which installs it: there a missing extra is a failure.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import pickle
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
import trustkit.fhir
from tests.strategies import valid_answers
from trustkit import AnswerError, ContentPack, QuestionKind, Role
from trustkit._cli import main
from trustkit.fhir import (
    CALCULATED_EXPRESSION,
    MAX_ITEMS,
    MIN_VALUE,
    ORDINAL_VALUE,
    RESPONDENT_LINK_ID,
    ROLE_SYSTEM,
    SAFETY_LINK_ID,
    SCORES_LINK_ID,
    TRANSLATION,
    answer_system,
    canonical,
    checkin_from_response,
    questionnaire,
)
from trustkit.models import Dimension

APART = (
    Path(__file__).parent.parent / "examples" / "packs" / "apart" / "trustkit_pack_apart" / "data"
)
AT = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)
SECRET = "SECRET-ANSWER-4711"
"""A value planted in bad answers: it must never appear in an error."""


def _fhir_module(name: str) -> Any:
    if os.environ.get("TRUSTKIT_TEST_INSTALLED"):  # scripts/test installs the extra: never skip
        import importlib

        return importlib.import_module(name)
    return pytest.importorskip(name)


@pytest.fixture(scope="module")
def r4b_questionnaire() -> Any:
    """The fhir.resources model of a Questionnaire."""
    return _fhir_module("fhir.resources.R4B.questionnaire").Questionnaire


@pytest.fixture(scope="module")
def r4b_response() -> Any:
    """The fhir.resources model of a QuestionnaireResponse."""
    return _fhir_module("fhir.resources.R4B.questionnaireresponse").QuestionnaireResponse


def _items(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every item, nested ones included, in document order."""
    for item in items:
        yield item
        yield from _items(item.get("item", []))


def _by_link(form: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["linkId"]: item for item in _items(form["item"])}


def _translations(element: Mapping[str, Any], field: str) -> dict[str, str]:
    """lang -> content of an element's translation extensions on ``field``."""
    found = {}
    for ext in element.get(f"_{field}", {}).get("extension", []):
        assert ext["url"] == TRANSLATION
        parts = {part["url"]: part for part in ext["extension"]}
        found[parts["lang"]["valueCode"]] = parts["content"]["valueString"]
    return found


def response(
    role: Role | str,
    answers: Mapping[str, Any],
    at: dt.datetime = AT,
    pack: ContentPack | None = None,
    *,
    coded: bool = True,
) -> dict[str, Any]:
    """A QuestionnaireResponse to trustkit's questionnaire, as a FHIR form app would send it.

    ``coded``: scale and yes/no answers as the answerOption codings the questionnaire offers
    (as a form fills them in); otherwise as valueInteger and valueBoolean (still read).
    """
    pack = pack or trustkit.default_pack()
    safety = {q.id for q in pack.questions if q.safety}
    kinds = {q.id: q.kind for q in pack.questions}

    def entry(qid: str, value: Any) -> dict[str, Any]:
        if kinds.get(qid) in {QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE}:
            # Always coded: one answer per code chosen (a multiple choice answer: several).
            system = answer_system(pack.question(qid), pack)
            chosen = sorted(value) if isinstance(value, frozenset) else [value]
            codings = [{"valueCoding": {"system": system, "code": c}} for c in chosen]
            return {"linkId": qid, "answer": codings}
        if coded and kinds.get(qid) in {QuestionKind.SCALE, QuestionKind.YES_NO}:
            code = ("yes" if value else "no") if isinstance(value, bool) else str(value)
            system = f"{canonical(pack)}/answers/{kinds[qid].value}"
            return {"linkId": qid, "answer": [{"valueCoding": {"system": system, "code": code}}]}
        key = "valueBoolean" if isinstance(value, bool) else "valueInteger"
        return {"linkId": qid, "answer": [{key: value}]}

    # An empty multiple choice answer cannot be sent: FHIR has no empty answer list.
    given_ = {k: v for k, v in answers.items() if v is not None and v != frozenset()}
    code = role.value if isinstance(role, Role) else role
    items: list[dict[str, Any]] = [
        {
            "linkId": RESPONDENT_LINK_ID,
            "answer": [{"valueCoding": {"system": ROLE_SYSTEM, "code": code}}],
        },
        *(entry(k, v) for k, v in given_.items() if k not in safety),
    ]
    screen = [entry(k, v) for k, v in given_.items() if k in safety]
    if screen:
        items.append({"linkId": SAFETY_LINK_ID, "item": screen})
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{canonical(pack)}|{pack.version}",
        "status": "completed",
        "authored": at.isoformat(),
        "item": items,
    }


# ------------------------------------------------------------------ the Questionnaire


@pytest.mark.parametrize("locales", [None, (), ["es"], "es"])
def test_the_questionnaire_is_valid_fhir(locales: Any, r4b_questionnaire: Any) -> None:
    """fhir.resources reads the questionnaire, and keeps every field of it (none is unknown)."""
    form = questionnaire(locales=locales)
    model = r4b_questionnaire.model_validate(form)
    assert model.model_dump(mode="json", exclude_none=True) == form
    assert json.loads(json.dumps(form)) == form


R4_ITEM_TYPES = {
    *("group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time"),
    *("string", "text", "url", "choice", "open-choice", "attachment", "reference", "quantity"),
}


@pytest.mark.parametrize("source", ["core", "apart"])
def test_the_questionnaire_keeps_the_r4_rules_the_models_do_not_check(source: str) -> None:
    """Codes, invariants que-0, que-1, que-2, que-5 and enableWhen targets (fhir.resources
    checks structure and types only)."""
    pack = trustkit.default_pack() if source == "core" else trustkit.load_pack(APART)
    form = questionnaire(pack)
    assert form["status"] in {"draft", "active", "retired", "unknown"}
    assert re.fullmatch(r"[A-Z]([A-Za-z0-9_]){0,254}", form["name"])  # que-0
    items = list(_items(form["item"]))
    links = [item["linkId"] for item in items]
    assert len(links) == len(set(links))  # que-2
    for item in items:
        assert item["type"] in R4_ITEM_TYPES
        assert (item["type"] == "group") is bool(item.get("item"))  # que-1
        if "answerOption" in item:
            assert item["type"] in {"choice", "open-choice"}  # que-5
        for condition in item.get("enableWhen", []):
            target = links.index(condition["question"])
            assert target < links.index(item["linkId"])
            assert condition["answerCoding"]["code"] in {"partner", "supporter"}
        assert all(isinstance(v, str) and v for k, v in item.items() if k in {"text", "linkId"})


def test_the_overlay_pack_gives_a_valid_questionnaire(r4b_questionnaire: Any) -> None:
    """An overlay's own questions come before the safety screen, translated too."""
    pack = trustkit.load_pack(APART)
    form = questionnaire(pack)
    r4b_questionnaire.model_validate(form)
    top = [item["linkId"] for item in form["item"]]
    assert top.index("distance_strain") < top.index(SAFETY_LINK_ID) == len(top) - 1
    prompt = pack.localized("es").question("distance_strain").prompt
    assert _translations(_by_link(form)["distance_strain"], "text") == {"es": prompt}
    assert form["name"] == "TrustkitApart"


def test_every_question_is_an_item_by_its_id(pack: ContentPack) -> None:
    """Each question once, linkId = question id; the role item first, the safety group last."""
    form = questionnaire(pack)
    links = [item["linkId"] for item in _items(form["item"])]
    assert len(links) == len(set(links))
    scores = {f"trustkit.score.{d.id}" for d in pack.dimensions}
    trustkits = {RESPONDENT_LINK_ID, SCORES_LINK_ID, SAFETY_LINK_ID}
    assert set(links) == {q.id for q in pack.questions} | trustkits | scores
    assert form["item"][0]["linkId"] == RESPONDENT_LINK_ID
    group = form["item"][-1]
    assert (group["linkId"], group["type"]) == (SAFETY_LINK_ID, "group")
    assert [item["linkId"] for item in group["item"]] == [q.id for q in pack.questions if q.safety]
    assert form["item"][-2]["linkId"] == SCORES_LINK_ID
    outside = [item["linkId"] for item in form["item"][1:-2]]
    assert outside == [q.id for q in pack.questions if not q.safety]
    assert (form["status"], form["language"], form["version"]) == ("active", "en", pack.version)
    assert (
        form["url"] == canonical(pack) == f"https://trustkit.invalid/fhir/Questionnaire/{pack.id}"
    )


def test_the_respondent_item_asks_for_a_role() -> None:
    """A required choice of the two roles, coded in trustkit's role system."""
    item = questionnaire(locales=())["item"][0]
    assert (item["type"], item["required"]) == ("choice", True)
    codes = [(o["valueCoding"]["system"], o["valueCoding"]["code"]) for o in item["answerOption"]]
    assert codes == [(ROLE_SYSTEM, "partner"), (ROLE_SYSTEM, "supporter")]
    assert all(o["valueCoding"]["display"] for o in item["answerOption"])


def _codes(item: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (o["valueCoding"]["system"], o["valueCoding"]["code"], o["valueCoding"]["display"])
        for o in item["answerOption"]
    ]


def _weights(item: Mapping[str, Any]) -> list[int | None]:
    found: list[int | None] = []
    for option in item["answerOption"]:
        weights = [
            e["valueDecimal"] for e in option.get("extension", []) if e["url"] == ORDINAL_VALUE
        ]
        found.append(weights[0] if weights else None)
    return found


SCALE_LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree"]


def test_each_kind_has_its_fhir_type(pack: ContentPack) -> None:
    """Scale: the codes 1-5, weighted; yes/no: the codes yes and no; count: an integer."""
    items = _by_link(questionnaire(pack))
    scale = f"{canonical(pack)}/answers/scale"
    for q in pack.questions:
        item = items[q.id]
        if q.options:  # a choice question: its own codes, in a system of its own
            system = f"{canonical(pack)}/answers/choice/{q.id}"
            assert answer_system(q, pack) == system
            assert item["type"] == "choice"
            assert _codes(item) == [(system, o.code, o.label) for o in q.options]
            assert ("repeats" in item) is (q.kind is QuestionKind.MULTIPLE_CHOICE)
            continue
        assert answer_system(q, pack) == f"{canonical(pack)}/answers/{q.kind.value}"
        if q.kind is QuestionKind.SCALE:
            assert item["type"] == "choice"
            assert _codes(item) == [
                (scale, str(v), label)
                for v, label in zip(range(1, 6), [*SCALE_LABELS, "Strongly agree"], strict=True)
            ]
            assert _weights(item) == ([5, 4, 3, 2, 1] if q.reverse else [1, 2, 3, 4, 5])
        elif q.kind is QuestionKind.YES_NO:
            assert item["type"] == "choice"
            system = f"{canonical(pack)}/answers/yes_no"
            assert _codes(item) == [(system, "yes", "Yes"), (system, "no", "No")]
            assert _weights(item) == [None, None]
        else:
            assert item["type"] == "integer"
            assert item["extension"] == [{"url": MIN_VALUE, "valueInteger": 0}]
            assert "answerOption" not in item


def test_answer_options_are_translated() -> None:
    """Each option's display in the pack's language, its translation in _display."""
    items = _by_link(questionnaire(locales=["es"]))
    spanish = [
        _translations(o["valueCoding"], "display")["es"] for o in items["hopeful"]["answerOption"]
    ]
    assert spanish[0] == "Muy en desacuerdo"
    yes_no = items["afraid_of_partner"]["answerOption"]
    assert [_translations(o["valueCoding"], "display") for o in yes_no] == [{"es": "Sí"}, {}]


def test_dimension_scores_are_read_only_calculated_items(pack: ContentPack) -> None:
    """One decimal per dimension, readOnly, with a FHIRPath calculatedExpression over its items."""
    form = questionnaire(pack, locales=["es"])
    group = _by_link(form)[SCORES_LINK_ID]
    assert group["type"] == "group"
    assert [i["linkId"] for i in group["item"]] == [
        f"trustkit.score.{d.id}" for d in pack.dimensions
    ]
    spanish = {d.id: d.label for d in pack.localized("es").dimensions}
    for dimension, item in zip(pack.dimensions, group["item"], strict=True):
        assert (item["type"], item["readOnly"]) == ("decimal", True)
        assert item["text"] == dimension.label[0].upper() + dimension.label[1:]
        assert _translations(item, "text")["es"][1:] == spanish[dimension.id][1:]
        ((ext),) = item["extension"]
        assert ext["url"] == CALCULATED_EXPRESSION
        assert ext["valueExpression"]["language"] == "text/fhirpath"
        expression = ext["valueExpression"]["expression"]
        scored = [q for q in pack.questions if q.dimension == dimension.id]
        for q in scored:
            assert f"linkId = '{q.id}'" in expression
        assert expression.count("6 - $this") == sum(q.reverse for q in scored)
        roles = {r for q in scored for r in q.respondents}
        assert ("enableWhen" in item) is (len(roles) == 1)


def test_questions_for_one_role_are_enabled_by_that_role(pack: ContentPack) -> None:
    """enableWhen on the respondent item for a one-role question; none for a shared one."""
    items = _by_link(questionnaire(pack))
    for q in pack.questions:
        item = items[q.id]
        if len(q.respondents) == 2:
            assert "enableWhen" not in item
            continue
        (role,) = q.respondents
        assert item["enableWhen"] == [
            {
                "question": RESPONDENT_LINK_ID,
                "operator": "=",
                "answerCoding": {"system": ROLE_SYSTEM, "code": role.value},
            }
        ]
    assert "enableWhen" in items["partner_self_harm"]  # the supporter's own safety question


def test_spanish_texts_are_in_the_translation_extension(pack: ContentPack) -> None:
    """Every question's Spanish prompt, and Spanish for trustkit's own items."""
    spanish = pack.localized("es")
    form = questionnaire(pack, locales=["es"])
    items = _by_link(form)
    for q in pack.questions:
        assert items[q.id]["text"] == q.prompt
        assert _translations(items[q.id], "text") == {"es": spanish.question(q.id).prompt}
    for link in (RESPONDENT_LINK_ID, SAFETY_LINK_ID):
        assert set(_translations(items[link], "text")) == {"es"}
    for option in items[RESPONDENT_LINK_ID]["answerOption"]:
        assert set(_translations(option["valueCoding"], "display")) == {"es"}


@pytest.mark.parametrize(("locales", "langs"), [(None, {"es"}), ((), set()), (["fr"], set())])
def test_which_translations_come_along(locales: Any, langs: set[str]) -> None:
    """By default every locale of the pack; none on request; a language without texts adds none."""
    form = questionnaire(locales=locales)
    found = {lang for item in _items(form["item"]) for lang in _translations(item, "text")}
    assert found == langs
    assert ("_text" in json.dumps(form)) is bool(langs)


def test_a_regional_tag_gives_its_language_once() -> None:
    """es-MX, ES and es_MX all come to the same Spanish texts, added once, tagged "es"."""
    form = questionnaire(locales=["es-MX", "ES", "es_MX"])
    assert form == questionnaire(locales=["es"])


def test_a_malformed_locale_is_an_answer_error() -> None:
    """A tag that is not BCP 47 is refused, naming the field, not the tag."""
    with pytest.raises(AnswerError) as info:
        questionnaire(locales=["not a tag!"])
    assert [p.field for p in info.value.problems] == ["locale"]
    assert "not a tag" not in str(info.value)


def test_the_questionnaire_is_deterministic_and_plain_data() -> None:
    """Same pack, same questionnaire; it survives JSON and pickling unchanged."""
    form = questionnaire()
    assert form == questionnaire()
    assert pickle.loads(pickle.dumps(form)) == form


def test_a_pack_without_a_safety_screen_or_description(pack: ContentPack) -> None:
    """No empty safety group (FHIR forbids one) and no empty description; another language."""
    bare = attrs.evolve(
        pack,
        id="bare_pack-2",
        locale="fr",
        description="",
        questions=tuple(q for q in pack.questions if not q.safety),
        rules=tuple(r for r in pack.rules if not r.safety),
        translations=(),
        locale_files=(),
    )
    form = questionnaire(bare)
    assert SAFETY_LINK_ID not in _by_link(form)
    assert "description" not in form
    assert form["name"] == "TrustkitBarePack2"
    assert form["language"] == "fr"
    english = questionnaire(pack, locales=())["item"][0]["text"]
    assert form["item"][0]["text"] == english  # no French labels: trustkit's own items in English


def test_scores_only_for_dimensions_with_questions(pack: ContentPack) -> None:
    """A dimension no question counts towards has no score; a pack without any, no group."""
    extra = attrs.evolve(pack, dimensions=(*pack.dimensions, Dimension("unused", "nothing")))
    group = _by_link(questionnaire(extra))[SCORES_LINK_ID]
    assert len(group["item"]) == len(pack.dimensions)
    plain = attrs.evolve(
        pack,
        dimensions=(),
        questions=tuple(attrs.evolve(q, dimension=None) for q in pack.questions),
    )
    assert SCORES_LINK_ID not in _by_link(questionnaire(plain, locales=()))


# ------------------------------------------------------------------ QuestionnaireResponse


ZONES = st.sampled_from(
    [dt.UTC, *(dt.timezone(dt.timedelta(minutes=m)) for m in range(-12 * 60, 14 * 60 + 1, 45))]
)
MOMENTS = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=ZONES
)


@st.composite
def checkins(draw: st.DrawFn) -> tuple[Role, dict[str, bool | int | None], dt.datetime]:
    role = draw(st.sampled_from(list(Role)))
    return role, draw(valid_answers(role)), draw(MOMENTS)


@given(checkins())
def test_round_trip_answers_to_response_to_checkin(
    case: tuple[Role, dict[str, bool | int | None], dt.datetime],
) -> None:
    """Any valid answers, sent as a QuestionnaireResponse, come back as the same check-in."""
    role, answers, at = case
    checkin = checkin_from_response(response(role, answers, at))
    assert checkin.respondent is role
    assert dict(checkin.answers) == {k: v for k, v in answers.items() if v is not None}
    assert checkin.at == at
    assert checkin.at.utcoffset() == at.utcoffset()
    assert checkin.recommended is None


@pytest.mark.slow
@given(checkins())
def test_every_round_trip_response_is_valid_fhir(
    case: tuple[Role, dict[str, bool | int | None], dt.datetime],
) -> None:
    """The responses of the round trip are valid QuestionnaireResponses."""
    r4b = _fhir_module("fhir.resources.R4B.questionnaireresponse").QuestionnaireResponse
    role, answers, at = case
    data = response(role, answers, at)
    assert r4b.model_validate(data).model_dump(mode="json", exclude_none=True)["item"]
    checkin_from_response(data)


def test_a_response_gives_the_same_recommendation_as_its_answers() -> None:
    """A yes on the safety screen, inside its group, still leads to help."""
    data = response("supporter", {"partner_self_harm": True, "promises_kept": 2})
    rec = trustkit.recommend_next_step(checkin_from_response(data))
    assert (rec.step.id, rec.safety, rec.respondent) == ("support_in_crisis", True, "supporter")


def test_an_overlay_question_is_read_with_its_pack() -> None:
    """With ``pack=``, the overlay's questions are known; without it, they are not."""
    pack = trustkit.load_pack(APART)
    data = response("partner", {"distance_strain": 4}, pack=pack)
    assert dict(checkin_from_response(data, pack=pack).answers) == {"distance_strain": 4}
    with pytest.raises(AnswerError) as info:
        checkin_from_response(data)
    assert [(p.field, p.code) for p in info.value.problems] == [
        ("questionnaire", "invalid_value"),  # the overlay's questionnaire is not the core's
        ("distance_strain", "unknown_question"),
    ]


@pytest.mark.parametrize("status", ["completed", "amended", "in-progress", "stopped"])
def test_every_status_with_answers_is_read(status: str) -> None:
    """A stopped or unfinished response still holds what was answered (a yes counts)."""
    data = response("partner", {"afraid_of_partner": True}) | {"status": status}
    assert dict(checkin_from_response(data).answers) == {"afraid_of_partner": True}


def test_answers_nested_under_an_answer_and_items_without_one() -> None:
    """Items are found at any depth, also under an answer; display items and groups are skipped."""
    data = response("partner", {"feels_heard": 2})
    data["item"][1]["answer"][0]["item"] = [{"linkId": "hopeful", "answer": [{"valueInteger": 5}]}]
    data["item"].append({"linkId": "a-note", "text": "Thank you"})
    data["item"][0]["answer"][0]["valueCoding"].pop("system")  # the code alone is enough
    assert dict(checkin_from_response(data).answers) == {"feels_heard": 2, "hopeful": 5}


def _with(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**data, **changes}


def _item(link: str, **answer: Any) -> dict[str, Any]:
    return {"linkId": link, "answer": [answer]}


CORE = "https://trustkit.invalid/fhir/Questionnaire/core"
SCALE = CORE + "/answers/scale"
YES_NO = CORE + "/answers/yes_no"
BASE = response("partner", {"feels_heard": 2})
ROLE_ITEM = BASE["item"][0]
BAD: list[tuple[str, object, list[str]]] = [
    ("not an object", [SECRET], ["resourceType"]),
    ("another resource", _with(BASE, resourceType="Questionnaire"), ["resourceType"]),
    ("unknown status", _with(BASE, status=SECRET), ["status"]),
    ("unhashable status", _with(BASE, status=[SECRET]), ["status"]),
    ("entered in error", _with(BASE, status="entered-in-error"), ["status"]),
    ("no authored", {k: v for k, v in BASE.items() if k != "authored"}, ["authored"]),
    ("a date only", _with(BASE, authored="2026-03-01"), ["authored"]),
    ("no offset", _with(BASE, authored="2026-03-01T20:15:00"), ["authored"]),
    ("no such day", _with(BASE, authored="2026-02-30T20:15:00Z"), ["authored"]),
    ("items not a list", _with(BASE, item={"linkId": SECRET}), ["item", RESPONDENT_LINK_ID]),
    ("item without linkId", _with(BASE, item=[ROLE_ITEM, {"text": SECRET}]), ["item"]),
    ("item not an object", _with(BASE, item=[ROLE_ITEM, SECRET]), ["item"]),
    (
        "no respondent",
        _with(BASE, item=[_item("feels_heard", valueInteger=2)]),
        [RESPONDENT_LINK_ID],
    ),
    (
        "unknown role",
        _with(BASE, item=[_item(RESPONDENT_LINK_ID, valueCoding={"code": SECRET})]),
        [RESPONDENT_LINK_ID],
    ),
    (
        "role of another system",
        _with(
            BASE,
            item=[_item(RESPONDENT_LINK_ID, valueCoding={"system": SECRET, "code": "partner"})],
        ),
        [RESPONDENT_LINK_ID],
    ),
    (
        "role as a string",
        _with(BASE, item=[_item(RESPONDENT_LINK_ID, valueString="partner")]),
        [RESPONDENT_LINK_ID],
    ),
    (
        "role code not text",
        _with(BASE, item=[_item(RESPONDENT_LINK_ID, valueCoding={"code": [SECRET]})]),
        [RESPONDENT_LINK_ID],
    ),
    (
        "value as a string",
        _with(BASE, item=[ROLE_ITEM, _item("hopeful", valueString=SECRET)]),
        ["hopeful"],
    ),
    (
        "valueInteger true",
        _with(BASE, item=[ROLE_ITEM, _item("hopeful", valueInteger=True)]),
        ["hopeful"],
    ),
    ("valueBoolean 1", _with(BASE, item=[ROLE_ITEM, _item("stuck", valueBoolean=1)]), ["stuck"]),
    (
        "two values",
        _with(BASE, item=[ROLE_ITEM, _item("hopeful", valueInteger=3, valueBoolean=True)]),
        ["hopeful"],
    ),
    (
        "two answers",
        _with(
            BASE,
            item=[ROLE_ITEM, {"linkId": "hopeful", "answer": [{"valueInteger": 3}] * 2}],
        ),
        ["hopeful"],
    ),
    (
        "answer not a list",
        _with(BASE, item=[ROLE_ITEM, {"linkId": "hopeful", "answer": 3}]),
        ["hopeful"],
    ),
    (
        "answered twice",
        _with(
            BASE,
            item=[ROLE_ITEM, _item("hopeful", valueInteger=3), _item("hopeful", valueInteger=4)],
        ),
        ["hopeful"],
    ),
    ("out of range", _with(BASE, item=[ROLE_ITEM, _item("hopeful", valueInteger=6)]), ["hopeful"]),
    (
        "yes/no as a number",
        _with(BASE, item=[ROLE_ITEM, _item("controlled", valueInteger=1)]),
        ["controlled"],
    ),
    (
        "negative count",
        _with(BASE, item=[ROLE_ITEM, _item("missed_commitments", valueInteger=-1)]),
        ["missed_commitments"],
    ),
    (
        "the other role's question",
        _with(BASE, item=[ROLE_ITEM, _item("understand_roots", valueInteger=3)]),
        ["understand_roots"],
    ),
    (
        "unknown question",
        _with(BASE, item=[ROLE_ITEM, _item("x" * 100, valueInteger=3)]),
        ["x" * 57 + "..."],
    ),
    (
        "no questionnaire",
        {k: v for k, v in BASE.items() if k != "questionnaire"},
        ["questionnaire"],
    ),
    ("another questionnaire", _with(BASE, questionnaire=SECRET), ["questionnaire"]),
    ("another version", _with(BASE, questionnaire=CORE + "|0.9.0"), ["questionnaire"]),
    ("questionnaire not text", _with(BASE, questionnaire=[SECRET]), ["questionnaire"]),
    ("contained, none", _with(BASE, questionnaire="#trustkit-next"), ["questionnaire"]),
    (
        "contained, not derived",
        _with(
            BASE,
            questionnaire="#trustkit-next",
            contained=[SECRET, {"resourceType": "Questionnaire", "id": "trustkit-next"}],
        ),
        ["questionnaire"],
    ),
    (
        "contained not a list",
        _with(BASE, questionnaire="#trustkit-next", contained={"id": "trustkit-next"}),
        ["questionnaire"],
    ),
    (
        "coding of another system",
        _with(
            BASE, item=[ROLE_ITEM, _item("hopeful", valueCoding={"system": SECRET, "code": "3"})]
        ),
        ["hopeful"],
    ),
    (
        "coding without a system",
        _with(BASE, item=[ROLE_ITEM, _item("hopeful", valueCoding={"code": "3"})]),
        ["hopeful"],
    ),
    (
        "coding of no option",
        _with(BASE, item=[ROLE_ITEM, _item("hopeful", valueCoding={"system": SCALE, "code": "6"})]),
        ["hopeful"],
    ),
    (
        "coding of another kind",
        _with(BASE, item=[ROLE_ITEM, _item("stuck", valueCoding={"system": SCALE, "code": "yes"})]),
        ["stuck"],
    ),
    (
        "yes/no coding as a scale",
        _with(
            BASE, item=[ROLE_ITEM, _item("hopeful", valueCoding={"system": YES_NO, "code": "yes"})]
        ),
        ["hopeful"],
    ),
    (
        "code not text",
        _with(BASE, item=[ROLE_ITEM, _item("hopeful", valueCoding={"system": SCALE, "code": [3]})]),
        ["hopeful"],
    ),
    (
        "coding not an object",
        _with(BASE, item=[ROLE_ITEM, _item("hopeful", valueCoding=SECRET)]),
        ["hopeful"],
    ),
    (
        "coding for a count",
        _with(
            BASE,
            item=[
                ROLE_ITEM,
                _item("missed_commitments", valueCoding={"system": SCALE, "code": "1"}),
            ],
        ),
        ["missed_commitments"],
    ),
    (
        "coding for an unknown question",
        _with(BASE, item=[ROLE_ITEM, _item("nope", valueCoding={"system": SCALE, "code": "1"})]),
        ["nope"],
    ),
]


@pytest.mark.parametrize(
    ("data", "fields"), [(d, f) for _, d, f in BAD], ids=[n for n, _, _ in BAD]
)
def test_a_bad_response_names_the_place_never_the_value(data: object, fields: list[str]) -> None:
    """AnswerError lists each problem by linkId (or the response's own field), without values."""
    with pytest.raises(AnswerError) as info:
        checkin_from_response(data)
    assert [p.field for p in info.value.problems] == fields
    assert SECRET not in str(info.value)
    assert "4711" not in repr(info.value.problems)


def test_every_problem_is_reported_at_once() -> None:
    """Status, time, role and answers: all listed in one error."""
    data = _with(
        BASE,
        status="draft",
        authored="yesterday",
        item=[_item("hopeful", valueInteger=9), _item("feels_heard", valueString=SECRET)],
    )
    with pytest.raises(AnswerError) as info:
        checkin_from_response(data)
    assert [p.field for p in info.value.problems] == [
        "status",
        "authored",
        "feels_heard",
        RESPONDENT_LINK_ID,
    ]


@pytest.mark.parametrize("ref", [CORE, CORE + "|1.2.0"])
def test_the_response_names_the_questionnaire_with_or_without_its_version(ref: str) -> None:
    """``questionnaire`` is the canonical URL, alone or as url|version of the pack."""
    assert checkin_from_response(_with(BASE, questionnaire=ref)).respondent is Role.PARTNER


def test_coded_and_plain_answers_give_the_same_check_in() -> None:
    """A form's codings, and the valueBoolean / valueInteger of trustkit 0.2, read the same."""
    answers = {"feels_heard": 2, "feels_rushed": 5, "afraid_of_partner": False}
    answers |= {"missed_commitments": 3}
    coded = checkin_from_response(response("partner", answers))
    plain = checkin_from_response(response("partner", answers, coded=False))
    assert coded == plain
    assert dict(coded.answers) == answers


def test_answers_to_the_calculated_scores_are_not_read() -> None:
    """A form fills the score items in; trustkit skips them (it scores the answers itself)."""
    data = response("partner", {"feels_heard": 2})
    score = {"linkId": "trustkit.score.feeling_heard", "answer": [{"valueDecimal": SECRET}]}
    data["item"].append({"linkId": SCORES_LINK_ID, "item": [score]})
    data["item"].append({"linkId": "trustkit.score.hope", "answer": [{"valueString": SECRET}]})
    assert dict(checkin_from_response(data).answers) == {"feels_heard": 2}


def test_a_response_of_too_many_items_is_refused() -> None:
    """Size is bounded: past MAX_ITEMS items, nested ones included, one short error."""
    deep: dict[str, Any] = {"linkId": "leaf"}
    for _ in range(MAX_ITEMS):
        deep = {"linkId": "group", "item": [deep]}
    with pytest.raises(AnswerError) as info:
        checkin_from_response(_with(BASE, item=[deep]))
    assert [str(p) for p in info.value.problems] == [f"item: at most {MAX_ITEMS} items"]


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=12,
    )
)
def test_any_item_list_gives_a_check_in_or_an_answer_error(items: object) -> None:
    """Whatever JSON sits in ``item``, the result is a CheckIn or an AnswerError, nothing else."""
    problems: tuple[trustkit.AnswerProblem, ...] = ()
    try:
        checkin_from_response(_with(BASE, item=[ROLE_ITEM, items]))
    except AnswerError as error:
        problems = error.problems
    assert all(len(p.field) <= 60 for p in problems)


# ------------------------------------------------------------------ the command line


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_export_fhir_prints_the_questionnaire() -> None:
    """`trustkit export fhir` prints the questionnaire with every translation, as JSON."""
    code, out, err = _run("export", "fhir")
    assert (code, err) == (0, "")
    assert json.loads(out) == questionnaire()


def test_export_fhir_with_a_pack_and_a_locale() -> None:
    """--pack picks the pack; --locale picks the translations (and says when there are none)."""
    code, out, err = _run("export", "fhir", "--pack", str(APART), "--locale", "es")
    assert (code, err) == (0, "")
    assert json.loads(out) == questionnaire(trustkit.load_pack(APART), locales=["es"])
    code, out, err = _run("export", "fhir", "--locale", "fr")
    assert code == 0
    assert json.loads(out) == questionnaire(locales=())
    assert "no texts in 'fr'" in err


def test_export_fhir_with_a_malformed_locale_is_bad_input() -> None:
    """One line on standard error, exit status 2."""
    code, out, err = _run("export", "fhir", "--locale", "??")
    assert (code, out) == (2, "")
    assert err.startswith("trustkit: error:")
    assert err.count("\n") == 1


def test_export_to_an_unknown_format_prints_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """Only fhir is known; anything else is a usage error."""
    with pytest.raises(SystemExit):
        main(["export", "hl7v2"])
    assert "invalid choice" in capsys.readouterr().err


# ------------------------------------------------------------- a yes now, through FHIR


def test_recommend_response_equals_the_two_steps_it_stands_for() -> None:
    data = response("partner", {"feels_heard": 1, "promises_kept": 4})
    expected = trustkit.recommend_next_step(checkin_from_response(data), country="GB")
    assert trustkit.fhir.recommend_response(data, country="GB") == expected
    spanish = trustkit.fhir.recommend_response(data, locale="es")
    assert spanish.locale == "es"


def test_a_response_with_a_yes_and_a_broken_answer_still_gets_help() -> None:
    """Issue 18: the import refused the whole response, and no help was given."""
    data = response("partner", {"self_harm_thoughts": True, "feels_heard": 9})
    data["authored"] = "yesterday"
    with pytest.raises(trustkit.AnswerError):
        checkin_from_response(data)
    rec = trustkit.fhir.recommend_response(data, country="AU", locale="zz-!!")
    assert (rec.rule_id, rec.safety) == ("safety-self-harm", True)
    assert rec.resources[0].phone == "000"
    fields = [p.field for p in rec.problems]
    assert {"authored", "feels_heard", "locale"} <= set(fields)
    assert len(fields) == len(set(map(str, rec.problems)))  # each problem once
    assert SECRET not in repr(rec.problems)
    calm = response("partner", {"feels_heard": 9})
    with pytest.raises(trustkit.AnswerError, match="feels_heard"):
        trustkit.fhir.recommend_response(calm)
    with pytest.raises(trustkit.AnswerError, match="resourceType"):
        trustkit.fhir.recommend_response([])


def test_a_response_in_a_safety_period_gets_the_follow_up() -> None:
    disclosure = trustkit.CheckIn(
        "partner", {"afraid_of_partner": True}, AT - dt.timedelta(weeks=2)
    )
    state = trustkit.advance(trustkit.CoupleState(), disclosure)
    data = response("partner", {"feels_heard": 5})
    for kwargs in ({"state": state}, {"history": [disclosure]}):
        rec = trustkit.fhir.recommend_response(data, **kwargs)
        assert rec.safety


def test_a_yes_for_another_questionnaire_still_gets_help() -> None:
    """A wrong ``questionnaire`` is a problem beside the help, never instead of it."""
    data = _with(response("partner", {"afraid_of_partner": True}), questionnaire=SECRET)
    rec = trustkit.fhir.recommend_response(data, country="GB")
    assert rec.safety
    assert [p.field for p in rec.problems] == ["questionnaire"]
    assert SECRET not in repr(rec.problems)
    with pytest.raises(AnswerError, match="questionnaire"):
        trustkit.fhir.recommend_response(_with(BASE, questionnaire=SECRET))


# ------------------------------------------------------------------ $next-question


def test_next_question_derives_its_questionnaire_from_the_canonical() -> None:
    """The contained questionnaire has no url of its own: derivedFrom names the pack's."""
    step = trustkit.fhir.next_question({"resourceType": "QuestionnaireResponse"})
    (form,) = step["contained"]
    assert "url" not in form
    assert (form["id"], form["derivedFrom"]) == ("trustkit-next", [CORE + "|1.2.0"])
    assert step["questionnaire"] == "#trustkit-next"
    again = trustkit.fhir.next_question(step)  # its own output is accepted
    assert again["contained"] == step["contained"]
    for ref in (CORE, CORE + "|1.2.0"):
        trustkit.fhir.next_question({"resourceType": "QuestionnaireResponse", "questionnaire": ref})
    with pytest.raises(AnswerError) as info:
        trustkit.fhir.next_question(_with(step, questionnaire=SECRET))
    assert [p.field for p in info.value.problems] == ["questionnaire"]


def test_next_question_reads_codings_and_skips_scores() -> None:
    """The coded answers a form sends back count as answered; score items are not questions."""
    data = response("partner", {"afraid_of_partner": False})
    data.pop("questionnaire")
    data["item"].append({"linkId": "trustkit.score.hope", "answer": [{"valueDecimal": 3}]})
    step = trustkit.fhir.next_question(data)
    shown = [i["linkId"] for i in _items(step["contained"][0]["item"])]
    assert "afraid_of_partner" in shown
    assert not any(link.startswith("trustkit.score") for link in shown)
