"""Check the built distributions before they are published (.github/workflows/release.yml).

    python scripts/check_dist.py dist [--tag v0.2.0]

The wheel must hold exactly the package as it is in src/trustkit (every module, py.typed, the
packs' TOML and JSON snapshot, the JSON Schemas, the FHIR labels), plus its .dist-info, and
nothing else: no tests, no caches. The sdist must hold the sources and the tests. With
``--tag``, the version of both must be the tag's (``v0.2.0`` -> ``0.2.0``). Every problem is
printed; the exit status is 1 if there is any.
"""

from __future__ import annotations

import argparse
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "trustkit"
NAME = "trustkit-couples"
# What a release cannot do without, named so that a failure says what is missing.
REQUIRED = (
    "trustkit/py.typed",
    "trustkit/packs/core/pack.toml",
    "trustkit/packs/core/questions.toml",
    "trustkit/packs/core/steps.toml",
    "trustkit/packs/core/resources.toml",
    "trustkit/packs/core.json",
)


def package_files(package: Path = PACKAGE) -> set[str]:
    """The files of src/trustkit as wheel paths (``trustkit/...``), caches left out."""
    return {
        "trustkit/" + path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def check_wheel(path: Path, version: str | None, expected: set[str]) -> list[str]:
    """What is wrong with a wheel (nothing: an empty list)."""
    with zipfile.ZipFile(path) as wheel:
        names = {name for name in wheel.namelist() if not name.endswith("/")}
        info = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = HeaderParser().parsestr(wheel.read(info[0]).decode()) if info else None
    problems = [f"{path.name}: {name} is missing" for name in REQUIRED if name not in names]
    if not any(n.startswith("trustkit/schemas/") and n.endswith(".json") for n in names):
        problems.append(f"{path.name}: no JSON Schema in trustkit/schemas/")
    for name in sorted(expected - names):
        if name not in REQUIRED:
            problems.append(f"{path.name}: {name} is in src/trustkit but not in the wheel")
    for name in sorted(names):
        top = name.split("/")[0]
        if top.endswith(".dist-info"):
            continue
        if "tests" in name.split("/") or name not in expected:
            problems.append(f"{path.name}: {name} does not belong in the wheel")
    problems += _metadata(path.name, metadata, version)
    return problems


def check_sdist(path: Path, version: str | None) -> list[str]:
    """What is wrong with an sdist: it must carry the sources, the tests and PKG-INFO."""
    with tarfile.open(path) as sdist:
        members = sdist.getmembers()
        names = {member.name.split("/", 1)[1] for member in members if "/" in member.name}
        top = members[0].name.split("/")[0]
        info = sdist.extractfile(f"{top}/PKG-INFO")
        metadata = HeaderParser().parsestr(info.read().decode()) if info else None
    problems = [
        f"{path.name}: {name} is missing"
        for name in ("pyproject.toml", "LICENSE", "README.md", "src/trustkit/py.typed")
        if name not in names
    ]
    if not any(name.startswith("tests/test_") for name in names):
        problems.append(f"{path.name}: the tests are missing")
    return problems + _metadata(path.name, metadata, version)


def _metadata(label: str, metadata: Message | None, version: str | None) -> list[str]:
    if metadata is None:
        return [f"{label}: no metadata"]
    problems = []
    if metadata["Name"] != NAME:
        problems.append(f"{label}: the distribution is {metadata['Name']!r}, not {NAME!r}")
    if version is not None and metadata["Version"] != version:
        problems.append(f"{label}: version {metadata['Version']}, but the tag says {version}")
    return problems


def check(dist: Path, tag: str | None = None, expected: set[str] | None = None) -> list[str]:
    """Every problem with the one wheel and the one sdist in ``dist``."""
    version = tag.removeprefix("v") if tag is not None else None
    wheels = sorted(dist.glob("*.whl"))
    sdists = sorted(dist.glob("*.tar.gz"))
    problems = []
    if len(wheels) != 1 or len(sdists) != 1:
        found = f"found {len(wheels)} and {len(sdists)}"
        problems.append(f"{dist}: expected one wheel and one sdist, {found}")
    for wheel in wheels:
        problems += check_wheel(wheel, version, package_files() if expected is None else expected)
    for sdist in sdists:
        problems += check_sdist(sdist, version)
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check the distributions in a folder; print each problem."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dist", type=Path, help="the folder python -m build wrote")
    parser.add_argument("--tag", help="the release tag, e.g. v0.2.0")
    args = parser.parse_args(argv)
    problems = check(args.dist, args.tag)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{args.dist}: the wheel and the sdist hold what they should")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
