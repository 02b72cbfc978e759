"""The evaluation trace: every rule tried, whether it held, and what failed; never an answer."""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples
from tests.strategies import ROLES, valid_answers
from tests.test_engine import conditions, with_facts
from trustkit import (
    AllOf,
    Always,
    AnyOf,
    CheckIn,
    Condition,
    ContentPack,
    Not,
    Rule,
    RuleOutcome,
    Trace,
    Urgency,
)
from trustkit._cli import main
from trustkit._engine.compile import compiled, evaluate

PACK = trustkit.default_pack()
T0 = dt.datetime(2026, 1, 5, 20, 0, tzinfo=dt.UTC)
STEPS = [s.id for s in PACK.steps]
COUPLES_STEPS = {s.id for s in PACK.steps if s.couples}
TRACE_SCHEMA = trustkit.json_schema("trace")


def parts(cond: Condition) -> list[str]:
    """Every part of a condition, written out."""
    found = [str(cond)]
    if isinstance(cond, AllOf | AnyOf):
        for inner in cond.conditions:
            found.extend(parts(inner))
    elif isinstance(cond, Not):
        found.extend(parts(cond.condition))
    return found


def check_agrees(t: Trace, pack: ContentPack) -> None:
    """The trace agrees with the decision, as the engine is documented to make it."""
    rec = t.recommendation
    rules = {r.id: r for r in pack.rules}
    c = compiled(pack)
    order = [r.rule.id for r in (*c.safety_rules, *c.rules)]
    listed = [e.rule_id for e in t.rules]
    assert listed == [rule_id for rule_id in order if rule_id in set(listed)]
    assert {e.rule_id for e in t.rules if e.safety} == {r.rule.id for r in c.safety_rules}
    for e in t.rules:
        rule = rules[e.rule_id]
        assert (e.step, e.priority, e.safety) == (rule.step, rule.priority, rule.safety)
        if e.held is False:
            assert e.failed in parts(rule.when)
        else:
            assert (e.failed, e.questions, e.facts) == (None, (), ())
    jsonschema.validate(trustkit.converter.unstructure(t), TRACE_SCHEMA)

    held_safety = [e for e in t.rules if e.safety and e.held]
    others = [e for e in t.rules if not e.safety]
    if held_safety:
        assert rec.safety
        assert rec.urgency is Urgency.CRITICAL
        assert held_safety[0].outcome is RuleOutcome.DECIDED
        assert held_safety[0].rule_id == rec.rule_id
        assert all(e.outcome is RuleOutcome.JOINED for e in held_safety[1:])
        assert all(e.held is None and e.outcome is RuleOutcome.NOT_TRIED for e in others)
        assert rec.alternatives == ()
        return
    earlier = [e for e in t.rules if e.outcome is RuleOutcome.EARLIER]
    if earlier:  # this person's own positive screen earlier in the safety period
        assert rec.safety
        assert rec.urgency is Urgency.WARNING
        assert rec.rule_id == earlier[0].rule_id
        assert all(e.held is None and e.outcome is RuleOutcome.NOT_TRIED for e in others)
        return
    assert not rec.safety
    # During the other partner's safety period, rules for couples steps are listed as not
    # tried; every other rule was tried.
    apart = c.couples_steps
    untried = [e for e in t.rules if e.held is None]
    assert all(e.outcome is RuleOutcome.NOT_TRIED and e.step in apart for e in untried)
    assert len(t.rules) == len(order)
    held = [e for e in others if e.held]
    # The winner is the first rule that held, in priority order.
    assert held[0].outcome is RuleOutcome.DECIDED
    assert (held[0].rule_id, held[0].step) == (rec.rule_id, rec.step.id)
    # The alternatives are the next ones that held, one per new step, no catch-all, two at most.
    expected: list[str] = []
    seen = {held[0].step}
    for e in held[1:]:
        if e.step in seen or isinstance(rules[e.rule_id].when, Always):
            continue
        if len(expected) == 2:
            break
        expected.append(e.rule_id)
        seen.add(e.step)
    assert [a.rule_id for a in rec.alternatives] == expected
    assert [e.rule_id for e in others if e.outcome is RuleOutcome.ALTERNATIVE] == expected


def random_pack(extra: list[tuple[Condition, int, str]]) -> ContentPack | None:
    rules = tuple(
        Rule(id=f"random-{i}", step=step, priority=priority, reason="Random.", when=cond)
        for i, (cond, priority, step) in enumerate(extra)
    )
    pack = attrs.evolve(PACK, rules=(*PACK.rules, *rules))
    try:
        trustkit.check_pack(pack)
    except trustkit.PackError:
        return None  # a pack the checks refuse is not a pack anyone can trace
    return pack


@pytest.mark.slow
@settings(max_examples=examples(60))
@given(
    st.lists(st.tuples(conditions(), st.integers(-5, 200), st.sampled_from(STEPS)), max_size=5),
    st.data(),
)
def test_the_trace_agrees_with_the_decision_on_random_packs(
    extra: list[tuple[Condition, int, str]], data: st.DataObject
) -> None:
    """Random rules on top of core, random answers: the trace explains the same decision."""
    pack = random_pack(extra)
    if pack is None:
        return
    role = data.draw(ROLES)
    answers = data.draw(valid_answers(role, pack=pack))
    t = trustkit.trace(answers, respondent=role, pack=pack)
    assert t.recommendation == trustkit.recommend_next_step(answers, respondent=role, pack=pack)
    check_agrees(t, pack)
    # Without history, whether a rule held is what the reference evaluator says.
    clean = {k: v for k, v in answers.items() if v is not None}
    scores = compiled(pack).score_all(clean)
    rules = {r.id: r for r in pack.rules}
    for e in t.rules:
        if e.held is not None:
            assert e.held == evaluate(rules[e.rule_id].when, clean, scores)


@st.composite
def couple_history(draw: st.DrawFn) -> list[CheckIn]:
    """A few earlier check-ins of both partners, some of them perhaps a positive screen."""
    out = []
    for n in range(draw(st.integers(0, 6))):
        role = draw(ROLES)
        answers = draw(valid_answers(role, safe=draw(st.integers(0, 4)) > 0))
        out.append(CheckIn(role, answers, T0 + dt.timedelta(days=4 * n)))
    return out


@pytest.mark.slow
@settings(max_examples=examples(60))
@given(
    st.lists(st.tuples(with_facts(), st.integers(-5, 200), st.sampled_from(STEPS)), max_size=3),
    couple_history(),
    st.data(),
)
def test_the_trace_agrees_with_the_decision_with_history_and_safety_periods(
    extra: list[tuple[Condition, int, str]], history: list[CheckIn], data: st.DataObject
) -> None:
    """With history (and any safety period it opens), the trace still explains the decision."""
    pack = random_pack(extra) or PACK
    role = data.draw(ROLES)
    today = CheckIn(role, data.draw(valid_answers(role, pack=pack)), T0 + dt.timedelta(weeks=4))
    t = trustkit.trace(today, history=iter(history), pack=pack)
    assert t.recommendation == trustkit.recommend_next_step(today, history=history, pack=pack)
    check_agrees(t, pack)


@st.composite
def long_couple_history(draw: st.DrawFn) -> list[CheckIn]:
    """Check-ins of both partners over up to two years, oldest first, some positive screens."""
    days = sorted(set(draw(st.lists(st.integers(1, 2 * 365), max_size=30))), reverse=True)
    out = []
    for day in days:
        role = draw(ROLES)
        answers = draw(valid_answers(role, safe=draw(st.integers(0, 6)) > 0))
        out.append(CheckIn(role, answers, T0 - dt.timedelta(days=day)))
    return out


@pytest.mark.slow
@settings(max_examples=examples(60))
@given(long_couple_history(), st.data())
def test_the_trace_reads_an_ordered_history_as_the_decision_does(
    history: list[CheckIn], data: st.DataObject
) -> None:
    """With ``history_ordered=True`` the trace explains the decision made the same way, and is
    the trace of the same history in any order."""
    role = data.draw(ROLES)
    today = CheckIn(role, data.draw(valid_answers(role)), T0)
    t = trustkit.trace(today, history=history, history_ordered=True)
    assert t.recommendation == trustkit.recommend_next_step(
        today, history=history, history_ordered=True
    )
    assert t == trustkit.trace(today, history=data.draw(st.permutations(history)))
    check_agrees(t, PACK)


def test_the_trace_reads_a_wrongly_ordered_history_as_the_ordinary_path_does() -> None:
    """As the ordinary path does: a wrong promise of order changes nothing."""
    history = [CheckIn("partner", {"feels_heard": 3}, T0 - dt.timedelta(days=d)) for d in (1, 8)]
    t = trustkit.trace({"feels_heard": 3}, history=history, now=T0, history_ordered=True)
    assert t.recommendation == trustkit.recommend_next_step(
        {"feels_heard": 3}, history=history[::-1], now=T0
    )


def test_a_failed_rule_names_its_first_failing_part_and_what_it_reads() -> None:
    t = trustkit.trace({"understand_roots": 2, "hopeful": 4}, respondent="supporter")
    entry = t.rule("patience-early")
    assert entry.outcome is RuleOutcome.FAILED
    assert (entry.failed, entry.questions, entry.facts) == ("checkins <= 3", (), ("checkins",))
    entry = t.rule("validation-not-heard")
    assert entry.failed == "any(feels_heard <= 2, feelings_dismissed >= 4)"
    assert entry.questions == ("feels_heard", "feelings_dismissed")
    with pytest.raises(KeyError):
        t.rule("no-such-rule")


def test_every_kind_of_held_rule_says_why_it_was_not_chosen() -> None:
    answers = {
        "feels_heard": 1,  # validation-not-heard: decides
        "promises_kept": 1,  # consistency-promises (70) decides before it, in fact
        "safe_to_share": 1,  # communication-not-safe: an alternative
        "feels_rushed": 5,  # patience-pace: no room left
        "past_hurt": True,  # educate-past-hurt
    }
    t = trustkit.trace(answers)
    outcomes = {e.rule_id: e.outcome for e in t.rules if e.held}
    assert outcomes == {
        "consistency-promises": RuleOutcome.DECIDED,
        "validation-not-heard": RuleOutcome.ALTERNATIVE,
        "communication-not-safe": RuleOutcome.ALTERNATIVE,
        "communication-not-safe-apart": RuleOutcome.ENOUGH,  # two alternatives already
        "patience-pace": RuleOutcome.ENOUGH,
        "educate-past-hurt": RuleOutcome.ENOUGH,
        "catch-all": RuleOutcome.CATCH_ALL,
    }
    t = trustkit.trace({"past_hurt": True})
    assert t.rule("catch-all").outcome is RuleOutcome.SAME_STEP  # educate, already chosen


def test_a_positive_screen_decides_and_the_other_rules_are_not_tried() -> None:
    t = trustkit.trace({"afraid_of_partner": True, "self_harm_thoughts": True, "feels_heard": 1})
    assert [(e.rule_id, e.outcome) for e in t.rules if e.held] == [
        ("safety-self-harm", RuleOutcome.DECIDED),
        ("safety-abuse", RuleOutcome.JOINED),
    ]
    assert {e.outcome for e in t.rules if not e.safety} == {RuleOutcome.NOT_TRIED}
    check_agrees(t, PACK)


def test_the_partner_who_disclosed_sees_the_earlier_answer_decide_again() -> None:
    disclosure = CheckIn("partner", {"afraid_of_partner": True}, T0)
    later = CheckIn("partner", {"afraid_of_partner": False, "progress_noticed": 5}, T0 + WEEK)
    t = trustkit.trace(later, history=[disclosure])
    assert t.rule("safety-abuse").outcome is RuleOutcome.EARLIER
    assert t.rule("safety-abuse").held is False
    assert t.rule("safety-self-harm").outcome is RuleOutcome.FAILED
    assert {e.outcome for e in t.rules if not e.safety} == {RuleOutcome.NOT_TRIED}
    check_agrees(t, PACK)


WEEK = dt.timedelta(weeks=1)


def test_the_other_partners_trace_reveals_nothing_of_a_safety_period() -> None:
    """The other partner's trace lists every rule, as without a period, and says no more.

    (Issue 18: leaving the couples rules out made the trace shorter than usual, which told.)
    Rules for couples steps are not part of the decision: they are listed as not tried.
    """
    disclosure = CheckIn("partner", {"afraid_of_partner": True}, T0)
    answers = {"safe_to_share": 1, "distress": 1, "progress_noticed": 5}
    today = CheckIn("supporter", answers, T0 + WEEK)
    during = trustkit.trace(today, history=[disclosure])
    before = trustkit.trace(today, history=[])
    check_agrees(during, PACK)
    assert not during.recommendation.safety
    assert [e.rule_id for e in during.rules] == [e.rule_id for e in before.rules]
    assert {e.rule_id for e in during.rules if e.outcome is RuleOutcome.NOT_TRIED} == {
        r.id for r in PACK.rules if r.step in COUPLES_STEPS
    }
    # And the same whatever was disclosed.
    for question in ("controlled", "choked_or_strangled", "self_harm_thoughts"):
        other = CheckIn("partner", {question: True}, T0)
        assert trustkit.trace(today, history=[other]) == during
    assert {e.outcome for e in during.rules} <= {
        RuleOutcome.NOT_TRIED,
        RuleOutcome.DECIDED,
        RuleOutcome.ALTERNATIVE,
        RuleOutcome.SAME_STEP,
        RuleOutcome.CATCH_ALL,
        RuleOutcome.ENOUGH,
        RuleOutcome.FAILED,
    }
    # The safety rules read the same as with no disclosure at all.
    assert [e for e in during.rules if e.safety] == [e for e in before.rules if e.safety]
    # The recommendation is the ordinary one (tested in test_safety_period); the rules add
    # nothing about a period either.
    text = json.dumps(trustkit.converter.unstructure(during.rules)).lower()
    for word in ("period", "earlier", "disclos", "couples"):
        assert word not in text
        assert word not in format_text(during).lower()


def format_text(t: Trace) -> str:
    from trustkit._cli import format_trace

    return format_trace(t)


def test_a_trace_holds_no_answer_values() -> None:
    """Outside the recommendation, a trace is the same whatever values decided each rule."""
    a = trustkit.trace({"feels_heard": 5, "promises_kept": 5})
    b = trustkit.trace({"feels_heard": 4, "promises_kept": 3})
    assert a.rules == b.rules


def test_trace_is_immutable_picklable_and_round_trips_through_json() -> None:
    t = trustkit.trace({"feels_heard": 1}, country="GB", locale="es")
    assert pickle.loads(pickle.dumps(t)) == t
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        t.rules = ()  # type: ignore[misc]
    data = json.loads(json.dumps(trustkit.converter.unstructure(t)))
    assert trustkit.converter.structure(data, Trace) == t
    assert t.recommendation.locale == "es"


def test_trace_rejects_what_recommend_rejects() -> None:
    with pytest.raises(trustkit.AnswerError):
        trustkit.trace({"feels_heard": 9})
    with pytest.raises(trustkit.AnswerError):
        trustkit.trace({"feels_heard": 1}, history=5)  # type: ignore[arg-type]
    # What the ordinary path does with boundaries that are not even iterable, trace does too.
    with pytest.raises(TypeError):
        trustkit.recommend_next_step({}, boundaries=5, now=T0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        trustkit.trace({}, boundaries=5, now=T0)  # type: ignore[arg-type]


def test_trace_with_boundaries() -> None:
    crossed = trustkit.Boundary("b", "x", set_by="partner", status="crossed")
    t = trustkit.trace({}, boundaries=[crossed], now=T0)
    assert t.rule("boundaries-crossed-record").outcome is RuleOutcome.DECIDED
    check_agrees(t, PACK)


# ------------------------------------------------------------------------ command line


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_recommend_trace_prints_the_rules_readably(tmp_path: Path) -> None:
    file = tmp_path / "checkin.json"
    file.write_text(json.dumps({"feels_heard": 2, "safe_to_share": 2}), encoding="utf-8")
    code, out, _ = run("recommend", str(file), "--trace")
    assert code == 0
    head, _, rules = out.partition("Rules, in the order they were tried:")
    assert "Next step: Ask for your feelings to be taken seriously" in head
    lines = rules.splitlines()
    assert any("validation-not-heard" in line and line.endswith(": decided") for line in lines)
    assert any("communication-not-safe" in line and "alternative" in line for line in lines)
    assert "          failed at: any(promises_kept <= 2, missed_commitments >= 2)" in lines
    assert "          reads: promises_kept, missed_commitments" in lines
    assert "2" not in "".join(line for line in lines if "feels_heard" in line and "<=" not in line)


def test_recommend_trace_json_is_the_trace(tmp_path: Path) -> None:
    code, out, _ = run("recommend", "-", "--trace", "--json", stdin='{"feels_heard": 1}')
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    jsonschema.validate(data, TRACE_SCHEMA)
    assert data["recommendation"]["rule_id"] == "validation-not-heard"
    assert trustkit.converter.structure(data, Trace) == trustkit.trace({"feels_heard": 1})
    code, out, _ = run("schema", "trace")
    assert code == 0
    assert json.loads(out) == TRACE_SCHEMA


def test_format_trace_leaves_out_reads_when_a_part_reads_nothing() -> None:
    from trustkit._cli import format_trace

    t = trustkit.trace({})
    entry = attrs.evolve(t.rules[0], failed="not(always)", questions=(), facts=())
    lines = format_trace(attrs.evolve(t, rules=(entry,))).splitlines()
    assert lines[1:] == [
        f"  safety  {entry.rule_id} -> professional_help: did not hold",
        "          failed at: not(always)",
    ]
