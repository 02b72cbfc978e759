"""Shared fixtures and hypothesis settings."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import trustkit

# CI runs each property the same way every time, so a failure can be reproduced;
# set HYPOTHESIS_PROFILE=dev locally to explore with fresh random examples.
settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def pack() -> trustkit.ContentPack:
    """The bundled content pack."""
    return trustkit.default_pack()
