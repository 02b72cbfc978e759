"""A broken pack raises PackError naming the file, the item, the field and the line."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

import trustkit
from trustkit import PackError, PackProblem
from trustkit._pack.load import bundled_root

Breaker = Callable[..., Path]


@pytest.fixture
def broken(tmp_path: Path) -> Breaker:
    """Copy the core pack to a folder named 'mypack' and apply text edits to one file."""

    def make(file: str = "rules.toml", old: str = "", new: str = "", append: str = "") -> Path:
        root = tmp_path / "mypack"
        if not root.exists():
            source = bundled_root("core")
            assert isinstance(source, Path)  # the package is installed as files
            shutil.copytree(source, root)
        path = root / file
        text = path.read_text(encoding="utf-8")
        if old:
            assert old in text, f"{old!r} not in {file}"
            text = text.replace(old, new, 1)
        path.write_text(text + append, encoding="utf-8")
        return root

    return make


def problems(root: Path) -> tuple[PackProblem, ...]:
    with pytest.raises(PackError) as info:
        trustkit.load_pack(root)
    assert isinstance(info.value, ValueError)
    return info.value.problems


def line_of(root: Path, file: str, needle: str) -> int:
    lines = (root / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_an_unknown_question_in_a_rule_names_file_rule_field_and_line(broken: Breaker) -> None:
    """The classic typo: a rule reads a question that does not exist."""
    root = broken(
        old='{ answer = "feels_heard", op = "<="', new='{ answer = "feels_herd", op = "<="'
    )
    (problem,) = problems(root)
    assert problem.file == "mypack/rules.toml"
    assert problem.item == "validation-not-heard"
    assert problem.field == "when.any[0].answer"
    assert "feels_herd" in problem.message
    assert problem.line == line_of(root, "rules.toml", 'id = "validation-not-heard"')
    assert f"mypack/rules.toml:{problem.line}: validation-not-heard: when.any[0].answer" in str(
        problem
    )


def test_an_unsupported_operator_is_named(broken: Breaker) -> None:
    """Only =, !=, <, <=, > and >= are operators."""
    root = broken(
        old='{ answer = "boundaries_clear", op = "<="',
        new='{ answer = "boundaries_clear", op = "=<"',
    )
    (problem,) = problems(root)
    assert (problem.item, problem.field) == ("boundaries-unclear", "when.op")
    assert "'<='" in problem.message


@pytest.mark.parametrize(
    ("file", "old", "new", "item", "message"),
    [
        ("steps.toml", 'id = "patience"', 'id = "educate"', "educate", "duplicate step id"),
        (
            "rules.toml",
            'id = "catch-all"',
            'id = "boundaries-unclear"',
            "boundaries-unclear",
            "duplicate rule id",
        ),
        ("questions.toml", 'id = "stuck"', 'id = "distress"', "distress", "duplicate question id"),
        (
            "rules.toml",
            'step = "celebrate"',
            'step = "party"',
            "celebrate-improved",
            "unknown step 'party'",
        ),
    ],
)
def test_duplicate_and_dangling_ids_are_named(
    broken: Breaker, file: str, old: str, new: str, item: str, message: str
) -> None:
    """Ids must be unique and references must resolve."""
    found = problems(broken(file, old, new))
    assert any(
        p.item == item and message in p.message and p.file == f"mypack/{file}" for p in found
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            '{ answer = "boundary_crossed", op = "=", value = true }',
            '{ answer = "boundary_crossed", op = ">", value = 2 }',
            "when.op",
            "yes/no question",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            '{ answer = "understand_roots", op = "=", value = true }',
            "when.value",
            "takes a number",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            '{ answer = "understand_roots", op = ">=", value = 7 }',
            "when.value",
            "can never be true",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            '{ score = "understanding", op = "<", value = 1 }',
            "when.value",
            "can never be true",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            '{ score = "understandin", op = "<", value = 2 }',
            "when.score",
            "unknown dimension",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            '{ answer = "missed_commitments", op = "<", value = 0 }',
            "when.value",
            "can never be true",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            '{ score = "understanding", op = "<", value = "low" }',
            "when.value",
            "expected true, false or a number",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            '{ answered = "understand_root" }',
            "when.answered",
            "unknown question",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            "{ any = [] }",
            "when.any",
            "can never be true",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            '{ answer = "understand_roots", op = "<=", value = 2, typo = 1 }',
            "when.typo",
            "unknown field",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            '{ answer = "understand_roots", answered = "understand_roots" }',
            "when",
            "exactly one of",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            '{ all = "understand_roots" }',
            "when.all",
            "list of conditions",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            "{ not = { always = false } }",
            "when.not.always",
            "expected true",
        ),
        (
            '{ answer = "understand_roots", op = "<=", value = 2 }',
            "{ not = 3 }",
            "when.not",
            "expected a table",
        ),
    ],
)
def test_conditions_are_checked_against_the_questions(
    broken: Breaker, old: str, new: str, field: str, message: str
) -> None:
    """Type mismatches, impossible comparisons and malformed conditions name the rule and field."""
    found = problems(broken("rules.toml", old, new))
    rule = "boundaries-crossed" if "boundary_crossed" in old else "educate-roots"
    assert any(p.item == rule and p.field == field and message in p.message for p in found), found


def test_every_problem_is_reported_at_once(broken: Breaker) -> None:
    """Authors see all their mistakes in one go, across files."""
    broken("rules.toml", 'step = "celebrate"', 'step = "party"')
    broken("steps.toml", "minutes = 5", "minutes = 0")
    root = broken("questions.toml", 'kind = "count"', 'kind = "number"')
    found = problems(root)
    files = {p.file for p in found}
    assert files == {"mypack/rules.toml", "mypack/steps.toml", "mypack/questions.toml"}
    assert len(found) == 3


def test_a_deeply_nested_condition_is_refused(broken: Breaker) -> None:
    """Conditions have a depth limit, so a pack cannot make the loader recurse without end."""
    deep = "{ not = " * 40 + "{ always = true }" + " }" * 40
    root = broken(
        "rules.toml", append=f'\n[[rules]]\nid = "deep"\nstep = "educate"\nwhen = {deep}\n'
    )
    found = problems(root)
    assert any(p.item == "deep" and "nest" in p.message for p in found)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id = 'x'\nversion = = 1\n", "not valid TOML"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"a = 1\n" * 200_000, "larger than"),
        (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "not valid TOML"),
    ],
)
def test_unreadable_files_are_pack_errors(broken: Breaker, content: bytes, message: str) -> None:
    """Malformed, non-UTF-8, huge and absurdly nested files are refused with their name."""
    root = broken()
    (root / "pack.toml").write_bytes(content)
    (problem,) = problems(root)
    assert problem.file == "mypack/pack.toml"
    assert message in problem.message


def test_a_toml_syntax_error_carries_its_line(broken: Breaker) -> None:
    """The line of a syntax error is kept."""
    root = broken()
    (root / "steps.toml").write_text('[[steps]]\nid = "x"\ntitle = \n', encoding="utf-8")
    (problem,) = problems(root)
    assert problem.line == 3


def test_a_missing_file_is_named(broken: Breaker) -> None:
    """Every pack file is required."""
    root = broken()
    (root / "messages.toml").unlink()
    (problem,) = problems(root)
    assert (problem.file, problem.message) == ("mypack/messages.toml", "file is missing")


def test_a_missing_pack_file_stops_before_the_rest(broken: Breaker) -> None:
    """Without one of the files nothing else is checked; every missing file is named."""
    root = broken("steps.toml", 'id = "patience"', 'id = "educate"')
    (root / "rules.toml").unlink()
    (root / "messages.toml").unlink()
    found = problems(root)
    assert [p.file for p in found] == ["mypack/rules.toml", "mypack/messages.toml"]
    (root / "pack.toml").unlink()
    assert [p.file for p in problems(root)] == ["mypack/pack.toml"]


def test_a_path_that_is_not_a_folder_is_a_pack_error(tmp_path: Path) -> None:
    """load_pack names the path it could not use."""
    with pytest.raises(PackError, match="not a folder"):
        trustkit.load_pack(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "message"),
    [
        (
            "rules.toml",
            'id = "safety-abuse"\nstep = "professional_help"\npriority = 993\nurgency = "critical"',
            'id = "safety-abuse"\nstep = "professional_help"\npriority = 993\nurgency = "info"',
            "urgency",
            "critical",
        ),
        (
            "rules.toml",
            'resources = ["domestic_abuse", "emergency"]',
            "resources = []",
            "resources",
            "resource topics",
        ),
        (
            "rules.toml",
            '{ answer = "controlled", op = "=", value = true },',
            '{ answer = "hopeful", op = "<=", value = 2 },',
            "when",
            "may only check",
        ),
        (
            "rules.toml",
            'step = "professional_help"\npriority = 1000',
            'step = "educate"\npriority = 1000',
            "step",
            "in_crisis",
        ),
        (
            "rules.toml",
            'resources = ["crisis", "emergency"]',
            'resources = ["crisis", "emergency", "tarot"]',
            "resources",
            "'tarot'",
        ),
    ],
)
def test_safety_rules_cannot_be_weakened(
    broken: Breaker, file: str, old: str, new: str, field: str, message: str
) -> None:
    """A safety rule must be critical, show resources, test only safety answers and lead to help."""
    found = problems(broken(file, old, new))
    assert any(p.field == field and message in p.message for p in found), found


def test_a_safety_question_without_a_safety_rule_is_an_error(broken: Breaker) -> None:
    """No pack can leave part of the safety screen without a rule behind it."""
    root = broken("rules.toml", '  { answer = "controlled", op = "=", value = true },\n', "")
    found = problems(root)
    assert [(p.file, p.item, p.field) for p in found] == [
        ("mypack/questions.toml", "controlled", "safety")
    ]


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "message"),
    [
        ("steps.toml", "in_crisis = false", 'in_crisis = "no"', "in_crisis", "true or false"),
        ("steps.toml", 'who = "supporter"', 'who = "nobody"', "who", "'supporter'"),
        (
            "questions.toml",
            'respondents = ["supporter"]',
            'respondents = ["friend"]',
            "respondents",
            "partner",
        ),
        (
            "questions.toml",
            'respondents = ["supporter"]',
            "respondents = []",
            "respondents",
            "at least one",
        ),
        (
            "questions.toml",
            'kind = "yes_no"\nrespondents = ["partner"]\n',
            'kind = "yes_no"\nrespondents = ["partner"]\nreverse = true\n',
            "reverse",
            "reverse",
        ),
        (
            "questions.toml",
            'kind = "yes_no"\nrespondents = ["partner"]\n',
            'kind = "yes_no"\nrespondents = ["partner"]\ndimension = "hope"\n',
            "dimension",
            "only scale",
        ),
        (
            "questions.toml",
            'dimension = "hope"',
            'dimension = "hop"',
            "dimension",
            "unknown dimension",
        ),
        ("questions.toml", 'kind = "count"', 'kind = "count"\nsafety = true', "safety", "yes/no"),
        (
            "questions.toml",
            'kind = "count"',
            'kind = "count"\nhigh_risk = true',
            "high_risk",
            "only a safety question",
        ),
        ("questions.toml", 'id = "stuck"', 'id = "Stuck!"', "id", "lowercase"),
        (
            "questions.toml",
            'prompt = "Since my last check-in (or in the past year, if this is my first), '
            'I have felt afraid of my partner"',
            "prompt = 3",
            "prompt",
            "text",
        ),
        ("questions.toml", 'id = "hope"\nlabel', 'id = "hope"\nlabell', "labell", "unknown field"),
        ("resources.toml", 'source = ["', 'source = ["', "", ""),
        ("resources.toml", 'source = ["https://www.911.gov"]', "source = 3", "source", "texts"),
        (
            "resources.toml",
            'source = ["https://www.911.gov"]',
            "source = []",
            "source",
            "say where",
        ),
        (
            "resources.toml",
            'source = ["https://www.911.gov"]',
            'source = [""]',
            "source",
            "say where",
        ),
        ("pack.toml", 'version = "1.2.0"', 'version = "one"', "version", "semantic version"),
        ("messages.toml", "for {label} is", "for {lable} is", "score", "{lable}"),
        ("messages.toml", "for {label} is", "for {label is", "score", "braces"),
        ("messages.toml", "[explain]", "[explain]\nextra = 1", "extra", "unknown field"),
        (
            "steps.toml",
            "signs_of_progress = [",
            "signs_of_progress = [1, ",
            "signs_of_progress",
            "list of texts",
        ),
        ("rules.toml", "priority = 45", "priority = 4.5", "priority", "whole number"),
        ("steps.toml", 'summary = "', 'summary = "' + "x" * 141, "summary", "at most 140"),
        ("resources.toml", "verified = 2026-11-27\n", "", "verified", "missing"),
        ("rules.toml", "", "", "", ""),
    ],
)
def test_fields_are_type_checked(
    broken: Breaker, file: str, old: str, new: str, field: str, message: str
) -> None:
    """Each field has a type, and a wrong one is named precisely."""
    root = broken(file, old, new)
    if not field:
        assert trustkit.load_pack(root) == trustkit.default_pack()
        return
    found = problems(root)
    assert any(p.field == field and message in p.message for p in found), found


@pytest.mark.parametrize(
    ("file", "text", "field", "message"),
    [
        ("rules.toml", "rules = 3\n", "rules", "list of tables"),
        ("rules.toml", "rules = [3]\n", "", "expected a table"),
        ("rules.toml", "[[rule]]\nid = 'x'\n", "rule", "unknown table"),
        (
            "steps.toml",
            "[[steps]]\nid = 'x'\ntitle = 't'\nsummary = 's'\nwhy = 'w'\nactions = 3\n",
            "actions",
            "list of tables",
        ),
        (
            "resources.toml",
            "[[resources]]\nid = 'x'\nname = 'n'\ntopics = ['crisis']\ncountry = 'US'\n"
            "source = 's'\nverified = 'yesterday'\n",
            "verified",
            "a date",
        ),
        (
            "resources.toml",
            "[[resources]]\nid = 'x'\nname = 'n'\ntopics = []\ncountry = 'US'\n"
            "source = ''\nverified = 2026-01-01\n",
            "topics",
            "at least one topic",
        ),
        ("messages.toml", "explain = 3\n", "", "expected a table"),
    ],
)
def test_table_shapes_are_checked(
    broken: Breaker, file: str, text: str, field: str, message: str
) -> None:
    """Top-level tables must have the documented shape."""
    root = broken()
    (root / file).write_text(text, encoding="utf-8")
    found = problems(root)
    assert any(p.field == field and message in p.message for p in found), found


def test_a_resource_needs_a_source_and_a_way_to_reach_it(broken: Breaker) -> None:
    """Helpline facts carry their source, and a resource must be reachable."""
    root = broken()
    (root / "resources.toml").write_text(
        "[[resources]]\nid = 'x'\nname = 'n'\ntopics = ['crisis', 'domestic_abuse', 'emergency']\n"
        "country = 'US'\nsource = ''\nverified = 2026-01-01\n",
        encoding="utf-8",
    )
    found = problems(root)
    assert {p.field for p in found if p.item == "x"} == {"source", "phone"}


def test_a_pack_built_in_python_is_checked_too() -> None:
    """A pack built in Python is refused before it is used, naming a pseudo-file for its items.

    Models are data: building the pack checks nothing. check_pack checks it on request, and
    the engine checks a pack nobody checked before it first uses it.
    """
    pack = trustkit.default_pack()
    rule = trustkit.Rule(
        id="typo", step="educate", when=trustkit.AnswerCompare("feels_herd", "<=", 2)
    )
    broken = attrs.evolve(pack, rules=(*pack.rules, rule))  # plain data: no error yet
    for use in (
        trustkit.check_pack,
        lambda p: trustkit.recommend_next_step({"feels_heard": 1}, pack=p),
        trustkit.lint_pack,
    ):
        with pytest.raises(PackError) as info:
            use(broken)
        (problem,) = info.value.problems
        assert (problem.file, problem.item, problem.field) == (
            "<core>/rules.toml",
            "typo",
            "when.answer",
        )
        assert problem.line is None
    # Once a pack passes, it is not checked again; a changed copy is.
    fine = attrs.evolve(pack, title="Another title")
    trustkit.check_pack(fine)
    assert trustkit.recommend_next_step({"feels_heard": 1}, pack=fine).step.id == "validation"


def test_a_content_pack_is_plain_data() -> None:
    """Creating a ContentPack checks nothing; it names itself in packs unless told otherwise."""
    core = trustkit.default_pack()
    fields = {f.name: getattr(core, f.name) for f in attrs.fields(trustkit.ContentPack) if f.init}
    del fields["packs"]
    pack = trustkit.ContentPack(**{**fields, "id": "mine", "rules": ()})  # no rules: broken
    assert pack.packs == (trustkit.PackRef("mine", core.version),)
    with pytest.raises(PackError):
        trustkit.check_pack(pack)


def test_a_pack_built_in_python_is_checked_once() -> None:
    """check_pack marks a pack as checked; an unpickled copy is checked again before use."""

    def checked(pack: trustkit.ContentPack) -> bool:
        return pack._checked

    pack = attrs.evolve(trustkit.default_pack(), title="Copy")
    assert not checked(pack)
    trustkit.check_pack(pack)
    assert checked(pack)
    copy = pickle.loads(pickle.dumps(pack))
    assert not checked(copy)
    assert trustkit.recommend_next_step({"feels_heard": 1}, pack=copy).step.id == "validation"
    assert checked(copy)


def test_non_conditions_and_bad_python_values_are_refused() -> None:
    """Values a TOML file cannot hold but Python code can are checked as well."""
    pack = trustkit.default_pack()
    step = attrs.evolve(
        pack.steps[0],
        actions=(
            attrs.evolve(pack.steps[0].actions[0], minutes=True),
            attrs.evolve(pack.steps[0].actions[1], in_crisis=True, who="both"),
        ),
    )
    rules = (
        trustkit.Rule(id="odd", step="educate", when="always", priority=True),  # type: ignore[arg-type]
        trustkit.Rule(id="deep", step="educate", when=_deep(40)),
    )
    with pytest.raises(PackError) as info:
        trustkit.check_pack(
            attrs.evolve(pack, steps=(step, *pack.steps[1:]), rules=(*pack.rules, *rules))
        )
    messages = [(p.item, p.field, p.message) for p in info.value.problems]
    first, second = (a.id for a in step.actions)
    assert (first, "minutes", "a whole number of minutes, at least 1") in messages
    assert any(m[:2] == (second, "who") for m in messages)
    assert ("odd", "when", "not a condition") in messages
    assert ("odd", "priority", "a whole number") in messages
    assert any(m[0] == "deep" and "nest" in m[2] for m in messages)


def _deep(depth: int) -> trustkit.Condition:
    cond: trustkit.Condition = trustkit.Always()
    for _ in range(depth):
        cond = trustkit.Not(cond)
    return cond


def test_pack_errors_pickle_with_their_problems() -> None:
    """Errors survive being sent between processes."""
    import pickle

    error = PackError(
        [
            PackProblem("f.toml", "x", "y", "bad", 3, code="wrong_type"),
            PackProblem("g.toml", "", "", "worse", code="missing"),
        ]
    )
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems
    assert str(copy) == str(error)
    assert str(error).startswith("2 problems in the content pack:")
    assert "f.toml:3: x: y: bad" in str(error)
    assert "g.toml: worse" in str(error)
    single = PackError([PackProblem("f.toml", "", "", "bad", code="invalid_value")])
    assert str(single).startswith("1 problem in")


def test_a_pack_without_a_catch_all_can_find_no_step() -> None:
    """NoStepError, not a wrong answer, when no rule holds."""
    pack = trustkit.default_pack()
    rules = tuple(r for r in pack.rules if r.id != "catch-all")
    bare = attrs.evolve(pack, rules=rules, translations=())
    with pytest.raises(trustkit.NoStepError) as info:
        trustkit.recommend_next_step({}, pack=bare)
    assert isinstance(info.value, LookupError)
    assert info.value.pack_id == "core"
    import pickle

    assert pickle.loads(pickle.dumps(info.value)).pack_id == "core"


@pytest.mark.parametrize(
    ("country", "message"),
    [
        ("UK", "use 'GB'"),
        ("ZZ", "not an assigned ISO 3166-1"),
        ("gb", "upper-case"),
        ("GBR", "two-letter"),
        ("intl", "or 'INTL'"),
    ],
)
def test_a_resource_country_is_an_iso_code_or_intl(
    broken: Breaker, country: str, message: str
) -> None:
    """A helpline for 'UK' would never be shown to anyone: apps pass 'GB'."""
    root = broken()
    (root / "resources.toml").write_text(
        "[[resources]]\nid = 'x'\nname = 'n'\ntopics = ['crisis', 'domestic_abuse', 'emergency']\n"
        f"country = '{country}'\nphone = '1'\nsource = 's'\nverified = 2026-01-01\n",
        encoding="utf-8",
    )
    found = [p for p in problems(root) if p.item == "x"]
    assert [p.field for p in found] == ["country"]
    assert message in found[0].message
    assert found[0].line == 2
