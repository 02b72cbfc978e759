"""The shapes of the JSON trustkit writes, as TypedDicts for type checkers.

[`trustkit.converter`][trustkit.converter]``.unstructure(obj)`` is typed as
returning ``Any`` (it is cattrs' generic method). Annotate what it returns with
these types, and a type checker knows every key and its type::

    >>> import trustkit
    >>> from trustkit.jsontypes import RecommendationJSON
    >>> rec = trustkit.recommend_next_step({"feels_heard": 1})
    >>> data: RecommendationJSON = trustkit.converter.unstructure(rec)
    >>> data["step"]["id"], data["urgency"] == "info", data["packs"][0]["id"]
    ('validation', True, 'core')

A test checks that what the converter writes has exactly these keys and
types. A missing optional value is ``null`` (``None``), never ``""``;
an empty list stays ``[]``. Enumerations are written as their string values (``"partner"``,
``"warning"``), which ``json.dumps`` writes as plain strings; dates and times
as ISO 8601 text.

Added in version 0.2.0.
"""

from __future__ import annotations

from typing import Literal, TypedDict

__all__ = [
    "ActionJSON",
    "AlternativeJSON",
    "CheckInJSON",
    "EvidenceJSON",
    "PackRefJSON",
    "PlanSectionJSON",
    "ProblemJSON",
    "RecommendationJSON",
    "ResourceJSON",
    "SafetyPlanJSON",
    "StepJSON",
]

RoleJSON = Literal["partner", "supporter"]
UrgencyJSON = Literal["info", "warning", "critical"]
WhoJSON = Literal["supporter", "partner", "both", "either"]
PlanKindJSON = Literal["self_harm", "abuse", "supporter"]
PlanPartJSON = Literal[
    "warning_signs", "on_my_own", "people_and_places", "ask_for_help", "professionals", "safer"
]


class CheckInJSON(TypedDict):
    """A [`CheckIn`][trustkit.CheckIn], as ``converter.unstructure`` writes it.

    [`parse_checkin`][trustkit.parse_checkin] reads it back (``at`` and
    ``recommended`` may be left out there; ``at`` then comes from its ``at``
    argument).

    Added in version 0.2.0.
    """

    respondent: RoleJSON
    answers: dict[str, bool | int | str | list[str]]
    """By question id: a yes/no, a number, an option's code, or a list of codes (sorted)."""
    at: str
    """ISO 8601 with a UTC offset, e.g. ``"2026-03-01T20:15:00+00:00"``."""
    recommended: str | None


class ActionJSON(TypedDict):
    """An [`Action`][trustkit.Action].

    Added in version 0.2.0.
    """

    id: str
    title: str
    how: str
    minutes: int
    who: WhoJSON
    in_crisis: bool


class StepJSON(TypedDict):
    """A [`Step`][trustkit.Step].

    Added in version 0.2.0.
    """

    id: str
    title: str
    summary: str
    why: str
    actions: list[ActionJSON]
    signs_of_progress: list[str]
    pitfalls: list[str]
    couples: bool
    title_partner: str
    """The partner's own title, ``""`` where ``title`` fits them. Always ``""`` in a
    recommendation, whose ``title`` and ``summary`` are already the reader's (added in
    version 0.2.0, as are the three below)."""
    title_supporter: str
    summary_partner: str
    summary_supporter: str


class EvidenceJSON(TypedDict):
    """An [`Evidence`][trustkit.Evidence].

    Added in version 0.2.0.
    """

    rule_id: str
    condition: str
    questions: list[str]


class AlternativeJSON(TypedDict):
    """An [`Alternative`][trustkit.Alternative].

    Added in version 0.2.0.
    """

    step_id: str
    title: str
    rule_id: str


class ResourceJSON(TypedDict):
    """A [`Resource`][trustkit.Resource].

    Added in version 0.2.0.
    """

    id: str
    name: str
    topics: list[str]
    country: str
    source: list[str]
    """Web addresses or other references (changed in version 0.2: was one text)."""
    verified: str
    """ISO 8601 date, e.g. ``"2026-11-27"``."""
    region: str | None
    """``null`` when the resource serves the whole country (as are the other optional
    texts when not known; changed in version 0.2: was ``""``)."""
    phone: str | None
    text: str | None
    url: str | None
    hours: str | None
    languages: list[str]
    notes: str | None
    audience: str | None
    secondary_source: bool


class PackRefJSON(TypedDict):
    """A [`PackRef`][trustkit.PackRef].

    Added in version 0.2.0.
    """

    id: str
    version: str


class ProblemJSON(TypedDict):
    """An [`AnswerProblem`][trustkit.AnswerProblem], as ``converter.unstructure`` writes it.

    Added in version 0.2.0.
    """

    field: str
    expected: str
    code: str


class RecommendationJSON(TypedDict):
    """A [`Recommendation`][trustkit.Recommendation], as ``converter.unstructure`` writes it.

    Added in version 0.2.0.
    """

    step: StepJSON
    urgency: UrgencyJSON
    reasons: list[str]
    evidence: list[EvidenceJSON]
    rule_id: str
    alternatives: list[AlternativeJSON]
    resources: list[ResourceJSON]
    respondent: RoleJSON
    safety: bool
    pack_id: str
    pack_version: str
    packs: list[PackRefJSON]
    locale: str
    problems: list[ProblemJSON]
    plan: PlanKindJSON | None


class PlanSectionJSON(TypedDict):
    """A [`PlanSection`][trustkit.PlanSection], as ``converter.unstructure`` writes it.

    Added in version 0.2.0.
    """

    part: PlanPartJSON
    heading: str
    prompts: list[str]
    entries: list[str]
    resources: list[ResourceJSON]


class SafetyPlanJSON(TypedDict):
    """A [`SafetyPlan`][trustkit.SafetyPlan], as ``converter.unstructure`` writes it.

    Added in version 0.2.0.
    """

    kind: PlanKindJSON
    title: str
    intro: str
    warning_signs: PlanSectionJSON
    on_my_own: PlanSectionJSON
    people_and_places: PlanSectionJSON
    ask_for_help: PlanSectionJSON
    professionals: PlanSectionJSON
    safer: PlanSectionJSON
    country: str | None
    locale: str
    pack_id: str
    pack_version: str
