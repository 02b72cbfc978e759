"""scripts/check_dist.py, which the release workflow runs on the built wheel and sdist."""

from __future__ import annotations

import importlib.util
import io
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_dist", ROOT / "scripts" / "check_dist.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_dist = _load()
PACKAGE = {"trustkit/__init__.py", "trustkit/schemas/checkin.json", *check_dist.REQUIRED}


def _metadata(version: str) -> str:
    return f"Metadata-Version: 2.4\nName: trustkit-couples\nVersion: {version}\n\n"


def _dist(
    folder: Path, files: set[str], version: str = "0.2.0", sdist: tuple[str, ...] | None = None
) -> Path:
    folder.mkdir()
    with zipfile.ZipFile(folder / f"trustkit_couples-{version}-py3-none-any.whl", "w") as wheel:
        for name in files:
            wheel.writestr(name, "")
        wheel.writestr(f"trustkit_couples-{version}.dist-info/METADATA", _metadata(version))
    top = f"trustkit_couples-{version}"
    inside = sdist or ("pyproject.toml", "LICENSE", "README.md", "src/trustkit/py.typed")
    with tarfile.open(folder / f"{top}.tar.gz", "w:gz") as tar:
        for name, text in [
            ("PKG-INFO", _metadata(version)),
            ("tests/test_x.py", ""),
            *((n, "") for n in inside),
        ]:
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return folder


def test_a_good_pair_passes(tmp_path: Path) -> None:
    dist = _dist(tmp_path / "dist", PACKAGE)
    assert check_dist.check(dist, "v0.2.0", expected=PACKAGE) == []
    assert check_dist.check(dist, expected=PACKAGE) == []


@pytest.mark.parametrize(
    ("files", "complaint"),
    [
        (PACKAGE - {"trustkit/py.typed"}, "trustkit/py.typed is missing"),
        (PACKAGE - {"trustkit/packs/core/pack.toml"}, "trustkit/packs/core/pack.toml is missing"),
        (PACKAGE - {"trustkit/schemas/checkin.json"}, "no JSON Schema"),
        (PACKAGE - {"trustkit/__init__.py"}, "in src/trustkit but not in the wheel"),
        (PACKAGE | {"tests/test_engine.py"}, "tests/test_engine.py does not belong"),
        (PACKAGE | {"trustkit/tests/x.py"}, "trustkit/tests/x.py does not belong"),
    ],
)
def test_a_wheel_without_what_it_needs_or_with_more_fails(
    tmp_path: Path, files: set[str], complaint: str
) -> None:
    dist = _dist(tmp_path / "dist", files)
    problems = check_dist.check(dist, "v0.2.0", expected=PACKAGE)
    assert any(complaint in problem for problem in problems), problems


def test_a_version_other_than_the_tag_fails(tmp_path: Path) -> None:
    dist = _dist(tmp_path / "dist", PACKAGE, version="0.1.0")
    problems = check_dist.check(dist, "v0.2.0", expected=PACKAGE)
    assert len(problems) == 2
    assert all("but the tag says 0.2.0" in problem for problem in problems)


def test_an_sdist_without_its_sources_fails(tmp_path: Path) -> None:
    dist = _dist(tmp_path / "dist", PACKAGE, sdist=("pyproject.toml", "README.md"))
    problems = check_dist.check(dist, expected=PACKAGE)
    assert any("LICENSE is missing" in p for p in problems)
    assert any("src/trustkit/py.typed is missing" in p for p in problems)


def test_the_package_as_it_is_in_src_is_what_a_wheel_must_hold() -> None:
    files = check_dist.package_files()
    assert set(check_dist.REQUIRED) <= files
    assert not any("__pycache__" in name for name in files)


def test_main_reports_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dist = _dist(tmp_path / "dist", set())
    assert check_dist.main([str(dist), "--tag", "v0.2.0"]) == 1
    assert "trustkit/py.typed is missing" in capsys.readouterr().err


def test_the_release_workflow_checks_and_publishes_what_it_built() -> None:
    """Built once; checked with twine, check-wheel-contents and this script; id-token only
    where it publishes, in the pypi environment."""
    text = WORKFLOW.read_text()
    assert text.count("python -m build") == 1
    for step in ("twine check --strict", "check-wheel-contents", "scripts/check_dist.py"):
        assert step in text
    assert text.count("id-token: write") == 1
    publish = text[text.index("\n  publish:") :]
    assert "id-token: write" in publish
    assert "name: pypi" in publish
    assert "actions/attest-build-provenance@" in publish
    assert "pypa/gh-action-pypi-publish@" in publish
