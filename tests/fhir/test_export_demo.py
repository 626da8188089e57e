"""Every episode of the demo clinic, from referral to follow-up, exports a valid FHIR R4 Bundle."""

from __future__ import annotations

from collections import Counter

from spinepath.accounts.roles import Role
from spinepath.devdata.clinic import load_demo
from tests.fhir.conftest import R4Schema
from tests.fhir.test_export import assert_valid, export
from tests.support import LiveServer


def test_every_demo_episode_exports_a_bundle_that_validates(
    server: LiveServer, r4_schema: R4Schema
) -> None:
    users = load_demo(server.session_factory)
    physician = next(user for user in users if user.role is Role.PHYSICIAN)
    with server.client() as client:
        answer = client.post(
            "/api/v1/auth/token",
            json={"username": physician.username, "password": physician.password},
        )
    answer.raise_for_status()
    kinds: Counter[str] = Counter()
    with server.client(answer.json()["access_token"]) as client:
        worklist = client.get(
            "/api/v1/worklist", params={"include_ended": True, "per_page": 100}
        ).json()
        assert worklist["total"] == len(worklist["items"]) >= 20
        for item in worklist["items"]:
            bundle = export(client, item["episode_id"])
            assert_valid(bundle, r4_schema)
            kinds.update(entry["resource"]["resourceType"] for entry in bundle["entry"])
    # The demo walks patients through every stage, so every part of the export is exercised.
    assert {
        "Patient",
        "Condition",
        "CarePlan",
        "AuditEvent",
        "Procedure",
        "Observation",
        "QuestionnaireResponse",
        "MedicationStatement",
    } <= set(kinds)
