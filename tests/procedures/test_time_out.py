"""The plan and the time-out over HTTP: the level check stops a wrong level before anything is
recorded, and every outcome is audited."""

from __future__ import annotations

from typing import Any

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, error_fields, move, open_episode
from tests.procedures.builders import (
    prepared_episode,
    record_decision,
    save_plan,
    time_out_payload,
)
from tests.support import ClinicUsers


def _audit(clinic: ClinicUsers, patient_id: str) -> list[dict[str, Any]]:
    with clinic.client(Role.ADMIN) as admin:
        answer = admin.get(
            "/api/v1/audit-events", params={"patient_id": patient_id, "per_page": 500}
        )
    assert answer.status_code == 200
    return [e for e in answer.json()["items"] if e["entity_type"] == "time_out"]


def _time_out(client: Any, episode_id: str, payload: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/episodes/{episode_id}/time-outs", json=payload)


def test_a_plan_is_recorded_and_a_change_must_name_its_version(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = prepared_episode(client, ("T12", "L1"))
        plan = save_plan(client, episode["id"], ["l1", "T12"], "kyphoplasty")
        unversioned = client.put(
            f"/api/v1/episodes/{episode['id']}/procedure-plan",
            json={"technique": "kyphoplasty", "levels": ["L1"]},
        )
        stale = client.put(
            f"/api/v1/episodes/{episode['id']}/procedure-plan",
            json={"technique": "kyphoplasty", "levels": ["L1"], "version": plan["version"] + 1},
        )
        fetched = client.get(f"/api/v1/episodes/{episode['id']}/procedure-plan")
    assert plan["levels"] == ["T12", "L1"]
    assert (unversioned.status_code, stale.status_code) == (428, 409)
    assert fetched.json()["levels"] == ["T12", "L1"]
    assert fetched.headers["ETag"] == '"v1"'


def test_matching_levels_are_recorded_audited_and_start_the_procedure_stage(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = prepared_episode(client, ("L1",))
        save_plan(client, episode["id"], ["L1"])
        answer = _time_out(client, episode["id"], time_out_payload(["l1"]))
        stage = client.get(f"/api/v1/episodes/{episode['id']}").json()["stage"]
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["levels_to_treat"], body["planned_levels"]) == (["L1"], ["L1"])
    assert body["level_mismatch"] is False and body["mismatch_reason"] is None
    assert stage == "procedure"
    events = _audit(clinic, episode["patient"]["id"])
    created = [e for e in events if e["action"] == "create"]
    assert [e["outcome"] for e in created] == ["success"]
    assert created[0]["detail"]["level_mismatch"] is False


def test_a_mismatch_without_a_reason_is_refused_and_nothing_is_recorded(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = prepared_episode(client, ("L1",))
        save_plan(client, episode["id"], ["L1"])
        answer = _time_out(client, episode["id"], time_out_payload(["L2"]))
        blank_reason = _time_out(
            client, episode["id"], time_out_payload(["L2"], level_mismatch_reason="   ")
        )
        listed = client.get(f"/api/v1/episodes/{episode['id']}/time-outs").json()
        stage = client.get(f"/api/v1/episodes/{episode['id']}").json()["stage"]
    assert answer.status_code == 422
    assert error_fields(answer) == {"level_mismatch_reason"}
    message = answer.json()["errors"][0]["message"]
    assert "(L2) differ from the planned levels (L1)" in message
    assert "Nothing was recorded" in message
    assert blank_reason.status_code == 422
    assert listed == []
    assert stage == "prepared"
    refusals = [e for e in _audit(clinic, episode["patient"]["id"]) if e["outcome"] == "denied"]
    assert len(refusals) == 2
    assert refusals[0]["detail"]["planned_levels"] == ["L1"]
    assert refusals[0]["detail"]["levels_to_treat"] == ["L2"]


def test_a_mismatch_with_a_reason_is_recorded_and_audited_with_the_reason(
    clinic: ClinicUsers,
) -> None:
    reason = "MRI today shows a new L2 fracture; L1 has healed (Dr Osler)"
    with clinic.client(Role.PHYSICIAN) as client:
        episode = prepared_episode(client, ("L1",))
        save_plan(client, episode["id"], ["L1"])
        answer = _time_out(
            client,
            episode["id"],
            time_out_payload(["L1", "L2"], level_mismatch_reason=reason),
        )
        listed = client.get(f"/api/v1/episodes/{episode['id']}/time-outs").json()
    assert answer.status_code == 201, answer.text
    assert answer.json()["level_mismatch"] is True
    assert answer.json()["mismatch_reason"] == reason
    assert [t["levels_to_treat"] for t in listed] == [["L1", "L2"]]
    created = [e for e in _audit(clinic, episode["patient"]["id"]) if e["action"] == "create"]
    assert created[0]["detail"] == {
        "planned_levels": ["L1"],
        "levels_to_treat": ["L1", "L2"],
        "level_mismatch": True,
        "mismatch_reason": reason,
    }


def test_every_missing_confirmation_is_named_at_once(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = prepared_episode(client)
        save_plan(client, episode["id"], ["L1"])
        answer = _time_out(
            client,
            episode["id"],
            time_out_payload(
                ["L1"],
                identity_confirmed=False,
                consent_confirmed=False,
                labs_reviewed="yes",
                allergies="",
                team=...,
            ),
        )
        listed = client.get(f"/api/v1/episodes/{episode['id']}/time-outs").json()
    assert answer.status_code == 422
    assert error_fields(answer) == {
        "identity_confirmed",
        "consent_confirmed",
        "labs_reviewed",
        "allergies",
        "team",
    }
    assert listed == []


def test_the_time_out_needs_a_plan_and_the_day_of_the_procedure(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = prepared_episode(client)
        no_plan = _time_out(client, episode["id"], time_out_payload(["L1"]))
        save_plan(client, episode["id"], ["L1"])
        back = move(client, client.get(f"/api/v1/episodes/{episode['id']}").json(), "scheduled")
        too_early = _time_out(client, back["id"], time_out_payload(["L1"]))
    assert no_plan.status_code == 409
    assert "planned procedure" in no_plan.json()["detail"]
    assert too_early.status_code == 409
    assert "Scheduled" in too_early.json()["detail"]


def test_the_sheet_shows_identity_plan_and_the_signed_preparation_plan(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = prepared_episode(client, family_name="Quimby")
        save_plan(client, episode["id"], ["L1"], "kyphoplasty")
        sheet = client.get(f"/api/v1/episodes/{episode['id']}/time-out").json()
    assert sheet["patient"]["family_name"] == "Quimby"
    assert (sheet["plan"]["technique"], sheet["plan"]["levels"]) == ("kyphoplasty", ["L1"])
    assert sheet["preparation"]["signed"] is True
    assert sheet["preparation"]["summary"].startswith(f"signed by Physician of {clinic.slug}")
    assert [lab["test"] for lab in sheet["preparation"]["labs"]] == ["inr", "platelets"]
    assert sheet["time_outs"] == [] and sheet["procedure_recorded"] is False


def test_a_patient_prepared_by_override_shows_no_signed_plan_at_the_time_out(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = open_episode(client, create_patient(client)["id"])
        for stage in ("consultation", "decision"):
            episode = move(client, episode, stage)
        record_decision(client, episode["id"])
        episode = move(client, episode, "scheduled")
        answer = client.post(
            f"/api/v1/episodes/{episode['id']}/transitions",
            json={
                "to_stage": "prepared",
                "version": episode["version"],
                "override_reason": "Plan signed on paper during the network outage",
            },
        )
        assert answer.status_code == 200, answer.text
        sheet = client.get(f"/api/v1/episodes/{episode['id']}/time-out").json()
    assert sheet["preparation"] == {
        "signed": False,
        "summary": "no signed plan recorded",
        "labs": [],
    }


def test_the_plan_cannot_change_after_a_time_out(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = prepared_episode(client)
        plan = save_plan(client, episode["id"], ["L1"])
        assert _time_out(client, episode["id"], time_out_payload(["L1"])).status_code == 201
        changed = client.put(
            f"/api/v1/episodes/{episode['id']}/procedure-plan",
            json={"technique": "vertebroplasty", "levels": ["L2"], "version": plan["version"]},
        )
    assert changed.status_code == 409


def test_a_quality_lead_reads_but_cannot_record_and_other_clinics_see_nothing(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = prepared_episode(client)
        save_plan(client, episode["id"], ["L1"])
    with clinic.client(Role.QUALITY_LEAD) as lead:
        assert lead.get(f"/api/v1/episodes/{episode['id']}/time-out").status_code == 200
        refused = _time_out(lead, episode["id"], time_out_payload(["L1"]))
    with other_clinic.client(Role.NURSE) as stranger:
        hidden = stranger.get(f"/api/v1/episodes/{episode['id']}/time-out")
        hidden_write = _time_out(stranger, episode["id"], time_out_payload(["L1"]))
    assert refused.status_code == 403
    assert (hidden.status_code, hidden_write.status_code) == (404, 404)


def test_the_time_out_keeps_the_signed_plan_it_was_done_against(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = prepared_episode(client)
        save_plan(client, episode["id"], ["L1"])
        sheet = client.get(f"/api/v1/episodes/{episode['id']}/time-out").json()
        recorded = _time_out(client, episode["id"], time_out_payload(["L1"])).json()
    summary = sheet["preparation"]["summary"]
    assert summary.startswith(f"signed by Physician of {clinic.slug} on ")
    inr = sheet["preparation"]["labs"][0]
    assert (inr["test"], inr["value"], inr["threshold"]) == ("inr", 1.0, "<= 1.8")
    assert recorded["preparation_status"] == summary
