"""The models: immutable, picklable, private where they hold answers."""

from __future__ import annotations

import datetime as dt
import pickle

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from trustkit import AnswerError, CheckIn, Role, Urgency

AT = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)


def test_a_checkin_repr_hides_the_answers() -> None:
    """A check-in that ends up in a log reveals no answer."""
    checkin = CheckIn(respondent="partner", answers={"feels_heard": 2, "past_hurt": True}, at=AT)
    text = repr(checkin)
    assert "<2 answers hidden>" in text
    assert "feels_heard" not in text
    assert "True" not in text
    assert repr(checkin.answers) == "<2 answers hidden>"


@given(st.dictionaries(st.sampled_from(["feels_heard", "stuck", "hopeful"]), st.integers(1, 5)))
def test_a_checkin_keeps_its_answers_read_only(answers: dict[str, int]) -> None:
    """Answers are copied in and cannot be changed afterwards."""
    checkin = CheckIn(respondent=Role.PARTNER, answers=answers, at=AT)
    answers["other"] = 1
    assert "other" not in checkin.answers
    assert dict(checkin.answers) == {k: v for k, v in answers.items() if k != "other"}
    assert len(checkin.answers) == len(answers) - 1
    with pytest.raises(TypeError):
        checkin.answers["stuck"] = 1  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        checkin.at = AT  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(checkin)) == checkin
    assert hash(checkin) == hash(pickle.loads(pickle.dumps(checkin)))


def test_none_answers_are_dropped() -> None:
    """None means "not answered"."""
    checkin = CheckIn(respondent="supporter", answers={"stuck": None, "hopeful": 4}, at=AT)
    assert dict(checkin.answers) == {"hopeful": 4}


def test_a_bad_checkin_lists_every_problem() -> None:
    """Role, answers and timestamp are all checked at once."""
    with pytest.raises(AnswerError) as info:
        CheckIn(respondent="friend", answers=[1, 2], at=dt.datetime(2026, 3, 1))  # type: ignore[arg-type]
    assert [p.field for p in info.value.problems] == ["respondent", "answers", "at"]
    with pytest.raises(AnswerError, match="question ids that are text"):
        CheckIn(respondent="partner", answers={1: 2}, at=AT)  # type: ignore[dict-item]


def test_urgency_orders_by_how_soon_to_act() -> None:
    """info < warning < critical, whatever the alphabet says."""
    assert Urgency.INFO < Urgency.WARNING < Urgency.CRITICAL
    assert Urgency.CRITICAL > Urgency.WARNING >= Urgency.WARNING > Urgency.INFO
    assert Urgency.INFO <= Urgency.INFO
    assert max(Urgency) is Urgency.CRITICAL
    assert Urgency.CRITICAL.rank == 2
    # Against their string values too: by urgency, never alphabetically.
    assert Urgency.WARNING < "critical"
    assert Urgency.WARNING > "info"
    with pytest.raises(TypeError, match="urgency"):
        _ = Urgency.INFO < "urgent"
    with pytest.raises(TypeError):
        _ = Urgency.INFO < 1
    for method in (Urgency.__lt__, Urgency.__le__, Urgency.__gt__, Urgency.__ge__):
        assert method(Urgency.INFO, 1) is NotImplemented


def test_conditions_read_as_written() -> None:
    """Conditions print in the notation used in evidence."""
    cond = trustkit.AllOf(
        (
            trustkit.AnswerCompare("feels_heard", "<=", 2),
            trustkit.AnyOf((trustkit.Answered("stuck"), trustkit.Always())),
            trustkit.Not(trustkit.ScoreCompare("hope", ">", 3.5)),
            trustkit.AnswerCompare("past_hurt", "=", True),
            trustkit.AnswerCompare("past_hurt", "!=", False),
        )
    )
    assert str(cond) == (
        "all(feels_heard <= 2, any(answered(stuck), always), not(score(hope) > 3.5), "
        "past_hurt = yes, past_hurt != no)"
    )


def test_the_pack_is_immutable_picklable_and_looks_items_up(pack: trustkit.ContentPack) -> None:
    """Packs are values: frozen, picklable, comparable, with lookups by id."""
    assert pack.step("validation").id == "validation"
    assert pack.question("feels_heard").kind is trustkit.QuestionKind.SCALE
    with pytest.raises(KeyError):
        pack.step("nope")
    copy = pickle.loads(pickle.dumps(pack))
    assert copy == pack
    assert copy.localized("es") == pack.localized("es")  # unread locale files survive pickling
    assert copy.step("educate") == pack.step("educate")
    assert pack.ref == trustkit.PackRef("core", pack.version)
    assert str(pack.ref) == f"core {pack.version}"
    assert pack.packs == (pack.ref,)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        pack.id = "x"  # type: ignore[misc]
    assert {q.id for q in pack.questions_for("supporter")} >= {"understand_roots", "stuck"}
    assert "understand_roots" not in {q.id for q in pack.questions_for(Role.PARTNER)}


def test_the_bundled_pack_has_its_steps_in_order(pack: trustkit.ContentPack) -> None:
    """The step ids are a public contract: the eight steps, then the supporter's crisis step."""
    assert [s.id for s in pack.steps] == [
        "educate",
        "patience",
        "consistency",
        "communication",
        "validation",
        "boundaries",
        "professional_help",
        "celebrate",
        "support_in_crisis",
    ]
    for step in pack.steps:
        assert len(step.actions) >= 3, step.id
        assert step.signs_of_progress, step.id
        assert step.pitfalls, step.id
        assert len(step.summary) <= 140, step.id
    reached = {rule.step for rule in pack.rules}
    assert reached == {s.id for s in pack.steps}


def test_the_questionnaire_contract(pack: trustkit.ContentPack) -> None:
    """The documented question ids exist with the documented kinds and respondents."""
    both = frozenset(Role)
    expected = {
        "understand_roots": ("scale", {Role.SUPPORTER}),
        "feels_rushed": ("scale", {Role.PARTNER}),
        "frustrated_by_pace": ("scale", {Role.SUPPORTER}),
        "promises_kept": ("scale", both),
        "safe_to_share": ("scale", both),
        "talk_openly": ("scale", both),
        "feels_heard": ("scale", {Role.PARTNER}),
        "feelings_dismissed": ("scale", {Role.PARTNER}),
        "boundaries_clear": ("scale", both),
        "distress": ("scale", both),
        "stuck": ("scale", both),
        "progress_noticed": ("scale", both),
        "hopeful": ("scale", both),
        "boundary_crossed": ("yes_no", both),
        "past_hurt": ("yes_no", {Role.PARTNER}),
        "afraid_of_partner": ("yes_no", both),
        "controlled": ("yes_no", both),
        "hurt_or_threatened": ("yes_no", both),
        "choked_or_strangled": ("yes_no", both),
        "threat_to_kill_or_weapon": ("yes_no", both),
        "forced_sex": ("yes_no", both),
        "self_harm_thoughts": ("yes_no", both),
        "partner_threatened_self_harm": ("yes_no", both),
        "partner_self_harm": ("yes_no", {Role.SUPPORTER}),
        "missed_commitments": ("count", both),
    }
    for qid, (kind, roles) in expected.items():
        question = pack.question(qid)
        assert (question.kind.value, set(question.respondents)) == (kind, set(roles)), qid
    assert pack.question("feelings_dismissed").reverse
    assert {q.id for q in pack.questions if q.safety} == {
        "afraid_of_partner",
        "controlled",
        "hurt_or_threatened",
        "choked_or_strangled",
        "threat_to_kill_or_weapon",
        "forced_sex",
        "self_harm_thoughts",
        "partner_threatened_self_harm",
        "partner_self_harm",
    }


def test_helplines_cover_the_required_countries(pack: trustkit.ContentPack) -> None:
    """Crisis and abuse lines for the US, UK, Canada, Australia and an international fallback."""
    for country in ("US", "GB", "CA", "AU", "INTL"):
        topics = {t for r in pack.resources if r.country == country for t in r.topics}
        assert {"crisis", "domestic_abuse", "emergency"} <= topics, country
    for resource in pack.resources:
        assert resource.source, resource.id
        assert all(s.startswith("https://") and "; " not in s for s in resource.source), resource.id
        assert resource.verified.year >= 2026, resource.id


def test_a_boundary_is_a_plain_value() -> None:
    """Boundaries are data with a role and a status."""
    boundary = trustkit.Boundary(id="b1", what="Phones stay private", set_by="partner")
    assert boundary.set_by is Role.PARTNER
    assert boundary.status is trustkit.BoundaryStatus.PROPOSED
    with pytest.raises(ValueError, match="set_by"):
        trustkit.Boundary(id="b2", what="x", set_by="friend")


def test_the_public_surface_is_exactly_all() -> None:
    """Everything in __all__ exists, has a docstring, and nothing else is offered."""
    for name in trustkit.__all__:
        obj = getattr(trustkit, name)
        if name not in {"__version__", "Answer", "Condition", "converter"}:
            assert obj.__doc__, name
    assert dir(trustkit) == sorted(trustkit.__all__)
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = trustkit.no_such_thing  # type: ignore[attr-defined]
    assert trustkit.__version__.count(".") == 2
