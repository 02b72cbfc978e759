"""Reading a pack's TOML files into a [`ContentPack`][trustkit.ContentPack].

Everything a pack holds is data: this module parses TOML and checks the type of
every field, collecting every problem with its file, item id, field and line
before raising one [`PackError`][trustkit.PackError]. Nothing from a pack is ever
executed.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import tomllib
from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import attrs

from trustkit._pack import versions
from trustkit._pack.validate import MAX_CONDITION_DEPTH, pack_problems
from trustkit._vocabulary import (
    MESSAGE_TEMPLATES,
    SAFETY_EARLIER,
    SAFETY_PERIOD_FLOOR_WEEKS,
    SAFETY_PERIOD_MAX_WEEKS,
)
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
    FactCompare,
    LocaleFile,
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
    Text,
    Translation,
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

OPTIONAL_TEMPLATES = {"safety_earlier": SAFETY_EARLIER}
"""Templates a messages.toml may leave out, with their defaults."""

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_ID_LINE = re.compile(r"""^\s*id\s*=\s*["']([^"']*)["']""", re.MULTILINE)
_PERIOD_LINE = re.compile(r"^\s*safety_period_weeks\s*=", re.MULTILINE)
_TOML_LINE = re.compile(r"at line (\d+)")
_MISSING: Any = object()
E = TypeVar("E", bound=enum.Enum)


class _File:
    """One parsed pack file, with the line each item id is defined on."""

    def __init__(self, name: str, data: dict[str, Any], text: str) -> None:
        self.name = name
        self.data = data
        self.text = text
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

_CONDITION_KEYS = ("answer", "score", "fact", "answered", "all", "any", "not", "always")


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
        kinds_of: dict[str, Any] = {"answer": AnswerCompare, "score": ScoreCompare}
        result = kinds_of.get(kind, FactCompare)(name, op, value)
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
        couples=reader.flag("couples"),
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
        audience=reader.text("audience", ""),
        secondary_source=reader.flag("secondary_source"),
        origin=reader.origin,
    )


def _messages(file: _File, problems: list[PackProblem]) -> Messages:
    top = _Reader(file.data, file, "", problems)
    reader = _Reader(top.raw("explain"), file, "explain", problems)
    messages = Messages(
        **{
            name: reader.text(name, OPTIONAL_TEMPLATES.get(name, _MISSING))
            for name in MESSAGE_TEMPLATES
        },
        months=reader.texts("months"),
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


_LOCALE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")
_TABLE_LINE = re.compile(r"""^\s*\[\s*([A-Za-z_]+)(?:\.\s*["']?([^\]"']*)["']?)?\s*\]""", re.M)


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
        self.messages: Messages | None = None
        self.actions: list[tuple[str, Action, Origin]] = []
        self.overrides: dict[str, dict[str, tuple[dict[str, Any], Origin]]] = {}
        self.disabled: list[tuple[str, Origin]] = []
        self.locale_files: list[LocaleFile] = []

    @property
    def is_overlay(self) -> bool:
        """Whether the pack extends another."""
        return self.extends is not None


def _keyed_tables(
    file: _File, parts: Parts, reserved: tuple[str, ...] = ()
) -> dict[str, dict[str, tuple[dict[str, Any], Origin]]]:
    """``[kind.id]`` tables (and a plain ``[messages]`` table) with their lines."""
    lines: dict[tuple[str, str], int] = {}
    for match in _TABLE_LINE.finditer(file.text):
        key = (match.group(1), match.group(2) or "")
        lines.setdefault(key, file.text.count("\n", 0, match.start()) + 1)
    out: dict[str, dict[str, tuple[dict[str, Any], Origin]]] = {}
    for kind, raw in file.data.items():
        if kind in reserved:
            continue
        tables = {"": raw} if kind == "messages" else raw
        if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
            parts.problems.append(
                PackProblem(file.name, kind, "", "expected tables such as [kind.item-id]")
            )
            continue
        out[kind] = {
            item: (fields, Origin(file.name, lines.get((kind, item))))
            for item, fields in tables.items()
        }
    return out


def _translation(file: _File, tag: str, parts: Parts) -> Translation:
    entries: list[tuple[str, str, str, Text]] = []
    lines: list[int | None] = []
    for kind, items in _keyed_tables(file, parts).items():
        for item, (fields, origin) in items.items():
            for field, raw in fields.items():
                value: Text
                if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
                    value = tuple(raw)
                elif isinstance(raw, str):
                    value = raw
                else:
                    label = f"{kind}.{item}" if item else kind
                    parts.problems.append(
                        PackProblem(file.name, label, field, "expected a text", origin.line)
                    )
                    continue
                entries.append((kind, item, field, value))
                lines.append(origin.line)
    return Translation(locale=tag, texts=tuple(entries), file=file.name, lines=tuple(lines))


def _read_locales(root: Traversable, label: str, parts: Parts) -> None:
    """Note the pack's locale files; they are read when their locale is first used."""
    folder = root / "locales"
    if not folder.is_dir():
        return
    for node in sorted(folder.iterdir(), key=lambda n: n.name):
        if not node.name.endswith(".toml"):
            continue
        tag = node.name[: -len(".toml")]
        if not _LOCALE_TAG.match(tag):
            parts.problems.append(
                PackProblem(f"{label}/locales/{node.name}", "", "", "name the file by a BCP 47 tag")
            )
            continue
        parts.locale_files.append(LocaleFile(tag, f"{label}/locales/{node.name}", folder))


def read_locale_file(locale_file: LocaleFile) -> Translation:
    """Read one locale file into a translation.

    Raises:
        PackError: The file cannot be read or holds something other than text.
    """
    problems: list[PackProblem] = []
    label, _, name = locale_file.file.rpartition("/")
    file = _read(locale_file.folder, label, name, problems)
    if file is None:
        raise PackError(problems)
    parts = Parts(label)
    translation = _translation(file, locale_file.locale, parts)
    if parts.problems:
        raise PackError(parts.problems)
    if locale_file.disabled_rules:
        kept = [
            (text, line)
            for text, line in zip(translation.texts, translation.lines, strict=True)
            if not (text[0] == "rules" and text[1] in locale_file.disabled_rules)
        ]
        translation = attrs.evolve(
            translation, texts=tuple(t for t, _ in kept), lines=tuple(line for _, line in kept)
        )
    return translation


def _read_meta(file: _File, parts: Parts) -> None:
    meta = _Reader(file.data, file, "", parts.problems)
    parts.id = meta.ident()
    parts.version = meta.text("version")
    for key in ("version", "extends", "trustkit"):
        parts.meta_lines[key] = versions.key_line(file.text, key)
    problem = versions.version_problem(parts.version) if parts.version else None
    if problem:
        parts.problems.append(
            PackProblem(file.name, "", "version", problem, parts.meta_lines["version"])
        )
    parts.title = meta.text("title")
    parts.description = meta.text("description", "")
    parts.locale = meta.text("locale", "")
    extends = meta.text("extends", "")
    if extends:
        base, spec, problem = versions.parse_extends(extends)
        if problem:
            parts.problems.append(
                PackProblem(file.name, "", "extends", problem, parts.meta_lines["extends"])
            )
        parts.extends = (base, spec)
    weeks = meta.typed("safety_period_weeks", int, "a whole number of weeks", None)
    found = _PERIOD_LINE.search(file.text)
    parts.safety_period_line = file.text.count("\n", 0, found.start()) + 1 if found else None
    if weeks is not None and not SAFETY_PERIOD_FLOOR_WEEKS <= weeks <= SAFETY_PERIOD_MAX_WEEKS:
        parts.problems.append(
            PackProblem(
                file.name,
                "",
                "safety_period_weeks",
                f"from {SAFETY_PERIOD_FLOOR_WEEKS} to {SAFETY_PERIOD_MAX_WEEKS} weeks: a safety "
                "period can be made longer, never shorter",
                parts.safety_period_line,
            )
        )
        weeks = SAFETY_PERIOD_FLOOR_WEEKS
    parts.safety_period_weeks = weeks
    parts.trustkit = meta.text("trustkit", "")
    problem = versions.range_problem(parts.trustkit) if parts.trustkit else None
    if problem:
        parts.problems.append(
            PackProblem(file.name, "", "trustkit", problem, parts.meta_lines["trustkit"])
        )
    meta.done()


def _overlay_actions(file: _File, parts: Parts) -> None:
    top = _Reader(file.data, file, "", parts.problems)
    for i, raw in enumerate(top.tables("actions")):
        reader = _Reader(raw, file, _item_id(raw, i), parts.problems)
        step_id = reader.text("step")
        action = _action(reader)
        reader.done()
        parts.actions.append((step_id, action, reader.origin))


def read_parts(root: Traversable, label: str) -> Parts:
    """Read one pack folder (a base pack or an overlay) without merging it."""
    parts = Parts(label)
    meta_file = _read(root, label, "pack.toml", parts.problems)
    if meta_file is None:
        raise PackError(parts.problems)
    _read_meta(meta_file, parts)
    overlay = parts.is_overlay
    names = PACK_FILES[1:] if not overlay else PACK_FILES[1:-1]
    files_read: dict[str, _File] = {}
    for name in names:
        if overlay and not (root / name).is_file():
            continue
        file = _read(root, label, name, parts.problems)
        if file is not None:
            files_read[name] = file
    if not overlay and len(files_read) != len(names):
        raise PackError(parts.problems)
    if overlay and (root / "messages.toml").is_file():
        parts.problems.append(
            PackProblem(
                f"{label}/messages.toml",
                "",
                "",
                "an overlay changes messages in overrides.toml, under [messages]",
            )
        )
    if (root / "overrides.toml").is_file():
        file = _read(root, label, "overrides.toml", parts.problems)
        if file is not None and not overlay:
            parts.problems.append(
                PackProblem(
                    file.name,
                    "",
                    "",
                    "only an overlay (a pack that extends another) can have overrides.toml",
                )
            )
        elif file is not None:
            parts.overrides = _keyed_tables(file, parts, reserved=("disable",))
            disable = _Reader(file.data.get("disable", {}), file, "disable", parts.problems)
            for rule_id in disable.texts("rules"):
                parts.disabled.append((rule_id, Origin(file.name, None)))
            disable.done()
    _read_locales(root, label, parts)

    known = {
        "steps.toml": {"steps", "actions"} if overlay else {"steps"},
        "questions.toml": {"dimensions", "questions"},
        "rules.toml": {"rules"},
        "resources.toml": {"resources"},
        "messages.toml": {"explain"},
    }
    for name, file in files_read.items():
        for key in sorted(set(file.data) - known[name]):
            parts.problems.append(
                PackProblem(file.name, "", key, "unknown table (check the spelling)")
            )
    if "steps.toml" in files_read:
        parts.steps = _items(files_read["steps.toml"], "steps", parts.problems, _step)
        if overlay:
            _overlay_actions(files_read["steps.toml"], parts)
    if "questions.toml" in files_read:
        file = files_read["questions.toml"]
        parts.dimensions = _items(file, "dimensions", parts.problems, _dimension)
        parts.questions = _items(file, "questions", parts.problems, _question)
    if "rules.toml" in files_read:
        parts.rules = _items(files_read["rules.toml"], "rules", parts.problems, _rule)
    if "resources.toml" in files_read:
        parts.resources = _items(
            files_read["resources.toml"], "resources", parts.problems, _resource
        )
    if "messages.toml" in files_read:
        parts.messages = _messages(files_read["messages.toml"], parts.problems)
    return parts


def build(values: dict[str, Any], problems: list[PackProblem]) -> ContentPack:
    """Create the pack, reporting the reader's problems and the whole-pack ones together."""
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


def build_base(parts: Parts) -> ContentPack:
    """The content pack of a base (not overlay) pack."""
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
            "messages": parts.messages,
            "translations": (),  # read from locale_files when a locale is first used
            "locale_files": tuple(parts.locale_files),
            "safety_period_weeks": parts.safety_period_weeks or SAFETY_PERIOD_FLOOR_WEEKS,
        },
        parts.problems,
    )


def bundled_root(name: str = "core") -> Traversable:
    """The folder of a pack bundled with trustkit."""
    return files("trustkit").joinpath("packs", name)
