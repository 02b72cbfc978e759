"""No pack can reroute the safety screen, and no broken text can stop it from answering."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import trustkit
from trustkit import PackError

PACK = trustkit.default_pack()

# The overlay from the issue: its own "safety" rule that sends a yes to a couples talk.
REROUTE_STEPS = """
[[steps]]
id = "talk-it-over"
title = "Talk it over with your partner"
summary = "Talk it through."
why = "Talking helps."

[[steps.actions]]
id = "talk-ask-partner"
title = "Ask your partner what they think"
how = "Ask them."
minutes = 10
who = "either"
in_crisis = true
"""
REROUTE_RULES = """
[[rules]]
id = "safety-talk"
step = "talk-it-over"
priority = 5000
urgency = "critical"
safety = true
plan = "abuse"
resources = ["counselling"]
reason = "Let's keep this between the two of you."
when = { answer = "afraid_of_partner", op = "=", value = true }
"""


def problems(root: Any) -> list[trustkit.PackProblem]:
    with pytest.raises(PackError) as caught:
        trustkit.load_pack(root)
    return list(caught.value.problems)


def test_an_overlay_cannot_reroute_a_safety_yes(overlay: Any) -> None:
    """Every way the issue's overlay reroutes the screen is refused, with file and line."""
    found = {
        (p.file, p.item, p.field): (p.message, p.line)
        for p in problems(overlay(steps=REROUTE_STEPS, rules=REROUTE_RULES))
    }
    assert set(found) == {
        ("extra/rules.toml", "safety-talk", "priority"),  # outranks the core safety rules
        ("extra/steps.toml", "talk-it-over", "title"),  # a partner-facing step
        ("extra/steps.toml", "talk-ask-partner", "title"),  # a partner-facing action
    }
    assert all(line is not None for _, line in found.values())
    assert "below 991" in found["extra/rules.toml", "safety-talk", "priority"][0]
    # Ranked below the core safety rules, it still may not drop crisis lines or ask for secrecy.
    lower = REROUTE_RULES.replace("priority = 5000", "priority = 10")
    found = {
        (p.file, p.item, p.field): (p.message, p.line)
        for p in problems(overlay("lower", steps=REROUTE_STEPS, rules=lower))
    }
    assert set(found) == {
        ("lower/rules.toml", "safety-talk", "resources"),  # no crisis resources
        ("lower/rules.toml", "safety-talk", "reason"),  # asks for secrecy
        ("lower/steps.toml", "talk-it-over", "title"),
        ("lower/steps.toml", "talk-ask-partner", "title"),
    }
    assert all(line is not None for _, line in found.values())


def test_a_safety_rule_cannot_lead_to_couples_work(overlay: Any) -> None:
    """Marking professional help as couples work would empty every safety result."""
    found = problems(overlay(overrides="[steps.professional_help]\ncouples = true\n"))
    assert [(p.item, p.field) for p in found] == [("professional_help", "couples")]


def test_overriding_crisis_texts_with_secrecy_is_refused(overlay: Any) -> None:
    """A safety rule's reason, the crisis step and its crisis actions never ask for secrecy."""
    overrides = """
[rules.safety-abuse]
reason = "Don't tell anyone about this."

[actions.professional-help-contact-a-helpline]
how = "Call, but keep it quiet and do not tell your friends."

[steps.professional_help]
why = "It is best kept secret."

[messages]
safety_earlier = "Keep this between us."
"""
    found = {(p.file, p.item, p.field) for p in problems(overlay(overrides=overrides))}
    assert found == {  # each reported where the overlay changed it
        ("extra/overrides.toml", "safety-abuse", "reason"),
        ("extra/overrides.toml", "professional-help-contact-a-helpline", "how"),
        ("extra/overrides.toml", "professional_help", "why"),
        ("extra/overrides.toml", "messages", "safety_earlier"),
    }


def test_translations_of_crisis_texts_are_checked_too(overlay: Any) -> None:
    """A locale file cannot slip secrecy into a crisis text."""
    root = overlay(
        locales__es='[rules.safety-abuse]\nreason = "No se lo digas a nadie."\n'
        '[messages]\nsafety_earlier = "Esto queda entre los dos."\n'
        '[steps.validation]\nwhy = "Un secreto está bien aquí."\n'
    )
    pack = trustkit.load_pack(root)
    with pytest.raises(PackError) as caught:
        pack.localized("es")
    found = {(p.item, p.field) for p in caught.value.problems}
    assert found == {("rules.safety-abuse", "reason"), ("messages", "safety_earlier")}


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{prompt:>50000000}", "plainly"),
        ("{value:s}", "plainly"),
        ("{prompt!r}", "plainly"),
        ("{prompt:{x}}", "plainly"),
        ("{prompt.__class__}", "unknown placeholder"),
        ("{prompt[0]}", "unknown placeholder"),
        ("{nope}", "unknown placeholder"),
        ("{prompt", "braces"),
        ("", "a text"),
    ],
)
def test_message_templates_are_checked_in_every_locale(
    overlay: Any, template: str, message: str
) -> None:
    """A template that could fail, or grow without bound, is refused when its locale is read."""
    root = overlay(locales__es=f"[messages]\nanswer_yes = {template!r}\n")
    pack = trustkit.load_pack(root)
    with pytest.raises(PackError, match=message) as caught:
        pack.localized("es")
    [problem] = caught.value.problems
    assert (problem.item, problem.field, problem.line) == ("messages", "answer_yes", 1)
    with pytest.raises(PackError, match=message):
        trustkit.check_pack(
            attrs.evolve(PACK, messages=attrs.evolve(PACK.messages, answer_yes=template))
        )


def _broken(**templates: str) -> trustkit.ContentPack:
    """The core pack with templates that bypassed the checks (as only hand-editing can)."""
    pack = attrs.evolve(PACK)
    messages = attrs.evolve(PACK.messages)
    for name, template in templates.items():
        object.__setattr__(messages, name, template)
    object.__setattr__(pack, "messages", messages)
    object.__setattr__(pack, "_checked", True)  # as if it had passed the check
    return pack


@pytest.mark.parametrize(
    "templates",
    [
        {"answer_yes": "{nope}"},
        {"answer_yes": "{prompt:d}"},
        {"answer_no": "{"},
        {"answer_scale": "{value:q}", "answer_count": "{x}"},
    ],
)
def test_a_safety_yes_always_gets_its_answer(templates: dict[str, str]) -> None:
    """Even with broken templates, a safety yes returns the crisis step and its helplines."""
    pack = _broken(**templates)
    answers = {"afraid_of_partner": True, "self_harm_thoughts": True, "missed_commitments": 3}
    rec = trustkit.recommend_next_step(answers, pack=pack)
    assert (rec.step.id, rec.safety, rec.urgency) == ("professional_help", True, "critical")
    assert rec.resources
    reason = next(r.reason for r in PACK.rules if r.id == "safety-self-harm")
    assert rec.reasons[0] == reason.replace("{emergency}", PACK.messages.emergency_elsewhere)
    assert {e.rule_id for e in rec.evidence} == {"safety-self-harm", "safety-abuse"}
    assert all(set(e.questions) <= set(answers) for e in rec.evidence)


def test_the_emergency_sentence_is_said_once_when_several_safety_rules_hold() -> None:
    """Three safety rules hold: each reason is kept, its shared opening sentence only once."""
    for locale in ("en", "es"):
        pack = PACK.localized(locale)
        rec = trustkit.recommend_next_step(
            {"afraid_of_partner": True, "self_harm_thoughts": True, "choked_or_strangled": True},
            locale=locale,
        )
        rules = {r.id: r for r in pack.rules}
        opening = rules["safety-abuse"].reason.partition(". ")[0]
        opening = opening.replace("{emergency}", pack.messages.emergency_elsewhere)
        assert sum(r.count(opening) for r in rec.reasons) == 1
        assert rec.reasons[0].startswith(opening)
        for rule_id in ("safety-self-harm", "safety-high-risk", "safety-abuse"):
            rest = rules[rule_id].reason.partition(". ")[2]
            assert any(r.endswith(rest) for r in rec.reasons), rule_id


def test_a_reason_that_is_only_the_shared_opening_adds_nothing() -> None:
    """A second reason with nothing after the shared opening is not repeated as an empty line."""
    rules = {r.id: r for r in PACK.rules}
    abuse, high = rules["safety-abuse"], rules["safety-high-risk"]
    only_opening = abuse.reason.partition(". ")[0] + ". "
    pack = attrs.evolve(
        PACK,
        rules=tuple(
            attrs.evolve(r, reason=only_opening) if r.id == abuse.id else r for r in PACK.rules
        ),
    )
    rec = trustkit.recommend_next_step(
        {"afraid_of_partner": True, "choked_or_strangled": True}, pack=pack
    )
    assert rec.reasons[0] == high.reason.replace("{emergency}", PACK.messages.emergency_elsewhere)
    assert "" not in rec.reasons
    assert only_opening not in rec.reasons
    one_sentence = attrs.evolve(
        PACK,
        rules=tuple(attrs.evolve(r, reason="Get help now.") if r.safety else r for r in PACK.rules),
    )
    rec = trustkit.recommend_next_step(
        {"afraid_of_partner": True, "choked_or_strangled": True}, pack=one_sentence
    )
    assert rec.reasons.count("Get help now.") == 1
