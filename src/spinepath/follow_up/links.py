"""Personal questionnaire links: made, opened and answered without a login."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.clinical.follow_up.schedule import (
    local_date,
)
from spinepath.context import Actor
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import TERMINAL, Stage
from spinepath.errors import Conflict, DomainError, NotFound
from spinepath.follow_up.models import (
    FollowUpContact,
    OutcomeRecord,
    PatientLink,
)
from spinepath.follow_up.outcomes import score_answers, store_outcome, time_points
from spinepath.follow_up.records import load_episode, plan_of
from spinepath.follow_up.schemas import (
    PatientAnswersIn,
)
from spinepath.follow_up.settings import clinic_settings, clinic_zone
from spinepath.store.base import utc_now


class LinkGone(DomainError):
    """The personal link was used, expired or withdrawn."""

    status = 410
    title = "Link no longer works"

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(
    session: Session,
    episode: Episode,
    time_point: str,
    contact: FollowUpContact | None,
    now: datetime,
    *,
    created_by: uuid.UUID | None = None,
    job_id: uuid.UUID | None = None,
) -> tuple[PatientLink, str]:
    """A fresh link; the secret is returned once and only its hash is kept."""
    settings = clinic_settings(session, episode.clinic_id)
    token = secrets.token_urlsafe(32)
    link = PatientLink(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        contact_id=contact.id if contact else None,
        time_point=time_point,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=settings.link_valid_days),
        created_by_id=created_by,
        job_id=job_id,
    )
    session.add(link)
    session.flush()
    return link, token


def create_link(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    time_point: str,
    *,
    now: datetime | None = None,
) -> tuple[PatientLink, str]:
    """A personal link for staff to give the patient (read out, texted or printed)."""
    actor.require(Permission.EDIT_PATIENTS, "send questionnaire links")
    episode = load_episode(session, actor, episode_id)
    if Stage(episode.stage) in TERMINAL:
        raise Conflict("this episode has ended")
    now = now or utc_now()
    points = time_points(session, plan_of(session, episode.id))
    if time_point not in points:
        raise InvalidInput(
            [FieldError("time_point", f"not a time point of this episode ({', '.join(points)})")]
        )
    link, token = new_link(
        session, episode, time_point, points[time_point], now, created_by=actor.user_id
    )
    audit.record(
        session,
        actor,
        "create",
        "patient_link",
        link.id,
        patient_id=episode.patient_id,
        detail={"time_point": time_point},
    )
    return link, token


def link_actor(link: PatientLink, client_address: str | None) -> Actor:
    return Actor(
        user_id=None,
        username="patient-link",
        full_name="Patient (personal link)",
        clinic_id=link.clinic_id,
        client_address=client_address,
    )


def resolve_link(session: Session, token: str, now: datetime) -> PatientLink:
    """The link a secret opens; 404 when there is none, 410 when it no longer works."""
    link = session.scalar(select(PatientLink).where(PatientLink.token_hash == hash_token(token)))
    if link is None:
        raise NotFound("link", "given")
    if link.used_at is not None:
        raise LinkGone("these answers were already sent; the link works once", "used")
    if link.revoked_at is not None:
        raise LinkGone("this link was withdrawn; a newer one was sent", "revoked")
    if link.expires_at <= now:
        raise LinkGone("this link has expired", "expired")
    return link


def open_link(
    session: Session, token: str, client_address: str | None, *, now: datetime | None = None
) -> PatientLink:
    now = now or utc_now()
    link = resolve_link(session, token, now)
    audit.record(
        session,
        link_actor(link, client_address),
        "read",
        "patient_link",
        link.id,
        patient_id=link.patient_id,
    )
    return link


def submit_link_answers(
    session: Session,
    token: str,
    data: PatientAnswersIn,
    client_address: str | None,
    *,
    now: datetime | None = None,
) -> OutcomeRecord:
    """The patient's own answers. The link is spent in the same transaction, by a conditional
    update, so two submissions at once store one answer set."""
    now = now or utc_now()
    link = resolve_link(session, token, now)
    scored = score_answers(data.nrs, data.odi_sections, data.rmdq_items)
    spent = session.execute(
        update(PatientLink)
        .where(PatientLink.id == link.id, PatientLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkGone("these answers were already sent; the link works once", "used")
    episode = session.get(Episode, link.episode_id)
    assert episode is not None
    plan = plan_of(session, episode.id)
    contact = session.get(FollowUpContact, link.contact_id) if link.contact_id else None
    zone = clinic_zone(session, link.clinic_id)
    actor = replace(link_actor(link, client_address), clinic_time_zone=str(zone))
    return store_outcome(
        session,
        actor,
        episode,
        plan,
        contact,
        link.time_point,
        local_date(now, zone),
        "patient_link",
        scored,
        now,
    )
