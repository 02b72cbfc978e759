"""Programmes over days: dated tasks with windows, discreet reminders, progress, and safety.

The safety property is the one that matters: no couples action falls inside a
safety period, for either partner, when the app rebuilds both programmes after
every check-in as the docs say (keep ``old.until(checkin.at)``, build the rest
anew with the state that includes the check-in).
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import Overlay, examples, unchecked
from tests.strategies import role_and_answers, valid_answers
from trustkit import AnswerError, PackError, ProblemCode, Role, Who
from trustkit._engine.programme import dates, window
from trustkit._vocabulary import sensitive_word

CORE = trustkit.default_pack()
ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Madrid",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
)
START = dt.date(2026, 3, 2)
CADENCES = st.sampled_from(list(trustkit.Cadence))
DAYS = st.integers(min_value=7, max_value=21)
STARTS = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))
TIMES = st.times()
SAFETY = tuple(q.id for q in CORE.questions if q.safety)


def couples(task: trustkit.Task, rec: trustkit.Recommendation) -> bool:
    """Whether a task is couples work: an action done together, or any of a couples step."""
    action = next(a for a in rec.step.actions if a.id == task.action_id)
    return action.who is Who.BOTH or rec.step.couples


def rec_for(role: Role | str, answers: dict[str, Any], **kw: Any) -> trustkit.Recommendation:
    return trustkit.recommend_next_step(answers, respondent=role, **kw)


# ------------------------------------------------------------------------------- shape


def test_a_supporter_programme_spreads_the_actions_shortest_first_then_repeats() -> None:
    rec = rec_for("supporter", {"promises_kept": 1})
    plan = trustkit.programme(rec, start=START, tz="Europe/London", days=7)
    assert [t.action_id for t in plan.tasks] == [
        "consistency-warn-early-when-plans-change",
        "consistency-keep-three-small-promises",
        "consistency-one-steady-ritual",
        "consistency-warn-early-when-plans-change",
        "consistency-keep-three-small-promises",
        "consistency-one-steady-ritual",
        "consistency-warn-early-when-plans-change",
    ]
    assert [t.repeat for t in plan.tasks] == [1, 1, 1, 2, 2, 2, 3]
    assert [t.who for t in plan.tasks[:3]] == ["you", "you", "together"]
    assert plan.end == dt.date(2026, 3, 8)
    assert plan.tasks[3].reminder.startswith("Another go")
    # only the reader's own actions and those done together: never the partner's
    assert "consistency-notice-kept-promises" not in {t.action_id for t in plan.tasks}


def test_cadences() -> None:
    monday = dt.date(2026, 3, 2)
    assert len(dates(monday, 14, trustkit.Cadence.DAILY)) == 14
    assert dates(monday, 7, trustkit.Cadence.ALTERNATE) == tuple(
        monday + dt.timedelta(days=n) for n in (0, 2, 4, 6)
    )
    assert all(d.weekday() < 5 for d in dates(monday, 14, trustkit.Cadence.WEEKDAYS))
    assert len(dates(monday, 14, trustkit.Cadence.WEEKDAYS)) == 10


def test_windows_keep_the_wall_clock_time_across_summer_time() -> None:
    rec = rec_for("supporter", {"promises_kept": 1})
    plan = trustkit.programme(rec, start=dt.date(2026, 3, 25), tz="Europe/Madrid", days=7)
    assert {t.opens.time() for t in plan.tasks} == {dt.time(19)}
    assert {t.opens.utcoffset() for t in plan.tasks} == {
        dt.timedelta(hours=1),
        dt.timedelta(hours=2),
    }


def test_a_time_the_clocks_skip_opens_just_after_the_gap() -> None:
    zone = ZoneInfo("Europe/London")
    opens, closes = window(dt.date(2026, 3, 29), dt.time(1, 30), 1, zone)
    assert opens.isoformat() == "2026-03-29T02:30:00+01:00"
    assert closes - opens == dt.timedelta(hours=1)


def test_a_zoneinfo_and_its_name_give_the_same_programme() -> None:
    rec = rec_for("supporter", {"promises_kept": 1})
    by_name = trustkit.programme(rec, start=START, tz="Asia/Kolkata", cadence="alternate")
    by_zone = trustkit.programme(rec, start=START, tz=ZoneInfo("Asia/Kolkata"), cadence="alternate")
    assert by_name == by_zone
    assert by_name.tz == "Asia/Kolkata"


def test_reminders_and_progress_in_spanish() -> None:
    rec = rec_for("supporter", {"promises_kept": 1}, locale="es")
    plan = trustkit.programme(rec, start=START, tz="Europe/Madrid", days=7)
    assert plan.locale == "es"
    assert plan.tasks[0].who == "tú"
    assert plan.tasks[0].reminder == "Unos minutos para el plan que elegiste (unos 2 min)."
    seen = trustkit.progress(plan, {t.id: t.opens for t in plan.tasks})
    assert seen.message == "Las 7, hechas. Bien hecho por seguir adelante."
    assert trustkit.progress(plan, {}).message.startswith("Cuando quieras")


# -------------------------------------------------------------------------------- safety


def test_a_safety_result_gets_only_crisis_safe_actions() -> None:
    rec = rec_for("partner", {"afraid_of_partner": True})
    assert rec.safety
    plan = trustkit.programme(rec, start=START, tz="UTC", days=21)
    crisis = {a.id for a in rec.step.actions if a.in_crisis}
    assert plan.tasks
    assert {t.action_id for t in plan.tasks} <= crisis
    assert all(t.who != "together" for t in plan.tasks)


def test_a_disclosure_stops_couples_work_for_the_other_partner_and_says_nothing() -> None:
    at = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)
    rec = rec_for("supporter", {"talk_openly": 1})  # communication: a couples step
    assert rec.step.couples
    before = trustkit.programme(rec, start=START, tz="UTC")
    assert any(t.who == "together" for t in before.tasks)
    disclosure = trustkit.CheckIn("partner", {"afraid_of_partner": True}, at)
    state = trustkit.advance(trustkit.CoupleState(), disclosure)
    after = trustkit.programme(rec, start=at.date(), tz="UTC", state=state)
    assert after.tasks == ()
    # the pause looks like a step without couples work: nothing says why
    apart = attrs.evolve(rec, step=attrs.evolve(rec.step, actions=(), couples=False))
    assert after == trustkit.programme(apart, start=at.date(), tz="UTC")
    past = before.until(at)
    assert [t.day for t in past.tasks] == [1, 2]


def _state(draw: Any, start: dt.date) -> trustkit.CoupleState:
    """A state with an open safety period, for either partner."""
    role = draw(st.sampled_from(list(Role)))
    question = draw(st.sampled_from([q for q in SAFETY if role in CORE.question(q).respondents]))
    at = dt.datetime.combine(start, dt.time(8), tzinfo=dt.UTC)
    checkin = trustkit.CheckIn(role, {question: True}, at)
    return trustkit.advance(trustkit.CoupleState(), checkin)


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=unchecked(HealthCheck.too_slow)
)
@given(st.data(), role_and_answers(), STARTS, st.sampled_from(ZONES), DAYS, CADENCES)
def test_no_couples_task_while_a_period_is_open_and_the_gap_says_nothing(
    data: st.DataObject,
    role_answers: tuple[Role, dict[str, Any]],
    start: dt.date,
    tz: str,
    days: int,
    cadence: trustkit.Cadence,
) -> None:
    role, answers = role_answers
    rec = rec_for(role, answers)
    state = _state(data.draw, start)
    plan = trustkit.programme(rec, start=start, tz=tz, days=days, cadence=cadence, state=state)
    assert not any(couples(t, rec) for t in plan.tasks)
    if rec.safety:
        assert all(
            next(a for a in rec.step.actions if a.id == t.action_id).in_crisis for t in plan.tasks
        )
    kept = () if rec.step.couples else tuple(a for a in rec.step.actions if a.who is not Who.BOTH)
    apart = attrs.evolve(rec, step=attrs.evolve(rec.step, actions=kept, couples=False))
    assert plan == trustkit.programme(apart, start=start, tz=tz, days=days, cadence=cadence)


@st.composite
def couple_story(draw: st.DrawFn) -> list[trustkit.CheckIn]:
    """Check-ins of both partners over three weeks, in time order, some with a safety yes."""
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    offsets = sorted(
        draw(st.lists(st.integers(0, 21 * 24 - 1), min_size=1, max_size=6, unique=True))
    )
    story = []
    for hours in offsets:
        role = draw(st.sampled_from(list(Role)))
        answers = {k: v for k, v in draw(valid_answers(role, safe=True)).items() if v is not None}
        if draw(st.integers(0, 3)) == 0:
            asked = [q for q in SAFETY if role in CORE.question(q).respondents]
            answers[draw(st.sampled_from(asked))] = True
        story.append(trustkit.CheckIn(role, answers, start + dt.timedelta(hours=hours)))
    return story


@settings(
    max_examples=examples(40), deadline=None, suppress_health_check=unchecked(HealthCheck.too_slow)
)
@given(couple_story(), st.sampled_from(ZONES), CADENCES, TIMES)
def test_no_couples_action_falls_inside_a_safety_period_for_either_partner(
    story: list[trustkit.CheckIn], tz: str, cadence: trustkit.Cadence, at: dt.time
) -> None:
    """The app of the docs: after every check-in, both partners' programmes are rebuilt."""
    zone = ZoneInfo(tz)
    state = trustkit.CoupleState()
    latest: dict[Role, trustkit.Recommendation] = {}
    past: dict[Role, list[tuple[trustkit.Task, trustkit.Recommendation]]] = {r: [] for r in Role}
    current: dict[Role, tuple[trustkit.Programme, trustkit.Recommendation]] = {}
    opened: dt.datetime | None = None
    for checkin in story:
        rec = trustkit.recommend_next_step(checkin, state=state)
        state = trustkit.advance(state, checkin, rec)
        latest[checkin.respondent] = rec
        if state.disclosures and opened is None:
            opened = min(d.opened for d in state.disclosures)
        day = checkin.at.astimezone(zone).date()
        for role, mine in latest.items():
            if role in current:
                old, old_rec = current[role]
                past[role] += [(t, old_rec) for t in old.until(checkin.at).tasks]
            new = trustkit.programme(
                mine, start=day, tz=zone, days=21, cadence=cadence, at=at, state=state
            )
            current[role] = (new, mine)
            past[role] = [(t, r) for t, r in past[role] if t.closes <= checkin.at]
    schedule = [pair for role in Role for pair in past[role]]
    schedule += [(t, r) for p, r in current.values() for t in p.tasks]
    if opened is not None:
        for task, rec in schedule:
            if couples(task, rec):
                assert task.closes <= opened, (task.id, opened)


# ------------------------------------------------------------------ determinism and time


@settings(max_examples=examples(80), deadline=None)
@given(STARTS, st.sampled_from(ZONES), DAYS, CADENCES, TIMES, st.integers(1, 24))
def test_windows_are_inside_the_days_keep_their_time_and_are_deterministic(
    start: dt.date, tz: str, days: int, cadence: trustkit.Cadence, at: dt.time, hours: int
) -> None:
    rec = rec_for("supporter", {"promises_kept": 1})
    kw: dict[str, Any] = {"start": start, "tz": tz, "days": days, "cadence": cadence, "at": at}
    plan = trustkit.programme(rec, hours=hours, **kw)
    assert plan == trustkit.programme(rec, hours=hours, **kw)
    assert plan.tasks
    zone = ZoneInfo(tz)
    for task in plan.tasks:
        assert start <= task.date <= plan.end
        assert task.opens.date() == task.date
        assert task.opens.tzinfo is zone
        elapsed = task.closes.astimezone(dt.UTC) - task.opens.astimezone(dt.UTC)
        assert elapsed == dt.timedelta(hours=hours)
        wall = dt.datetime.combine(task.date, at, tzinfo=zone)
        if wall.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(
            tzinfo=None
        ):
            assert task.opens.time() == at  # the same wall-clock time, summer or winter
    assert [t.opens for t in plan.tasks] == sorted(t.opens for t in plan.tasks)
    assert len({t.id for t in plan.tasks}) == len(plan.tasks)


@settings(max_examples=examples(60), deadline=None)
@given(st.data(), DAYS, CADENCES)
def test_progress_never_goes_down_as_completions_are_added(
    data: st.DataObject, days: int, cadence: trustkit.Cadence
) -> None:
    rec = rec_for("supporter", {"promises_kept": 1})
    plan = trustkit.programme(rec, start=START, tz="America/New_York", days=days, cadence=cadence)
    order = data.draw(st.permutations(plan.tasks))
    done: dict[str, dt.datetime] = {"elsewhere@2026-01-01": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}
    seen = trustkit.progress(plan, done)
    assert (seen.done, seen.minutes, seen.days_active) == (0, 0, 0)
    for task in order:
        late = data.draw(st.integers(0, 72))
        done[task.id] = task.opens + dt.timedelta(hours=late)
        now = trustkit.progress(plan, done)
        assert now.done == seen.done + 1
        assert now.minutes >= seen.minutes
        assert now.days_active >= seen.days_active
        assert now.total == len(plan.tasks)
        seen = now
    assert seen.done == seen.total
    assert seen.message.startswith("All")


# ----------------------------------------------------------------------------- discretion


def test_the_bundled_reminders_hold_no_sensitive_word() -> None:
    for pack in (CORE, CORE.localized("es")):
        m = pack.messages
        texts = (m.reminder, m.reminder_again, m.progress_none, m.progress_some, m.progress_all)
        for text in texts:
            assert (
                sensitive_word(
                    text, (*CORE.messages.sensitive_words, *pack.messages.sensitive_words)
                )
                is None
            )


def test_sensitive_words_match_word_starts_in_any_case_without_accents() -> None:
    assert sensitive_word("Time to rebuild TRUST", ["trust"]) == "trust"
    assert sensitive_word("Violence", ["violen"]) == "violen"
    assert sensitive_word("Habla con tu PAREJA", ["pareja"]) == "pareja"
    assert sensitive_word("engaño", ["engano"]) == "engano"
    assert sensitive_word("an unsafe place", ["safe"]) is None
    assert sensitive_word("anything", ["", "zebra"]) is None


def _codes(call: Any) -> list[tuple[str, ProblemCode]]:
    with pytest.raises(PackError) as info:
        call()
    return [(p.field, p.code) for p in info.value.problems]


def test_pack_check_refuses_a_reminder_with_a_sensitive_word() -> None:
    broken = attrs.evolve(CORE, messages=attrs.evolve(CORE.messages, reminder="Talk about trust"))
    assert ("reminder", ProblemCode.SENSITIVE) in _codes(lambda: trustkit.check_pack(broken))
    words = attrs.evolve(CORE, messages=attrs.evolve(CORE.messages, sensitive_words=("ok", " ")))
    assert ("sensitive_words", ProblemCode.INVALID_VALUE) in _codes(
        lambda: trustkit.check_pack(words)
    )
    not_text = attrs.evolve(CORE, messages=attrs.evolve(CORE.messages, reminder=3))  # type: ignore[arg-type]
    assert _codes(lambda: trustkit.check_pack(not_text)) == [
        ("reminder", ProblemCode.INVALID_VALUE)
    ]


def test_pack_check_refuses_a_translated_reminder_with_a_word_of_any_language(
    overlay: Overlay,
) -> None:
    spanish = overlay("es1", locales__es='[messages]\nreminder = "Habla con tu pareja"\n')
    assert ("reminder", ProblemCode.SENSITIVE) in _codes(
        lambda: trustkit.load_pack(spanish).localized("es")
    )
    english = overlay("es2", locales__es='[messages]\nprogress_all = "Trust: {total}"\n')
    assert ("progress_all", ProblemCode.SENSITIVE) in _codes(
        lambda: trustkit.load_pack(english).localized("es")
    )
    bad_list = overlay("es3", locales__es='[messages]\nsensitive_words = "pareja"\n')
    assert ("sensitive_words", ProblemCode.WRONG_TYPE) in _codes(
        lambda: trustkit.load_pack(bad_list).localized("es")
    )
    longer = overlay(
        "es4", locales__es='[messages]\nsensitive_words = ["pareja", "celos", "secreto"]\n'
    )
    assert trustkit.load_pack(longer).localized("es").messages.sensitive_words[-1] == "secreto"


def test_an_overlay_may_change_the_sensitive_words(overlay: Overlay) -> None:
    pack = trustkit.load_pack(
        overlay("words", overrides='[messages]\nsensitive_words = ["zebra"]\n')
    )
    assert pack.messages.sensitive_words == ("zebra",)
    strict = overlay(
        "strict", overrides='[messages]\nsensitive_words = ["zebra"]\nreminder = "A zebra"\n'
    )
    assert ("reminder", ProblemCode.SENSITIVE) in _codes(lambda: trustkit.load_pack(strict))


# --------------------------------------------------------------------------------- errors


def _problems(call: Any) -> list[tuple[str, ProblemCode]]:
    with pytest.raises(AnswerError) as info:
        call()
    return [(p.field, p.code) for p in info.value.problems]


def test_bad_arguments_are_typed_errors_naming_the_argument() -> None:
    rec = rec_for("supporter", {"promises_kept": 1})
    bad: Any = "x"
    assert _problems(
        lambda: trustkit.programme(
            bad,
            start=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
            tz="Mars/Olympus",
            days=30,
            cadence="hourly",
            at=dt.time(19, tzinfo=dt.UTC),
            hours=True,
            state=bad,
        )
    ) == [
        ("recommendation", ProblemCode.WRONG_TYPE),
        ("start", ProblemCode.WRONG_TYPE),
        ("tz", ProblemCode.INVALID_VALUE),
        ("days", ProblemCode.OUT_OF_RANGE),
        ("cadence", ProblemCode.INVALID_VALUE),
        ("at", ProblemCode.WRONG_TYPE),
        ("hours", ProblemCode.OUT_OF_RANGE),
        ("state", ProblemCode.WRONG_TYPE),
    ]
    for tz in (3, "", "x" * 300, "../etc/passwd", _keyless_zone()):
        assert _problems(lambda tz=tz: trustkit.programme(rec, start=START, tz=tz)) == [
            ("tz", ProblemCode.INVALID_VALUE)
        ]
    plan = trustkit.programme(rec, start=START, tz="UTC")
    assert _problems(lambda: trustkit.progress(bad, {})) == [("programme", ProblemCode.WRONG_TYPE)]
    assert _problems(lambda: trustkit.progress(plan, bad)) == [
        ("completions", ProblemCode.WRONG_TYPE)
    ]
    naive = {plan.tasks[0].id: dt.datetime(2026, 3, 2)}
    assert _problems(lambda: trustkit.progress(plan, naive)) == [
        ("completions", ProblemCode.WRONG_TYPE)
    ]
    assert _problems(lambda: plan.until(dt.datetime(2026, 3, 2))) == [
        ("moment", ProblemCode.WRONG_TYPE)
    ]


def _keyless_zone() -> ZoneInfo:
    """A time zone read from a file: it has no IANA name (``key`` is None)."""
    header = b"TZif" + bytes(16) + struct.pack(">6l", 0, 0, 0, 0, 1, 4)
    return ZoneInfo.from_file(io.BytesIO(header + struct.pack(">lbb", 0, 0, 0) + b"UTC\x00"))
