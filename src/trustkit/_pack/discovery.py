"""Listing the packs that can be loaded by id: the bundled ones and the installed ones."""

from __future__ import annotations

from importlib.resources.abc import Traversable

import attrs

from trustkit._pack import sources
from trustkit._pack.load import bundled_root, read_parts
from trustkit._public import public
from trustkit.errors import PackError, PackProblem, ProblemCode

__all__ = ["PackInfo", "available_packs"]


@attrs.frozen
class PackInfo:
    """A pack that [`load_pack`][trustkit.load_pack] can load by id.

    Added in version 0.2.0.

    Attributes:
        id: The pack's id.
        version: Its version.
        title: Its title.
        extends: What it extends (e.g. ``"core >=1,<2"``), or ``""``.
        locales: The locale files it ships.
        source: ``"bundled"``, or the entry point that installed it.
    """

    id: str
    version: str
    title: str
    extends: str
    locales: tuple[str, ...]
    source: str


def _info(root: Traversable, label: str, source: str) -> PackInfo:
    parts = read_parts(root, label)
    locales = tuple(f.locale for f in parts.locale_files)
    extends = " ".join(parts.extends).strip() if parts.extends else ""
    return PackInfo(parts.id, parts.version, parts.title, extends, locales, source)


@public
def available_packs() -> tuple[PackInfo, ...]:
    """Every pack that can be loaded by id: the bundled one and the installed ones.

    Installed packs register under the entry-point group ``trustkit.packs``;
    nothing in them is imported or run.

    Added in version 0.2.0.

    Raises:
        PackError: An installed pack cannot be read.

    Examples:
        >>> import trustkit
        >>> [info.id for info in trustkit.available_packs()][:1]
        ['core']
    """
    infos = [_info(bundled_root(name), name, "bundled") for name in sources.BUNDLED]
    for pack_id, (entry, folder) in sorted(sources.installed().items()):
        if folder is None:
            raise PackError(
                [
                    PackProblem(
                        pack_id,
                        "",
                        "",
                        f"{entry} names no folder",
                        code=ProblemCode.UNKNOWN_REFERENCE,
                    )
                ]
            )
        infos.append(_info(folder, pack_id, entry))
    return tuple(infos)


# Public as trustkit.PackInfo: reprs and pickles name that, not this private module.
public(PackInfo)
