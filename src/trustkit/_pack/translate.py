"""Applying a pack's translations: every text falls back to the original, one by one."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs

from trustkit._pack.spec import TRANSLATABLE

if TYPE_CHECKING:
    from trustkit.models import ContentPack, Text

__all__ = ["TRANSLATABLE", "available", "canonical_tag", "fallbacks", "localize"]


_SUBTAG = re.compile(r"[A-Za-z0-9]{1,8}\Z")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}\Z")
_PROBLEM = "a BCP 47 language tag such as 'es' or 'es-MX'"


def canonical_tag(locale: object) -> str:
    """A BCP 47 tag in its usual case, with ``_`` read as ``-``.

    ``"ES"`` gives ``"es"``, ``"es_mx"`` gives ``"es-MX"`` and ``"zh_hant_tw"``
    gives ``"zh-Hant-TW"``: the language in lower case, a four-letter script in
    title case, a region in upper case.

    Raises:
        AnswerError: It is not a language tag (empty, or not letters and digits
            in subtags of 1 to 8, starting with a two- or three-letter language).
            The message does not repeat it.
    """
    from trustkit.errors import AnswerError, AnswerProblem, ProblemCode  # noqa: PLC0415

    subtags = locale.strip().replace("_", "-").split("-") if isinstance(locale, str) else []
    if not subtags or not _LANGUAGE.match(subtags[0]):
        raise AnswerError([AnswerProblem("locale", _PROBLEM, code=ProblemCode.INVALID_VALUE)])
    out = [subtags[0].lower()]
    for sub in subtags[1:]:
        if not _SUBTAG.match(sub):
            raise AnswerError([AnswerProblem("locale", _PROBLEM, code=ProblemCode.INVALID_VALUE)])
        if len(sub) == 4 and sub.isalpha():
            out.append(sub.title())
        elif (len(sub) == 2 and sub.isalpha()) or (len(sub) == 3 and sub.isdigit()):
            out.append(sub.upper())
        else:
            out.append(sub.lower())
    return "-".join(out)


def available(pack: ContentPack, locale: str) -> str:
    """The locale a pack can give for a canonical tag: the tag, its language, or the pack's own.

    ``"es-MX"`` gives ``"es-MX"`` where the pack has texts for it, otherwise ``"es"``
    where it has Spanish texts, otherwise the pack's own locale (untranslated).
    """
    have = {t.locale.lower() for t in pack.translations}
    have |= {f.locale.lower() for f in pack.locale_files}
    for tag in fallbacks(locale):
        if tag == pack.locale.lower():
            return pack.locale
        if tag in have:
            return canonical_tag(tag)
    return pack.locale


def fallbacks(locale: str) -> list[str]:
    """The tags to try for a locale, most specific first: ``es-MX`` gives ``es-mx``, ``es``."""
    tag = locale.lower()
    tags = [tag]
    while "-" in tag:
        tag = tag.rsplit("-", 1)[0]
        tags.append(tag)
    return tags


def _apply(item: Any, kind: str, texts: dict[tuple[str, str, str], Text]) -> Any:
    changes = {
        field: texts[kind, item.id, field]
        for field in TRANSLATABLE[kind]
        if (kind, item.id, field) in texts
    }
    return attrs.evolve(item, **changes) if changes else item


def _question(question: Any, texts: dict[tuple[str, str, str], Text]) -> Any:
    """A question translated, with its options' labels (``[options."<question>.<code>"]``)."""
    translated = _apply(question, "questions", texts)
    if not question.options:
        return translated
    options = tuple(
        attrs.evolve(o, label=texts.get(("options", f"{question.id}.{o.code}", "label"), o.label))
        for o in question.options
    )
    return attrs.evolve(translated, options=options)


def localize(pack: ContentPack, locale: str) -> ContentPack:
    """The pack with its texts translated into ``locale`` where a translation exists."""
    tags = fallbacks(locale)
    texts: dict[tuple[str, str, str], Text] = {}
    for tag in reversed(tags):  # the language first, so the region's own texts win
        for translation in pack.translations:  # base first, so overlays' texts win
            if translation.locale.lower() == tag:
                texts.update(translation.lookup())
    if not texts:
        return pack
    steps = tuple(
        attrs.evolve(
            _apply(step, "steps", texts),
            actions=tuple(_apply(a, "actions", texts) for a in step.actions),
        )
        for step in pack.steps
    )
    message_changes: dict[str, Any] = {
        field: texts["messages", "", field]
        for field in TRANSLATABLE["messages"]
        if ("messages", "", field) in texts
    }
    return attrs.evolve(
        pack,
        locale=locale,
        steps=steps,
        dimensions=tuple(_apply(d, "dimensions", texts) for d in pack.dimensions),
        questions=tuple(_question(q, texts) for q in pack.questions),
        rules=tuple(_apply(r, "rules", texts) for r in pack.rules),
        resources=tuple(_apply(r, "resources", texts) for r in pack.resources),
        plans=tuple(_apply(p, "plans", texts) for p in pack.plans),
        messages=attrs.evolve(pack.messages, **message_changes),
    )
