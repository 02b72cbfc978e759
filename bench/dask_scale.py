"""Ten million generated check-ins through `trustkit.dask.diff_packs`, with time and memory.

    python -m bench.dask_scale [COUNT] [--workers N] [--buckets B] [--folder DIR] [--one-process]

Needs the dask and parquet extras. Writes COUNT check-ins (10,000,000 by default) of the
generated corpus (`bench.corpus`: couples, history, safety answers, malformed records) to
Parquet in DIR (kept there, and reused when it is already written), starts a LocalCluster of N
worker processes (2, one thread each), and runs the pack diff of the bundled pack against the
`apart` overlay with ``shared_file=True``: each worker reads row groups of the file itself,
sorts them by couple into B buckets, and decides whole buckets. Prints the wall time, the
records a second, each worker's peak resident memory (``ru_maxrss`` read in the worker) and
this process's, and the report's counts. With ``--one-process`` it runs
`trustkit.diff_packs` on the same file in this process instead (no cluster), for the
one-process figure beside it. docs/performance.md quotes its output.
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import trustkit
from bench.corpus import write_parquet
from bench.diff import APART


def _peak_mb() -> float:
    """This process's peak resident memory, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Write the corpus if need be, run the diff on a LocalCluster, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=10_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--buckets", type=int, default=100)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/trustkit-dask-scale"))
    parser.add_argument("--one-process", action="store_true", help="no cluster: diff_packs here")
    args = parser.parse_args()
    distributed: Any = importlib.import_module("distributed")
    pq: Any = importlib.import_module("pyarrow.parquet")
    import trustkit.dask as tkd

    args.folder.mkdir(parents=True, exist_ok=True)
    path = args.folder / f"checkins-{args.count}.parquet"
    if not path.exists():
        start = time.perf_counter()
        write_parquet(path.with_suffix(".part"), args.count, group_rows=50_000)
        path.with_suffix(".part").rename(path)
        print(f"corpus written in {time.perf_counter() - start:.0f} s", flush=True)
    meta = pq.ParquetFile(path).metadata
    print(
        f"{meta.num_rows:,} check-ins in {meta.num_row_groups} row groups, "
        f"{path.stat().st_size / 1e9:.2f} GB of Parquet; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )

    old, new = trustkit.default_pack(), trustkit.load_pack("core", APART)
    if args.one_process:
        start, cpu_before = time.perf_counter(), _cpu_s()
        report = trustkit.diff_packs(old, new, path)
        wall = time.perf_counter() - start
        print(
            f"one process: {wall:.0f} s wall, {_cpu_s() - cpu_before:.0f} s CPU "
            f"({report.records / wall:,.0f} records a second), peak resident memory "
            f"{_peak_mb():,.0f} MB"
        )
        _counts(report)
        return
    cluster = distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        before = client.run(_cpu_s)
        start = time.perf_counter()
        report = tkd.diff_packs(
            old, new, path, client=client, shared_file=True, buckets=args.buckets
        )
        wall = time.perf_counter() - start
        cpu = {w: s - before[w] for w, s in client.run(_cpu_s).items()}
        peaks = client.run(_peak_mb)
    finally:
        client.close()
        cluster.close()
    print(
        f"{args.workers} workers, {args.buckets} buckets: {wall:.0f} s wall "
        f"({report.records / wall:,.0f} records a second), load average "
        f"{os.getloadavg()[0]:.1f} at the end",
        flush=True,
    )
    for n, worker in enumerate(sorted(peaks), 1):
        peak = peaks[worker]
        print(f"  worker {n}: {cpu[worker]:.0f} s CPU, peak resident memory {peak:,.0f} MB")
    print(f"  this process (the client): peak resident memory {_peak_mb():,.0f} MB")
    _counts(report)


def _counts(report: Any) -> None:
    print(
        f"report: {report.records:,} records, {report.decided:,} decided by both packs, "
        f"{report.changed:,} changed, {report.malformed:,} malformed"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
