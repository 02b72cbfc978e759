"""Text written for the person who answered: each role reads its own version of a text.

Run ``PYTHONPATH=src python -m tests.test_reader_text`` to rewrite the review
table in docs/reader-text.md after changing the core pack's texts.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustkit
from tests.conftest import Overlay, examples
from tests.strategies import role_and_answers
from trustkit import Action, ContentPack, Role, Who
from trustkit._cli import main
from trustkit._engine.compile import RULE_TEXTS, STEP_TEXTS, compiled
from trustkit._engine.emergency import fill
from trustkit._engine.lint import readers, role_text_warnings
from trustkit._roles import for_role, role_field

CORE = trustkit.default_pack()
DOCS = Path(__file__).parent.parent / "docs" / "reader-text.md"
START, END = "<!-- reader-text:start -->", "<!-- reader-text:end -->"
UTC = dt.UTC


def _marked(pack: ContentPack) -> ContentPack:
    """The pack with every per-role text written out, each saying whose it is."""

    def mark(item: Any, names: tuple[str, ...]) -> Any:
        changes = {
            role_field(name, role): f"[{role.value}] {getattr(item, name)}"[
                : 140 if name == "summary" else None
            ]
            for name in names
            for role in Role
        }
        return attrs.evolve(item, **changes)

    return attrs.evolve(
        pack,
        steps=tuple(mark(s, STEP_TEXTS) for s in pack.steps),
        rules=tuple(mark(r, RULE_TEXTS) for r in pack.rules),
    )


MARKED = _marked(CORE)


# ------------------------------------------------------------------ every path, both roles


@settings(max_examples=examples(150))
@given(role_and_answers(), st.booleans())
def test_a_recommendation_reads_right_for_whoever_answered(
    drawn: tuple[Role, dict[str, Any]], spanish: bool
) -> None:
    """Step title and summary, alternatives and the deciding reason are the reader's version."""
    role, answers = drawn
    pack = MARKED.localized("es") if spanish else MARKED
    rec = trustkit.recommend_next_step(answers, respondent=role, pack=pack)
    step = pack.step(rec.step.id)
    assert rec.respondent is role
    assert rec.step.title == for_role(step, "title", role)
    assert rec.step.summary == for_role(step, "summary", role)
    if not spanish:  # Spanish translates some versions: the marks are the English texts'
        assert rec.step.title.startswith(f"[{role.value}] ")
    assert all(not getattr(rec.step, role_field(n, r)) for n in STEP_TEXTS for r in Role)
    for alternative in rec.alternatives:
        assert alternative.title == for_role(pack.step(alternative.step_id), "title", role)
    rule = next(r for r in pack.rules if r.id == rec.rule_id)
    if not rec.safety:
        assert rec.reasons[0] == for_role(rule, "reason", role)


@pytest.mark.parametrize("role", list(Role))
def test_every_safety_reason_is_the_readers_version(role: Role) -> None:
    """Each safety rule's reason, for each role it can reach, is that role's version."""
    reach = readers(MARKED)
    for rule in (r for r in MARKED.rules if r.safety):
        if role not in reach[("rules", rule.id)]:
            continue
        question = rule.when.question if hasattr(rule.when, "question") else None
        question = question or next(q for q in _yes_questions(rule) if q in _asked(role))
        rec = trustkit.recommend_next_step({question: True}, respondent=role, pack=MARKED)
        own = fill(for_role(rule, "reason", role), MARKED.messages.emergency_elsewhere)
        tail = own.partition(". ")[2]
        assert any(reason in (own, tail) for reason in rec.reasons), rule.id
        assert not any(
            f"[{other.value}]" in " ".join(rec.reasons) for other in Role if other != role
        )


def _asked(role: Role) -> set[str]:
    return {q.id for q in MARKED.questions_for(role)}


def _yes_questions(rule: trustkit.Rule) -> list[str]:
    return [c.question for c in getattr(rule.when, "conditions", ())]


@pytest.mark.parametrize("role", list(Role))
def test_later_check_ins_in_a_safety_period_read_right_for_each_partner(role: Role) -> None:
    """The discloser's follow-up and the other partner's step are both in their own words."""
    other = Role.SUPPORTER if role is Role.PARTNER else Role.PARTNER
    then = dt.datetime(2026, 1, 5, tzinfo=UTC)
    first = trustkit.CheckIn(role, {"afraid_of_partner": True}, then)
    state = trustkit.advance(trustkit.CoupleState(), first, pack=MARKED)
    later = then + dt.timedelta(days=7)
    own = trustkit.recommend_next_step(trustkit.CheckIn(role, {}, later), state=state, pack=MARKED)
    assert own.safety
    assert own.step.title.startswith(f"[{role.value}] ")
    theirs = trustkit.recommend_next_step(
        trustkit.CheckIn(other, {"hopeful": 2}, later), state=state, pack=MARKED
    )
    assert not theirs.safety
    assert theirs.step.title.startswith(f"[{other.value}] ")
    # Nothing of the disclosure reaches the other partner: no safety rule's text, in any version.
    said = " ".join((*theirs.reasons, theirs.step.title, theirs.step.summary))
    for rule in (r for r in MARKED.rules if r.safety):
        for name in (n for n in ("reason", "reason_partner", "reason_supporter")):
            assert fill(getattr(rule, name), "").partition(". ")[2] not in said


def test_batches_give_each_reader_their_own_text() -> None:
    """recommend_many gives the same texts as one call at a time, for both roles."""
    checkins = [
        {"promises_kept": 2},
        {"feels_heard": 1},
        {"feels_rushed": 5},
        {"understand_roots": 1},
    ]
    for role in Role:
        usable = [{k: v for k, v in c.items() if k in _asked(role)} for c in checkins]
        many = list(trustkit.recommend_many(usable, respondent=role, pack=MARKED))
        one = [trustkit.recommend_next_step(c, respondent=role, pack=MARKED) for c in usable]
        assert many == one
        assert all(r.step.title.startswith(f"[{role.value}] ") for r in many)


def test_a_step_without_versions_is_the_packs_own_object() -> None:
    """Where nothing differs for the reader the step is passed on as it is (no copy)."""
    rec = trustkit.recommend_next_step({"boundaries_clear": 1}, respondent="supporter")
    assert rec.step is compiled(CORE).steps["boundaries"]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    "answers", [{"feels_heard": 1}, {"promises_kept": 1}, {"self_harm_thoughts": True}]
)
def test_the_readers_step_survives_a_compact_pickle(role: Role, answers: dict[str, Any]) -> None:
    """A recommendation of the bundled pack pickles by ids and comes back in the same words."""
    usable = {k: v for k, v in answers.items() if k in {q.id for q in CORE.questions_for(role)}}
    rec = trustkit.recommend_next_step(usable, respondent=role, country="GB")
    data = pickle.dumps(rec)
    assert len(data) < 4000  # by ids, not field by field
    back = pickle.loads(data)
    assert back == rec
    assert back.step.summary == rec.step.summary


# ------------------------------------------------------------------------ the core pack


def test_the_partner_is_never_told_to_take_their_own_feelings_seriously() -> None:
    """The cases the issue names: dismissed feelings, promises not kept, in both languages."""
    for locale in ("en", "es"):
        heard = trustkit.recommend_next_step({"feelings_dismissed": 5}, locale=locale)
        promised = trustkit.recommend_next_step({"promises_kept": 2}, locale=locale)
        said = " ".join((heard.step.title, heard.step.summary, promised.step.title))
        for wrong in (
            "Take their feelings seriously",
            "Show your partner that their feelings",
            "Do what you say you\u2019ll do",
            "Tómate en serio lo que siente tu pareja",
            "Muéstrale a tu pareja",
            "Haz lo que dices que vas a hacer",
        ):
            assert wrong not in said
    supporter = trustkit.recommend_next_step({"promises_kept": 2}, respondent="supporter")
    assert supporter.step.title == "Do what you say you\u2019ll do"


def test_every_version_for_a_role_is_for_a_role_that_can_get_it() -> None:
    """The core pack writes a role's own text only where that role can get the item."""
    reach = readers(CORE)
    tables: dict[str, dict[str, Any]] = {
        "steps": {s.id: s for s in CORE.steps},
        "rules": {r.id: r for r in CORE.rules},
    }
    for (kind, item_id), roles in reach.items():
        item = tables[kind][item_id]
        for name in STEP_TEXTS if kind == "steps" else RULE_TEXTS:
            for role in Role:
                if getattr(item, role_field(name, role)):
                    assert role in roles, (kind, item_id, name, role)
    assert reach[("steps", "support_in_crisis")] == {Role.SUPPORTER}
    assert reach[("rules", "validation-not-heard")] == {Role.PARTNER}
    assert reach[("steps", "validation")] == set(Role)


# ---------------------------------------------------------------------------- action labels


@pytest.mark.parametrize(
    ("who", "reader", "label"),
    [
        (Who.SUPPORTER, Role.SUPPORTER, "you"),
        (Who.SUPPORTER, Role.PARTNER, "your partner"),
        (Who.PARTNER, Role.PARTNER, "you"),
        (Who.PARTNER, "supporter", "your partner"),
        (Who.BOTH, Role.PARTNER, "together"),
        (Who.EITHER, "supporter", "you"),
    ],
)
def test_action_label_says_who_from_the_readers_side(
    who: Who, reader: Role | str, label: str
) -> None:
    """trustkit.action_label, in English by default and in the pack's language when given."""
    action = Action("a", "Title", "How.", 5, who)
    assert trustkit.action_label(action, reader) == label
    spanish = CORE.localized("es").messages
    name = {"you": "who_you", "your partner": "who_partner", "together": "who_together"}[label]
    assert trustkit.action_label(action, reader, spanish) == getattr(spanish, name)


@pytest.mark.parametrize(
    ("action", "reader", "field"),
    [
        ("not an action", Role.PARTNER, "action"),
        (Action("a", "T", "H.", 5, Who.BOTH), "both", "reader"),
        (Action("a", "T", "H.", 5, Who.BOTH), 3, "reader"),
    ],
)
def test_action_label_refuses_what_is_not_an_action_or_a_reader(
    action: object, reader: object, field: str
) -> None:
    """Bad input is a typed error naming the argument."""
    with pytest.raises(trustkit.AnswerError) as caught:
        trustkit.action_label(action, reader)  # type: ignore[arg-type]
    assert caught.value.problems[0].field == field


def test_action_label_is_public() -> None:
    """Exported from trustkit, documented as trustkit's, new in 0.2.0."""
    assert "action_label" in trustkit.__all__
    assert trustkit.action_label.__module__ == "trustkit"
    assert "Added in version 0.2.0" in (trustkit.action_label.__doc__ or "")


def test_the_command_says_who_with_the_public_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """`trustkit recommend` labels each action with trustkit.action_label, nothing of its own."""
    import trustkit._cli as cli

    calls: list[tuple[str, Role]] = []

    def label(action: Action, reader: Role, messages: object = None) -> str:
        calls.append((action.id, reader))
        return "WHO-LABEL"

    monkeypatch.setattr(trustkit, "action_label", label)
    out = io.StringIO()
    code = main(
        ["recommend", "-", "--respondent", "supporter"],
        stdin=io.StringIO('{"safe_to_share": 1}'),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert code == 0
    assert out.getvalue().count("WHO-LABEL") == len(calls) > 0
    assert {reader for _, reader in calls} == {Role.SUPPORTER}
    assert not hasattr(cli, "_who")


# ------------------------------------------------------------------------ overlay warnings


def test_an_overlay_that_changes_one_readers_text_is_warned_about(overlay: Overlay) -> None:
    """Changing validation's summary leaves the partner's version as it was: a warning."""
    path = overlay(overrides='[steps.validation]\nsummary = "Hear them out first."\n')
    pack = trustkit.load_pack(path)
    warnings = [w for w in trustkit.lint_pack(pack) if w.code == "missing-role-text"]
    assert [(w.item, w.respondent) for w in warnings] == [("steps.validation", Role.PARTNER)]
    assert warnings[0].file is not None
    assert warnings[0].file.endswith("overrides.toml")
    assert "summary_partner" in warnings[0].message
    out = io.StringIO()
    main(["pack", "check", str(path)], stdout=out, stderr=io.StringIO())
    assert "missing-role-text: steps.validation" in out.getvalue()


@pytest.mark.parametrize(
    "overrides",
    [
        # Both readers' versions changed.
        '[steps.validation]\nsummary = "Hear them out."\nsummary_partner = "Ask to be heard."\n',
        # Only the supporter can get this step.
        '[steps.support_in_crisis]\nsummary = "Stay close and call a crisis line."\n',
        # Only the partner can get this rule, and it has no version for either role.
        '[rules.validation-not-heard]\nreason = "You do not feel heard yet."\n',
        # Not a text with versions.
        '[steps.validation]\nwhy = "Because."\n',
    ],
)
def test_an_overlay_that_covers_every_reader_is_not_warned_about(
    overlay: Overlay, overrides: str
) -> None:
    pack = trustkit.load_pack(overlay(overrides=overrides))
    assert role_text_warnings(pack) == ()


def test_an_overlay_changing_only_the_partners_reason_warns_for_the_supporter(
    overlay: Overlay,
) -> None:
    path = overlay(overrides='[rules.consistency-promises]\nreason_partner = "Kept promises."\n')
    warnings = role_text_warnings(trustkit.load_pack(path))
    assert [(w.item, w.respondent) for w in warnings] == [
        ("rules.consistency-promises", Role.SUPPORTER)
    ]


def test_a_pack_without_overlays_gets_no_role_text_warnings() -> None:
    assert role_text_warnings(CORE) == ()
    assert role_text_warnings(pickle.loads(pickle.dumps(trustkit.load_pack("core")))) == ()


# ------------------------------------------------------------------------------ review table


def review_table() -> str:
    """The docs' review table: every step and rule, both readers, English and Spanish."""
    spanish = CORE.localized("es")
    reach = readers(CORE)
    es_steps = {s.id: s for s in spanish.steps}
    es_rules = {r.id: r for r in spanish.rules}

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = [
        "### Steps",
        "",
        "| step | reader | gets it | English | Spanish |",
        "| --- | --- | --- | --- | --- |",
    ]
    for step in CORE.steps:
        for role in Role:
            gets = "yes" if role in reach[("steps", step.id)] else "no"
            en = f"**{for_role(step, 'title', role)}**: {for_role(step, 'summary', role)}"
            es_step = es_steps[step.id]
            es = f"**{for_role(es_step, 'title', role)}**: {for_role(es_step, 'summary', role)}"
            rows.append(f"| `{step.id}` | {role} | {gets} | {cell(en)} | {cell(es)} |")
    rows += [
        "",
        "### Reasons",
        "",
        "| rule | reader | gets it | English | Spanish |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in CORE.rules:
        for role in Role:
            gets = "yes" if role in reach[("rules", rule.id)] else "no"
            en = for_role(rule, "reason", role)
            es = for_role(es_rules[rule.id], "reason", role)
            rows.append(f"| `{rule.id}` | {role} | {gets} | {cell(en)} | {cell(es)} |")
    return "\n".join(rows)


def with_table(text: str) -> str:
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    note = (
        "<!-- Generated from the core pack by tests/test_reader_text.py: run "
        "`PYTHONPATH=src python -m tests.test_reader_text` after changing its texts. -->"
    )
    return f"{before}{START}\n{note}\n\n{review_table()}\n\n{END}{after}"


def test_the_review_table_in_the_docs_is_the_packs() -> None:
    """docs/reader-text.md shows every step and rule for both readers, as the pack has them."""
    text = DOCS.read_text(encoding="utf-8")
    assert START in text
    assert END in text
    assert text == with_table(text), "run: PYTHONPATH=src python -m tests.test_reader_text"
    for step in CORE.steps:
        for role in Role:
            assert f"| `{step.id}` | {role} |" in text


if __name__ == "__main__":  # pragma: no cover - the writer of the docs table
    DOCS.write_text(with_table(DOCS.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {DOCS}")


# ------------------------------------------------------------------ the same checks, per role


def _with_step(step_id: str, **changes: Any) -> ContentPack:
    steps = tuple(attrs.evolve(s, **changes) if s.id == step_id else s for s in CORE.steps)
    return attrs.evolve(CORE, steps=steps)


def _with_rule(rule_id: str, **changes: Any) -> ContentPack:
    rules = tuple(attrs.evolve(r, **changes) if r.id == rule_id else r for r in CORE.rules)
    return attrs.evolve(CORE, rules=rules)


@pytest.mark.parametrize(
    ("pack", "field", "code"),
    [
        (_with_step("validation", summary_partner="x" * 141), "summary_partner", "too_large"),
        (
            _with_rule("safety-abuse", reason_supporter="Keep this between the two of you."),
            "reason_supporter",
            "unsafe",
        ),
        (
            _with_step("professional_help", title_partner="Talk it over with your partner"),
            "title_partner",
            "unsafe",
        ),
        (
            _with_step("professional_help", summary_supporter="Don't tell anyone."),
            "summary_supporter",
            "unsafe",
        ),
    ],
)
def test_a_readers_version_is_checked_like_the_text_itself(
    pack: ContentPack, field: str, code: str
) -> None:
    """Length, secrecy and partner-facing words: each role's version is held to the same rules."""
    with pytest.raises(trustkit.PackError) as caught:
        trustkit.check_pack(pack)
    assert (field, code) in {(p.field, p.code.value) for p in caught.value.problems}


def test_who_can_get_a_score_rule_is_who_answers_its_dimension() -> None:
    """A score reads the questions of its dimension: only their respondents can get the rule."""
    dimension = next(q.dimension for q in CORE.questions if q.id == "feels_heard")
    assert dimension is not None
    rule = trustkit.Rule(
        "score-rule",
        "validation",
        trustkit.ScoreCompare(dimension, trustkit.Op.LE, 2),
        priority=1,
        reason="r",
    )
    reach = readers(attrs.evolve(CORE, rules=(*CORE.rules, rule)))
    expected = {
        role for role in Role if any(q.dimension == dimension for q in CORE.questions_for(role))
    }
    assert reach[("rules", "score-rule")] == expected


def test_the_readers_steps_are_kept_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache of reader's steps is emptied when full, and still gives the right step."""
    import trustkit._engine.compile as compile_module

    monkeypatch.setattr(compile_module, "_MAX_READER_STEPS", 1)
    reader = compile_module.ForReader(CORE, Role.PARTNER)
    first, second = CORE.step("validation"), CORE.step("consistency")
    assert reader.step(first).title == first.title_partner
    assert reader.step(second).title == second.title_partner
    assert reader.step(first).title == first.title_partner
