"""How long `trustkit pack verify` takes (a benchmark, not part of the test pass).

Times `trustkit.verify_pack` on the core pack, and on the core pack with a generated
overlay of N simple rules (written as in ``bench/big_pack.py``: one comparison each, on a
random question, at a random priority below the safety screen)::

    python bench/verify.py              # the core pack, and with 1,000 rules
    python bench/verify.py 300 3000     # other sizes

Targets (issue 20): the core pack in 5 s or less, with a 1,000-rule overlay in 60 s or
less, on one core.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trustkit
from bench.big_pack import write_overlay


def measure(pack: trustkit.ContentPack) -> tuple[float, trustkit.VerifyReport]:
    """Seconds taken by one `verify_pack`, and its report."""
    start = time.perf_counter()
    report = trustkit.verify_pack(pack)
    return time.perf_counter() - start, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[1000])
    args = parser.parse_args()
    print("| pack | rules | regions | seconds | safe | complete |")
    print("| --- | --- | --- | --- | --- | --- |")
    rows = [("core", 0)] + [("core + overlay", size) for size in sorted(args.sizes)]
    for name, size in rows:
        if size:
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp) / "big"
                write_overlay(folder, size)
                pack = trustkit.load_pack("core", folder)
        else:
            pack = trustkit.load_pack("core")
        seconds, report = measure(pack)
        print(
            f"| {name} | {len(pack.rules):,} | {report.regions:,} | {seconds:.1f} "
            f"| {report.safe} | {report.complete} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
