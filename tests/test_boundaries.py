"""Boundaries: the lifecycle, its rules, and the privacy of what a boundary says."""

from __future__ import annotations

import datetime as dt
import pickle

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trustkit
from trustkit import AnswerError, Boundary, BoundaryError, BoundaryEvent, BoundaryStatus, Role

T0 = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)
WHAT = "Phones stay private"
S = BoundaryStatus


def hours(n: float) -> dt.datetime:
    """T0 plus ``n`` hours."""
    return T0 + dt.timedelta(hours=n)


def proposed(**kwargs: object) -> Boundary:
    """A boundary the partner has just proposed."""
    return Boundary.propose("b1", WHAT, by=Role.PARTNER, at=T0, **kwargs)  # type: ignore[arg-type]


def in_status(status: BoundaryStatus) -> Boundary:
    """A boundary brought to ``status`` through the lifecycle, one hour per step."""
    b = proposed()
    path = {
        S.PROPOSED: [],
        S.AGREED: ["agree"],
        S.CROSSED: ["agree", "cross"],
        S.REVIEWED: ["agree", "cross", "review"],
        S.RETIRED: ["agree", "retire"],
    }[status]
    for n, step in enumerate(path, start=1):
        b = call(b, step, hours(n))
    assert b.status is status
    return b


def call(b: Boundary, method: str, at: dt.datetime, note: str = "") -> Boundary:
    """Call one lifecycle method with sensible arguments."""
    if method == "agree":
        return b.agree(by=Role.SUPPORTER, at=at, note=note)
    if method == "cross":
        return b.cross(at=at, by=Role.SUPPORTER, note=note)
    if method == "review":
        return b.review(at=at, note=note)
    assert method == "retire"
    return b.retire(at=at, note=note)


def fields(info: pytest.ExceptionInfo[BoundaryError]) -> list[str]:
    """The fields of the problems an error carries."""
    return [p.field for p in info.value.problems]


METHODS = ("agree", "cross", "review", "retire")

# (from status, method) -> the status afterwards, or None when the step is not allowed.
TRANSITIONS: dict[tuple[BoundaryStatus, str], BoundaryStatus | None] = {
    (S.PROPOSED, "agree"): S.AGREED,
    (S.PROPOSED, "cross"): None,
    (S.PROPOSED, "review"): None,
    (S.PROPOSED, "retire"): S.RETIRED,
    (S.AGREED, "agree"): None,
    (S.AGREED, "cross"): S.CROSSED,
    (S.AGREED, "review"): S.REVIEWED,
    (S.AGREED, "retire"): S.RETIRED,
    (S.CROSSED, "agree"): None,
    (S.CROSSED, "cross"): None,
    (S.CROSSED, "review"): S.REVIEWED,
    (S.CROSSED, "retire"): S.RETIRED,
    (S.REVIEWED, "agree"): None,
    (S.REVIEWED, "cross"): S.CROSSED,
    (S.REVIEWED, "review"): S.REVIEWED,
    (S.REVIEWED, "retire"): S.RETIRED,
    (S.RETIRED, "agree"): None,
    (S.RETIRED, "cross"): None,
    (S.RETIRED, "review"): None,
    (S.RETIRED, "retire"): None,
}


# ----------------------------------------------------------------------------- lifecycle


def test_the_table_covers_every_status_and_method() -> None:
    """The transition table below is exhaustive."""
    assert set(TRANSITIONS) == {(s, m) for s in BoundaryStatus for m in METHODS}


def test_the_happy_path_visits_every_status() -> None:
    """Proposed, agreed, crossed, reviewed, crossed again, reviewed, retired."""
    b = Boundary.propose("b1", WHAT, by="partner", at=T0, review_on=dt.date(2026, 4, 1))
    assert (b.status, b.set_by, b.agreed_by) == (S.PROPOSED, Role.PARTNER, (Role.PARTNER,))
    assert not b.in_force
    b = b.agree(by="supporter", at=hours(1), note="ok")
    assert b.status is S.AGREED
    assert b.agreed_by == (Role.PARTNER, Role.SUPPORTER)
    assert b.in_force
    b = b.cross(at=hours(2), by="supporter")
    assert b.status is S.CROSSED
    assert not b.in_force
    b = b.review(at=hours(3), review_on=dt.date(2026, 5, 1))
    assert (b.status, b.review_on) == (S.REVIEWED, dt.date(2026, 5, 1))
    assert b.in_force
    b = b.cross(at=hours(4))
    b = b.review(at=hours(5))
    assert b.review_on == dt.date(2026, 5, 1)
    b = b.retire(at=hours(6), note="no longer needed")
    assert b.status is S.RETIRED
    assert not b.in_force
    assert [(e.status, e.at, e.by) for e in b.events] == [
        (S.PROPOSED, T0, Role.PARTNER),
        (S.AGREED, hours(1), Role.SUPPORTER),
        (S.CROSSED, hours(2), Role.SUPPORTER),
        (S.REVIEWED, hours(3), None),
        (S.CROSSED, hours(4), None),
        (S.REVIEWED, hours(5), None),
        (S.RETIRED, hours(6), None),
    ]
    assert [e.note for e in b.events] == ["", "ok", "", "", "", "", "no longer needed"]
    assert b.last_changed == hours(6)


@pytest.mark.parametrize(("start", "method"), list(TRANSITIONS))
def test_every_transition_is_allowed_or_refused_as_the_table_says(
    start: BoundaryStatus, method: str
) -> None:
    """Each (status, method) pair either moves on as listed or raises on "status" alone."""
    b = in_status(start)
    after = TRANSITIONS[start, method]
    later = hours(10)
    if after is None:
        with pytest.raises(BoundaryError) as info:
            call(b, method, later)
        assert fields(info) == ["status"]
        assert info.value.problems[0].expected.endswith(f"(this one is {start.value})")
    else:
        moved = call(b, method, later)
        assert moved.status is after
        assert moved.events[:-1] == b.events
        assert (moved.events[-1].status, moved.events[-1].at) == (after, later)


def test_a_refused_transition_says_what_was_expected() -> None:
    """The expected text names the allowed statuses and the actual one."""
    retired = in_status(S.RETIRED)
    with pytest.raises(BoundaryError) as info:
        retired.agree(by="supporter", at=hours(10))
    assert info.value.problems[0].expected == "a proposed boundary (this one is retired)"
    with pytest.raises(BoundaryError, match=r"an agreed or reviewed boundary \(this one is"):
        in_status(S.CROSSED).cross(at=hours(10))
    with pytest.raises(BoundaryError, match="an agreed, crossed or reviewed boundary"):
        in_status(S.PROPOSED).review(at=hours(10))
    with pytest.raises(BoundaryError, match="a boundary that is not retired yet"):
        retired.retire(at=hours(10))


def test_agreement_by_one_partner_keeps_the_boundary_proposed() -> None:
    """A record made directly needs both partners to agree; each agreement is an event."""
    b = Boundary(id="b1", what=WHAT, set_by="partner")
    assert (b.agreed_by, b.events, b.last_changed) == ((), (), None)
    once = b.agree(by="partner", at=T0)
    assert once.status is S.PROPOSED
    assert once.events == (BoundaryEvent(S.PROPOSED, T0, Role.PARTNER),)
    twice = once.agree(by="supporter", at=hours(1))
    assert twice.status is S.AGREED
    assert twice.agreed_by == (Role.PARTNER, Role.SUPPORTER)


def test_agreeing_twice_is_refused() -> None:
    """The proposer has already agreed and cannot agree again."""
    with pytest.raises(BoundaryError) as info:
        proposed().agree(by="partner", at=hours(1))
    assert fields(info) == ["by"]
    assert info.value.problems[0].expected == "a partner who has not agreed yet"


def test_the_original_is_unchanged() -> None:
    """Every method returns a new record and leaves the one it was called on alone."""
    for start in BoundaryStatus:
        b = in_status(start)
        before = pickle.loads(pickle.dumps(b))
        for method in METHODS:
            if TRANSITIONS[start, method] is not None:
                moved = call(b, method, hours(10))
                assert moved is not b
                assert moved != b
            assert b == before
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        b.status = S.AGREED  # type: ignore[misc]


def test_review_keeps_or_replaces_the_review_date() -> None:
    """``review_on=None`` keeps the current date; a date replaces it."""
    b = proposed(review_on=dt.date(2026, 4, 1)).agree(by="supporter", at=hours(1))
    assert b.review(at=hours(2)).review_on == dt.date(2026, 4, 1)
    assert b.review(at=hours(2), review_on=dt.date(2026, 6, 1)).review_on == dt.date(2026, 6, 1)
    assert proposed().agree(by="supporter", at=hours(1)).review(at=hours(2)).review_on is None


# ---------------------------------------------------------------------------- timestamps


def test_naive_datetimes_are_refused() -> None:
    """Every ``at`` must be timezone-aware."""
    naive = dt.datetime(2026, 3, 2, 9, 0)
    with pytest.raises(BoundaryError) as info:
        Boundary.propose("b1", WHAT, by="partner", at=naive)
    assert fields(info) == ["at"]
    for start in BoundaryStatus:
        for method in METHODS:
            if TRANSITIONS[start, method] is not None:
                with pytest.raises(BoundaryError) as info:
                    call(in_status(start), method, naive)
                assert fields(info) == ["at"]
    with pytest.raises(BoundaryError, match="at: a timezone-aware datetime"):
        proposed().agree(by="supporter", at=dt.date(2026, 3, 2))  # type: ignore[arg-type]


def test_out_of_order_timestamps_are_refused_and_equal_ones_accepted() -> None:
    """A step cannot happen before the last one; at the same moment is fine."""
    for start in BoundaryStatus:
        b = in_status(start)
        assert b.last_changed is not None
        for method in METHODS:
            if TRANSITIONS[start, method] is not None:
                with pytest.raises(BoundaryError) as info:
                    call(b, method, b.last_changed - dt.timedelta(seconds=1))
                assert fields(info) == ["at"]
                assert call(b, method, b.last_changed).last_changed == b.last_changed


def test_timestamps_in_other_zones_compare_by_instant() -> None:
    """An earlier wall-clock time in another zone can be a later instant."""
    tokyo = dt.timezone(dt.timedelta(hours=9))
    b = proposed().agree(by="supporter", at=dt.datetime(2026, 3, 2, 5, 30, tzinfo=tokyo))
    assert b.status is S.AGREED
    with pytest.raises(BoundaryError):
        proposed().agree(by="supporter", at=dt.datetime(2026, 3, 2, 4, 59, tzinfo=tokyo))


def test_every_problem_is_listed_at_once() -> None:
    """Status, role and time are all checked before raising."""
    with pytest.raises(BoundaryError) as info:
        in_status(S.RETIRED).agree(by="friend", at=dt.datetime(2026, 3, 1), note=3)  # type: ignore[arg-type]
    assert fields(info) == ["status", "by", "at", "note"]
    assert str(info.value).startswith("4 problems in the boundary: status: ")


# --------------------------------------------------------------------------- bad values


def test_unknown_roles_and_statuses_raise_boundary_error() -> None:
    """Bad roles and statuses are BoundaryErrors, so also AnswerErrors and ValueErrors."""
    with pytest.raises(BoundaryError) as info:
        Boundary(id="b1", what=WHAT, set_by="friend", agreed_by=["friend"], status="done")
    assert fields(info) == ["set_by", "agreed_by", "status"]
    assert isinstance(info.value, AnswerError)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, trustkit.TrustkitError)
    with pytest.raises(BoundaryError, match="by: 'partner' or 'supporter'"):
        Boundary.propose("b1", WHAT, by="friend", at=T0)
    with pytest.raises(BoundaryError, match="by: 'partner' or 'supporter'"):
        proposed().agree(by="friend", at=hours(1))
    with pytest.raises(BoundaryError, match="by: 'partner' or 'supporter', or None"):
        in_status(S.AGREED).cross(at=hours(10), by="friend")
    with pytest.raises(ValueError, match="set_by"):
        trustkit.Boundary(id="b2", what="x", set_by="friend")


def test_a_bad_record_lists_every_problem() -> None:
    """Direct construction checks every field's shape."""
    with pytest.raises(BoundaryError) as info:
        Boundary(
            id="b1",
            what=WHAT,
            set_by="partner",
            agreed_by="partner",  # a string, not a sequence of roles
            review_on=T0,  # a datetime, not a date
            events=["proposed"],
        )
    assert fields(info) == ["agreed_by", "review_on", "events"]
    with pytest.raises(BoundaryError, match="agreed_by: each role at most once"):
        Boundary(id="b1", what=WHAT, set_by="partner", agreed_by=("partner", "partner"))
    with pytest.raises(BoundaryError, match="review_on: a date"):
        Boundary.propose("b1", WHAT, by="partner", at=T0, review_on=T0)
    with pytest.raises(BoundaryError, match="review_on: a date"):
        in_status(S.AGREED).review(at=hours(10), review_on=T0)
    with pytest.raises(BoundaryError, match="note: text"):
        Boundary.propose("b1", WHAT, by="partner", at=T0, note=None)  # type: ignore[arg-type]


def test_a_record_keeps_its_events_consistent() -> None:
    """Events must be in time order and end with the boundary's status."""
    first = BoundaryEvent(S.PROPOSED, hours(1), Role.PARTNER)
    second = BoundaryEvent("agreed", T0, "supporter")
    with pytest.raises(BoundaryError, match="events: events in time order"):
        Boundary(id="b1", what=WHAT, set_by="partner", status="agreed", events=[first, second])
    with pytest.raises(BoundaryError, match="events: a last event with the boundary's status"):
        Boundary(id="b1", what=WHAT, set_by="partner", status="agreed", events=[first])
    b = Boundary(id="b1", what=WHAT, set_by="partner", events=[first])
    assert b.events == (first,)
    assert set(Boundary(id="b1", what=WHAT, set_by="partner", agreed_by={"partner"}).agreed_by) == {
        Role.PARTNER
    }


def test_a_bad_event_lists_every_problem() -> None:
    """Events check their own fields too."""
    with pytest.raises(BoundaryError) as info:
        BoundaryEvent("done", dt.datetime(2026, 3, 1), "friend", note=b"x")  # type: ignore[arg-type]
    assert fields(info) == ["status", "at", "by", "note"]
    assert BoundaryEvent("crossed", T0, None).by is None


# ------------------------------------------------------------------------------ privacy

PRIVATE = st.text(min_size=1)


@given(what=PRIVATE, note=PRIVATE)
def test_messages_never_contain_what_or_notes(what: str, note: str) -> None:
    """Errors are the same whatever the boundary says, so they cannot leak it."""

    def message(what: str, note: str) -> str:
        b = Boundary.propose("b1", what, by="partner", at=T0, note=note)
        b = b.agree(by="supporter", at=hours(1), note=note).retire(at=hours(2), note=note)
        with pytest.raises(BoundaryError) as info:
            b.review(at=T0, note=note)
        return str(info.value)

    text = message(what, note)
    assert text == message("x", "")
    assert text == (
        "2 problems in the boundary: "
        "status: an agreed, crossed or reviewed boundary (this one is retired); "
        "at: a time no earlier than the boundary's last event"
    )


@given(what=PRIVATE, note=PRIVATE)
def test_repr_hides_what_and_notes(what: str, note: str) -> None:
    """A boundary that ends up in a log reveals neither its text nor any note."""
    b = Boundary.propose("b1", what, by="partner", at=T0, note=note)
    b = b.agree(by="supporter", at=hours(1), note=note)
    plain = Boundary.propose("b1", "x", by="partner", at=T0).agree(by="supporter", at=hours(1))
    assert repr(b) == repr(plain)
    assert "what=<hidden>" in repr(b)
    assert "note=<hidden>" in repr(b.events[0])


# ------------------------------------------------------------------------------ queries


@pytest.mark.parametrize("status", list(BoundaryStatus))
def test_in_force_means_agreed_or_reviewed(status: BoundaryStatus) -> None:
    """Only agreed and reviewed boundaries are in force."""
    assert in_status(status).in_force is (status in {S.AGREED, S.REVIEWED})


def test_crossed_since_looks_for_a_later_crossing() -> None:
    """A crossing counts only if it is strictly after ``when``, and stays in the history."""
    b = in_status(S.CROSSED)  # crossed at hours(2)
    assert b.crossed_since(hours(1))
    assert not b.crossed_since(hours(2))
    assert b.review(at=hours(3)).retire(at=hours(4)).crossed_since(T0)
    assert not in_status(S.REVIEWED).crossed_since(hours(2.5))
    assert not in_status(S.AGREED).crossed_since(T0 - dt.timedelta(days=365))
    with pytest.raises(BoundaryError, match="when: a timezone-aware datetime"):
        b.crossed_since(dt.datetime(2026, 3, 1))


@pytest.mark.parametrize("status", list(BoundaryStatus))
def test_due_for_review_needs_a_past_date_and_a_live_boundary(status: BoundaryStatus) -> None:
    """In force or crossed, with ``review_on`` today or earlier."""
    review_on = dt.date(2026, 4, 1)
    b = attrs.evolve(in_status(status), review_on=review_on)
    live = status in {S.AGREED, S.REVIEWED, S.CROSSED}
    assert b.due_for_review(review_on) is live
    assert b.due_for_review(dt.date(2026, 4, 2)) is live
    assert not b.due_for_review(dt.date(2026, 3, 31))
    assert b.due_for_review(dt.datetime(2026, 4, 1, 23, 0, tzinfo=dt.UTC)) is live
    assert not attrs.evolve(b, review_on=None).due_for_review(review_on)


def test_a_review_clears_the_due_flag_when_it_sets_a_new_date() -> None:
    """A reviewed boundary that is due can be reviewed again with a later date."""
    b = in_status(S.REVIEWED)
    b = attrs.evolve(b, review_on=dt.date(2026, 3, 2))
    assert b.due_for_review(dt.date(2026, 3, 2))
    again = b.review(at=hours(10), review_on=dt.date(2026, 6, 1))
    assert not again.due_for_review(dt.date(2026, 3, 2))


# ----------------------------------------------------------------------------- plumbing


def test_boundaries_pickle_and_hash() -> None:
    """Records, events and errors survive pickling; equal records hash equally."""
    b = in_status(S.RETIRED)
    copy = pickle.loads(pickle.dumps(b))
    assert copy == b
    assert hash(copy) == hash(b)
    assert copy.events[0].by is Role.PARTNER
    assert len({b, copy, in_status(S.AGREED)}) == 2
    with pytest.raises(BoundaryError) as info:
        b.retire(at=hours(10))
    error = pickle.loads(pickle.dumps(info.value))
    assert type(error) is BoundaryError
    assert error.problems == info.value.problems
    assert str(error) == str(info.value)
    assert str(error).startswith("1 problem in the boundary: ")


def test_the_old_constructor_still_works() -> None:
    """Existing callers build a record directly, with string roles and status."""
    b = trustkit.Boundary(id="b1", what=WHAT, set_by="supporter", status="agreed")
    assert (b.set_by, b.status, b.events) == (Role.SUPPORTER, S.AGREED, ())
    assert b.in_force
    assert b.cross(at=T0).events == (BoundaryEvent(S.CROSSED, T0, None),)


# ------------------------------------------------------------------- any sequence of calls

ROLE_NAMES = st.sampled_from(["partner", "supporter", "friend"])
OPS = st.lists(
    st.tuples(
        st.sampled_from(METHODS),
        ROLE_NAMES | st.none(),
        st.integers(min_value=-90, max_value=180),  # minutes after the last attempt
        st.booleans(),  # timezone-aware?
    ),
    max_size=12,
)


def attempt(b: Boundary, method: str, role: str | None, at: dt.datetime) -> Boundary:
    """Call ``method`` on ``b`` with whatever role was drawn (agree gets it even if None)."""
    if method == "agree":
        return b.agree(by=role, at=at)  # type: ignore[arg-type]
    if method == "cross":
        return b.cross(at=at, by=role)
    if method == "review":
        return b.review(at=at)
    return b.retire(at=at)


@given(proposer=st.sampled_from(list(Role)), ops=OPS)
def test_any_sequence_of_calls_follows_the_lifecycle(
    proposer: Role, ops: list[tuple[str, str | None, int, bool]]
) -> None:
    """Each call succeeds exactly when a simple model says it should, else raises BoundaryError."""
    b = Boundary.propose("b1", WHAT, by=proposer, at=T0)
    clock = T0
    for method, role, minutes, aware in ops:
        clock += dt.timedelta(minutes=minutes)
        at = clock if aware else clock.replace(tzinfo=None)
        expected: list[str] = []
        if TRANSITIONS[b.status, method] is None:
            expected.append("status")
        if method == "agree" and role not in {"partner", "supporter"}:
            expected.append("by")
        if method == "agree" and b.status is S.PROPOSED and role in b.agreed_by:
            expected.append("by")
        if method == "cross" and role == "friend":
            expected.append("by")
        last = b.last_changed
        assert last is not None
        if not aware or clock < last:
            expected.append("at")
        before = b
        if expected:
            with pytest.raises(BoundaryError) as info:
                attempt(b, method, role, at)
            assert fields(info) == expected
            assert b == before
            continue
        after = attempt(b, method, role, at)
        want: BoundaryStatus | None
        if method == "agree":
            want = S.AGREED if set(after.agreed_by) == set(Role) else S.PROPOSED
        else:
            want = TRANSITIONS[before.status, method]
        assert after.status is want
        assert after.events[:-1] == before.events
        assert after.events[-1].status is after.status
        assert after.events[-1].at == at
        assert after.in_force is (after.status in {S.AGREED, S.REVIEWED})
        assert after.agreed_by[: len(before.agreed_by)] == before.agreed_by
        b = after
