"""The episode's schedule: dated consultation, imaging, procedure and follow-up appointments.

Booking one is where the work happens (the coordinator books the consultation, schedules the
procedure); everything else reads the schedule from here: the preparation plan takes the
procedure time, the follow-up schedule the booked visit, the patient a calendar file.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.episodes.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Episode,
)
from spinepath.episodes.pathway import TERMINAL, Stage
from spinepath.episodes.schemas import AppointmentIn, AppointmentUpdate
from spinepath.episodes.service import load_episode
from spinepath.errors import Conflict
from spinepath.events import AppointmentBooked
from spinepath.store.base import utc_now
from spinepath.store.lookups import in_clinic
from spinepath.unit_of_work import publish
from spinepath.versioning import check_version

# What the patient's calendar calls each kind of visit (plain words).
PATIENT_TITLES: dict[AppointmentKind, str] = {
    AppointmentKind.CONSULTATION: "Visit with the spine team",
    AppointmentKind.IMAGING: "Back scan",
    AppointmentKind.PROCEDURE: "Back procedure",
    AppointmentKind.FOLLOW_UP: "Check-up visit with the spine team",
}


def _load(session: Session, actor: Actor, appointment_id: uuid.UUID) -> Appointment:
    return in_clinic(session, actor, Appointment, appointment_id, "appointment")


def book_appointment(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: AppointmentIn,
    *,
    now: datetime | None = None,
) -> Appointment:
    actor.require(Permission.EDIT_PATIENTS, "book appointments")
    episode = load_episode(session, actor, episode_id)
    if Stage(episode.stage) in TERMINAL:
        raise Conflict("this episode has ended; appointments can no longer be booked")
    now = now or utc_now()
    appointment = Appointment(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        kind=data.kind.value,
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        place=data.place,
        with_whom=data.with_whom,
        note=data.note,
        status=AppointmentStatus.BOOKED.value,
        booked_by_name=actor.full_name,
    )
    session.add(appointment)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "appointment",
        appointment.id,
        patient_id=episode.patient_id,
        detail={"kind": appointment.kind, "starts_at": data.starts_at.isoformat()},
    )
    _published(session, actor, appointment, now)
    return appointment


def _published(session: Session, actor: Actor, appointment: Appointment, now: datetime) -> None:
    publish(
        session,
        actor,
        AppointmentBooked(
            clinic_id=appointment.clinic_id,
            episode_id=appointment.episode_id,
            occurred_at=now,
            appointment_id=appointment.id,
            kind=appointment.kind,
            starts_at=appointment.starts_at,
        ),
    )


def update_appointment(
    session: Session,
    actor: Actor,
    appointment_id: uuid.UUID,
    data: AppointmentUpdate,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move, change or cancel an appointment; a moved one is booked anew for the readers."""
    actor.require(Permission.EDIT_PATIENTS, "change appointments")
    appointment = _load(session, actor, appointment_id)
    expected = if_match_version if if_match_version is not None else data.version
    check_version(
        "appointment", appointment.version, expected, via_if_match=if_match_version is not None
    )
    if appointment.status == AppointmentStatus.CANCELLED.value:
        raise Conflict("this appointment was cancelled; book a new one")
    # Only what differs counts: a form sends every field, and a time sent unchanged must not
    # book the appointment anew for its readers.
    sent = data.model_dump(exclude_unset=True, exclude={"version", "cancel"})
    changes = {name: value for name, value in sent.items() if getattr(appointment, name) != value}
    for name, value in changes.items():
        setattr(appointment, name, value)
    if data.cancel:
        appointment.status = AppointmentStatus.CANCELLED.value
    session.flush()
    episode = session.get(Episode, appointment.episode_id)
    audit.record(
        session,
        actor,
        "cancel" if data.cancel else "update",
        "appointment",
        appointment.id,
        patient_id=episode.patient_id if episode else None,
        detail={"fields": sorted(changes)},
    )
    if "starts_at" in changes and not data.cancel:
        _published(session, actor, appointment, now or utc_now())
    return appointment


def get_appointment(session: Session, actor: Actor, appointment_id: uuid.UUID) -> Appointment:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    return _load(session, actor, appointment_id)


def appointments_of(session: Session, actor: Actor, episode_id: uuid.UUID) -> list[Appointment]:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = load_episode(session, actor, episode_id)
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.episode_id == episode.id)
            .order_by(Appointment.starts_at)
        )
    )


def booked(session: Session, episode_id: uuid.UUID, kind: AppointmentKind) -> Appointment | None:
    """The episode's latest-booked appointment of ``kind`` that is not cancelled (other domains
    read the schedule through this)."""
    return session.scalar(
        select(Appointment)
        .where(
            Appointment.episode_id == episode_id,
            Appointment.kind == kind.value,
            Appointment.status == AppointmentStatus.BOOKED.value,
        )
        .order_by(Appointment.updated_at.desc())
        .limit(1)
    )


def appointment_calendar(session: Session, actor: Actor, appointment_id: uuid.UUID) -> bytes:
    """The appointment as an iCalendar file for the patient, in the clinic's time zone."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    appointment = _load(session, actor, appointment_id)
    zone = ZoneInfo(actor.clinic_time_zone)
    calendar = Calendar()
    calendar.add("prodid", "-//spinepath//appointments//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{appointment.id}@spinepath")
    event.add("dtstamp", utc_now())
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", (appointment.starts_at + timedelta(minutes=appointment.duration_minutes)))
    event.add("summary", PATIENT_TITLES[AppointmentKind(appointment.kind)])
    if appointment.place:
        event.add("location", appointment.place)
    lines = [f"With {appointment.with_whom}." if appointment.with_whom else ""]
    if appointment.status == AppointmentStatus.CANCELLED.value:
        event.add("status", "CANCELLED")
        lines.append("This visit is called off.")
    event.add("description", " ".join(line for line in lines if line) or "See you then.")
    calendar.add_component(event)
    episode = session.get(Episode, appointment.episode_id)
    audit.record(
        session,
        actor,
        "read",
        "appointment",
        appointment.id,
        patient_id=episode.patient_id if episode else None,
        detail={"as": "ics"},
    )
    return bytes(calendar.to_ical())
