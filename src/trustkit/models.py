"""The data trustkit works with: content, check-ins and recommendations.

Every model is an immutable, slotted attrs class. Content models (`Step`,
`Question`, `Rule`, ...) come from a content pack; a
`CheckIn` comes from one partner; a `Recommendation` is what
[`trustkit.recommend_next_step`][trustkit.recommend_next_step] returns.

Models hold data only: they know nothing of files or of how a recommendation is
chosen.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping
from typing import Any, TypeAlias, cast

import attrs

from trustkit._roles import Role
from trustkit._vocabulary import (
    EMERGENCY_ELSEWHERE,
    LABELS,
    SAFETY_EARLIER,
    SAFETY_PERIOD_FLOOR_WEEKS,
    SENSITIVE_WORDS,
)
from trustkit.errors import AnswerError, AnswerProblem, ProblemCode

__all__ = [
    "Action",
    "AllOf",
    "Alternative",
    "Always",
    "Answer",
    "AnswerCompare",
    "Answered",
    "AnyOf",
    "Cadence",
    "CheckIn",
    "Condition",
    "ContentPack",
    "DecisionRecord",
    "Dimension",
    "Evidence",
    "FactCompare",
    "Feedback",
    "FeedbackOutcome",
    "FeedbackReason",
    "LocaleFile",
    "Messages",
    "Not",
    "Op",
    "Option",
    "Origin",
    "PackRef",
    "PlanKind",
    "PlanPart",
    "PlanSection",
    "PlanTemplate",
    "Programme",
    "Progress",
    "Question",
    "QuestionKind",
    "Recommendation",
    "Replay",
    "ReplayOutcome",
    "Resource",
    "Role",
    "Rule",
    "RuleOutcome",
    "RuleTrace",
    "SafetyPlan",
    "ScoreCompare",
    "Step",
    "Task",
    "Text",
    "Trace",
    "Translation",
    "Urgency",
    "Who",
]

Answer: TypeAlias = bool | int | str | frozenset[str]
"""The value of one answer: ``True``/``False`` for yes/no questions, an ``int`` for scales and
counts, an option's code for a choice question and a ``frozenset`` of codes for a multiple
choice question (the last two added in version 0.3.0).

Added in version 0.1.0.
"""


class Who(enum.StrEnum):
    """Who does an `Action`.

    Added in version 0.1.0.
    """

    SUPPORTER = "supporter"
    """The partner who is helping."""
    PARTNER = "partner"
    """The partner who struggles to trust."""
    BOTH = "both"
    """Both partners, together: a couples exercise."""
    EITHER = "either"
    """Whoever is reading."""


class QuestionKind(enum.StrEnum):
    """The kind of answer a `Question` takes.

    Added in version 0.1.0.
    """

    SCALE = "scale"
    """Agreement from 1 (strongly disagree) to 5 (strongly agree)."""
    YES_NO = "yes_no"
    """``True`` or ``False``."""
    COUNT = "count"
    """A whole number, 0 or more."""
    CHOICE = "choice"
    """One of the question's coded `Option`s: the option's code (text).

    Added in version 0.3.0."""
    MULTIPLE_CHOICE = "multiple_choice"
    """Any of the question's coded `Option`s: the codes chosen, as a ``frozenset`` of text
    (a list in JSON; none chosen is an empty set, not unanswered).

    Added in version 0.3.0."""


class Urgency(enum.StrEnum):
    """How soon a recommendation should be acted on (after CDS Hooks' card indicator).

    Members compare by urgency, not alphabetically, also with their string
    values: ``Urgency.INFO < Urgency.CRITICAL`` and ``Urgency.WARNING < "critical"``.

    Added in version 0.1.0.
    """

    INFO = "info"
    """Guidance worth reading when there is time."""
    WARNING = "warning"
    """Something needs attention soon."""
    CRITICAL = "critical"
    """Someone may be at risk: act now."""

    @property
    def rank(self) -> int:
        """0 for ``INFO``, 1 for ``WARNING``, 2 for ``CRITICAL``."""
        return _URGENCY_RANK[self]

    def _other_rank(self, other: object) -> int | None:
        if isinstance(other, Urgency):
            return other.rank
        if isinstance(other, str):
            try:
                return Urgency(other).rank
            except ValueError:
                raise TypeError(
                    f"an urgency compares only with an urgency, not {other!r}"
                ) from None
        return None

    def __lt__(self, other: object) -> bool:
        rank = self._other_rank(other)
        return NotImplemented if rank is None else self.rank < rank

    def __le__(self, other: object) -> bool:
        rank = self._other_rank(other)
        return NotImplemented if rank is None else self.rank <= rank

    def __gt__(self, other: object) -> bool:
        rank = self._other_rank(other)
        return NotImplemented if rank is None else self.rank > rank

    def __ge__(self, other: object) -> bool:
        rank = self._other_rank(other)
        return NotImplemented if rank is None else self.rank >= rank


_URGENCY_RANK = {Urgency.INFO: 0, Urgency.WARNING: 1, Urgency.CRITICAL: 2}


class Op(enum.StrEnum):
    """A comparison operator in a rule condition.

    Added in version 0.1.0.
    """

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    """One of these codes was chosen (choice questions; added in version 0.3.0)."""
    NOT_IN = "not in"
    """The question was answered and none of these codes was chosen (added in version 0.3.0)."""
    CONTAINS = "contains"
    """Every one of these codes was chosen (multiple choice only; added in version 0.3.0)."""


class PlanKind(enum.StrEnum):
    """Which kind of safety plan fits: see [`trustkit.safety_plan`][trustkit.safety_plan].

    Added in version 0.2.0.
    """

    SELF_HARM = "self_harm"
    """For someone who has thoughts of harming themselves or ending their life."""
    ABUSE = "abuse"
    """For someone who is afraid of, controlled, hurt or threatened by a partner."""
    SUPPORTER = "supporter"
    """For someone worried about a partner who spoke of harming themselves: how to help, and
    how to look after themselves."""


class PlanPart(enum.StrEnum):
    """One of the six sections of a [`SafetyPlan`][trustkit.SafetyPlan], in the plan's order.

    The order follows the Safety Planning Intervention (Stanley and Brown): notice
    the warning signs, cope on your own, be with people and places that help,
    ask people for help, reach professionals and lines, make things safer.

    Added in version 0.2.0.
    """

    WARNING_SIGNS = "warning_signs"
    """Warning signs: what tells me a crisis may be coming."""
    ON_MY_OWN = "on_my_own"
    """Things I can do on my own."""
    PEOPLE_AND_PLACES = "people_and_places"
    """People and places that help me feel better."""
    ASK_FOR_HELP = "ask_for_help"
    """People I can ask for help."""
    PROFESSIONALS = "professionals"
    """Professionals and lines: the pack's verified resources, the emergency number first."""
    SAFER = "safer"
    """Making things safer (for abuse: a safe place, documents, a code word, a bag, and
    device and account safety)."""


@attrs.frozen
class Origin:
    """Where a pack item was defined, for error messages.

    Added in version 0.1.0.

    Attributes:
        file: The pack file, e.g. ``"core/rules.toml"``.
        line: The line the item starts on, when known.
    """

    file: str
    line: int | None = None


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _sources(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _roles(values: Iterable[Role | str]) -> frozenset[Role]:
    return frozenset(Role(v) for v in values)


# Converters typed with what they take, so that type checkers accept the values the docs
# use (``who="both"``) and refuse others (``who=3``): an enum class as converter takes
# ``object`` for both mypy and pyright.


def _who(value: Who | str) -> Who:
    return Who(value)


def _kind(value: QuestionKind | str) -> QuestionKind:
    return QuestionKind(value)


def _op(value: Op | str) -> Op:
    return Op(value)


def _urgency(value: Urgency | str) -> Urgency:
    return Urgency(value)


def _plan_kind(value: PlanKind | str) -> PlanKind:
    return PlanKind(value)


def _plan_part(value: PlanPart | str) -> PlanPart:
    return PlanPart(value)


def _optional_plan_kind(value: PlanKind | str | None) -> PlanKind | None:
    return None if value is None else PlanKind(value)


def _origin_field() -> Any:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


# --------------------------------------------------------------------------- content


@attrs.frozen
class Action:
    """One concrete thing to do as part of a step.

    Added in version 0.1.0.

    Attributes:
        id: Stable id, unique in the pack.
        title: A short, imperative title.
        how: What to do, in a few concrete sentences.
        minutes: About how long it takes.
        who: Who does it.
        in_crisis: ``True`` if the action is still safe and useful when the
            safety screen is positive. Such actions are never couples exercises.
    """

    id: str
    title: str
    how: str
    minutes: int
    who: Who = attrs.field(converter=_who)
    in_crisis: bool = False
    origin: Origin | None = _origin_field()


@attrs.frozen
class Step:
    """One of the steps a supporter can take, with what to do and what to watch for.

    Added in version 0.1.0.

    Attributes:
        id: Stable id (the bundled pack's ids are ``educate``, ``patience``,
            ``consistency``, ``communication``, ``validation``, ``boundaries``,
            ``professional_help`` and ``celebrate``, and the supporter's crisis
            step ``support_in_crisis``).
        title: A short, imperative title.
        summary: One sentence (at most 140 characters).
        why: Why this step helps.
        actions: Concrete things to do.
        signs_of_progress: What it looks like when the step is working.
        pitfalls: Common mistakes, each with what to do instead.
        couples: ``True`` for a step that is work done with the other partner
            (talking it through, agreeing together, celebrating together).
            During a safety period such steps are never recommended or
            offered, to either partner.
        title_partner: The title as the partner reads it, where ``title``
            would not read right for them; ``""`` when ``title`` fits (added in
            version 0.2.0).
        title_supporter: The same for the supporter (added in version 0.2.0).
        summary_partner: The summary as the partner reads it, where
            ``summary`` would not read right for them; ``""`` when it fits
            (added in version 0.2.0).
        summary_supporter: The same for the supporter (added in version 0.2.0).

    In a [`Recommendation`][trustkit.Recommendation] the step is the reader's:
    ``title`` and ``summary`` are the versions for ``respondent``, and the
    per-role fields are empty.
    """

    id: str
    title: str
    summary: str
    why: str
    actions: tuple[Action, ...]
    signs_of_progress: tuple[str, ...] = ()
    pitfalls: tuple[str, ...] = ()
    couples: bool = False
    title_partner: str = ""
    title_supporter: str = ""
    summary_partner: str = ""
    summary_supporter: str = ""
    origin: Origin | None = _origin_field()


@attrs.frozen
class Dimension:
    """An area of the relationship that several questions measure together.

    A dimension's score is the mean of its answered scale questions, after
    reverse-keyed ones are flipped (``6 - answer``), so a higher score is
    always better.

    Added in version 0.1.0.

    Attributes:
        id: Stable id.
        label: A short noun phrase used in sentences ("feeling heard").
    """

    id: str
    label: str
    origin: Origin | None = _origin_field()


@attrs.frozen
class Option:
    """One coded answer of a choice question.

    Added in version 0.3.0.

    Attributes:
        code: Stable code, unique in its question; apps store answers by it,
            and conditions name it (``op = "in"``).
        label: The words shown for it (translatable).
        weight: An optional number the option stands for (FHIR's item weight),
            for apps that score answers; rules never read it.
    """

    code: str
    label: str
    weight: int | float | None = None
    origin: Origin | None = _origin_field()


def _options(values: Iterable[Option]) -> tuple[Option, ...]:
    return tuple(values)


@attrs.frozen
class Question:
    """One check-in question.

    Added in version 0.1.0.

    Attributes:
        id: Stable id; apps key answers by it.
        prompt: The statement or question shown to the person answering.
        kind: The kind of answer it takes.
        respondents: Which roles answer it.
        dimension: The dimension a scale question counts towards, if any.
        reverse: ``True`` when agreeing means things are worse.
        safety: ``True`` for the safety screen: a yes always leads to
            professional help.
        high_risk: ``True`` for a safety question that marks the highest
            risk of serious harm (such as strangulation): a yes keeps the
            safety period open for twice the pack's ``safety_period_weeks``.
        tracked: ``True`` for a question needed for trends and progress:
            [`next_questions`][trustkit.next_questions] always asks it, even
            when it cannot change the step (added in version 0.2.0).
        options: The coded answers of a choice question, in the order they
            are offered; empty for every other kind (added in version 0.3.0).
    """

    id: str
    prompt: str
    kind: QuestionKind = attrs.field(converter=_kind)
    respondents: frozenset[Role] = attrs.field(converter=_roles)
    dimension: str | None = None
    reverse: bool = False
    safety: bool = False
    high_risk: bool = False
    tracked: bool = False
    options: tuple[Option, ...] = attrs.field(default=(), converter=_options)
    origin: Origin | None = _origin_field()

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of its options, in order (empty unless it is a choice question)."""
        return tuple(o.code for o in self.options)


@attrs.frozen
class Resource:
    """A helpline or another place to get help.

    Added in version 0.1.0.

    Attributes:
        id: Stable id.
        name: The service's name.
        topics: What it helps with: ``crisis``, ``domestic_abuse``,
            ``emergency``, ``own_behaviour`` (for people worried about how
            they treat a partner) or ``counselling``.
        country: ISO 3166-1 alpha-2 code, or ``"INTL"``.
        source: Where the facts come from: web addresses or other references,
            one per entry (changed in version 0.2: a tuple, was one text
            joined with ``"; "``; a single text given here becomes a tuple
            of one).
        verified: When the facts were last checked, against the service's
            own page unless ``secondary_source`` is set.
        region: Part of the country it serves, if not all of it.
        phone: Number to call.
        text: How to reach it by text message.
        url: Website.
        hours: Opening hours.
        languages: BCP 47 codes of the languages it answers in, where known.
        notes: Anything else worth knowing, in one sentence.
        audience: Who it serves, where it serves only some people, e.g.
            ``"Women"``, ``"Men"`` or ``"Anyone"``; empty when not known.
        secondary_source: ``True`` when some of its facts rest only on pages
            other than the service's own (news, directories, encyclopaedias),
            so ``verified`` could not be checked against the service itself.
    """

    id: str
    name: str
    topics: tuple[str, ...]
    country: str
    source: tuple[str, ...] = attrs.field(converter=_sources)
    verified: dt.date
    region: str = ""
    phone: str = ""
    text: str = ""
    url: str = ""
    hours: str = ""
    languages: tuple[str, ...] = ()
    notes: str = ""
    audience: str = ""
    secondary_source: bool = False
    origin: Origin | None = _origin_field()


@attrs.frozen
class PlanTemplate:
    """A pack's texts for one kind of safety plan, filled by [`safety_plan`][trustkit.safety_plan].

    Each section holds prompts: short questions or suggestions that help the
    person write their own plan, in their own words.

    Attributes:
        id: Stable id, unique in the pack.
        kind: The kind of plan; a pack has one template per kind.
        title: The plan's title ("My safety plan").
        intro: One or two sentences said before the sections.
        warning_signs: Prompts for the warning signs.
        on_my_own: Prompts for things I can do on my own.
        people_and_places: Prompts for people and places that help me feel better.
        ask_for_help: Prompts for people I can ask for help.
        professionals: Prompts for professionals and lines (the pack's
            resources on ``resources`` are listed with them).
        safer: Prompts for making things safer.
        resources: The resource topics whose lines the plan lists, e.g.
            ``("crisis", "emergency")``.

    Added in version 0.2.0.
    """

    id: str
    kind: PlanKind = attrs.field(converter=_plan_kind)
    title: str
    intro: str
    warning_signs: tuple[str, ...]
    on_my_own: tuple[str, ...]
    people_and_places: tuple[str, ...]
    ask_for_help: tuple[str, ...]
    professionals: tuple[str, ...]
    safer: tuple[str, ...]
    resources: tuple[str, ...]
    origin: Origin | None = _origin_field()

    def prompts(self, part: PlanPart | str) -> tuple[str, ...]:
        """The prompts of one section."""
        found: tuple[str, ...] = getattr(self, PlanPart(part).value)
        return found


# ------------------------------------------------------------------------ conditions


def _fmt_value(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, tuple):  # the codes of `Op.IN`, `Op.NOT_IN` and `Op.CONTAINS`
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _compared(value: bool | float | str | Iterable[str]) -> bool | int | float | tuple[str, ...]:
    """A comparison's value: codes (given as a list, a tuple or one text) become a tuple."""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return (value,)
    given: Any = value
    return tuple(given) if isinstance(given, list | tuple | set | frozenset) else given


@attrs.frozen
class AnswerCompare:
    """True when a question was answered and its answer compares as stated.

    Added in version 0.1.0.

    Attributes:
        question: The question id.
        op: The comparison.
        value: What the answer is compared with: ``True``/``False`` or a
            number, or for a choice question (``in``, ``not in``,
            ``contains``) a tuple of option codes (a list or one code is
            read as a tuple; added in version 0.3.0).
    """

    question: str
    op: Op = attrs.field(converter=_op)
    value: bool | int | float | tuple[str, ...] = attrs.field(converter=_compared)

    def __str__(self) -> str:
        return f"{self.question} {self.op} {_fmt_value(self.value)}"


@attrs.frozen
class ScoreCompare:
    """True when a dimension has a score and it compares as stated.

    Added in version 0.1.0.

    Attributes:
        dimension: The dimension id.
        op: The comparison.
        value: What the score is compared with.
    """

    dimension: str
    op: Op = attrs.field(converter=_op)
    value: int | float

    def __str__(self) -> str:
        return f"score({self.dimension}) {self.op} {_fmt_value(self.value)}"


@attrs.frozen
class FactCompare:
    """True when a fact from history or boundaries is known and compares as stated.

    Facts are named like ``improved.feeling_heard``, ``repeats.validation``,
    ``weeks_since_first`` or ``boundaries.crossed``; see "Tracking progress
    over time" in the docs for the list.

    Added in version 0.2.0.

    Attributes:
        fact: The fact's name.
        op: The comparison.
        value: What the fact is compared with.
    """

    fact: str
    op: Op = attrs.field(converter=_op)
    value: bool | int | float

    def __str__(self) -> str:
        return f"{self.fact} {self.op} {_fmt_value(self.value)}"


@attrs.frozen
class Answered:
    """True when a question was answered (whatever the answer).

    Added in version 0.1.0.
    """

    question: str

    def __str__(self) -> str:
        return f"answered({self.question})"


@attrs.frozen
class AllOf:
    """True when every condition holds (and when there are none).

    Added in version 0.1.0.
    """

    conditions: tuple[Condition, ...]

    def __str__(self) -> str:
        return "all(" + ", ".join(map(str, self.conditions)) + ")"


@attrs.frozen
class AnyOf:
    """True when at least one condition holds.

    Added in version 0.1.0.
    """

    conditions: tuple[Condition, ...]

    def __str__(self) -> str:
        return "any(" + ", ".join(map(str, self.conditions)) + ")"


@attrs.frozen
class Not:
    """True when the inner condition does not hold.

    Added in version 0.1.0.
    """

    condition: Condition

    def __str__(self) -> str:
        return f"not({self.condition})"


@attrs.frozen
class Always:
    """Always true: the condition of a catch-all rule.

    Added in version 0.1.0.
    """

    def __str__(self) -> str:
        return "always"


Condition: TypeAlias = (
    AnswerCompare | ScoreCompare | FactCompare | Answered | AllOf | AnyOf | Not | Always
)
"""Any rule condition.

Added in version 0.1.0.
"""


@attrs.frozen
class Rule:
    """A rule: when its condition holds, it proposes a step.

    Added in version 0.1.0.

    Attributes:
        id: Stable id, unique in the pack.
        step: The id of the step it proposes.
        when: The condition.
        priority: Higher wins; ties break on the rule id.
        urgency: How soon to act on the step.
        reason: A plain sentence saying why this step comes next.
        resources: Resource topics to attach to the recommendation.
        safety: ``True`` for a safety rule: safety rules are checked before
            all others, and any that holds decides the recommendation.
        reason_partner: The reason as the partner reads it, where ``reason``
            would not read right for them; ``""`` when it fits (added in
            version 0.2.0).
        reason_supporter: The same for the supporter (added in version 0.2.0).
        plan: For a safety rule, the kind of safety plan that fits the
            person it holds for (every safety rule names one; added in
            version 0.2.0). ``None`` for other rules.
    """

    id: str
    step: str
    when: Condition
    priority: int = 0
    urgency: Urgency = attrs.field(default=Urgency.INFO, converter=_urgency)
    reason: str = ""
    resources: tuple[str, ...] = ()
    safety: bool = False
    reason_partner: str = ""
    reason_supporter: str = ""
    plan: PlanKind | None = attrs.field(default=None, converter=_optional_plan_kind)
    origin: Origin | None = _origin_field()


@attrs.frozen
class Messages:
    """Sentence templates a pack uses to explain a recommendation.

    Each template is a `str.format` string. ``{prompt}`` is a question's
    prompt, ``{value}`` the answer or score, ``{label}`` a dimension's label.

    Added in version 0.1.0.

    Attributes:
        answer_yes: For a yes/no question answered yes.
        answer_no: For a yes/no question answered no.
        answer_scale: For a scale question.
        answer_count: For a count question.
        score: For a dimension score.
        change: For a score that changed since an earlier check-in
            (``{label}``, ``{before}``, ``{after}``, ``{date}``).
        repeats: For a step suggested several times in a row (``{step}``, ``{value}``).
        journey: For how far along the couple is (``{checkins}``, ``{weeks}``).
        streak: For weeks in a row with a check-in (``{value}``).
        gap: For partners who see a dimension differently (``{label}``, ``{value}``).
        boundaries_proposed: For boundaries waiting to be agreed (``{value}``).
        boundaries_crossed: For boundaries crossed since the last check-in (``{value}``).
        boundaries_due: For boundaries due for review (``{value}``).
        date: How a date is written (``{day}``, ``{month}``, ``{year}``).
        months: The names of the twelve months, for ``{month}``.
        safety_earlier: Said, during a safety period, to the partner whose
            earlier check-in was a positive safety screen. It acknowledges
            that answer without repeating it (``{emergency}``: the emergency
            number for the country).
        emergency_elsewhere: What ``{emergency}`` says in crisis texts where
            the pack has no emergency number for the country, or no country
            was given ("your local emergency number (...)").

    The labels that apps and the ``trustkit`` command show around the content
    are messages too. Each is optional in messages.toml, with the English
    default shown, and translated like any other template:

    Attributes:
        scale_1: The scale's anchor for 1 ("strongly disagree").
        scale_2: The scale's anchor for 2 ("disagree").
        scale_3: The scale's anchor for 3 ("neither agree nor disagree").
        scale_4: The scale's anchor for 4 ("agree").
        scale_5: The scale's anchor for 5 ("strongly agree").
        word_yes: The word for yes ("yes"); a reply of it, or of its first
            letter, answers a yes/no question in ``trustkit checkin``.
        word_no: The word for no ("no"), likewise.
        who_you: Who does an action: the reader ("you").
        who_partner: Who does an action: the reader's partner ("your partner").
        who_together: Who does an action: both, together ("together").
        urgency_info: The name of `Urgency.INFO` ("info").
        urgency_warning: The name of `Urgency.WARNING` ("warning").
        urgency_critical: The name of `Urgency.CRITICAL` ("critical").
        heading_next_step: Heading of the step ("Next step").
        heading_get_help: Heading of the helplines ("Get help now").
        heading_why: Heading of the reasons ("Why").
        heading_actions: Heading of the actions ("What you can do").
        heading_alternatives: Heading of the other steps ("Also worth a look").
        action_minutes: How long an action takes (``{minutes}``: "{minutes} min").
        resource_audience: Whom a helpline is for (``{audience}``: "for: {audience}").
        resource_phone: How to call a helpline (``{phone}``: "call {phone}").
        checkin_intro: Said before the first question (``{back}``, what to type to go back).
        checkin_progress: How far along the check-in is (``{number}``, ``{total}``: "{number}
            of {total}").
        checkin_retry: Said after a reply that is not an answer (``{hint}``, ``{back}``).
        checkin_safety: Said before the safety questions.
        hint_count: What a count question takes ("0 or more").
        hint_choice: What a choice question takes, its options listed with
            numbers ("the number of one answer"; added in version 0.3.0).
        hint_multiple_choice: What a multiple choice question takes ("the
            numbers of the answers that fit, separated by commas"; added in
            version 0.3.0).

    The headings of a [`SafetyPlan`][trustkit.SafetyPlan]'s sections, and how a
    plan says when a line's details were checked (added in version 0.2.0):

    Attributes:
        plan_warning_signs: "Warning signs".
        plan_on_my_own: "Things I can do on my own".
        plan_people_and_places: "People and places that help me feel better".
        plan_ask_for_help: "People I can ask for help".
        plan_professionals: "Professionals and lines".
        plan_safer: "Making things safer".
        plan_checked: When a line's details were checked (``{date}``:
            "details checked {date}").

    The discreet texts of a [`Programme`][trustkit.Programme] (added in version
    0.2.0). Anyone who picks up the phone may read them, so none may hold one of
    ``sensitive_words`` (pack check reports it):

    Attributes:
        reminder: A task's reminder (``{minutes}``).
        reminder_again: The reminder of a task that repeats an action for practice
            (``{minutes}``).
        progress_none: Said by [`progress`][trustkit.progress] before any task is done.
        progress_some: Said when some are done (``{done}``, ``{total}``).
        progress_all: Said when all are done (``{total}``).
        sensitive_words: Words a discreet text must never hold (matched at the
            start of a word, in any case, accents ignored). A locale file gives
            its own language's; its texts are checked against its own words
            and the pack's.
    """

    answer_yes: str
    answer_no: str
    answer_scale: str
    answer_count: str
    score: str
    change: str
    repeats: str
    journey: str
    streak: str
    gap: str
    boundaries_proposed: str
    boundaries_crossed: str
    boundaries_due: str
    date: str
    months: tuple[str, ...] = attrs.field(converter=_str_tuple)
    safety_earlier: str = SAFETY_EARLIER
    emergency_elsewhere: str = EMERGENCY_ELSEWHERE
    scale_1: str = LABELS["scale_1"]
    scale_2: str = LABELS["scale_2"]
    scale_3: str = LABELS["scale_3"]
    scale_4: str = LABELS["scale_4"]
    scale_5: str = LABELS["scale_5"]
    word_yes: str = LABELS["word_yes"]
    word_no: str = LABELS["word_no"]
    who_you: str = LABELS["who_you"]
    who_partner: str = LABELS["who_partner"]
    who_together: str = LABELS["who_together"]
    urgency_info: str = LABELS["urgency_info"]
    urgency_warning: str = LABELS["urgency_warning"]
    urgency_critical: str = LABELS["urgency_critical"]
    heading_next_step: str = LABELS["heading_next_step"]
    heading_get_help: str = LABELS["heading_get_help"]
    heading_why: str = LABELS["heading_why"]
    heading_actions: str = LABELS["heading_actions"]
    heading_alternatives: str = LABELS["heading_alternatives"]
    action_minutes: str = LABELS["action_minutes"]
    resource_audience: str = LABELS["resource_audience"]
    resource_phone: str = LABELS["resource_phone"]
    checkin_intro: str = LABELS["checkin_intro"]
    checkin_progress: str = LABELS["checkin_progress"]
    checkin_retry: str = LABELS["checkin_retry"]
    checkin_safety: str = LABELS["checkin_safety"]
    hint_count: str = LABELS["hint_count"]
    hint_choice: str = LABELS["hint_choice"]
    hint_multiple_choice: str = LABELS["hint_multiple_choice"]
    plan_warning_signs: str = LABELS["plan_warning_signs"]
    plan_on_my_own: str = LABELS["plan_on_my_own"]
    plan_people_and_places: str = LABELS["plan_people_and_places"]
    plan_ask_for_help: str = LABELS["plan_ask_for_help"]
    plan_professionals: str = LABELS["plan_professionals"]
    plan_safer: str = LABELS["plan_safer"]
    plan_checked: str = LABELS["plan_checked"]
    reminder: str = LABELS["reminder"]
    reminder_again: str = LABELS["reminder_again"]
    progress_none: str = LABELS["progress_none"]
    progress_some: str = LABELS["progress_some"]
    progress_all: str = LABELS["progress_all"]
    sensitive_words: tuple[str, ...] = attrs.field(default=SENSITIVE_WORDS, converter=_str_tuple)
    origin: Origin | None = _origin_field()

    @property
    def scale(self) -> tuple[str, str, str, str, str]:
        """The scale's five anchors, for 1 to 5."""
        return (self.scale_1, self.scale_2, self.scale_3, self.scale_4, self.scale_5)

    def urgency(self, urgency: Urgency | str) -> str:
        """The name of an urgency, e.g. ``"critical"``."""
        return str(getattr(self, f"urgency_{Urgency(urgency).value}"))


@attrs.frozen
class PackRef:
    """A pack's id and version, as recorded in a recommendation's provenance.

    Added in version 0.1.0.
    """

    id: str
    version: str

    def __str__(self) -> str:
        return f"{self.id} {self.version}"


Text: TypeAlias = str | tuple[str, ...]
"""A translatable text: a string, or a list of strings (as a tuple).

Added in version 0.2.0.
"""


@attrs.frozen
class Translation:
    """One locale's texts for a pack.

    Added in version 0.2.0.

    Attributes:
        locale: The BCP 47 tag, e.g. ``"es"``.
        texts: ``(kind, item id, field, text)`` entries, where kind is
            ``steps``, ``actions``, ``dimensions``, ``questions``, ``rules``,
            ``resources`` or ``messages`` (whose item id is ``""``).
        file: The file the texts came from, for error messages.
        lines: For each entry, the line it starts on in the file, when known.
    """

    locale: str
    texts: tuple[tuple[str, str, str, Text], ...]
    file: str = attrs.field(default="", eq=False)
    lines: tuple[int | None, ...] = attrs.field(default=(), eq=False, repr=False)

    def lookup(self) -> dict[tuple[str, str, str], Text]:
        """The texts as a mapping from ``(kind, item id, field)``."""
        return {(kind, item, field): text for kind, item, field, text in self.texts}


@attrs.frozen
class LocaleFile:
    """A locale file of a pack that has not been read yet.

    Packs read from files keep their ``locales/<tag>.toml`` files unread until
    that locale is first asked for, so that apps which never translate do not
    pay for parsing them.

    Added in version 0.2.0.

    Attributes:
        locale: The BCP 47 tag, from the file name.
        file: The file, for error messages (e.g. ``"core/locales/es.toml"``).
        folder: Where to read it from: the pack's ``locales`` folder.
        disabled_rules: Rules an overlay disabled: their texts are skipped.
    """

    locale: str
    file: str
    folder: Any = attrs.field(eq=False, repr=False)
    disabled_rules: frozenset[str] = frozenset()


def _index(items: tuple[Any, ...]) -> dict[str, Any]:
    return {item.id: item for item in items}


_localizer: list[Callable[[ContentPack, str], ContentPack]] = []
"""How `ContentPack.localized` works: set once by the pack layer, which owns translation."""


@attrs.frozen
class ContentPack:
    """A content pack: steps, questions, rules and resources.

    Like every model it is plain data, and creating one checks nothing. A pack
    is checked as a whole (every id is valid, every reference resolves, every
    condition fits its question, the safety screen is covered) once: when
    [`load_pack`][trustkit.load_pack] reads it, and for a pack built or changed
    in Python (``attrs.evolve``), when an app calls
    [`check_pack`][trustkit.check_pack] or before the pack is first used to
    recommend a step. Either way a broken pack raises
    [`PackError`][trustkit.PackError] listing every problem before it is used.
    Get the bundled pack with [`default_pack`][trustkit.default_pack] or read
    one with [`load_pack`][trustkit.load_pack].

    Added in version 0.1.0.

    Attributes:
        id: The pack's id.
        version: The pack's version (semantic versioning).
        title: A human title.
        steps: The steps, in the pack's order.
        dimensions: The dimensions questions are grouped into.
        questions: The check-in questions.
        rules: The rules, in the pack's order.
        messages: Sentence templates for explanations.
        resources: Helplines and other resources.
        description: One paragraph about the pack.
        locale: BCP 47 tag of the pack's language.
        packs: Every pack that went into this one, base first (defaults to
            this pack alone).
        translations: Texts in other languages; see
            [`localized`][trustkit.models.ContentPack.localized].
        locale_files: Locale files not read yet; they are read, checked and
            added to ``translations`` when their locale is first asked for.
        safety_period_weeks: How long a positive safety screen is remembered:
            for this many weeks after it, neither partner gets couples work,
            and the partner who answered yes keeps being offered help (see
            "Safety over time" in the docs). At least
            ``SAFETY_PERIOD_FLOOR_WEEKS`` (52); an overlay may lengthen it,
            never shorten it.
        plans: The texts of its safety plans, one per kind (see
            [`safety_plan`][trustkit.safety_plan]; added in version 0.2.0).
    """

    id: str
    version: str
    title: str
    steps: tuple[Step, ...]
    dimensions: tuple[Dimension, ...]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    messages: Messages
    resources: tuple[Resource, ...] = ()
    description: str = ""
    locale: str = "en"
    packs: tuple[PackRef, ...] = attrs.field()
    translations: tuple[Translation, ...] = ()
    locale_files: tuple[LocaleFile, ...] = attrs.field(default=(), eq=False)
    safety_period_weeks: int = SAFETY_PERIOD_FLOOR_WEEKS
    plans: tuple[PlanTemplate, ...] = ()
    _steps_by_id: dict[str, Step] = attrs.field(init=False, eq=False, repr=False)
    _questions_by_id: dict[str, Question] = attrs.field(init=False, eq=False, repr=False)
    # Caches, each owned by the layer that fills it: whether the pack layer checked the
    # pack, the engine's compiled form, and the pack layer's translated packs.
    _checked: bool = attrs.field(init=False, eq=False, repr=False, default=False)
    _compiled: object = attrs.field(init=False, eq=False, repr=False, default=None)
    _localized: dict[str, ContentPack] = attrs.field(init=False, eq=False, repr=False, factory=dict)
    # The pack layer's content digest (see `DecisionRecord.pack_digest`).
    _digest: str | None = attrs.field(init=False, eq=False, repr=False, default=None)
    # What overlays changed, as the pack layer read them: (kind, item id, field) -> where. For
    # `lint_pack`'s warnings about texts an overlay changed for one reader but not the other.
    _overridden: Mapping[tuple[str, str, str], Origin] = attrs.field(
        init=False, eq=False, repr=False, factory=dict
    )

    @packs.default
    def _packs_default(self) -> tuple[PackRef, ...]:
        return (PackRef(self.id, self.version),)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_steps_by_id", _index(self.steps))
        object.__setattr__(self, "_questions_by_id", _index(self.questions))

    def __getstate__(self) -> dict[str, Any]:
        return {a.name: getattr(self, a.name) for a in attrs.fields(type(self)) if a.init}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_checked", False)
        object.__setattr__(self, "_compiled", None)
        object.__setattr__(self, "_localized", {})
        object.__setattr__(self, "_digest", None)
        object.__setattr__(self, "_overridden", {})
        object.__setattr__(self, "_steps_by_id", _index(self.steps))
        object.__setattr__(self, "_questions_by_id", _index(self.questions))

    def step(self, step_id: str) -> Step:
        """The step with this id.

        Raises:
            KeyError: The pack has no such step.
        """
        return self._steps_by_id[step_id]

    def question(self, question_id: str) -> Question:
        """The question with this id.

        Raises:
            KeyError: The pack has no such question.
        """
        return self._questions_by_id[question_id]

    def questions_for(self, respondent: Role | str) -> tuple[Question, ...]:
        """The questions one role answers, in the pack's order."""
        role = Role(respondent)
        return tuple(q for q in self.questions if role in q.respondents)

    @property
    def locales(self) -> tuple[str, ...]:
        """The locales this pack has translations for, besides its own."""
        tags = {t.locale for t in self.translations} | {f.locale for f in self.locale_files}
        return tuple(sorted(tags))

    def localized(self, locale: str) -> ContentPack:
        """This pack with its texts in another language, where translated.

        The tag is read as BCP 47 in any case, with ``_`` for ``-``:
        ``"es-MX"``, ``"es_MX"`` and ``"ES"`` all work. A regional tag falls
        back to its language (``"es-MX"`` to ``"es"``), and a language the pack
        has no texts for falls back to the pack's own. The result's
        ``locale`` says which was applied, and tags that come to the same
        texts share one cached pack. Each text falls back to the pack's own
        where the locale has no translation for it.

        This is a thin call into trustkit's pack layer, which reads a locale
        file the first time its locale is asked for and checks the
        translated pack.

        Raises:
            AnswerError: ``locale`` is not a language tag (field ``"locale"``).
            PackError: A locale file for this locale, read now for the first
                time, has a problem.

        Examples:
            >>> import trustkit
            >>> pack = trustkit.default_pack()
            >>> pack.localized("es").locale
            'es'
            >>> pack.localized("es_MX") is pack.localized("ES")
            True
            >>> pack.localized("en") is pack, pack.localized("fr").locale
            (True, 'en')
        """
        return _localizer[0](self, locale)

    @property
    def ref(self) -> PackRef:
        """This pack's id and version."""
        return PackRef(self.id, self.version)


# ------------------------------------------------------------------ check-ins and boundaries


class _FrozenAnswers(Mapping[str, Answer]):
    """A read-only mapping of answers whose repr hides the values."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Answer]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Answer:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    # The dict's own methods, at C speed: Mapping's would call __getitem__ for every key.
    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str, default: Any = None) -> Any:
        """The answer to a question, or ``default`` if it was not answered."""
        return self._data.get(key, default)

    def items(self) -> ItemsView[str, Answer]:
        """The answers as ``(question id, answer)`` pairs (a read-only view)."""
        return self._data.items()

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return f"<{len(self._data)} answers hidden>"

    def __reduce__(self) -> tuple[type[_FrozenAnswers], tuple[dict[str, Answer]]]:
        return (type(self), (self._data,))


def answer_lookup(answers: Mapping[str, Answer]) -> Callable[[str], Answer | None]:
    """How to look answers up fastest: a check-in's own answers by the dict's ``get`` (in C)."""
    if type(answers) is _FrozenAnswers:
        return answers._data.get
    return answers.get


def _to_role(value: Role | str) -> Role:
    given: object = value  # typed for checkers; at run time it may be anything
    if isinstance(given, str) and given in _ROLE_VALUES:
        return Role(given)
    return cast(Role, given)  # left as it is, for the check below


_ROLE_VALUES = frozenset(role.value for role in Role)


def _to_answers(value: Mapping[str, Answer | None]) -> Mapping[str, Answer]:
    given: object = value  # typed for checkers; at run time it may be anything
    if type(given) is _FrozenAnswers:  # already read-only and without None: shared, not copied
        return given
    if isinstance(given, Mapping):
        return _FrozenAnswers({k: _codes(v) for k, v in given.items() if v is not None})
    return cast(Mapping[str, Answer], given)  # left as it is, for the check below


def _codes(value: Any) -> Any:
    """A multiple choice answer given as a list (JSON), tuple or set, as a ``frozenset``.

    Anything else, or a collection with an item that is not text, is left as it is, for
    the check against the pack to refuse (naming the question, never the value). Codes
    given twice stay a list, which the check refuses too.
    """
    if (
        type(value) in (list, tuple, set)
        and all(type(v) is str for v in value)
        and len(set(value)) == len(value)
    ):
        return frozenset(value)
    return value


def _describe_answers(value: object) -> str:
    return f"<{len(value)} answers hidden>" if isinstance(value, Mapping) else "<hidden>"


def _aware(value: object) -> bool:
    return isinstance(value, dt.datetime) and value.utcoffset() is not None


@attrs.frozen
class CheckIn:
    """One partner's answers at one moment.

    Answers of ``None`` mean "not answered" and are dropped. The ``repr`` hides
    the answers' values, so a check-in that ends up in a log reveals nothing.

    Added in version 0.1.0.

    Attributes:
        respondent: Who answered (``"partner"`` or ``"supporter"``).
        answers: Question id to answer.
        at: When they answered; must be timezone-aware.
        recommended: The id of the step this check-in led to, if the app
            stored it. For past check-ins in a history, trustkit uses it to
            see how often a step has come up in a row (and works it out from
            the answers when it is missing).

    Raises:
        AnswerError: A field does not have the right shape. Whether the
            answers fit the questionnaire is checked later, against a pack.
    """

    respondent: Role = attrs.field(converter=_to_role)
    answers: Mapping[str, Answer] = attrs.field(converter=_to_answers, repr=_describe_answers)
    at: dt.datetime
    recommended: str | None = None

    def __attrs_post_init__(self) -> None:
        problems = []
        respondent: object = self.respondent  # the converter leaves a bad value as it is
        if not isinstance(respondent, Role):
            problems.append(
                AnswerProblem(
                    "respondent", "'partner' or 'supporter'", code=ProblemCode.INVALID_VALUE
                )
            )
        if not isinstance(self.answers, _FrozenAnswers):
            problems.append(
                AnswerProblem(
                    "answers", "a mapping of question id to answer", code=ProblemCode.WRONG_TYPE
                )
            )
        else:
            keys: Iterable[object] = self.answers  # checked: a mapping may hold any key
            problems.extend(
                AnswerProblem("answers", "question ids that are text", code=ProblemCode.WRONG_TYPE)
                for key in keys
                if not isinstance(key, str)
            )
        if not _aware(self.at):
            problems.append(
                AnswerProblem("at", "a timezone-aware datetime", code=ProblemCode.WRONG_TYPE)
            )
        recommended: object = self.recommended
        if recommended is not None and not isinstance(recommended, str):
            problems.append(AnswerProblem("recommended", "a step id", code=ProblemCode.WRONG_TYPE))
        if problems:
            raise AnswerError(problems)


def checked_checkin(
    respondent: Role, answers: Mapping[str, Answer], at: dt.datetime, recommended: str | None
) -> CheckIn:
    """``CheckIn(respondent, answers, at, recommended)`` for values already checked, made directly.

    For trustkit's own hot paths (reading a batch record, folding a check-in
    into a state), where `CheckIn` would check the same values again.
    ``answers`` are a check-in's own (answered, read only: see
    `checkin_from_data` for plain ones), kept as they are.
    """
    kept = object.__new__(CheckIn)
    _set(kept, "respondent", respondent)
    _set(kept, "answers", answers)
    _set(kept, "at", at)
    _set(kept, "recommended", recommended)
    return kept


def checkin_from_data(
    respondent: Role, answers: Mapping[str, Any], at: dt.datetime, recommended: str | None
) -> CheckIn:
    """A check-in from plain data whose shape was checked (a record, a bucket file), made directly.

    The answers are kept as `CheckIn` keeps them: the unanswered left out, and
    a multiple choice answer's codes, given as a list, made a set (``_codes``).
    """
    kept = object.__new__(_FrozenAnswers)
    _set(kept, "_data", {
        k: _codes(v) if type(v) in _CODE_LISTS else v for k, v in answers.items() if v is not None
    })  # fmt: skip
    return checked_checkin(respondent, kept, at, recommended)


_CODE_LISTS = frozenset((list, tuple, set))
"""The types ``_codes`` may make a set of codes."""


_set = object.__setattr__


# ------------------------------------------------------------------------ recommendations


def _hidden(_: object) -> str:
    """A ``repr`` for a field that says what was answered."""
    return "<hidden>"


def _count_hidden(what: str) -> Callable[[tuple[object, ...]], str]:
    """A ``repr`` for a tuple that says only how many items it hides."""
    return lambda items: f"<{len(items)} {what} hidden>"


def _condition_hidden(condition: str | None) -> str:
    """A ``repr`` for a condition that held or failed: it says what was answered."""
    return "None" if condition is None else "<condition hidden>"


@attrs.frozen
class Evidence:
    """A condition that held, and the questions it read.

    Like the answers themselves, these say what was answered (``"afraid_of_partner
    = yes"``), so the ``repr`` shows only the rule and how many questions were read.

    Added in version 0.1.0.

    Attributes:
        rule_id: The rule the condition belongs to.
        condition: The condition, written out (e.g. ``"feels_heard <= 2"``).
        questions: The ids of the answered questions it read.
    """

    rule_id: str
    condition: str = attrs.field(repr=_condition_hidden)
    questions: tuple[str, ...] = attrs.field(repr=_count_hidden("questions"))


@attrs.frozen
class Alternative:
    """Another step whose rule also held, for apps that offer a choice.

    Added in version 0.1.0.

    Attributes:
        step_id: The step's id.
        title: The step's title.
        rule_id: The rule that proposed it.
    """

    step_id: str
    title: str
    rule_id: str


@attrs.frozen
class Recommendation:
    """The next step for one partner, and why.

    Added in version 0.1.0.

    Attributes:
        step: The step to take. In a safety recommendation it carries only the
            actions that are safe in a crisis. Its title and summary are the
            ones written for ``respondent`` (changed in version 0.2.0: they
            were the supporter's whoever answered).
        urgency: How soon to act.
        reasons: Plain sentences saying why, naming the answers that led here.
            They are for the person who answered (each rule's reason in the
            version for ``respondent``); the ``repr`` hides them, so
            a recommendation that ends up in a log reveals no answer.
        evidence: The conditions that held and the questions they read;
            private like the reasons (the ``repr`` shows only rule ids and counts).
        rule_id: The rule that decided.
        alternatives: Up to two other steps whose rules also held (none in a
            safety recommendation).
        resources: Helplines and other resources to show with the step.
        respondent: Whose answers this is for.
        safety: ``True`` when the safety screen decided.
        pack_id: The id of the pack that was used.
        pack_version: That pack's version.
        packs: Every pack that took part, base first.
        locale: The language of its texts, as a BCP 47 tag: the locale asked
            for, its language (``"es"`` for ``"es-MX"``), or the pack's own
            where the pack has no texts in that language.
        problems: What was wrong with the input when the safety screen decided
            anyway (added in version 0.2). A safety yes, today or earlier in
            the safety period, is answered with help even when other answers,
            the history, the dates, the country or the state are wrong; the
            problems are listed here, beside the help, never instead of it.
            Empty otherwise: without a safety decision, bad input is an error.
        plan: When the safety screen decided, the kind of safety plan that
            fits (from the safety rule that decided): pass it to
            [`safety_plan`][trustkit.safety_plan]. ``None`` otherwise, and
            always ``None`` for the other partner (added in version 0.2.0).
    """

    step: Step
    urgency: Urgency
    reasons: tuple[str, ...] = attrs.field(repr=lambda r: f"<{len(r)} reasons hidden>")
    evidence: tuple[Evidence, ...]
    rule_id: str
    alternatives: tuple[Alternative, ...]
    resources: tuple[Resource, ...]
    respondent: Role
    safety: bool
    pack_id: str
    pack_version: str
    packs: tuple[PackRef, ...]
    locale: str
    problems: tuple[AnswerProblem, ...] = ()
    plan: PlanKind | None = attrs.field(default=None, converter=_optional_plan_kind)


@attrs.frozen
class PlanSection:
    """One section of a [`SafetyPlan`][trustkit.SafetyPlan]: its prompts, and what the person wrote.

    Attributes:
        part: Which section it is.
        heading: Its heading, in the plan's language.
        prompts: Questions and suggestions from the pack that help the person
            write this section in their own words.
        entries: What the person wrote, in their own words; empty in a plan
            fresh from [`safety_plan`][trustkit.safety_plan]. The app adds
            them (``attrs.evolve`` or `SafetyPlan.with_entries`). As private
            as answers: the ``repr`` only counts them.
        resources: For ``professionals`` only: the lines to call, the
            emergency number first, each with the date its details were
            ``verified``.

    Added in version 0.2.0.
    """

    part: PlanPart = attrs.field(converter=_plan_part)
    heading: str
    prompts: tuple[str, ...]
    entries: tuple[str, ...] = attrs.field(default=(), repr=_count_hidden("entries"))
    resources: tuple[Resource, ...] = ()


@attrs.frozen
class SafetyPlan:
    """A person's own safety plan, made by [`safety_plan`][trustkit.safety_plan].

    [`render_plan`][trustkit.render_plan] writes it out as plain text, ready to print.

    Six sections, in the order of published safety-planning practice (see
    "Safety plans" in docs/safety.md). A plan is private to the person it is
    for: trustkit never stores one, and nothing about it reaches the other
    partner. Keep it with that person's own data, never with the couple's.

    Attributes:
        kind: Which kind of plan it is.
        title: Its title.
        intro: What it is for, in a sentence or two.
        warning_signs: Warning signs.
        on_my_own: Things I can do on my own.
        people_and_places: People and places that help me feel better.
        ask_for_help: People I can ask for help.
        professionals: Professionals and lines, with the pack's verified lines.
        safer: Making things safer.
        country: The country its lines are for (``None``: all of the pack's).
        locale: The language of its texts, as a BCP 47 tag.
        pack_id: The id of the pack its texts and lines came from.
        pack_version: That pack's version.

    Added in version 0.2.0.
    """

    kind: PlanKind = attrs.field(converter=_plan_kind)
    title: str
    intro: str
    warning_signs: PlanSection
    on_my_own: PlanSection
    people_and_places: PlanSection
    ask_for_help: PlanSection
    professionals: PlanSection
    safer: PlanSection
    country: str | None
    locale: str
    pack_id: str
    pack_version: str

    @property
    def sections(self) -> tuple[PlanSection, ...]:
        """The six sections, in the plan's order."""
        return tuple(getattr(self, part.value) for part in PlanPart)

    def section(self, part: PlanPart | str) -> PlanSection:
        """One section."""
        found: PlanSection = getattr(self, PlanPart(part).value)
        return found

    def with_entries(self, part: PlanPart | str, entries: Iterable[str]) -> SafetyPlan:
        """This plan with one section's entries replaced by ``entries`` (what the person wrote).

        Examples:
            >>> import trustkit
            >>> plan = trustkit.safety_plan("self_harm", country="GB")
            >>> plan = plan.with_entries("on_my_own", ["Walk the dog", "Hot shower"])
            >>> plan.on_my_own.entries
            ('Walk the dog', 'Hot shower')
        """
        key = PlanPart(part).value
        filled = attrs.evolve(getattr(self, key), entries=tuple(entries))
        return attrs.evolve(self, **{key: filled})


@attrs.frozen
class Decision:
    """What was decided for one check-in, without saying why: the decision-only path.

    Returned by [`trustkit.decide`][trustkit.decide], for jobs that need the
    rule, the step and the urgency but none of the texts (dashboards, audit
    trails, batch and diff runs). It is decided exactly as
    [`recommend_next_step`][trustkit.recommend_next_step] decides, with the
    same checks, errors and safety memory, and its fields always equal the
    matching fields of that ``Recommendation``. It holds no answers.

    Attributes:
        step_id: The id of the step (``Recommendation.step.id``).
        rule_id: The rule that decided.
        urgency: How soon to act.
        safety: ``True`` when the safety screen decided (now, or earlier in
            the partner's own safety period).
        respondent: Whose answers this is for.
        pack_id: The id of the pack that was used.
        pack_version: That pack's version.
        problems: What was wrong with the input when safety decided anyway
            (as ``Recommendation.problems``).

    Added in version 0.2.0.
    """

    step_id: str
    rule_id: str
    urgency: Urgency
    safety: bool
    respondent: Role
    pack_id: str
    pack_version: str
    problems: tuple[AnswerProblem, ...] = ()


# ----------------------------------------------------------------------- decision records

DECISION_ID_MAX = 200
"""The longest decision id a [`DecisionRecord`][trustkit.DecisionRecord] takes."""


@attrs.frozen
class DecisionRecord:
    """One decision as an audit trail keeps it: what was decided, when, with which pack; no answers.

    Made by [`trustkit.record_decision`][trustkit.record_decision] and checked
    again with [`trustkit.replay`][trustkit.replay]. It holds no answers and
    nothing worked out from them but the decision itself: two check-ins that
    get the same decision at the same time give equal records (without a
    key). During a safety period, the other partner's record is the same
    whatever was disclosed. See "Audit trails" in the docs.

    Added in version 0.2.0.

    Attributes:
        decision_id: The app's id for this decision (trustkit makes none:
            it has no clock and no randomness).
        at: When the check-in happened: ``now``, else the ``CheckIn``'s
            ``at``; ``None`` when neither was given.
        packs: Every pack that went into the pack used, base first.
        pack_digest: ``"sha256:"`` and the hex SHA-256 of the pack's
            canonical JSON: equal packs (``==``) have equal digests, in any
            process and on any Python version.
        rule_id: The rule that decided.
        step_id: The step it gave.
        urgency: How soon to act.
        safety: ``True`` when the safety screen decided (only ever in the
            record of the partner who answered yes).
        respondent: Whose check-in it was.
        locale: The language the decision was given in (as
            ``Recommendation.locale``).
        answers_hash: ``"hmac-sha256:"`` and the hex HMAC-SHA256, under the
            app's key, of the answers that were read: for checking that a
            check-in is the one recorded. ``None`` when no key was given.
    """

    decision_id: str
    at: dt.datetime | None
    packs: tuple[PackRef, ...]
    pack_digest: str
    rule_id: str
    step_id: str
    urgency: Urgency
    safety: bool
    respondent: Role
    locale: str
    answers_hash: str | None = None


class FeedbackOutcome(enum.StrEnum):
    """What the person did with a decision (as CDS Hooks' feedback ``outcome``).

    Added in version 0.2.0.
    """

    ACCEPTED = "accepted"
    """They took the step."""
    OVERRIDDEN = "overridden"
    """They, or the professional working with them, chose otherwise."""


class FeedbackReason(enum.StrEnum):
    """Why a decision was overridden: a code, never free text (which could hold answers).

    Added in version 0.2.0.
    """

    NOT_RELEVANT = "not_relevant"
    """The step does not fit the couple's situation."""
    ALREADY_DOING = "already_doing"
    """They are already doing it."""
    NOT_NOW = "not_now"
    """Right for them, but not at the moment."""
    TOO_HARD = "too_hard"
    """More than they can take on now."""
    PROFESSIONAL_ADVICE = "professional_advice"
    """A counsellor or another professional advised something else."""
    SAFETY_CONCERN = "safety_concern"
    """The person felt it would not be safe."""
    OTHER = "other"
    """None of these."""


def _optional_reason(value: FeedbackReason | str | None) -> FeedbackReason | None:
    return None if value is None else FeedbackReason(value)


@attrs.frozen
class Feedback:
    """What became of a recorded decision, in the style of CDS Hooks' feedback.

    It names the decision by its id and holds only codes: no free text, so
    no answers can find their way into it.

    Added in version 0.2.0.

    Attributes:
        decision_id: The [`DecisionRecord`][trustkit.DecisionRecord]'s id.
        outcome: Accepted or overridden.
        reason: Why it was overridden (required then; ``None`` when accepted).
        override_step_id: The step taken instead, when there was one (only
            when overridden).
        at: When the feedback was given, if the app keeps it.

    Raises:
        AnswerError: An accepted decision with a reason or another step, or
            an overridden one without a reason.
        ValueError: ``outcome`` or ``reason`` is not one of its codes.

    Examples:
        >>> import trustkit
        >>> trustkit.Feedback("d-1", "overridden", reason="not_now").reason.value
        'not_now'
    """

    decision_id: str
    outcome: FeedbackOutcome = attrs.field(converter=FeedbackOutcome)
    reason: FeedbackReason | None = attrs.field(default=None, converter=_optional_reason)
    override_step_id: str | None = None
    at: dt.datetime | None = None

    def __attrs_post_init__(self) -> None:
        problems: list[AnswerProblem] = []
        if self.outcome is FeedbackOutcome.ACCEPTED:
            problems.extend(
                AnswerProblem(
                    name, "nothing, for an accepted decision", code=ProblemCode.NOT_ALLOWED
                )
                for name in ("reason", "override_step_id")
                if getattr(self, name) is not None
            )
        elif self.reason is None:
            problems.append(
                AnswerProblem(
                    "reason", "a reason, for an overridden decision", code=ProblemCode.MISSING
                )
            )
        if problems:
            raise AnswerError(problems)


class ReplayOutcome(enum.StrEnum):
    """What [`trustkit.replay`][trustkit.replay] found.

    Added in version 0.2.0.
    """

    SAME = "same"
    """The same pack gave the same decision for the same check-in."""
    CHANGED = "changed"
    """The same pack gave another decision for the same check-in."""
    OTHER_PACK = "other_pack"
    """The pack's digest is not the record's: nothing was compared."""
    OTHER_CHECKIN = "other_checkin"
    """The check-in is not the one recorded: another time or respondent, or (with the key)
    other answers."""


@attrs.frozen
class Replay:
    """The result of [`trustkit.replay`][trustkit.replay]: true when the decision was the same.

    Added in version 0.2.0.

    Attributes:
        outcome: What was found.
        replayed: The record made again (``None`` for another pack, which is
            not used).
    """

    outcome: ReplayOutcome
    replayed: DecisionRecord | None = None

    def __bool__(self) -> bool:
        return self.outcome is ReplayOutcome.SAME


# ------------------------------------------------------------------------- couple state

STATE_FORMAT = 1
"""The format version of a [`CoupleState`][trustkit.CoupleState] that this trustkit writes."""


@attrs.frozen(repr=False)
class Disclosure:
    """An open safety period, opened by one partner's positive safety screen.

    Part of a [`CoupleState`][trustkit.CoupleState]; apps do not build one. It
    is as sensitive as the answers themselves and must never reach the other
    partner: its ``repr`` shows nothing.

    Added in version 0.2.0.

    Attributes:
        respondent: Who screened positive.
        opened: Their first positive screen of this period.
        last_yes: Their latest positive screen.
        said_yes: The safety questions they answered yes in this period.
        high_risk: ``True`` when one of them is a highest-risk marker, which
            keeps the period open for longer.
    """

    respondent: Role
    opened: dt.datetime
    last_yes: dt.datetime
    said_yes: tuple[str, ...]
    high_risk: bool = False

    def __repr__(self) -> str:
        return "<Disclosure hidden>"


def _describe_recent(value: object) -> str:
    return f"<{len(value)} check-ins hidden>" if isinstance(value, tuple) else "<hidden>"


@attrs.frozen
class CoupleState:
    """Everything trustkit needs from a couple's past check-ins, carried forward.

    Build it one check-in at a time with [`trustkit.advance`][trustkit.advance],
    oldest first, and pass it as ``recommend_next_step(answers, state=state)``:
    the result equals passing the whole history, at the cost of one call.
    Its size is bounded, whatever the number of check-ins.

    Store it beside the couple's check-ins and treat it as just as sensitive:
    it holds recent answers and any open safety period. Its ``repr`` hides both.

    Added in version 0.2.0.

    Attributes:
        recent: The latest check-ins (at most 12, either partner), oldest
            first, each with the step it actually got in ``recommended``.
        disclosures: Open safety periods, one per partner at most.
        newest: When the newest check-in folded in was given.
        format: The format version (`STATE_FORMAT`); a trustkit that does
            not know it refuses the state with an error.
    """

    recent: tuple[CheckIn, ...] = attrs.field(default=(), repr=_describe_recent)
    disclosures: tuple[Disclosure, ...] = attrs.field(default=(), repr=False)
    newest: dt.datetime | None = None
    format: int = STATE_FORMAT


# ------------------------------------------------------------------------------ traces


class RuleOutcome(enum.StrEnum):
    """What became of one rule when a check-in was decided (see [`Trace`][trustkit.Trace]).

    Added in version 0.2.0.
    """

    DECIDED = "decided"
    """It held and decided the recommendation."""
    ALTERNATIVE = "alternative"
    """It held, and its step is offered as an alternative."""
    JOINED = "joined"
    """A further safety rule that held: its reasons and helplines join the decision."""
    SAME_STEP = "same_step"
    """It held, but its step was already chosen by a rule tried before it."""
    CATCH_ALL = "catch_all"
    """It held, but it is a catch-all (``always``), which is never offered as an alternative."""
    ENOUGH = "enough"
    """It held, but two alternatives had already been found."""
    FAILED = "failed"
    """It did not hold: ``failed`` names the first condition that did not."""
    EARLIER = "earlier"
    """A safety rule that held at this person's own check-in earlier in the safety period, and
    decides again now (it did not hold today)."""
    NOT_TRIED = "not_tried"
    """Not tried: a safety rule, or this person's own earlier safety answer, had decided."""


def _rule_outcome(value: RuleOutcome | str) -> RuleOutcome:
    return RuleOutcome(value)


@attrs.frozen
class RuleTrace:
    """One rule as it was tried for a check-in: whether it held, and what became of it.

    It holds ids and conditions only, never an answer; but whether a rule held,
    and which part failed, say what was answered, so the ``repr`` shows only
    the rule itself.

    Added in version 0.2.0.

    Attributes:
        rule_id: The rule's id.
        step: The step it proposes.
        priority: Its priority.
        safety: ``True`` for a safety rule.
        held: Whether its condition held for this check-in; ``None`` when it
            was not tried.
        outcome: What became of it.
        failed: For a rule that did not hold, the first part of its condition
            that did not, written out (e.g. ``"feels_heard <= 2"``): the first
            failing part of an ``all``, or the whole ``any`` or ``not``.
            ``None`` otherwise.
        questions: The questions that failed part reads, directly or through
            a score or a fact, answered or not.
        facts: The facts from history or boundaries that failed part reads.
    """

    rule_id: str
    step: str
    priority: int
    safety: bool
    held: bool | None = attrs.field(repr=_hidden)
    outcome: RuleOutcome = attrs.field(converter=_rule_outcome, repr=_hidden)
    failed: str | None = attrs.field(default=None, repr=_condition_hidden)
    questions: tuple[str, ...] = attrs.field(default=(), repr=_count_hidden("questions"))
    facts: tuple[str, ...] = attrs.field(default=(), repr=_count_hidden("facts"))


@attrs.frozen
class Trace:
    """A recommendation with every rule tried for it, in the order they were tried.

    Safety rules come first, then the others by priority (ties by id), as the
    engine tries them. See [`trustkit.trace`][trustkit.trace]. What became of
    each rule says what was answered, so the ``repr`` counts the rules only.

    Added in version 0.2.0.

    Attributes:
        recommendation: The recommendation, exactly as
            [`recommend_next_step`][trustkit.recommend_next_step] gives it.
        rules: Each rule tried, in order, and what became of it.
    """

    recommendation: Recommendation
    rules: tuple[RuleTrace, ...] = attrs.field(repr=_count_hidden("rules"))

    def rule(self, rule_id: str) -> RuleTrace:
        """The entry of one rule.

        Raises:
            KeyError: The rule is not in the trace.
        """
        for entry in self.rules:
            if entry.rule_id == rule_id:
                return entry
        raise KeyError(rule_id)


# --------------------------------------------------------------------------- programmes


class Cadence(enum.StrEnum):
    """On which days a [`Programme`][trustkit.Programme] has a task.

    Added in version 0.2.0.
    """

    DAILY = "daily"
    """Every day."""
    ALTERNATE = "alternate"
    """Every other day: the first day, the third, the fifth, ..."""
    WEEKDAYS = "weekdays"
    """Monday to Friday, in the programme's time zone."""


def _cadence(value: Cadence | str) -> Cadence:
    return Cadence(value)


@attrs.frozen
class Task:
    """One action of a [`Programme`][trustkit.Programme], on one day, with a window to do it in.

    Added in version 0.2.0.

    Attributes:
        id: Stable id of this task: the action's id and the day's date
            (``"validation-name-the-feeling@2026-03-02"``). Pass it to
            [`progress`][trustkit.progress] when the task is done.
        action_id: The action's id in the pack.
        title: The action's title, for the app's own screen (never for a lock
            screen: use ``reminder``).
        who: Who does it, said to the reader ("you", "together"), as
            [`action_label`][trustkit.action_label] says it.
        minutes: About how long it takes.
        day: Which day of the programme it is on (1 for the first).
        date: That day's date, in the programme's time zone.
        opens: When its window opens: an aware datetime in the programme's
            time zone, at the same wall-clock time every day (summer time
            or not).
        closes: When its window closes (later than ``opens``).
        reminder: A discreet reminder for a notification or a lock screen: it
            names no action, no feeling, no partner, nothing sensitive.
        repeat: 1 the first time the action comes up, 2 the second time (a
            repeat for practice), and so on.
    """

    id: str
    action_id: str
    title: str
    who: str
    minutes: int
    day: int
    date: dt.date
    opens: dt.datetime
    closes: dt.datetime
    reminder: str
    repeat: int = 1


@attrs.frozen
class Programme:
    """A recommendation's actions spread over days: made by [`programme`][trustkit.programme].

    Added in version 0.2.0.

    Attributes:
        step_id: The id of the recommended step.
        respondent: Whose programme it is.
        start: The first day.
        days: How many days it runs (7 to 21).
        tz: The time zone's IANA name, e.g. ``"Europe/London"``.
        cadence: On which days it has a task.
        tasks: Its tasks, in time order, at most one a day.
        pack_id: The id of the pack its texts came from.
        pack_version: That pack's version.
        locale: The language of its texts, as a BCP 47 tag.
    """

    step_id: str
    respondent: Role
    start: dt.date
    days: int
    tz: str
    cadence: Cadence = attrs.field(converter=_cadence)
    tasks: tuple[Task, ...]
    pack_id: str
    pack_version: str
    locale: str

    @property
    def end(self) -> dt.date:
        """The last day."""
        return self.start + dt.timedelta(days=self.days - 1)

    def until(self, moment: dt.datetime) -> Programme:
        """This programme with only the tasks whose window had closed by ``moment``.

        Use it to keep the past of a programme when a check-in changes what comes
        next: keep ``old.until(checkin.at)`` and build a new programme from the
        check-in's date (see "Programmes over days" in the docs).

        Raises:
            AnswerError: ``moment`` is not a timezone-aware datetime.
        """
        if not _aware(moment):
            raise AnswerError(
                [AnswerProblem("moment", "a timezone-aware datetime", code=ProblemCode.WRONG_TYPE)]
            )
        return attrs.evolve(
            self, tasks=tuple(t for t in self.tasks if _utc(t.closes) <= _utc(moment))
        )


def _utc(moment: dt.datetime) -> dt.datetime:
    """An aware datetime in UTC, to compare instants (not wall-clock times) in any zone."""
    return moment.astimezone(dt.UTC)


@attrs.frozen
class Progress:
    """How far along a [`Programme`][trustkit.Programme] is: counts that only ever grow.

    Made by [`progress`][trustkit.progress]. There is no streak to lose: a
    missed day carries no penalty, and a task done late counts as done.

    Added in version 0.2.0.

    Attributes:
        done: How many of the programme's tasks are done.
        total: How many tasks it has.
        minutes: About how many minutes the tasks done took.
        days_active: On how many different days (in the programme's time zone)
            something was done.
        done_ids: The ids of the tasks done, in the programme's order.
        message: A few kind words about it, from the pack (discreet, like the
            reminders).
    """

    done: int
    total: int
    minutes: int
    days_active: int
    done_ids: tuple[str, ...]
    message: str
