"""What a compiled pack makes once and shares: decisions, alternatives, merged resources.

They are immutable, so sharing them changes no result: these tests pin that
the same object comes back, that a full cache starts again, and that a
decision with problems is never shared.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import trustkit
from trustkit import CheckIn
from trustkit._engine import compile as compile_module
from trustkit._engine.decide import decision, verdict
from trustkit.models import answer_lookup

PACK = trustkit.default_pack()


def test_the_resources_of_several_topics_are_merged_once() -> None:
    c = compile_module.compiled(PACK)
    c._resources_for.clear()  # the compiled pack is shared with other tests
    topics = tuple(sorted(c.resources))[:2]
    merged = c.resources_for(topics)
    assert merged == tuple(r for r in PACK.resources if set(r.topics) & set(topics))
    assert c.resources_for(topics) is merged
    with mock.patch.object(compile_module, "_MAX_TOPIC_SETS", 1):
        other = tuple(sorted(c.resources))[1:3]
        assert c.resources_for(other) == tuple(
            r for r in PACK.resources if set(r.topics) & set(other)
        )
        assert list(c._resources_for) == [other]  # full: started again


def test_an_alternative_is_made_once_per_rule() -> None:
    c = compile_module.compiled(PACK)
    rule = c.rules[0].rule
    made = c.alternative(rule)
    assert (made.step_id, made.rule_id) == (rule.step, rule.id)
    assert c.alternative(rule) is made


def test_equal_decisions_are_one_object_and_one_with_problems_is_its_own() -> None:
    c = compile_module.compiled(PACK)
    answers = {"feels_heard": 1, "promises_kept": 2}
    first = decision(c, verdict(c, answers, "partner", wanted=0))
    assert decision(c, verdict(c, dict(answers), "partner", wanted=0)) is first
    assert trustkit.decide(answers, respondent="partner") is first
    yes = {"afraid_of_partner": True, "feels_heard": "not an answer"}
    troubled = trustkit.decide(yes, respondent="partner")
    assert troubled.safety
    assert troubled.problems
    assert trustkit.decide(yes, respondent="partner") is not troubled
    assert trustkit.decide(yes, respondent="partner") == troubled


def test_answers_are_looked_up_by_the_dict_a_check_in_keeps() -> None:
    checkin = CheckIn("partner", {"feels_heard": 2}, dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    get = answer_lookup(checkin.answers)
    assert type(get) is type(dict[str, int]().get)
    assert (get("feels_heard"), get("missing")) == (2, None)
    plain = {"feels_heard": 3}
    assert answer_lookup(plain)("feels_heard") == 3
