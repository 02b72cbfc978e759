"""How `trustkit pack check` scales with the number of rules (not part of the test pass).

Writes an overlay of the core pack holding N simple rules (one comparison each, on a
random question, at a random priority below the safety screen) and runs
``trustkit pack check --overlay <overlay>`` on it in a fresh process, reporting the wall time
and the peak resident size of that process::

    python bench/big_pack.py                  # 1,000 and 10,000 rules
    python bench/big_pack.py 300 3000         # other sizes

Targets (issue 12): a 10,000-rule pack's check finishes in under a minute and 500 MB.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = (
    "feels_rushed",
    "promises_kept",
    "safe_to_share",
    "talk_openly",
    "feels_heard",
    "feelings_dismissed",
    "boundaries_clear",
    "distress",
    "stuck",
    "hopeful",
)
STEPS = ("educate", "patience", "consistency", "communication", "validation", "boundaries")
OPS = ("<", "<=", ">", ">=", "=", "!=")


def write_overlay(folder: Path, rules: int, seed: int = 12) -> None:
    """An overlay of the core pack with ``rules`` simple rules."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.toml").write_text(
        'id = "big"\nversion = "1.0.0"\ntitle = "Many rules"\nextends = "core >=1,<2"\n',
        encoding="utf-8",
    )
    lines = ["rules = ["]
    for i in range(rules):
        op = rng.choice(OPS)
        low, high = (2 if op == "<" else 1), (4 if op == ">" else 5)  # each can hold
        # One inline table a line, so that 10,000 rules stay under the 1 MB file-size cap.
        lines.append(
            f'{{id="b{i}",step="{rng.choice(STEPS)}",priority={rng.randrange(1, 900)},'
            f'reason="r",when={{answer="{rng.choice(QUESTIONS)}",op="{op}",'
            f"value={rng.randint(low, high)}}}}},"
        )
    lines.append("]")
    (folder / "rules.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(rules: int) -> tuple[float, float, int]:
    """Seconds, peak resident megabytes and exit status of one ``pack check``."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "big"
        write_overlay(folder, rules)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "trustkit", "pack", "check", "--overlay", str(folder)],
            capture_output=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is the largest child so far (kilobytes on Linux): measure the big ones last.
    return seconds, max(peak, before) / 1024, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[1000, 10000])
    args = parser.parse_args()
    print("| rules | seconds | peak MB | exit |")
    print("| --- | --- | --- | --- |")
    for size in sorted(args.sizes):
        seconds, megabytes, status = measure(size)
        print(f"| {size:,} | {seconds:.1f} | {megabytes:.0f} | {status} |", flush=True)


if __name__ == "__main__":
    main()
