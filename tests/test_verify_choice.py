"""`pack verify` never gives a false proof when a choice condition reroutes a safety yes.

Generated overlays add a choice and a multiple choice question and the rerouting 'safety'
rule of tests/test_verify.py (a yes to a talk with the partner), made to hold only when a
condition on the codes holds (`in`, `not in`, `contains`, or a mix). Whatever verify says is
checked against the engine itself, over every answer the choice questions can take: a proof
means no answer at all leads a yes elsewhere than crisis-safe help, and every counterexample
really does.
"""

from __future__ import annotations

import itertools

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples, unchecked
from tests.test_verify import CORE, Pack, assert_unsafe, recommend, reroute
from trustkit import AllOf, AnswerCompare, AnyOf, Not, Op, Option, Question, Role
from trustkit._engine.verify import Counterexample, crisis_problems, verify_pack
from trustkit.models import Answer

CODES = ("a", "b", "c", "d")
ONE = Question(
    "source", "Where from?", "choice", ["partner"], options=[Option(c, c) for c in CODES]
)
MANY = Question(
    "sources", "What?", "multiple_choice", ["partner"], options=[Option(c, c) for c in CODES]
)


def codes() -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(CODES), min_size=1, max_size=4, unique=True).map(tuple)


def _checkable(atom: AnswerCompare) -> bool:
    """Not 'not in' every option of the choice question, which the pack check refuses."""
    value = atom.value
    return not (atom.op is Op.NOT_IN and isinstance(value, tuple) and set(value) >= set(CODES))


def atoms() -> st.SearchStrategy[AnswerCompare]:
    one = st.builds(
        AnswerCompare, st.just("source"), st.sampled_from([Op.IN, Op.NOT_IN]), codes()
    ).filter(_checkable)
    many = st.builds(
        AnswerCompare,
        st.just("sources"),
        st.sampled_from([Op.IN, Op.NOT_IN, Op.CONTAINS]),
        codes(),
    )
    return one | many


conditions = st.recursive(
    atoms(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: AllOf(tuple(cs))),
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: AnyOf(tuple(cs))),
        inner.map(Not),
    ),
    max_leaves=4,
)


def _overlay(choice: trustkit.Condition) -> Pack:
    rerouted = reroute(attrs.evolve(CORE, questions=(*CORE.questions, ONE, MANY)))
    rule = rerouted.rules[-1]
    when = AllOf((rule.when, choice))
    return attrs.evolve(rerouted, rules=(*rerouted.rules[:-1], attrs.evolve(rule, when=when)))


def _every_choice_answer() -> list[dict[str, Answer]]:
    """Each answer the two questions can take between them, unanswered included."""
    ones: list[Answer | None] = [None, *CODES]
    manys: list[Answer | None] = [None]
    manys += [frozenset(s) for k in range(5) for s in itertools.combinations(CODES, k)]
    return [
        {k: v for k, v in (("source", one), ("sources", many)) if v is not None}
        for one, many in itertools.product(ones, manys)
    ]


ANSWERS = _every_choice_answer()


@settings(
    max_examples=examples(40), deadline=None, suppress_health_check=unchecked(HealthCheck.too_slow)
)
@given(conditions)
def test_a_choice_condition_never_hides_a_rerouted_yes(choice: trustkit.Condition) -> None:
    pack = _overlay(choice)
    report = verify_pack(pack)
    if not report.safe:
        assert_unsafe(pack, report)  # every counterexample really gets an unsafe result
        return
    # Proved: then no answer to the choice questions sends the yes elsewhere.
    assert report.complete
    for answers in ANSWERS:
        example = Counterexample(Role.PARTNER, {"afraid_of_partner": True, **answers})
        assert not crisis_problems(recommend(pack, example)), answers


def test_each_kind_of_choice_condition_is_caught() -> None:
    """The plain cases, one by one: each holds for some answer, so none is proved safe."""
    for cond in (
        AnswerCompare("source", Op.IN, ("b",)),
        AnswerCompare("source", Op.NOT_IN, ("a", "b", "c")),
        AnswerCompare("sources", Op.CONTAINS, ("a", "d")),
        AnswerCompare("sources", Op.NOT_IN, ("a",)),
        Not(AnswerCompare("sources", Op.IN, CODES)),  # also when it is skipped
    ):
        pack = _overlay(cond)
        report = verify_pack(pack)
        assert not report.safe, cond
        assert_unsafe(pack, report)


def test_a_choice_condition_that_can_never_hold_is_proved_harmless() -> None:
    """Two codes of one choice at once: no answer meets both (the pack check cannot see it)."""
    never = AllOf((AnswerCompare("source", Op.IN, ("a",)), AnswerCompare("source", Op.IN, ("b",))))
    pack = _overlay(never)
    report = verify_pack(pack)
    assert report.safe
    for answers in ANSWERS:
        example = Counterexample(Role.PARTNER, {"afraid_of_partner": True, **answers})
        assert not crisis_problems(recommend(pack, example))
