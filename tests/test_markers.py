"""The slow marker: a quick run leaves those tests out, and CI never does."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_slow_is_registered_and_nothing_deselects_it_by_default() -> None:
    """pyproject registers the marker (--strict-markers) and its addopts select nothing."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert any(marker.startswith("slow:") for marker in options["markers"])
    assert not any(opt == "-m" or opt.startswith(("-m ", "-m=")) for opt in options["addopts"])


def test_ci_runs_the_slow_tests() -> None:
    """scripts/test (which .ci/run runs) passes pytest no -m, so every test runs in CI."""
    script = (ROOT / "scripts" / "test").read_text()
    runs = [line for line in script.splitlines() if "-m pytest" in line]
    assert runs, "scripts/test no longer runs pytest"
    for line in runs:
        assert not re.search(r"\s-m\s+[\"']?not", line), line
        assert "slow" not in line
    assert "slow" not in (ROOT / ".ci" / "run").read_text()


def test_some_tests_are_marked_slow() -> None:
    """The marker is in use (the test files mark their slow tests)."""
    marked = sum(
        text.count("@pytest.mark.slow") + text.count("pytest.mark.slow,")
        for path in (ROOT / "tests").glob("test_*.py")
        if path.name != "test_markers.py"
        for text in [path.read_text()]
    )
    assert marked >= 20
