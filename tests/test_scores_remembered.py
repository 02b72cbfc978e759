"""Today's scores are kept for a check-in's later use (issue 19): they must be `score_all`'s.

`verdict` passes the scores of a check-in whose answers all fit their questions to
`CompiledPack.remember_scores`, and a later check-in's facts read them through
`past_scores` instead of scoring the check-in again. That is right only if the
scores of what `_checked` keeps always equal `score_all` of the check-in's own
answers, for any answers `_checked` accepts, odd values included.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples
from trustkit import CheckIn, Role
from trustkit._engine.compile import compiled
from trustkit._engine.decide import _checked
from trustkit.errors import AnswerError

AT = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)
CORE = trustkit.default_pack()
ODD = st.one_of(
    st.integers(-2, 8), st.floats(0, 6), st.booleans(), st.just("3"), st.none(), st.just(3.0)
)


@st.composite
def answers(draw: st.DrawFn) -> tuple[Role, dict[str, Any]]:
    role = draw(st.sampled_from(list(Role)))
    chosen = draw(st.sets(st.sampled_from([q.id for q in CORE.questions_for(role)])))
    return role, {q: draw(ODD) for q in sorted(chosen)}


@given(answers())
@settings(max_examples=examples(300))
def test_the_scores_kept_are_score_all_of_the_answers(given_answers: tuple[Role, Any]) -> None:
    role, data = given_answers
    c = compiled(CORE)
    checkin = CheckIn(role, data, AT)
    try:
        clean, _ = _checked(c, role, checkin.answers)
    except AnswerError:
        return  # not kept: only a check-in whose answers all fit is remembered
    assert c.score_checked(clean) == c.score_all(checkin.answers)


def test_a_decision_with_a_state_keeps_todays_scores_for_later() -> None:
    c = compiled(CORE)
    checkin = CheckIn("partner", {"feels_heard": 2, "promises_kept": 4}, AT)
    assert id(checkin.answers) not in c._past
    trustkit.decide(checkin, state=trustkit.CoupleState())
    assert c._past[id(checkin.answers)][0] is checkin.answers  # kept by the decision itself
    kept = c.past_scores(checkin.answers)
    assert kept is c._past[id(checkin.answers)][1]  # remembered, not scored again
    assert kept == c.score_all(checkin.answers)
    # Answers that are not a check-in's own are scored each time and never kept.
    plain = dict(checkin.answers)
    assert c.past_scores(plain) == kept
    c.remember_scores(plain, {})
    assert c.past_scores(plain) == kept
