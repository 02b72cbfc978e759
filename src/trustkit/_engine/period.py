"""Safety over time: a positive safety screen opens a safety period for the couple.

A yes to any safety-screen question opens a safety period (see
`trustkit._engine.state`, which folds a couple's check-ins and decides when a
period ends). While the period lasts:

- the partner who answered yes is offered help for themselves, never couples
  work, whatever their later answers say (one "no" does not clear a positive
  screen);
- the other partner gets an ordinary recommendation with couples work taken
  out, and no fact compares them with a check-in from the period. Nothing in
  it reveals that there was a disclosure, or what it was.

The reasoning and the sources are in docs/safety.md ("Safety over time").
"""

from __future__ import annotations

import datetime as dt


class SafetyPeriod:
    """An open safety period, as seen by the partner checking in now.

    Attributes:
        since: When the earliest open period began: no comparison may use a
            check-in from then on.
        own: The safety questions this respondent answered yes in their own
            open period (empty when the period is the other partner's).
    """

    __slots__ = ("own", "since")

    def __init__(self, since: dt.datetime, own: tuple[str, ...]) -> None:
        self.since = since
        self.own = own

    def said_yes(self) -> dict[str, bool]:
        """This respondent's yes answers in the period, as answers that safety rules read."""
        return dict.fromkeys(self.own, True)


__all__ = ["SafetyPeriod"]
