"""Reading a pack's folder into a [`ContentPack`][trustkit.ContentPack].

Everything a pack holds is data. Reading a folder is done in steps, each in its
own module: `trustkit._pack.read` parses one TOML file with the line each item
is on, `trustkit._pack.tables` and `trustkit._pack.conditions` turn its tables
into models, and `trustkit._pack.locales` notes the locale files. This module
puts the parts of one folder together, and `build` makes the pack, raising one
[`PackError`][trustkit.PackError] with every problem, each with its file, item,
field and line, if reading found any. The pack is checked as a whole
(`trustkit._pack.validate`) once, by `load_pack`, after every overlay. Nothing
from a pack is ever executed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustkit._pack import tables, versions
from trustkit._pack.locales import locale_files
from trustkit._pack.read import PackFile, Reader, keyed_tables, read_file
from trustkit._pack.spec import FILES, MAX_RULES_FILES, RULES_FOLDER
from trustkit._pack.validate import Moved, pack_problems
from trustkit._vocabulary import SAFETY_PERIOD_FLOOR_WEEKS, SAFETY_PERIOD_MAX_WEEKS
from trustkit.errors import PackError, PackProblem, ProblemCode
from trustkit.models import (
    Action,
    ContentPack,
    Dimension,
    LocaleFile,
    Messages,
    Origin,
    PackRef,
    PlanTemplate,
    Question,
    Resource,
    Rule,
    Step,
)

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PACK_FILES = (
    "pack.toml",
    "steps.toml",
    "questions.toml",
    "rules.toml",
    "resources.toml",
    "messages.toml",
)
"""The files every pack holds."""

OPTIONAL_FILES = ("plans.toml",)
"""Files a pack may hold: base packs with safety rules need plans.toml for the plans they name."""


class Parts:
    """Everything read from one pack folder, before it is merged or built."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[PackProblem] = []
        self.id = self.version = self.title = self.description = ""
        self.locale = ""
        self.extends: tuple[str, str] | None = None
        self.trustkit = ""
        self.safety_period_weeks: int | None = None
        self.safety_period_line: int | None = None
        self.meta_lines: dict[str, int | None] = {}
        self.steps: tuple[Step, ...] = ()
        self.dimensions: tuple[Dimension, ...] = ()
        self.questions: tuple[Question, ...] = ()
        self.rules: tuple[Rule, ...] = ()
        self.resources: tuple[Resource, ...] = ()
        self.plans: tuple[PlanTemplate, ...] = ()
        self.messages: Messages | None = None
        self.actions: list[tuple[str, Action, Origin]] = []
        self.overrides: dict[str, dict[str, tuple[dict[str, Any], Origin]]] = {}
        self.disabled: list[tuple[str, Origin]] = []
        self.locale_files: list[LocaleFile] = []

    @property
    def is_overlay(self) -> bool:
        """Whether the pack extends another."""
        return self.extends is not None


def _read_meta(file: PackFile, parts: Parts) -> None:
    meta = Reader(file.data, file, "", parts.problems)
    parts.id = meta.ident()
    parts.version = meta.text("version")
    for key in ("version", "extends", "trustkit"):
        parts.meta_lines[key] = file.keys.get(key)
    problem = (
        versions.version_problem(parts.version)
        if isinstance(file.data.get("version"), str)
        else None
    )
    if problem:
        meta.fail("version", problem, ProblemCode.INVALID_VALUE, parts.meta_lines["version"])
    parts.title = meta.text("title")
    parts.description = meta.text("description", "")
    parts.locale = meta.text("locale", "")
    extends = meta.text("extends", "")
    if extends:
        base, spec, problem = versions.parse_extends(extends)
        if problem:
            meta.fail("extends", problem, ProblemCode.INVALID_VALUE, parts.meta_lines["extends"])
        parts.extends = (base, spec)
    weeks = meta.typed("safety_period_weeks", int, "a whole number of weeks", None)
    parts.safety_period_line = file.keys.get("safety_period_weeks")
    if weeks is not None and not SAFETY_PERIOD_FLOOR_WEEKS <= weeks <= SAFETY_PERIOD_MAX_WEEKS:
        parts.problems.append(
            PackProblem(
                file.name,
                "",
                "safety_period_weeks",
                f"from {SAFETY_PERIOD_FLOOR_WEEKS} to {SAFETY_PERIOD_MAX_WEEKS} weeks: a safety "
                "period can be made longer, never shorter",
                parts.safety_period_line,
                code=ProblemCode.UNSAFE,
            )
        )
        weeks = SAFETY_PERIOD_FLOOR_WEEKS
    parts.safety_period_weeks = weeks
    parts.trustkit = meta.text("trustkit", "")
    problem = versions.range_problem(parts.trustkit) if parts.trustkit else None
    if problem:
        meta.fail("trustkit", problem, ProblemCode.INVALID_VALUE, parts.meta_lines["trustkit"])
    meta.done()


def _read_overrides(file: PackFile, parts: Parts) -> None:
    parts.overrides = keyed_tables(file, parts.problems, reserved=("disable",))
    disable = Reader(file.data.get("disable", {}), file, "disable", parts.problems)
    line = file.tables.get(("disable", ""))
    for rule_id in disable.texts("rules"):
        parts.disabled.append((rule_id, Origin(file.name, line)))
    disable.done()


def _rules_files(root: Traversable, label: str, problems: list[PackProblem]) -> tuple[str, ...]:
    """The files of a pack's ``rules/`` folder (``rules/a.toml``, ...), in name order."""
    folder = root / RULES_FOLDER
    if not folder.is_dir():
        return ()
    names = sorted(
        f"{RULES_FOLDER}/{node.name}"
        for node in folder.iterdir()
        if node.name.endswith(".toml") and not node.name.startswith(".")
    )
    if len(names) > MAX_RULES_FILES:
        problems.append(
            PackProblem(
                f"{label}/{RULES_FOLDER}",
                "",
                "",
                f"more than {MAX_RULES_FILES} rules files: merge some of them",
                code=ProblemCode.TOO_LARGE,
            )
        )
        raise PackError(problems)
    return tuple(names)


def _optional_files(
    root: Traversable, label: str, problems: list[PackProblem]
) -> dict[str, PackFile]:
    """The optional files the pack has (`OPTIONAL_FILES`), read."""
    found = {}
    for name in OPTIONAL_FILES:
        if (root / name).is_file():
            file = read_file(root, label, name, problems)
            if file is not None:
                found[name] = file
    return found


def read_parts(root: Traversable, label: str) -> Parts:
    """Read one pack folder (a base pack or an overlay) without merging it."""
    parts = Parts(label)
    meta_file = read_file(root, label, "pack.toml", parts.problems)
    if meta_file is None:
        raise PackError(parts.problems)
    _read_meta(meta_file, parts)
    overlay = parts.is_overlay
    names: tuple[str, ...] = PACK_FILES[1:] if not overlay else PACK_FILES[1:-1]
    more_rules = _rules_files(root, label, parts.problems)
    files_read: dict[str, PackFile] = {}
    for name in names:
        if (overlay or (name == "rules.toml" and more_rules)) and not (root / name).is_file():
            names = tuple(n for n in names if n != name)
            continue
        file = read_file(root, label, name, parts.problems)
        if file is not None:
            files_read[name] = file
    for name in more_rules:
        file = read_file(root, label, name, parts.problems)
        if file is not None:
            files_read[name] = file
    if not overlay and len(files_read) != len(names) + len(more_rules):
        raise PackError(parts.problems)
    files_read.update(_optional_files(root, label, parts.problems))
    if overlay and (root / "messages.toml").is_file():
        parts.problems.append(
            PackProblem(
                f"{label}/messages.toml",
                "",
                "",
                "an overlay changes messages in overrides.toml, under [messages]",
                code=ProblemCode.NOT_ALLOWED,
            )
        )
    if (root / "overrides.toml").is_file():
        file = read_file(root, label, "overrides.toml", parts.problems)
        if file is not None and not overlay:
            parts.problems.append(
                PackProblem(
                    file.name,
                    "",
                    "",
                    "only an overlay (a pack that extends another) can have overrides.toml",
                    code=ProblemCode.NOT_ALLOWED,
                )
            )
        elif file is not None:
            _read_overrides(file, parts)
    parts.locale_files = locale_files(root, label, parts.problems)

    for name, file in files_read.items():
        kind = "rules.toml" if name.startswith(RULES_FOLDER + "/") else name
        known = {*FILES[kind], *(("actions",) if overlay and name == "steps.toml" else ())}
        for key in sorted(set(file.data) - known):
            parts.problems.append(
                PackProblem(
                    file.name,
                    "",
                    key,
                    "unknown table (check the spelling)",
                    file.tables.get((key, "")),
                    code=ProblemCode.UNKNOWN_FIELD,
                )
            )
    if "steps.toml" in files_read:
        parts.steps = tables.items(files_read["steps.toml"], "steps", parts.problems)
        if overlay:
            parts.actions = tables.added_actions(files_read["steps.toml"], parts.problems)
    if "questions.toml" in files_read:
        file = files_read["questions.toml"]
        parts.dimensions = tables.items(file, "dimensions", parts.problems)
        parts.questions = tables.items(file, "questions", parts.problems)
    parts.rules = tuple(
        rule
        for name in ("rules.toml", *more_rules)
        if name in files_read
        for rule in tables.items(files_read[name], "rules", parts.problems)
    )
    if "resources.toml" in files_read:
        parts.resources = tables.items(files_read["resources.toml"], "resources", parts.problems)
    if "messages.toml" in files_read:
        parts.messages = tables.messages(files_read["messages.toml"], parts.problems)
    if "plans.toml" in files_read:
        parts.plans = tables.items(files_read["plans.toml"], "plans", parts.problems)
    return parts


def build(
    values: dict[str, Any], problems: list[PackProblem], *, moved: Moved | None = None
) -> ContentPack:
    """Create a pack from what was read; raise every problem if reading found any.

    With problems from reading, the pack is checked as a whole anyway so that authors
    see every problem at once (skipping items that already have a problem, whose
    defaults would mislead), and `PackError` lists them all. Without, the whole-pack
    check is left to the caller: `load_pack` checks the pack once, after every overlay.

    Args:
        values: The pack's fields.
        problems: What reading found wrong.
        moved: For fields an overlay changed, where the change was made (problems
            with them are reported there).
    """
    pack = ContentPack(**values)
    if problems:
        reported = {(p.file, p.item) for p in problems}
        problems.extend(p for p in pack_problems(pack, moved) if (p.file, p.item) not in reported)
        raise PackError(problems)
    return pack


def build_base(parts: Parts) -> ContentPack:
    """The content pack of a base (not overlay) pack, not yet checked as a whole."""
    return build(
        {
            "id": parts.id,
            "version": parts.version,
            "title": parts.title,
            "description": parts.description,
            "locale": parts.locale or "en",
            "steps": parts.steps,
            "dimensions": parts.dimensions,
            "questions": parts.questions,
            "rules": parts.rules,
            "resources": parts.resources,
            "plans": parts.plans,
            "messages": parts.messages,
            "packs": (PackRef(parts.id, parts.version),),
            "translations": (),  # read from locale_files when a locale is first used
            "locale_files": tuple(parts.locale_files),
            "safety_period_weeks": parts.safety_period_weeks or SAFETY_PERIOD_FLOOR_WEEKS,
        },
        parts.problems,
    )


def bundled_root(name: str = "core") -> Traversable:
    """The folder of a pack bundled with trustkit."""
    from importlib.resources import files  # noqa: PLC0415  (not needed to recommend)

    return files("trustkit").joinpath("packs", name)
