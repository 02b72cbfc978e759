"""The top-level functions: the bundled pack and ``recommend_next_step``."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from trustkit._engine.recommend import recommend
from trustkit._pack.sources import load_pack
from trustkit.models import CheckIn, ContentPack, Recommendation, Role, Trace

if TYPE_CHECKING:
    from trustkit._boundary import Boundary


@functools.cache
def default_pack() -> ContentPack:
    """The content pack bundled with trustkit (read and checked once, then cached).

    Examples:
        >>> import trustkit
        >>> pack = trustkit.default_pack()
        >>> [step.id for step in pack.steps][:3]
        ['educate', 'patience', 'consistency']
    """
    return load_pack("core")


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

    Args:
        answers: Question id to answer, as parsed from JSON (``None`` means
            "not answered"), or a [`CheckIn`][trustkit.CheckIn]. Missing answers
            are fine: a rule that needs one does not hold.
        respondent: Who answered: ``"partner"`` (the partner who struggles to
            trust; the default for a mapping) or ``"supporter"``. For a
            ``CheckIn`` it defaults to, and must match, the check-in's own.
        history: The couple's earlier check-ins, either role, in any order.
            Facts such as which scores improved, how often a step has come
            up in a row and how far apart the two partners see things come
            from the most recent 12. A positive safety screen is remembered
            for the pack's safety period (52 weeks) however many check-ins
            follow it, so pass at least the check-ins of that period: see
            "Safety over time" in the docs. ``None`` (the default) means the app keeps no
            history; pass ``()`` for a couple's very first check-in.
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

    Raises:
        AnswerError: An answer does not fit the questionnaire (unknown
            question, a question for the other role, wrong type or out of
            range), or ``country`` or ``locale`` is not a code or tag that
            can be used. Every problem is listed; no value is ever repeated.
        NoStepError: No rule holds (only for packs without a catch-all rule).

    Examples:
        >>> import trustkit
        >>> rec = trustkit.recommend_next_step({"feels_heard": 1})
        >>> rec.step.id, rec.urgency.value
        ('validation', 'info')
    """
    chosen = default_pack() if pack is None else pack
    if locale is not None:
        chosen = chosen.localized(locale)
    return recommend(answers, respondent, chosen, country, history, boundaries, now)


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
) -> Trace:
    """Recommend the next step, and show every rule that was tried and what became of it.

    Takes the same arguments as
    [`recommend_next_step`][trustkit.recommend_next_step] and returns the same
    recommendation, with a [`Trace`][trustkit.Trace] of every rule in the
    order it was tried (safety rules first): whether it held and, for one that
    did not, the first part of its condition that failed and the questions
    and facts that part reads. For a pack author asking "why did this rule
    not fire?".

    A trace holds rule ids and conditions, never an answer. It says no more
    than the recommendation does: during a safety period, the trace for the
    partner who did not screen positive leaves out the rules for couples
    steps, without saying why (see "Safety over time" in the docs).

    Tracing takes a path of its own: ``recommend_next_step`` is not slowed
    by it.

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

    chosen = default_pack() if pack is None else pack
    if locale is not None:
        chosen = chosen.localized(locale)
    return run_trace(answers, respondent, chosen, country, history, boundaries, now)
