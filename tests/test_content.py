"""The bundled pack's words: what its texts must always say, and what they must never suggest.

These guard the content review of issue 10, in English and in Spanish: safety off-ramps
where a step could be mistaken for putting up with control, no step that treats access
to a phone, passwords or a location as proof of trust, and crisis texts that open with
the emergency number and never promise confidentiality outright.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

import trustkit

CORE = trustkit.default_pack()
PACKS = {"en": CORE, "es": CORE.localized("es")}
LOCALES = sorted(PACKS)

# ------------------------------------------------------------------ sharing access as proof

GIVING = {
    "en": r"\b(share|sharing|hand(ing)? over|give|giving|show|showing|send|sending"
    r"|let (them|your partner|him|her) (see|check|read|look|track)|turn(ing)? on|switch(ing)? on"
    r"|enable|report(ing)?|account(ing)? for|keep (them|your partner) posted)\b",
    "es": r"\b(compart\w*|da|dar|dale|darle|entreg\w*|enseñ\w*|muestr\w*|mostrar|envi\w*"
    r"|manda\w*|activ\w*|inform\w*|rendir cuentas"
    r"|dej\w* que (\w+ ){0,3}(revise|mire|vea|lea|rastree))\b",
}
ACCESS = {
    "en": r"\b(passwords?|passcodes?|location|whereabouts|where you are|phone|every move"
    r"|every minute)\b",
    "es": r"\b(contraseñas?|claves?|ubicación|dónde estás|teléfono|móvil|celular|cada paso"
    r"|cada minuto)\b",
}
SAFEGUARD = {
    "en": r"\b(control|controlling|warning sign|private|privacy|nobody owes|no one owes"
    r"|not a running report|not to account|urge to|afraid)\b",
    "es": r"(control|señal de alarma|privad|nadie le debe|no de informar|no rendir cuentas"
    r"|impulso de|miedo)",
}
SENTENCE_END = re.compile(r"(?<=[.?!»”])\s+")


def suggests_sharing_access(text: str, locale: str) -> list[str]:
    """The sentences of a text that offer a phone, passwords or a location, with no safeguard.

    A sentence is flagged when a verb of giving or reporting comes shortly before a
    phone, password or location, and the sentence does not frame it as control, as
    private, or as something nobody owes.
    """
    offer = re.compile(GIVING[locale] + r".{0,60}?" + ACCESS[locale], re.IGNORECASE)
    safeguard = re.compile(SAFEGUARD[locale], re.IGNORECASE)
    return [
        sentence
        for sentence in SENTENCE_END.split(text)
        if offer.search(sentence) and not safeguard.search(sentence)
    ]


def step_texts(pack: trustkit.ContentPack) -> Iterator[tuple[str, str]]:
    """Every text of every step and action, and every rule's reason, with where it is."""
    for step in pack.steps:
        yield f"steps.{step.id}.title", step.title
        yield f"steps.{step.id}.summary", step.summary
        yield f"steps.{step.id}.why", step.why
        for i, text in enumerate((*step.signs_of_progress, *step.pitfalls)):
            yield f"steps.{step.id}[{i}]", text
        for action in step.actions:
            yield f"actions.{action.id}.title", action.title
            yield f"actions.{action.id}.how", action.how
    for rule in pack.rules:
        yield f"rules.{rule.id}.reason", rule.reason


@pytest.mark.parametrize("locale", LOCALES)
def test_no_step_suggests_sharing_access_as_proof_of_trust(locale: str) -> None:
    """Reliability is not reporting every move: no text offers passwords, a phone or a location."""
    flagged = {
        where: found
        for where, text in step_texts(PACKS[locale])
        if (found := suggests_sharing_access(text, locale))
    }
    assert flagged == {}


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("en", "Share your location with your partner so they can see you are safe."),
        ("en", "Give your partner your passwords as proof that you have nothing to hide."),
        ("en", "Let your partner check your phone whenever they ask."),
        ("en", "Turn on location sharing for a month to rebuild trust."),
        ("en", "Each evening, send a photo of where you are."),
        ("es", "Comparte tu ubicación con tu pareja para que vea que estás donde dijiste."),
        ("es", "Dale a tu pareja tus contraseñas como prueba de que no tienes nada que ocultar."),
        ("es", "Deja que tu pareja revise tu teléfono cuando lo pida."),
    ],
)
def test_the_sharing_check_catches_what_it_is_for(locale: str, text: str) -> None:
    """The check above has teeth: advice to hand over access is caught."""
    assert suggests_sharing_access(text, locale) == [text]


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("en", "Being pushed to hand over passwords or your phone is control, not openness."),
        ("es", "Que te presionen para dar tus contraseñas es control, no apertura."),
    ],
)
def test_the_sharing_check_lets_warnings_through(locale: str, text: str) -> None:
    """Naming the pressure to hand over access as control is what the steps should do."""
    assert suggests_sharing_access(text, locale) == []


# ------------------------------------------------------------------ safety off-ramps

OFF_RAMP_STEPS = ("patience", "consistency", "communication", "validation", "boundaries")
OFF_RAMP_RULES = ("communication-not-safe", "boundaries-crossed", "boundaries-crossed-record")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("step_id", OFF_RAMP_STEPS)
def test_steps_that_could_mean_putting_up_with_control_point_to_support(
    locale: str, step_id: str
) -> None:
    """A pitfall sends anyone who is afraid or controlled to the professional help step."""
    pack = PACKS[locale]
    support = pack.step("professional_help").title
    assert any(support in pitfall for pitfall in pack.step(step_id).pitfalls)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("rule_id", OFF_RAMP_RULES)
def test_rules_about_unsafe_talk_or_crossed_boundaries_point_to_support(
    locale: str, rule_id: str
) -> None:
    """Their reasons name the professional help step for someone who is afraid."""
    pack = PACKS[locale]
    (rule,) = (r for r in pack.rules if r.id == rule_id)
    assert pack.step("professional_help").title in rule.reason


@pytest.mark.parametrize("locale", LOCALES)
def test_a_crossed_boundary_is_not_the_harmed_person_s_job_to_smooth_over(locale: str) -> None:
    """No "talk about it calmly" for whoever was on the receiving end."""
    calmly = {"en": "calmly", "es": "con calma"}[locale]
    for rule in PACKS[locale].rules:
        if rule.id.startswith("boundaries-crossed"):
            assert calmly not in rule.reason, rule.id


# ------------------------------------------------------------------ crisis texts

EMERGENCY = {"en": r"call \{emergency\}", "es": r"llama (ahora )?al \{emergency\}"}
NOT_YOUR_FAULT = {"en": "it is not your fault", "es": "no es culpa tuya"}
CONFIDENTIAL = {"en": r"\bconfidential\b", "es": r"\bconfidencial(es|idad)?\b"}
IN_MOST_CASES = {"en": "in most cases", "es": "en la mayoría de los casos"}


def crisis_texts(pack: trustkit.ContentPack) -> Iterator[tuple[str, str]]:
    """The texts shown on a positive screen: safety reasons, crisis steps, safety_earlier."""
    for rule in pack.rules:
        if rule.safety:
            yield rule.id, rule.reason
    for step_id in dict.fromkeys(r.step for r in pack.rules if r.safety):
        yield step_id, pack.step(step_id).why
    yield "safety_earlier", pack.messages.safety_earlier


@pytest.mark.parametrize("locale", LOCALES)
def test_crisis_texts_open_with_the_emergency_number(locale: str) -> None:
    """Someone in immediate danger reads first that they should call the emergency number.

    The texts say ``{emergency}``, which becomes the number of the reader's country
    (tests/test_emergency_number.py); safety_earlier says "call {emergency}." too.
    """
    for where, text in crisis_texts(PACKS[locale]):
        first = SENTENCE_END.split(text)[0]
        assert re.search(EMERGENCY[locale], first), where


@pytest.mark.parametrize("locale", LOCALES)
def test_abuse_texts_say_it_is_not_the_person_s_fault(locale: str) -> None:
    """The reasons for fear, control or harm say so plainly."""
    pack = PACKS[locale]
    for rule in pack.rules:
        if rule.safety and "domestic_abuse" in rule.resources:
            assert NOT_YOUR_FAULT[locale] in rule.reason.lower(), rule.id


@pytest.mark.parametrize("locale", LOCALES)
def test_confidentiality_is_never_promised_outright(locale: str) -> None:
    """Services have limits: every mention of confidentiality says "in most cases".

    That holds for the helplines' own notes too, which a person reads next to the crisis texts.
    """
    confidential = re.compile(CONFIDENTIAL[locale], re.IGNORECASE)
    notes = ((f"resources.{r.id}.notes", r.notes) for r in PACKS[locale].resources)
    for where, text in (*step_texts(PACKS[locale]), *notes):
        for sentence in SENTENCE_END.split(text):
            if confidential.search(sentence):
                assert IN_MOST_CASES[locale] in sentence, where
