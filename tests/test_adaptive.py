"""Adaptive check-ins: `trustkit.next_questions` never leaves out a question that could matter.

The property, from the issue: for any partial check-in, every completion of
the questions *not* returned gives the same step and rule (whatever the
returned ones are answered), and the safety screen is always asked until it
is answered. It is checked exhaustively on a small pack (every partial
check-in, every completion, with and without a history and a safety period)
and with hypothesis on the core pack.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples, unchecked
from tests.strategies import valid_answers, valid_value
from tests.test_fhir import _fhir_module
from trustkit import (
    AllOf,
    AnswerCompare,
    Answered,
    CheckIn,
    ContentPack,
    Not,
    QuestionKind,
    Role,
    Rule,
    ScoreCompare,
)
from trustkit._engine import adaptive
from trustkit._engine.compile import compiled

CORE = trustkit.default_pack()
NOW = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)
Value = bool | int | str | None


def _other(role: Role) -> Role:
    return Role.SUPPORTER if role is Role.PARTNER else Role.PARTNER


def small_pack() -> ContentPack:
    """The core pack cut down to six questions, with rules of every form on them."""
    keep = {
        "self_harm_thoughts",
        "partner_threatened_self_harm",
        "distress",
        "feels_heard",
        "missed_commitments",
        "hopeful",
    }
    questions = tuple(q for q in CORE.questions if q.id in keep)
    safety = tuple(r for r in CORE.rules if r.id in {"safety-self-harm", "safety-coercive-threat"})
    ordinary = tuple(
        r
        for r in CORE.rules
        if r.id in {"professional-help-stuck", "celebrate-improved", "validation-worry-gap"}
        or r.id in {"communication-perception-gap", "patience-low-hope", "catch-all"}
    )

    def rule(rule_id: str, step: str, when: Any, priority: int) -> Rule:
        return Rule(rule_id, step, when, priority=priority, reason="A reason.")

    extra = (
        rule("distress-high", "professional_help", AnswerCompare("distress", ">=", 4), 90),
        rule("missed", "consistency", AnswerCompare("missed_commitments", ">=", 2), 70),
        rule("not-heard", "validation", AnswerCompare("feels_heard", "<=", 2), 65),
        rule("low-wellbeing", "patience", ScoreCompare("wellbeing", "<=", 2.5), 60),
        rule(
            "heard-not-hopeful",
            "celebrate",
            AllOf((Answered("feels_heard"), Not(AnswerCompare("hopeful", ">=", 3)))),
            60,
        ),
    )
    pack = attrs.evolve(CORE, questions=questions, rules=(*safety, *extra, *ordinary))
    trustkit.check_pack(pack)
    return pack


SMALL = small_pack()


def domain(pack: ContentPack, qid: str) -> tuple[Value, ...]:
    """Every answer that a rule of the small pack can tell apart, and unanswered."""
    kind = next(q.kind for q in pack.questions if q.id == qid)
    if kind is QuestionKind.YES_NO:
        return (True, False, None)
    if kind is QuestionKind.SCALE:
        return (1, 2, 3, 4, 5, None)
    return (1, 2, None)  # the only threshold is 2


def scenarios(role: Role) -> dict[str, tuple[CheckIn, ...] | None]:
    other = _other(role)
    return {
        "alone": None,
        "facts": (
            CheckIn(role, {"distress": 2, "hopeful": 2, "feels_heard": 4}, NOW - dt.timedelta(7)),
            CheckIn(other, {"distress": 5, "hopeful": 5}, NOW - dt.timedelta(2)),
        ),
        "their-period": (CheckIn(other, {"self_harm_thoughts": True}, NOW - dt.timedelta(1)),),
        "own-period": (CheckIn(role, {"self_harm_thoughts": True}, NOW - dt.timedelta(1)),),
    }


def _kw(history: Sequence[CheckIn] | None) -> dict[str, Any]:
    return {} if history is None else {"history": history, "now": NOW}


def _decision(
    pack: ContentPack, role: Role, answers: Mapping[str, Value], history: Any
) -> tuple[str, str]:
    d = trustkit.decide(dict(answers), respondent=role, pack=pack, **_kw(history))
    return d.step_id, d.rule_id


def _assignments(
    names: Sequence[str], domains: Mapping[str, tuple[Value, ...]]
) -> Iterator[dict[str, Value]]:
    for values in itertools.product(*(domains[q] for q in names)):
        yield dict(zip(names, values, strict=True))


CASES = [
    (role, name)
    for role in Role
    for name in scenarios(role)
    if role is Role.PARTNER or name == "alone"
]


@pytest.mark.parametrize(("role", "name"), CASES, ids=str)
def test_every_completion_of_what_is_left_out_decides_alike_small_pack(
    role: Role, name: str
) -> None:
    """Exhaustive: every partial check-in, every completion, on the small pack."""
    history = scenarios(role)[name]
    asked = [q.id for q in SMALL.questions if role in q.respondents]
    domains = {q: domain(SMALL, q) for q in asked}
    table = {
        tuple(full.values()): _decision(SMALL, role, full, history)
        for full in _assignments(asked, domains)
    }
    absent = object()
    options = {q: (absent, *domains[q]) for q in asked}
    screen = [q.id for q in SMALL.questions if q.safety and role in q.respondents]
    decided_seen = skipped_seen = 0
    for values in itertools.product(*(options[q] for q in asked)):
        partial: dict[str, Value] = {
            q: v  # type: ignore[misc]
            for q, v in zip(asked, values, strict=True)
            if v is not absent
        }
        found = trustkit.next_questions(partial, respondent=role, pack=SMALL, **_kw(history))
        open_ = [q for q in asked if q not in partial]
        returned = set(found.questions)
        assert returned <= set(open_)
        # The safety screen comes first, whole, until it is answered.
        unanswered_screen = [q for q in screen if q in open_]
        assert list(found.questions[: len(unanswered_screen)]) == unanswered_screen
        skipped = [q for q in open_ if q not in returned]
        kept = [q for q in open_ if q in returned]
        skipped_seen += bool(skipped)
        outcomes: set[tuple[str, str]] = set()
        for fixed in _assignments(kept, domains):
            seen = {
                table[tuple({**partial, **fixed, **rest}[q] for q in asked)]
                for rest in _assignments(skipped, domains)
            }
            assert len(seen) == 1, (partial, fixed, seen)
            outcomes |= seen
        if found.decided:
            decided_seen += 1
            assert outcomes == {(found.step_id, found.rule_id)}
        else:
            assert found.step_id is None
            assert found.rule_id is None
    assert decided_seen
    assert skipped_seen


@pytest.mark.parametrize(("role", "name"), CASES, ids=str)
def test_decided_is_exact_when_the_screen_is_answered_small_pack(role: Role, name: str) -> None:
    """In the respondent's own safety period only the screen (and tracked questions) count."""
    history = scenarios(role)[name]
    asked = [q for q in SMALL.questions if role in q.respondents]
    screen = {q.id: False for q in asked if q.safety}
    found = trustkit.next_questions(screen, respondent=role, pack=SMALL, **_kw(history))
    if name == "own-period":
        assert found.decided
        assert found.questions == ("hopeful",)  # tracked
    else:
        assert not found.decided
        assert found.questions


# ------------------------------------------------------------------ the core pack


def _scenario_history(role: Role, which: int) -> tuple[CheckIn, ...] | None:
    other = _other(role)
    if which == 0:
        return None
    if which == 1:
        return (CheckIn(other, {"afraid_of_partner": True}, NOW - dt.timedelta(1)),)
    if which == 2:
        return (CheckIn(role, {"controlled": True}, NOW - dt.timedelta(1)),)
    return (
        CheckIn(role, {"hopeful": 1, "feels_heard": 1, "safe_to_share": 1}, NOW - dt.timedelta(8)),
        CheckIn(other, {"hopeful": 5, "safe_to_share": 5}, NOW - dt.timedelta(3)),
    )


def _complete(data: st.DataObject, names: Sequence[str], role: Role) -> dict[str, Value]:
    questions = {q.id: q for q in CORE.questions_for(role)}
    out: dict[str, Value] = {}
    for q in names:
        value = data.draw(valid_value(questions[q]) | st.none())
        # Counts are capped (no rule reads above 40); codes are kept as they are.
        out[q] = min(value, 40) if type(value) is int else value
    return out


@settings(
    max_examples=examples(300), deadline=None, suppress_health_check=unchecked(HealthCheck.too_slow)
)
@given(st.data(), st.sampled_from(list(Role)), st.integers(0, 3), st.booleans())
def test_every_completion_of_what_is_left_out_decides_alike_core(
    data: st.DataObject, role: Role, which: int, safe: bool
) -> None:
    """Hypothesis on the core pack: two completions of the skipped questions decide alike."""
    history = _scenario_history(role, which)
    partial = data.draw(valid_answers(role, safe=safe))
    found = trustkit.next_questions(partial, respondent=role, **_kw(history))
    asked = [q.id for q in CORE.questions_for(role)]
    open_ = [q for q in asked if q not in partial]
    screen = [q for q in compiled(CORE).screen[role] if q in open_]
    assert list(found.questions[: len(screen)]) == screen
    tracked = {q.id for q in CORE.questions_for(role) if q.tracked}
    assert tracked & set(open_) <= set(found.questions)
    kept = [q for q in open_ if q in found.questions]
    skipped = [q for q in open_ if q not in found.questions]
    fixed = _complete(data, kept, role)
    one = _complete(data, skipped, role)
    two = _complete(data, skipped, role)
    first = _decision(CORE, role, {**partial, **fixed, **one}, history)
    assert first == _decision(CORE, role, {**partial, **fixed, **two}, history)
    if found.decided:
        assert first == (found.step_id, found.rule_id)


@settings(max_examples=examples(200), deadline=None)
@given(st.sampled_from(list(Role)), st.data())
def test_the_safety_screen_is_never_skipped(role: Role, data: st.DataObject) -> None:
    """Whatever is answered, every unanswered safety question is asked, first."""
    partial = data.draw(valid_answers(role))
    found = trustkit.next_questions(partial, respondent=role)
    screen = [q for q in compiled(CORE).screen[role] if q not in partial]
    assert list(found.questions[: len(screen)]) == screen


# ------------------------------------------------------------------ examples


SCREEN = dict.fromkeys(compiled(CORE).screen[Role.PARTNER], False)


def test_a_high_ranked_answer_decides_early_and_tracked_questions_stay() -> None:
    found = trustkit.next_questions({**SCREEN, "distress": 5})
    assert found.decided
    assert (found.step_id, found.rule_id) == ("professional_help", "professional-help-distress")
    assert found.questions == ("progress_noticed", "hopeful")
    assert trustkit.decide({**SCREEN, "distress": 5}).rule_id == found.rule_id


def test_the_first_call_asks_the_screen_then_the_highest_rule_first() -> None:
    found = trustkit.next_questions({})
    assert found.questions[: len(SCREEN)] == tuple(SCREEN)
    assert found.questions[len(SCREEN) : len(SCREEN) + 2] == ("distress", "stuck")
    assert not found.decided


def test_a_safety_yes_decides_but_the_rest_of_the_screen_is_still_asked() -> None:
    found = trustkit.next_questions({"afraid_of_partner": True})
    assert found.questions[:3] == ("controlled", "hurt_or_threatened", "choked_or_strangled")
    assert "distress" not in found.questions
    # A yes to a higher-risk question would change the rule: not decided yet.
    assert not found.decided
    top = trustkit.next_questions({"self_harm_thoughts": True})
    assert top.decided
    assert top.rule_id == "safety-self-harm"


def test_an_answer_of_none_is_not_asked_again() -> None:
    found = trustkit.next_questions({**SCREEN, "distress": None, "stuck": None})
    assert "distress" not in found.questions
    assert "stuck" not in found.questions


def test_a_supporter_gets_their_own_screen() -> None:
    found = trustkit.next_questions({}, respondent="supporter")
    assert "partner_self_harm" in found.questions
    assert "feels_heard" not in found.questions


def test_a_check_in_object_and_its_time_are_read() -> None:
    checkin = CheckIn(Role.PARTNER, {**SCREEN, "distress": 5}, NOW)
    history = (CheckIn(Role.SUPPORTER, {"distress": 1}, NOW - dt.timedelta(1)),)
    found = trustkit.next_questions(checkin, history=history)
    assert found.decided
    assert found.rule_id == "professional-help-distress"


def test_a_state_is_read_like_its_history() -> None:
    history = (CheckIn(Role.SUPPORTER, {"afraid_of_partner": True}, NOW - dt.timedelta(1)),)
    state = trustkit.advance(trustkit.CoupleState(), history[0])
    by_state = trustkit.next_questions(SCREEN, state=state, now=NOW)
    by_history = trustkit.next_questions(SCREEN, history=history, now=NOW)
    assert by_state == by_history


def test_bad_answers_are_an_error_naming_the_question_never_the_value() -> None:
    with pytest.raises(trustkit.AnswerError) as error:
        trustkit.next_questions({"distress": "very-secret-value"})
    assert error.value.problems[0].field == "distress"
    assert "very-secret-value" not in str(error.value)


def test_a_history_without_now_is_an_error() -> None:
    with pytest.raises(trustkit.AnswerError) as error:
        trustkit.next_questions({}, history=())
    assert [p.field for p in error.value.problems] == ["now"]


def test_a_pack_without_a_catch_all_can_be_decided_on_no_step() -> None:
    pack = attrs.evolve(SMALL, rules=tuple(r for r in SMALL.rules if r.id != "catch-all"))
    found = trustkit.next_questions(
        {
            "self_harm_thoughts": False,
            "partner_threatened_self_harm": False,
            "distress": 1,
            "feels_heard": 3,
            "missed_commitments": 0,
            "hopeful": 4,
        },
        pack=pack,
    )
    assert found == trustkit.NextQuestions((), False)


def test_when_the_reasoning_and_the_decision_disagree_everything_is_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Never skip when unsure: a (planted) disagreement with verdict asks every open question."""
    monkeypatch.setattr(adaptive, "open_rules", lambda *args: ([], "not-the-rule"))
    found = trustkit.next_questions({**SCREEN, "distress": 5})
    assert not found.decided
    asked = [q.id for q in CORE.questions_for(Role.PARTNER) if q.id not in SCREEN]
    assert list(found.questions) == [q for q in asked if q != "distress"]


# ------------------------------------------------------------------ trustkit checkin --adaptive


def _run_checkin(*argv: str, replies: list[str]) -> tuple[int, str, str, list[str]]:
    import io

    from trustkit._cli import main

    out, err = io.StringIO(), io.StringIO()
    prompts: list[str] = []
    pending = iter(replies)

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        out.write(prompt)
        try:
            return next(pending)
        except StopIteration:
            raise EOFError from None

    code = main(
        ["checkin", "--adaptive", *argv], stdin=io.StringIO(), stdout=out, stderr=err, ask=ask
    )
    return code, out.getvalue(), err.getvalue(), prompts


def test_checkin_adaptive_asks_the_screen_first_then_only_what_matters() -> None:
    screen = len(SCREEN)
    # No to the screen, one bad reply, then distress 5: decided; the tracked two are skipped.
    replies = ["n"] * screen + ["9", "5", "", ""]
    code, out, err, prompts = _run_checkin(replies=replies)
    assert (code, err) == (0, "")
    assert "about your safety" in out
    assert len(prompts) == screen + 4
    assert "Please answer" in out
    expected = trustkit.recommend_next_step({**SCREEN, "distress": 5})
    assert f"Next step: {expected.step.title}" in out
    assert "Rule professional-help-distress" in out


def test_checkin_adaptive_goes_back_and_keeps_a_safety_yes_when_stopped() -> None:
    replies = ["<", "n", "<", "y"]  # back at the start does nothing; back, then yes
    code, out, err, _prompts = _run_checkin("--json", replies=replies)
    assert code != 0  # input ended before the end
    assert "professional_help" in out  # the safety yes is answered all the same
    assert "not completed" in err


# ------------------------------------------------------------------ FHIR $next-question


def _fhir_response_model() -> Any:
    return _fhir_module("fhir.resources.R4B.questionnaireresponse").QuestionnaireResponse


def _fhir_answer(value: bool | int | str, item: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(value, str):  # a choice: the item's own coding of that option
        (option,) = [o for o in item["answerOption"] if o["valueCoding"]["code"] == value]
        return {"valueCoding": option["valueCoding"]}
    return {"valueBoolean": value} if isinstance(value, bool) else {"valueInteger": value}


def _flow(role: Role, full: Mapping[str, Value]) -> tuple[dict[str, Any], int]:
    from trustkit import fhir

    data: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "item": []}
    rounds = 0
    while True:
        data = fhir.next_question(data)
        rounds += 1
        if data["status"] == "completed":
            return data, rounds
        answered = {i["linkId"] for i in data["item"]}
        form = data["contained"][0]["item"]
        for item in [*form, *(i for g in form for i in g.get("item", []))]:
            link = item["linkId"]
            if link in answered or item["type"] == "group":
                continue
            if link == fhir.RESPONDENT_LINK_ID:
                coding = {"system": fhir.ROLE_SYSTEM, "code": role.value}
                data["item"].append({"linkId": link, "answer": [{"valueCoding": coding}]})
            elif full.get(link) is None:
                data["item"].append({"linkId": link})  # shown, and skipped
            else:
                value = full[link]
                assert value is not None
                data["item"].append({"linkId": link, "answer": [_fhir_answer(value, item)]})


@settings(max_examples=examples(25), deadline=None)
@given(st.sampled_from(list(Role)), st.data())
def test_next_question_flow_ends_at_the_full_decision_and_is_valid_fhir(
    role: Role, data: st.DataObject
) -> None:
    from trustkit import fhir

    full = data.draw(valid_answers(role, safe=data.draw(st.booleans())))
    full = {k: (min(v, 40) if type(v) is int else v) for k, v in full.items()}
    done, rounds = _flow(role, full)
    model = _fhir_response_model()
    assert model.model_validate(done).model_dump(mode="json", exclude_none=True)["contained"]
    done["authored"] = "2026-03-01T20:15:00Z"
    rec = fhir.recommend_response(done)
    expected = trustkit.decide(full, respondent=role)
    assert (rec.step.id, rec.rule_id) == (expected.step_id, expected.rule_id)
    assert rounds <= len(CORE.questions_for(role)) + 2


def test_next_question_asks_the_respondent_then_the_screen() -> None:
    from trustkit import fhir

    first = fhir.next_question({"resourceType": "QuestionnaireResponse"})
    assert first["status"] == "in-progress"
    assert first["questionnaire"] == "#trustkit-next"
    assert [i["linkId"] for i in first["contained"][0]["item"]] == [fhir.RESPONDENT_LINK_ID]
    _fhir_response_model().model_validate(first)


def test_next_question_refuses_what_is_not_a_response() -> None:
    from trustkit import fhir

    with pytest.raises(trustkit.AnswerError) as error:
        fhir.next_question({"resourceType": "Patient"})
    assert error.value.problems[0].field == "resourceType"
    bad = {
        "resourceType": "QuestionnaireResponse",
        "item": [{"linkId": "distress", "answer": [{"valueString": "SECRET-VALUE"}]}],
    }
    with pytest.raises(trustkit.AnswerError) as error:
        fhir.next_question(bad)
    assert "SECRET-VALUE" not in str(error.value)


def test_next_question_reads_now_for_a_history() -> None:
    from trustkit import fhir

    coding = {"system": fhir.ROLE_SYSTEM, "code": "partner"}
    data = {
        "resourceType": "QuestionnaireResponse",
        "authored": "2026-03-01T20:15:00Z",
        "item": [{"linkId": fhir.RESPONDENT_LINK_ID, "answer": [{"valueCoding": coding}]}],
    }
    history = (CheckIn(Role.PARTNER, {"controlled": True}, NOW - dt.timedelta(1)),)
    step = fhir.next_question(data, history=history)
    assert step["status"] == "in-progress"  # the screen is still asked in a safety period
    later = fhir.next_question(data, history=history, now=NOW)
    assert later["contained"] == step["contained"]
