"""Merging an overlay pack onto its base: additions, overrides, disabled rules, translations.

An overlay may add anything and change the text (and a rule's priority) of what
is there, but it can never weaken the safety screen: safety rules cannot be
disabled, re-prioritised, re-targeted or stripped of their resources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from trustkit._pack import spec
from trustkit._pack.load import Parts, build
from trustkit._pack.validate import item_tables
from trustkit._pack.versions import parse_range, satisfies
from trustkit._version import __version__
from trustkit._vocabulary import did_you_mean
from trustkit.errors import PackProblem, ProblemCode
from trustkit.models import ContentPack, Origin, PackRef, Urgency

Check = Callable[[object], tuple[bool, object]]


def _text(value: object) -> tuple[bool, object]:
    return isinstance(value, str), value


def _texts(value: object) -> tuple[bool, object]:
    ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return ok, tuple(value) if ok else value  # type: ignore[arg-type]


def _sources(value: object) -> tuple[bool, object]:
    return (True, (value,)) if isinstance(value, str) else _texts(value)


def _whole(value: object) -> tuple[bool, object]:
    return isinstance(value, int) and not isinstance(value, bool), value


def _urgency(value: object) -> tuple[bool, object]:
    ok = isinstance(value, str) and value in {u.value for u in Urgency}
    return ok, Urgency(value) if ok else value  # type: ignore[arg-type]


def _flag(value: object) -> tuple[bool, object]:
    return isinstance(value, bool), value


def _date(value: object) -> tuple[bool, object]:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime), value


_WHAT: dict[Check, str] = {
    _text: "a text",
    _texts: "a list of texts",
    _sources: "a list of texts, or one text",
    _whole: "a whole number",
    _urgency: "'info', 'warning' or 'critical'",
    _date: "a date such as 2026-11-27",
    _flag: "true or false",
}

_CHECKS: dict[str, Check] = {
    "text": _text,
    "texts": _texts,
    "sources": _sources,
    "whole": _whole,
    "flag": _flag,
    "date": _date,
    "choice": _urgency,  # the only choice an overlay may change is a rule's urgency
}


def _check(kind: str, field: str) -> Check:
    if kind == "messages":
        return _texts if field in spec.LISTS else _text
    declared = spec.TABLES[kind].field(field)
    assert declared.shape != "choice" or declared.choices is Urgency, declared
    return _CHECKS[declared.shape]


OVERRIDABLE: dict[str, dict[str, Check]] = {
    kind: {field: _check(kind, field) for field in fields}
    for kind, fields in spec.OVERRIDABLE.items()
}
"""The fields an overlay may change (`trustkit._pack.spec.OVERRIDABLE`), with their checks."""

SAFETY_RULE_FIELDS = frozenset(
    name for name in spec.OVERRIDABLE["rules"] if name.partition("_")[0] == "reason"
)
"""The only fields of a safety rule an overlay may change: its reason, and each role's."""

Changed = dict[tuple[str, str, str], str]
"""Which overlay last changed each (kind, item id, field)."""


class _Merge:
    def __init__(
        self, base: ContentPack, parts: Parts, moved: dict[tuple[str, str, str], Origin]
    ) -> None:
        self.base = base
        self.parts = parts
        self.moved = moved
        self.problems: list[PackProblem] = list(parts.problems)
        self.targets: dict[str, dict[str, Any]] = item_tables(base)
        self.changes: dict[str, dict[str, dict[str, object]]] = {k: {} for k in self.targets}

    def fail(
        self, origin: Origin | None, item: str, field: str, message: str, code: ProblemCode
    ) -> None:
        file = origin.file if origin else f"{self.parts.label}/pack.toml"
        line = origin.line if origin else None
        self.problems.append(PackProblem(file, item, field, message, line, code=code))

    def check_meta(self) -> None:
        base_id, spec = self.parts.extends or ("", "")
        where = Origin(f"{self.parts.label}/pack.toml", None)
        weeks = self.parts.safety_period_weeks
        if weeks is not None and weeks < self.base.safety_period_weeks:
            self.fail(
                Origin(where.file, self.parts.safety_period_line),
                "",
                "safety_period_weeks",
                f"{base_id} remembers a positive safety screen for "
                f"{self.base.safety_period_weeks} weeks; an overlay may lengthen that, "
                "never shorten it",
                ProblemCode.UNSAFE,
            )
        if not satisfies(self.base.version, spec):
            self.fail(
                Origin(where.file, self.parts.meta_lines.get("extends")),
                "",
                "extends",
                f"needs {base_id} {spec}, but {base_id} is version {self.base.version}",
                ProblemCode.INCOMPATIBLE,
            )
        if self.parts.locale and self.parts.locale != self.base.locale:
            self.fail(
                where,
                "",
                "locale",
                f"an overlay's texts must be in its base's language ({self.base.locale}); "
                "put translations in locales/",
                ProblemCode.INVALID_VALUE,
            )
        trustkit = self.parts.trustkit  # a malformed range was reported when it was read
        if trustkit and parse_range(trustkit) is not None and not satisfies(__version__, trustkit):
            self.fail(
                Origin(where.file, self.parts.meta_lines.get("trustkit")),
                "",
                "trustkit",
                f"needs trustkit {self.parts.trustkit}, but this is trustkit {__version__}",
                ProblemCode.INCOMPATIBLE,
            )

    def check_added(self) -> None:
        for kind, items in (
            ("steps", self.parts.steps),
            ("dimensions", self.parts.dimensions),
            ("questions", self.parts.questions),
            ("rules", self.parts.rules),
            ("resources", self.parts.resources),
            ("plans", self.parts.plans),
            ("actions", tuple(a for s in self.parts.steps for a in s.actions)),
            ("actions", tuple(action for _, action, _ in self.parts.actions)),
        ):
            for item in items:
                if item.id in self.targets[kind]:
                    self.fail(
                        item.origin,
                        item.id,
                        "id",
                        f"already defined in {self.base.id}; to change it, use overrides.toml",
                        ProblemCode.DUPLICATE_ID,
                    )

        floor = min((r.priority for r in self.base.rules if r.safety), default=None)
        for rule in self.parts.rules:
            if rule.safety and floor is not None and rule.priority >= floor:
                self.fail(
                    rule.origin,
                    rule.id,
                    "priority",
                    f"a safety rule an overlay adds must rank below {self.base.id}'s safety "
                    f"rules: use a priority below {floor}",
                    ProblemCode.UNSAFE,
                )

    def override(self, changed: Changed, ancestors: set[str], ordered: bool) -> None:
        for kind, tables in self.parts.overrides.items():
            if kind not in OVERRIDABLE:
                for item, (_, origin) in tables.items():
                    self.fail(
                        origin,
                        item,
                        "",
                        f"an overlay cannot change {kind!r}",
                        ProblemCode.NOT_ALLOWED,
                    )
                continue
            for item, (fields, origin) in tables.items():
                label = f"{kind}.{item}" if item else kind
                target = self.targets[kind].get(item)
                if target is None:
                    self.fail(
                        origin,
                        label,
                        "",
                        f"{self.base.id} has no such item to change"
                        f"{did_you_mean(item, self.targets[kind])}",
                        ProblemCode.UNKNOWN_REFERENCE,
                    )
                    continue
                for field, value in fields.items():
                    self.change(
                        kind, item, label, target, field, value, origin, changed, ancestors, ordered
                    )

    def change(
        self,
        kind: str,
        item: str,
        label: str,
        target: Any,
        field: str,
        value: object,
        origin: Origin,
        changed: Changed,
        ancestors: set[str],
        ordered: bool,
    ) -> None:
        check = OVERRIDABLE[kind].get(field)
        if check is None:
            hint = " (disable the rule and add a new one)" if kind == "rules" else ""
            self.fail(
                origin,
                label,
                field,
                f"cannot be changed by an overlay{hint}",
                ProblemCode.NOT_ALLOWED,
            )
            return
        if kind == "rules" and target.safety and field not in SAFETY_RULE_FIELDS:
            self.fail(
                origin,
                label,
                field,
                "a safety rule's " + field + " cannot be changed: safety cannot be "
                "switched off or weakened",
                ProblemCode.UNSAFE,
            )
            return
        ok, converted = check(value)
        if not ok:
            self.fail(origin, label, field, f"expected {_WHAT[check]}", ProblemCode.WRONG_TYPE)
            return
        if kind == "steps" and field == "couples" and target.couples and converted is False:
            self.fail(
                origin,
                label,
                field,
                "a couples step stays one: during a safety period it must not be offered",
                ProblemCode.UNSAFE,
            )
            return
        key = (kind, item, field)
        previous = changed.get(key)
        if previous is not None and previous not in ancestors and not ordered:
            self.fail(
                origin,
                label,
                field,
                f"both {previous} and {self.parts.id} change this; load them with "
                "ordered=True to let the later one win",
                ProblemCode.DUPLICATE,
            )
            return
        changed[key] = self.parts.id
        self.moved[key] = origin
        self.changes[kind].setdefault(item, {})[field] = converted

    def disabled(self) -> set[str]:
        out = set()
        for rule_id, origin in self.parts.disabled:
            rule = self.targets["rules"].get(rule_id)
            if rule is None:
                self.fail(
                    origin,
                    "disable",
                    "rules",
                    f"{self.base.id} has no rule {rule_id!r}"
                    f"{did_you_mean(rule_id, self.targets['rules'])}",
                    ProblemCode.UNKNOWN_REFERENCE,
                )
            elif rule.safety:
                self.fail(
                    origin,
                    "disable",
                    "rules",
                    f"{rule_id!r} is a safety rule: safety cannot be switched off",
                    ProblemCode.UNSAFE,
                )
            else:
                out.add(rule_id)
        return out

    def changed_item(self, kind: str, item: Any) -> Any:
        fields = self.changes[kind].get(item.id)
        return attrs.evolve(item, **fields) if fields else item

    def merged(self, changed: Changed, ancestors: set[str], ordered: bool) -> ContentPack:
        self.check_meta()
        self.check_added()
        self.override(changed, ancestors, ordered)
        disabled = self.disabled()
        extra: dict[str, list[Any]] = {}
        step_ids = set(self.targets["steps"]) | {s.id for s in self.parts.steps}
        for step_id, action, origin in self.parts.actions:
            if step_id not in step_ids:
                self.fail(
                    origin,
                    action.id,
                    "step",
                    f"unknown step {step_id!r}{did_you_mean(step_id, step_ids)}",
                    ProblemCode.UNKNOWN_REFERENCE,
                )
            extra.setdefault(step_id, []).append(action)

        def step_with(step: Any) -> Any:
            actions = tuple(self.changed_item("actions", a) for a in step.actions)
            step = attrs.evolve(step, actions=actions + tuple(extra.get(step.id, ())))
            return self.changed_item("steps", step)

        base, parts = self.base, self.parts
        message_changes: dict[str, Any] = self.changes["messages"].get("", {})
        values = {
            "id": parts.id,
            "version": parts.version,
            "title": parts.title,
            "description": parts.description,
            "locale": base.locale,
            "steps": tuple(step_with(s) for s in (*base.steps, *parts.steps)),
            "dimensions": tuple(
                self.changed_item("dimensions", d) for d in (*base.dimensions, *parts.dimensions)
            ),
            "questions": tuple(
                self.changed_item("questions", q) for q in (*base.questions, *parts.questions)
            ),
            "rules": tuple(
                self.changed_item("rules", r)
                for r in (*base.rules, *parts.rules)
                if r.id not in disabled
            ),
            "resources": tuple(
                self.changed_item("resources", r) for r in (*base.resources, *parts.resources)
            ),
            "plans": tuple(self.changed_item("plans", p) for p in (*base.plans, *parts.plans)),
            "messages": attrs.evolve(base.messages, **message_changes),
            "safety_period_weeks": max(base.safety_period_weeks, parts.safety_period_weeks or 0),
            "packs": (*base.packs, PackRef(parts.id, parts.version)),
            # Packs read from files keep translations as unread locale files (below);
            # their disabled rules' texts are skipped when a file is read.
            "translations": base.translations,
            "locale_files": tuple(
                attrs.evolve(f, disabled_rules=f.disabled_rules | disabled)
                for f in (*base.locale_files, *parts.locale_files)
            ),
        }
        return build(values, self.problems, moved=self.moved)


def apply_overlay(
    base: ContentPack,
    parts: Parts,
    *,
    changed: Changed,
    ancestors: set[str],
    ordered: bool,
    moved: dict[tuple[str, str, str], Origin],
) -> ContentPack:
    """Merge an overlay's parts onto a base pack, leaving the whole-pack check to the caller.

    The merged pack is not checked as a whole unless the overlay had problems
    (then every problem is raised at once): the caller checks the pack once,
    after every overlay (`trustkit._pack.validate.check_pack` with ``moved``).

    Args:
        base: The pack the overlay extends (itself perhaps merged already).
        parts: What was read from the overlay's folder.
        changed: Which overlay changed each field so far (updated here).
        ancestors: The packs this overlay builds on: it may change what they
            changed without a conflict.
        ordered: Let a later overlay win where two change the same field.
        moved: Where each changed field was changed (updated here), so that a
            problem with it is reported in the overlay's overrides.toml.

    Raises:
        PackError: Every problem with the overlay (and, if it has any, with the
            merged pack).
    """
    return _Merge(base, parts, moved).merged(changed, ancestors, ordered)
