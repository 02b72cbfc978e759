"""The layers: models (plain data) -> pack layer -> engine -> public API -> command line.

No module imports one of a layer above its own, anywhere in it (also inside a function
or under TYPE_CHECKING), so there is no import cycle between layers: models know nothing
of packs or of the engine, and the pack layer knows nothing of the engine.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import trustkit

SOURCE = Path(trustkit.__file__).parent

LAYERS: dict[str, int] = {
    # 0: data, shared by every layer
    "trustkit.errors": 0,
    "trustkit.models": 0,
    "trustkit._roles": 0,
    "trustkit._vocabulary": 0,
    "trustkit._countries": 0,
    "trustkit._version": 0,
    "trustkit._boundary": 0,
    "trustkit._public": 0,
    "trustkit._json": 0,
    "trustkit.jsontypes": 0,
    # 1: reading and checking packs; 2: the engine
    "trustkit._pack": 1,
    "trustkit._engine": 2,
    # 3: the public API; 4: the command line
    "trustkit._api": 3,
    "trustkit._batch": 3,
    "trustkit._records": 3,
    "trustkit.dask": 3,
    "trustkit._serialization": 3,
    "trustkit._schema": 3,
    "trustkit": 3,
    "trustkit._cli": 4,
    "trustkit.__main__": 4,
}


def layer(module: str) -> int:
    """The layer of a trustkit module: that of the longest prefix listed."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in LAYERS:
            return LAYERS[name]
    raise AssertionError(f"{module} is in no layer")


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    out = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(path: Path) -> set[str]:
    """The trustkit modules a file imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "trustkit":  # from trustkit import models
                found.update(f"trustkit.{alias.name}" for alias in node.names)
    known = modules()
    return {
        name
        for name in found
        if name.startswith("trustkit") and (name in known or name == "trustkit")
    }


@pytest.mark.parametrize(("name", "path"), modules().items(), ids=list(modules()))
def test_no_module_imports_a_layer_above_its_own(name: str, path: Path) -> None:
    """Each module imports only from its own layer or the ones below."""
    above = sorted(m for m in imports(path) if layer(m) > layer(name))
    assert above == [], f"{name} (layer {layer(name)}) imports {above}"


def test_models_import_no_pack_or_engine_module() -> None:
    """models.py is plain data: it imports no pack, engine or API module, even lazily."""
    found = imports(SOURCE / "models.py")
    assert not {m for m in found if m.startswith(("trustkit._pack", "trustkit._engine"))}
    assert found <= {"trustkit._roles", "trustkit._vocabulary", "trustkit.errors"}


def test_the_pack_layer_imports_no_engine_module() -> None:
    """Reading and checking packs needs nothing from the engine."""
    for name, path in modules().items():
        if name.startswith("trustkit._pack"):
            assert not any(m.startswith("trustkit._engine") for m in imports(path)), name
