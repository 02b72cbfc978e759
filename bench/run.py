"""Benchmarks for trustkit (not part of the test pass).

Run from the repository root, with trustkit and the ``bench`` dependency group
installed (``pip install --group bench -e .``)::

    python -m bench.run            # print the figures
    python -m bench.run --write    # also write them into docs/performance.md

Every row of issue 11's table, each a ratio measured in one run on one
machine: the two sides of a ratio take turns (interleaved), each side is timed
over many rounds in CPU time (``time.process_time``, so that a loaded machine
hurts less), and the table gives the median with its spread (the
interquartile range of the per-round ratios). Cold starts are fresh
processes, timed by the CPU time of the child (``RUSAGE_CHILDREN``).

Before anything is timed, each reference is asserted to give the same result
as trustkit: the hand-written baseline for the bundled pack builds the very
same ``Recommendation`` (step, urgency, reasons including the safety reasons,
evidence, alternatives, resources, every field); the references for the
generated packs give the same deciding rule and alternatives.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import json
import os
import pickle
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

import trustkit
from bench.corpus import records as corpus_records
from bench.corpus import write_jsonl, write_parquet
from bench.diff import APART
from bench.packs import (
    Closures,
    FirstMatch,
    JsonLogic,
    every_rule,
    generated_pack,
    neutral,
    selective_pack,
    varied,
    write_pack_folder,
)
from trustkit import (
    Action,
    Alternative,
    ContentPack,
    Evidence,
    QuestionKind,
    Recommendation,
    Resource,
    Role,
    Step,
    Urgency,
)

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
MARK = "<!-- figures: written by bench/run.py -->"
END = "<!-- end of figures -->"


# --------------------------------------------------------------------- the baseline

_DIST = ("distress", "stuck")
_Test = tuple[str, str, int | bool | tuple[str, ...]]
_RULES: tuple[tuple[str, str, str, tuple[str, ...], tuple[_Test, ...]], ...] = (
    # rule id, step, urgency, resource topics, any of (question, test, value), by priority.
    ("professional-help-distress", "professional_help", "warning", ("crisis",),
     (("distress", ">=", 4), ("stuck", ">=", 4))),
    ("boundaries-crossed", "boundaries", "warning", (), (("boundary_crossed", "=", True),)),
    ("consistency-promises", "consistency", "info", (),
     (("promises_kept", "<=", 2), ("missed_commitments", ">=", 2))),
    ("validation-not-heard", "validation", "info", (),
     (("feels_heard", "<=", 2), ("feelings_dismissed", ">=", 4))),
    ("communication-not-safe", "communication", "info", (),
     (("safe_to_share", "<=", 2), ("talk_openly", "<=", 2))),
    ("communication-not-safe-apart", "professional_help", "info", ("domestic_abuse",),
     (("safe_to_share", "<=", 2), ("talk_openly", "<=", 2))),
    ("patience-pace", "patience", "info", (),
     (("feels_rushed", ">=", 4), ("frustrated_by_pace", ">=", 4))),
    ("boundaries-unclear", "boundaries", "info", (), (("boundaries_clear", "<=", 2),)),
    ("educate-roots", "educate", "info", (), (("understand_roots", "<=", 2),)),
    ("patience-low-hope", "patience", "info", (), (("hopeful", "<=", 2),)),
    ("celebrate-progress", "celebrate", "info", (), (("progress_noticed", ">=", 4),)),
    ("consistency-worry-from-this-relationship", "consistency", "info", (),
     (("worry_source", "in", ("this_relationship",)),)),
    ("educate-worry-from-before", "educate", "info", (),
     (("worry_source", "in", ("previous_relationship", "family")),)),
    ("educate-past-hurt", "educate", "info", (), (("past_hurt", "=", True),)),
)  # fmt: skip
_SAFETY = (
    ("safety-self-harm", "professional_help", ("crisis", "emergency"), ("self_harm_thoughts",)),
    ("safety-high-risk", "professional_help", ("domestic_abuse", "emergency"),
     ("choked_or_strangled", "threat_to_kill_or_weapon", "forced_sex")),
    ("safety-abuse", "professional_help", ("domestic_abuse", "emergency"),
     ("afraid_of_partner", "controlled", "hurt_or_threatened")),
    ("safety-coercive-threat", "professional_help", ("domestic_abuse", "crisis", "emergency"),
     ("partner_threatened_self_harm",)),
    ("safety-partner-self-harm", "support_in_crisis", ("crisis", "emergency"),
     ("partner_self_harm",)),
)  # fmt: skip


def _filled(step: Step, actions: tuple[Action, ...], number: str) -> Step:
    """The step with these actions, "{emergency}" in its ``why`` and actions' ``how`` filled."""
    return attrs.evolve(
        step,
        why=step.why.replace("{emergency}", number),
        actions=tuple(attrs.evolve(a, how=a.how.replace("{emergency}", number)) for a in actions),
    )


def _mine(item: object, name: str, role: Role) -> str:
    """A text as ``role`` reads it: its version for that role (``reason_partner``) or itself."""
    text: str = getattr(item, f"{name}_{role.value}", "") or getattr(item, name)
    return text


def _in_crisis(step: Step) -> tuple[Action, ...]:
    return tuple(a for a in step.actions if a.in_crisis)


def _for_reader(step: Step, role: Role) -> Step:
    """The step as ``role`` reads it: their title and summary, and no per-role versions left."""
    versions = {f"{name}_{r.value}": "" for name in ("title", "summary") for r in Role}
    if not any(getattr(step, field) for field in versions):
        return step
    changes: dict[str, Any] = {**versions}
    changes.update({name: _mine(step, name, role) for name in ("title", "summary")})
    return attrs.evolve(step, **changes)


class Baseline:
    """The bundled pack's rules, written by hand as plain Python, returning the same Recommendation.

    Texts and objects (prompts, reasons, templates, steps, resources) are read
    from the pack once; the logic (answer checks, the safety screen, every rule,
    the choice of alternatives, the explanations) is spelled out in code, the
    way an app without trustkit would write it.
    """

    def __init__(self, pack: ContentPack) -> None:
        self.kinds = {
            role: {q.id: q.kind.value for q in pack.questions if role in q.respondents}
            for role in Role
        }
        self.prompts = {q.id: q.prompt for q in pack.questions}
        self.labels = {q.id: {o.code: o.label for o in q.options} for q in pack.questions}
        # Without a country, "{emergency}" in a crisis text says the pack's fallback wording,
        # and the international emergency line is listed first in a safety result.
        number = pack.messages.emergency_elsewhere
        rules = pack.rules
        # Each reader gets the pack's text for their role where it has one (``title_partner``).
        self.reason = {
            role: {r.id: _mine(r, "reason", role).replace("{emergency}", number) for r in rules}
            for role in Role
        }
        self.steps = {
            role: {s.id: _for_reader(_filled(s, s.actions, number), role) for s in pack.steps}
            for role in Role
        }
        self.crisis = {
            role: {s.id: _for_reader(_filled(s, _in_crisis(s), number), role) for s in pack.steps}
            for role in Role
        }
        self.plans = {r.id: r.plan for r in pack.rules}
        self.emergency_line = next(
            r for r in pack.resources if "emergency" in r.topics and r.country == "INTL"
        )
        self.messages = pack.messages
        self.pack = pack
        self.topics: dict[tuple[str, ...], tuple[Resource, ...]] = {}
        self.urgency = {u.value: u for u in Urgency}
        self.roles = {r.value: r for r in Role}

    def resources(self, topics: tuple[str, ...]) -> tuple[Resource, ...]:
        found = self.topics.get(topics)
        if found is None:
            found = tuple(r for r in self.pack.resources if set(topics) & set(r.topics))
            self.topics[topics] = found
        return found

    def sentence(self, qid: str, value: object) -> str:
        kind = self.kinds[Role.PARTNER].get(qid) or self.kinds[Role.SUPPORTER][qid]
        m = self.messages
        if kind == "yes_no":
            template = m.answer_yes if value else m.answer_no
        elif kind == "scale":
            template = m.answer_scale
        elif kind == "choice":  # the option's label, in the count's sentence
            label = self.labels[qid][str(value)]
            return m.answer_count.format(prompt=self.prompts[qid], value=label)
        else:
            template = m.answer_count
        return template.format(prompt=self.prompts[qid], value=value)

    def __call__(  # noqa: PLR0915
        self, answers: dict[str, Any], respondent: str = "partner"
    ) -> Recommendation:
        kinds = self.kinds[Role(respondent)]
        clean: dict[str, Any] = {}
        problems = []
        for key, value in answers.items():
            kind = kinds.get(key)
            if kind is None:
                problems.append(key)
                continue
            if value is None:
                continue
            if kind == "scale":
                ok = type(value) is int and 1 <= value <= 5
            elif kind == "yes_no":
                ok = type(value) is bool
            elif kind == "choice":
                ok = type(value) is str and value in self.labels[key]
            else:
                ok = type(value) is int and value >= 0
            if ok:
                clean[key] = value
            else:
                problems.append(key)
        if problems:
            raise ValueError("bad answers: " + ", ".join(problems))
        get = clean.get
        role = self.roles[respondent]

        # Safety first: every safety rule that holds adds its reason, evidence and helplines.
        said_yes = [
            (rule_id, step, topics, [q for q in qs if get(q) is True])
            for rule_id, step, topics, qs in _SAFETY
        ]
        said_yes = [s for s in said_yes if s[3]]
        if said_yes:
            reasons: list[str] = []
            openings: set[str] = set()
            sentences: list[str] = []
            evidence = []
            all_topics: list[str] = []
            for rule_id, _, safety_topics, qs in said_yes:
                reason = self.reason[role][rule_id]
                first, dot, rest = reason.partition(". ")
                if dot and first in openings:
                    reason = rest
                elif dot:
                    openings.add(first)
                if reason not in reasons:
                    reasons.append(reason)
                for q in qs:
                    evidence.append(Evidence(rule_id, f"{q} = yes", (q,)))
                    said = self.sentence(q, True)
                    if said not in sentences:
                        sentences.append(said)
                all_topics.extend(t for t in safety_topics if t not in all_topics)
            top = said_yes[0]
            line = self.emergency_line
            found = self.resources(tuple(all_topics))
            if not found or found[0] is not line:
                found = (line, *(r for r in found if r is not line))
            return self.make(
                self.crisis[role][top[1]], Urgency.CRITICAL, (*reasons, *sentences), evidence,
                top[0], (), found, role, True,
            )  # fmt: skip

        matched = []
        for rule_id, step, urgency, topics, tests in _RULES:
            met: list[_Test] = []
            for q, op, v in tests:
                x = get(q)
                if x is None:
                    continue
                if isinstance(v, tuple):
                    if x in v:  # op "in": one of these codes was chosen
                        met.append((q, op, v))
                elif (op == ">=" and x >= v) or (op == "<=" and x <= v) or (op == "=" and x is v):
                    met.append((q, op, v))
            if met:
                matched.append((rule_id, step, urgency, topics, met))
        if not matched:
            return self.make(
                self.steps[role]["educate"], Urgency.INFO, (self.reason[role]["catch-all"],), [],
                "catch-all", (), (), role, False,
            )  # fmt: skip
        rule_id, step, urgency, topics, met = matched[0]
        alternatives: list[Alternative] = []
        seen = {step}
        for other_rule, other_step, _, _, _ in matched[1:]:
            if other_step not in seen:
                seen.add(other_step)
                alternatives.append(
                    Alternative(other_step, self.steps[role][other_step].title, other_rule)
                )
                if len(alternatives) == 2:
                    break
        evidence = []
        sentences = []
        for q, op, v in met:
            said_v = f"[{', '.join(v)}]" if isinstance(v, tuple) else ("yes" if v is True else v)
            text = f"{q} {op} {said_v}"
            evidence.append(Evidence(rule_id, text, (q,)))
            said = self.sentence(q, clean[q])
            if said not in sentences:
                sentences.append(said)
        reason = self.reason[role][rule_id]
        return self.make(
            self.steps[role][step], self.urgency[urgency], (reason, *sentences), evidence, rule_id,
            tuple(alternatives), self.resources(topics) if topics else (), role, False,
        )  # fmt: skip

    def make(
        self,
        step: Step,
        urgency: Urgency,
        reasons: tuple[str, ...],
        evidence: list[Evidence],
        rule_id: str,
        alternatives: tuple[Alternative, ...],
        resources: tuple[Resource, ...],
        role: Role,
        safety: bool,
    ) -> Recommendation:
        pack = self.pack
        return Recommendation(
            step=step,
            urgency=urgency,
            reasons=reasons,
            evidence=tuple(evidence),
            rule_id=rule_id,
            alternatives=alternatives,
            resources=resources,
            respondent=role,
            safety=safety,
            pack_id=pack.id,
            pack_version=pack.version,
            packs=pack.packs,
            locale=pack.locale,
            plan=self.plans[rule_id],
        )


# --------------------------------------------------------------------- workload


def checkins(count: int, seed: int = 20261127) -> list[tuple[Role, dict[str, Any]]]:
    """Realistic check-ins: most questions answered, a few flags, rare safety answers."""
    rng = random.Random(seed)
    pack = trustkit.default_pack()
    cases = []
    for _ in range(count):
        role = rng.choice(list(Role))
        answers: dict[str, Any] = {}
        for q in pack.questions_for(role):
            if rng.random() < 0.85:
                if q.kind is QuestionKind.YES_NO:
                    answers[q.id] = rng.random() < (0.02 if q.safety else 0.2)
                elif q.kind is QuestionKind.SCALE:
                    answers[q.id] = rng.choice([1, 2, 3, 3, 4, 4, 5])
                elif q.options:
                    answers[q.id] = rng.choice(q.codes)
                else:
                    answers[q.id] = rng.choice([0, 0, 1, 2, 3])
        cases.append((role, answers))
    return cases


def check_same(baseline: Baseline, cases: list[tuple[Role, dict[str, Any]]]) -> None:
    """The baseline really does the same work: it returns an equal Recommendation, every field."""
    for role, answers in cases:
        rec = trustkit.recommend_next_step(answers, respondent=role)
        mine = baseline(answers, role.value)
        assert mine == rec, rec.rule_id
        assert mine.reasons == rec.reasons, rec.rule_id  # reasons are compared, not only shown


def check_choice(
    reference: Callable[[dict[str, Any], str], tuple[str, tuple[str, ...]]],
    pack: ContentPack,
    cases: list[tuple[Role, dict[str, Any]]],
) -> None:
    """A reference for a generated pack picks the same rule and alternatives."""
    for role, answers in cases:
        rec = trustkit.recommend_next_step(answers, respondent=role, pack=pack)
        got = reference(answers, role.value)
        assert got == (rec.rule_id, tuple(a.rule_id for a in rec.alternatives)), rec.rule_id


# --------------------------------------------------------------------- timing


class Timed:
    """Per-call CPU times of several contenders, measured in interleaved rounds."""

    def __init__(self, runs: dict[str, Callable[[], object]], per_round: int, rounds: int) -> None:
        self.samples: dict[str, list[float]] = {name: [] for name in runs}
        for run in runs.values():  # warm up
            run()
        for _ in range(rounds):
            for name, run in runs.items():
                start = time.process_time()
                run()
                self.samples[name].append((time.process_time() - start) / per_round)

    def median(self, name: str) -> float:
        return statistics.median(self.samples[name])

    def ratio(self, a: str, b: str) -> tuple[float, float, float]:
        """The median of the per-round ratios a/b, and its interquartile range."""
        ratios = sorted(x / y for x, y in zip(self.samples[a], self.samples[b], strict=True))
        q1, med, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
        return med, q1, q3


def over(fn: Callable[..., object], cases: list[tuple[Any, ...]]) -> Callable[[], None]:
    """One pass of ``fn`` over every case."""

    def run() -> None:
        for args in cases:
            fn(*args)

    return run


def _child_cpu(argv: list[str]) -> float:
    """CPU time (user + system) of a fresh child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def processes(codes: dict[str, str], runs: int) -> dict[str, list[float]]:
    """CPU time of fresh interpreters running each code, taking turns."""
    for code in codes.values():  # warm the file cache and write any missing .pyc files
        _child_cpu([sys.executable, "-c", code])
    times: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(runs):
        for name, code in codes.items():
            times[name].append(_child_cpu([sys.executable, "-c", code]))
    return times


# Byte-code caching on, as for any installed package (a development shell may turn it off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
FIRST = "import trustkit; trustkit.recommend_next_step({'feels_heard': 1, 'promises_kept': 4})"
DEPS = "import attrs, cattrs"


# --------------------------------------------------------------------- the rows


Row = tuple[str, str, str, float, float, float, str]
"""What, trustkit's figure, the reference's figure, ratio, q1, q3, target."""


def _us(x: float) -> str:
    return f"{x * 1e6:.1f} µs"


def row_calls(count: int, rounds: int) -> list[Row]:
    """The bundled pack against the hand-written baseline."""
    pack = trustkit.default_pack()
    trustkit.compile_pack(pack)
    baseline = Baseline(pack)
    cases = checkins(count)
    check_same(baseline, cases)
    pairs = [(answers, role.value) for role, answers in cases]

    def ours(answers: dict[str, Any], role: str) -> None:
        trustkit.recommend_next_step(answers, respondent=role)

    t = Timed({"ours": over(ours, pairs), "base": over(baseline, pairs)}, count, rounds)
    return [
        (
            f"bundled pack: one call vs a hand-written function returning the same "
            f"Recommendation ({count} check-ins)",
            _us(t.median("ours")),
            _us(t.median("base")),
            *t.ratio("ours", "base"),
            "≤ 1.1x",
        )
    ]


def row_generated(count: int, rounds: int) -> list[Row]:
    """30 and 10,000 generated rules: against closures, JSON-Logic, and each other."""
    p30, p10k = generated_pack(30), generated_pack(10_000)
    for p in (p30, p10k):
        trustkit.compile_pack(p)
    cases = checkins(count)
    closures, logic = Closures(p30), JsonLogic(p30)
    check_choice(closures, p30, cases)
    check_choice(logic, p30, cases[: count // 4])
    pairs = [(answers, role.value) for role, answers in cases]

    def on(pack: ContentPack) -> Callable[[dict[str, Any], str], object]:
        def call(answers: dict[str, Any], role: str) -> object:
            return trustkit.recommend_next_step(answers, respondent=role, pack=pack)

        return call

    few = pairs[: max(count // 10, 20)]
    t = Timed(
        {
            "30": over(on(p30), pairs),
            "closures": over(closures, pairs),
            "10k": over(on(p10k), pairs),
        },
        count,
        rounds,
    )
    j = Timed({"30": over(on(p30), few), "logic": over(logic, few)}, len(few), rounds)
    neutral_pairs = [(neutral(role), role.value) for role in Role] * 200
    for role in Role:
        assert trustkit.recommend_next_step(neutral(role), respondent=role, pack=p10k).rule_id == (
            "catch-all"
        )
    n = Timed(
        {"30": over(on(p30), neutral_pairs), "10k": over(on(p10k), neutral_pairs)},
        len(neutral_pairs),
        rounds,
    )
    jr, jq1, jq3 = j.ratio("logic", "30")
    return [
        (
            "30-rule pack: whole call vs hand-written closures that evaluate every rule",
            _us(t.median("30")),
            _us(t.median("closures")),
            *t.ratio("30", "closures"),
            "≤ 2x",
        ),
        (
            "30-rule pack: how many times faster than a pure-Python JSON-Logic engine "
            "(json-logic-qubit)",
            _us(j.median("30")),
            _us(j.median("logic")),
            jr,
            jq1,
            jq3,
            "≥ 20x faster",
        ),
        (
            "10,000-rule pack vs 30-rule pack: typical check-ins (~30% of rules hold)",
            _us(t.median("10k")),
            _us(t.median("30")),
            *t.ratio("10k", "30"),
            "≤ 3x",
        ),
        (
            "10,000-rule pack vs 30-rule pack: no rule but the catch-all holds",
            _us(n.median("10k")),
            _us(n.median("30")),
            *n.ratio("10k", "30"),
            "≤ 3x",
        ),
    ]


def row_selective(count: int, rounds: int) -> list[Row]:
    """10,000 selective rules (each all of 3-4 different answers) vs 30 of them."""
    p30, p10k = selective_pack(30), selective_pack(10_000)
    start = time.process_time()
    trustkit.compile_pack(p10k)
    compile_s = time.process_time() - start
    trustkit.compile_pack(p30)
    pairs = varied(count)
    # The index must change no decision: the 10,000-rule pack against trying every rule.
    for answers, role in pairs[:200]:
        rec = trustkit.recommend_next_step(answers, respondent=role, pack=p10k)
        assert (rec.rule_id, tuple(a.rule_id for a in rec.alternatives)) == every_rule(
            p10k, answers
        )

    def on(pack: ContentPack) -> Callable[[dict[str, Any], str], object]:
        def call(answers: dict[str, Any], role: str) -> object:
            return trustkit.recommend_next_step(answers, respondent=role, pack=pack)

        return call

    t = Timed({"30": over(on(p30), pairs), "10k": over(on(p10k), pairs)}, count, rounds)
    return [
        (
            "selective 10,000-rule pack vs 30 of the same kind of rules: varied check-ins "
            f"(compiled in {compile_s:.2f} s)",
            _us(t.median("10k")),
            _us(t.median("30")),
            *t.ratio("10k", "30"),
            "≤ 3x",
        )
    ]


_LOAD = """
import sys, time, tracemalloc
import trustkit  # the rules are spread over rules/*.toml, each under the 1 MB cap
if sys.argv[2] == "memory":
    tracemalloc.start()
start = time.process_time()
pack = trustkit.load_pack(sys.argv[1])
trustkit.compile_pack(pack)
elapsed = time.process_time() - start
print(tracemalloc.get_traced_memory()[0] if sys.argv[2] == "memory" else elapsed)
"""


def row_load(runs: int) -> list[Row]:
    """10,000 rules from TOML: load + compile, in a fresh process; and what stays in memory."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_pack_folder(generated_pack(10_000), Path(tmp) / "gen")
        times = []
        for _ in range(max(runs // 3, 3)):
            out = subprocess.run(
                [sys.executable, "-c", _LOAD, str(folder), "time"],
                check=True, capture_output=True, text=True, env=ENV,
            ).stdout  # fmt: skip
            times.append(float(out))
        memory = int(
            subprocess.run(
                [sys.executable, "-c", _LOAD, str(folder), "memory"],
                check=True,
                capture_output=True,
                text=True,
                env=ENV,
            ).stdout
        )
    q1, med, q3 = statistics.quantiles(times, n=4)
    return [
        ("10,000-rule pack: load + compile from TOML (CPU time, fresh process)",
         f"{med:.2f} s", "1 s", med, q1, q3, "≤ 1 s"),
        ("10,000-rule pack: memory retained after load + compile (tracemalloc)",
         f"{memory / 1e6:.1f} MB", "10 MB", memory / 1e7, memory / 1e7, memory / 1e7, "≤ 10 MB"),
    ]  # fmt: skip


def row_cold(runs: int) -> list[Row]:
    """A fresh process: import trustkit + first recommendation vs import attrs, cattrs."""
    t = processes({"bare": "pass", "deps": DEPS, "ours": FIRST}, runs)
    ratios = sorted(o / d for o, d in zip(t["ours"], t["deps"], strict=True))
    q1, med, q3 = statistics.quantiles(ratios, n=4)
    less = sorted(
        (o - b) / (d - b) for o, d, b in zip(t["ours"], t["deps"], t["bare"], strict=True)
    )
    lq1, lmed, lq3 = statistics.quantiles(less, n=4)
    ours, deps, bare = (statistics.median(t[k]) for k in ("ours", "deps", "bare"))
    return [
        (f"fresh process: `import trustkit` + first recommendation vs `{DEPS}` (CPU time of "
         f"the child, {runs} each)", f"{ours * 1e3:.0f} ms", f"{deps * 1e3:.0f} ms",
         med, q1, q3, "≤ 1.2x"),
        (f"the same, less an empty interpreter ({bare * 1e3:.0f} ms)",
         f"{(ours - bare) * 1e3:.0f} ms", f"{(deps - bare) * 1e3:.0f} ms", lmed, lq1, lq3, ""),
    ]  # fmt: skip


def _history(size: int, now: dt.datetime) -> list[trustkit.CheckIn]:
    """``size`` earlier check-ins, both partners, oldest first: each partner about once a week.

    No check-in screens positive (most couples' histories hold none), so every call takes
    the ordinary path: the ~104 check-ins of the safety period are all read for a yes and
    none is found, the worst case for the period's screen. With a yes in the history the
    long call would be a safety follow-up, which works out no facts, and the ratio would
    compare two different paths.
    """
    cases = checkins(min(size, 2000), seed=size)
    return [
        trustkit.CheckIn(
            respondent=role,
            answers={k: v for k, v in answers.items() if k not in SAFETY},
            at=now - dt.timedelta(hours=84 * (size - i)),
            recommended="validation" if i % 2 else None,
        )
        for i, (role, answers) in enumerate(cases[i % len(cases)] for i in range(size))
    ]


def row_history(sizes: tuple[int, ...], rounds: int) -> list[Row]:
    """A call with a state folded from N check-ins against one folded from its latest 12.

    Issue 18: a call with a state costs the same whatever the number of past check-ins
    (target ≤ 1.1x from 12 to 10,000). The state is folded once, outside the timing,
    and is asserted to give what the whole history gives before anything is timed.
    The history-list rows that issue 11 measured are gone: every history is now sorted
    and folded, which costs one pass per call (see docs/performance.md).
    """
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    role, answers = checkins(1, seed=3)[0]
    answers = {k: v for k, v in answers.items() if k not in SAFETY}
    histories = {n: _history(n, now) for n in sizes}
    states: dict[int, trustkit.CoupleState] = {}
    twelves: dict[int, trustkit.CoupleState] = {}
    for n, history in histories.items():
        state = trustkit.CoupleState()
        for checkin in history:
            state = trustkit.advance(state, checkin)
        states[n] = state
        # The same latest check-ins, each with the step it got, and nothing older: the
        # decision and its facts are the same, so the ratio is the cost of the past alone.
        twelve = trustkit.CoupleState()
        for checkin in state.recent[-12:]:
            twelve = trustkit.advance(twelve, checkin)
        twelves[n] = twelve
    loops = 200

    def call(state: trustkit.CoupleState) -> Callable[[], None]:
        def run() -> None:
            for _ in range(loops):
                trustkit.recommend_next_step(answers, respondent=role, state=state, now=now)

        return run

    rows: list[Row] = []
    for n in sizes:
        with_state = trustkit.recommend_next_step(
            answers, respondent=role, state=states[n], now=now
        )
        whole = trustkit.recommend_next_step(
            answers, respondent=role, history=histories[n], now=now
        )
        assert with_state == whole
        assert with_state == trustkit.recommend_next_step(
            answers, respondent=role, state=twelves[n], now=now
        )
        size = len(json.dumps(trustkit.converter.unstructure(states[n])))
        t = Timed({"state": call(states[n]), "twelve": call(twelves[n])}, loops, rounds)
        rows.append(
            (f"a state folded from {n:,} check-ins ({size:,} bytes of JSON), vs one from 12",
             _us(t.median("state")), _us(t.median("twelve")), *t.ratio("state", "twelve"),
             "≤ 1.1x")
        )  # fmt: skip
    return rows


def row_state_vs_none(count: int, rounds: int) -> list[Row]:
    """Issue 19: a call with a couple's state against the same call without any history.

    Varied check-ins without a safety yes, each decided with the state of 12 earlier
    check-ins (a state folded from more costs the same: see `row_history`) and without
    one. With a state the engine works out the history's facts and tries the rules that
    read them, so the two calls may pick different steps: the ratio is what a history
    costs. Each state call is first asserted to equal the call given the history itself.
    """
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    history = _history(12, now)
    state = trustkit.CoupleState()
    for checkin in history:
        state = trustkit.advance(state, checkin)
    pairs = [
        ({k: v for k, v in answers.items() if k not in SAFETY}, role.value)
        for role, answers in checkins(count, seed=19)
    ]
    for answers, role in pairs:
        with_state = trustkit.recommend_next_step(answers, respondent=role, state=state, now=now)
        assert with_state == trustkit.recommend_next_step(
            answers, respondent=role, history=history, now=now
        )

    def rec_state(answers: dict[str, Any], role: str) -> object:
        return trustkit.recommend_next_step(answers, respondent=role, state=state, now=now)

    def rec_none(answers: dict[str, Any], role: str) -> object:
        return trustkit.recommend_next_step(answers, respondent=role, now=now)

    def decide_state(answers: dict[str, Any], role: str) -> object:
        return trustkit.decide(answers, respondent=role, state=state, now=now)

    def decide_none(answers: dict[str, Any], role: str) -> object:
        return trustkit.decide(answers, respondent=role, now=now)

    runs = {"rs": rec_state, "rn": rec_none, "ds": decide_state, "dn": decide_none}
    t = Timed({k: over(f, pairs) for k, f in runs.items()}, count, rounds)
    return [
        ("bundled pack: a call with a couple's state (12 earlier check-ins) vs the same call "
         "without history", _us(t.median("rs")), _us(t.median("rn")), *t.ratio("rs", "rn"),
         "≤ 1.2x"),
        ("bundled pack: `decide` with a couple's state vs `decide` without history",
         _us(t.median("ds")), _us(t.median("dn")), *t.ratio("ds", "dn"), "≤ 1.2x"),
    ]  # fmt: skip


def row_batch(count: int, rounds: int) -> list[Row]:
    """Decisions per second on one core: single calls against the batch path.

    A batch decides chunks of check-ins together and remembers, within the call, each
    result by what it depends on, so the gain grows with the batch: measured on a batch of
    ``count`` check-ins and on one of 10,000, the latter also with that memo turned off
    (``MEMO_SIZE = 0``) to show what the columns alone give.
    """
    from trustkit._engine import many

    pack = trustkit.default_pack()
    at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    small = [trustkit.CheckIn(respondent=r, answers=a, at=at) for r, a in checkins(count, seed=5)]
    large = [trustkit.CheckIn(respondent=r, answers=a, at=at) for r, a in checkins(10_000, seed=6)]
    for batch in (small, large):
        singles = [trustkit.recommend_next_step(c, pack=pack) for c in batch]
        assert list(trustkit.recommend_many(batch, pack=pack)) == singles

    def single(batch: list[trustkit.CheckIn]) -> Callable[[], None]:
        def run() -> None:
            for c in batch:
                trustkit.recommend_next_step(c, pack=pack)

        return run

    def together(batch: list[trustkit.CheckIn], memo: int = many.MEMO_SIZE) -> Callable[[], None]:
        def run() -> None:
            kept, many.MEMO_SIZE = many.MEMO_SIZE, memo
            try:
                for _ in trustkit.recommend_many(batch, pack=pack):
                    pass
            finally:
                many.MEMO_SIZE = kept

        return run

    t = Timed({"single": single(small), "batch": together(small)}, count, rounds)
    big = Timed(
        {"single": single(large), "batch": together(large), "no memo": together(large, 0)},
        len(large),
        rounds,
    )
    rows: list[Row] = []
    for label, timed, name in (
        (f"a batch of {count:,}", t, "batch"),
        (f"a batch of {len(large):,}", big, "batch"),
        (f"a batch of {len(large):,}, results not remembered", big, "no memo"),
    ):
        r, q1, q3 = timed.ratio("single", name)
        rows.append(
            (f"decisions per second, one core, varied check-ins: `recommend_many` ({label}) vs "
             "single calls", f"{1 / timed.median(name):,.0f}/s",
             f"{1 / timed.median('single'):,.0f}/s", r, q1, q3, "≥ 2x")
        )  # fmt: skip
    return rows


def _pool_chunk(chunk: list[tuple[str, dict[str, Any]]]) -> list[Recommendation]:
    """One worker's share: a batch over its check-ins (results come back as compact pickles)."""
    return list(trustkit.recommend_many(chunk_checkins(chunk)))


def chunk_checkins(chunk: list[tuple[str, dict[str, Any]]]) -> list[trustkit.CheckIn]:
    at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    return [trustkit.CheckIn(respondent=Role(r), answers=a, at=at) for r, a in chunk]


def row_pool(count: int, rounds: int) -> list[Row]:
    """Decisions per second through a process pool: 2 workers against 1 (wall time)."""
    from concurrent.futures import ProcessPoolExecutor

    cases = [(r.value, a) for r, a in checkins(count * 20, seed=7)]
    chunks = [cases[i : i + 500] for i in range(0, len(cases), 500)]
    times: dict[int, list[float]] = {1: [], 2: []}
    pools = {n: ProcessPoolExecutor(n, initializer=trustkit.compile_pack) for n in (1, 2)}
    try:
        for pool in pools.values():  # start the workers and compile the pack in each
            list(pool.map(_pool_chunk, chunks[:4]))
        for _ in range(rounds):
            for n, pool in pools.items():
                start = time.perf_counter()
                results = [r for part in pool.map(_pool_chunk, chunks) for r in part]
                times[n].append(time.perf_counter() - start)
                assert len(results) == len(cases)
    finally:
        for pool in pools.values():
            pool.shutdown()
    ratios = sorted(one / two for one, two in zip(times[1], times[2], strict=True))
    q1, med, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    per = {n: len(cases) / statistics.median(t) for n, t in times.items()}
    return [
        (f"decisions per second, `recommend_many` in a process pool: 2 workers vs 1 (wall "
         f"time, {os.cpu_count()} cores)", f"{per[2]:,.0f}/s", f"{per[1]:,.0f}/s", med, q1, q3,
         "≈ 2x on 2 free cores"),
    ]  # fmt: skip


def row_decide(count: int, rounds: int) -> list[Row]:
    """The decision-only path on the 30-rule pack, against a hand-written first-match function."""
    p30 = generated_pack(30)
    trustkit.compile_pack(p30)
    first = FirstMatch(p30)
    pairs = [(answers, role.value) for role, answers in checkins(count)]
    for answers, role in pairs:  # the same decision, asserted before anything is timed
        d = trustkit.decide(answers, respondent=role, pack=p30)
        assert (d.rule_id, d.step_id, d.urgency.value, d.safety) == first(answers, role)

    def decide(answers: dict[str, Any], role: str) -> object:
        return trustkit.decide(answers, respondent=role, pack=p30)

    def recommend(answers: dict[str, Any], role: str) -> object:
        return trustkit.recommend_next_step(answers, respondent=role, pack=p30)

    t = Timed(
        {"decide": over(decide, pairs), "first": over(first, pairs), "rec": over(recommend, pairs)},
        count,
        rounds,
    )
    return [
        (
            "30-rule pack: `decide` (the decision alone) vs a hand-written function that checks "
            "the answers and stops at the first rule that holds",
            _us(t.median("decide")),
            _us(t.median("first")),
            *t.ratio("decide", "first"),
            "≤ 3x",
        ),
        (
            "30-rule pack: `decide` vs `recommend_next_step` (what explaining costs)",
            _us(t.median("decide")),
            _us(t.median("rec")),
            *t.ratio("decide", "rec"),
            "",
        ),
    ]


def _records(count: int, couples: bool, seed: int) -> list[dict[str, Any]]:
    """Stored records for `trustkit.batch`: with couples (a history each) or without."""
    at = dt.datetime(2026, 1, 5, 20, 0, tzinfo=dt.UTC)
    return [
        {
            "id": str(n),
            **({"couple": f"c{n % max(count // 12, 1)}"} if couples else {}),
            "respondent": role.value,
            "answers": answers,
            "at": (at + dt.timedelta(hours=n)).isoformat(),
        }
        for n, (role, answers) in enumerate(checkins(count, seed=seed))
    ]


def row_batch_paths(count: int, rounds: int) -> list[Row]:
    """`trustkit.batch` with and without couples, against single calls without history."""
    loose, paired = _records(count, False, 8), _records(count, True, 8)
    singles = [
        trustkit.CheckIn(r["respondent"], r["answers"], dt.datetime.fromisoformat(r["at"]))
        for r in loose
    ]
    expected = [trustkit.recommend_next_step(c).step.id for c in singles]
    assert list(trustkit.batch(loose).step_id) == expected  # the same decisions, first

    def single() -> None:
        for c in singles:
            trustkit.recommend_next_step(c)

    t = Timed(
        {
            "single": single,
            "loose": lambda: trustkit.batch(loose),
            "paired": lambda: trustkit.batch(paired),
        },
        count,
        rounds,
    )
    return [
        (
            "`trustkit.batch`, records without a couple (no history), vs single calls "
            "(how many times faster)",
            _us(t.median("loose")),
            _us(t.median("single")),
            *t.ratio("single", "loose"),
            "≥ 1.5x",
        ),
        (
            "`trustkit.batch`, records of couples (each decided with its history), vs single "
            "calls without history (how many times as fast)",
            _us(t.median("paired")),
            _us(t.median("single")),
            *t.ratio("single", "paired"),
            "≥ 0.7x",
        ),
    ]


def row_batch_pool(count: int, rounds: int) -> list[Row]:
    """`trustkit.batch(workers=2)` against `workers=1`, wall time on this machine."""
    records = _records(count * 10, True, 9)
    assert trustkit.batch(records, workers=2) == trustkit.batch(records)
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(max(rounds // 3, 3)):
        for n in (1, 2):
            start = time.perf_counter()
            trustkit.batch(records, workers=n)
            times[n].append(time.perf_counter() - start)
    ratios = sorted(one / two for one, two in zip(times[1], times[2], strict=True))
    q1, med, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    return [
        (
            f"`trustkit.batch(workers=2)` vs `workers=1` on {len(records):,} records of "
            f"couples (wall time, {os.cpu_count()} cores, pool started inside the call)",
            f"{statistics.median(times[2]):.2f} s",
            f"{statistics.median(times[1]):.2f} s",
            med,
            q1,
            q3,
            "≥ 1.8x",
        )
    ]


def _parquet_corpus(folder: Path, count: int) -> tuple[Path, list[trustkit.CheckIn]]:
    """A generated Parquet corpus (couples with histories), and its check-ins for single calls."""
    path = write_parquet(folder / "c.parquet", count, group_rows=max(count // 8, 1))
    singles = [
        trustkit.CheckIn(r["respondent"], r["answers"], dt.datetime.fromisoformat(r["at"]))
        for r in corpus_records(count)
        if isinstance(r, dict) and "no_such_question" not in r["answers"]
    ]
    return path, singles


def row_diff_parquet(count: int, rounds: int) -> list[Row]:
    """`diff_packs` on Parquet, each record with its couple's history, vs single calls."""
    old, new = trustkit.default_pack(), trustkit.load_pack("core", APART)
    with tempfile.TemporaryDirectory() as tmp:
        path, singles = _parquet_corpus(Path(tmp), count)
        records = trustkit.diff_packs(old, new, path).records

        def single() -> None:
            for c in singles:
                with contextlib.suppress(trustkit.TrustkitError):
                    trustkit.recommend_next_step(c)

        t = Timed(
            {"single": single, "diff": lambda: trustkit.diff_packs(old, new, path)}, 1, rounds
        )
    per_single = t.median("single") / len(singles)
    per_record = t.median("diff") / records
    ratios = sorted(
        (s / len(singles)) / (d / records)
        for s, d in zip(t.samples["single"], t.samples["diff"], strict=True)
    )
    q1, med, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    return [
        (
            f"`diff_packs` on Parquet ({records:,} records of couples, each decided with its "
            "history under two packs) vs single calls without history, per record",
            _us(per_record),
            _us(per_single),
            med,
            q1,
            q3,
            "≥ 0.5x",
        )
    ]


def row_dask(count: int, rounds: int) -> list[Row]:
    """`trustkit.dask.diff_packs(shared_file=True)` on LocalClusters of 1 and 2, wall time."""
    try:
        distributed: Any = importlib.import_module("distributed")
        tkd: Any = importlib.import_module("trustkit.dask")
    except ImportError:
        return []
    old, new = trustkit.default_pack(), trustkit.load_pack("core", APART)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_jsonl(Path(tmp) / "c.jsonl", count)
        here = trustkit.diff_packs(old, new, path)
        clusters = {
            n: distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            )
            for n in (1, 2)
        }
        try:
            clients = {n: distributed.Client(c) for n, c in clusters.items()}

            def on(n: int) -> Callable[[], object]:
                return lambda: tkd.diff_packs(old, new, path, client=clients[n], shared_file=True)

            runs: dict[str, Callable[[], object]] = {
                "one process": lambda: trustkit.diff_packs(old, new, path),
                "dask 1": on(1),
                "dask 2": on(2),
            }
            for name, run in runs.items():  # the same report on every path, first
                assert run() == here, name
            times: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(rounds):
                for name, run in runs.items():
                    start = time.perf_counter()
                    run()
                    times[name].append(time.perf_counter() - start)
            for client in clients.values():
                client.close()
        finally:
            for cluster in clusters.values():
                cluster.close()

    def ratio(a: str, b: str) -> tuple[float, float, float]:
        r = sorted(x / y for x, y in zip(times[a], times[b], strict=True))
        q1, med, q3 = statistics.quantiles(r, n=4) if len(r) > 1 else r * 3
        return med, q1, q3

    med = {name: statistics.median(ts) for name, ts in times.items()}
    return [
        (
            f"`trustkit.dask.diff_packs(shared_file=True)`, 2 workers vs 1, {count:,} check-ins "
            f"of JSON Lines (wall time, {os.cpu_count()} cores)",
            f"{med['dask 2']:.2f} s",
            f"{med['dask 1']:.2f} s",
            *ratio("dask 1", "dask 2"),
            "≥ 1.8x",
        ),
        (
            "`trustkit.dask.diff_packs(shared_file=True)`, 1 worker vs `trustkit.diff_packs` in "
            "one process (wall time)",
            f"{med['dask 1']:.2f} s",
            f"{med['one process']:.2f} s",
            *ratio("one process", "dask 1"),
            "≥ 0.9x",
        ),
    ]


def partition_figures(count: int) -> list[str]:
    """Time and peak memory of one partition's work: read and sort a part, then decide it."""
    import tracemalloc

    from trustkit import _batch

    old, new = trustkit.default_pack(), trustkit.load_pack("core", APART)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_jsonl(Path(tmp) / "c.jsonl", count)
        (part,) = _batch.parts(path, 1)
        buckets = 4

        def work() -> tuple[float, float]:
            start = time.process_time()
            blobs, _, _ = _batch.sort_part(part, buckets)
            sorted_at = time.process_time()
            for bucket in range(buckets):
                _batch.diff_blobs([blobs[bucket]], old, new, None)
            return sorted_at - start, time.process_time() - sorted_at

        times = [work() for _ in range(3)]
        sort_s = statistics.median(t[0] for t in times)
        decide_s = statistics.median(t[1] for t in times)
        tracemalloc.start()
        blobs, _, _ = _batch.sort_part(part, buckets)
        _, sort_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        _batch.diff_blobs([blobs[0]], old, new, None)
        _, bucket_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = path.stat().st_size
    spilled = sum(len(b) for b in blobs)
    return [
        f"- one partition of {count:,} check-ins ({size / 1e6:.1f} MB of JSON Lines): read and "
        f"sorted by couple in {sort_s:.2f} s CPU, peak {sort_peak / 1e6:.1f} MB, "
        f"{spilled / 1e6:.1f} MB of buckets to ship;",
        f"- deciding it under two packs with history: {decide_s:.2f} s CPU "
        f"({decide_s / count * 1e6:.0f} µs a record); one bucket of a quarter of it peaks at "
        f"{bucket_peak / 1e6:.1f} MB (Python allocations, `tracemalloc`).",
    ]


def pickled_sizes() -> list[str]:
    """How small the compiled form and a recommendation pickle."""
    pack = trustkit.default_pack()
    rec = trustkit.recommend_next_step({"distress": 5, "feels_heard": 1})
    crisis = trustkit.recommend_next_step({"self_harm_thoughts": True})
    p10k = generated_pack(10_000)
    return [
        f"- a `Recommendation` pickles to {len(pickle.dumps(rec)):,} bytes "
        f"({len(pickle.dumps(crisis)):,} for a safety one);",
        f"- the bundled pack pickles to {len(pickle.dumps(pack)):,} bytes, "
        f"a 10,000-rule pack to {len(pickle.dumps(p10k)):,} (compiled forms are rebuilt, "
        "not pickled).",
    ]


SAFETY = tuple(q.id for q in trustkit.default_pack().questions if q.safety)


def main() -> None:
    """Run the benchmarks and print (or write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument("--count", type=int, default=1000, help="check-ins per round")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per timing")
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller histories")
    args = parser.parse_args()
    if args.quick:
        args.count, args.rounds, args.runs = 300, 5, 5
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)

    rows: list[Row] = []
    steps: list[Callable[[], list[Row]]] = [
        lambda: row_calls(args.count, args.rounds),
        lambda: row_generated(args.count, args.rounds),
        lambda: row_selective(args.count, args.rounds),
        lambda: row_load(args.runs),
        lambda: row_cold(args.runs),
        lambda: row_history(sizes, args.rounds),
        lambda: row_state_vs_none(args.count, args.rounds),
        lambda: row_batch(args.count, args.rounds),
        lambda: row_pool(args.count, args.rounds),
        lambda: row_decide(args.count, args.rounds),
        lambda: row_batch_paths(args.count, args.rounds),
        lambda: row_batch_pool(args.count, args.rounds),
        lambda: row_diff_parquet(args.count * 3, max(args.rounds // 3, 3)),
        lambda: row_dask(max(args.count * 6, 6000), 3),
    ]
    load = [os.getloadavg()[0]]
    for step in steps:
        rows.extend(step())
        load.append(os.getloadavg()[0])
        print(rows[-1][0] if rows else "", "...", file=sys.stderr)
    lines = [
        MARK,
        "",
        f"Measured on {sys.platform}, Python {sys.version.split()[0]}, trustkit "
        f"{trustkit.__version__}, in one run of `python -m bench.run` ({args.count} check-ins a "
        f"round, {args.rounds} interleaved rounds, {args.runs} fresh processes; CPU time; "
        "medians, with the interquartile range of the ratio; load average "
        f"{min(load):.1f} to {max(load):.1f} during the run).",
        "",
        "| measurement | trustkit | reference | ratio (IQR) | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for what, ours, ref, ratio, q1, q3, target in rows:
        lines.append(
            f"| {what} | {ours} | {ref} | **{ratio:.2f}x** ({q1:.2f} to {q3:.2f}) | {target} |"
        )
    lines += ["", *pickled_sizes(), *partition_figures(args.count * 20), ""]
    text = "\n".join(lines)
    print(text)
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        head, _, rest = doc.partition(MARK)
        _, _, tail = rest.partition(END)
        DOC.write_text(f"{head}{text}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
