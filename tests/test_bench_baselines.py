"""The hand-written baselines in ``bench/`` still give trustkit's exact output.

Every timed row in ``bench/run.py`` asserts this before it times anything, but
the benchmarks run by hand: without this test a change to the pack or the
engine (per-reader texts, a plan on every rule) left the baseline behind, and
the bench refused to run. Here a few hundred of the bench's own check-ins are
compared field by field, reasons included.
"""

from __future__ import annotations

from typing import Any

import pytest
from bench import run
from bench.packs import FirstMatch, generated_pack

import trustkit


def test_the_bundled_pack_baseline_returns_the_same_recommendation() -> None:
    run.check_same(run.Baseline(trustkit.default_pack()), run.checkins(400, seed=7))


def test_the_baseline_is_compared_field_by_field() -> None:
    """The check can fail: a baseline that says one reason differently is caught."""
    baseline = run.Baseline(trustkit.default_pack())
    for texts in baseline.reason.values():
        texts["catch-all"] = "something else"
    cases: list[tuple[trustkit.Role, dict[str, Any]]] = [(trustkit.Role.PARTNER, {})]
    with pytest.raises(AssertionError):
        run.check_same(baseline, cases)


def test_the_first_match_baseline_decides_the_same() -> None:
    pack = generated_pack(30)
    first = FirstMatch(pack)
    for role, answers in run.checkins(300, seed=8):
        d = trustkit.decide(answers, respondent=role, pack=pack)
        assert (d.rule_id, d.step_id, d.urgency.value, d.safety) == first(answers, role.value)
