"""Documented calls that must type-check under both pyright --strict and mypy --strict."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import trustkit
from trustkit import CheckIn, Recommendation, Role
from trustkit.jsontypes import CheckInJSON, RecommendationJSON

AT = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)

rec = trustkit.recommend_next_step({"feels_heard": 2}, respondent="partner")
step_id: str = rec.step.id
urgency: trustkit.Urgency = rec.urgency
reasons: tuple[str, ...] = rec.reasons

checkin = CheckIn(respondent="partner", answers={"feels_heard": 2, "past_hurt": True}, at=AT)
checkin = CheckIn(respondent=Role.SUPPORTER, answers={}, at=AT, recommended="validation")
answer: trustkit.Answer = checkin.answers["feels_heard"]
role: Role = checkin.respondent
later: Recommendation = trustkit.recommend_next_step(checkin, history=[checkin], country="GB")

parsed: CheckIn = trustkit.parse_checkin({"respondent": "partner", "answers": {}, "at": "x"})
pack: trustkit.ContentPack = trustkit.load_pack("core", locale="es")
warnings: tuple[trustkit.LintWarning, ...] = trustkit.lint_pack(pack, today=dt.date(2026, 1, 1))

boundary = trustkit.Boundary.propose("b1", "Phones stay private", by="partner", at=AT)
boundary = boundary.agree(by="supporter", at=AT)
in_force: bool = boundary.in_force

question = trustkit.Question(id="q", prompt="?", kind="scale", respondents=["partner"])
rule = trustkit.Rule(id="r", step="s", when=trustkit.AnswerCompare("q", ">=", 4), urgency="warning")
action = trustkit.Action(id="a", title="t", how="h", minutes=5, who="both")

try:
    trustkit.recommend_next_step({"feels_heard": 9})
except trustkit.AnswerError as error:
    fields: list[str] = [problem.field for problem in error.problems]

data: RecommendationJSON = trustkit.converter.unstructure(rec)
first_action: str = data["step"]["actions"][0]["title"]
level: Literal["info", "warning", "critical"] = data["urgency"]
own = trustkit.make_converter()
checkin_data: CheckInJSON = own.unstructure(checkin)
