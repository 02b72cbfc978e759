"""Every way in gives the same answer: one couple's check-ins through each path (issue 18).

The same inputs go through the single call with the history so far, the single
call with the carried state, `decide`, `recommend_many` with a state, `trustkit.batch`,
`trace`, the way `diff_packs` reads and decides (rows spilled to a bucket and read back),
the FHIR response path and `trustkit recommend --state`; the decisions
and the safety answer must agree everywhere. (Dask and `diff_packs` decide
through the same function as `trustkit.batch`: tests/test_dask.py and
tests/test_batch.py hold them to it.)
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustkit
import trustkit.fhir
from tests.conftest import examples, unchecked
from tests.strategies import valid_answers
from tests.test_fhir import response
from trustkit import CheckIn, CoupleState, Role, _batch
from trustkit._cli import main

T0 = dt.datetime(2026, 1, 5, 20, 0, tzinfo=dt.UTC)
SAFETY = [q.id for q in trustkit.default_pack().questions if q.safety]


@st.composite
def couples(draw: st.DrawFn) -> list[CheckIn]:
    """One couple's check-ins, oldest first, some with a safety yes."""
    count = draw(st.integers(1, 8))
    days = sorted(draw(st.lists(st.integers(0, 500), min_size=count, max_size=count, unique=True)))
    out = []
    for day in days:
        role = draw(st.sampled_from(list(Role)))
        answers = draw(valid_answers(role, safe=draw(st.integers(0, 3)) > 0))
        out.append(
            CheckIn(role, answers, T0 + dt.timedelta(days=day, hours=draw(st.integers(0, 9))))
        )
    return out


def key(rec: trustkit.Recommendation) -> tuple[Any, ...]:
    return (rec.step.id, rec.rule_id, rec.urgency, rec.safety)


def cli(checkin: CheckIn, state: Path) -> dict[str, Any]:
    doc = {
        "respondent": checkin.respondent.value,
        "answers": dict(checkin.answers),
        "at": checkin.at.isoformat(),
    }
    out, err = io.StringIO(), io.StringIO()
    argv = ["recommend", "-", "--json", "--state", str(state)]
    assert main(argv, stdin=io.StringIO(json.dumps(doc)), stdout=out, stderr=err) == 0
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=unchecked(HealthCheck.function_scoped_fixture),
)
@given(couples())
def test_every_path_agrees_on_a_couples_check_ins(tmp_path: Path, checkins: list[CheckIn]) -> None:
    single = [trustkit.recommend_next_step(c, history=checkins[:n]) for n, c in enumerate(checkins)]
    state = CoupleState()
    with_state = []
    for checkin in checkins:
        rec = trustkit.recommend_next_step(checkin, state=state)
        with_state.append(rec)
        state = trustkit.advance(state, checkin, rec)
    assert with_state == single
    assert list(trustkit.recommend_many(checkins, state=CoupleState())) == single
    decided = [trustkit.decide(c, history=checkins[:n]) for n, c in enumerate(checkins)]
    assert [(d.step_id, d.rule_id, d.urgency, d.safety) for d in decided] == [
        key(r) for r in single
    ]
    traced = [
        trustkit.trace(c, history=checkins[:n]).recommendation for n, c in enumerate(checkins)
    ]
    assert traced == single
    records = [
        {
            "id": str(n),
            "couple": "c",
            "respondent": c.respondent.value,
            "answers": dict(c.answers),
            "at": c.at.isoformat(),
        }
        for n, c in enumerate(checkins)
    ]
    batch = trustkit.batch(records[::-1])  # in any order: batch sorts each couple by time
    by_id = dict(
        zip(
            batch.record_id,
            zip(batch.step_id, batch.rule_id, batch.safety, strict=True),
            strict=True,
        )
    )
    assert [by_id[str(n)] for n in range(len(checkins))] == [
        (r.step.id, r.rule_id, r.safety) for r in single
    ]
    # The way diff_packs goes: each record read once, spilled to its bucket and read back,
    # then decided under both packs (here the same one twice).
    rows = [_batch.read_row(record, f"#{n}") for n, record in enumerate(records[::-1], 1)]
    spilled = _batch.spill([s for row in rows if (s := _batch.encode(row)) is not None])
    back = _batch.decode_rows(spilled)
    core = trustkit.default_pack()
    diffed = {
        row.record_id: [(o.step_id, o.rule_id, o.safety) for o in outcomes]  # type: ignore[union-attr]
        for row, outcomes in zip(back, _batch.decide(back, (core, core), None), strict=True)
    }
    assert [diffed[str(n)] for n in range(len(checkins))] == [
        [(r.step.id, r.rule_id, r.safety)] * 2 for r in single
    ]
    fhir = [
        trustkit.fhir.recommend_response(
            response(c.respondent, dict(c.answers), at=c.at),
            history=checkins[:n],
        )
        for n, c in enumerate(checkins)
    ]
    assert [key(r) for r in fhir] == [key(r) for r in single]
    file = tmp_path / f"state-{id(checkins)}.json"
    file.unlink(missing_ok=True)
    shown = [cli(c, file) for c in checkins]
    assert [(d["step"]["id"], d["rule_id"], d["safety"]) for d in shown] == [
        (r.step.id, r.rule_id, r.safety) for r in single
    ]
    # A disclosure is never forgotten: after a yes, the discloser keeps getting help.
    for n, checkin in enumerate(checkins):
        if any(checkin.answers.get(q) is True for q in SAFETY):
            later = [
                r
                for c, r in zip(checkins[n:], single[n:], strict=True)
                if c.respondent is checkin.respondent
            ]
            assert all(r.safety for r in later)
