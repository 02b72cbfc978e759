"""Reading a pack's TOML files into a [`ContentPack`][trustkit.ContentPack].

Everything a pack holds is data: this module parses TOML and checks the type of
every field, collecting every problem with its file, item id, field and line
before raising one [`PackError`][trustkit.PackError]. Nothing from a pack is ever
executed.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import re
import tomllib
from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from trustkit._pack.validate import MAX_CONDITION_DEPTH, pack_problems
from trustkit.errors import PackError, PackProblem
from trustkit.models import (
    Action,
    AllOf,
    Always,
    AnswerCompare,
    Answered,
    AnyOf,
    Condition,
    ContentPack,
    Dimension,
    Messages,
    Not,
    Op,
    Origin,
    Question,
    QuestionKind,
    Resource,
    Role,
    Rule,
    ScoreCompare,
    Step,
    Urgency,
    Who,
)

MAX_FILE_BYTES = 1_000_000
"""The largest pack file trustkit reads."""

PACK_FILES = (
    "pack.toml",
    "steps.toml",
    "questions.toml",
    "rules.toml",
    "resources.toml",
    "messages.toml",
)
"""The files every pack holds."""

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_VERSION = re.compile(r"\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?\Z")
_ID_LINE = re.compile(r"""^\s*id\s*=\s*["']([^"']*)["']""", re.MULTILINE)
_TOML_LINE = re.compile(r"at line (\d+)")
_MISSING: Any = object()
E = TypeVar("E", bound=enum.Enum)


class _File:
    """One parsed pack file, with the line each item id is defined on."""

    def __init__(self, name: str, data: dict[str, Any], text: str) -> None:
        self.name = name
        self.data = data
        self.lines: dict[str, int] = {}
        for match in _ID_LINE.finditer(text):
            self.lines.setdefault(match.group(1), text.count("\n", 0, match.start()) + 1)


class _Reader:
    """Reads the fields of one table, recording a problem for each bad field."""

    def __init__(
        self,
        data: object,
        file: _File,
        item: str,
        problems: list[PackProblem],
        prefix: str = "",
    ) -> None:
        self.file = file
        self.problems = problems
        self.prefix = prefix
        self.item = item
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        self.used: set[str] = set()
        if not isinstance(data, dict):
            self.fail("", "expected a table")

    @property
    def origin(self) -> Origin:
        return Origin(self.file.name, self.file.lines.get(self.item))

    def path(self, key: str) -> str:
        if not key:
            return self.prefix
        return f"{self.prefix}.{key}" if self.prefix else key

    def fail(self, key: str, message: str) -> None:
        self.problems.append(
            PackProblem(self.file.name, self.item, self.path(key), message, self.origin.line)
        )

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        self.used.add(key)
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            self.fail(key, "missing")
        return default

    def typed(self, key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
        value = self.raw(key, default)
        if value is _MISSING or value is default:
            return default
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            self.fail(key, f"expected {what}")
            return default
        if not isinstance(value, kind):
            self.fail(key, f"expected {what}")
            return default
        return value

    def text(self, key: str, default: Any = _MISSING) -> str:
        value: str = self.typed(key, str, "text", default)
        return value if value is not _MISSING else ""

    def whole(self, key: str, default: Any = _MISSING) -> int:
        value: int = self.typed(key, int, "a whole number", default)
        return value if value is not _MISSING else 0

    def flag(self, key: str, default: bool = False) -> bool:
        value: bool = self.typed(key, bool, "true or false", default)
        return value

    def texts(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value: object = self.raw(key, default)
        if value is default:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "expected a list of texts")
            return default
        return tuple(value)

    def choice(self, key: str, enum_type: type[E], default: Any = _MISSING) -> E:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return default  # type: ignore[no-any-return]
        try:
            return enum_type(value)
        except ValueError:
            options = ", ".join(repr(m.value) for m in enum_type)
            self.fail(key, f"expected one of {options}")
            return next(iter(enum_type))

    def ident(self, key: str = "id") -> str:
        value = self.text(key)
        if value and not _ID.match(value):
            self.fail(
                key, "use lowercase letters, digits, '-' and '_', starting with a letter or digit"
            )
        return value

    def tables(self, key: str) -> list[Any]:
        value = self.raw(key, [])
        if not isinstance(value, list):
            self.fail(key, "expected a list of tables")
            return []
        return value

    def done(self) -> None:
        for key in sorted(set(self.data) - self.used):
            self.fail(key, "unknown field (check the spelling)")


def _item_id(data: object, index: int) -> str:
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return str(data["id"])
    return f"#{index + 1}"


def _items(
    file: _File,
    key: str,
    problems: list[PackProblem],
    build: Callable[[_Reader], Any],
) -> tuple[Any, ...]:
    top = _Reader(file.data, file, "", problems)
    out = []
    for i, raw in enumerate(top.tables(key)):
        reader = _Reader(raw, file, _item_id(raw, i), problems)
        out.append(build(reader))
        reader.done()
    return tuple(out)


# ------------------------------------------------------------------------ conditions

_CONDITION_KEYS = ("answer", "score", "answered", "all", "any", "not", "always")


def _condition(reader: _Reader, data: object, path: str, depth: int) -> Condition:
    sub = _Reader(data, reader.file, reader.item, reader.problems, path)
    if depth > MAX_CONDITION_DEPTH:
        sub.fail("", f"conditions nest more than {MAX_CONDITION_DEPTH} deep")
        return Always()
    if not isinstance(data, dict):
        return Always()
    kinds = [k for k in _CONDITION_KEYS if k in data]
    if len(kinds) != 1:
        sub.fail("", "expected exactly one of " + ", ".join(repr(k) for k in _CONDITION_KEYS))
        return Always()
    kind = kinds[0]
    if kind in ("all", "any"):
        children = sub.raw(kind)
        if not isinstance(children, list):
            sub.fail(kind, "expected a list of conditions")
            children = []
        conds = tuple(
            _condition(sub, child, sub.path(f"{kind}[{i}]"), depth + 1)
            for i, child in enumerate(children)
        )
        result: Condition = AllOf(conds) if kind == "all" else AnyOf(conds)
    elif kind == "not":
        result = Not(_condition(sub, sub.raw("not"), sub.path("not"), depth + 1))
    elif kind == "always":
        if sub.raw("always") is not True:
            sub.fail("always", "expected true")
        result = Always()
    elif kind == "answered":
        result = Answered(sub.text("answered"))
    else:
        name = sub.text(kind)
        op = sub.choice("op", Op)
        value = sub.typed("value", (bool, int, float), "true, false or a number", _MISSING)
        value = 0 if value is _MISSING else value
        result = (
            AnswerCompare(name, op, value) if kind == "answer" else ScoreCompare(name, op, value)
        )
    sub.done()
    return result


# ------------------------------------------------------------------------ items


def _action(reader: _Reader) -> Action:
    return Action(
        id=reader.ident(),
        title=reader.text("title"),
        how=reader.text("how"),
        minutes=reader.whole("minutes"),
        who=reader.choice("who", Who),
        in_crisis=reader.flag("in_crisis"),
        origin=reader.origin,
    )


def _step(reader: _Reader) -> Step:
    actions = []
    for i, raw in enumerate(reader.tables("actions")):
        sub = _Reader(raw, reader.file, _item_id(raw, i), reader.problems)
        actions.append(_action(sub))
        sub.done()
    return Step(
        id=reader.ident(),
        title=reader.text("title"),
        summary=reader.text("summary"),
        why=reader.text("why"),
        actions=tuple(actions),
        signs_of_progress=reader.texts("signs_of_progress"),
        pitfalls=reader.texts("pitfalls"),
        origin=reader.origin,
    )


def _dimension(reader: _Reader) -> Dimension:
    return Dimension(id=reader.ident(), label=reader.text("label"), origin=reader.origin)


def _question(reader: _Reader) -> Question:
    roles = set()
    for name in reader.texts("respondents"):
        try:
            roles.add(Role(name))
        except ValueError:
            reader.fail("respondents", "expected 'partner' and/or 'supporter'")
    dimension = reader.text("dimension", None)
    return Question(
        id=reader.ident(),
        prompt=reader.text("prompt"),
        kind=reader.choice("kind", QuestionKind),
        respondents=frozenset(roles),
        dimension=dimension or None,
        reverse=reader.flag("reverse"),
        safety=reader.flag("safety"),
        origin=reader.origin,
    )


def _rule(reader: _Reader) -> Rule:
    return Rule(
        id=reader.ident(),
        step=reader.text("step"),
        when=_condition(reader, reader.raw("when"), "when", 1),
        priority=reader.whole("priority"),
        urgency=reader.choice("urgency", Urgency, Urgency.INFO),
        reason=reader.text("reason"),
        resources=reader.texts("resources"),
        safety=reader.flag("safety"),
        origin=reader.origin,
    )


def _resource(reader: _Reader) -> Resource:
    verified = reader.raw("verified", None)
    if verified is None:
        reader.fail("verified", "missing: the date the facts were last checked")
    elif not (isinstance(verified, dt.date) and not isinstance(verified, dt.datetime)):
        reader.fail("verified", "expected a date such as 2026-11-27")
        verified = dt.date.min
    return Resource(
        id=reader.ident(),
        name=reader.text("name"),
        topics=reader.texts("topics"),
        country=reader.text("country"),
        source=reader.text("source"),
        verified=verified or dt.date.min,
        region=reader.text("region", ""),
        phone=reader.text("phone", ""),
        text=reader.text("text", ""),
        url=reader.text("url", ""),
        hours=reader.text("hours", ""),
        languages=reader.texts("languages"),
        notes=reader.text("notes", ""),
        origin=reader.origin,
    )


def _messages(file: _File, problems: list[PackProblem]) -> Messages:
    top = _Reader(file.data, file, "", problems)
    reader = _Reader(top.raw("explain"), file, "explain", problems)
    messages = Messages(
        answer_yes=reader.text("answer_yes"),
        answer_no=reader.text("answer_no"),
        answer_scale=reader.text("answer_scale"),
        answer_count=reader.text("answer_count"),
        score=reader.text("score"),
    )
    reader.done()
    top.done()
    return messages


# ------------------------------------------------------------------------ files


def _read(root: Traversable, label: str, name: str, problems: list[PackProblem]) -> _File | None:
    where = f"{label}/{name}"
    node = root / name
    if not node.is_file():
        problems.append(PackProblem(where, "", "", "file is missing"))
        return None
    if isinstance(node, Path) and node.stat().st_size > MAX_FILE_BYTES:
        problems.append(PackProblem(where, "", "", f"file is larger than {MAX_FILE_BYTES} bytes"))
        return None
    raw = node.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        problems.append(PackProblem(where, "", "", f"file is larger than {MAX_FILE_BYTES} bytes"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(PackProblem(where, "", "", "file is not UTF-8 text"))
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        line = int(match.group(1)) if match else None
        problems.append(PackProblem(where, "", "", f"not valid TOML: {exc}", line))
        return None
    except RecursionError:
        problems.append(PackProblem(where, "", "", "not valid TOML: nested too deeply"))
        return None
    return _File(where, data, text)


def _read_pack(root: Traversable, label: str) -> ContentPack:
    problems: list[PackProblem] = []
    read = [_read(root, label, name, problems) for name in PACK_FILES]
    parsed = [file for file in read if file is not None]
    if len(parsed) != len(PACK_FILES):
        raise PackError(problems)
    meta_file, steps_file, questions_file, rules_file, resources_file, messages_file = parsed

    meta = _Reader(meta_file.data, meta_file, "", problems)
    pack_id = meta.ident()
    version = meta.text("version")
    if version and not _VERSION.match(version):
        meta.fail("version", "expected a semantic version such as 1.0.0")
    title = meta.text("title")
    description = meta.text("description", "")
    locale = meta.text("locale", "en")
    meta.done()

    fields: dict[str, Any] = {
        "steps": _items(steps_file, "steps", problems, _step),
        "dimensions": _items(questions_file, "dimensions", problems, _dimension),
        "questions": _items(questions_file, "questions", problems, _question),
        "rules": _items(rules_file, "rules", problems, _rule),
        "resources": _items(resources_file, "resources", problems, _resource),
        "messages": _messages(messages_file, problems),
    }
    for file, keys in (
        (steps_file, {"steps"}),
        (questions_file, {"dimensions", "questions"}),
        (rules_file, {"rules"}),
        (resources_file, {"resources"}),
    ):
        for key in sorted(set(file.data) - keys):
            problems.append(PackProblem(file.name, "", key, "unknown table (check the spelling)"))
    values = {
        "id": pack_id,
        "version": version,
        "title": title,
        "description": description,
        "locale": locale,
        **fields,
    }
    if not problems:
        return ContentPack(**values)  # checks the pack as a whole
    # Check the pack as a whole even though some fields were bad, so that authors see every
    # problem at once; skip items that already have a problem, whose defaults would mislead.
    candidate = ContentPack.__new__(ContentPack)
    for name, value in values.items():
        object.__setattr__(candidate, name, value)
    reported = {(p.file, p.item) for p in problems}
    problems.extend(p for p in pack_problems(candidate) if (p.file, p.item) not in reported)
    raise PackError(problems)


def bundled_root(name: str = "core") -> Traversable:
    """The folder of a pack bundled with trustkit."""
    return files("trustkit").joinpath("packs", name)


def load_pack(source: str | os.PathLike[str] | Traversable) -> ContentPack:
    """Read a content pack.

    Args:
        source: A folder holding the pack's TOML files (a path or an
            `importlib.resources` ``Traversable``), or ``"core"`` for the
            pack bundled with trustkit.

    Returns:
        The checked pack.

    Raises:
        PackError: The pack cannot be read, or something in it is wrong. Every
            problem is listed, each with its file, item, field and line.
    """
    if isinstance(source, str) and source == "core":
        return _read_pack(bundled_root("core"), "core")
    root: Traversable = Path(source) if isinstance(source, str | os.PathLike) else source
    if not root.is_dir():
        raise PackError([PackProblem(str(source), "", "", "not a folder holding a content pack")])
    return _read_pack(root, root.name)
