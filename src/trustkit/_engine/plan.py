"""Safety plans: a pack's plan texts filled for a kind, a country and a locale, and written out.

A plan is made from the pack alone (its `PlanTemplate` of that kind, its
labels and its resources), never from answers, a history or a state: nothing
here can read, or leave a trace in, anything the other partner is shown.
trustkit keeps no plan; the app stores it with the person's own data.
"""

from __future__ import annotations

from trustkit._engine.compile import CompiledPack
from trustkit._engine.emergency import fill
from trustkit._engine.recommend import near
from trustkit.models import (
    Messages,
    PlanKind,
    PlanPart,
    PlanSection,
    PlanTemplate,
    Resource,
    SafetyPlan,
)

BLANK = "_" * 40
"""A line to write on, printed where a section has no entries yet."""


def template(c: CompiledPack, kind: PlanKind) -> PlanTemplate | None:
    """The pack's texts for this kind of plan, or None if it has none."""
    return next((p for p in c.pack.plans if p.kind is kind), None)


def make_plan(c: CompiledPack, texts: PlanTemplate, country: str | None) -> SafetyPlan:
    """The plan of ``texts``, with ``{emergency}`` and the lines for the country.

    The lines are the pack's resources on the plan's topics for the country and
    the international ones, the country's emergency line first (as in a safety
    recommendation).
    """
    pack = c.pack
    number = c.emergency.number(country)
    lines = c.emergency.first(near(c.resources_for(texts.resources), country), country)

    def section(part: PlanPart) -> PlanSection:
        return PlanSection(
            part=part,
            heading=getattr(pack.messages, f"plan_{part.value}"),
            prompts=tuple(fill(t, number) for t in texts.prompts(part)),
            resources=lines if part is PlanPart.PROFESSIONALS else (),
        )

    return SafetyPlan(
        kind=texts.kind,
        title=texts.title,
        intro=fill(texts.intro, number),
        warning_signs=section(PlanPart.WARNING_SIGNS),
        on_my_own=section(PlanPart.ON_MY_OWN),
        people_and_places=section(PlanPart.PEOPLE_AND_PLACES),
        ask_for_help=section(PlanPart.ASK_FOR_HELP),
        professionals=section(PlanPart.PROFESSIONALS),
        safer=section(PlanPart.SAFER),
        country=country,
        locale=pack.locale,
        pack_id=pack.id,
        pack_version=pack.version,
    )


def _line(resource: Resource, messages: Messages) -> str:
    where = resource.country if not resource.region else f"{resource.country}, {resource.region}"
    parts = [
        f"{resource.name} ({where})",
        messages.resource_audience.format(audience=resource.audience) if resource.audience else "",
        messages.resource_phone.format(phone=resource.phone) if resource.phone else "",
        resource.text,
        resource.url,
        resource.hours,
        resource.notes,
        messages.plan_checked.format(date=resource.verified.isoformat()),
    ]
    return " · ".join(p for p in parts if p)


def render(plan: SafetyPlan, messages: Messages) -> str:
    """The plan as plain text: title, introduction, then each section numbered.

    Under each heading come the pack's prompts, the section's lines (each
    starting ``*``; only "professionals and lines" has them), then what the
    person wrote (each entry starting ``-``), or two lines to write on where
    they wrote nothing yet.
    """
    out = [plan.title, "=" * len(plan.title), "", plan.intro]
    for number, section in enumerate(plan.sections, start=1):
        out += ["", f"{number}. {section.heading}"]
        out += [f"   {prompt}" for prompt in section.prompts]
        out += [f"   * {_line(r, messages)}" for r in section.resources]
        out += [f"   - {entry}" for entry in section.entries or (BLANK, BLANK)]
    return "\n".join(out) + "\n"


__all__ = ["BLANK", "make_plan", "render", "template"]
