"""trustkit.dask on a LocalCluster of two worker processes: the same results as one process.

Skipped without the dask extra (pip install 'trustkit-couples[dask]'); scripts/test installs it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed: Any = pytest.importorskip("distributed")
dd: Any = pytest.importorskip("dask.dataframe")
dask: Any = pytest.importorskip("dask")
pd: Any = pytest.importorskip("pandas")

import trustkit  # noqa: E402  (after the skips)
import trustkit.dask as tkd  # noqa: E402  (after the skips)
from tests.test_batch import APART, corpus, rec, write_jsonl  # noqa: E402  (after the skips)
from trustkit import _batch  # noqa: E402  (after the skips)
from trustkit._cli import main  # noqa: E402  (after the skips)

pytestmark = [
    pytest.mark.filterwarnings("ignore"),  # distributed's own warnings on shutdown
    pytest.mark.slow,  # a LocalCluster of two worker processes: about 10 seconds in all
]


def generated(count: int) -> list[Any]:
    """Varied records: couples, histories, a few safety screens and a few bad records."""
    records: list[Any] = corpus(count)
    for n in range(0, count, 17):
        records[n] = rec(n, {"afraid_of_partner": True}, couple=f"c{n % 7}", at=records[n]["at"])
    for n in range(5, count, 41):
        records[n] = rec(n, {"feels_heard": 99}, couple=f"c{n % 7}", at=records[n]["at"])
    return records


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_diff_on_the_cluster_is_the_diff_in_one_process(client: Any, tmp_path: Path) -> None:
    core = trustkit.default_pack()
    apart = trustkit.load_pack("core", APART)
    path = write_jsonl(tmp_path / "c.jsonl", [*generated(300), "{broken"])
    here = trustkit.diff_packs(core, apart, path)
    assert here.changed > 0
    assert here.malformed > 1
    seen: list[int] = []
    there = tkd.diff_packs(core, apart, path, client=client, progress=seen.append)
    assert there == here
    assert seen[-1] == 301
    assert tkd.diff_packs(core, apart, generated(300), client=client, buckets=9) == (
        trustkit.diff_packs(core, apart, generated(300))
    )
    assert tkd.diff_packs(core, apart, generated(50)) == trustkit.diff_packs(
        core, apart, generated(50)
    )  # the current client


def test_workers_reading_the_file_in_parts_give_the_same_diff(client: Any, tmp_path: Path) -> None:
    core = trustkit.default_pack()
    apart = trustkit.load_pack("core", APART)
    path = write_jsonl(tmp_path / "c.jsonl", [*generated(300), "{broken", ""])
    here = trustkit.diff_packs(core, apart, path)
    seen: list[int] = []
    there = tkd.diff_packs(core, apart, path, client=client, shared_file=True, progress=seen.append)
    assert there == here
    assert seen[-1] == 301
    assert tkd.diff_packs(core, apart, path, client=client, shared_file=True, buckets=1) == here
    with pytest.raises(ValueError, match="buckets"):
        tkd.diff_packs(core, apart, path, client=client, shared_file=True, buckets=0)
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    records = [{**r, "answers": json.dumps(r["answers"])} for r in generated(300)]
    parquet = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet, row_group_size=40)
    assert tkd.diff_packs(core, apart, parquet, client=client, shared_file=True) == (
        trustkit.diff_packs(core, apart, parquet)
    )


def test_batch_on_the_cluster_is_batch_in_one_process(client: Any) -> None:
    records = [{**r, "answers": json.dumps(r["answers"])} for r in generated(200)]
    frame = pd.DataFrame(records)
    frame["id"] = frame["id"].astype(str)
    lazy = tkd.batch(dd.from_pandas(frame, npartitions=4), client=client)
    result = lazy.compute()  # type: ignore[no-untyped-call]  # dask's own annotations
    expected = trustkit.batch(frame).to_pandas()
    got = result.set_index("record_id").sort_index().astype(object)
    want = expected.set_index("record_id").sort_index().astype(object)
    assert got.where(got.notna(), None).equals(want.where(want.notna(), None))
    assert (got["safety"] == True).sum() > 0  # noqa: E712


def no_client() -> None:
    raise ValueError("No clients found")


def test_batch_without_couples_or_a_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tkd, "default_client", no_client)
    records = [{**r, "answers": json.dumps(r["answers"])} for r in corpus(20)]
    frame = pd.DataFrame(records).drop(columns=["couple"])
    frame["id"] = frame["id"].astype(str)
    with dask.config.set(scheduler="threads"):
        lazy = tkd.batch(dd.from_pandas(frame, npartitions=2), locale="es")
        result = lazy.compute()  # type: ignore[no-untyped-call]
    assert list(result["step_id"]) == list(trustkit.batch(frame).step_id)


def test_a_diff_needs_a_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tkd, "default_client", no_client)
    core = trustkit.default_pack()
    with pytest.raises(ValueError, match="no Dask client"):
        tkd.diff_packs(core, core, [])


def test_a_worker_without_the_pack_says_so() -> None:
    with pytest.raises(RuntimeError, match="has not received the pack"):
        tkd._packs("no such token")


def test_pack_diff_on_a_scheduler(client: Any, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", generated(100))
    out = io.StringIO()
    argv = ["pack", "diff", "core", f"core+{APART}", "--checkins", str(path), "--json"]
    assert main(argv, stdout=out, stderr=io.StringIO()) == 0
    expected = json.loads(out.getvalue())
    out = io.StringIO()
    argv += ["--scheduler", client.scheduler.address]
    assert main(argv, stdout=out, stderr=io.StringIO()) == 0
    assert json.loads(out.getvalue()) == expected


def test_what_the_workers_run_works_here_too() -> None:
    """The plugin's setup and a bucket's task, run in this process (coverage sees no worker)."""
    core = trustkit.default_pack()
    apart = trustkit.load_pack("core", APART)
    tkd._PackPlugin("here", (core, apart)).setup(worker=None)
    assert tkd._packs("here") == (core, apart)
    rows = [_batch.read_row(r, f"#{n}") for n, r in enumerate(generated(40), 1)]
    data = _batch.spill([s for row in rows if (s := _batch.encode(row)) is not None])
    tally = tkd._diff_bucket(data, "here", None)
    assert tally.report(core, apart) == trustkit.diff_packs(core, apart, generated(40))


def test_what_the_workers_run_on_parts_works_here_too(tmp_path: Path) -> None:
    """The tasks of reading in parts, run in this process (coverage sees no worker)."""
    core = trustkit.default_pack()
    apart = trustkit.load_pack("core", APART)
    tkd._PackPlugin("parts", (core, apart)).setup(worker=None)
    path = write_jsonl(tmp_path / "c.jsonl", generated(60))
    (part,) = _batch.parts(path, 1)
    done = _batch.sort_part(part, 2)
    tally, read = tkd._head(done)
    assert read == 60
    for bucket in range(2):
        tally.merge(tkd._diff_picked([tkd._pick(done, bucket)], "parts", None))
    assert tally.report(core, apart) == trustkit.diff_packs(core, apart, path)


def test_every_path_on_one_corpus_gives_the_single_calls_decisions(
    client: Any, tmp_path: Path
) -> None:
    """Issue 19: single calls, batch, the pool, Dask, and the diffs, on the same check-ins.

    The single call with the couple's earlier check-ins as its history is the
    oracle; batch, ``batch(workers=2)`` and ``trustkit.dask.batch`` must give
    each record its step, rule and safety; ``diff_packs``, the Dask diff (both
    ways of reading) and ``diff_records`` of records made by single calls must
    find nothing changed against the same pack and agree on a new one.
    """
    core = trustkit.default_pack()
    apart = trustkit.load_pack("core", APART)
    records = [r for r in generated(120) if isinstance(r["answers"], dict)]
    order = sorted(range(len(records)), key=lambda n: (records[n]["at"], n))
    history: dict[str, list[trustkit.CheckIn]] = {}
    single: dict[str, tuple[Any, ...]] = {}
    made = []
    for n in order:
        record = records[n]
        checkin = trustkit.parse_checkin({k: record[k] for k in ("respondent", "answers", "at")})
        past = history.setdefault(record["couple"], [])
        try:
            rec = trustkit.recommend_next_step(checkin, history=past)
        except trustkit.AnswerError:
            single[str(record["id"])] = (None, None, None)
        else:
            single[str(record["id"])] = (rec.step.id, rec.rule_id, rec.safety)
            made.append(trustkit.record_decision(checkin, decision_id=str(record["id"]),
                                                 history=past))  # fmt: skip
        past.append(checkin)
    assert sum(1 for s in single.values() if s[2]) > 0  # safety decisions among them

    def columns(result: trustkit.BatchResult) -> dict[str, tuple[Any, ...]]:
        return dict(zip(result.record_id,
                        zip(result.step_id, result.rule_id, result.safety, strict=True),
                        strict=True))  # fmt: skip

    assert columns(trustkit.batch(records)) == single
    assert columns(trustkit.batch(records, workers=2)) == single
    frame = pd.DataFrame([{**r, "answers": json.dumps(r["answers"])} for r in records])
    frame["id"] = frame["id"].astype(str)
    lazy = tkd.batch(dd.from_pandas(frame, npartitions=3), client=client)
    got = lazy.compute().astype(object)  # type: ignore[no-untyped-call]  # dask's annotations
    got = got.where(got.notna(), None)
    on_cluster = {row.record_id: (row.step_id, row.rule_id, row.safety) for row in got.itertuples()}
    assert on_cluster == single

    path = write_jsonl(tmp_path / "c.jsonl", records)
    decided = sum(1 for s in single.values() if s[0] is not None)
    same = trustkit.diff_packs(core, core, records)
    assert (same.decided, same.changed) == (decided, 0)
    assert trustkit.diff_records(made, core, records).changed == 0
    new = trustkit.diff_packs(core, apart, records)
    assert new.changed > 0
    for other in (
        trustkit.diff_packs(core, apart, path),
        tkd.diff_packs(core, apart, path, client=client),
        tkd.diff_packs(core, apart, path, client=client, shared_file=True),
    ):
        assert other == new
    by_records = trustkit.diff_records(made, apart, records)
    assert (by_records.decided, by_records.changed, by_records.changes) == (
        new.decided,
        new.changed,
        new.changes,
    )
