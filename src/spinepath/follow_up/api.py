"""JSON routes for follow-up, outcomes, personal links, events, fracture liaison and reports."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from spinepath.api.deps import anonymous_work, api_work, client_address, etag, if_match_version
from spinepath.clinical.follow_up.kpi import KpiResult
from spinepath.clinical.follow_up.schedule import overdue_from
from spinepath.errors import FieldError, InvalidInput
from spinepath.follow_up import (
    clinical_events,
    fracture_liaison,
    links,
    outcomes,
    plans,
    reports,
    settings,
    summary,
)
from spinepath.follow_up.models import (
    FollowUpContact,
    FollowUpEvent,
    FollowUpPlan,
    FractureLiaison,
    OutcomeRecord,
    ReminderJob,
)
from spinepath.follow_up.schemas import (
    ContactUpdate,
    EventIn,
    LiaisonUpdate,
    LinkIn,
    OutcomeIn,
    PatientAnswersIn,
    PlanIn,
    PlanUpdate,
    RescheduleIn,
    SettingsIn,
)

router = APIRouter(tags=["follow-up"])
public_router = APIRouter(tags=["patient questionnaire"])


class PlanOut(BaseModel):
    id: uuid.UUID
    kind: str
    anchor_date: date
    physician_id: uuid.UUID | None
    version: int


class ContactOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    code: str
    label: str
    mode: str
    due_date: date
    window_end: date
    planned_due_date: date
    overdue_from: datetime
    status: str
    state: str
    reschedule_reason: str | None
    source_id: str | None
    task_id: uuid.UUID | None
    version: int


class OutcomeOut(BaseModel):
    id: uuid.UUID
    time_point: str
    label: str
    collected_on: date
    method: str
    nrs: int | None
    odi_percent: float | None
    odi_band: str | None
    rmdq_score: int | None
    nrs_change: int | None
    nrs_responder: bool | None
    odi_change: float | None
    odi_responder: bool | None
    rmdq_change: int | None
    rmdq_responder: bool | None
    results: dict[str, Any]
    recorded_by_name: str | None
    version: int


class EventOut(BaseModel):
    id: uuid.UUID
    kind: str
    occurred_on: date
    level: str | None
    adjacent: bool | None
    complication: str | None
    description: str | None
    recorded_by_name: str | None


class IndicatorOut(BaseModel):
    code: str
    title: str
    status: str
    deadline: date
    met: bool
    reason: str
    source_id: str


class LiaisonOut(BaseModel):
    fracture_date: date
    dxa_date: date | None
    treatment_start_date: date | None
    medicine: str | None
    adherence_checked_on: date | None
    still_on_treatment: bool | None
    falls_assessed_on: date | None
    usual_doctor_name: str | None
    usual_doctor_address: str | None
    letter_printed_at: datetime | None
    indicators: list[IndicatorOut]
    version: int


class ReminderOut(BaseModel):
    id: uuid.UUID
    time_point: str
    status: str
    run_at: datetime
    attempts: int
    last_error: str | None
    sent_at: datetime | None


class FollowUpOut(BaseModel):
    episode_id: uuid.UUID
    plan: PlanOut | None
    contacts: list[ContactOut]
    trajectory: list[OutcomeOut]
    events: list[EventOut]
    fracture_liaison: LiaisonOut | None
    reminders: list[ReminderOut]


class LinkOut(BaseModel):
    url: str
    time_point: str
    expires_at: datetime


class SettingsOut(BaseModel):
    schedules: dict[str, Any]
    link_valid_days: int
    reminder_hour: int
    version: int | None


def plan_out(plan: FollowUpPlan) -> PlanOut:
    return PlanOut.model_validate(plan, from_attributes=True)


def contact_out(contact: FollowUpContact, state: str, zone: ZoneInfo) -> ContactOut:
    return ContactOut(
        id=contact.id,
        episode_id=contact.episode_id,
        code=contact.code,
        label=contact.label,
        mode=contact.mode,
        due_date=contact.due_date,
        window_end=contact.window_end,
        planned_due_date=contact.planned_due_date,
        overdue_from=overdue_from(contact.window_end, zone),
        status=contact.status,
        state=state,
        reschedule_reason=contact.reschedule_reason,
        source_id=contact.source_id,
        task_id=contact.task_id,
        version=contact.version,
    )


def outcome_out(record: OutcomeRecord, label: str | None = None) -> OutcomeOut:
    return OutcomeOut(
        id=record.id,
        time_point=record.time_point,
        label=label or record.time_point,
        collected_on=record.collected_on,
        method=record.method,
        nrs=record.nrs,
        odi_percent=None if record.odi_tenths is None else record.odi_tenths / 10,
        odi_band=record.odi_band,
        rmdq_score=record.rmdq_score,
        nrs_change=record.nrs_change,
        nrs_responder=record.nrs_responder,
        odi_change=None if record.odi_change_tenths is None else record.odi_change_tenths / 10,
        odi_responder=record.odi_responder,
        rmdq_change=record.rmdq_change,
        rmdq_responder=record.rmdq_responder,
        results=record.results,
        recorded_by_name=record.recorded_by_name,
        version=record.version,
    )


def event_out(event: FollowUpEvent) -> EventOut:
    return EventOut.model_validate(event, from_attributes=True)


def indicator_out(result: KpiResult) -> IndicatorOut:
    return IndicatorOut(**asdict(result))


def liaison_out(liaison: FractureLiaison, indicators: list[KpiResult]) -> LiaisonOut:
    return LiaisonOut(
        fracture_date=liaison.fracture_date,
        dxa_date=liaison.dxa_date,
        treatment_start_date=liaison.treatment_start_date,
        medicine=liaison.medicine,
        adherence_checked_on=liaison.adherence_checked_on,
        still_on_treatment=liaison.still_on_treatment,
        falls_assessed_on=liaison.falls_assessed_on,
        usual_doctor_name=liaison.usual_doctor_name,
        usual_doctor_address=liaison.usual_doctor_address,
        letter_printed_at=liaison.letter_printed_at,
        indicators=[indicator_out(r) for r in indicators],
        version=liaison.version,
    )


def reminder_out(job: ReminderJob) -> ReminderOut:
    return ReminderOut.model_validate(job, from_attributes=True)


def follow_up_out(view: summary.EpisodeFollowUp, zone: ZoneInfo) -> FollowUpOut:
    return FollowUpOut(
        episode_id=view.episode.id,
        plan=plan_out(view.plan) if view.plan else None,
        contacts=[contact_out(c.contact, c.state, zone) for c in view.contacts],
        trajectory=[outcome_out(p.record, p.label) for p in view.trajectory],
        events=[event_out(e) for e in view.events],
        fracture_liaison=(
            liaison_out(view.liaison, view.indicators) if view.liaison is not None else None
        ),
        reminders=[reminder_out(j) for j in view.reminders],
    )


def _view(request: Request, episode_id: uuid.UUID) -> FollowUpOut:
    with api_work(request) as (session, actor):
        view = summary.episode_follow_up(session, actor, episode_id)
        return follow_up_out(view, ZoneInfo(actor.clinic_time_zone))


@router.get("/episodes/{episode_id}/follow-up", response_model=FollowUpOut)
def get_follow_up(request: Request, episode_id: uuid.UUID) -> FollowUpOut:
    """The plan, each contact with its state (upcoming, due, overdue, done…), the outcome
    trajectory against baseline with responder status, events, bone health indicators."""
    return _view(request, episode_id)


@router.post("/episodes/{episode_id}/follow-up", status_code=201, response_model=FollowUpOut)
def create_plan(request: Request, episode_id: uuid.UUID, data: PlanIn) -> FollowUpOut:
    """Start follow-up by hand (discharge and conservative treatment start it by themselves)."""
    with api_work(request) as (session, actor):
        plans.create_plan(session, actor, episode_id, data, now=None)
    return _view(request, episode_id)


@router.patch("/episodes/{episode_id}/follow-up", response_model=FollowUpOut)
def update_plan(
    request: Request, response: Response, episode_id: uuid.UUID, data: PlanUpdate
) -> FollowUpOut:
    """Move the plan's start date (planned contacts move with it) or set its physician."""
    with api_work(request) as (session, actor):
        plan = plans.update_plan(
            session, actor, episode_id, data, if_match_version=if_match_version(request)
        )
        session.flush()
        version = plan.version
    response.headers["ETag"] = etag(version)
    return _view(request, episode_id)


@router.get("/follow-up/contacts", response_model=list[ContactOut])
def list_contacts(
    request: Request,
    state: list[str] = Query(
        default=["due", "overdue"],
        description="upcoming, due, overdue",
        json_schema_extra={"items": {"type": "string", "enum": ["upcoming", "due", "overdue"]}},
    ),
    as_of: datetime | None = Query(default=None, description="Default: now. With a zone offset"),
) -> list[ContactOut]:
    """The clinic's planned contacts by state, judged by the clinic's own calendar."""
    bad = sorted(set(state) - {"upcoming", "due", "overdue"})
    errors = [FieldError("state", f"{s!r} is not upcoming, due or overdue") for s in bad]
    if as_of is not None and as_of.tzinfo is None:
        errors.append(FieldError("as_of", "give a time zone offset, e.g. 2026-12-01T10:00:00Z"))
    if errors:
        raise InvalidInput(errors)
    with api_work(request) as (session, actor):
        found = plans.contacts_in_state(session, actor, as_of=as_of, states=frozenset(state))
        zone = ZoneInfo(actor.clinic_time_zone)
        return [contact_out(v.contact, v.state, zone) for v in found]


@router.post("/follow-up/contacts/{contact_id}/reschedule", response_model=ContactOut)
def reschedule(
    request: Request, response: Response, contact_id: uuid.UUID, data: RescheduleIn
) -> ContactOut:
    with api_work(request) as (session, actor):
        contact = plans.reschedule_contact(
            session, actor, contact_id, data, if_match_version=if_match_version(request)
        )
        session.flush()
        zone = ZoneInfo(actor.clinic_time_zone)
        out = contact_out(contact, _state(contact, zone), zone)
    response.headers["ETag"] = etag(out.version)
    return out


@router.patch("/follow-up/contacts/{contact_id}", response_model=ContactOut)
def update_contact(
    request: Request, response: Response, contact_id: uuid.UUID, data: ContactUpdate
) -> ContactOut:
    """Record a contact as done, missed or cancelled (or planned again)."""
    with api_work(request) as (session, actor):
        contact = plans.set_contact_status(
            session, actor, contact_id, data, if_match_version=if_match_version(request)
        )
        session.flush()
        zone = ZoneInfo(actor.clinic_time_zone)
        out = contact_out(contact, _state(contact, zone), zone)
    response.headers["ETag"] = etag(out.version)
    return out


def _state(contact: FollowUpContact, zone: ZoneInfo) -> str:
    from spinepath.clinical.follow_up.schedule import contact_state
    from spinepath.store.base import utc_now

    return contact_state(
        contact.due_date,
        contact.window_end,
        contact.status,  # type: ignore[arg-type]
        utc_now(),
        zone,
    )


@router.post(
    "/follow-up/contacts/{contact_id}/reminders", status_code=201, response_model=ReminderOut
)
def send_reminder(request: Request, contact_id: uuid.UUID) -> ReminderOut:
    """Queue the questionnaire email now; the worker sends it."""
    with api_work(request) as (session, actor):
        return reminder_out(summary.send_reminder_now(session, actor, contact_id))


@router.post("/episodes/{episode_id}/outcomes", status_code=201, response_model=OutcomeOut)
def record_outcome(request: Request, episode_id: uuid.UUID, data: OutcomeIn) -> OutcomeOut:
    """Answers given to staff by phone or at a visit. Invalid answers are named one by one
    (``odi_sections.3``, ``rmdq_items.7``); nothing is stored unless all are valid."""
    with api_work(request) as (session, actor):
        record = outcomes.record_outcome(session, actor, episode_id, data)
        session.flush()
        return outcome_out(record)


@router.post("/episodes/{episode_id}/outcome-links", status_code=201, response_model=LinkOut)
def create_link(request: Request, episode_id: uuid.UUID, data: LinkIn) -> LinkOut:
    """A personal questionnaire link for the patient. The address is shown this once."""
    with api_work(request) as (session, actor):
        link, token = links.create_link(session, actor, episode_id, data.time_point)
        base = request.app.state.settings.public_url.rstrip("/")
        return LinkOut(
            url=f"{base}/q/{token}", time_point=link.time_point, expires_at=link.expires_at
        )


@router.post("/episodes/{episode_id}/follow-up-events", status_code=201, response_model=EventOut)
def record_event(request: Request, episode_id: uuid.UUID, data: EventIn) -> EventOut:
    """A new vertebral fracture, a complication, a readmission or a death."""
    with api_work(request) as (session, actor):
        return event_out(clinical_events.record_event(session, actor, episode_id, data))


@router.get("/episodes/{episode_id}/fracture-liaison", response_model=LiaisonOut)
def get_liaison(request: Request, response: Response, episode_id: uuid.UUID) -> LiaisonOut:
    with api_work(request) as (session, actor):
        liaison, results = fracture_liaison.get_liaison(session, actor, episode_id)
        out = liaison_out(liaison, results)
    response.headers["ETag"] = etag(out.version)
    return out


@router.patch("/episodes/{episode_id}/fracture-liaison", response_model=LiaisonOut)
def update_liaison(
    request: Request, response: Response, episode_id: uuid.UUID, data: LiaisonUpdate
) -> LiaisonOut:
    """Bone density scan, osteoporosis medicine, the 52-week check, the usual doctor. Tasks for
    the gaps open and close to match."""
    with api_work(request) as (session, actor):
        liaison, results = fracture_liaison.update_liaison(
            session, actor, episode_id, data, if_match_version=if_match_version(request)
        )
        session.flush()
        out = liaison_out(liaison, results)
    response.headers["ETag"] = etag(out.version)
    return out


def settings_out(found: settings.ClinicFollowUp) -> SettingsOut:
    return SettingsOut(
        schedules=found.schedules.model_dump(mode="json"),
        link_valid_days=found.link_valid_days,
        reminder_hour=found.reminder_hour,
        version=found.version,
    )


@router.get("/follow-up/settings", response_model=SettingsOut)
def get_settings(request: Request) -> SettingsOut:
    with api_work(request) as (session, actor):
        assert actor.clinic_id is not None
        return settings_out(settings.clinic_settings(session, actor.clinic_id))


@router.put("/follow-up/settings", response_model=SettingsOut)
def put_settings(request: Request, data: SettingsIn) -> SettingsOut:
    """The clinic's schedules (administrators). New plans use them; existing plans keep theirs."""
    with api_work(request) as (session, actor):
        return settings_out(settings.update_settings(session, actor, data))


def report_filters(
    date_from: date | None, date_to: date | None, physician_id: uuid.UUID | None, procedure: str
) -> reports.ReportFilters:
    return reports.ReportFilters(date_from, date_to, physician_id, procedure or None)


def report_json(report: reports.OutcomeReport) -> dict[str, Any]:
    def rate(r: reports.Rate | None) -> dict[str, Any] | None:
        if r is None:
            return None
        return {"numerator": r.numerator, "denominator": r.denominator, "percent": r.percent}

    return {
        "filters": report.filters.as_detail(),
        "as_of": report.as_of.isoformat(),
        "method": report.method,
        "episodes": report.episodes,
        "by_kind": report.by_kind,
        "levels": [{"kind": k, "level": lvl, "count": n} for k, lvl, n in report.levels],
        "time_points": [
            {
                "time_point": t.time_point,
                "label": t.label,
                "pain": asdict(t.pain),
                "pain_change": asdict(t.pain_change),
                "pain_responders": rate(t.pain_responders),
                "odi": asdict(t.odi),
                "odi_change": asdict(t.odi_change),
                "odi_responders": rate(t.odi_responders),
            }
            for t in report.time_points
        ],
        "new_fracture": rate(report.new_fracture),
        "new_fracture_adjacent": report.new_fracture_adjacent,
        "complications": rate(report.complications),
        "complications_by_type": report.complications_by_type,
        "readmissions": rate(report.readmissions),
        "deaths": rate(report.deaths),
        "gate_overrides": report.gate_overrides,
        "cement_leakage": rate(report.cement_leakage),
        "procedural_complications": rate(report.procedural_complications),
        "procedure_volumes": (
            None if report.procedures is None else [asdict(v) for v in report.procedures.volumes]
        ),
        "kpis": [{**asdict(k), "percent": k.percent} for k in report.kpis],
        "completion": [
            {**asdict(c), "due": c.due, "percent": c.percent} for c in report.completion
        ],
        "completion_total": rate(report.completion_total),
        "months": [
            {
                "month": m.month,
                "episodes": m.episodes,
                "dxa": rate(m.dxa),
                "completion": rate(m.completion),
                "new_fracture": rate(m.new_fracture),
            }
            for m in report.months
        ],
    }


def _procedure_schema(schema: dict[str, Any]) -> None:
    """The report's procedure filter: empty (every episode) or one of the known kinds."""
    schema["enum"] = ["", *(code for code, _ in reports.procedure_options())]


@router.get("/reports/outcomes", tags=["reports"])
def outcome_report(
    request: Request,
    date_from: date | None = Query(default=None, description="Plans started on or after"),
    date_to: date | None = Query(
        default=None, description="Plans started on or before; on or after date_from"
    ),
    physician_id: uuid.UUID | None = Query(default=None),
    procedure: str = Query(
        default="",
        description="post_procedure, conservative, procedure:…",
        json_schema_extra=_procedure_schema,
    ),
) -> dict[str, Any]:
    """Outcome report for the quality lead (aggregates only, no patient rows)."""
    with api_work(request) as (session, actor):
        found = reports.outcome_report(
            session, actor, report_filters(date_from, date_to, physician_id, procedure)
        )
        return report_json(found)


@router.get("/reports/outcomes.csv", tags=["reports"])
def outcome_report_csv(
    request: Request,
    date_from: date | None = Query(default=None),
    date_to: date | None = Query(default=None, description="On or after date_from"),
    physician_id: uuid.UUID | None = Query(default=None),
    procedure: str = Query(default="", json_schema_extra=_procedure_schema),
) -> Response:
    with api_work(request) as (session, actor):
        found = reports.outcome_report(
            session, actor, report_filters(date_from, date_to, physician_id, procedure)
        )
        text = reports.csv_text(found)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="outcome-report.csv"'},
    )


class QuestionnaireOut(BaseModel):
    time_point: str
    expires_at: datetime


class ReceivedOut(BaseModel):
    status: str
    time_point: str


@public_router.get("/questionnaires/{token}", response_model=QuestionnaireOut)
def open_questionnaire(request: Request, token: str) -> QuestionnaireOut:
    """No login: the personal link's secret is the credential. 404 unknown, 410 used/expired."""
    with anonymous_work(request) as session:
        link = links.open_link(session, token, client_address(request))
        return QuestionnaireOut(time_point=link.time_point, expires_at=link.expires_at)


@public_router.post("/questionnaires/{token}", status_code=201, response_model=ReceivedOut)
def answer_questionnaire(request: Request, token: str, data: PatientAnswersIn) -> ReceivedOut:
    with anonymous_work(request) as session:
        record = links.submit_link_answers(session, token, data, client_address(request))
        return ReceivedOut(status="received", time_point=record.time_point)
