"""The reminder worker: takes due jobs from the database queue and sends them by email.

Each job is claimed in its own short transaction: the row is selected with FOR UPDATE SKIP
LOCKED (PostgreSQL) or inside SQLite's immediate write transaction, and marked ``sending`` by
this worker before the transaction commits, so two workers never hold the same job. The email
is sent outside any transaction; then the job is marked ``sent`` only if this worker still
holds it. A failed send goes back to ``pending`` with a later ``run_at`` (exponential back-off)
and is never dropped: after the last attempt it is ``failed`` and a task asks staff to phone
the patient. A worker that dies mid-send leaves a lease that expires, after which another
worker takes the job again.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from spinepath.accounts.models import Clinic
from spinepath.audit import service as audit
from spinepath.context import SYSTEM, Actor
from spinepath.episodes import tasks
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import TERMINAL, Stage
from spinepath.follow_up import messages
from spinepath.follow_up.links import new_link
from spinepath.follow_up.mailer import (
    Mailer,
    MailPermanentFailure,
    MailTemporaryFailure,
    SmtpMailer,
)
from spinepath.follow_up.models import FollowUpContact, PatientLink, ReminderJob
from spinepath.settings import Settings
from spinepath.store.base import utc_now
from spinepath.store.db import make_engine, make_session_factory
from spinepath.unit_of_work import UnitOfWork

LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
FAILED_TASK_CODE = "reminder_failed"


@dataclass(frozen=True)
class Claimed:
    job_id: uuid.UUID
    attempts: int
    max_attempts: int
    message: EmailMessage | None  # None: nothing to send (the job was closed while claiming)


@dataclass
class WorkerStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def backoff(retry_seconds: float, attempts: int) -> timedelta:
    return min(timedelta(seconds=retry_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _system_for(clinic_id: uuid.UUID) -> Actor:
    return replace(SYSTEM, clinic_id=clinic_id)


def claim_next(
    factory: sessionmaker[Session], settings: Settings, worker_id: str, now: datetime
) -> Claimed | None:
    with UnitOfWork(factory) as work:
        session = work.session
        job = session.scalars(
            select(ReminderJob)
            .where(
                or_(
                    and_(ReminderJob.status == "pending", ReminderJob.run_at <= now),
                    and_(ReminderJob.status == "sending", ReminderJob.locked_until < now),
                )
            )
            .order_by(ReminderJob.run_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if job is None:
            return None
        job.status = "sending"
        job.locked_by = worker_id
        job.locked_until = now + LEASE
        job.attempts += 1
        session.flush()
        message = _prepare(session, settings, job, now)
        return Claimed(job.id, job.attempts, job.max_attempts, message)


def _prepare(
    session: Session, settings: Settings, job: ReminderJob, now: datetime
) -> EmailMessage | None:
    """The email for a claimed job, with a fresh personal link; None when the job was closed."""
    episode = session.get(Episode, job.episode_id)
    contact = session.get(FollowUpContact, job.contact_id) if job.contact_id else None
    if (
        episode is None
        or Stage(episode.stage) in TERMINAL
        or (contact is not None and contact.status != "planned")
    ):
        job.status, job.locked_by, job.last_error = "cancelled", None, "nothing left to ask"
        return None
    patient = episode.patient
    if not patient.email:
        _fail(session, job, "the patient has no email address", now)
        return None
    _revoke_job_links(session, job.id, now)
    link, token = new_link(session, episode, job.time_point, contact, now, job_id=job.id)
    clinic = session.get(Clinic, job.clinic_id)
    assert clinic is not None
    zone = ZoneInfo(clinic.time_zone)
    subject, body = messages.questionnaire_email(
        patient.given_name,
        clinic.name,
        f"{settings.public_url.rstrip('/')}/q/{token}",
        link.expires_at.astimezone(zone).date(),
    )
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = patient.email
    message["Subject"] = subject
    message["Message-ID"] = f"<reminder-{job.id}@spinepath>"
    message["X-Spinepath-Job"] = str(job.id)
    message.set_content(body)
    job.message_id = message["Message-ID"]
    return message


def _revoke_job_links(session: Session, job_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        update(PatientLink)
        .where(
            PatientLink.job_id == job_id,
            PatientLink.used_at.is_(None),
            PatientLink.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def _fail(session: Session, job: ReminderJob, reason: str, now: datetime) -> None:
    """The reminder cannot go by email: keep the job as failed and ask staff to phone."""
    job.status, job.locked_by, job.locked_until, job.last_error = "failed", None, None, reason
    _revoke_job_links(session, job.id, now)
    episode = session.get(Episode, job.episode_id)
    if episode is not None and Stage(episode.stage) not in TERMINAL:
        # One per failed reminder: each is a different time point to phone about.
        tasks.add_task(
            session,
            episode,
            code=FAILED_TASK_CODE,
            title="Reminder email could not be sent: phone the patient",
            owner_role="nurse",
            due_at=now + timedelta(days=1),
        )
    audit.record(
        session,
        _system_for(job.clinic_id),
        "send",
        "reminder_job",
        job.id,
        patient_id=job.patient_id,
        outcome="failed",
        detail={"reason": reason[:200], "attempts": job.attempts},
    )


def _held(session: Session, job_id: uuid.UUID, worker_id: str) -> ReminderJob | None:
    job = session.get(ReminderJob, job_id)
    if job is None or job.status != "sending" or job.locked_by != worker_id:
        return None
    return job


def mark_sent(
    factory: sessionmaker[Session], job_id: uuid.UUID, worker_id: str, now: datetime
) -> bool:
    with UnitOfWork(factory) as work:
        session = work.session
        job = _held(session, job_id, worker_id)
        if job is None:
            return False
        job.status, job.sent_at, job.locked_by, job.locked_until = "sent", now, None, None
        job.last_error = None
        audit.record(
            session,
            _system_for(job.clinic_id),
            "send",
            "reminder_job",
            job.id,
            patient_id=job.patient_id,
            detail={"time_point": job.time_point, "attempts": job.attempts},
        )
        return True


def mark_failed(
    factory: sessionmaker[Session],
    settings: Settings,
    job_id: uuid.UUID,
    worker_id: str,
    error: str,
    *,
    permanent: bool,
    now: datetime,
) -> str:
    """Back to the queue with back-off, or failed for good; returns the job's new status."""
    with UnitOfWork(factory) as work:
        session = work.session
        job = _held(session, job_id, worker_id)
        if job is None:
            return "lost-lease"
        if permanent or job.attempts >= min(job.max_attempts, settings.worker_max_attempts):
            _fail(session, job, error, now)
            return "failed"
        job.status, job.locked_by, job.locked_until = "pending", None, None
        job.run_at = now + backoff(settings.worker_retry_seconds, job.attempts)
        job.last_error = error[:1000]
        _revoke_job_links(session, job.id, now)
        return "pending"


def run_once(
    factory: sessionmaker[Session],
    settings: Settings,
    mailer: Mailer,
    worker_id: str,
    clock: Callable[[], datetime] = utc_now,
) -> str | None:
    """Claim and handle one due job; None when no job is due."""
    claimed = claim_next(factory, settings, worker_id, clock())
    if claimed is None:
        return None
    if claimed.message is None:
        return "skipped"
    try:
        mailer.send(claimed.message)
    except MailTemporaryFailure as error:
        return mark_failed(
            factory, settings, claimed.job_id, worker_id, str(error), permanent=False, now=clock()
        )
    except MailPermanentFailure as error:
        return mark_failed(
            factory, settings, claimed.job_id, worker_id, str(error), permanent=True, now=clock()
        )
    mark_sent(factory, claimed.job_id, worker_id, clock())
    return "sent"


def run_worker(
    settings: Settings,
    *,
    mailer: Mailer | None = None,
    once: bool = False,
    poll_seconds: float = 5.0,
    worker_id: str | None = None,
    stop: threading.Event | None = None,
    on_result: Callable[[str], None] | None = None,
) -> WorkerStats:
    """Work the queue until stopped (or, with ``once``, until no job is due)."""
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    mailer = mailer or SmtpMailer.from_settings(settings)
    worker_id = worker_id or default_worker_id()
    stop = stop or threading.Event()
    stats = WorkerStats()
    counters = {"sent": "sent", "pending": "retried", "failed": "failed", "skipped": "skipped"}
    try:
        while not stop.is_set():
            result = run_once(factory, settings, mailer, worker_id)
            if result is None:
                if once:
                    break
                stop.wait(poll_seconds)
                continue
            name = counters.get(result)
            if name:
                setattr(stats, name, getattr(stats, name) + 1)
            if on_result:
                on_result(result)
    finally:
        engine.dispose()
    return stats
