"""JSON routes for recovery: observations, alerts, scores, checklist, board and discharge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from spinepath.api.deps import api_work, etag, if_match_version
from spinepath.clinical.procedure import alerts as alert_rules
from spinepath.context import Actor
from spinepath.patients.schemas import PatientOut, patient_out
from spinepath.recovery import board, fhir, service
from spinepath.recovery.models import ObservationSet, RecoveryAlert, RecoveryScore, RecoveryStay
from spinepath.recovery.schemas import (
    AcknowledgeIn,
    AdmissionIn,
    AldreteIn,
    ChecklistIn,
    DischargeIn,
    PadssIn,
    SettingsIn,
)
from spinepath.store.base import utc_now

router = APIRouter(tags=["recovery"])

OBSERVATION_EXAMPLE = {
    "kind": "recovery",
    "observed_at": "2026-11-20T15:45:00Z",
    "respiratory_rate": 16,
    "spo2_percent": 97,
    "spo2_scale": 1,
    "on_oxygen": False,
    "systolic_bp_mmhg": 128,
    "diastolic_bp_mmhg": 76,
    "pulse_per_min": 72,
    "consciousness": "A",
    "temperature_c": 36.8,
}


class ObservationOut(BaseModel):
    parameter: str
    value: Any
    unit: str | None
    codings: list[dict[str, str]]


class AlertOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    level: str
    news2_total: int
    risk: str
    colour: str
    label: str
    response: dict[str, Any]
    raised_at: datetime
    task_id: uuid.UUID | None
    status: str
    acknowledged_at: datetime | None
    acknowledged_by_name: str | None
    acknowledgement_note: str | None
    action_taken: str | None
    responder_arrived_at: datetime | None
    resolved_at: datetime | None
    resolved_news2_total: int | None
    version: int


class ObservationSetOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    kind: str
    observed_at: datetime
    recorded_at: datetime
    recorded_by_name: str | None
    values: dict[str, Any]
    observations: list[ObservationOut]
    news2: dict[str, Any]
    colour: str
    alert: AlertOut | None = None


class ScoreOut(BaseModel):
    id: uuid.UUID
    instrument: str
    total: int
    result: dict[str, Any]
    scored_at: datetime
    recorded_by_name: str | None


class StayOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    status: str
    started_at: datetime
    procedure_ended_at: datetime
    sedation_given: bool
    responsible_clinician_id: uuid.UUID | None
    observation_interval_minutes: int | None
    escort_confirmed: bool
    escort_name: str | None
    pain_relief_given: bool
    antibiotics_prescribed: bool
    antibiotics_given: bool
    instructions_given: bool
    follow_up_booked: bool
    follow_up_note: str | None
    admission_reason: str | None
    admitted_at: datetime | None
    discharged_at: datetime | None
    updated_by_name: str | None
    version: int


class ScheduleOut(BaseModel):
    interval_minutes: int
    next_due_at: datetime
    overdue: bool
    continuous: bool
    rcp: str | None
    stricter: str


class RecoveryOut(BaseModel):
    episode_id: uuid.UUID
    stage: str
    patient: PatientOut
    stay: StayOut | None
    baseline: ObservationSetOut | None
    latest: ObservationSetOut | None
    observations: list[ObservationSetOut]
    open_alerts: list[AlertOut]
    alerts: list[AlertOut]
    aldrete: ScoreOut | None
    padss: ScoreOut | None
    readiness: dict[str, Any] | None
    schedule: ScheduleOut | None
    derived_items_available: dict[str, bool]


class BoardRowOut(BaseModel):
    episode_id: uuid.UUID
    patient: PatientOut
    status: str
    admission_reason: str | None
    minutes_since_procedure: int
    latest: ObservationSetOut | None
    open_alerts: list[AlertOut]
    ready: bool
    still_needed: list[str]
    next_due_at: datetime
    observation_overdue: bool
    schedule: ScheduleOut


class BoardOut(BaseModel):
    generated_at: datetime
    count: int
    items: list[BoardRowOut]


class SettingsOut(BaseModel):
    observation_minimum_minutes: int
    observation_interval_minutes: int
    discharge_news2_below: int
    defaults: bool
    version: int | None


def alert_out(alert: RecoveryAlert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        episode_id=alert.episode_id,
        level=alert.level,
        news2_total=alert.news2_total,
        risk=alert.risk,
        colour=alert_rules.colour_of(alert.risk),
        label=alert.label,
        response=dict(alert.response),
        raised_at=alert.raised_at,
        task_id=alert.task_id,
        status=alert.status,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by_name=alert.acknowledged_by_name,
        acknowledgement_note=alert.acknowledgement_note,
        action_taken=alert.action_taken,
        responder_arrived_at=alert.responder_arrived_at,
        resolved_at=alert.resolved_at,
        resolved_news2_total=alert.resolved_news2_total,
        version=alert.version,
    )


def set_out(
    observation_set: ObservationSet, alert: RecoveryAlert | None = None
) -> ObservationSetOut:
    return ObservationSetOut(
        id=observation_set.id,
        episode_id=observation_set.episode_id,
        kind=observation_set.kind,
        observed_at=observation_set.observed_at,
        recorded_at=observation_set.recorded_at,
        recorded_by_name=observation_set.recorded_by_name,
        values=observation_set.values(),
        observations=[
            ObservationOut(
                parameter=row.parameter, value=row.value, unit=row.unit, codings=row.codings
            )
            for row in observation_set.observations
        ],
        news2=dict(observation_set.news2),
        colour=alert_rules.colour_of(observation_set.news2_risk),
        alert=alert_out(alert) if alert else None,
    )


def score_out(score: RecoveryScore) -> ScoreOut:
    return ScoreOut.model_validate(score, from_attributes=True)


def stay_out(stay: RecoveryStay) -> StayOut:
    return StayOut.model_validate(stay, from_attributes=True)


def recovery_out(view: board.RecoveryView) -> RecoveryOut:
    aldrete = view.latest_score("aldrete")
    padss = view.latest_score("padss")
    return RecoveryOut(
        episode_id=view.episode.id,
        stage=view.episode.stage,
        patient=patient_out(view.episode.patient),
        stay=stay_out(view.stay) if view.stay else None,
        baseline=set_out(view.baseline) if view.baseline else None,
        latest=set_out(view.latest) if view.latest else None,
        observations=[set_out(s) for s in view.sets],
        open_alerts=[alert_out(a) for a in view.open_alerts],
        alerts=[alert_out(a) for a in view.alerts],
        aldrete=score_out(aldrete) if aldrete else None,
        padss=score_out(padss) if padss else None,
        readiness=view.readiness,
        schedule=ScheduleOut(**vars(view.schedule)) if view.schedule else None,
        derived_items_available=view.derivable,
    )


def _view_after_write(session: Session, actor: Actor, episode_id: uuid.UUID) -> RecoveryOut:
    session.flush()
    session.expire_all()
    return recovery_out(board.recovery_view(session, actor, episode_id, audited=False))


def settings_out(settings: service.ClinicRecoverySettings) -> SettingsOut:
    return SettingsOut(
        observation_minimum_minutes=settings.observation_minimum_minutes,
        observation_interval_minutes=settings.observation_interval_minutes,
        discharge_news2_below=settings.discharge_news2_below,
        defaults=settings.version is None,
        version=settings.version,
    )


@router.post("/episodes/{episode_id}/recovery", status_code=201, response_model=RecoveryOut)
def start_recovery(request: Request, response: Response, episode_id: uuid.UUID) -> RecoveryOut:
    """Receive the patient in recovery after the procedure record: Procedure → Recovery."""
    with api_work(request) as (session, actor):
        service.start_recovery(session, actor, episode_id)
        out = _view_after_write(session, actor, episode_id)
    assert out.stay is not None
    response.headers["ETag"] = etag(out.stay.version)
    return out


@router.get("/episodes/{episode_id}/recovery", response_model=RecoveryOut)
def get_recovery(request: Request, response: Response, episode_id: uuid.UUID) -> RecoveryOut:
    """Observations, NEWS2, alerts, scores, schedule and the discharge readiness checklist."""
    with api_work(request) as (session, actor):
        out = recovery_out(board.recovery_view(session, actor, episode_id))
    if out.stay is not None:
        response.headers["ETag"] = etag(out.stay.version)
    return out


@router.patch("/episodes/{episode_id}/recovery", response_model=RecoveryOut)
def update_checklist(
    request: Request, response: Response, episode_id: uuid.UUID, data: ChecklistIn
) -> RecoveryOut:
    """Escort, discharge medicines, instructions, follow-up and this patient's schedule. Send
    the version you saw: a change made by someone else in between is refused (409/412)."""
    with api_work(request) as (session, actor):
        service.update_checklist(
            session, actor, episode_id, data, if_match_version=if_match_version(request)
        )
        out = _view_after_write(session, actor, episode_id)
    assert out.stay is not None
    response.headers["ETag"] = etag(out.stay.version)
    return out


@router.post(
    "/episodes/{episode_id}/observations", status_code=201, response_model=ObservationSetOut
)
def record_observations(
    request: Request,
    episode_id: uuid.UUID,
    data: Annotated[
        dict[str, Any],
        Body(
            description=(
                "One set of vital signs: respiratory_rate, spo2_percent, spo2_scale (1 or 2), "
                "on_oxygen, systolic_bp_mmhg, diastolic_bp_mmhg (optional, below the systolic), "
                "pulse_per_min, consciousness (A, C, V, P or U), temperature_c; with kind "
                "(baseline or recovery) and observed_at. on_oxygen and consciousness have no "
                "default. Physicians and nurses only (403 otherwise). Missing or implausible "
                "values answer 422 naming each field."
            ),
            examples=[OBSERVATION_EXAMPLE],
        ),
    ],
) -> ObservationSetOut:
    with api_work(request) as (session, actor):
        recorded = service.record_observations(session, actor, episode_id, data)
        return set_out(recorded.observation_set, recorded.alert)


@router.get("/episodes/{episode_id}/observations", response_model=list[ObservationSetOut])
def list_observations(request: Request, episode_id: uuid.UUID) -> list[ObservationSetOut]:
    with api_work(request) as (session, actor):
        _, sets = service.list_observations(session, actor, episode_id)
        return [set_out(s) for s in sets]


@router.get("/episodes/{episode_id}/observations/fhir")
def observations_as_fhir(request: Request, episode_id: uuid.UUID) -> dict[str, Any]:
    """The observations as a FHIR R4 collection Bundle of vital-signs Observations."""
    with api_work(request) as (session, actor):
        _, sets = service.list_observations(session, actor, episode_id)
        return fhir.bundle(sets)


@router.post("/episodes/{episode_id}/recovery/aldrete", status_code=201, response_model=ScoreOut)
def score_aldrete(request: Request, episode_id: uuid.UUID, data: AldreteIn) -> ScoreOut:
    """Modified Aldrete; circulation comes from the baseline and latest recovery vitals."""
    with api_work(request) as (session, actor):
        return score_out(service.score_aldrete(session, actor, episode_id, data))


@router.post("/episodes/{episode_id}/recovery/padss", status_code=201, response_model=ScoreOut)
def score_padss(request: Request, episode_id: uuid.UUID, data: PadssIn) -> ScoreOut:
    """Modified PADSS; vital signs come from the baseline and latest recovery vitals."""
    with api_work(request) as (session, actor):
        return score_out(service.score_padss(session, actor, episode_id, data))


@router.post("/episodes/{episode_id}/recovery/admission", response_model=RecoveryOut)
def admit_overnight(
    request: Request, response: Response, episode_id: uuid.UUID, data: AdmissionIn
) -> RecoveryOut:
    with api_work(request) as (session, actor):
        service.admit_overnight(
            session, actor, episode_id, data, if_match_version=if_match_version(request)
        )
        out = _view_after_write(session, actor, episode_id)
    assert out.stay is not None
    response.headers["ETag"] = etag(out.stay.version)
    return out


@router.post("/episodes/{episode_id}/recovery/discharge", response_model=RecoveryOut)
def discharge(
    request: Request, response: Response, episode_id: uuid.UUID, data: DischargeIn
) -> RecoveryOut:
    """Discharge when the readiness checklist is met (409 naming what is still needed); the
    episode moves to Discharged."""
    with api_work(request) as (session, actor):
        service.discharge(
            session, actor, episode_id, data, if_match_version=if_match_version(request)
        )
        out = _view_after_write(session, actor, episode_id)
    assert out.stay is not None
    response.headers["ETag"] = etag(out.stay.version)
    return out


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut)
def acknowledge_alert(
    request: Request, response: Response, alert_id: uuid.UUID, data: AcknowledgeIn
) -> AlertOut:
    """A physician or nurse records the response. An urgent or emergency alert needs
    ``action_taken`` (who was called, what was done); an emergency also
    ``responder_arrived_at``: 422 naming each one missing. Other roles: 403."""
    with api_work(request) as (session, actor):
        alert = service.acknowledge_alert(
            session, actor, alert_id, data, if_match_version=if_match_version(request)
        )
        session.refresh(alert)
        out = alert_out(alert)
    response.headers["ETag"] = etag(out.version)
    return out


@router.get("/recovery/board", response_model=BoardOut)
def get_board(request: Request) -> BoardOut:
    """Every patient in recovery, the most severe first (highest open alert, then the latest
    NEWS2): time since the procedure, latest vitals, NEWS2 with its colour and response, the
    schedule (the stricter of the clinic's interval and the RCP frequency), open alerts and what
    is still needed for discharge."""
    with api_work(request) as (session, actor):
        now = utc_now()
        rows = board.board(session, actor, now=now)
        items = [
            BoardRowOut(
                episode_id=row.stay.episode_id,
                patient=patient_out(row.stay.patient),
                status=row.stay.status,
                admission_reason=row.stay.admission_reason,
                minutes_since_procedure=row.minutes_since_procedure,
                latest=set_out(row.latest) if row.latest else None,
                open_alerts=[alert_out(a) for a in row.open_alerts],
                ready=row.readiness["ready"],
                still_needed=row.still_needed,
                next_due_at=row.schedule.next_due_at,
                observation_overdue=row.schedule.overdue,
                schedule=ScheduleOut(**vars(row.schedule)),
            )
            for row in rows
        ]
        return BoardOut(generated_at=now, count=len(items), items=items)


@router.get("/recovery/settings", response_model=SettingsOut)
def get_settings(request: Request) -> SettingsOut:
    with api_work(request) as (session, actor):
        return settings_out(service.get_settings(session, actor))


@router.put("/recovery/settings", response_model=SettingsOut)
def save_settings(request: Request, data: SettingsIn) -> SettingsOut:
    """The clinic's observation minimum (default 60 minutes), schedule (default every 15
    minutes) and the NEWS2 the latest set must be below for discharge (default 5).
    Administrators only."""
    with api_work(request) as (session, actor):
        return settings_out(
            service.save_settings(session, actor, data, if_match_version=if_match_version(request))
        )
