"""Safety plans: a private, typed plan per kind, named by every safety result, never shown to
the other partner. See "Safety plans" in docs/safety.md."""

from __future__ import annotations

import copyreg
import datetime as dt
import json
import os
import pickle
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import examples
from tests.strategies import role_and_answers, valid_answers
from tests.test_schema import validator
from trustkit import (
    AnswerError,
    CheckIn,
    PackError,
    PlanKind,
    PlanPart,
    ProblemCode,
    Role,
    SafetyPlan,
)
from trustkit.models import Translation

PACK = trustkit.default_pack()
SAFETY_RULES = {r.id: r for r in PACK.rules if r.safety}
SAFETY_QUESTIONS = {role: [q.id for q in PACK.questions_for(role) if q.safety] for role in Role}
T0 = dt.datetime(2026, 3, 2, 20, 0, tzinfo=dt.UTC)
DOCS = Path(__file__).parent.parent / "docs" / "safety.md"


def kinds_of(pack: trustkit.ContentPack) -> dict[str, PlanKind | None]:
    return {r.id: r.plan for r in pack.rules if r.safety}


# ----------------------------------------------------------------- every safety result


def test_each_bundled_safety_rule_names_the_plan_that_fits() -> None:
    """Self-harm gets the self-harm plan, fear and control the abuse plan, a worried supporter
    the supporter's plan."""
    assert kinds_of(PACK) == {
        "safety-self-harm": PlanKind.SELF_HARM,
        "safety-high-risk": PlanKind.ABUSE,
        "safety-abuse": PlanKind.ABUSE,
        "safety-coercive-threat": PlanKind.ABUSE,
        "safety-partner-self-harm": PlanKind.SUPPORTER,
    }
    assert {p.kind for p in PACK.plans} == set(PlanKind)


@settings(max_examples=examples(150), deadline=None)
@given(role_and_answers())
def test_every_safety_positive_recommendation_names_a_plan(case: tuple[Role, Any]) -> None:
    """A plan kind iff the safety screen decided: the plan of the rule that decided."""
    role, answers = case
    rec = trustkit.recommend_next_step(answers, respondent=role)
    if rec.safety:
        assert rec.plan is SAFETY_RULES[rec.rule_id].plan
        assert rec.plan is not None
    else:
        assert rec.plan is None


@pytest.mark.parametrize("question", SAFETY_QUESTIONS[Role.SUPPORTER])
def test_a_yes_earlier_in_the_period_still_names_the_plan(question: str) -> None:
    """The follow-up for the person who said yes before names the same plan, and pickles keep it."""
    said = CheckIn("supporter", {question: True}, T0)
    now = CheckIn("supporter", {"feels_heard": 3}, T0 + dt.timedelta(weeks=2))
    first = trustkit.recommend_next_step(said)
    later = trustkit.recommend_next_step(now, history=[said])
    assert later.safety
    assert first.plan is not None
    assert later.plan is first.plan
    assert pickle.loads(pickle.dumps(later)).plan is later.plan
    assert pickle.loads(pickle.dumps(first)) == first


def test_an_old_pickle_without_a_plan_still_loads() -> None:
    """A compact pickle made before plans were named loads, with no plan."""
    rec = trustkit.recommend_next_step({"feels_heard": 1})
    reduced: Any = copyreg.dispatch_table[trustkit.Recommendation](rec)
    rebuild, (parts,) = reduced
    assert rebuild is trustkit.bundled_recommendation
    assert rebuild(parts[:10]) == rec


# --------------------------------------------------------------------------- the plan


@pytest.mark.parametrize("kind", list(PlanKind))
@pytest.mark.parametrize("country", ["GB", "AU", "ES", "US", "BR", None])
def test_a_plan_has_six_sections_and_the_countrys_lines_emergency_first(
    kind: PlanKind, country: str | None
) -> None:
    """Sections in order with prompts; lines for the country, emergency first, each verified."""
    plan = trustkit.safety_plan(kind, country=country)
    assert [s.part for s in plan.sections] == list(PlanPart)
    assert all(s.prompts and not s.entries for s in plan.sections)
    assert [s.heading for s in plan.sections] == [
        getattr(PACK.messages, f"plan_{p.value}") for p in PlanPart
    ]
    lines = plan.professionals.resources
    assert lines
    assert all(not s.resources for s in plan.sections if s is not plan.professionals)
    assert "emergency" in lines[0].topics
    assert all(isinstance(r.verified, dt.date) for r in lines)
    if country is not None:
        assert {r.country for r in lines} <= {country, "INTL"}
    texts = [plan.intro, *(t for s in plan.sections for t in s.prompts)]
    assert not any("{" in t for t in texts)
    number = lines[0].phone if country in ("GB", "AU", "ES", "US") else None
    if number:
        assert f" {number}" in plan.intro
    assert (plan.kind, plan.country, plan.locale, plan.pack_id) == (kind, country, "en", "core")


ABUSE_ITEMS = {
    "en": ("safe place", "documents", "code word", "bag", "passwords"),
    "es": ("lugar seguro", "documentos", "palabra clave", "bolsa", "contraseñas"),
}


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_abuse_plan_makes_things_safer_in_every_way_services_advise(locale: str) -> None:
    """A safe place, documents, a code word, a bag, and device and account safety."""
    safer = " ".join(trustkit.safety_plan("abuse", locale=locale).safer.prompts).lower()
    for item in ABUSE_ITEMS[locale]:
        assert item in safer, item


@pytest.mark.parametrize("kind", list(PlanKind))
def test_every_plan_text_has_a_spanish_translation(kind: PlanKind) -> None:
    """In Spanish, every heading, title, introduction and prompt is Spanish, not the English."""
    en = trustkit.safety_plan(kind, country="ES")
    es = trustkit.safety_plan(kind, country="ES", locale="es-MX")
    assert es.locale == "es"
    assert es.title != en.title
    assert es.intro != en.intro
    for english, spanish in zip(en.sections, es.sections, strict=True):
        assert spanish.heading != english.heading
        assert len(spanish.prompts) == len(english.prompts)
        assert not set(spanish.prompts) & set(english.prompts)
    assert "112" in es.intro


def test_a_plan_goes_to_json_and_back_and_fits_its_schema() -> None:
    """converter round trip, the documented JSON shape and the shipped schema."""
    plan = trustkit.safety_plan("abuse", country="GB").with_entries(
        PlanPart.ASK_FOR_HELP, ["My sister", "Sam next door"]
    )
    data = trustkit.converter.unstructure(plan)
    assert json.loads(json.dumps(data)) == data
    assert trustkit.converter.structure(data, SafetyPlan) == plan
    validator("safety-plan").validate(data)
    assert trustkit.json_schema("safety-plan") == validator("safety-plan").schema
    rec = trustkit.recommend_next_step({"controlled": True})
    rec_data = trustkit.converter.unstructure(rec)
    assert rec_data["plan"] == "abuse"
    validator("recommendation").validate(rec_data)
    assert trustkit.converter.structure(rec_data, trustkit.Recommendation).plan is PlanKind.ABUSE


def test_entries_are_private_in_a_repr() -> None:
    """What the person wrote is counted in a repr, never shown."""
    plan = trustkit.safety_plan("self_harm").with_entries("warning_signs", ["Cannot sleep"])
    assert "Cannot sleep" not in repr(plan)
    assert "<1 entries hidden>" in repr(plan.warning_signs)
    assert plan.section("warning_signs").entries == ("Cannot sleep",)


def test_the_rendering_shows_prompts_lines_and_entries_in_order() -> None:
    """Numbered sections; lines with how to reach them and when checked; entries or blanks."""
    plan = trustkit.safety_plan("self_harm", country="GB").with_entries(
        "on_my_own", ["Walk the dog"]
    )
    text = trustkit.render_plan(plan)
    headings = [line for line in text.splitlines() if re.match(r"\d\. ", line)]
    assert headings == [f"{n}. {s.heading}" for n, s in enumerate(plan.sections, start=1)]
    assert "   - Walk the dog" in text
    assert text.count("   - ___") == 2 * 5
    samaritans = next(r for r in plan.professionals.resources if r.id == "gb-samaritans")
    assert f"call {samaritans.phone}" in text
    assert f"details checked {samaritans.verified.isoformat()}" in text
    spanish = trustkit.safety_plan("self_harm", country="ES", locale="es")
    assert "datos comprobados el" in trustkit.render_plan(spanish)


def test_bad_arguments_are_answer_errors_that_repeat_nothing() -> None:
    """A kind, country or locale that cannot be used is an error naming the argument."""
    for kind in ("suicide-secret", 3, ["abuse"]):
        with pytest.raises(AnswerError) as caught:
            trustkit.safety_plan(kind)  # type: ignore[arg-type]
        assert [p.field for p in caught.value.problems] == ["kind"]
        assert "suicide-secret" not in str(caught.value)
    with pytest.raises(AnswerError) as caught:
        trustkit.safety_plan("abuse", country="XX")
    assert [p.field for p in caught.value.problems] == ["country"]
    with pytest.raises(AnswerError) as caught:
        trustkit.safety_plan("abuse", locale="!!")
    assert [p.field for p in caught.value.problems] == ["locale"]
    fewer = attrs.evolve(
        PACK,
        plans=tuple(p for p in PACK.plans if p.kind is not PlanKind.SUPPORTER),
        rules=tuple(r for r in PACK.rules if r.plan is not PlanKind.SUPPORTER),
        questions=tuple(q for q in PACK.questions if q.id != "partner_self_harm"),
    )
    with pytest.raises(AnswerError) as caught:
        trustkit.safety_plan("supporter", pack=fewer)
    assert "'self_harm', 'abuse'" in caught.value.problems[0].expected


# ------------------------------------------------------------------------ pack checks


def problems_of(pack: trustkit.ContentPack) -> list[tuple[str, str, str]]:
    with pytest.raises(PackError) as caught:
        trustkit.check_pack(pack)
    return [(p.item, p.field, p.code) for p in caught.value.problems]


def test_every_safety_rule_must_name_a_plan_the_pack_has() -> None:
    """No plan on a safety rule is unsafe; a plan on another rule, or one missing, is refused."""
    rules = tuple(
        attrs.evolve(r, plan=None)
        if r.id == "safety-abuse"
        else attrs.evolve(r, plan="abuse")
        if r.id == "validation-not-heard"
        else r
        for r in PACK.rules
    )
    assert problems_of(attrs.evolve(PACK, rules=rules)) == [
        ("safety-abuse", "plan", ProblemCode.UNSAFE),
        ("validation-not-heard", "plan", ProblemCode.NOT_ALLOWED),
    ]
    no_abuse = attrs.evolve(PACK, plans=tuple(p for p in PACK.plans if p.kind != "abuse"))
    assert set(problems_of(no_abuse)) == {
        (r, "plan", ProblemCode.UNKNOWN_REFERENCE)
        for r in ("safety-high-risk", "safety-abuse", "safety-coercive-threat")
    }


def test_a_plan_is_checked_like_a_crisis_text() -> None:
    """One per kind, known crisis topics, prompts in every section, never a call for secrecy."""
    first, second, third = PACK.plans
    broken = (
        attrs.evolve(first, resources=("emergency", "nope"), warning_signs=()),
        attrs.evolve(second, id="second", safer=("Keep this secret.",)),
        attrs.evolve(third, id="second", kind="abuse", intro=""),
    )
    found = set(problems_of(attrs.evolve(PACK, plans=broken)))
    assert {
        ("second", "id", ProblemCode.DUPLICATE_ID),
        (first.id, "resources", ProblemCode.UNKNOWN_REFERENCE),
        (first.id, "resources", ProblemCode.UNSAFE),
        (first.id, "warning_signs", ProblemCode.MISSING),
        ("second", "safer", ProblemCode.UNSAFE),
        ("second", "kind", ProblemCode.DUPLICATE_ID),
        ("second", "intro", ProblemCode.MISSING),
    } <= found


def test_a_translated_plan_may_not_ask_for_secrecy() -> None:
    """Plans are crisis texts in every language."""
    bad = Translation("es", (("plans", "abuse", "title", "Es un secreto"),))
    pack = attrs.evolve(PACK, translations=(*PACK.translations, bad), locale_files=())
    assert ("plans.abuse", "title", ProblemCode.UNSAFE) in problems_of(pack)


def test_an_overlay_may_reword_a_plan(overlay: Any) -> None:
    """Plan texts are overridable like other texts, and an overlay's plans join its base's."""
    root = overlay(overrides="[plans.abuse]\ntitle = 'Staying safe'\n")
    pack = trustkit.load_pack(root)
    assert trustkit.safety_plan("abuse", pack=pack).title == "Staying safe"
    text = (Path(trustkit.__file__).parent / "packs" / "core" / "plans.toml").read_text()
    again = overlay("again", plans=text)
    with pytest.raises(PackError) as caught:
        trustkit.load_pack(again)
    assert {p.code for p in caught.value.problems} == {ProblemCode.DUPLICATE_ID}


# ------------------------------------------------------------------------------ privacy


def _variant(mapping: dict[str, str], mark: str) -> trustkit.ContentPack:
    """The bundled pack with other plan kinds on its safety rules and marked plan texts."""
    rules = tuple(attrs.evolve(r, plan=mapping[r.id]) if r.safety else r for r in PACK.rules)

    def marked(p: trustkit.PlanTemplate) -> trustkit.PlanTemplate:
        fields: Any = {
            part.value: tuple(f"{mark} {t}" for t in p.prompts(part)) for part in PlanPart
        }
        return attrs.evolve(p, title=f"{mark} title", intro=f"{mark} intro", **fields)

    return attrs.evolve(PACK, rules=rules, plans=tuple(marked(p) for p in PACK.plans))


VARIANTS = (
    PACK,
    _variant(dict.fromkeys(SAFETY_RULES, "self_harm"), "QXPLANSELF"),
    _variant(dict.fromkeys(SAFETY_RULES, "supporter"), "QXPLANSUPP"),
)
MARKS = ("QXPLAN",)


@st.composite
def couples(draw: st.DrawFn) -> tuple[Role, list[CheckIn]]:
    """A couple's check-ins, oldest first, where one partner discloses and the other never."""
    discloser = draw(st.sampled_from(list(Role)))
    checkins = []
    when = T0
    for n in range(draw(st.integers(2, 5))):
        role = draw(st.sampled_from(list(Role))) if n else discloser
        answers = draw(valid_answers(role, safe=role is not discloser))
        if n == 0:
            answers[draw(st.sampled_from(SAFETY_QUESTIONS[discloser]))] = True
        when += dt.timedelta(days=draw(st.integers(1, 30)))
        checkins.append(CheckIn(role, answers, when))
    other = Role.SUPPORTER if discloser is Role.PARTNER else Role.PARTNER
    checkins.append(CheckIn(other, draw(valid_answers(other, safe=True)), when + dt.timedelta(1)))
    return discloser, checkins


def _outputs(pack: trustkit.ContentPack, checkins: list[CheckIn], other: Role) -> str:
    """Everything the other partner's check-ins give, as JSON: recommendations, traces, batch."""
    out: list[Any] = []
    for n, checkin in enumerate(checkins):
        if checkin.respondent is not other:
            continue
        history = checkins[:n]
        rec = trustkit.recommend_next_step(checkin, history=history, pack=pack, country="GB")
        trace = trustkit.trace(checkin, history=history, pack=pack, country="GB")
        out += [trustkit.converter.unstructure(rec), trustkit.converter.unstructure(trace)]
    records = [
        {
            "id": f"r{n}",
            "couple": "c",
            "respondent": c.respondent.value,
            "answers": dict(c.answers),
            "at": c.at,
        }
        for n, c in enumerate(checkins)
    ]
    columns = trustkit.batch(records, pack=pack, country="GB").columns()
    rows = [n for n, c in enumerate(checkins) if c.respondent is other]
    out.append({name: [values[n] for n in rows] for name, values in columns.items()})
    return json.dumps(out, sort_keys=True, default=str)


@settings(max_examples=examples(40), deadline=None)
@given(couples())
def test_no_plan_content_or_existence_reaches_the_other_partner(
    case: tuple[Role, list[CheckIn]],
) -> None:
    """Whatever plan kind the discloser got, and whether a plan was made, the other partner's
    recommendations, traces and batch rows are the same, and hold no plan text."""
    discloser, checkins = case
    other = Role.SUPPORTER if discloser is Role.PARTNER else Role.PARTNER
    first = checkins[0]
    seen = set()
    baseline = _outputs(PACK, checkins, other)
    for pack in VARIANTS:
        own = trustkit.recommend_next_step(first, pack=pack, country="GB")
        assert own.safety
        assert own.plan is not None
        seen.add(own.plan)
        assert _outputs(pack, checkins, other) == baseline
        trustkit.safety_plan(own.plan, country="GB", pack=pack)  # the discloser makes a plan
        after = _outputs(pack, checkins, other)
        assert after == baseline
        assert not any(mark in after for mark in MARKS)
        assert '"plan": null' in after or '"plan"' not in after
    assert len(seen) >= 2  # the discloser's plan did differ between the variants


# ---------------------------------------------------------------------------- the docs

EXAMPLES = {
    "en": ("abuse", "GB", {
        "warning_signs": ["He drinks on Friday nights", "He goes quiet, then checks my phone"],
        "ask_for_help": ["My sister Ana: code word 'did you feed the cat?' means call 999"],
        "safer": ["Bag with copies of papers at Ana's", "Change email password from the library"],
    }),
    "es": ("self_harm", "ES", {
        "warning_signs": ["No duermo y no quiero ver a nadie"],
        "on_my_own": ["Salir a caminar con música", "Una ducha caliente"],
        "ask_for_help": ["Mi hermano Luis"],
    }),
}  # fmt: skip


def example(locale: str) -> str:
    """The filled plan docs/safety.md shows for a locale, as render_plan writes it."""
    kind, country, entries = EXAMPLES[locale]
    plan = trustkit.safety_plan(kind, country=country, locale=locale)
    for part, written in entries.items():
        plan = plan.with_entries(part, written)
    return trustkit.render_plan(plan)


@pytest.mark.parametrize("locale", list(EXAMPLES))
def test_the_docs_show_a_filled_plan_as_trustkit_makes_it(locale: str) -> None:
    """The plans in docs/safety.md are generated (TRUSTKIT_UPDATE_GOLDEN=1 rewrites them)."""
    start, end = f"<!-- plan: {locale} -->\n```text\n", "```\n<!-- end plan -->"
    text = DOCS.read_text(encoding="utf-8")
    before, found, rest = text.partition(start)
    assert found, f"docs/safety.md has no {start!r}"
    shown, _, after = rest.partition(end)
    if os.environ.get("TRUSTKIT_UPDATE_GOLDEN") == "1":
        DOCS.write_text(before + start + example(locale) + end + after, encoding="utf-8")
        shown = example(locale)
    assert shown == example(locale)


def test_an_unreadable_plans_file_is_a_pack_problem(overlay: Any) -> None:
    """plans.toml that is not TOML is reported with its file, like any pack file."""
    with pytest.raises(PackError) as caught:
        trustkit.load_pack(overlay(plans="[[plans]\n"))
    assert [(p.file, p.code) for p in caught.value.problems] == [
        ("extra/plans.toml", ProblemCode.INVALID_FILE)
    ]
