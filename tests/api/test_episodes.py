"""Episodes: opening, fractures, moving through the pathway, tasks."""

from __future__ import annotations

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, error_fields, move, open_episode
from tests.support import ClinicUsers


def test_opening_an_episode_records_referral_and_its_task(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client)
        episode = open_episode(client, patient["id"])
    assert episode["stage"] == "referral"
    assert [t["to_stage"] for t in episode["transitions"]] == ["referral"]
    assert [t["code"] for t in episode["tasks"]] == ["book_consultation"]
    assert episode["fractures"][0]["level"] == "L1"
    assert episode["next_stage"] == "consultation"


def test_a_legal_move_is_recorded_with_who_when_and_why(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        patient = create_patient(client)
        episode = move(client, open_episode(client, patient["id"]), "consultation")
        episode = move(client, episode, "declined", reason="Prefers to wait")
    last = episode["transitions"][-1]
    assert (last["from_stage"], last["to_stage"], last["reason"]) == (
        "consultation",
        "declined",
        "Prefers to wait",
    )
    assert last["actor_name"] == f"Physician of {clinic.slug}"
    assert episode["version"] == 3


def test_entering_consultation_creates_its_default_tasks(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        patient = create_patient(client)
        episode = move(client, open_episode(client, patient["id"]), "consultation")
    codes = {t["code"] for t in episode["tasks"] if t["stage"] == "consultation"}
    assert codes == {"record_conservative_care", "record_pain_function"}


def test_an_illegal_move_is_refused_and_changes_nothing(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        patient = create_patient(client)
        episode = open_episode(client, patient["id"])
        answer = client.post(
            f"/api/v1/episodes/{episode['id']}/transitions",
            json={"to_stage": "procedure", "version": episode["version"]},
        )
        after = client.get(f"/api/v1/episodes/{episode['id']}").json()
    assert answer.status_code == 409
    assert "cannot move from referral to procedure" in answer.json()["detail"]
    assert after == episode


def test_an_exit_without_a_reason_is_refused(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        patient = create_patient(client)
        episode = open_episode(client, patient["id"])
        answer = client.post(
            f"/api/v1/episodes/{episode['id']}/transitions",
            json={"to_stage": "cancelled", "version": episode["version"]},
        )
    assert answer.status_code == 422 and error_fields(answer) == {"reason"}


def test_an_unknown_stage_is_a_named_field_error(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        patient = create_patient(client)
        episode = open_episode(client, patient["id"])
        answer = client.post(
            f"/api/v1/episodes/{episode['id']}/transitions",
            json={"to_stage": "teleported", "version": 1},
        )
    assert answer.status_code == 422 and error_fields(answer) == {"to_stage"}


def test_two_clinicians_moving_the_same_episode_cannot_both_win(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as first, clinic.client(Role.NURSE) as second:
        patient = create_patient(first)
        episode = open_episode(first, patient["id"])
        move(first, episode, "consultation")
        late = second.post(
            f"/api/v1/episodes/{episode['id']}/transitions",
            json={"to_stage": "cancelled", "reason": "duplicate", "version": episode["version"]},
        )
        current = second.get(f"/api/v1/episodes/{episode['id']}").json()
    assert late.status_code == 409
    assert current["stage"] == "consultation"


def test_closing_cancels_the_open_tasks(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        patient = create_patient(client)
        episode = move(
            client, open_episode(client, patient["id"]), "cancelled", reason="Wrong clinic"
        )
    assert episode["closed_at"] is not None and episode["allowed_transitions"] == []
    assert {t["status"] for t in episode["tasks"]} == {"cancelled"}


def test_fracture_level_is_validated_and_an_invalid_one_saves_nothing(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client)
        answer = client.post(
            "/api/v1/episodes",
            json={
                "patient_id": patient["id"],
                "fractures": [
                    {"level": "T12", "onset_date": "2026-10-01"},
                    {"level": "L9", "onset_date": "2999-01-01", "etiology": "gremlins"},
                ],
            },
        )
        episodes = client.get(f"/api/v1/patients/{patient['id']}/episodes").json()
    assert answer.status_code == 422
    assert error_fields(answer) == {
        "fractures.1.level",
        "fractures.1.onset_date",
        "fractures.1.etiology",
    }
    assert episodes == []


def test_levels_are_normalised_and_listed_top_down(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client)
        episode = open_episode(
            client,
            patient["id"],
            fractures=[{"level": " l2 "}, {"level": "t12"}, {"level": "T7"}],
        )
        again = client.post(f"/api/v1/episodes/{episode['id']}/fractures", json={"level": "L2"})
        added = client.post(f"/api/v1/episodes/{episode['id']}/fractures", json={"level": "C7"})
        listed = client.get(f"/api/v1/episodes/{episode['id']}").json()
    assert [f["level"] for f in episode["fractures"]] == ["T7", "T12", "L2"]
    assert again.status_code == 422 and error_fields(again) == {"level"}
    assert added.status_code == 201
    assert [f["level"] for f in listed["fractures"]] == ["C7", "T7", "T12", "L2"]


def test_duplicate_levels_in_one_request_are_refused(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client)
        answer = client.post(
            "/api/v1/episodes",
            json={"patient_id": patient["id"], "fractures": [{"level": "L1"}, {"level": "l1"}]},
        )
    assert answer.status_code == 422 and error_fields(answer) == {"fractures"}


def test_fracture_edit_and_removal_follow_versions(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        patient = create_patient(client)
        episode = open_episode(client, patient["id"])
        fracture = episode["fractures"][0]
        url = f"/api/v1/episodes/{episode['id']}/fractures/{fracture['id']}"
        edited = client.patch(url, json={"etiology": "neoplastic", "version": 1})
        stale = client.delete(url, headers={"If-Match": '"v1"'})
        removed = client.delete(url, headers={"If-Match": '"v2"'})
        after = client.get(f"/api/v1/episodes/{episode['id']}").json()
    assert edited.status_code == 200 and edited.json()["etiology"] == "neoplastic"
    assert stale.status_code == 412 and removed.status_code == 204
    assert after["fractures"] == []


def test_completing_a_task_records_when_and_who(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client)
        task = open_episode(client, patient["id"])["tasks"][0]
        done = client.patch(f"/api/v1/tasks/{task['id']}", json={"status": "done", "version": 1})
        again = client.patch(f"/api/v1/tasks/{task['id']}", json={"status": "open", "version": 1})
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["completed_at"] is not None
    assert again.status_code == 409


def test_assigning_a_task_only_to_a_user_of_the_clinic(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    nurse_id = str(clinic.users[Role.NURSE].id)
    stranger_id = str(other_clinic.users[Role.NURSE].id)
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client)
        task = open_episode(client, patient["id"])["tasks"][0]
        refused = client.patch(
            f"/api/v1/tasks/{task['id']}", json={"assignee_id": stranger_id, "version": 1}
        )
        assigned = client.patch(
            f"/api/v1/tasks/{task['id']}", json={"assignee_id": nurse_id, "version": 1}
        )
    assert refused.status_code == 422 and error_fields(refused) == {"assignee_id"}
    assert assigned.status_code == 200 and assigned.json()["assignee_id"] == nurse_id


def test_the_pathway_is_published(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        answer = client.get("/api/v1/pathway").json()
    assert answer["main_line"][0] == "referral" and answer["main_line"][-1] == "closed"
    assert "procedure" not in answer["transitions"]["referral"]
