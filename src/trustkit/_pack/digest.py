"""A pack's content digest: SHA-256 over its canonical JSON, the same in every process.

The JSON is the snapshot's encoding of the pack (see `trustkit._pack.snapshot`:
every model tagged with its class, enums by value, dates in ISO 8601, sets
sorted), less the fields that ``==`` ignores: where each item was defined
(``origin``) and the locale files not read yet. So packs that compare equal
have equal digests, whether read from TOML, from the snapshot or built in
Python. Keys are sorted and the text is ASCII, so neither dict order, hash
seeds nor the Python version can change it.
"""

from __future__ import annotations

import hashlib
import json
from typing import cast

import attrs

from trustkit._pack.snapshot import encode
from trustkit.models import ContentPack

PREFIX = "sha256:"


def _canonical(value: object) -> object:
    """The snapshot encoding of a model without its fields that take no part in ``==``."""
    if attrs.has(type(value)):
        out: dict[str, object] = {"$": type(value).__name__}
        for field in attrs.fields(cast("type[attrs.AttrsInstance]", type(value))):
            if field.init and field.eq:
                out[field.alias] = _canonical(getattr(value, field.name))
        return out
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    return encode(value)  # an enum, a date, a set (of roles or ids) or a plain value


def pack_digest(pack: ContentPack) -> str:
    """``"sha256:"`` and the hex digest of the pack's canonical JSON (cached on the pack)."""
    cached = pack._digest
    if cached is None:
        text = json.dumps(_canonical(pack), sort_keys=True, separators=(",", ":"))
        cached = PREFIX + hashlib.sha256(text.encode("ascii")).hexdigest()
        object.__setattr__(pack, "_digest", cached)
    return cached
