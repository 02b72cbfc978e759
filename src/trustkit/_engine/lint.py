"""Warnings about a pack that is valid but probably not what its authors meant.

Reachability, shadowing and catch-all gaps are found by sampling the
questionnaire's answer space with a seeded generator: random check-ins for both
roles, plus check-ins aimed at each rule (answers chosen to satisfy its
comparisons). Every warning that comes from sampling carries a concrete example
check-in, so authors can try it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping, Sequence

import attrs

from trustkit._countries import country_problem
from trustkit._engine.compile import (
    OPERATORS,
    CompiledPack,
    CompiledRule,
    atoms,
    compiled,
    dimension_items,
    questions_read,
)
from trustkit._pack.kinds import SCALE_MAX, SCALE_MIN, kind_of, reverse
from trustkit._pack.locales import read_locale_file
from trustkit._pack.spec import ROLE_TEXTS
from trustkit._pack.translate import TRANSLATABLE, canonical_tag, fallbacks
from trustkit._pack.validate import item_tables
from trustkit._public import public
from trustkit._roles import role_field
from trustkit.models import (
    AllOf,
    Answer,
    AnswerCompare,
    Answered,
    AnyOf,
    Condition,
    ContentPack,
    Origin,
    Question,
    Resource,
    Role,
    ScoreCompare,
    Translation,
)

MIN_ACTIONS = 3
STALE_AFTER_MONTHS = 12
"""A resource last verified more than this many months before today is stale."""
_OPS = OPERATORS
AIMED_PER_RULE = 60
"""Check-ins aimed at each rule, for packs of up to `AIMED_CASES` / 60 rules."""
AIMED_CASES = 20_000
"""Past that many aimed check-ins in all, each rule gets fewer (and at least one)."""
_SEARCH = 1_000
"""How many higher rules to try, per shadowed rule, for one that held in every case."""


@attrs.frozen
class LintWarning:
    """Something in a pack that is allowed but probably a mistake.

    Added in version 0.2.0.

    Attributes:
        code: A stable short name: ``few-actions``, ``unused-question``,
            ``unreachable-step``, ``shadowed-rule``, ``no-catch-all``,
            ``stale-resource``, ``missing-role-text`` (added in version
            0.2.0), ``missing-translation`` or ``unknown-locale-file``.
        item: The id of the step, question, rule or resource it is about
            (``""`` for the pack as a whole). Translation warnings name the
            kind too: ``"steps.educate"``, ``"messages"``.
        message: What is wrong and what to do, in plain words.
        respondent: Who answers the example check-in, if there is one.
        example: A check-in that shows the problem, if sampling found one.
        file: The pack file the item is defined in, where known (for
            ``missing-translation``, the locale file to add the text to).
        line: The line the item starts on, where known.
        locale: The locale a ``missing-translation`` or
            ``unknown-locale-file`` warning is about.
    """

    code: str
    item: str
    message: str
    respondent: Role | None = None
    example: Mapping[str, Answer] | None = None
    file: str | None = None
    line: int | None = None
    locale: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        where = where or (f"{self.file}: " if self.file else "")
        return f"{where}{self.code}: {self.item + ': ' if self.item else ''}{self.message}"


def _domain(question: Question, compares: Sequence[AnswerCompare]) -> list[Answer]:
    """The answers sampled for a question: its kind's answer classes.

    The classes under the comparisons the pack makes on it (a count: 0 to one past its
    largest threshold), so every answer a rule tells apart can come up.
    """
    classes = kind_of(question).classes(question, compares)
    if classes is None:  # a multiple choice that names too many codes: one code at a time
        return [frozenset(), *(frozenset({code}) for code in question.codes)]
    return classes


def _leaves(cond: Condition) -> Iterator[AnswerCompare | ScoreCompare | Answered]:
    if isinstance(cond, AllOf | AnyOf):
        for child in cond.conditions:
            yield from _leaves(child)
    elif isinstance(cond, AnswerCompare | ScoreCompare | Answered):
        yield cond
    # Not: aiming at its inside would work against it; Always: nothing to aim at.


class _Sampler:
    def __init__(self, pack: ContentPack, seed: int) -> None:
        self.pack = pack
        self.rng = random.Random(seed)
        self.by_role = {role: pack.questions_for(role) for role in Role}
        self.questions = {q.id: q for q in pack.questions}
        self.items = dimension_items(pack)
        compares: dict[str, list[AnswerCompare]] = {q.id: [] for q in pack.questions}
        for rule in pack.rules:
            for atom in atoms(rule.when):
                if isinstance(atom, AnswerCompare):
                    compares.setdefault(atom.question, []).append(atom)
        self.domains = {q.id: _domain(q, compares[q.id]) for q in pack.questions}

    def random(self, role: Role, share: float) -> dict[str, Answer]:
        answers: dict[str, Answer] = {}
        for q in self.by_role[role]:
            if q.safety:
                continue  # a yes decides everything; sampled separately by the safety rules
            if self.rng.random() < share:
                answers[q.id] = self.rng.choice(self.domains[q.id])
        return answers

    def aimed(self, rule: CompiledRule) -> tuple[Role, dict[str, Answer]]:
        """A check-in whose answers satisfy the comparisons a rule makes, where possible."""
        leaves = list(_leaves(rule.rule.when))
        needed = {q for leaf in leaves for q in questions_read(leaf, self.items)}
        roles = [r for r in Role if needed <= {q.id for q in self.by_role[r]}] or list(Role)
        role = self.rng.choice(roles)
        allowed = {q.id for q in self.by_role[role]}
        answers = self.random(role, 0.3)
        for leaf in leaves:
            if self.rng.random() < 0.2:  # sometimes leave a comparison unmet, as 'any' allows
                continue
            if isinstance(leaf, ScoreCompare):
                items = [self.questions[q] for q in self.items[leaf.dimension]]
                # The pack check guarantees some score from 1 to 5 meets the comparison.
                scale = range(SCALE_MIN, SCALE_MAX + 1)
                v = self.rng.choice([v for v in scale if _OPS[leaf.op](v, leaf.value)])
                for q in items:
                    if q.id in allowed:
                        answers[q.id] = reverse(v) if q.reverse else v
                continue
            if leaf.question not in allowed:
                continue
            domain = self.domains[leaf.question]
            if isinstance(leaf, AnswerCompare):
                domain = [v for v in domain if _OPS[leaf.op](v, leaf.value)]
            if domain:
                answers[leaf.question] = self.rng.choice(domain)
        return role, answers


def _year_before(today: dt.date) -> dt.date:
    """The same day twelve months earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def stale_resources(pack: ContentPack, today: dt.date) -> tuple[LintWarning, ...]:
    """A ``stale-resource`` warning for each resource last verified over 12 months before today."""
    cutoff = _year_before(today)
    return tuple(_stale(res, today) for res in pack.resources if res.verified < cutoff)


def _stale(res: Resource, today: dt.date) -> LintWarning:
    origin = res.origin
    return LintWarning(
        "stale-resource",
        res.id,
        f"last verified on {res.verified.isoformat()}, more than {STALE_AFTER_MONTHS} months "
        f"before {today.isoformat()}: check every number, channel and opening time with the "
        "service's own page, then update 'verified'",
        file=origin.file if origin else None,
        line=origin.line if origin else None,
    )


def _can_hold(cond: Condition, asked: frozenset[str], items: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether a condition can hold for a role asked only ``asked`` (generously: facts can)."""
    if isinstance(cond, AnswerCompare | Answered):
        return cond.question in asked
    if isinstance(cond, ScoreCompare):
        return any(q in asked for q in items.get(cond.dimension, ()))
    if isinstance(cond, AllOf):
        return all(_can_hold(c, asked, items) for c in cond.conditions)
    if isinstance(cond, AnyOf):
        return any(_can_hold(c, asked, items) for c in cond.conditions)
    return True  # a fact (from the history or the boundaries), a not, or always


def readers(pack: ContentPack) -> dict[tuple[str, str], frozenset[Role]]:
    """Who can get each rule's reason and each step's texts: ``("rules", id)`` -> roles.

    A role can get a rule unless its condition needs an answer that role is
    never asked; it can get a step when it can get a rule that leads there.
    Facts are taken to be possible for either role, so this may name a role
    that never gets an item, never leave out one that does.
    """
    items = dimension_items(pack)
    asked = {role: frozenset(q.id for q in pack.questions_for(role)) for role in Role}
    found: dict[tuple[str, str], frozenset[Role]] = {
        ("steps", s.id): frozenset() for s in pack.steps
    }
    for rule in pack.rules:
        roles = frozenset(role for role in Role if _can_hold(rule.when, asked[role], items))
        found[("rules", rule.id)] = roles
        step = ("steps", rule.step)
        found[step] = found.get(step, frozenset()) | roles
    return found


def role_text_warnings(pack: ContentPack) -> tuple[LintWarning, ...]:
    """``missing-role-text`` warnings: an overlay changed a text for one reader, not another.

    A step's title and summary and a rule's reason may have a version for each
    role (``summary_partner``), which that role reads in place of the text
    itself. When an overlay changes what one role reads but not what another
    role that can get the item reads, that role keeps the old words: the
    overlay's text has no version for them.
    """
    changed: dict[tuple[str, str, str], dict[str, Origin]] = {}
    for (kind, item_id, field), origin in pack._overridden.items():
        names = ROLE_TEXTS.get(kind, ())
        name = next((n for n in names if field == n or field.startswith(n + "_")), None)
        if name is not None:
            changed.setdefault((kind, item_id, name), {})[field] = origin
    if not changed:
        return ()
    reach = readers(pack)
    tables = item_tables(pack)
    warnings = []
    for (kind, item_id, name), fields in changed.items():
        item = tables[kind][item_id]
        for role in sorted(reach[(kind, item_id)]):
            own = role_field(name, role)
            read = own if getattr(item, own) else name
            if read in fields:
                continue
            origin = next(iter(fields.values()))
            said = " and ".join(sorted(fields))
            warnings.append(
                LintWarning(
                    "missing-role-text",
                    f"{kind}.{item_id}",
                    f"an overlay changes {said}, but the {role}, who can get this "
                    f"{kind.removesuffix('s')}, reads {read}, which it leaves as it was: "
                    f"change {own} too (or {name} alone, where the same words fit every reader)",
                    respondent=role,
                    file=origin.file,
                    line=origin.line,
                )
            )
    return tuple(warnings)


UNTRANSLATED = frozenset({("resources", "name")})
"""Fields not counted as missing: a helpline is found by the name it gives itself."""


def translation_warnings(pack: ContentPack) -> tuple[LintWarning, ...]:
    """``missing-translation`` and ``unknown-locale-file`` warnings; reads every locale file.

    A text is missing from a locale when the pack has it (it is not empty)
    and neither that locale nor a language it falls back to translates it.
    A regional locale (``es-MX``) whose language has texts too (``es``) is
    not checked for gaps: it falls back to them, and their gaps are reported
    once, under the language.

    Raises:
        PackError: A locale file not read yet cannot be read.
    """
    translations = [*pack.translations, *(read_locale_file(f) for f in pack.locale_files)]
    own = pack.locale.lower()
    by_tag: dict[str, list[Translation]] = {}
    for translation in translations:
        by_tag.setdefault(translation.locale.lower(), []).append(translation)
    warnings: list[LintWarning] = []
    for tag, group in by_tag.items():
        chain = fallbacks(tag)
        if own not in chain and not any(parent in by_tag for parent in chain[1:]):
            warnings.extend(_missing(pack, group))
    files = {t.file: t.locale for t in translations if t.file}
    warnings.extend(
        warning
        for file, tag in files.items()
        if (warning := _locale_file_warning(file, tag, own, set(by_tag))) is not None
    )
    return tuple(warnings)


def _missing(pack: ContentPack, group: list[Translation]) -> Iterator[LintWarning]:
    """The texts of the pack that none of one locale's translations has."""
    locale = group[0].locale
    have: set[tuple[str, str, str]] = set()
    for translation in group:
        have.update(translation.lookup())
    tables = item_tables(pack)
    # The pack folders, base first: an item's text goes in its own pack's locale file, or,
    # where that pack has none for this locale, in the last overlay's that has one, or else
    # in a new one of its own pack. The messages are the base pack's (read from its
    # messages.toml); an item built in Python, without an origin, counts as the base pack's too.
    folders = list(
        dict.fromkeys(
            item.origin.file.rpartition("/")[0]
            for items in tables.values()
            for item in items.values()
            if item.origin is not None
        )
    )
    files = {t.file.rpartition("/locales/")[0]: t.file for t in group if t.file}
    folders.extend(f for f in files if f not in folders)  # overlays with only locale files
    for kind, items in tables.items():
        for item_id, item in items.items():
            origin = getattr(item, "origin", None)
            folder = origin.file.rpartition("/")[0] if origin else (folders or [""])[0]
            later = (
                [files[f] for f in folders[folders.index(folder) :] if f in files] if folder else []
            )
            file = files.get(folder) or (later[-1] if later else None)
            if file is None and folder:
                file = f"{folder}/locales/{locale}.toml"
            for field in TRANSLATABLE[kind]:
                if (kind, field) in UNTRANSLATED or (kind, item_id, field) in have:
                    continue
                if getattr(item, field):
                    yield LintWarning(
                        "missing-translation",
                        f"{kind}.{item_id}" if item_id else kind,
                        f"{field!r} has no {locale!r} text, so it shows the pack's own",
                        file=file,
                        locale=locale,
                    )


def _locale_file_warning(file: str, tag: str, own: str, tags: set[str]) -> LintWarning | None:
    """An ``unknown-locale-file`` warning for a locale file no one would get, or None."""
    canonical = canonical_tag(tag)
    language, *subtags = canonical.split("-")
    regions = [sub for sub in subtags if len(sub) == 2 and sub.isalpha()]
    if canonical != tag:
        why = f"name it {canonical}.toml: a locale file is named by its canonical BCP 47 tag"
    elif canonical.lower() == own:
        why = f"never used: the pack's own texts are already in {own!r}"
    elif subtags and language not in tags and language != own.partition("-")[0]:
        why = (
            f"only {canonical!r} gets these texts; {language!r} and its other variants get the "
            f"pack's own: name it {language}.toml, or add one"
        )
    elif regions and country_problem(regions[0]) is not None:
        why = f"{regions[0]!r} is not an ISO 3166-1 region, so no one asks for {canonical!r}"
    else:
        return None
    return LintWarning("unknown-locale-file", tag, why, file=file, locale=tag)


@public
def lint_pack(
    pack: ContentPack,
    *,
    samples: int = 1500,
    seed: int = 0,
    today: dt.date | None = None,
) -> tuple[LintWarning, ...]:
    """Warnings about a valid pack: unreachable steps, unused questions, shadowed rules, gaps.

    It also reads every locale file, for missing translations and locale
    files no one would get (see `translation_warnings`).

    Added in version 0.2.0.

    Args:
        pack: The pack to look at.
        samples: How many random check-ins to try (more are aimed at each rule).
        seed: Seed of the generator, so that the same pack gives the same warnings.
        today: The date to judge ``verified`` dates by. trustkit never reads the
            clock: without it, no ``stale-resource`` warnings are given.

    Returns:
        The warnings, by code, locale and item. An empty tuple means nothing
        was found.

    Raises:
        PackError: A locale file of the pack, read now for the first time,
            cannot be read (``trustkit pack check`` reports those as errors).

    Examples:
        >>> import datetime as dt
        >>> import trustkit
        >>> trustkit.lint_pack(trustkit.default_pack())
        ()
        >>> later = trustkit.lint_pack(trustkit.default_pack(), today=dt.date(2030, 1, 1))
        >>> {w.code for w in later}
        {'stale-resource'}
    """
    c = compiled(pack)
    sampler = _Sampler(pack, seed)
    warnings: list[LintWarning] = []

    warnings.extend(
        LintWarning(
            "few-actions",
            step.id,
            f"has {len(step.actions)} action(s); give people at least {MIN_ACTIONS} to choose from",
        )
        for step in pack.steps
        if len(step.actions) < MIN_ACTIONS
    )
    read = {q for r in pack.rules for q in questions_read(r.when, sampler.items)}
    warnings.extend(
        LintWarning(
            "unused-question", q.id, "no rule reads this question; answers to it change nothing"
        )
        for q in pack.questions
        if q.id not in read
    )

    cases: list[tuple[Role, dict[str, Answer]]] = []
    for i in range(samples):
        role = Role.PARTNER if i % 2 else Role.SUPPORTER
        cases.append((role, sampler.random(role, (0.15, 0.5, 0.9)[i % 3])))
    cases.extend((role, {}) for role in Role)
    aimed = aimed_per_rule(len(c.rules))
    for rule in c.rules:
        cases.extend(sampler.aimed(rule) for _ in range(aimed))

    outcome = _Outcome(c, cases)
    reached = {r.rule.step for r in c.safety_rules}
    reached.update(r.rule.step for r, won in zip(c.rules, outcome.won, strict=True) if won)
    reached.update(r.rule.step for r, won in zip(c.rules, outcome.won_apart, strict=True) if won)
    if outcome.gap is not None:
        role, answers = cases[outcome.gap]
        warnings.append(
            LintWarning(
                "no-catch-all",
                "",
                "some check-ins get no step: add a catch-all rule (when = { always = true })",
                role,
                answers,
            )
        )
    for index, rule in enumerate(c.rules):
        held = outcome.held[index]
        if not held or outcome.won[index] or outcome.won_apart[index]:
            continue
        role, answers = cases[_lowest(held)]
        blocker = outcome.always_held(index)
        if blocker is not None:
            why = f"{blocker!r} has a higher priority and held in every sampled check-in "
        else:
            blocker = outcome.most_often(held)
            why = f"rules of higher priority (most often {blocker!r}) held in every sampled "
        warnings.append(
            LintWarning(
                "shadowed-rule",
                rule.rule.id,
                why + "where this one did, so it never decides; raise its priority or narrow "
                "the other rule",
                role,
                answers,
            )
        )
    warnings.extend(
        LintWarning(
            "unreachable-step",
            step.id,
            "no sampled check-in leads to this step"
            + ("" if any(r.step == step.id for r in pack.rules) else ": no rule proposes it"),
        )
        for step in pack.steps
        if step.id not in reached
    )
    if today is not None:
        warnings.extend(stale_resources(pack, today))
    warnings.extend(role_text_warnings(pack))
    warnings.extend(translation_warnings(pack))
    return tuple(sorted(warnings, key=lambda w: (w.code, w.locale or "", w.item)))


def aimed_per_rule(rules: int) -> int:
    """How many check-ins to aim at each rule: 60, fewer for very large packs, at least 1.

    Every sampled check-in is tried against every rule, so the work grows with
    the number of check-ins times the number of rules: capping the aimed
    check-ins keeps a pack of 10,000 rules within a minute.
    """
    return max(1, min(AIMED_PER_RULE, AIMED_CASES // max(rules, 1)))


def _lowest(mask: int) -> int:
    """The index of the lowest set bit of a non-zero mask."""
    return (mask & -mask).bit_length() - 1


class _Outcome:
    """Which sampled check-ins each rule held in and won, as bit masks over the check-ins.

    One int per rule (bit ``i`` for check-in ``i``) instead of a list per
    check-in of the rules that held keeps memory linear in rules times
    check-ins (in bits), whatever the rules are.
    """

    def __init__(self, c: CompiledPack, cases: list[tuple[Role, dict[str, Answer]]]) -> None:
        scored = [(answers, c.score(answers)) for _, answers in cases]
        self.rules = c.rules
        self.held: list[int] = []
        self.won: list[int] = []
        # During a safety period the rules for couples steps are skipped, so a rule below one
        # of them can decide then: it wins "apart" where no higher rule for another step held.
        self.won_apart: list[int] = []
        remaining = remaining_apart = (1 << len(cases)) - 1
        for rule in c.rules:
            holds = rule.predicate()  # compiled once, not on every check-in
            bits = "".join(["1" if holds(a, s) else "0" for a, s in reversed(scored)])
            held = int(bits, 2)
            won = held & remaining
            remaining &= ~held
            self.held.append(held)
            self.won.append(won)
            if rule.rule.step in c.couples_steps:
                self.won_apart.append(0)
            else:
                self.won_apart.append(held & remaining_apart)
                remaining_apart &= ~held
        self.gap = _lowest(remaining) if remaining else None
        self.winners = [(i, won) for i, won in enumerate(self.won) if won]

    def always_held(self, index: int) -> str | None:
        """The first rule of higher priority that held wherever this one did, if one did."""
        held = self.held[index]
        # Such a rule holds in every case this one held in, so it cannot rank above the
        # winner of any of them: start from the lowest-ranked of those winners.
        start = max(i for i, won in self.winners if won & held)
        for other in range(start, min(index, start + _SEARCH)):
            if self.held[other] & held == held:
                return self.rules[other].rule.id
        return None

    def most_often(self, held: int) -> str:
        """The rule that won most often where a rule held (the earliest such case on ties)."""
        best = min(
            (
                (-(won & held).bit_count(), _lowest(won & held), i)
                for i, won in self.winners
                if won & held
            ),
        )
        return self.rules[best[2]].rule.id


# Public as trustkit.LintWarning: reprs and pickles name that, not this private module.
public(LintWarning)
