"""trustkit: help one partner support another who struggles with trust.

Hand `recommend_next_step` one partner's check-in answers and get back the
next step to take, with the reasons behind it::

    >>> import trustkit
    >>> rec = trustkit.recommend_next_step({"feels_heard": 1, "safe_to_share": 4})
    >>> rec.step.id
    'validation'

Everything public lives here, together with the public modules
``trustkit.models``, ``trustkit.errors``, ``trustkit.jsontypes`` and
``trustkit.fhir``; modules whose names start with ``_`` are private.
"API reference" in the docs says what 1.0 promises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustkit._api import (
    action_label,
    advance,
    compile_pack,
    decide,
    default_pack,
    next_questions,
    programme,
    progress,
    recommend_many,
    recommend_next_step,
    render_plan,
    safety_plan,
    trace,
)
from trustkit._api import (
    bundled_recommendation as bundled_recommendation,  # for pickles only: not in __all__
)
from trustkit._engine.adaptive import NextQuestions
from trustkit._version import __version__
from trustkit.errors import (
    AnswerError,
    AnswerProblem,
    BoundaryError,
    NoStepError,
    PackError,
    PackProblem,
    ProblemCode,
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
    Cadence,
    CheckIn,
    Condition,
    ContentPack,
    CoupleState,
    Decision,
    DecisionRecord,
    Dimension,
    Disclosure,
    Evidence,
    FactCompare,
    Feedback,
    FeedbackOutcome,
    FeedbackReason,
    Messages,
    Not,
    Op,
    Option,
    PackRef,
    PlanKind,
    PlanPart,
    PlanSection,
    PlanTemplate,
    Programme,
    Progress,
    Question,
    QuestionKind,
    Recommendation,
    Replay,
    ReplayOutcome,
    Resource,
    Role,
    Rule,
    RuleOutcome,
    RuleTrace,
    SafetyPlan,
    ScoreCompare,
    Step,
    Task,
    Trace,
    Urgency,
    Who,
)

if TYPE_CHECKING:
    from trustkit._batch import BatchResult, Change, PackDiff, batch, diff_packs, diff_records
    from trustkit._boundary import Boundary, BoundaryEvent, BoundaryStatus
    from trustkit._engine.examples import ExampleFailure, ExampleReport, run_examples
    from trustkit._engine.lint import LintWarning, lint_pack
    from trustkit._engine.mutate import (
        ConditionCoverage,
        Mutant,
        MutationReport,
        mutation_test,
    )
    from trustkit._engine.verify import Counterexample, Finding, VerifyReport, verify_pack
    from trustkit._pack.discovery import PackInfo, available_packs
    from trustkit._pack.sources import load_pack
    from trustkit._pack.validate import check_pack
    from trustkit._records import record_decision, replay
    from trustkit._schema import json_schema
    from trustkit._serialization import converter, make_converter, parse_checkin

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
    "BatchResult",
    "Boundary",
    "BoundaryError",
    "BoundaryEvent",
    "BoundaryStatus",
    "Cadence",
    "Change",
    "CheckIn",
    "Condition",
    "ConditionCoverage",
    "ContentPack",
    "Counterexample",
    "CoupleState",
    "Decision",
    "DecisionRecord",
    "Dimension",
    "Disclosure",
    "Evidence",
    "ExampleFailure",
    "ExampleReport",
    "FactCompare",
    "Feedback",
    "FeedbackOutcome",
    "FeedbackReason",
    "Finding",
    "LintWarning",
    "Messages",
    "Mutant",
    "MutationReport",
    "NextQuestions",
    "NoStepError",
    "Not",
    "Op",
    "Option",
    "PackDiff",
    "PackError",
    "PackInfo",
    "PackProblem",
    "PackRef",
    "PlanKind",
    "PlanPart",
    "PlanSection",
    "PlanTemplate",
    "ProblemCode",
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
    "Trace",
    "TrustkitError",
    "Urgency",
    "VerifyReport",
    "Who",
    "__version__",
    "action_label",
    "advance",
    "available_packs",
    "batch",
    "check_pack",
    "compile_pack",
    "converter",
    "decide",
    "default_pack",
    "diff_packs",
    "diff_records",
    "json_schema",
    "lint_pack",
    "load_pack",
    "make_converter",
    "mutation_test",
    "next_questions",
    "parse_checkin",
    "programme",
    "progress",
    "recommend_many",
    "recommend_next_step",
    "record_decision",
    "render_plan",
    "replay",
    "run_examples",
    "safety_plan",
    "trace",
    "verify_pack",
]

_LAZY = {
    "BatchResult": "trustkit._batch",
    "Change": "trustkit._batch",
    "PackDiff": "trustkit._batch",
    "batch": "trustkit._batch",
    "diff_packs": "trustkit._batch",
    "diff_records": "trustkit._batch",
    "converter": "trustkit._serialization",
    "make_converter": "trustkit._serialization",
    "parse_checkin": "trustkit._serialization",
    "ExampleFailure": "trustkit._engine.examples",
    "ExampleReport": "trustkit._engine.examples",
    "run_examples": "trustkit._engine.examples",
    "ConditionCoverage": "trustkit._engine.mutate",
    "Mutant": "trustkit._engine.mutate",
    "MutationReport": "trustkit._engine.mutate",
    "mutation_test": "trustkit._engine.mutate",
    "LintWarning": "trustkit._engine.lint",
    "lint_pack": "trustkit._engine.lint",
    "Counterexample": "trustkit._engine.verify",
    "Finding": "trustkit._engine.verify",
    "VerifyReport": "trustkit._engine.verify",
    "verify_pack": "trustkit._engine.verify",
    "Boundary": "trustkit._boundary",
    "BoundaryEvent": "trustkit._boundary",
    "BoundaryStatus": "trustkit._boundary",
    "PackInfo": "trustkit._pack.discovery",
    "available_packs": "trustkit._pack.discovery",
    "json_schema": "trustkit._schema",
    # Reading and checking packs: the bundled pack comes from its snapshot without them.
    "load_pack": "trustkit._pack.sources",
    "check_pack": "trustkit._pack.validate",
    # Decision records: hashlib, hmac and the pack digest, only for apps that keep them.
    "record_decision": "trustkit._records",
    "replay": "trustkit._records",
}


if not TYPE_CHECKING:  # pragma: no branch  (checkers see the imports above, no __getattr__)

    def __getattr__(name: str) -> Any:
        # Imported on first use, to keep `import trustkit` quick: cattrs is the
        # slowest import trustkit has, and serialisation, lint, boundaries and pack
        # discovery are not needed to make a recommendation.
        if name in _LAZY:
            import importlib  # noqa: PLC0415

            return getattr(importlib.import_module(_LAZY[name]), name)
        raise AttributeError(f"module 'trustkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
