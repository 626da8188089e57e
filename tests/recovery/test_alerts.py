"""NEWS2 alerts over HTTP: raised with a task for the responsible clinician, kept until a
clinician acknowledges it with the response (or a lower score resolves it), raised again only
when the response escalates or after acknowledgement; only clinical roles acknowledge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.procedures.builders import in_recovery, record_vitals, vitals
from tests.support import ClinicUsers

SINGLE_3 = {"respiratory_rate": 26}  # NEWS2 3: a 3 in one parameter
TOTAL_7 = {"respiratory_rate": 26, "pulse_per_min": 115, "temperature_c": 39.5}
TOTAL_5 = {"respiratory_rate": 22, "spo2_percent": 94, "pulse_per_min": 115}  # 2 + 1 + 2


def _tasks(client: Any, episode_id: str) -> list[dict[str, Any]]:
    tasks = client.get(f"/api/v1/episodes/{episode_id}").json()["tasks"]
    return [t for t in tasks if t["code"] == "news2_alert"]


def _board_alerts(client: Any, episode_id: str) -> list[dict[str, Any]]:
    board = client.get("/api/v1/recovery/board").json()
    row = next(item for item in board["items"] if item["episode_id"] == episode_id)
    return list(row["open_alerts"])


def test_a_normal_set_raises_nothing(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        recorded = record_vitals(client, episode_id)
        assert recorded["alert"] is None
        assert _tasks(client, episode_id) == []
        assert _board_alerts(client, episode_id) == []


def test_a_single_3_raises_an_alert_and_a_task_for_the_responsible_clinician(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.PHYSICIAN) as physician:
        episode_id = in_recovery(physician)["episode_id"]
    with clinic.client(Role.NURSE) as client:
        recorded = record_vitals(client, episode_id, **SINGLE_3)
        tasks = _tasks(client, episode_id)
        shown = _board_alerts(client, episode_id)
    alert = recorded["alert"]
    assert (alert["level"], alert["news2_total"], alert["colour"]) == (
        "single_parameter",
        3,
        "yellow",
    )
    assert alert["response"]["response_level"] == "urgent ward-based response"
    assert [t["id"] for t in tasks] == [alert["task_id"]]
    assert tasks[0]["owner_role"] == "physician"
    # The physician who recorded the procedure is responsible on the day.
    assert tasks[0]["assignee_id"] == str(clinic.users[Role.PHYSICIAN].id)
    assert [a["id"] for a in shown] == [alert["id"]]


def test_an_open_alert_is_not_repeated_but_an_escalation_is_raised(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        first = record_vitals(client, episode_id, **SINGLE_3)["alert"]
        again = record_vitals(client, episode_id, **SINGLE_3)["alert"]
        worse = record_vitals(client, episode_id, **TOTAL_7)["alert"]
        shown = _board_alerts(client, episode_id)
    assert first is not None and again is None
    assert (worse["level"], worse["news2_total"], worse["colour"]) == ("emergency", 7, "red")
    assert [a["level"] for a in shown] == ["emergency", "single_parameter"]


def test_an_alert_stays_while_the_score_stays_high_until_acknowledged_with_the_response(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as nurse:
        episode_id = in_recovery(nurse)["episode_id"]
        alert = record_vitals(nurse, episode_id, **TOTAL_7)["alert"]
        record_vitals(nurse, episode_id, **TOTAL_7)  # still 7: the alert stays, no second one
        still_open = _board_alerts(nurse, episode_id)
    arrived = datetime.now(UTC)
    with clinic.client(Role.PHYSICIAN) as physician:
        answer = physician.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            json={
                "action_taken": "Called Dr Osler (registrar); fluids and blood cultures",
                "responder_arrived_at": arrived.isoformat(),
                "note": "Rigors after cement",
                "version": alert["version"],
            },
        )
        twice = physician.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge", json={"version": alert["version"] + 1}
        )
        after = _board_alerts(physician, episode_id)
        tasks = _tasks(physician, episode_id)
        history = physician.get(f"/api/v1/episodes/{episode_id}/recovery").json()["alerts"]
    assert [a["id"] for a in still_open] == [alert["id"]]
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_by_name"] == f"Physician of {clinic.slug}"
    assert body["action_taken"] == "Called Dr Osler (registrar); fluids and blood cultures"
    assert datetime.fromisoformat(body["responder_arrived_at"].replace("Z", "+00:00")) == arrived
    assert body["acknowledgement_note"] == "Rigors after cement"
    assert twice.status_code == 409
    assert after == []
    assert [t["status"] for t in tasks] == ["done"]
    # The alert and its acknowledgement stay in the history.
    assert [(a["id"], a["status"]) for a in history] == [(alert["id"], "acknowledged")]


def test_an_alert_is_resolved_when_the_score_falls_below_its_threshold_and_kept(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as nurse:
        episode_id = in_recovery(nurse)["episode_id"]
        alert = record_vitals(nurse, episode_id, **TOTAL_7)["alert"]
        record_vitals(nurse, episode_id)  # NEWS2 0: below the emergency threshold
        board = _board_alerts(nurse, episode_id)
        history = nurse.get(f"/api/v1/episodes/{episode_id}/recovery").json()["alerts"]
        # The response can still be recorded on a resolved alert.
        answered = nurse.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            json={
                "action_taken": "Registrar phoned; settled before review",
                "responder_arrived_at": datetime.now(UTC).isoformat(),
                "version": history[0]["version"],
            },
        )
    assert board == []
    [kept] = history
    assert (kept["id"], kept["status"], kept["resolved_news2_total"]) == (
        alert["id"],
        "resolved",
        0,
    )
    assert kept["resolved_at"] is not None
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "acknowledged"


def test_a_coordinator_is_refused_recording_vital_signs_and_acknowledging(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as nurse:
        episode_id = in_recovery(nurse)["episode_id"]
        alert = record_vitals(nurse, episode_id, **TOTAL_7)["alert"]
    with clinic.client(Role.COORDINATOR) as coordinator:
        vitals_refused = coordinator.post(
            f"/api/v1/episodes/{episode_id}/observations", json={"kind": "recovery", **vitals()}
        )
        ack_refused = coordinator.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            json={
                "action_taken": "Called the registrar",
                "responder_arrived_at": datetime.now(UTC).isoformat(),
                "version": alert["version"],
            },
        )
        still_open = _board_alerts(coordinator, episode_id)
    assert vitals_refused.status_code == 403, vitals_refused.text
    assert ack_refused.status_code == 403, ack_refused.text
    assert [a["id"] for a in still_open] == [alert["id"]]


def test_an_urgent_acknowledgement_without_an_action_is_refused(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as nurse:
        episode_id = in_recovery(nurse)["episode_id"]
        alert = record_vitals(nurse, episode_id, **TOTAL_5)["alert"]
        refused = nurse.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            json={"note": "seen", "version": alert["version"]},
        )
        blank = nurse.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            json={"action_taken": "   ", "version": alert["version"]},
        )
        still_open = _board_alerts(nurse, episode_id)
    assert alert["level"] == "urgent"
    assert refused.status_code == 422, refused.text
    assert error_fields(refused) == {"action_taken"}
    assert error_fields(blank) == {"action_taken"}
    assert [a["id"] for a in still_open] == [alert["id"]]


def test_an_emergency_acknowledgement_needs_the_responders_arrival(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as physician:
        episode_id = in_recovery(physician)["episode_id"]
        alert = record_vitals(physician, episode_id, **TOTAL_7)["alert"]
        nothing = physician.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge", json={"version": alert["version"]}
        )
        no_arrival = physician.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            json={"action_taken": "Crash call", "version": alert["version"]},
        )
        future = physician.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            json={
                "action_taken": "Crash call",
                "responder_arrived_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
                "version": alert["version"],
            },
        )
    assert error_fields(nothing) == {"action_taken", "responder_arrived_at"}
    assert error_fields(no_arrival) == {"responder_arrived_at"}
    assert error_fields(future) == {"responder_arrived_at"}


def test_after_acknowledgement_a_new_crossing_raises_a_new_alert(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        first = record_vitals(client, episode_id, **SINGLE_3)["alert"]
        client.post(f"/api/v1/alerts/{first['id']}/acknowledge", json={"version": 1})
        second = record_vitals(client, episode_id, **SINGLE_3)["alert"]
    assert second is not None and second["id"] != first["id"]


def test_acknowledging_an_old_version_or_without_permission_is_refused(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        alert = record_vitals(client, episode_id, **SINGLE_3)["alert"]
        unversioned = client.post(f"/api/v1/alerts/{alert['id']}/acknowledge", json={})
        stale = client.post(f"/api/v1/alerts/{alert['id']}/acknowledge", json={"version": 9})
    with clinic.client(Role.QUALITY_LEAD) as lead:
        forbidden = lead.post(f"/api/v1/alerts/{alert['id']}/acknowledge", json={"version": 1})
    with other_clinic.client(Role.PHYSICIAN) as stranger:
        hidden = stranger.post(f"/api/v1/alerts/{alert['id']}/acknowledge", json={"version": 1})
    assert (unversioned.status_code, stale.status_code) == (428, 409)
    assert forbidden.status_code == 403
    assert hidden.status_code == 404
