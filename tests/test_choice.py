"""Choice questions: the kind registry, answers, `in` / `not in` / `contains`, the pack check."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from trustkit import AnswerCompare, AnswerError, Op, Option, PackError, Question, QuestionKind
from trustkit._engine.compile import compile_condition, evaluate
from trustkit._pack.kinds import KINDS, MAX_CHOICE_CODES, kind_of, parse, reverse

CODES = ("earlier", "family", "here", "unsure")
OPTIONS = tuple(Option(c, c.title()) for c in CODES)
ONE = Question("source", "Where from?", "choice", ["partner"], options=OPTIONS)
MANY = Question("sources", "Where from?", "multiple_choice", ["partner"], options=OPTIONS)


def test_every_kind_has_an_entry() -> None:
    assert set(KINDS) == set(QuestionKind)
    assert [reverse(v) for v in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]


def test_choice_answers_are_checked_and_parsed() -> None:
    one, many = kind_of(ONE).checker(ONE), kind_of(MANY).checker(MANY)
    assert one("here")
    assert not any(one(v) for v in ("nowhere", ["here"]))
    assert all(many(v) for v in (frozenset({"here"}), ["here", "family"], []))
    assert not any(many(v) for v in (["here", "here"], ["nowhere"], "here"))
    assert parse(MANY, ["here"]) == frozenset({"here"})
    assert parse(ONE, "here") == "here"


codes = st.lists(st.sampled_from(CODES), min_size=1, max_size=4, unique=True).map(tuple)
single = st.sampled_from(CODES)
multiple = st.frozensets(st.sampled_from(CODES))


@given(st.sampled_from([Op.IN, Op.NOT_IN]), codes, single)
def test_single_choice_ops_mean_what_python_says(op: Op, value: tuple[str, ...], x: str) -> None:
    cond = AnswerCompare("source", op, value)
    want = (x in value) if op is Op.IN else (x not in value)
    assert evaluate(cond, {"source": x}, {}) is want
    assert compile_condition(cond)({"source": x}, {}) is want
    assert not compile_condition(cond)({}, {})  # unanswered: never holds


@given(st.sampled_from([Op.IN, Op.NOT_IN, Op.CONTAINS]), codes, multiple)
def test_multiple_choice_ops_mean_what_python_says(
    op: Op, value: tuple[str, ...], x: frozenset[str]
) -> None:
    cond = AnswerCompare("sources", op, value)
    if op is Op.IN:
        want = any(c in x for c in value)
    elif op is Op.NOT_IN:
        want = all(c not in x for c in value)
    else:
        want = all(c in x for c in value)
    assert evaluate(cond, {"sources": x}, {}) is want
    assert compile_condition(cond)({"sources": x}, {}) is want


def test_conditions_show_codes_never_an_answer() -> None:
    cond = AnswerCompare("source", "in", ["earlier", "family"])
    assert cond.value == ("earlier", "family")
    assert AnswerCompare("source", "in", "earlier").value == ("earlier",)  # one code
    assert str(cond) == "source in [earlier, family]"


def test_multiple_choice_classes_are_the_subsets_of_named_codes() -> None:
    atoms = [AnswerCompare("sources", Op.CONTAINS, ("here",))]
    assert kind_of(MANY).classes(MANY, atoms) == [frozenset(), frozenset({"here"})]
    many = attrs.evolve(
        MANY, options=tuple(Option(f"c{i}", "x") for i in range(MAX_CHOICE_CODES + 1))
    )
    wide = [AnswerCompare("sources", Op.IN, many.codes)]
    assert kind_of(many).classes(many, wide) is None


def _pack(question: Question, cond: AnswerCompare) -> trustkit.ContentPack:
    pack = trustkit.default_pack()
    rule = trustkit.Rule("choice-rule", "educate", cond, 1, reason="Because.")
    return attrs.evolve(pack, questions=(*pack.questions, question), rules=(*pack.rules, rule))


def test_a_choice_question_decides_a_rule_end_to_end() -> None:
    pack = _pack(ONE, AnswerCompare("source", Op.IN, ("earlier", "family")))
    rec = trustkit.recommend_next_step({"source": "family"}, pack=pack)
    assert rec.rule_id in {r.id for r in pack.rules}
    with pytest.raises(AnswerError) as caught:
        trustkit.recommend_next_step({"source": "secret-value"}, pack=pack)
    assert "source" in str(caught.value)
    assert "secret-value" not in str(caught.value)


def test_a_multiple_choice_answer_may_be_a_list() -> None:
    pack = _pack(MANY, AnswerCompare("sources", Op.CONTAINS, ("here",)))
    rec = trustkit.recommend_next_step({"sources": ["here", "family"]}, pack=pack)
    assert rec.step.id


@pytest.mark.parametrize(
    ("question", "cond", "words"),
    [
        (ONE, AnswerCompare("source", Op.IN, ("nowhere",)), "unknown code 'nowhere'"),
        (ONE, AnswerCompare("source", Op.CONTAINS, ("here",)), "use 'in' or 'not in'"),
        (ONE, AnswerCompare("source", Op.EQ, 1), "use 'in' or 'not in'"),
        (MANY, AnswerCompare("sources", Op.IN, ()), "a list of its option codes"),
        (ONE, AnswerCompare("source", Op.NOT_IN, CODES[::-1]), "can never be true"),
    ],
)
def test_the_pack_check_refuses_bad_code_conditions(
    question: Question, cond: AnswerCompare, words: str
) -> None:
    with pytest.raises(PackError, match=words):
        trustkit.recommend_next_step({}, pack=_pack(question, cond))


def test_not_in_all_codes_can_hold_for_multiple_choice_and_in_a_smaller_list() -> None:
    """'not in' every code is never true for one choice, but an empty selection meets it."""
    for question, cond, answer in [
        (MANY, AnswerCompare("sources", Op.NOT_IN, CODES), []),
        (ONE, AnswerCompare("source", Op.NOT_IN, CODES[1:]), CODES[0]),
    ]:
        pack = _pack(question, cond)
        trustkit.check_pack(pack)  # accepted: an answer meets it
        rec = trustkit.recommend_next_step({question.id: answer}, pack=pack)
        assert rec.rule_id == "choice-rule"
    with pytest.raises(PackError) as caught:
        trustkit.check_pack(_pack(ONE, AnswerCompare("source", Op.NOT_IN, CODES)))
    assert [p.code for p in caught.value.problems] == [trustkit.ProblemCode.NEVER_TRUE]


def test_code_ops_on_numbers_scores_and_facts_are_refused() -> None:
    cond = AnswerCompare("understand_roots", Op.IN, ("x",))
    with pytest.raises(PackError, match="is a scale question"):
        trustkit.recommend_next_step({}, pack=_pack(ONE, cond))
    score = trustkit.ScoreCompare("understanding", Op.IN, 1)
    pack = trustkit.default_pack()
    rule = trustkit.Rule("bad", "educate", score, 1, reason="Because.")
    bad = attrs.evolve(pack, rules=(*pack.rules, rule))
    with pytest.raises(PackError, match="compares option codes"):
        trustkit.recommend_next_step({}, pack=bad)


def test_options_are_checked() -> None:
    few = attrs.evolve(ONE, options=OPTIONS[:1])
    twice = attrs.evolve(ONE, options=(*OPTIONS, OPTIONS[0]))
    stray = attrs.evolve(trustkit.default_pack().questions[0], id="stray", options=OPTIONS)
    cond = AnswerCompare("source", Op.IN, ("earlier",))
    with pytest.raises(PackError, match="at least two options"):
        trustkit.recommend_next_step({}, pack=_pack(few, cond))
    with pytest.raises(PackError, match="used twice"):
        trustkit.recommend_next_step({}, pack=_pack(twice, cond))
    with pytest.raises(PackError, match="only choice questions have options"):
        trustkit.recommend_next_step({}, pack=_pack(stray, AnswerCompare("stray", "<=", 2)))


def test_a_multiple_choice_answer_is_json_as_a_sorted_list() -> None:
    """The converter, a decision record's hash and a verify counterexample all write a set of
    codes as a sorted list (json.dumps cannot write a frozenset)."""
    import datetime as dt
    import json

    pack = _pack(MANY, AnswerCompare("sources", Op.CONTAINS, ("here",)))
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    checkin = trustkit.CheckIn("partner", {"sources": frozenset({"here", "earlier"})}, at)
    data = trustkit.converter.unstructure(checkin)
    assert data["answers"] == {"sources": ["earlier", "here"]}
    again = trustkit.parse_checkin(json.loads(json.dumps(data)))
    assert trustkit.recommend_next_step(again, pack=pack) == trustkit.recommend_next_step(
        checkin, pack=pack
    )
    key = b"k" * 16
    first = trustkit.record_decision(checkin, decision_id="d1", key=key, pack=pack)
    listed = trustkit.parse_checkin(
        {"respondent": "partner", "answers": {"sources": ["here", "earlier"]}, "at": at.isoformat()}
    )
    second = trustkit.record_decision(listed, decision_id="d1", key=key, pack=pack)
    assert first.answers_hash == second.answers_hash is not None


def test_verify_writes_a_set_of_codes_in_a_counterexample() -> None:
    """A safety rule that sends a yes to a talk when a code is chosen is found, and the
    counterexample holds the codes as a list in JSON."""
    import json

    from tests.test_verify import reroute

    pack = trustkit.default_pack()
    rerouted = reroute(attrs.evolve(pack, questions=(*pack.questions, MANY)))
    rule = rerouted.rules[-1]
    cond = trustkit.AllOf((rule.when, AnswerCompare("sources", Op.CONTAINS, ("here",))))
    bad = attrs.evolve(rerouted, rules=(*rerouted.rules[:-1], attrs.evolve(rule, when=cond)))
    report = trustkit.verify_pack(bad)
    assert not report.safe
    unsafe = json.loads(json.dumps(report.to_json()))["unsafe"]
    assert unsafe
    assert all(f["example"]["answers"]["sources"] == ["here"] for f in unsafe)


@pytest.mark.parametrize(
    ("option", "field", "words"),
    [
        (Option("Not A Code", "Label"), "options[4].code", "a code"),
        (Option("blank", "  "), "options[4].label", "a text"),
        (Option("heavy", "Heavy", float("inf")), "options[4].weight", "a finite number"),
        (Option("odd", "Odd", "2"), "options[4].weight", "a finite number"),  # type: ignore[arg-type]
    ],
)
def test_each_option_is_checked(option: Option, field: str, words: str) -> None:
    bad = attrs.evolve(ONE, options=(*OPTIONS, option))
    cond = AnswerCompare("source", Op.IN, ("earlier",))
    with pytest.raises(PackError) as caught:
        trustkit.recommend_next_step({}, pack=_pack(bad, cond))
    assert any(p.field == field and words in p.message for p in caught.value.problems)


def test_code_comparisons_that_slipped_past_the_check_never_hold() -> None:
    """Only a pack whose check was bypassed compares a number, or a score, with codes."""
    number = AnswerCompare("source", Op.IN, 5)
    assert number.value == 5
    assert not compile_condition(number)({"source": "here"}, {})
    score = trustkit.ScoreCompare("understanding", Op.IN, 1)
    assert not compile_condition(score)({}, {"understanding": 1})
    given: Any = {"here": 1}  # neither a code nor a list of codes
    other = AnswerCompare("source", Op.IN, given)
    assert other.value is given
    with pytest.raises(PackError, match="a list of its option codes"):
        trustkit.recommend_next_step({}, pack=_pack(ONE, other))


def test_verify_gives_up_on_a_safety_rule_naming_too_many_codes() -> None:
    """Past MAX_CHOICE_CODES codes of one multiple choice question, no proof is claimed."""
    from tests.test_verify import reroute

    codes = tuple(f"c{i}" for i in range(MAX_CHOICE_CODES + 1))
    wide = attrs.evolve(MANY, options=tuple(Option(c, c) for c in codes))
    pack = trustkit.default_pack()
    rerouted = reroute(attrs.evolve(pack, questions=(*pack.questions, wide)))
    rule = rerouted.rules[-1]
    cond = trustkit.AllOf((rule.when, AnswerCompare("sources", Op.IN, codes)))
    bad = attrs.evolve(rerouted, rules=(*rerouted.rules[:-1], attrs.evolve(rule, when=cond)))
    report = trustkit.verify_pack(bad)
    assert not report.safe
    assert any(f"more than {MAX_CHOICE_CODES} of its codes" in why for why in report.gave_up)
