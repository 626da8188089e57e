"""The smaller promises: the pathway needs a token, reading a patient's episodes is audited, a
quality lead's FHIR export is allowed and audited (the docs say so), logging out needs the CSRF
token, an unexpected error leaves the keep-alive connection open, and logs are JSON lines."""

from __future__ import annotations

import io
import json
import logging
import socket
import sys

import pytest
from sqlalchemy import select

from spinepath import logs
from spinepath.accounts.roles import Role
from spinepath.audit.models import AuditEvent
from tests.api.helpers import create_patient, open_episode
from tests.support import PASSWORD, ClinicUsers, LiveServer


def test_the_pathway_needs_a_token(clinic: ClinicUsers) -> None:
    with clinic.server.client() as anonymous:
        refused = anonymous.get("/api/v1/pathway")
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    with clinic.client(Role.QUALITY_LEAD) as client:
        assert client.get("/api/v1/pathway").status_code == 200


def _events(clinic: ClinicUsers, action: str, entity_type: str) -> list[AuditEvent]:
    with clinic.server.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.clinic_id == clinic.clinic_id,
                    AuditEvent.action == action,
                    AuditEvent.entity_type == entity_type,
                )
            )
        )


def test_reading_a_patients_episodes_is_audited(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        patient = create_patient(client)
        open_episode(client, patient["id"])
    with clinic.client(Role.QUALITY_LEAD) as client:
        answer = client.get(f"/api/v1/patients/{patient['id']}/episodes")
    assert answer.status_code == 200 and len(answer.json()) == 1
    events = _events(clinic, "read", "patient_episodes")
    assert [(str(e.patient_id), e.actor_username) for e in events] == [
        (patient["id"], clinic.username(Role.QUALITY_LEAD))
    ]


def test_a_quality_lead_may_export_an_episode_and_the_export_is_audited(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = open_episode(client, create_patient(client)["id"])
    with clinic.client(Role.QUALITY_LEAD) as client:
        answer = client.get(f"/api/v1/episodes/{episode['id']}/fhir")
    assert answer.status_code == 200 and answer.json()["resourceType"] == "Bundle"
    exports = _events(clinic, "export", "episode")
    assert [e.actor_username for e in exports] == [clinic.username(Role.QUALITY_LEAD)]
    with clinic.client(Role.ADMIN) as admin:  # no patient-record permission, no export
        assert admin.get(f"/api/v1/episodes/{episode['id']}/fhir").status_code == 403


def _web_login(clinic: ClinicUsers, role: Role):  # type: ignore[no-untyped-def]
    browser = clinic.server.client()
    form = browser.get("/login")
    csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = browser.post(
        "/login", data={"username": clinic.username(role), "password": PASSWORD, "csrf_token": csrf}
    )
    assert answer.status_code == 303
    return browser


def test_logging_out_needs_the_forms_csrf_token(clinic: ClinicUsers) -> None:
    browser = _web_login(clinic, Role.NURSE)
    try:
        forged = browser.post("/logout", data={})
        assert forged.status_code == 403
        page = browser.get("/")
        assert page.status_code == 200  # still logged in
        token = page.text.split('name="logout_token" value="')[1].split('"')[0]
        done = browser.post("/logout", data={"logout_token": token})
        assert done.status_code == 303 and done.headers["location"] == "/login"
        assert browser.get("/").status_code == 303  # the session is gone
    finally:
        browser.close()


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(line.split(":")[1]) for line in lines if line.lower().startswith("content-length")
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    return int(lines[0].split(" ")[1]), rest[:length]


def test_after_an_unexpected_error_the_connection_stays_open(
    clinic: ClinicUsers, monkeypatch: pytest.MonkeyPatch
) -> None:
    import spinepath.accounts.api as accounts_api

    def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    token = clinic.token(Role.NURSE)
    monkeypatch.setattr(accounts_api, "user_out", broken)
    host, port = clinic.server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
        )
        status, body = _read_response(sock)
        assert status == 500
        assert json.loads(body)["detail"] == "the request failed; nothing was saved"
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        status, body = _read_response(sock)
    assert status == 200 and json.loads(body)["status"] == "ok"


def test_logs_are_one_json_object_a_line_with_their_fields(server: LiveServer) -> None:
    logs.configure("INFO", "json")
    logger = logging.getLogger("spinepath.cds_hooks")
    handler = next(
        h for h in logging.getLogger("spinepath").handlers if isinstance(h, logs._Handler)
    )
    stream = io.StringIO()
    handler.setStream(stream)
    try:
        logger.info("CDS call refused (401): %s", "Invalid audience", extra={"status": 401})
    finally:
        handler.setStream(sys.stderr)
    line = json.loads(stream.getvalue().strip())
    assert line["level"] == "info" and line["logger"] == "spinepath.cds_hooks"
    assert line["message"] == "CDS call refused (401): Invalid audience"
    assert line["status"] == 401 and "time" in line
