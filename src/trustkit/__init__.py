"""trustkit: help one partner support another who struggles with trust.

Hand `recommend_next_step` one partner's check-in answers and get back the
next step to take, with the reasons behind it::

    >>> import trustkit
    >>> rec = trustkit.recommend_next_step({"feels_heard": 1, "safe_to_share": 4})
    >>> rec.step.id
    'validation'

Everything public lives here; modules whose names start with ``_`` are private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustkit._api import default_pack, recommend_next_step
from trustkit._pack.load import load_pack
from trustkit._version import __version__
from trustkit.errors import (
    AnswerError,
    AnswerProblem,
    NoStepError,
    PackError,
    PackProblem,
    TrustkitError,
)
from trustkit.models import (
    Action,
    AllOf,
    Alternative,
    Always,
    Answer,
    AnswerCompare,
    Answered,
    AnyOf,
    Boundary,
    BoundaryStatus,
    CheckIn,
    Condition,
    ContentPack,
    Dimension,
    Evidence,
    Messages,
    Not,
    Op,
    Origin,
    PackRef,
    Question,
    QuestionKind,
    Recommendation,
    Resource,
    Role,
    Rule,
    ScoreCompare,
    Step,
    Urgency,
    Who,
)

if TYPE_CHECKING:
    from trustkit._serialization import converter, parse_checkin

__all__ = [
    "Action",
    "AllOf",
    "Alternative",
    "Always",
    "Answer",
    "AnswerCompare",
    "AnswerError",
    "AnswerProblem",
    "Answered",
    "AnyOf",
    "Boundary",
    "BoundaryStatus",
    "CheckIn",
    "Condition",
    "ContentPack",
    "Dimension",
    "Evidence",
    "Messages",
    "NoStepError",
    "Not",
    "Op",
    "Origin",
    "PackError",
    "PackProblem",
    "PackRef",
    "Question",
    "QuestionKind",
    "Recommendation",
    "Resource",
    "Role",
    "Rule",
    "ScoreCompare",
    "Step",
    "TrustkitError",
    "Urgency",
    "Who",
    "__version__",
    "converter",
    "default_pack",
    "load_pack",
    "parse_checkin",
    "recommend_next_step",
]

_LAZY = frozenset({"converter", "parse_checkin"})


def __getattr__(name: str) -> Any:
    # cattrs is imported only when serialisation is first used: it is the
    # slowest import trustkit has, and many apps never need it.
    if name in _LAZY:
        from trustkit import _serialization  # noqa: PLC0415

        return getattr(_serialization, name)
    raise AttributeError(f"module 'trustkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
