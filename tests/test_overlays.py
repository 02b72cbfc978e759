"""Overlay packs: additions, overrides, disabled rules, conflicts, safety, versions, cycles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import PACK_TOML, Overlay, examples
from trustkit import PackError, PackProblem
from trustkit._pack.load import bundled_root
from trustkit._pack.versions import parse_range, satisfies


def problems_of(*sources: object, ordered: bool = False) -> tuple[PackProblem, ...]:
    with pytest.raises(PackError) as info:
        trustkit.load_pack(*sources, ordered=ordered)  # type: ignore[arg-type]
    return info.value.problems


CORE = trustkit.default_pack()

NEW_STEP = """
[[steps]]
id = "rest"
title = "Rest"
summary = "Take a break."
why = "Because."
[[steps.actions]]
id = "rest-walk"
title = "Walk"
how = "Go for a walk."
minutes = 20
who = "either"

[[actions]]
step = "educate"
id = "educate-extra-reading"
title = "Read one more thing"
how = "Read it."
minutes = 15
who = "supporter"
"""

NEW_RULE = """
[[rules]]
id = "rest-tired"
step = "rest"
priority = 100
reason = "You are tired."
when = { answer = "tired", op = ">=", value = 4 }
"""

NEW_QUESTION = """
[[questions]]
id = "tired"
prompt = "I am tired"
kind = "scale"
respondents = ["partner", "supporter"]
"""


def test_an_empty_overlay_changes_nothing_but_the_provenance(overlay: Overlay) -> None:
    """Merging an overlay with no content gives the base's content."""
    pack = trustkit.load_pack(overlay())
    assert pack.packs == (CORE.ref, trustkit.PackRef("extra", "1.0.0"))
    assert (pack.id, pack.version) == ("extra", "1.0.0")
    for field in ("steps", "dimensions", "questions", "rules", "resources", "messages"):
        assert getattr(pack, field) == getattr(CORE, field), field
    rec = trustkit.recommend_next_step({"feels_heard": 1}, pack=pack)
    assert rec.packs == pack.packs
    assert rec.step == trustkit.recommend_next_step({"feels_heard": 1}).step


def test_an_overlay_adds_steps_actions_questions_and_rules(overlay: Overlay) -> None:
    """New items join the base; actions can join a base step."""
    root = overlay(steps=NEW_STEP, questions=NEW_QUESTION, rules=NEW_RULE)
    pack = trustkit.load_pack(root)
    assert pack.step("rest").actions[0].id == "rest-walk"
    assert pack.step("educate").actions[-1].id == "educate-extra-reading"
    assert pack.step("rest").origin == trustkit.models.Origin("extra/steps.toml", 3)
    rec = trustkit.recommend_next_step({"tired": 5, "feels_heard": 1}, pack=pack)
    assert (rec.step.id, rec.rule_id) == ("rest", "rest-tired")
    assert [a.step_id for a in rec.alternatives] == ["validation"]
    with pytest.raises(trustkit.AnswerError):
        trustkit.recommend_next_step({"tired": 5})


def test_overrides_change_text_priority_and_messages(overlay: Overlay) -> None:
    """overrides.toml changes fields by item id; a priority change changes the winner."""
    root = overlay(
        overrides="""
[steps.patience]
summary = "Slow and steady."
[actions.educate-ask-about-the-past]
minutes = 5
[rules.communication-not-safe]
priority = 66
reason = "Talk first."
[messages]
score = "Score {value} for {label}."
[disable]
rules = ["celebrate-progress"]
""",
        steps=NEW_STEP,
    )
    answers = {"feels_heard": 1, "safe_to_share": 1}
    assert trustkit.recommend_next_step(answers).step.id == "validation"
    pack = trustkit.load_pack(root)
    assert pack.step("patience").summary == "Slow and steady."
    assert pack.step("educate").actions[1].minutes == 5
    assert pack.messages.score == "Score {value} for {label}."
    assert "celebrate-progress" not in {r.id for r in pack.rules}
    rec = trustkit.recommend_next_step(answers, pack=pack)
    assert (rec.step.id, rec.reasons[0]) == ("communication", "Talk first.")
    # The base's Spanish texts for the disabled rule are left out, not an error.
    spanish = pack.localized("es")
    assert "celebrate-progress" not in {t[1] for t in spanish.translations[0].texts}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ("[rules.safety-abuse]\npriority = 1", "priority", "safety"),
        ("[rules.safety-self-harm]\nurgency = 'info'", "urgency", "safety"),
        ("[rules.safety-abuse]\nresources = []", "resources", "safety"),
        ("[disable]\nrules = ['safety-self-harm']", "rules", "safety cannot be switched off"),
        ("[rules.patience-pace]\nstep = 'celebrate'", "step", "disable the rule"),
        ("[rules.patience-pace]\nwhen = { always = true }", "when", "cannot be changed"),
        ("[questions.stuck]\nkind = 'yes_no'", "kind", "cannot be changed"),
        ("[rules.patience-pace]\npriority = 'high'", "priority", "a whole number"),
        ("[rules.patience-pace]\nurgency = 'urgent'", "urgency", "'info'"),
        ("[steps.patience]\npitfalls = 'one'", "pitfalls", "a list of texts"),
        ("[resources.us-988-lifeline]\nverified = 'today'", "verified", "a date"),
        ("[resources.us-988-lifeline]\nsecondary_source = 'yes'", "secondary_source", "true or"),
        ("[resources.us-988-lifeline]\naudience = 3", "audience", "a text"),
        ("[steps.nope]\ntitle = 'x'", "", "no such item"),
        ("[disable]\nrules = ['nope']", "rules", "no rule 'nope'"),
        ("[widgets.x]\ntitle = 'x'", "", "cannot change 'widgets'"),
        ("widgets = 3", "", "expected tables"),
    ],
)
def test_overrides_that_are_not_allowed_are_pack_errors(
    overlay: Overlay, overrides: str, field: str, message: str
) -> None:
    """Safety rules cannot be weakened; structure cannot be changed; types are checked."""
    found = problems_of(overlay(overrides=overrides))
    assert any(p.field == field and message in p.message for p in found), found
    assert all(p.file == "extra/overrides.toml" for p in found)


def test_an_overlay_may_add_safety_rules_and_change_a_safety_reason(overlay: Overlay) -> None:
    """Adding to the safety screen is fine; so is rewording a safety rule's reason."""
    root = overlay(
        questions="""
[[questions]]
id = "unsafe_at_home"
prompt = "I do not feel safe at home"
kind = "yes_no"
respondents = ["partner", "supporter"]
safety = true
""",
        rules="""
[[rules]]
id = "safety-home"
step = "professional_help"
priority = 980
urgency = "critical"
safety = true
plan = "abuse"
resources = ["domestic_abuse"]
reason = "Your safety at home comes first."
when = { answer = "unsafe_at_home", op = "=", value = true }
""",
        overrides="[rules.safety-abuse]\nreason = 'Please reach out.'\n",
    )
    pack = trustkit.load_pack(root)
    rec = trustkit.recommend_next_step({"unsafe_at_home": True, "hopeful": 5}, pack=pack)
    assert (rec.rule_id, rec.safety) == ("safety-home", True)
    rec = trustkit.recommend_next_step({"controlled": True}, pack=pack)
    assert rec.reasons[0] == "Please reach out."


def test_an_overlay_cannot_reuse_a_base_id(overlay: Overlay) -> None:
    """Adding an item with a base id is an error that points to overrides.toml."""
    found = problems_of(overlay(rules=NEW_RULE.replace('"rest-tired"', '"catch-all"')))
    assert any(p.item == "catch-all" and "overrides.toml" in p.message for p in found)


def test_actions_for_an_unknown_step_and_stray_files(overlay: Overlay) -> None:
    """[[actions]] must name a step; an overlay has no messages.toml."""
    root = overlay(
        steps=NEW_STEP.replace('step = "educate"', 'step = "nowhere"'),
        messages="[explain]\n",
    )
    found = problems_of(root)
    assert any(p.field == "step" and "'nowhere'" in p.message for p in found)
    assert any(p.file == "extra/messages.toml" and "overrides" in p.message for p in found)


def test_a_base_pack_cannot_have_overrides(tmp_path: Path) -> None:
    """overrides.toml belongs to overlays."""
    source = bundled_root("core")
    assert isinstance(source, Path)
    shutil.copytree(source, tmp_path / "base")
    (tmp_path / "base" / "overrides.toml").write_text("[steps.patience]\ntitle = 'x'\n")
    found = problems_of(tmp_path / "base")
    assert [p.message for p in found] == [
        "only an overlay (a pack that extends another) can have overrides.toml"
    ]


@pytest.mark.parametrize(
    ("pack_toml", "field", "message"),
    [
        (PACK_TOML.format(id="extra", extends="core >=2"), "extends", "needs core >=2"),
        (PACK_TOML.format(id="extra", extends="core ~1"), "extends", "version range"),
        (
            PACK_TOML.format(id="extra", extends="core >=1") + 'trustkit = ">=99"\n',
            "trustkit",
            "99",
        ),
        (
            PACK_TOML.format(id="extra", extends="core >=1") + 'trustkit = "new"\n',
            "trustkit",
            "range",
        ),
    ],
)
def test_version_ranges_are_checked(
    overlay: Overlay, pack_toml: str, field: str, message: str
) -> None:
    """The base's version and trustkit's version must satisfy the pack's ranges."""
    found = problems_of(overlay(pack=pack_toml))
    assert any(p.field == field and message in p.message for p in found), found


def test_an_unknown_base_is_named(overlay: Overlay) -> None:
    """Extending a pack that is neither bundled nor installed is a clear error."""
    (problem,) = problems_of(overlay(extends="nothing-here >=1"))
    assert problem.file == "nothing-here"
    assert "no such pack" in problem.message


def test_a_cycle_of_overlays_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """a extends b extends a: a PackError naming the cycle, not a hang."""
    for me, other in (("a", "b"), ("b", "a")):
        (tmp_path / me).mkdir()
        (tmp_path / me / "pack.toml").write_text(PACK_TOML.format(id=me, extends=f"{other} >=1"))
    monkeypatch.chdir(tmp_path)  # so that "a" and "b" resolve as folders
    (problem,) = problems_of(tmp_path / "a")
    assert problem.field == "extends"
    assert "a -> b -> a" in problem.message


def test_a_long_chain_of_overlays_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More than eight packs extending one another is an error, not a deep recursion."""
    names = [f"p{i}" for i in range(12)]
    for me, other in zip(names, [*names[1:], "core"], strict=True):
        (tmp_path / me).mkdir()
        (tmp_path / me / "pack.toml").write_text(PACK_TOML.format(id=me, extends=f"{other} >=1"))
    monkeypatch.chdir(tmp_path)
    (problem,) = problems_of(tmp_path / "p0")
    assert "more than 8" in problem.message


def test_a_chain_of_two_overlays_builds_on_each_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """b extends a extends core: b may change what a changed, without a conflict."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "pack.toml").write_text(PACK_TOML.format(id="a", extends="core >=1"))
    (tmp_path / "a" / "overrides.toml").write_text("[steps.patience]\ntitle = 'A'\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "pack.toml").write_text(PACK_TOML.format(id="b", extends="a >=1"))
    (tmp_path / "b" / "overrides.toml").write_text("[steps.patience]\ntitle = 'B'\n")
    monkeypatch.chdir(tmp_path)
    pack = trustkit.load_pack(tmp_path / "b")
    assert [ref.id for ref in pack.packs] == ["core", "a", "b"]
    assert pack.step("patience").title == "B"


def test_two_overlays_changing_one_field_conflict_unless_ordered(overlay: Overlay) -> None:
    """A conflict names both packs; ordered=True lets the later one win."""
    first = overlay("first", overrides="[steps.patience]\ntitle = 'First'\n")
    second = overlay("second", overrides="[steps.patience]\ntitle = 'Second'\n")
    (problem,) = problems_of("core", first, second)
    assert (problem.item, problem.field) == ("steps.patience", "title")
    assert "first" in problem.message
    assert "second" in problem.message
    pack = trustkit.load_pack("core", first, second, ordered=True)
    assert pack.step("patience").title == "Second"
    assert [ref.id for ref in pack.packs] == ["core", "first", "second"]


def test_an_overlay_must_extend_what_is_loaded(overlay: Overlay, tmp_path: Path) -> None:
    """Overlays given after the source must extend a pack already loaded."""
    stray = overlay("stray", extends="elsewhere >=1")
    (problem,) = problems_of("core", stray)
    assert "not loaded" in problem.message
    source = bundled_root("core")
    assert isinstance(source, Path)
    (problem,) = problems_of("core", source)
    assert "extends nothing" in problem.message


OVERRIDE_FIELDS = st.sampled_from(
    [
        ("steps", "patience", "title"),
        ("steps", "educate", "summary"),
        ("rules", "patience-pace", "reason"),
        ("questions", "stuck", "prompt"),
        ("dimensions", "hope", "label"),
        ("actions", "validation-name-the-feeling", "title"),
    ]
)


@pytest.mark.slow
@settings(max_examples=examples(25))
@given(st.lists(OVERRIDE_FIELDS, min_size=2, max_size=6, unique=True), st.data())
def test_overlays_on_disjoint_items_commute(
    fields: list[tuple[str, str, str]], data: st.DataObject
) -> None:
    """The order of overlays that touch different fields does not matter."""
    import tempfile

    cut = data.draw(st.integers(1, len(fields) - 1))
    with tempfile.TemporaryDirectory() as tmp:
        roots = []
        for name, chunk in (("left", fields[:cut]), ("right", fields[cut:])):
            root = Path(tmp) / name
            root.mkdir()
            (root / "pack.toml").write_text(PACK_TOML.format(id=name, extends="core >=1"))
            lines = [
                f"[{kind}.{item}]\n{field} = 'changed by {name}'\n" for kind, item, field in chunk
            ]
            (root / "overrides.toml").write_text("\n".join(lines))
            roots.append(root)
        one = trustkit.load_pack("core", *roots)
        other = trustkit.load_pack("core", *reversed(roots))
    for field in ("steps", "questions", "rules", "dimensions", "resources", "messages"):
        assert getattr(one, field) == getattr(other, field)


def test_safety_survives_every_overlay_the_format_allows(overlay: Overlay) -> None:
    """With priorities raised everywhere, a yes on the safety screen still wins."""
    lines = [f"[rules.{r.id}]\npriority = 5000\n" for r in CORE.rules if not r.safety]
    pack = trustkit.load_pack(overlay(overrides="\n".join(lines)))
    for question in (q for q in CORE.questions if q.safety):
        role = "partner" if "partner" in question.respondents else "supporter"
        rec = trustkit.recommend_next_step(
            {question.id: True, "distress": 5}, respondent=role, pack=pack
        )
        step = "support_in_crisis" if question.id == "partner_self_harm" else "professional_help"
        assert (rec.step.id, rec.safety) == (step, True)


@pytest.mark.parametrize(
    ("version", "spec", "ok"),
    [
        ("1.0.0", ">=1,<2", True),
        ("2.0.0", ">=1,<2", False),
        ("1.2", "==1.2.0", True),
        ("1.2.1", "!=1.2.1", False),
        ("1.2.1", ">1.2", True),
        ("1.2.1", "<=1.2", False),
        ("1.0.0", "", True),
        ("one", ">=1", False),
        ("1.0.0", ">=x", False),
        # pre-releases: a release candidate is in every range its release is in ...
        ("0.2.0rc1", ">=0.1", True),
        ("0.1.0", ">=0.1", True),
        ("0.9.0rc1", ">=0.1,<1", True),
        ("1.0.0-rc1", ">=1", False),  # ... and comes before its release (PEP 440)
        ("1.0.0.dev3", "<1", False),  # a bound excludes the releases of what it excludes
        ("2.0.0rc1", "<2", False),
        ("2.0.0rc1", ">=2.0.0rc1", True),
        ("1.0.0.post1", ">1.0.0", False),
        ("1.0.0.post1", ">=1.0.0", True),
        ("1.0.1", ">1.0.0", True),
        # compatible releases and wildcards
        ("1.4.2", "~=1.2", True),
        ("2.0.0", "~=1.2", False),
        ("1.2.9", "~=1.2.3", True),
        ("1.3.0", "~=1.2.3", False),
        ("1.9.0", "==1.*", True),
        ("1.9.0b2", "==1.*", True),
        ("2.0.0", "==1.*", False),
        ("1.5.0", "!=1.5.*", False),
        ("1.0.0+local.1", "==1.0.0", True),
    ],
)
def test_version_ranges(version: str, spec: str, ok: bool) -> None:
    """Version ranges are PEP 440 (packaging), with pre-, post- and dev releases admitted."""
    assert satisfies(version, spec) is ok


@pytest.mark.parametrize(
    "spec",
    [
        "=>1",
        "~1",
        "~=1",  # a compatible release needs two parts
        "1.0",
        ">=1,",
        ",>=1",
        ">=1,,<2",
        ">=v1",
        "===1.0",
        ">=1.0.0-x.7",
        ">=\u0661",  # Arabic-Indic digit one: versions are ASCII only
        ">=1" + "0" * 5000,
        ">=" + "1." * 150 + "1",
        "",
    ],
)
def test_malformed_ranges_are_refused(spec: str) -> None:
    """What packaging refuses, empty parts, arbitrary equality, non-ASCII and huge numbers."""
    assert parse_range(spec) is None
    assert satisfies("1.0.0", spec) is (spec == "")


def test_packs_load_by_path_traversable_or_id_alike() -> None:
    """The bundled pack by id, by path and by Traversable is the same pack."""
    source = bundled_root("core")
    assert trustkit.load_pack(source) == CORE
    assert isinstance(source, Path)
    assert trustkit.load_pack(str(source)) == CORE
    info = trustkit.available_packs()[0]
    assert (info.id, info.version, info.source, info.extends) == (
        "core",
        CORE.version,
        "bundled",
        "",
    )


def test_installed_pack_folders_are_found_without_importing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Entry points name a dotted folder; bad or missing ones are clear errors."""
    from trustkit._pack import sources

    assert sources._folder("not a dotted name!") is None
    assert sources._folder("trustkit.packs.core") == bundled_root("core")
    assert sources._folder("trustkit.packs.nowhere") is None
    assert sources._folder("no_such_top_level_package_xyz") is None
    monkeypatch.setattr(sources, "installed", lambda: {"ghost": ("ghost = gone.data", None)})
    with pytest.raises(PackError, match="names no folder"):
        trustkit.available_packs()
    with pytest.raises(PackError, match="names no folder"):
        trustkit.load_pack("ghost")


def test_a_fact_about_an_unknown_dimension_or_step_is_named(overlay: Overlay) -> None:
    """Fact names are checked against the pack's steps and dimensions."""
    rules = """
[[rules]]
id = "odd-facts"
step = "educate"
priority = 5
reason = "Odd."
when.any = [
  { fact = "improved.hoep", op = "=", value = true },
  { fact = "repeats.nap", op = ">=", value = 2 },
  { fact = "sunshine", op = ">=", value = 2 },
  { fact = "checkins.extra", op = ">=", value = 2 },
  { fact = "improved.hope", op = ">=", value = 2 },
  { fact = "checkins", op = "=", value = true },
]
"""
    found = problems_of(overlay(rules=rules))
    messages = [p.message for p in found]
    assert any("unknown dimension 'hoep'" in m for m in messages)
    assert any("unknown step 'nap'" in m for m in messages)
    assert any("unknown fact 'sunshine'" in m for m in messages)
    assert any("unknown fact 'checkins.extra'" in m for m in messages)
    assert any("true or false: use '=' or '!='" in m for m in messages)
    assert any("compare with one" in m for m in messages)
    assert any("checkins is a number: compare it with a number" in m for m in messages)


def test_an_installed_pack_is_found_without_running_its_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding an entry point's folder never imports the distribution's package."""
    from trustkit._pack import sources

    package = tmp_path / "booby_trapped_pack"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('pack code was executed')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert sources._folder("booby_trapped_pack.data") == package / "data"


def test_an_overlay_may_change_a_resources_audience_and_sourcing(overlay: Overlay) -> None:
    """audience and secondary_source are overridable, like the other facts of a resource."""
    root = overlay(
        overrides="[resources.us-988-lifeline]\naudience = 'Anyone'\nsecondary_source = true\n"
    )
    res = {r.id: r for r in trustkit.load_pack(root).resources}["us-988-lifeline"]
    assert (res.audience, res.secondary_source) == ("Anyone", True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"https://example.org/a"', ("https://example.org/a",)),
        (
            '["https://example.org/a", "https://example.org/b"]',
            ("https://example.org/a", "https://example.org/b"),
        ),
    ],
)
def test_an_overlay_may_give_sources_as_a_list_or_one_text(
    overlay: Overlay, value: str, expected: tuple[str, ...]
) -> None:
    """An overlay's source, like a resource's own, is a list of texts or a single one."""
    root = overlay(overrides=f"[resources.us-emergency]\nsource = {value}\n")
    res = {r.id: r for r in trustkit.load_pack(root).resources}["us-emergency"]
    assert res.source == expected
    (problem,) = problems_of(overlay("bad", overrides="[resources.us-emergency]\nsource = 3\n"))
    assert problem.message == "expected a list of texts, or one text"


def test_extends_without_a_range_is_an_error_with_a_hint(overlay: Overlay) -> None:
    """'extends = "core"' used to accept any core silently; now it says what to write."""
    pack_toml = 'id = "extra"\nversion = "1.0.0"\n\ntitle = "T"\nextends = "core"\n'
    (problem,) = problems_of(overlay(pack=pack_toml))
    assert (problem.file, problem.field, problem.line) == ("extra/pack.toml", "extends", 5)
    assert "'core >=1,<2'" in problem.message
    assert "'core >=0'" in problem.message


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("extends", "core >=1" + "0" * 5000),
        ("extends", "core >=1.0," + "<2" * 200),
        ("extends", "core ~=1"),
        ("extends", "core >=v1"),
        ("extends", "Core >=1"),
        ("trustkit", ">=0." + "1" * 4301),
        ("trustkit", "~0.1"),
        ("trustkit", ">=0.1,"),
        ("version", "1" * 4400 + ".0.0"),
        ("version", "1.0"),
        ("version", "1.0.0-x.7"),
        ("version", "v1.0.0"),
        ("version", "1!1.0.0"),
        ("version", "\uff11.0.0"),  # full-width digit one
    ],
)
def test_malformed_versions_and_ranges_name_the_file_and_line(
    overlay: Overlay, key: str, text: str
) -> None:
    """However long or odd, a bad version or range is a PackError with file and line."""
    fields = {"id": "extra", "version": "1.0.0", "title": "T", "extends": "core >=1", key: text}
    pack_toml = "".join(f'{k} = "{v}"\n' for k, v in fields.items())
    line = list(fields).index(key) + 1
    found = problems_of(overlay(pack=pack_toml))
    assert any((p.file, p.field, p.line) == ("extra/pack.toml", key, line) for p in found), found
    assert all(len(str(p)) < 500 for p in found)  # the value is never repeated


@pytest.mark.parametrize("extends", ["core ~=1.0", "core ==1.*", "core >=1.0.0rc1,<2", "core >=0"])
def test_every_kind_of_range_loads(overlay: Overlay, extends: str) -> None:
    """Compatible releases, wildcards and pre-release bounds all load on core 1.2.0."""
    assert [str(ref) for ref in trustkit.load_pack(overlay(extends=extends)).packs] == [
        "core 1.2.0",
        "extra 1.0.0",
    ]


def test_a_release_candidate_of_trustkit_accepts_the_example_pack(
    overlay: Overlay, monkeypatch: pytest.MonkeyPatch
) -> None:
    """trustkit 0.2.0rc1 is in '>=0.1' (it once refused every pack that asked for it)."""
    from trustkit._pack import overlay as merging

    monkeypatch.setattr(merging, "__version__", "0.2.0rc1")
    pack_toml = PACK_TOML.format(id="extra", extends="core >=1,<2") + 'trustkit = ">=0.1"\n'
    folder = overlay(pack=pack_toml)
    assert trustkit.load_pack(folder).packs[-1].id == "extra"
    monkeypatch.setattr(merging, "__version__", "0.1.0rc1")
    (problem,) = problems_of(folder)
    assert (problem.field, problem.line) == ("trustkit", 5)
    assert "0.1.0rc1" in problem.message


@pytest.mark.parametrize(
    "version", ["1.0.0", "1.1.0rc1", "2.0.0.post1", "1.0.0-rc.1", "1.0.0+local"]
)
def test_pack_versions_may_be_pre_and_post_releases(overlay: Overlay, version: str) -> None:
    """A pack's version is three numbers, as PEP 440 reads them."""
    pack_toml = f'id = "extra"\nversion = "{version}"\ntitle = "T"\nextends = "core >=1"\n'
    assert trustkit.load_pack(overlay(pack=pack_toml)).packs[-1].version == version
