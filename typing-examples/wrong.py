"""Calls with wrong types: both checkers must refuse each marked line.

Each line carries the error code mypy must report and the rule pyright must
report; an ignore that is not needed is itself an error for both tools (mypy's
``warn_unused_ignores`` and pyright's ``reportUnnecessaryTypeIgnoreComment``),
so a line that stops failing fails the check.
"""

from __future__ import annotations

import datetime as dt

import trustkit

AT = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)

trustkit.CheckIn(respondent=42, answers={}, at=AT)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
trustkit.CheckIn(respondent="partner", answers=3, at=AT)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
trustkit.CheckIn(respondent="partner", answers={}, at="2026-03-01")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
trustkit.CheckIn(respondent="partner", answers={1: 2}, at=AT)  # type: ignore[dict-item]  # pyright: ignore[reportArgumentType]
trustkit.recommend_next_step({"feels_heard": 2}, respondent=1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
trustkit.Action(id="a", title="t", how="h", minutes=5, who=3)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
trustkit.Rule(id="r", step="s", when=trustkit.Always(), urgency=2)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
trustkit.Question(id="q", prompt="?", kind="scale", respondents=[1])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
trustkit.Origin  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]  # noqa: B018
core = trustkit.default_pack()
checkins = [trustkit.CheckIn(respondent="partner", answers={}, at=AT)]
trustkit.batch(3)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
trustkit.batch({"id": "a1"})  # type: ignore[dict-item]  # pyright: ignore[reportArgumentType]
trustkit.diff_packs(core, core, checkins)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
trustkit.diff_packs(core, core, "x", buckets="2")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
