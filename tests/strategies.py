"""Hypothesis strategies for check-ins: valid ones, and every way one can be malformed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

import trustkit
from trustkit import ContentPack, Question, QuestionKind, Role

ROLES = st.sampled_from(list(Role))


def valid_value(question: Question) -> st.SearchStrategy[Any]:
    """Any valid answer to one question."""
    if question.kind is QuestionKind.YES_NO:
        return st.booleans()
    if question.kind is QuestionKind.SCALE:
        return st.integers(min_value=1, max_value=5)
    if question.kind is QuestionKind.CHOICE:
        return st.sampled_from(question.codes)
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        return st.frozensets(st.sampled_from(question.codes))
    return st.integers(min_value=0, max_value=10**6)


@st.composite
def valid_answers(
    draw: st.DrawFn, role: Role, pack: ContentPack | None = None, safe: bool = False
) -> dict[str, bool | int | None]:
    """Any subset of one role's questions, each with a valid answer (or None: skipped).

    With ``safe=True`` every safety question that is answered is answered no.
    """
    pack = pack or trustkit.default_pack()
    answers: dict[str, bool | int | None] = {}
    for question in pack.questions_for(role):
        if not draw(st.booleans()):
            continue
        if safe and question.safety:
            answers[question.id] = draw(st.sampled_from([False, None]))
        else:
            answers[question.id] = draw(valid_value(question) | st.none())
    return answers


@st.composite
def role_and_answers(draw: st.DrawFn, safe: bool = False) -> tuple[Role, dict[str, Any]]:
    """A role and valid answers for it."""
    role = draw(ROLES)
    return role, draw(valid_answers(role, safe=safe))


def invalid_value(question: Question) -> st.SearchStrategy[object]:
    """A value that is never a valid answer to this question."""
    junk = st.one_of(
        st.text(max_size=5),
        st.floats(allow_nan=True),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
    )
    if question.kind is QuestionKind.YES_NO:
        return st.one_of(junk, st.integers())
    if question.kind is QuestionKind.SCALE:
        return st.one_of(junk, st.booleans(), st.integers(max_value=0), st.integers(min_value=6))
    if question.kind is QuestionKind.CHOICE:
        return st.one_of(junk, st.booleans(), st.integers()).filter(
            lambda v: v not in question.codes
        )
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        return st.one_of(junk, st.booleans(), st.integers()).filter(lambda v: v != [])
    return st.one_of(junk, st.booleans(), st.integers(max_value=-1))


@st.composite
def malformed_answers(draw: st.DrawFn) -> tuple[Role, dict[Any, Any], set[str]]:
    """Valid answers with at least one fault planted; returns the planted question ids too."""
    pack = trustkit.default_pack()
    role = draw(ROLES)
    answers: dict[Any, Any] = draw(valid_answers(role, safe=draw(st.booleans())))
    own = pack.questions_for(role)
    others = [q for q in pack.questions if role not in q.respondents]
    known = {q.id for q in pack.questions}
    planted: set[str] = set()
    faults = draw(
        st.lists(st.sampled_from(["value", "unknown", "other_role"]), min_size=1, max_size=3)
    )
    for fault in faults:
        if fault == "value":
            question = draw(st.sampled_from(own))
            answers[question.id] = draw(invalid_value(question))
            planted.add(question.id)
        elif fault == "unknown":
            key = draw(
                st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20).filter(
                    lambda k: k not in known
                )
            )
            answers[key] = draw(st.integers(1, 5))
            planted.add(key)
        else:
            question = draw(st.sampled_from(others))
            answers[question.id] = draw(valid_value(question))
            planted.add(question.id)
    return role, answers, planted


def aware_datetimes() -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes."""
    return st.datetimes(timezones=st.just(dt.UTC))
