"""Benchmark: what the evaluation trace costs, off and on (not part of the test pass).

Run with an installed trustkit::

    python -m bench.tracing            # print the figures, from the repository root
    python -m bench.tracing --write    # also write them into docs/performance.md

Tracing is a separate function, ``trustkit.trace``: ``recommend_next_step`` has
no flag to check and does not even import the trace module. Off, it therefore
costs nothing; this script checks that the module stays unimported, and times
a traced call against an ordinary one on the same check-ins.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import timeit
from pathlib import Path

import trustkit
from bench.run import checkins

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
MARK = "<!-- trace figures: written by bench/tracing.py -->"
END = "<!-- end of trace figures -->"

_NOT_IMPORTED = (
    "import sys, trustkit; trustkit.recommend_next_step({'feels_heard': 1}); "
    "print('trustkit._engine.trace' in sys.modules)"
)


def per_call(fn: object, pairs: list[tuple[dict[str, object], str]]) -> float:
    """Seconds per call, over one pass through every check-in."""

    def one_pass() -> None:
        for answers, role in pairs:
            fn(answers, respondent=role)  # type: ignore[operator]

    return timeit.timeit(one_pass, number=1) / len(pairs)


def measure(count: int, repeat: int) -> dict[str, float | bool]:
    pairs = [(answers, role.value) for role, answers in checkins(count)]
    loaded = subprocess.run(
        [sys.executable, "-c", _NOT_IMPORTED], capture_output=True, text=True, check=True
    ).stdout.strip()
    best = {"plain": float("inf"), "traced": float("inf")}
    per_call(trustkit.recommend_next_step, pairs)  # warm up: compile the pack
    # Interleaved, so that a noisy neighbour hurts both alike; best of ``repeat``.
    for _ in range(repeat):
        for name, fn in (("plain", trustkit.recommend_next_step), ("traced", trustkit.trace)):
            best[name] = min(best[name], per_call(fn, pairs))
    return {"imported": loaded == "True", **best}


def table(figures: dict[str, float | bool], count: int, repeat: int) -> str:
    us = 1e6
    plain, traced = float(figures["plain"]), float(figures["traced"])
    return "\n".join(
        [
            f"Measured on {platform.system().lower()}, Python {platform.python_version()}, "
            f"trustkit {trustkit.__version__}, in one run of `python -m bench.tracing` "
            f"({count} check-ins, best of {repeat}).",
            "",
            "| measurement | time per call | ratio |",
            "| --- | --- | --- |",
            f"| `recommend_next_step` (tracing off: no flag, no import) | {plain * us:.1f} µs "
            "| 1.00x |",
            f"| `trustkit.trace` (the same decision, every rule tried and explained) | "
            f"{traced * us:.1f} µs | **{traced / plain:.2f}x** |",
            "",
            "Does a process that only recommends import the trace module? "
            f"**{'yes' if figures['imported'] else 'no'}**.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument("--count", type=int, default=2000, help="check-ins per timing")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    text = table(measure(args.count, args.repeat), args.count, args.repeat)
    print(text)
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        head, _, rest = doc.partition(MARK)
        _, _, tail = rest.partition(END)
        DOC.write_text(f"{head}{MARK}\n\n{text}\n\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
