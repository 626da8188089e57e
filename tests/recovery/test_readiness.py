"""Discharge readiness over HTTP: each criterion missing in turn refuses discharge; when all are
met, discharge moves the episode to Discharged. Overnight admission, scores from baseline vitals,
clinic settings and two nurses editing the same checklist."""

from __future__ import annotations

from typing import Any

import pytest

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.procedures.builders import (
    ALDRETE_10,
    CHECKLIST_DONE,
    PADSS_10,
    in_recovery,
    record_vitals,
)
from tests.support import ClinicUsers


def _url(episode_id: str, tail: str = "") -> str:
    return f"/api/v1/episodes/{episode_id}/recovery{tail}"


def _checklist(client: Any, episode_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    version = client.get(_url(episode_id)).json()["stay"]["version"]
    answer = client.patch(_url(episode_id), json={**changes, "version": version})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _nearly_ready(client: Any, *, ended_minutes_ago: float = 90, **options: Any) -> str:
    """A patient with every criterion met; tests then take one away."""
    episode_id = str(
        in_recovery(client, ended_minutes_ago=ended_minutes_ago, **options)["episode_id"]
    )
    record_vitals(client, episode_id)
    assert client.post(_url(episode_id, "/aldrete"), json=ALDRETE_10).status_code == 201
    assert client.post(_url(episode_id, "/padss"), json=PADSS_10).status_code == 201
    _checklist(client, episode_id, CHECKLIST_DONE)
    return episode_id


def _discharge(client: Any, episode_id: str) -> Any:
    version = client.get(_url(episode_id)).json()["stay"]["version"]
    return client.post(_url(episode_id, "/discharge"), json={"version": version})


def test_all_met_is_ready_and_discharge_moves_the_episode_on(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = _nearly_ready(client)
        view = client.get(_url(episode_id)).json()
        answer = _discharge(client, episode_id)
        episode = client.get(f"/api/v1/episodes/{episode_id}").json()
        board = client.get("/api/v1/recovery/board").json()
    assert view["readiness"]["ready"] is True
    assert answer.status_code == 200, answer.text
    assert answer.json()["stay"]["status"] == "discharged"
    assert episode["stage"] == "discharged"
    assert episode["transitions"][-1]["reason"] == "discharged from recovery: readiness met"
    assert episode_id not in {item["episode_id"] for item in board["items"]}


def _take_away(client: Any, episode_id: str, criterion: str) -> None:
    if criterion == "aldrete":
        client.post(_url(episode_id, "/aldrete"), json={**ALDRETE_10, "activity": 0})
    elif criterion == "padss":
        client.post(_url(episode_id, "/padss"), json={**PADSS_10, "pain": 0})
    elif criterion == "alerts":
        record_vitals(client, episode_id, respiratory_rate=26)
    else:
        flag = {
            "escort": "escort_confirmed",
            "pain_relief": "pain_relief_given",
            "antibiotics": "antibiotics_given",
            "instructions": "instructions_given",
            "follow_up": "follow_up_booked",
        }[criterion]
        _checklist(client, episode_id, {flag: False})


@pytest.mark.parametrize(
    "criterion",
    [
        "aldrete",
        "padss",
        "escort",
        "pain_relief",
        "antibiotics",
        "instructions",
        "follow_up",
        "alerts",
    ],
)
def test_each_criterion_missing_in_turn_refuses_discharge(
    clinic: ClinicUsers, criterion: str
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = _nearly_ready(client)
        _take_away(client, episode_id, criterion)
        readiness = client.get(_url(episode_id)).json()["readiness"]
        answer = _discharge(client, episode_id)
        stage = client.get(f"/api/v1/episodes/{episode_id}").json()["stage"]
    assert readiness["missing"] == [criterion]
    label = next(i["label"] for i in readiness["items"] if i["id"] == criterion)
    assert answer.status_code == 409
    assert label in answer.json()["detail"]
    assert stage == "recovery"


def test_too_short_an_observation_refuses_discharge(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = _nearly_ready(client, ended_minutes_ago=30)
        readiness = client.get(_url(episode_id)).json()["readiness"]
        answer = _discharge(client, episode_id)
    assert readiness["missing"] == ["observation_time"]
    assert answer.status_code == 409


def test_a_high_latest_news2_refuses_discharge_even_with_its_alert_acknowledged(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = _nearly_ready(client)
        alert = record_vitals(
            client, episode_id, respiratory_rate=22, spo2_percent=94, pulse_per_min=115
        )["alert"]
        acknowledged = client.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            json={"action_taken": "Told Dr Osler; review in 10 min", "version": alert["version"]},
        )
        readiness = client.get(_url(episode_id)).json()["readiness"]
        answer = _discharge(client, episode_id)
        stage = client.get(f"/api/v1/episodes/{episode_id}").json()["stage"]
    assert acknowledged.status_code == 200, acknowledged.text
    assert readiness["missing"] == ["latest_news2"]
    [item] = [i for i in readiness["items"] if i["id"] == "latest_news2"]
    assert item["detail"] == "latest NEWS2 5; must be below 5"
    assert answer.status_code == 409
    assert "Latest NEWS2 below the clinic's discharge threshold" in answer.json()["detail"]
    assert stage == "recovery"


def test_the_discharge_threshold_is_a_clinic_setting(clinic: ClinicUsers) -> None:
    with clinic.client(Role.ADMIN) as admin:
        saved = admin.put(
            "/api/v1/recovery/settings",
            json={
                "observation_minimum_minutes": 60,
                "observation_interval_minutes": 15,
                "discharge_news2_below": 1,
            },
        )
        invalid = admin.put(
            "/api/v1/recovery/settings",
            json={
                "observation_minimum_minutes": 60,
                "observation_interval_minutes": 15,
                "discharge_news2_below": 0,
                "version": saved.json()["version"],
            },
        )
    with clinic.client(Role.NURSE) as nurse:
        episode_id = _nearly_ready(nurse)
        record_vitals(nurse, episode_id, temperature_c=38.5)  # NEWS2 1
        readiness = nurse.get(_url(episode_id)).json()["readiness"]
    assert saved.status_code == 200 and saved.json()["discharge_news2_below"] == 1
    assert error_fields(invalid) == {"discharge_news2_below"}
    assert readiness["missing"] == ["latest_news2"]


def test_the_clinic_minimum_is_set_by_an_administrator(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as nurse:
        assert nurse.get("/api/v1/recovery/settings").json() == {
            "observation_minimum_minutes": 60,
            "observation_interval_minutes": 15,
            "discharge_news2_below": 5,
            "defaults": True,
            "version": None,
        }
        refused = nurse.put(
            "/api/v1/recovery/settings",
            json={"observation_minimum_minutes": 120, "observation_interval_minutes": 15},
        )
    with clinic.client(Role.ADMIN) as admin:
        invalid = admin.put(
            "/api/v1/recovery/settings",
            json={"observation_minimum_minutes": 0, "observation_interval_minutes": "often"},
        )
        saved = admin.put(
            "/api/v1/recovery/settings",
            json={"observation_minimum_minutes": 120, "observation_interval_minutes": 10},
        )
    with clinic.client(Role.NURSE) as nurse:
        episode_id = _nearly_ready(nurse)
        view = nurse.get(_url(episode_id)).json()
    assert refused.status_code == 403
    assert invalid.status_code == 422
    assert error_fields(invalid) == {"observation_minimum_minutes", "observation_interval_minutes"}
    assert saved.json()["defaults"] is False
    assert view["readiness"]["missing"] == ["observation_time"]
    assert view["schedule"]["interval_minutes"] == 10


def test_without_sedation_aldrete_is_not_needed(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = str(in_recovery(client, sedation="local_only")["episode_id"])
        record_vitals(client, episode_id)
        client.post(_url(episode_id, "/padss"), json=PADSS_10)
        _checklist(
            client,
            episode_id,
            {**CHECKLIST_DONE, "antibiotics_prescribed": False, "antibiotics_given": False},
        )
        readiness = client.get(_url(episode_id)).json()["readiness"]
    statuses = {item["id"]: item["status"] for item in readiness["items"]}
    assert readiness["ready"] is True
    assert (statuses["aldrete"], statuses["antibiotics"]) == ("not_needed", "not_needed")


def test_baseline_vitals_give_the_aldrete_circulation_and_padss_vital_signs_items(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = str(
            in_recovery(client, baseline={"systolic_bp_mmhg": 150, "pulse_per_min": 70})[
                "episode_id"
            ]
        )
        record_vitals(client, episode_id, systolic_bp_mmhg=110, pulse_per_min=80)
        aldrete = client.post(_url(episode_id, "/aldrete"), json=ALDRETE_10)
        padss = client.post(_url(episode_id, "/padss"), json=PADSS_10)
        entered = client.post(_url(episode_id, "/aldrete"), json={**ALDRETE_10, "circulation": 2})
    assert aldrete.status_code == 201, aldrete.text
    circulation = aldrete.json()["result"]["derived"]
    assert (circulation["item"], circulation["points"]) == ("circulation", 1)  # 26.7 % lower
    assert circulation["percent_change"] == {"systolic_bp_mmhg": 26.7}
    assert aldrete.json()["total"] == 9
    vital_signs = padss.json()["result"]["derived"]
    assert (vital_signs["points"], padss.json()["total"]) == (1, 9)
    assert entered.status_code == 422
    assert error_fields(entered) == {"circulation"}


def test_without_recovery_vitals_the_item_is_entered_by_hand(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = str(in_recovery(client)["episode_id"])
        missing = client.post(_url(episode_id, "/padss"), json=PADSS_10)
        entered = client.post(_url(episode_id, "/padss"), json={**PADSS_10, "vital_signs": 2})
        invalid = client.post(
            _url(episode_id, "/padss"), json={**PADSS_10, "pain": 3, "vital_signs": "2"}
        )
    assert missing.status_code == 422 and error_fields(missing) == {"vital_signs"}
    assert entered.status_code == 201 and entered.json()["result"]["derived"] is None
    assert error_fields(invalid) == {"pain", "vital_signs"}


def test_an_overnight_admission_needs_a_reason_and_keeps_the_patient_on_the_board(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = _nearly_ready(client)
        version = client.get(_url(episode_id)).json()["stay"]["version"]
        no_reason = client.post(
            _url(episode_id, "/admission"), json={"reason": " ", "version": version}
        )
        admitted = client.post(
            _url(episode_id, "/admission"),
            json={"reason": "Lives alone, escort unavailable until morning", "version": version},
        )
        board = client.get("/api/v1/recovery/board").json()
        later = _discharge(client, episode_id)
    assert no_reason.status_code == 422 and error_fields(no_reason) == {"reason"}
    assert admitted.status_code == 200
    assert admitted.json()["stay"]["status"] == "admitted"
    row = next(item for item in board["items"] if item["episode_id"] == episode_id)
    assert (row["status"], row["admission_reason"]) == (
        "admitted",
        "Lives alone, escort unavailable until morning",
    )
    assert later.status_code == 200
    assert later.json()["stage"] == "discharged"


def test_two_nurses_editing_the_checklist_the_second_is_told_it_changed(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as first, clinic.client(Role.COORDINATOR) as second:
        episode_id = str(in_recovery(first)["episode_id"])
        seen_by_first = first.get(_url(episode_id)).json()["stay"]["version"]
        seen_by_second = second.get(_url(episode_id)).json()["stay"]["version"]
        saved = first.patch(
            _url(episode_id), json={"escort_confirmed": True, "version": seen_by_first}
        )
        refused = second.patch(
            _url(episode_id), json={"instructions_given": True, "version": seen_by_second}
        )
        by_header = second.patch(
            _url(episode_id),
            json={"instructions_given": True},
            headers={"If-Match": f'"v{seen_by_second}"'},
        )
        stay = second.get(_url(episode_id)).json()["stay"]
    assert saved.status_code == 200
    assert refused.status_code == 409
    assert "changed since you loaded it" in refused.json()["detail"]
    assert by_header.status_code == 412
    assert (stay["escort_confirmed"], stay["instructions_given"]) == (True, False)


def test_checklist_values_are_checked(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = str(in_recovery(client)["episode_id"])
        version = client.get(_url(episode_id)).json()["stay"]["version"]
        given_without_prescription = client.patch(
            _url(episode_id), json={"antibiotics_given": True, "version": version}
        )
        wrong_types = client.patch(
            _url(episode_id),
            json={"escort_confirmed": "yes", "observation_interval_minutes": 0, "version": version},
        )
    assert error_fields(given_without_prescription) == {"antibiotics_given"}
    assert error_fields(wrong_types) == {"escort_confirmed", "observation_interval_minutes"}
