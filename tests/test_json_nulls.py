"""A resource's JSON: null for a missing optional text, and its sources as a list."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from trustkit import Resource
from trustkit._serialization import optional_texts

OPTIONAL = ("region", "phone", "text", "url", "hours", "notes", "audience")


def test_the_optional_texts_are_the_fields_that_default_to_empty() -> None:
    assert optional_texts(Resource) == OPTIONAL
    spec_optional = {
        f.name for f in trustkit._pack.spec.RESOURCES.fields if f.shape == "text" and not f.required
    }
    assert spec_optional == set(OPTIONAL)


def test_a_safety_recommendation_writes_null_never_empty_text() -> None:
    rec = trustkit.recommend_next_step({"afraid_of_partner": True}, country="US")
    data = json.loads(json.dumps(trustkit.converter.unstructure(rec)))
    assert data["resources"]
    for res in data["resources"]:
        assert isinstance(res["source"], list), res["id"]
        assert res["source"], res["id"]
        for name in OPTIONAL:
            assert res[name] is None or res[name] != "", (res["id"], name)
    assert any(res["region"] is None for res in data["resources"])
    assert trustkit.converter.structure(data, trustkit.Recommendation) == rec


texts = st.text(max_size=5)


@given(
    optional=st.fixed_dictionaries(dict.fromkeys(OPTIONAL, texts)),
    source=st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=3),
)
def test_any_resource_round_trips_through_json(optional: dict[str, Any], source: list[str]) -> None:
    res = attrs.evolve(
        Resource(
            id="r",
            name="R",
            topics=("crisis",),
            country="GB",
            source=source,
            verified=dt.date(2026, 1, 1),
        ),
        **optional,
    )
    data = json.loads(json.dumps(trustkit.converter.unstructure(res)))
    assert data["source"] == source
    assert all(data[n] == (optional[n] or None) for n in OPTIONAL)
    assert trustkit.converter.structure(data, Resource) == res


def test_one_source_text_is_a_tuple_of_one() -> None:
    base = trustkit.default_pack().resources[0]
    assert attrs.evolve(base, source="https://example.org").source == ("https://example.org",)
    assert all(isinstance(r.source, tuple) for r in trustkit.default_pack().resources)


def test_the_safety_table_lists_each_helplines_sources() -> None:
    """docs/safety.md's helpline table links every source of each bundled helpline, in order."""
    import re
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "safety.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "](https://" in line]
    linked = [re.findall(r"\]\((https://[^)]+)\)", row.rsplit("|", 2)[1]) for row in rows]
    assert linked == [list(r.source) for r in trustkit.default_pack().resources]
