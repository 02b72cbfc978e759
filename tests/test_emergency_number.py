"""The number for the country: every crisis text names the reader's own emergency number first.

Crisis texts say ``{emergency}``; a recommendation fills it from ``country=`` with
the phone of the pack's ``emergency`` resource for that country ("000" in
Australia, "111" in New Zealand), or with the pack's ``emergency_elsewhere``
wording where the pack has no number for the country or none was given. Safety
results list that emergency line first. (Issue 18; safety audit 2026-12-07, N1.)
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import re
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from trustkit import CheckIn, PackError, Role
from trustkit._countries import ISO_3166_1_ALPHA_2

PACK = trustkit.default_pack()
PACKS = {"en": PACK, "es": PACK.localized("es")}
PLACEHOLDER = "{emergency}"
T0 = dt.datetime(2026, 1, 5, 20, 0, tzinfo=dt.UTC)

COVERED = sorted({r.country for r in PACK.resources} - {"INTL"})
"""Every country the pack has resources for."""
OUTSIDE = ["BR", "JP"]
"""Countries the pack has no resources for."""
EMERGENCY_LINES = {
    r.country: r
    for r in reversed(PACK.resources)
    if "emergency" in r.topics and r.country != "INTL"
}
INTERNATIONAL = "intl-local-emergency-services"
BY_ID = {r.id: r for r in PACK.resources}

# (role, the safety questions answered yes): each safety question alone, for each role
# asked it, and all of a role's safety questions at once.
SCREEN = {role: [q.id for q in PACK.questions_for(role) if q.safety] for role in Role}
CASES = [
    *((role, (q,)) for role in Role for q in SCREEN[role]),
    *((role, tuple(SCREEN[role])) for role in Role),
]


def test_the_cases_cover_the_pack() -> None:
    """Every covered country has an emergency line; the outside ones have none; both roles."""
    assert set(EMERGENCY_LINES) == set(COVERED)
    assert not set(OUTSIDE) & {r.country for r in PACK.resources}
    # The numbers the audit checked, so that a wrong derivation cannot pass unnoticed.
    assert {cc: EMERGENCY_LINES[cc].phone for cc in ("AU", "NZ", "US", "GB")} == {
        "AU": "000",
        "NZ": "111",
        "US": "911",
        "GB": "999",
    }
    assert {rule.id for rule in PACK.rules if rule.safety} == {
        trustkit.recommend_next_step(dict.fromkeys(qs, True), respondent=role).rule_id
        for role, qs in CASES
    }


def _results(role: Role, questions: tuple[str, ...], country: str | None, locale: str) -> list[Any]:
    """The crisis result for a yes today, and the follow-up a week after a yes."""
    yes = dict.fromkeys(questions, True)
    acute = trustkit.recommend_next_step(yes, respondent=role, country=country, locale=locale)
    earlier = CheckIn(role, yes, T0)
    later = CheckIn(role, {}, T0 + dt.timedelta(weeks=1))
    follow_up = trustkit.recommend_next_step(
        later, history=[earlier], country=country, locale=locale
    )
    assert (acute.safety, acute.urgency) == (True, trustkit.Urgency.CRITICAL)
    assert (follow_up.safety, follow_up.urgency) == (True, trustkit.Urgency.WARNING)
    return [acute, follow_up]


def _first_number(text: str) -> str | None:
    found = re.search(r"\d+", text)
    return found.group() if found else None


def _check(rec: trustkit.Recommendation, country: str | None, locale: str) -> None:
    """The crisis texts name the country's number first; no placeholder is left anywhere."""
    fallback = PACKS[locale].messages.emergency_elsewhere
    line = EMERGENCY_LINES.get(country) if country is not None else None
    everything = json.dumps(trustkit.converter.unstructure(rec), ensure_ascii=False)
    assert PLACEHOLDER not in everything
    # The opening reason (a safety rule's, or safety_earlier) and the step's why.
    for text in (rec.reasons[0], rec.step.why):
        if line is not None:
            assert line.phone
            assert _first_number(text) == line.phone, (country, locale)
            assert fallback not in text
        else:
            assert fallback in text, (country, locale)
            assert _first_number(text) == _first_number(fallback) == "112"
    first = rec.resources[0]
    assert "emergency" in first.topics
    assert first is (line if line is not None else BY_ID[INTERNATIONAL]) or (
        locale != "en" and first.id == (line.id if line is not None else INTERNATIONAL)
    )
    assert [r.id for r in rec.resources].count(first.id) == 1


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("country", [*COVERED, *OUTSIDE, None])
def test_every_crisis_text_names_the_country_s_own_number_first(
    country: str | None, locale: str
) -> None:
    """Each safety rule, both roles, a yes today and the follow-up in the period: 000 in AU."""
    for role, questions in CASES:
        for rec in _results(role, questions, country, locale):
            _check(rec, country, locale)


@given(
    country=st.sampled_from(sorted(ISO_3166_1_ALPHA_2)) | st.none(),
    case=st.sampled_from(CASES),
    locale=st.sampled_from(["en", "es"]),
)
def test_any_country_gets_its_own_number_or_the_fallback(
    country: str | None, case: tuple[Role, tuple[str, ...]], locale: str
) -> None:
    """For any country code at all: its own number where the pack has one, else the fallback."""
    role, questions = case
    for rec in _results(role, questions, country, locale):
        _check(rec, country, locale)


def test_australia_and_new_zealand_read_their_own_numbers() -> None:
    """The audit's two countries where none of 911, 999 or 112 is the local number."""
    for country, number in (("AU", "000"), ("NZ", "111")):
        rec = trustkit.recommend_next_step({"afraid_of_partner": True}, country=country)
        assert rec.reasons[0].startswith(f"If you are in immediate danger, call {number} now.")
        assert rec.resources[0].phone == number
        es = trustkit.recommend_next_step({"afraid_of_partner": True}, country=country, locale="es")
        assert es.reasons[0].startswith(f"Si estás en peligro inmediato, llama ahora al {number}.")
    for text in (
        PACKS["en"].messages.emergency_elsewhere,
        PACKS["es"].messages.emergency_elsewhere,
    ):
        assert "112" in text
    # "such as 911, 999 or 112" is gone from the crisis texts.
    for text in (*rec.reasons, rec.step.why, *(a.how for a in rec.step.actions)):
        assert "911" not in text


def test_the_same_step_object_serves_each_number_and_pickles_small() -> None:
    """Filled steps are cached per number, and a filled result pickles by ids and comes back."""
    one = trustkit.recommend_next_step({"self_harm_thoughts": True}, country="AU")
    two = trustkit.recommend_next_step({"self_harm_thoughts": True}, country="AU")
    assert one.step is two.step
    mx = trustkit.recommend_next_step({"self_harm_thoughts": True}, country="BR")
    jp = trustkit.recommend_next_step({"self_harm_thoughts": True}, country="JP")
    assert mx.step is jp.step
    for rec in (one, mx):
        data = pickle.dumps(rec)
        assert len(data) < 3000
        back = pickle.loads(data)
        assert back == rec
        assert back.step is rec.step
    # A step that is no filled step of the pack's (changed by hand) pickles whole.
    changed = attrs.evolve(one, step=attrs.evolve(one.step, why="Call 000."))
    assert len(pickle.dumps(changed)) > len(pickle.dumps(one))
    assert pickle.loads(pickle.dumps(changed)) == changed


def test_a_step_outside_a_safety_result_says_the_fallback() -> None:
    """An ordinary rule may lead to a crisis step too: its text never shows the placeholder."""
    rec = trustkit.recommend_next_step({"distress": 5, "stuck": 5}, country="AU")
    assert (rec.step.id, rec.safety) == ("professional_help", False)
    assert PLACEHOLDER not in json.dumps(trustkit.converter.unstructure(rec))
    assert PACK.messages.emergency_elsewhere in rec.step.why


# ------------------------------------------------------------------ packs of one's own


def _with_resources(pack: trustkit.ContentPack, **changes: dict[str, Any]) -> trustkit.ContentPack:
    resources = tuple(
        attrs.evolve(r, **changes[r.id.replace("-", "_")])
        if r.id.replace("-", "_") in changes
        else r
        for r in pack.resources
    )
    return attrs.evolve(pack, resources=resources)


def test_an_emergency_line_without_a_phone_gives_the_fallback_wording() -> None:
    """Where the country's line has no phone to name, the text says the fallback, line first."""
    pack = _with_resources(PACK, au_emergency={"phone": None})
    rec = trustkit.recommend_next_step({"afraid_of_partner": True}, country="AU", pack=pack)
    assert PACK.messages.emergency_elsewhere in rec.reasons[0]
    assert rec.resources[0].id == "au-emergency"


def test_the_emergency_line_comes_first_even_when_a_rule_does_not_ask_for_it() -> None:
    """A safety rule attaching only crisis lines still shows the number it names, first."""
    rules = tuple(
        attrs.evolve(r, resources=("crisis",)) if r.id == "safety-self-harm" else r
        for r in PACK.rules
    )
    pack = attrs.evolve(PACK, rules=rules)
    rec = trustkit.recommend_next_step({"self_harm_thoughts": True}, country="NZ", pack=pack)
    before = trustkit.recommend_next_step({"self_harm_thoughts": True}, country="NZ", pack=PACK)
    assert "nz-emergency" in {r.id for r in before.resources}  # the pack's own rule asks for it
    ids = [r.id for r in rec.resources]
    assert ids[0] == "nz-emergency"
    assert ids.count("nz-emergency") == 1
    assert "nz-emergency" not in {r.id for r in PACK.resources if "crisis" in r.topics}


def test_a_pack_without_an_international_line_keeps_its_resources_as_they_are() -> None:
    """No line to put first: the resources are left alone, and the text says the fallback."""
    pack = attrs.evolve(PACK, resources=tuple(r for r in PACK.resources if r.id != INTERNATIONAL))
    rec = trustkit.recommend_next_step({"self_harm_thoughts": True}, country="JP", pack=pack)
    assert rec.resources == ()
    assert PACK.messages.emergency_elsewhere in rec.reasons[0]


def test_an_action_may_name_the_number_too() -> None:
    """An action's how is filled like the step's why; other actions stay the very same objects."""
    how = "If you are in immediate danger, call {emergency} now. Then reach a helpline."
    steps = tuple(
        attrs.evolve(
            s,
            actions=tuple(
                attrs.evolve(a, how=how) if a.id == "professional-help-contact-a-helpline" else a
                for a in s.actions
            ),
        )
        for s in PACK.steps
    )
    pack = attrs.evolve(PACK, steps=steps)
    rec = trustkit.recommend_next_step({"afraid_of_partner": True}, country="NZ", pack=pack)
    [action, *others] = rec.step.actions
    assert action.how == "If you are in immediate danger, call 111 now. Then reach a helpline."
    written = {a.id: a for s in pack.steps for a in s.actions}
    assert all(a is written[a.id] for a in others)


def test_a_pack_may_word_the_fallback_its_own_way() -> None:
    """emergency_elsewhere is an optional message: an overlay or a Python pack may change it."""
    messages = attrs.evolve(PACK.messages, emergency_elsewhere="the emergency number where you are")
    pack = attrs.evolve(PACK, messages=messages)
    rec = trustkit.recommend_next_step({"self_harm_thoughts": True}, pack=pack)
    assert rec.reasons[0].startswith(
        "If you are in immediate danger, call the emergency number where you are now."
    )


def _problems(pack: trustkit.ContentPack) -> list[tuple[str, str, str]]:
    with pytest.raises(PackError) as info:
        trustkit.check_pack(pack)
    return [(p.item, p.field, p.message) for p in info.value.problems]


def _rule_reason(rule_id: str, reason: str) -> trustkit.ContentPack:
    rules = tuple(attrs.evolve(r, reason=reason) if r.id == rule_id else r for r in PACK.rules)
    return attrs.evolve(PACK, rules=rules)


def test_the_placeholder_is_refused_where_it_would_never_be_filled() -> None:
    """Only safety rules' reasons are filled: an ordinary rule, or a helpline, would show it."""
    ordinary = next(r for r in PACK.rules if not r.safety)
    assert _problems(_rule_reason(ordinary.id, "Call {emergency} now.")) == [
        (ordinary.id, "reason", "{emergency} is filled only in a safety rule's reason: write "
         "the text out"),
    ]  # fmt: skip
    notes = _with_resources(PACK, us_988_lifeline={"notes": "Or call {emergency}."})
    assert _problems(notes) == [
        ("us-988-lifeline", "notes", "{emergency} is not filled here: write the text out")
    ]
    # Braces elsewhere are plain text.
    trustkit.check_pack(_with_resources(PACK, us_988_lifeline={"notes": "Text {HOME}."}))


def test_a_misspelt_placeholder_is_caught() -> None:
    """In a field that takes placeholders, any other {name} is a typo, never shown as it is."""
    steps = tuple(
        attrs.evolve(s, why="Call {emergancy} now.") if s.id == "professional_help" else s
        for s in PACK.steps
    )
    assert _problems(attrs.evolve(PACK, steps=steps)) == [
        ("professional_help", "why", "unknown placeholder {emergancy}; use ['emergency']")
    ]
    safety = next(r for r in PACK.rules if r.safety)
    trustkit.check_pack(_rule_reason(safety.id, "Call {emergency} now."))


def test_translations_are_held_to_the_same_placeholders() -> None:
    """A locale may use {emergency} where the original may, and nowhere else."""
    ordinary = next(r for r in PACK.rules if not r.safety)
    educate = PACK.step("educate")
    texts = (
        ("steps", "professional_help", "why", "Llama al {emergency}."),
        ("rules", ordinary.id, "reason", "Llama al {emergency}."),
        ("steps", "educate", "pitfalls", ("{emergency}", *educate.pitfalls[1:])),
        ("messages", "", "emergency_elsewhere", "el {emergency}"),
    )
    translation = trustkit.models.Translation(locale="xx", texts=texts)
    pack = attrs.evolve(PACK, translations=(*PACK.translations, translation))
    found = _problems(pack)
    assert [(item, field) for item, field, _ in found] == [
        (f"rules.{ordinary.id}", "reason"),
        ("steps.educate", "pitfalls"),
        ("messages", "emergency_elsewhere"),
    ]
    assert "filled only in a safety rule's reason" in found[0][2]
    assert "is not filled here" in found[1][2]
    assert "unknown placeholder {emergency}" in found[2][2]


def test_the_fallback_is_a_safety_text() -> None:
    """emergency_elsewhere is said in crisis texts: like them, it never asks for secrecy."""
    messages = attrs.evolve(PACK.messages, emergency_elsewhere="a number; keep this secret")
    found = _problems(attrs.evolve(PACK, messages=messages))
    assert found == [
        ("messages", "emergency_elsewhere", "a safety text must never ask for secrecy")
    ]
