"""Batches, pack diffs and trustkit.dask: documented calls that must type-check (pyright, mypy).

The records are plain mappings, ``CheckIn`` objects (``batch`` only), a pandas
DataFrame or an Arrow table; a file path is for ``diff_packs``. pandas and
pyarrow are never needed to type-check a call that does not use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import dask.dataframe
import distributed

import trustkit
import trustkit.dask

AT = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)
checkin = trustkit.CheckIn(respondent="partner", answers={"feels_heard": 2}, at=AT)
records: list[Mapping[str, object]] = [
    {"id": "a1", "respondent": "partner", "answers": {"feels_heard": 1}, "at": AT.isoformat()},
]

result: trustkit.BatchResult = trustkit.batch([*records, checkin], country="GB")
steps: tuple[str | None, ...] = result.step_id
safety: tuple[bool | None, ...] = result.safety
problems: tuple[tuple[str, str], ...] = result.errors
columns: dict[str, list[str | bool | None]] = result.columns()

core = trustkit.default_pack()
diff: trustkit.PackDiff = trustkit.diff_packs(core, core, records, buckets=1)
diff = trustkit.diff_packs(core, core, Path("checkins.jsonl"), progress=lambda read: None)
changes: tuple[trustkit.Change, ...] = diff.changes
safety_changed: int = diff.safety_changed


def on_a_cluster(
    frame: dask.dataframe.DataFrame, client: distributed.Client
) -> tuple[dask.dataframe.DataFrame, trustkit.PackDiff]:
    """trustkit.dask takes and gives Dask DataFrames, and a distributed Client."""
    lazy: dask.dataframe.DataFrame = trustkit.dask.batch(frame, client=client, locale="es")
    report = trustkit.dask.diff_packs(core, core, "checkins.parquet", client=client)
    return lazy, report
