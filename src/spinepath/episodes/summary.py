"""The episode's clinical summary and timeline, and the worklist's clinical columns.

Each domain that owns a record supplies a small function (a provider) that reads only its own
tables: a summary block (the facts of its part of the pathway, with links to its pages), timeline
entries (its clinical events), facts about the patient (allergies), and worklist columns (a
correlated scalar subquery on ``Episode.id``, so the worklist sorts and pages in SQL). Providers
are registered at start-up through ``spinepath.wiring``, as the stage gates are; this module knows
none of those records, only how to ask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, case, func, select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.episodes import pathway
from spinepath.episodes.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Episode,
    Fracture,
)
from spinepath.episodes.pathway import Stage
from spinepath.errors import NotFound


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    id: str = ""  # the link's id on the page, for the pages' own tests and skip links


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    flag: bool = False  # shown as a warning: an open alert, a hold, a gate overridden
    code: str = ""  # a stable name for the fact (tests and the page's ids)


@dataclass(frozen=True)
class SummaryBlock:
    code: str  # e.g. "assessment": the block's id on the page is "summary-assessment"
    title: str
    facts: tuple[Fact, ...] = ()
    links: tuple[Link, ...] = ()
    empty: str = ""  # said instead of the facts when there are none yet
    order: int = 100  # blocks are shown along the pathway, smallest first


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime
    title: str
    kind: str  # e.g. "stage", "assessment", "alert": the entry's class on the page
    detail: str = ""
    actor: str | None = None
    link: Link | None = None
    flag: bool = False
    date_only: bool = False  # a record dated by day (a questionnaire, an event after treatment)
    note: str = ""  # e.g. a physician's override of a stage gate, with the reason


@dataclass(frozen=True)
class SummaryContext:
    episode: Episode
    time_zone: str
    today: date
    now: datetime

    @property
    def base(self) -> str:
        return f"/episodes/{self.episode.id}"

    def local(self, moment: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
        if moment is None:
            return ""
        return moment.astimezone(ZoneInfo(self.time_zone)).strftime(fmt)

    def day_moment(self, day: date) -> datetime:
        """A day's record placed in the timeline at the start of that day in the clinic."""
        return datetime.combine(day, time.min, tzinfo=ZoneInfo(self.time_zone))


@dataclass(frozen=True)
class WorklistContext:
    today: date  # the clinic's date
    now: datetime
    time_zone: str  # the clinic's
    dialect: str  # "sqlite" or "postgresql": local times are made in SQL differently


BlockProvider = Callable[[Session, SummaryContext], Iterable[SummaryBlock]]
TimelineProvider = Callable[[Session, SummaryContext], Iterable[TimelineEntry]]
FactProvider = Callable[[Session, SummaryContext], Iterable[Fact]]
# A correlated scalar subquery on Episode.id: the column's value for each worklist row.
ColumnProvider = Callable[[WorklistContext], ColumnElement[Any]]


@dataclass(frozen=True)
class WorklistColumn:
    code: str  # the sort key and the API field, e.g. "news2"
    label: str
    value: ColumnProvider


@dataclass
class SummaryRegistry:
    blocks: list[BlockProvider] = field(default_factory=list)
    timeline: list[TimelineProvider] = field(default_factory=list)
    patient_facts: list[FactProvider] = field(default_factory=list)
    columns: dict[str, WorklistColumn] = field(default_factory=dict)
    # Each gives, per episode, its next appointment as text that sorts by time:
    # "YYYY-MM-DD HH:MM what" or "YYYY-MM-DD what" (NULL when there is none).
    appointments: list[ColumnProvider] = field(default_factory=list)

    def block(self, provider: BlockProvider) -> None:
        self.blocks.append(provider)

    def events(self, provider: TimelineProvider) -> None:
        self.timeline.append(provider)

    def facts(self, provider: FactProvider) -> None:
        self.patient_facts.append(provider)

    def column(self, column: WorklistColumn) -> None:
        if column.code in self.columns:
            raise ValueError(f"worklist column {column.code!r} is registered twice")
        self.columns[column.code] = column

    def appointment(self, provider: ColumnProvider) -> None:
        self.appointments.append(provider)


@dataclass(frozen=True)
class EpisodeSummary:
    patient_facts: list[Fact]
    blocks: list[SummaryBlock]
    timeline: list[TimelineEntry]


def episode_summary(
    session: Session, actor: Actor, episode: Episode, *, today: date, now: datetime
) -> EpisodeSummary:
    """The summary of an episode the caller has loaded for ``actor`` (of the actor's clinic);
    the read is audited with the blocks shown."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    if episode.clinic_id != actor.clinic_id:
        raise NotFound("episode", episode.id)
    time_zone = actor.clinic_time_zone
    registry = installed_summary()
    context = SummaryContext(episode, time_zone, today, now)
    blocks = [b for provider in registry.blocks for b in provider(session, context)]
    entries = [e for provider in registry.timeline for e in provider(session, context)]
    facts = [f for provider in registry.patient_facts for f in provider(session, context)]
    audit.record(
        session,
        actor,
        "read",
        "episode_summary",
        episode.id,
        patient_id=episode.patient_id,
        detail={"blocks": [b.code for b in blocks]},
    )
    return EpisodeSummary(
        patient_facts=facts,
        blocks=sorted(blocks, key=lambda b: b.order),
        timeline=sorted(entries, key=lambda e: e.occurred_at),
    )


def _stage_moves(_session: Session, context: SummaryContext) -> Iterable[TimelineEntry]:
    for move in context.episode.transitions:
        label = pathway.STAGE_LABELS.get(Stage(move.to_stage), move.to_stage)
        # "Moved to Procedure" reads apart from the procedure itself in the same list.
        title = f"Moved to {label}" if move.from_stage else label
        if move.event_date:
            title += f" on {move.event_date.strftime('%d %b %Y')}"
        note = ""
        if move.overridden:
            missing = "; ".join(str(r.get("needed", "")) for r in move.overridden)
            note = f"Gate overridden: {missing} was missing. Reason: {move.override_reason}"
        yield TimelineEntry(
            occurred_at=move.occurred_at,
            title=title,
            kind="stage",
            detail=move.reason or "",
            actor=move.actor_name,
            flag=bool(move.overridden),
            note=note,
        )


def _fractures(_session: Session, context: SummaryContext) -> Iterable[SummaryBlock]:
    fractures = context.episode.fractures
    yield SummaryBlock(
        code="fractures",
        title="Fractures",
        facts=tuple(
            Fact(
                f.level,
                ", ".join(
                    part
                    for part in (
                        f.etiology.capitalize(),
                        f"pain began {f.onset_date.strftime('%d %b %Y')}" if f.onset_date else "",
                    )
                    if part
                ),
                code=f"fracture-{f.level}",
            )
            for f in fractures
        ),
        links=(Link("Fractures", "#fractures"),),
        empty="No fractures recorded yet.",
        order=10,
    )


def first_level_order() -> ColumnElement[Any]:
    """The highest fractured level of each episode (the spine's top first), for sorting."""
    return (
        select(func.min(Fracture.level_order))
        .where(Fracture.episode_id == Episode.id)
        .correlate(Episode)
        .scalar_subquery()
    )


def next_appointment(context: WorklistContext) -> ColumnElement[Any] | None:
    """The earliest of the providers' next appointments (NULL where none has one)."""
    sources = [provider(context) for provider in installed_summary().appointments]
    if not sources:
        return None
    earliest: ColumnElement[Any] = sources[0]
    for other in sources[1:]:
        earliest = case(
            (earliest.is_(None), other),
            (other.is_(None), earliest),
            (other < earliest, other),
            else_=earliest,
        )
    return earliest


APPOINTMENT_LABELS: dict[str, str] = {
    AppointmentKind.CONSULTATION.value: "consultation",
    AppointmentKind.IMAGING.value: "imaging",
    AppointmentKind.PROCEDURE.value: "procedure",
    AppointmentKind.FOLLOW_UP.value: "follow-up visit",
}


def _upcoming(session: Session, context: SummaryContext) -> list[Appointment]:
    return list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.episode_id == context.episode.id,
                Appointment.status == AppointmentStatus.BOOKED.value,
                Appointment.starts_at >= context.now,
            )
            .order_by(Appointment.starts_at)
        )
    )


def _appointments(session: Session, context: SummaryContext) -> Iterable[SummaryBlock]:
    upcoming = _upcoming(session, context)
    facts = []
    for appointment in upcoming:
        where = ", ".join(p for p in (appointment.place, appointment.with_whom) if p)
        facts.append(
            Fact(
                APPOINTMENT_LABELS.get(appointment.kind, appointment.kind).capitalize(),
                context.local(appointment.starts_at) + (f" ({where})" if where else ""),
                code=f"appointment-{appointment.kind}",
            )
        )
    yield SummaryBlock(
        code="appointments",
        title="Appointments",
        facts=tuple(facts),
        links=(Link("Appointments", f"{context.base}/appointments", "appointments-link"),),
        empty="No appointment booked ahead.",
        order=15,
    )


OFFSET_HORIZON = timedelta(days=800)  # appointments further ahead use the last offset known


def _offset_changes(time_zone: str, now: datetime) -> tuple[tuple[datetime, int], ...]:
    """The zone's UTC offset (minutes) from ``now``, and each change over the horizon."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return _changes_from_hour(time_zone, hour)


@lru_cache(maxsize=64)
def _changes_from_hour(time_zone: str, moment: datetime) -> tuple[tuple[datetime, int], ...]:
    zone = ZoneInfo(time_zone)

    def minutes(at: datetime) -> int:
        offset = at.astimezone(zone).utcoffset()
        return int(offset.total_seconds() // 60) if offset else 0

    changes = [(moment, minutes(moment))]
    end = moment + OFFSET_HORIZON
    while moment < end:
        moment += timedelta(hours=1)
        if minutes(moment) != changes[-1][1]:
            changes.append((moment, minutes(moment)))
    return tuple(changes)


def _sqlite_local(column: Any, time_zone: str, now: datetime) -> ColumnElement[Any]:
    def shown(minutes: int) -> ColumnElement[Any]:
        return func.strftime("%Y-%m-%d %H:%M", column, f"{minutes:+d} minutes", type_=String)

    changes = _offset_changes(time_zone, now)
    if len(changes) == 1:
        return shown(changes[0][1])
    whens = [
        (column < changes[i + 1][0], shown(offset)) for i, (_at, offset) in enumerate(changes[:-1])
    ]
    return case(*whens, else_=shown(changes[-1][1]))


def _booked_next(context: WorklistContext) -> ColumnElement[Any]:
    """The next booked appointment, as "YYYY-MM-DD HH:MM kind" in the clinic's time."""
    local: ColumnElement[Any]
    if context.dialect == "postgresql":
        local = func.to_char(
            func.timezone(context.time_zone, Appointment.starts_at),
            "YYYY-MM-DD HH24:MI",
            type_=String,
        )
    else:  # SQLite keeps UTC text: moved by the zone's offset in force at each moment
        local = _sqlite_local(Appointment.starts_at, context.time_zone, context.now)
    label = case(
        *((Appointment.kind == kind, text) for kind, text in APPOINTMENT_LABELS.items()),
        else_=Appointment.kind,
    )
    return (
        select(local + " " + label)
        .where(
            Appointment.episode_id == Episode.id,
            Appointment.status == AppointmentStatus.BOOKED.value,
            Appointment.starts_at >= context.now,
        )
        .order_by(Appointment.starts_at)
        .limit(1)
        .correlate(Episode)
        .scalar_subquery()
    )


def subscribe(registry: SummaryRegistry) -> None:
    """What the episode itself knows: its moves, its fractures and its booked appointments."""
    registry.events(_stage_moves)
    registry.block(_fractures)
    registry.block(_appointments)
    registry.appointment(_booked_next)


_installed: SummaryRegistry | None = None


def install(registry: SummaryRegistry) -> None:
    global _installed
    _installed = registry


def installed_summary() -> SummaryRegistry:
    if _installed is None:
        raise RuntimeError("no summary providers are installed: call spinepath.wiring.install()")
    return _installed
