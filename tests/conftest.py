"""Shared fixtures and hypothesis settings."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import trustkit

# CI runs each property the same way every time, so a failure can be reproduced;
# set HYPOTHESIS_PROFILE=dev locally to explore with fresh random examples.
settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=500)
# .ci/run's other runs (Python 3.12 and 3.13, the lowest dependencies) run every test again
# with a shorter derandomized search (15 examples a property, health checks left to the
# README's run, which makes the full search of "ci"): what they check is the interpreter
# and the dependencies, not new inputs.
settings.register_profile(
    "matrix",
    parent=settings.get_profile("ci"),
    max_examples=15,
    suppress_health_check=list(HealthCheck),
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """A test's own ``max_examples``: ``n``, or no more than the matrix profile's runs take."""
    return min(n, settings.get_profile("matrix").max_examples) if PROFILE == "matrix" else n


def unchecked(*checks: HealthCheck) -> list[HealthCheck]:
    """A test's own ``suppress_health_check``: ``checks``, or all under the matrix profile."""
    return list(HealthCheck) if PROFILE == "matrix" else list(checks)


@pytest.fixture(scope="session")
def pack() -> trustkit.ContentPack:
    """The bundled content pack."""
    return trustkit.default_pack()


Overlay = Callable[..., Path]
"""Writes an overlay pack folder: ``overlay(pack_id, extends, rules="...", overrides="...")``."""

PACK_TOML = 'id = "{id}"\nversion = "1.0.0"\ntitle = "Test {id}"\nextends = "{extends}"\n'


@pytest.fixture
def overlay(tmp_path: Path) -> Overlay:
    """Write an overlay pack folder from file texts (``locales__es`` is ``locales/es.toml``)."""

    def make(pack_id: str = "extra", extends: str = "core >=1,<2", **files: str) -> Path:
        root = tmp_path / pack_id
        root.mkdir()
        (root / "pack.toml").write_text(
            files.pop("pack", PACK_TOML.format(id=pack_id, extends=extends)), encoding="utf-8"
        )
        for name, text in files.items():
            path = root / f"{name.replace('__', '/')}.toml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root

    return make
