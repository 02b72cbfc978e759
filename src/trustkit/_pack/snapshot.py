"""The bundled pack's checked data, as a JSON snapshot that loads without parsing TOML.

`default_pack` is what nearly every process uses, and reading it from its TOML
files (tomllib is pure Python) would cost a fresh process more than importing
trustkit does. So the pack that `load_pack("core")` reads and checks is also
written, at build time, to ``packs/core.json``: every model as a JSON object
tagged with its class, every field (origins included) given. Loading it is one
``json.loads`` (C speed) whose object hook rebuilds each model; nothing in it
is ever executed, and only the classes of `trustkit.models` can be named.

The snapshot can never drift from the TOML sources: a test asserts that what it
gives equals, field by field (origins and locale files included), what reading
the TOML gives. After changing the bundled pack, regenerate it::

    python -m trustkit._pack.snapshot --write
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
from typing import Any, cast

import attrs

import trustkit.models
from trustkit.models import ContentPack, LocaleFile

SNAPSHOT = "core.json"
"""The snapshot's file name, in trustkit's ``packs`` folder."""

_CLASS = "$"
_DATE = "$date"
_SET = "$set"

# Only the public models and enums can be named in a snapshot.
_MODELS: dict[str, type] = {
    name: cls
    for name, cls in vars(trustkit.models).items()
    if isinstance(cls, type) and attrs.has(cls) and cls.__name__ == name
}
_ENUMS: dict[str, type[enum.Enum]] = {
    name: cls
    for name, cls in vars(trustkit.models).items()
    if isinstance(cls, type) and issubclass(cls, enum.Enum) and cls.__name__ == name
}


class BundledFolder:
    """A folder of a bundled pack, found (through importlib.resources) only when first used.

    A pack from the snapshot refers to its ``locales`` folder by this stand-in,
    so that a process that never translates never imports importlib.resources.
    """

    def __init__(self, *parts: str) -> None:
        self.parts = parts

    def _resolve(self) -> Any:
        from trustkit._pack.load import bundled_root  # noqa: PLC0415  (only when translating)

        return bundled_root().joinpath(*self.parts)

    def __getattr__(self, name: str) -> Any:
        if name == "parts" or name.startswith("__"):  # e.g. while unpickling
            raise AttributeError(name)
        return getattr(self._resolve(), name)

    def __truediv__(self, other: str) -> Any:
        return self._resolve() / other


def encode(value: object) -> object:
    """A model, enum, date, tuple or set as JSON data (every attrs field, origins included)."""
    if attrs.has(type(value)):
        out: dict[str, object] = {_CLASS: type(value).__name__}
        for field in attrs.fields(cast("type[attrs.AttrsInstance]", type(value))):
            if not field.init or field.name == "folder":
                continue
            out[field.alias] = encode(getattr(value, field.name))
        return out
    if isinstance(value, enum.Enum):
        return {_CLASS: type(value).__name__, "value": value.value}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, frozenset):
        return {_SET: sorted((encode(v) for v in value), key=json.dumps)}
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    return value


def _hook(data: dict[str, Any]) -> object:
    name = data.pop(_CLASS, None)
    if name is None:
        if _DATE in data:
            return dt.date.fromisoformat(data[_DATE])
        if _SET in data:
            return frozenset(data[_SET])
        return data
    if name in _ENUMS:
        return _ENUMS[name](data["value"])
    cls = _MODELS[name]
    for key, value in data.items():
        if type(value) is list:
            data[key] = tuple(value)
    if cls is LocaleFile:
        data["folder"] = BundledFolder("locales")
    return cls(**data)


def _path() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(__file__)), "packs", SNAPSHOT)


def bundled() -> ContentPack | None:
    """The bundled pack from its snapshot, or None if there is none (then read the TOML)."""
    try:
        with open(_path(), "rb") as file:
            text = file.read()
    except OSError:  # e.g. trustkit imported from a zip file: read the TOML instead
        return None
    return decode(text)


def decode_value(text: str | bytes) -> Any:
    """Any value of a snapshot, with its models, enums, dates and sets rebuilt."""
    return json.loads(text, object_hook=_hook)


def decode(text: str | bytes) -> ContentPack:
    """The pack in a snapshot, marked as checked (it was, when the snapshot was written)."""
    pack = decode_value(text)
    assert isinstance(pack, ContentPack)
    object.__setattr__(pack, "_checked", True)
    return pack


def dumps(pack: ContentPack) -> str:
    """The snapshot of a pack: stable (sorted keys, one field a line), for readable diffs."""
    return json.dumps(encode(pack), ensure_ascii=False, sort_keys=True, indent=0) + "\n"


def main(argv: list[str] | None = None, target: str | None = None) -> int:
    """Check the bundled pack's snapshot against its TOML sources, or write it (``--write``).

    Args:
        argv: The command line (default: ``sys.argv[1:]``).
        target: Where the snapshot is (default: trustkit's ``packs/core.json``).
    """
    import sys  # noqa: PLC0415

    from trustkit._pack.sources import load_pack  # noqa: PLC0415

    path = target or _path()
    text = dumps(load_pack("core"))
    if "--write" in (sys.argv[1:] if argv is None else argv):
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        print(f"wrote {path}")
        return 0
    try:
        with open(path, encoding="utf-8") as file:
            same = file.read() == text
    except OSError:
        same = False
    print(f"{path} is {'up to date' if same else 'stale: run with --write'}")
    return 0 if same else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
