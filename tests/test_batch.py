"""trustkit.batch, trustkit.diff_packs and `trustkit pack diff` (one process)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples
from trustkit import _batch
from trustkit._cli import main

APART = Path(__file__).parent.parent / "examples/packs/apart/trustkit_pack_apart/data"
AT = "2026-03-01T20:00:00+00:00"


def rec(rid: object, answers: dict[str, Any] | str, *, at: str = AT, **more: Any) -> dict[str, Any]:
    return {"id": rid, "respondent": "partner", "answers": answers, "at": at, **more}


@pytest.fixture(scope="module")
def apart() -> trustkit.ContentPack:
    return trustkit.load_pack("core", APART)


def unclear(rid: object, **more: Any) -> dict[str, Any]:
    """A check-in core sends to patience and the apart overlay to boundaries."""
    answers = {"boundaries_clear": 1, "feels_rushed": 5, "feels_heard": 4}
    return rec(rid, answers, **more)


# --------------------------------------------------------------------------------- batch


def test_batch_gives_columns_in_record_order_and_never_stops() -> None:
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    checkin = trustkit.CheckIn(respondent="partner", answers={"promises_kept": 1}, at=at)
    records: list[Any] = [
        rec("a", {"feels_heard": 1}),
        rec(7, {"feels_heard": 9}),
        checkin,
        rec(None, {}),
        "not a record",
        rec("b", {}, couple=["x"]),
        rec("c", {}, extra=1),
        rec("d", '{"feels_heard": 1}'),
        rec("e", "{not json"),
        rec("f", {"feels_heard": 1}, recommended=None),
        rec("g", {"feels_heard": 1}, recommended="validation"),
        rec("h", {"feels_heard": 1}, at="yesterday"),
        {**rec("i", {"feels_heard": 1}), 3: 1},
        rec(True, {}),
        {"id": "j", "respondent": "partner", "answers": {}},
    ]
    result = trustkit.batch(records)
    assert len(result) == len(records)
    assert result.record_id == (
        "a",
        "7",
        "#3",
        "#4",
        "#5",
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
        "h",
        "i",
        "#14",
        "j",
    )
    assert result.step_id[:3] == ("validation", None, "consistency")
    assert result.step_id[7] == result.step_id[9] == result.step_id[10] == "validation"
    undecided = {rid for rid, _ in result.errors}
    assert undecided == {"7", "#4", "#5", "b", "c", "e", "h", "i", "#14", "j"}
    problems = dict(result.errors)
    assert problems["7"] == "1 problem in the check-in: feels_heard: a whole number from 1 to 5"
    assert problems["#4"].startswith("id:")
    assert problems["#5"] == "not an object"
    assert problems["b"].startswith("couple:")
    assert "extra: not a record field" in problems["c"]
    assert "answers: an object, or its JSON text" in problems["e"]
    assert "record: not a record field" in problems["i"]
    assert "at: missing" in problems["j"]
    assert "9" not in " ".join(problems.values())  # never a value
    columns = result.columns()
    assert list(columns) == ["record_id", "step_id", "rule_id", "urgency", "safety", "error"]
    assert columns["safety"][:2] == [False, None]


def test_batch_rejects_what_is_not_records() -> None:
    with pytest.raises(TypeError, match="iterable of records"):
        trustkit.batch(3)  # type: ignore[arg-type]


def test_a_couples_records_are_decided_oldest_first_with_their_history() -> None:
    fear = {"afraid_of_partner": True}
    records = [
        rec("later", {"feels_heard": 1}, at="2026-03-09T20:00:00Z", couple="c1"),
        rec("first", fear, at="2026-03-02T20:00:00Z", couple="c1"),
        rec("other couple", {"feels_heard": 1}, at="2026-03-09T20:00:00Z", couple=2),
        rec("bad", {"nope": 1}, at="2026-03-03T20:00:00Z", couple="c1"),
    ]
    result = trustkit.batch(records)
    # "bad" cannot be read, but its partner disclosed earlier: help comes first all the same.
    assert result.step_id == (
        "professional_help",
        "professional_help",
        "validation",
        "professional_help",
    )
    assert result.safety == (True, True, False, True)
    alone = trustkit.batch([records[0]])
    assert alone.step_id == ("validation",)


def test_batch_takes_a_locale_and_a_pack(apart: trustkit.ContentPack) -> None:
    assert trustkit.batch([unclear(1)]).step_id == ("patience",)
    assert trustkit.batch([unclear(1)], pack=apart, locale="es").step_id == ("boundaries",)


def test_batch_reads_dataframes_and_arrow_tables() -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    records = [
        rec("a", {"feels_heard": 1}, couple="c"),
        rec("b", {"promises_kept": 1}, couple=None),
        rec("c", {"feels_heard": 1}, couple="c", at="2026-03-02T20:00:00Z"),
    ]
    frame = pd.DataFrame(records)
    frame["at"] = pd.to_datetime(frame["at"])
    frame["recommended"] = [None, float("nan"), pd.NA]
    expected = trustkit.batch(records)
    assert trustkit.batch(frame) == expected
    table = pa.Table.from_pylist([{**r, "answers": json.dumps(r["answers"])} for r in records])
    assert trustkit.batch(table) == expected
    out = expected.to_pandas()
    assert list(out["step_id"]) == ["validation", "consistency", "validation"]
    assert str(out["safety"].dtype) == "boolean"
    arrow = expected.to_arrow()
    assert arrow.column("record_id").to_pylist() == ["a", "b", "c"]
    assert trustkit.batch(pd.DataFrame([rec("x", {})]).assign(at=pd.NaT)).errors[0][0] == "x"


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"trustkit-couples\[parquet\]"):
        trustkit.batch([]).to_arrow()


@settings(max_examples=examples(30))
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["feels_heard", "promises_kept", "wants_to_rush", "afraid_of_partner"]),
            st.one_of(st.integers(0, 6), st.booleans()),
        ),
        max_size=8,
    )
)
def test_batch_agrees_with_recommend_next_step(answer_sets: list[dict[str, Any]]) -> None:
    records = [rec(n, answers) for n, answers in enumerate(answer_sets)]
    result = trustkit.batch(records)
    for answers, step, rule, error in zip(
        answer_sets, result.step_id, result.rule_id, result.error, strict=True
    ):
        try:
            expected = trustkit.recommend_next_step(answers)
        except trustkit.AnswerError:
            assert step is None
            assert error is not None
        else:
            assert (step, rule) == (expected.step.id, expected.rule_id)
            # Problems reported beside a safety result are in the error column, by question.
            fields = {p.field for p in expected.problems}
            assert (error is None) == (not fields)
            assert all(f in (error or "") for f in fields)


# ---------------------------------------------------------------------------------- diff


def corpus(count: int) -> list[Any]:
    records: list[Any] = []
    for n in range(count):
        couple = f"c{n % 7}"
        at = f"2026-03-{1 + n // 7:02d}T20:00:00Z"
        if n % 3 == 0:
            records.append(unclear(n, couple=couple, at=at))
        else:
            records.append(rec(n, {"feels_heard": 1 + n % 5}, couple=couple, at=at))
    return records


def test_diff_packs_reports_changes_with_rules_and_examples(apart: trustkit.ContentPack) -> None:
    core = trustkit.default_pack()
    records = [*corpus(60), rec("bad", {"feels_heard": 0}), rec("new only", {"distance_strain": 2})]
    diff = trustkit.diff_packs(core, apart, records)
    # "new only" answers only apart's question: the old pack decides it as unanswered.
    assert (diff.records, diff.decided, diff.malformed) == (62, 61, 1)
    assert (diff.unknown_to_old, diff.unknown_to_new) == (1, 0)
    assert diff.old == core.packs
    assert diff.new == apart.packs
    assert diff.changed == sum(c.count for c in diff.changes) > 0
    first = diff.changes[0]
    assert (first.from_step, first.to_step) == ("patience", "boundaries")
    assert first.to_rule == "boundaries-unclear"
    assert 0 < len(first.examples) <= 5
    assert list(first.examples) == sorted(first.examples, key=lambda i: (len(i), i))
    assert diff.safety_changed == 0
    problems = dict(diff.malformed_records)
    assert problems["bad"].startswith("1 problem")
    assert "new only" not in problems
    back = trustkit.diff_packs(apart, core, records)
    assert (back.decided, back.unknown_to_old, back.unknown_to_new) == (61, 0, 1)
    for buckets in (2, 5):
        assert trustkit.diff_packs(core, apart, records, buckets=buckets) == diff
    with pytest.raises(ValueError, match="buckets"):
        trustkit.diff_packs(core, apart, records, buckets=0)


def test_a_diff_of_a_pack_with_itself_changes_nothing() -> None:
    core = trustkit.default_pack()
    diff = trustkit.diff_packs(core, core, corpus(20))
    assert (diff.records, diff.decided, diff.changed, diff.changes) == (20, 20, 0, ())


def test_safety_changes_come_first_and_lists_stay_short() -> None:
    safe = trustkit.decide({"afraid_of_partner": True})
    heard = trustkit.decide({"feels_heard": 1})
    kept = trustkit.decide({"promises_kept": 1})
    tally = _batch.Tally()
    for n in range(30):
        tally.add(f"r{n}", heard, kept)
        tally.add(f"r{n}", heard, kept)
    tally.add("s1", heard, safe)
    other = _batch.Tally()
    other.add("s0", heard, safe)
    for n in range(250):
        other.add(f"m{n}", "bad", "bad")
    tally.merge(other)
    diff = tally.report(trustkit.default_pack(), trustkit.default_pack())
    assert [c.safety for c in diff.changes] == [True, False]
    assert diff.changes[0].examples == ("s0", "s1")
    assert diff.changes[1].examples == ("r0", "r1", "r2", "r3", "r4")
    assert diff.changes[1].count == 60
    assert diff.safety_changed == 2
    assert diff.malformed == 250
    assert len(diff.malformed_records) == _batch.MAX_MALFORMED_LISTED
    assert diff.malformed_records[0] == ("m0", "bad")
    import pickle

    assert (
        pickle.loads(pickle.dumps(tally)).report(trustkit.default_pack(), trustkit.default_pack())
        == diff
    )


def write_jsonl(path: Path, records: list[Any]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_diff_packs_streams_a_json_lines_file(
    tmp_path: Path, apart: trustkit.ContentPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = trustkit.default_pack()
    monkeypatch.setattr(_batch, "MAX_LINE_CHARS", 200)
    monkeypatch.setattr(_batch, "CHUNK", 10)
    monkeypatch.setattr(_batch, "BUCKET_BYTES", 1000)
    records = [*corpus(40), "{broken", "", "x" * 300, "[1, 2]"]
    path = write_jsonl(tmp_path / "c.jsonl", records)
    seen: list[int] = []
    diff = trustkit.diff_packs(core, apart, path, progress=seen.append)
    assert seen == [10, 20, 30, 40, 43]
    assert diff == trustkit.diff_packs(core, apart, str(path), buckets=1)
    assert diff.records == 43
    assert dict(diff.malformed_records) == {
        "line 41": "not JSON",
        "line 43": "longer than 200 characters",
        "line 44": "not an object",
    }
    in_memory = trustkit.diff_packs(core, apart, corpus(40))
    assert (diff.changed, diff.changes) == (in_memory.changed, in_memory.changes)


def test_records_that_cannot_be_written_are_malformed() -> None:
    core = trustkit.default_pack()
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    records: list[Any] = [
        rec("dt", {"feels_heard": 1}, at=at),  # type: ignore[arg-type]
        rec("set", {"feels_heard": {1}}),
        trustkit.CheckIn(respondent="partner", answers={}, at=at),
    ]

    class Stamp:  # what pandas' Timestamp offers
        def to_pydatetime(self) -> dt.datetime:
            return at

    records.append(rec("stamp", {"feels_heard": 1}, at=Stamp()))  # type: ignore[arg-type]
    diff = trustkit.diff_packs(core, core, records)
    assert diff.decided == 2
    assert dict(diff.malformed_records) == {
        "set": "not a record of JSON data",
        "#3": "not a record of JSON data",
    }


def test_diff_packs_reads_parquet(tmp_path: Path, apart: trustkit.ContentPack) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    records = corpus(30)
    table = pa.Table.from_pylist(
        [
            {**r, "answers": json.dumps(r["answers"]), "at": dt.datetime.fromisoformat(r["at"])}
            for r in records
        ]
    )
    path = tmp_path / "c.parquet"
    pq.write_table(table, path)
    core = trustkit.default_pack()
    diff = trustkit.diff_packs(core, apart, path)
    expected = trustkit.diff_packs(core, apart, records)
    assert (diff.changed, diff.changes, diff.decided) == (
        expected.changed,
        expected.changes,
        expected.decided,
    )
    assert _batch.bucket_count(path) == 1


# ----------------------------------------------------------------------------------- CLI


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_pack_diff_on_the_command_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [*corpus(30), "{broken"])
    out, err = io.StringIO(), _Tty()
    new = f"core+{APART}"
    assert main(["pack", "diff", "core", new, "--checkins", str(path)], stdout=out, stderr=err) == 0
    text = out.getvalue()
    assert "31 check-ins read, 30 decided by both packs" in text
    assert "patience [patience-pace] -> boundaries [boundaries-unclear]: " in text
    assert "line 31: not JSON" in text
    assert "other changes" in text
    assert "decisions changed (" in text
    assert "31 check-ins read" in err.getvalue()
    out = io.StringIO()
    argv = ["pack", "diff", "core", "core", "--checkins", str(path), "--json"]
    assert main(argv, stdout=out, stderr=io.StringIO()) == 0
    data = json.loads(out.getvalue())
    assert (data["changed"], data["malformed"]) == (0, 1)
    assert data["old"] == [{"id": "core", "version": trustkit.default_pack().version}]


def test_pack_diff_lists_safety_changes_first() -> None:
    safe = trustkit.decide({"afraid_of_partner": True})
    heard = trustkit.decide({"feels_heard": 1})
    tally = _batch.Tally()
    tally.add("s0", heard, safe)
    tally.add("m0", "bad", "bad")
    tally.add("m1", "bad", "bad")
    from trustkit._cli import format_diff

    text = format_diff(tally.report(trustkit.default_pack(), trustkit.default_pack()))
    assert "safety decisions that changed (1):\n  SAFETY validation" in text
    assert "other changes" not in text
    assert "(by id, never their values):" in text


def test_pack_diff_names_a_bad_pack_spec(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [])
    err = io.StringIO()
    argv = ["pack", "diff", "core+", "core", "--checkins", str(path)]
    assert main(argv, stdout=io.StringIO(), stderr=err) == 2
    assert "BASE+OVERLAY" in err.getvalue()
    out = io.StringIO()
    argv = ["pack", "diff", "core", "core", "--checkins", str(path)]
    assert main(argv, stdout=out, stderr=io.StringIO()) == 0
    assert "0 check-ins read, 0 decided by both packs, 0 decisions changed, 0 malformed" in (
        out.getvalue()
    )


def test_diff_packs_decides_multiple_choice_answers_as_batch_does(tmp_path: Path) -> None:
    """A set of codes went into a bucket as a set, which is not JSON data: every such record
    was refused as malformed by `diff_packs` while `batch` decided it."""
    from tests.test_choice import MANY, _pack

    pack = _pack(MANY, trustkit.AnswerCompare("sources", trustkit.Op.CONTAINS, ("here",)))
    records = [
        rec(n, {"sources": codes}, couple="c", at=f"2026-03-0{n + 1}T20:00:00Z")
        for n, codes in enumerate([["here", "family"], ["family"], ["here"]])
    ]
    decided = trustkit.batch(records, pack=pack)
    assert decided.error == (None, None, None)
    assert decided.rule_id[0] == decided.rule_id[2] == "choice-rule"  # the codes were read
    assert decided.rule_id[1] != "choice-rule"
    for source in (records, write_jsonl(tmp_path / "c.jsonl", records)):
        diff = trustkit.diff_packs(pack, pack, source)
        assert (diff.decided, diff.malformed, diff.changed) == (3, 0, 0)
    core_only = trustkit.diff_packs(trustkit.default_pack(), pack, records)
    assert core_only.unknown_to_old == 3  # the old pack has no such question: unanswered there
