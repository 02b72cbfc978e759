"""Machine-readable codes on AnswerProblem and PackProblem.

The set of codes is stable (a test pins it), every code can be met (one
input here for each), and a problem cannot be made without a code from the
set.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

import trustkit
from tests.conftest import PACK_TOML, Overlay
from trustkit import AnswerError, AnswerProblem, PackError, PackProblem, ProblemCode
from trustkit.fhir import MAX_ITEMS, checkin_from_response

SRC = Path(trustkit.__file__).parent
DOCS = Path(__file__).parent.parent / "docs"
AT = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)
CORE = trustkit.default_pack()

STABLE = [
    "missing",
    "unknown_field",
    "wrong_type",
    "invalid_value",
    "out_of_range",
    "too_large",
    "unknown_question",
    "wrong_role",
    "duplicate",
    "out_of_order",
    "not_allowed",
    "duplicate_id",
    "unknown_reference",
    "invalid_file",
    "never_true",
    "unsafe",
    "incompatible",
    "cycle",
    "sensitive",
]


def test_the_set_of_codes_is_stable() -> None:
    """Codes are a public contract: within 1.x none is removed or renamed (add at the end)."""
    assert [code.value for code in ProblemCode] == STABLE
    assert str(ProblemCode.MISSING) == "missing"
    assert trustkit.ProblemCode is trustkit.errors.ProblemCode


def test_a_problem_needs_a_code_from_the_set() -> None:
    """No problem without a code, and no code outside the set."""
    with pytest.raises(TypeError):
        AnswerProblem("at", "a time")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        PackProblem("f.toml", "", "", "bad")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="no_such_code"):
        AnswerProblem("at", "a time", code="no_such_code")
    with pytest.raises(ValueError, match="no_such_code"):
        PackProblem("f.toml", "", "", "bad", code="no_such_code")
    assert AnswerProblem("at", "a time", code="missing").code is ProblemCode.MISSING


def test_every_problem_trustkit_creates_names_its_code() -> None:
    """Each AnswerProblem(...) and PackProblem(...) in trustkit's source passes code=."""
    calls = 0
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in ("AnswerProblem", "PackProblem"):
                calls += 1
                assert "code" in [k.arg for k in node.keywords], f"{path}:{node.lineno}"
    assert calls > 50


def test_every_code_is_documented() -> None:
    """The Errors section of the API reference lists every code."""
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    section = text.split("## Errors", 1)[1]
    for code in ProblemCode:
        assert f"`{code.value}`" in section, code


# ----------------------------------------------------------------- one way to meet each code


def answer_codes(call: Callable[[], object]) -> set[ProblemCode]:
    with pytest.raises(AnswerError) as info:
        call()
    return {problem.code for problem in info.value.problems}


def pack_codes(call: Callable[[], object]) -> set[ProblemCode]:
    with pytest.raises(PackError) as info:
        call()
    return {problem.code for problem in info.value.problems}


def recommend(answers: object, **kwargs: object) -> Callable[[], object]:
    return lambda: trustkit.recommend_next_step(answers, **kwargs)  # type: ignore[arg-type]


def checked(**changes: object) -> Callable[[], object]:
    return lambda: trustkit.check_pack(attrs.evolve(CORE, **changes))  # type: ignore[arg-type]


def boundary() -> trustkit.Boundary:
    return trustkit.Boundary.propose("b1", "Phones stay private", by="partner", at=AT)


def fhir_items(count: int) -> dict[str, object]:
    item = {"linkId": "feels_heard", "answer": [{"valueInteger": 2}]}
    return {"resourceType": "QuestionnaireResponse", "status": "completed", "item": [item] * count}


ANSWER_CASES: dict[ProblemCode, Callable[[], object]] = {
    ProblemCode.MISSING: lambda: trustkit.parse_checkin({"answers": {}}, at=AT),
    ProblemCode.UNKNOWN_FIELD: lambda: trustkit.parse_checkin(
        {"respondent": "partner", "answers": {}, "mood": 1}, at=AT
    ),
    ProblemCode.WRONG_TYPE: recommend({"past_hurt": 1}),
    ProblemCode.INVALID_VALUE: recommend({}, respondent="boyfriend"),
    ProblemCode.OUT_OF_RANGE: recommend({"feels_heard": 9}),
    ProblemCode.TOO_LARGE: lambda: checkin_from_response(fhir_items(MAX_ITEMS + 1)),
    ProblemCode.UNKNOWN_QUESTION: recommend({"mood": 1}),
    ProblemCode.WRONG_ROLE: recommend({"understand_roots": 1}, respondent="partner"),
    ProblemCode.DUPLICATE: lambda: checkin_from_response(fhir_items(2)),
    ProblemCode.OUT_OF_ORDER: lambda: trustkit.recommend_next_step(
        trustkit.CheckIn(respondent="partner", answers={}, at=AT),
        history=[trustkit.CheckIn(respondent="partner", answers={}, at=AT + dt.timedelta(1))],
    ),
    ProblemCode.NOT_ALLOWED: lambda: boundary().review(at=AT + dt.timedelta(1)),
}


def test_each_answer_code_can_be_met() -> None:
    for code, call in ANSWER_CASES.items():
        assert code in answer_codes(call), code


def pack_cases(overlay: Overlay, tmp_path: Path) -> dict[ProblemCode, Callable[[], object]]:
    step = CORE.steps[0]
    rule = next(r for r in CORE.rules if not r.safety)
    cycle = tmp_path / "cycle"
    for me, other in (("a", "b"), ("b", "a")):
        (cycle / me).mkdir(parents=True)
        (cycle / me / "pack.toml").write_text(PACK_TOML.format(id=me, extends=f"{other} >=1"))
    return {
        ProblemCode.MISSING: lambda: trustkit.load_pack(overlay("m", rules="[[rules]]\n")),
        ProblemCode.UNKNOWN_FIELD: lambda: trustkit.load_pack(
            overlay("u", rules='[[rules]]\nid = "r"\nstepp = "x"\n')
        ),
        ProblemCode.WRONG_TYPE: lambda: trustkit.load_pack(overlay("w", rules="rules = 3\n")),
        ProblemCode.INVALID_VALUE: lambda: trustkit.load_pack(
            overlay("v", rules='[[rules]]\nid = "Not An Id"\n')
        ),
        ProblemCode.OUT_OF_RANGE: checked(
            steps=(
                attrs.evolve(step, actions=(attrs.evolve(step.actions[0], minutes=0),)),
                *CORE.steps[1:],
            )
        ),
        ProblemCode.TOO_LARGE: lambda: trustkit.load_pack(
            overlay(
                "t", rules="[[rules]]\nwhen = " + "{ not = " * 40 + "{ always = true }" + " }" * 40
            )
        ),
        ProblemCode.DUPLICATE: lambda: trustkit.load_pack(
            overlay("d1", overrides='[steps.educate]\ntitle = "One"\n'),
            overlay("d2", overrides='[steps.educate]\ntitle = "Two"\n'),
        ),
        ProblemCode.NOT_ALLOWED: lambda: trustkit.load_pack(
            overlay("n", overrides='[steps.educate]\nid = "other"\n')
        ),
        ProblemCode.DUPLICATE_ID: checked(steps=(*CORE.steps, step)),
        ProblemCode.UNKNOWN_REFERENCE: checked(
            rules=tuple(attrs.evolve(r, step="nowhere") if r is rule else r for r in CORE.rules)
        ),
        ProblemCode.INVALID_FILE: lambda: trustkit.load_pack(overlay("f", rules="[[[")),
        ProblemCode.NEVER_TRUE: checked(
            rules=tuple(
                attrs.evolve(r, when=trustkit.AnyOf(())) if r is rule else r for r in CORE.rules
            )
        ),
        ProblemCode.UNSAFE: checked(safety_period_weeks=1),
        ProblemCode.INCOMPATIBLE: lambda: trustkit.load_pack(overlay("i", extends="core >=99")),
        ProblemCode.CYCLE: lambda: trustkit.load_pack(cycle / "a"),
        ProblemCode.SENSITIVE: checked(
            messages=attrs.evolve(CORE.messages, reminder="Time to rebuild trust")
        ),
    }


def test_each_pack_code_can_be_met(
    overlay: Overlay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path / ".")
    cases = pack_cases(overlay, tmp_path)
    for code, call in cases.items():
        if code is ProblemCode.CYCLE:
            monkeypatch.chdir(tmp_path / "cycle")  # so that "a" and "b" resolve as folders
        assert code in pack_codes(call), code


def test_every_code_can_be_met(overlay: Overlay, tmp_path: Path) -> None:
    """Between check-ins and packs, no code in the set is dead."""
    assert set(ANSWER_CASES) | set(pack_cases(overlay, tmp_path)) == set(ProblemCode)
