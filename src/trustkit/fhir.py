"""FHIR R4: a pack's check-in as a ``Questionnaire``, and a ``QuestionnaireResponse`` as a check-in.

Health and therapy-support apps exchange forms and answers as
[HL7 FHIR](https://hl7.org/fhir/R4/) resources. `questionnaire` writes a
pack's questions as a FHIR R4 ``Questionnaire`` in the manner of Structured
Data Capture (SDC): a canonical ``url`` and ``version``, coded and weighted
answer options, calculated dimension scores. `checkin_from_response` reads a
``QuestionnaireResponse`` to it back as a [`CheckIn`][trustkit.CheckIn], and
`guidance_response` writes a recommendation as a ``GuidanceResponse``. All work
on plain JSON-ready dictionaries, so trustkit needs no FHIR library; "FHIR" in
the docs explains every choice.

    >>> import trustkit.fhir
    >>> form = trustkit.fhir.questionnaire()
    >>> form["resourceType"], form["item"][0]["linkId"], form["item"][-1]["linkId"]
    ('Questionnaire', 'trustkit.respondent', 'trustkit.safety')
    >>> form["url"], form["version"]
    ('https://trustkit.invalid/fhir/Questionnaire/core', '1.2.0')
    >>> scale = trustkit.fhir.canonical() + "/answers/scale"
    >>> response = {
    ...     "resourceType": "QuestionnaireResponse",
    ...     "questionnaire": "https://trustkit.invalid/fhir/Questionnaire/core|1.2.0",
    ...     "status": "completed",
    ...     "authored": "2026-03-01T20:15:00Z",
    ...     "item": [
    ...         {"linkId": "trustkit.respondent",
    ...          "answer": [{"valueCoding": {"system": trustkit.fhir.ROLE_SYSTEM,
    ...                                      "code": "partner"}}]},
    ...         {"linkId": "feels_heard",
    ...          "answer": [{"valueCoding": {"system": scale, "code": "2"}}]},
    ...     ],
    ... }
    >>> checkin = trustkit.fhir.checkin_from_response(response)
    >>> checkin.respondent.value, checkin.at.isoformat(), checkin.answers
    ('partner', '2026-03-01T20:15:00+00:00', <1 answers hidden>)

Added in version 0.2.0. Changed in version 0.3.0: SDC depth, and `guidance_response`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from collections import deque
from collections.abc import Iterable, Mapping
from importlib.resources import files
from typing import Any, NamedTuple

from trustkit._api import _localized, default_pack, next_questions
from trustkit._engine.compile import compiled
from trustkit._engine.decide import check_answers
from trustkit._engine.recommend import recommend
from trustkit._pack.spec import SCALE_MAX, SCALE_MIN
from trustkit.errors import AnswerError, AnswerProblem, ProblemCode
from trustkit.models import (
    Answer,
    CheckIn,
    ContentPack,
    CoupleState,
    Dimension,
    Question,
    QuestionKind,
    Recommendation,
    Resource,
    Role,
    Urgency,
)

__all__ = [
    "CALCULATED_EXPRESSION",
    "CANONICAL_BASE",
    "MAX_ITEMS",
    "MIN_VALUE",
    "NEXT_QUESTIONNAIRE_ID",
    "ORDINAL_VALUE",
    "PROBLEMS_ID",
    "RESPONDENT_LINK_ID",
    "ROLE_SYSTEM",
    "SAFETY_LINK_ID",
    "SCORES_LINK_ID",
    "STEP_ID",
    "TRANSLATION",
    "answer_system",
    "canonical",
    "checkin_from_response",
    "guidance_response",
    "next_question",
    "questionnaire",
    "recommend_response",
]

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
"""FHIR's extension for a text in another language (on ``_text`` and ``_display``)."""

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
"""FHIR's extension for the smallest answer an item accepts (0 on count questions)."""

ROLE_SYSTEM = "https://github.com/trustkit/trustkit/blob/main/docs/fhir.md#the-respondent"
"""The code system of the respondent's answer: the codes ``partner`` and ``supporter``."""

RESPONDENT_LINK_ID = "trustkit.respondent"
"""The ``linkId`` of the first item: who is answering. No question id can take it."""

SAFETY_LINK_ID = "trustkit.safety"
"""The ``linkId`` of the group that holds the safety screen, the last item."""

SCORES_LINK_ID = "trustkit.scores"
"""The ``linkId`` of the group of calculated dimension scores, just before the safety screen.

Each score inside it has the ``linkId`` ``trustkit.score.`` and the dimension id. A response's
answers to them are never read: trustkit works the scores out from the answers itself.
"""

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
"""FHIR R4's extension for an answer option's weight in a score (R5 renamed it ``itemWeight``)."""

CALCULATED_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
)
"""SDC's extension for an item whose answer a form works out with a FHIRPath expression."""

CANONICAL_BASE = "https://trustkit.invalid/fhir"
"""Where trustkit's canonical URLs start. ``.invalid`` never resolves: they name, never locate."""

STEP_ID = "trustkit-step"
"""The id of the contained ``RequestGroup`` that `guidance_response` proposes: the step."""

PROBLEMS_ID = "trustkit-problems"
"""The id of the contained ``OperationOutcome`` of `guidance_response`: what was wrong."""

NEXT_QUESTIONNAIRE_ID = "trustkit-next"
"""The id of the ``Questionnaire`` that `next_question` puts in the response's ``contained``."""

MAX_ITEMS = 200
"""The most items, nested ones included, that a response may hold; a check-in has a few dozen."""

_TYPES = {
    QuestionKind.SCALE: "choice",
    QuestionKind.YES_NO: "choice",
    QuestionKind.COUNT: "integer",
    QuestionKind.CHOICE: "choice",
    QuestionKind.MULTIPLE_CHOICE: "choice",
}
"""The FHIR item type of every kind of question; `_options` gives a choice's coded answers."""
_SCORE_PREFIX = "trustkit.score"
_PRIORITIES = {Urgency.INFO: "routine", Urgency.WARNING: "urgent", Urgency.CRITICAL: "stat"}
_STATUSES = ("completed", "amended", "in-progress", "stopped")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")
_ROLES = {role.value: role for role in Role}
_ROLE_EXPECTED = "one answer, a valueCoding with the code 'partner' or 'supporter'"
_VALUE_EXPECTED = "one answer, as valueCoding, valueBoolean or valueInteger"
_CODING_EXPECTED = "one answer, a valueCoding of the item's answerOption"
_CODINGS_EXPECTED = "one or more answers, each a different valueCoding of the item's answerOption"


# ------------------------------------------------------------------------------ export


def canonical(pack: ContentPack | None = None) -> str:
    """The canonical URL of a pack's ``Questionnaire``: under `CANONICAL_BASE`, by pack id.

    It is `CANONICAL_BASE`, ``/Questionnaire/`` and the pack's id. With the
    pack's version, ``url|version``, it names one questionnaire for good: a
    ``QuestionnaireResponse`` points back to it in ``questionnaire``.

    Added in version 0.3.0.

    Examples:
        >>> import trustkit.fhir
        >>> trustkit.fhir.canonical()
        'https://trustkit.invalid/fhir/Questionnaire/core'
    """
    base = default_pack() if pack is None else pack
    return f"{CANONICAL_BASE}/Questionnaire/{base.id}"


def answer_system(question: Question, pack: ContentPack | None = None) -> str:
    """The code system of a question's coded answers: under the pack's `canonical`, by kind.

    ``answers/scale`` (codes ``1`` to ``5``) and ``answers/yes_no`` (``yes``, ``no``).
    A choice or multiple choice question has a system of its own, ``answers/choice/``
    and its id (the codes of its options), so two questions' codes never collide.

    Added in version 0.3.0.

    Examples:
        >>> import trustkit, trustkit.fhir
        >>> trustkit.fhir.answer_system(trustkit.default_pack().question("feels_heard"))
        'https://trustkit.invalid/fhir/Questionnaire/core/answers/scale'
    """
    if question.options:
        return f"{canonical(pack)}/answers/choice/{question.id}"
    return f"{canonical(pack)}/answers/{question.kind.value}"


class _Option(NamedTuple):
    """One coded answer of a question: its code, the answer it stands for, its text, weight."""

    code: str
    value: Answer
    display: str
    weight: int | float | None


def _options(pack: ContentPack, question: Question) -> tuple[_Option, ...]:
    """The coded answers a question takes, by kind, with texts in the pack's language.

    A count has none (it is an ``integer`` item). A scale answer weighs what it adds to
    its dimension's score: the answer, flipped on a reverse-keyed question. A choice
    question's options are its own, each with its label and weight, if it has one.
    """
    if question.options:
        return tuple(_Option(o.code, o.code, o.label, o.weight) for o in question.options)
    texts = pack.messages
    if question.kind is QuestionKind.SCALE:
        return tuple(
            _Option(
                str(v),
                v,
                _sentence(getattr(texts, f"scale_{v}")),
                SCALE_MIN + SCALE_MAX - v if question.reverse else v,
            )
            for v in range(SCALE_MIN, SCALE_MAX + 1)
        )
    if question.kind is QuestionKind.YES_NO:
        return (
            _Option("yes", True, _sentence(texts.word_yes), None),
            _Option("no", False, _sentence(texts.word_no), None),
        )
    return ()


def _sentence(text: str) -> str:
    """A label as an answer shows it: with a capital first letter."""
    return text[:1].upper() + text[1:]


def _score_expression(items: Iterable[Question]) -> str:
    """FHIRPath for a dimension's score: the mean of its answered items' weights.

    Each weight is the answer's code as a number, flipped on a reverse-keyed question,
    as trustkit scores; no answer at all gives no score (an empty result).
    """
    parts = []
    for q in items:
        value = f"%resource.repeat(item).where(linkId = '{q.id}').answer.value.code.toInteger()"
        if q.reverse:
            value += f".select({SCALE_MIN + SCALE_MAX} - $this)"
        parts.append(value)
    combined = parts[0] + "".join(f".combine({part})" for part in parts[1:])
    return f"({combined}).avg()"


def questionnaire(
    pack: ContentPack | None = None, *, locales: Iterable[str] | None = None
) -> dict[str, Any]:
    """The pack's check-in as a FHIR R4 ``Questionnaire``, as JSON-ready data.

    One questionnaire serves both partners. Its ``url`` is the pack's
    `canonical` URL and its ``version`` the pack's. Its first item asks who
    is answering (``linkId`` `RESPONDENT_LINK_ID`); a question only one role
    is asked has an ``enableWhen`` on that answer. Then come the pack's
    questions, each with its question id as ``linkId``, then each
    dimension's score, read-only and calculated (SDC's
    `CALCULATED_EXPRESSION`, in a group `SCORES_LINK_ID`), and last the
    safety screen, in a group (`SAFETY_LINK_ID`). A scale question is a
    ``choice`` of the codes ``1`` to ``5``, each weighted by what it adds to
    the dimension's score (`ORDINAL_VALUE`: flipped on a reverse-keyed
    question); a yes/no question a ``choice`` of ``yes`` and ``no``, both in
    the `answer_system` of their kind; a count an ``integer`` of at least 0
    (`MIN_VALUE`); a choice question a ``choice`` of its options' codes, in
    a system of its own, each weighted if it has a weight, and a multiple
    choice question the same with ``repeats``. Texts are in the pack's
    language, and each translation comes with them in FHIR's `TRANSLATION` extension.

    Added in version 0.2.0. Changed in version 0.3.0: ``url``, coded and
    weighted answers (scale answers were ``valueInteger`` options, yes/no
    questions ``boolean`` items), calculated scores, choice questions.

    Args:
        pack: The content pack; the bundled one by default.
        locales: BCP 47 tags of the translations to add, e.g. ``["es"]``
            (a single tag as a string works too). By default every locale
            the pack has. A tag falls back as in
            [`ContentPack.localized`][trustkit.models.ContentPack.localized];
            a language the pack has no texts in adds nothing.

    Returns:
        The ``Questionnaire`` resource, ready for ``json.dumps``.

    Raises:
        AnswerError: A locale is not a language tag (field ``"locale"``).
        PackError: A locale file, read now for the first time, has a problem.

    Examples:
        >>> import trustkit.fhir
        >>> form = trustkit.fhir.questionnaire(locales=["es"])
        >>> heard = next(i for i in form["item"] if i["linkId"] == "feels_heard")
        >>> heard["type"], [option["valueCoding"]["code"] for option in heard["answerOption"]]
        ('choice', ['1', '2', '3', '4', '5'])
        >>> heard["answerOption"][0]["valueCoding"]["display"]
        'Strongly disagree'
        >>> heard["enableWhen"][0]["answerCoding"]["code"]
        'partner'
        >>> [e["url"] for e in heard["_text"]["extension"][0]["extension"]]
        ['lang', 'content']
    """
    base = default_pack() if pack is None else pack
    write = _Writer(base, _translated(base, base.locales if locales is None else locales))
    items = [write.respondent(), *(write.item(q) for q in base.questions if not q.safety)]
    scores = []
    for dimension in base.dimensions:
        scored = [q for q in base.questions if q.dimension == dimension.id]
        if scored:
            scores.append(write.score(dimension, scored))
    if scores:
        items.append(write.group(SCORES_LINK_ID, "scores", scores))
    screen = [write.item(q) for q in base.questions if q.safety]
    if screen:
        items.append(write.group(SAFETY_LINK_ID, "safety", screen))
    form: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "language": base.locale,
        "url": canonical(base),
        "version": base.version,
        "name": "Trustkit" + "".join(part.capitalize() for part in re.split(r"[-_]", base.id)),
        "title": base.title,
        "status": "active",
    }
    if base.description:
        form["description"] = base.description
    form["item"] = items
    return form


class _Writer:
    """Writes the items of a pack's questionnaire, each text with its translations."""

    def __init__(self, base: ContentPack, others: list[ContentPack]) -> None:
        self.base = base
        self.others = others
        self.own = _labels(base.locale)
        self.labels = [(other.locale, _labels(other.locale)) for other in others]

    def say(
        self,
        element: dict[str, Any],
        field: str,
        text: str,
        translations: Iterable[tuple[str, str]],
    ) -> None:
        """Set ``field`` to ``text``, and ``_field`` to the translations that differ from it."""
        element[field] = text
        extensions = [
            {
                "url": TRANSLATION,
                "extension": [
                    {"url": "lang", "valueCode": lang},
                    {"url": "content", "valueString": content},
                ],
            }
            for lang, content in translations
            if content != text
        ]
        if extensions:
            element[f"_{field}"] = {"extension": extensions}

    def label(self, element: dict[str, Any], field: str, key: str) -> None:
        """One of trustkit's own texts (_fhir_labels.toml), with its translations."""
        self.say(element, field, self.own[key], [(lang, t[key]) for lang, t in self.labels])

    def group(self, link: str, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        """A group of items, with one of trustkit's own texts as its heading."""
        out: dict[str, Any] = {"linkId": link}
        self.label(out, "text", key)
        out.update(type="group", item=items)
        return out

    def respondent(self) -> dict[str, Any]:
        """The first item: who is answering."""
        options = []
        for role in Role:
            coding = {"system": ROLE_SYSTEM, "code": role.value}
            self.label(coding, "display", role.value)
            options.append({"valueCoding": coding})
        out: dict[str, Any] = {"linkId": RESPONDENT_LINK_ID}
        self.label(out, "text", "respondent")
        out.update(type="choice", required=True, answerOption=options)
        return out

    def item(self, question: Question) -> dict[str, Any]:
        """A question's item: its type and answers by kind (`_TYPES`, `_options`)."""
        out: dict[str, Any] = {"linkId": question.id}
        prompts = [(other.locale, other.question(question.id).prompt) for other in self.others]
        self.say(out, "text", question.prompt, prompts)
        out["type"] = _TYPES[question.kind]
        if question.kind is QuestionKind.MULTIPLE_CHOICE:
            out["repeats"] = True
        if options := _options(self.base, question):
            out["answerOption"] = self.answer_options(question, options)
        else:  # a count, the one kind without options: a whole number, at least 0
            out["extension"] = [{"url": MIN_VALUE, "valueInteger": 0}]
        _enable(out, question.respondents)
        return out

    def answer_options(
        self, question: Question, options: tuple[_Option, ...]
    ) -> list[dict[str, Any]]:
        """Each option as a ``valueCoding``, with its weight (`ORDINAL_VALUE`) if it has one."""
        system = answer_system(question, self.base)
        local = [(o.locale, _options(o, o.question(question.id))) for o in self.others]
        out = []
        for n, option in enumerate(options):
            coding = {"system": system, "code": option.code}
            self.say(coding, "display", option.display, [(lang, t[n].display) for lang, t in local])
            entry: dict[str, Any] = {"valueCoding": coding}
            if option.weight is not None:
                entry["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": option.weight}]
            out.append(entry)
        return out

    def score(self, dimension: Dimension, scored: list[Question]) -> dict[str, Any]:
        """A dimension's score: a read-only decimal that a form calculates (SDC)."""
        out: dict[str, Any] = {"linkId": f"{_SCORE_PREFIX}.{dimension.id}"}
        expression = {"language": "text/fhirpath", "expression": _score_expression(scored)}
        out["extension"] = [{"url": CALCULATED_EXPRESSION, "valueExpression": expression}]
        labels = [
            (o.locale, _sentence(d.label))
            for o in self.others
            for d in o.dimensions
            if d.id == dimension.id
        ]
        self.say(out, "text", _sentence(dimension.label), labels)
        out.update(type="decimal", readOnly=True)
        _enable(out, frozenset().union(*(q.respondents for q in scored)))
        return out


def _enable(out: dict[str, Any], roles: frozenset[Role]) -> None:
    """An enableWhen on the respondent item, for an item only one role answers."""
    if len(roles) == 1:
        (role,) = roles
        out["enableWhen"] = [
            {
                "question": RESPONDENT_LINK_ID,
                "operator": "=",
                "answerCoding": {"system": ROLE_SYSTEM, "code": role.value},
            }
        ]


def _translated(pack: ContentPack, locales: Iterable[str]) -> list[ContentPack]:
    """The pack in each locale that has texts of its own, once per locale applied."""
    tags: Iterable[str] = (locales,) if isinstance(locales, str) else locales
    found: dict[str, ContentPack] = {}
    for tag in tags:
        local = pack.localized(tag)
        if local.locale != pack.locale:
            found.setdefault(local.locale, local)
    return list(found.values())


@functools.cache
def _label_tables() -> dict[str, dict[str, str]]:
    text = files("trustkit").joinpath("_fhir_labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _labels(locale: str) -> dict[str, str]:
    """The texts of trustkit's own items in a locale's language, or in English."""
    tables = _label_tables()
    return tables.get(locale.split("-", maxsplit=1)[0].lower(), tables["en"])


# ------------------------------------------------------------------------------ import


def checkin_from_response(data: object, *, pack: ContentPack | None = None) -> CheckIn:
    """Read a FHIR R4 ``QuestionnaireResponse`` to `questionnaire` as a check-in.

    The response's ``questionnaire`` must be the pack's `canonical` URL,
    alone or with the pack's version (``url|version``); or
    ``#trustkit-next``, the questionnaire `next_question` put in
    ``contained``. The respondent comes from the answer to the item
    `RESPONDENT_LINK_ID`, each question's answer from the item whose
    ``linkId`` is the question id (at any depth, so the safety group needs
    no special handling): a ``valueCoding`` of the item's answer options
    (system and code), or, as trustkit 0.2 read them, a ``valueBoolean`` or
    ``valueInteger``. A multiple choice item may have several answers, each
    a different ``valueCoding`` of its options: together, one answer.
    Answers to the calculated scores are not read.
    ``at`` comes from ``authored``, which must be a date and time with a UTC
    offset. Items without an answer are not answered; ``status`` may be
    ``completed``, ``amended``, ``in-progress`` or ``stopped`` (a check-in
    holds what was answered, and a yes on the safety screen counts however
    far the person got). The answers are checked against the pack's
    questionnaire, as ``recommend_next_step`` checks them.

    Added in version 0.2.0. Changed in version 0.3.0: ``questionnaire`` is
    checked, and coded answers (choice questions too) are read.

    Args:
        data: The ``QuestionnaireResponse``, as parsed from JSON.
        pack: The content pack the questionnaire came from; the bundled one
            by default.

    Returns:
        The check-in, with no ``recommended`` step.

    Raises:
        AnswerError: The response does not fit: every problem is listed, by
            ``linkId`` (or ``resourceType``, ``questionnaire``, ``status``,
            ``authored`` or ``item``), and no answer's value is ever repeated.

    Examples:
        >>> import trustkit.fhir
        >>> try:
        ...     trustkit.fhir.checkin_from_response({
        ...         "resourceType": "QuestionnaireResponse",
        ...         "questionnaire": trustkit.fhir.canonical(),
        ...         "status": "completed",
        ...         "authored": "2026-03-01",
        ...         "item": [{"linkId": "feels_heard", "answer": [{"valueString": "2"}]}],
        ...     })
        ... except trustkit.AnswerError as error:
        ...     for problem in error.problems:
        ...         print(problem)
        authored: a date and time with a UTC offset, e.g. 2026-03-01T20:15:00Z
        feels_heard: one answer, as valueCoding, valueBoolean or valueInteger
        trustkit.respondent: one answer, a valueCoding with the code 'partner' or 'supporter'
    """
    if not isinstance(data, Mapping) or data.get("resourceType") != "QuestionnaireResponse":
        raise AnswerError(
            [
                AnswerProblem(
                    "resourceType", "'QuestionnaireResponse'", code=ProblemCode.INVALID_VALUE
                )
            ]
        )
    chosen = default_pack() if pack is None else pack
    problems: list[AnswerProblem] = []
    if (wrong := _questionnaire_problem(data, chosen)) is not None:
        problems.append(wrong)
    status = data.get("status")
    if not (isinstance(status, str) and status in _STATUSES):
        problems.append(
            AnswerProblem(
                "status",
                "one of " + ", ".join(map(repr, _STATUSES)),
                code=ProblemCode.INVALID_VALUE,
            )
        )
    at = _authored(data.get("authored"))
    if at is None:
        problems.append(
            AnswerProblem(
                "authored",
                "a date and time with a UTC offset, e.g. 2026-03-01T20:15:00Z",
                code=ProblemCode.WRONG_TYPE,
            )
        )
    role, answers = _read_items(data.get("item", []), problems, chosen)
    if role is None:
        if all(p.field != RESPONDENT_LINK_ID for p in problems):
            problems.append(
                AnswerProblem(RESPONDENT_LINK_ID, _ROLE_EXPECTED, code=ProblemCode.MISSING)
            )
    else:
        try:
            check_answers(compiled(chosen), answers, role)
        except AnswerError as error:
            problems.extend(error.problems)
    if problems or role is None or at is None:
        raise AnswerError(problems)
    return CheckIn(respondent=role, answers=answers, at=at)


def _questionnaire_problem(
    data: Mapping[Any, Any], pack: ContentPack, *, optional: bool = False
) -> AnswerProblem | None:
    """A problem when the response does not answer the pack's questionnaire, else None.

    ``questionnaire`` must be the pack's `canonical` URL, alone or with the pack's
    version (``url|version``), or ``#trustkit-next`` for the contained questionnaire
    of `next_question`, derived from it. ``optional``: it may be left out.
    """
    ref = data.get("questionnaire")
    url = canonical(pack)
    versioned = f"{url}|{pack.version}"
    if (ref is None and optional) or ref in (url, versioned):
        return None
    if ref == "#" + NEXT_QUESTIONNAIRE_ID:
        contained = data.get("contained")
        for resource in contained if isinstance(contained, list) else ():
            if (
                isinstance(resource, Mapping)
                and resource.get("id") == NEXT_QUESTIONNAIRE_ID
                and resource.get("derivedFrom") == [versioned]
            ):
                return None
    return AnswerProblem(
        "questionnaire",
        f"the canonical URL of the pack's questionnaire, {versioned} (or without |{pack.version})",
        code=ProblemCode.MISSING if ref is None else ProblemCode.INVALID_VALUE,
    )


def _authored(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:  # e.g. 2026-02-30
        return None


def _short(link_id: str) -> str:
    """A linkId as it may appear in an error: shortened, like a question id."""
    return link_id if len(link_id) <= 60 else link_id[:57] + "..."


def recommend_response(
    data: object,
    *,
    pack: ContentPack | None = None,
    country: str | None = None,
    locale: str | None = None,
    history: Iterable[CheckIn] | None = None,
    state: CoupleState | None = None,
) -> Recommendation:
    """Read a ``QuestionnaireResponse`` and recommend the next step, a safety yes first.

    The same as `checkin_from_response` followed by
    [`recommend_next_step`][trustkit.recommend_next_step], with one difference
    that matters: when the response cannot be read whole but an answer that
    can be read is a safety yes, the safety result comes back anyway, with
    what was wrong in ``problems``, instead of an error and no help.

    Added in version 0.2.0.

    Args:
        data: The ``QuestionnaireResponse``, as parsed from JSON.
        pack: The content pack the questionnaire came from; the bundled one
            by default.
        country: As for ``recommend_next_step``.
        locale: As for ``recommend_next_step``.
        history: As for ``recommend_next_step``.
        state: As for ``recommend_next_step``.

    Raises:
        AnswerError: As `checkin_from_response` and ``recommend_next_step``
            raise it, unless safety decides.
    """
    chosen, given = _localized(pack, locale)
    try:
        checkin = checkin_from_response(data, pack=chosen)
    except AnswerError as error:
        if not isinstance(data, Mapping):
            raise
        # What can be read, with the response's own problems reported first.
        role, answers = _read_items(data.get("item", []), [], chosen)
        now = _authored(data.get("authored"))
        return recommend(
            answers, role, chosen, country, history, (), now, False, state, (*given, error)
        )
    return recommend(checkin, None, chosen, country, history, (), None, False, state, given)


def next_question(
    data: object,
    *,
    pack: ContentPack | None = None,
    history: Iterable[CheckIn] | None = None,
    state: CoupleState | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """An SDC ``$next-question`` step: the response, with the next item(s) to ask.

    Shaped like the FHIR SDC adaptive questionnaire operation: it takes a
    partial ``QuestionnaireResponse`` and returns a copy of it whose
    ``contained`` ``Questionnaire`` (id `NEXT_QUESTIONNAIRE_ID`, named by
    ``questionnaire`` as ``#trustkit-next``, and ``derivedFrom`` the
    pack's `canonical` ``url|version``) holds the items asked so far and
    the next ones, as `questionnaire` writes them (the calculated scores
    left out). The next items come from
    [`trustkit.next_questions`][trustkit.next_questions]: the respondent
    item first, then the whole unanswered safety screen (in its group), then
    one question at a time among those that can still change the step (and
    tracked ones). An item sent back without an answer was shown and skipped:
    it is not asked again. When nothing is left to ask, ``status`` is
    ``completed`` (and the response can go to `recommend_response`);
    before that it is ``in-progress``.

    Added in version 0.2.0.

    Args:
        data: The ``QuestionnaireResponse`` so far, as parsed from JSON
            (``authored`` and ``status`` may be left out until it is complete,
            and ``questionnaire`` until the first step sets it; if given, it is
            checked as `checkin_from_response` checks it).
        pack: The content pack; the bundled one by default.
        history: As for ``recommend_next_step``.
        state: As for ``recommend_next_step``.
        now: When the check-in happens (needed with a history or state);
            by default the response's ``authored``, if it has one.

    Returns:
        The response with the contained questionnaire and ``status`` set.

    Raises:
        AnswerError: An item cannot be read, or an answer does not fit: each
            problem names the ``linkId``, never the answer.

    Examples:
        >>> import trustkit.fhir
        >>> step = trustkit.fhir.next_question({"resourceType": "QuestionnaireResponse"})
        >>> step["status"], [i["linkId"] for i in step["contained"][0]["item"]]
        ('in-progress', ['trustkit.respondent'])
    """
    if not isinstance(data, Mapping) or data.get("resourceType") != "QuestionnaireResponse":
        raise AnswerError(
            [
                AnswerProblem(
                    "resourceType", "'QuestionnaireResponse'", code=ProblemCode.INVALID_VALUE
                )
            ]
        )
    chosen = default_pack() if pack is None else pack
    problems: list[AnswerProblem] = []
    if (wrong := _questionnaire_problem(data, chosen, optional=True)) is not None:
        problems.append(wrong)
    items = data.get("item", [])
    role, answers = _read_items(items, problems, chosen)
    if problems:
        raise AnswerError(problems)
    form = questionnaire(chosen, locales=())
    if role is None:
        ask: list[str] = [RESPONDENT_LINK_ID]
        questions: tuple[str, ...] = ()
    else:
        seen: dict[str, Answer | None] = dict.fromkeys(_unanswered(items, chosen, role))
        seen.update(answers)
        when = now if now is not None else _authored(data.get("authored"))
        found = next_questions(
            seen, respondent=role, state=state, history=history, now=when, pack=chosen
        )
        questions = found.questions
        screen = [q for q in questions if chosen.question(q).safety]
        ask = [RESPONDENT_LINK_ID, *seen, *(screen or questions[:1])]
    keep = set(ask)
    shown = []
    for item in form["item"]:
        if item["linkId"] == SAFETY_LINK_ID:
            inner = [i for i in item["item"] if i["linkId"] in keep]
            if inner:
                shown.append({**item, "item": inner})
        elif item["linkId"] in keep:
            shown.append(item)
    url = form.pop("url")
    form = {"id": NEXT_QUESTIONNAIRE_ID, **form, "derivedFrom": [f"{url}|{chosen.version}"]}
    form["item"] = shown
    out = {k: v for k, v in data.items() if k != "contained"}
    out["contained"] = [form]
    out["questionnaire"] = "#" + NEXT_QUESTIONNAIRE_ID
    out["status"] = "in-progress" if role is None or questions else "completed"
    return out


def _unanswered(items: object, pack: ContentPack, role: Role) -> list[str]:
    """The questions of ``role`` whose items came back without an answer (shown, skipped)."""
    found: list[str] = []
    pending: deque[object] = deque([items])
    asked = {q.id for q in pack.questions_for(role)}
    while pending:
        group = pending.popleft()
        assert isinstance(group, list)  # _read_items read it without a problem
        for entry in group:
            pending.append(entry.get("item", []))
            link = entry["linkId"]
            if "answer" not in entry and link in asked:
                found.append(link)
    return found


def _read_items(
    items: object, problems: list[AnswerProblem], pack: ContentPack
) -> tuple[Role | None, dict[str, Answer]]:
    """The respondent and the answers in a response's items, at any depth.

    Adds a problem for each item that cannot be read, naming its linkId. The
    calculated scores (`SCORES_LINK_ID`) are skipped: trustkit works them out itself.
    """
    questions = {q.id: q for q in pack.questions}
    role: Role | None = None
    answers: dict[str, Answer] = {}
    seen: set[str] = set()
    pending: deque[object] = deque([items])
    count = 0
    while pending:
        group = pending.popleft()
        if not isinstance(group, list):
            problems.append(AnswerProblem("item", "a list of items", code=ProblemCode.WRONG_TYPE))
            continue
        for entry in group:
            count += 1
            if count > MAX_ITEMS:
                raise AnswerError(
                    [
                        AnswerProblem(
                            "item", f"at most {MAX_ITEMS} items", code=ProblemCode.TOO_LARGE
                        )
                    ]
                )
            link = entry.get("linkId") if isinstance(entry, Mapping) else None
            if not isinstance(link, str):
                problems.append(
                    AnswerProblem("item", "an object with a linkId", code=ProblemCode.WRONG_TYPE)
                )
                continue
            if link.startswith(_SCORE_PREFIX):
                continue
            if "item" in entry:
                pending.append(entry["item"])
            if "answer" not in entry:
                continue
            name = _short(link)
            if link in seen:
                problems.append(
                    AnswerProblem(name, "one item, answered once", code=ProblemCode.DUPLICATE)
                )
                continue
            seen.add(link)
            if link == RESPONDENT_LINK_ID:
                role = _role(*_only_value(entry["answer"], pending))
                if role is None:
                    problems.append(
                        AnswerProblem(name, _ROLE_EXPECTED, code=ProblemCode.INVALID_VALUE)
                    )
                continue
            got = _read_answer(entry["answer"], name, questions.get(link), pack, pending)
            if isinstance(got, AnswerProblem):
                problems.append(got)
            else:
                answers[link] = got
    return role, answers


def _read_answer(
    answer: object,
    name: str,
    question: Question | None,
    pack: ContentPack,
    pending: deque[object],
) -> Answer | AnswerProblem:
    """The answer in one item's ``answer`` list, or the problem with it (naming the item)."""
    if question is not None and question.kind is QuestionKind.MULTIPLE_CHOICE:
        chosen = _decode_all(answer, question, pack, pending)
        if chosen is None:
            return AnswerProblem(name, _CODINGS_EXPECTED, code=ProblemCode.INVALID_VALUE)
        return chosen
    key, value = _only_value(answer, pending)
    if key == "valueCoding":
        if question is None:
            return AnswerProblem(name, "a known question id", code=ProblemCode.UNKNOWN_QUESTION)
        coded = _decode(value, question, pack)
        if coded is None:
            return AnswerProblem(name, _CODING_EXPECTED, code=ProblemCode.INVALID_VALUE)
        return coded
    if (plain := _answer(key, value)) is not None:
        return plain
    return AnswerProblem(name, _VALUE_EXPECTED, code=ProblemCode.WRONG_TYPE)


def _decode(coding: object, question: Question, pack: ContentPack) -> Answer | None:
    """The answer a ``valueCoding`` stands for: one of the question's options (system and code)."""
    if not isinstance(coding, Mapping) or coding.get("system") != answer_system(question, pack):
        return None
    code = coding.get("code")
    return next((o.value for o in _options(pack, question) if o.code == code), None)


def _decode_all(
    answers: object, question: Question, pack: ContentPack, pending: deque[object]
) -> frozenset[str] | None:
    """The codes a multiple choice item's answers stand for, or None.

    They must be one or more ``valueCoding``s of its options, each code once.
    """
    if not (isinstance(answers, list) and answers):
        return None
    codes: list[str] = []
    for answer in answers:
        if not isinstance(answer, Mapping):
            return None
        if "item" in answer:
            pending.append(answer["item"])
        values = [k for k in answer if isinstance(k, str) and k.startswith("value")]
        code = _decode(answer["valueCoding"], question, pack) if values == ["valueCoding"] else None
        if not isinstance(code, str) or code in codes:
            return None
        codes.append(code)
    return frozenset(codes)


def _only_value(answer: object, pending: deque[object]) -> tuple[str, object]:
    """The ``value[x]`` key and value of an item's one answer, or ``("", None)``."""
    if not (isinstance(answer, list) and len(answer) == 1 and isinstance(answer[0], Mapping)):
        return "", None
    only: Mapping[object, object] = answer[0]
    if "item" in only:
        pending.append(only["item"])
    values = [(k, v) for k, v in only.items() if isinstance(k, str) and k.startswith("value")]
    return values[0] if len(values) == 1 else ("", None)


def _answer(key: str, value: object) -> Answer | None:
    """A yes/no answer from ``valueBoolean``, a number from ``valueInteger``; else None."""
    if key == "valueBoolean":
        return value if isinstance(value, bool) else None
    if key == "valueInteger" and isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _role(key: str, value: object) -> Role | None:
    if key != "valueCoding" or not isinstance(value, Mapping):
        return None
    code, system = value.get("code"), value.get("system", ROLE_SYSTEM)
    if not isinstance(code, str) or system != ROLE_SYSTEM:
        return None
    return _ROLES.get(code)


# ------------------------------------------------------------------------ recommendation


def guidance_response(
    rec: Recommendation,
    *,
    pack: ContentPack | None = None,
    occurrence: dt.datetime | None = None,
) -> dict[str, Any]:
    """A recommendation as a FHIR R4 ``GuidanceResponse``, as JSON-ready data: the step, no answers.

    The outcome of a decision module (the pack, ``moduleCanonical``
    ``.../Library/<pack id>|<version>`` under `CANONICAL_BASE`), with
    ``status`` ``success``. Its ``result`` is a contained ``RequestGroup``
    (id `STEP_ID`) that proposes the step: its urgency as ``priority``
    (``routine``, ``urgent`` or ``stat``), one action for the step (title,
    summary as ``description``, why as ``textEquivalent``, and its actions
    inside), and, when the recommendation has resources, one action for
    them under the heading "Get help now" (each line's name, how to call it,
    its text and hours, and its web address). So a safety result carries its
    crisis texts and lines. What was wrong with the input (``problems``)
    comes as a contained ``OperationOutcome`` (id `PROBLEMS_ID`), in
    ``evaluationMessage``.

    It never holds an answer: not the reasons (which name answers), the
    evidence, the rule, the alternatives or the safety plan. The same
    recommendation always gives the same resource; trustkit reads no clock,
    so the time it happened is yours to give.

    Added in version 0.3.0.

    Args:
        rec: The recommendation.
        pack: The content pack it came from (for the headings, in the
            recommendation's language); the bundled one by default.
        occurrence: When the recommendation was made (``occurrenceDateTime``),
            with a UTC offset; left out by default.

    Returns:
        The ``GuidanceResponse`` resource, ready for ``json.dumps``.

    Raises:
        AnswerError: ``occurrence`` has no UTC offset (field ``"occurrence"``).

    Examples:
        >>> import datetime as dt, trustkit, trustkit.fhir
        >>> at = dt.datetime(2026, 3, 1, 20, 15, tzinfo=dt.UTC)
        >>> rec = trustkit.recommend_next_step(
        ...     trustkit.CheckIn("partner", {"afraid_of_partner": True}, at), country="GB"
        ... )
        >>> guidance = trustkit.fhir.guidance_response(rec, occurrence=at)
        >>> guidance["resourceType"], guidance["status"], guidance["occurrenceDateTime"]
        ('GuidanceResponse', 'success', '2026-03-01T20:15:00Z')
        >>> step, help_now = guidance["contained"][0]["action"]
        >>> guidance["contained"][0]["priority"], help_now["action"][0]["description"]
        ('stat', 'call 999')
    """
    if occurrence is not None and occurrence.utcoffset() is None:
        raise AnswerError(
            [
                AnswerProblem(
                    "occurrence",
                    "a date and time with a UTC offset",
                    code=ProblemCode.WRONG_TYPE,
                )
            ]
        )
    texts = (default_pack() if pack is None else pack).localized(rec.locale).messages
    step = rec.step
    proposed: dict[str, Any] = {
        "title": step.title,
        "description": step.summary,
        "textEquivalent": step.why,
    }
    if step.actions:
        proposed["action"] = [{"title": a.title, "description": a.how} for a in step.actions]
    actions = [proposed]
    if rec.resources:
        lines = [_line(resource, texts.resource_phone) for resource in rec.resources]
        actions.append({"title": texts.heading_get_help, "action": lines})
    group = {
        "resourceType": "RequestGroup",
        "id": STEP_ID,
        "status": "active",
        "intent": "proposal",
        "priority": _PRIORITIES[rec.urgency],
        "action": actions,
    }
    contained: list[dict[str, Any]] = [group]
    out: dict[str, Any] = {"resourceType": "GuidanceResponse", "language": rec.locale}
    out["contained"] = contained
    out["moduleCanonical"] = f"{CANONICAL_BASE}/Library/{rec.pack_id}|{rec.pack_version}"
    out["status"] = "success"
    if occurrence is not None:
        out["occurrenceDateTime"] = re.sub(r"\+00:00\Z", "Z", occurrence.isoformat())
    if rec.problems:
        issues = [
            {"severity": "warning", "code": "invalid", "diagnostics": str(problem)}
            for problem in rec.problems
        ]
        contained.append({"resourceType": "OperationOutcome", "id": PROBLEMS_ID, "issue": issues})
        out["evaluationMessage"] = [{"reference": "#" + PROBLEMS_ID}]
    out["result"] = {"reference": "#" + STEP_ID}
    return out


def _line(resource: Resource, phone: str) -> dict[str, Any]:
    """A helpline as an action: its name, how to call it, its text and hours; its address."""
    said = [phone.format(phone=resource.phone) if resource.phone else ""]
    said += [resource.text, resource.hours]
    out: dict[str, Any] = {"title": resource.name}
    if description := "; ".join(part for part in said if part):
        out["description"] = description
    if resource.url:
        out["documentation"] = [
            {"type": "documentation", "display": resource.name, "url": resource.url}
        ]
    return out
