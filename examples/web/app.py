"""A small web app that embeds trustkit: a check-in form page and a JSON API.

It is built on Starlette alone. Run it (from the repository root, with the
``web`` extra installed)::

    python -m pip install ".[web]"
    uvicorn --app-dir examples/web app:app --no-access-log

then open http://127.0.0.1:8000/. ``docs/web.md`` walks through it.

The answers to a check-in are sensitive personal data, so this app:

- never logs, prints or stores a request body or an answer. Nothing here calls
  ``logging`` with request data, and nothing in the process records telemetry:
  the ``web`` extra installs no OpenTelemetry package at all;
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

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import trustkit
from trustkit import QuestionKind, Recommendation, Resource, Role, Who

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


class PrivacyMiddleware:
    """Refuse oversized bodies before anything reads them, and add `SECURITY_HEADERS`.

    A POST must say how long its body is (``Content-Length``); the server
    (uvicorn, h11) then never reads more than that.
    """

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST":
            length = dict(scope["headers"]).get(b"content-length", b"")
            if not length.isdigit():
                await _plain(send, 411, b"A request body needs a Content-Length.")
                return
            if int(length) > self.max_body:
                await _plain(send, 413, b"The request body is too large.")
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
        if name not in {"respondent", "answers", *_TEXT_LIMITS}
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
    return CheckInRequest(data["answers"], respondent, data.get("country"), data.get("locale"))


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
    country: str | None = None
    for name, raw in form:
        value = raw.strip()
        if name == "country":
            country = value or None
        elif not value:
            continue
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
    "<footer>Your answers are used once, to suggest a next step, and are not stored. "
    "This is not therapy and not a crisis service: if you are in immediate danger, "
    "call your local emergency number.</footer>"
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
        f'<form method="post" action="/checkin/{role.value}">'
        f"<fieldset><legend>How things are going</legend>{everyday}</fieldset>"
        '<fieldset class="private" id="safety"><legend>Your safety</legend>'
        "<p>These last questions are about your safety. Please answer them somewhere "
        "private, where no one can see your screen. Your answers are not stored, and they "
        "are not shared with your partner.</p>"
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


def result_page(rec: Recommendation) -> HTMLResponse:
    """A recommendation for the person who answered: help first when safety decided."""
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
        f"{help_html if rec.safety else ''}"
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
        pack = pack.localized(locale)
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
    answers, country = read_form_answers(
        respondent, ((k, v) for k, v in form.multi_items() if isinstance(v, str))
    )
    try:
        rec = trustkit.recommend_next_step(answers, respondent=respondent, country=country)
    except trustkit.AnswerError as error:
        return form_page(respondent, error.problems)
    return result_page(rec)


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
    rec = trustkit.recommend_next_step(
        checkin.answers,
        respondent=checkin.respondent,
        country=checkin.country,
        locale=checkin.locale,
    )
    return JSONResponse(trustkit.converter.unstructure(rec))


async def healthz(request: Request) -> Response:
    """A liveness check for the server (and for scripts/browser-test)."""
    return JSONResponse({"status": "ok"})


def create_app() -> Starlette:
    """The app: the form pages, the JSON API and the privacy-safe error handlers."""
    return Starlette(
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


app = create_app()
"""The app object uvicorn serves: ``uvicorn --app-dir examples/web app:app``."""
