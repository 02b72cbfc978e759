"""Names that packs and the engine share: the facts rules can read."""

from __future__ import annotations

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


SAFETY_PERIOD_FLOOR_WEEKS = 52
"""The shortest safety period any pack may have, in weeks (see docs/safety.md)."""

SAFETY_PERIOD_MAX_WEEKS = 520
"""The longest safety period a pack may set (ten years)."""

SAFETY_EARLIER = (
    "If you or anyone else is ever in immediate danger, call your local emergency number. "
    "Earlier, you shared something important about safety, and we are keeping it in mind: for "
    "now we suggest steps you can take on your own rather than exercises as a couple, and the "
    "people trained for this, listed below, are there whenever you want to talk."
)
"""The default of ``Messages.safety_earlier``, for packs whose messages.toml does not set it."""


def split_fact(name: str) -> tuple[str, str]:
    """``"improved.hope"`` as ``("improved", "hope")``; ``"checkins"`` as ``("checkins", "")``."""
    if name in FACT_FAMILIES:
        return name, ""
    family, _, suffix = name.partition(".")
    return family, suffix
