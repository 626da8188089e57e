"""The patient's copies of a signed plan: the document, and the PDF and calendar responses."""

from __future__ import annotations

import uuid
from datetime import time

from fastapi.responses import Response
from sqlalchemy.orm import Session

from spinepath.accounts.models import Clinic
from spinepath.context import Actor
from spinepath.episodes.models import Episode
from spinepath.preparation import patient_text, service
from spinepath.preparation.ics import render_ics
from spinepath.preparation.models import PreparationPlan
from spinepath.preparation.paper import paper_size
from spinepath.preparation.pdf import render_pdf


def _clock(text: str | None, default: time) -> time:
    try:
        return time.fromisoformat(text) if text else default
    except ValueError:
        return default


def patient_document(
    session: Session, actor: Actor, episode_id: uuid.UUID, output: str
) -> tuple[Episode, PreparationPlan, patient_text.PatientPlan]:
    """The signed plan in plain language, in the clinic's time zone (audited as ``output``)."""
    episode, record = service.signed_for_patient(session, actor, episode_id, output)
    assert record.signed_at is not None and record.signed_by_name is not None
    patient = episode.patient
    clinic = session.get(Clinic, episode.clinic_id)
    assert clinic is not None
    default_begin, default_end = patient_text.DEFAULT_QUIET_HOURS
    document = patient_text.build(
        inputs=record.inputs,
        plan=record.plan,
        patient_name=f"{patient.given_name} {patient.family_name}",
        signed_by=record.signed_by_name,
        signed_at=record.signed_at,
        time_zone=actor.clinic_time_zone,
        patient_birth_date=patient.birth_date,
        clinic=patient_text.ClinicContact(
            name=clinic.name, phone=clinic.phone or "", address=clinic.address or ""
        ),
        quiet_hours=(
            _clock(clinic.quiet_hours_start, default_begin),
            _clock(clinic.quiet_hours_end, default_end),
        ),
        paper_size=paper_size(clinic.locale, actor.clinic_time_zone),
    )
    return episode, record, document


def pdf_response(session: Session, actor: Actor, episode_id: uuid.UUID) -> Response:
    _, _, document = patient_document(session, actor, episode_id, "pdf")
    return Response(
        render_pdf(document),
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="preparation-plan.pdf"',
            "Cache-Control": "no-store",
        },
    )


def ics_response(session: Session, actor: Actor, episode_id: uuid.UUID) -> Response:
    _, record, document = patient_document(session, actor, episode_id, "ics")
    assert record.signed_at is not None
    body = render_ics(
        document,
        uid_base=str(episode_id),
        stamp=record.signed_at,
        sequence=len(record.signatures) - 1,
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="preparation-plan.ics"',
            "Cache-Control": "no-store",
        },
    )
