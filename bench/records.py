"""Decision records over 100,000 generated check-ins: record each one, then replay it.

    python -m bench.records [COUNT]

Every check-in of the generated corpus (see `bench.corpus`; the malformed records are left
out) is recorded with a key and replayed with the same pack, key and time; every replay must
be ``same``. Prints the time taken for each half and the count (the issue's "replay equals
the original on 100,000 records"; tests/test_records.py replays a smaller corpus).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterator

import trustkit
from bench.corpus import records

OUT_OF_RANGE = 99
KEY = b"bench key, 32 bytes long .......".ljust(32)


def checkins(count: int, *, seed: int = 8) -> Iterator[trustkit.CheckIn]:
    """Up to ``count`` well-formed check-ins of the generated corpus."""
    questions = {q.id for q in trustkit.default_pack().questions}
    for row in records(count, seed=seed):
        # Left out: lines that are not JSON, unknown questions, a value of 99 (out of range).
        if isinstance(row, dict) and set(row["answers"]) <= questions:
            answers = row["answers"]
            if all(value != OUT_OF_RANGE for value in answers.values()):
                at = dt.datetime.fromisoformat(row["at"])
                yield trustkit.CheckIn(row["respondent"], answers, at)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    pack = trustkit.default_pack()
    start = time.perf_counter()
    made = [
        (trustkit.record_decision(c, decision_id=f"d{n}", key=KEY, pack=pack), c)
        for n, c in enumerate(checkins(count))
    ]
    middle = time.perf_counter()
    same = sum(bool(trustkit.replay(r, c, pack, key=KEY)) for r, c in made)
    end = time.perf_counter()
    safety = sum(r.safety for r, _ in made)
    print(f"recorded {len(made):,} ({safety} safety) in {middle - start:.1f} s")
    print(f"replayed {len(made):,} in {end - middle:.1f} s: {same:,} the same")
    assert same == len(made), len(made) - same


if __name__ == "__main__":
    main()
