"""The reminder worker as real processes against a real SMTP server (aiosmtpd on loopback):
exactly one email per reminder with two workers at once; SMTP down → retried, never lost,
never duplicated; a refused address → failed with a task to phone the patient."""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from spinepath.accounts.roles import Role
from spinepath.episodes.models import Task
from spinepath.follow_up.models import ReminderJob
from tests.follow_up.helpers import discharged_episode, follow_up, token_of
from tests.support import ClinicUsers, LiveServer, free_port


class Collector:
    """Keeps every message the SMTP server accepts; refuses addresses containing 'bounce'."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if "bounce" in address:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def job_ids(self) -> list[str]:
        with self.lock:
            return [str(m["X-Spinepath-Job"]) for m in self.messages]


class Smtp:
    def __init__(self, port: int) -> None:
        self.port = port
        self.collector = Collector()
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Smtp:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    with Smtp(free_port()) as running:
        yield running


def worker_env(server: LiveServer, port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SPINEPATH_DATABASE_URL": server.database_url,
        "SPINEPATH_SECRET_KEY": "test-secret",
        "SPINEPATH_SMTP_HOST": "127.0.0.1",
        "SPINEPATH_SMTP_PORT": str(port),
        "SPINEPATH_SMTP_FROM": "clinic@spinepath.test",
        "SPINEPATH_PUBLIC_URL": server.base_url,
        **extra,
    }


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "spinepath.cli", "worker", "--once"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return dict(json.loads(out.strip().splitlines()[-1]))


def due_reminders(clinic: ClinicUsers, episodes: int, **patient: Any) -> list[str]:
    """Queue the questionnaire email now for every visit of ``episodes`` new episodes."""
    job_ids = []
    for number in range(episodes):
        episode = discharged_episode(clinic, email=f"patient{number}@example.org", **patient)
        with clinic.client(Role.NURSE) as client:
            for contact in follow_up(client, episode["id"])["contacts"]:
                if contact["mode"] != "visit":
                    continue
                queued = client.post(f"/api/v1/follow-up/contacts/{contact['id']}/reminders")
                assert queued.status_code == 201, queued.text
                job_ids.append(queued.json()["id"])
    return job_ids


def jobs(server: LiveServer, ids: list[str]) -> dict[str, ReminderJob]:
    with server.session_factory() as session:
        found = session.scalars(
            select(ReminderJob).where(ReminderJob.id.in_([uuid.UUID(i) for i in ids]))
        ).all()
        return {str(job.id): job for job in found}


def test_two_workers_at_once_send_exactly_one_email_per_reminder(
    clinic: ClinicUsers, smtp: Smtp
) -> None:
    ids = due_reminders(clinic, 6)
    assert len(ids) == 18  # three visits each
    env = worker_env(clinic.server, smtp.port)
    first, second = start_worker(env), start_worker(env)
    results = [finish(first), finish(second)]
    received = smtp.collector.job_ids()
    assert sorted(i for i in received if i in ids) == sorted(ids)
    assert len(received) == len(set(received))  # no email twice, whatever the clinic
    assert sum(r["sent"] for r in results) == len(received)
    stored = jobs(clinic.server, ids)
    assert {job.status for job in stored.values()} == {"sent"}
    assert {job.attempts for job in stored.values()} == {1}
    # A third run finds nothing left to send.
    assert finish(start_worker(env))["sent"] == 0
    assert len(smtp.collector.job_ids()) == len(received)


def test_the_email_carries_a_working_personal_link(clinic: ClinicUsers, smtp: Smtp) -> None:
    ids = due_reminders(clinic, 1, given_name="Marguerite")
    finish(start_worker(worker_env(clinic.server, smtp.port)))
    mine = [m for m in smtp.collector.messages if m["X-Spinepath-Job"] in ids]
    assert len(mine) == 3
    message = mine[0]
    assert message["From"] == "clinic@spinepath.test"
    assert message["To"] == "patient0@example.org"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Hello Marguerite" in body
    url = next(line for line in body.splitlines() if "/q/" in line).strip()
    with clinic.server.client() as anonymous:
        assert anonymous.get(f"/api/v1/questionnaires/{token_of(url)}").status_code == 200


def test_smtp_down_is_retried_later_never_lost_never_duplicated(
    clinic: ClinicUsers,
) -> None:
    ids = due_reminders(clinic, 1)
    port = free_port()  # nothing listens here yet
    env = worker_env(clinic.server, port, SPINEPATH_WORKER_RETRY_SECONDS="3600")
    down = finish(start_worker(env))
    assert down["sent"] == 0 and down["retried"] >= 3
    waiting = jobs(clinic.server, ids)
    assert {job.status for job in waiting.values()} == {"pending"}
    assert {job.attempts for job in waiting.values()} == {1}
    assert all("cannot reach" in (job.last_error or "") for job in waiting.values())
    # First retry an hour later (3600 s × 2^0).
    for job in waiting.values():
        assert job.run_at - job.created_at > timedelta(minutes=59)
    # The back-off has not passed: a worker now sends nothing (and does not spend an attempt).
    with Smtp(port) as smtp:
        early = finish(start_worker(env))
        assert early["sent"] == 0
        # The hour passes.
        with clinic.server.session_factory() as session, session.begin():
            session.execute(
                update(ReminderJob)
                .where(ReminderJob.id.in_([uuid.UUID(i) for i in ids]))
                .values(run_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        later = finish(start_worker(env))
        again = finish(start_worker(env))
        received = smtp.collector.job_ids()
    assert later["sent"] >= 3 and again["sent"] == 0
    assert sorted(i for i in received if i in ids) == sorted(ids)
    assert len(received) == len(set(received))
    sent = jobs(clinic.server, ids)
    assert {job.status for job in sent.values()} == {"sent"}
    assert {job.attempts for job in sent.values()} == {2}


def test_after_the_last_attempt_the_reminder_fails_with_a_task_to_phone(
    clinic: ClinicUsers,
) -> None:
    ids = due_reminders(clinic, 1)
    env = worker_env(
        clinic.server,
        free_port(),
        SPINEPATH_WORKER_RETRY_SECONDS="0.2",
        SPINEPATH_WORKER_MAX_ATTEMPTS="2",
    )
    finish(start_worker(env))
    time.sleep(0.5)
    finish(start_worker(env))
    failed = jobs(clinic.server, ids)
    assert {job.status for job in failed.values()} == {"failed"}
    assert {job.attempts for job in failed.values()} == {2}
    episode_id = next(iter(failed.values())).episode_id
    with clinic.server.session_factory() as session:
        tasks = session.scalars(
            select(Task).where(Task.episode_id == episode_id, Task.code == "reminder_failed")
        ).all()
    assert len(tasks) == 3 and {t.status for t in tasks} == {"open"}


def test_a_refused_address_fails_at_once_without_retrying(clinic: ClinicUsers, smtp: Smtp) -> None:
    episode = discharged_episode(clinic, email="bounce@example.org")
    with clinic.client(Role.NURSE) as client:
        visit = next(
            c for c in follow_up(client, episode["id"])["contacts"] if c["mode"] == "visit"
        )
        job = client.post(f"/api/v1/follow-up/contacts/{visit['id']}/reminders").json()
    finish(start_worker(worker_env(clinic.server, smtp.port)))
    (stored,) = jobs(clinic.server, [job["id"]]).values()
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert "refused" in (stored.last_error or "")
    assert job["id"] not in smtp.collector.job_ids()


def test_reminders_need_an_email_address(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic, email=None)
    with clinic.client(Role.NURSE) as client:
        visit = next(
            c for c in follow_up(client, episode["id"])["contacts"] if c["mode"] == "visit"
        )
        refused = client.post(f"/api/v1/follow-up/contacts/{visit['id']}/reminders")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "email"
