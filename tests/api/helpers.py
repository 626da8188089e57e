"""Small builders for API tests: valid payloads that tests change one field at a time."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from spinepath.accounts.roles import Role
from tests.support import PASSWORD


def patient_payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "mrn": f"MRN-{uuid.uuid4().hex[:8]}",
        "family_name": "Hoeger",
        "given_name": "Hallie",
        "birth_date": "1944-03-02",
        "sex": "female",
        "phone": "555-0100",
        "email": "hallie@example.org",
    }
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not ...}


def create_patient(client: httpx.Client, **changes: Any) -> dict[str, Any]:
    answer = client.post("/api/v1/patients", json=patient_payload(**changes))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def open_episode(client: httpx.Client, patient_id: str, **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "patient_id": patient_id,
        "referral_source": "Primary care",
        "fractures": [{"level": "L1", "onset_date": "2026-10-10", "etiology": "osteoporotic"}],
    }
    payload.update(changes)
    answer = client.post("/api/v1/episodes", json=payload)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def move(
    client: httpx.Client, episode: dict[str, Any], to_stage: str, reason: str | None = None
) -> dict[str, Any]:
    answer = client.post(
        f"/api/v1/episodes/{episode['id']}/transitions",
        json={"to_stage": to_stage, "reason": reason, "version": episode["version"]},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def error_fields(answer: httpx.Response) -> set[str]:
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    return {error["field"] for error in answer.json().get("errors", [])}


_COLLEAGUE_TOKENS: dict[tuple[str, str], str] = {}


def colleague(client: httpx.Client, role: Role) -> httpx.Client:
    """A client for the user of ``role`` in the same test clinic as ``client``'s user (the
    clinic's users are named "<role>.<clinic slug>" and share the test password)."""
    username = str(client.get("/api/v1/me").json()["username"])
    wanted = f"{role.value.replace('_', '')}.{username.split('.', 1)[1]}"
    key = (str(client.base_url), wanted)
    if key not in _COLLEAGUE_TOKENS:
        answer = httpx.post(
            f"{client.base_url}/api/v1/auth/token",
            json={"username": wanted, "password": PASSWORD},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        _COLLEAGUE_TOKENS[key] = str(answer.json()["access_token"])
    return httpx.Client(
        base_url=client.base_url,
        headers={"Authorization": f"Bearer {_COLLEAGUE_TOKENS[key]}"},
        timeout=30,
    )
