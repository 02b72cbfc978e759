"""The docs say what the code does: every CLI command documented, dependencies, counts.

The commands are found by walking the argparse parser, the dependencies read from
pyproject.toml and the question counts from the bundled pack, so a new command, a new
dependency or a new question that the docs do not follow fails here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import trustkit
from tests.test_cli_grammar import commands
from trustkit._cli import _parser
from trustkit.models import Role

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "docs").glob("*.md")}
COMMANDS = sorted(commands(_parser()))
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def flat(text: str) -> str:
    """The text with every run of white space as one space (sentences wrap in Markdown)."""
    return " ".join(text.split())


def runtime_dependencies() -> set[str]:
    """The names of the runtime dependencies in pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower() for req in project["dependencies"]}


def test_the_parser_has_the_commands_we_expect() -> None:
    """Guards the walk itself: it finds nested commands, not just the top level."""
    assert {"recommend", "pack check", "pack test", "pack diff", "export"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_shown_in_the_docs(command: str) -> None:
    """Each command appears as ``trustkit COMMAND`` in the docs pages and in the README."""
    shown = f"trustkit {command}"
    assert any(shown in flat(text) for text in DOCS.values()), f"{shown} is in no docs page"
    assert shown in flat(README), f"{shown} is not in the README's list of commands"


def test_the_api_page_promises_every_command() -> None:
    """docs/api.md lists the command line it keeps stable: ``pack check|test|...`` and the rest."""
    promise = flat(DOCS["api.md"]).split("**The command line**", 1)[1].split("- **", 1)[0]
    listed: set[str] = set()
    for group, subs in re.findall(r"`(\w+) ([\w|]+)`", promise):
        listed.update({group, *(f"{group} {sub}" for sub in subs.split("|"))})
    listed.update(re.findall(r"`trustkit (\w+)`", promise))
    listed.update(re.findall(r"`(\w+)`", promise))
    assert set(COMMANDS) - listed == set()


def test_the_readme_names_the_runtime_dependencies() -> None:
    match = re.search(r"only trustkit's (\w+) runtime dependencies, ([^.]+?), which", flat(README))
    assert match is not None
    names = {name.strip().lower() for name in re.split(r",| and ", match.group(2)) if name.strip()}
    assert names == runtime_dependencies()
    assert WORDS[match.group(1)] == len(names)


def test_the_quickstart_names_the_runtime_dependencies() -> None:
    text = flat(DOCS["quickstart.md"])
    sentence = text.split("The only dependencies are", 1)[1].split(". ", 1)[0]
    assert set(re.findall(r"\[(\w+)\]\(", sentence)) == runtime_dependencies()


def test_the_quickstart_counts_the_questions_of_a_check_in() -> None:
    """ "3 of N": N is how many questions the bundled pack asks each role."""
    text = flat(DOCS["quickstart.md"])
    found = re.findall(r'"3 of (\d+)" for the (\w+)', text)
    said = {role: int(total) for total, role in found}
    pack = trustkit.default_pack()
    assert said == {role.value: len(pack.questions_for(role)) for role in Role}
