"""A generated corpus of varied check-ins, as an app would store them (JSON Lines or Parquet).

Couples answer about once a week, either partner; each check-in answers a random part of
the bundled questionnaire (scales, yes/no, counts) with values that lean one way per couple,
so decisions vary. About 1 in 200 check-ins has a yes on the safety screen (so safety
periods and their history matter), and about 1 in 500 records is malformed (a value out of
range, an unknown question, or a line that is not JSON).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import trustkit
from trustkit.models import QuestionKind, Role

START = dt.datetime(2025, 1, 6, 19, 0, tzinfo=dt.UTC)


def records(count: int, *, seed: int = 8, per_couple: int = 20) -> Iterator[dict[str, Any] | str]:
    """``count`` records (a string stands for a line that is not JSON), in time order."""
    rng = random.Random(seed)
    questions = trustkit.default_pack().questions
    by_role = {role: [q for q in questions if role in q.respondents] for role in Role}
    couples = max(1, count // per_couple)
    lean = [rng.uniform(-1.5, 1.5) for _ in range(couples)]
    for n in range(count):
        couple = rng.randrange(couples)
        week = n * per_couple // count
        at = START + dt.timedelta(weeks=week, minutes=rng.randrange(7 * 24 * 60))
        role = Role.PARTNER if rng.random() < 0.6 else Role.SUPPORTER
        answers: dict[str, object] = {}
        for q in by_role[role]:
            if q.safety:
                if rng.random() < 0.005:
                    answers[q.id] = True
                elif rng.random() < 0.5:
                    answers[q.id] = False
            elif rng.random() < 0.7:
                if q.kind is QuestionKind.SCALE:
                    answers[q.id] = min(5, max(1, round(rng.gauss(3 + lean[couple], 1.2))))
                elif q.kind is QuestionKind.YES_NO:
                    answers[q.id] = rng.random() < 0.3
                elif q.options:
                    answers[q.id] = rng.choice(q.codes)
                else:
                    answers[q.id] = min(20, int(rng.expovariate(0.7)))
        fault = rng.random()
        if fault < 0.0007:
            yield '{"id": "broken'
            continue
        if fault < 0.0014:
            answers["no_such_question"] = 3
        elif fault < 0.002:
            answers[by_role[role][0].id] = 99
        yield {
            "id": f"r{n}",
            "couple": f"c{couple}",
            "respondent": role.value,
            "answers": answers,
            "at": at.isoformat(),
        }


def write_jsonl(path: Path, count: int, *, seed: int = 8) -> Path:
    """Write ``count`` records to a JSON Lines file."""
    with path.open("w", encoding="utf-8") as out:
        for record in records(count, seed=seed):
            out.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


def write_parquet(path: Path, count: int, *, seed: int = 8, group_rows: int = 50_000) -> Path:
    """Write ``count`` records to Parquet (answers as JSON text; broken lines left out).

    ``group_rows`` rows a row group: the parts a cluster reads in parallel.
    """
    pa: Any = importlib.import_module("pyarrow")
    pq: Any = importlib.import_module("pyarrow.parquet")

    schema = pa.schema(
        [("id", pa.string()), ("couple", pa.string()), ("respondent", pa.string()),
         ("answers", pa.string()), ("at", pa.timestamp("us", tz="UTC"))]
    )  # fmt: skip
    with pq.ParquetWriter(path, schema) as writer:
        chunk: list[dict[str, Any]] = []
        for record in records(count, seed=seed):
            if isinstance(record, str):
                continue
            at = dt.datetime.fromisoformat(record["at"])
            chunk.append({**record, "answers": json.dumps(record["answers"]), "at": at})
            if len(chunk) == 50_000:
                writer.write_table(
                    pa.Table.from_pylist(chunk, schema=schema), row_group_size=group_rows
                )
                chunk = []
        if chunk:
            writer.write_table(
                pa.Table.from_pylist(chunk, schema=schema), row_group_size=group_rows
            )
    return path
