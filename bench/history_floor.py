"""What one pass over an unordered history costs per check-in, part by part.

Issue 11 asks for unordered history at no more than 30 ns per check-in. This
measures the floor under that on the machine at hand: each primitive a pass
over N check-ins needs (read each date, check each item is a CheckIn, compare
the date with the start of the safety period, keep the items), timed alone in
CPU time, interleaved rounds, median and interquartile range in ns per
check-in. Run from the repository root::

    python -m bench.history_floor            # 10,000 check-ins
    python -m bench.history_floor 100000

The history is shuffled, as the unordered row of ``bench/run.py`` has it, so
the check-ins (and their dates) are visited in no order in memory.
"""

from __future__ import annotations

import datetime as dt
import operator
import random
import statistics
import sys
import time
from collections.abc import Callable
from itertools import compress, repeat

import trustkit
from trustkit._engine.period import recent

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
START = NOW - dt.timedelta(weeks=52)
AT = operator.attrgetter("at")
AT_OF = vars(trustkit.CheckIn)["at"].__get__  # reads the slot and checks the type


def history(size: int) -> list[trustkit.CheckIn]:
    """``size`` check-ins, both partners, about weekly each, shuffled."""
    roles = ("partner", "supporter")
    out = [
        trustkit.CheckIn(
            roles[i % 2], {"distress": 1 + i % 5}, NOW - dt.timedelta(hours=84 * (size - i))
        )
        for i in range(size)
    ]
    return random.Random(size).sample(out, size)


def main() -> None:
    """Print each primitive's cost per check-in."""
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    items: list[object] = list(history(size))
    dates = list(map(AT, items))
    cases: dict[str, Callable[[], object]] = {
        "read the date (attrgetter)": lambda: list(map(AT, items)),
        "read the date and check the type (slot descriptor)": lambda: list(map(AT_OF, items)),
        "check the types alone (set(map(type)))": lambda: set(map(type, items)),
        "compare dates already read with the start": lambda: list(
            map(operator.lt, repeat(START), dates)
        ),
        "copy the list (tuple())": lambda: tuple(items),
        "all of it: read, check, compare, keep (compress)": lambda: list(
            compress(items, map(operator.lt, repeat(START), map(AT_OF, items)))
        ),
        "trustkit's recent() (the same, as shipped)": lambda: recent(items, START, 12),
        "for comparison: a Python comprehension (isinstance, .at, >)": lambda: [
            c for c in items if isinstance(c, trustkit.CheckIn) and c.at > START
        ],
    }
    loops = max(1, 2_000_000 // size)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(11):
        for name, run in cases.items():
            start = time.process_time()
            for _ in range(loops):
                run()
            samples[name].append((time.process_time() - start) / loops / size * 1e9)
    print(f"{size:,} shuffled check-ins, CPU time, 11 interleaved rounds of {loops}:")
    for name, values in samples.items():
        q1, med, q3 = statistics.quantiles(values, n=4)
        print(f"  {med:6.1f} ns per check-in ({q1:.1f} to {q3:.1f})  {name}")


if __name__ == "__main__":
    main()
