"""The episode summary's preparation block (the plan's status, the procedure time, the medicine
holds) and the timeline's plan signatures, read from this package's own tables; and the worklist's
next appointment from the plan's procedure time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, func, select
from sqlalchemy.orm import Session

from spinepath.episodes import pathway
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage
from spinepath.episodes.summary import (
    Fact,
    Link,
    SummaryBlock,
    SummaryContext,
    SummaryRegistry,
    TimelineEntry,
    WorklistContext,
)
from spinepath.preparation.models import (
    DRAFT,
    NEEDS_REVIEW,
    SIGNED,
    PreparationPlan,
    PreparationSignature,
)
from spinepath.preparation.signed_plan import plan_of_episode

STATUS_LABELS = {
    DRAFT: "draft, not signed",
    SIGNED: "signed",
    NEEDS_REVIEW: "needs review: changed since it was signed",
}
HOLDING = ("hold", "skip_dose")
BEFORE_PROCEDURE = tuple(
    stage.value for stage in pathway.MAIN_LINE[: pathway.MAIN_LINE.index(Stage.PROCEDURE)]
)


def _moment(text: Any) -> str:
    """A stored moment (ISO text in the clinic's zone) as the page shows times."""
    if not isinstance(text, str):
        return ""
    try:
        return datetime.fromisoformat(text).strftime("%d %b %Y %H:%M")
    except ValueError:
        return text


def holds(plan: dict[str, Any]) -> list[Fact]:
    """Each medicine stopped for the procedure, as the physician decided it (or as planned)."""
    found = []
    for medicine in plan.get("medications", []):
        if not isinstance(medicine, dict):
            continue
        decided = medicine.get("decision") or {}
        action = decided.get("action") or medicine.get("action")
        if action not in HOLDING and action != "review":
            continue
        name = str(medicine.get("display_name") or medicine.get("input") or "medicine")
        name = name[:1].upper() + name[1:]
        if action == "review":
            found.append(Fact(name, "awaiting the physician's decision", flag=True, code="hold"))
            continue
        last = _moment(decided.get("last_dose_at") or medicine.get("last_dose_at"))
        skip = _moment(decided.get("skip_dose_at"))
        first_dose = _moment(medicine.get("first_usual_dose_after_restart"))
        parts = []
        if action == "skip_dose":
            parts.append(f"leave out the dose at {skip}" if skip else "leave out one dose")
        elif last:
            parts.append(f"last dose {last}")
        # As the plan's page says it: the decided restart, else the first usual dose after it.
        if decided.get("restart_at"):
            parts.append(f"restart from {_moment(decided['restart_at'])}")
        elif first_dose:
            parts.append(f"first usual dose {first_dose}")
        elif medicine.get("restart_at"):
            parts.append(f"restart from {_moment(medicine['restart_at'])}")
        found.append(Fact(name, "; ".join(parts) or "hold", code="hold"))
    return found


def _block(session: Session, context: SummaryContext) -> Iterable[SummaryBlock]:
    stored = plan_of_episode(session, context.episode.id)
    link = Link("Preparation plan", f"{context.base}/preparation", "preparation-link")
    if stored is None:
        yield SummaryBlock(
            code="preparation",
            title="Preparation",
            links=(link,),
            empty="No preparation plan yet.",
            order=40,
        )
        return
    status = STATUS_LABELS.get(stored.status, stored.status)
    if stored.status == SIGNED and stored.signed_by_name:
        status += f" by {stored.signed_by_name}, {context.local(stored.signed_at)}"
    facts = [Fact("Plan", status, flag=stored.status != SIGNED, code="plan-status")]
    start = _moment((stored.inputs or {}).get("procedure_start"))
    if start:
        facts.append(Fact("Procedure planned", start, code="procedure-planned"))
    found = holds(stored.plan or {})
    facts += found or [Fact("Medicine holds", "none", code="hold")]
    links = [link]
    if stored.status == SIGNED:
        links.append(Link("Patient's copy", f"{context.base}/preparation/patient"))
    yield SummaryBlock(
        code="preparation", title="Preparation", facts=tuple(facts), links=tuple(links), order=40
    )


def _timeline(session: Session, context: SummaryContext) -> Iterable[TimelineEntry]:
    signatures = session.scalars(
        select(PreparationSignature).where(PreparationSignature.episode_id == context.episode.id)
    )
    for signature in signatures:
        yield TimelineEntry(
            occurred_at=signature.signed_at,
            title="Preparation plan signed",
            kind="signature",
            detail=signature.note or "",
            actor=signature.signed_by_name,
            link=Link("Preparation plan", f"{context.base}/preparation"),
        )


def _procedure_time(context: WorklistContext) -> ColumnElement[Any]:
    """The planned procedure (the clinic's local time), from today on, until the episode
    reaches the procedure (the plan's time is then history, not an appointment)."""
    start = func.substr(PreparationPlan.inputs["procedure_start"].as_string(), 1, 16, type_=String)
    return (
        select(func.replace(start, "T", " ", type_=String) + " procedure")
        .where(
            PreparationPlan.episode_id == Episode.id,
            Episode.stage.in_(BEFORE_PROCEDURE),
            func.substr(start, 1, 10) >= context.today.isoformat(),
        )
        .correlate(Episode)
        .scalar_subquery()
    )


def subscribe(registry: SummaryRegistry) -> None:
    registry.block(_block)
    registry.events(_timeline)
    registry.appointment(_procedure_time)
