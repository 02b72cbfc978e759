"""Properties of ``recommend_next_step`` over every valid and malformed check-in."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from tests.strategies import ROLES, malformed_answers, role_and_answers, valid_answers
from trustkit import AnswerError, ContentPack, Role, Urgency, Who
from trustkit._engine.compile import compile_condition, compiled, evaluate

SAFETY_QUESTIONS = [q.id for q in trustkit.default_pack().questions if q.safety]

EXPECTATIONS = {
    "a whole number from 1 to 5",
    "true or false",
    "a whole number, 0 or more",
    "a known question id",
    "a question the partner is not asked",
    "a question the supporter is not asked",
}
QUESTION_IDS = frozenset(q.id for q in trustkit.default_pack().questions)


def _without_guess(expected: str) -> str:
    """An expectation without its "did you mean", which may only name a question of the pack."""
    head, sep, guess = expected.partition(" (did you mean ")
    if sep:
        assert guess.startswith("'"), guess
        assert guess.endswith("'?)"), guess
        assert guess[1:-3] in QUESTION_IDS, guess
    return head


SCREEN_OF = {
    role: tuple(q.id for q in trustkit.default_pack().questions_for(role) if q.safety)
    for role in Role
}
SELF_HARM_IDS = frozenset({"self_harm_thoughts", "partner_self_harm"})


def answered(answers: dict[str, Any]) -> set[str]:
    return {key for key, value in answers.items() if value is not None}


@given(role_and_answers())
def test_any_valid_answers_give_a_recommendation_from_the_pack(
    case: tuple[Role, dict[str, Any]],
) -> None:
    """Every valid check-in gets a step of the pack, explained only by answered questions."""
    role, answers = case
    pack = trustkit.default_pack()
    rec = trustkit.recommend_next_step(answers, respondent=role)
    assert rec.step.id in {step.id for step in pack.steps}
    assert rec.respondent is role
    assert rec.rule_id in {rule.id for rule in pack.rules}
    assert rec.reasons
    assert all(reason.strip() for reason in rec.reasons)
    for evidence in rec.evidence:
        assert evidence.rule_id in {rule.id for rule in pack.rules}
        assert set(evidence.questions) <= answered(answers)
    assert len(rec.alternatives) <= 2
    steps = [alt.step_id for alt in rec.alternatives]
    assert rec.step.id not in steps
    assert len(set(steps)) == len(steps)
    assert (rec.pack_id, rec.pack_version) == (pack.id, pack.version)


@given(role_and_answers(), st.data())
def test_any_yes_on_the_safety_screen_gives_critical_professional_help(
    case: tuple[Role, dict[str, Any]], data: st.DataObject
) -> None:
    """A yes to any safety question wins, whatever else was answered, for either role.

    The supporter whose only yes is that their partner spoke of self-harm gets the
    supporter's crisis step; every other yes leads to professional help.
    """
    role, answers = case
    flagged = data.draw(st.lists(st.sampled_from(SCREEN_OF[role]), min_size=1, unique=True))
    answers.update(dict.fromkeys(flagged, True))
    rec = trustkit.recommend_next_step(answers, respondent=role)
    only_partner = flagged == ["partner_self_harm"]
    assert rec.step.id == ("support_in_crisis" if only_partner else "professional_help")
    assert rec.urgency is Urgency.CRITICAL
    assert rec.safety
    assert rec.alternatives == ()
    assert rec.step.actions
    assert all(a.in_crisis and a.who is not Who.BOTH for a in rec.step.actions)
    topics = {topic for resource in rec.resources for topic in resource.topics}
    if SELF_HARM_IDS & set(flagged):
        assert "crisis" in topics
    if set(flagged) - SELF_HARM_IDS:
        assert "domestic_abuse" in topics
    assert "emergency" in topics
    assert {e.questions for e in rec.evidence} >= {(q,) for q in flagged}


@given(role_and_answers(safe=True))
def test_without_a_safety_flag_no_recommendation_is_critical(
    case: tuple[Role, dict[str, Any]],
) -> None:
    """Critical urgency is kept for the safety screen."""
    role, answers = case
    rec = trustkit.recommend_next_step(answers, respondent=role)
    assert not rec.safety
    assert rec.urgency is not Urgency.CRITICAL


@given(malformed_answers())
def test_malformed_answers_raise_answer_error_naming_each_question_never_the_value(
    case: tuple[Role, dict[Any, Any], set[str]],
) -> None:
    """Any planted fault gives AnswerError naming the question and never repeating a value.

    Unless a readable answer is a safety yes: help comes first, with the same problems beside it.
    """
    role, answers, planted = case
    yes = any(answers.get(q) is True for q in SAFETY_QUESTIONS)
    if yes:
        rec = trustkit.recommend_next_step(answers, respondent=role)
        assert rec.safety
        assert {p.field for p in rec.problems} == planted
        return
    with pytest.raises(AnswerError) as info:
        trustkit.recommend_next_step(answers, respondent=role)
    error = info.value
    assert isinstance(error, ValueError)
    assert {p.field for p in error.problems} == planted
    # The message is built from question ids and fixed descriptions only, so no value
    # given can appear in it.
    assert {_without_guess(p.expected) for p in error.problems} <= EXPECTATIONS
    listed = "; ".join(f"{p.field}: {p.expected}" for p in error.problems)
    assert str(error).endswith(f"in the check-in: {listed}")


@given(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers())), ROLES)
def test_answers_that_are_not_a_mapping_raise_answer_error(value: object, role: Role) -> None:
    """Anything but a mapping or a CheckIn is rejected with a typed error."""
    with pytest.raises(AnswerError, match="answers"):
        trustkit.recommend_next_step(value, respondent=role)  # type: ignore[arg-type]


@given(st.text().filter(lambda r: r not in {"partner", "supporter"}))
def test_an_unknown_respondent_raises_answer_error(respondent: str) -> None:
    """The respondent must be one of the two roles."""
    with pytest.raises(AnswerError, match="respondent"):
        trustkit.recommend_next_step({}, respondent=respondent)


@pytest.mark.slow
@given(role_and_answers())
def test_the_same_input_gives_the_same_output(case: tuple[Role, dict[str, Any]]) -> None:
    """Recommendations are deterministic, also across a pickled copy of the pack."""
    role, answers = case
    first = trustkit.recommend_next_step(answers, respondent=role)
    again = trustkit.recommend_next_step(dict(reversed(list(answers.items()))), respondent=role)
    copy: ContentPack = pickle.loads(pickle.dumps(trustkit.default_pack()))
    from_copy = trustkit.recommend_next_step(answers, respondent=role, pack=copy)
    assert first == again == from_copy


@given(role_and_answers())
def test_compiled_conditions_agree_with_the_reference_evaluator(
    case: tuple[Role, dict[str, Any]],
) -> None:
    """Every compiled predicate gives the same answer as evaluating the condition directly."""
    _, answers = case
    clean = {k: v for k, v in answers.items() if v is not None}
    c = compiled(trustkit.default_pack())
    scores = c.score(clean)
    for rule in trustkit.default_pack().rules:
        assert compile_condition(rule.when)(clean, scores) == evaluate(rule.when, clean, scores)


@given(valid_answers(Role.PARTNER))
def test_a_checkin_and_its_answers_give_the_same_recommendation(
    answers: dict[str, Any],
) -> None:
    """Passing a CheckIn is the same as passing its answers and respondent."""
    import datetime as dt

    checkin = trustkit.CheckIn(
        respondent="partner", answers=answers, at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    )
    assert trustkit.recommend_next_step(checkin) == trustkit.recommend_next_step(answers)
