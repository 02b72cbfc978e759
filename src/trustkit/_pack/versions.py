"""Pack versions and version ranges, read as PEP 440 by `packaging`.

A pack's ``version`` is a PEP 440 version with a three-part release
(``1.0.0``, ``1.1.0rc1``, ``2.0.0.post1``). ``extends = "core >=1,<2"`` and
``trustkit = ">=0.1"`` are PEP 440 version ranges (``packaging.specifiers``):
comma-separated conditions with ``==``, ``!=``, ``>=``, ``<=``, ``>``, ``<``
and ``~=``, and ``==1.*`` / ``!=1.*`` wildcards. What each may look like is
declared once, as patterns (`trustkit._pack.spec.VERSION`, ``RANGE`` and
``EXTENDS``, which the JSON Schemas use too): a text is read by `packaging`
only once it matches, so the schema and the loader accept the same texts.

Ranges always admit pre-, post- and development releases of the versions
they cover: ``0.2.0rc1`` satisfies ``>=0.1``, so a release candidate of
trustkit accepts the packs its final release will. PEP 440's exclusive
bounds still hold: ``<2`` admits no ``2.0.0rc1`` or ``2.0.0.dev1`` (they come
before 2.0.0, but belong to the excluded release), and ``>1.0`` admits no
``1.0.post1``.

Every problem is a message for a `PackProblem`, never an exception: texts are
bounded in length before they are parsed, and a number too long for ``int``
(over 4,300 digits) is reported like any other malformed version.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from trustkit._pack.spec import MAX_VERSION_CHARS, RANGE, VERSION

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

MAX_CHARS = MAX_VERSION_CHARS
"""The longest version or version range read; longer ones are refused unread."""

RANGE_EXAMPLE = "'core >=1,<2'"

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_VERSION = re.compile(VERSION)
_RANGE = re.compile(RANGE)


def is_version(text: str) -> bool:
    """Whether a text is a pack version (`trustkit._pack.spec.VERSION`), read without packaging."""
    return len(text) <= MAX_CHARS and _VERSION.fullmatch(text) is not None


def _version(text: str) -> Version | None:
    """Any PEP 440 version as `packaging` reads it (to compare), or None.

    A range may be checked against versions that were never read from a pack
    file (trustkit's own, or a pack built in Python), so this takes any.
    """
    if len(text) > MAX_CHARS or not text.isascii():
        return None
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415  (overlays only)

    try:
        return Version(text)
    except (InvalidVersion, ValueError):  # ValueError: a number over 4,300 digits
        return None


def version_problem(text: str) -> str | None:
    """Why a pack's ``version`` is not a usable version, or None if it is."""
    if is_version(text):
        return None
    return (
        "expected a semantic version such as 1.0.0 (or 1.1.0rc1, 2.0.0.post1: PEP 440, in "
        f"lower case, at most {MAX_CHARS} characters)"
    )


def parse_range(text: str) -> SpecifierSet | None:
    """A version range such as ``">=1,<2"``, or None if it is not one.

    It must match `trustkit._pack.spec.RANGE` (PEP 440 specifiers other than
    ``===``, in lower case, without epochs) and be at most `MAX_CHARS` long.
    """
    if len(text) > MAX_CHARS or _RANGE.fullmatch(text) is None:
        return None
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415

    return SpecifierSet(text)


def range_problem(text: str) -> str | None:
    """Why a version range is malformed, or None if it is fine."""
    if parse_range(text) is None:
        return (
            "expected a version range such as '>=1,<2' (PEP 440: ==, !=, >=, <=, >, <, ~=, "
            "and ==1.* wildcards, separated by commas)"
        )
    return None


def parse_extends(text: str) -> tuple[str, str, str | None]:
    """``"core >=1,<2"`` as ``("core", ">=1,<2", None)``; the last item is a problem, if any.

    The pack id and the range are split on the first space. A missing or
    malformed id gives ``("", "", problem)``; a missing or malformed range
    gives the id, ``""`` and the problem, so the base can still be loaded and
    every problem reported together.
    """
    stripped = text.lstrip(" \t")
    base, _, spec = stripped.partition(" ")
    if len(text) > MAX_CHARS or not _ID.match(base):
        return "", "", f"expected a pack id and a version range, e.g. {RANGE_EXAMPLE}"
    if not spec.strip(" \t"):
        return (
            base,
            "",
            f"add the versions of {base} this pack works with, e.g. '{base} >=1,<2' "
            f"(or '{base} >=0' for any version): a pack that changes its base must say "
            "which releases of it it was written for",
        )
    if parse_range(spec) is None:
        return base, "", f"expected a pack id and a version range, e.g. {RANGE_EXAMPLE}"
    return base, spec.strip(" \t"), None


def satisfies(version: str, spec: str) -> bool:
    """Whether a version is in a range such as ``">=1,<2"`` (an empty range holds every one).

    Pre-, post- and development releases count (``0.2.0rc1`` is in
    ``>=0.1``); a version or range that cannot be read is in no range.
    """
    if not spec.strip():
        return True
    have = _version(version)
    wanted = parse_range(spec)
    if have is None or wanted is None:
        return False
    return wanted.contains(have, prereleases=True)
