"""Web pages for the episode's schedule: the appointments, booking, moving or changing one,
cancelling."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from spinepath.clinical.errors import parse_input
from spinepath.context import Actor
from spinepath.episodes import appointments, service
from spinepath.episodes.models import AppointmentKind
from spinepath.episodes.schemas import AppointmentIn, AppointmentUpdate
from spinepath.errors import DomainError, InvalidInput
from spinepath.unit_of_work import attempt
from spinepath.web.forms import (
    csrf_from,
    errors_of,
    form_data,
    local_input,
    local_to_aware,
    shown_again,
    status_of,
    version_of,
)
from spinepath.web.render import page
from spinepath.web.session import check_csrf, web_work

router = APIRouter()

KIND_LABELS: dict[str, str] = {
    AppointmentKind.CONSULTATION: "Consultation",
    AppointmentKind.IMAGING: "Imaging",
    AppointmentKind.PROCEDURE: "Procedure",
    AppointmentKind.FOLLOW_UP: "Follow-up visit",
}


def _render(
    request: Request,
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    csrf: str | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    episode = service.get_episode(session, actor, episode_id)
    return page(
        request,
        "appointments.html",
        {
            "episode": episode,
            "appointments": appointments.appointments_of(session, actor, episode_id),
            "kinds": KIND_LABELS,
            "csrf_token": csrf,
            "errors": errors or {},
            "form": form or {},
        },
        status_code=status,
    )


def _when_and_where(data: dict[str, str], actor: Actor) -> dict[str, object]:
    """The form's date and time (in the clinic's zone), place and with whom."""
    when = f"{data.get('date', '').strip()}T{data.get('time', '').strip()}"
    return {
        "starts_at": local_to_aware(when, actor.clinic_time_zone),
        "place": data.get("place") or None,
        "with_whom": data.get("with_whom") or None,
    }


@router.get("/episodes/{episode_id}/appointments", response_class=HTMLResponse)
def appointments_page(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        return _render(request, session, actor, episode_id, token.csrf_token)


@router.post("/episodes/{episode_id}/appointments")
async def book(request: Request, episode_id: uuid.UUID) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        raw = {
            **_when_and_where(data, actor),
            "kind": data.get("kind") or None,
            "duration_minutes": data.get("duration_minutes") or 30,
        }
        try:
            with attempt(session):
                booking = parse_input(AppointmentIn, raw)
                appointments.book_appointment(session, actor, episode_id, booking)
        except (InvalidInput, DomainError) as refused:
            return _render(
                request,
                session,
                actor,
                episode_id,
                token.csrf_token,
                errors=errors_of(refused),
                form=data,
                status=status_of(refused),
            )
    return RedirectResponse(f"/episodes/{episode_id}/appointments?booked=1", status_code=303)


def _render_change(
    request: Request,
    session: Session,
    actor: Actor,
    appointment_id: uuid.UUID,
    csrf: str | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    appointment = appointments.get_appointment(session, actor, appointment_id)
    episode = service.get_episode(session, actor, appointment.episode_id)
    date, _, time = local_input(appointment.starts_at, actor.clinic_time_zone).partition("T")
    current = {
        "date": date,
        "time": time,
        "duration_minutes": str(appointment.duration_minutes),
        "place": appointment.place or "",
        "with_whom": appointment.with_whom or "",
        "note": appointment.note or "",
        "version": str(appointment.version),
    }
    return page(
        request,
        "appointment_change.html",
        {
            "episode": episode,
            "appointment": appointment,
            "kind_label": KIND_LABELS.get(appointment.kind, appointment.kind),
            "csrf_token": csrf,
            "errors": errors or {},
            "form": shown_again(current, form),
        },
        status_code=status,
    )


@router.get("/appointments/{appointment_id}/change", response_class=HTMLResponse)
def change_page(request: Request, appointment_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        return _render_change(request, session, actor, appointment_id, token.csrf_token)


@router.post("/appointments/{appointment_id}/change")
async def change(request: Request, appointment_id: uuid.UUID) -> Response:
    """Move or change a booked appointment, against the version the form was opened at."""
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        raw = {
            **_when_and_where(data, actor),
            "version": version_of(data),
            # Blank where a value is needed is refused by name; blank text fields are cleared.
            "duration_minutes": data.get("duration_minutes", "").strip(),
            "note": data.get("note") or None,
        }
        try:
            with attempt(session):
                update = parse_input(AppointmentUpdate, raw)
                changed = appointments.update_appointment(session, actor, appointment_id, update)
        except (InvalidInput, DomainError) as refused:
            return _render_change(
                request,
                session,
                actor,
                appointment_id,
                token.csrf_token,
                errors=errors_of(refused),
                form=data,
                status=status_of(refused),
            )
        episode_id = changed.episode_id
    return RedirectResponse(f"/episodes/{episode_id}/appointments?changed=1", status_code=303)


@router.post("/appointments/{appointment_id}/cancel")
async def cancel(request: Request, appointment_id: uuid.UUID) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        change = AppointmentUpdate(cancel=True, version=version_of(data))
        cancelled = appointments.update_appointment(session, actor, appointment_id, change)
        episode_id = cancelled.episode_id
    return RedirectResponse(f"/episodes/{episode_id}/appointments", status_code=303)


@router.get("/appointments/{appointment_id}.ics")
def calendar_file(request: Request, appointment_id: uuid.UUID) -> Response:
    """The appointment as a calendar file, to give the patient or add to their phone."""
    with web_work(request) as (session, actor, _):
        body = appointments.appointment_calendar(session, actor, appointment_id)
    return Response(
        body,
        media_type="text/calendar",
        headers={
            "Content-Disposition": 'attachment; filename="appointment.ics"',
            "Cache-Control": "no-store",
        },
    )
