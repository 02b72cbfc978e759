"""Safety over time: a positive screen opens a safety period for the couple.

During the period the partner who answered yes is offered help for themselves
and never couples work; the other partner gets an ordinary recommendation
without couples work or comparisons with the period, and nothing that reveals
the disclosure. See "Safety over time" in docs/safety.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from tests.strategies import valid_answers
from trustkit import CheckIn, CoupleState, PackError, Role, Urgency, Who
from trustkit._engine.period import SafetyPeriod

PACK = trustkit.default_pack()
PERIOD = dt.timedelta(weeks=PACK.safety_period_weeks)
T0 = dt.datetime(2026, 1, 5, 20, 0, tzinfo=dt.UTC)  # a Monday evening
SAFETY_QUESTIONS = [q.id for q in PACK.questions if q.safety]
EARLIER = PACK.messages.safety_earlier.replace("{emergency}", PACK.messages.emergency_elsewhere)
"""What safety_earlier says with no country (tests/test_emergency_number.py: with one)."""
COUPLES_STEPS = {s.id for s in PACK.steps if s.couples}
ABUSE_QUESTIONS = [
    q for q in SAFETY_QUESTIONS if q not in {"self_harm_thoughts", "partner_self_harm"}
]
SCREEN_OF = {role: [q.id for q in PACK.questions_for(role) if q.safety] for role in Role}


def checkin(role: str, answers: dict[str, Any], weeks: float = 0, days: float = 0) -> CheckIn:
    return CheckIn(role, answers, T0 + dt.timedelta(weeks=weeks, days=days))


def recommend(today: CheckIn, *history: CheckIn, **kw: Any) -> trustkit.Recommendation:
    return trustkit.recommend_next_step(today, history=history, **kw)


def no_couples_work(rec: trustkit.Recommendation) -> bool:
    return (
        rec.step.id not in COUPLES_STEPS
        and all(a.who is not Who.BOTH for a in rec.step.actions)
        and all(alt.step_id not in COUPLES_STEPS for alt in rec.alternatives)
    )


# The check-ins of the "Why": a disclosure, then a calmer week.
DISCLOSURE = checkin("partner", {"afraid_of_partner": True, "distress": 5})
CALMER = {"afraid_of_partner": False, "distress": 2, "progress_noticed": 4, "feels_heard": 4}


def test_the_week_after_a_disclosure_the_partner_still_gets_help_not_a_celebration() -> None:
    """One "no" a week later does not clear the screen, and a fall in distress is no small win."""
    rec = recommend(checkin("partner", CALMER, weeks=1), DISCLOSURE)
    assert (rec.step.id, rec.rule_id, rec.safety) == ("professional_help", "safety-abuse", True)
    assert rec.urgency is Urgency.WARNING
    assert rec.alternatives == ()
    assert all(a.in_crisis and a.who is not Who.BOTH for a in rec.step.actions)
    assert "domestic_abuse" in {t for r in rec.resources for t in r.topics}
    assert rec.reasons == (EARLIER,)
    # The reasons acknowledge the answer without quoting it.
    assert not any(PACK.question(q).prompt in " ".join(rec.reasons) for q in SAFETY_QUESTIONS)
    assert [e.questions for e in rec.evidence] == [()]
    # Without the history, the same answers would be celebrated.
    assert trustkit.recommend_next_step(CALMER, respondent="partner").step.id == "celebrate"


def test_skipping_the_safety_question_does_not_clear_it_either() -> None:
    """Leaving the screen unanswered a week later is no different from answering no."""
    rec = recommend(checkin("partner", {"distress": 2}, weeks=1), DISCLOSURE)
    assert (rec.step.id, rec.urgency, rec.safety) == ("professional_help", "warning", True)


def test_self_harm_keeps_the_crisis_lines_in_view() -> None:
    """After thoughts of self-harm, the crisis lines stay attached."""
    earlier = checkin("supporter", {"self_harm_thoughts": True})
    rec = recommend(checkin("supporter", {"hopeful": 5}, weeks=3), earlier)
    assert (rec.rule_id, rec.safety) == ("safety-self-harm", True)
    assert "crisis" in {t for r in rec.resources for t in r.topics}
    acute = trustkit.recommend_next_step({"self_harm_thoughts": True})
    assert rec.resources == acute.resources
    both = checkin("supporter", {"controlled": True}, weeks=1)
    rec = recommend(checkin("supporter", {}, weeks=3), earlier, both)
    assert {"crisis", "domestic_abuse"} <= {t for r in rec.resources for t in r.topics}


def test_a_supporter_whose_partner_spoke_of_self_harm_keeps_their_own_guidance() -> None:
    """The supporter keeps the crisis step for supporters and the crisis lines, for the period."""
    earlier = checkin("supporter", {"partner_self_harm": True})
    acute = trustkit.recommend_next_step({"partner_self_harm": True}, respondent="supporter")
    assert (acute.step.id, acute.rule_id, acute.urgency) == (
        "support_in_crisis",
        "safety-partner-self-harm",
        Urgency.CRITICAL,
    )
    rec = recommend(checkin("supporter", {"hopeful": 5, "progress_noticed": 5}, weeks=2), earlier)
    assert (rec.step.id, rec.urgency, rec.safety) == ("support_in_crisis", Urgency.WARNING, True)
    assert rec.reasons == (EARLIER,)
    assert rec.resources == acute.resources
    assert "crisis" in {t for r in rec.resources for t in r.topics}
    assert all(a.in_crisis and a.who is not Who.BOTH for a in rec.step.actions)
    # The partner they worry about is told nothing of it, and gets no couples work either.
    partner = checkin("partner", {"progress_noticed": 5, "feels_heard": 4}, weeks=2)
    rec = recommend(partner, earlier)
    assert rec.safety is False
    assert no_couples_work(rec)
    assert rec.resources == ()


def test_own_safety_comes_before_a_partner_s_crisis() -> None:
    """A supporter who is afraid too gets help for themselves first, with both kinds of line."""
    rec = trustkit.recommend_next_step(
        {"partner_self_harm": True, "afraid_of_partner": True}, respondent="supporter"
    )
    assert (rec.step.id, rec.rule_id) == ("professional_help", "safety-abuse")
    assert {"crisis", "domestic_abuse"} <= {t for r in rec.resources for t in r.topics}


def test_the_country_filter_applies_to_help_in_the_period() -> None:
    """The resources follow the country, like any safety result."""
    rec = recommend(checkin("partner", {}, weeks=1), DISCLOSURE, country="GB")
    assert rec.resources
    assert {r.country for r in rec.resources} <= {"GB", "INTL"}


def test_the_other_partner_gets_no_couples_work_and_no_sign_of_the_disclosure() -> None:
    """The supporter, a week later, gets an ordinary recommendation about themselves."""
    supporter = {"distress": 1, "hopeful": 5, "safe_to_share": 1, "progress_noticed": 5}
    today = checkin("supporter", supporter, weeks=1)
    rec = recommend(today, DISCLOSURE)
    assert rec.safety is False
    assert no_couples_work(rec)
    # Safe to share is low: without the period, communication would come first. In the
    # period the supporter still gets support of their own, with domestic abuse lines.
    assert recommend(today).step.id == "communication"
    assert rec.step.id == "professional_help"
    assert rec.urgency is Urgency.INFO
    assert rec.resources
    assert all("domestic_abuse" in r.topics for r in rec.resources)
    assert rec.rule_id == "communication-not-safe-apart"


def test_no_perception_gap_comes_from_the_disclosing_check_in() -> None:
    """The gap fact must not compare the supporter with the check-in in which fear was shared."""
    today = checkin("supporter", {"distress": 1, "stuck": 1}, weeks=1)
    without = checkin("partner", {"distress": 5, "stuck": 5}, weeks=0.5)
    assert recommend(today, without).rule_id == "validation-worry-gap"
    disclosing = attrs.evolve(without, answers={**without.answers, "afraid_of_partner": True})
    rec = recommend(today, disclosing)
    assert rec.rule_id != "validation-worry-gap"
    assert not any("gap." in e.condition for e in rec.evidence)


def test_comparisons_use_only_check_ins_from_before_the_period() -> None:
    """A rise in scores right after a disclosure is not compared, for either partner."""
    before = checkin("supporter", {"hopeful": 1}, weeks=-1)
    disclosure = checkin("partner", {"hurt_or_threatened": True}, weeks=0)
    during = checkin("supporter", {"hopeful": 2}, weeks=1)
    today = checkin("supporter", {"hopeful": 5}, weeks=2)
    rec = recommend(today, before, disclosure, during)
    # Compared with the week before the period (1 -> 5), not with last week (2 -> 5).
    changes = [e.condition for e in rec.evidence if e.condition.startswith("improved.")]
    assert rec.step.id != "celebrate"
    assert changes == []
    assert no_couples_work(rec)


def test_a_disclosure_is_remembered_beyond_the_recent_window() -> None:
    """Daily check-ins push a disclosure out of the 12-check-in window, not out of mind."""
    history = [DISCLOSURE] + [checkin("partner", {"hopeful": 4}, days=d) for d in range(1, 40)]
    rec = recommend(checkin("partner", {"hopeful": 5}, days=40), *history)
    assert (rec.step.id, rec.safety) == ("professional_help", True)


def test_after_the_period_ordinary_steps_return() -> None:
    """The period closes once the partner answers the whole screen no, a period after the yes.

    The calendar alone never closes it; a no before the period is over does not either.
    """
    answers = {"feels_heard": 1}
    no = dict.fromkeys(SCREEN_OF[Role.PARTNER], False)
    after = checkin("partner", answers, days=PERIOD.days + 7)
    assert recommend(after, DISCLOSURE).safety is True  # no "no" since: still open
    too_soon = checkin("partner", no, days=PERIOD.days - 1)
    assert recommend(after, DISCLOSURE, too_soon).safety is True
    cleared = checkin("partner", no, days=PERIOD.days)
    rec = recommend(after, DISCLOSURE, cleared)
    assert (rec.step.id, rec.safety) == ("validation", False)
    # A new positive screen opens a new period, and the clock starts again from it.
    again = checkin("partner", {"controlled": True}, weeks=30)
    assert recommend(after, DISCLOSURE, again, cleared).safety is True


def test_a_yes_today_is_critical_as_always() -> None:
    """Within the period, a new yes is a new crisis, not a follow-up."""
    rec = recommend(checkin("partner", {"afraid_of_partner": True}, weeks=1), DISCLOSURE)
    assert (rec.urgency, rec.safety) == (Urgency.CRITICAL, True)


def test_a_longer_period_from_an_overlay_is_used(overlay: Any) -> None:
    """An overlay may lengthen the period."""
    pack_toml = (
        'id = "longer"\nversion = "1.0.0"\ntitle = "Longer"\nextends = "core >=1,<2"\n'
        "safety_period_weeks = 104\n"
    )
    pack = trustkit.load_pack(overlay("longer", pack=pack_toml))
    assert pack.safety_period_weeks == 104
    no = checkin("partner", dict.fromkeys(SCREEN_OF[Role.PARTNER], False), weeks=55)
    later = checkin("partner", {"feels_heard": 1}, weeks=60)
    assert recommend(later, DISCLOSURE, no, pack=pack).safety is True
    assert recommend(later, DISCLOSURE, no).safety is False


@pytest.mark.parametrize("weeks", [12, 51, 0, -1, 521])
def test_no_pack_can_shorten_the_period(overlay: Any, weeks: int) -> None:
    """Below the floor (or absurdly long) is an error naming the file and the line."""
    pack_toml = (
        'id = "shorter"\nversion = "1.0.0"\ntitle = "Shorter"\nextends = "core >=1,<2"\n'
        f"safety_period_weeks = {weeks}\n"
    )
    with pytest.raises(PackError) as caught:
        trustkit.load_pack(overlay("shorter", pack=pack_toml))
    [problem] = caught.value.problems
    assert (problem.file, problem.field, problem.line) == (
        "shorter/pack.toml",
        "safety_period_weeks",
        5,
    )


def test_an_overlay_cannot_shorten_a_longer_base(overlay: Any, tmp_path: Any) -> None:
    """Each overlay may only keep or lengthen the period of the pack it extends."""
    longer = overlay(
        "longer",
        pack='id = "longer"\nversion = "1.0.0"\ntitle = "L"\nextends = "core >=1"\n'
        "safety_period_weeks = 104\n",
    )
    shorter = overlay(
        "shorter",
        extends="longer",
        pack='id = "shorter"\nversion = "1.0.0"\ntitle = "S"\nextends = "longer >=1"\n'
        "safety_period_weeks = 60\n",
    )
    with pytest.raises(PackError, match="never shorten") as caught:
        trustkit.load_pack(longer, shorter)
    assert caught.value.problems[0].line == 5


def test_python_built_packs_are_checked_too() -> None:
    """A pack built in Python cannot bypass the floor either."""
    weeks: object
    for weeks in (4, True, "52"):
        with pytest.raises(PackError, match="safety_period_weeks"):
            trustkit.check_pack(attrs.evolve(PACK, safety_period_weeks=weeks))  # type: ignore[arg-type]


def test_couples_steps_stay_marked(overlay: Any) -> None:
    """An overlay may mark a step as couples work, never unmark one."""
    with pytest.raises(PackError, match="couples step stays one") as caught:
        trustkit.load_pack(overlay("unmark", overrides="[steps.celebrate]\ncouples = false\n"))
    assert caught.value.problems[0].line == 1
    pack = trustkit.load_pack(overlay("mark", overrides="[steps.validation]\ncouples = true\n"))
    assert pack.step("validation").couples
    with pytest.raises(PackError, match="true or false"):
        trustkit.load_pack(overlay("bad", overrides='[steps.validation]\ncouples = "yes"\n'))


def test_a_step_with_only_couples_exercises_counts_as_couples_work() -> None:
    """Taking out the couples exercises must never leave a step with nothing to do."""
    step = PACK.step("validation")
    together = attrs.evolve(step, actions=tuple(attrs.evolve(a, who="both") for a in step.actions))
    pack = attrs.evolve(
        PACK, steps=tuple(together if s.id == "validation" else s for s in PACK.steps)
    )
    rec = recommend(checkin("supporter", {}, weeks=1), DISCLOSURE, pack=pack)
    assert rec.step.id != "validation"
    rec = recommend(checkin("partner", {"feels_heard": 1}, weeks=1))
    assert rec.step.id == "validation"


def test_a_catch_all_cannot_lead_to_couples_work() -> None:
    """So that there is always a step during a safety period."""
    rules = tuple(
        attrs.evolve(r, step="celebrate") if r.id == "catch-all" else r for r in PACK.rules
    )
    with pytest.raises(PackError, match="catch-all rule must lead"):
        trustkit.check_pack(attrs.evolve(PACK, rules=rules))


def test_bad_history_is_a_clear_error() -> None:
    """Something that is not a list of check-ins is named, however old it is."""
    with pytest.raises(trustkit.AnswerError, match="history"):
        trustkit.recommend_next_step(
            checkin("partner", {}, weeks=1),
            history=42,  # type: ignore[arg-type]
        )
    old = ["not a check-in"] + [checkin("partner", {}, days=d) for d in range(1, 20)]
    with pytest.raises(trustkit.AnswerError, match="history"):
        trustkit.recommend_next_step(
            checkin("partner", {}, days=30),
            history=old,  # type: ignore[arg-type]
        )


def test_history_may_be_any_iterable_once() -> None:
    """A generator of check-ins works: trustkit reads it once."""
    rec = trustkit.recommend_next_step(
        checkin("partner", CALMER, weeks=1), history=(c for c in [DISCLOSURE])
    )
    assert rec.safety is True


# --------------------------------------------------------------------------- properties


@st.composite
def couple_history(draw: st.DrawFn, discloser: Role) -> tuple[list[CheckIn], CheckIn, dt.datetime]:
    """Earlier check-ins of both partners (safe), plus one positive screen inside the period.

    Returns the history, the disclosing check-in and "today".
    """
    today = T0 + dt.timedelta(weeks=80)
    history: list[CheckIn] = []
    taken: set[tuple[Role, dt.datetime]] = set()
    for _ in range(draw(st.integers(0, 8))):
        role = draw(st.sampled_from(list(Role)))
        at = today - dt.timedelta(days=draw(st.integers(1, 7 * 70)))
        if (role, at) in taken:
            continue
        taken.add((role, at))
        history.append(CheckIn(role, draw(valid_answers(role, safe=True)), at))
    days_ago = draw(st.integers(1, PERIOD.days - 1))
    at = today - dt.timedelta(days=days_ago, hours=1)
    answers = draw(valid_answers(discloser, safe=True))
    screen = SCREEN_OF[discloser]
    yes = draw(st.lists(st.sampled_from(screen), min_size=1, max_size=3, unique=True))
    disclosing = CheckIn(discloser, {**answers, **dict.fromkeys(yes, True)}, at)
    history.insert(draw(st.integers(0, len(history))), disclosing)
    return history, disclosing, today


@pytest.mark.slow
@given(st.data())
def test_no_couples_work_for_anyone_during_the_period(data: st.DataObject) -> None:
    """Whoever disclosed, whoever checks in next and whatever they answer: no couples work."""
    discloser = data.draw(st.sampled_from(list(Role)), label="discloser")
    history, _, today = data.draw(couple_history(discloser))
    role = data.draw(st.sampled_from(list(Role)), label="respondent")
    answers = data.draw(valid_answers(role))
    rec = trustkit.recommend_next_step(answers, respondent=role, history=history, now=today)
    assert no_couples_work(rec)
    if role is discloser:
        assert rec.safety is True
        assert rec.urgency > Urgency.INFO
        assert rec.resources


@pytest.mark.slow
@given(st.data())
def test_the_other_partner_learns_nothing_of_the_disclosure(data: st.DataObject) -> None:
    """The other partner's result is what it would be without the safety answer.

    That is: with the disclosing check-in's safety answers taken out, and the
    period (no couples work, no comparisons from its start) imposed by hand,
    the recommendation is identical: its step, reasons, evidence, resources,
    urgency and ``safety`` depend on the disclosure only through when it
    happened.
    """
    discloser = data.draw(st.sampled_from(list(Role)), label="discloser")
    history, disclosing, today = data.draw(couple_history(discloser))
    other = Role.SUPPORTER if discloser is Role.PARTNER else Role.PARTNER
    answers = data.draw(valid_answers(other, safe=True))
    rec = trustkit.recommend_next_step(answers, respondent=other, history=history, now=today)
    assert rec.safety is False

    quiet = attrs.evolve(
        disclosing,
        answers={k: v for k, v in disclosing.answers.items() if k not in SAFETY_QUESTIONS},
    )
    stripped = [quiet if c is disclosing else c for c in history]
    since = min(
        c.at
        for c in history
        if c.at > today - PERIOD and any(c.answers.get(q) is True for q in SAFETY_QUESTIONS)
    )
    imposed = SafetyPeriod(since, ())

    def period_of(state: CoupleState, role: Role) -> SafetyPeriod | None:
        # The period, imposed by hand from the disclosing check-in on (for past check-ins
        # decided again, as for today's).
        return imposed if state.newest is not None and state.newest >= since else None

    with mock.patch("trustkit._engine.decide.period_of", side_effect=period_of):
        expected = trustkit.recommend_next_step(
            answers, respondent=other, history=stripped, now=today
        )
    assert rec == expected
    assert rec.reasons == expected.reasons


@pytest.mark.parametrize("role", list(Role))
def test_after_a_closed_period_nothing_changes(role: Role) -> None:
    """Once the period has closed, the old disclosure changes nothing (steps stored)."""
    other = Role.SUPPORTER if role is Role.PARTNER else Role.PARTNER
    yes = {SCREEN_OF[role][0]: True, "hopeful": 3}
    disclosing = CheckIn(role, yes, T0, recommended="professional_help")
    cleared = CheckIn(
        role, dict.fromkeys(SCREEN_OF[role], False), T0 + PERIOD, recommended="educate"
    )
    theirs = CheckIn(other, {"distress": 2}, T0 + PERIOD, recommended="validation")
    today = CheckIn(role, {"distress": 1, "hopeful": 2}, T0 + PERIOD + dt.timedelta(weeks=1))
    quiet = attrs.evolve(disclosing, answers={"hopeful": 3})
    rec = trustkit.recommend_next_step(today, history=[disclosing, cleared, theirs])
    assert rec.safety is False
    assert rec == trustkit.recommend_next_step(today, history=[quiet, cleared, theirs])


_NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


@st.composite
def _long_histories(draw: st.DrawFn) -> list[CheckIn]:
    """Check-ins spread over up to three years, a few of them positive screens, any order."""
    days = draw(st.lists(st.integers(min_value=0, max_value=3 * 365), max_size=60))
    out = []
    for i, day in enumerate(days):
        role = draw(st.sampled_from(list(Role)))
        answers: dict[str, Any] = {}
        if draw(st.integers(0, 9)) == 0:
            answers["afraid_of_partner" if role is Role.PARTNER else "partner_self_harm"] = True
        at = _NOW - dt.timedelta(days=day, minutes=i + 1)
        out.append(CheckIn(respondent=role, answers=answers, at=at))
    return out


@given(_long_histories(), st.sampled_from(list(Role)))
def test_a_history_in_any_order_gives_the_same_result(history: list[CheckIn], role: Role) -> None:
    """Every history is sorted: the order it comes in, or is promised in, changes nothing."""
    answers: dict[str, Any] = {}
    assert trustkit.recommend_next_step(
        answers, respondent=role, history=history, now=_NOW
    ) == trustkit.recommend_next_step(
        answers,
        respondent=role,
        history=history[::-1],
        now=_NOW,
        history_ordered=True,
    )


def test_an_unordered_history_of_other_things_is_an_error() -> None:
    checkin = CheckIn(respondent=Role.PARTNER, answers={}, at=_NOW - dt.timedelta(days=1))
    history: list[object] = [checkin, "not a check-in"]
    with pytest.raises(trustkit.AnswerError) as info:
        trustkit.recommend_next_step({}, history=history, now=_NOW)  # type: ignore[arg-type]
    assert [(p.field, p.expected) for p in info.value.problems] == [("history", "CheckIn objects")]


def test_a_subclass_of_checkin_is_a_checkin() -> None:
    @attrs.frozen
    class Stored(CheckIn):
        pass

    history = [
        Stored(
            respondent=Role.PARTNER,
            answers={"afraid_of_partner": True},
            at=_NOW - dt.timedelta(days=d),
        )
        for d in range(1, 20)
    ]
    rec = trustkit.recommend_next_step({"distress": 3}, history=history, now=_NOW)
    assert rec.safety
    assert rec.step.id == "professional_help"


def test_an_ordered_history_of_look_alikes_is_an_error() -> None:
    """Something with a date that is not a CheckIn is refused, ordered or not."""

    class LookAlike:
        at = _NOW - dt.timedelta(days=2)

    checkin = CheckIn(respondent=Role.PARTNER, answers={}, at=_NOW - dt.timedelta(days=1))
    for ordered in (True, False):
        history: list[object] = [LookAlike(), checkin]
        with pytest.raises(trustkit.AnswerError) as info:
            trustkit.recommend_next_step(
                {},
                history=history,  # type: ignore[arg-type]
                now=_NOW,
                history_ordered=ordered,
            )
        assert [p.expected for p in info.value.problems] == ["CheckIn objects"]
