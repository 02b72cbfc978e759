"""`pack verify` and `trustkit.verify_pack`: proofs, and counterexamples the engine agrees with."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples, unchecked
from trustkit import (
    AllOf,
    Always,
    AnswerCompare,
    Answered,
    ContentPack,
    FactCompare,
    PackError,
    Role,
    Rule,
    ScoreCompare,
)
from trustkit._cli import main
from trustkit._engine import verify
from trustkit._engine.compile import compiled
from trustkit._engine.verify import Counterexample, crisis_problems, verify_pack

CORE = trustkit.default_pack()
Pack = ContentPack


def _with(pack: Pack, **changes: Any) -> Pack:
    return attrs.evolve(pack, **changes)


def _rules(pack: Pack, *extra: Rule) -> Pack:
    return _with(pack, rules=(*pack.rules, *extra))


def _replace_rule(pack: Pack, rule_id: str, **changes: Any) -> Pack:
    return _with(
        pack,
        rules=tuple(attrs.evolve(r, **changes) if r.id == rule_id else r for r in pack.rules),
    )


def _replace_step(pack: Pack, step_id: str, **changes: Any) -> Pack:
    return _with(
        pack,
        steps=tuple(attrs.evolve(s, **changes) if s.id == step_id else s for s in pack.steps),
    )


_BYPASSED: dict[int, tuple[Pack, Pack]] = {}


def bypassed(pack: Pack) -> Pack:
    """The pack marked as checked (once per pack): the engine then uses it even if it is unsafe.

    Kept with the pack itself: a freed pack's id may come back for another planted pack
    (one that shares the base's rules but not its steps), which must not get the old copy.
    """
    found = _BYPASSED.get(id(pack))
    if found is None or found[0] is not pack:
        found = (pack, attrs.evolve(pack))
        object.__setattr__(found[1], "_checked", True)
        _BYPASSED.clear()
        _BYPASSED[id(pack)] = found
    return found[1]


def recommend(pack: Pack, example: Counterexample) -> trustkit.Recommendation:
    """The engine's own answer to a counterexample, the pack's checks bypassed if it fails them."""
    return trustkit.recommend_next_step(
        dict(example.answers),
        respondent=example.respondent,
        history=example.history or None,
        now=example.now,
        pack=bypassed(pack),
    )


# ------------------------------------------------------------------ planted faults


def uncovered(pack: Pack) -> Pack:
    """A safety question no safety rule reads: a yes to it reaches an ordinary rule."""
    extra = trustkit.Question(
        "stalked", "Has anyone followed you?", "yes_no", ["partner", "supporter"], safety=True
    )
    return _with(pack, questions=(*pack.questions, extra))


def couples_step(pack: Pack) -> Pack:
    return _replace_step(pack, "support_in_crisis", couples=True)


def no_crisis_lines(pack: Pack) -> Pack:
    return _replace_rule(pack, "safety-abuse", resources=("own_behaviour",))


def secrecy(pack: Pack) -> Pack:
    return _replace_rule(pack, "safety-self-harm", reason="Keep this between the two of you.")


def impure(pack: Pack) -> Pack:
    """A safety rule that also asks for distress: a fear without it gets no help."""
    when = AllOf(
        (AnswerCompare("afraid_of_partner", "=", True), AnswerCompare("distress", ">=", 4))
    )
    extra = Rule(
        "safety-cover",
        "professional_help",
        AnswerCompare("controlled", "=", True),
        priority=990,
        urgency="critical",
        reason="Call a line.",
        resources=("domestic_abuse",),
        safety=True,
        plan="abuse",
    )
    cover = attrs.evolve(
        extra, id="safety-cover-2", when=AnswerCompare("hurt_or_threatened", "=", True)
    )
    return _rules(_replace_rule(pack, "safety-abuse", when=when), extra, cover)


def no_crisis_action(pack: Pack) -> Pack:
    step = next(s for s in pack.steps if s.id == "support_in_crisis")
    actions = tuple(attrs.evolve(a, in_crisis=False) for a in step.actions)
    return _replace_step(pack, "support_in_crisis", actions=actions)


def reroute(pack: Pack) -> Pack:
    """The overlay of issue 18, built in Python: a 'safety' rule that sends a yes to a talk."""
    talk = trustkit.Step(
        "talk-it-over",
        "Talk it over with your partner",
        "Talk it through.",
        "Talking helps.",
        (
            trustkit.Action(
                "talk-ask", "Ask your partner what they think", "Ask.", 10, "either", in_crisis=True
            ),
        ),
    )
    rule = Rule(
        "safety-talk",
        "talk-it-over",
        AnswerCompare("afraid_of_partner", "=", True),
        priority=5000,
        urgency="critical",
        reason="Let's keep this between the two of you.",
        resources=("own_behaviour",),
        safety=True,
        plan="abuse",
    )
    return _rules(_with(pack, steps=(*pack.steps, talk)), rule)


PLANTED: dict[str, Callable[[Pack], Pack]] = {
    f.__name__: f
    for f in (uncovered, couples_step, no_crisis_lines, secrecy, impure, no_crisis_action, reroute)
}


def assert_unsafe(pack: Pack, report: trustkit.VerifyReport) -> None:
    """Not proved safe, and every counterexample really gets an unsafe result."""
    assert not report.safe
    assert report.unsafe
    for finding in report.unsafe:
        assert finding.kind == "unsafe"
        assert finding.example is not None
        rec = recommend(pack, finding.example)
        assert crisis_problems(rec), finding
        assert any(v is True for v in finding.example.answers.values())


# ------------------------------------------------------------------ the core pack


@pytest.mark.parametrize("locale", [None, "es"])
def test_the_core_pack_is_proved_safe(locale: str | None) -> None:
    """Both roles, every safety yes: crisis-safe help; no dead rule and no tie."""
    pack = CORE if locale is None else CORE.localized(locale)
    report = verify_pack(pack)
    assert report.safe
    assert report.complete
    assert report.unsafe == report.dead_rules == report.ties == ()
    assert report.gave_up == ()
    assert report.regions > 10
    # The catch-all decides some regions; each example is decided so by the engine.
    assert {f.kind for f in report.gaps} == {"gap"}
    for gap in report.gaps:
        assert gap.example is not None
        assert gap.regions >= 1
        rec = recommend(pack, gap.example)
        assert rec.rule_id == "catch-all"
        assert not rec.safety
    assert any(g.example and g.example.during_safety_period for g in report.gaps)


def test_every_single_yes_is_crisis_safe_in_the_core_pack() -> None:
    """The oracle the proof rests on, stated directly: each yes alone, for each role."""
    c = trustkit.compile_pack(CORE)
    for role in Role:
        for q in CORE.questions:
            if q.safety and role in q.respondents:
                rec = trustkit.recommend_next_step({q.id: True}, respondent=role)
                assert crisis_problems(rec) == [], (role, q.id)
    assert c is not None


# ------------------------------------------------------------------ planted faults


@pytest.mark.parametrize("plant", list(PLANTED))
def test_each_planted_fault_is_found_with_a_counterexample(plant: str) -> None:
    pack = PLANTED[plant](CORE)
    with pytest.raises(PackError):  # the pack check refuses it too...
        trustkit.check_pack(attrs.evolve(pack))
    report = verify_pack(pack)  # ...and verify shows why
    assert_unsafe(pack, report)
    assert report.to_json()["safe"] is False


def test_a_safety_yes_that_gets_no_step_at_all() -> None:
    """Without a catch-all, a yes no safety rule reads gets no step: unsafe, and a gap."""
    pack = uncovered(_with(CORE, rules=tuple(r for r in CORE.rules if r.id != "catch-all")))
    report = verify_pack(pack)
    assert not report.safe
    finding = next(f for f in report.unsafe if f.rules == ())
    assert finding.example is not None
    with pytest.raises(trustkit.NoStepError):
        recommend(pack, finding.example)
    nothing = [g for g in report.gaps if g.rules == ()]
    assert nothing
    assert nothing[0].example is not None
    with pytest.raises(trustkit.NoStepError):
        recommend(pack, nothing[0].example)


rule_strategy = st.builds(
    lambda i, q, op, v, step, prio: Rule(
        f"x{i}", step, AnswerCompare(q, op, v), priority=prio, reason="r"
    ),
    st.integers(0, 10_000),
    st.sampled_from(["feels_rushed", "promises_kept", "distress", "hopeful", "feels_heard"]),
    st.sampled_from(["<", "<=", ">", ">=", "=", "!="]),
    st.integers(2, 4),
    st.sampled_from(["educate", "patience", "validation", "boundaries"]),
    st.integers(1, 100),
)


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=unchecked(HealthCheck.too_slow)
)
@given(
    extra=st.lists(rule_strategy, max_size=8, unique_by=lambda r: r.id),
    plant=st.sampled_from([None, *PLANTED]),
    checkins=st.lists(
        st.tuples(
            st.sampled_from(list(Role)),
            st.dictionaries(
                st.sampled_from(["feels_rushed", "promises_kept", "distress", "hopeful"]),
                st.integers(1, 5),
            ),
        ),
        max_size=5,
    ),
)
def test_no_false_proof_on_generated_overlays(
    extra: list[Rule], plant: str | None, checkins: list[tuple[Role, dict[str, int]]]
) -> None:
    """Safe overlays are proved safe; planted faults never are; every example reproduces."""
    pack = _rules(CORE, *extra)
    if plant is not None:
        pack = PLANTED[plant](pack)
    report = verify_pack(pack)
    if plant is None:
        assert report.safe
        assert report.unsafe == ()
    else:
        assert_unsafe(pack, report)
    dead = {f.rules[0] for f in report.dead_rules}
    for finding in report.dead_rules:
        if finding.example is not None:  # where it holds, another rule decides
            assert recommend(pack, finding.example).rule_id == finding.rules[1]
    for role, sampled in checkins:  # a dead rule never decides a sampled check-in
        answers = {q: v for q, v in sampled.items() if role in _asked(pack, q)}
        assert recommend(pack, Counterexample(role, answers)).rule_id not in dead
    for tie in report.ties:
        assert tie.example is not None
        t = _trace(pack, tie.example)
        assert t.recommendation.rule_id == tie.rules[0]
        assert {r.rule_id for r in t.rules if r.held} >= set(tie.rules)


def _asked(pack: Pack, qid: str) -> frozenset[Role]:
    return next(q.respondents for q in pack.questions if q.id == qid)


def _trace(pack: Pack, example: Counterexample) -> trustkit.Trace:
    return trustkit.trace(
        dict(example.answers),
        respondent=example.respondent,
        history=example.history or None,
        now=example.now,
        pack=bypassed(pack),
    )


# ------------------------------------------------------------------ dead rules, ties, gaps


def test_dead_rules_ties_and_scores() -> None:
    """A copy below its original is dead; equal priorities with other steps tie."""
    pack = _rules(
        CORE,
        Rule("roots-copy", "patience", AnswerCompare("understand_roots", "<=", 2), priority=44),
        Rule("heard-too", "patience", AnswerCompare("feels_heard", "<=", 1), priority=65),
        Rule("low-hope-score", "patience", ScoreCompare("hope", "<=", 1.5), priority=36),
        Rule("answered-both", "validation", Answered("stuck"), priority=1),
        Rule("never-alone", "patience", FactCompare("checkins", ">=", 100), priority=-1),
        Rule(
            "zz-dismissed", "validation", AnswerCompare("feelings_dismissed", ">=", 5), priority=65
        ),
        Rule(
            "contradiction",
            "patience",
            AllOf((AnswerCompare("feels_heard", "<=", 1), AnswerCompare("feels_heard", ">=", 5))),
            priority=3,
        ),
    )
    report = verify_pack(pack)
    assert report.safe
    dead = {f.rules[0]: f for f in report.dead_rules}
    assert set(dead) == {"roots-copy", "never-alone", "zz-dismissed", "contradiction"}
    assert dead["contradiction"].example is None
    copy = dead["roots-copy"]
    assert copy.rules == ("roots-copy", "educate-roots")
    assert copy.example is not None
    assert recommend(pack, copy.example).rule_id == "educate-roots"
    assert dead["never-alone"].example is None
    assert "never holds without a history" in dead["never-alone"].message
    tie = next(t for t in report.ties if t.rules == ("heard-too", "validation-not-heard"))
    assert tie.rules == ("heard-too", "validation-not-heard")
    assert tie.example is not None
    assert recommend(pack, tie.example).rule_id == "heard-too"
    assert "low-hope-score" not in dead
    data = report.to_json()
    assert data["format"] == "trustkit.verify/1"
    assert [d["rules"][0] for d in data["dead_rules"]] == [f.rules[0] for f in report.dead_rules]
    assert data["ties"][0]["example"]["history"] == []
    assert report.findings[0].kind == "gap"


def test_a_role_without_a_safety_screen_has_no_safety_period_mode() -> None:
    questions = tuple(
        attrs.evolve(q, respondents=frozenset({Role.PARTNER})) if q.safety else q
        for q in CORE.questions
    )
    report = verify_pack(_with(CORE, questions=questions))
    assert report.safe
    periods = [g for g in report.gaps if g.example and g.example.during_safety_period]
    assert {g.example.respondent for g in periods if g.example} == {Role.SUPPORTER}


def test_a_pack_built_in_python_is_checked_first() -> None:
    fine = _rules(CORE, Rule("more", "patience", AnswerCompare("stuck", ">=", 3), priority=2))
    assert verify_pack(fine).safe
    broken = _rules(CORE, Rule("typo", "nowhere", Always(), priority=2))
    with pytest.raises(PackError) as caught:
        verify_pack(broken)
    assert all(p.code is not trustkit.ProblemCode.UNSAFE for p in caught.value.problems)


# ------------------------------------------------------------------ giving up


def test_giving_up_never_claims_a_proof_or_a_dead_rule() -> None:
    report = verify_pack(
        _rules(CORE, Rule("copy", "educate", Always(), priority=-5)), max_regions=3
    )
    assert not report.complete
    assert report.dead_rules == ()
    assert report.gave_up
    assert report.safe  # the safety proof does not need the regions


def test_safety_rules_of_any_form_past_the_limit_are_not_proved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(verify, "MAX_SAFETY_CASES", 10)
    report = verify_pack(impure(CORE))
    assert not report.safe
    assert report.unsafe == ()
    assert any("too many combinations" in why for why in report.gave_up)


# ------------------------------------------------------------------ the command


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(["pack", "verify", *argv], stdout=out, stderr=io.StringIO())
    return status, out.getvalue()


def test_the_command_proves_the_core_pack() -> None:
    status, text = run("--pack", "core")
    assert status == 0
    assert "proved" in text
    assert "warning: gap:" in text
    assert "during the other partner's safety period" in text
    status, text = run("--locale", "es", "--json")
    assert status == 0
    data = json.loads(text)
    assert set(data) == {
        "format", "packs", "safe", "complete", "regions", "gave_up",
        "unsafe", "gaps", "dead_rules", "ties",
    }  # fmt: skip
    assert data["safe"] is True
    assert set(data["gaps"][0]) == {"kind", "rules", "message", "regions", "example"}
    assert set(data["gaps"][0]["example"]) == {"respondent", "answers", "history", "now"}


def test_the_command_rejects_an_unsafe_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pack the loader refuses is reported as errors; one that slipped through, with examples."""
    status, text = run("--pack", "core", "--overlay", "core")
    assert status == 1
    assert "cannot be used" in text
    unsafe = reroute(CORE)
    monkeypatch.setattr(trustkit, "load_pack", lambda *a, **k: unsafe)
    status, text = run("--pack", "core")
    assert status == 1
    assert "error: unsafe:" in text
    assert "NOT proved safe" in text
    status, text = run("--pack", "core", "--json")
    assert status == 1
    assert json.loads(text)["unsafe"]


def test_the_command_says_when_it_gave_up(monkeypatch: pytest.MonkeyPatch) -> None:
    real = trustkit.verify_pack
    monkeypatch.setattr(trustkit, "verify_pack", lambda pack: real(pack, max_regions=1))
    status, text = run("--pack", "core")
    assert status == 0
    assert "gave up:" in text


def test_combinations_with_a_yes_come_fewest_yes_first() -> None:
    """Every check-in with a yes on the screen, each once; and what a score reads."""
    found = list(verify._combinations(("a", "b"), ["c"], [(1, None)]))
    assert len(found) == (3**2 - 2**2) * 2
    assert len({json.dumps(f, sort_keys=True) for f in found}) == len(found)
    assert found[0] == {"a": True, "b": False, "c": 1}
    assert sum(v is True for v in found[-1].values()) == 2
    space = verify._Space(compiled(CORE), Role.PARTNER, safety_yes=True)
    assert space.reads(ScoreCompare("wellbeing", "<=", 2)) == ["distress", "stuck"]
    facts_too = AllOf((FactCompare("checkins", ">=", 2), AnswerCompare("controlled", "=", True)))
    assert space.reads(facts_too) == ["controlled"]


def test_a_finding_without_an_example_is_printed_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Some findings (a rule that can never decide, say) have no check-in to show."""
    report = trustkit.verify_pack(CORE)
    bare = attrs.evolve(report.gaps[0], example=None)
    monkeypatch.setattr(trustkit, "verify_pack", lambda pack: attrs.evolve(report, gaps=(bare,)))
    status, text = run("--pack", "core")
    assert status == 0
    assert f"warning: gap: {bare.message}\n" in text
    assert "for example" not in text
