"""`trustkit recommend --state FILE`: the couple's memory outside Python (issue 18)."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import trustkit
from trustkit._cli import main


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def checkin(role: str, answers: dict[str, Any], day: int) -> str:
    at = f"2026-12-{day:02d}T09:00:00Z"
    return json.dumps({"respondent": role, "answers": answers, "at": at})


def recommend(state: Path, document: str, *more: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run("recommend", "-", "--state", str(state), "--json", *more, stdin=document)
    return code, json.loads(out) if out else {}, err


def test_a_disclosure_on_monday_is_honoured_on_friday(tmp_path: Path) -> None:
    state = tmp_path / "couple.json"
    code, rec, _ = recommend(state, checkin("partner", {"afraid_of_partner": True}, 7))
    assert code == 0
    assert rec["safety"]
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    calm = {"afraid_of_partner": False, "feels_heard": 4, "progress_noticed": 4}
    code, rec, _ = recommend(state, checkin("partner", calm, 11))
    assert (code, rec["safety"], rec["urgency"]) == (0, True, "warning")
    code, rec, _ = recommend(state, checkin("supporter", {"safe_to_share": 1}, 11))
    assert code == 0
    assert not rec["safety"]
    couples = {s.id for s in trustkit.default_pack().steps if s.couples}
    assert rec["step"]["id"] not in couples
    saved = trustkit.converter.structure(json.loads(state.read_text()), trustkit.CoupleState)
    assert len(saved.recent) == 3


def test_the_same_answer_as_a_history(tmp_path: Path) -> None:
    state = tmp_path / "couple.json"
    docs = [
        checkin("partner", {"feels_heard": 1}, 1),
        checkin("supporter", {"promises_kept": 2}, 2),
        checkin("partner", {"feels_heard": 2}, 8),
    ]
    for doc in docs[:-1]:
        assert recommend(state, doc)[0] == 0
    _, rec, _ = recommend(state, docs[-1])
    history = [trustkit.parse_checkin(json.loads(d)) for d in docs[:-1]]
    today = trustkit.parse_checkin(json.loads(docs[-1]))
    expected = trustkit.recommend_next_step(today, history=history)
    assert rec == trustkit.converter.unstructure(expected)


def test_a_yes_now_gets_help_even_out_of_order_and_the_state_is_kept(tmp_path: Path) -> None:
    state = tmp_path / "couple.json"
    recommend(state, checkin("partner", {"feels_heard": 3}, 9))
    before = state.read_text()
    code, rec, err = recommend(state, checkin("partner", {"self_harm_thoughts": True}, 1))
    assert rec["safety"]
    assert code == 2
    assert "not updated" in err
    assert "self_harm" not in err
    assert state.read_text() == before


def test_a_broken_state_file_is_reported_and_never_overwritten(tmp_path: Path) -> None:
    state = tmp_path / "couple.json"
    state.write_text('{"recent": "afraid"}')
    code, out, err = run("recommend", "-", "--state", str(state), stdin=checkin("partner", {}, 1))
    assert code == 2
    assert "not a trustkit couple state" in err
    assert "afraid" not in err + out
    code, rec, err = recommend(state, checkin("partner", {"controlled": True}, 1))
    assert rec["safety"]
    assert code == 2
    assert "left as it is" in err
    assert state.read_text() == '{"recent": "afraid"}'
    state.write_text("x" * 1_000_001)
    code, _, err = run("recommend", "-", "--state", str(state), stdin=checkin("partner", {}, 1))
    assert "not a trustkit couple state" in err


def test_a_state_needs_a_dated_check_in(tmp_path: Path) -> None:
    state = tmp_path / "couple.json"
    code, _, err = run("recommend", "-", "--state", str(state), stdin='{"feels_heard": 2}')
    assert code == 2
    assert "now" in err
    code, out, err = run(
        "recommend", "-", "--state", str(state), stdin='{"self_harm_thoughts": true}'
    )
    assert code == 2
    assert out
    assert '"at"' in err
    assert not state.exists()


def test_trace_with_a_state(tmp_path: Path) -> None:
    state = tmp_path / "couple.json"
    code, out, _ = run(
        "recommend",
        "-",
        "--state",
        str(state),
        "--trace",
        stdin=checkin("partner", {"afraid_of_partner": True}, 1),
    )
    assert code == 0
    assert "Rules, in the order they were tried" in out
    code, out, err = run(
        "recommend",
        "-",
        "--state",
        str(state),
        "--trace",
        "--json",
        stdin=checkin("partner", {"feels_heard": 5, "nope": 1}, 2),
    )
    assert code == 0
    data = json.loads(out)
    assert data["recommendation"]["safety"]
    assert "nope" in err
