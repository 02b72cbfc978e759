"""The top-level functions: the bundled pack and ``recommend_next_step``."""

from __future__ import annotations

import copyreg
import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trustkit._engine.adaptive import NextQuestions, next_questions_for
from trustkit._engine.compile import compiled
from trustkit._engine.decide import country_code, decider, decision, verdict
from trustkit._engine.plan import make_plan, render, template
from trustkit._engine.programme import MAX_DAYS, MAX_HOURS, MIN_DAYS, build, measure
from trustkit._engine.recommend import recommend
from trustkit._public import public
from trustkit.errors import AnswerError, AnswerProblem, ProblemCode
from trustkit.models import (
    Action,
    Cadence,
    CheckIn,
    ContentPack,
    CoupleState,
    Decision,
    Messages,
    PlanKind,
    Programme,
    Progress,
    Recommendation,
    Role,
    SafetyPlan,
    Trace,
    Urgency,
    Who,
    _localizer,
)

if TYPE_CHECKING:
    from trustkit._boundary import Boundary
    from trustkit._engine.decide import Verdict


@public
@functools.cache
def default_pack() -> ContentPack:
    """The content pack bundled with trustkit (read and checked once, then cached).

    Added in version 0.1.0.

    Examples:
        >>> import trustkit
        >>> pack = trustkit.default_pack()
        >>> [step.id for step in pack.steps][:3]
        ['educate', 'patience', 'consistency']
    """
    # The checked pack as a JSON snapshot (see trustkit._pack.snapshot): no TOML to parse.
    from trustkit._pack.snapshot import bundled  # noqa: PLC0415  (json only when first used)

    pack = bundled()
    if pack is None:
        from trustkit._pack.sources import load_pack  # noqa: PLC0415

        pack = load_pack("core")
    return pack


def _localize(pack: ContentPack, locale: str) -> ContentPack:
    """`ContentPack.localized`, importing the pack layer's translation on first use."""
    from trustkit._pack.locales import localized  # noqa: PLC0415  (it replaces this entry)

    return localized(pack, locale)


if not _localizer:  # pragma: no branch  (the pack layer was not imported first)
    _localizer.append(_localize)


@public
def recommend_next_step(
    answers: Mapping[str, object] | CheckIn,
    *,
    respondent: Role | str | None = None,
    history: Iterable[CheckIn] | None = None,
    boundaries: Iterable[Boundary] = (),
    pack: ContentPack | None = None,
    now: dt.datetime | None = None,
    country: str | None = None,
    locale: str | None = None,
    history_ordered: bool = False,
    state: CoupleState | None = None,
) -> Recommendation:
    """Recommend the next step for one partner's check-in, and say why.

    Safety comes first: a yes to any safety-screen question (fear, control,
    being hurt or threatened, the highest-risk signs, thoughts of self-harm)
    always gives a critical recommendation with helplines, whatever else was
    answered: ``professional_help``, or ``support_in_crisis`` for a supporter
    whose partner has spoken of self-harm. A yes in the history keeps couples
    work away from both partners for the pack's safety period. Otherwise the
    highest-priority rule that holds decides (ties go to the rule id that
    sorts first), and up to two other matching steps come back as
    alternatives.

    Added in version 0.1.0.

    Changed in version 0.2.0: the arguments ``history``, ``boundaries``,
    ``now``, ``locale``, ``history_ordered`` and ``state``; a safety yes is
    answered even when other input is wrong (the problems are listed in
    ``Recommendation.problems``).

    Args:
        answers: Question id to answer, as parsed from JSON (``None`` means
            "not answered"), or a [`CheckIn`][trustkit.CheckIn]. Missing answers
            are fine: a rule that needs one does not hold.
        respondent: Who answered: ``"partner"`` (the partner who struggles to
            trust; the default for a mapping) or ``"supporter"``. For a
            ``CheckIn`` it defaults to, and must match, the check-in's own.
        history: The couple's earlier check-ins, either role, in any order
            (trustkit sorts them by ``at``). Facts such as which scores
            improved, how often a step has come up in a row and how far apart
            the two partners see things come from the most recent 12. A
            positive safety screen is remembered until the partner who gave
            it answers the screen with no again, at least the pack's safety
            period (52 weeks) later: pass every check-in since, or keep a
            ``state`` instead. See "Safety over time" in the docs. ``None``
            (the default) means the app keeps no history; pass ``()`` for a
            couple's very first check-in. A past check-in without
            ``recommended`` is decided again, with the history before it.
        state: The couple's [`CoupleState`][trustkit.CoupleState], folded with
            [`trustkit.advance`][trustkit.advance] from every earlier
            check-in: the same result as passing their history, at the cost
            of one call. Pass a history or a state, not both.
        history_ordered: Accepted for compatibility and ignored: every history
            is sorted now, so that a wrong promise about its order can never
            hide a disclosure. Keep a ``state`` for long histories.
        boundaries: The couple's current boundaries, for facts such as a
            boundary crossed since the last check-in or one due for review.
        pack: The content pack to use; the bundled one by default.
        now: When this check-in happens (timezone-aware). Defaults to the
            ``CheckIn``'s ``at``; needed with history or boundaries when
            ``answers`` is a plain mapping. History must not be later than it.
        country: An ISO 3166-1 alpha-2 code such as ``"GB"`` (any case): keep
            only the resources for that country, plus the international ones
            (``"INTL"``). By default every resource on the topic is returned.
            A code ISO 3166-1 does not assign, such as ``"UK"`` (which is
            ``"GB"``) or ``"ZZ"``, is an ``AnswerError``: it is never taken
            as "no national lines".
        locale: A BCP 47 tag such as ``"es"`` or ``"es-MX"`` (any case, ``_``
            for ``-``): the step, reasons and resources in that language where
            the pack has a translation, falling back to the pack's own text
            item by item. A region falls back to its language and a language
            without texts to the pack's own; ``Recommendation.locale`` says
            which was applied.

    Returns:
        The recommendation: the step, its urgency, the reasons, evidence,
        alternatives, resources and the pack it came from.

    A yes now is answered first: when the answers hold a safety yes (or the
    partner screened positive earlier in an open safety period), the safety
    result comes back even if something else is wrong (another answer, the
    country, the locale, the dates, the history or the state), and
    ``Recommendation.problems`` lists what was wrong, beside the help.

    Raises:
        AnswerError: An answer does not fit the questionnaire (unknown
            question, a question for the other role, wrong type or out of
            range), or ``country`` or ``locale`` is not a code or tag that
            can be used, or the history or state cannot be used; never when
            safety decides. Every problem is listed; no value is ever repeated.
        NoStepError: No rule holds (only for packs without a catch-all rule).

    Examples:
        >>> import trustkit
        >>> rec = trustkit.recommend_next_step({"feels_heard": 1})
        >>> rec.step.id, rec.urgency.value
        ('validation', 'info')
    """
    chosen, given = _localized(pack, locale)
    return recommend(
        answers,
        respondent,
        chosen,
        country,
        history,
        boundaries,
        now,
        history_ordered,
        state,
        given,
    )


@public
def decide(
    answers: Mapping[str, object] | CheckIn,
    *,
    respondent: Role | str | None = None,
    history: Iterable[CheckIn] | None = None,
    boundaries: Iterable[Boundary] = (),
    pack: ContentPack | None = None,
    now: dt.datetime | None = None,
    country: str | None = None,
    locale: str | None = None,
    state: CoupleState | None = None,
) -> Decision:
    """Decide the next step for one check-in, without the texts that explain it.

    The same decision as [`recommend_next_step`][trustkit.recommend_next_step]
    with the same arguments (the same checks and errors, the same safety
    first, the same safety memory through ``history`` or ``state``), made by
    the same code, without writing reasons, evidence, alternatives or
    resources. Use it where only the outcome is kept: a dashboard, an audit
    trail, a nightly job over stored check-ins.

    Args:
        answers: As for ``recommend_next_step``.
        respondent: As for ``recommend_next_step``.
        history: As for ``recommend_next_step``.
        boundaries: As for ``recommend_next_step``.
        pack: As for ``recommend_next_step``.
        now: As for ``recommend_next_step``.
        country: As for ``recommend_next_step`` (an unusable code is an error
            here too, unless safety decides).
        locale: As for ``recommend_next_step`` (it changes no decision, but an
            unusable tag is an error here too, unless safety decides).
        state: As for ``recommend_next_step``.

    Returns:
        The [`Decision`][trustkit.Decision]: its fields equal the matching
        fields of the ``Recommendation`` the same call would give.

    Raises:
        AnswerError: As ``recommend_next_step`` raises it.
        NoStepError: As ``recommend_next_step`` raises it.

    Added in version 0.2.0.

    Examples:
        >>> import trustkit
        >>> d = trustkit.decide({"feels_heard": 1})
        >>> d.step_id, d.rule_id, d.urgency.value, d.safety
        ('validation', 'validation-not-heard', 'info', False)
    """
    return _decided(answers, respondent, pack, locale, country, history, boundaries, now, state)[2]


def _decided(
    answers: Mapping[str, object] | CheckIn,
    respondent: Role | str | None,
    pack: ContentPack | None,
    locale: str | None,
    country: str | None,
    history: Iterable[CheckIn] | None,
    boundaries: Iterable[Boundary],
    now: dt.datetime | None,
    state: CoupleState | None,
) -> tuple[ContentPack, Verdict, Decision]:
    """The localized pack, the verdict and the decision: what `decide` and records share."""
    chosen, given = _localized(pack, locale)
    c = compiled(chosen)
    found = verdict(
        c, answers, respondent, country, history, boundaries, now, state, given, wanted=0
    )
    return chosen, found, decision(c, found)


@public
def next_questions(
    answers: Mapping[str, object] | CheckIn,
    *,
    respondent: Role | str | None = None,
    state: CoupleState | None = None,
    history: Iterable[CheckIn] | None = None,
    now: dt.datetime | None = None,
    pack: ContentPack | None = None,
) -> NextQuestions:
    """What to ask next in a check-in: the safety screen, then only what can change the step.

    For an app that asks one question (or one screen) at a time: pass what
    has been answered so far and ask the questions returned, in order. The
    respondent's safety screen always comes first, until every safety
    question is answered; then come only the unanswered questions that can
    still change the step or the rule (given the state or history: what it
    says is known), and the questions the pack marks ``tracked``. Every way
    of answering the questions left out gives the same step and rule as
    answering them would, so the decision made at the end, by
    [`recommend_next_step`][trustkit.recommend_next_step] with the answers
    given, is the one the full questionnaire gives. "Building a check-in
    flow" in the docs shows the loop.

    A question answered ``None`` was shown and skipped: it is not asked
    again.

    Args:
        answers: The answers so far, by question id, or a ``CheckIn``.
        respondent: As for ``recommend_next_step``.
        state: As for ``recommend_next_step``.
        history: As for ``recommend_next_step``.
        now: As for ``recommend_next_step`` (needed with a history or state).
        pack: The content pack; the bundled one by default.

    Returns:
        The questions to ask, in order, and whether the step is decided
        (then with its ``step_id`` and ``rule_id``).

    Raises:
        AnswerError: Bad answers, state, history or time: each problem names
            the question or field, never the answer.

    Added in version 0.2.0.

    Examples:
        >>> import trustkit
        >>> screen = {"afraid_of_partner": False, "controlled": False,
        ...           "hurt_or_threatened": False, "choked_or_strangled": False,
        ...           "threat_to_kill_or_weapon": False, "forced_sex": False,
        ...           "self_harm_thoughts": False, "partner_threatened_self_harm": False}
        >>> trustkit.next_questions({}).questions[:2]
        ('afraid_of_partner', 'controlled')
        >>> nq = trustkit.next_questions({**screen, "distress": 5})
        >>> nq.decided, nq.step_id, nq.rule_id, nq.questions
        (True, 'professional_help', 'professional-help-distress', ('progress_noticed', 'hopeful'))
    """
    c = compiled(default_pack() if pack is None else pack)
    return next_questions_for(c, answers, respondent, state=state, history=history, now=now)


def _localized(
    pack: ContentPack | None, locale: str | None
) -> tuple[ContentPack, tuple[AnswerError, ...]]:
    """The pack in the locale asked for; on a bad locale, the pack's own and the error."""
    chosen = default_pack() if pack is None else pack
    if locale is None:
        return chosen, ()
    try:
        return chosen.localized(locale), ()
    except AnswerError as error:  # raised unless safety decides: see recommend
        return chosen, (error,)


@public
def advance(
    state: CoupleState,
    checkin: CheckIn,
    recommendation: Recommendation | None = None,
    *,
    pack: ContentPack | None = None,
) -> CoupleState:
    """Fold one more check-in into a couple's state, and return the new state.

    Call it after each check-in, oldest first, and store the state beside the
    couple's check-ins (it is as sensitive as the answers). The step the
    check-in got is taken from ``recommendation`` (the result you showed),
    else from the check-in's ``recommended``, else decided again with the
    state. A positive safety screen is always remembered, even when the
    check-in's other answers are wrong.

    Added in version 0.2.0.

    Args:
        state: The state so far; ``trustkit.CoupleState()`` for a new couple.
        checkin: The next check-in, no older than the state's newest.
        recommendation: What ``recommend_next_step(checkin, state=state)``
            gave, to save deciding it again.
        pack: The content pack; the bundled one by default. Use the same
            pack as for the recommendations.

    Returns:
        A new state; the one passed in is not changed. Folding the same
        check-in twice gives the same state back.

    Raises:
        AnswerError: ``state`` or ``checkin`` is not one; the check-in is
            older than the state's newest (it is never silently reordered:
            rebuild the state from the sorted check-ins instead), or the
            partner already has another check-in at that time.

    Examples:
        >>> import datetime as dt, trustkit
        >>> at = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone.utc)
        >>> first = trustkit.CheckIn("partner", {"afraid_of_partner": True}, at)
        >>> state = trustkit.advance(trustkit.CoupleState(), first)
        >>> later = trustkit.CheckIn("partner", {"feels_heard": 4}, at + dt.timedelta(weeks=1))
        >>> trustkit.recommend_next_step(later, state=state).safety
        True
    """
    from trustkit._engine.state import advance as fold_one  # noqa: PLC0415

    chosen = default_pack() if pack is None else pack
    c = compiled(chosen)
    step = None if recommendation is None else recommendation.step.id
    return fold_one(c, state, checkin, step, decider(c))


@public
def compile_pack(pack: ContentPack | None = None) -> ContentPack:
    """Compile a pack now, so that its first recommendation does not pay for it.

    A pack is compiled (its rules indexed, its answer checks and texts
    prepared) the first time it is used, and the result is kept on the pack.
    Call this at start-up, in each worker process, to move that cost out of
    the first request. Compiling is idempotent and thread-safe.

    Added in version 0.2.0.

    Args:
        pack: The pack to compile; the bundled one by default.

    Returns:
        The same pack, compiled.

    Examples:
        >>> import trustkit
        >>> pack = trustkit.compile_pack()
        >>> pack is trustkit.default_pack()
        True
    """
    chosen = default_pack() if pack is None else pack
    compiled(chosen)
    return chosen


@public
def recommend_many(
    checkins: Iterable[CheckIn | Mapping[str, object]],
    *,
    respondent: Role | str | None = None,
    pack: ContentPack | None = None,
    country: str | None = None,
    locale: str | None = None,
    state: CoupleState | None = None,
    history: Iterable[CheckIn] | None = None,
) -> Iterator[Recommendation]:
    """Recommend the next step for many check-ins, one result each, in order.

    The same as calling [`recommend_next_step`][trustkit.recommend_next_step]
    on each check-in with the same keywords (the same checks, the same
    errors, equal results, decided by the same code), with the pack and
    locale worked out once for the whole batch. Each check-in is decided as
    it is read and results are yielded in order, so a long stream of
    check-ins never sits in memory, and a source that refills and yields one
    dict gets what single calls on its copies get; an invalid check-in raises
    its ``AnswerError`` when its turn comes, after the results before it.
    Equal results within one call are one (immutable) object, said once, so
    the larger the batch, the less each result costs. For a process
    pool, send the check-ins to the workers and call this in each (after
    [`compile_pack`][trustkit.compile_pack] at start-up).

    Added in version 0.2.0.

    Args:
        checkins: ``CheckIn`` objects, or answer mappings (with ``respondent``).
        respondent: As for ``recommend_next_step``, for every check-in.
        pack: The content pack to use; the bundled one by default.
        country: As for ``recommend_next_step``.
        locale: As for ``recommend_next_step``.
        state: For one couple's check-ins, oldest first: the couple's state
            before the first. Each check-in is then decided with the state
            folded from everything before it (as ``recommend_next_step(...,
            state=...)`` followed by [`advance`][trustkit.advance] would),
            one at a time rather than in chunks. A check-in older than the
            one before it is an ``AnswerError`` in its own turn, after the
            help its answers call for.
        history: The same, as the couple's earlier check-ins instead of a state.

    Examples:
        >>> import trustkit
        >>> batch = [{"feels_heard": 1}, {"promises_kept": 1}]
        >>> [rec.step.id for rec in trustkit.recommend_many(batch)]
        ['validation', 'consistency']
    """
    # The batch engine is imported on first use: a process that only makes single calls
    # (a web backend, a command-line run) does not pay for it at start-up.
    from trustkit._engine.many import recommend_many as many  # noqa: PLC0415

    if state is not None or history is not None:
        yield from _one_couple(checkins, respondent, pack, country, locale, state, history)
        return
    chosen = default_pack() if pack is None else pack
    if locale is not None:
        chosen = chosen.localized(locale)
    yield from many(checkins, respondent, chosen, country)


def _one_couple(
    checkins: Iterable[CheckIn | Mapping[str, object]],
    respondent: Role | str | None,
    pack: ContentPack | None,
    country: str | None,
    locale: str | None,
    state: CoupleState | None,
    history: Iterable[CheckIn] | None,
) -> Iterator[Recommendation]:
    """One couple's check-ins, each decided with the state folded from those before it."""
    from trustkit._engine.state import advance as fold_one  # noqa: PLC0415
    from trustkit._engine.state import folded  # noqa: PLC0415

    chosen, given = _localized(pack, locale)
    c = compiled(chosen)
    decide = decider(c)
    past: object = state
    if state is None:
        assert history is not None  # one of them was given
        past, problems = folded(c, history, None, None, None, decide)
        if problems:
            given = (*given, AnswerError(problems))
    late: AnswerError | None = None
    for checkin in checkins:
        if late is not None:
            raise late
        rec = recommend(checkin, respondent, chosen, country, None, (), None, False, past, given)  # type: ignore[arg-type]
        if isinstance(checkin, CheckIn):
            try:
                past = fold_one(c, past, checkin, rec.step.id, decide)
            except AnswerError as error:  # raised in the next turn: this one's help comes first
                late = error
        yield rec
    if late is not None:
        raise late


# --------------------------------------------------------------------- compact pickles


def _bundled_parts(rec: Recommendation) -> tuple[Any, ...] | None:
    """A recommendation from the bundled pack, by the ids of its step and resources."""
    if not default_pack.cache_info().currsize:  # the bundled pack is not in use
        return None
    pack = default_pack()
    if rec.pack_id != pack.id or rec.packs != pack.packs or rec.locale != pack.locale:
        return None
    if rec.problems:  # rare: pickled field by field
        return None
    c = compiled(pack)
    step_id = rec.step.id
    reader = c.readers[rec.respondent]  # the step is the reader's version of one of these
    forms = [
        n
        for n, s in enumerate((c.steps, c.steps_apart, c.crisis_steps))
        if step_id in s and reader.step(s[step_id]) is rec.step
    ]
    form: int | str
    if forms:
        form = forms[0]
    else:  # a crisis step filled with a country's emergency number: the number says which
        number = c.emergency.number_of(rec.step, reader.step)
        if number is None:
            return None
        form = number
    ids = tuple(r.id for r in rec.resources)
    if tuple(c.resources_by_id.get(i) for i in ids) != rec.resources:
        return None
    return (step_id, form, rec.urgency.value, rec.reasons, rec.evidence, rec.rule_id,
            rec.alternatives, ids, rec.respondent.value, rec.safety, rec.plan)  # fmt: skip


@public  # where pickles find it
def bundled_recommendation(parts: tuple[Any, ...]) -> Recommendation:
    """A recommendation from the bundled pack, rebuilt from its compact pickle.

    Pickle calls this; it is not meant to be called directly. It lives at
    ``trustkit.bundled_recommendation`` so that a pickle names no private module.
    """
    step_id, form, urgency, reasons, evidence, rule_id, alternatives, ids, role, safety = parts[:10]
    plan = parts[10] if len(parts) > 10 else None  # pickled before plans were named
    pack = default_pack()
    c = compiled(pack)
    if isinstance(form, str):
        step = c.emergency.filled(step_id, form)
    else:
        step = (c.steps, c.steps_apart, c.crisis_steps)[form][step_id]
    return Recommendation(
        step=c.readers[Role(role)].step(step),
        urgency=Urgency(urgency),
        reasons=reasons,
        evidence=evidence,
        rule_id=rule_id,
        alternatives=alternatives,
        resources=tuple(c.resources_by_id[i] for i in ids),
        respondent=Role(role),
        safety=safety,
        pack_id=pack.id,
        pack_version=pack.version,
        packs=pack.packs,
        locale=pack.locale,
        plan=plan,
    )


def _reduce_recommendation(rec: Recommendation) -> tuple[Any, ...]:
    # A recommendation from the bundled pack refers to its step and resources by id
    # (a few hundred bytes instead of about 9 KB); any other pickles field by field.
    parts = _bundled_parts(rec)
    if parts is not None:
        return (bundled_recommendation, (parts,))
    reduced = rec.__reduce_ex__(4)
    assert isinstance(reduced, tuple)  # attrs classes reduce to a tuple, never a name
    return reduced


copyreg.pickle(Recommendation, _reduce_recommendation)


@public
def trace(
    answers: Mapping[str, object] | CheckIn,
    *,
    respondent: Role | str | None = None,
    history: Iterable[CheckIn] | None = None,
    boundaries: Iterable[Boundary] = (),
    pack: ContentPack | None = None,
    now: dt.datetime | None = None,
    country: str | None = None,
    locale: str | None = None,
    history_ordered: bool = False,
    state: CoupleState | None = None,
) -> Trace:
    """Recommend the next step, and show every rule that was tried and what became of it.

    Takes the same arguments as
    [`recommend_next_step`][trustkit.recommend_next_step] and returns the same
    recommendation, with a [`Trace`][trustkit.Trace] of every rule in the
    order it was tried (safety rules first): whether it held and, for one that
    did not, the first part of its condition that failed and the questions
    and facts that part reads. For a pack author asking "why did this rule
    not fire?". With ``history_ordered=True`` the history is read as
    ``recommend_next_step`` reads it then (a sorted list, oldest first).

    A trace holds rule ids and conditions, never an answer. It says no more
    than the recommendation does: during a safety period, the trace for the
    partner who did not screen positive leaves out the rules for couples
    steps, without saying why (see "Safety over time" in the docs).

    Tracing takes a path of its own: ``recommend_next_step`` is not slowed
    by it.

    Added in version 0.2.0.

    Raises:
        AnswerError: As for ``recommend_next_step``.
        NoStepError: As for ``recommend_next_step``.

    Examples:
        >>> import trustkit
        >>> t = trustkit.trace({"feels_heard": 1, "promises_kept": 4})
        >>> t.recommendation.rule_id
        'validation-not-heard'
        >>> t.rule("validation-not-heard").outcome.value
        'decided'
        >>> entry = t.rule("consistency-promises")
        >>> entry.held, entry.failed
        (False, 'any(promises_kept <= 2, missed_commitments >= 2)')
        >>> entry.questions
        ('promises_kept', 'missed_commitments')
    """
    from trustkit._engine.trace import trace as run_trace  # noqa: PLC0415  (only when tracing)

    chosen, given = _localized(pack, locale)
    return run_trace(
        answers,
        respondent,
        chosen,
        country,
        history,
        boundaries,
        now,
        history_ordered,
        state,
        given,
    )


@public
def action_label(action: Action, reader: Role | str, messages: Messages | None = None) -> str:
    """Who does an action, said to the person reading: "you", "your partner" or "together".

    An action's ``who`` names a role (``supporter``, ``partner``), ``both`` or
    ``either``; a reader wants it said from where they stand. For the reader's
    own role, and for ``either``, it is the pack's ``who_you`` label; for the
    other role, ``who_partner``; for ``both``, ``who_together``.

    Added in version 0.2.0.

    Args:
        action: One of a step's actions, e.g. from ``rec.step.actions``.
        reader: Who reads it: the role that answered (``rec.respondent``).
        messages: The labels to use: those of the (localized) pack that made
            the recommendation, e.g. ``pack.localized("es").messages``. By
            default, the bundled pack's English ones.

    Returns:
        The label, as the pack writes it.

    Raises:
        AnswerError: ``action`` is not an [`Action`][trustkit.Action], or
            ``reader`` is not ``"partner"`` or ``"supporter"``.

    Examples:
        >>> import trustkit
        >>> rec = trustkit.recommend_next_step({"feels_heard": 1}, respondent="partner")
        >>> [trustkit.action_label(a, rec.respondent) for a in rec.step.actions]
        ['your partner', 'your partner', 'you']
        >>> es = trustkit.default_pack().localized("es").messages
        >>> trustkit.action_label(rec.step.actions[-1], "partner", es)
        'tú'
    """
    if not isinstance(action, Action):
        raise AnswerError(
            [AnswerProblem("action", "an Action of a step", code=ProblemCode.WRONG_TYPE)]
        )
    given: object = reader  # typed, but callers may pass anything
    role = Role(given) if isinstance(given, str) and given in _READERS else None
    if role is None:
        raise AnswerError(
            [AnswerProblem("reader", "'partner' or 'supporter'", code=ProblemCode.INVALID_VALUE)]
        )
    labels = default_pack().messages if messages is None else messages
    if action.who is Who.BOTH:
        return labels.who_together
    if action.who is Who.EITHER or action.who.value == role.value:
        return labels.who_you
    return labels.who_partner


_READERS = frozenset(role.value for role in Role)


# ------------------------------------------------------------------------- safety plans

_KINDS = "one of " + ", ".join(repr(k.value) for k in PlanKind)


@public
def safety_plan(
    kind: PlanKind | str,
    *,
    country: str | None = None,
    locale: str | None = None,
    pack: ContentPack | None = None,
) -> SafetyPlan:
    """A safety plan of one kind, ready for the person to fill in with their own words.

    The plan has six sections, after published safety-planning practice (see
    "Safety plans" in docs/safety.md): warning signs; things I can do on my
    own; people and places that help me feel better; people I can ask for
    help; professionals and lines; and making things safer. Each holds the
    pack's prompts; "professionals and lines" also lists the pack's lines for
    the country (the emergency number first), each with the date its details
    were ``verified``. A safety recommendation's ``plan`` says which kind fits.

    The plan is the person's alone. trustkit keeps no copy and no record that
    one was made, and nothing about it reaches the other partner's
    recommendations, traces or batch results. Store it with that person's own
    data (never with the couple's shared data or check-ins), and show it only
    to them.

    Added in version 0.2.0.

    Args:
        kind: Which plan: ``"self_harm"``, ``"abuse"`` or ``"supporter"`` (for
            someone worried about a partner who spoke of self-harm).
        country: An ISO 3166-1 alpha-2 code such as ``"GB"`` (any case): list
            that country's lines and the international ones, and fill in its
            emergency number. ``None`` lists every line.
        locale: A BCP 47 tag such as ``"es"``: the plan's language, where the
            pack has texts for it.
        pack: The pack whose texts and lines to use; the bundled pack by default.

    Returns:
        The plan, with no entries yet.

    Raises:
        AnswerError: ``kind`` is not a kind of plan the pack has, or
            ``country`` or ``locale`` is not a code or tag that can be used.
        PackError: The pack has a problem (a pack built in Python is checked
            before it is first used).

    Examples:
        >>> import trustkit
        >>> plan = trustkit.safety_plan("abuse", country="GB")
        >>> plan.title, plan.professionals.resources[0].phone
        ('My safety plan', '999')
        >>> [section.part.value for section in plan.sections][:2]
        ['warning_signs', 'on_my_own']
        >>> trustkit.safety_plan("self_harm", locale="es").warning_signs.heading
        'Señales de alarma'
    """
    try:
        wanted = PlanKind(kind)
    except (ValueError, TypeError):
        raise AnswerError([AnswerProblem("kind", _KINDS, code=ProblemCode.INVALID_VALUE)]) from None
    code = country_code(country)
    chosen = default_pack() if pack is None else pack
    if locale is not None:
        chosen = chosen.localized(locale)
    c = compiled(chosen)
    texts = template(c, wanted)
    if texts is None:
        have = ", ".join(repr(p.kind.value) for p in chosen.plans) or "none"
        raise AnswerError(
            [
                AnswerProblem(
                    "kind",
                    f"a kind of plan the pack has ({have})",
                    code=ProblemCode.INVALID_VALUE,
                )
            ]
        )
    return make_plan(c, texts, code)


@public
def render_plan(plan: SafetyPlan, *, pack: ContentPack | None = None) -> str:
    """A safety plan as plain text, ready to show or print.

    The title and introduction, then each section numbered, with its prompts,
    what the person wrote (or lines to write on), and under "professionals and
    lines" each line with how to reach it and when its details were checked.
    The words around the plan's own texts come from ``pack`` (the bundled pack
    by default) in the plan's language.

    Added in version 0.2.0.

    Args:
        plan: The plan, as [`safety_plan`][trustkit.safety_plan] made it
            (with any entries added since).
        pack: The pack the plan was made with; the bundled pack by default.

    Returns:
        The text, ending in a newline.

    Examples:
        >>> import trustkit
        >>> plan = trustkit.safety_plan("self_harm", country="GB")
        >>> plan = plan.with_entries("on_my_own", ["Walk round the block"])
        >>> text = trustkit.render_plan(plan)
        >>> print(text.splitlines()[0])
        My safety plan
        >>> "   - Walk round the block" in text
        True
    """
    chosen = default_pack() if pack is None else pack
    return render(plan, chosen.localized(plan.locale).messages)


# --------------------------------------------------------------------------- programmes

_CADENCES = "one of " + ", ".join(repr(c.value) for c in Cadence)
_MAX_ZONE_CHARS = 255


def _zone(tz: object) -> ZoneInfo | None:
    """The time zone ``tz`` names, or None if it names none."""
    if isinstance(tz, ZoneInfo):
        return tz if tz.key else None
    if not isinstance(tz, str) or not tz or len(tz) > _MAX_ZONE_CHARS:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _whole_in(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@public
def programme(
    recommendation: Recommendation,
    *,
    start: dt.date,
    tz: str | ZoneInfo,
    days: int = 14,
    cadence: Cadence | str = Cadence.DAILY,
    at: dt.time = dt.time(19, 0),
    hours: int = 3,
    state: CoupleState | None = None,
    pack: ContentPack | None = None,
) -> Programme:
    """Spread a recommendation's actions over days: one dated task a day, each with a window.

    The reader's own actions (and those done together) come up shortest first,
    then again in the same order, for practice, until the days are filled: one
    task on each day the ``cadence`` gives. Each task opens at ``at`` on the
    wall clock in ``tz`` (19:00 stays 19:00 when the clocks change) and stays
    open ``hours`` hours. Its ``reminder`` is discreet, for a lock screen: it
    names no action, no feeling and no partner (pack check refuses reminder
    texts that hold one of the pack's ``sensitive_words``).

    Safety first. For a safety result the programme holds only the actions
    that are safe in a crisis. While a safety period is open in ``state``, for
    either partner, no couples work is scheduled: no action done together and
    nothing of a couples step. Such a programme looks just like one made from
    a step without couples work: nothing in it says why. A programme is fixed
    once made, so rebuild it after every check-in, with the state that
    includes it (see "Programmes over days" in the docs): keep
    ``old.until(checkin.at)`` as the past and make the rest anew from the
    check-in's date. Couples work comes back only in a programme built after
    the period has ended.

    trustkit never reads the clock: the same arguments give the same programme.

    Added in version 0.2.0.

    Args:
        recommendation: What [`recommend_next_step`][trustkit.recommend_next_step]
            gave the reader.
        start: The first day (a `datetime.date`, in ``tz``).
        tz: An IANA time zone such as ``"Europe/Madrid"``, or a
            `zoneinfo.ZoneInfo`.
        days: How many days, 7 to 21.
        cadence: ``"daily"``, ``"alternate"`` (every other day) or
            ``"weekdays"`` (Monday to Friday).
        at: When each task's window opens, on the wall clock (no tzinfo).
        hours: How long each window stays open, 1 to 24.
        state: The couple's state (from [`advance`][trustkit.advance]) at the
            time of the recommendation or later: an open safety period in it
            keeps couples work out.
        pack: The pack that made the recommendation, for the reminders and
            labels in its language; the bundled pack by default.

    Returns:
        The programme. It has no tasks when none of the step's actions is the
        reader's to do (or none is left while couples work is paused).

    Raises:
        AnswerError: An argument is not one that can be used; each problem
            names the argument.

    Examples:
        >>> import datetime as dt, trustkit
        >>> rec = trustkit.recommend_next_step({"promises_kept": 1}, respondent="supporter")
        >>> plan = trustkit.programme(rec, start=dt.date(2026, 3, 2), tz="Europe/London", days=7)
        >>> for task in plan.tasks[:3]:  # the shortest first
        ...     print(task.day, task.action_id, task.who)
        1 consistency-warn-early-when-plans-change you
        2 consistency-keep-three-small-promises you
        3 consistency-one-steady-ritual together
        >>> plan.tasks[0].opens.isoformat(), plan.tasks[0].reminder
        ('2026-03-02T19:00:00+00:00', 'A few minutes for the plan you chose (about 2 min).')
    """
    problems: list[AnswerProblem] = []

    def bad(field: str, expected: str, code: ProblemCode) -> None:
        problems.append(AnswerProblem(field, expected, code=code))

    given: tuple[object, object, object] = (recommendation, start, at)  # callers may pass anything
    if not isinstance(given[0], Recommendation):
        bad("recommendation", "a Recommendation", ProblemCode.WRONG_TYPE)
    if not isinstance(given[1], dt.date) or isinstance(given[1], dt.datetime):
        bad("start", "a datetime.date (the first day)", ProblemCode.WRONG_TYPE)
    zone = _zone(tz)
    if zone is None:
        bad("tz", "an IANA time zone name such as 'Europe/London'", ProblemCode.INVALID_VALUE)
    if not _whole_in(days, MIN_DAYS, MAX_DAYS):
        bad("days", f"a whole number from {MIN_DAYS} to {MAX_DAYS}", ProblemCode.OUT_OF_RANGE)
    try:
        every = Cadence(cadence)
    except ValueError:
        bad("cadence", _CADENCES, ProblemCode.INVALID_VALUE)
    if not isinstance(given[2], dt.time) or given[2].tzinfo is not None:
        bad("at", "a datetime.time without tzinfo (a wall-clock time)", ProblemCode.WRONG_TYPE)
    if not _whole_in(hours, 1, MAX_HOURS):
        bad("hours", f"a whole number from 1 to {MAX_HOURS}", ProblemCode.OUT_OF_RANGE)
    current = None
    if state is not None:
        from trustkit._engine.state import checked_state  # noqa: PLC0415

        current, wrong = checked_state(state)
        problems.extend(wrong)
    if problems:
        raise AnswerError(problems)
    assert zone is not None
    chosen = default_pack() if pack is None else pack
    messages = chosen.localized(recommendation.locale).messages
    reader = recommendation.respondent
    return build(
        recommendation,
        start=start,
        days=days,
        zone=zone,
        cadence=every,
        at=at,
        hours=hours,
        period_open=current is not None and bool(current.disclosures),
        messages=messages,
        label=lambda action: action_label(action, reader, messages),
        pack_id=chosen.id,
        pack_version=chosen.version,
    )


@public
def progress(
    programme: Programme,
    completions: Mapping[str, dt.datetime],
    *,
    pack: ContentPack | None = None,
) -> Progress:
    """How far along a programme is, from the tasks done: counts that never go down.

    A task counts as done whenever it was done, early, on time or late, and a
    missed day takes nothing away: there is no streak to lose. Adding a
    completion never lowers any count. Ids of tasks that are not in the
    programme (from an earlier one, say) are left out.

    Added in version 0.2.0.

    Args:
        programme: The programme, from [`programme`][trustkit.programme].
        completions: The id of each task done, and when it was done (a
            timezone-aware datetime).
        pack: The pack the programme was made with, for its kind words in the
            programme's language; the bundled pack by default.

    Returns:
        The counts, and a few kind words about them.

    Raises:
        AnswerError: ``programme`` is not one, ``completions`` is not a
            mapping, or a time of one of the programme's tasks is not a
            timezone-aware datetime.

    Examples:
        >>> import datetime as dt, trustkit
        >>> rec = trustkit.recommend_next_step({"promises_kept": 1}, respondent="supporter")
        >>> plan = trustkit.programme(rec, start=dt.date(2026, 3, 2), tz="Europe/London", days=7)
        >>> done = {plan.tasks[0].id: plan.tasks[0].opens, plan.tasks[2].id: plan.tasks[2].closes}
        >>> seen = trustkit.progress(plan, done)
        >>> seen.done, seen.total, seen.days_active
        (2, 7, 2)
        >>> seen.message
        '2 of 7 done so far. Each one counts, whenever you do it.'
    """
    if not isinstance(programme, Programme):
        raise AnswerError([AnswerProblem("programme", "a Programme", code=ProblemCode.WRONG_TYPE)])
    if not isinstance(completions, Mapping):
        raise AnswerError(
            [
                AnswerProblem(
                    "completions",
                    "a mapping of task id to when it was done",
                    code=ProblemCode.WRONG_TYPE,
                )
            ]
        )
    for task in programme.tasks:
        when: object = completions.get(task.id)
        if when is not None and not (
            isinstance(when, dt.datetime) and when.utcoffset() is not None
        ):
            raise AnswerError(
                [
                    AnswerProblem(
                        "completions",
                        "a timezone-aware datetime for each task done",
                        code=ProblemCode.WRONG_TYPE,
                    )
                ]
            )
    chosen = default_pack() if pack is None else pack
    return measure(programme, completions, chosen.localized(programme.locale).messages)
