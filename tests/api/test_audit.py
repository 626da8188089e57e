"""Every read and write of patient data leaves an audit event; only admins read them."""

from __future__ import annotations

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, move, open_episode
from tests.support import ClinicUsers


def _events(clinic: ClinicUsers, **params) -> list[dict]:  # type: ignore[no-untyped-def]
    with clinic.client(Role.ADMIN) as admin:
        answer = admin.get("/api/v1/audit-events", params={"per_page": 500, **params})
    assert answer.status_code == 200
    return list(answer.json()["items"])


def test_reads_and_writes_of_a_patient_are_audited_with_who_and_from_where(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client)
        client.get(f"/api/v1/patients/{patient['id']}")
        episode = open_episode(client, patient["id"])
        move(client, episode, "consultation")
        client.get(f"/api/v1/episodes/{episode['id']}")
    events = _events(clinic, patient_id=patient["id"])
    actions = sorted((e["action"], e["entity_type"]) for e in events)
    assert actions == sorted(
        [
            ("create", "patient"),
            ("read", "patient"),
            ("create", "episode"),
            ("transition", "episode"),
            ("read", "episode"),
        ]
    )
    assert {e["actor_username"] for e in events} == {clinic.username(Role.COORDINATOR)}
    assert {e["client_address"] for e in events} == {"127.0.0.1"}
    assert {e["outcome"] for e in events} == {"success"}


def test_lists_record_which_patients_were_shown(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        patient = create_patient(client)
        open_episode(client, patient["id"])
        client.get("/api/v1/worklist")
    worklist_reads = [e for e in _events(clinic) if e["entity_type"] == "worklist"]
    assert worklist_reads and patient["id"] in worklist_reads[0]["detail"]["patient_ids"]


def test_failed_logins_are_audited(clinic: ClinicUsers) -> None:
    with clinic.server.client() as client:
        client.post(
            "/api/v1/auth/token",
            json={"username": clinic.username(Role.NURSE), "password": "wrong-password"},
        )
    with clinic.server.session_factory() as session:
        from sqlalchemy import select

        from spinepath.audit.models import AuditEvent

        failed = session.scalars(
            select(AuditEvent).where(
                AuditEvent.actor_username == clinic.username(Role.NURSE),
                AuditEvent.outcome == "failed",
            )
        ).all()
    assert len(failed) == 1 and failed[0].action == "login"


def test_a_refused_write_is_audited_and_the_write_is_not(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client)
    with clinic.client(Role.QUALITY_LEAD) as quality:
        quality.patch(f"/api/v1/patients/{patient['id']}", json={"given_name": "X", "version": 1})
    events = _events(clinic)
    quality_events = [
        e
        for e in events
        if e["actor_username"] == clinic.username(Role.QUALITY_LEAD) and e["action"] != "login"
    ]
    assert [(e["action"], e["outcome"]) for e in quality_events] == [("patch", "denied")]


def test_only_admins_read_the_audit_trail(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        assert client.get("/api/v1/audit-events").status_code == 403


def test_audit_events_of_other_clinics_are_not_shown(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with other_clinic.client(Role.COORDINATOR) as theirs:
        patient = create_patient(theirs)
    assert _events(clinic, patient_id=patient["id"]) == []
