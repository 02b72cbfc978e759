"""Names that packs and the engine share: the facts rules can read."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

FACT_FAMILIES: dict[str, tuple[str, str | None]] = {
    "checkins": ("number", None),
    "weeks_since_first": ("number", None),
    "streak_weeks": ("number", None),
    "repeats": ("number", "step"),
    "change": ("number", "dimension"),
    "change_since_first": ("number", "dimension"),
    "improved": ("flag", "dimension"),
    "declined": ("flag", "dimension"),
    "gap": ("number", "dimension"),
    "boundaries.proposed": ("number", None),
    "boundaries.crossed": ("number", None),
    "boundaries.due": ("number", None),
}
"""Each fact family: its type (number or flag) and what its suffix names, if anything."""


LABELS: dict[str, str] = {
    "scale_1": "strongly disagree",
    "scale_2": "disagree",
    "scale_3": "neither agree nor disagree",
    "scale_4": "agree",
    "scale_5": "strongly agree",
    "word_yes": "yes",
    "word_no": "no",
    "who_you": "you",
    "who_partner": "your partner",
    "who_together": "together",
    "urgency_info": "info",
    "urgency_warning": "warning",
    "urgency_critical": "critical",
    "heading_next_step": "Next step",
    "heading_get_help": "Get help now",
    "heading_why": "Why",
    "heading_actions": "What you can do",
    "heading_alternatives": "Also worth a look",
    "action_minutes": "{minutes} min",
    "resource_audience": "for: {audience}",
    "resource_phone": "call {phone}",
    "checkin_intro": "Answer each question; press Enter to skip one, or type {back} to go back.",
    "checkin_progress": "{number} of {total}",
    "checkin_retry": "Please answer {hint}, press Enter to skip, or type {back} to go back.",
    "checkin_safety": "The last questions are about your safety since your last check-in (or in "
    "the past year, if this is your first). Answer them where you can do so privately: your "
    "answers are never shown to your partner.",
    "hint_count": "0 or more",
    "hint_choice": "the number of one answer",
    "hint_multiple_choice": "the numbers of the answers that fit, separated by commas",
    "plan_warning_signs": "Warning signs",
    "plan_on_my_own": "Things I can do on my own",
    "plan_people_and_places": "People and places that help me feel better",
    "plan_ask_for_help": "People I can ask for help",
    "plan_professionals": "Professionals and lines",
    "plan_safer": "Making things safer",
    "plan_checked": "details checked {date}",
    "reminder": "A few minutes for the plan you chose (about {minutes} min).",
    "reminder_again": "Another go at something from the plan you chose (about {minutes} min).",
    "progress_none": "Whenever you are ready: a few minutes is enough to begin.",
    "progress_some": "{done} of {total} done so far. Each one counts, whenever you do it.",
    "progress_all": "All {total} done. Well done for keeping at it.",
}
"""The labels that apps and the command line show around a pack's content, with their defaults.

Optional in messages.toml (these English texts are the defaults), overridable by overlays and
translatable by locale files like any other template. `trustkit._pack.spec` declares each with
its placeholders; ``Messages`` takes these defaults. The engine never reads them.
"""


SENSITIVE_WORDS: tuple[str, ...] = (
    "trust",
    "affair",
    "cheat",
    "unfaithful",
    "infidelity",
    "betray",
    "abuse",
    "abusive",
    "violen",
    "hurt",
    "afraid",
    "fear",
    "scared",
    "threat",
    "control",
    "safe",
    "unsafe",
    "crisis",
    "suicid",
    "self-harm",
    "kill",
    "jealous",
    "divorce",
    "partner",
    "therap",
    "counsel",
    "sex",
)
"""The default of a pack's ``sensitive_words``: what a discreet text (a reminder on a lock
screen) must not say. Each is matched at the start of a word, in any case and without
accents, so ``"violen"`` also stops "violence" and "violent"."""

DISCREET: tuple[str, ...] = (
    "reminder",
    "reminder_again",
    "progress_none",
    "progress_some",
    "progress_all",
)
"""The labels that may be seen by anyone who picks up the phone: none may hold a sensitive word."""


def fold(text: str) -> str:
    """``text`` in lower case, without accents or outer spaces: "si" and " Sí" read the same."""
    decomposed = unicodedata.normalize("NFD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def sensitive_word(text: str, words: Iterable[str]) -> str | None:
    """The first of ``words`` that starts a word of ``text`` (any case, accents ignored), or None.

    ``"violen"`` is found in "Violence" and ``"pareja"`` in "PAREJAS", but
    ``"safe"`` is not found in "unsafe" (it does not start the word; list both).
    """
    folded = fold(text)
    for word in words:
        wanted = fold(word)
        if wanted and re.search(rf"(?<!\w){re.escape(wanted)}", folded):
            return word
    return None


MAX_GUESSED_CHARS = 100
"""The longest misspelt id a "did you mean" is looked for (longer ones get no guess)."""


def did_you_mean(word: object, known: Iterable[str]) -> str:
    """`` (did you mean 'feels_heard'?)`` for the known id closest to ``word``, or ``""``.

    For ids only (questions, steps, rules, packs, commands): never pass an
    answer's value, which must not be echoed. Nothing is guessed for a word
    that is not text, is longer than `MAX_GUESSED_CHARS`, or is like no id.
    """
    if not isinstance(word, str) or not word or len(word) > MAX_GUESSED_CHARS:
        return ""
    close = difflib.get_close_matches(word, sorted(set(known)), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


YES_WORDS = frozenset({"yes", "y", "si", "oui", "ja", "sim", "da", "tak"})
"""Words (folded) that mean yes in common languages; English ``yes`` and ``y`` always do."""
NO_WORDS = frozenset({"no", "n", "non", "nein", "nee", "nao", "nie", "nej"})
"""Words (folded) that mean no in common languages; English ``no`` and ``n`` always do."""


def yes_no_problem(yes: str, no: str) -> tuple[str, str] | None:
    """What is wrong with a pack's words for yes and no, as (field, problem), or ``None``.

    The words decide what a typed reply means on the safety screen, so a pack
    (or a locale) may not leave one blank, give both the same word, or give
    a word that means the opposite: with ``word_yes = "no"`` or
    ``word_no = "sí"``, a Spanish "sí" would be read as no.
    """
    folded_yes, folded_no = fold(yes), fold(no)
    if not folded_yes:
        return "word_yes", "a word for yes, not a blank one"
    if not folded_no:
        return "word_no", "a word for no, not a blank one"
    if folded_yes == folded_no:
        return "word_no", "the same word for yes and for no: one word cannot mean both"
    if folded_yes in NO_WORDS:
        return "word_yes", "a word for yes: this one means no"
    if folded_no in YES_WORDS:
        return "word_no", "a word for no: this one means yes"
    return None


SAFETY_PERIOD_FLOOR_WEEKS = 52
"""The shortest safety period any pack may have, in weeks (see docs/safety.md)."""

SAFETY_PERIOD_MAX_WEEKS = 520
"""The longest safety period a pack may set (ten years)."""

EMERGENCY = "emergency"
"""The placeholder for the emergency number that crisis texts may use, written ``{emergency}``.

`trustkit._pack.spec` declares the fields that may hold it; the engine fills it
(`trustkit._engine.emergency`)."""

SAFETY_EARLIER = (
    "If you or anyone else is ever in immediate danger, call {emergency}. "
    "Earlier, you shared something important about safety, and we are keeping it in mind: for "
    "now we suggest steps you can take on your own rather than exercises as a couple, and the "
    "people trained for this, listed below, are there whenever you want to talk."
)
"""The default of ``Messages.safety_earlier``, for packs whose messages.toml does not set it."""

EMERGENCY_ELSEWHERE = (
    "your local emergency number (in many countries, 112 also works from a mobile phone)"
)
"""The default of ``Messages.emergency_elsewhere``: what ``{emergency}`` says where the pack
knows no emergency number for the country (or none was given)."""


def split_fact(name: str) -> tuple[str, str]:
    """``"improved.hope"`` as ``("improved", "hope")``; ``"checkins"`` as ``("checkins", "")``."""
    if name in FACT_FAMILIES:
        return name, ""
    family, _, suffix = name.partition(".")
    return family, suffix
