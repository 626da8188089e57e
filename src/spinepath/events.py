"""Domain events: small typed records that a use case publishes inside its unit of work.

A use case says what happened (``StageEntered``, ``ProcedureRecorded``); other domains react in
handlers that run at once, in the same transaction, so the use case and every reaction commit
together or not at all: a handler that fails rolls the whole use case back. Outside effects
(mail, calls to other systems) belong in after-commit callbacks (``UnitOfWork.after_commit``).

The events live here, in the kernel, so that any domain can react to any other's events without
importing it: ``episodes`` closes the task a procedure record completes without knowing the
procedures package. Which handlers run is wired once, at start-up (``spinepath.wiring``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from spinepath.context import Actor


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened to an episode of care, at ``occurred_at``."""

    clinic_id: uuid.UUID
    episode_id: uuid.UUID
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class StageEntered(DomainEvent):
    from_stage: str | None
    to_stage: str


@dataclass(frozen=True, kw_only=True)
class AppointmentBooked(DomainEvent):
    appointment_id: uuid.UUID
    kind: str  # consultation, imaging, procedure, follow_up
    starts_at: datetime


@dataclass(frozen=True, kw_only=True)
class ConsultationFactsRecorded(DomainEvent):
    # The groups of facts now recorded, e.g. "conservative_care", "pain_function".
    recorded: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, kw_only=True)
class AssessmentStored(DomainEvent):
    assessment_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class DecisionRecorded(DomainEvent):
    decision_id: uuid.UUID
    decision: str


@dataclass(frozen=True, kw_only=True)
class PreparationPlanSigned(DomainEvent):
    plan_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class TimeOutCompleted(DomainEvent):
    time_out_id: uuid.UUID
    consent_confirmed: bool


@dataclass(frozen=True, kw_only=True)
class ProcedureRecorded(DomainEvent):
    procedure_record_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ObservationRecorded(DomainEvent):
    observation_id: uuid.UUID
    news2_total: int | None


@dataclass(frozen=True, kw_only=True)
class AlertRaised(DomainEvent):
    alert_id: uuid.UUID
    level: str
    title: str
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class AlertAcknowledged(DomainEvent):
    alert_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class DischargeAssessed(DomainEvent):
    assessment_id: uuid.UUID
    ready: bool
    escort_confirmed: bool


@dataclass(frozen=True, kw_only=True)
class OutcomeAnswered(DomainEvent):
    contact_id: uuid.UUID | None


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Session, Actor, Any], None]


class EventBus:
    """Which handlers react to which event type (and to its subclasses)."""

    def __init__(self) -> None:
        self._handlers: dict[type[DomainEvent], list[Handler]] = {}

    def subscribe(self, event_type: type[E], handler: Callable[[Session, Actor, E], None]) -> None:
        self._handlers.setdefault(event_type, []).append(handler)

    def handlers_for(self, event: DomainEvent) -> list[Handler]:
        found: list[Handler] = []
        for kind in type(event).__mro__:
            found.extend(self._handlers.get(kind, ()))
        return found


_installed: EventBus | None = None


def install(bus: EventBus) -> None:
    """Make ``bus`` the one every unit of work dispatches to (done once, at start-up)."""
    global _installed
    _installed = bus


def installed_bus() -> EventBus:
    if _installed is None:
        # A use case whose reactions silently did not run would skip clinical steps.
        raise RuntimeError("no event handlers are installed: call spinepath.wiring.install()")
    return _installed
