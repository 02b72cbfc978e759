"""`trustkit.batch(..., workers=N)`: a process pool inside the call, the same columns as one.

Each couple's records go to one worker (so its safety memory is whole), the
records without a couple are shared out, and the workers send back only the
columns. The corpus mixes couples, records without one, safety yeses, bad
records and a custom pack.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

import trustkit

T0 = dt.datetime(2026, 1, 5, 20, 0, tzinfo=dt.UTC)
PACK = trustkit.default_pack()
SAFETY_QUESTIONS = [q.id for q in PACK.questions if q.safety]


@pytest.fixture(params=["fork", "forkserver"])
def start_method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The pool's workers forked (records lent, never pickled) or started fresh (pickled)."""
    method: str = request.param
    chosen = multiprocessing.get_context(method)
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: chosen)
    yield method
    from trustkit import _batch

    assert _batch._LENT == {}  # nothing lent is kept once the call is over


def corpus(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    partner = [q for q in PACK.questions_for(trustkit.Role.PARTNER) if not q.safety]
    out = []
    for n in range(count):
        role = rng.choice(["partner", "supporter"])
        questions = [q for q in PACK.questions_for(trustkit.Role(role)) if not q.safety]
        answers: dict[str, Any] = {}
        for q in rng.sample(questions, k=min(len(questions), rng.randint(0, 6))):
            if q.kind.value == "yes_no":
                answers[q.id] = rng.choice([True, False])
            elif q.kind.value == "scale":
                answers[q.id] = rng.randint(1, 5)
            elif q.options:
                answers[q.id] = rng.choice(q.codes)
            else:
                answers[q.id] = rng.randint(0, 6)
        if rng.random() < 0.08:
            answers[rng.choice(SAFETY_QUESTIONS)] = True
        if rng.random() < 0.05:
            answers[rng.choice(partner).id] = "not an answer"
        record: dict[str, Any] = {
            "id": str(n),
            "respondent": role,
            "answers": answers,
            "at": (T0 + dt.timedelta(days=rng.randint(0, 400), minutes=n)).isoformat(),
        }
        if rng.random() < 0.8:
            record["couple"] = f"c{rng.randint(0, 40)}"
        out.append(record)
    return out


@pytest.mark.parametrize("workers", [2, 3])
def test_a_pool_gives_the_same_columns_as_one_process(workers: int, start_method: str) -> None:
    records = corpus(600, seed=workers)
    alone = trustkit.batch(records)
    assert trustkit.batch(records, workers=workers) == alone
    assert any(alone.safety)
    assert any(alone.error)


def test_a_custom_pack_and_a_locale_are_sent_to_the_workers() -> None:
    records = corpus(200, seed=7)
    pack = attrs.evolve(PACK, id="custom")
    for keywords in ({"pack": pack}, {"locale": "es"}, {"country": "GB"}):
        assert trustkit.batch(records, workers=2, **keywords) == trustkit.batch(records, **keywords)


def test_one_record_or_none_needs_no_pool() -> None:
    assert len(trustkit.batch([], workers=2)) == 0
    one = corpus(1, seed=1)
    assert trustkit.batch(one, workers=2) == trustkit.batch(one)


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_workers_must_be_a_whole_number_of_one_or_more(workers: object) -> None:
    with pytest.raises(trustkit.AnswerError, match="workers"):
        trustkit.batch([], workers=workers)  # type: ignore[arg-type]


def test_a_workers_share_is_decided_as_in_one_process() -> None:
    """What each worker runs (in its own process, out of coverage's sight), run here.

    The records are shared out by the couple they name, read before anything
    else; a couple that counts (its records read whole) is never split.
    """
    from trustkit import _batch

    records: list[Any] = corpus(120, seed=3)
    records += [{"id": "odd", "couple": True}, {"id": "far", "couple": 7}, "not a record"]
    sent = [(f"#{n}", record) for n, record in enumerate(records, 1)]
    rows = [_batch.read_row(record, label) for label, record in sent]
    couples = [_batch._couple_of(record) for record in records]
    assert all(row.couple in (None, couple) for row, couple in zip(rows, couples, strict=True))
    shares = _batch._shares(couples, 3)
    assert sorted(i for share in shares for i in share) == list(range(len(rows)))
    for share in shares:  # a couple's records are never split
        mine = {rows[i].couple for i in share} - {None}
        others = {rows[i].couple for s in shares if s is not share for i in s}
        assert not mine & others
    whole = trustkit.batch(records)
    for pack in (None, PACK):
        for as_rows in (False, True):
            got: dict[int, tuple[str, Any]] = {}
            lent = [
                (label, rows[i] if as_rows else record) for i, (label, record) in enumerate(sent)
            ]
            _batch._LENT[id(lent)] = lent
            for share in shares:
                part = [(sent[i][0], rows[i] if as_rows else sent[i][1]) for i in share]
                got.update(zip(share, _batch._part(pack, part, None), strict=True))
                # A forked worker's share, from the records lent to it: the same.
                again = _batch._lent_part(pack, id(lent), share, None)
                assert again == _batch._part(pack, part, None)
            del _batch._LENT[id(lent)]
            assert [got[i][0] for i in range(len(rows))] == list(whole.record_id)
            assert [got[i][1][0] for i in range(len(rows))] == list(whole.step_id)


def test_a_record_that_cannot_be_pickled_is_read_here_and_sent_as_its_row(
    start_method: str,
) -> None:
    """A value pickle refuses (a lock, say) in a record still gives its row its error.

    A forked worker is lent the records; a fresh one is sent them, and a share
    that cannot be pickled is decided in the calling process.
    """
    import threading

    records: list[Any] = corpus(40, seed=5)
    records[3] = {**records[3], "answers": {"feels_heard": threading.Lock()}}
    alone = trustkit.batch(records)
    assert alone.error[3]
    assert trustkit.batch(records, workers=2) == alone
