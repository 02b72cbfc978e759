"""Adaptive check-ins: how many questions `trustkit.next_questions` saves, at no cost in decisions.

Generates check-ins as ``bench/run.py`` does (most questions answered, a few flags,
rare safety answers) and runs each through the flow an app would build:

1. ask what ``next_questions`` returns: the safety screen as one page (every safety
   question it returns, at once), then one question at a time, the first returned;
2. answer each from the full check-in (a question the person left unanswered there is
   answered ``None``: shown and skipped);
3. stop when nothing is returned, and decide on the answers given.

Every decision (step and rule) must equal the decision on the full check-in, and the
median number of questions shown must drop by at least 30% against showing every
question the respondent is asked::

    python bench/adaptive.py               # 100,000 check-ins
    python bench/adaptive.py --count 5000  # quicker

Target (issue 21): a median drop of at least 30%, with 100% of decisions identical.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trustkit
from bench.run import checkins
from trustkit import Role

TARGET_DROP = 0.30


def flow(role: Role, full: dict[str, Any], screen: set[str]) -> tuple[int, int, dict[str, Any]]:
    """Questions shown, calls made, and the answers given, for one check-in."""
    given: dict[str, Any] = {}
    shown = calls = 0
    while True:
        found = trustkit.next_questions(given, respondent=role)
        calls += 1
        if not found.questions:
            return shown, calls, given
        page = [q for q in found.questions if q in screen] or [found.questions[0]]
        for q in page:
            given[q] = full.get(q)
        shown += len(page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args(argv)
    pack = trustkit.default_pack()
    every = {role: len(pack.questions_for(role)) for role in Role}
    screens = {role: {q.id for q in pack.questions_for(role) if q.safety} for role in Role}
    asked: list[int] = []
    full_counts: list[int] = []
    calls = 0
    differ = 0
    start = time.perf_counter()
    for role, full in checkins(args.count):
        shown, made, given = flow(role, full, screens[role])
        calls += made
        asked.append(shown)
        full_counts.append(every[role])
        a = trustkit.decide(full, respondent=role)
        b = trustkit.decide(given, respondent=role)
        differ += (a.step_id, a.rule_id) != (b.step_id, b.rule_id)
    took = time.perf_counter() - start
    median_all = statistics.median(full_counts)
    median_asked = statistics.median(asked)
    drop = 1 - median_asked / median_all
    print(f"check-ins:                 {args.count:,}")
    mean_all = statistics.fmean(full_counts)
    print(f"questions, all shown:      median {median_all:g}, mean {mean_all:.1f}")
    print(f"questions, adaptive:       median {median_asked:g}, mean {statistics.fmean(asked):.1f}")
    print(f"median drop:               {drop:.0%} (target: at least {TARGET_DROP:.0%})")
    print(f"identical decisions:       {args.count - differ:,} of {args.count:,}")
    print(f"next_questions calls:      {calls:,}, {took / calls * 1e6:.0f} us each on average")
    ok = differ == 0 and drop >= TARGET_DROP
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
