"""A small web app that embeds trustkit: a check-in form page and a JSON API.

Run it (from the repository root, with the ``web`` extra installed)::

    python -m pip install ".[web]"
    uvicorn --app-dir examples/web app:app --no-access-log

then open http://127.0.0.1:8000/. ``docs/web.md`` walks through it.

The answers to a check-in are sensitive personal data, so this app:

- never logs, prints or stores a request body or an answer. Nothing here calls
  ``logging`` with request data, and FastAPI's own OpenTelemetry is switched
  off (``TELEMETRY_OFF``), since it would record exception messages and
  stack traces, and send them wherever the process's telemetry goes;
- replaces FastAPI's default validation error response, which echoes the
  request body (the answers), with one that names fields only;
- turns trustkit's ``AnswerError`` into a 422 that lists each problem's field
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
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.telemetry import TelemetryConfig
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import trustkit
from trustkit import QuestionKind, Recommendation, Resource, Role, Who

MAX_BODY = 16_384
"""The largest request body accepted, in bytes: a check-in is a few hundred."""

MAX_PROBLEMS = 20
"""At most this many problems are listed in one error response."""

TELEMETRY_OFF: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}
"""FastAPI's built-in OpenTelemetry, all of it off.

FastAPI records spans, metrics and logs, including exception messages and
stack traces, as soon as any library in the process sets up an OpenTelemetry
provider, or when ``FASTAPI_OTEL_AUTO_CONFIGURE`` is set. An app that handles
answers must decide what leaves the process; this one sends nothing.
"""

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


_PLAIN_WORDS = {
    "missing": "a value",
    "extra_forbidden": "no such field",
    "literal_error": "one of the allowed values",
    "dict_type": "an object",
    "model_attributes_type": "an object",
    "string_type": "a string",
    "too_long": "fewer items or characters",
    "json_invalid": "valid JSON",
    "json_type": "valid JSON",
}


def _field(error: Mapping[str, Any]) -> str:
    """Where the error is, e.g. ``answers`` or ``respondent``: the location, without values."""
    if str(error.get("type", "")).startswith("json_"):
        return "body"  # the location is a character offset into the body
    loc = error.get("loc", ())
    parts = [str(part) for part in loc[1:] if isinstance(part, str | int)] or ["body"]
    return ".".join(parts)[:100]


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """A 422 for a request FastAPI could not validate, naming fields only.

    FastAPI's own handler answers with ``exc.errors()``, and each error
    carries ``input``: the part of the request body that was wrong, which for
    a check-in is the answers. Here only the field (its location) and the
    error's type are kept; ``input``, ``ctx`` and ``msg`` are dropped, since
    any of them can quote what was sent.
    """
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "field": _field(error),
            "code": str(error.get("type", "invalid")),
            "expected": _PLAIN_WORDS.get(str(error.get("type")), "a valid value"),
        }
        for error in exc.errors()[:MAX_PROBLEMS]
    ]
    return JSONResponse({"detail": "The check-in is not valid.", "problems": problems}, 422)


def answer_error(request: Request, exc: Exception) -> JSONResponse:
    """A 422 for trustkit's ``AnswerError``: each problem's field and what was expected.

    trustkit's messages never contain a value, so they are safe to send.
    """
    assert isinstance(exc, trustkit.AnswerError)
    problems = [
        {"field": problem.field, "expected": problem.expected}
        for problem in exc.problems[:MAX_PROBLEMS]
    ]
    return JSONResponse({"detail": "The check-in is not valid.", "problems": problems}, 422)


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

_ROLES = frozenset(role.value for role in Role)

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
    if not (res.phone or res.text or res.url):
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


class CheckInRequest(BaseModel):
    """One person's check-in, as the JSON API takes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    respondent: Literal["partner", "supporter"] = "partner"
    answers: dict[str, Any] = Field(max_length=64)
    country: str | None = Field(default=None, max_length=8)
    locale: str | None = Field(default=None, max_length=35)


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


def create_app() -> FastAPI:
    """The app: the form pages, the JSON API and the privacy-safe error handlers."""
    app = FastAPI(
        title="trustkit example",
        telemetry=TELEMETRY_OFF,
        # No interactive docs: the app's whole surface is the routes below.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_middleware(PrivacyMiddleware)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(trustkit.AnswerError, answer_error)

    # Nothing below logs a request body, an answer or a recommendation. Keep it so:
    # a log line is kept longer, and read by more people, than the person ever meant.

    @app.get("/", response_class=HTMLResponse)
    def home() -> HTMLResponse:
        links = "".join(
            f'<a class="role" href="/checkin/{role.value}">{html.escape(title)}</a>'
            for role, title in _ROLE_TITLES.items()
        )
        return _page("Check-in", f"<h1>A check-in for the two of you</h1>{links}")

    @app.get("/checkin/{role}", response_class=HTMLResponse)
    def checkin_form(role: str) -> HTMLResponse:
        if role not in _ROLES:
            return _page("Not found", "<h1>Not found</h1>", 404)
        return form_page(Role(role))

    @app.post("/checkin/{role}", response_class=HTMLResponse)
    async def checkin_submit(role: str, request: Request) -> HTMLResponse:
        if role not in _ROLES:
            return _page("Not found", "<h1>Not found</h1>", 404)
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

    @app.get("/api/questionnaire")
    def api_questionnaire(
        role: Literal["partner", "supporter"] = "partner", locale: str | None = None
    ) -> JSONResponse:
        return JSONResponse(questionnaire(Role(role), locale))

    @app.post("/api/checkin")
    def api_checkin(body: CheckInRequest) -> JSONResponse:
        rec = trustkit.recommend_next_step(
            body.answers, respondent=body.respondent, country=body.country, locale=body.locale
        )
        return JSONResponse(trustkit.converter.unstructure(rec))

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return app


app = create_app()
"""The app object uvicorn serves: ``uvicorn --app-dir examples/web app:app``."""
