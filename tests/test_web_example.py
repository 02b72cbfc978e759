"""The example web app in examples/web: its form pages, its JSON API and its privacy.

The app is imported from its file, as a reader would run it. These tests need the
``web`` extra (Starlette, its form parser and its test client) and are skipped without
it; ``scripts/test`` installs it. scripts/browser-test drives the same app in Chromium.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from tests.strategies import malformed_answers, role_and_answers
from trustkit import Role

_NEEDS = "needs the web extra: python -m pip install '.[web]'"
pytest.importorskip("starlette", reason=_NEEDS)
pytest.importorskip("httpx2", reason=_NEEDS)
pytest.importorskip("python_multipart", reason=_NEEDS)

from packaging.requirements import Requirement  # noqa: E402
from packaging.utils import canonicalize_name  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP_FILE = ROOT / "examples" / "web" / "app.py"
SECRET = "MY-PRIVATE-ANSWER-7431"
"""A value no response, page or log line may ever contain."""


def _load_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trustkit_web_example", APP_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # so that its classes belong to a module
    spec.loader.exec_module(module)
    return module


web = _load_app()
PACK = trustkit.default_pack()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """A test client of the example app."""
    with TestClient(web.create_app()) as test_client:
        yield test_client


def _question_ids(page: str) -> list[str]:
    return re.findall(r'<div class="question" id="q-([a-z_]+)">', page)


# ---------------------------------------------------------------------------- form


@pytest.mark.parametrize("role", list(Role))
def test_form_asks_every_question_of_the_role_with_the_safety_screen_last(
    client: TestClient, role: Role
) -> None:
    """The form has one field per question of the role, and the safety questions close it."""
    page = client.get(f"/checkin/{role.value}")
    assert page.status_code == 200
    asked = _question_ids(page.text)
    questions = PACK.questions_for(role)
    assert sorted(asked) == sorted(q.id for q in questions)
    safety = {q.id for q in questions if q.safety}
    assert set(asked[-len(safety) :]) == safety


def test_the_safety_questions_are_introduced_as_private(client: TestClient) -> None:
    """The safety block asks for privacy and says nothing is shared with the partner."""
    page = client.get("/checkin/partner").text
    block = page[page.index('id="safety"') :]
    assert "somewhere private" in block
    assert "not shared with your partner" in block
    assert block.index("somewhere private") < block.index('id="q-afraid_of_partner"')


def test_home_links_both_roles(client: TestClient) -> None:
    """The home page offers a check-in to each of the two people."""
    page = client.get("/").text
    assert 'href="/checkin/partner"' in page
    assert 'href="/checkin/supporter"' in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_role_is_not_found(client: TestClient, method: str) -> None:
    """A role that does not exist is a 404 page, for the form and for its answers."""
    assert client.request(method, "/checkin/stranger").status_code == 404


def test_plain_answers_give_an_ordinary_step(client: TestClient) -> None:
    """Everyday answers lead to the step trustkit recommends, with no helplines."""
    page = client.post(
        "/checkin/partner",
        data={"feels_heard": "2", "feelings_dismissed": "4", "afraid_of_partner": "no"},
    )
    assert page.status_code == 200
    assert 'data-step="validation"' in page.text
    assert "Ask for your feelings to be taken seriously" in page.text  # the partner's title
    assert "Get help now" not in page.text


def test_a_safety_yes_shows_helplines_before_the_step(client: TestClient) -> None:
    """A yes to a safety question puts the helplines first, and no couples exercise."""
    page = client.post(
        "/checkin/partner", data={"afraid_of_partner": "yes", "feels_heard": "5"}
    ).text
    rec = trustkit.recommend_next_step({"afraid_of_partner": True, "feels_heard": 5})
    assert 'data-step="professional_help"' in page
    assert 'data-urgency="critical"' in page
    assert page.index("Get help now") < page.index('id="step"')
    for resource in rec.resources:
        assert resource.name.replace("&", "&amp;").replace("'", "&#x27;") in page
    assert "together)" not in page


def test_a_supporter_whose_partner_spoke_of_self_harm_gets_the_crisis_step(
    client: TestClient,
) -> None:
    """The supporter's own safety question leads to support_in_crisis with crisis lines."""
    page = client.post("/checkin/supporter", data={"partner_self_harm": "yes"}).text
    assert 'data-step="support_in_crisis"' in page
    assert "Get help now" in page


def test_a_country_keeps_its_own_helplines_and_the_international_ones(
    client: TestClient,
) -> None:
    """With a country, only that country's helplines and the international ones are shown."""
    page = client.post("/checkin/partner", data={"self_harm_thoughts": "yes", "country": "GB"}).text
    places = set(re.findall(r"</strong> \(([A-Z]+)", page))
    assert places
    assert places <= {"GB", "INTL"}


@pytest.mark.parametrize(
    ("data", "note"),
    [
        ({"self_harm_thoughts": "yes", "country": "US"}, "text AYUDA to 988"),
        ({"hurt_or_threatened": "yes", "country": "GB"}, "press 55"),
    ],
)
def test_a_helplines_notes_are_shown(client: TestClient, data: dict[str, str], note: str) -> None:
    """How to reach a line without speaking, or in another language, is part of the line."""
    page = client.post("/checkin/partner", data=data).text
    assert note in page


@pytest.mark.parametrize(
    "data",
    [
        {"feels_heard": SECRET},
        {"feels_heard": "9"},
        {"afraid_of_partner": SECRET},
        {"understand_roots": "3"},  # a supporter's question
        {SECRET.lower().replace("-", "_"): "3"},
        {"country": "UK"},
    ],
    ids=["text", "out-of-range", "not-yes-or-no", "other-role", "unknown", "bad-country"],
)
def test_form_errors_name_the_question_never_the_value(
    client: TestClient, data: dict[str, str]
) -> None:
    """A form trustkit cannot use comes back (422) naming the questions, quoting no answer."""
    page = client.post("/checkin/partner", data={**data, "distress": "4"})
    assert page.status_code == 422
    assert 'role="alert"' in page.text
    assert SECRET not in page.text
    assert 'value="9"' not in page.text
    assert next(iter(data)) in page.text
    assert "distress" not in page.text.split('role="alert"')[1].split("</div>")[0]


def test_an_answer_given_twice_is_refused(client: TestClient) -> None:
    """Two values for one question are never read as an answer."""
    page = client.post(
        "/checkin/partner",
        content=b"feels_heard=1&feels_heard=5",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 422
    assert "feels_heard" in page.text


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "application/json"},
        {"content-type": "text/plain"},
        {},
    ],
)
def test_a_body_that_is_not_a_form_is_refused_by_the_form(
    client: TestClient, headers: dict[str, str]
) -> None:
    """JSON posted to the form page is a 415, never an ordinary step read from an empty form."""
    body = json.dumps({"answers": {"afraid_of_partner": True}, "note": SECRET}).encode()
    page = client.post("/checkin/partner", content=body, headers=headers)
    assert page.status_code == 415
    assert page.headers["content-type"].startswith("text/html")
    assert SECRET not in page.text
    assert "afraid_of_partner" not in page.text
    assert 'href="/checkin/partner"' in page.text


def test_a_multipart_form_is_read_like_any_form(client: TestClient) -> None:
    """A browser may send the form as multipart/form-data: it is read the same way."""
    page = client.post("/checkin/partner", files={"afraid_of_partner": (None, "yes")})
    assert page.status_code == 200
    step = PACK.step(trustkit.recommend_next_step({"afraid_of_partner": True}).step.id)
    assert html.escape(step.title) in page.text


def test_form_answers_are_read_as_trustkit_expects() -> None:
    """Yes and no become booleans, digits numbers, blanks are skipped; the rest is passed on."""
    answers, country = web.read_form_answers(
        Role.PARTNER,
        [
            ("afraid_of_partner", "no"),
            ("feels_heard", " 2 "),
            ("past_hurt", "yes"),
            ("distress", ""),
            ("country", "gb"),
            ("talk_openly", "a lot"),
        ],
    )
    assert answers == {
        "afraid_of_partner": False,
        "feels_heard": 2,
        "past_hurt": True,
        "talk_openly": "a lot",
    }
    assert country == "gb"


def test_a_choice_question_is_a_radio_per_option_and_its_code_is_read(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """worry_source offers its options; the code posted decides; a multiple choice question's
    boxes ticked are read as a list of codes."""
    page = client.get("/checkin/partner")
    for option in PACK.question("worry_source").options:
        assert f'value="{option.code}"> {html.escape(option.label)}' in page.text
    posted = client.post("/checkin/partner", data={"worry_source": "family"})
    step = PACK.step(trustkit.recommend_next_step({"worry_source": "family"}).step.id)
    assert html.escape(step.title) in posted.text
    many = trustkit.Question(
        "sources",
        "What sets it off?",
        "multiple_choice",
        ["partner"],
        options=(trustkit.Option("late", "Late"), trustkit.Option("phone", "Phone")),
    )
    pack = attrs.evolve(PACK, questions=(*PACK.questions, many))
    monkeypatch.setattr(trustkit, "default_pack", lambda: pack)
    assert 'type="checkbox" name="sources" value="phone"> Phone' in web._question_html(many)
    answers, _ = web.read_form_answers(
        Role.PARTNER, [("sources", "late"), ("sources", "phone"), ("worry_source", "family")]
    )
    assert answers == {"sources": ["late", "phone"], "worry_source": "family"}


# ----------------------------------------------------------------------------- API


@pytest.mark.parametrize("role", list(Role))
def test_the_questionnaire_api_lists_the_role_s_questions_safety_last(
    client: TestClient, role: Role
) -> None:
    """GET /api/questionnaire gives the role's questions in the order to ask them."""
    data = client.get("/api/questionnaire", params={"role": role.value}).json()
    assert data["respondent"] == role.value
    assert data["pack"] == ["core 1.2.0"]
    questions = data["questions"]
    assert {q["id"] for q in questions} == {q.id for q in PACK.questions_for(role)}
    flags = [q["safety"] for q in questions]
    assert flags == sorted(flags)  # every False before every True
    by_id = {q.id: q for q in PACK.questions}
    for item in questions:
        assert item["prompt"] == by_id[item["id"]].prompt
        assert item["kind"] == by_id[item["id"]].kind.value


def test_the_questionnaire_api_speaks_spanish(client: TestClient) -> None:
    """With a locale, the prompts are translated and the locale applied is named."""
    data = client.get("/api/questionnaire", params={"locale": "es-MX"}).json()
    spanish = PACK.localized("es")
    assert data["locale"] == "es"
    first = data["questions"][0]
    assert first["prompt"] == spanish.question(first["id"]).prompt


def test_the_checkin_api_returns_trustkit_s_recommendation(client: TestClient) -> None:
    """POST /api/checkin answers with the recommendation's JSON, exactly as the converter has it."""
    body = {
        "respondent": "supporter",
        "answers": {"understand_roots": 2, "partner_self_harm": None},
        "country": "US",
        "locale": "es",
    }
    response = client.post("/api/checkin", json=body)
    assert response.status_code == 200
    rec = trustkit.recommend_next_step(
        {"understand_roots": 2}, respondent="supporter", country="US", locale="es"
    )
    assert response.json() == trustkit.converter.unstructure(rec)
    assert trustkit.converter.structure(response.json(), trustkit.Recommendation) == rec


def test_the_checkin_api_gives_helplines_for_a_safety_yes(client: TestClient) -> None:
    """A safety yes through the API is a critical recommendation with helplines."""
    data = client.post("/api/checkin", json={"answers": {"self_harm_thoughts": True}}).json()
    assert data["safety"] is True
    assert data["urgency"] == "critical"
    assert data["resources"]


BAD_BODIES: dict[str, tuple[bytes, dict[str, str]]] = {
    "respondent": (
        json.dumps({"respondent": SECRET, "answers": {"feels_heard": 2}}).encode(),
        {"respondent": "invalid_value"},
    ),
    "respondent-as-list": (
        json.dumps({"respondent": [SECRET], "answers": {}}).encode(),
        {"respondent": "invalid_value"},
    ),
    "answers-as-list": (
        json.dumps({"answers": [["afraid_of_partner", True], ["note", SECRET]]}).encode(),
        {"answers": "wrong_type"},
    ),
    "extra-field": (
        json.dumps({"answers": {}, "note": SECRET}).encode(),
        {"note": "unknown_field"},
    ),
    "missing-answers": (json.dumps({"respondent": "partner"}).encode(), {"answers": "missing"}),
    "too-many-answers": (
        json.dumps({"answers": {f"q{n}": SECRET for n in range(70)}}).encode(),
        {"answers": "too_large"},
    ),
    "country-too-long": (
        json.dumps({"answers": {}, "country": SECRET}).encode(),
        {"country": "too_large"},
    ),
    "locale-not-text": (
        json.dumps({"answers": {}, "locale": {"tag": SECRET}}).encode(),
        {"locale": "wrong_type"},
    ),
    "not-json": (
        b'{"answers": {"afraid_of_partner": true, "x": "' + SECRET.encode(),
        {"body": "invalid_json"},
    ),
    "not-utf-8": (b'{"answers": {"x": "\xff' + SECRET.encode() + b'"}}', {"body": "invalid_json"}),
    "nested-deeply": (b"[" * 10_000 + SECRET.encode(), {"body": "invalid_json"}),
    "not-an-object": (json.dumps([SECRET]).encode(), {"body": "wrong_type"}),
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_a_request_that_does_not_validate_is_never_echoed(client: TestClient, name: str) -> None:
    """A check-in of the wrong shape comes back as fields, codes and expectations, never input."""
    body, problems = BAD_BODIES[name]
    response = client.post(
        "/api/checkin", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert SECRET not in response.text
    assert "afraid_of_partner" not in response.text
    data = response.json()
    assert {p["field"]: p["code"] for p in data["problems"]} == problems
    assert all(set(p) == {"field", "code", "expected"} for p in data["problems"])


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (
            b'{"answers": {"afraid_of_partner": true, "afraid_of_partner": false}}',
            "afraid_of_partner",
        ),
        (b'{"respondent": "partner", "respondent": "supporter", "answers": {}}', "respondent"),
        (b'{"answers": {"' + b"q" * 500 + b'": 1, "' + b"q" * 500 + b'": 2}}', "q" * 100),
    ],
)
def test_a_name_given_twice_is_named_as_a_duplicate(
    client: TestClient, body: bytes, name: str
) -> None:
    """Which of two values counts cannot be known: refused, naming the name, never a value."""
    response = client.post(
        "/api/checkin", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert [(p["field"], p["code"]) for p in response.json()["problems"]] == [(name, "duplicate")]
    assert "true" not in response.text
    assert "supporter" not in response.text


def test_the_checkin_api_takes_only_json(client: TestClient) -> None:
    """A body that is not declared as JSON (a cross-site form post, say) is a 415."""
    response = client.post("/api/checkin", data={"answers": SECRET})
    assert response.status_code == 415
    assert SECRET not in response.text
    response = client.post(
        "/api/checkin",
        content=b'{"answers": {}}',
        headers={"content-type": "Application/JSON; charset=utf-8"},
    )
    assert response.status_code == 200


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.just(SECRET),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(
    st.dictionaries(
        st.sampled_from(["respondent", "answers", "country", "locale", "note"]), JSON_VALUES
    )
    | JSON_VALUES
)
def test_no_json_body_is_ever_echoed(body: object) -> None:
    """Whatever JSON is sent, the answer is a recommendation or a 422 that quotes none of it."""
    with TestClient(web.app) as client:
        response = client.post(
            "/api/checkin",
            content=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
        )
    assert response.status_code in {200, 422}
    assert SECRET not in response.text


def test_answer_errors_are_a_422_with_fields_and_expectations(client: TestClient) -> None:
    """trustkit's AnswerError becomes a 422 listing each question and what it expects."""
    answers = {"feels_heard": SECRET, "afraid_of_partner": 7, "understand_roots": 3}
    response = client.post("/api/checkin", json={"answers": answers})
    assert response.status_code == 422
    assert SECRET not in response.text
    problems = response.json()["problems"]
    with pytest.raises(trustkit.AnswerError) as caught:
        trustkit.recommend_next_step(answers)
    assert problems == [
        {"field": p.field, "code": p.code, "expected": p.expected} for p in caught.value.problems
    ]


def test_a_bad_country_or_locale_is_a_422_naming_it(client: TestClient) -> None:
    """An unusable country code or locale tag is named, like any other problem."""
    response = client.post("/api/checkin", json={"answers": {}, "country": "UK"})
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == ["country"]
    response = client.get("/api/questionnaire", params={"role": SECRET})
    assert response.status_code == 422
    assert SECRET not in response.text


def _post_json(client: TestClient, body: object) -> Any:
    """POST a check-in as Python's json writes it (NaN included, which httpx2 refuses)."""
    return client.post(
        "/api/checkin", content=json.dumps(body), headers={"content-type": "application/json"}
    )


@given(role_and_answers())
def test_any_valid_checkin_gives_the_library_s_recommendation(
    case: tuple[Role, dict[str, Any]],
) -> None:
    """For any valid answers, the API's JSON is the library's recommendation."""
    role, answers = case
    with TestClient(web.app) as client:
        response = _post_json(client, {"respondent": role.value, "answers": answers})
    rec = trustkit.recommend_next_step(answers, respondent=role)
    assert response.status_code == 200
    assert response.json() == trustkit.converter.unstructure(rec)


@given(malformed_answers())
def test_any_malformed_checkin_names_the_same_problems_as_the_library(
    case: tuple[Role, dict[Any, Any], set[str]],
) -> None:
    """For any malformed answers, the API lists exactly the problems trustkit finds."""
    role, answers, _ = case
    with TestClient(web.app) as client:
        response = _post_json(client, {"respondent": role.value, "answers": answers})
    if any(answers.get(q.id) is True for q in trustkit.default_pack().questions if q.safety):
        # A yes now is answered first: help, with the same problems beside it.
        rec = trustkit.recommend_next_step(answers, respondent=role)
        assert response.status_code == 200
        assert response.json()["rule_id"] == rec.rule_id
        assert len(response.json()["problems"]) == len(rec.problems)
        return
    assert response.status_code == 422
    with pytest.raises(trustkit.AnswerError) as caught:
        trustkit.recommend_next_step(answers, respondent=role)
    expected = [
        {"field": p.field, "code": p.code, "expected": p.expected} for p in caught.value.problems
    ]
    assert response.json()["problems"] == expected[: web.MAX_PROBLEMS]


# ------------------------------------------------------------------------- privacy


def test_every_response_carries_the_privacy_headers(client: TestClient) -> None:
    """No page is cached, no referrer leaves, and no script may run (so no analytics)."""
    for response in (
        client.get("/"),
        client.post("/checkin/partner", data={"feels_heard": "2"}),
        client.post("/api/checkin", json={"answers": {"feels_heard": 2}}),
        client.post("/api/checkin", json={"answers": []}),
    ):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert "script-src" not in response.headers["content-security-policy"]


def test_a_large_body_is_refused_before_it_is_read(client: TestClient) -> None:
    """A body over MAX_BODY bytes is a 413, whatever it holds."""
    answers = {"feels_heard": 2, "padding": "x" * web.MAX_BODY}
    response = client.post("/api/checkin", json={"answers": answers})
    assert response.status_code == 413
    assert response.headers["cache-control"] == "no-store"


def test_a_form_with_too_many_fields_or_a_file_is_refused(client: TestClient) -> None:
    """A form is capped at 100 fields and takes no files; the refusal quotes nothing."""
    fields = "&".join(f"f{n}={SECRET}" for n in range(101)).encode()
    upload = (
        b'--x\r\nContent-Disposition: form-data; name="feels_heard"; filename="a"\r\n\r\n'
        + SECRET.encode()
        + b"\r\n--x--\r\n"
    )
    for body, kind in (
        (fields, "application/x-www-form-urlencoded"),
        (upload, "multipart/form-data; boundary=x"),
    ):
        response = client.post("/checkin/partner", content=body, headers={"content-type": kind})
        assert response.status_code == 400
        assert SECRET not in response.text


def test_a_body_without_a_length_is_refused(client: TestClient) -> None:
    """A POST must say how long its body is, so that the limit can hold."""

    def chunks() -> Iterator[bytes]:
        yield b'{"answers": {}}'

    response = client.post(
        "/api/checkin", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 411


def test_nothing_about_a_checkin_is_logged_or_printed(
    client: TestClient, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """Check-ins, good and bad, leave no answer or recommendation in logs or output."""
    caplog.set_level(logging.DEBUG)
    client.post("/checkin/partner", data={"afraid_of_partner": "yes", "feels_heard": SECRET})
    client.post("/checkin/partner", data={"afraid_of_partner": "yes"})
    client.post("/api/checkin", json={"answers": {"self_harm_thoughts": True}})
    client.post("/api/checkin", json={"respondent": SECRET, "answers": {}})
    client.post("/api/checkin", json={"answers": {"feels_heard": SECRET}})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    printed = "".join(capsys.readouterr())
    for text in (logged, printed):
        assert SECRET not in text
        assert "afraid_of_partner" not in text
        assert "professional_help" not in text


def _requirements(name: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """Every distribution ``name[extras]`` requires, directly or through another.

    Read from the installed distributions' metadata, as pip resolved them; the
    requirements of one that is not installed are not followed.
    """
    found: set[str] = set()
    todo = [(canonicalize_name(name), extras)]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        dist, wanted = todo.pop()
        if (dist, wanted) in done:
            continue
        done.add((dist, wanted))
        try:
            lines = importlib.metadata.requires(dist) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in lines:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in wanted | {""}):
                dep = canonicalize_name(requirement.name)
                found.add(dep)
                todo.append((dep, frozenset(requirement.extras)))
    return found


@pytest.mark.slow
def test_the_web_extra_installs_no_telemetry() -> None:
    """Nothing the web extra installs is an OpenTelemetry package (which FastAPI requires).

    trustkit promises no telemetry, and an app built from this example should
    not carry a telemetry library it has to remember to keep switched off.
    """
    web_extra = _requirements("trustkit-couples", frozenset({"web"}))
    assert {"starlette", "python-multipart", "httpx2", "uvicorn", "anyio", "h11"} <= web_extra
    assert "fastapi" not in web_extra
    assert not {name for name in web_extra if name.startswith("opentelemetry")}


def test_the_telemetry_check_can_fail() -> None:
    """The walk above finds telemetry where it is asked for: Starlette's "full" extra wants it."""
    assert "opentelemetry-api" in _requirements("starlette", frozenset({"full"}))
    assert "opentelemetry-api" not in _requirements("starlette")


@pytest.mark.skipif(
    os.environ.get("TRUSTKIT_TEST_INSTALLED") != "1", reason="only in scripts/test's fresh venv"
)
def test_no_telemetry_package_is_installed_with_the_wheel() -> None:
    """In the venv scripts/test makes (the wheel with [test,web]), no OpenTelemetry at all."""
    names = {
        canonicalize_name(dist.metadata["Name"]) for dist in importlib.metadata.distributions()
    }
    assert "starlette" in names
    assert not {name for name in names if name.startswith("opentelemetry")}


FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_the_code_in_the_recipe_is_the_code_of_the_app() -> None:
    """Every Python excerpt in docs/web.md is taken word for word from examples/web/app.py."""
    source = APP_FILE.read_text(encoding="utf-8")
    excerpts = FENCE.findall((ROOT / "docs" / "web.md").read_text(encoding="utf-8"))
    assert excerpts
    for excerpt in excerpts:
        assert excerpt.strip() in source, excerpt


# ------------------------------------------------------------------ the couple's memory

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
FRIDAY = MONDAY + dt.timedelta(days=4)
COUPLE = "couple-7f3a9c21"
CALM = {
    "feels_heard": "5",
    "afraid_of_partner": "no",
    "controlled": "no",
    "hurt_or_threatened": "no",
}
"""A calm partner check-in: everyday answers, and no to the safety questions asked here."""


@contextmanager
def _app(db: Path | str | None, at: dt.datetime) -> Iterator[TestClient]:
    """A fresh app (a "restart") on the database ``db``, its clock stopped at ``at``."""
    with TestClient(web.create_app(None if db is None else str(db), clock=lambda: at)) as c:
        yield c


def _rows(db: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.execute("SELECT couple, state FROM couple_state"))


def _step(page: str) -> str:
    found = re.search(r'data-step="([a-z_]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_disclosure_on_monday_is_still_honoured_on_friday_after_a_restart(
    tmp_path: Path,
) -> None:
    """The couple's state outlives the server: a calm Friday still gets the help first."""
    db = tmp_path / "couples.sqlite3"
    with _app(db, MONDAY) as monday:
        page = monday.post(
            "/checkin/partner", data={"couple": COUPLE, "afraid_of_partner": "yes"}
        ).text
        assert "Get help now" in page
    with _app(db, FRIDAY) as friday:  # a new app, the same file
        page = friday.post("/checkin/partner", data={"couple": COUPLE, **CALM}).text
        data = friday.post(
            "/api/checkin", json={"couple": COUPLE, "answers": {"feels_heard": 5}}
        ).json()
    disclosure = trustkit.CheckIn("partner", {"afraid_of_partner": True}, MONDAY)
    calm = trustkit.CheckIn("partner", web.read_form_answers(Role.PARTNER, CALM.items())[0], FRIDAY)
    expected = trustkit.recommend_next_step(calm, history=[disclosure])
    assert expected.safety
    assert page.index("Get help now") < page.index('id="step"')
    assert _step(page) == expected.step.id
    assert f'data-urgency="{expected.urgency.value}"' in page
    assert data["safety"] is True
    assert data["saved"] is True
    assert data["save_problems"] == []
    assert data["resources"]


def _supporter_on_friday(tmp_path: Path, disclosed: str) -> tuple[str, dict[str, Any]]:
    """The supporter's Friday page and JSON, after the partner disclosed ``disclosed`` on Monday."""
    db = tmp_path / f"{disclosed}.sqlite3"
    answers = {"safe_to_share": "1", "distress": "1", "partner_self_harm": "no"}
    with _app(db, MONDAY) as monday:
        monday.post("/checkin/partner", data={"couple": COUPLE, disclosed: "yes"})
    with _app(db, FRIDAY) as friday:
        page = friday.post("/checkin/supporter", data={"couple": COUPLE, **answers}).text
    with _app(db, FRIDAY + dt.timedelta(hours=1)) as later:
        data = later.post(
            "/api/checkin",
            json={
                "couple": COUPLE,
                "respondent": "supporter",
                "answers": {"safe_to_share": 1, "distress": 1},
            },
        ).json()
    return page, data


def test_the_supporter_is_never_told_and_gets_no_couples_step(tmp_path: Path) -> None:
    """After the partner's disclosure, the supporter's page is an ordinary one, and the same
    whatever was disclosed; only couples work is left out (docs/safety.md, "The other
    partner")."""
    page, data = _supporter_on_friday(tmp_path, "afraid_of_partner")
    other_page, other_data = _supporter_on_friday(tmp_path, "controlled")
    assert page == other_page
    assert data == other_data
    assert data["safety"] is False
    assert data["urgency"] == "info"
    assert not PACK.step(data["step"]["id"]).couples
    assert not PACK.step(_step(page)).couples
    assert all(action["who"] != "both" for action in data["step"]["actions"])
    assert "together)" not in page
    assert "Get help now" not in page.split('id="step"')[0]
    for text in ("safety period", "not saved", 'id="problems"'):
        assert text not in page
    supporter = trustkit.CheckIn("supporter", {"safe_to_share": 1, "distress": 1}, FRIDAY)
    disclosure = trustkit.CheckIn("partner", {"afraid_of_partner": True}, MONDAY)
    expected = trustkit.recommend_next_step(supporter, history=[disclosure])
    assert _step(page) == expected.step.id


def test_a_checkin_without_a_couple_id_stores_nothing(tmp_path: Path) -> None:
    """No couple id, nothing kept: not the state, not a row, not the answers."""
    db = tmp_path / "couples.sqlite3"
    with _app(db, MONDAY) as monday:
        assert (
            "Get help now"
            in monday.post("/checkin/partner", data={"afraid_of_partner": "yes"}).text
        )
        assert (
            "Get help now" not in monday.post("/checkin/partner", data={"couple": "", **CALM}).text
        )
        data = monday.post("/api/checkin", json={"answers": {"afraid_of_partner": True}}).json()
        assert "saved" not in data
    with _app(db, FRIDAY) as friday:
        page = friday.post("/checkin/partner", data={"couple": COUPLE, **CALM}).text
        assert "Get help now" not in page
    assert [couple for couple, _ in _rows(db)] == [COUPLE]


@pytest.mark.parametrize("couple", ["short", "x" * 65, "has space 123", "semi;colon-123"])
def test_a_couple_id_that_is_not_valid_is_a_problem_never_a_silent_drop(
    tmp_path: Path, couple: str
) -> None:
    """A wrong couple id: with a safety yes, help and a note that nothing was saved; without,
    the form again, naming the field. Nothing is stored either way."""
    db = tmp_path / "couples.sqlite3"
    with _app(db, MONDAY) as client:
        page = client.post("/checkin/partner", data={"couple": couple, "afraid_of_partner": "yes"})
        assert page.status_code == 200
        assert page.text.index("Get help now") < page.text.index("was not saved")
        assert page.text.index("was not saved") < page.text.index('id="step"')
        assert "couple: a couple id" in page.text
        form = client.post("/checkin/partner", data={"couple": couple, **CALM})
        assert form.status_code == 422
        assert "couple" in form.text.split('role="alert"')[1].split("</div>")[0]
        api = client.post("/api/checkin", json={"couple": couple, "answers": {"feels_heard": 0}})
        assert api.status_code == 422
        assert {p["field"] for p in api.json()["problems"]} == {"feels_heard", "couple"}
        data = client.post(
            "/api/checkin", json={"couple": couple, "answers": {"self_harm_thoughts": True}}
        ).json()
        assert data["safety"] is True
        assert data["saved"] is False
        assert [p["field"] for p in data["save_problems"]] == ["couple"]
        assert f'"{couple}"' not in page.text + form.text + api.text  # never echoed
    assert _rows(db) == []


def test_a_couple_id_given_twice_is_not_valid(tmp_path: Path) -> None:
    """Two couple ids in one form: which couple was meant cannot be known."""
    with _app(tmp_path / "couples.sqlite3", MONDAY) as client:
        page = client.post(
            "/checkin/partner",
            content=f"couple={COUPLE}&couple=other-couple-1&feels_heard=4".encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert page.status_code == 422
    assert "couple" in page.text


def test_the_database_file_is_private_and_holds_answers_only_inside_the_state(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Mode 0600, even for a file that was there before; one row per couple, its state as
    trustkit's JSON; an answer trustkit could not use is not kept; nothing logged."""
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "couples.sqlite3"
    db.touch(mode=0o644)
    with _app(db, MONDAY) as client:
        client.post(
            "/checkin/partner",
            data={"couple": COUPLE, "afraid_of_partner": "yes", "feels_heard": SECRET},
        )
        client.post(
            "/api/checkin",
            json={"couple": COUPLE, "answers": {"self_harm_thoughts": True, "x": SECRET}},
        )
    assert db.stat().st_mode & 0o777 == 0o600
    assert SECRET.encode() not in db.read_bytes()
    ((couple, text),) = _rows(db)
    assert couple == COUPLE
    state = trustkit.converter.structure(json.loads(text), trustkit.CoupleState)
    assert len(state.recent) == 2
    assert SECRET not in repr(state)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    printed = "".join(capsys.readouterr())
    for output in (logged, printed):
        assert SECRET not in output
        assert COUPLE not in output
        assert "afraid_of_partner" not in output
        assert "professional_help" not in output


def test_a_clock_set_back_never_loses_a_disclosure(tmp_path: Path) -> None:
    """A check-in is never dated before the couple's newest: it is saved, not "out of order"."""
    db = tmp_path / "couples.sqlite3"
    with _app(db, FRIDAY) as friday:
        friday.post("/checkin/partner", data={"couple": COUPLE, **CALM})
    with _app(db, MONDAY) as monday:  # the clock went back
        page = monday.post("/checkin/partner", data={"couple": COUPLE, "controlled": "yes"})
        assert "not saved" not in page.text
    with _app(db, MONDAY) as again:
        page = again.post("/checkin/partner", data={"couple": COUPLE, **CALM})
        assert "Get help now" in page.text
    ((_, text),) = _rows(db)
    state = trustkit.converter.structure(json.loads(text), trustkit.CoupleState)
    assert state.newest is not None
    assert state.newest > FRIDAY


def test_when_the_state_cannot_be_advanced_the_help_is_shown_and_the_problem_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If ``advance`` refuses, the person still gets the help first, and is told that the
    check-in was not saved; the stored state is left as it was."""
    db = tmp_path / "couples.sqlite3"
    with _app(db, MONDAY) as client:
        client.post("/checkin/partner", data={"couple": COUPLE, **CALM})
    before = _rows(db)

    def refuse(*args: object, **kwargs: object) -> trustkit.CoupleState:
        problem = trustkit.AnswerProblem(
            "checkin", "refused", code=trustkit.ProblemCode.OUT_OF_ORDER
        )
        raise trustkit.AnswerError([problem])

    monkeypatch.setattr(trustkit, "advance", refuse)
    with _app(db, FRIDAY) as client:
        page = client.post(
            "/checkin/partner",
            data={"couple": COUPLE, "self_harm_thoughts": "yes", "feels_heard": "9"},
        ).text
    assert page.index("Get help now") < page.index('id="problems"') < page.index('id="step"')
    assert "feels_heard: a whole number from 1 to 5" in page
    assert "checkin: refused" in page
    assert _rows(db) == before


@pytest.mark.parametrize(
    "stored", ["not json", '{"format": 999}', '{"recent": 3}'], ids=["text", "format", "shape"]
)
def test_a_stored_state_that_cannot_be_read_is_kept_and_said(tmp_path: Path, stored: str) -> None:
    """An unreadable state is never overwritten (it may hold a disclosure): the check-in is
    answered without it, and the person is told it was not saved."""
    db = tmp_path / "couples.sqlite3"
    with _app(db, MONDAY) as client:
        client.post("/checkin/partner", data={"couple": COUPLE, **CALM})
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE couple_state SET state = ?", (stored,))
    with _app(db, FRIDAY) as client:
        page = client.post("/checkin/partner", data={"couple": COUPLE, "afraid_of_partner": "yes"})
        data = client.post("/api/checkin", json={"couple": COUPLE, "answers": {}}).json()
    assert page.text.index("Get help now") < page.text.index("was not saved")
    assert "state: a stored state this app can read" in page.text
    assert data["saved"] is False
    assert [p["code"] for p in data["save_problems"]] == ["incompatible"]
    assert _rows(db) == [(COUPLE, stored)]


def test_a_wrong_answer_without_a_safety_yes_stores_nothing(tmp_path: Path) -> None:
    """A check-in trustkit cannot use is the form again (422), and the state is unchanged."""
    db = tmp_path / "couples.sqlite3"
    with _app(db, MONDAY) as client:
        page = client.post("/checkin/partner", data={"couple": COUPLE, "feels_heard": "9"})
    assert page.status_code == 422
    assert _rows(db) == []


def test_without_a_database_the_states_are_kept_in_memory_and_it_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No TRUSTKIT_WEB_DB: the states live as long as the server, with a note at start-up."""
    monkeypatch.delenv(web.DB_ENV, raising=False)
    with _app(None, MONDAY) as client:
        client.post("/checkin/partner", data={"couple": COUPLE, "afraid_of_partner": "yes"})
        page = client.post("/checkin/partner", data={"couple": COUPLE, **CALM}).text
        assert "Get help now" in page
    assert any(web.DB_ENV in record.getMessage() for record in caplog.records)
    with _app(None, FRIDAY) as client:  # a restart forgets
        assert (
            "Get help now"
            not in client.post("/checkin/partner", data={"couple": COUPLE, **CALM}).text
        )


def test_the_database_file_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TRUSTKIT_WEB_DB names the file; the state outlives the app."""
    db = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv(web.DB_ENV, str(db))
    with _app(None, MONDAY) as client:
        client.post("/checkin/partner", data={"couple": COUPLE, "afraid_of_partner": "yes"})
    assert [couple for couple, _ in _rows(db)] == [COUPLE]
    store = web.CoupleStore(str(db))
    try:
        state = store.state(COUPLE)
        assert state is not None
        assert state.disclosures
        assert store.state("another-couple") == trustkit.CoupleState()
    finally:
        store.close()
        store.close()  # closing twice is harmless
