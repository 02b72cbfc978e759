"""Deciding stored check-ins on a Dask cluster: the ``dask`` extra.

Install it with ``pip install 'trustkit-couples[dask]'`` (Dask's DataFrame and
``distributed``). It gives [`batch`][trustkit.dask.batch], which maps
[`trustkit.batch`][trustkit.batch] over the partitions of a Dask DataFrame,
and [`diff_packs`][trustkit.dask.diff_packs], which runs
[`trustkit.diff_packs`][trustkit.diff_packs] on a cluster with the same result.

The pack goes to each worker once: it is sent inside a worker plugin
(``Client.register_plugin``), which every worker, including one that joins
later, runs once when it starts or when the plugin is registered. The plugin
compiles the pack there and keeps it in this module, under a token made from
the pack's contents, and each task carries only that token. (A compiled pack
is not itself pickled: it holds compiled predicates, so each worker compiles
its copy once.) With no ``distributed`` client, as under Dask's threaded
scheduler, the tasks find the pack in this process.

Added in version 0.2.0.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from trustkit._batch import (
    _PARQUET,
    ArrowTable,
    BatchResult,
    PackDiff,
    PandasDataFrame,
    Part,
    Tally,
    _chosen,
    bucket_count,
    decode_rows,
    diff_blobs,
    diff_rows,
    newlines,
    numbered,
    parts,
    run_diff,
    sort_part,
)
from trustkit._batch import batch as _batch
from trustkit._engine.compile import compiled
from trustkit.models import ContentPack

try:
    import dask.dataframe  # the dask extra, whole
    from distributed import Client, Future, WorkerPlugin, as_completed, default_client
except ImportError as error:  # pragma: no cover  (the tests of this module need the extra)
    raise ImportError(
        "trustkit.dask needs the dask extra: pip install 'trustkit-couples[dask]'"
    ) from error

__all__ = ["batch", "diff_packs"]

_PACKS: dict[str, tuple[ContentPack, ...]] = {}
"""Packs shipped to this process, by token."""


class _PackPlugin(WorkerPlugin):
    """Installs the packs in a worker once: compiled, under their token."""

    def __init__(self, token: str, packs: tuple[ContentPack, ...]) -> None:
        self.token = token
        self.packs = packs

    def setup(self, worker: object) -> None:
        for pack in self.packs:
            compiled(pack)
        _PACKS[self.token] = self.packs


def _client(client: Client | None) -> Client | None:
    if client is not None:
        return client
    try:
        found: Client = default_client()  # type: ignore[no-untyped-call]
    except ValueError:  # no client: a local scheduler, in this process
        return None
    return found


def _ship(packs: tuple[ContentPack, ...], client: Client | None) -> str:
    """Send packs to every worker once; the token the tasks find them by."""
    for pack in packs:
        compiled(pack)
    token = hashlib.sha256(pickle.dumps(packs, protocol=5)).hexdigest()[:24]
    _PACKS[token] = packs  # for schedulers that run tasks in this process
    if client is not None:
        client.register_plugin(_PackPlugin(token, packs), name=f"trustkit-packs-{token}")
    return token


def _packs(token: str) -> tuple[ContentPack, ...]:
    try:
        return _PACKS[token]
    except KeyError:
        raise RuntimeError(
            "this worker has not received the pack; pass the cluster's client to trustkit.dask"
        ) from None


def _decide_partition(part: Any, token: str, country: str | None) -> Any:
    (pack,) = _packs(token)
    return _batch(part, pack=pack, country=country).to_pandas()


def batch(
    frame: dask.dataframe.DataFrame,
    *,
    pack: ContentPack | None = None,
    country: str | None = None,
    locale: str | None = None,
    client: Client | None = None,
) -> dask.dataframe.DataFrame:
    """Map [`trustkit.batch`][trustkit.batch] over the partitions of a Dask DataFrame.

    The frame has the columns of a record (``id``, ``respondent``,
    ``answers``, ``at``, optionally ``couple`` and ``recommended``). When it
    has a ``couple`` column it is first shuffled on it, so that each couple's
    records are decided together, with their history. The result is a lazy
    Dask DataFrame with the columns of a [`BatchResult`][trustkit.BatchResult]
    (``record_id``, ``step_id``, ``rule_id``, ``urgency``, ``safety``,
    ``error``); compute it, or write it with ``to_parquet``. Keep
    ``answers`` as JSON text: Dask turns columns of Python objects into
    strings.

    Added in version 0.2.0.

    Args:
        frame: A ``dask.dataframe.DataFrame`` of records.
        pack: The content pack to use; the bundled one by default.
        country: As for ``recommend_next_step``.
        locale: As for ``recommend_next_step``.
        client: The ``distributed.Client`` of the cluster that will compute
            the result; by default the current one, if any. The pack is
            sent to its workers once.
    """
    chosen = _chosen(pack, locale)
    token = _ship((chosen,), _client(client))
    if "couple" in frame.columns:
        frame = frame.shuffle(on="couple")
    meta = BatchResult((), (), (), (), (), ()).to_pandas()
    decided: dask.dataframe.DataFrame = frame.map_partitions(  # type: ignore[no-untyped-call]
        _decide_partition, token, country, meta=meta
    )
    return decided


def _diff_bucket(data: bytes, token: str, country: str | None) -> Tally:
    old, new = _packs(token)
    return diff_rows(decode_rows(data), old, new, country)


def _pick(done: tuple[list[bytes], Tally, int], bucket: int) -> bytes:
    return done[0][bucket]


def _head(done: tuple[list[bytes], Tally, int]) -> tuple[Tally, int]:
    return done[1], done[2]


def _diff_picked(blobs: list[bytes], token: str, country: str | None) -> Tally:
    old, new = _packs(token)
    return diff_blobs(blobs, old, new, country)


def _in_parallel(
    cluster: Client,
    path: Path,
    token: str,
    country: str | None,
    buckets: int,
    count: int,
    progress: Callable[[int], None] | None,
) -> Tally:
    """The tally of a file the workers read in parts, sorted by couple, then decide by bucket."""
    found: list[Part] = parts(path, count)
    if path.suffix.lower() not in _PARQUET:
        ended = cluster.gather(cluster.map(newlines, found, pure=False))  # type: ignore[no-untyped-call]
        found = numbered(found, ended)
    done = cluster.map(sort_part, found, buckets=buckets, pure=False)
    heads = cluster.map(_head, done, pure=False)
    decided = [
        cluster.submit(
            _diff_picked,
            [cluster.submit(_pick, part, bucket, pure=False) for part in done],
            token,
            country,
            pure=False,
        )
        for bucket in range(buckets)
    ]
    tally, read = Tally(), 0
    for future in as_completed(heads):  # type: ignore[no-untyped-call]
        broken, count_read = future.result()
        tally.merge(broken)
        read += count_read
        if progress is not None:
            progress(read)
    for future in decided:
        tally.merge(future.result())
    return tally


def diff_packs(
    old: ContentPack,
    new: ContentPack,
    checkins: str
    | os.PathLike[str]
    | Iterable[Mapping[str, object]]
    | PandasDataFrame
    | ArrowTable,
    *,
    client: Client | None = None,
    country: str | None = None,
    buckets: int | None = None,
    progress: Callable[[int], None] | None = None,
    shared_file: bool = False,
) -> PackDiff:
    """[`trustkit.diff_packs`][trustkit.diff_packs] on a Dask cluster, with the same result.

    The records are read here, as a stream, and spread over buckets by
    couple, as ``trustkit.diff_packs`` does; each bucket is then sent to the
    cluster as one task (a few MB), with at most two tasks a worker in
    flight, so memory stays bounded here too. The workers need trustkit
    installed, not the file. The report is the same, number for number and
    example for example, as on one machine.

    Added in version 0.2.0.

    Args:
        old: The pack in use.
        new: The pack to compare it with.
        checkins: A file path (JSON Lines or Parquet), or the records.
        client: The ``distributed.Client``; by default the current one.
        country: As for ``recommend_next_step``.
        buckets: How many buckets; by default as for ``trustkit.diff_packs``,
            and at least two a worker.
        progress: Called now and then with the number of records read.
        shared_file: The workers can open the file at the same path (one
            machine, or a shared disk): they read it themselves, in parallel,
            each a part (a byte range of JSON Lines, some row groups of
            Parquet), sort its rows by couple into buckets and decide a
            bucket each; nothing is read here and the records never pass
            through this process. Added in the next version.

    Raises:
        ValueError: There is no client.
    """
    cluster = _client(client)
    if cluster is None:
        raise ValueError("no Dask client: pass client=, or create a distributed.Client first")
    token = _ship((old, new), cluster)
    workers = max(1, len(cluster.scheduler_info()["workers"]))
    if buckets is None:
        in_file = bucket_count(checkins) if isinstance(checkins, (str, os.PathLike)) else 1
        buckets = max(in_file, 2 * workers)

    if shared_file and isinstance(checkins, (str, os.PathLike)):
        if buckets < 1:
            raise ValueError("buckets must be at least 1")
        for pack in (old, new):
            compiled(pack)
        count = max(bucket_count(checkins), 2 * workers)
        tally = _in_parallel(cluster, Path(checkins), token, country, buckets, count, progress)
        return tally.report(old, new)

    def remote(paths: Iterator[Path]) -> Iterator[Tally]:
        pending: deque[Future[Tally]] = deque()  # oldest first: at most two a worker
        for path in paths:
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
            pending.append(
                cluster.submit(_diff_bucket, path.read_bytes(), token, country, pure=False)
            )
        while pending:
            yield pending.popleft().result()

    return run_diff(
        old, new, checkins, country=country, buckets=buckets, progress=progress, each=remote
    )
