"""The recovery board over HTTP: every patient in recovery in the clinic, with time since the
procedure, latest vitals, NEWS2 colour and response, schedule and what is still needed."""

from __future__ import annotations

from typing import Any

from spinepath.accounts.roles import Role
from tests.procedures.builders import in_recovery, iso, minutes_ago, procedure_done, record_vitals
from tests.support import ClinicUsers


def _row(board: dict[str, Any], episode_id: str) -> dict[str, Any]:
    return next(item for item in board["items"] if item["episode_id"] == episode_id)


def test_the_board_shows_each_patient_in_recovery_with_what_matters(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        calm = str(in_recovery(client, family_name="Calm", ended_minutes_ago=45)["episode_id"])
        ill = str(in_recovery(client, family_name="Unwell")["episode_id"])
        record_vitals(client, calm)
        record_vitals(client, ill, respiratory_rate=26, pulse_per_min=115, temperature_c=38.5)
        not_yet = procedure_done(client, family_name="Waiting")["episode"]["id"]
        board = client.get("/api/v1/recovery/board").json()
    ids = [item["episode_id"] for item in board["items"]]
    assert set(ids) == {calm, ill} and not_yet not in ids
    assert board["count"] == 2
    assert ids == [ill, calm]  # the most severe first
    calm_row, ill_row = _row(board, calm), _row(board, ill)
    assert 44 <= calm_row["minutes_since_procedure"] <= 46
    assert calm_row["latest"]["news2"]["total"] == 0 and calm_row["latest"]["colour"] == "green"
    assert calm_row["latest"]["values"]["pulse_per_min"] == 72
    assert "Observed for at least the clinic's minimum time" in calm_row["still_needed"]
    assert ill_row["latest"]["colour"] == "orange"
    assert ill_row["latest"]["news2"]["response"]["response_level"] == "urgent response"
    assert [a["level"] for a in ill_row["open_alerts"]] == ["urgent"]
    assert ill_row["ready"] is False


def test_the_schedule_shows_when_observations_are_overdue(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = str(in_recovery(client)["episode_id"])
        client.post(
            f"/api/v1/episodes/{episode_id}/observations",
            json={
                "observed_at": iso(minutes_ago(20)),
                "respiratory_rate": 16,
                "spo2_percent": 97,
                "on_oxygen": False,
                "systolic_bp_mmhg": 130,
                "pulse_per_min": 72,
                "consciousness": "A",
                "temperature_c": 36.8,
            },
        )
        overdue = _row(client.get("/api/v1/recovery/board").json(), episode_id)
        version = client.get(f"/api/v1/episodes/{episode_id}/recovery").json()["stay"]["version"]
        client.patch(
            f"/api/v1/episodes/{episode_id}/recovery",
            json={"observation_interval_minutes": 30, "version": version},
        )
        relaxed = _row(client.get("/api/v1/recovery/board").json(), episode_id)
    assert overdue["observation_overdue"] is True
    assert relaxed["observation_overdue"] is False


def test_other_clinics_patients_are_not_on_the_board_and_reads_are_audited(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with clinic.client(Role.NURSE) as client:
        view = in_recovery(client)
        client.get("/api/v1/recovery/board")
    with other_clinic.client(Role.NURSE) as stranger:
        elsewhere = stranger.get("/api/v1/recovery/board").json()
    with clinic.client(Role.ADMIN) as admin:
        events = admin.get("/api/v1/audit-events", params={"per_page": 500}).json()["items"]
    assert elsewhere["items"] == []
    reads = [e for e in events if e["entity_type"] == "recovery_board"]
    assert reads and view["patient"]["id"] in reads[0]["detail"]["patient_ids"]


def test_the_board_puts_the_most_severe_first(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        calm = str(in_recovery(client, family_name="Calm", ended_minutes_ago=100)["episode_id"])
        single = str(in_recovery(client, family_name="Single", ended_minutes_ago=80)["episode_id"])
        worst = str(in_recovery(client, family_name="Worst", ended_minutes_ago=40)["episode_id"])
        middle = str(in_recovery(client, family_name="Middle", ended_minutes_ago=60)["episode_id"])
        record_vitals(client, calm)
        record_vitals(client, single, respiratory_rate=26)  # a 3 in one parameter
        record_vitals(client, worst, respiratory_rate=26, pulse_per_min=115, temperature_c=39.5)
        record_vitals(client, middle, respiratory_rate=22, spo2_percent=94, pulse_per_min=115)
        board = client.get("/api/v1/recovery/board").json()
    ids = [item["episode_id"] for item in board["items"]]
    assert ids == [worst, middle, single, calm]
    worst_row = _row(board, worst)
    assert worst_row["schedule"]["continuous"] is True
    assert (
        worst_row["schedule"]["rcp"]
        == "NEWS2 total 7 or more: continuous monitoring of vital signs"
    )
    calm_row = _row(board, calm)
    assert (calm_row["schedule"]["interval_minutes"], calm_row["schedule"]["stricter"]) == (
        15,
        "clinic",
    )
