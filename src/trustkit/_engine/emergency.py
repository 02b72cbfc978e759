"""The emergency number of the country: ``{emergency}`` filled in, and the emergency line first.

Crisis texts (safety rules' reasons, steps' ``why``, actions' ``how`` and the
``safety_earlier`` message) may say ``{emergency}`` where they tell the reader what
to call in immediate danger. It becomes the phone of the pack's resource on the
``emergency`` topic for ``country=`` ("000" in Australia, "111" in New Zealand);
where the pack has none for the country, or no country was given, it becomes the
pack's ``emergency_elsewhere`` message. Safety results list that same resource
first (the international one where the country has none), so that the number the
text names is also the first line shown.

`trustkit._pack.spec` declares which fields may hold the placeholder and the pack
check refuses it anywhere else; this module fills every text of a step or action
that holds it, without reading the spec (which a first recommendation never loads).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from trustkit._countries import INTERNATIONAL
from trustkit._vocabulary import EMERGENCY
from trustkit.models import ContentPack, Resource, Step

PLACEHOLDER = "{" + EMERGENCY + "}"
"""The placeholder as written in a text."""

TOPIC = "emergency"
"""The resource topic of emergency services."""


def fill(text: str, number: str) -> str:
    """The text with each ``{emergency}`` replaced by ``number`` (no other brace is touched)."""
    return text.replace(PLACEHOLDER, number)


def _filled(item: Any, number: str) -> Any:
    changes = {
        field.name: fill(value, number)
        for field in attrs.fields(type(item))
        if isinstance(value := getattr(item, field.name), str) and PLACEHOLDER in value
    }
    return attrs.evolve(item, **changes) if changes else item


def fill_step(step: Step, number: str) -> Step:
    """The step with ``{emergency}`` filled in its texts and its actions' texts.

    A step without the placeholder is returned as it is (the same object).
    """
    actions = tuple(_filled(a, number) for a in step.actions)
    filled: Step = _filled(step, number)
    if any(a is not b for a, b in zip(actions, step.actions, strict=True)):
        filled = attrs.evolve(filled, actions=actions)
    return filled


class Emergency:
    """A pack's emergency lines by country, and its crisis steps filled for each number.

    Built once per compiled pack. Filled steps are remembered by (step, number): the
    pack's countries are few, so the cache stays small, and every country without a
    number of its own shares one filled step.
    """

    __slots__ = ("_elsewhere", "_filled", "_lines", "_steps")

    def __init__(self, pack: ContentPack, crisis_steps: Mapping[str, Step]) -> None:
        """Read the pack's emergency lines; ``crisis_steps`` are the steps as written."""
        lines: dict[str, Resource] = {}
        for resource in pack.resources:
            if TOPIC in resource.topics:
                lines.setdefault(resource.country, resource)  # each country's first one
        self._lines = lines
        self._elsewhere = pack.messages.emergency_elsewhere
        self._steps = dict(crisis_steps)
        self._filled: dict[tuple[str, str], Step] = {}

    def number(self, country: str | None) -> str:
        """What ``{emergency}`` says for the country: its emergency phone, or the fallback."""
        line = self._lines.get(country) if country is not None else None
        return line.phone if line is not None and line.phone else self._elsewhere

    def line(self, country: str | None) -> Resource | None:
        """The emergency resource shown first: the country's own, else the international one."""
        own = self._lines.get(country) if country is not None else None
        return own if own is not None else self._lines.get(INTERNATIONAL)

    def step(self, step_id: str, country: str | None) -> Step:
        """The crisis step with ``{emergency}`` filled for the country (cached)."""
        return self.filled(step_id, self.number(country))

    def filled(self, step_id: str, number: str) -> Step:
        """The crisis step with ``{emergency}`` filled with ``number`` (cached)."""
        key = (step_id, number)
        found = self._filled.get(key)
        if found is None:
            found = self._filled[key] = fill_step(self._steps[step_id], number)
        return found

    def number_of(self, step: Step, seen: Callable[[Step], Step]) -> str | None:
        """The number this very step object was filled with here, or None (for pickling).

        ``seen`` is how the reader's recommendation shows a filled step (its
        texts for the reader's role).
        """
        for key, found in self._filled.items():
            if seen(found) is step:
                return key[1]
        return None

    def first(self, resources: tuple[Resource, ...], country: str | None) -> tuple[Resource, ...]:
        """The resources with the country's emergency line first (added if it was missing)."""
        line = self.line(country)
        if line is None or (resources and resources[0] is line):
            return resources
        return (line, *(r for r in resources if r is not line))


__all__ = ["PLACEHOLDER", "TOPIC", "Emergency", "fill", "fill_step"]
