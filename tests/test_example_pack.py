"""The worked example overlay pack ``apart`` (examples/packs/apart) and its tutorial.

Tests that read the pack from its folder always run. Tests of the installed
distribution (found through the ``trustkit.packs`` entry point) are skipped when
it is not installed; ``scripts/test`` installs it.
"""

from __future__ import annotations

import datetime as dt
import sys
import tomllib
from collections.abc import Iterable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

import trustkit
from trustkit import PackRef, Role

DIST = Path(__file__).resolve().parent.parent / "examples" / "packs" / "apart"
FOLDER = DIST / "trustkit_pack_apart" / "data"

CORE = trustkit.default_pack()
APART = trustkit.load_pack(FOLDER)
APART_ES = trustkit.load_pack(FOLDER, locale="es")

NEW_STEPS = {"stay_connected"}
NEW_ACTIONS = {
    "stay-connected-agree-a-rhythm",
    "stay-connected-share-an-ordinary-moment",
    "stay-connected-say-what-the-quiet-is-like",
    "stay-connected-plan-the-next-visit",
    "consistency-apart-shared-calendar",
    "patience-apart-check-the-clock",
}
NEW_DIMENSIONS = {"connection"}
NEW_QUESTIONS = {"distance_strain", "next_visit_planned"}
NEW_RULES = {"stay-connected-distance-strain", "stay-connected-no-visit-planned"}
NEW_RESOURCES = {"ca-assaulted-womens-helpline"}

# The check-in where the overridden priority decides: core and apart disagree.
PACE_AND_CLARITY = {"feels_rushed": 4, "boundaries_clear": 2}


def _ids(items: Iterable[Any]) -> set[str]:
    return {item.id for item in items}


def _actions(pack: trustkit.ContentPack) -> dict[str, trustkit.Action]:
    return {a.id: a for s in pack.steps for a in s.actions}


def _rules(pack: trustkit.ContentPack) -> dict[str, trustkit.Rule]:
    return {r.id: r for r in pack.rules}


def _apart_is_installed() -> bool:
    return any(ep.name == "apart" for ep in entry_points(group="trustkit.packs"))


@pytest.fixture
def installed() -> None:
    """Skip unless the trustkit-pack-apart distribution is installed."""
    if not _apart_is_installed():
        pytest.skip(
            "the 'apart' pack is not installed under the trustkit.packs entry point; "
            "run scripts/test, or: pip install ./examples/packs/apart"
        )


# ------------------------------------------------------------------ the pack from its folder


def test_the_folder_loads_as_core_then_apart() -> None:
    """Loading the folder merges the overlay onto core and records both packs, base first."""
    assert APART.id == "apart"
    assert APART.version == "1.0.0"
    assert APART.packs == (PackRef("core", "1.2.0"), PackRef("apart", "1.0.0"))


def test_the_overlay_adds_its_items_and_keeps_every_core_item() -> None:
    """The pack adds its own steps, actions, questions, rules and resources, and drops nothing."""
    assert _ids(APART.steps) == _ids(CORE.steps) | NEW_STEPS
    assert set(_actions(APART)) == set(_actions(CORE)) | NEW_ACTIONS
    assert _ids(APART.dimensions) == _ids(CORE.dimensions) | NEW_DIMENSIONS
    assert _ids(APART.questions) == _ids(CORE.questions) | NEW_QUESTIONS
    assert _ids(APART.rules) == _ids(CORE.rules) | NEW_RULES
    assert _ids(APART.resources) == _ids(CORE.resources) | NEW_RESOURCES


def test_the_new_step_is_complete_and_never_a_crisis_step() -> None:
    """stay_connected has a short summary, three signs, three pitfalls and couples actions."""
    step = APART.step("stay_connected")
    assert len(step.summary) <= 140
    assert len(step.signs_of_progress) == 3
    assert len(step.pitfalls) == 3
    assert len(step.actions) >= 3
    assert not any(action.in_crisis for action in step.actions)


def test_actions_for_core_steps_come_after_the_core_actions() -> None:
    """Top-level [[actions]] join their core step, after the step's own actions."""
    for step_id, action_id in [
        ("consistency", "consistency-apart-shared-calendar"),
        ("patience", "patience-apart-check-the-clock"),
    ]:
        actions = APART.step(step_id).actions
        assert actions[:-1] == CORE.step(step_id).actions
        assert actions[-1].id == action_id


def test_the_new_questions_are_asked_of_both_partners() -> None:
    """distance_strain is a reverse-keyed scale in 'connection'; next_visit_planned is yes/no."""
    strain = APART.question("distance_strain")
    assert strain.kind is trustkit.QuestionKind.SCALE
    assert (strain.dimension, strain.reverse, strain.safety) == ("connection", True, False)
    visit = APART.question("next_visit_planned")
    assert visit.kind is trustkit.QuestionKind.YES_NO
    assert not visit.safety
    for question in (strain, visit):
        assert question.respondents == {Role.PARTNER, Role.SUPPORTER}


def test_overrides_change_one_priority_one_reason_and_one_prompt() -> None:
    """overrides.toml raises boundaries-unclear from 50 to 57 and rewords two core texts."""
    core, apart = _rules(CORE)["boundaries-unclear"], _rules(APART)["boundaries-unclear"]
    assert (core.priority, apart.priority) == (50, 57)
    assert apart.reason != core.reason
    assert apart.when == core.when
    assert apart.step == core.step
    assert APART.question("stuck").prompt != CORE.question("stuck").prompt
    changed = {r.id for r in APART.rules if r.id in _rules(CORE) and r != _rules(CORE)[r.id]}
    assert changed == {"boundaries-unclear"}


def test_safety_rules_are_the_core_ones_unchanged() -> None:
    """The overlay adds no safety questions and leaves every safety rule as core has it."""
    assert {q.id for q in APART.questions if q.safety} == {q.id for q in CORE.questions if q.safety}
    assert [r for r in APART.rules if r.safety] == [r for r in CORE.rules if r.safety]


# ------------------------------------------------------------------ recommendations


@pytest.mark.parametrize("role", ["partner", "supporter"])
def test_high_distance_strain_alone_leads_to_stay_connected(role: str) -> None:
    """A check-in with only distance_strain high gets the new step, for either partner."""
    rec = trustkit.recommend_next_step({"distance_strain": 4}, respondent=role, pack=APART)
    assert rec.step.id == "stay_connected"
    assert rec.rule_id == "stay-connected-distance-strain"
    assert rec.urgency is trustkit.Urgency.INFO
    assert rec.packs == APART.packs


def test_core_alone_does_not_know_the_new_questions() -> None:
    """With the core pack alone, the same answer is an unknown question."""
    with pytest.raises(trustkit.AnswerError) as info:
        trustkit.recommend_next_step({"distance_strain": 4})
    assert [p.field for p in info.value.problems] == ["distance_strain"]


def test_no_visit_planned_leads_to_stay_connected() -> None:
    """No date for the next visit, and nothing else, gets the new step from the lower rule."""
    rec = trustkit.recommend_next_step({"next_visit_planned": False}, pack=APART)
    assert (rec.step.id, rec.rule_id) == ("stay_connected", "stay-connected-no-visit-planned")
    rec = trustkit.recommend_next_step({"next_visit_planned": True}, pack=APART)
    assert rec.rule_id == "catch-all"


def test_the_overridden_priority_changes_which_step_wins() -> None:
    """Feeling rushed with unclear agreements: core says patience first, apart says boundaries."""
    core = trustkit.recommend_next_step(PACE_AND_CLARITY)
    apart = trustkit.recommend_next_step(PACE_AND_CLARITY, pack=APART)
    assert (core.step.id, [a.step_id for a in core.alternatives]) == ("patience", ["boundaries"])
    assert (apart.step.id, [a.step_id for a in apart.alternatives]) == ("boundaries", ["patience"])
    assert apart.reasons[0] == _rules(APART)["boundaries-unclear"].reason


@pytest.mark.parametrize(
    ("answers", "step_id"),
    [
        ({"frustrated_by_pace": 5, "distance_strain": 5}, "patience"),
        ({"safe_to_share": 1, "distance_strain": 5}, "communication"),
        ({"understand_roots": 1, "distance_strain": 5}, "stay_connected"),
        ({"understand_roots": 1, "next_visit_planned": False}, "educate"),
        ({"hopeful": 1, "next_visit_planned": False}, "stay_connected"),
    ],
)
def test_the_new_rules_sit_where_the_tutorial_says(
    answers: dict[str, object], step_id: str
) -> None:
    """The distance ranks below pace and talking safely, and no visit sits between 45 and 35."""
    rec = trustkit.recommend_next_step(answers, respondent="supporter", pack=APART)
    assert rec.step.id == step_id
    # Talking feeling unsafe also offers help of one's own (core's communication-not-safe-apart).
    others = [a for a in rec.alternatives if a.rule_id != "communication-not-safe-apart"]
    assert len(others) == 1


SAFETY_SCREEN = sorted(
    (q.id, role.value) for q in APART.questions if q.safety for role in q.respondents
)
CRISIS_STEP = {"partner_self_harm": "support_in_crisis"}  # the rest lead to professional_help


@pytest.mark.parametrize(("question", "role"), SAFETY_SCREEN)
def test_safety_still_wins_in_the_merged_pack(question: str, role: str) -> None:
    """A yes to any safety question beats every apart answer, for whoever is asked it."""
    answers: dict[str, object] = {
        "distance_strain": 5,
        "next_visit_planned": False,
        "boundaries_clear": 1,
        "feels_rushed" if role == "partner" else "frustrated_by_pace": 5,
        question: True,
    }
    rec = trustkit.recommend_next_step(answers, respondent=role, pack=APART, country="CA")
    assert rec.safety
    assert rec.step.id == CRISIS_STEP.get(question, "professional_help")
    assert rec.urgency is trustkit.Urgency.CRITICAL
    assert rec.alternatives == ()
    assert all(action.in_crisis for action in rec.step.actions)
    assert rec.resources


# ------------------------------------------------------------------ the helpline


def test_the_pack_adds_a_sourced_helpline_core_does_not_have() -> None:
    """Ontario's Assaulted Women's Helpline is new, sourced, dated and shown for Canada."""
    (helpline,) = (r for r in APART.resources if r.id in NEW_RESOURCES)
    assert helpline.name not in {r.name for r in CORE.resources}
    assert (helpline.country, helpline.region) == ("CA", "Ontario")
    assert helpline.topics == ("domestic_abuse",)
    assert helpline.source == ("https://cupe.on.ca/help/",)  # one text: a list of one
    assert helpline.verified == dt.date(2026, 11, 27)
    rec = trustkit.recommend_next_step({"controlled": True}, pack=APART, country="CA")
    assert helpline in rec.resources
    rec = trustkit.recommend_next_step({"controlled": True}, pack=APART, country="GB")
    assert helpline not in rec.resources


# ------------------------------------------------------------------ Spanish


OWN_TEXTS = [
    ("steps", NEW_STEPS, ("title", "summary", "why", "signs_of_progress", "pitfalls")),
    ("actions", NEW_ACTIONS, ("title", "how")),
    ("dimensions", NEW_DIMENSIONS, ("label",)),
    ("questions", NEW_QUESTIONS, ("prompt",)),
    ("rules", NEW_RULES, ("reason",)),
    ("resources", NEW_RESOURCES, ("hours", "notes")),
]


def _by_id(pack: trustkit.ContentPack, kind: str) -> dict[str, Any]:
    if kind == "actions":
        return _actions(pack)
    return {item.id: item for item in getattr(pack, kind)}


@pytest.mark.parametrize(("kind", "ids", "fields"), OWN_TEXTS, ids=[k for k, _, _ in OWN_TEXTS])
def test_every_own_text_of_the_pack_is_translated_into_spanish(
    kind: str, ids: set[str], fields: tuple[str, ...]
) -> None:
    """locales/es.toml translates every text of the pack's own items, lists kept whole."""
    english, spanish = _by_id(APART, kind), _by_id(APART_ES, kind)
    for item_id in sorted(ids):
        for field in fields:
            before, after = getattr(english[item_id], field), getattr(spanish[item_id], field)
            assert after != before, f"{kind}.{item_id}.{field} is not translated"
            if isinstance(before, tuple):
                assert len(after) == len(before)


def test_the_overlays_spanish_wins_for_the_core_texts_it_changes() -> None:
    """Core texts the pack rewords in English are reworded in Spanish too, not core's old text."""
    core_es = trustkit.load_pack("core", locale="es")
    assert "por teléfono" in APART_ES.question("stuck").prompt
    assert APART_ES.question("stuck").prompt != core_es.question("stuck").prompt
    reason = _rules(APART_ES)["boundaries-unclear"].reason
    assert reason != _rules(core_es)["boundaries-unclear"].reason
    assert "distancia" in reason


def test_a_spanish_recommendation_from_the_folder() -> None:
    """The Spanish pack gives the new step and its reason in Spanish."""
    rec = trustkit.recommend_next_step({"distance_strain": 5}, pack=APART_ES)
    assert rec.step.title == "Mantén la cercanía a pesar de la distancia"
    assert rec.reasons[0].startswith("Estar lejos te está pesando.")


# ------------------------------------------------------------------ the installed distribution


def test_the_distribution_metadata_matches_the_pack() -> None:
    """pyproject.toml names the pack folder under trustkit.packs, at the pack's version."""
    with (DIST / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    assert project["name"] == "trustkit-pack-apart"
    assert project["version"] == APART.version
    assert project["entry-points"]["trustkit.packs"] == {"apart": "trustkit_pack_apart.data"}


@pytest.mark.usefixtures("installed")
def test_available_packs_lists_the_installed_pack() -> None:
    """available_packs shows apart with its version, title, base and locales."""
    infos = {info.id: info for info in trustkit.available_packs()}
    info = infos["apart"]
    assert (info.version, info.title) == ("1.0.0", "Living apart")
    assert info.extends == "core >=1,<2"
    assert info.locales == ("es",)
    assert info.source == "apart = trustkit_pack_apart.data"


@pytest.mark.usefixtures("installed")
def test_loading_by_id_gives_core_then_apart_without_importing_it() -> None:
    """load_pack('apart') finds the folder and its base, and runs nothing from the package."""
    pack = trustkit.load_pack("apart")
    assert pack.packs == (PackRef("core", "1.2.0"), PackRef("apart", "1.0.0"))
    assert "trustkit_pack_apart" not in sys.modules


@pytest.mark.usefixtures("installed")
def test_loading_by_id_and_by_folder_give_the_same_pack() -> None:
    """The installed pack and the folder in the repository are the same pack."""
    assert trustkit.load_pack("apart") == APART


@pytest.mark.usefixtures("installed")
def test_the_installed_pack_in_spanish() -> None:
    """load_pack('apart', locale='es') gives Spanish titles for the new step."""
    pack = trustkit.load_pack("apart", locale="es")
    rec = trustkit.recommend_next_step({"distance_strain": 5}, pack=pack)
    assert rec.step.id == "stay_connected"
    assert rec.step.title == "Mantén la cercanía a pesar de la distancia"
