"""Speed and scale (issue 11): the rule index, ordered history, the batch path, compact pickles.

Each fast path is checked against the plain one it replaces: the index against
trying every rule with the plain evaluator (`bench.packs.every_rule`), an ordered
history against the same history shuffled, ``recommend_many`` against single calls.
"""

from __future__ import annotations

import datetime as dt
import pickle
import random
from typing import Any
from unittest import mock

import attrs
import pytest
from bench.packs import every_rule
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples, unchecked
from tests.strategies import role_and_answers, valid_answers
from trustkit import (
    AllOf,
    Always,
    AnswerCompare,
    Answered,
    AnswerError,
    AnyOf,
    CheckIn,
    Condition,
    ContentPack,
    Not,
    Op,
    PackError,
    QuestionKind,
    Role,
    Rule,
    ScoreCompare,
)
from trustkit._engine import compile as compile_module
from trustkit._engine.compile import CompiledRule, RuleIndex, compiled, evaluate, triggers

BASE = trustkit.default_pack()
ORDINARY = [q for q in BASE.questions if not q.safety]
STEPS = ["educate", "patience", "consistency", "validation", "communication", "celebrate"]


@st.composite
def leaves(draw: st.DrawFn) -> Condition:
    """A comparison on an answer or a score, or an ``answered``."""
    op = draw(st.sampled_from(list(Op)))
    if draw(st.integers(0, 5)) == 0:
        dim = draw(st.sampled_from([d.id for d in BASE.dimensions]))
        return ScoreCompare(dim, op, draw(st.sampled_from([1, 2, 2.5, 3, 4, 5])))
    q = draw(st.sampled_from(ORDINARY))
    if draw(st.integers(0, 7)) == 0:
        return Answered(q.id)
    if q.kind is QuestionKind.YES_NO:
        return AnswerCompare(q.id, draw(st.sampled_from([Op.EQ, Op.NE])), draw(st.booleans()))
    if q.kind is QuestionKind.SCALE:
        return AnswerCompare(q.id, op, draw(st.integers(1, 5)))
    return AnswerCompare(q.id, op, draw(st.integers(0, 4)))


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda c: AllOf(tuple(c))),
        st.lists(inner, min_size=1, max_size=3).map(lambda c: AnyOf(tuple(c))),
        inner.map(Not),
    ),
    max_leaves=6,
)


@st.composite
def packs(draw: st.DrawFn) -> ContentPack:
    """The bundled pack with random ordinary rules (and maybe no catch-all)."""
    count = draw(st.integers(1, 12))
    rules = [r for r in BASE.rules if r.safety]
    for i in range(count):
        rules.append(
            Rule(
                id=f"r{i:02d}",
                step=draw(st.sampled_from(STEPS)),
                when=draw(conditions),
                reason="A random rule.",
                priority=draw(st.integers(0, 5)),
            )
        )
    rules.append(Rule(id="zz-catch-all", step="educate", when=Always(), reason="Start here."))
    pack = attrs.evolve(BASE, id="random", rules=tuple(rules), translations=(), locale_files=())
    try:
        trustkit.check_pack(pack)
    except PackError:  # e.g. a comparison that can never be true: the pack check refuses it
        reject()
    return pack


@pytest.mark.slow
@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=unchecked(HealthCheck.filter_too_much),
)
@given(packs(), st.data())
@pytest.mark.parametrize("levels_from", [compile_module.LEVELS_FROM, 0], ids=["as-is", "3-groups"])
def test_the_index_finds_what_trying_every_rule_finds(
    levels_from: int, pack: ContentPack, data: st.DataObject
) -> None:
    """On random packs and answers, the indexed engine decides as the plain evaluator does.

    As the pack's size has it, and indexed on up to three groups per rule (as
    large packs are, from ``LEVELS_FROM`` rules on).
    """
    role = data.draw(st.sampled_from(list(Role)))
    answers = data.draw(valid_answers(role, safe=True))
    with mock.patch.object(compile_module, "LEVELS_FROM", levels_from):
        if levels_from == 0:
            assert compiled(pack).index.free or max(map(len, _groups(pack)), default=0) <= 1
        rec = trustkit.recommend_next_step(answers, respondent=role, pack=pack)
    assert (rec.rule_id, tuple(a.rule_id for a in rec.alternatives)) == every_rule(pack, answers)


def _groups(pack: ContentPack) -> list[dict[tuple[compile_module.Atom, ...], None]]:
    """Each rule's groups, each once."""
    return [dict.fromkeys(compile_module.necessary(rule.when)) for rule in pack.rules]


@given(conditions, st.data())
def test_a_condition_that_holds_has_one_holding_comparison_in_each_group(
    cond: Condition, data: st.DataObject
) -> None:
    """Groups are sound: when a condition holds, each of its groups has a comparison that holds."""
    _role, answers = data.draw(role_and_answers(safe=True))
    clean = {k: v for k, v in answers.items() if v is not None}
    scores = compiled(BASE).score_all(clean)
    if evaluate(cond, clean, scores):
        for group in compile_module.necessary(cond):
            assert any(evaluate(atom, clean, scores) for atom in group)


def test_a_rule_of_all_three_is_a_candidate_only_when_all_three_may_hold() -> None:
    """On three levels all(a, b, c) is tried only when a, b and c all hold; one level tries more."""
    when = AllOf(
        (
            AnswerCompare("feels_heard", Op.LE, 2),
            AnswerCompare("promises_kept", Op.LE, 2),
            AnswerCompare("missed_commitments", Op.GE, 2),
        )
    )
    rules = (
        CompiledRule(Rule(id="three", step="educate", reason="Three.", when=when), None),  # type: ignore[arg-type]
        CompiledRule(Rule(id="any", step="educate", reason="Any.", when=Always()), None),  # type: ignore[arg-type]
    )
    questions = {q.id: q for q in BASE.questions}
    for levels, expected in ((3, 0b10), (1, 0b11)):
        index = RuleIndex(rules, questions, levels)
        found = index.always
        for key, value in (("feels_heard", 1), ("promises_kept", 5), ("missed_commitments", 3)):
            found |= index.answer_bits(key, value)
        assert index.scored(found, {}, {}, with_facts=False) == expected
    # A large pack is indexed on several levels by itself; a small one on one.
    assert len(compiled(BASE).index.free) == 0
    many = attrs.evolve(
        BASE,
        id="many",
        rules=(
            *BASE.rules,
            *(
                Rule(id=f"m{i:03d}", step="educate", reason="M.", priority=1, when=when)
                for i in range(compile_module.LEVELS_FROM)
            ),
        ),
    )
    assert len(compiled(many).index.free) == compile_module.LEVELS - 1


@given(conditions, st.data())
def test_a_condition_that_holds_has_a_trigger_that_holds(
    cond: Condition, data: st.DataObject
) -> None:
    """Triggers are sound: whenever a condition holds, one of its triggers holds."""
    _role, answers = data.draw(role_and_answers(safe=True))
    clean = {k: v for k, v in answers.items() if v is not None}
    scores = compiled(BASE).score_all(clean)
    found = triggers(cond)
    if found is not None and evaluate(cond, clean, scores):
        assert any(evaluate(atom, clean, scores) for atom in found)


def test_a_count_above_every_threshold_uses_the_last_entry() -> None:
    """Counts are unbounded: one entry of the table stands for every count past the thresholds."""
    rule = Rule(
        id="many", step="consistency", reason="Many.", priority=100,
        when=AnswerCompare("missed_commitments", Op.GE, 3),
    )  # fmt: skip
    pack = attrs.evolve(BASE, id="counts", rules=(*BASE.rules, rule))
    for value, expected in ((2, "consistency-promises"), (3, "many"), (10**6, "many")):
        rec = trustkit.recommend_next_step({"missed_commitments": value}, pack=pack)
        assert rec.rule_id == expected


def test_rules_on_questions_the_pack_lacks_are_always_tried() -> None:
    """A rule whose checks were bypassed (an unknown question) is tried, never indexed away."""
    rule = Rule(
        id="ghost", step="educate", reason="Ghost.", priority=1,
        when=AnswerCompare("not_a_question", Op.EQ, 1),
    )  # fmt: skip
    index = RuleIndex((CompiledRule(rule, None),), {})  # type: ignore[arg-type]
    assert index.always == 1


def test_only_the_winner_is_explained() -> None:
    """Compiling builds no explainer; a recommendation builds the winner's alone."""
    pack = attrs.evolve(BASE, id="fresh")
    c = trustkit.compile_pack(pack)
    assert c is pack
    assert all(r._explain is None for r in compiled(pack).rules)
    trustkit.recommend_next_step({"feels_heard": 1}, pack=pack)
    built = [r.rule.id for r in compiled(pack).rules if r._explain is not None]
    assert built == ["validation-not-heard"]


# --------------------------------------------------------------------- history

NOW = dt.datetime(2030, 6, 1, tzinfo=dt.UTC)


@st.composite
def histories(draw: st.DrawFn) -> list[CheckIn]:
    """Check-ins of both partners over two years, some positive screens, oldest first."""
    count = draw(st.integers(0, 40))
    hours = draw(st.lists(st.integers(1, 2 * 365 * 24), min_size=count, max_size=count))
    out = []
    seen = set()
    for h in sorted(hours, reverse=True):
        role = draw(st.sampled_from(list(Role)))
        if (role, h) in seen:
            continue
        seen.add((role, h))
        answers = draw(valid_answers(role, safe=True))
        if draw(st.integers(0, 9)) == 0:
            answers[draw(st.sampled_from(["afraid_of_partner", "controlled"]))] = True
        out.append(CheckIn(respondent=role, answers=answers, at=NOW - dt.timedelta(hours=h)))
    return out


@pytest.mark.slow
@settings(max_examples=examples(40), deadline=None)  # every history is sorted now: order is moot
@given(histories(), role_and_answers(safe=True), st.randoms(use_true_random=False))
def test_an_ordered_history_gives_what_the_same_history_in_any_order_gives(
    history: list[CheckIn], case: tuple[Role, dict[str, Any]], rng: random.Random
) -> None:
    """Safety-critical: bisection finds every positive screen of the period, and the same window."""
    role, answers = case
    shuffled = rng.sample(history, len(history))
    plain = trustkit.recommend_next_step(answers, respondent=role, history=shuffled, now=NOW)
    fast = trustkit.recommend_next_step(
        answers, respondent=role, history=history, now=NOW, history_ordered=True
    )
    also = trustkit.recommend_next_step(
        answers, respondent=role, history=iter(history), now=NOW, history_ordered=True
    )
    assert fast == plain == also


def test_ties_at_the_window_edge_are_taken_as_in_any_order() -> None:
    """Check-ins sharing a time at the edge of the window are read as an unordered history is."""
    at = NOW - dt.timedelta(days=30)
    history = [
        CheckIn(respondent=Role.PARTNER, answers={"feels_heard": 1}, at=at),
        CheckIn(respondent=Role.SUPPORTER, answers={"promises_kept": 1}, at=at),
        *(
            CheckIn(respondent=Role.PARTNER, answers={"feels_heard": 5}, at=at + dt.timedelta(i))
            for i in range(1, 12)
        ),
    ]
    for role in Role:
        plain = trustkit.recommend_next_step({}, respondent=role, history=history[::-1], now=NOW)
        fast = trustkit.recommend_next_step(
            {}, respondent=role, history=history, now=NOW, history_ordered=True
        )
        assert fast == plain


def test_an_ordered_history_out_of_order_still_keeps_the_positive_screen() -> None:
    """A wrong promise of order is harmless: every history is sorted, no yes is read past."""
    old = CheckIn(respondent="partner", answers={"controlled": True}, at=NOW - dt.timedelta(9))
    new = CheckIn(respondent="partner", answers={}, at=NOW - dt.timedelta(1))
    rec = trustkit.recommend_next_step({}, history=[new, old], now=NOW, history_ordered=True)
    assert rec.safety
    assert not rec.problems


@pytest.mark.parametrize("history", [[1, 2], ["x"]])
def test_an_ordered_history_of_other_things_is_an_error(history: list[Any]) -> None:
    with pytest.raises(AnswerError, match="CheckIn objects"):
        trustkit.recommend_next_step({}, history=history, now=NOW, history_ordered=True)


def test_an_ordered_history_of_other_things_without_a_today_is_an_error() -> None:
    """Without a safety period to read, the window still names what is wrong."""
    with pytest.raises(AnswerError, match="CheckIn objects"):
        trustkit.recommend_next_step(
            CheckIn(respondent="partner", answers={}, at=NOW),
            history=["x"],  # type: ignore[list-item]
            history_ordered=True,
        )


def test_an_empty_ordered_history() -> None:
    rec = trustkit.recommend_next_step({}, history=[], now=NOW, history_ordered=True)
    assert rec == trustkit.recommend_next_step({}, history=[], now=NOW)


# --------------------------------------------------------------------- batches and pickles


@pytest.mark.slow
@settings(deadline=None)
@given(st.lists(role_and_answers(), max_size=8), st.sampled_from([None, "GB"]))
def test_a_batch_gives_what_single_calls_give(
    cases: list[tuple[Role, dict[str, Any]]], country: str | None
) -> None:
    checkins = [CheckIn(respondent=role, answers=answers, at=NOW) for role, answers in cases]
    singles = [trustkit.recommend_next_step(c, country=country) for c in checkins]
    assert list(trustkit.recommend_many(checkins, country=country)) == singles


def test_a_batch_checks_each_check_in_as_a_single_call_does() -> None:
    batch = trustkit.recommend_many([{"feels_heard": 1}, {"feels_heard": 9}], locale="es")
    assert next(batch).locale == "es"
    with pytest.raises(AnswerError, match="feels_heard"):
        next(batch)


@given(role_and_answers(), st.sampled_from([None, "GB"]))
def test_a_recommendation_pickles_small_and_comes_back_equal(
    case: tuple[Role, dict[str, Any]], country: str | None
) -> None:
    role, answers = case
    rec = trustkit.recommend_next_step(answers, respondent=role, country=country)
    data = pickle.dumps(rec)
    assert len(data) < 5000  # ids, not texts; a safety yes without a country names every line
    back = pickle.loads(data)
    assert back == rec
    assert back.reasons == rec.reasons


def test_recommendations_from_other_packs_pickle_whole() -> None:
    other = attrs.evolve(BASE, id="other")
    for rec in (
        trustkit.recommend_next_step({"feels_heard": 1}, locale="es"),
        trustkit.recommend_next_step({"feels_heard": 1}, pack=other),
        attrs.evolve(
            trustkit.recommend_next_step({"feels_heard": 1}),
            step=attrs.evolve(BASE.steps[0]),
        ),
        attrs.evolve(
            trustkit.recommend_next_step({"distress": 5}),
            resources=(attrs.evolve(BASE.resources[0], name="copy"),),
        ),
    ):
        assert pickle.loads(pickle.dumps(rec)) == rec


def test_ties_across_the_window_edge_in_a_long_history() -> None:
    """Check-ins sharing the time of the window's oldest are all weighed, as nlargest does."""
    at = NOW - dt.timedelta(days=60)
    history = [
        CheckIn(respondent=Role.SUPPORTER, answers={"hopeful": 2}, at=at - dt.timedelta(3)),
        CheckIn(respondent=Role.PARTNER, answers={"promises_kept": 1}, at=at - dt.timedelta(2)),
        CheckIn(respondent=Role.SUPPORTER, answers={"hopeful": 1}, at=at - dt.timedelta(1)),
        CheckIn(respondent=Role.PARTNER, answers={"feels_heard": 1}, at=at),
        CheckIn(respondent=Role.SUPPORTER, answers={"promises_kept": 1}, at=at),
        *(
            CheckIn(respondent=Role.PARTNER, answers={"feels_heard": 5}, at=at + dt.timedelta(i))
            for i in range(1, 13)
        ),
    ]
    for role in Role:
        plain = trustkit.recommend_next_step({}, respondent=role, history=history[::-1], now=NOW)
        fast = trustkit.recommend_next_step(
            {}, respondent=role, history=history, now=NOW, history_ordered=True
        )
        assert fast == plain


def test_without_the_bundled_pack_in_use_recommendations_pickle_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pickling never loads the bundled pack just to see whether a recommendation came from it."""
    import functools

    import trustkit._api

    rec = trustkit.recommend_next_step({"feels_heard": 1})
    never = functools.cache(lambda: BASE)
    monkeypatch.setattr(trustkit._api, "default_pack", never)
    assert pickle.loads(pickle.dumps(rec)) == rec
    assert never.cache_info().currsize == 0


def test_an_ordered_history_ending_in_other_things_is_an_error() -> None:
    """What the period does not read, the window still checks."""
    past = CheckIn(respondent="partner", answers={}, at=NOW - dt.timedelta(3))
    future = [CheckIn(respondent="partner", answers={}, at=NOW + dt.timedelta(d)) for d in (1, 2)]
    history: list[Any] = [past, *future, "x"]
    with pytest.raises(AnswerError, match="CheckIn objects"):
        trustkit.recommend_next_step({}, history=history, now=NOW, history_ordered=True)
