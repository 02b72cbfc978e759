"""Fuzzing every surface that takes input: only typed errors, clean exits or 4xx, never a value.

Each test feeds hostile input, built around a planted answer value, to one
surface (JSON Lines, Parquet, FHIR, the example web app through Starlette's
test client, the command line in-process) and checks that it ends in a
trustkit error, a clean exit or a 4xx, and that no message repeats the planted
value. Examples are few (CI time), and the web app's own hostile cases come
first.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustkit
import trustkit.fhir
from tests.conftest import examples, unchecked
from trustkit._cli import main

PLANTED = "PLANTED-ANSWER-5521"
"""A value no error, report or response may ever contain."""
PLANTED_NUMBER = 918273645
CORE = trustkit.default_pack()
FUZZ = settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=unchecked(HealthCheck.function_scoped_fixture),
)

QUESTIONS = [q.id for q in CORE.questions]
values = st.one_of(
    st.just(PLANTED),
    st.just(PLANTED_NUMBER),
    st.just(-PLANTED_NUMBER),
    st.booleans(),
    st.integers(-10, 10),
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just([PLANTED]),
    st.just({"x": PLANTED}),
)
answers = st.dictionaries(st.sampled_from([*QUESTIONS, "mood"]), values, max_size=6)
times = st.one_of(
    st.just("2026-03-01T20:00:00Z"),
    st.just("0001-01-01T00:00:00+01:00"),
    st.just("9999-12-31T23:59:59-14:00"),
    st.just(PLANTED),
    st.integers(),
    st.none(),
)
records = st.fixed_dictionaries(
    {"id": st.one_of(st.integers(0, 1000), st.text(max_size=5))},
    optional={
        "couple": st.sampled_from(["c", "d", 1, None, True]),
        "respondent": st.sampled_from(["partner", "supporter", PLANTED, None]),
        "answers": st.one_of(answers, answers.map(json.dumps), st.just(PLANTED)),
        "at": times,
        "recommended": st.sampled_from([None, "validation", PLANTED]),
        "extra": values,
    },
)
hostile_lines = st.one_of(
    records.map(json.dumps),
    st.just("[" * 100_000),
    st.just('{"id": 1, "answers": {"feels_heard": ' + "9" * 5000 + "}}"),
    st.just('{"id": 1, "id": 2}'),
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda b: b.decode("utf-8", "replace")),
)


def planted_in(text: str) -> bool:
    return PLANTED in text or str(PLANTED_NUMBER) in text


# ------------------------------------------------------------------------ JSON Lines


@FUZZ
@given(lines=st.lists(hostile_lines, max_size=8))
def test_fuzz_json_lines(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
        diff = trustkit.diff_packs(CORE, CORE, path)
    assert diff.records == sum(1 for line in lines if line.strip())
    assert diff.decided + diff.malformed == diff.records
    assert not planted_in(repr(diff))


@FUZZ
@given(items=st.lists(st.one_of(records, values), max_size=8))
def test_fuzz_batch(items: list[Any]) -> None:
    result = trustkit.batch(items)
    assert len(result) == len(items)
    assert not planted_in(repr(result.errors))


_RECORD = trustkit.converter.unstructure(
    trustkit.record_decision(
        trustkit.parse_checkin(
            {"respondent": "partner", "answers": {"feels_heard": 1}, "at": "2026-03-01T20:00:00Z"}
        ),
        decision_id="1",
    )
)


def _without(field: str) -> dict[str, Any]:
    return {k: v for k, v in _RECORD.items() if k != field}


decision_records = st.one_of(
    st.just(_RECORD),
    st.builds(
        lambda field, value: {**_RECORD, field: value},
        st.sampled_from([*_RECORD, "answers"]),
        st.one_of(values, times),
    ),
    st.builds(_without, st.sampled_from(list(_RECORD))),
)
record_lines = st.one_of(decision_records.map(json.dumps), hostile_lines)


@FUZZ
@given(lines=st.lists(record_lines, max_size=6), checkins=st.lists(hostile_lines, max_size=4))
def test_fuzz_decision_records(lines: list[str], checkins: list[str]) -> None:
    """A records file of anything: a report, or an AnswerError naming line and field only."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
        given = Path(folder) / "c.jsonl"
        given.write_text("\n".join(checkins) + "\n", encoding="utf-8", errors="surrogatepass")
        result: trustkit.PackDiff | trustkit.AnswerError
        try:
            result = trustkit.diff_records(path, CORE, given)
        except trustkit.AnswerError as error:
            result = error
    if isinstance(result, trustkit.AnswerError):
        assert all(p.field.startswith("records (line ") for p in result.problems)
        assert not planted_in(str(result))
    else:
        assert result.decided + result.malformed == result.records
        assert not planted_in(repr(result))


# --------------------------------------------------------------------------- Parquet


def _parquet_bytes(rows: list[dict[str, Any]]) -> bytes:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    columns = ("id", "couple", "respondent", "answers", "at")
    table = pa.table(
        {c: [None if r.get(c) is None else str(r.get(c)) for r in rows] for c in columns}
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


@FUZZ
@given(rows=st.lists(records, min_size=1, max_size=5), data=st.data())
def test_fuzz_parquet(rows: list[dict[str, Any]], data: st.DataObject) -> None:
    content = _parquet_bytes(rows)
    how = data.draw(st.sampled_from(["whole", "cut", "flipped", "random"]))
    if how == "cut":
        content = content[: data.draw(st.integers(0, len(content) - 1))]
    elif how == "flipped":
        at = data.draw(st.integers(0, len(content) - 1))
        content = content[:at] + bytes([content[at] ^ 0xFF]) + content[at + 1 :]
    elif how == "random":
        content = data.draw(st.binary(max_size=200))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.parquet"
        path.write_bytes(content)
        refused: trustkit.AnswerError | None = None
        try:
            diff: object = trustkit.diff_packs(CORE, CORE, path)
        except trustkit.AnswerError as error:
            refused = diff = error
    if refused is not None:
        assert refused.problems[0].code is trustkit.ProblemCode.INVALID_FILE
    assert not planted_in(repr(diff) + str(diff))


# ------------------------------------------------------------------------------ FHIR

fhir_values = st.one_of(
    st.fixed_dictionaries({"valueBoolean": values}),
    st.fixed_dictionaries({"valueInteger": values}),
    st.fixed_dictionaries({"valueString": st.just(PLANTED)}),
    st.fixed_dictionaries({"valueCoding": st.just({"code": PLANTED})}),
    values,
)
fhir_items = st.recursive(
    st.fixed_dictionaries(
        {"linkId": st.sampled_from([*QUESTIONS, "trustkit.respondent", "mood", 3])},
        optional={"answer": st.lists(fhir_values, max_size=2)},
    ),
    lambda children: st.fixed_dictionaries(
        {"linkId": st.sampled_from(["group", *QUESTIONS])},
        optional={"item": st.lists(children, max_size=3), "answer": st.lists(fhir_values)},
    ),
    max_leaves=8,
)
responses = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["QuestionnaireResponse", PLANTED])},
    optional={
        "status": st.sampled_from(["completed", "stopped", PLANTED]),
        "authored": times,
        "item": st.one_of(st.lists(fhir_items, max_size=5), values),
    },
)


@FUZZ
@given(response=st.one_of(responses, values))
def test_fuzz_fhir(response: object) -> None:
    try:
        outcome: object = trustkit.fhir.recommend_response(response)
    except trustkit.AnswerError as error:
        outcome = error
    assert not planted_in(str(outcome))


def test_fhir_deep_items_are_bounded() -> None:
    item: dict[str, Any] = {"linkId": "feels_heard", "answer": [{"valueInteger": PLANTED_NUMBER}]}
    for _ in range(5000):
        item = {"linkId": "group", "item": [item]}
    response = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": [item]}
    with pytest.raises(trustkit.AnswerError) as caught:
        trustkit.fhir.checkin_from_response(response)
    assert not planted_in(str(caught.value))


# ------------------------------------------------------------------------------- CLI


@FUZZ
@given(
    document=st.one_of(
        st.fixed_dictionaries(
            {"answers": answers},
            optional={"respondent": st.sampled_from(["partner", PLANTED]), "at": times},
        ),
        answers,
        values,
    ).map(json.dumps)
    | hostile_lines,
    flags=st.sampled_from([[], ["--json"], ["--trace"], ["--country", "GB", "--json"]]),
)
def test_fuzz_cli_recommend(document: str, flags: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["recommend", "-", *flags], stdin=io.StringIO(document), stdout=out, stderr=err)
    assert code in (0, 1, 2, 3)
    assert "Traceback" not in err.getvalue()
    if code != 0:
        assert err.getvalue().startswith("trustkit: error: ")
    assert not planted_in(err.getvalue())


@FUZZ
@given(lines=st.lists(hostile_lines, max_size=5))
def test_fuzz_cli_pack_diff(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        out, err = io.StringIO(), io.StringIO()
        code = main(
            ["pack", "diff", "--old-pack", "core", "--new-pack", "core", "--checkins", str(path)],
            stdout=out,
            stderr=err,
        )
    assert (code, err.getvalue()) == (0, "")
    assert not planted_in(out.getvalue())


# -------------------------------------------------------------------------- web app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def web() -> Any:
    pytest.importorskip("starlette")
    pytest.importorskip("httpx2")
    pytest.importorskip("python_multipart")
    spec = importlib.util.spec_from_file_location(
        "trustkit_web_example_fuzz", ROOT / "examples" / "web" / "app.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def client(web: Any) -> Any:
    from starlette.testclient import TestClient

    with TestClient(web.create_app(), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(
    ("length", "status"),
    [("9" * 5000, 413), ("0" * 5000 + "5", 411), ("16385", 413), ("-5", 411), ("", 411)],
)
def test_web_content_length_of_any_size_is_a_4xx(client: Any, length: str, status: int) -> None:
    request = client.build_request(
        "POST", "/api/checkin", content=b"{}", headers={"content-type": "application/json"}
    )
    request.headers["content-length"] = length
    if not length:
        del request.headers["content-length"]
    response = client.send(request)
    # 5,000 zeros and a 5: its length (5) is fine, but the body sent is 2 bytes, not 5.
    assert response.status_code == (status if length != "0" * 5000 + "5" else 422)


def test_web_chunked_with_a_content_length_is_refused(client: Any) -> None:
    request = client.build_request(
        "POST", "/api/checkin", content=b"{}", headers={"content-type": "application/json"}
    )
    request.headers["transfer-encoding"] = "chunked"
    request.headers["content-length"] = "5"
    assert client.send(request).status_code == 411


def _asgi_post(web: Any, chunks: list[bytes], length: int) -> tuple[int, int]:
    """A POST through the middleware, with a server that sends ``chunks`` whatever the length."""
    read = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal read
        more = True
        while more:
            message = await receive()
            read += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    messages = [
        {"type": "http.request", "body": c, "more_body": n < len(chunks) - 1}
        for n, c in enumerate(chunks)
    ]
    statuses: list[int] = []

    async def receive() -> Any:
        return messages.pop(0)

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {
        "type": "http",
        "method": "POST",
        "headers": [(b"content-length", str(length).encode())],
    }
    asyncio.run(web.PrivacyMiddleware(app)(scope, receive, send))
    return statuses[0], read


def test_web_never_reads_past_the_content_length(web: Any) -> None:
    """As under uvicorn with a chunked body that also says ``Content-Length: 5``."""
    assert _asgi_post(web, [b"12345"], 5) == (200, 5)
    status, read = _asgi_post(web, [b"1234", b"5678", b"x" * 100_000], 5)
    assert status == 413
    assert read <= 8  # the app got no more than the chunk that went past it


@pytest.mark.parametrize("locale", ["xx", "fr", "und", "zz-ZZ"])
def test_web_an_unknown_locale_is_a_422(client: Any, locale: str) -> None:
    response = client.post("/api/checkin", json={"answers": {"feels_heard": 1}, "locale": locale})
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == ["locale"]
    response = client.get("/api/questionnaire", params={"locale": locale})
    assert response.status_code == 422
    for body in (
        {"answers": {"feels_heard": 1}, "locale": locale, "couple": 7},
        {"answers": {"feels_heard": 9}, "locale": locale},
    ):
        response = client.post("/api/checkin", json=body)
        assert response.status_code == 422
        assert "locale" in [p["field"] for p in response.json()["problems"]]


def test_web_an_unknown_locale_with_a_safety_yes_still_gets_help(client: Any) -> None:
    for couple in (None, "couple-locale-1", "bad"):
        body = {"answers": {"afraid_of_partner": True}, "locale": "fr", "couple": couple}
        response = client.post("/api/checkin", json=body)
        assert response.status_code == 200
        data = response.json()
        assert data["safety"] is True
        assert "locale" in [p["field"] for p in data["problems"]]
        if couple == "couple-locale-1":
            assert data["saved"] is True


def test_web_an_unknown_locale_saves_nothing(web: Any) -> None:
    store = web.CoupleStore()
    with pytest.raises(trustkit.AnswerError):
        web.check_in(store, "couple-locale-2", trustkit.Role.PARTNER, {}, locale="fr")
    assert store.state("couple-locale-2") == trustkit.CoupleState()
    store.close()


def test_web_an_unknown_locale_with_an_unreadable_state(web: Any) -> None:
    store = web.CoupleStore()
    db = store._connect()
    db.execute("INSERT INTO couple_state VALUES ('couple-locale-3', 'not json')")
    with pytest.raises(trustkit.AnswerError):
        web.check_in(store, "couple-locale-3", trustkit.Role.PARTNER, {}, locale="fr")
    outcome = web.check_in(
        store, "couple-locale-3", trustkit.Role.PARTNER, {"controlled": True}, locale="fr"
    )
    assert outcome.recommendation.safety
    assert "locale" in [p.field for p in outcome.recommendation.problems]
    store.close()


COUNTS = {q.id for q in CORE.questions if q.kind is trustkit.QuestionKind.COUNT}
web_answers = answers.filter(
    lambda d: not any(d[q] == PLANTED_NUMBER for q in COUNTS.intersection(d))
)
"""As ``answers``, but the planted number is never a count's (valid) answer: a page that
decides a check-in restates the person's own answers to them, a count of it included."""


@FUZZ
@given(
    body=st.one_of(
        st.fixed_dictionaries(
            {"answers": web_answers},
            optional={
                "respondent": st.sampled_from(["partner", "supporter", PLANTED]),
                "locale": st.sampled_from(["es", "fr", "!!", "es_MX", PLANTED]),
                "country": st.sampled_from(["GB", "XX", PLANTED]),
                "couple": st.sampled_from([None, "couple-fuzz-01", PLANTED, 5]),
            },
        ).map(lambda d: json.dumps(d).encode()),
        st.just(b"[" * 100_000),
        st.just(b'{"answers": {"feels_heard": ' + b"9" * 5000 + b"}}"),
        st.binary(max_size=64),
    ),
    kind=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]),
    where=st.sampled_from(["/api/checkin", "/checkin/partner", "/checkin/nobody"]),
)
def test_fuzz_web(client: Any, body: bytes, kind: str, where: str) -> None:
    response = client.post(where, content=body, headers={"content-type": kind})
    assert response.status_code < 500
    assert not planted_in(response.text)
