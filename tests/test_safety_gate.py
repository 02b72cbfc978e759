"""Safety rules are skipped only when none of them can hold.

A compiled pack keeps the questions one of which must be answered yes for any
safety rule to hold (`yes_gate`); a check-in without such a yes does not try the
safety rules. The gate must never skip a safety rule that holds.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples
from tests.strategies import role_and_answers, valid_answers
from trustkit import AllOf, AnswerCompare, AnyOf, Condition, Not, Op, QuestionKind, Role
from trustkit._engine.compile import compiled, evaluate, yes_gate

PACK = trustkit.default_pack()
YES_NO = [q.id for q in PACK.questions if q.kind is QuestionKind.YES_NO]
OTHER = [q.id for q in PACK.questions if q.kind is not QuestionKind.YES_NO]


def conditions() -> st.SearchStrategy[Condition]:
    """Conditions mostly made of ``question = true``, with other comparisons among them."""
    yes = st.builds(AnswerCompare, st.sampled_from(YES_NO), st.just(Op.EQ), st.just(True))
    other = st.one_of(
        st.builds(AnswerCompare, st.sampled_from(YES_NO), st.sampled_from(list(Op)), st.booleans()),
        st.builds(AnswerCompare, st.sampled_from(OTHER), st.sampled_from(list(Op)), st.just(1)),
    )
    return st.recursive(
        st.one_of(yes, yes, yes, other),
        lambda inner: st.one_of(
            st.builds(AllOf, st.lists(inner, max_size=3).map(tuple)),
            st.builds(AnyOf, st.lists(inner, min_size=1, max_size=3).map(tuple)),
            st.builds(Not, inner),
        ),
        max_leaves=6,
    )


ANSWERS = st.one_of(
    valid_answers(Role.PARTNER),
    valid_answers(Role.SUPPORTER),
    st.fixed_dictionaries(
        {},
        optional={
            **{q: st.sampled_from([False, False, False, True]) for q in YES_NO},
            **{q: st.integers(0, 5) for q in OTHER},
        },
    ),
)


@pytest.mark.slow
@settings(max_examples=examples(300))
@given(st.lists(conditions(), min_size=1, max_size=4), ANSWERS)
def test_without_a_yes_at_the_gate_no_condition_holds(
    conds: list[Condition], answers: dict[str, Any]
) -> None:
    """Where the gate says no condition can hold, none does."""
    gate = yes_gate(conds)
    clean = {k: v for k, v in answers.items() if v is not None}
    if gate is not None and True not in map(clean.get, gate):
        assert not any(evaluate(cond, clean, {}) for cond in conds)


def test_the_gate_is_only_for_yes_comparisons() -> None:
    """Any other trigger, or a condition without triggers, leaves no gate."""
    yes = AnswerCompare("a", Op.EQ, True)
    assert yes_gate([yes, AnyOf((yes, AnswerCompare("b", Op.EQ, True)))]) == ("a", "b")
    assert yes_gate([yes, Not(yes)]) is None
    assert yes_gate([yes, AnswerCompare("a", Op.EQ, False)]) is None
    assert yes_gate([AnswerCompare("a", Op.NE, True)]) is None
    assert yes_gate([AnswerCompare("a", Op.EQ, 1)]) is None
    assert yes_gate([]) == ()


def test_the_bundled_safety_rules_have_a_gate_of_every_safety_question() -> None:
    """The bundled safety rules are all yes comparisons: the gate is the safety screen."""
    gate = compiled(PACK).safety_gate
    assert gate is not None
    assert set(gate) == {q.id for q in PACK.questions if q.safety}


@given(role_and_answers())
def test_the_gate_changes_no_recommendation(case: tuple[Role, dict[str, Any]]) -> None:
    """The same recommendation with the gate as with every safety rule tried."""
    role, answers = case
    pack = trustkit.default_pack()
    gated = trustkit.recommend_next_step(answers, respondent=role, pack=pack)
    c = compiled(pack)
    gate = c.safety_gate
    try:
        c.safety_gate = None
        tried = trustkit.recommend_next_step(answers, respondent=role, pack=pack)
    finally:
        c.safety_gate = gate
    assert gated == tried
    assert gated.reasons == tried.reasons
