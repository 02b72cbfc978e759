"""The public surface: what trustkit exports, where its classes say they live, its JSON shapes."""

from __future__ import annotations

import datetime as dt
import pickle
import re
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import trustkit
import trustkit.errors
import trustkit.jsontypes
import trustkit.models
from tests.conftest import examples
from tests.strategies import aware_datetimes, role_and_answers
from trustkit.jsontypes import CheckInJSON, RecommendationJSON

PUBLIC_MODULES = {"trustkit", "trustkit.models", "trustkit.errors", "trustkit.jsontypes"}
AT = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)


def _public_classes() -> list[tuple[str, type]]:
    return [
        (name, obj) for name in trustkit.__all__ if isinstance(obj := getattr(trustkit, name), type)
    ]


@pytest.mark.parametrize(("name", "cls"), _public_classes(), ids=str)
def test_public_classes_name_a_public_module(name: str, cls: type) -> None:
    """Reprs, pickles and tracebacks never name a private module such as trustkit._boundary."""
    assert cls.__module__ in PUBLIC_MODULES, cls.__module__
    assert getattr(sys.modules[cls.__module__], cls.__qualname__) is cls
    assert pickle.loads(pickle.dumps(cls)) is cls
    assert cls.__doc__
    typing.get_type_hints(cls)  # annotations resolve, wherever the class says it lives


def _public_functions() -> list[tuple[str, Any]]:
    return [
        (name, obj)
        for name in trustkit.__all__
        if callable(obj := getattr(trustkit, name)) and not isinstance(obj, type)
    ]


def test_every_public_function_is_checked() -> None:
    """The list below is not empty by accident: all 28 functions are in it, lazy ones too."""
    names = {name for name, _ in _public_functions()}
    assert {"recommend_next_step", "batch", "diff_packs", "default_pack", "load_pack"} <= names
    assert len(names) == 28, sorted(names)


@pytest.mark.parametrize(("name", "func"), _public_functions(), ids=str)
def test_public_functions_name_the_public_package(name: str, func: Any) -> None:
    """A function pickles, and reports itself, as trustkit.NAME, never trustkit._api.NAME."""
    assert func.__module__ == "trustkit", func.__module__
    assert func.__qualname__ == name
    data = pickle.dumps(func)
    assert b"trustkit._" not in data
    assert pickle.loads(data) is func


def test_functions_pickled_by_name_load_in_a_fresh_process() -> None:
    """Lazily imported functions are found through trustkit's __getattr__ when unpickling."""
    data = pickle.dumps([trustkit.batch, trustkit.parse_checkin, trustkit.recommend_next_step])
    code = (
        "import pickle, sys; fs = pickle.loads(sys.stdin.buffer.read()); "
        "print([f.__module__ + '.' + f.__name__ for f in fs])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=data, capture_output=True, timeout=60, check=True
    )
    assert result.stdout.decode().strip() == (
        "['trustkit.batch', 'trustkit.parse_checkin', 'trustkit.recommend_next_step']"
    )


def test_instances_pickle_by_their_public_names() -> None:
    """A pickled recommendation, boundary, role or lint warning names no private module."""
    rec = trustkit.recommend_next_step({"feels_heard": 1})
    boundary = trustkit.Boundary.propose("b1", "Phones stay private", by="partner", at=AT)
    warning = trustkit.LintWarning("few-actions", "educate", "has 1 action(s)")
    error = trustkit.BoundaryError([trustkit.AnswerProblem("at", "a time", code="missing")])
    for obj in (rec, boundary, boundary.status, trustkit.Role.PARTNER, warning, error):
        data = pickle.dumps(obj)
        assert b"trustkit._" not in data, type(obj)
        again = pickle.loads(data)
        assert type(again) is type(obj)
        assert str(again) == str(obj)


def test_loader_internals_stay_out_of_the_top_level() -> None:
    """Origin, Translation, LocaleFile and Text belong to trustkit.models, not trustkit."""
    for name in ("Origin", "Translation", "LocaleFile", "Text"):
        assert name not in trustkit.__all__
        assert not hasattr(trustkit, name)
        assert hasattr(trustkit.models, name)
    assert sorted(dir(trustkit)) == sorted(trustkit.__all__)
    with pytest.raises(AttributeError, match="no attribute 'Origin'"):
        trustkit.Origin  # type: ignore[attr-defined]  # noqa: B018


def test_boundary_error_lives_in_errors_and_keeps_its_old_path() -> None:
    """BoundaryError is trustkit.errors.BoundaryError, still importable where it was."""
    from trustkit import _boundary

    assert trustkit.BoundaryError is trustkit.errors.BoundaryError is _boundary.BoundaryError
    assert issubclass(trustkit.BoundaryError, trustkit.AnswerError)
    assert "BoundaryError" in trustkit.errors.__all__


def test_every_error_opens_with_one_wording() -> None:
    """'N problem(s) in <what>', for check-ins, boundaries and packs alike."""
    one = [trustkit.AnswerProblem("at", "a time", code="missing")]
    two = one * 2
    assert str(trustkit.AnswerError(one)).startswith("1 problem in the check-in: ")
    assert str(trustkit.AnswerError(two)).startswith("2 problems in the check-in: ")
    assert str(trustkit.BoundaryError(one)).startswith("1 problem in the boundary: ")
    assert str(trustkit.BoundaryError(two)).startswith("2 problems in the boundary: ")
    pack_problem = trustkit.PackProblem(
        "core/rules.toml", "r", "step", "unknown step", code="unknown_reference"
    )
    assert str(trustkit.PackError([pack_problem])).startswith("1 problem in the content pack:")
    assert str(trustkit.PackError([pack_problem] * 3)).startswith("3 problems in the content pack:")


def test_make_converter_gives_an_independent_converter() -> None:
    """Hooks on a converter of one's own leave the shared one as it was."""
    mine = trustkit.make_converter()
    assert mine is not trustkit.converter
    mine.register_unstructure_hook(dt.datetime, lambda d: "changed")
    checkin = trustkit.CheckIn(respondent="partner", answers={"feels_heard": 2}, at=AT)
    assert mine.unstructure(AT) == "changed"
    assert trustkit.converter.unstructure(checkin)["at"] == AT.isoformat()
    rec = trustkit.recommend_next_step({"feels_heard": 1})
    assert trustkit.make_converter().unstructure(rec) == trustkit.converter.unstructure(rec)


# What trustkit 0.1.0 exported (its __all__, less Origin, which moved to trustkit.models).
IN_0_1 = frozenset(
    [
        "Action",
        "AllOf",
        "Alternative",
        "Always",
        "Answer",
        "AnswerCompare",
        "AnswerError",
        "AnswerProblem",
        "Answered",
        "AnyOf",
        "Boundary",
        "BoundaryStatus",
        "CheckIn",
        "Condition",
        "ContentPack",
        "Dimension",
        "Evidence",
        "Messages",
        "NoStepError",
        "Not",
        "Op",
        "PackError",
        "PackProblem",
        "PackRef",
        "Question",
        "QuestionKind",
        "Recommendation",
        "Resource",
        "Role",
        "Rule",
        "ScoreCompare",
        "Step",
        "TrustkitError",
        "Urgency",
        "Who",
        "converter",
        "default_pack",
        "load_pack",
        "parse_checkin",
        "recommend_next_step",
    ]
)
# Names whose docstring is an attribute docstring in the source, not a __doc__.
ATTRIBUTE_DOCSTRINGS = {
    "Answer": "models.py",
    "Condition": "models.py",
    "converter": "_serialization.py",
}


IN_0_3 = {"Option", "diff_records"}
"""Names added after 0.2.0."""


def _added(version: str) -> str:
    return f"Added in version {version}."


@pytest.mark.parametrize("name", [n for n in trustkit.__all__ if n != "__version__"])
def test_every_public_name_says_when_it_was_added(name: str) -> None:
    """Each name in trustkit.__all__ says which release added it: 0.1.0 or 0.2.0, not both."""
    version = "0.1.0" if name in IN_0_1 else "0.3.0" if name in IN_0_3 else "0.2.0"
    other = "0.2.0" if name in IN_0_1 else "0.1.0"
    if name in ATTRIBUTE_DOCSTRINGS:
        source = (Path(trustkit.__file__).parent / ATTRIBUTE_DOCSTRINGS[name]).read_text()
        assignment = re.search(rf'^{name}\b[^\n]*=(?:.|\n)*?"""((?:.|\n)*?)"""', source, re.M)
        assert assignment is not None, name
        doc = assignment.group(1)
    else:
        doc = getattr(trustkit, name).__doc__ or ""
    assert _added(version) in doc
    assert _added(other) not in doc
    assert "Added in version 0.2." not in doc.replace(_added("0.2.0"), "")


def test_public_modules_and_their_functions_say_when_they_were_added() -> None:
    """trustkit.fhir, trustkit.dask and trustkit.jsontypes, and what they hold, are 0.2.0."""
    import trustkit.dask
    import trustkit.fhir

    objects: list[Any] = [trustkit.fhir, trustkit.dask, trustkit.jsontypes]
    objects += [trustkit.fhir.questionnaire, trustkit.fhir.checkin_from_response]
    objects += [trustkit.fhir.recommend_response, trustkit.dask.batch, trustkit.dask.diff_packs]
    objects += [getattr(trustkit.jsontypes, name) for name in trustkit.jsontypes.__all__]
    objects += [trustkit.models.Translation, trustkit.models.LocaleFile]
    for obj in objects:
        assert _added("0.2.0") in (obj.__doc__ or ""), obj
    assert _added("0.1.0") in (trustkit.models.Origin.__doc__ or "")


# --------------------------------------------------------------------------- JSON shapes


def _mismatches(value: Any, hint: Any, path: str) -> list[str]:
    """Where JSON-ready data does not match a TypedDict (or a type inside one) exactly."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if typing.is_typeddict(hint):
        hints = typing.get_type_hints(hint)
        if not isinstance(value, dict) or set(value) != set(hints):
            return [f"{path}: keys {sorted(value) if isinstance(value, dict) else value!r}"]
        return [m for key, sub in hints.items() for m in _mismatches(value[key], sub, key)]
    if origin is list:
        if not isinstance(value, list):
            return [path]
        return [m for item in value for m in _mismatches(item, args[0], f"{path}[]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [path]
        return [
            m
            for key, item in value.items()
            for m in (*_mismatches(key, args[0], path), *_mismatches(item, args[1], path))
        ]
    if origin is typing.Literal:
        return [] if value in args else [f"{path}: {value!r}"]
    if origin is types.UnionType or origin is typing.Union:
        return [] if any(not _mismatches(value, arg, path) for arg in args) else [path]
    if hint is type(None):
        return [] if value is None else [path]
    if hint is int:
        return [] if isinstance(value, int) and not isinstance(value, bool) else [path]
    return [] if isinstance(value, hint) else [f"{path}: {type(value).__name__}"]


def test_the_json_of_recommendations_and_checkins_has_the_documented_shape() -> None:
    """converter.unstructure writes exactly the keys and types of the TypedDicts."""
    cases = [
        trustkit.recommend_next_step({"feels_heard": 1, "promises_kept": 2}),
        trustkit.recommend_next_step({"afraid_of_partner": True}, respondent="supporter"),
        trustkit.recommend_next_step({"feels_heard": 1}, locale="es", country="GB"),
    ]
    assert _mismatches({"respondent": "partner"}, CheckInJSON, "checkin")  # it can fail
    assert any(rec.resources for rec in cases)
    assert any(rec.alternatives for rec in cases)
    for rec in cases:
        data: RecommendationJSON = trustkit.converter.unstructure(rec)
        assert _mismatches(data, RecommendationJSON, "recommendation") == []
    for recommended in (None, "validation"):
        checkin = trustkit.CheckIn(
            respondent="partner",
            answers={"feels_heard": 2, "past_hurt": True},
            at=AT,
            recommended=recommended,
        )
        shape: CheckInJSON = trustkit.converter.unstructure(checkin)
        assert _mismatches(shape, CheckInJSON, "checkin") == []
        assert trustkit.parse_checkin(shape) == checkin


# --------------------------------------------------------------------------- import cost

_LEAN = """
import sys
import trustkit
trustkit.recommend_next_step({"feels_heard": 1})
heavy = ("cattrs", "packaging", "importlib.metadata", "trustkit._engine.lint",
         "trustkit._boundary", "trustkit._pack.discovery", "trustkit._serialization",
         # the bundled pack comes from its JSON snapshot: no TOML, files or pack checks
         "tomllib", "importlib.resources", "pathlib", "tempfile", "zipfile", "shutil",
         "trustkit._pack.read", "trustkit._pack.load", "trustkit._pack.spec",
         "trustkit._pack.validate", "trustkit._pack.sources", "trustkit._pack.locales",
         "trustkit._engine.trace", "trustkit._engine.many")
print(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy))
"""


def test_a_first_recommendation_imports_only_what_it_needs() -> None:
    """import trustkit plus one recommendation loads no cattrs, lint, boundaries, discovery,
    TOML parser, importlib.resources, pathlib or pack reading and checking."""
    result = subprocess.run(
        [sys.executable, "-c", _LEAN], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.slow
@given(role_and_answers(), aware_datetimes())
@settings(max_examples=examples(50))
def test_a_converter_of_ones_own_writes_what_the_shared_one_does(
    case: tuple[trustkit.Role, dict[str, Any]], at: dt.datetime
) -> None:
    """For any check-in and its recommendation, make_converter() matches converter exactly."""
    role, answers = case
    checkin = trustkit.CheckIn(respondent=role, answers=answers, at=at)
    rec = trustkit.recommend_next_step(checkin)
    mine = trustkit.make_converter()
    for obj in (checkin, rec):
        data = mine.unstructure(obj)
        assert data == trustkit.converter.unstructure(obj)
        assert not _mismatches(data, CheckInJSON if obj is checkin else RecommendationJSON, "x")
    assert mine.structure(mine.unstructure(checkin), trustkit.CheckIn) == checkin
