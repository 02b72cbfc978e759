"""Pack diffs over 1,000,000 generated check-ins: one process, a LocalCluster of 1 and 2 workers.

    python -m bench.diff [COUNT]

Needs the dask and parquet extras. Writes the corpus (JSON Lines and Parquet) to a temporary
folder, then times (wall clock, as a user waits for it): writing the corpus, `diff_packs` on
JSON Lines in one process, `trustkit.dask.diff_packs` on LocalClusters of 1 and 2 worker
processes (one thread each), the same diff read from Parquet, and `batch` of a Parquet file's
rows written back to Parquet. The reports of every path are asserted equal.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import trustkit
from bench.corpus import write_jsonl, write_parquet

APART = Path(__file__).parent.parent / "examples/packs/apart/trustkit_pack_apart/data"


def _timed(label: str, fn: Any) -> Any:
    start = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - start:.1f} s", flush=True)
    return result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    distributed: Any = importlib.import_module("distributed")
    pq: Any = importlib.import_module("pyarrow.parquet")
    import trustkit.dask as tkd

    old = trustkit.default_pack()
    new = trustkit.load_pack("core", APART)
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = _timed("write JSON Lines", lambda: write_jsonl(Path(tmp) / "c.jsonl", count))
        parquet = _timed("write Parquet", lambda: write_parquet(Path(tmp) / "c.parquet", count))
        print(f"sizes: {jsonl.stat().st_size / 1e6:.0f} MB JSON Lines, "
              f"{parquet.stat().st_size / 1e6:.0f} MB Parquet")  # fmt: skip
        one = _timed("diff, one process, JSON Lines", lambda: trustkit.diff_packs(old, new, jsonl))
        print(f"  {one.records:,} records, {one.changed:,} changed, "
              f"{one.safety_changed:,} safety, {one.malformed:,} malformed")  # fmt: skip
        for workers in (1, 2):
            with (
                distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True
                ) as cluster,
                distributed.Client(cluster) as client,
            ):
                on_dask = _timed(
                    f"diff, LocalCluster of {workers}, JSON Lines",
                    lambda: tkd.diff_packs(old, new, jsonl, client=client),
                )
                assert on_dask == one
        from_parquet = _timed(
            "diff, one process, Parquet", lambda: trustkit.diff_packs(old, new, parquet)
        )
        assert (from_parquet.changed, from_parquet.decided) == (one.changed, one.decided)

        def parquet_round_trip() -> int:
            writer = None
            rows = 0
            for part in pq.ParquetFile(parquet).iter_batches(batch_size=100_000):
                table = trustkit.batch(part.to_pylist(), pack=old).to_arrow()
                rows += table.num_rows
                if writer is None:
                    writer = pq.ParquetWriter(Path(tmp) / "out.parquet", table.schema)
                writer.write_table(table)
            assert writer is not None
            writer.close()
            return rows

        _timed("batch, Parquet in and out (no history), one process", parquet_round_trip)


if __name__ == "__main__":
    main()
