"""Locale files: finding a pack's ``locales/<tag>.toml`` and reading one into a translation.

A pack's locale files are noted when it is read and parsed only when their
locale is first asked for, by `localized`: the pack layer owns translation, and
[`ContentPack.localized`][trustkit.models.ContentPack.localized] is a thin call
to it.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

import attrs

from trustkit._pack.read import PackFile, keyed_tables, read_file
from trustkit._pack.translate import available, canonical_tag, fallbacks, localize
from trustkit._pack.validate import check_pack, ensure_checked
from trustkit.errors import PackError, PackProblem, ProblemCode
from trustkit.models import ContentPack, LocaleFile, Text, Translation, _localizer

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

_LOCALE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")


def translation(file: PackFile, tag: str, problems: list[PackProblem]) -> Translation:
    """The texts of one parsed locale file."""
    entries: list[tuple[str, str, str, Text]] = []
    lines: list[int | None] = []
    for kind, tables in keyed_tables(file, problems).items():
        for item, (fields, origin) in tables.items():
            for field, raw in fields.items():
                value: Text
                if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
                    value = tuple(raw)
                elif isinstance(raw, str):
                    value = raw
                else:
                    label = f"{kind}.{item}" if item else kind
                    problems.append(
                        PackProblem(
                            file.name,
                            label,
                            field,
                            "expected a text",
                            origin.line,
                            code=ProblemCode.WRONG_TYPE,
                        )
                    )
                    continue
                entries.append((kind, item, field, value))
                lines.append(origin.line)
    return Translation(locale=tag, texts=tuple(entries), file=file.name, lines=tuple(lines))


def locale_files(root: Traversable, label: str, problems: list[PackProblem]) -> list[LocaleFile]:
    """The pack's locale files, unread; a file not named by a BCP 47 tag is a problem."""
    folder = root / "locales"
    if not folder.is_dir():
        return []
    out = []
    for node in sorted(folder.iterdir(), key=lambda n: n.name):
        if not node.name.endswith(".toml"):
            continue
        tag = node.name[: -len(".toml")]
        if not _LOCALE_TAG.match(tag):
            problems.append(
                PackProblem(
                    f"{label}/locales/{node.name}",
                    "",
                    "",
                    "name the file by a BCP 47 tag",
                    code=ProblemCode.INVALID_VALUE,
                )
            )
            continue
        out.append(LocaleFile(tag, f"{label}/locales/{node.name}", folder))
    return out


def read_locale_file(locale_file: LocaleFile) -> Translation:
    """Read one locale file into a translation.

    Raises:
        PackError: The file cannot be read or holds something other than text.
    """
    problems: list[PackProblem] = []
    label, _, name = locale_file.file.rpartition("/")
    file = read_file(locale_file.folder, label, name, problems)
    if file is None:
        raise PackError(problems)
    result = translation(file, locale_file.locale, problems)
    if problems:
        raise PackError(problems)
    if locale_file.disabled_rules:
        kept = [
            (text, line)
            for text, line in zip(result.texts, result.lines, strict=True)
            if not (text[0] == "rules" and text[1] in locale_file.disabled_rules)
        ]
        result = attrs.evolve(
            result, texts=tuple(t for t, _ in kept), lines=tuple(line for _, line in kept)
        )
    return result


def with_locale_files(pack: ContentPack, locale: str) -> ContentPack:
    """The pack with its unread locale files for ``locale`` (and its language) read.

    Raises:
        PackError: A file cannot be read.
    """
    tags = fallbacks(locale)
    due = [f for f in pack.locale_files if f.locale.lower() in tags]
    if not due:
        return pack
    loaded = tuple(read_locale_file(f) for f in due)
    rest = tuple(f for f in pack.locale_files if f not in due)
    return attrs.evolve(pack, translations=(*pack.translations, *loaded), locale_files=rest)


MAX_REQUESTED_TAGS = 64
"""How many tags, as asked for, each pack remembers (the least recently added goes first).

The translated packs themselves are kept by the tag applied (``es`` for
``es``, ``ES``, ``es-MX`` and ``es_MX`` alike): there are at most as many as
the pack has locales. The tags as asked for only save working out which
applies, so a caller that sends endless distinct tags costs no memory."""

_ASKED = "?"  # the prefix of a tag as asked for; no BCP 47 tag starts with it
_remembering = threading.Lock()


def localized(pack: ContentPack, locale: str) -> ContentPack:
    """The pack in another language, where translated; see `ContentPack.localized`.

    The translated pack is checked once (its texts must fit the pack) and cached
    on the pack under the tag applied; the tag asked for is remembered too, for
    the last `MAX_REQUESTED_TAGS` distinct tags.

    Raises:
        AnswerError: ``locale`` is not a language tag.
        PackError: A locale file read now has a problem, or its texts do not fit.
    """
    cache = pack._localized
    given: object = locale  # anything may come from an app: canonical_tag refuses non-text
    asked = _ASKED + given if isinstance(given, str) else None
    cached = cache.get(asked) if asked is not None else None
    if cached is not None:
        return cached
    applied = available(pack, canonical_tag(locale))
    if applied == pack.locale:
        cached = pack
    else:
        cached = cache.get(applied)
        if cached is None:
            read = with_locale_files(pack, applied)
            ensure_checked(read)  # the texts just read (or given in Python) must fit
            cached = localize(read, applied)
            if cached is not read:
                check_pack(cached)
            cache[applied] = cached
    assert asked is not None  # canonical_tag refused anything but text
    with _remembering:
        tags = [key for key in cache if key.startswith(_ASKED)]
        if len(tags) >= MAX_REQUESTED_TAGS:
            del cache[tags[0]]
        cache[asked] = cached
    return cached


_localizer[:] = [localized]  # ContentPack.localized is a thin call to this
