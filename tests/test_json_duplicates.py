"""A key given twice in JSON text is an error on every way into trustkit.

Python's ``json`` keeps the last value, so ``{"afraid_of_partner": true,
"afraid_of_partner": false}`` would read as "no": a disclosure lost. Each
reader refuses it instead, naming the key and never a value.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import trustkit
from trustkit import _json
from trustkit._cli import main

TWICE = '{"afraid_of_partner": true, "afraid_of_partner": false}'
AT = "2026-03-01T20:00:00+00:00"


def test_loads_refuses_a_key_given_twice_naming_it_as_a_duplicate() -> None:
    with pytest.raises(trustkit.AnswerError) as caught:
        _json.loads(TWICE)
    (problem,) = caught.value.problems
    assert (problem.field, problem.code) == ("afraid_of_partner", trustkit.ProblemCode.DUPLICATE)
    assert "true" not in str(caught.value)
    assert "false" not in str(caught.value)


def test_loads_refuses_a_key_given_twice_in_a_nested_object() -> None:
    text = '{"respondent": "partner", "answers": {"feels_heard": 1, "feels_heard": 5}}'
    with pytest.raises(trustkit.AnswerError, match="feels_heard: given more than once"):
        _json.loads(text.encode())


def test_loads_shortens_a_long_key() -> None:
    key = "k" * 10_000
    with pytest.raises(trustkit.AnswerError) as caught:
        _json.loads(f'{{"{key}": 1, "{key}": 2}}')
    (problem,) = caught.value.problems
    assert len(problem.field) == _json.MAX_KEY_SHOWN
    assert problem.field.endswith("…")
    assert len(str(caught.value)) < 200


def test_loads_reads_what_json_reads_when_no_key_repeats() -> None:
    text = '{"a": {"b": [1, {"c": null}]}, "d": true}'
    assert _json.loads(text) == json.loads(text)


def run_cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        TWICE,
        '{"respondent": "partner", "answers": ' + TWICE + "}",
        '{"respondent": "partner", "respondent": "supporter", "answers": {}}',
    ],
)
def test_cli_recommend_refuses_a_key_given_twice(text: str) -> None:
    code, out, err = run_cli("recommend", "-", stdin=text)
    assert (code, out) == (2, "")
    assert err.startswith("trustkit: error: 1 problem in the check-in: ")
    assert "given more than once" in err
    assert err.count("\n") == 1
    assert "true" not in err
    assert "false" not in err


def test_cli_recommend_refuses_a_key_given_twice_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "checkin.json"
    path.write_text(TWICE, encoding="utf-8")
    code, _, err = run_cli("recommend", str(path))
    assert code == 2
    assert "afraid_of_partner: given more than once" in err


def test_batch_refuses_answers_text_with_a_question_given_twice() -> None:
    result = trustkit.batch([{"id": "a", "respondent": "partner", "answers": TWICE, "at": AT}])
    assert result.step_id == (None,)
    assert dict(result.errors) == {
        "a": "1 problem in the check-in: afraid_of_partner: given more than once"
    }


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def record_line(rid: str, answers: str) -> str:
    return f'{{"id": "{rid}", "respondent": "partner", "answers": {answers}, "at": "{AT}"}}'


def test_diff_packs_counts_a_json_lines_record_with_a_key_twice_as_malformed(
    tmp_path: Path,
) -> None:
    path = write_lines(
        tmp_path / "c.jsonl",
        [record_line("a", TWICE), record_line("b", '{"feels_heard": 1}')],
    )
    core = trustkit.default_pack()
    diff = trustkit.diff_packs(core, core, path)
    assert diff.records == 2
    assert diff.decided == 1
    assert dict(diff.malformed_records) == {
        "line 1": "1 problem in the check-in: afraid_of_partner: given more than once"
    }


def test_cli_pack_diff_names_the_key_given_twice(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "c.jsonl", [record_line("a", TWICE)])
    argv = ["pack", "diff", "--old-pack", "core", "--new-pack", "core", "--checkins", str(path)]
    code, out, err = run_cli(*argv, "--json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["malformed_records"] == [
        ["line 1", "1 problem in the check-in: afraid_of_partner: given more than once"]
    ]


def test_json_nested_too_deeply_is_a_malformed_record_not_a_crash(tmp_path: Path) -> None:
    """A deeply nested line or answers text is named, never a bare RecursionError."""
    deep = "[" * 100_000
    result = trustkit.batch([{"id": "a", "respondent": "partner", "answers": deep, "at": AT}])
    assert dict(result.errors) == {
        "a": "1 problem in the check-in: JSON: arrays and objects nested at most 64 deep"
    }
    path = write_lines(tmp_path / "c.jsonl", [deep, record_line("b", '{"feels_heard": 1}')])
    core = trustkit.default_pack()
    diff = trustkit.diff_packs(core, core, path)
    assert (diff.records, diff.decided) == (2, 1)
    assert dict(diff.malformed_records) == {
        "line 1": "1 problem in the check-in: JSON: arrays and objects nested at most 64 deep"
    }
