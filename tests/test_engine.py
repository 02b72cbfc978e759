"""The engine on every condition form: compiled predicates, explanations, edge cases."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import shutil
import zipfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples
from tests.strategies import valid_answers
from trustkit import (
    AllOf,
    Always,
    AnswerCompare,
    Answered,
    AnswerError,
    AnyOf,
    Condition,
    Not,
    Op,
    QuestionKind,
    Role,
    Rule,
    ScoreCompare,
)
from trustkit._countries import ISO_3166_1_ALPHA_2
from trustkit._engine.compile import compile_condition, compiled, evaluate
from trustkit._pack.kinds import CODE_OPS
from trustkit._pack.load import bundled_root
from trustkit._pack.read import MAX_FILE_BYTES

PACK = trustkit.default_pack()
SCALE = [q.id for q in PACK.questions if q.kind is QuestionKind.SCALE]
YES_NO = [q.id for q in PACK.questions if q.kind is QuestionKind.YES_NO and not q.safety]
COUNT = [q.id for q in PACK.questions if q.kind is QuestionKind.COUNT]
DIMENSIONS = [d.id for d in PACK.dimensions]
OPS = st.sampled_from([op for op in Op if op not in CODE_OPS])  # the ops on numbers


def leaves() -> st.SearchStrategy[Condition]:
    """Conditions that fit the core questionnaire and can each be true."""
    return st.one_of(
        st.builds(AnswerCompare, st.sampled_from(SCALE), OPS, st.integers(2, 4)),
        st.builds(AnswerCompare, st.sampled_from(COUNT), OPS, st.integers(1, 5)),
        st.builds(
            AnswerCompare, st.sampled_from(YES_NO), st.sampled_from([Op.EQ, Op.NE]), st.booleans()
        ),
        st.builds(
            ScoreCompare,
            st.sampled_from(DIMENSIONS),
            OPS,
            st.sampled_from([2, 2.5, 3, 3.5, 4]),
        ),
        st.builds(Answered, st.sampled_from(SCALE + YES_NO + COUNT)),
        st.just(Always()),
    )


def conditions() -> st.SearchStrategy[Condition]:
    """Condition trees of every form."""
    return st.recursive(
        leaves(),
        lambda inner: st.one_of(
            st.builds(AllOf, st.lists(inner, max_size=3).map(tuple)),
            st.builds(AnyOf, st.lists(inner, min_size=1, max_size=3).map(tuple)),
            st.builds(Not, inner),
        ),
        max_leaves=8,
    )


def answers_for_both() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        valid_answers(Role.PARTNER, safe=True), valid_answers(Role.SUPPORTER, safe=True)
    )


def with_facts() -> st.SearchStrategy[Condition]:
    """Condition trees that may also read facts from history."""
    fact = st.builds(
        trustkit.FactCompare,
        st.sampled_from(["checkins", "improved.hope", "repeats.validation", "gap.openness"]),
        st.sampled_from([Op.GE, Op.EQ]),
        st.just(1),
    )
    return st.recursive(
        st.one_of(leaves(), fact),
        lambda inner: st.one_of(
            st.builds(AllOf, st.lists(inner, max_size=3).map(tuple)),
            st.builds(AnyOf, st.lists(inner, min_size=1, max_size=3).map(tuple)),
            st.builds(Not, inner),
        ),
        max_leaves=8,
    )


@given(with_facts(), answers_for_both())
def test_rules_skipped_without_history_really_cannot_hold_without_it(
    cond: Condition, answers: dict[str, Any]
) -> None:
    """The three-valued check that lets calls without history skip fact rules is sound."""
    from trustkit._engine.compile import without_facts

    clean = {k: v for k, v in answers.items() if v is not None}
    verdict = without_facts(cond)
    if verdict is not None:
        assert evaluate(cond, clean, compiled(PACK).score(clean)) is verdict


@given(conditions(), answers_for_both())
def test_every_condition_form_compiles_to_the_reference_meaning(
    cond: Condition, answers: dict[str, Any]
) -> None:
    """Compiled predicates agree with direct evaluation for all operators and nestings."""
    clean = {k: v for k, v in answers.items() if v is not None}
    scores = compiled(PACK).score(clean)
    assert compile_condition(cond)(clean, scores) is evaluate(cond, clean, scores)


@pytest.mark.slow
@given(conditions(), st.data())
def test_a_top_rule_with_any_condition_is_explained_by_answered_questions(
    cond: Condition, data: st.DataObject
) -> None:
    """Whatever a rule says, when it decides, its evidence reads only answered questions."""
    probe = Rule(id="probe", step="validation", when=cond, priority=500, reason="Probe.")
    pack = attrs.evolve(PACK, rules=(*PACK.rules, probe))
    role = data.draw(st.sampled_from(list(Role)))
    answers = data.draw(valid_answers(role, pack=pack, safe=True))
    clean = {k: v for k, v in answers.items() if v is not None}
    rec = trustkit.recommend_next_step(answers, respondent=role, pack=pack)
    holds = evaluate(cond, clean, compiled(pack).score(clean))
    assert (rec.rule_id == "probe") is holds
    if holds:
        assert rec.reasons[0] == "Probe."
        for evidence in rec.evidence:
            assert evidence.rule_id == "probe"
            assert set(evidence.questions) <= set(clean)


def _pack_with(*rules: Rule) -> trustkit.ContentPack:
    pack = attrs.evolve(PACK, rules=(*PACK.rules, *rules))
    trustkit.check_pack(pack)
    return pack


def test_score_and_count_sentences_name_the_dimension_and_value() -> None:
    """Score reasons give the dimension's label and mean; counts and 'no' answers read well."""
    rule = Rule(
        id="probe",
        step="celebrate",
        priority=500,
        reason="Probe.",
        when=AllOf(
            (
                ScoreCompare("hope", ">=", 3.5),
                AnswerCompare("missed_commitments", "<", 1),
                AnswerCompare("boundary_crossed", "!=", True),
                Answered("stuck"),
            )
        ),
    )
    answers = {"progress_noticed": 4, "hopeful": 5, "missed_commitments": 0}
    answers |= {"boundary_crossed": False, "stuck": 2}
    rec = trustkit.recommend_next_step(answers, pack=_pack_with(rule))
    label = next(d.label for d in PACK.dimensions if d.id == "hope")
    assert rec.reasons[1] == PACK.messages.score.format(label=label, value="4.5")
    assert any(
        str(PACK.question("missed_commitments").prompt) in r and "0" in r for r in rec.reasons
    )
    assert (
        PACK.messages.answer_no.format(prompt=PACK.question("boundary_crossed").prompt)
        in rec.reasons
    )
    evidence = {e.condition: e.questions for e in rec.evidence}
    assert evidence["score(hope) >= 3.5"] == ("progress_noticed", "hopeful")
    assert evidence["answered(stuck)"] == ("stuck",)


def test_whole_scores_print_without_decimals_and_negations_name_their_questions() -> None:
    """A negated condition is evidence with the questions it read, and no sentence of its own."""
    rule = Rule(
        id="probe",
        step="celebrate",
        priority=500,
        reason="Probe.",
        when=AllOf(
            (
                ScoreCompare("openness", ">", 3),
                Not(AnyOf((AnswerCompare("stuck", ">=", 4), ScoreCompare("hope", "<", 2)))),
                Not(Answered("distress")),
                Not(Not(AnswerCompare("hopeful", ">=", 3))),
            )
        ),
    )
    answers = {"safe_to_share": 4, "talk_openly": 4, "stuck": 2, "hopeful": 4}
    rec = trustkit.recommend_next_step(answers, pack=_pack_with(rule))
    assert rec.reasons[1].count("4") == 1
    assert "4.0" not in rec.reasons[1]
    assert len(rec.reasons) == 2
    negations = [e for e in rec.evidence if e.condition.startswith("not(")]
    assert [e.questions for e in negations] == [("stuck", "hopeful"), (), ("hopeful",)]


def test_safety_rules_that_share_a_reason_give_it_once() -> None:
    """Two matching safety rules merge reasons, evidence and resources without repeats."""
    abuse = next(r for r in PACK.rules if r.id == "safety-abuse")
    twin = attrs.evolve(
        abuse, id="safety-abuse-twin", when=AnswerCompare("controlled", "=", True), origin=None
    )
    rec = trustkit.recommend_next_step(
        {"controlled": True, "afraid_of_partner": True}, pack=_pack_with(twin)
    )
    assert rec.rule_id == "safety-abuse"
    said = abuse.reason.replace("{emergency}", PACK.messages.emergency_elsewhere)
    assert rec.reasons.count(said) == 1
    assert {e.rule_id for e in rec.evidence} == {"safety-abuse", "safety-abuse-twin"}
    ids = [r.id for r in rec.resources]
    assert len(ids) == len(set(ids))


def test_an_answer_a_rule_cites_twice_is_explained_once() -> None:
    """Both comparisons are evidence, but the answer's sentence is said only once."""
    twice = Rule(
        id="heard-twice",
        step="validation",
        when=AllOf((AnswerCompare("feels_heard", "<=", 2), AnswerCompare("feels_heard", "<", 3))),
        priority=500,
        reason="Not heard, by either measure.",
    )
    rec = trustkit.recommend_next_step({"feels_heard": 1}, pack=_pack_with(twice))
    assert rec.rule_id == "heard-twice"
    assert [e.condition for e in rec.evidence] == ["feels_heard <= 2", "feels_heard < 3"]
    assert len(rec.reasons) == len(set(rec.reasons)) == 2


def test_a_checkin_and_a_different_respondent_conflict() -> None:
    """A CheckIn's own respondent wins; asking for another is an error."""
    checkin = trustkit.CheckIn(
        respondent="partner", answers={"feels_heard": 2}, at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    assert trustkit.recommend_next_step(checkin, respondent="partner").respondent is Role.PARTNER
    with pytest.raises(AnswerError, match="respondent"):
        trustkit.recommend_next_step(checkin, respondent="supporter")


def test_an_unknown_question_is_an_error_even_when_skipped() -> None:
    """A None answer still has to name a real question for this role."""
    with pytest.raises(AnswerError) as info:
        trustkit.recommend_next_step({"feels_heard": None, "feels_herd": None})
    assert [(p.field, p.expected) for p in info.value.problems] == [
        ("feels_herd", "a known question id (did you mean 'feels_heard'?)")
    ]
    with pytest.raises(AnswerError, match="understand_roots"):
        trustkit.recommend_next_step({"understand_roots": None}, respondent="partner")


def test_odd_keys_are_named_safely() -> None:
    """Non-text and overlong keys are reported without being echoed in full."""
    long_key = "x" * 500
    with pytest.raises(AnswerError) as info:
        trustkit.recommend_next_step({3: 1, long_key: 2})  # type: ignore[dict-item]
    fields = [p.field for p in info.value.problems]
    assert fields[0] == "<a key that is not text>"
    assert fields[1].endswith("...")
    assert len(fields[1]) == 60
    assert long_key not in str(info.value)
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.problems == info.value.problems
    assert str(copy) == str(info.value)


def test_a_bool_is_not_a_whole_number_in_a_pack(tmp_path: Path) -> None:
    """TOML true is not accepted where a number of minutes belongs."""
    source = bundled_root("core")
    assert isinstance(source, Path)
    root = tmp_path / "p"
    shutil.copytree(source, root)
    path = root / "steps.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("minutes = 5", "minutes = true", 1))
    with pytest.raises(trustkit.PackError) as info:
        trustkit.load_pack(root)
    assert [p.field for p in info.value.problems] == ["minutes"]


def _zip_pack(tmp_path: Path, extra: dict[str, bytes] | None = None) -> zipfile.Path:
    source = bundled_root("core")
    assert isinstance(source, Path)
    buffer = tmp_path / "packs.zip"
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(source.rglob("*.toml")):
            name = file.relative_to(source).as_posix()
            archive.writestr(f"zipped/{name}", (extra or {}).get(name, file.read_bytes()))
    return zipfile.Path(zipfile.ZipFile(io.BytesIO(buffer.read_bytes())), "zipped/")


def test_a_pack_can_be_read_from_any_traversable(tmp_path: Path) -> None:
    """load_pack takes importlib-resources Traversables, such as a folder inside a zip file."""
    pack = trustkit.load_pack(_zip_pack(tmp_path))
    assert pack == PACK


def test_a_huge_file_in_a_traversable_is_refused(tmp_path: Path) -> None:
    """The size limit holds where the size cannot be asked before reading."""
    root = _zip_pack(tmp_path, {"rules.toml": b"#" * (MAX_FILE_BYTES + 1)})
    with pytest.raises(trustkit.PackError, match="larger than"):
        trustkit.load_pack(root)


def test_a_safety_rule_with_a_broken_condition_gets_one_clear_problem() -> None:
    """A typo inside a safety rule is reported as the typo, not twice."""
    abuse = next(r for r in PACK.rules if r.id == "safety-abuse")
    typo = attrs.evolve(abuse, id="safety-typo", when=AnswerCompare("controled", "=", True))
    with pytest.raises(trustkit.PackError) as info:
        _pack_with(typo)
    assert [(p.item, p.field) for p in info.value.problems] == [("safety-typo", "when.answer")]


def test_a_score_compared_with_text_from_python_is_refused() -> None:
    """Python-built conditions get the same checks as TOML ones."""
    bad = Rule(id="bad", step="educate", when=ScoreCompare("hope", "<", "low"))  # type: ignore[arg-type]
    with pytest.raises(trustkit.PackError, match="compare it with a number"):
        _pack_with(bad)


@given(st.sampled_from(["US", "gb", "CA", "AU", "IE", "NZ", "DE", "ES", "FR", "IN", "JP"]))
def test_a_country_keeps_its_own_and_the_international_resources(country: str) -> None:
    """country= narrows the helplines to that country and the international fallback."""
    rec = trustkit.recommend_next_step({"hurt_or_threatened": True}, country=country)
    everything = trustkit.recommend_next_step({"hurt_or_threatened": True})
    assert rec.resources
    assert {r.country for r in rec.resources} <= {country.upper(), "INTL"}
    # The same lines, the emergency line first (tests/test_emergency_number.py).
    kept = [r for r in everything.resources if r.country in (country.upper(), "INTL")]
    assert sorted(kept, key=id) == sorted(rec.resources, key=id)
    assert "emergency" in rec.resources[0].topics
    distress = trustkit.recommend_next_step({"distress": 5}, country=country)
    assert {r.country for r in distress.resources} <= {country.upper(), "INTL"}


@pytest.mark.parametrize("country", ["", "GBR", "G1", 44, "ÉÉ"])
def test_a_malformed_country_is_an_answer_error(country: object) -> None:
    """Only two-letter codes are countries."""
    with pytest.raises(AnswerError, match="country"):
        trustkit.recommend_next_step({}, country=country)  # type: ignore[arg-type]


@pytest.mark.parametrize(("country", "hint"), [("UK", "'GB'"), ("uk", "'GB'"), ("EL", "'GR'")])
def test_a_well_known_wrong_country_names_the_right_one(country: str, hint: str) -> None:
    """``UK`` is not an ISO 3166-1 code: the error says use ``GB``; GB lines are never dropped."""
    with pytest.raises(AnswerError) as info:
        trustkit.recommend_next_step({"feels_heard": 2}, country=country)
    [problem] = info.value.problems
    assert problem.field == "country"
    assert problem.expected.endswith(hint)
    # A safety yes is answered with help all the same, and the problem is reported beside it.
    rec = trustkit.recommend_next_step({"afraid_of_partner": True}, country=country)
    assert rec.safety
    assert rec.resources
    assert rec.problems == (problem,)


_UNASSIGNED = sorted(
    a + b
    for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if a + b not in ISO_3166_1_ALPHA_2
)


@given(st.sampled_from(_UNASSIGNED), st.booleans())
def test_an_unassigned_country_is_an_error_not_an_empty_list(country: str, lower: bool) -> None:
    """``ZZ``, ``XK``, ``UK``...: a code nobody assigned is an error, in any case.

    With a safety yes, help comes first: every line the pack has, and the problem beside it.
    """
    code = country.lower() if lower else country
    with pytest.raises(AnswerError, match=r"^1 problem in the check-in: country: ") as info:
        trustkit.recommend_next_step({"feels_heard": 2}, country=code)
    assert f"'{code}'" not in str(info.value)
    rec = trustkit.recommend_next_step({"hurt_or_threatened": True}, country=code)
    assert rec.safety
    assert rec.resources == trustkit.recommend_next_step({"hurt_or_threatened": True}).resources
    assert rec.problems == info.value.problems


@given(st.sampled_from(sorted(ISO_3166_1_ALPHA_2)))
def test_every_assigned_country_keeps_a_safety_result_whole(country: str) -> None:
    """Every ISO 3166-1 code is accepted; a safety yes keeps national and international lines."""
    rec = trustkit.recommend_next_step({"hurt_or_threatened": True}, country=country)
    everything = trustkit.recommend_next_step({"hurt_or_threatened": True})
    kept = [r for r in everything.resources if r.country in (country, "INTL")]
    assert sorted(kept, key=id) == sorted(rec.resources, key=id)
    assert any(r.country == "INTL" for r in rec.resources)


def test_ties_on_priority_break_on_rule_id() -> None:
    """Two rules with the same priority: the one whose id sorts first wins, the other is next."""
    second = Rule(id="b-tie", step="validation", priority=500, when=Always(), reason="B.")
    first = Rule(id="a-tie", step="patience", priority=500, when=Answered("hopeful"), reason="A.")
    for order in ((second, first), (first, second)):
        pack = _pack_with(*order)
        rec = trustkit.recommend_next_step({"hopeful": 3}, pack=pack)
        assert rec.rule_id == "a-tie"
        assert rec.reasons == (
            "A.",
            PACK.messages.answer_scale.format(prompt=PACK.question("hopeful").prompt, value=3),
        )
        assert [a.rule_id for a in rec.alternatives] == []  # b-tie is a catch-all
        assert trustkit.recommend_next_step({}, pack=pack).rule_id == "b-tie"


# The core pack without its catch-all (the one rule whose condition is Always): with it, every
# check-in gets a step whatever the other rules say, and a test of the rules proves nothing.
_NO_CATCH_ALL = tuple(rule for rule in PACK.rules if not isinstance(rule.when, Always))


def test_the_core_pack_has_one_catch_all() -> None:
    assert len(PACK.rules) - len(_NO_CATCH_ALL) == 1


@pytest.mark.slow
@settings(max_examples=examples(30))
@given(
    st.lists(
        st.tuples(conditions(), st.integers(-5, 2000), st.sampled_from([s.id for s in PACK.steps])),
        max_size=4,
    ),
    st.data(),
)
def test_every_pack_that_passes_the_check_decides_as_its_rules_say(
    extra: list[tuple[Condition, int, str]], data: st.DataObject
) -> None:
    """Random rules added to the core pack, less its catch-all: if the pack checks out, a
    check-in gets a step exactly when a rule holds (by the reference evaluator), from the rule
    that should win, a safety rule whenever a safety question is answered yes, and otherwise
    NoStepError, never another error."""
    rules = tuple(
        Rule(id=f"random-{i}", step=step, priority=priority, reason="Random.", when=cond)
        for i, (cond, priority, step) in enumerate(extra)
    )
    pack = attrs.evolve(PACK, rules=(*_NO_CATCH_ALL, *rules))
    try:
        trustkit.check_pack(pack)
    except trustkit.PackError:
        return  # e.g. a comparison that can never be true: refused, which is also fine
    role = data.draw(st.sampled_from(list(Role)))
    answers = data.draw(valid_answers(role, pack=pack))
    clean = {k: v for k, v in answers.items() if v is not None}
    scores = compiled(pack).score(clean)
    holding = [rule for rule in pack.rules if evaluate(rule.when, clean, scores)]
    safety_yes = any(answers.get(q.id) is True for q in PACK.questions if q.safety)
    try:
        rec = trustkit.recommend_next_step(answers, respondent=role, pack=pack)
    except trustkit.NoStepError:
        assert not holding
        assert not safety_yes
        return
    assert rec.step.id in {s.id for s in pack.steps}
    if safety_yes:
        assert rec.safety
        assert rec.rule_id in {rule.id for rule in holding if rule.safety}
    else:
        winner = min(holding, key=lambda rule: (not rule.safety, -rule.priority, rule.id))
        assert rec.rule_id == winner.id


@given(st.integers(0, 300), st.integers(1, 5_000))
@example(unknown=3, length=500)  # a long id is always shortened, whatever hypothesis draws
@example(unknown=300, length=1)
def test_an_answer_error_stays_small_whatever_the_input(unknown: int, length: int) -> None:
    """Thousands of unknown keys, or one huge key: the message lists 20 and counts the rest."""
    answers = {f"k{i}-" + "x" * length: 1 for i in range(unknown)}
    answers["feels_heard"] = 9
    with pytest.raises(AnswerError) as info:
        trustkit.recommend_next_step(answers)
    error = info.value
    assert len(error.problems) == unknown + 1  # the structured list keeps every problem
    message = str(error)
    assert len(message) < 21 * 200
    assert message.startswith(f"{unknown + 1} problem")
    if unknown + 1 > 20:
        assert message.endswith(f"; and {unknown + 1 - 20} more")
    assert "x" * 64 not in message


def test_a_hundred_thousand_unknown_keys_give_a_short_message() -> None:
    """The case from issue 11: 100,000 unknown keys gave a 2.9 MB message."""
    with pytest.raises(AnswerError) as info:
        trustkit.recommend_next_step({f"q{i}": 1 for i in range(100_000)})
    assert len(str(info.value)) < 2_000


def test_an_answer_error_built_by_hand_shortens_a_long_field() -> None:
    """Whoever builds the error, a field longer than 64 characters is shortened in the message."""
    error = AnswerError(
        [trustkit.AnswerProblem("q" * 1_000, "a known question id", code="unknown_question")]
    )
    assert str(error) == "1 problem in the check-in: " + "q" * 63 + "…: a known question id"
    assert error.problems[0].field == "q" * 1_000
