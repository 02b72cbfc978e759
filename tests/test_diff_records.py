"""`diff_records`: an audit trail's decisions against a new pack, the same as `diff_packs`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples, unchecked
from tests.test_batch import APART, corpus, rec, write_jsonl
from tests.test_cli import run
from tests.test_every_path import couples
from trustkit import CheckIn, DecisionRecord

CORE = trustkit.default_pack()


@pytest.fixture(scope="module")
def apart() -> trustkit.ContentPack:
    return trustkit.load_pack("core", APART)


def records_of(
    stored: Sequence[dict[str, Any]], pack: trustkit.ContentPack = CORE
) -> list[DecisionRecord]:
    """Each stored check-in recorded as an app records it: with its couple's history so far."""
    order = sorted(range(len(stored)), key=lambda n: (stored[n].get("couple") is None, n))
    order.sort(key=lambda n: trustkit.parse_checkin(_fields(stored[n])).at)
    history: dict[object, list[CheckIn]] = {}
    out = []
    for n in order:
        record = stored[n]
        checkin = trustkit.parse_checkin(_fields(record))
        couple = record.get("couple")
        past = None if couple is None else history.setdefault(couple, [])
        out.append(
            trustkit.record_decision(
                checkin, decision_id=str(record["id"]), history=past, pack=pack
            )
        )
        if past is not None:
            past.append(checkin)
    return out


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("respondent", "answers", "at")}


def stored_of(checkins: Iterable[CheckIn], couple: str = "c") -> list[dict[str, Any]]:
    return [
        {
            "id": f"{couple}-{n}",
            "couple": couple,
            "respondent": c.respondent.value,
            "answers": dict(c.answers),
            "at": c.at.isoformat(),
        }
        for n, c in enumerate(checkins)
    ]


def without_sides(diff: trustkit.PackDiff) -> trustkit.PackDiff:
    return attrs.evolve(diff, old=(), unmatched_records=0)


def write_records(path: Path, records: Iterable[DecisionRecord]) -> Path:
    lines = (json.dumps(trustkit.converter.unstructure(r)) for r in records)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_records_against_a_new_pack_are_the_diff_of_the_two_packs(
    apart: trustkit.ContentPack, tmp_path: Path
) -> None:
    stored = corpus(70)
    records = records_of(stored)
    expected = trustkit.diff_packs(CORE, apart, stored)
    assert expected.changed > 0  # the overlay changes some decisions: the test can fail
    diff = trustkit.diff_records(records, apart, stored)
    assert without_sides(diff) == without_sides(expected)
    assert diff.old == CORE.packs
    assert diff.unmatched_records == 0
    # From files: records and check-ins as JSON Lines, in any order.
    on_disk = trustkit.diff_records(
        write_records(tmp_path / "records.jsonl", records[::-1]),
        apart,
        write_jsonl(tmp_path / "checkins.jsonl", stored[::-1]),
    )
    assert on_disk == diff


@given(st.lists(couples(), min_size=1, max_size=3))
@settings(max_examples=examples(25), suppress_health_check=unchecked())
def test_any_couples_records_agree_with_diff_packs(
    groups: list[list[CheckIn]],
) -> None:
    """A safety decision recorded is compared as diff_packs compares it, with the history."""
    apart = trustkit.load_pack("core", APART)
    stored = [r for n, group in enumerate(groups) for r in stored_of(group, f"c{n}")]
    records = records_of(stored)
    same = trustkit.diff_records(records, CORE, stored)
    assert (same.records, same.decided, same.changed, same.malformed) == (
        len(stored),
        len(stored),
        0,
        0,
    )
    assert without_sides(trustkit.diff_records(records, apart, stored)) == without_sides(
        trustkit.diff_packs(CORE, apart, stored)
    )


def test_check_ins_without_records_and_records_without_check_ins_are_counted() -> None:
    stored = [rec(n, {"feels_heard": 1 + n % 5}) for n in range(6)]
    records = records_of(stored)
    diff = trustkit.diff_records(records[:4] + records_of([rec("gone", {})]), CORE, stored)
    assert (diff.records, diff.decided, diff.malformed, diff.unmatched_records) == (6, 4, 2, 1)
    assert diff.malformed_records == (
        ("4", "records: no decision record has this id"),
        ("5", "records: no decision record has this id"),
    )


def test_a_record_of_another_respondent_or_time_is_not_compared() -> None:
    stored = [rec(1, {"feels_heard": 1}), rec(2, {"feels_heard": 1})]
    first, second = records_of(stored)
    wrong = [
        attrs.evolve(first, respondent=trustkit.Role.SUPPORTER),
        attrs.evolve(second, at=second.at.replace(year=2025)),  # type: ignore[union-attr]
    ]
    diff = trustkit.diff_records(wrong, CORE, stored)
    assert diff.decided == 0
    assert {problem for _, problem in diff.malformed_records} == {
        "records: the decision record with this id is of another check-in (respondent or time)"
    }
    # A record made without a time is matched on its respondent alone.
    untimed = trustkit.record_decision({"feels_heard": 1}, decision_id="1")
    assert untimed.at is None
    assert trustkit.diff_records([untimed], CORE, stored[:1]).decided == 1
    plain = trustkit.converter.unstructure(untimed)
    assert trustkit.diff_records([plain], CORE, stored[:1]).decided == 1


def test_a_changed_safety_decision_is_listed_first() -> None:
    """A record that says safety decided, against a pack that says otherwise, is a safety change."""
    stored = [rec(1, {"feels_heard": 1})]
    (record,) = records_of(stored)
    claimed = attrs.evolve(
        record, step_id="professional-help-now", rule_id="safety-abuse", safety=True
    )
    diff = trustkit.diff_records([claimed], CORE, stored)
    assert diff.safety_changed == 1
    assert (diff.changes[0].from_rule, diff.changes[0].to_rule) == (
        "safety-abuse",
        record.rule_id,
    )


def test_records_from_several_packs_name_each(apart: trustkit.ContentPack) -> None:
    stored = [rec(1, {"feels_heard": 1}), rec(2, {"feels_heard": 2})]
    mixed = records_of(stored[:1]) + records_of(stored[1:], apart)
    diff = trustkit.diff_records(mixed, CORE, stored)
    assert diff.old == apart.packs  # core first, then the overlay, each once
    assert diff.changed == 0


BAD_RECORDS = [
    ("[1]", "record", "a decision record"),
    ("{broken", "record", "not JSON"),
    ('{"decision_id": "x"}', "at", "present"),
]


def _record_json(**changes: object) -> str:
    (record,) = records_of([rec(1, {"feels_heard": 1})])
    return json.dumps({**trustkit.converter.unstructure(record), **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"safety": "false"}, "safety"),
        ({"urgency": "soonish"}, "urgency"),
        ({"respondent": "neighbour"}, "respondent"),
        ({"decision_id": ""}, "decision_id"),
        ({"step_id": 5}, "step_id"),
        ({"at": "2026-03-01T20:00:00"}, "at"),
        ({"at": 1}, "at"),
        ({"at": "yesterday"}, "at"),
        ({"packs": []}, "packs"),
        ({"packs": [{"id": "core"}]}, "packs"),
        ({"packs": [{"id": "core", "version": 1}]}, "packs"),
        ({"answers_hash": 3}, "answers_hash"),
        ({"answers": {"feels_heard": 1}}, "record"),
    ],
    ids=str,
)
def test_a_record_that_is_not_one_stops_the_diff_naming_line_and_field(
    changes: dict[str, object], field: str, tmp_path: Path
) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(_record_json() + "\n" + _record_json(**{"decision_id": "2", **changes}) + "\n")
    with pytest.raises(trustkit.AnswerError) as caught:
        trustkit.diff_records(path, CORE, [rec(1, {"feels_heard": 1})])
    (problem,) = caught.value.problems
    assert problem.field == f"records (line 2): {field}"
    assert "feels_heard" not in str(caught.value)  # never an answer


@pytest.mark.parametrize(("line", "field", "expected"), BAD_RECORDS, ids=str)
def test_a_line_that_is_no_record_is_named(
    line: str, field: str, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(trustkit.AnswerError) as caught:
        trustkit.diff_records(path, CORE, [])
    (problem,) = caught.value.problems
    assert (problem.field, problem.expected) == (f"records (line 1): {field}", expected)


def test_a_decision_id_recorded_twice_is_refused() -> None:
    (record,) = records_of([rec(1, {"feels_heard": 1})])
    with pytest.raises(trustkit.AnswerError, match="each decision id once"):
        trustkit.diff_records([record, record], CORE, [])


def test_records_read_as_mappings_equal_records_as_objects() -> None:
    stored = corpus(14)
    records = records_of(stored)
    plain = [trustkit.converter.unstructure(r) for r in records]
    assert trustkit.diff_records(plain, CORE, stored) == trustkit.diff_records(
        records, CORE, stored
    )


# ------------------------------------------------------------------------------- the CLI


def test_pack_diff_reads_records_on_the_command_line(
    tmp_path: Path, apart: trustkit.ContentPack
) -> None:
    stored = corpus(35)
    records = write_records(tmp_path / "records.jsonl", records_of(stored))
    checkins = write_jsonl(tmp_path / "checkins.jsonl", stored)
    overlay = ("--new-overlay", str(APART))
    code, out, err = run("pack", "diff", "--records", str(records), "--checkins", str(checkins),
                         *overlay, "--json")  # fmt: skip
    assert (code, err) == (0, "")
    expected = trustkit.diff_records(records, apart, checkins)
    assert trustkit.converter.structure(json.loads(out), trustkit.PackDiff) == expected
    code, out, _ = run("pack", "diff", "--records", str(records), "--checkins", str(checkins),
                       *overlay)  # fmt: skip
    assert code == 0
    assert out.startswith("old (decision records): core ")
    assert "decided by the new pack and compared with their records" in out
    more = write_records(
        tmp_path / "more.jsonl", [*records_of(stored), *records_of([rec("x", {})])]
    )
    _, out, _ = run("pack", "diff", "--records", str(more), "--checkins", str(checkins))
    assert "1 decision record named no check-in" in out


@pytest.mark.parametrize(
    "extra",
    [("--old-overlay", str(APART)), ("--old-pack", "core"), ("--scheduler", "tcp://x:1")],
    ids=str,
)
def test_pack_diff_records_takes_only_the_new_side(tmp_path: Path, extra: tuple[str, ...]) -> None:
    records = write_records(tmp_path / "r.jsonl", [])
    checkins = write_jsonl(tmp_path / "c.jsonl", [])
    code, out, err = run("pack", "diff", "--records", str(records), "--checkins", str(checkins),
                         *extra)  # fmt: skip
    assert (code, out) == (2, "")
    assert "--records" in err
    assert len(err.splitlines()) == 1


def test_pack_diff_names_a_bad_record_in_one_line(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text('{"decision_id": "1", "secret": "I am afraid"}\n')
    checkins = write_jsonl(tmp_path / "c.jsonl", [])
    code, out, err = run("pack", "diff", "--records", str(records), "--checkins", str(checkins))
    assert (code, out) == (2, "")
    assert "records (line 1)" in err
    assert "afraid" not in err
    code, _, err = run("pack", "diff", "--records", str(tmp_path / "none.jsonl"),
                       "--checkins", str(checkins))  # fmt: skip
    assert code == 2
    assert "none.jsonl" in err


def test_equal_decisions_are_held_once() -> None:
    """Records are held by id in memory: equal decisions share one object."""
    from trustkit import _batch

    (record,) = records_of([rec(1, {"feels_heard": 1})])
    plain = trustkit.converter.unstructure(record)
    held = _batch.Recorded((f"#{n}", {**plain, "decision_id": str(n)}) for n in range(3))
    made = [decision for _, _, decision in held.by_id.values()]
    assert made[0] is made[1] is made[2]
    assert made[0].step_id == record.step_id


def test_records_in_a_parquet_file(tmp_path: Path, apart: trustkit.ContentPack) -> None:
    """A Parquet file of records (as an app's log store may write them) reads as JSON Lines does."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    stored = corpus(21)
    records = records_of(stored)
    table = pa.Table.from_pylist([trustkit.converter.unstructure(r) for r in records])
    pq.write_table(table, tmp_path / "records.parquet")
    assert trustkit.diff_records(tmp_path / "records.parquet", apart, stored) == (
        trustkit.diff_records(records, apart, stored)
    )
