"""The safety period read at C speed finds what a plain loop over every check-in finds.

`trustkit._engine.period.safety_period` screens the check-ins of the period
with C-level passes (a superset of the positive screens, by ``==``) and then
looks at the few candidates one by one. These properties compare it with a
plain loop written here, independently: the same period (when it began, and
the respondent's own positive screens), and the same error for bad input.
Answers of ``1``, ``1.0`` or other true values in the history are not a yes:
only ``True`` is, as `positive` says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from tests.strategies import valid_answers
from trustkit import CheckIn, ProblemCode, Role
from trustkit._engine.compile import compiled
from trustkit._engine.facts import HISTORY_WINDOW, compute
from trustkit._engine.period import ORDER, SafetyPeriod, _period_slice, recent, safety_period

PACK = trustkit.default_pack()
QUESTIONS = compiled(PACK).safety_questions
WEEKS = PACK.safety_period_weeks
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
START = NOW - dt.timedelta(weeks=WEEKS)

# Answers a history may hold for a safety question: only True is a yes; 1 == True and
# 1.0 == True, and "yes" and 2 are true values, but none of them is a positive screen.
VALUES = st.sampled_from([True, False, 1, 1.0, 0, 2, "yes", ""])


def plain(
    history: Sequence[object], today: dt.datetime, role: Role, ordered: bool
) -> tuple[dt.datetime, tuple[CheckIn, ...]] | tuple[ProblemCode, str] | None:
    """The period as a plain loop over every check-in sees it, or the problem it names."""
    start = today - dt.timedelta(weeks=WEEKS)
    since = None
    own = []
    previous = None
    for item in history:
        if not isinstance(item, CheckIn):
            return (ProblemCode.WRONG_TYPE, "CheckIn objects")
        if ordered and previous is not None and item.at < previous:
            return (ProblemCode.OUT_OF_ORDER, ORDER)
        previous = item.at
        yes = any(item.answers.get(q) is True for q in QUESTIONS)
        if start < item.at <= today and yes:
            since = item.at if since is None else min(since, item.at)
            if item.respondent is role:
                own.append(item)
    return None if since is None else (since, tuple(own))


def seen(
    history: list[Any], role: Role, ordered: bool
) -> tuple[dt.datetime, tuple[CheckIn, ...]] | tuple[ProblemCode, str] | None:
    """What `safety_period` gives, in the same shape as `plain`."""
    try:
        period = safety_period(history, NOW, role, QUESTIONS, WEEKS, ordered)
    except trustkit.AnswerError as error:
        [problem] = error.problems
        assert problem.field == "history"
        return (problem.code, problem.expected)
    return None if period is None else (period.since, period.own)


@st.composite
def histories(draw: st.DrawFn) -> list[CheckIn]:
    """Check-ins over up to three years, oldest first, with all kinds of safety answers."""
    days = draw(st.lists(st.integers(-3, 3 * 365), max_size=40))
    out = []
    for i, day in enumerate(days):
        role = draw(st.sampled_from(list(Role)))
        answers: dict[str, Any] = {"distress": draw(st.integers(1, 5))}
        for question in draw(st.lists(st.sampled_from(QUESTIONS), max_size=4)):
            answers[question] = draw(VALUES)
        # Some check-ins share a time, some fall after today (a plain loop skips them).
        at = NOW - dt.timedelta(days=day, hours=draw(st.sampled_from([0, i])))
        out.append(CheckIn(respondent=role, answers=answers, at=at))
    return sorted(out, key=lambda c: c.at)


@given(histories(), st.sampled_from(list(Role)), st.randoms())
def test_the_period_finds_the_positive_screens_a_plain_loop_finds(
    history: list[CheckIn], role: Role, random: Any
) -> None:
    """Ordered (by bisection) or not, narrowed first or not: the same period."""
    expected = plain(history, NOW, role, ordered=False)
    assert seen(history, role, ordered=True) == expected
    shuffled = random.sample(history, len(history))
    unordered = plain(shuffled, NOW, role, ordered=False)
    assert seen(shuffled, role, ordered=False) == unordered
    assert seen(list(recent(shuffled, START, HISTORY_WINDOW)), role, ordered=False) == unordered
    # The same check-ins in another order: the same start, the same own screens (in order).
    assert (unordered is None) == (expected is None)
    if unordered is not None and expected is not None:
        assert unordered[0] == expected[0]
        assert set(map(id, unordered[1])) == set(map(id, expected[1]))


@given(histories(), st.sampled_from(list(Role)), st.data())
def test_bad_history_gives_the_error_a_plain_loop_gives(
    history: list[CheckIn], role: Role, data: st.DataObject
) -> None:
    """Something not a CheckIn, or check-ins out of order, named as the plain loop names it."""
    items: list[object] = list(history)
    if data.draw(st.booleans(), label="swap two") and len(items) > 1:
        i = data.draw(st.integers(0, len(items) - 2), label="at")
        items[i], items[i + 1] = items[i + 1], items[i]
    if data.draw(st.booleans(), label="not a check-in"):
        items.insert(data.draw(st.integers(0, len(items)), label="where"), "not a check-in")
    assert seen(items, role, ordered=False) == plain(items, NOW, role, ordered=False)
    # Ordered, only the period's check-ins (and one either side), found by bisection, are read.
    try:
        read = list(_period_slice(items, START, NOW))
    except trustkit.AnswerError:
        expected: Any = (ProblemCode.WRONG_TYPE, "CheckIn objects")
    else:
        expected = plain(read, NOW, role, ordered=True)
    assert seen(items, role, ordered=True) == expected


def test_an_ordered_period_out_of_order_is_named_as_before() -> None:
    history = [
        CheckIn(Role.PARTNER, {"afraid_of_partner": True}, NOW - dt.timedelta(days=d))
        for d in (3, 9, 1)
    ]
    with pytest.raises(trustkit.AnswerError) as info:
        safety_period(history, NOW, Role.PARTNER, QUESTIONS, WEEKS, ordered=True)
    assert [(p.field, p.expected, p.code) for p in info.value.problems] == [
        ("history", ORDER, ProblemCode.OUT_OF_ORDER)
    ]


class _Odd:
    """An answer no one should store, which cannot even be compared."""

    def __eq__(self, other: object) -> bool:
        raise ValueError("no comparisons")

    __hash__ = None  # type: ignore[assignment]


@pytest.mark.parametrize("ordered", [True, False])
@pytest.mark.parametrize("extra", [0, 12])
def test_answers_that_cannot_be_compared_do_not_hide_a_positive_screen(
    ordered: bool, extra: int
) -> None:
    """The C-speed screen compares answers with True; when one cannot be compared (or hashed),
    the plain loop decides, and it asks only for True itself."""
    filler: dict[str, Any] = {f"q{n}": 3 for n in range(extra)}  # many answers, or few
    answers: dict[str, Any] = {**filler, "controlled": _Odd()}
    odd = CheckIn(Role.SUPPORTER, answers, NOW - dt.timedelta(days=9))
    yes = CheckIn(Role.PARTNER, {"afraid_of_partner": True}, NOW - dt.timedelta(days=5))
    period = safety_period([odd, yes], NOW, Role.PARTNER, QUESTIONS, WEEKS, ordered)
    assert isinstance(period, SafetyPeriod)
    assert (period.since, period.own) == (yes.at, (yes,))
    assert safety_period([odd], NOW, Role.PARTNER, QUESTIONS, WEEKS, ordered) is None


@given(st.lists(st.sampled_from(sorted(compiled(PACK).resources)), min_size=1, max_size=6))
def test_resources_for_several_topics_are_those_on_any_of_them_in_pack_order(
    topics: list[str],
) -> None:
    wanted = {*topics, "no-such-topic"}
    expected = tuple(r for r in PACK.resources if wanted.intersection(r.topics))
    assert compiled(PACK).resources_for((*topics, "no-such-topic")) == expected


def _full_compute(**kwargs: Any) -> dict[str, Any]:
    """The facts as a decision that reads them needs them: every one worked out."""
    return compute(**{**kwargs, "check_only": False})


@given(histories(), st.sampled_from(list(Role)), st.booleans(), st.data())
def test_a_safety_decision_works_out_no_fact_and_refuses_what_the_full_path_refuses(
    history: list[CheckIn], role: Role, ordered: bool, data: st.DataObject
) -> None:
    """A yes today, or this respondent's own earlier yes in the period: safety decides and
    reads no fact, so none is worked out; the history is still checked, with the same errors
    (check-ins after today, twice the same one), and the result is the same."""
    answers = data.draw(valid_answers(role), label="answers")

    def run() -> object:
        try:
            return trustkit.recommend_next_step(
                answers, respondent=role, history=history, now=NOW, history_ordered=ordered
            )
        except trustkit.AnswerError as error:
            return error.problems

    fast = run()
    with mock.patch("trustkit._engine.recommend.compute", _full_compute):
        assert run() == fast


def test_bad_boundaries_are_refused_even_when_safety_decides() -> None:
    earlier = CheckIn(Role.PARTNER, {"afraid_of_partner": True}, NOW - dt.timedelta(days=3))
    for answers, history in (({"afraid_of_partner": True}, None), ({}, [earlier])):
        with pytest.raises(trustkit.AnswerError) as info:
            trustkit.recommend_next_step(
                answers,
                history=history,
                boundaries=["not a boundary"],  # type: ignore[list-item]
                now=NOW,
            )
        assert [p.field for p in info.value.problems] == ["boundaries"]
    twice = [earlier, earlier]
    with pytest.raises(trustkit.AnswerError, match="each check-in once"):
        trustkit.recommend_next_step({}, history=twice, now=NOW)


def test_a_follow_up_counts_only_true_as_yes_as_the_screen_does() -> None:
    """A truthy answer that is not ``True`` (``1``) is not a yes in the follow-up either."""
    week_ago = NOW - dt.timedelta(weeks=1)

    def follow_up(earlier: dict[str, Any]) -> tuple[trustkit.Recommendation, trustkit.Trace]:
        history = [CheckIn(respondent=Role.PARTNER, answers=earlier, at=week_ago)]
        today = CheckIn(respondent=Role.PARTNER, answers={"distress": 2}, at=NOW)
        return (
            trustkit.recommend_next_step(today, history=history),
            trustkit.trace(today, history=history),
        )

    plain_yes = follow_up({"afraid_of_partner": True})
    with_one = follow_up({"afraid_of_partner": True, "forced_sex": 1})
    assert plain_yes[0].safety
    assert with_one == plain_yes
    assert follow_up({"afraid_of_partner": True, "forced_sex": True})[0] != plain_yes[0]
