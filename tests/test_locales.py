"""Translations: the Spanish core pack, fallback item by item, and locale-file errors."""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from tests.conftest import PACK_TOML, Overlay
from tests.strategies import role_and_answers
from trustkit import AnswerError, PackError
from trustkit._engine.emergency import fill_step
from trustkit._pack.load import bundled_root
from trustkit._pack.translate import TRANSLATABLE, canonical_tag
from trustkit._roles import for_role, role_field

CORE = trustkit.default_pack()
SPANISH = CORE.localized("es")


def _texts(pack: trustkit.ContentPack) -> dict[tuple[str, str, str], object]:
    found: dict[tuple[str, str, str], object] = {}
    items: dict[str, Sequence[Any]] = {
        "steps": pack.steps,
        "actions": [a for s in pack.steps for a in s.actions],
        "dimensions": pack.dimensions,
        "questions": pack.questions,
        "rules": pack.rules,
        "resources": pack.resources,
    }
    for kind, things in items.items():
        for thing in things:
            for field in TRANSLATABLE[kind]:
                value = getattr(thing, field)
                if value:
                    found[kind, thing.id, field] = value
    for field in TRANSLATABLE["messages"]:
        found["messages", "", field] = getattr(pack.messages, field)
    return found


def test_every_core_text_has_a_spanish_translation() -> None:
    """The Spanish locale covers every translatable text of the core pack."""
    english, spanish = _texts(CORE), _texts(SPANISH)
    assert english.keys() == spanish.keys()
    table = {(k, i, f) for k, i, f, _ in SPANISH.translations[0].texts}
    # A helpline's name stays as the service writes it, unless it is only a description.
    missing = sorted(
        key for key in english if key not in table and key[::2] != ("resources", "name")
    )
    assert missing == []
    assert CORE.locales == ("es",)
    assert CORE.translations == ()  # read only when Spanish is first asked for
    assert SPANISH.locale == "es"
    assert SPANISH.locale_files == ()


def test_spanish_recommendations_read_in_spanish() -> None:
    """Step, reasons and templates come out in Spanish; ids and numbers stay the same."""
    rec = trustkit.recommend_next_step({"feels_heard": 1}, locale="es")
    english = trustkit.recommend_next_step({"feels_heard": 1})
    assert rec.rule_id == english.rule_id
    assert rec.step.id == english.step.id
    # The partner answered: the step's title is the partner's version, in Spanish.
    assert rec.step.title == SPANISH.step("validation").title_partner != english.step.title
    assert rec.reasons[1] == SPANISH.messages.answer_scale.format(
        prompt=SPANISH.question("feels_heard").prompt, value=1
    )


@pytest.mark.parametrize("tag", ["es-MX", "ES", "es_MX", "es-419", "es_es", " es-Latn-MX "])
def test_regional_tags_fall_back_to_the_language(tag: str) -> None:
    """es-MX uses the Spanish texts (there is no Mexican file), and says so; one cached pack."""
    assert CORE.localized(tag).step("educate").title == SPANISH.step("educate").title
    assert CORE.localized(tag).locale == "es"
    assert CORE.localized(tag) is CORE.localized("es")
    rec = trustkit.recommend_next_step({"feels_heard": 1}, locale=tag)
    assert rec.locale == "es"
    assert rec.step.title == SPANISH.step("validation").title_partner


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [
        ("ES", "es"),
        ("es_mx", "es-MX"),
        ("zh_hant_tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("EN-gb-OXENDICT", "en-GB-oxendict"),
        ("spa", "spa"),
    ],
)
def test_tags_are_read_in_their_usual_case(tag: str, canonical: str) -> None:
    """BCP 47 case: language lower, script title, region upper; '_' is read as '-'."""
    assert canonical_tag(tag) == canonical


@pytest.mark.parametrize("tag", ["fr", "zz", "spa", "EN-US", "en"])
def test_an_unknown_locale_falls_back_to_the_pack_itself(tag: str) -> None:
    """With no translation at all, the pack's own texts are used, and the result says so."""
    assert CORE.localized(tag) is CORE
    assert trustkit.load_pack("core", locale=tag) == CORE
    assert trustkit.recommend_next_step({"feels_heard": 1}, locale=tag).locale == "en"


@pytest.mark.parametrize(
    "tag", ["", "  ", "e", "español", "es--MX", "es-", "1es", "es-toolongtag", 3]
)
def test_a_malformed_locale_is_an_answer_error(tag: object) -> None:
    """Not a language tag at all: a clear error naming the locale, never silent English."""
    with pytest.raises(AnswerError) as info:
        trustkit.recommend_next_step({"feels_heard": 1}, locale=tag)  # type: ignore[arg-type]
    [problem] = info.value.problems
    assert problem.field == "locale"
    assert "BCP 47" in problem.expected
    with pytest.raises(AnswerError):
        CORE.localized(tag)  # type: ignore[arg-type]


@pytest.mark.slow
@given(
    st.sampled_from(["es", "ES", "es-MX", "es_AR", "en", "fr", "de-DE", "xx"]),
    role_and_answers(),
)
def test_a_recommendation_says_which_language_it_is_in(
    tag: str, role_answers: tuple[trustkit.Role, dict[str, Any]]
) -> None:
    """rec.locale is the pack's locale after localizing, and the texts match that pack."""
    role, answers = role_answers
    rec = trustkit.recommend_next_step(answers, respondent=role, locale=tag)
    pack = CORE.localized(tag)
    assert rec.locale == pack.locale
    assert rec.locale in {"en", "es"}
    shown = fill_step(pack.step(rec.step.id), pack.messages.emergency_elsewhere)
    versions: dict[str, Any] = {
        role_field(n, r): "" for n in ("title", "summary") for r in trustkit.Role
    }
    mine: dict[str, Any] = {n: for_role(shown, n, role) for n in ("title", "summary")}
    assert rec.step == attrs.evolve(shown, actions=rec.step.actions, **versions, **mine)


def test_missing_translations_fall_back_field_by_field() -> None:
    """Only what a locale translates changes; everything else keeps the original text."""
    partial = trustkit.models.Translation(
        locale="xx",
        texts=(
            ("steps", "educate", "title", "XX title"),
            ("messages", "", "score", "{label}={value}"),
        ),
    )
    pack = attrs.evolve(CORE, translations=(*CORE.translations, partial))
    local = pack.localized("xx")
    assert local.step("educate").title == "XX title"
    assert local.step("educate").summary == CORE.step("educate").summary
    assert local.step("patience") == CORE.step("patience")
    assert local.messages.score == "{label}={value}"
    assert local.messages.answer_yes == CORE.messages.answer_yes


@pytest.mark.parametrize(
    ("texts", "field", "message"),
    [
        ((("widgets", "x", "title", "t"),), "", "not something a locale can translate"),
        ((("steps", "nope", "title", "t"), ("steps", "nope", "why", "w")), "", "unknown step id"),
        ((("steps", "educate", "id", "t"),), "id", "not a field a locale can translate"),
        ((("steps", "educate", "title", ""),), "title", "a text"),
        ((("steps", "educate", "pitfalls", ("one",)),), "pitfalls", "a list of 3 texts"),
        ((("messages", "", "score", "{label"),), "score", "braces"),
        ((("messages", "", "score", "{lable}"),), "score", "unknown placeholder"),
    ],
)
def test_bad_translations_are_pack_errors(
    texts: tuple[tuple[str, str, str, trustkit.models.Text], ...], field: str, message: str
) -> None:
    """A translation is checked like any other pack content."""
    bad = trustkit.models.Translation(locale="xx", texts=texts)
    with pytest.raises(PackError) as info:
        trustkit.check_pack(attrs.evolve(CORE, translations=(*CORE.translations, bad)))
    (problem,) = info.value.problems
    assert (problem.file, problem.field) == ("<core>/locales/xx.toml", field)
    assert message in problem.message


@pytest.mark.parametrize(
    ("words", "field", "message"),
    [
        ({"word_yes": "no", "word_no": "sí"}, "word_yes", "this one means no"),
        ({"word_no": "Sí"}, "word_no", "this one means yes"),
        ({"word_yes": "nein"}, "word_yes", "this one means no"),
        ({"word_yes": " ", "word_no": "no"}, "word_yes", "not a blank one"),
        ({"word_yes": "si", "word_no": "non"}, None, None),
        ({"word_no": " "}, "word_no", "not a blank one"),
        ({"word_yes": "sí", "word_no": "SI"}, "word_no", "one word cannot mean both"),
        ({"word_yes": "NO"}, "word_yes", "one word cannot mean both"),
    ],
)
def test_a_locale_cannot_change_what_an_answer_means(
    words: dict[str, str], field: str | None, message: str | None
) -> None:
    """Words for yes and no that swap, vanish or mean both are unsafe, named where they are."""
    texts = tuple(("messages", "", name, word) for name, word in words.items())
    texts += (("steps", "educate", "title", "T"),)
    translated = trustkit.models.Translation(
        locale="xx", texts=texts, lines=tuple(range(1, len(texts) + 1))
    )
    pack = attrs.evolve(CORE, translations=(*CORE.translations, translated))
    if field is None:
        trustkit.check_pack(pack)
        return
    with pytest.raises(PackError) as info:
        trustkit.check_pack(pack)
    (problem,) = info.value.problems
    assert (problem.file, problem.item, problem.field) == (
        "<core>/locales/xx.toml",
        "messages",
        field,
    )
    assert problem.line == list(words).index(field) + 1
    assert problem.code is trustkit.ProblemCode.UNSAFE
    assert message is not None
    assert message in problem.message


def test_a_pack_cannot_swap_its_own_words_for_yes_and_no() -> None:
    """The pack's own messages are held to the same rule as a locale's."""
    messages = attrs.evolve(CORE.messages, word_yes="no", word_no="yes")
    with pytest.raises(PackError) as info:
        trustkit.check_pack(attrs.evolve(CORE, messages=messages))
    (problem,) = info.value.problems
    assert (problem.field, problem.code) == ("word_yes", trustkit.ProblemCode.UNSAFE)


def test_words_given_as_lists_are_reported_once_as_not_texts() -> None:
    """A word that is not a text is a type problem only, not also an unsafe one."""
    bad = trustkit.models.Translation(locale="xx", texts=(("messages", "", "word_yes", ("no",)),))
    with pytest.raises(PackError) as info:
        trustkit.check_pack(attrs.evolve(CORE, translations=(*CORE.translations, bad)))
    assert [p.code for p in info.value.problems] == [trustkit.ProblemCode.WRONG_TYPE]


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    source = bundled_root("core")
    assert isinstance(source, Path)
    root = tmp_path / "copy"
    shutil.copytree(source, root)
    return root


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("fr.toml", "[steps.educate]\ntitle = 3\n", "expected a text"),
        ("fr.toml", "[steps.educate\n", "not valid TOML"),
        ("not a tag.toml", "", "BCP 47"),
        (
            "fr.toml",
            "[steps.educate]\ntitle = 'Titre'\n[questions.nope]\nprompt = 'x'\n",
            "unknown question id",
        ),
    ],
)
def test_locale_files_are_checked_with_their_location(
    copied: Path, name: str, text: str, message: str
) -> None:
    """Locale files report problems with their file name and line."""
    (copied / "locales" / name).write_text(text, encoding="utf-8")
    (copied / "locales" / "README.txt").write_text("not a locale", encoding="utf-8")
    with pytest.raises(PackError) as info:
        trustkit.load_pack(copied).localized("fr")  # a bad file name fails already on load
    assert any(message in p.message and f"locales/{name}" in p.file for p in info.value.problems)
    # trustkit pack check reads every locale file, so authors see these at once.
    from trustkit._cli import main

    out = io.StringIO()
    assert main(["pack", "check", str(copied)], stdout=out) == 1
    assert message in out.getvalue()


def test_a_spanish_locale_file_that_swaps_si_and_no_is_refused(copied: Path) -> None:
    """The issue's case: "sí" read as no would send a disclosure to the catch-all."""
    path = copied / "locales" / "es.toml"
    text = path.read_text(encoding="utf-8")
    assert 'word_yes = "sí"\nword_no = "no"\n' in text
    path.write_text(
        text.replace('word_yes = "sí"\nword_no = "no"\n', 'word_yes = "no"\nword_no = "sí"\n'),
        encoding="utf-8",
    )
    line = text[: text.index("word_yes")].count("\n") + 1
    with pytest.raises(PackError) as info:
        trustkit.load_pack(copied).localized("es")
    (problem,) = info.value.problems
    assert problem.file.endswith("locales/es.toml")
    assert (problem.field, problem.code) == ("word_yes", trustkit.ProblemCode.UNSAFE)
    assert problem.line is not None
    assert problem.line <= line
    from trustkit._cli import main

    out = io.StringIO()
    assert main(["pack", "check", str(copied)], stdout=out) == 1
    assert "word_yes: a word for yes: this one means no" in out.getvalue()
    with pytest.raises(PackError):
        trustkit.recommend_next_step(
            {"afraid_of_partner": True}, pack=trustkit.load_pack(copied), locale="es"
        )


def test_an_overlay_may_not_change_the_language(overlay: Overlay) -> None:
    """An overlay's texts are in its base's language; other languages go in locales/."""
    root = overlay("fr", pack=PACK_TOML.format(id="fr", extends="core >=1") + 'locale = "fr"\n')
    with pytest.raises(PackError, match="base's language"):
        trustkit.load_pack(root)


def test_overrides_that_fail_to_parse_are_reported(overlay: Overlay) -> None:
    """A broken overrides.toml is named like any other file."""
    root = overlay("o", overrides="[steps.patience\n")
    with pytest.raises(PackError) as info:
        trustkit.load_pack(root)
    assert [p.file for p in info.value.problems] == ["o/overrides.toml"]


def test_a_locale_with_no_texts_applies_nothing_and_says_so() -> None:
    """An empty translation changes no text, so the pack keeps its own locale."""
    empty = trustkit.models.Translation(locale="xx", texts=())
    pack = attrs.evolve(CORE, translations=(*CORE.translations, empty))
    assert pack.localized("xx").locale == "en"
    assert pack.localized("xx").steps == CORE.steps
    assert pack.localized("es-MX").locale == "es"


def test_the_locale_cache_is_bounded_and_keyed_by_the_tag_applied() -> None:
    """es, ES, es-MX and es_MX read es.toml once and share one pack; endless distinct
    tags asked for keep at most MAX_REQUESTED_TAGS entries."""
    from trustkit._pack import locales

    pack = trustkit.load_pack("core")
    with mock.patch.object(locales, "read_locale_file", wraps=locales.read_locale_file) as read:
        spanish = {pack.localized(tag) for tag in ("es", "ES", "es-MX", "es_MX", "es-mx")}
        assert read.call_count == 1
    assert len({id(p) for p in spanish}) == 1
    for n in range(500):
        assert pack.localized(f"es-x{n:03d}") is pack.localized("es")
        assert pack.localized(f"fr-x{n:03d}") is pack
    assert len(pack._localized) <= locales.MAX_REQUESTED_TAGS + 1
    assert pack._localized["es"] is pack.localized("es_MX")
