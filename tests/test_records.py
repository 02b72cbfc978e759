"""Decision records: no answers in them, a digest that never drifts, replay, feedback.

The issue's "done when": no answer value appears in any DecisionRecord, and `replay`
equals the original on 100,000 records (the slow test below; `python -m bench.records`
times the same run).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import subprocess
import sys
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples
from tests.strategies import aware_datetimes, role_and_answers, valid_answers
from tests.test_safety_period import PERIOD, SAFETY_QUESTIONS, SCREEN_OF, couple_history
from tests.test_state import fold, histories
from trustkit import (
    AnswerError,
    CheckIn,
    CoupleState,
    DecisionRecord,
    Feedback,
    FeedbackOutcome,
    FeedbackReason,
    ReplayOutcome,
    Role,
)
from trustkit._engine.period import SafetyPeriod

PACK = trustkit.default_pack()
QUESTION_IDS = {q.id for q in PACK.questions}
COUNTS = [q.id for q in PACK.questions if q.kind is trustkit.QuestionKind.COUNT]
KEY = b"0123456789abcdef0123456789abcdef"
OTHER_KEY = b"fedcba9876543210fedcba9876543210"
AT = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)
FIELDS = {a.name for a in attrs.fields(DecisionRecord)}


def _strings(data: object) -> set[str]:
    """Every string in JSON data: keys and values, at any depth."""
    if isinstance(data, dict):
        return {str(k) for k in data} | {s for v in data.values() for s in _strings(v)}
    if isinstance(data, list):
        return {s for v in data for s in _strings(v)}
    return {data} if isinstance(data, str) else set()


def _expected(decision: trustkit.Decision, at: dt.datetime | None) -> DecisionRecord:
    """A record made of the decision alone: nothing else may go into one."""
    return DecisionRecord(
        decision_id="d-1",
        at=at,
        packs=PACK.packs,
        pack_digest=trustkit.record_decision({}, decision_id="x").pack_digest,
        rule_id=decision.rule_id,
        step_id=decision.step_id,
        urgency=decision.urgency,
        safety=decision.safety,
        respondent=decision.respondent,
        locale="en",
    )


# ------------------------------------------------------------------------- no answers


def test_no_question_id_is_a_step_or_rule_id() -> None:
    """Otherwise the check below could not tell a step id from a leaked question id."""
    assert not QUESTION_IDS & ({s.id for s in PACK.steps} | {r.id for r in PACK.rules})
    assert COUNTS  # a question whose answer can be planted as a distinctive number


@settings(max_examples=examples(300))
@given(role_and_answers(), st.integers(100_000, 999_999), aware_datetimes(), st.booleans())
def test_no_answer_value_appears_in_any_record(
    case: tuple[Role, dict[str, Any]], planted: int, at: dt.datetime, yes: bool
) -> None:
    """A record is the decision, the time and the pack: no answer, no question id, in any form.

    Its fields are those of a record built from `decide`'s decision alone; its JSON and repr
    name no question; a planted distinctive count (and any answer a yes to a safety question
    turns into crisis help) appears nowhere in them.
    """
    role, answers = case
    for question in COUNTS:
        if role in PACK.question(question).respondents:
            answers[question] = planted
    if yes:
        answers[SCREEN_OF[role][0]] = True
    checkin = CheckIn(role, answers, at)
    record = trustkit.record_decision(checkin, decision_id="d-1")
    assert record == _expected(trustkit.decide(checkin), at)
    data = trustkit.converter.unstructure(record)
    assert set(data) == FIELDS
    assert not _strings(data) & QUESTION_IDS
    text = json.dumps(data) + repr(record)
    # No question as a quoted string or a keyword (rule ids may contain one: "supporter-stuck").
    assert not any(f'"{q}"' in text or f"'{q}'" in text or f"{q}=" in text for q in QUESTION_IDS)
    assert str(planted) not in text.replace(record.pack_digest, "")
    keyed = trustkit.record_decision(checkin, decision_id="d-1", key=KEY)
    assert attrs.evolve(keyed, answers_hash=None) == record
    assert keyed.answers_hash is not None
    assert str(planted) not in keyed.answers_hash.replace(record.pack_digest, "")
    assert keyed.answers_hash.startswith("hmac-sha256:")


@settings(max_examples=examples(100))
@given(role_and_answers(), st.data())
def test_the_keyed_hash_tells_answers_apart_and_depends_on_the_key(
    case: tuple[Role, dict[str, Any]], data: st.DataObject
) -> None:
    """Equal answers, equal hash; other answers (of the same role), another hash; another
    key, another hash."""
    role, answers = case
    others = data.draw(valid_answers(role), label="others")
    one = trustkit.record_decision(answers, respondent=role, decision_id="a", key=KEY)
    again = trustkit.record_decision(dict(answers), respondent=role, decision_id="b", key=KEY)
    other_key = trustkit.record_decision(answers, respondent=role, decision_id="a", key=OTHER_KEY)
    two = trustkit.record_decision(others, respondent=role, decision_id="a", key=KEY)
    assert one.answers_hash == again.answers_hash
    assert one.answers_hash != other_key.answers_hash
    read = {k: v for k, v in answers.items() if v is not None}
    theirs = {k: v for k, v in others.items() if v is not None}
    assert (one.answers_hash == two.answers_hash) == (read == theirs)


def test_unanswered_questions_do_not_change_the_hash_and_true_is_not_one() -> None:
    """None is "not answered"; a yes (true) and a scale's 1 are different answers."""
    plain = trustkit.record_decision({"feels_heard": 2}, decision_id="a", key=KEY)
    skipped = {"feels_heard": 2, "hopeful": None}
    assert trustkit.record_decision(skipped, decision_id="a", key=KEY) == plain
    yes = trustkit.record_decision({"past_hurt": True}, decision_id="a", key=KEY)
    one = trustkit.record_decision({"past_hurt": False}, decision_id="a", key=KEY)
    assert yes.answers_hash != one.answers_hash


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"decision_id": ""}, ["decision_id"]),
        ({"decision_id": "x" * 201}, ["decision_id"]),
        ({"decision_id": 7}, ["decision_id"]),
        ({"decision_id": "d", "key": b"short"}, ["key"]),
        ({"decision_id": "d", "key": "a text, not bytes, long enough"}, ["key"]),
        ({"decision_id": None, "key": 5}, ["decision_id", "key"]),
    ],
)
def test_a_wrong_decision_id_or_key_is_an_answer_error_that_quotes_neither(
    kwargs: dict[str, Any], fields: list[str]
) -> None:
    with pytest.raises(AnswerError) as caught:
        trustkit.record_decision({"feels_heard": 2}, **kwargs)
    assert [p.field for p in caught.value.problems] == fields
    assert "short" not in str(caught.value)
    assert "long enough" not in str(caught.value)


def test_a_safety_yes_is_recorded_whatever_else_is_wrong() -> None:
    """Safety first here too: a wrong `now` or locale beside a yes still gives the record."""
    record = trustkit.record_decision(
        {"self_harm_thoughts": True, "feels_heard": 0},
        decision_id="d",
        now="today",  # type: ignore[arg-type]
        locale="not a tag!",
    )
    assert (record.safety, record.rule_id, record.at, record.locale) == (
        True,
        "safety-self-harm",
        None,
        "en",
    )
    with pytest.raises(AnswerError):
        trustkit.record_decision({"feels_heard": 0}, decision_id="d")


def test_the_locale_applied_is_recorded() -> None:
    """The record says which language the decision was given in, as a recommendation does."""
    for asked, applied in (("es-MX", "es"), ("fr", "en"), (None, "en")):
        record = trustkit.record_decision({"feels_heard": 1}, decision_id="d", locale=asked)
        assert record.locale == applied
        assert record.pack_digest == trustkit.record_decision({}, decision_id="d").pack_digest


# --------------------------------------------------------------- a safety period: private


@settings(max_examples=examples(60))
@given(st.data())
def test_the_other_partners_record_is_the_same_whatever_was_disclosed(
    data: st.DataObject,
) -> None:
    """During a safety period, the other partner's record depends on the disclosure only
    through when it happened: with other safety answers, or none at all (the period imposed
    by hand, as tests/test_safety_period.py does for recommendations), it is identical,
    keyed hash included. The discloser's own record says safety, with their safety rule."""
    discloser = data.draw(st.sampled_from(list(Role)), label="discloser")
    history, disclosing, today = data.draw(couple_history(discloser))
    other = Role.SUPPORTER if discloser is Role.PARTNER else Role.PARTNER
    answers = data.draw(valid_answers(other, safe=True))

    def record(past: list[CheckIn], role: Role = other) -> DecisionRecord:
        mine = answers if role is other else {}
        return trustkit.record_decision(
            mine, respondent=role, history=past, now=today, decision_id="d", key=KEY
        )

    seen = record(history)
    assert seen.safety is False
    yes = data.draw(
        st.lists(st.sampled_from(SCREEN_OF[discloser]), min_size=1, max_size=3, unique=True)
    )
    said_otherwise = attrs.evolve(
        disclosing,
        answers={
            **{k: v for k, v in disclosing.answers.items() if k not in SAFETY_QUESTIONS},
            **dict.fromkeys(yes, True),
        },
    )
    assert record([said_otherwise if c is disclosing else c for c in history]) == seen

    quiet = attrs.evolve(
        disclosing,
        answers={k: v for k, v in disclosing.answers.items() if k not in SAFETY_QUESTIONS},
    )
    since = min(
        c.at
        for c in history
        if c.at > today - PERIOD and any(c.answers.get(q) is True for q in SAFETY_QUESTIONS)
    )
    imposed = SafetyPeriod(since, ())

    def period_of(state: CoupleState, role: Role) -> SafetyPeriod | None:
        return imposed if state.newest is not None and state.newest >= since else None

    with mock.patch("trustkit._engine.decide.period_of", side_effect=period_of):
        assert record([quiet if c is disclosing else c for c in history]) == seen

    own = record(history, discloser)
    assert own.safety is True
    assert own.rule_id in {r.id for r in PACK.rules if r.safety}


# ----------------------------------------------------------------------------- digest

_DIGEST = (
    "import trustkit\n"
    "from trustkit._pack.digest import pack_digest\n"
    "from trustkit._pack.sources import load_pack\n"
    "print(pack_digest(trustkit.default_pack()), pack_digest(load_pack('core')))\n"
)


def test_the_pack_digest_is_the_same_in_a_fresh_process_and_however_the_pack_was_read() -> None:
    """Another process, another hash seed, the TOML or the snapshot: one digest."""
    here = trustkit.record_decision({}, decision_id="d").pack_digest
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", _DIGEST],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env=env,
        )
        assert result.stdout.split() == [here, here]
    assert len(here) == len("sha256:") + 64


def test_the_digest_follows_the_content_and_nothing_else() -> None:
    """A changed rule or text changes it; an origin (where an item was read) does not."""
    from trustkit._pack.digest import pack_digest

    base = pack_digest(PACK)
    moved = attrs.evolve(PACK, rules=tuple(attrs.evolve(r, origin=None) for r in PACK.rules))
    assert moved == PACK
    assert pack_digest(moved) == base
    first = PACK.rules[0]
    changed = attrs.evolve(
        PACK, rules=(attrs.evolve(first, priority=first.priority + 1), *PACK.rules[1:])
    )
    assert pack_digest(changed) != base
    retitled = attrs.evolve(PACK, title=PACK.title + ".")
    assert pack_digest(retitled) != base
    assert pack_digest(pickle.loads(pickle.dumps(PACK))) == base


# ------------------------------------------------------------------------------ replay


def test_replay_says_same_changed_other_pack_or_other_checkin() -> None:
    checkin = CheckIn("partner", {"feels_heard": 1, "promises_kept": 2}, AT)
    record = trustkit.record_decision(checkin, decision_id="d-7", key=KEY)
    same = trustkit.replay(record, checkin, key=KEY)
    assert same
    assert same.outcome is ReplayOutcome.SAME
    assert same.replayed == record
    assert trustkit.replay(record, checkin)  # without the key: the decision alone
    assert trustkit.replay(record, dict(checkin.answers), now=AT)  # a mapping: its respondent

    tampered = attrs.evolve(record, step_id="educate")
    changed = trustkit.replay(tampered, checkin, key=KEY)
    assert not changed
    assert changed.outcome is ReplayOutcome.CHANGED
    assert changed.replayed == record

    other = attrs.evolve(PACK, title="Another pack")
    found = trustkit.replay(record, checkin, other)
    assert (found.outcome, found.replayed, bool(found)) == (ReplayOutcome.OTHER_PACK, None, False)

    later = attrs.evolve(checkin, at=AT + dt.timedelta(days=1))
    assert trustkit.replay(record, later).outcome is ReplayOutcome.OTHER_CHECKIN
    nearly = attrs.evolve(checkin, answers={**checkin.answers, "hopeful": 3})
    assert trustkit.replay(record, nearly, key=KEY).outcome is ReplayOutcome.OTHER_CHECKIN
    assert trustkit.replay(record, nearly, key=OTHER_KEY).outcome is ReplayOutcome.OTHER_CHECKIN
    supporter = CheckIn("supporter", {}, AT)
    assert trustkit.replay(record, supporter).outcome is ReplayOutcome.OTHER_CHECKIN
    unkeyed = trustkit.record_decision(checkin, decision_id="d-7")
    assert trustkit.replay(unkeyed, checkin, key=KEY).outcome is ReplayOutcome.OTHER_CHECKIN


@settings(max_examples=examples(40))
@given(histories())
def test_replay_with_the_history_or_the_state_gives_the_same_decision(
    case: tuple[list[CheckIn], CheckIn],
) -> None:
    history, today = case
    record = trustkit.record_decision(today, history=history, decision_id="d", key=KEY)
    assert trustkit.replay(record, today, history=history, key=KEY)
    assert trustkit.replay(record, today, state=fold(history), key=KEY)


@pytest.mark.slow
def test_replay_equals_the_original_on_100_000_records() -> None:
    """The issue's count: every generated check-in, recorded then replayed, is the same."""
    from bench.records import KEY as BENCH_KEY
    from bench.records import checkins

    made = [
        (trustkit.record_decision(c, decision_id=f"d{n}", key=BENCH_KEY), c)
        for n, c in enumerate(checkins(100_000))
    ]
    assert len(made) > 99_000
    assert sum(r.safety for r, _ in made) > 1000  # the safety screen decided some
    assert len({r.step_id for r, _ in made}) > 5
    replayed = [trustkit.replay(r, c, key=BENCH_KEY) for r, c in made]
    assert all(replayed)
    assert [r.replayed for r in replayed] == [r for r, _ in made]


# ---------------------------------------------------------------------------- feedback


def test_feedback_holds_codes_only() -> None:
    accepted = Feedback("d-1", "accepted", at=AT)
    assert accepted.outcome is FeedbackOutcome.ACCEPTED
    assert accepted.reason is None
    overridden = Feedback("d-1", "overridden", "professional_advice", "educate")
    assert overridden.reason is FeedbackReason.PROFESSIONAL_ADVICE
    with pytest.raises(AnswerError) as caught:
        Feedback("d-1", "accepted", "not_now", "educate")
    assert [p.field for p in caught.value.problems] == ["reason", "override_step_id"]
    with pytest.raises(AnswerError) as caught:
        Feedback("d-1", FeedbackOutcome.OVERRIDDEN)
    assert [p.field for p in caught.value.problems] == ["reason"]
    with pytest.raises(ValueError, match="'because I said so'"):
        Feedback("d-1", "overridden", "because I said so")


# ------------------------------------------------------------------ JSON and its schema


@pytest.mark.parametrize(
    "obj",
    [
        trustkit.record_decision(CheckIn("partner", {"feels_heard": 1}, AT), decision_id="a"),
        trustkit.record_decision({"afraid_of_partner": True}, decision_id="b", key=KEY),
        Feedback("a", "accepted"),
        Feedback("b", "overridden", "safety_concern", "professional_help", at=AT),
    ],
    ids=["record", "keyed-record", "accepted", "overridden"],
)
def test_records_and_feedback_round_trip_through_json_and_match_their_schema(obj: Any) -> None:
    from jsonschema import Draft202012Validator, FormatChecker

    data = json.loads(json.dumps(trustkit.converter.unstructure(obj)))
    assert trustkit.converter.structure(data, type(obj)) == obj
    name = "decision-record" if isinstance(obj, DecisionRecord) else "feedback"
    schema = trustkit.json_schema(name)
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(data)
    bad = {**data, "answers": {"feels_heard": 1}}
    assert not Draft202012Validator(schema).is_valid(bad)
