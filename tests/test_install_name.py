"""The install name: ours is ``trustkit-couples``; ``trustkit`` on the package index is not ours.

The name ``trustkit`` on the public package index belongs to an unrelated project that pulls in
telemetry packages. No document, example or packaging file may tell anyone to install it.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
OURS = "trustkit-couples"
NOT_OURS = "trustkit"

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
PIP_INSTALL = re.compile(r"\bpip3?\s+install\s+(?P<args>[^\n&|;#]*)")


def _documents() -> list[Path]:
    found = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    found += sorted((ROOT / "examples").rglob("*.md"))
    return found


def _installed_names(args: str) -> list[str]:
    """The distribution names a ``pip install`` argument list asks for (no paths or options)."""
    names: list[str] = []
    for word in shlex.split(args):
        if word.startswith(("-", ".", "/", "~")):
            continue
        try:
            names.append(canonicalize_name(Requirement(word).name))
        except InvalidRequirement:
            continue
    return names


def _pip_installs(text: str) -> list[str]:
    """Every ``pip install`` argument list inside the fenced code blocks of a Markdown text."""
    return [m.group("args") for block in FENCE.findall(text) for m in PIP_INSTALL.finditer(block)]


@pytest.mark.parametrize("path", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_document_installs_the_name_that_is_not_ours(path: Path) -> None:
    for args in _pip_installs(path.read_text(encoding="utf-8")):
        assert NOT_OURS not in _installed_names(args), f"{path.name}: pip install {args.strip()}"


def test_the_check_can_fail() -> None:
    bad = (
        "Install:\n\n```console\n$ pip install trustkit\n"
        "$ pip install -U 'trustkit[test]>=0.1'\n```\n"
    )
    found = [_installed_names(args) for args in _pip_installs(bad)]
    assert found == [[NOT_OURS], [NOT_OURS]]
    fine = "```console\n$ pip install ./examples/packs/apart\n$ pip install 'trustkit-couples @ git+https://x'\n```\n"
    assert [_installed_names(args) for args in _pip_installs(fine)] == [[], [OURS]]


def _requirements(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    listed = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        listed += extra
    return [canonicalize_name(Requirement(r).name) for r in listed]


def test_our_distribution_name() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert canonicalize_name(project["name"]) == OURS


@pytest.mark.parametrize(
    "pyproject", sorted((ROOT / "examples").rglob("pyproject.toml")), ids=lambda p: p.parent.name
)
def test_example_packs_depend_on_our_name(pyproject: Path) -> None:
    names = _requirements(pyproject)
    assert NOT_OURS not in names
    assert OURS in names


def test_the_tutorial_packages_the_pack_with_our_name() -> None:
    tutorial = (ROOT / "docs" / "tutorial-pack.md").read_text(encoding="utf-8")
    assert f'dependencies = ["{OURS}>=0.1"]' in tutorial
