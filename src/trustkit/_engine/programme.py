"""Programmes over days: a recommendation's actions as dated tasks, and progress through them.

Everything here is a pure function of its arguments: the start date, the time
zone and the completions come from the app, and nothing reads the clock, so
the same arguments always give the same programme.

Safety comes first here too. A safety result's programme holds only the
actions that are safe in a crisis, and while a safety period is open (for
either partner) no couples work is scheduled at all: no action done together,
and nothing of a couples step. Such a programme looks exactly like one made
from a recommendation without couples work, so the gap says nothing about why
(see "Programmes over days" in the docs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from trustkit.models import (
    Action,
    Cadence,
    Messages,
    Programme,
    Progress,
    Recommendation,
    Task,
    Who,
)

MIN_DAYS, MAX_DAYS = 7, 21
"""How many days a programme may run."""

MAX_HOURS = 24
"""The longest a task's window may stay open, in hours."""


def _own(action: Action, rec: Recommendation) -> bool:
    """Whether the reader does the action: their own, anyone's, or one done together."""
    return action.who in (Who.BOTH, Who.EITHER) or action.who.value == rec.respondent.value


def schedulable(rec: Recommendation, period_open: bool) -> tuple[Action, ...]:
    """The actions of ``rec`` that may go in its reader's programme, shortest first.

    A safety result keeps only the actions safe in a crisis. A safety result,
    or an open safety period, leaves out all couples work: actions done
    together, and every action of a couples step.
    """
    apart = rec.safety or period_open
    kept = [
        a
        for a in rec.step.actions
        if _own(a, rec)
        and (a.in_crisis or not rec.safety)
        and not (apart and (a.who is Who.BOTH or rec.step.couples))
    ]
    order = {id(a): i for i, a in enumerate(kept)}
    return tuple(sorted(kept, key=lambda a: (a.minutes, order[id(a)])))


def dates(start: dt.date, days: int, cadence: Cadence) -> tuple[dt.date, ...]:
    """The days of the programme that have a task."""
    every = [start + dt.timedelta(days=n) for n in range(days)]
    if cadence is Cadence.ALTERNATE:
        return tuple(every[::2])
    if cadence is Cadence.WEEKDAYS:
        return tuple(d for d in every if d.weekday() < 5)
    return tuple(every)


def window(
    day: dt.date, at: dt.time, hours: int, zone: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """When a task on ``day`` opens and closes.

    It opens at ``at`` on the wall clock, summer time or not; on a day when
    that time does not exist (the clocks went forward over it), just after the
    gap. It stays open ``hours`` hours of real time.
    """
    wall = dt.datetime.combine(day, at, tzinfo=zone)
    opens = wall.astimezone(dt.UTC).astimezone(zone)  # a time in a gap moves past it
    closes = (opens.astimezone(dt.UTC) + dt.timedelta(hours=hours)).astimezone(zone)
    return opens, closes


def build(
    rec: Recommendation,
    *,
    start: dt.date,
    days: int,
    zone: ZoneInfo,
    cadence: Cadence,
    at: dt.time,
    hours: int,
    period_open: bool,
    messages: Messages,
    label: Callable[[Action], str],
    pack_id: str,
    pack_version: str,
) -> Programme:
    """The programme (the arguments were checked by the caller).

    One task a day on the cadence's days. The actions come up shortest first,
    then again in the same order, for practice, until the days are filled.
    """
    actions = schedulable(rec, period_open)
    tasks: list[Task] = []
    if actions:
        for n, day in enumerate(dates(start, days, cadence)):
            action = actions[n % len(actions)]
            repeat = n // len(actions) + 1
            opens, closes = window(day, at, hours, zone)
            text = messages.reminder if repeat == 1 else messages.reminder_again
            tasks.append(
                Task(
                    id=f"{action.id}@{day.isoformat()}",
                    action_id=action.id,
                    title=action.title,
                    who=label(action),
                    minutes=action.minutes,
                    day=(day - start).days + 1,
                    date=day,
                    opens=opens,
                    closes=closes,
                    reminder=text.format(minutes=action.minutes),
                    repeat=repeat,
                )
            )
    return Programme(
        step_id=rec.step.id,
        respondent=rec.respondent,
        start=start,
        days=days,
        tz=str(zone.key),
        cadence=cadence,
        tasks=tuple(tasks),
        pack_id=pack_id,
        pack_version=pack_version,
        locale=rec.locale,
    )


def measure(
    programme: Programme, completions: Mapping[str, dt.datetime], messages: Messages
) -> Progress:
    """How far along ``programme`` is (the completions of its tasks were checked)."""
    zone = ZoneInfo(programme.tz)
    done = [t for t in programme.tasks if t.id in completions]
    total = len(programme.tasks)
    if not done:
        message = messages.progress_none
    elif len(done) == total:
        message = messages.progress_all.format(total=total)
    else:
        message = messages.progress_some.format(done=len(done), total=total)
    return Progress(
        done=len(done),
        total=total,
        minutes=sum(t.minutes for t in done),
        days_active=len({completions[t.id].astimezone(zone).date() for t in done}),
        done_ids=tuple(t.id for t in done),
        message=message,
    )


__all__ = [
    "MAX_DAYS",
    "MAX_HOURS",
    "MIN_DAYS",
    "build",
    "dates",
    "measure",
    "schedulable",
    "window",
]
