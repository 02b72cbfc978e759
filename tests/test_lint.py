"""Lint: warnings for packs that are valid but probably not what their authors meant."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest

import trustkit
from trustkit import AnswerCompare, Question, QuestionKind, Role, Rule

CORE = trustkit.default_pack()


def test_the_bundled_pack_has_no_warnings() -> None:
    """Every core step is reachable, every question used, no rule shadowed, no gap."""
    assert trustkit.lint_pack(CORE) == ()


def test_a_rule_that_decides_only_during_a_safety_period_is_not_shadowed() -> None:
    """Below a rule for a couples step, a rule for another step decides when couples work is out.

    The core pack's communication-not-safe-apart is such a rule; without the couples step
    above it (here: the same rule for a step that is not couples work), it is shadowed.
    """
    rules = {r.id: r for r in CORE.rules}
    apart, above = rules["communication-not-safe-apart"], rules["communication-not-safe"]
    assert CORE.step(above.step).couples
    assert not CORE.step(apart.step).couples
    assert "communication-not-safe-apart" not in {w.item for w in trustkit.lint_pack(CORE)}
    plain = attrs.evolve(above, step="validation")
    pack = attrs.evolve(
        CORE,
        rules=tuple(plain if r.id == above.id else r for r in CORE.rules),
        translations=(),
        locale_files=(),
    )
    shadowed = {w.item: w for w in trustkit.lint_pack(pack) if w.code == "shadowed-rule"}
    assert "communication-not-safe" in shadowed["communication-not-safe-apart"].message


def test_planted_problems_are_each_found_with_an_example() -> None:
    """Each kind of warning is found, and sampling warnings come with a check-in that shows it."""
    lonely = attrs.evolve(
        CORE.step("celebrate"), id="lonely", actions=CORE.step("celebrate").actions[:1]
    )
    lonely = attrs.evolve(
        lonely, actions=tuple(attrs.evolve(a, id=f"lonely-{a.id}") for a in lonely.actions)
    )
    unused = Question(
        id="unused_q", prompt="Never read", kind=QuestionKind.SCALE, respondents=frozenset(Role)
    )
    shadow = Rule(
        id="shadow",
        step="celebrate",
        priority=1,
        reason="Hidden.",
        when=AnswerCompare("feels_heard", "<=", 1),
    )
    pack = attrs.evolve(
        CORE,
        steps=(*CORE.steps, lonely),
        questions=(*CORE.questions, unused),
        rules=(*(r for r in CORE.rules if r.id != "catch-all"), shadow),
        translations=(),
        locale_files=(),  # untranslated texts are a warning of their own, tested elsewhere
    )
    warnings = {(w.code, w.item): w for w in trustkit.lint_pack(pack)}
    assert set(warnings) == {
        ("few-actions", "lonely"),
        ("unused-question", "unused_q"),
        ("unreachable-step", "lonely"),
        ("shadowed-rule", "shadow"),
        ("no-catch-all", ""),
    }
    shadowed = warnings["shadowed-rule", "shadow"]
    assert "validation-not-heard" in shadowed.message
    assert shadowed.example is not None
    assert shadowed.example["feels_heard"] == 1
    gap = warnings["no-catch-all", ""]
    assert gap.example is not None
    assert gap.respondent is not None
    # The example really gets no step.
    try:
        trustkit.recommend_next_step(gap.example, respondent=gap.respondent, pack=pack)
    except trustkit.NoStepError:
        pass
    else:
        raise AssertionError("the example check-in should get no step")
    assert "no rule proposes it" in warnings["unreachable-step", "lonely"].message
    assert str(warnings["few-actions", "lonely"]).startswith("few-actions: lonely: has 1 action")
    assert str(warnings["no-catch-all", ""]).startswith("no-catch-all: some check-ins")


def test_lint_is_deterministic_and_reads_scores() -> None:
    """The same pack and seed give the same warnings; score conditions count as reading items."""
    rule = Rule(
        id="hope-low",
        step="patience",
        priority=36,
        reason="Low.",
        when=trustkit.ScoreCompare("hope", "<", 2),
    )
    pack = attrs.evolve(CORE, rules=(*CORE.rules, rule))
    first = trustkit.lint_pack(pack, seed=3)
    assert first == trustkit.lint_pack(pack, seed=3)
    assert "unused-question" not in {w.code for w in first}


def test_aiming_at_scores_across_roles_and_impossible_counts() -> None:
    """Lint copes with score rules over both roles, 'answered' leaves and unmeetable counts."""
    rules = (
        Rule(
            id="pace-low",
            step="patience",
            priority=56,
            reason="Slow.",
            when=trustkit.ScoreCompare("pace", "<=", 2),
        ),
        Rule(
            id="counted",
            step="consistency",
            priority=71,
            reason="Counted.",
            when=trustkit.AllOf(
                (
                    trustkit.Answered("missed_commitments"),
                    AnswerCompare("missed_commitments", ">=", 50),
                )
            ),
        ),
    )
    warnings = trustkit.lint_pack(attrs.evolve(CORE, rules=(*CORE.rules, *rules)), samples=200)
    assert "pace-low" not in {w.item for w in warnings if w.code == "shadowed-rule"}


def test_a_rule_shadowed_by_different_rules_names_the_most_frequent() -> None:
    """When no single rule always wins, the warning names the one that won most."""
    shadow = Rule(
        id="shadow",
        step="celebrate",
        priority=1,
        reason="Hidden.",
        when=trustkit.AnyOf(
            (AnswerCompare("feels_heard", "<=", 1), AnswerCompare("promises_kept", "<=", 1))
        ),
    )
    pack = attrs.evolve(CORE, rules=(*CORE.rules, shadow))
    (warning,) = [w for w in trustkit.lint_pack(pack) if w.item == "shadow"]
    assert "most often" in warning.message


def test_stale_resources_need_today_and_are_named_with_their_place() -> None:
    """No clock in the library: without today, no stale warnings; with it, file and line."""
    assert trustkit.lint_pack(CORE, samples=50) == ()
    oldest = min(r.verified for r in CORE.resources)
    year_later = oldest.replace(year=oldest.year + 1)
    assert trustkit.lint_pack(CORE, samples=50, today=year_later) == ()  # exactly 12 months
    warnings = trustkit.lint_pack(CORE, samples=50, today=year_later + dt.timedelta(days=1))
    assert warnings
    assert {w.code for w in warnings} == {"stale-resource"}
    first = warnings[0]
    assert first.file == "core/resources.toml"
    assert first.line is not None
    assert str(first).startswith(
        f"core/resources.toml:{first.line}: stale-resource: {first.item}: "
    )
    assert f"last verified on {oldest.isoformat()}" in first.message


@pytest.mark.parametrize(
    ("verified", "today", "stale"),
    [
        (dt.date(2023, 2, 28), dt.date(2024, 2, 29), False),
        (dt.date(2023, 2, 27), dt.date(2024, 2, 29), True),
        (dt.date(2025, 3, 1), dt.date(2026, 3, 1), False),
    ],
)
def test_twelve_months_are_counted_by_the_calendar(
    verified: dt.date, today: dt.date, stale: bool
) -> None:
    """29 February counts back to 28 February; a resource without a file has no place."""
    res = attrs.evolve(CORE.resources[0], verified=verified, origin=None)
    pack = attrs.evolve(CORE, resources=(res, *CORE.resources[1:]))
    found = lint_stale(pack, today)
    assert bool(found) is stale
    if found:
        assert (found[0].file, found[0].line) == (None, None)
        assert str(found[0]).startswith(f"stale-resource: {res.id}: ")


def test_a_warning_with_a_file_but_no_line() -> None:
    """The place is shown as far as it is known."""
    warning = trustkit.LintWarning("stale-resource", "x", "old", file="pack/resources.toml")
    assert str(warning) == "pack/resources.toml: stale-resource: x: old"


def lint_stale(pack: trustkit.ContentPack, today: dt.date) -> tuple[trustkit.LintWarning, ...]:
    from trustkit._engine.lint import stale_resources

    return stale_resources(pack, today)


def test_fewer_aimed_checkins_per_rule_for_very_large_packs() -> None:
    """Small packs keep 60 aimed check-ins a rule; huge ones fewer, never none."""
    from trustkit._engine.lint import aimed_per_rule

    assert [aimed_per_rule(n) for n in (0, 25, 333, 1_000, 10_000, 50_000)] == [
        60,
        60,
        60,
        20,
        2,
        1,
    ]


_BIG_CHECK = """
import resource, sys
from trustkit._cli import main
status = main(["pack", "check", "--overlay", sys.argv[1]])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
print(f"status={status} peak_kb={peak}", file=sys.stderr)
"""


@pytest.mark.slow
def test_checking_an_overlay_of_a_thousand_rules_stays_small(tmp_path: Path) -> None:
    """1,000 simple rules are linted in seconds and megabytes (it once took minutes and GBs).

    Run in a fresh process; the timeout only stops a hang (bench/big_pack.py measures time).
    """
    import random
    import re
    import subprocess
    import sys

    rng = random.Random(12)
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "pack.toml").write_text(
        'id = "big"\nversion = "1.0.0"\ntitle = "Many rules"\nextends = "core >=1,<2"\n',
        encoding="utf-8",
    )
    rules = []
    for i in range(1_000):
        question = rng.choice(["feels_heard", "promises_kept", "stuck", "distress", "hopeful"])
        rules.append(
            f'{{id="b{i}",step="{rng.choice(["educate", "patience", "validation"])}",'
            f'priority={rng.randrange(1, 900)},reason="r",'
            f'when={{answer="{question}",op="<=",value={rng.randint(1, 5)}}}}},'
        )
    (folder / "rules.toml").write_text("rules = [\n" + "\n".join(rules) + "\n]\n", "utf-8")
    result = subprocess.run(
        [sys.executable, "-c", _BIG_CHECK, str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    match = re.search(r"status=(\d+) peak_kb=(\d+)", result.stderr)
    assert match is not None, result.stderr[-2000:]
    assert match.group(1) == "0"  # warnings only: every rule is valid
    assert "shadowed-rule" in result.stdout
    if sys.platform == "linux":  # ru_maxrss is in kilobytes there
        assert int(match.group(2)) < 500_000


def test_choice_questions_are_sampled_with_their_codes() -> None:
    """Lint samples a choice question's codes and a multiple choice's sets of codes (never
    numbers), so rules on them are reached; a multiple choice naming more codes than its
    classes allow is sampled one code at a time."""
    from trustkit._engine.compile import compiled
    from trustkit._engine.lint import _Sampler
    from trustkit._pack.kinds import MAX_CHOICE_CODES

    codes = [f"c{i}" for i in range(MAX_CHOICE_CODES + 1)]
    source = Question(
        "source",
        "Where from?",
        "choice",
        ["partner"],
        options=[trustkit.Option(c, c) for c in ("earlier", "here")],
    )
    sources = Question(
        "sources",
        "What sets it off?",
        "multiple_choice",
        ["partner"],
        options=[trustkit.Option(c, c) for c in codes],
    )
    rules = (
        Rule(
            id="from-before",
            step="educate",
            priority=53,
            reason="Before.",
            when=trustkit.AllOf(
                (
                    AnswerCompare("source", "in", ["earlier"]),
                    trustkit.Not(AnswerCompare("sources", "in", codes)),
                )
            ),
        ),
        Rule(
            id="set-off",
            step="consistency",
            priority=52,
            reason="Set off.",
            when=AnswerCompare("sources", "contains", ["c3"]),
        ),
        Rule(
            id="set-off-by-both",  # sampled one code at a time: no sampled answer meets it
            step="consistency",
            priority=50,
            reason="Both.",
            when=AnswerCompare("sources", "contains", ["c1", "c2"]),
        ),
        Rule(
            id="never",  # one answer cannot be both codes: no sampled answer meets it
            step="patience",
            priority=51,
            reason="Never.",
            when=trustkit.AllOf(
                (
                    AnswerCompare("source", "in", ["earlier"]),
                    AnswerCompare("source", "in", ["here"]),
                )
            ),
        ),
    )
    pack = attrs.evolve(
        CORE, questions=(*CORE.questions, source, sources), rules=(*CORE.rules, *rules)
    )
    sampler = _Sampler(pack, 0)
    assert sampler.domains["source"] == ["earlier", "here"]
    assert sampler.domains["sources"] == [frozenset(), *(frozenset({c}) for c in codes)]
    assert all(isinstance(v, int) for v in sampler.domains["missed_commitments"])
    both = next(r for r in compiled(pack).rules if r.rule.id == "set-off-by-both")
    for _ in range(20):  # the comparison no sampled answer meets is left unmet, not forced
        _, answers = sampler.aimed(both)
        chosen = answers.get("sources", frozenset())
        assert not (isinstance(chosen, frozenset) and {"c1", "c2"} <= chosen)
    warnings = trustkit.lint_pack(pack, samples=300)
    assert {"from-before", "set-off"}.isdisjoint({w.item for w in warnings})
    assert "never" not in {w.item for w in warnings if w.code == "shadowed-rule"}


def test_lint_compiles_each_rule_once_not_once_per_sampled_checkin() -> None:
    """Lint tries every rule on hundreds of check-ins with each rule's compiled predicate.

    It once kept ``rule.holds`` before its first call, which is the method that
    compiles the condition: every check-in compiled every rule again (a 1,000-rule
    overlay took 22 s instead of 4).
    """
    from unittest import mock

    from trustkit._engine import compile as compile_module

    extra = tuple(
        Rule(
            id=f"extra-{n}",
            step="patience",
            priority=100 + n,
            reason="r",
            when=AnswerCompare("hopeful", "<=", 1 + n % 4),
        )
        for n in range(20)
    )
    pack = attrs.evolve(CORE, rules=(*CORE.rules, *extra), translations=(), locale_files=())
    spy = mock.patch.object(
        compile_module, "compile_condition", wraps=compile_module.compile_condition
    )
    with spy as counted:
        trustkit.lint_pack(pack)
    # Each rule's condition is compiled once (with its parts); not once per check-in.
    assert counted.call_count < 10 * len(pack.rules)
