"""The history facts, made faster for issue 19, equal trustkit 0.2's on any history.

`tests/reference_facts.py` keeps the facts code as it was before; here both
work out the facts of generated histories (both partners, any order of
times, safety periods, today's check-in in the history or not, repeated
steps) and must give the same facts, or refuse the same history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests import reference_facts
from trustkit import AnswerError, CheckIn, Role
from trustkit._engine.compile import compiled
from trustkit._engine.facts import Wanted, compute

TODAY = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)
DIMS = ("trust", "pace", "hope")
STEPS = (None, "validation", "patience", "boundaries")


def _scores(answers: Mapping[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in answers.items()}


def _step(checkin: CheckIn) -> str:
    return checkin.recommended or ""


scores = st.dictionaries(st.sampled_from(DIMS), st.integers(2, 10).map(lambda n: n / 2))
checkins = st.builds(
    CheckIn,
    respondent=st.sampled_from(Role),
    answers=st.dictionaries(st.sampled_from(DIMS), st.integers(1, 5)),
    # Mostly within the window's weeks, sometimes today itself or (wrongly) after it.
    at=st.integers(-24 * 7 * 20, 48).map(lambda h: TODAY + dt.timedelta(hours=h)),
    recommended=st.sampled_from(STEPS),
)


@settings(max_examples=300)
@given(
    role=st.sampled_from(Role),
    today_scores=scores,
    history=st.none() | st.lists(checkins, max_size=16).map(lambda h: sorted(h, key=_at)),
    current_at=st.none() | st.integers(0, 15),
    before=st.none() | st.integers(0, 24 * 7 * 20).map(lambda h: TODAY - dt.timedelta(hours=h)),
    only=st.builds(Wanted, st.booleans(), st.booleans()),
)
def test_the_facts_equal_the_reference(
    role: Role,
    today_scores: dict[str, float],
    history: list[CheckIn] | None,
    current_at: int | None,
    before: dt.datetime | None,
    only: Wanted,
) -> None:
    current = None
    if history and current_at is not None:
        current = history[current_at % len(history)]
    args: dict[str, Any] = {
        "role": role,
        "today": TODAY,
        "current": current,
        "scores": today_scores,
        "history": history,
        "score_of": _scores,
        "recommended_step": _step,
        "compare_before": before,
    }
    try:
        expected = reference_facts.compute(**args)
    except AnswerError as error:
        refused = error.problems
    else:
        assert compute(**args, boundaries=()) == expected
        # Leaving out the facts no rule reads leaves every other fact as it was.
        assert compute(**args, boundaries=(), only=only) == {
            name: value for name, value in expected.items() if _kept(name, only)
        }
        return
    with pytest.raises(AnswerError) as raised:
        compute(**args, boundaries=())
    assert raised.value.problems == refused


def _kept(name: str, only: Wanted) -> bool:
    if name == "@streak_weeks":
        return only.streak
    return only.since_first or "change_since_first." not in name


def test_a_pack_works_out_the_costlier_facts_only_when_a_rule_reads_them() -> None:
    core = trustkit.default_pack()
    assert compiled(core).facts_wanted == Wanted(streak=False, since_first=False)
    rule = trustkit.Rule(
        id="better-since-the-start",
        step="celebrate",
        priority=500,
        reason="Better since the start.",
        when=trustkit.FactCompare("change_since_first.openness", ">=", 1),
    )
    pack = attrs.evolve(core, rules=(*core.rules, rule))
    assert compiled(pack).facts_wanted == Wanted(streak=False, since_first=True)
    first = CheckIn(
        "partner", {"talk_openly": 1, "safe_to_share": 1}, TODAY - dt.timedelta(weeks=2)
    )
    middle = CheckIn(
        "partner", {"talk_openly": 2, "safe_to_share": 2}, TODAY - dt.timedelta(weeks=1)
    )
    today = {"talk_openly": 3, "safe_to_share": 3}
    rec = trustkit.recommend_next_step(today, history=[first, middle], now=TODAY, pack=pack)
    assert rec.rule_id == "better-since-the-start"
    assert trustkit.recommend_next_step(today, history=[first, middle], now=TODAY).rule_id != (
        "better-since-the-start"
    )


def _at(checkin: CheckIn) -> dt.datetime:
    return checkin.at
