"""The pack format, declared once: every file, table and field, and the message templates.

Everything else derives from this module: the loader reads the fields listed
here (`trustkit._pack.tables`), an overlay may change exactly the fields marked
``overlay`` and a locale file may translate exactly those marked
``translate``, the JSON Schemas (`trustkit._schema`) and the field tables of
docs/pack-format.md are generated from it, and the templates' names and
placeholders come from `TEMPLATES`. A change to a field here shows up in the
loader, the schemas and the docs together.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from trustkit._pack import kinds
from trustkit._roles import Role, role_field
from trustkit._vocabulary import (
    DISCREET,
    EMERGENCY,
    EMERGENCY_ELSEWHERE,
    LABELS,
    SAFETY_EARLIER,
)
from trustkit.models import PlanKind, PlanPart, QuestionKind, Urgency, Who

SCALE_MIN, SCALE_MAX = kinds.SCALE_MIN, kinds.SCALE_MAX
"""The agreement scale of ``scale`` questions (and of dimension scores): see `kinds`."""

MAX_SUMMARY = 140
"""The longest a step's summary may be (a card's summary line, after CDS Hooks)."""

MONTHS = 12
"""How many month names ``months`` holds."""

# ``{emergency}`` (`trustkit._vocabulary.EMERGENCY`) is filled when a recommendation is
# made, from ``country=``: the phone of that country's resource on the ``emergency`` topic
# ("000" in Australia), or else the ``emergency_elsewhere`` message. The fields declared
# with it below are the only ones that may hold it. Write the sentence so that both read
# well: "call {emergency} now" says "call 000 now" or "call your local emergency number
# (...) now".
_EMERGENCY_WORDS = (
    "may use {emergency}, the emergency number of the country the recommendation is made "
    "for (or the emergency_elsewhere message where the pack has none)."
)


def _frozen(values: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(values or {}))


READERS: Mapping[Role, str] = MappingProxyType(
    {
        Role.PARTNER: "the partner who struggles to trust",
        Role.SUPPORTER: "the supporter (the partner who is helping)",
    }
)
"""Each role, in words, for the docs of the fields written for one role."""


@attrs.frozen
class Field:
    """One field of a pack table.

    Attributes:
        name: The key in the TOML table, and the model attribute it fills.
        shape: What it holds: ``id`` (the item's own id), ``ref`` (the id of
            another item), ``text``, ``texts`` (a list of texts), ``sources``
            (a list of texts, or one text read as a list of one), ``whole`` (a
            whole number), ``flag`` (true or false), ``choice`` (one of
            ``choices``), ``roles``, ``date``, ``condition`` or ``actions``.
        doc: What it is, for authors: the schemas' description and the docs.
        required: Whether a table must have it.
        choices: The enum of a ``choice`` field.
        default: The value of an optional ``choice`` left out.
        overlay: Whether an overlay's overrides.toml may change it.
        translate: Whether a locale file may translate it.
        schema: Further JSON Schema keywords (``minimum``, ``maxLength``, ...).
        placeholders: The placeholders its texts may use (``emergency``), filled
            when a recommendation is made.
        role: For a role's own version of a text (``summary_partner``): that
            role; None for every other field.
    """

    name: str
    shape: str
    doc: str
    required: bool = True
    choices: type[enum.Enum] | None = None
    default: Any = None
    overlay: bool = False
    translate: bool = False
    schema: Mapping[str, Any] = attrs.field(default=None, converter=_frozen)
    placeholders: tuple[str, ...] = ()
    role: Role | None = None


def _for_each_role(field: Field) -> tuple[Field, ...]:
    """A text read by whoever answered, and its optional version for each role.

    ``summary`` is what every reader gets; ``summary_partner`` and
    ``summary_supporter``, where given, replace it for that role (see "Text for
    each reader" in docs/pack-format.md).
    """
    versions = tuple(
        attrs.evolve(
            field,
            name=role_field(field.name, role),
            doc=f"Optional. What {READERS[role]} reads in place of {field.name}, where "
            f"{field.name} would not read right for them (same rules as {field.name}).",
            required=False,
            role=role,
        )
        for role in Role
    )
    return (field, *versions)


@attrs.frozen
class Table:
    """One kind of item: a ``[[kind]]`` table of a pack file.

    Attributes:
        kind: The table's key (``steps``), also the kind in overrides and locale files.
        item: One item, in words (``step``).
        file: The file it lives in.
        doc: What one item is, for authors.
        fields: Its fields, in the order the docs list them.
    """

    kind: str
    item: str
    file: str
    doc: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        """The field of this name."""
        return next(f for f in self.fields if f.name == name)

    @property
    def required(self) -> tuple[str, ...]:
        """The fields every table of this kind must have."""
        return tuple(f.name for f in self.fields if f.required)

    @property
    def overridable(self) -> tuple[str, ...]:
        """The fields an overlay may change."""
        return tuple(f.name for f in self.fields if f.overlay)

    @property
    def translatable(self) -> tuple[str, ...]:
        """The fields a locale file may translate."""
        return tuple(f.name for f in self.fields if f.translate)


ACTIONS = Table(
    "actions",
    "action",
    "steps.toml",
    "One concrete thing to do as part of a step. Its id must be unique in the whole pack.",
    (
        Field(
            "id",
            "id",
            "The action's id, unique in the whole pack (e.g. 'educate-ask-about-the-past').",
        ),
        Field("title", "text", "A short title that says what to do.", overlay=True, translate=True),
        Field(
            "how",
            "text",
            "Concrete instructions: what to do, when, and what to say or avoid. It "
            + _EMERGENCY_WORDS,
            overlay=True,
            translate=True,
            placeholders=(EMERGENCY,),
        ),
        Field(
            "minutes",
            "whole",
            "About how long it takes, in whole minutes (at least 1).",
            overlay=True,
            schema={"minimum": 1},
        ),
        Field(
            "who",
            "choice",
            "Who does it: 'supporter' (the partner who is helping), 'partner' (the partner "
            "who struggles to trust), 'both' (together, a couples exercise) or 'either' "
            "(whoever is reading).",
            choices=Who,
        ),
        Field(
            "in_crisis",
            "flag",
            "Optional. true when the action is still safe and useful when the safety screen "
            "is positive. Such an action cannot be a couples exercise (who = 'both').",
            required=False,
            schema={"default": False},
        ),
    ),
)

STEPS = Table(
    "steps",
    "step",
    "steps.toml",
    "One step ([[steps]]): what the supporter can do next, with its actions.",
    (
        Field("id", "id", "The step's id. Apps store it, so keep it once it is published."),
        *_for_each_role(
            Field(
                "title",
                "text",
                "A short title that says what to do, e.g. 'Ask, then listen', for whoever "
                "answered.",
                overlay=True,
                translate=True,
            )
        ),
        *_for_each_role(
            Field(
                "summary",
                "text",
                f"One sentence of at most {MAX_SUMMARY} characters, so that it fits in a "
                "notification or a list, for whoever answered.",
                overlay=True,
                translate=True,
                schema={"maxLength": MAX_SUMMARY},
            )
        ),
        Field(
            "why",
            "text",
            "Two or three sentences: why this step helps. It " + _EMERGENCY_WORDS,
            overlay=True,
            translate=True,
            placeholders=(EMERGENCY,),
        ),
        Field(
            "actions",
            "actions",
            "The concrete things to do for this step ([[steps.actions]]).",
            required=False,
        ),
        Field(
            "signs_of_progress",
            "texts",
            "Optional. Short, observable signs that the step is working.",
            required=False,
            overlay=True,
            translate=True,
        ),
        Field(
            "pitfalls",
            "texts",
            "Optional. Common mistakes, each with what to do instead.",
            required=False,
            overlay=True,
            translate=True,
        ),
        Field(
            "couples",
            "flag",
            "Optional. true for a step that is work done with the other partner (talking it "
            "through, agreeing or celebrating together): during a safety period it is never "
            "recommended or offered, to either partner. An overlay may mark a step so, never "
            "unmark it.",
            required=False,
            overlay=True,
            schema={"default": False},
        ),
    ),
)

DIMENSIONS = Table(
    "dimensions",
    "dimension",
    "questions.toml",
    "An area of the relationship that several scale questions measure together ([[dimensions]]).",
    (
        Field(
            "id",
            "id",
            "The dimension's id, used by a question's dimension and by score conditions.",
        ),
        Field(
            "label",
            "text",
            "A short noun phrase used in sentences, e.g. 'feeling heard' in "
            "'Your score for feeling heard is ...'.",
            overlay=True,
            translate=True,
        ),
    ),
)

OPTIONS = Table(
    "options",
    "option",
    "questions.toml",
    "One coded answer of a choice question ([[questions.options]]). A locale file translates "
    'its label as [options."<question id>.<code>"].',
    (
        Field(
            "code",
            "id",
            "The option's code, unique in its question. Apps store answers by it and "
            "conditions name it ('in', 'not in', 'contains'): never reuse it for a different "
            "meaning.",
        ),
        Field("label", "text", "The words shown for the option.", translate=True),
        Field(
            "weight",
            "number",
            "Optional: a number the option stands for (FHIR's item weight), for apps that "
            "score answers. Rules never read it.",
            required=False,
        ),
    ),
)

QUESTIONS = Table(
    "questions",
    "question",
    "questions.toml",
    "One check-in question ([[questions]]). Its id is a public contract: apps store answers by it.",
    (
        Field(
            "id",
            "id",
            "The question's id. Apps store answers by it: never reuse it for a question with a "
            "different meaning.",
        ),
        Field(
            "prompt",
            "text",
            "The statement or question shown to the person answering: first person, present tense.",
            overlay=True,
            translate=True,
        ),
        Field(
            "kind",
            "choice",
            f"The kind of answer: 'scale' ({SCALE_MIN} = strongly disagree ... {SCALE_MAX} = "
            "strongly agree), 'yes_no', 'count' (a whole number, 0 or more), 'choice' (the "
            "code of one of its options) or 'multiple_choice' (a list of its options' codes).",
            choices=QuestionKind,
        ),
        Field(
            "respondents",
            "roles",
            "Who is asked: 'partner' and/or 'supporter'.",
            choices=Role,
            schema={"minItems": 1},
        ),
        Field(
            "dimension",
            "ref",
            "Optional, scale questions only: the id of the dimension the question counts towards.",
            required=False,
        ),
        Field(
            "reverse",
            "flag",
            "Optional, scale questions only: true when agreeing means things are worse.",
            required=False,
            schema={"default": False},
        ),
        Field(
            "safety",
            "flag",
            "Optional, yes/no questions only: true for the safety screen. Every safety question "
            "needs a safety rule.",
            required=False,
            schema={"default": False},
        ),
        Field(
            "high_risk",
            "flag",
            "Optional, safety questions only: true for a marker of the highest risk of serious "
            "harm (such as strangulation). A yes keeps the safety period open for twice "
            "safety_period_weeks, and until the partner answers the screen with no again.",
            required=False,
            schema={"default": False},
        ),
        Field(
            "tracked",
            "flag",
            "Optional: true for a question whose answer is needed for trends and progress, so "
            "an adaptive check-in (next_questions) always asks it, even when it cannot change "
            "the step.",
            required=False,
            schema={"default": False},
        ),
        Field(
            "options",
            "options",
            "Choice and multiple choice questions only, at least two: the coded answers, in "
            "the order they are offered ([[questions.options]]).",
            required=False,
        ),
    ),
)

RULES = Table(
    "rules",
    "rule",
    "rules.toml",
    "One rule ([[rules]]): when its condition holds, it proposes a step.",
    (
        Field(
            "id",
            "id",
            "The rule's id, unique in the pack. Ties in priority go to the id that sorts first.",
        ),
        Field("step", "ref", "The id of the step this rule leads to."),
        Field("when", "condition", "When the rule holds."),
        Field(
            "priority",
            "whole",
            "A whole number: when several rules hold, the highest wins; ties go to the rule id "
            "that sorts first.",
            overlay=True,
        ),
        Field(
            "urgency",
            "choice",
            "Optional: how soon to act, 'info', 'warning' or 'critical'. Safety rules must be "
            "'critical'.",
            required=False,
            choices=Urgency,
            default=Urgency.INFO,
            overlay=True,
            schema={"default": Urgency.INFO.value},
        ),
        *_for_each_role(
            Field(
                "reason",
                "text",
                "A plain sentence, for the person who answered, saying why this step comes "
                "next. Do not quote answers: trustkit adds a sentence for each answer that "
                "counted. A safety rule's reason " + _EMERGENCY_WORDS,
                overlay=True,
                translate=True,
                placeholders=(EMERGENCY,),
            )
        ),
        Field(
            "resources",
            "texts",
            "Optional: the topics of the resources to show with the step, e.g. ['crisis']. "
            "Each must be a topic of at least one resource.",
            required=False,
            overlay=True,
        ),
        Field(
            "safety",
            "flag",
            "Optional. true for a safety rule: safety rules run first and cannot be outranked. "
            "A safety rule must be 'critical', name resource topics and the plan that fits, "
            "and only check that safety questions were answered yes.",
            required=False,
            schema={"default": False},
        ),
        Field(
            "plan",
            "choice",
            "Safety rules only, and every safety rule needs it: the kind of safety plan that "
            "fits the person the rule holds for, 'self_harm', 'abuse' or 'supporter' (someone "
            "worried about a partner who spoke of self-harm). The pack's plans.toml must have "
            "a plan of that kind.",
            required=False,
            choices=PlanKind,
        ),
    ),
)

RESOURCES = Table(
    "resources",
    "resource",
    "resources.toml",
    "A helpline or another place to get help ([[resources]]). It needs at least one way to "
    "reach it or learn about it: phone, text, url or notes.",
    (
        Field("id", "id", "The resource's id, unique in the pack (e.g. 'us-988-lifeline')."),
        Field("name", "text", "The service's name.", overlay=True, translate=True),
        Field(
            "topics",
            "texts",
            "What it helps with, at least one: usually 'crisis', 'domestic_abuse', "
            "'emergency', 'own_behaviour' or 'counselling'.",
            schema={"minItems": 1},
        ),
        Field(
            "country",
            "text",
            "The country it serves: a two-letter ISO 3166-1 code such as 'GB', or 'INTL' for "
            "a world-wide service.",
            schema={"pattern": "^([A-Z]{2}|INTL)$"},
        ),
        Field(
            "region",
            "text",
            "Optional: the part of the country it serves, e.g. 'Scotland'.",
            required=False,
        ),
        Field("phone", "text", "Optional: the number to call.", required=False, overlay=True),
        Field(
            "text",
            "text",
            "Optional: how to reach it by text message.",
            required=False,
            overlay=True,
            translate=True,
        ),
        Field("url", "text", "Optional: its website.", required=False, overlay=True),
        Field(
            "hours",
            "text",
            "Optional: when it is open, e.g. '24/7'.",
            required=False,
            overlay=True,
            translate=True,
        ),
        Field(
            "languages",
            "texts",
            "Optional: the languages it answers in, as BCP 47 tags such as 'en'.",
            required=False,
            overlay=True,
        ),
        Field(
            "notes",
            "text",
            "Optional: anything else worth knowing, in one sentence.",
            required=False,
            overlay=True,
            translate=True,
        ),
        Field(
            "audience",
            "text",
            "Optional: who it serves, where it serves only some people, e.g. 'Women', 'Men' or "
            "'Anyone'.",
            required=False,
            overlay=True,
            translate=True,
        ),
        Field(
            "source",
            "sources",
            "Where the facts come from: a list of web addresses or other references, at least "
            "one and none empty (a single text is read as a list of one).",
            overlay=True,
        ),
        Field(
            "verified",
            "date",
            "When the facts were last checked, against the service's own page unless "
            "secondary_source is true: a TOML date such as 2026-11-27 (no quotes).",
            overlay=True,
        ),
        Field(
            "secondary_source",
            "flag",
            "Optional: true when some facts rest only on pages other than the service's own "
            "(news, directories, encyclopaedias). Default false.",
            required=False,
            overlay=True,
        ),
    ),
)

ROLE_TEXTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        table.kind: tuple(
            dict.fromkeys(f.name.rpartition("_")[0] for f in table.fields if f.role is not None)
        )
        for table in (STEPS, RULES)
    }
)
"""The texts that may have a version for each role, by kind of item: ``summary``, ..."""

_SECTION_DOCS = {
    PlanPart.WARNING_SIGNS: "the warning signs: thoughts, feelings, situations or behaviour "
    "that tell the person a crisis may be coming",
    PlanPart.ON_MY_OWN: "things the person can do on their own to get through a hard moment",
    PlanPart.PEOPLE_AND_PLACES: "people and places that take their mind off things or help "
    "them feel better",
    PlanPart.ASK_FOR_HELP: "people they can ask for help, and what to ask",
    PlanPart.PROFESSIONALS: "professionals and lines (the plan lists the pack's resources on "
    "its resources topics after these, the emergency number first)",
    PlanPart.SAFER: "making things safer (for 'abuse': a safe place, documents, a code word, a "
    "bag, and device and account safety)",
}

PLANS = Table(
    "plans",
    "plan",
    "plans.toml",
    "The texts of one kind of safety plan ([[plans]]): a title, an introduction, and prompts "
    "for each of its six sections that help the person write the plan in their own words. "
    "Plans are safety texts: they never ask for secrecy.",
    (
        Field("id", "id", "The plan's id, unique in the pack (e.g. 'abuse')."),
        Field(
            "kind",
            "choice",
            "Which kind of plan: 'self_harm', 'abuse' or 'supporter'. One plan per kind; the "
            "pack needs one of every kind its safety rules name.",
            choices=PlanKind,
        ),
        Field(
            "title",
            "text",
            "The plan's title, e.g. 'My safety plan'.",
            overlay=True,
            translate=True,
            schema={"minLength": 1},
        ),
        Field(
            "intro",
            "text",
            "One or two sentences said before the sections. It " + _EMERGENCY_WORDS,
            overlay=True,
            translate=True,
            schema={"minLength": 1},
            placeholders=(EMERGENCY,),
        ),
        *(
            Field(
                part.value,
                "texts",
                f"Prompts for {_SECTION_DOCS[part]}: at least one. Each " + _EMERGENCY_WORDS,
                overlay=True,
                translate=True,
                schema={"minItems": 1, "items": {"minLength": 1}},
                placeholders=(EMERGENCY,),
            )
            for part in PlanPart
        ),
        Field(
            "resources",
            "texts",
            "The topics of the resources the plan lists under professionals and lines, e.g. "
            "['crisis', 'emergency']: at least one, including 'crisis' or 'domestic_abuse'.",
            schema={"minItems": 1},
        ),
    ),
)

TABLES: Mapping[str, Table] = MappingProxyType(
    {t.kind: t for t in (STEPS, ACTIONS, DIMENSIONS, QUESTIONS, RULES, RESOURCES, PLANS)}
)
"""Every kind of item, by kind."""

ALL_TABLES: Mapping[str, Table] = MappingProxyType({**TABLES, OPTIONS.kind: OPTIONS})
"""Every kind of item, with the options of choice questions (read as part of a question,
translated on their own as ``[options."<question id>.<code>"]``)."""


@attrs.frozen
class Template:
    """One sentence template of messages.toml's ``[explain]``.

    Attributes:
        name: Its key.
        placeholders: The placeholders it may use, plainly written (``{value}``).
        doc: When it is said.
        default: Its text when a messages.toml leaves it out (None: required).
    """

    name: str
    placeholders: tuple[str, ...]
    doc: str
    default: str | None = None

    @property
    def words(self) -> str:
        """Its description for authors, with its placeholders."""
        names = ", ".join(f"{{{p}}}" for p in self.placeholders)
        if not self.placeholders:
            return f"{self.doc} No placeholders."
        plural = "s" if len(self.placeholders) > 1 else ""
        return f"{self.doc} Placeholder{plural}: {names}."


_TEMPLATE_LIST = (
    Template("answer_yes", ("prompt",), "Said for a yes/no question answered yes."),
    Template("answer_no", ("prompt",), "Said for a yes/no question answered no."),
    Template(
        "answer_scale",
        ("prompt", "value"),
        f"Said for an answer on the {SCALE_MIN} to {SCALE_MAX} scale.",
    ),
    Template("answer_count", ("prompt", "value"), "Said for a count question."),
    Template(
        "score", ("label", "value"), "Said for a dimension's score, shown with at most one decimal."
    ),
    Template(
        "change",
        ("label", "before", "after", "date"),
        "Said for a score that changed since an earlier check-in (the change.*, improved.* "
        "and declined.* facts).",
    ),
    Template(
        "repeats",
        ("step", "value"),
        "Said when the same step has been suggested several times in a row ({step} is its title).",
    ),
    Template(
        "journey",
        ("checkins", "weeks"),
        "Says how far along the couple is (the checkins and weeks_since_first facts).",
    ),
    Template("streak", ("value",), "Said for weeks in a row with a check-in."),
    Template(
        "gap",
        ("label", "value"),
        "Said when the partners see a dimension differently ({value} is the size of the gap: "
        "leave it out to keep answers private).",
    ),
    Template("boundaries_proposed", ("value",), "Said for boundaries proposed but not agreed yet."),
    Template(
        "boundaries_crossed", ("value",), "Said for boundaries crossed since the last check-in."
    ),
    Template("boundaries_due", ("value",), "Said for boundaries due for a review."),
    Template("date", ("day", "month", "year"), "How a date is written ({month} is from months)."),
    Template(
        "safety_earlier",
        (EMERGENCY,),
        "Optional. Said during a safety period to the partner who screened positive earlier: "
        "it acknowledges that answer without repeating it ({emergency} is the emergency "
        "number for the country).",
        default=SAFETY_EARLIER,
    ),
    Template(
        "emergency_elsewhere",
        (),
        "Optional. Said in crisis texts in place of the emergency number where the pack has "
        "none for the country, or no country was given: a phrase such as 'your local "
        "emergency number' that fits 'call ... now'.",
        default=EMERGENCY_ELSEWHERE,
    ),
)


def _label(name: str, placeholders: tuple[str, ...], doc: str) -> Template:
    return Template(name, placeholders, f"Optional label. {doc}", default=LABELS[name])


_LABEL_LIST = (
    *(
        _label(f"scale_{n}", (), f"The scale's anchor for {n}.")
        for n in range(SCALE_MIN, SCALE_MAX + 1)
    ),
    _label(
        "word_yes",
        (),
        "The word for yes: it or its first letter answers a yes/no question in `trustkit "
        "checkin` (English 'yes' always does too).",
    ),
    _label(
        "word_no",
        (),
        "The word for no: it or its first letter answers a yes/no question in `trustkit "
        "checkin` (English 'no' always does too).",
    ),
    _label("who_you", (), "Who does an action: the reader."),
    _label("who_partner", (), "Who does an action: the reader's partner."),
    _label("who_together", (), "Who does an action: both partners, together."),
    *(
        _label(f"urgency_{urgency.value}", (), f"The name of the urgency '{urgency.value}'.")
        for urgency in Urgency
    ),
    _label("heading_next_step", (), "The heading of the step."),
    _label("heading_get_help", (), "The heading of the helplines."),
    _label("heading_why", (), "The heading of the reasons."),
    _label("heading_actions", (), "The heading of the actions."),
    _label("heading_alternatives", (), "The heading of the other steps worth a look."),
    _label("action_minutes", ("minutes",), "How long an action takes."),
    _label("resource_audience", ("audience",), "Whom a helpline is for."),
    _label("resource_phone", ("phone",), "How to call a helpline."),
    _label(
        "checkin_intro",
        ("back",),
        "Said before the first question of `trustkit checkin` ({back} is what to type to go back).",
    ),
    _label("checkin_progress", ("number", "total"), "How far along the check-in is."),
    _label(
        "checkin_retry",
        ("hint", "back"),
        "Said after a reply that is not an answer ({hint} says what the question takes).",
    ),
    _label(
        "checkin_safety",
        (),
        "Said before the safety questions: a safety text, so it never asks for secrecy.",
    ),
    _label("hint_count", (), "What a count question takes."),
    _label("hint_choice", (), "What a choice question takes (its options are listed, numbered)."),
    _label(
        "hint_multiple_choice",
        (),
        "What a multiple choice question takes (its options are listed, numbered).",
    ),
    *(
        _label(f"plan_{part.value}", (), f"The heading of a safety plan's {part.value} section.")
        for part in PlanPart
    ),
    _label("plan_checked", ("date",), "When a safety plan's line was checked."),
    _label(
        "reminder",
        ("minutes",),
        "A programme task's reminder, for a notification: discreet (no sensitive_words).",
    ),
    _label(
        "reminder_again",
        ("minutes",),
        "The reminder of a task that repeats an action for practice: discreet too.",
    ),
    _label("progress_none", (), "Said of a programme's progress before any task is done."),
    _label("progress_some", ("done", "total"), "Said of a programme's progress part way."),
    _label("progress_all", ("total",), "Said of a programme's progress when every task is done."),
)
"""The labels apps and the ``trustkit`` command show around the content: optional templates,
each with its English default (`trustkit._vocabulary.LABELS`)."""

TEMPLATES: Mapping[str, Template] = MappingProxyType(
    {t.name: t for t in (*_TEMPLATE_LIST, *_LABEL_LIST)}
)
"""Every sentence template and label of messages.toml, by name (besides ``months``)."""

SAFETY_MESSAGES: tuple[str, ...] = (
    "safety_earlier",
    "emergency_elsewhere",
    "checkin_safety",
    *(f"plan_{part.value}" for part in PlanPart),
)
"""The templates said around the safety screen: like crisis texts, they never ask for secrecy."""

MESSAGE_TEMPLATES: tuple[str, ...] = tuple(TEMPLATES)
"""The names of the sentence templates."""

MONTHS_DOC = "The names of the twelve months, January first, used for {month}."
"""What ``months``, the list of month names in ``[explain]``, is."""

SENSITIVE_DOC = (
    "Optional. Words that reminders and progress texts (reminder, reminder_again, "
    "progress_none, progress_some, progress_all) must never hold, matched at the start of a "
    "word in any case, accents ignored. A locale file lists its own language's words; its "
    "texts are checked against its own words and the pack's."
)
"""What ``sensitive_words``, the list of words discreet texts may not hold, is."""

DISCREET_MESSAGES: tuple[str, ...] = DISCREET
"""The templates anyone who picks up the phone may read: none may hold a sensitive word."""

LISTS: tuple[str, ...] = ("months", "sensitive_words")
"""The fields of ``[explain]`` that hold a list of texts, not a template."""

MESSAGE_FIELDS: tuple[str, ...] = (*MESSAGE_TEMPLATES, *LISTS)
"""Every field of ``[explain]``: an overlay may change each, and a locale file translate it."""

RULES_FOLDER = "rules"
"""A folder of further rules files: every ``rules/*.toml`` holds ``[[rules]]`` like rules.toml.

A pack's rules are those of rules.toml (which may then be left out) and of each
file in this folder, read in the order of their names, so that a large pack
never needs an overlay chain to stay under the per-file size cap."""

MAX_RULES_FILES = 100
"""The most files a pack's ``rules/`` folder may hold."""

FILES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "steps.toml": ("steps",),
        "questions.toml": ("dimensions", "questions"),
        "rules.toml": ("rules",),
        "resources.toml": ("resources",),
        "messages.toml": ("explain",),
        "plans.toml": ("plans",),
    }
)
"""The tables each file but pack.toml holds in a base pack (an overlay's steps.toml may
also hold ``[[actions]]``, actions added to its base's steps)."""

OVERRIDABLE: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **{kind: table.overridable for kind, table in TABLES.items()},
        "messages": MESSAGE_FIELDS,
    }
)
"""The fields an overlay may change, by kind of item."""

TRANSLATABLE: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **{kind: table.translatable for kind, table in TABLES.items()},
        OPTIONS.kind: OPTIONS.translatable,
        "messages": MESSAGE_FIELDS,
    }
)
"""The fields a locale file may translate, by kind of item."""

# ------------------------------------------------------------------- text rules
# The rules a single text of a pack file must follow, as patterns: the loader
# checks each text against them (`trustkit._pack.versions`,
# `trustkit._pack.validate`) and the JSON Schemas use them as they are
# (`trustkit._schema`). Each pattern means the same to Python's ``re`` and to
# ECMA-262 (JSON Schema's dialect): ASCII classes only, and the end of the text
# is ``$(?!\n)``, since Python's ``$`` would also match before a final newline.

END = r"$(?!\n)"
"""The end of a whole-text pattern, in both dialects."""

MAX_VERSION_CHARS = 200
"""The longest version, version range or ``extends`` a pack file may hold."""

_PEP440_TAIL = (  # pre-, post- and development release, in PEP 440's lower-case spelling
    r"(?:[-_.]?(?:alpha|a|beta|b|preview|pre|c|rc)[-_.]?[0-9]*)?"
    r"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?"
    r"(?:[-_.]?dev[-_.]?[0-9]*)?"
)
_LOCAL = r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?"
_RELEASE = r"[0-9]+(?:\.[0-9]+)*"

VERSION = rf"[0-9]+\.[0-9]+\.[0-9]+{_PEP440_TAIL}{_LOCAL}"
"""A pack's ``version``: PEP 440 with a three-part release, no epoch, in lower case
(``1.0.0``, ``1.1.0rc1``, ``2.0.0.post1``, ``1.0.0+local``)."""

_RANGE_PART = (
    r"[ \t]*(?:"
    rf"(?:==|!=)[ \t]*{_RELEASE}(?:\.\*|{_PEP440_TAIL}{_LOCAL})"
    rf"|~=[ \t]*[0-9]+(?:\.[0-9]+)+{_PEP440_TAIL}"
    rf"|(?:>=|<=|>|<)[ \t]*{_RELEASE}{_PEP440_TAIL}"
    r")[ \t]*"
)
RANGE = rf"{_RANGE_PART}(?:,{_RANGE_PART})*"
"""A PEP 440 version range (``packaging.specifiers``), in lower case and without epochs:
comma-separated ``==``, ``!=``, ``>=``, ``<=``, ``>``, ``<`` and ``~=`` (at least two
release numbers), with ``==1.*`` / ``!=1.*`` wildcards and local labels for ``==`` and
``!=`` only. Spaces and tabs may surround each part."""

EXTENDS = r"[ \t]*[a-z0-9][a-z0-9_-]* " + RANGE
"""An overlay's ``extends``: the base pack's id, one space, then a `RANGE` on its version."""

PLACEHOLDER_NAME = "[A-Za-z0-9_]+"
"""What may stand between braces as a placeholder (``{emergency}``): ASCII word characters."""


def whole(pattern: str) -> str:
    """A pattern that the whole text must match, for a schema's ``pattern``."""
    return f"^(?:{pattern}){END}"


def template_pattern(template: Template) -> str:
    """What a message template may be: text, ``{{``, ``}}`` and its own placeholders.

    Exactly the texts `string.Formatter` reads without a format spec, a
    conversion or a placeholder the template does not have, never empty.
    """
    names = "|".join(template.placeholders)
    own = rf"|\{{(?:{names})\}}" if names else ""
    return rf"(?:[^{{}}]|\{{\{{|\}}\}}{own})+"


def text_pattern(field: Field) -> str:
    """What the placeholders of a field's text must be.

    A field that declares placeholders may hold only those (any other ``{name}``
    is a typo); every other field may not hold ``{emergency}``, which would reach
    a reader as it is written. A rule's reason is the one exception left to the
    rule's own schema: it may hold ``{emergency}`` when the rule is a safety rule.
    """
    if field.placeholders:
        own = "|".join(field.placeholders)
        return rf"(?:[^{{]|\{{(?!{PLACEHOLDER_NAME}\}})|\{{(?:{own})\}})*"
    return rf"(?:[^{{]|\{{(?!{EMERGENCY}\}}))*"


WORD = r"[\s\S]*\S[\s\S]*"
"""A word of a list such as ``sensitive_words``: a text that is not blank (not only spaces)."""
