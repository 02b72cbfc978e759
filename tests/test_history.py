"""Progress over time: a twelve-week story, facts from history and boundaries, and properties."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples
from tests.strategies import valid_answers
from trustkit import AnswerError, Boundary, CheckIn, Role, Urgency
from trustkit._engine.compile import compiled
from trustkit._engine.facts import HISTORY_WINDOW, compute

START = dt.datetime(2026, 3, 2, 20, 0, tzinfo=dt.UTC)  # a Monday evening
WEEK_5 = START + dt.timedelta(weeks=4)


def week(n: int, days: int = 0) -> dt.datetime:
    return START + dt.timedelta(weeks=n - 1, days=days)


# The partner's usual answers in a calm week; each week below changes a few.
STEADY: dict[str, Any] = {
    "feels_rushed": 2,
    "promises_kept": 4,
    "safe_to_share": 4,
    "talk_openly": 4,
    "feels_heard": 3,
    "boundaries_clear": 4,
    "distress": 3,
    "stuck": 2,
    "progress_noticed": 3,
    "hopeful": 3,
    "missed_commitments": 0,
    "afraid_of_partner": False,
    "controlled": False,
    "hurt_or_threatened": False,
    "choked_or_strangled": False,
    "threat_to_kill_or_weapon": False,
    "forced_sex": False,
    "self_harm_thoughts": False,
}


@dataclass(frozen=True)
class Week:
    """One week of the story: what Maya (the partner) answered, and what should come next."""

    number: int
    story: str
    changes: dict[str, Any]
    step: str
    reason: str  # a phrase the reasons must contain
    urgency: Urgency = Urgency.INFO
    supporter: dict[str, Any] | None = None  # Sam's check-in, the day before
    boundary_events: list[str] = field(default_factory=list)


STORY = [
    Week(
        1,
        "First check-in. Maya feels pushed to trust faster than she can.",
        {"feels_rushed": 4},
        "patience",
        "only at the start",
    ),
    Week(
        2,
        "She says her feelings get brushed aside.",
        {"feels_heard": 2, "feelings_dismissed": 4},
        "validation",
        "taken seriously",
    ),
    Week(
        3,
        "Still brushed aside.",
        {"feels_heard": 2, "feelings_dismissed": 4},
        "validation",
        "taken seriously",
    ),
    Week(
        4,
        "And again.",
        {"feels_heard": 2, "feelings_dismissed": 4},
        "validation",
        "taken seriously",
    ),
    Week(
        5,
        "A fourth week of the same, with no change: time for outside help.",
        {"feels_heard": 2, "feelings_dismissed": 4},
        "professional_help",
        "three check-ins in a row",
        Urgency.WARNING,
    ),
    Week(
        6,
        "After two sessions with a counsellor, she feels heard.",
        {"feels_heard": 4, "feelings_dismissed": 2},
        "celebrate",
        "went from 2 to 4 since 30 March",
    ),
    Week(
        7,
        "Sam thinks they talk openly; Maya does not feel safe raising worries.",
        {"feels_heard": 4, "feelings_dismissed": 2, "safe_to_share": 2, "talk_openly": 2},
        "communication",
        "quite differently",
        supporter={"safe_to_share": 5, "talk_openly": 5, "promises_kept": 4, "hopeful": 4},
        boundary_events=["propose", "agree"],
    ),
    Week(
        8,
        "The phone boundary they agreed on was crossed midweek.",
        {"feels_heard": 4, "feelings_dismissed": 2},
        "boundaries",
        "marked as crossed",
        Urgency.WARNING,
        boundary_events=["cross"],
    ),
    Week(
        9,
        "They talked it through; she notices things getting a little better.",
        {"feels_heard": 4, "feelings_dismissed": 2, "progress_noticed": 4},
        "celebrate",
        "Something got better",
        boundary_events=["review"],
    ),
    Week(
        10,
        "A busy fortnight: two things they had agreed to do did not get done.",
        {"feels_heard": 4, "feelings_dismissed": 2, "progress_noticed": 4, "missed_commitments": 2},
        "consistency",
        "Promises have not been kept",
    ),
    Week(
        11,
        "Calmer again; the boundary is due for its review.",
        {"feels_heard": 4, "feelings_dismissed": 2},
        "boundaries",
        "due for a review",
    ),
    Week(
        12,
        "Hope is up after a good month.",
        {"feels_heard": 4, "feelings_dismissed": 2, "hopeful": 5},
        "celebrate",
        "progress and hope went from 3 to 4 since 11 May",
    ),
]


def _boundary(events: list[str], current: Boundary | None, n: int) -> Boundary | None:
    for event in events:
        at = week(n, days=-2)
        if event == "propose":
            current = Boundary.propose(
                "phones",
                "We don't go through each other's phones",
                by="supporter",
                at=at,
                review_on=week(11).date(),
            )
        elif event == "agree":
            assert current is not None
            current = current.agree(by="partner", at=at + dt.timedelta(hours=1))
        elif event == "cross":
            assert current is not None
            current = current.cross(at=at, by="supporter")
        else:
            assert current is not None
            current = current.review(at=at)
    return current


def test_the_twelve_week_story() -> None:
    """Each week's step and reason follow the couple's story, as an app would run it."""
    history: list[CheckIn] = []
    boundary: Boundary | None = None
    for w in STORY:
        boundary = _boundary(w.boundary_events, boundary, w.number)
        boundaries = () if boundary is None else (boundary,)
        if w.supporter is not None:
            at = week(w.number, days=-1)
            sam = CheckIn(respondent="supporter", answers=w.supporter, at=at)
            rec = trustkit.recommend_next_step(sam, history=history, boundaries=boundaries)
            history.append(
                CheckIn(respondent="supporter", answers=w.supporter, at=at, recommended=rec.step.id)
            )
        answers = {**STEADY, **w.changes}
        today = CheckIn(respondent="partner", answers=answers, at=week(w.number))
        rec = trustkit.recommend_next_step(today, history=history, boundaries=boundaries)
        assert (w.number, rec.step.id, rec.urgency) == (w.number, w.step, w.urgency), rec.rule_id
        assert any(w.reason in reason for reason in rec.reasons), (w.number, rec.reasons)
        if w.supporter is not None:
            # The gap is named, but neither partner's answers are quoted to the other.
            gap = next(r for r in rec.reasons if "quite differently" in r)
            assert "5" not in gap
            assert "out of 5" not in gap
        history.append(
            CheckIn(
                respondent="partner", answers=answers, at=week(w.number), recommended=rec.step.id
            )
        )


def test_the_story_without_stored_steps_recomputes_them() -> None:
    """Check-ins without 'recommended' get their step worked out from their answers."""
    history = [
        CheckIn(
            respondent="partner",
            answers={**STEADY, "feels_heard": 2, "feelings_dismissed": 4},
            at=week(n),
        )
        for n in (1, 2, 3)
    ]
    today = CheckIn(
        respondent="partner",
        answers={**STEADY, "feels_heard": 2, "feelings_dismissed": 4},
        at=week(4),
    )
    rec = trustkit.recommend_next_step(today, history=history)
    assert rec.rule_id == "professional-help-stuck"
    # The same again hits the cache of recomputed steps, with the same result.
    assert trustkit.recommend_next_step(today, history=history) == rec


def test_facts_from_history_in_spanish() -> None:
    """Dates and sentences follow the pack's locale."""
    before = CheckIn(
        respondent="partner", answers={"hopeful": 2, "progress_noticed": 2}, at=week(1)
    )
    today = CheckIn(respondent="partner", answers={"hopeful": 4, "progress_noticed": 4}, at=week(2))
    rec = trustkit.recommend_next_step(today, history=[before], locale="es")
    assert rec.step.id == "celebrate"
    assert any("desde el 2 de marzo" in reason for reason in rec.reasons)


# ------------------------------------------------------------------ facts, one by one


def facts_for(
    role: Role,
    today: dict[str, Any],
    history: list[CheckIn],
    boundaries: tuple[Boundary, ...] = (),
    at: dt.datetime = START + dt.timedelta(weeks=4),
) -> dict[str, Any]:
    c = compiled(trustkit.default_pack())
    return compute(
        role=role,
        today=at,
        current=None,
        scores=c.score_all(today),
        history=history,
        boundaries=boundaries,
        score_of=c.score_all,
        recommended_step=lambda _: "educate",
    )


def test_journey_facts_count_the_window_and_the_weekly_streak() -> None:
    """Check-ins, weeks since the first and the weekly streak, over the window."""
    history = [CheckIn(respondent="partner", answers={}, at=week(n)) for n in (1, 3, 4)]
    facts = facts_for(Role.PARTNER, {}, history)
    assert facts["@checkins"] == 4
    assert facts["@weeks_since_first"] == 4
    assert facts["@streak_weeks"] == 3  # weeks 5, 4 and 3; week 2 is missing
    assert facts["@repeats.educate"] == 3
    assert facts_for(Role.PARTNER, {}, [])["@checkins"] == 1


def test_a_gap_needs_the_other_partner_to_have_checked_in_recently() -> None:
    """Perception gaps compare with the other partner's latest check-in, if within two weeks."""
    sam = CheckIn(
        respondent="supporter", answers={"hopeful": 5, "progress_noticed": 5}, at=week(5, days=-3)
    )
    facts = facts_for(Role.PARTNER, {"hopeful": 2, "progress_noticed": 2}, [sam])
    assert facts["@gap.hope"] == 3
    old = CheckIn(respondent="supporter", answers={"hopeful": 5}, at=week(1))
    assert "@gap.hope" not in facts_for(Role.PARTNER, {"hopeful": 2}, [old])


def test_boundary_facts() -> None:
    """Proposed, crossed since the last check-in, and due for review."""
    at = week(1)
    proposed = Boundary.propose("a", "x", by="partner", at=at)
    agreed = proposed.agree(by="supporter", at=at)
    crossed = agreed.cross(at=week(4, days=2))
    due = Boundary.propose("d", "y", by="partner", at=at, review_on=week(5).date()).agree(
        by="supporter", at=at
    )
    last = CheckIn(respondent="partner", answers={}, at=week(4))
    facts = facts_for(Role.PARTNER, {}, [last], (proposed, crossed, due))
    assert facts["@boundaries.proposed"] == 1
    assert facts["@boundaries.crossed"] == 1
    assert facts["@boundaries.due"] == 1
    no_history = compute(
        role=Role.PARTNER,
        today=week(5),
        current=None,
        scores={},
        history=None,
        boundaries=(crossed,),
        score_of=dict,
        recommended_step=str,
    )
    assert no_history["@boundaries.crossed"] == 1
    assert "@checkins" not in no_history


@given(st.integers(1, 5), st.integers(1, 5))
def test_improvement_is_the_mirror_of_decline(before: int, after: int) -> None:
    """A score going from a to b improved exactly when going from b to a declined."""

    def flags(first: int, second: int) -> tuple[bool, bool]:
        past = CheckIn(respondent="partner", answers={"hopeful": first}, at=week(1))
        facts = facts_for(Role.PARTNER, {"hopeful": second}, [past])
        return facts["@improved.hope"], facts["@declined.hope"]

    improved, declined = flags(before, after)
    mirrored_improved, mirrored_declined = flags(after, before)
    assert improved == mirrored_declined
    assert declined == mirrored_improved
    assert not (improved and declined)
    assert improved == (after - before >= 1)


# ------------------------------------------------------------------ properties


@st.composite
def histories(draw: st.DrawFn, size: int) -> list[CheckIn]:
    out = []
    for n in range(size):
        role = draw(st.sampled_from(list(Role)))
        answers = draw(valid_answers(role, safe=True))
        recommended = draw(st.sampled_from([None, "validation", "educate"]))
        out.append(
            CheckIn(
                respondent=role,
                answers=answers,
                at=START + dt.timedelta(days=3 * n),
                recommended=recommended,
            )
        )
    return out


TODAY = START + dt.timedelta(days=3 * 40)


@pytest.mark.slow
@settings(max_examples=examples(40))
@given(histories(HISTORY_WINDOW + 6), st.sampled_from(list(Role)), st.data())
def test_history_beyond_the_window_and_its_order_never_matter(
    history: list[CheckIn], role: Role, data: st.DataObject
) -> None:
    """Only the most recent check-ins count, in whatever order they are given."""
    answers = data.draw(valid_answers(role, safe=True))
    recent = history[-HISTORY_WINDOW:]
    expected = trustkit.recommend_next_step(answers, respondent=role, history=recent, now=TODAY)
    shuffled = list(history)
    random.Random(data.draw(st.integers())).shuffle(shuffled)
    got = trustkit.recommend_next_step(answers, respondent=role, history=shuffled, now=TODAY)
    assert got == expected


@pytest.mark.slow
@settings(max_examples=examples(40))
@given(histories(8), st.sampled_from(list(Role)), st.data())
def test_a_safety_flag_today_wins_whatever_the_history(
    history: list[CheckIn], role: Role, data: st.DataObject
) -> None:
    """No history can hold back a yes on today's safety screen."""
    answers = data.draw(valid_answers(role, safe=True))
    screen = [q.id for q in trustkit.default_pack().questions_for(role) if q.safety]
    flag = data.draw(st.sampled_from(screen))
    answers[flag] = True
    rec = trustkit.recommend_next_step(answers, respondent=role, history=history, now=TODAY)
    step = "support_in_crisis" if flag == "partner_self_harm" else "professional_help"
    assert (rec.step.id, rec.urgency, rec.safety) == (step, Urgency.CRITICAL, True)


@settings(max_examples=examples(40))
@given(histories(6), st.sampled_from(list(Role)), st.data())
def test_any_history_gives_an_explained_recommendation(
    history: list[CheckIn], role: Role, data: st.DataObject
) -> None:
    """Facts never break a recommendation: evidence still names only today's answers."""
    answers = data.draw(valid_answers(role))
    rec = trustkit.recommend_next_step(answers, respondent=role, history=history, now=TODAY)
    answered = {k for k, v in answers.items() if v is not None}
    assert all(set(e.questions) <= answered for e in rec.evidence)
    assert all(r.strip() for r in rec.reasons)


# ------------------------------------------------------------------ bad input


def test_bad_history_and_times_are_answer_errors() -> None:
    """Naive or missing times, future or duplicate check-ins, and foreign objects are refused."""
    past = CheckIn(respondent="partner", answers={"hopeful": 3}, at=week(1))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"history": [past]}, "now"),
        ({"history": [past], "now": dt.datetime(2026, 3, 9)}, "now"),
        ({"now": dt.datetime(2026, 3, 9)}, "now"),
        ({"history": [past], "now": week(0)}, "history"),
        ({"history": [past, past], "now": week(2)}, "history"),
        ({"history": [past, "not a check-in"], "now": week(2)}, "history"),
        ({"history": [past, object()], "now": week(2)}, "history"),
        ({"boundaries": ["b"], "now": week(2)}, "boundaries"),
    ]
    for kwargs, field_name in cases:
        with pytest.raises(AnswerError) as info:
            trustkit.recommend_next_step({"hopeful": 3}, **kwargs)
        assert [p.field for p in info.value.problems] == [field_name], kwargs


def test_todays_checkin_may_already_be_in_the_history() -> None:
    """Apps that store a check-in before asking for its step get the same result."""
    past = CheckIn(respondent="partner", answers={"hopeful": 2}, at=week(1))
    today = CheckIn(respondent="partner", answers={"hopeful": 4}, at=week(2))
    assert trustkit.recommend_next_step(today, history=[past, today]) == (
        trustkit.recommend_next_step(today, history=[past])
    )
    other = CheckIn(respondent="partner", answers={"hopeful": 1}, at=week(2))
    with pytest.raises(AnswerError, match="each check-in once"):
        trustkit.recommend_next_step(today, history=[past, other])


def test_an_earlier_checkin_the_pack_cannot_read_counts_as_no_step() -> None:
    """A past check-in with answers this pack does not know never breaks today's call."""
    odd = CheckIn(respondent="partner", answers={"retired_question": 3}, at=week(1))
    rec = trustkit.recommend_next_step({"hopeful": 3}, history=[odd], now=week(2))
    assert rec.step.id in {s.id for s in trustkit.default_pack().steps}


def test_streak_and_journey_sentences_and_repeated_facts() -> None:
    """Rules may read the streak and the journey; one sentence per fact, however often read."""
    import attrs

    pack = trustkit.default_pack()
    rule = trustkit.Rule(
        id="keep-going",
        step="celebrate",
        priority=500,
        reason="Keep going.",
        when=trustkit.AllOf(
            (
                trustkit.FactCompare("streak_weeks", ">=", 2),
                trustkit.FactCompare("checkins", ">=", 2),
                trustkit.FactCompare("weeks_since_first", ">=", 1),
            )
        ),
    )
    pack = attrs.evolve(pack, rules=(*pack.rules, rule))
    past = CheckIn(respondent="partner", answers={"hopeful": 3}, at=week(1))
    rec = trustkit.recommend_next_step({"hopeful": 3}, history=[past], now=week(2), pack=pack)
    assert rec.rule_id == "keep-going"
    assert rec.reasons == (
        "Keep going.",
        pack.messages.streak.format(value=2),
        pack.messages.journey.format(checkins=2, weeks=1),
    )


def test_a_history_item_that_merely_looks_like_a_checkin_is_refused() -> None:
    """Objects with a timestamp but not CheckIns are named as the problem."""

    class Fake:
        at = week(1)

    with pytest.raises(AnswerError, match="history: CheckIn objects"):
        trustkit.recommend_next_step({"hopeful": 3}, history=[Fake()], now=week(2))  # type: ignore[list-item]


def test_a_checkin_records_its_recommended_step_as_text() -> None:
    """recommended is a step id or None."""
    with pytest.raises(AnswerError, match="recommended: a step id"):
        CheckIn(respondent="partner", answers={}, at=week(1), recommended=3)  # type: ignore[arg-type]
    data = trustkit.converter.unstructure(
        CheckIn(respondent="partner", answers={}, at=week(1), recommended="educate")
    )
    assert data["recommended"] == "educate"
    assert trustkit.parse_checkin(data).recommended == "educate"
