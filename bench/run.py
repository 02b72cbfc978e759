"""Benchmarks for trustkit (not part of the test pass).

Run with an installed trustkit::

    python bench/run.py            # print the figures
    python bench/run.py --write    # also write them into docs/performance.md

Two measurements, each reported as a ratio taken in one run on one machine:

1. ``recommend_next_step`` (check the answers, evaluate the rules, explain) on the
   bundled pack, against ``baseline``: a hand-written Python function that
   implements the same rules with the same checks and the same explanations.
   The benchmark first asserts that both give the same step, rule, alternatives
   and reasons on every check-in it times.
2. A fresh process that imports trustkit and makes its first recommendation,
   against a fresh process that only imports attrs and cattrs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path
from typing import Any

import trustkit
from trustkit import ContentPack, QuestionKind, Role

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
MARK = "<!-- figures: written by bench/run.py -->"


# --------------------------------------------------------------------- the baseline


class Baseline:
    """The core pack's rules, written by hand as plain Python.

    Texts (prompts, reasons, templates) are read from the pack once; the logic
    is spelled out in code, the way an app without trustkit would write it.
    """

    def __init__(self, pack: ContentPack) -> None:
        self.kinds = {
            role: {q.id: q.kind.value for q in pack.questions if role in q.respondents}
            for role in Role
        }
        self.prompts = {q.id: q.prompt for q in pack.questions}
        self.reason = {r.id: r.reason for r in pack.rules}
        self.titles = {s.id: s.title for s in pack.steps}
        self.messages = pack.messages

    def sentence(self, qid: str, value: object) -> str:
        kind = self.kinds[Role.PARTNER].get(qid) or self.kinds[Role.SUPPORTER][qid]
        m = self.messages
        if kind == "yes_no":
            template = m.answer_yes if value else m.answer_no
        elif kind == "scale":
            template = m.answer_scale
        else:
            template = m.answer_count
        return template.format(prompt=self.prompts[qid], value=value)

    def __call__(self, answers: dict[str, Any], respondent: str = "partner") -> dict[str, Any]:  # noqa: PLR0915
        kinds = self.kinds[Role(respondent)]
        clean: dict[str, Any] = {}
        problems = []
        for key, value in answers.items():
            kind = kinds.get(key)
            if kind is None:
                problems.append(key)
                continue
            if value is None:
                continue
            if kind == "scale":
                ok = type(value) is int and 1 <= value <= 5
            elif kind == "yes_no":
                ok = type(value) is bool
            else:
                ok = type(value) is int and value >= 0
            if ok:
                clean[key] = value
            else:
                problems.append(key)
        if problems:
            raise ValueError("bad answers: " + ", ".join(problems))
        get = clean.get

        # Safety first.
        if get("self_harm_thoughts") is True:
            return self.result(
                "professional_help",
                "safety-self-harm",
                "critical",
                clean,
                ["self_harm_thoughts"],
                [],
            )
        abuse = [
            q for q in ("afraid_of_partner", "controlled", "hurt_or_threatened") if get(q) is True
        ]
        if abuse:
            return self.result("professional_help", "safety-abuse", "critical", clean, abuse, [])

        def ge(q: str, t: int) -> bool:
            v = get(q)
            return v is not None and v >= t

        def le(q: str, t: int) -> bool:
            v = get(q)
            return v is not None and v <= t

        matched: list[tuple[str, str, str, list[str]]] = []
        if ge("distress", 4) or ge("stuck", 4):
            met = [q for q in ("distress", "stuck") if ge(q, 4)]
            matched.append(("professional_help", "professional-help-distress", "warning", met))
        if get("boundary_crossed") is True:
            matched.append(("boundaries", "boundaries-crossed", "warning", ["boundary_crossed"]))
        if le("promises_kept", 2) or ge("missed_commitments", 2):
            met = [
                q
                for q, ok in (
                    ("promises_kept", le("promises_kept", 2)),
                    ("missed_commitments", ge("missed_commitments", 2)),
                )
                if ok
            ]
            matched.append(("consistency", "consistency-promises", "info", met))
        if le("feels_heard", 2) or ge("feelings_dismissed", 4):
            met = [
                q
                for q, ok in (
                    ("feels_heard", le("feels_heard", 2)),
                    ("feelings_dismissed", ge("feelings_dismissed", 4)),
                )
                if ok
            ]
            matched.append(("validation", "validation-not-heard", "info", met))
        if le("safe_to_share", 2) or le("talk_openly", 2):
            met = [q for q in ("safe_to_share", "talk_openly") if le(q, 2)]
            matched.append(("communication", "communication-not-safe", "info", met))
        if ge("feels_rushed", 4) or ge("frustrated_by_pace", 4):
            met = [q for q in ("feels_rushed", "frustrated_by_pace") if ge(q, 4)]
            matched.append(("patience", "patience-pace", "info", met))
        if le("boundaries_clear", 2):
            matched.append(("boundaries", "boundaries-unclear", "info", ["boundaries_clear"]))
        if le("understand_roots", 2):
            matched.append(("educate", "educate-roots", "info", ["understand_roots"]))
        if le("hopeful", 2):
            matched.append(("patience", "patience-low-hope", "info", ["hopeful"]))
        if ge("progress_noticed", 4):
            matched.append(("celebrate", "celebrate-progress", "info", ["progress_noticed"]))
        if get("past_hurt") is True:
            matched.append(("educate", "educate-past-hurt", "info", ["past_hurt"]))
        if not matched:
            return self.result("educate", "catch-all", "info", clean, [], [])
        step, rule_id, urgency, met = matched[0]
        alternatives: list[tuple[str, str]] = []
        for other_step, other_rule, _, _ in matched[1:]:
            if other_step != step and other_step not in {a for a, _ in alternatives}:
                alternatives.append((other_step, other_rule))
                if len(alternatives) == 2:
                    break
        return self.result(step, rule_id, urgency, clean, met, alternatives)

    def result(
        self,
        step: str,
        rule_id: str,
        urgency: str,
        clean: dict[str, Any],
        met: list[str],
        alternatives: list[tuple[str, str]],
    ) -> dict[str, Any]:
        return {
            "step": step,
            "rule_id": rule_id,
            "urgency": urgency,
            "reasons": [self.reason[rule_id]] + [self.sentence(q, clean[q]) for q in met],
            "evidence": met,
            "alternatives": [(s, self.titles[s], r) for s, r in alternatives],
        }


# --------------------------------------------------------------------- workload


def checkins(count: int, seed: int = 20261127) -> list[tuple[Role, dict[str, Any]]]:
    """Realistic check-ins: most questions answered, a few flags, rare safety answers."""
    rng = random.Random(seed)
    pack = trustkit.default_pack()
    cases = []
    for _ in range(count):
        role = rng.choice(list(Role))
        answers: dict[str, Any] = {}
        for q in pack.questions_for(role):
            if rng.random() < 0.85:
                if q.kind is QuestionKind.YES_NO:
                    answers[q.id] = rng.random() < (0.02 if q.safety else 0.2)
                elif q.kind is QuestionKind.SCALE:
                    answers[q.id] = rng.choice([1, 2, 3, 3, 4, 4, 5])
                else:
                    answers[q.id] = rng.choice([0, 0, 1, 2, 3])
        cases.append((role, answers))
    return cases


def check_same(baseline: Baseline, cases: list[tuple[Role, dict[str, Any]]]) -> None:
    """The baseline really implements the same rules: same step, rule, alternatives, reasons."""
    for role, answers in cases:
        rec = trustkit.recommend_next_step(answers, respondent=role)
        mine = baseline(answers, role.value)
        assert mine["step"] == rec.step.id, (mine["rule_id"], rec.rule_id)
        assert mine["rule_id"] == rec.rule_id
        if not rec.safety:
            assert list(mine["reasons"]) == list(rec.reasons), rec.rule_id
            assert mine["alternatives"] == [
                (a.step_id, a.title, a.rule_id) for a in rec.alternatives
            ]


def time_calls(count: int, repeat: int) -> dict[str, float]:
    """Seconds per call (best of ``repeat``) for trustkit and the baseline."""
    pack = trustkit.default_pack()
    baseline = Baseline(pack)
    cases = checkins(count)
    check_same(baseline, cases)
    recommend = trustkit.recommend_next_step
    pairs = [(answers, role.value) for role, answers in cases]

    def run_trustkit() -> None:
        for answers, role in pairs:
            recommend(answers, respondent=role)

    def run_baseline() -> None:
        for answers, role in pairs:
            baseline(answers, role)

    results = {}
    # Interleave the two so that a noisy neighbour hurts both alike.
    best = {"trustkit": float("inf"), "baseline": float("inf")}
    for _ in range(repeat):
        for name, fn in (("trustkit", run_trustkit), ("baseline", run_baseline)):
            best[name] = min(best[name], timeit.timeit(fn, number=1) / count)
    results.update(best)
    return results


def time_history(sizes: tuple[int, ...], repeat: int) -> dict[int, float]:
    """Seconds per call with histories of each size, against the same call without history.

    The histories are check-ins of both partners, a few days apart, in shuffled
    order (as an app might load them), half with their stored step and half
    without (so trustkit works those out, and caches them).
    """
    rng = random.Random(7)
    cases = checkins(max(sizes) + 1)
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    past = [
        trustkit.CheckIn(
            respondent=role,
            answers={k: v for k, v in answers.items() if not k.endswith("_partner")},
            at=now - dt.timedelta(days=3 * (i + 1), hours=rng.randint(0, 12)),
            recommended="validation" if i % 2 else None,
        )
        for i, (role, answers) in enumerate(cases[1:])
    ]
    role, answers = cases[0]
    safe = {k: v for k, v in answers.items() if k not in SAFETY}
    results = {}
    loops = 200
    for size in (None, *sizes):
        history = None if size is None else rng.sample(past, size)

        def call(history: list[trustkit.CheckIn] | None = history) -> None:
            trustkit.recommend_next_step(safe, respondent=role, history=history, now=now)

        call()  # warm the cache of recomputed steps
        best = min(timeit.timeit(call, number=loops) for _ in range(repeat)) / loops
        results[-1 if size is None else size] = best
    return results


SAFETY = ("afraid_of_partner", "controlled", "hurt_or_threatened", "self_harm_thoughts")


# Byte-code caching on, as for any installed package (a development shell may turn it off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=ENV
    ).stdout


def time_processes(codes: dict[str, str], runs: int) -> dict[str, float]:
    """Median wall time of fresh interpreters running each code, in seconds.

    The codes take turns, so that a noisy neighbour slows all of them alike.
    """
    for code in codes.values():  # warm the file cache and write any missing .pyc files
        _run(code)
    times: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(runs):
        for name, code in codes.items():
            start = time.perf_counter()
            _run(code)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def count_instructions(code: str) -> int | None:
    """Instructions a fresh interpreter executes for ``code`` (callgrind), if valgrind exists.

    Unlike wall time, the count does not depend on what else the machine is doing.
    """
    if shutil.which("valgrind") is None:
        return None
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            code,
        ],
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    )
    match = re.search(r"Collected : (\d+)", result.stderr)
    return int(match.group(1)) if match else None


FIRST = (
    "import time; t = time.perf_counter(); import trustkit; "
    "trustkit.recommend_next_step({'feels_heard': 1, 'promises_kept': 4}); "
    "print(time.perf_counter() - t)"
)


DEPS = "import time; t = time.perf_counter(); import attrs, cattrs; print(time.perf_counter() - t)"


def time_inside(runs: int) -> dict[str, float]:
    """Median times measured inside fresh processes: trustkit's cold start and the deps' import."""
    values: dict[str, list[float]] = {"trustkit": [], "deps": []}
    for _ in range(runs):
        values["trustkit"].append(float(_run(FIRST)))
        values["deps"].append(float(_run(DEPS)))
    return {name: statistics.median(v) for name, v in values.items()}


def main() -> None:
    """Run the benchmarks and print (or write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument("--count", type=int, default=2000, help="check-ins per timing")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per timing")
    args = parser.parse_args()

    calls = time_calls(args.count, args.repeat)
    history = time_history((0, 10, 100, 10_000), args.repeat)
    wall = time_processes({"bare": "pass", "deps": DEPS, "ours": FIRST}, args.runs)
    bare, deps, ours = wall["bare"], wall["deps"], wall["ours"]
    inside = time_inside(args.runs)
    instructions = {
        name: count_instructions(code)
        for name, code in (("bare", "pass"), ("deps", DEPS), ("ours", FIRST))
    }

    ratio = calls["trustkit"] / calls["baseline"]
    lines = [
        MARK,
        "",
        f"Measured on {sys.platform}, Python {sys.version.split()[0]}, "
        f"trustkit {trustkit.__version__}, in one run of `python bench/run.py`.",
        "",
        "| measurement | trustkit | reference | ratio |",
        "| --- | --- | --- | --- |",
        f"| one `recommend_next_step` call vs the hand-written baseline "
        f"({args.count} check-ins, best of {args.repeat}) | {calls['trustkit'] * 1e6:.1f} µs "
        f"| {calls['baseline'] * 1e6:.1f} µs | **{ratio:.2f}x** |",
        f"| fresh process: import trustkit + first recommendation vs `import attrs, cattrs` "
        f"(median of {args.runs}) | {ours * 1e3:.0f} ms | {deps * 1e3:.0f} ms "
        f"| **{ours / deps:.2f}x** |",
        f"| the same, less an empty interpreter's start-up ({bare * 1e3:.0f} ms) "
        f"| {(ours - bare) * 1e3:.0f} ms | {(deps - bare) * 1e3:.0f} ms "
        f"| **{(ours - bare) / (deps - bare):.2f}x** |",
        f"| the same, timed inside the process (from before the import to after the "
        f"first result; median of {args.runs}) | {inside['trustkit'] * 1e3:.0f} ms "
        f"| {inside['deps'] * 1e3:.0f} ms | **{inside['trustkit'] / inside['deps']:.2f}x** |",
    ]
    base = history[-1]
    for size in (0, 10, 100, 10_000):
        lines.append(
            f"| a call with {size:,} earlier check-ins vs the same call without history "
            f"| {history[size] * 1e6:.1f} µs | {base * 1e6:.1f} µs "
            f"| **{history[size] / base:.2f}x** |"
        )
    if all(instructions.values()):
        i_bare, i_deps, i_ours = (instructions[k] or 0 for k in ("bare", "deps", "ours"))
        lines.append(
            f"| the same, in instructions executed (callgrind; does not depend on machine "
            f"load), less an empty interpreter's start-up | {(i_ours - i_bare) / 1e6:.0f} M "
            f"| {(i_deps - i_bare) / 1e6:.0f} M "
            f"| **{(i_ours - i_bare) / (i_deps - i_bare):.2f}x** |"
        )
    lines += [
        "",
        f"Target for the cold start: import plus first recommendation under 80 ms inside the "
        f"process. Measured: **{inside['trustkit'] * 1e3:.0f} ms** "
        f"({inside['trustkit'] * 1e3 / 80:.2f}x of the target).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        head = doc.split(MARK)[0]
        DOC.write_text(head + text, encoding="utf-8")


if __name__ == "__main__":
    main()
