"""NEWS2 alerts over HTTP: raised with a task for the responsible clinician, kept until
acknowledged, raised again only when the response escalates or after acknowledgement."""

from __future__ import annotations

from typing import Any

from spinepath.accounts.roles import Role
from tests.procedures.builders import in_recovery, record_vitals
from tests.support import ClinicUsers

SINGLE_3 = {"respiratory_rate": 26}  # NEWS2 3: a 3 in one parameter
TOTAL_7 = {"respiratory_rate": 26, "pulse_per_min": 115, "temperature_c": 39.5}


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


def test_an_alert_stays_until_acknowledged_and_then_leaves_the_board(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as nurse:
        episode_id = in_recovery(nurse)["episode_id"]
        alert = record_vitals(nurse, episode_id, **TOTAL_7)["alert"]
        record_vitals(nurse, episode_id)  # normal again: the alert stays
        still_open = _board_alerts(nurse, episode_id)
    with clinic.client(Role.PHYSICIAN) as physician:
        answer = physician.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            json={"note": "Reviewed: rigors after cement, observed", "version": alert["version"]},
        )
        twice = physician.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge", json={"version": alert["version"] + 1}
        )
        after = _board_alerts(physician, episode_id)
        tasks = _tasks(physician, episode_id)
    assert [a["id"] for a in still_open] == [alert["id"]]
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_by_name"] == f"Physician of {clinic.slug}"
    assert body["acknowledgement_note"] == "Reviewed: rigors after cement, observed"
    assert twice.status_code == 409
    assert after == []
    assert [t["status"] for t in tasks] == ["done"]


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
