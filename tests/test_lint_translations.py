"""Lint and `pack check`: missing translations and locale files that no one would get."""

from __future__ import annotations

import io
from typing import TypeVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from tests.conftest import Overlay
from trustkit import LintWarning
from trustkit._cli import MAX_LISTED, main
from trustkit._engine.lint import UNTRANSLATED, translation_warnings
from trustkit._pack.translate import TRANSLATABLE
from trustkit.models import Translation

CORE = trustkit.default_pack()
T = TypeVar("T")
REST_STEP = '[[steps]]\nid = "rest"\ntitle = "Rest"\nsummary = "S."\nwhy = "W."\n' + "".join(
    f'[[steps.actions]]\nid = "rest-{n}"\ntitle = "T{n}"\nhow = "H."\nminutes = 5\nwho = "either"\n'
    for n in range(3)
)
REST_RULE = (
    '[[rules]]\nid = "rest-now"\nstep = "rest"\npriority = 200\nreason = "Rest."\n'
    'when = { answer = "stuck", op = ">=", value = 5 }\n'
)


def codes(warnings: tuple[LintWarning, ...], code: str) -> dict[tuple[str | None, str], str]:
    return {(w.locale, w.item): w.message for w in warnings if w.code == code}


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdout=out, stderr=io.StringIO())
    return code, out.getvalue()


def test_the_bundled_translation_is_complete() -> None:
    """Every core text has a Spanish translation, resource names aside."""
    assert translation_warnings(CORE) == ()
    assert {(kind, f) for kind, fields in TRANSLATABLE.items() for f in fields} >= UNTRANSLATED


def test_an_overlays_new_texts_are_missing_per_locale_and_item(overlay: Overlay) -> None:
    """Each untranslated field is a warning naming the item, the field and the file to use."""
    root = overlay(
        "rest", steps=REST_STEP, rules=REST_RULE, locales__es='[steps.rest]\ntitle = "Descanso"\n'
    )
    warnings = trustkit.lint_pack(trustkit.load_pack(root))
    missing = [w for w in warnings if w.code == "missing-translation"]
    assert {(w.item, w.message.split("'")[1]) for w in missing} == {
        ("steps.rest", "summary"),
        ("steps.rest", "why"),
        *((f"actions.rest-{n}", field) for n in range(3) for field in ("title", "how")),
        ("rules.rest-now", "reason"),
    }
    assert {(w.file, w.locale, w.line) for w in missing} == {("rest/locales/es.toml", "es", None)}
    assert str(missing[0]).startswith("rest/locales/es.toml: missing-translation: actions.rest-0:")
    assert "shows the pack's own" in missing[0].message


def test_a_missing_file_is_named_where_the_text_belongs(overlay: Overlay) -> None:
    """An overlay's items belong in its own locale file, even before it exists."""
    root = overlay("rest", steps=REST_STEP, rules=REST_RULE)
    missing = [w for w in trustkit.lint_pack(trustkit.load_pack(root)) if w.locale == "es"]
    assert {w.file for w in missing} == {"rest/locales/es.toml"}


def test_a_new_language_in_an_overlay_is_where_base_texts_go(overlay: Overlay) -> None:
    """The core texts an overlay's new language misses go in that overlay's file."""
    root = overlay("french", locales__fr='[steps.educate]\ntitle = "Comprendre"\n')
    warnings = codes(trustkit.lint_pack(trustkit.load_pack(root)), "missing-translation")
    assert ("fr", "steps.educate") in warnings  # summary, why, ... are still missing
    assert "'title'" not in warnings["fr", "steps.educate"]
    assert ("fr", "messages") in warnings
    files = {w.file for w in trustkit.lint_pack(trustkit.load_pack(root)) if w.locale == "fr"}
    assert files == {"french/locales/fr.toml"}


def test_a_regional_file_is_checked_through_its_language(overlay: Overlay) -> None:
    """es-MX falls back to es, so it is not checked for gaps of its own."""
    root = overlay("mx", **{"locales__es-MX": '[steps.educate]\ntitle = "Entiende"\n'})
    assert translation_warnings(trustkit.load_pack(root)) == ()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("pt-BR", "only 'pt-BR' gets these texts; 'pt' and its other variants get the pack's own"),
        ("ES", "name it es.toml: a locale file is named by its canonical BCP 47 tag"),
        ("es-mx", "name it es-MX.toml"),
        ("en", "never used: the pack's own texts are already in 'en'"),
        ("en-UK", "'UK' is not an ISO 3166-1 region, so no one asks for 'en-UK'"),
        ("zh-Hant", "only 'zh-Hant' gets these texts; 'zh' and its other variants get"),
    ],
)
def test_locale_files_no_one_would_get(overlay: Overlay, name: str, message: str) -> None:
    """A file named off the canonical tag, for the pack's own language or a lone region."""
    root = overlay("odd", **{f"locales__{name}": '[steps.educate]\ntitle = "T"\n'})
    warnings = codes(trustkit.lint_pack(trustkit.load_pack(root)), "unknown-locale-file")
    assert list(warnings) == [(name, name)]
    assert warnings[name, name].startswith(message)


@pytest.mark.parametrize("name", ["es-ES", "en-GB", "es-419", "en-Latn-GB"])
def test_locale_files_that_are_fine(overlay: Overlay, name: str) -> None:
    """A region next to its language, the pack's own language in a region, a script."""
    root = overlay("fine", **{f"locales__{name}": '[steps.educate]\ntitle = "T"\n'})
    assert codes(trustkit.lint_pack(trustkit.load_pack(root)), "unknown-locale-file") == {}


def test_translations_made_in_python_have_no_file() -> None:
    """A pack built in code: warnings name no file, and its translations are not files."""

    def bare(item: T) -> T:
        return attrs.evolve(item, origin=None)  # type: ignore[misc]

    pack = attrs.evolve(
        CORE,
        steps=tuple(
            attrs.evolve(bare(s), actions=tuple(bare(a) for a in s.actions)) for s in CORE.steps
        ),
        dimensions=tuple(bare(d) for d in CORE.dimensions),
        questions=tuple(
            attrs.evolve(bare(q), options=tuple(bare(o) for o in q.options)) for q in CORE.questions
        ),
        rules=tuple(bare(r) for r in CORE.rules),
        resources=tuple(bare(r) for r in CORE.resources),
        plans=tuple(bare(p) for p in CORE.plans),
        messages=bare(CORE.messages),
        locale_files=(),
        translations=(Translation("fr", (("steps", "educate", "title", "Comprendre"),)),),
    )
    warnings = translation_warnings(pack)
    assert warnings
    assert {(w.code, w.file, w.locale) for w in warnings} == {("missing-translation", None, "fr")}


@given(fields=st.sets(st.sampled_from(TRANSLATABLE["steps"]), max_size=5))
def test_each_translated_field_is_no_longer_missing(fields: set[str]) -> None:
    """The missing fields of an item are exactly those its translation leaves out."""
    step = CORE.step("educate")
    texts = tuple(("steps", "educate", f, getattr(step, f)) for f in fields)
    pack = attrs.evolve(CORE, locale_files=(), translations=(Translation("fr", texts),))
    missing = {
        w.message.split("'")[1] for w in translation_warnings(pack) if w.item == "steps.educate"
    }
    # A text the step leaves empty (a role's version it does not need) is never missing.
    assert missing == {f for f in TRANSLATABLE["steps"] if getattr(step, f)} - fields


# ---------------------------------------------------------------------------- pack check


@pytest.mark.slow
def test_pack_check_sums_up_a_locale_that_misses_many(overlay: Overlay) -> None:
    """Over MAX_LISTED missing texts: one line for the locale; --verbose lists each."""
    root = overlay("rest", steps=REST_STEP, rules=REST_RULE)
    code, out = run("pack", "check", str(root))
    assert code == 0
    lines = [line for line in out.splitlines() if "missing-translation" in line]
    assert lines == [
        "warning: rest/locales/es.toml: missing-translation: 10 texts have no 'es' translation "
        "and show the pack's own (the first: actions.rest-0); --verbose lists each, and "
        "--skip-locale es leaves them out"
    ]
    assert out.endswith("core 1.2.0, rest 1.0.0: no errors, 10 warnings\n")
    code, verbose = run("pack", "check", str(root), "--verbose")
    listed = [line for line in verbose.splitlines() if "missing-translation" in line]
    assert len(listed) == 10 > MAX_LISTED
    assert listed[0] == (
        "warning: rest/locales/es.toml: missing-translation: actions.rest-0: 'title' has no "
        "'es' text, so it shows the pack's own"
    )


def test_pack_check_lists_a_few_missing_texts_one_by_one(overlay: Overlay) -> None:
    """A locale that misses only a few texts gets one line each, with the locale file."""
    root = overlay("few", rules=REST_RULE.replace('step = "rest"', 'step = "patience"'))
    _, out = run("pack", "check", str(root))
    assert (
        "warning: few/locales/es.toml: missing-translation: rules.rest-now: 'reason' has no 'es' "
        "text, so it shows the pack's own\n" in out
    )


def test_pack_check_names_an_odd_locale_file(overlay: Overlay) -> None:
    """unknown-locale-file names the file and says what to do."""
    root = overlay("odd", **{"locales__pt-BR": '[steps.educate]\ntitle = "Entenda"\n'})
    _, out = run("pack", "check", str(root))
    assert (
        "warning: odd/locales/pt-BR.toml: unknown-locale-file: pt-BR: only 'pt-BR' gets these "
        "texts; 'pt' and its other variants get the pack's own: name it pt.toml, or add one\n"
    ) in out
    assert "missing-translation: " in out  # and pt-BR is checked for gaps itself
