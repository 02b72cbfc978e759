"""The carried state: one fold of a couple's past, the same answer as the history it came from.

Issue 18: a yes now is answered first, whatever else is wrong; a history in any
order, with duplicates, future dates or dates in year 1 never loses a disclosure;
the steps actually given (never a withheld one) make the repeats; a safety period
ends only after the discloser answers the screen with no again.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples
from tests.strategies import valid_answers
from trustkit import AnswerError, CheckIn, CoupleState, ProblemCode, Role

PACK = trustkit.default_pack()
T0 = dt.datetime(2026, 1, 5, 20, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(weeks=1)
SCREEN = {role: [q.id for q in PACK.questions_for(role) if q.safety] for role in Role}
HIGH_RISK = [q.id for q in PACK.questions if q.high_risk]


def at(weeks: float) -> dt.datetime:
    return T0 + dt.timedelta(weeks=weeks)


def fold(history: list[CheckIn]) -> CoupleState:
    state = CoupleState()
    for checkin in sorted(history, key=lambda c: c.at):
        state = trustkit.advance(state, checkin)
    return state


def no_to_all(role: Role, **more: Any) -> dict[str, Any]:
    return {**dict.fromkeys(SCREEN[role], False), **more}


# ----------------------------------------------------------------- history == folded state


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[CheckIn], CheckIn]:
    """A couple's history in any order, with gaps, repeats and safety yeses; and today."""
    n = draw(st.integers(min_value=0, max_value=14))
    weeks = sorted(draw(st.lists(st.integers(0, 120), min_size=n, max_size=n, unique=True)))
    history = []
    for w in weeks:
        role = draw(st.sampled_from(list(Role)))
        answers = draw(valid_answers(role, safe=draw(st.integers(0, 5)) > 0))
        stored = draw(st.sampled_from([None, None, "validation", "educate"]))
        history.append(CheckIn(role, answers, at(w), recommended=stored))
    today_role = draw(st.sampled_from(list(Role)))
    today = CheckIn(today_role, draw(valid_answers(today_role)), at(121))
    return draw(st.permutations(history)), today


@settings(max_examples=examples(60), deadline=None)
@given(histories())
def test_a_history_and_the_state_folded_from_it_give_equal_results(
    case: tuple[list[CheckIn], CheckIn],
) -> None:
    history, today = case
    from_history = trustkit.recommend_next_step(today, history=history)
    from_state = trustkit.recommend_next_step(today, state=fold(history))
    assert from_history == from_state
    # And the order the app promised does not matter any more.
    promised = trustkit.recommend_next_step(today, history=history[::-1], history_ordered=True)
    assert promised == from_history


def test_a_newest_first_history_marked_ordered_keeps_the_disclosure() -> None:
    """Issue 18: history_ordered=True with a newest-first history forgot a disclosure."""
    history = [CheckIn("partner", {"feels_heard": 3}, at(w)) for w in range(1, 20)] + [
        CheckIn("partner", {"afraid_of_partner": True}, at(0))
    ]
    today = CheckIn("partner", {"feels_heard": 1}, at(21))
    for order in (history, history[::-1]):
        rec = trustkit.recommend_next_step(today, history=order, history_ordered=True)
        assert rec.safety
        assert rec.rule_id == "safety-abuse"
        other = CheckIn("supporter", {"safe_to_share": 1}, at(21))
        assert not trustkit.recommend_next_step(other, history=order).safety


# ------------------------------------------------------------------ a yes now comes first


SELF_HARM = {"self_harm_thoughts": True}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"answers": {**SELF_HARM, "feels_heard": 0}}, "feels_heard"),
        ({"answers": {**SELF_HARM, "nope": 1}}, "nope"),
        ({"answers": SELF_HARM, "country": "UK"}, "country"),
        ({"answers": SELF_HARM, "locale": "not a tag!"}, "locale"),
        ({"answers": SELF_HARM, "respondent": "nobody"}, "respondent"),
        ({"answers": SELF_HARM, "now": "today"}, "now"),
        ({"answers": SELF_HARM, "history": 3, "now": T0}, "history"),
        ({"answers": SELF_HARM, "state": "state", "now": T0}, "state"),
        (
            {"answers": SELF_HARM, "history": [CheckIn("partner", {}, at(5))], "now": T0},
            "history",
        ),
        (
            {"answers": SELF_HARM, "history": [CheckIn("partner", {}, T0), 3], "now": at(1)},
            "history",
        ),
        ({"answers": SELF_HARM, "history": [], "state": CoupleState(), "now": T0}, "history"),
        ({"answers": SELF_HARM, "history": ()}, "now"),
    ],
)
def test_a_yes_now_is_answered_with_help_whatever_else_is_wrong(
    kwargs: dict[str, Any], field: str
) -> None:
    answers = kwargs.pop("answers")
    rec = trustkit.recommend_next_step(answers, **kwargs)
    assert rec.safety
    assert rec.rule_id == "safety-self-harm"
    assert rec.resources
    assert "crisis" in {t for r in rec.resources for t in r.topics}
    assert field in {p.field for p in rec.problems}
    # Without the yes, the same input is an error, as before.
    with pytest.raises(AnswerError):
        trustkit.recommend_next_step({**answers, "self_harm_thoughts": False}, **kwargs)


def test_a_history_reaching_back_to_year_one_is_no_overflow() -> None:
    old = CheckIn("partner", {"afraid_of_partner": True}, dt.datetime(1, 1, 1, tzinfo=dt.UTC))
    today = CheckIn("partner", {"feels_heard": 2}, dt.datetime(1, 1, 8, tzinfo=dt.UTC))
    assert trustkit.recommend_next_step(today, history=[old]).safety
    assert trustkit.recommend_next_step(today, state=fold([old])).safety
    late = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
    assert trustkit.recommend_next_step(CheckIn("partner", SELF_HARM, late), history=[old]).safety


def test_a_state_newer_than_today_is_reported_beside_the_help() -> None:
    state = fold([CheckIn("partner", {"feels_heard": 3}, at(5))])
    rec = trustkit.recommend_next_step(CheckIn("partner", SELF_HARM, at(1)), state=state)
    assert rec.safety
    assert [p.code for p in rec.problems] == [ProblemCode.OUT_OF_ORDER]
    with pytest.raises(AnswerError, match="state"):
        trustkit.recommend_next_step(CheckIn("partner", {"feels_heard": 3}, at(1)), state=state)


def test_a_state_of_an_unknown_format_is_refused_clearly() -> None:
    state = attrs.evolve(CoupleState(), format=99)
    with pytest.raises(AnswerError, match="format 1") as caught:
        trustkit.recommend_next_step({"feels_heard": 3}, state=state, now=T0)
    assert caught.value.problems[0].code is ProblemCode.INCOMPATIBLE


# ------------------------------------------------------------------------------- advance


def test_advance_refuses_an_older_check_in_and_a_second_at_the_same_time() -> None:
    state = fold([CheckIn("partner", {"feels_heard": 3}, at(5))])
    with pytest.raises(AnswerError, match="oldest first") as caught:
        trustkit.advance(state, CheckIn("partner", {"afraid_of_partner": True}, at(1)))
    assert "afraid" not in str(caught.value)
    with pytest.raises(AnswerError, match="once") as twice:
        trustkit.advance(state, CheckIn("partner", {"feels_heard": 1}, at(5)))
    assert twice.value.problems[0].code is ProblemCode.DUPLICATE
    same = trustkit.advance(state, CheckIn("partner", {"feels_heard": 3}, at(5)))
    assert same is state
    with pytest.raises(AnswerError, match="CoupleState"):
        trustkit.advance("state", CheckIn("partner", {}, T0))  # type: ignore[arg-type]
    with pytest.raises(AnswerError, match="CheckIn"):
        trustkit.advance(state, {"feels_heard": 3})  # type: ignore[arg-type]


def test_advance_takes_the_step_that_was_shown() -> None:
    checkin = CheckIn("partner", {"feels_heard": 1}, T0)
    rec = trustkit.recommend_next_step(checkin, state=CoupleState())
    state = trustkit.advance(CoupleState(), checkin, rec)
    assert state.recent[-1].recommended == rec.step.id == "validation"
    assert state.newest == T0


def test_the_state_is_bounded_serialisable_and_hides_what_was_said() -> None:
    history = []
    for n in range(3000):
        role = Role.PARTNER if n % 2 else Role.SUPPORTER
        answers = no_to_all(role, feels_heard=1 + n % 5) if n % 7 else {"feels_heard": 2}
        history.append(CheckIn(role, answers, T0 + dt.timedelta(days=n), recommended="educate"))
    history.append(CheckIn("partner", {"choked_or_strangled": True}, T0 + dt.timedelta(days=3001)))
    state = fold(history)
    data = trustkit.converter.unstructure(state)
    text = json.dumps(data)
    assert len(text) < 8000
    assert trustkit.converter.structure(json.loads(text), CoupleState) == state
    assert pickle.loads(pickle.dumps(state)) == state
    for shown in (repr(state), str(state)):
        assert "choked" not in shown
        assert "Disclosure" not in shown
        assert "feels_heard" not in shown
    assert repr(state.disclosures[0]) == "<Disclosure hidden>"


# ------------------------------------------------------------------------- the period


def test_the_period_ends_only_after_a_no_after_the_minimum_time() -> None:
    yes = CheckIn("partner", {"afraid_of_partner": True}, at(0))
    calm = no_to_all(Role.PARTNER, feels_heard=4)
    # 60 weeks on, without a check-in since: still open (the calendar alone never ends it).
    assert trustkit.recommend_next_step(CheckIn("partner", calm, at(60)), history=[yes]).safety
    # A no before the minimum time does not end it.
    early = CheckIn("partner", calm, at(30))
    assert trustkit.recommend_next_step(
        CheckIn("partner", calm, at(60)), history=[yes, early]
    ).safety
    # A no after the minimum time does, from the next check-in on.
    cleared = CheckIn("partner", calm, at(53))
    rec = trustkit.recommend_next_step(CheckIn("partner", calm, at(54)), history=[yes, cleared])
    assert not rec.safety
    # A partly answered screen is not a no.
    partly = CheckIn("partner", {"afraid_of_partner": False}, at(53))
    assert trustkit.recommend_next_step(
        CheckIn("partner", calm, at(54)), history=[yes, partly]
    ).safety


@pytest.mark.parametrize("question", HIGH_RISK)
def test_the_highest_risk_markers_keep_the_period_open_twice_as_long(question: str) -> None:
    yes = CheckIn("partner", {question: True}, at(0))
    calm = no_to_all(Role.PARTNER, feels_heard=4)
    after_a_year = [yes, CheckIn("partner", calm, at(53))]
    assert trustkit.recommend_next_step(
        CheckIn("partner", calm, at(54)), history=after_a_year
    ).safety
    after_two = [yes, CheckIn("partner", calm, at(105))]
    assert not trustkit.recommend_next_step(
        CheckIn("partner", calm, at(106)), history=after_two
    ).safety


def test_repeats_in_a_safety_period_count_only_steps_given_before_it() -> None:
    """Issue 18: a withheld couples step was counted as given (professional-help-stuck)."""
    disclosure = CheckIn("partner", {"afraid_of_partner": True}, at(0))
    worried = {"safe_to_share": 1, "talk_openly": 1}
    for stored in (False, True):
        history = [disclosure]
        for week in range(1, 5):
            today = CheckIn("supporter", worried, at(week))
            rec = trustkit.recommend_next_step(today, history=history)
            assert rec.rule_id != "professional-help-stuck"
            assert not rec.safety
            step = rec.step.id if stored else None
            history.append(attrs.evolve(today, recommended=step))
        assert trustkit.recommend_next_step(
            CheckIn("supporter", worried, at(6)), state=fold(history)
        ) == trustkit.recommend_next_step(CheckIn("supporter", worried, at(6)), history=history)


def test_a_duplicate_with_a_yes_is_remembered_and_reported() -> None:
    first = CheckIn("partner", {"feels_heard": 3}, at(0))
    twin = CheckIn("partner", {"afraid_of_partner": True}, at(0))
    today = CheckIn("partner", {"feels_heard": 1}, at(1))
    rec = trustkit.recommend_next_step(today, history=[first, twin])
    assert rec.safety
    assert [p.code for p in rec.problems] == [ProblemCode.DUPLICATE]
    result = trustkit.batch(
        [
            {"id": "a", "couple": "c", **_record(first)},
            {"id": "b", "couple": "c", **_record(twin)},
            {"id": "c", "couple": "c", **_record(today)},
        ]
    )
    assert result.safety == (False, True, True)


def test_a_stored_yes_with_broken_answers_is_still_remembered_by_batch() -> None:
    broken = CheckIn("partner", {"afraid_of_partner": True, "feels_heard": 0}, at(0))
    today = CheckIn("supporter", {"safe_to_share": 1, "talk_openly": 1}, at(1))
    single = trustkit.recommend_next_step(today, history=[broken])
    records = [{"id": n, "couple": "c", **_record(c)} for n, c in enumerate([broken, today])]
    result = trustkit.batch(records)
    assert result.safety == (True, False)
    assert result.step_id[1] == single.step.id
    assert result.rule_id[1] == single.rule_id


def _record(checkin: CheckIn) -> dict[str, Any]:
    return {
        "respondent": checkin.respondent.value,
        "answers": dict(checkin.answers),
        "at": checkin.at.isoformat(),
    }


def test_a_safety_result_with_problems_pickles_and_traces() -> None:
    rec = trustkit.recommend_next_step({**SELF_HARM, "feels_heard": 0})
    assert pickle.loads(pickle.dumps(rec)) == rec
    t = trustkit.trace({**SELF_HARM, "feels_heard": 0})
    assert t.recommendation == rec
    decided = [e.rule_id for e in t.rules if e.outcome is trustkit.RuleOutcome.DECIDED]
    assert decided == ["safety-self-harm"]
    assert all(e.held is None for e in t.rules if e.rule_id != "safety-self-harm")


def test_a_state_that_already_holds_today_gives_the_same_result() -> None:
    history = [CheckIn("partner", {"feels_heard": 1 + n % 5}, at(n)) for n in range(14)]
    before = fold(history)
    today = CheckIn("partner", {"feels_heard": 2}, at(15))
    after = trustkit.advance(before, today)
    assert trustkit.recommend_next_step(today, state=after) == trustkit.recommend_next_step(
        today, state=before
    )
    other = CheckIn("partner", {"feels_heard": 4}, at(15))
    with pytest.raises(AnswerError, match="once") as caught:
        trustkit.recommend_next_step(other, state=after)
    assert caught.value.problems[0].code is ProblemCode.DUPLICATE


# ------------------------------------------------------------------------ recommend_many


@settings(max_examples=examples(30), deadline=None)
@given(histories(), st.integers(0, 14))
def test_recommend_many_with_a_state_equals_single_calls_with_the_history_so_far(
    case: tuple[list[CheckIn], CheckIn], split: int
) -> None:
    history, today = case
    ordered = sorted(history, key=lambda c: c.at)
    earlier, stream = ordered[:split], [*ordered[split:], today]
    expected = [
        trustkit.recommend_next_step(c, history=[*earlier, *stream[:n]])
        for n, c in enumerate(stream)
    ]
    assert list(trustkit.recommend_many(stream, state=fold(earlier))) == expected
    assert list(trustkit.recommend_many(iter(stream), history=earlier)) == expected


def test_recommend_many_for_a_couple_answers_a_yes_first_and_reports_disorder() -> None:
    late = CheckIn("partner", {"feels_heard": 3}, at(5))
    early = CheckIn("partner", {"afraid_of_partner": True}, at(1))
    then = CheckIn("partner", {"feels_heard": 4}, at(6))
    results = trustkit.recommend_many([late, early, then], state=CoupleState())
    assert not next(results).safety
    assert next(results).safety  # the yes is answered, though it came out of order
    with pytest.raises(AnswerError, match="oldest first"):
        next(results)
    last = trustkit.recommend_many([late, early], history=[], locale="es")
    assert [r.locale for r in itertools.islice(last, 2)] == ["es", "es"]
    with pytest.raises(AnswerError, match="oldest first"):
        next(last)
    odd = list(trustkit.recommend_many([SELF_HARM], history=[3]))  # type: ignore[list-item]
    assert odd[0].safety
    assert {p.field for p in odd[0].problems} == {"history", "now"}


def test_a_past_check_ins_scores_are_kept_by_identity() -> None:
    """past_scores equals score_all; it keeps a check-in's scores, never a plain dict's."""
    from unittest import mock

    from trustkit._engine import compile as compile_module

    c = compile_module.compiled(trustkit.default_pack())
    at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    first = CheckIn("partner", {"feels_heard": 2, "promises_kept": 4}, at)
    second = CheckIn("partner", {"feels_heard": 5}, at)
    scores = c.past_scores(first.answers)
    assert scores == c.score_all(first.answers)
    assert c.past_scores(first.answers) is scores
    plain = dict(first.answers)
    assert c.past_scores(plain) == scores
    assert c.past_scores(plain) is not c.past_scores(plain)  # a dict may change: never kept
    # Another object under the same id (after the first was freed) is scored afresh.
    c._past[id(second.answers)] = (first.answers, dict(scores))
    assert c.past_scores(second.answers) == c.score_all(second.answers) != scores
    with mock.patch.object(compile_module, "_MAX_PAST", 1):
        third = CheckIn("partner", {"feels_heard": 3}, at)
        c.past_scores(third.answers)
        assert list(c._past) == [id(third.answers)]


@attrs.frozen
class _NotedCheckIn(CheckIn):
    """A check-in an app extends (a subclass is kept through the usual attrs.evolve)."""


@pytest.mark.parametrize("kind", [CheckIn, _NotedCheckIn])
def test_the_state_keeps_each_check_in_with_the_step_it_got(kind: type[CheckIn]) -> None:
    """Folded in, a check-in keeps its answers, time and respondent and gains its step."""
    at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    checkin = kind("partner", {"feels_heard": 1}, at)
    state = trustkit.advance(CoupleState(), checkin)
    (kept,) = state.recent
    assert type(kept) is kind
    assert kept.recommended == trustkit.recommend_next_step(checkin).step.id
    assert attrs.evolve(kept, recommended=None) == checkin
