"""The decision-only path: `trustkit.decide` is `recommend_next_step` without the texts.

Both are decided by the same function (``_engine.decide.verdict``); these
properties hold the public results to it: for any input, valid, unsafe or
malformed, with or without a history or a state, under any pack, ``decide``
gives the matching fields of the recommendation, or raises the same error.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples, unchecked
from tests.strategies import malformed_answers, role_and_answers, valid_answers
from tests.test_scale import packs
from tests.test_state import fold, histories
from trustkit import CheckIn, Decision, Recommendation, Role, TrustkitError


def expected(rec: Recommendation) -> Decision:
    return Decision(
        step_id=rec.step.id,
        rule_id=rec.rule_id,
        urgency=rec.urgency,
        safety=rec.safety,
        respondent=rec.respondent,
        pack_id=rec.pack_id,
        pack_version=rec.pack_version,
        problems=rec.problems,
    )


def both(answers: object, **keywords: Any) -> tuple[object, object]:
    """What each path gives: a result, or the error's type, text and problems."""
    out: list[object] = []
    calls: list[Callable[..., Any]] = [trustkit.recommend_next_step, trustkit.decide]
    for call in calls:
        try:
            got = call(answers, **keywords)
            out.append(expected(got) if isinstance(got, Recommendation) else got)
        except TrustkitError as error:
            out.append((type(error), str(error), getattr(error, "problems", None)))
    return out[0], out[1]


@st.composite
def any_answers(draw: st.DrawFn) -> tuple[Role, dict[Any, Any]]:
    if draw(st.booleans()):
        role, answers, _planted = draw(malformed_answers())
        return role, answers
    return draw(role_and_answers(safe=draw(st.booleans())))


@settings(max_examples=examples(300), deadline=None)
@given(
    any_answers(),
    st.sampled_from([None, "GB", "au", "MX", "UK"]),
    st.sampled_from([None, "es", "xx-not a tag"]),
)
def test_decide_equals_the_recommendation_for_any_answers(
    case: tuple[Role, dict[Any, Any]], country: str | None, locale: str | None
) -> None:
    role, answers = case
    recommended, decided = both(answers, respondent=role, country=country, locale=locale)
    assert decided == recommended


@settings(max_examples=examples(60), deadline=None)
@given(histories())
def test_decide_equals_the_recommendation_with_a_history_or_a_state(
    case: tuple[list[CheckIn], CheckIn],
) -> None:
    history, today = case
    assert trustkit.decide(today, history=history) == expected(
        trustkit.recommend_next_step(today, history=history)
    )
    state = fold(history)
    assert trustkit.decide(today, state=state) == expected(
        trustkit.recommend_next_step(today, state=state)
    )


@settings(
    max_examples=examples(100), deadline=None, suppress_health_check=unchecked(HealthCheck.too_slow)
)
@given(packs(), st.data())
def test_decide_equals_the_recommendation_under_any_pack(
    pack: trustkit.ContentPack, data: st.DataObject
) -> None:
    """Random rules (answers, scores, all/any/not, sometimes no catch-all: NoStepError)."""
    role = data.draw(st.sampled_from(list(Role)))
    answers = data.draw(valid_answers(role, pack=pack, safe=data.draw(st.booleans())))
    recommended, decided = both(answers, respondent=role, pack=pack)
    assert decided == recommended


def test_a_decision_holds_no_answers_and_pickles() -> None:
    decided = trustkit.decide({"feels_heard": 1, "promises_kept": 2})
    assert decided == pickle.loads(pickle.dumps(decided))
    assert "feels_heard" not in repr(decided)
    assert decided.urgency is trustkit.Urgency.INFO


def test_a_yes_now_is_decided_first_and_the_problem_reported_beside_it() -> None:
    decided = trustkit.decide({"self_harm_thoughts": True, "feels_heard": 0}, country="UK")
    assert decided.safety
    assert decided.urgency is trustkit.Urgency.CRITICAL
    assert {p.field for p in decided.problems} == {"feels_heard", "country"}
