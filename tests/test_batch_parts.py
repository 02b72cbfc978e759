"""A file read in parts (in parallel, on a cluster) gives the records reading it whole gives.

JSON Lines is cut at any byte: a part holds the lines that begin in it, and each
line keeps its number from the whole file. Parquet is cut between row groups.
The rows sorted by couple from the parts decide to the same pack diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples, unchecked
from tests.test_batch import APART, corpus
from trustkit import _batch

lines = st.lists(
    st.one_of(
        st.builds(lambda n: json.dumps({"id": n, "x": "é" * (n % 7)}), st.integers(0, 40)),
        st.sampled_from(
            [
                "",
                "   ",
                "{oops",
                "\r",
                '{"a": 1, "a": 2}',
                "\udcff",
                "é" * 60,
                "\udcff" * 60,
                "a" * 51,
            ]
        ),
    ),
    max_size=12,
)


def whole_and_parts(path: Path, counts: list[int]) -> tuple[list[Any], list[list[Any]]]:
    whole = list(_batch.read_file(path))
    split = []
    for count in counts:
        found = _batch.parts(path, count)
        if path.suffix != ".parquet":
            found = _batch.numbered(found, [_batch.newlines(p) for p in found])
        split.append([record for part in found for record in _batch.read_part(part)])
    return whole, split


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=unchecked(HealthCheck.function_scoped_fixture),
)
@given(lines, st.booleans(), st.lists(st.integers(1, 40), min_size=1, max_size=3))
def test_json_lines_cut_anywhere_read_as_the_whole(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: list[str],
    last_newline: bool,
    counts: list[int],
) -> None:
    monkeypatch.setattr(_batch, "MAX_LINE_CHARS", 50)
    path = tmp_path / "c.jsonl"
    path.write_bytes(
        ("\n".join(text) + ("\n" if last_newline else "")).encode("utf-8", "surrogateescape")
    )
    whole, split = whole_and_parts(path, counts)
    for records in split:
        assert records == whole


def test_a_line_too_long_is_skipped_a_piece_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_batch, "MAX_LINE_CHARS", 5)
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": 1}\n' + "x" * 100 + '\n{"id": 2}\n' + "y" * 30, encoding="utf-8")
    whole, split = whole_and_parts(path, [1, 3, 50])
    assert [label for label, _ in whole] == ["line 1", "line 2", "line 3", "line 4"]
    for records in split:
        assert records == whole


def test_parquet_cut_between_row_groups_reads_as_the_whole(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    records = [
        {**r, "answers": json.dumps(r["answers"])} for r in corpus(50) if isinstance(r, dict)
    ]
    path = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(records), path, row_group_size=7)
    whole, split = whole_and_parts(path, [1, 3, 100])
    assert len(whole) == len(records)
    for got in split:
        assert got == whole


def test_parts_sorted_by_couple_give_the_same_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apart = trustkit.load_pack("core", APART)
    monkeypatch.setattr(_batch, "SPILL_ROWS", 4)  # a bucket's rows written in many pieces
    core = trustkit.default_pack()
    records = corpus(120)
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    expected = trustkit.diff_packs(core, apart, path)
    found = _batch.parts(path, 5)
    found = _batch.numbered(found, [_batch.newlines(p) for p in found])
    tally = _batch.Tally()
    sorted_parts = [_batch.sort_part(part, 3) for part in found]
    assert sum(read for _, _, read in sorted_parts) == expected.records
    for _, broken, _ in sorted_parts:
        tally.merge(broken)
    for bucket in range(3):
        tally.merge(
            _batch.diff_blobs([blobs[bucket] for blobs, _, _ in sorted_parts], core, apart, None)
        )
    assert tally.report(core, apart) == expected


def test_an_empty_file_has_no_parts(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("")
    assert _batch.parts(path, 4) == []
