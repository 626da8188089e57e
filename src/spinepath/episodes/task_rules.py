"""Which recorded work completes which default task of the pathway.

Each default task (``pathway.DEFAULT_TASKS``) that stands for a record names the event that
records it; when the event is published, the episode's open task is completed with who did the
work and when. Tasks not listed here are closed by hand (a phone call, a booking).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spinepath.events import (
    AppointmentBooked,
    ConsultationFactsRecorded,
    DecisionRecorded,
    DischargeAssessed,
    DomainEvent,
    ObservationRecorded,
    PreparationPlanSigned,
    ProcedureRecorded,
    TimeOutCompleted,
)


def _always(_event: Any) -> bool:
    return True


@dataclass(frozen=True)
class CompletedBy:
    event: type[DomainEvent]
    when: Callable[[Any], bool] = _always


COMPLETED_BY: dict[str, CompletedBy] = {
    "book_consultation": CompletedBy(AppointmentBooked, lambda e: e.kind == "consultation"),
    "order_imaging": CompletedBy(AppointmentBooked, lambda e: e.kind == "imaging"),
    "book_follow_up": CompletedBy(AppointmentBooked, lambda e: e.kind == "follow_up"),
    "record_conservative_care": CompletedBy(
        ConsultationFactsRecorded, lambda e: "conservative_care" in e.recorded
    ),
    "record_pain_function": CompletedBy(
        ConsultationFactsRecorded, lambda e: {"pain", "function"} <= e.recorded
    ),
    "record_decision": CompletedBy(DecisionRecorded),
    "prepare_plan": CompletedBy(PreparationPlanSigned),
    # Consent is confirmed at the time-out; the patient's arrival is settled by it too.
    "obtain_consent": CompletedBy(TimeOutCompleted, lambda e: e.consent_confirmed),
    "confirm_arrival": CompletedBy(TimeOutCompleted),
    "complete_procedure_record": CompletedBy(ProcedureRecorded),
    "record_recovery": CompletedBy(ObservationRecorded),
    "assess_discharge": CompletedBy(DischargeAssessed, lambda e: e.ready),
}


def completed_task_codes(event: DomainEvent) -> list[str]:
    return [
        code
        for code, rule in COMPLETED_BY.items()
        if isinstance(event, rule.event) and rule.when(event)
    ]


def completing_events() -> set[type[DomainEvent]]:
    return {rule.event for rule in COMPLETED_BY.values()}
