"""Decision records: an audit trail that holds no answers, and replaying one.

`record_decision` decides exactly as [`trustkit.decide`][trustkit.decide]
does (the same ``verdict``, the one statement of the policy) and keeps the
outcome with the decision id, the time, the pack's ids, versions and content
digest, and the locale. `replay` decides again and says whether the same
pack gave the same decision. See "Audit trails" in the docs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from trustkit._api import _decided, default_pack
from trustkit._engine.compile import Answers
from trustkit._engine.decide import today_of
from trustkit._pack.digest import pack_digest
from trustkit._pack.kinds import json_answers
from trustkit._public import public
from trustkit.errors import AnswerError, AnswerProblem, ProblemCode
from trustkit.models import (
    DECISION_ID_MAX,
    CheckIn,
    ContentPack,
    CoupleState,
    DecisionRecord,
    Replay,
    ReplayOutcome,
    Role,
)

if TYPE_CHECKING:
    from trustkit._boundary import Boundary

__all__ = ["record_decision", "replay"]

KEY_MIN_BYTES = 16
"""The shortest key `record_decision` takes: answers are few small numbers, easy to guess."""
_HASH_PREFIX = "hmac-sha256:"
_DOMAIN = b"trustkit answers v1\n"


def _checked_arguments(decision_id: object, key: object) -> None:
    """The decision id and the key, or an error naming them (never quoting the key)."""
    problems = []
    if not (isinstance(decision_id, str) and 0 < len(decision_id) <= DECISION_ID_MAX):
        problems.append(
            AnswerProblem(
                "decision_id",
                f"a text of 1 to {DECISION_ID_MAX} characters",
                code=ProblemCode.INVALID_VALUE,
            )
        )
    if key is not None and not (isinstance(key, bytes) and len(key) >= KEY_MIN_BYTES):
        problems.append(
            AnswerProblem(
                "key", f"bytes, at least {KEY_MIN_BYTES} of them", code=ProblemCode.INVALID_VALUE
            )
        )
    if problems:
        raise AnswerError(problems)


def answers_hash(key: bytes, answers: Answers) -> str:
    """The keyed hash of the answers that were read: HMAC-SHA256 over their canonical JSON."""
    text = json.dumps(json_answers(answers), sort_keys=True, separators=(",", ":"))
    digest = hmac.new(key, _DOMAIN + text.encode("ascii"), hashlib.sha256).hexdigest()
    return _HASH_PREFIX + digest


def _time(answers: object, now: object) -> dt.datetime | None:
    try:
        return today_of(answers, now)
    except AnswerError:  # a wrong `now` beside a safety yes: reported there, not kept here
        return None


@public
def record_decision(
    answers: Mapping[str, object] | CheckIn,
    *,
    decision_id: str,
    key: bytes | None = None,
    respondent: Role | str | None = None,
    history: Iterable[CheckIn] | None = None,
    boundaries: Iterable[Boundary] = (),
    pack: ContentPack | None = None,
    now: dt.datetime | None = None,
    country: str | None = None,
    locale: str | None = None,
    state: CoupleState | None = None,
) -> DecisionRecord:
    """Decide one check-in, as [`decide`][trustkit.decide] does, and keep it as a record.

    The record holds what was decided and how to check it later, and no
    answers: at most a keyed hash of them, when the app passes a key. Store
    it anywhere logs go; keep the check-ins (and the key) where the answers
    are kept. The other keywords are those of ``decide``, with the same
    checks, errors and safety first.

    Added in version 0.2.0.

    Args:
        answers: As for ``decide``.
        decision_id: The app's id for this decision, 1 to 200 characters (a
            database key, a UUID the app made): trustkit has no clock and no
            randomness, so it makes none.
        key: A secret of at least 16 bytes: the record then carries an
            HMAC-SHA256 of the answers that were read, so `replay` can
            confirm a check-in is the one recorded. Without a key, no hash.
            Keep one key per app (not per couple), away from the records.
        respondent: As for ``decide``.
        history: As for ``decide``.
        boundaries: As for ``decide``.
        pack: As for ``decide``; its content digest goes in the record.
        now: As for ``decide``; it is the record's ``at`` (else the
            ``CheckIn``'s).
        country: As for ``decide``.
        locale: As for ``decide``; the locale applied goes in the record.
        state: As for ``decide``.

    Returns:
        The [`DecisionRecord`][trustkit.DecisionRecord].

    Raises:
        AnswerError: ``decision_id`` or ``key`` is not one, or as ``decide``
            raises it.
        NoStepError: As ``decide`` raises it.

    Examples:
        >>> import trustkit
        >>> record = trustkit.record_decision({"feels_heard": 1}, decision_id="d-1")
        >>> record.step_id, record.rule_id, record.answers_hash
        ('validation', 'validation-not-heard', None)
        >>> record.pack_digest.startswith("sha256:")
        True
    """
    _checked_arguments(decision_id, key)
    base = default_pack() if pack is None else pack
    chosen, found, made = _decided(
        answers, respondent, base, locale, country, history, boundaries, now, state
    )
    return DecisionRecord(
        decision_id=decision_id,
        at=_time(answers, now),
        packs=base.packs,
        pack_digest=pack_digest(base),
        rule_id=made.rule_id,
        step_id=made.step_id,
        urgency=made.urgency,
        safety=made.safety,
        respondent=made.respondent,
        locale=chosen.locale,
        answers_hash=None if key is None else answers_hash(key, found.clean),
    )


@public
def replay(
    record: DecisionRecord,
    checkin: Mapping[str, object] | CheckIn,
    pack: ContentPack | None = None,
    *,
    key: bytes | None = None,
    history: Iterable[CheckIn] | None = None,
    boundaries: Iterable[Boundary] = (),
    now: dt.datetime | None = None,
    country: str | None = None,
    state: CoupleState | None = None,
) -> Replay:
    """Decide a recorded check-in again, and say whether the same pack gave the same decision.

    Only a pack with the record's digest is used: with another pack the
    result is ``other_pack`` and nothing is decided (to see what a new pack
    would change, use [`diff_records`][trustkit.diff_records]). With the
    key the record was made with, the answers are checked too. Pass the
    same history, state, boundaries, ``now`` and country as when the record
    was made; the locale is the record's.

    Added in version 0.2.0.

    Args:
        record: The record to check.
        checkin: The check-in it was made for: a ``CheckIn``, or answers
            (then the record's respondent is used).
        pack: The pack; the bundled one by default.
        key: The key the record was made with, to compare the answers' hash
            (a record made without a key never matches one).
        history: As when the record was made.
        boundaries: As when the record was made.
        now: As when the record was made.
        country: As when the record was made.
        state: As when the record was made.

    Returns:
        A [`Replay`][trustkit.Replay], true when the outcome is ``same``.

    Raises:
        AnswerError: As [`record_decision`][trustkit.record_decision] raises it.
        NoStepError: As ``record_decision`` raises it.

    Examples:
        >>> import trustkit
        >>> record = trustkit.record_decision({"feels_heard": 1}, decision_id="d-1")
        >>> trustkit.replay(record, {"feels_heard": 1}).outcome.value
        'same'
        >>> trustkit.replay(record, {"feels_heard": 5}).outcome.value
        'changed'
    """
    base = default_pack() if pack is None else pack
    if pack_digest(base) != record.pack_digest:
        return Replay(ReplayOutcome.OTHER_PACK)
    again = record_decision(
        checkin,
        decision_id=record.decision_id,
        key=key,
        respondent=None if isinstance(checkin, CheckIn) else record.respondent,
        history=history,
        boundaries=boundaries,
        pack=base,
        now=now,
        country=country,
        locale=record.locale,
        state=state,
    )
    if key is None:
        again = attrs.evolve(again, answers_hash=record.answers_hash)
    if again == record:
        return Replay(ReplayOutcome.SAME, again)
    mine = (again.at, again.respondent, again.answers_hash)
    if mine != (record.at, record.respondent, record.answers_hash):
        return Replay(ReplayOutcome.OTHER_CHECKIN, again)
    return Replay(ReplayOutcome.CHANGED, again)
