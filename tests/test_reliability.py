"""Threads, pickling, privacy and the installed package."""

from __future__ import annotations

import io
import logging
import os
import pickle
import random
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

import trustkit
from trustkit import Role
from trustkit._pack.load import PACK_FILES


def _checkins(count: int) -> list[tuple[Role, dict[str, Any]]]:
    rng = random.Random(20261127)
    pack = trustkit.default_pack()
    cases = []
    for _ in range(count):
        role = rng.choice(list(Role))
        answers: dict[str, Any] = {}
        for q in pack.questions_for(role):
            if rng.random() < 0.6:
                if q.kind.value == "yes_no":
                    answers[q.id] = rng.random() < (0.05 if q.safety else 0.3)
                elif q.kind.value == "scale":
                    answers[q.id] = rng.randint(1, 5)
                elif q.options:
                    answers[q.id] = rng.choice(q.codes)
                else:
                    answers[q.id] = rng.randint(0, 4)
        cases.append((role, answers))
    return cases


def test_eight_threads_share_one_pack_and_agree_with_one_thread() -> None:
    """A fresh pack compiled under contention gives the single-threaded results."""
    cases = _checkins(400)
    fresh = pickle.loads(pickle.dumps(trustkit.default_pack()))  # not compiled yet
    expected = [trustkit.recommend_next_step(a, respondent=r) for r, a in cases]

    def work(offset: int) -> list[trustkit.Recommendation]:
        order = cases[offset:] + cases[:offset]
        results = [trustkit.recommend_next_step(a, respondent=r, pack=fresh) for r, a in order]
        return results[-offset:] + results[:-offset] if offset else results

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(work, range(0, 400, 50)))
    assert len(outcomes) == 8
    for outcome in outcomes:
        assert outcome == expected


def test_recommendations_pickle() -> None:
    """Recommendations can cross process boundaries."""
    for role, answers in _checkins(50):
        rec = trustkit.recommend_next_step(answers, respondent=role)
        assert pickle.loads(pickle.dumps(rec)) == rec


def test_nothing_is_printed_or_logged(caplog: pytest.LogCaptureFixture) -> None:
    """The library writes nothing anywhere while recommending, even on errors."""
    out, err = io.StringIO(), io.StringIO()
    caplog.set_level(logging.DEBUG)
    with redirect_stdout(out), redirect_stderr(err):
        for role, answers in _checkins(100):
            trustkit.recommend_next_step(answers, respondent=role)
        with pytest.raises(trustkit.AnswerError):
            trustkit.recommend_next_step({"feels_heard": "terrible"})
    assert out.getvalue() == err.getvalue() == ""
    assert caplog.records == []


def test_a_recommendation_repr_hides_the_reasons() -> None:
    """Reasons quote answers, so a logged recommendation shows only how many there are."""
    rec = trustkit.recommend_next_step({"feels_heard": 1})
    assert "<2 reasons hidden>" in repr(rec)
    assert "out of 5" not in repr(rec)


def test_every_pack_file_is_in_the_installed_package() -> None:
    """The wheel carries the bundled pack (a missing data file fails here)."""
    core = files("trustkit").joinpath("packs", "core")
    for name in PACK_FILES:
        assert core.joinpath(name).is_file(), name
    assert files("trustkit").joinpath("py.typed").is_file()


@pytest.mark.skipif(
    os.environ.get("TRUSTKIT_TEST_INSTALLED") != "1", reason="only when testing the built wheel"
)
def test_the_tests_run_against_the_installed_wheel() -> None:
    """scripts/test must test the wheel, not the source tree."""
    location = Path(trustkit.__file__).resolve()
    assert "site-packages" in location.parts
    assert "src" not in location.parts


@pytest.mark.parametrize(
    "answers",
    [
        {"afraid_of_partner": True, "feels_heard": 2, "hurt_or_threatened": False},
        {"choked_or_strangled": True, "self_harm_thoughts": True},
        {"feels_heard": 1, "stuck": 5},
    ],
)
def test_a_recommendation_and_its_trace_repr_show_no_answer(answers: dict[str, Any]) -> None:
    """Evidence and trace entries say what was answered: their repr shows ids and counts only."""
    rec = trustkit.recommend_next_step(answers)
    trace = trustkit.trace(answers)
    assert rec.evidence
    texts = [repr(rec), str(rec), repr(trace), str(trace), *map(repr, trace.rules)]
    texts += [repr(ev) for ev in rec.evidence]
    hidden = [ev.condition for ev in rec.evidence]
    hidden += [entry.failed for entry in trace.rules if entry.failed is not None]
    hidden += [repr(qid) for qid in answers]  # no answered question is named
    hidden += ["= yes", "= no", "held=True", "held=False"]
    for text in texts:
        for secret in hidden:
            assert secret not in text
    assert f"<{len(rec.reasons)} reasons hidden>" in repr(rec)
    assert f"<{len(trace.rules)} rules hidden>" in repr(trace)
    assert repr(rec.evidence[0]).startswith(f"Evidence(rule_id={rec.evidence[0].rule_id!r}, ")
