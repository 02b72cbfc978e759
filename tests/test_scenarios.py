"""Scenario tests: short, realistic check-ins and the next step a counsellor would expect.

Each scenario is a small story about one partner's check-in: either the partner who
struggles to trust (``Role.PARTNER``) or the partner who is helping (``Role.SUPPORTER``).
The expected step comes from the product owner's reading of the situation, not from the
rule thresholds:

* Safety first: a yes to being afraid, controlled, hurt or threatened, or to thoughts of
  self-harm (from either role) always means critical ``professional_help``, with only
  crisis-safe, non-couples actions and the right helplines.
* Otherwise, when several concerns compete: distress or being stuck > a crossed boundary
  > broken promises > not feeling heard > not safe to talk > the pace > unclear
  boundaries > understanding the roots > low hope > progress > the catch-all.

Only the public API (``trustkit``) is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pytest

import trustkit
from trustkit import Role, Urgency, Who

AnswerValue = bool | int | None

ABUSE_QUESTIONS = frozenset(
    {
        "afraid_of_partner",
        "controlled",
        "hurt_or_threatened",
        "choked_or_strangled",
        "threat_to_kill_or_weapon",
        "forced_sex",
        "partner_threatened_self_harm",
    }
)
# A threat of self-harm used to control leads to both kinds of line: it is in both sets.
SELF_HARM_QUESTIONS = frozenset(
    {"self_harm_thoughts", "partner_self_harm", "partner_threatened_self_harm"}
)
SAFETY_QUESTIONS = ABUSE_QUESTIONS | SELF_HARM_QUESTIONS
CRISIS_STEPS = frozenset({"professional_help", "support_in_crisis"})
MAX_ALTERNATIVES = 2

# The safety screen answered "no" throughout, as a real app would send it (the questions
# both partners are asked; the supporter's partner_self_harm is left out).
SCREEN_CLEAR: dict[str, AnswerValue] = {
    "afraid_of_partner": False,
    "controlled": False,
    "hurt_or_threatened": False,
    "choked_or_strangled": False,
    "threat_to_kill_or_weapon": False,
    "forced_sex": False,
    "self_harm_thoughts": False,
    "partner_threatened_self_harm": False,
}


@dataclass(frozen=True)
class Scenario:
    """One check-in story and the step (and, optionally, urgency) it should lead to."""

    name: str
    story: str
    respondent: Role
    answers: Mapping[str, AnswerValue]
    step: str
    urgency: Urgency | None = None


P = Role.PARTNER
S = Role.SUPPORTER

SCENARIOS: list[Scenario] = [
    # ------------------------------------------------------------------ safety screen
    Scenario(
        name="partner-afraid-after-outbursts",
        story="She walks on eggshells since his shouting at the last argument, and says "
        "she is afraid of him, even though he keeps most promises.",
        respondent=P,
        answers={
            "afraid_of_partner": True,
            "promises_kept": 4,
            "safe_to_share": 1,
            "feels_heard": 2,
            "hopeful": 3,
        },
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="partner-controlled-but-everything-else-great",
        story="He says things have never been better, he feels heard and hopeful; he also "
        "says she checks his phone and bank account every evening.",
        respondent=P,
        answers={
            "hopeful": 5,
            "progress_noticed": 5,
            "promises_kept": 5,
            "feels_heard": 5,
            "feelings_dismissed": 1,
            "talk_openly": 5,
            "boundaries_clear": 5,
            "missed_commitments": 0,
            "afraid_of_partner": False,
            "controlled": True,
            "hurt_or_threatened": False,
            "self_harm_thoughts": False,
        },
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="supporter-phone-and-location-checked",
        story="To 'feel safe', his partner demands his location and reads his messages; he "
        "goes along with it and answers that he is being controlled.",
        respondent=S,
        answers={
            "controlled": True,
            "understand_roots": 4,
            "frustrated_by_pace": 4,
            "promises_kept": 4,
        },
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="supporter-self-harm-while-all-looks-well",
        story="Their check-ins look great and progress is real, but the supporter privately "
        "says she has had thoughts of ending her life.",
        respondent=S,
        answers={
            "hopeful": 5,
            "progress_noticed": 5,
            "promises_kept": 5,
            "understand_roots": 5,
            "boundaries_clear": 5,
            "self_harm_thoughts": True,
        },
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="partner-self-harm-in-heavy-distress",
        story="He cannot sleep, they have the same fight every night, and he has had "
        "thoughts of harming himself.",
        respondent=P,
        answers={
            "distress": 5,
            "stuck": 5,
            "hopeful": 1,
            "self_harm_thoughts": True,
            "afraid_of_partner": False,
        },
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="partner-threatened-after-raising-a-boundary",
        story="When she reminded him of the agreement he broke, he threatened to hurt her.",
        respondent=P,
        answers={"boundary_crossed": True, "hurt_or_threatened": True, "promises_kept": 1},
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="supporter-afraid-and-self-harm",
        story="The supporter is afraid of his partner's rages and has had dark thoughts "
        "about not wanting to be here any more.",
        respondent=S,
        answers={"afraid_of_partner": True, "self_harm_thoughts": True, "distress": 5},
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="partner-choked-once-and-minimising",
        story="She says it only happened once and he was drunk: during a fight he squeezed "
        "her neck. Otherwise she rates things as fairly good.",
        respondent=P,
        answers={**SCREEN_CLEAR, "choked_or_strangled": True, "hopeful": 4, "promises_kept": 4},
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="supporter-partner-has-a-weapon",
        story="His partner's jealousy has turned into threats, and she keeps a knife by the "
        "bed; he answers that he fears she could use it on him.",
        respondent=S,
        answers={"threat_to_kill_or_weapon": True, "frustrated_by_pace": 4},
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="partner-pressured-into-sex",
        story="She feels she cannot say no to sex without a week of sulking and accusations.",
        respondent=P,
        answers={"forced_sex": True, "feels_rushed": 5, "safe_to_share": 1},
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="supporter-threatened-with-partners-suicide",
        story="Whenever he says he needs a weekend with his brother, she says she will kill "
        "herself if he goes; he has stopped seeing his family.",
        respondent=S,
        answers={
            **SCREEN_CLEAR,
            "partner_threatened_self_harm": True,
            "partner_self_harm": True,
            "frustrated_by_pace": 2,
        },
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="supporter-partner-spoke-of-ending-their-life",
        story="After a bad week his partner told him she does not want to be here any more; "
        "otherwise the check-in looks steady.",
        respondent=S,
        answers={
            **SCREEN_CLEAR,
            "partner_self_harm": True,
            "understand_roots": 4,
            "promises_kept": 4,
            "hopeful": 3,
        },
        step="support_in_crisis",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="supporter-partner-self-harm-and-progress",
        story="Things between them are better than in months, but her partner has started "
        "talking about hurting himself again.",
        respondent=S,
        answers={"partner_self_harm": True, "progress_noticed": 5, "hopeful": 5},
        step="support_in_crisis",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="supporter-partner-self-harm-and-afraid",
        story="Her partner threatens to harm himself whenever she wants to see friends, and "
        "she has become afraid of him: her own safety comes first.",
        respondent=S,
        answers={"partner_self_harm": True, "afraid_of_partner": True},
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    Scenario(
        name="partner-answers-only-the-hurt-question",
        story="She skips the whole check-in except one question: yes, she has been hurt.",
        respondent=P,
        answers={"hurt_or_threatened": True},
        step="professional_help",
        urgency=Urgency.CRITICAL,
    ),
    # ------------------------------------------------------- distress and being stuck
    Scenario(
        name="partner-sleepless-and-unheard",
        story="Worry about his late nights keeps her awake and hurts her work; she also "
        "feels he does not take her seriously. The safety screen is clear.",
        respondent=P,
        answers={**SCREEN_CLEAR, "distress": 5, "feels_heard": 2, "promises_kept": 3},
        step="professional_help",
        urgency=Urgency.WARNING,
    ),
    Scenario(
        name="supporter-same-fight-every-night",
        story="He keeps his promises, but every evening ends in the same painful "
        "conversation about the affair, and nothing moves.",
        respondent=S,
        answers={"stuck": 5, "promises_kept": 4, "understand_roots": 4, "hopeful": 2},
        step="professional_help",
        urgency=Urgency.WARNING,
    ),
    Scenario(
        name="supporter-worn-down-and-a-boundary-crossed",
        story="She is exhausted and anxious all week, and an agreed boundary was also "
        "crossed: the strain comes first.",
        respondent=S,
        answers={**SCREEN_CLEAR, "distress": 4, "boundary_crossed": True},
        step="professional_help",
        urgency=Urgency.WARNING,
    ),
    # ------------------------------------------------------------------- boundaries
    Scenario(
        name="partner-ex-contact-and-broken-promises",
        story="He had agreed not to message his ex, and did; two other promises were "
        "broken too. The crossed boundary comes before the promises.",
        respondent=P,
        answers={"boundary_crossed": True, "promises_kept": 2, "missed_commitments": 2},
        step="boundaries",
        urgency=Urgency.WARNING,
    ),
    Scenario(
        name="supporter-crossed-a-boundary-and-fears-talking",
        story="The supporter admits he broke their agreement about going out without "
        "telling her, and now dreads bringing anything up.",
        respondent=S,
        answers={**SCREEN_CLEAR, "boundary_crossed": True, "safe_to_share": 2},
        step="boundaries",
        urgency=Urgency.WARNING,
    ),
    Scenario(
        name="supporter-unsure-what-is-ok",
        story="He never knows whether a lunch with a colleague is fine, and he also does "
        "not really understand why she struggles so much.",
        respondent=S,
        answers={"boundaries_clear": 1, "understand_roots": 2, "hopeful": 4},
        step="boundaries",
    ),
    Scenario(
        name="partner-guessing-the-rules",
        story="She is hopeful and nothing bad happened, but neither of them has said what "
        "is and isn't OK, so she keeps guessing.",
        respondent=P,
        answers={"boundaries_clear": 2, "hopeful": 4, "promises_kept": 4, "feels_heard": 4},
        step="boundaries",
    ),
    # ------------------------------------------------------------------ consistency
    Scenario(
        name="partner-promises-broken-and-brushed-off",
        story="He said he would be home by ten and wasn't, twice; when she said so, he "
        "brushed it off. Reliability comes before feeling heard.",
        respondent=P,
        answers={"promises_kept": 1, "feels_heard": 2, "feelings_dismissed": 4},
        step="consistency",
    ),
    Scenario(
        name="supporter-dropped-three-commitments",
        story="The supporter forgot the check-in call, the shared calendar and the "
        "weekend plan, and admits hard things stay unsaid too.",
        respondent=S,
        answers={**SCREEN_CLEAR, "missed_commitments": 3, "talk_openly": 2},
        step="consistency",
    ),
    Scenario(
        name="partner-only-counts-missed-commitments",
        story="A quick check-in on the bus: she only answers that four things they agreed "
        "on did not get done.",
        respondent=P,
        answers={"missed_commitments": 4},
        step="consistency",
    ),
    # ------------------------------------------------------------------- validation
    Scenario(
        name="partner-called-an-overreaction",
        story="Every time she raises a worry he calls it an overreaction; bringing things "
        "up now feels risky too. Feeling heard comes first.",
        respondent=P,
        answers={"feelings_dismissed": 5, "safe_to_share": 2, "promises_kept": 4},
        step="validation",
    ),
    Scenario(
        name="partner-not-taken-seriously-and-rushed",
        story="He feels pushed to 'just get over it' and that his feelings are not taken "
        "seriously at all.",
        respondent=P,
        answers={"feels_heard": 1, "feels_rushed": 4, "hopeful": 3},
        step="validation",
    ),
    # ---------------------------------------------------------------- communication
    Scenario(
        name="partner-every-worry-becomes-a-fight",
        story="Any worry she raises turns into a fight, and she also feels pressed to "
        "trust faster. Making it safe to talk comes before the pace.",
        respondent=P,
        answers={"safe_to_share": 1, "feels_rushed": 5, "feels_heard": 3},
        step="communication",
    ),
    Scenario(
        name="supporter-hard-things-stay-unsaid",
        story="They are polite but never talk about the hard parts, and the supporter is "
        "not sure what is OK either.",
        respondent=S,
        answers={"talk_openly": 2, "boundaries_clear": 2, "promises_kept": 4},
        step="communication",
    ),
    Scenario(
        name="partner-skipped-questions-but-not-safe",
        story="She skipped most questions (the app sends them as null) but said raising a "
        "worry does not feel safe.",
        respondent=P,
        answers={"feels_heard": None, "safe_to_share": 2, "distress": None},
        step="communication",
    ),
    # --------------------------------------------------------------------- patience
    Scenario(
        name="partner-pressed-to-be-over-it",
        story="He keeps asking 'are we good now?'; she feels pressured to trust faster "
        "than she can, and the rules between them are vague.",
        respondent=P,
        answers={"feels_rushed": 5, "boundaries_clear": 2, "promises_kept": 4},
        step="patience",
    ),
    Scenario(
        name="supporter-frustrated-it-takes-so-long",
        story="Eight months on, he is frustrated it is taking so long, and admits he does "
        "not really get where her mistrust comes from.",
        respondent=S,
        answers={**SCREEN_CLEAR, "frustrated_by_pace": 5, "understand_roots": 1},
        step="patience",
    ),
    Scenario(
        name="supporter-losing-hope-despite-a-good-week",
        story="Something went a bit better this week, but she feels little hope about "
        "where they are heading. Low hope comes before celebrating.",
        respondent=S,
        answers={"hopeful": 1, "progress_noticed": 4, "understand_roots": 4},
        step="patience",
    ),
    # ---------------------------------------------------------------------- educate
    Scenario(
        name="supporter-does-not-get-the-roots",
        story="He sees some progress and little hope, but he has no idea why she finds "
        "trusting so hard. Understanding comes before hope and progress.",
        respondent=S,
        answers={"understand_roots": 1, "hopeful": 2, "progress_noticed": 4},
        step="educate",
    ),
    Scenario(
        name="partner-old-betrayal-weighs-on-her",
        story="Nothing went wrong this time, but she says the betrayal in her last "
        "relationship makes trusting now hard.",
        respondent=P,
        answers={**SCREEN_CLEAR, "past_hurt": True, "promises_kept": 3, "hopeful": 3},
        step="educate",
    ),
    # -------------------------------------------------------------------- celebrate
    Scenario(
        name="partner-all-fine-and-a-small-win",
        story="A good fortnight: promises kept, she felt heard, they talked openly, and "
        "something got a little better.",
        respondent=P,
        answers={
            **SCREEN_CLEAR,
            "feels_rushed": 2,
            "promises_kept": 5,
            "safe_to_share": 4,
            "talk_openly": 4,
            "feels_heard": 5,
            "feelings_dismissed": 1,
            "boundaries_clear": 4,
            "distress": 2,
            "stuck": 1,
            "progress_noticed": 5,
            "hopeful": 4,
            "boundary_crossed": False,
            "past_hurt": False,
            "missed_commitments": 0,
        },
        step="celebrate",
        urgency=Urgency.INFO,
    ),
    Scenario(
        name="supporter-all-fine-check-in",
        story="The supporter answers every question, all of it steady and positive, and "
        "notices a real improvement.",
        respondent=S,
        answers={
            **SCREEN_CLEAR,
            "understand_roots": 4,
            "frustrated_by_pace": 2,
            "promises_kept": 4,
            "safe_to_share": 4,
            "talk_openly": 4,
            "boundaries_clear": 5,
            "distress": 2,
            "stuck": 2,
            "progress_noticed": 4,
            "hopeful": 4,
            "boundary_crossed": False,
            "missed_commitments": 0,
        },
        step="celebrate",
        urgency=Urgency.INFO,
    ),
    Scenario(
        name="supporter-hard-week-but-it-got-better",
        story="A so-so week with some worry, nothing that stands out as a problem, and one "
        "thing that clearly got better.",
        respondent=S,
        answers={"distress": 3, "stuck": 3, "progress_noticed": 5, "missed_commitments": 1},
        step="celebrate",
        urgency=Urgency.INFO,
    ),
    Scenario(
        name="partner-past-hurt-but-clear-progress",
        story="A good check-in: promises kept, felt heard, hopeful and something got "
        "better. As always she ticks that old hurt makes trust hard.",
        respondent=P,
        answers={
            **SCREEN_CLEAR,
            "past_hurt": True,
            "promises_kept": 5,
            "feels_heard": 4,
            "safe_to_share": 4,
            "hopeful": 4,
            "progress_noticed": 5,
        },
        step="celebrate",
        urgency=Urgency.INFO,
    ),
    # -------------------------------------------------------------------- catch-all
    Scenario(
        name="partner-middling-nothing-stands-out",
        story="Everything is a 3: not bad, not better. Nothing stands out, but she still "
        "gets a step to work on.",
        respondent=P,
        answers={
            **SCREEN_CLEAR,
            "feels_rushed": 3,
            "promises_kept": 3,
            "safe_to_share": 3,
            "talk_openly": 3,
            "feels_heard": 3,
            "feelings_dismissed": 3,
            "boundaries_clear": 3,
            "distress": 3,
            "stuck": 3,
            "progress_noticed": 3,
            "hopeful": 3,
            "boundary_crossed": False,
            "past_hurt": False,
            "missed_commitments": 1,
        },
        step="educate",
        urgency=Urgency.INFO,
    ),
    Scenario(
        name="supporter-skipped-everything",
        story="The supporter opened the check-in and skipped every question; a starting "
        "step is still offered.",
        respondent=S,
        answers={},
        step="educate",
        urgency=Urgency.INFO,
    ),
]

IDS = [s.name for s in SCENARIOS]


def _answered(scenario: Scenario) -> set[str]:
    return {qid for qid, value in scenario.answers.items() if value is not None}


def _is_safety(scenario: Scenario) -> bool:
    return any(scenario.answers.get(qid) is True for qid in SAFETY_QUESTIONS)


def _expected_topics(scenario: Scenario) -> set[str]:
    topics = set()
    if any(scenario.answers.get(qid) is True for qid in SELF_HARM_QUESTIONS):
        topics.add("crisis")
    if any(scenario.answers.get(qid) is True for qid in ABUSE_QUESTIONS):
        topics.add("domestic_abuse")
    return topics


def _recommend(scenario: Scenario) -> trustkit.Recommendation:
    return trustkit.recommend_next_step(scenario.answers, respondent=scenario.respondent)


SAFETY = [s for s in SCENARIOS if _is_safety(s)]
NON_SAFETY = [s for s in SCENARIOS if not _is_safety(s)]


# ------------------------------------------------------------------ the scenario set itself


def test_safety_screen_is_the_one_the_scenarios_assume() -> None:
    """The pack's safety screen is exactly the questions these scenarios treat as safety."""
    pack = trustkit.default_pack()
    assert {q.id for q in pack.questions if q.safety} == SAFETY_QUESTIONS


def test_scenarios_cover_both_roles_every_step_and_safety() -> None:
    """The scenario set keeps covering both roles, every step twice and enough safety cases."""
    pack = trustkit.default_pack()
    assert len(SCENARIOS) >= 24
    assert len(set(IDS)) == len(IDS)
    assert sum(s.respondent is S for s in SCENARIOS) >= 8
    for step in pack.steps:
        assert sum(s.step == step.id for s in SCENARIOS) >= 2, step.id
    assert len(SAFETY) >= 5
    assert {s.respondent for s in SAFETY} == {P, S}
    assert all(s.step in CRISIS_STEPS for s in SAFETY)
    assert {s.step for s in SAFETY if s.respondent is P} == {"professional_help"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_scenario_only_answers_questions_for_its_role(scenario: Scenario) -> None:
    """Each story only answers questions its respondent is actually asked."""
    asked = {q.id for q in trustkit.default_pack().questions_for(scenario.respondent)}
    assert set(scenario.answers) <= asked


# ---------------------------------------------------------------------------- every scenario


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_scenario_gets_the_expected_step(scenario: Scenario) -> None:
    """Each check-in leads to the step (and urgency) a counsellor would expect."""
    rec = _recommend(scenario)
    assert rec.step.id == scenario.step, scenario.story
    if scenario.urgency is not None:
        assert rec.urgency is scenario.urgency, scenario.story
    assert rec.respondent is scenario.respondent


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_scenario_is_explained(scenario: Scenario) -> None:
    """Reasons are real sentences and evidence only names questions that were answered."""
    rec = _recommend(scenario)
    assert rec.reasons
    for reason in rec.reasons:
        assert isinstance(reason, str)
        assert reason.strip()
    answered = _answered(scenario)
    for evidence in rec.evidence:
        assert set(evidence.questions) <= answered, evidence


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_scenario_rule_proposes_the_recommended_step(scenario: Scenario) -> None:
    """The deciding rule exists in the default pack and proposes the step that was returned."""
    rec = _recommend(scenario)
    rules = {rule.id: rule for rule in trustkit.default_pack().rules}
    assert rec.rule_id in rules
    assert rules[rec.rule_id].step == rec.step.id


# ----------------------------------------------------------------------------------- safety


@pytest.mark.parametrize("scenario", SAFETY, ids=[s.name for s in SAFETY])
def test_safety_scenario_is_a_crisis_response(scenario: Scenario) -> None:
    """A yes on the safety screen gives critical help for the reader, never a couples exercise."""
    rec = _recommend(scenario)
    assert rec.step.id == scenario.step
    assert rec.step.id in CRISIS_STEPS
    assert rec.urgency is Urgency.CRITICAL
    assert rec.safety is True
    assert rec.alternatives == ()
    assert rec.step.actions
    for action in rec.step.actions:
        assert action.in_crisis, action.id
        assert action.who is not Who.BOTH, action.id
    said_yes = {qid for qid in SAFETY_QUESTIONS if scenario.answers.get(qid) is True}
    cited = {qid for evidence in rec.evidence for qid in evidence.questions}
    assert said_yes <= cited


@pytest.mark.parametrize("scenario", SAFETY, ids=[s.name for s in SAFETY])
def test_safety_scenario_offers_the_right_helplines(scenario: Scenario) -> None:
    """Self-harm brings crisis lines; fear, control or harm brings domestic-abuse services."""
    rec = _recommend(scenario)
    topics = {topic for resource in rec.resources for topic in resource.topics}
    for wanted in _expected_topics(scenario):
        assert wanted in topics, wanted
        # Not just one catch-all entry: real services in several countries.
        countries = {r.country for r in rec.resources if wanted in r.topics}
        assert len(countries - {"INTL"}) >= 2, wanted


# ------------------------------------------------------------------------------- non-safety


@pytest.mark.parametrize("scenario", NON_SAFETY, ids=[s.name for s in NON_SAFETY])
def test_non_safety_scenario_is_not_a_crisis(scenario: Scenario) -> None:
    """Without a yes on the safety screen there is no safety flag and no critical urgency."""
    rec = _recommend(scenario)
    assert rec.safety is False
    assert rec.urgency < Urgency.CRITICAL


@pytest.mark.parametrize("scenario", NON_SAFETY, ids=[s.name for s in NON_SAFETY])
def test_non_safety_alternatives_are_other_steps(scenario: Scenario) -> None:
    """At most two alternatives are offered, each a different step from the recommendation."""
    rec = _recommend(scenario)
    assert len(rec.alternatives) <= MAX_ALTERNATIVES
    steps = [alt.step_id for alt in rec.alternatives]
    assert rec.step.id not in steps
    assert len(set(steps)) == len(steps)
