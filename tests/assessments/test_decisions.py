"""The physician's decision: beside the assessment it was made on, audited, physicians only."""

from __future__ import annotations

import pytest

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.assessments.helpers import assessed, audit_events, evaluate
from tests.support import ClinicUsers

DECIDE = {
    "decision": "proceed_to_vertebral_augmentation",
    "procedure": "kyphoplasty",
    "rationale": "Criteria met; 30 % height loss with kyphosis, patient prefers kyphoplasty.",
}


def test_a_physician_records_the_decision_beside_the_assessment(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode, assessment = assessed(client)
        answer = client.post(f"/api/v1/assessments/{assessment['id']}/decision", json=DECIDE)
        after = client.get(f"/api/v1/assessments/{assessment['id']}").json()
        listed = client.get(f"/api/v1/episodes/{episode['id']}/assessments").json()
    assert answer.status_code == 201, answer.text
    decision = answer.json()
    assert decision["assessment_id"] == assessment["id"]
    assert decision["decision"] == "proceed_to_vertebral_augmentation"
    assert decision["decision_label"] == "Proceed to vertebral augmentation"
    assert decision["procedure"] == "kyphoplasty"
    assert decision["rationale"] == DECIDE["rationale"]
    assert decision["suggested_action"] == "refer_for_vertebral_augmentation"
    assert decision["decided_by"] == f"Physician of {clinic.slug}"
    assert after["decision"] == decision and listed[0]["decision"] == decision
    # The assessment itself is unchanged by the decision.
    assert {k: v for k, v in after.items() if k != "decision"} == {
        k: v for k, v in assessment.items() if k != "decision"
    }


def test_the_decision_is_audited(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode, assessment = assessed(client)
        decision = client.post(
            f"/api/v1/assessments/{assessment['id']}/decision",
            json={"decision": "continue_conservative_care", "rationale": "Patient prefers it"},
        ).json()
    with clinic.client(Role.ADMIN) as admin:
        events = audit_events(admin)
    recorded = [e for e in events if e["entity_type"] == "assessment_decision"]
    assert len(recorded) == 1
    event = recorded[0]
    assert event["action"] == "create" and event["entity_id"] == decision["id"]
    assert event["patient_id"] == episode["patient"]["id"]
    assert event["actor_username"] == clinic.username(Role.PHYSICIAN)
    assert event["detail"]["decision"] == "continue_conservative_care"
    assert event["detail"]["assessment_id"] == assessment["id"]
    assert event["detail"]["suggested_action"] == "refer_for_vertebral_augmentation"


@pytest.mark.parametrize("role", [Role.NURSE, Role.COORDINATOR, Role.QUALITY_LEAD, Role.ADMIN])
def test_only_a_physician_decides_and_a_refusal_is_audited(clinic: ClinicUsers, role: Role) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        _, assessment = assessed(client)
    with clinic.client(role) as other:
        refused = other.post(f"/api/v1/assessments/{assessment['id']}/decision", json=DECIDE)
    with clinic.client(Role.PHYSICIAN) as client:
        after = client.get(f"/api/v1/assessments/{assessment['id']}").json()
    with clinic.client(Role.ADMIN) as admin:
        denied = [
            e
            for e in audit_events(admin)
            if e["outcome"] == "denied" and e["actor_username"] == clinic.username(role)
        ]
    assert refused.status_code == 403
    assert "physician" in refused.json()["detail"]
    assert after["decision"] is None
    assert any(assessment["id"] in e["detail"]["path"] for e in denied)


def test_one_decision_per_assessment_and_only_on_the_latest(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode, first = assessed(client)
        decided = client.post(f"/api/v1/assessments/{first['id']}/decision", json=DECIDE)
        twice = client.post(f"/api/v1/assessments/{first['id']}/decision", json=DECIDE)
        second = evaluate(client, episode["id"])
        third = evaluate(client, episode["id"])
        on_older = client.post(f"/api/v1/assessments/{second['id']}/decision", json=DECIDE)
        on_latest = client.post(f"/api/v1/assessments/{third['id']}/decision", json=DECIDE)
        kept = client.get(f"/api/v1/assessments/{first['id']}").json()
    assert decided.status_code == 201
    assert twice.status_code == 409
    assert on_older.status_code == 409 and "not the latest" in on_older.json()["detail"]
    assert on_latest.status_code == 201
    assert kept["decision"]["id"] == decided.json()["id"]


def test_an_invalid_decision_names_each_field(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        _, assessment = assessed(client)
        url = f"/api/v1/assessments/{assessment['id']}/decision"
        unknown = client.post(url, json={"decision": "operate_tonight", "rationale": ""})
        wrong_procedure = client.post(
            url,
            json={
                "decision": "continue_conservative_care",
                "procedure": "vertebroplasty",
                "rationale": "   ",
            },
        )
        after = client.get(f"/api/v1/assessments/{assessment['id']}").json()
    assert unknown.status_code == 422 and error_fields(unknown) == {"decision", "rationale"}
    assert wrong_procedure.status_code == 422
    assert error_fields(wrong_procedure) == {"procedure", "rationale"}
    assert after["decision"] is None
