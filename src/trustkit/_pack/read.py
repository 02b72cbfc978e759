"""Reading one pack file: TOML with the line each item is on, and the fields of its tables.

Everything here is linear in the size of the file, whatever the file holds: the
line numbers come from one pass over its lines (skipping the insides of
multi-line strings), never from patterns that could backtrack or from counting
newlines again for each item.
"""

from __future__ import annotations

import enum
import re
import sys
from typing import TYPE_CHECKING, Any, TypeVar

from trustkit.errors import PackProblem, ProblemCode
from trustkit.models import Origin

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

MAX_FILE_BYTES = 1_000_000
"""The largest pack file trustkit reads."""

ID_PATTERN = "^[a-z0-9][a-z0-9_-]*$"
"""What an id looks like: ASCII lowercase letters, digits, '-' and '_', never empty."""

ID_WORDS = "use lowercase letters, digits, '-' and '_', starting with a letter or digit"
"""How an id is described in a problem."""

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_TOML_LINE = re.compile(r"at line (\d+)")
_ID_LINE = re.compile(r"""[ \t]*id[ \t]*=[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)')""")
_KEY_LINE = re.compile(r"[ \t]*([A-Za-z0-9_-]+)[ \t]*=")
_HEADER_LINE = re.compile(r"[ \t]*\[(?!\[)([^\]\n]*)\]")
_TOKEN = re.compile(r"""\"\"\"|'''|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|#""")
_DIGITS = re.compile(r"[0-9_]+")
_HEADER_OR_ID = re.compile(rf"^(?:{_HEADER_LINE.pattern}|{_ID_LINE.pattern})", re.MULTILINE)
"""A table header or an id at the start of any line: the two above in one."""
_KEYS = re.compile(f"^{_KEY_LINE.pattern}", re.MULTILINE)
"""A key at the start of any line."""
_MISSING: Any = object()
E = TypeVar("E", bound=enum.Enum)


def _bare(key: str) -> str:
    """A table header's key without its spaces or quotes: ``"steps"`` is ``steps``."""
    return key.strip().strip("\"'")


def is_id(value: object) -> bool:
    """Whether a value is a valid id (ASCII, never empty)."""
    return isinstance(value, str) and _ID.match(value) is not None


def _closing(line: str, start: int, quote: str) -> int:
    """Where a multi-line string that is open at ``start`` ends on this line, or -1."""
    delimiter = quote * 3
    while True:
        at = line.find(delimiter, start)
        if at < 0:
            return -1
        if quote == "'":
            break
        escapes = 0
        while at - escapes - 1 >= start and line[at - escapes - 1] == "\\":
            escapes += 1
        if escapes % 2 == 0:
            break
        start = at + 1
    end = at + 3
    while end < len(line) and line[end] == quote and end - at < 5:  # """"" ends with quotes
        end += 1
    return end


def _opens(line: str, start: int) -> tuple[str, int] | None:
    """The quote and position of a multi-line string this line opens after ``start``."""
    for token in _TOKEN.finditer(line, start):
        text = token.group()
        if text == "#":
            return None
        if text in ('"""', "'''"):
            return text[0], token.end()
    return None


class Lines:
    """Where things are in a TOML text: item ids, table headers and top-level keys.

    Each is found at its first appearance outside a multi-line string.
    """

    def __init__(self, text: str) -> None:
        self.ids: dict[str, int] = {}
        self.tables: dict[tuple[str, str], int] = {}
        self._keys: dict[str, int] = {}
        self._top: str | None = None
        """The text before the first table header, until `keys` reads it (see `_scan`)."""
        if '"""' not in text and "'''" not in text:
            self._scan(text)  # no multi-line strings: one pass at C speed finds every line
            return
        quote = ""  # the quote of the multi-line string the scan is inside, if any
        for number, line in enumerate(text.split("\n"), start=1):
            start = 0
            if quote:
                start = _closing(line, 0, quote)
                if start < 0:
                    continue
                quote = ""
            else:
                self._note(line, number)
            while '"""' in line or "'''" in line:
                opened = _opens(line, start)
                if opened is None:
                    break
                quote, start = opened
                start = _closing(line, start, quote)
                if start < 0:
                    break
                quote = ""

    def _scan(self, text: str) -> None:
        """What `_note` finds on each line, for a text without multi-line strings.

        Keys are only noted before the first table header, and only pack.toml's
        are ever asked for: they are found in that part of the text when `keys`
        is first read.
        """
        number, last = 1, 0
        for match in _HEADER_OR_ID.finditer(text):
            start = match.start()
            number += text.count("\n", last, start)
            last = start
            header, double, single = match.groups()
            if header is None:  # an id: double or single is set (maybe to "")
                self.ids.setdefault(double or single or "", number)
                continue
            if self._top is None:
                self._top = text[:start]
            kind, _, item = header.partition(".")
            self.tables.setdefault((_bare(kind), _bare(item)), number)
        if self._top is None:
            self._top = text

    @property
    def keys(self) -> dict[str, int]:
        """The keys before the first table header (a file's top-level keys), by line."""
        top, self._top = self._top, None
        if top is not None:
            number, last = 1, 0
            for match in _KEYS.finditer(top):
                start = match.start()
                number += top.count("\n", last, start)
                last = start
                self._keys.setdefault(match.group(1), number)
        return self._keys

    def _note(self, line: str, number: int) -> None:
        header = _HEADER_LINE.match(line)
        if header is not None:
            kind, _, item = header.group(1).partition(".")
            key = (_bare(kind), _bare(item))
            self.tables.setdefault(key, number)
            return
        found = _ID_LINE.match(line)
        if found is not None:
            self.ids.setdefault(found.group(1) or found.group(2) or "", number)
        if not self.tables:
            key_match = _KEY_LINE.match(line)
            if key_match is not None:
                self._keys.setdefault(key_match.group(1), number)


class PackFile:
    """One parsed pack file, with the line each item id is defined on."""

    def __init__(self, name: str, data: dict[str, Any], text: str) -> None:
        self.name = name
        self.data = data
        self.shared: dict[tuple[object, ...], Any] = {}
        """Equal conditions read from this file, to share one object (see `read_condition`)."""
        self._lines = Lines(text)
        self.lines = self._lines.ids
        self.tables = self._lines.tables

    @property
    def keys(self) -> dict[str, int]:
        """The file's top-level keys, by the line each is first on."""
        return self._lines.keys


def _too_long_number(text: str) -> int | None:
    """The line of the first number too long for Python to read, if any."""
    found = next((m for m in _DIGITS.finditer(text) if len(m.group()) > 4300), None)
    return None if found is None else text.count("\n", 0, found.start()) + 1


def read_file(
    root: Traversable, label: str, name: str, problems: list[PackProblem]
) -> PackFile | None:
    """Read and parse one pack file, or record why it cannot be read.

    Args:
        root: The pack's folder.
        label: The pack's label in messages (its id or folder name).
        name: The file, relative to ``root`` (e.g. ``"locales/es.toml"``).
        problems: Where to record a problem.
    """
    # Only packs read from TOML need these: the bundled pack's snapshot does not.
    import tomllib  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    where = f"{label}/{name}"
    node = root.joinpath(*name.split("/"))
    if not node.is_file():
        problems.append(PackProblem(where, "", "", "file is missing", code=ProblemCode.MISSING))
        return None
    # A file on disk is measured before it is read; any other (in a zip, say) once read.
    raw = None
    if not (isinstance(node, Path) and node.stat().st_size > MAX_FILE_BYTES):
        raw = node.read_bytes()
    if raw is None or len(raw) > MAX_FILE_BYTES:
        problems.append(
            PackProblem(
                where,
                "",
                "",
                f"file is larger than {MAX_FILE_BYTES} bytes",
                code=ProblemCode.TOO_LARGE,
            )
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(
            PackProblem(where, "", "", "file is not UTF-8 text", code=ProblemCode.INVALID_FILE)
        )
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        line = int(match.group(1)) if match else None
        problems.append(
            PackProblem(
                where, "", "", f"not valid TOML: {exc}", line, code=ProblemCode.INVALID_FILE
            )
        )
        return None
    except RecursionError:
        problems.append(
            PackProblem(
                where, "", "", "not valid TOML: nested too deeply", code=ProblemCode.TOO_LARGE
            )
        )
        return None
    except ValueError:  # an integer of more than 4,300 digits
        message = "a number with more than 4300 digits"
        problems.append(
            PackProblem(where, "", "", message, _too_long_number(text), code=ProblemCode.TOO_LARGE)
        )
        return None
    return PackFile(where, data, text)


class Reader:
    """Reads the fields of one table, recording a problem for each bad field."""

    def __init__(
        self,
        data: object,
        file: PackFile,
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
            self.fail("", "expected a table", code=ProblemCode.WRONG_TYPE)

    @property
    def origin(self) -> Origin:
        """Where the table is."""
        return Origin(self.file.name, self.file.lines.get(self.item))

    def path(self, key: str) -> str:
        """The path of a field, for problems."""
        if not key:
            return self.prefix
        return f"{self.prefix}.{key}" if self.prefix else key

    def fail(
        self, key: str, message: str, code: ProblemCode | str, line: int | None = None
    ) -> None:
        """Record a problem with a field."""
        line = self.origin.line if line is None else line
        self.problems.append(
            PackProblem(self.file.name, self.item, self.path(key), message, line, code=code)
        )

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        """A field's value as it is, recording a problem if it is missing and required."""
        self.used.add(key)
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            self.fail(key, "missing", code=ProblemCode.MISSING)
        return default

    def typed(self, key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
        """A field's value if it has the type, else the default (recording a problem)."""
        value = self.raw(key, default)
        if value is _MISSING or value is default:
            return default
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            self.fail(key, f"expected {what}", code=ProblemCode.WRONG_TYPE)
            return default
        if not isinstance(value, kind):
            self.fail(key, f"expected {what}", code=ProblemCode.WRONG_TYPE)
            return default
        return value

    def text(self, key: str, default: Any = _MISSING) -> str:
        """A text field."""
        value: str = self.typed(key, str, "text", default)
        if value is _MISSING:
            return ""
        # Ids, step and question names and reasons recur across thousands of rules: keep one copy.
        return sys.intern(value) if type(value) is str else value

    def whole(self, key: str, default: Any = _MISSING) -> int:
        """A whole-number field."""
        value: int = self.typed(key, int, "a whole number", default)
        return value if value is not _MISSING else 0

    def flag(self, key: str, default: bool = False) -> bool:
        """A true-or-false field."""
        value: bool = self.typed(key, bool, "true or false", default)
        return value

    def texts(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        """A list-of-texts field."""
        value: object = self.raw(key, default)
        if value is default:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "expected a list of texts", code=ProblemCode.WRONG_TYPE)
            return default
        return tuple(value)

    def choice(self, key: str, enum_type: type[E], default: Any = _MISSING) -> E:
        """A field whose value is one of an enum's."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return default  # type: ignore[no-any-return]
        try:
            return enum_type(value)
        except ValueError:
            options = ", ".join(repr(m.value) for m in enum_type)
            self.fail(key, f"expected one of {options}", code=ProblemCode.INVALID_VALUE)
            return next(iter(enum_type))

    def ident(self, key: str = "id") -> str:
        """An id field: never empty, ASCII only."""
        value = self.text(key)
        if key in self.data and isinstance(self.data[key], str) and not is_id(value):
            self.fail(
                key, ID_WORDS if value else "empty: " + ID_WORDS, code=ProblemCode.INVALID_VALUE
            )
        return value

    def tables(self, key: str) -> list[Any]:
        """A list-of-tables field."""
        value = self.raw(key, [])
        if not isinstance(value, list):
            self.fail(key, "expected a list of tables", code=ProblemCode.WRONG_TYPE)
            return []
        return value

    def done(self) -> None:
        """Record every field that was not read as unknown."""
        for key in sorted(set(self.data) - self.used):
            self.fail(key, "unknown field (check the spelling)", code=ProblemCode.UNKNOWN_FIELD)


def item_id(data: object, index: int) -> str:
    """The id of the ``index``-th table of a list, or ``#n`` if it has none."""
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return str(data["id"])
    return f"#{index + 1}"


def keyed_tables(
    file: PackFile, problems: list[PackProblem], reserved: tuple[str, ...] = ()
) -> dict[str, dict[str, tuple[dict[str, Any], Origin]]]:
    """``[kind.id]`` tables (and a plain ``[messages]`` table) with their lines."""
    out: dict[str, dict[str, tuple[dict[str, Any], Origin]]] = {}
    for kind, raw in file.data.items():
        if kind in reserved:
            continue
        tables = {"": raw} if kind == "messages" else raw
        if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
            line = file.tables.get((kind, ""))
            problems.append(
                PackProblem(
                    file.name,
                    kind,
                    "",
                    "expected tables such as [kind.item-id]",
                    line,
                    code=ProblemCode.WRONG_TYPE,
                )
            )
            continue
        out[kind] = {
            item: (fields, Origin(file.name, file.tables.get((kind, item))))
            for item, fields in tables.items()
        }
    return out
