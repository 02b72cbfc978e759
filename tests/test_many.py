"""The batch path: ``recommend_many`` decides as one call does and says each result once.

Every result must equal, field by field, what ``recommend_next_step`` gives for
the same check-in, and every error must be the one the single call raises, in
the same check-in's turn. The properties run on the bundled pack and on random
packs, with valid, unsafe and malformed check-ins.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples, unchecked
from tests.strategies import malformed_answers, role_and_answers, valid_answers
from tests.test_scale import BASE, packs
from trustkit import (
    AllOf,
    Always,
    AnswerCompare,
    Answered,
    AnyOf,
    CheckIn,
    Condition,
    ContentPack,
    FactCompare,
    Not,
    Op,
    Recommendation,
    Role,
    Rule,
    TrustkitError,
)
from trustkit._engine import many

AT = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
Outcome = tuple[list[Recommendation], tuple[Any, ...] | None]


def _error(error: Exception) -> tuple[Any, ...]:
    return type(error), str(error), getattr(error, "problems", None)


def singles(checkins: Iterable[object], **keywords: Any) -> Outcome:
    """What single calls give, up to and including the first error."""
    out = []
    for checkin in checkins:
        try:
            out.append(trustkit.recommend_next_step(checkin, **keywords))  # type: ignore[arg-type]
        except TrustkitError as error:
            return out, _error(error)
    return out, None


def batched(checkins: Iterable[object], **keywords: Any) -> Outcome:
    """What the batch path yields, up to and including its error."""
    out = []
    try:
        for rec in trustkit.recommend_many(checkins, **keywords):  # type: ignore[arg-type]
            out.append(rec)
    except TrustkitError as error:
        return out, _error(error)
    return out, None


def same(checkins: Sequence[object], **keywords: Any) -> Outcome:
    plain = singles(checkins, **keywords)
    fast = batched(checkins, **keywords)
    assert fast == plain
    # Reasons are compared too (they are fields), and every field of every result.
    for a, b in zip(fast[0], plain[0], strict=True):
        assert attrs.astuple(a, recurse=False) == attrs.astuple(b, recurse=False)
    return fast


@st.composite
def checkins_and_faults(
    draw: st.DrawFn, pack: ContentPack | None = None
) -> tuple[object, set[str] | None]:
    """A check-in as a CheckIn or a mapping: valid, unsafe, or (sometimes) malformed; and for a
    malformed one read as the role it was made for, the questions its faults were planted on."""
    kind = draw(st.integers(0, 9))
    planted = None
    if kind == 0 and pack is None:
        role, answers, planted = draw(malformed_answers())
    else:
        role = draw(st.sampled_from(list(Role)))
        answers = draw(valid_answers(role, pack=pack, safe=draw(st.integers(0, 3)) > 0))
    if draw(st.booleans()):
        return CheckIn(respondent=role, answers=answers, at=AT), planted
    if role is Role.PARTNER:
        return answers, planted
    return types.MappingProxyType(answers), None  # read as the partner's: other faults


def checkins(pack: ContentPack | None = None) -> st.SearchStrategy[object]:
    """A check-in as a CheckIn or a mapping: valid, unsafe, or (sometimes) malformed."""
    return checkins_and_faults(pack).map(lambda case: case[0])


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(checkins_and_faults(), max_size=30),
    st.sampled_from([None, "GB", "us"]),
)
def test_a_batch_of_the_bundled_pack_gives_what_single_calls_give(
    cases: list[tuple[object, set[str] | None]], country: str | None
) -> None:
    """The batch gives what single calls give; and each malformed check-in is also checked
    against the faults planted in it: an AnswerError in its turn naming exactly those
    questions, or (after a safety yes) the safety result listing exactly them."""
    results, error = same([checkin for checkin, _ in cases], country=country)
    for turn, (_, planted) in enumerate(cases[: len(results) + 1]):
        if planted is None:
            continue
        if turn < len(results):
            assert results[turn].safety
            assert {problem.field for problem in results[turn].problems} == planted
        else:
            assert error is not None
            assert error[0] is trustkit.AnswerError
            assert {problem.field for problem in error[2]} == planted


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(role_and_answers(), min_size=1, max_size=12))
def test_repeated_check_ins_give_equal_results_and_the_same_object(
    cases: list[tuple[Role, dict[str, Any]]],
) -> None:
    batch = [CheckIn(respondent=role, answers=answers, at=AT) for role, answers in cases]
    same(batch * 3)
    results = list(trustkit.recommend_many(batch * 3))
    # Within one call, an equal result is built once: the very same (immutable) object.
    assert all(rec is results[i % len(batch)] for i, rec in enumerate(results))


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=unchecked(HealthCheck.filter_too_much),
)
@given(packs(), st.data())
def test_a_batch_of_a_random_pack_gives_what_single_calls_give(
    pack: ContentPack, data: st.DataObject
) -> None:
    """Random rules (answers, scores, all/any/not, maybe no catch-all) and random check-ins."""
    cases = data.draw(st.lists(checkins(pack), max_size=20))
    same(cases, pack=pack)


# --------------------------------------------------------------------- the edges


def with_rules(*rules: Rule, catch_all: bool = True) -> ContentPack:
    keep = [r for r in BASE.rules if r.safety or (catch_all and isinstance(r.when, Always))]
    return attrs.evolve(BASE, id="edge", rules=(*keep, *rules))


def rule(rid: str, when: Condition, step: str = "consistency", priority: int = 50) -> Rule:
    return Rule(id=rid, step=step, when=when, reason="An edge.", priority=priority)


def test_rules_on_facts_never_hold_in_a_batch() -> None:
    """A batch has no history: a fact is missing, as it is for a single call without one."""
    fact = FactCompare("checkins", Op.GE, 1)
    pack = with_rules(
        rule("fact-or-answer", AnyOf((fact, AnswerCompare("feels_heard", Op.LE, 2)))),
        rule("not-fact", AllOf((Not(fact), Answered("promises_kept"))), step="patience"),
        rule("all-fact", AllOf((fact, Answered("promises_kept"))), step="celebrate"),
    )
    cases = [{"feels_heard": 1}, {"promises_kept": 3}, {"feels_heard": 5}, {}]
    same(cases, pack=pack)


def test_counts_of_every_size_are_decided_as_alone() -> None:
    """Counts have no upper bound: large ones, and equal ones that are different objects."""
    pack = with_rules(rule("many", AnswerCompare("missed_commitments", Op.GE, 30)))
    cases = [{"missed_commitments": n * 7} for n in range(40)] * 2
    # Equal counts that are different objects: the first one's cell is found again.
    cases += [{"missed_commitments": int("1000000")}, {"missed_commitments": int("1000000")}]
    same(cases, pack=pack)


def test_a_value_equal_to_a_valid_one_but_of_another_type_is_an_error() -> None:
    """``True == 1 == 1.0``, yet only 1 answers a scale question and only True a yes/no one."""
    for bad in ({"feels_heard": True}, {"feels_heard": 1.0}, {"past_hurt": 1}, {"x": [1]}):
        same([{"feels_heard": 2}, bad, {"feels_heard": 1}])


def test_a_respondent_that_contradicts_a_check_in_is_an_error_in_its_turn() -> None:
    own = CheckIn(respondent=Role.SUPPORTER, answers={"promises_kept": 1}, at=AT)
    same([{"feels_heard": 1}, own], respondent="partner")
    same([own, {"promises_kept": 1}], respondent="supporter")
    same([own], respondent="nobody")


def test_a_bad_country_is_an_error_at_the_first_check_in_only() -> None:
    same([{"feels_heard": 1}], country="ZZ")
    assert list(trustkit.recommend_many([], country="ZZ")) == []


def test_no_step_is_an_error_in_its_turn() -> None:
    pack = with_rules(rule("only", AnswerCompare("feels_heard", Op.LE, 2)), catch_all=False)
    same([{"feels_heard": 1}, {"feels_heard": 5}, {"feels_heard": 1}], pack=pack)


def test_a_full_memo_starts_afresh() -> None:
    cases = [{"feels_heard": v, "distress": d} for v in range(1, 6) for d in range(1, 6)]
    cases += [{"self_harm_thoughts": True, "feels_heard": v} for v in range(1, 6)]
    with mock.patch.object(many, "MEMO_SIZE", 3):
        same(cases * 2)


def test_a_stream_that_fails_gives_the_results_before_it_first() -> None:
    def stream() -> Iterator[dict[str, Any]]:
        yield {"feels_heard": 1}
        yield {"promises_kept": 1}
        raise OSError("the file went away")

    got = trustkit.recommend_many(stream())
    assert [r.step.id for r in (next(got), next(got))] == ["validation", "consistency"]
    with pytest.raises(OSError, match="went away"):
        next(got)


def test_a_broken_text_raises_as_in_a_single_call() -> None:
    """A pack whose checks were bypassed: explaining the winner raises, as it does alone."""
    messages = attrs.evolve(BASE.messages, answer_scale="{nothing}", answer_yes="{nothing}")
    pack = attrs.evolve(BASE, id="broken", messages=messages)
    object.__setattr__(pack, "_checked", True)  # bypass the checks
    fine = {"promises_kept": 4}
    with pytest.raises(KeyError, match="nothing"):
        trustkit.recommend_next_step({"feels_heard": 1}, pack=pack)
    got = trustkit.recommend_many([fine, {"feels_heard": 1}, fine], pack=pack)
    assert next(got) == trustkit.recommend_next_step(fine, pack=pack)
    with pytest.raises(KeyError, match="nothing"):
        next(got)
    # The safety path keeps its own fallback for broken texts, in a batch as alone.
    same([{"self_harm_thoughts": True}], pack=pack)


def test_batches_of_every_size() -> None:
    cases: list[object] = [{"feels_heard": 1 + i % 5, "distress": 1 + i % 3} for i in range(20)]
    for size in (0, 1, 7, 8, 9, 16, 17):
        same(cases[:size])


def _refilled(cases: Sequence[dict[str, Any]], wrap: Any = None) -> Iterator[Mapping[str, Any]]:
    """One dict, emptied and refilled before each yield (as a reader that reuses a row does)."""
    row: dict[str, Any] = {}
    for answers in cases:
        row.clear()
        row.update(answers)
        yield row if wrap is None else wrap(row)


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(valid_answers(Role.PARTNER, safe=False), min_size=1, max_size=12),
    st.sampled_from([None, types.MappingProxyType]),
)
def test_a_refilled_mapping_gives_what_single_calls_on_its_copies_give(
    cases: list[dict[str, Any]], wrap: Any
) -> None:
    """Each check-in is read as it is when yielded, not as the dict is when it is decided."""
    copies = [dict(answers) for answers in cases]
    got = list(trustkit.recommend_many(_refilled(cases, wrap)))
    assert got == [trustkit.recommend_next_step(answers) for answers in copies]


def test_a_safety_yes_in_a_refilled_dict_is_not_lost() -> None:
    """The issue's case: a disclosure followed by a calm check-in, through one reused dict."""
    cases: list[dict[str, Any]] = [{"afraid_of_partner": True}, {"feels_heard": 1}]
    got = [rec.step.id for rec in trustkit.recommend_many(_refilled(cases))]
    assert got == [trustkit.recommend_next_step(answers).step.id for answers in cases]
    assert got[0] != got[1]


def test_a_mapping_that_cannot_be_read_raises_in_its_turn() -> None:
    class Broken(Mapping[str, Any]):
        def __getitem__(self, key: str) -> Any:
            raise KeyError(key)

        def __iter__(self) -> Iterator[str]:
            raise RuntimeError("cannot be read")

        def __len__(self) -> int:
            return 1

    got = trustkit.recommend_many([{"feels_heard": 1}, Broken()])
    assert next(got).step.id == "validation"
    with pytest.raises(RuntimeError, match="cannot be read"):
        next(got)


def test_what_is_not_a_mapping_is_an_error_in_its_turn() -> None:
    got = trustkit.recommend_many([{"feels_heard": 1}, ["feels_heard", 1]])  # type: ignore[list-item]
    assert next(got).step.id == "validation"
    with pytest.raises(trustkit.AnswerError, match="answers: a mapping"):
        next(got)
