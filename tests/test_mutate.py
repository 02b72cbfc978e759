"""Mutation testing of pack examples: `trustkit pack test --mutate` and `trustkit.mutation_test`."""

from __future__ import annotations

import io
import json

import attrs
import pytest

import trustkit
from tests.conftest import Overlay
from trustkit import AnswerCompare, FactCompare, Op, Role, ScoreCompare
from trustkit._cli import _write_mutation, main
from trustkit._engine import mutate
from trustkit._engine.examples import _Example
from trustkit._engine.mutate import equivalent, mutations


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdout=out, stderr=io.StringIO())
    return code, out.getvalue()


def test_the_core_pack_reaches_its_targets() -> None:
    """CI's check: >= 90% of mutants killed, every one of a safety rule, conditions seen."""
    report = trustkit.mutation_test("core")
    assert report.score >= 90.0
    assert report.safety_score == 100.0
    assert report.condition_coverage >= 90.0
    outcomes = {m.outcome for m in report.mutants}
    assert outcomes <= {"killed", "survived", "equivalent", "refused"}
    # A safety rule may only ask "q = true", and each safety question needs a safety rule:
    # the pack check refuses every change to the safety screen.
    assert {m.outcome for m in report.mutants if m.safety} == {"refused"}
    killed = [m for m in report.mutants if m.outcome == "killed"]
    assert all(m.killed_by for m in killed)
    assert {"feels_heard <= 2 -> feels_heard <= 3", "drop feels_heard <= 2"} <= {
        m.change for m in killed if m.rule == "validation-not-heard"
    }


def _run_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Later CLI runs reuse the first mutation run's report (each run takes seconds)."""
    real = trustkit.mutation_test
    done: dict[tuple[object, ...], trustkit.MutationReport] = {}

    def once(*args: object, **keywords: object) -> trustkit.MutationReport:
        key = (*map(str, args), *sorted(keywords.items()))
        if key not in done:
            done[key] = real(*args, **keywords)  # type: ignore[arg-type]
        return done[key]

    monkeypatch.setattr(trustkit, "mutation_test", once)


def test_pack_test_mutate_prints_the_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    _run_once(monkeypatch)
    code, out = run("pack", "test", "--mutate", "--min-score", "90")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[2].startswith("mutation: ")
    assert "mutants killed (" in lines[2]
    # The core pack's safety rules only ask "= yes": every change to them is refused.
    assert lines[2].endswith("; safety rules: none to count, all 15 refused by the pack check")
    assert lines[3].startswith("  not counted: 0 equivalent (no example could tell them apart), ")
    assert lines[3].endswith(" refused by the pack check (15 of safety rules)")
    assert lines[4].startswith("condition coverage: ")
    code, out = run("pack", "test", "--mutate", "--min-score", "100")
    assert code == 1
    assert out.endswith("the mutation score is below the minimum of 100%\n")
    code, out = run("pack", "test", "--mutate", "--json")
    data = json.loads(out)
    assert (code, data["ok"]) == (0, True)
    assert data["mutation"]["safety_score"] == 100.0
    assert data["mutation"]["counts"]["refused"] == 15
    assert {"rule", "safety", "change", "outcome", "killed_by"} == set(
        data["mutation"]["mutants"][0]
    )
    assert {"covered", "seen_true", "seen_false"} <= set(data["mutation"]["conditions"][0])


EXTRA_RULES = """\
[[rules]]
id = "extra-safety"
step = "professional_help"
priority = 900
urgency = "critical"
safety = true
plan = "abuse"
resources = ["domestic_abuse"]
reason = "A second way to help for fear or control."
when.any = [
  { answer = "afraid_of_partner", op = "=", value = true },
  { answer = "controlled", op = "=", value = true },
]

[[rules]]
id = "extra-content"
step = "educate"
priority = 1
reason = "Content and calm."
when.all = [
  { answer = "missed_commitments", op = ">=", value = 0 },
  { not = { answered = "past_hurt" } },
  { answer = "hopeful", op = "=", value = 5 },
]
"""

EXTRA_EXAMPLES = """\
[[examples]]
id = "content"
answers = { missed_commitments = 0, hopeful = 5 }
expect = { rule = "extra-content" }
"""


def test_survivors_equivalents_and_refused_of_an_overlay(
    overlay: Overlay, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = overlay(rules=EXTRA_RULES, examples=EXTRA_EXAMPLES)
    report = trustkit.mutation_test("core", folder)
    # The command below prints this same report: computed once, it is not worked out again.
    monkeypatch.setattr(trustkit, "mutation_test", lambda *a, **k: report)
    extra = {m.change: m.outcome for m in report.mutants if m.rule == "extra-content"}
    assert extra["missed_commitments >= 0 -> missed_commitments >= -1"] == "equivalent"
    assert extra["missed_commitments >= 0 -> missed_commitments >= 1"] == "killed"
    assert extra["drop not(answered(past_hurt))"] == "survived"
    assert extra["hopeful = 5 -> hopeful != 5"] == "killed"
    safety = {m.change: m.outcome for m in report.mutants if m.rule == "extra-safety"}
    # Each question still has a safety rule: dropping one is allowed, and no example notices.
    assert safety["drop afraid_of_partner = yes"] == "survived"
    assert safety["afraid_of_partner = yes -> afraid_of_partner != yes"] == "refused"
    assert report.safety_score < 100.0
    assert [c.condition for c in report.conditions if c.rule == "extra-content"] == [
        "missed_commitments >= 0",
        "answered(past_hurt)",
        "hopeful = 5",
    ]
    code, out = run("pack", "test", "--overlay", str(folder), "--mutate")
    assert code == 1
    assert "  survived in extra-safety: drop afraid_of_partner = yes; " in out
    assert "  never true in celebrate-improved: declined.wellbeing = yes\n" in out
    assert out.endswith("a mutant of a safety rule survived: add an example that tells it apart\n")


def test_examples_that_fail_on_the_pack_are_refused(overlay: Overlay) -> None:
    folder = overlay(
        examples='[[examples]]\nid = "wrong"\nexpect = { rule = "validation-not-heard" }\n'
    )
    with pytest.raises(trustkit.PackError, match="wrong: expect: fails on the pack itself"):
        trustkit.mutation_test("core", folder)
    code, out = run("pack", "test", "--overlay", str(folder), "--mutate")
    assert code == 1
    assert "mutation:" not in out  # the examples fail first: no mutant can be judged


def test_equivalence_is_exact_over_each_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    pack = trustkit.default_pack()

    def same(a: object, b: object) -> bool:
        return equivalent(a, b, pack)  # type: ignore[arg-type]

    scale = AnswerCompare("progress_noticed", Op.GE, 1)
    assert same(scale, AnswerCompare("progress_noticed", Op.GE, 0))
    assert not same(scale, AnswerCompare("progress_noticed", Op.GE, 2))
    assert not same(
        AnswerCompare("past_hurt", Op.EQ, True), AnswerCompare("past_hurt", Op.NE, True)
    )
    count = AnswerCompare("missed_commitments", Op.LT, 0)
    assert same(count, AnswerCompare("missed_commitments", Op.LE, -1))
    assert not same(count, AnswerCompare("missed_commitments", Op.LT, 1))
    assert same(ScoreCompare("hope", Op.LE, 5), ScoreCompare("hope", Op.LE, 6))
    assert not same(ScoreCompare("hope", Op.GE, 4), ScoreCompare("hope", Op.GT, 4))
    assert same(ScoreCompare("hope", Op.GT, 4.6), ScoreCompare("hope", Op.GE, 5))  # 1, 1.5 .. 5
    flag = FactCompare("improved.hope", Op.EQ, True)
    assert not same(flag, FactCompare("improved.hope", Op.NE, True))
    assert not same(FactCompare("checkins", Op.LE, 30), FactCompare("checkins", Op.LE, 31))
    monkeypatch.setattr(mutate, "_MOST_SCORE_ITEMS", 1)  # too many to enumerate: never equal
    assert not same(ScoreCompare("hope", Op.LE, 5), ScoreCompare("hope", Op.LE, 6))


def test_the_mutations_of_a_condition() -> None:
    rule = next(r for r in trustkit.default_pack().rules if r.id == "validation-not-heard")
    changes = [change for change, _, _ in mutations(rule.when)]
    assert changes == [
        "drop feels_heard <= 2",
        "drop feelings_dismissed >= 4",
        "feels_heard <= 2 -> feels_heard <= 3",
        "feels_heard <= 2 -> feels_heard <= 1",
        "feels_heard <= 2 -> feels_heard < 2",
        "feelings_dismissed >= 4 -> feelings_dismissed >= 5",
        "feelings_dismissed >= 4 -> feelings_dismissed >= 3",
        "feelings_dismissed >= 4 -> feelings_dismissed > 4",
    ]
    assert list(mutations(trustkit.Always())) == []
    alone = trustkit.AllOf((AnswerCompare("hopeful", Op.EQ, 5),))  # nothing to drop
    assert [change for change, _, _ in mutations(alone)] == [
        "hopeful = 5 -> hopeful = 6",
        "hopeful = 5 -> hopeful = 4",
        "hopeful = 5 -> hopeful != 5",
    ]


def test_a_mutant_that_leaves_no_rule_is_killed() -> None:
    """Without a catch-all, a changed rule may leave a check-in with no step: that is noticed."""
    pack = trustkit.default_pack()
    bare = attrs.evolve(pack, rules=tuple(r for r in pack.rules if r.id != "catch-all"))
    example = _Example("nothing", "x", None, Role.PARTNER, {}, None, (), {"rule": "catch-all"})
    assert mutate._killer([example], bare) == "nothing"


def test_an_empty_report_scores_full() -> None:
    empty = trustkit.MutationReport(packs=(), examples=0, mutants=(), conditions=())
    out = io.StringIO()
    _write_mutation(empty, None, out)
    assert "; safety rules: none to count\n" in out.getvalue()
    assert (empty.score, empty.safety_score, empty.condition_coverage) == (100.0, 100.0, 100.0)
    assert empty.to_json()["counts"] == {"killed": 0, "survived": 0, "equivalent": 0, "refused": 0}
