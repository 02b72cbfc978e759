"""Applying a pack's translations: every text falls back to the original, one by one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from trustkit._vocabulary import MESSAGE_TEMPLATES

if TYPE_CHECKING:
    from trustkit.models import ContentPack, Text

TRANSLATABLE: dict[str, tuple[str, ...]] = {
    "steps": ("title", "summary", "why", "signs_of_progress", "pitfalls"),
    "actions": ("title", "how"),
    "dimensions": ("label",),
    "questions": ("prompt",),
    "rules": ("reason",),
    "resources": ("name", "text", "hours", "notes", "audience"),
    "messages": (*MESSAGE_TEMPLATES, "months"),
}
"""The fields a locale file may translate, by kind of item."""


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


def with_locale_files(pack: ContentPack, locale: str) -> ContentPack:
    """The pack with its unread locale files for ``locale`` (and its language) read and checked.

    Raises:
        PackError: A file cannot be read, or a text in it does not fit the pack.
    """
    tags = fallbacks(locale)
    due = [f for f in pack.locale_files if f.locale.lower() in tags]
    if not due:
        return pack
    from trustkit._pack.load import read_locale_file  # noqa: PLC0415  (avoids an import cycle)

    loaded = tuple(read_locale_file(f) for f in due)
    rest = tuple(f for f in pack.locale_files if f not in due)
    return attrs.evolve(pack, translations=(*pack.translations, *loaded), locale_files=rest)


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
        questions=tuple(_apply(q, "questions", texts) for q in pack.questions),
        rules=tuple(_apply(r, "rules", texts) for r in pack.rules),
        resources=tuple(_apply(r, "resources", texts) for r in pack.resources),
        messages=attrs.evolve(pack.messages, **message_changes),
    )
