"""Finding packs (bundled, installed, folders) and loading them with their bases and overlays."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from trustkit._pack.load import Parts, build_base, bundled_root, read_parts
from trustkit._pack.validate import check_pack
from trustkit._public import public
from trustkit._vocabulary import did_you_mean
from trustkit.errors import PackError, PackProblem, ProblemCode
from trustkit.models import ContentPack, Origin

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from trustkit._pack.overlay import Changed

    Source = str | os.PathLike[str] | Traversable
    """A pack: a bundled or installed pack's id, a folder, or an importlib.resources folder."""

ENTRY_POINT_GROUP = "trustkit.packs"
"""The entry-point group installed packs register under."""

MAX_OVERLAY_DEPTH = 8
"""How many packs a chain of ``extends`` may hold."""

BUNDLED = ("core",)

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


def _folder(dotted: str) -> Traversable | None:
    """The folder of a dotted package path, found without importing (running) anything."""
    import importlib.util  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    if not _DOTTED.match(dotted):
        return None
    top, *rest = dotted.split(".")
    spec = importlib.util.find_spec(top)  # a top-level name: found, not executed
    locations = spec.submodule_search_locations if spec is not None else None
    for location in locations or ():
        path = Path(location).joinpath(*rest)
        if path.is_dir():
            return path
    return None


def installed() -> dict[str, tuple[str, Traversable | None]]:
    """Installed packs by id: the entry point's text and the folder it names (if found)."""
    from importlib.metadata import entry_points  # noqa: PLC0415  (slow to import)

    found: dict[str, tuple[str, Traversable | None]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, (f"{ep.name} = {ep.value}", _folder(ep.value)))
    return found


def resolve(source: Source) -> tuple[Traversable, str]:
    """The folder of a pack given by id, path or Traversable, and a label for messages."""
    from pathlib import Path  # noqa: PLC0415  (not needed for the bundled pack's snapshot)

    if not isinstance(source, str | os.PathLike):
        return source, source.name
    text = os.fspath(source)
    if isinstance(source, str) and _NAME.match(text):
        # An id names a bundled or installed pack first, and a folder only if there is none.
        if text in BUNDLED:
            return bundled_root(text), text
        entry = installed().get(text)
        if entry is not None and entry[1] is not None:
            return entry[1], text
        if not Path(text).is_dir():
            known = [*BUNDLED, *installed()]
            why = (
                f"no such pack is bundled or installed{did_you_mean(text, known)}"
                if entry is None
                else f"its entry point ({entry[0]}) names no folder"
            )
            raise PackError([PackProblem(text, "", "", why, code=ProblemCode.UNKNOWN_REFERENCE)])
    root = Path(source)
    if not root.is_dir():
        raise PackError(
            [
                PackProblem(
                    text,
                    "",
                    "",
                    "not a folder holding a content pack",
                    code=ProblemCode.INVALID_FILE,
                )
            ]
        )
    return root, root.name


class _Loader:
    def __init__(self, ordered: bool) -> None:
        self.ordered = ordered
        self.changed: Changed = {}
        self.moved: dict[tuple[str, str, str], Origin] = {}
        self.lineage: dict[str, set[str]] = {}

    def overlay(self, base: ContentPack, parts: Parts) -> ContentPack:
        from trustkit._pack.overlay import apply_overlay  # noqa: PLC0415  (only for overlays)

        base_id = parts.extends[0] if parts.extends else ""
        ancestors = {base_id} | self.lineage.get(base_id, set())
        self.lineage[parts.id] = ancestors
        return apply_overlay(
            base,
            parts,
            changed=self.changed,
            ancestors=ancestors,
            ordered=self.ordered,
            moved=self.moved,
        )

    def load(self, source: Source, chain: tuple[str, ...] = ()) -> ContentPack:
        root, label = resolve(source)
        parts = read_parts(root, label)
        if parts.extends is None:
            self.lineage[parts.id] = set()
            return build_base(parts)
        base_id = parts.extends[0]
        if not base_id:  # a malformed 'extends': nothing to load it onto
            raise PackError(parts.problems)
        where = f"{label}/pack.toml"
        if base_id in (*chain, parts.id):
            cycle = " -> ".join((*chain, parts.id, base_id))
            raise PackError(
                [
                    PackProblem(
                        where,
                        "",
                        "extends",
                        f"packs extend in a cycle: {cycle}",
                        code=ProblemCode.CYCLE,
                    )
                ]
            )
        if len(chain) >= MAX_OVERLAY_DEPTH:
            raise PackError(
                [
                    PackProblem(
                        where,
                        "",
                        "extends",
                        f"more than {MAX_OVERLAY_DEPTH} packs extend one another",
                        code=ProblemCode.TOO_LARGE,
                    )
                ]
            )
        base = self.load(base_id, (*chain, parts.id))
        return self.overlay(base, parts)


@public
def load_pack(
    source: Source,
    *overlays: Source,
    locale: str | None = None,
    ordered: bool = False,
) -> ContentPack:
    """Read a content pack, with the pack it extends and any further overlays.

    Added in version 0.1.0.

    Changed in version 0.2.0: packs that extend others, ``overlays``,
    ``locale`` and ``ordered``.

    Args:
        source: A pack: the id of a bundled or installed pack (``"core"``), a
            folder path, or an `importlib.resources` ``Traversable``. If it
            extends another pack, that pack is loaded first, by id.
        *overlays: Overlay packs to apply on top, in order, given the same way.
        locale: Translate the texts into this locale where the packs have a
            translation (see [`ContentPack.localized`][trustkit.models.ContentPack.localized]).
        ordered: When two overlays change the same field of the same item, let
            the later one win instead of raising `PackError`.

    Returns:
        The merged pack, checked as a whole once (after every overlay); its
        ``packs`` names every pack that took part.

    Raises:
        PackError: A pack cannot be found or read, or something in it is wrong.
            Every problem is listed, each with its file, item, field and line.

    Examples:
        >>> import trustkit
        >>> pack = trustkit.load_pack("core", locale="es")
        >>> pack.id, pack.locale
        ('core', 'es')
    """
    loader = _Loader(ordered)
    pack = loader.load(source)
    for overlay in overlays:
        root, label = resolve(overlay)
        parts = read_parts(root, label)
        loaded = {ref.id for ref in pack.packs}
        if parts.extends is None or parts.extends[0] not in loaded:
            what = (
                "extends nothing"
                if parts.extends is None
                else (f"extends {parts.extends[0]!r}, which is not loaded")
            )
            raise PackError(  # with what reading found: a malformed extends, say
                [
                    *parts.problems,
                    PackProblem(
                        f"{label}/pack.toml",
                        "",
                        "extends",
                        f"cannot be applied as an overlay: it {what}",
                        code=ProblemCode.UNKNOWN_REFERENCE,
                    ),
                ]
            )
        pack = loader.overlay(pack, parts)
    check_pack(pack, loader.moved)  # once, after every overlay
    object.__setattr__(pack, "_overridden", loader.moved)  # for lint_pack
    return pack.localized(locale) if locale else pack
