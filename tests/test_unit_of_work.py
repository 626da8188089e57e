"""One transaction per use case: its events handled inside it, its refusals audited once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from spinepath import events, wiring
from spinepath.accounts.roles import Role
from spinepath.audit.models import AuditEvent
from spinepath.context import Actor
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage
from spinepath.errors import PermissionDenied
from spinepath.follow_up.records import plan_of
from spinepath.recovery import service as recovery
from spinepath.recovery.schemas import DischargeIn
from spinepath.unit_of_work import UnitOfWork, publish
from tests.api.helpers import create_patient
from tests.procedures.builders import ready_for_discharge
from tests.support import ClinicUsers


class HandlerFailed(RuntimeError):
    pass


def _in_recovery(clinic: ClinicUsers) -> dict[str, Any]:
    with clinic.client(Role.NURSE) as client:
        episode_id = ready_for_discharge(client)
        return dict(client.get(f"/api/v1/episodes/{episode_id}").json())


def _discharge(clinic: ClinicUsers, episode: dict[str, Any]) -> UnitOfWork:
    actor = clinic.actor(Role.NURSE)
    work = UnitOfWork(clinic.server.session_factory, actor)
    with work:
        stay = recovery.stay_of(work.session, uuid.UUID(episode["id"]))
        assert stay is not None
        recovery.discharge(
            work.session, actor, uuid.UUID(episode["id"]), DischargeIn(version=stay.version)
        )
        # Inside the same transaction, the follow-up domain has already reacted.
        assert plan_of(work.session, uuid.UUID(episode["id"])) is not None
    return work


@pytest.fixture
def failing_after_follow_up() -> Iterator[None]:
    """The real wiring plus one more handler of StageEntered that fails."""
    bus = wiring.event_bus()

    def fail(_session: Any, _actor: Actor, event: events.StageEntered) -> None:
        if event.to_stage == Stage.DISCHARGED.value:
            raise HandlerFailed("the reaction failed")

    bus.subscribe(events.StageEntered, fail)
    events.install(bus)
    try:
        yield
    finally:
        wiring.install()


def test_a_discharge_and_the_follow_up_plan_it_starts_commit_together(
    clinic: ClinicUsers,
) -> None:
    episode = _in_recovery(clinic)
    work = _discharge(clinic, episode)
    assert [type(e) for e in work.published] == [events.DischargeAssessed, events.StageEntered]
    with clinic.client(Role.NURSE) as client:
        answer = client.get(f"/api/v1/episodes/{episode['id']}/follow-up")
    assert answer.status_code == 200, answer.text
    assert answer.json()["contacts"]


@pytest.mark.usefixtures("failing_after_follow_up")
def test_a_failing_handler_rolls_the_whole_discharge_back(clinic: ClinicUsers) -> None:
    episode = _in_recovery(clinic)
    with pytest.raises(HandlerFailed):
        _discharge(clinic, episode)
    with clinic.server.session_factory() as session:
        stored = session.get(Episode, uuid.UUID(episode["id"]))
        assert stored is not None and stored.stage == Stage.RECOVERY.value
        assert plan_of(session, stored.id) is None
        stay = recovery.stay_of(session, stored.id)
        assert stay is not None and stay.status == "in_recovery"
        transitions = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == episode["id"], AuditEvent.action == "transition"
            )
        ).all()
        assert "discharged" not in [t.detail["to"] for t in transitions if t.detail]


def _denied_events(clinic: ClinicUsers, role: Role) -> list[AuditEvent]:
    with clinic.server.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.clinic_id == clinic.clinic_id,
                    AuditEvent.actor_username == clinic.username(role),
                    AuditEvent.outcome == "denied",
                )
            )
        )


def test_a_refused_request_is_audited_exactly_once(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client)
    with clinic.client(Role.QUALITY_LEAD) as client:
        answer = client.patch(
            f"/api/v1/patients/{patient['id']}", json={"family_name": "X", "version": 1}
        )
    assert answer.status_code == 403
    denied = _denied_events(clinic, Role.QUALITY_LEAD)
    assert [(e.action, e.detail["path"]) for e in denied] == [
        ("patch", f"/api/v1/patients/{patient['id']}")
    ]


def test_a_refusal_inside_an_attempt_is_audited_once_and_the_work_goes_on(
    clinic: ClinicUsers,
) -> None:
    actor = clinic.actor(Role.QUALITY_LEAD)
    refused_id = str(uuid.uuid4())
    refusal = PermissionDenied("not allowed")
    refusal.entity, refusal.entity_id = "task", refused_id  # type: ignore[attr-defined]
    with UnitOfWork(clinic.server.session_factory, actor) as work:
        with pytest.raises(PermissionDenied), work.attempt():
            raise refusal
        work.audit_refusal(refusal)  # a second report of the same refusal is not recorded
    assert [e.entity_id for e in _denied_events(clinic, Role.QUALITY_LEAD)] == [refused_id]


def test_after_commit_callbacks_run_only_when_the_work_commits(clinic: ClinicUsers) -> None:
    ran: list[str] = []
    with UnitOfWork(clinic.server.session_factory) as work:
        work.after_commit(lambda: ran.append("committed"))
        assert ran == []
    assert ran == ["committed"]
    with pytest.raises(HandlerFailed), UnitOfWork(clinic.server.session_factory) as work:
        work.after_commit(lambda: ran.append("rolled back"))
        raise HandlerFailed("no")
    with (
        UnitOfWork(clinic.server.session_factory) as work,
        pytest.raises(HandlerFailed),
        work.attempt(),
    ):
        work.after_commit(lambda: ran.append("attempt refused"))
        raise HandlerFailed("no")
    assert ran == ["committed"]


def test_a_service_outside_a_unit_of_work_cannot_publish(clinic: ClinicUsers) -> None:
    event = events.StageEntered(
        clinic_id=clinic.clinic_id,
        episode_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        from_stage=None,
        to_stage="referral",
    )
    with clinic.server.session_factory() as session, pytest.raises(RuntimeError, match="unit"):
        publish(session, clinic.actor(Role.NURSE), event)


def test_a_page_that_shows_a_refusal_in_place_records_it_without_waiting_on_itself(
    clinic: ClinicUsers,
) -> None:
    """The refusal is written in the transaction that goes on: on SQLite a second transaction
    would wait on the write lock the first one holds."""
    actor = clinic.actor(Role.QUALITY_LEAD)
    refusal = PermissionDenied("not allowed")
    with UnitOfWork(clinic.server.session_factory, actor) as work:
        work.session.get(Episode, uuid.uuid4())  # the transaction has begun (and holds the lock)
        with pytest.raises(PermissionDenied), work.attempt():
            raise refusal
    assert len(_denied_events(clinic, Role.QUALITY_LEAD)) == 1


def test_a_refusal_recorded_in_an_attempt_survives_the_work_rolling_back(
    clinic: ClinicUsers,
) -> None:
    actor = clinic.actor(Role.QUALITY_LEAD)
    with pytest.raises(HandlerFailed), UnitOfWork(clinic.server.session_factory, actor) as work:
        work.session.get(Episode, uuid.uuid4())
        with pytest.raises(PermissionDenied), work.attempt():
            raise PermissionDenied("not allowed")
        raise HandlerFailed("the rest failed")
    assert len(_denied_events(clinic, Role.QUALITY_LEAD)) == 1
