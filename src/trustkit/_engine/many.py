"""Many check-ins at once: the same decision as one call, each result said once.

Each check-in is decided by [`verdict`][trustkit._engine.decide.verdict],
the one statement of the policy, exactly as a single call decides it. What a
batch saves is the saying: a ``Recommendation`` depends only on the rules
that decided, the alternatives, the role and the answers those rules read, so
within one batch equal keys give the same (immutable) object, built once.
Anything out of the ordinary (problems reported beside a safety result, a
safety period, facts) is said afresh, as a single call would say it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from trustkit._engine.compile import CompiledPack, CompiledRule, compiled, dimension_items
from trustkit._engine.compile import questions_read as read_by
from trustkit._engine.decide import Verdict, verdict
from trustkit._engine.recommend import render
from trustkit.models import ContentPack, Recommendation, Role

MEMO_SIZE = 4096
"""How many distinct recommendations a batch remembers (forgotten all at once when full)."""


class Sayer:
    """Says verdicts as `render` does, remembering each result by what it depends on."""

    __slots__ = ("c", "items", "memo", "reads")

    def __init__(self, c: CompiledPack) -> None:
        self.c = c
        self.items = dimension_items(c.pack)
        self.reads: dict[tuple[CompiledRule, ...], tuple[str, ...]] = {}
        self.memo: dict[tuple[Any, ...], Recommendation] = {}

    def __call__(self, found: Verdict) -> Recommendation:
        """The recommendation for ``found``: remembered, or rendered and remembered."""
        if found.problems or found.period is not None or found.follow_up:
            return render(self.c, found)  # said once: depends on more than the answers read
        deciding = found.safety
        if found.winner is not None:
            deciding = (found.winner,)
        reads = self.reads.get(deciding)
        if reads is None:
            each = [read_by(r.rule.when, self.items) for r in deciding]
            reads = self.reads[deciding] = tuple(dict.fromkeys(q for r in each for q in r))
        # A question's answers are all of one type (checked), so ``True == 1`` cannot mix.
        get = found.clean.get
        key = (deciding, found.alternatives, found.role, found.country, tuple(map(get, reads)))
        said = self.memo.get(key)
        if said is None:
            said = render(self.c, found)
            if len(self.memo) >= MEMO_SIZE:
                self.memo.clear()
            self.memo[key] = said
        return said


def recommend_many(
    checkins: Iterable[object],
    respondent: Role | str | None,
    pack: ContentPack,
    country: str | None = None,
) -> Iterator[Recommendation]:
    """The engine behind [`trustkit.recommend_many`][trustkit.recommend_many].

    Yields what ``recommend(checkin, respondent, pack, country)`` gives for each
    check-in, in order, or raises what it raises, in that check-in's turn.
    Each check-in is decided as soon as it is read, so a source that refills
    one dict gives what single calls on its copies give.
    """
    c = compiled(pack)
    say = Sayer(c)
    for item in checkins:
        yield say(verdict(c, item, respondent, country))
