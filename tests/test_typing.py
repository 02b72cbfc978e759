"""How users call trustkit, checked by mypy --strict (and run, so it stays honest)."""

from __future__ import annotations

import datetime as dt
import json

import trustkit


def serve(body: str) -> str:
    """A web handler: JSON check-in in, JSON recommendation out."""
    checkin: trustkit.CheckIn = trustkit.parse_checkin(json.loads(body))
    rec: trustkit.Recommendation = trustkit.recommend_next_step(checkin, country="GB")
    urgency: trustkit.Urgency = rec.urgency
    step: trustkit.Step = rec.step
    minutes: int = sum(action.minutes for action in step.actions)
    payload = trustkit.converter.unstructure(rec)
    payload["total_minutes"] = minutes
    payload["critical"] = urgency is trustkit.Urgency.CRITICAL
    return json.dumps(payload)


def test_a_typed_web_handler_round_trip() -> None:
    """The typed example above works end to end."""
    body = json.dumps(
        {
            "respondent": "supporter",
            "answers": {"promises_kept": 1},
            "at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC).isoformat(),
        }
    )
    out = json.loads(serve(body))
    assert out["step"]["id"] == "consistency"
    assert out["respondent"] == "supporter"
    assert out["critical"] is False
    assert out["total_minutes"] == sum(
        a.minutes for a in trustkit.default_pack().step("consistency").actions
    )
