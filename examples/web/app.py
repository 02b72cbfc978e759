"""A small web app that embeds trustkit: a check-in form page and a JSON API.

It is built on Starlette alone. Run it (from the repository root, with the
``web`` extra installed)::

    python -m pip install ".[web]"
    uvicorn --app-dir examples/web app:app --no-access-log

then open http://127.0.0.1:8000/. ``docs/web.md`` walks through it.

A check-in that carries a couple id (the form's ``couple`` field, the JSON API's
``"couple"``) is remembered: the app keeps each couple's ``trustkit.CoupleState``
in SQLite, so that a safety answer on Monday is still honoured on Friday, after a
restart too. Set ``TRUSTKIT_WEB_DB`` to the database file (created with mode 0600);
without it the states are kept in memory and forgotten when the server stops.
Without a couple id nothing is stored at all.

The answers to a check-in are sensitive personal data, so this app:

- never logs, prints or stores a request body or an answer, beyond the couple's
  state, which is as sensitive as the answers: it is kept only in the database
  (mode 0600), never logged and never shown to either partner. Nothing here
  calls ``logging`` with request data, and nothing in the process records
  telemetry: the ``web`` extra installs no OpenTelemetry package at all;
- checks a JSON check-in itself (`read_checkin`), and reports what is wrong by
  field, code and expected form only, never with the value that was sent;
- turns trustkit's ``AnswerError`` into a 422 that lists each problem's field, code
  and what was expected, never the value;
- takes answers only in a POST body, never in a URL (URLs end up in access
  logs, browser history and ``Referer`` headers), and refuses bodies over
  ``MAX_BODY`` bytes;
- sends ``Cache-Control: no-store`` so no page with answers or a
  recommendation is kept in a cache, and a Content-Security-Policy that
  allows no scripts at all, so no analytics or other third-party code can run
  on its pages.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import trustkit
from trustkit import AnswerProblem, ProblemCode, QuestionKind, Recommendation, Resource, Role, Who

MAX_BODY = 16_384
"""The largest request body accepted, in bytes: a check-in is a few hundred."""

MAX_ANSWERS = 64
"""At most this many answers in one JSON check-in; a role has fewer than 30 questions."""

MAX_PROBLEMS = 20
"""At most this many problems are listed in one error response."""

SECURITY_HEADERS = {
    # Pages with answers or a recommendation are never cached, not even by the browser.
    "cache-control": "no-store",
    # A click on a helpline's website does not tell it where the person came from.
    "referrer-policy": "no-referrer",
    # No scripts at all: no analytics, no tag manager, no third-party code.
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
}


# ------------------------------------------------------------------ privacy plumbing


class _TooLargeError(Exception):
    """A request body went on past its ``Content-Length`` or `MAX_BODY`."""


class PrivacyMiddleware:
    """Refuse oversized bodies before anything reads them, and add `SECURITY_HEADERS`.

    A POST must say how long its body is (``Content-Length``, at most
    ``max_body``) and must not be chunked (``Transfer-Encoding``): some servers
    read a chunked body whatever its ``Content-Length`` says. Whatever the
    server does, no more than that length is ever read: a body that goes on
    past it gets a 413.
    """

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        if scope["method"] != "POST":
            await self.app(scope, receive, send_with_headers)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"")
        if b"transfer-encoding" in headers or not length.isdigit():
            await _plain(send, 411, b"A request body needs a Content-Length, and no chunks.")
            return
        # Its digits are counted first: Python will not even read a number of 5,000 digits.
        digits = length.lstrip(b"0") or b"0"
        if len(digits) > len(str(self.max_body)) or int(digits) > self.max_body:
            await _plain(send, 413, b"The request body is too large.")
            return
        allowed = int(digits)
        read = 0

        async def receive_at_most() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > allowed:
                    raise _TooLargeError
            return message

        try:
            await self.app(scope, receive_at_most, send_with_headers)
        except _TooLargeError:  # every route reads its body before it answers
            await _plain(send, 413, b"The request body is too large.")


async def _plain(send: Send, status: int, text: bytes) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text})


class InvalidRequestError(Exception):
    """A request the app cannot use. It names the fields at fault, never their values.

    Attributes:
        problems: One ``{"field", "code", "expected"}`` mapping per problem.
    """

    def __init__(self, problems: Iterable[Mapping[str, str]]) -> None:
        self.problems = tuple(dict(problem) for problem in problems)
        super().__init__(f"{len(self.problems)} problem(s) in the request")


def _problem(field: str, code: str, expected: str) -> dict[str, str]:
    return {"field": field, "code": code, "expected": expected}


@attrs.frozen
class CheckInRequest:
    """One person's check-in, as the JSON API takes it."""

    answers: Mapping[str, Any]
    respondent: str = "partner"
    country: str | None = None
    locale: str | None = None
    couple: object = None
    """Checked by `read_couple`, after the answers: a safety yes is answered even if it is wrong."""


_ROLES = frozenset(role.value for role in Role)

_TEXT_LIMITS = {"country": 8, "locale": 35}
"""The optional text fields of a JSON check-in, and the most characters each may have."""


class _NameTwiceError(ValueError):
    """A name given twice in one JSON object; ``name`` is that name (a field, never a value)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__("a name is given twice")


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused if a name is given twice (which value would count?).

    The same rule as trustkit's own JSON readers (the command line, ``trustkit.batch``):
    ``{"afraid_of_partner": true, "afraid_of_partner": false}`` is no answer at all.
    """
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _NameTwiceError(name)
            seen.add(name)
    return obj


def read_checkin(body: bytes) -> CheckInRequest:
    """The check-in in a JSON API request body, once its shape is right.

    Whether the answers fit the questionnaire is left to trustkit, which says
    so with an ``AnswerError``.

    Raises:
        InvalidRequestError: naming each field at fault and what was expected there.
            Neither a value nor the JSON parser's message (which points into
            the body) is ever part of it.
    """
    try:
        data = json.loads(body, object_pairs_hook=_unique_names)
    except _NameTwiceError as exc:
        raise InvalidRequestError(
            [_problem(exc.name[:100], "duplicate", "each name at most once")]
        ) from None
    except (ValueError, RecursionError):
        raise InvalidRequestError([_problem("body", "invalid_json", "valid JSON")]) from None
    if not isinstance(data, dict):
        raise InvalidRequestError([_problem("body", "wrong_type", "a JSON object")])
    problems = [
        _problem(name[:100], "unknown_field", "no such field")
        for name in data
        if name not in {"respondent", "answers", "couple", *_TEXT_LIMITS}
    ]
    respondent = data.get("respondent", "partner")
    if not (isinstance(respondent, str) and respondent in _ROLES):
        problems.append(_problem("respondent", "invalid_value", "partner or supporter"))
    answers = data.get("answers")
    if "answers" not in data:
        problems.append(_problem("answers", "missing", "an object of answers"))
    elif not isinstance(answers, dict):
        problems.append(_problem("answers", "wrong_type", "an object of answers"))
    elif len(answers) > MAX_ANSWERS:
        problems.append(_problem("answers", "too_large", f"at most {MAX_ANSWERS} answers"))
    for name, limit in _TEXT_LIMITS.items():
        value = data.get(name)
        if value is not None and not (isinstance(value, str) and len(value) <= limit):
            code = "too_large" if isinstance(value, str) else "wrong_type"
            problems.append(_problem(name, code, f"null or at most {limit} characters"))
    if problems:
        raise InvalidRequestError(problems)
    return CheckInRequest(
        data["answers"], respondent, data.get("country"), data.get("locale"), data.get("couple")
    )


def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """A 422 for an `InvalidRequestError`: each problem's field, code and what was expected."""
    assert isinstance(exc, InvalidRequestError)
    problems = list(exc.problems[:MAX_PROBLEMS])
    return JSONResponse({"detail": "The request is not valid.", "problems": problems}, 422)


def answer_error(request: Request, exc: Exception) -> JSONResponse:
    """A 422 for trustkit's ``AnswerError``: each problem's field, code and what was expected.

    trustkit's messages never contain a value, so they are safe to send. The code is one
    of trustkit's problem codes (``trustkit.ProblemCode``), for clients that word the error
    in the user's language.
    """
    assert isinstance(exc, trustkit.AnswerError)
    problems = [
        {"field": problem.field, "code": problem.code.value, "expected": problem.expected}
        for problem in exc.problems[:MAX_PROBLEMS]
    ]
    return JSONResponse({"detail": "The request is not valid.", "problems": problems}, 422)


# ------------------------------------------------------------------- the couple's memory

DB_ENV = "TRUSTKIT_WEB_DB"
"""The environment variable naming the SQLite file of the couples' states."""

IN_MEMORY = ":memory:"
"""The database used when ``TRUSTKIT_WEB_DB`` is not set: forgotten when the server stops."""

COUPLE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
"""A couple id: 8 to 64 letters, digits, ``-`` or ``_`` (a long random one is best)."""

COUPLE_EXPECTED = "a couple id of 8 to 64 letters, digits, - or _"

_TICK = dt.timedelta(microseconds=1)

_FORMAT = trustkit.CoupleState().format
"""The state format this trustkit reads; a stored state of another is never overwritten."""

_log = logging.getLogger("trustkit.web")
"""Only for the start-up note about where states are kept; never for request data."""


def utc_now() -> dt.datetime:
    """The server's clock, timezone-aware UTC (trustkit itself never reads a clock)."""
    return dt.datetime.now(dt.UTC)


def read_couple(value: object) -> tuple[str | None, list[AnswerProblem]]:
    """The couple id sent with a check-in, if it is one; else what is wrong with it.

    No id (``None`` or an empty field) is no problem: the check-in is then not stored.
    """
    if value is None or value == "":
        return None, []
    if isinstance(value, str) and COUPLE_ID.fullmatch(value):
        return value, []
    return None, [AnswerProblem("couple", COUPLE_EXPECTED, code=ProblemCode.INVALID_VALUE)]


def read_locale(locale: str | None) -> tuple[str | None, list[AnswerProblem]]:
    """The locale to answer in, and what is wrong with the one asked for.

    A tag that is not a language tag at all is passed on, for trustkit to report.
    A language this app has no texts in is a problem too (``locale`` is then
    ``None``): an answer in English that the client did not ask for, with
    nothing to say so, would be quietly wrong.
    """
    if locale is None:
        return None, []
    pack = trustkit.default_pack()
    try:
        applied = pack.localized(locale).locale
    except trustkit.AnswerError:  # not a language tag: trustkit says so itself
        return locale, []
    language = locale.strip().replace("_", "-").split("-")[0].lower()
    if applied.split("-")[0].lower() == language:
        return locale, []
    languages = ", ".join(sorted({pack.locale, *pack.locales}))
    expected = f"a language this app has texts in: {languages}"
    return None, [AnswerProblem("locale", expected, code=ProblemCode.INVALID_VALUE)]


def _noted(rec: Recommendation, unknown: Sequence[AnswerProblem]) -> Recommendation:
    """A recommendation with the locale's problem beside it; refused unless safety decided."""
    if not unknown:
        return rec
    if not rec.safety:
        raise trustkit.AnswerError(unknown)
    return attrs.evolve(rec, problems=(*rec.problems, *unknown))


@attrs.frozen
class Outcome:
    """A check-in's recommendation, and whether its couple's state was saved.

    Attributes:
        recommendation: What to show the person (help first when ``safety``).
        saved: Whether the state was saved; ``None`` when no couple id was given.
        problems: Why it was not saved (field and what was expected, never a value).
    """

    recommendation: Recommendation
    saved: bool | None = None
    problems: tuple[AnswerProblem, ...] = ()


def _private_file(path: str) -> None:
    """Create the database file readable and writable by this user alone (mode 0600).

    It is opened without following a symlink, and an existing file is set to 0600
    too. SQLite gives its journal the same mode as the database.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        if hasattr(os, "fchmod"):  # pragma: no branch (POSIX)
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class CoupleStore:
    """Each couple's ``trustkit.CoupleState``, as JSON in one SQLite table.

    A check-in is one transaction: read the couple's state, recommend with it,
    fold the check-in in (``trustkit.advance``) and write the state back. The
    state holds recent answers and any open safety period, so it is as sensitive
    as the answers: the file is mode 0600, and nothing here logs or shows it.
    """

    def __init__(self, path: str = IN_MEMORY, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.path = path
        self.clock = clock
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            if self.path != IN_MEMORY:
                _private_file(self.path)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute(
                "CREATE TABLE IF NOT EXISTS couple_state"
                " (couple TEXT PRIMARY KEY, state TEXT NOT NULL)"
            )
            self._db = db
        return self._db

    def open(self) -> None:
        """Open (and create) the database now, rather than at the first check-in."""
        with self._lock:
            self._connect()

    def close(self) -> None:
        """Close the database (an in-memory one is then gone)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def state(self, couple: str) -> trustkit.CoupleState | None:
        """A couple's stored state (``CoupleState()`` if none); ``None`` if it cannot be read."""
        with self._lock:
            return self._read(self._connect(), couple)

    @staticmethod
    def _read(db: sqlite3.Connection, couple: str) -> trustkit.CoupleState | None:
        row = db.execute("SELECT state FROM couple_state WHERE couple = ?", (couple,)).fetchone()
        if row is None:
            return trustkit.CoupleState()
        try:
            data = json.loads(row[0], object_pairs_hook=_unique_names)
            state = trustkit.converter.structure(data, trustkit.CoupleState)
        except Exception:  # whatever is wrong, it is not read, and never shown
            return None
        return state if state.format == _FORMAT else None

    def check_in(
        self,
        couple: str,
        respondent: Role,
        answers: Mapping[str, Any],
        *,
        country: str | None = None,
        locale: str | None = None,
        unknown: Sequence[AnswerProblem] = (),
    ) -> Outcome:
        """Recommend with the couple's state, then fold the check-in in and save it.

        ``unknown`` is what is wrong with the locale asked for (see `read_locale`).

        Raises:
            trustkit.AnswerError: The answers (or the locale) cannot be used and
                hold no safety yes (nor is the person in their own safety
                period); nothing is saved.
        """
        with self._lock:
            db = self._connect()
            db.execute("BEGIN IMMEDIATE")  # one writer at a time, across processes too
            try:
                outcome = self._check_in(db, couple, respondent, answers, country, locale, unknown)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return outcome

    def _check_in(
        self,
        db: sqlite3.Connection,
        couple: str,
        respondent: Role,
        answers: Mapping[str, Any],
        country: str | None,
        locale: str | None,
        unknown: Sequence[AnswerProblem],
    ) -> Outcome:
        state = self._read(db, couple)
        if state is None:  # never overwritten: it may hold a disclosure
            rec = trustkit.recommend_next_step(
                answers, respondent=respondent, country=country, locale=locale
            )
            rec = _noted(rec, unknown)
            unreadable = AnswerProblem(
                "state",
                "a stored state this app can read; this check-in was not saved",
                code=ProblemCode.INCOMPATIBLE,
            )
            return Outcome(rec, saved=False, problems=(unreadable,))
        # The server's clock, but never before the couple's newest check-in: a clock
        # set back must not make a check-in (and a disclosure in it) "out of order".
        at = self.clock().astimezone(dt.UTC)
        if state.newest is not None and at <= state.newest:
            at = state.newest + _TICK
        checkin = trustkit.CheckIn(respondent, answers, at)
        rec = trustkit.recommend_next_step(checkin, state=state, country=country, locale=locale)
        rec = _noted(rec, unknown)
        # Answers trustkit could not use are not kept (a safety yes always can be).
        unusable = {problem.field for problem in rec.problems}
        kept = {name: value for name, value in answers.items() if name not in unusable}
        try:
            new = trustkit.advance(state, trustkit.CheckIn(respondent, kept, at), rec)
        except trustkit.AnswerError as error:  # shown beside the result, never instead of it
            return Outcome(rec, saved=False, problems=error.problems)
        db.execute(
            "INSERT INTO couple_state (couple, state) VALUES (?, ?) "
            "ON CONFLICT (couple) DO UPDATE SET state = excluded.state",
            (couple, json.dumps(trustkit.converter.unstructure(new))),
        )
        return Outcome(rec, saved=True)


def check_in(
    store: CoupleStore,
    couple: object,
    respondent: Role,
    answers: Mapping[str, Any],
    *,
    country: str | None = None,
    locale: str | None = None,
) -> Outcome:
    """One check-in, remembered when it carries a valid couple id.

    A couple id that is not valid is a problem like a wrong answer: with a
    safety result it is listed beside the help (and nothing is saved); without
    one it is an ``AnswerError`` with the other problems. So is a locale in a
    language the app has no texts in (`read_locale`), except that a safety
    result with it is still saved.

    Raises:
        trustkit.AnswerError: The check-in cannot be used and there is no safety result.
    """
    locale, unknown = read_locale(locale)
    couple_id, problems = read_couple(couple)
    if couple_id is not None:
        return store.check_in(
            couple_id, respondent, answers, country=country, locale=locale, unknown=unknown
        )
    try:
        rec = trustkit.recommend_next_step(
            answers, respondent=respondent, country=country, locale=locale
        )
    except trustkit.AnswerError as error:
        raise trustkit.AnswerError([*error.problems, *unknown, *problems]) from None
    if not rec.safety and (unknown or problems):
        raise trustkit.AnswerError([*unknown, *problems])
    rec = _noted(rec, unknown)
    if not problems:
        return Outcome(rec)
    return Outcome(rec, saved=False, problems=tuple(problems))


# ------------------------------------------------------------------------ questions


def questions_in_order(role: Role) -> tuple[trustkit.Question, ...]:
    """One role's questions as they are asked: the safety screen is always the last block."""
    questions = trustkit.default_pack().questions_for(role)
    return (*(q for q in questions if not q.safety), *(q for q in questions if q.safety))


def read_form_answers(
    role: Role, form: Iterable[tuple[str, str]]
) -> tuple[dict[str, object], str | None]:
    """The answers and the country in a posted form, ready for trustkit to check.

    An empty field means "skipped". Values that are not answers, and fields
    that are not questions of this role, are passed on as they are, so that
    trustkit reports them (by question id, never by value).
    """
    kinds = {q.id: q.kind for q in trustkit.default_pack().questions_for(role)}
    answers: dict[str, object] = {}
    codes: dict[str, list[str]] = {}
    country: str | None = None
    for name, raw in form:
        value = raw.strip()
        if name == "country":
            country = value or None
        elif not value:
            continue
        elif kinds.get(name) is QuestionKind.MULTIPLE_CHOICE:
            ticked = codes.setdefault(name, [])  # one field per box ticked: a list of codes
            ticked.append(value)
            answers[name] = ticked
        elif name in answers:
            answers[name] = [answers[name], value]  # given twice: never a valid answer
        elif kinds.get(name) is QuestionKind.YES_NO:
            answers[name] = {"yes": True, "no": False}.get(value, value)
        elif len(value) <= 6 and value.isdigit():
            answers[name] = int(value)
        else:
            answers[name] = value
    return answers, country


# --------------------------------------------------------------------------- pages

_ROLE_TITLES = {
    Role.PARTNER: "I find it hard to trust my partner",
    Role.SUPPORTER: "I want to help my partner trust me",
}

_STYLE = """
body { font: 17px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d2a2a; background: #fbfdfd; }
h1 { font-size: 1.6rem; color: #0f5e5e; } h2 { font-size: 1.25rem; margin-top: 2rem; }
fieldset { border: 1px solid #c9dede; border-radius: 8px; margin: 1rem 0; padding: .5rem 1rem; }
legend { font-weight: 600; padding: 0 .4rem; }
.question { margin: .9rem 0; } .question p { margin: 0 0 .3rem; }
.choices label { margin-right: 1rem; white-space: nowrap; }
.anchor { color: #556; font-size: .85rem; }
.private { background: #fff6e0; border-color: #e0b84d; }
.help { background: #fdecec; border: 2px solid #c0392b; border-radius: 8px; padding: .5rem 1rem; }
.help h2 { margin-top: .5rem; }
.step { background: #e8f5f3; border-radius: 8px; padding: .5rem 1rem; }
.error { background: #fdecec; border-radius: 8px; padding: .5rem 1rem; }
button { font: inherit; padding: .5rem 1.4rem; background: #0f5e5e; color: white;
         border: 0; border-radius: 6px; }
a.role { display: block; margin: .8rem 0; padding: .8rem 1rem; border: 1px solid #0f5e5e;
         border-radius: 8px; text-decoration: none; color: #0f5e5e; font-weight: 600; }
footer { margin-top: 3rem; font-size: .85rem; color: #556; }
"""

_FOOTER = (
    "<footer>Your answers are used to suggest a next step. Without a couple id nothing is "
    "stored; with one, this server keeps a private summary of your check-ins, so that later "
    "check-ins take them into account. It is never shown to either of you. This is not "
    "therapy and not a crisis service: if you are in immediate danger, call your local "
    "emergency number.</footer>"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    text = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main>{_FOOTER}</body></html>"
    )
    return HTMLResponse(text, status)


def _question_html(question: trustkit.Question) -> str:
    name = html.escape(question.id)
    prompt = f"<p>{html.escape(question.prompt)}</p>"
    if question.kind is QuestionKind.SCALE:
        radios = "".join(
            f'<label><input type="radio" name="{name}" value="{n}"> {n}</label>'
            for n in range(1, 6)
        )
        anchors = '<span class="anchor">1 = strongly disagree, 5 = strongly agree</span>'
        field = f'<div class="choices">{radios}</div>{anchors}'
    elif question.kind is QuestionKind.YES_NO:
        field = (
            f'<div class="choices"><label><input type="radio" name="{name}" value="yes"> Yes'
            f'</label><label><input type="radio" name="{name}" value="no"> No</label></div>'
        )
    elif question.options:  # a choice: one radio button per option, or a box to tick
        kind = "radio" if question.kind is QuestionKind.CHOICE else "checkbox"
        boxes = "".join(
            f'<label><input type="{kind}" name="{name}" value="{html.escape(o.code)}"> '
            f"{html.escape(o.label)}</label><br>"
            for o in question.options
        )
        field = f'<div class="options">{boxes}</div>'
    else:
        field = f'<input type="number" name="{name}" min="0" max="999999" inputmode="numeric">'
    return f'<div class="question" id="q-{name}">{prompt}{field}</div>'


def _country_select() -> str:
    codes = sorted({r.country for r in trustkit.default_pack().resources} - {"INTL"})
    options = "".join(f'<option value="{c}">{c}</option>' for c in codes)
    return (
        '<p><label>Where are you? (to show helplines near you) <select name="country">'
        f'<option value="">Anywhere</option>{options}</select></label></p>'
    )


_COUPLE_FIELD = (
    "<p><label>Your couple id (optional; the same for both of you, so that later "
    "check-ins take this one into account; leave it empty to keep nothing) "
    '<input name="couple" autocomplete="off" minlength="8" maxlength="64" '
    'pattern="[A-Za-z0-9_\\-]{8,64}"></label></p>'
)


def form_page(role: Role, problems: Sequence[trustkit.AnswerProblem] = ()) -> HTMLResponse:
    """The check-in form for one role; the safety questions come last, asked privately."""
    questions = questions_in_order(role)
    everyday = "".join(_question_html(q) for q in questions if not q.safety)
    safety = "".join(_question_html(q) for q in questions if q.safety)
    error = ""
    if problems:
        items = "".join(
            f"<li>{html.escape(p.field)}: {html.escape(p.expected)}</li>" for p in problems
        )
        error = (
            '<div class="error" role="alert"><p>Some answers could not be used. Please '
            f"check these questions and send the form again:</p><ul>{items}</ul></div>"
        )
    body = (
        f"<h1>{html.escape(_ROLE_TITLES[role])}</h1>{error}"
        "<p>Answer as many questions as you like; you can skip any of them.</p>"
        f'<form method="post" action="/checkin/{role.value}">{_COUPLE_FIELD}'
        f"<fieldset><legend>How things are going</legend>{everyday}</fieldset>"
        '<fieldset class="private" id="safety"><legend>Your safety</legend>'
        "<p>These last questions are about your safety. Please answer them somewhere "
        "private, where no one can see your screen. Your answers are not shared with your "
        "partner. With a couple id, a yes is remembered for your later check-ins.</p>"
        f"{safety}</fieldset>{_country_select()}"
        '<button type="submit">Show my next step</button></form>'
    )
    return _page("Check-in", body, 422 if problems else 200)


def _who(who: Who, respondent: Role) -> str:
    if who is Who.BOTH:
        return "together"
    if who is Who.EITHER or who.value == respondent.value:
        return "you"
    return "your partner"


def _resource_html(res: Resource) -> str:
    where = res.country if not res.region else f"{res.country}, {res.region}"
    parts = [f"<strong>{html.escape(res.name)}</strong> ({html.escape(where)})"]
    if res.audience:
        parts.append(f"for: {html.escape(res.audience)}")
    if res.phone:
        parts.append(f"call {html.escape(res.phone)}")
    if res.text:
        parts.append(html.escape(res.text))
    if res.url:
        url = html.escape(res.url)
        parts.append(f'<a href="{url}" rel="noreferrer noopener">{url}</a>')
    if res.hours:
        parts.append(html.escape(res.hours))
    if res.notes:  # e.g. how to reach it without speaking: "press 55", "text AYUDA to 988"
        parts.append(html.escape(res.notes))
    return f"<li>{' · '.join(parts)}</li>"


def _notes_html(outcome: Outcome) -> str:
    """What could not be used or saved: by field and expectation, never by value."""
    notes = ""
    for intro, problems in (
        ("Some answers could not be used:", outcome.recommendation.problems),
        (
            "This check-in was not saved, so later check-ins will not take it into account:",
            outcome.problems,
        ),
    ):
        if problems:
            items = "".join(
                f"<li>{html.escape(p.field)}: {html.escape(p.expected)}</li>"
                for p in problems[:MAX_PROBLEMS]
            )
            notes += f"<p>{intro}</p><ul>{items}</ul>"
    return f'<div class="error" id="problems" role="status">{notes}</div>' if notes else ""


def result_page(outcome: Outcome) -> HTMLResponse:
    """A recommendation for the person who answered: help first when safety decided.

    What could not be used or saved comes right after the help, never instead of it.
    """
    rec = outcome.recommendation
    step = rec.step
    help_html = ""
    if rec.resources:
        lines = "".join(_resource_html(res) for res in rec.resources)
        help_html = (
            f'<section class="help" id="help"><h2>Get help now</h2><ul>{lines}</ul></section>'
        )
    reasons = "".join(f"<li>{html.escape(reason)}</li>" for reason in rec.reasons)
    actions = "".join(
        f"<li><strong>{html.escape(a.title)}</strong> ({a.minutes} min, "
        f"{_who(a.who, rec.respondent)})<br>{html.escape(a.how)}</li>"
        for a in step.actions
    )
    alternatives = ""
    if rec.alternatives:
        titles = ", ".join(html.escape(alt.title) for alt in rec.alternatives)
        alternatives = f"<p>Also worth a look: {titles}</p>"
    body = (
        f"{help_html if rec.safety else ''}{_notes_html(outcome)}"
        f'<section class="step" id="step" data-step="{html.escape(step.id)}" '
        f'data-urgency="{rec.urgency.value}"><h1>Your next step: {html.escape(step.title)}</h1>'
        f"<p>{html.escape(step.summary)}</p></section>"
        f"<h2>Why</h2><ul>{reasons}</ul>"
        f"<h2>What you can do</h2><ol>{actions}</ol>{alternatives}"
        f"{'' if rec.safety else help_html}"
        f'<p><a href="/checkin/{rec.respondent.value}">Check in again</a></p>'
    )
    return _page(step.title, body)


# ----------------------------------------------------------------------------- API


def questionnaire(role: Role, locale: str | None = None) -> dict[str, object]:
    """One role's questions as JSON, in the order to ask them (the safety screen last)."""
    pack = trustkit.default_pack()
    if locale is not None:
        pack = pack.localized(locale)  # an AnswerError when it is not a language tag
        unknown = read_locale(locale)[1]
        if unknown:
            raise trustkit.AnswerError(unknown)
    ids = [q.id for q in questions_in_order(role)]
    by_id = {q.id: q for q in pack.questions}
    return {
        "pack": [str(ref) for ref in pack.packs],
        "locale": pack.locale,
        "respondent": role.value,
        "questions": [
            {
                "id": qid,
                "prompt": by_id[qid].prompt,
                "kind": by_id[qid].kind.value,
                "safety": by_id[qid].safety,
            }
            for qid in ids
        ],
    }


# ------------------------------------------------------------------------- routes
# Nothing below logs a request body, an answer or a recommendation. Keep it so:
# a log line is kept longer, and read by more people, than the person ever meant.


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
"""What a browser sends an HTML form as."""


def _media_type(request: Request) -> str:
    """The request body's media type, without parameters, in lower case ("" if none)."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def home(request: Request) -> Response:
    """The home page: one link for each of the two people."""
    links = "".join(
        f'<a class="role" href="/checkin/{role.value}">{html.escape(title)}</a>'
        for role, title in _ROLE_TITLES.items()
    )
    return _page("Check-in", f"<h1>A check-in for the two of you</h1>{links}")


async def checkin_form(request: Request) -> Response:
    """GET /checkin/{role}: the form."""
    role = request.path_params["role"]
    if role not in _ROLES:
        return _page("Not found", "<h1>Not found</h1>", 404)
    return form_page(Role(role))


async def checkin_submit(request: Request) -> Response:
    """POST /checkin/{role}: the answers from the form, and the result page."""
    role = request.path_params["role"]
    if role not in _ROLES:
        return _page("Not found", "<h1>Not found</h1>", 404)
    if _media_type(request) not in _FORM_TYPES:  # JSON belongs to /api/checkin
        body = (
            "<h1>This page takes the check-in form</h1>"
            f'<p>Please answer on <a href="/checkin/{role}">the check-in page</a>.</p>'
        )
        return _page("Check-in", body, 415)
    respondent = Role(role)
    form = await request.form(max_files=0, max_fields=100)
    pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    couples = [v.strip() for k, v in pairs if k == "couple"]
    couple = couples[0] if len(couples) == 1 else couples or None  # twice: never valid
    answers, country = read_form_answers(respondent, ((k, v) for k, v in pairs if k != "couple"))
    store: CoupleStore = request.app.state.store
    try:
        outcome = await run_in_threadpool(
            check_in, store, couple, respondent, answers, country=country
        )
    except trustkit.AnswerError as error:
        return form_page(respondent, error.problems)
    return result_page(outcome)


async def api_questionnaire(request: Request) -> Response:
    """GET /api/questionnaire?role=partner&locale=es: the questions to ask, as JSON."""
    role = request.query_params.get("role", "partner")
    if role not in _ROLES:
        raise InvalidRequestError([_problem("role", "invalid_value", "partner or supporter")])
    return JSONResponse(questionnaire(Role(role), request.query_params.get("locale")))


async def api_checkin(request: Request) -> Response:
    """POST /api/checkin: one person's answers in, the recommendation out, as JSON."""
    if _media_type(request) != "application/json":  # a form post belongs to /checkin/{role}
        return JSONResponse({"detail": "Send the check-in as application/json."}, 415)
    checkin = read_checkin(await request.body())
    outcome = await run_in_threadpool(
        check_in,
        request.app.state.store,
        checkin.couple,
        Role(checkin.respondent),
        checkin.answers,
        country=checkin.country,
        locale=checkin.locale,
    )
    data = trustkit.converter.unstructure(outcome.recommendation)
    if outcome.saved is not None:  # a couple id was sent: say whether it was remembered
        data["saved"] = outcome.saved
        data["save_problems"] = [
            {"field": p.field, "code": p.code.value, "expected": p.expected}
            for p in outcome.problems[:MAX_PROBLEMS]
        ]
    return JSONResponse(data)


async def healthz(request: Request) -> Response:
    """A liveness check for the server (and for scripts/browser-test)."""
    return JSONResponse({"status": "ok"})


def create_app(db: str | None = None, clock: Callable[[], dt.datetime] = utc_now) -> Starlette:
    """The app: the form pages, the JSON API and the privacy-safe error handlers.

    ``db`` is the SQLite file of the couples' states; by default ``TRUSTKIT_WEB_DB``,
    else an in-memory database, forgotten when the server stops.
    """
    store = CoupleStore(db or os.environ.get(DB_ENV) or IN_MEMORY, clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if store.path == IN_MEMORY:
            _log.warning(
                "%s is not set: couples' states are kept in memory, and forgotten "
                "when the server stops (use one worker, or set it)",
                DB_ENV,
            )
        store.open()
        try:
            yield
        finally:
            store.close()

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/", home, methods=["GET"]),
            Route("/checkin/{role}", checkin_form, methods=["GET"]),
            Route("/checkin/{role}", checkin_submit, methods=["POST"]),
            Route("/api/questionnaire", api_questionnaire, methods=["GET"]),
            Route("/api/checkin", api_checkin, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        middleware=[Middleware(PrivacyMiddleware)],
        exception_handlers={
            InvalidRequestError: invalid_request,
            trustkit.AnswerError: answer_error,
        },
    )
    app.state.store = store
    return app


app = create_app()
"""The app object uvicorn serves: ``uvicorn --app-dir examples/web app:app``."""
