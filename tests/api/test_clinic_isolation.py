"""A user never sees or touches another clinic's patients."""

from __future__ import annotations

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, open_episode
from tests.support import ClinicUsers


def test_other_clinics_records_are_invisible(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with other_clinic.client(Role.COORDINATOR) as theirs:
        patient = create_patient(theirs, family_name="Elsewhere")
        episode = open_episode(theirs, patient["id"])
        task_id = episode["tasks"][0]["id"]
    with clinic.client(Role.PHYSICIAN) as ours:
        assert ours.get(f"/api/v1/patients/{patient['id']}").status_code == 404
        assert ours.get(f"/api/v1/episodes/{episode['id']}").status_code == 404
        assert ours.get(f"/api/v1/patients/{patient['id']}/episodes").status_code == 404
        moved = ours.post(
            f"/api/v1/episodes/{episode['id']}/transitions",
            json={"to_stage": "consultation", "version": 1},
        )
        assert moved.status_code == 404
        assert (
            ours.patch(
                f"/api/v1/tasks/{task_id}", json={"status": "done", "version": 1}
            ).status_code
            == 404
        )
        opened = ours.post("/api/v1/episodes", json={"patient_id": patient["id"]})
        assert opened.status_code == 404
        listing = ours.get("/api/v1/patients", params={"q": "Elsewhere"}).json()
        worklist = ours.get("/api/v1/worklist", params={"q": "Elsewhere"}).json()
    assert listing["total"] == 0 and worklist["total"] == 0
    with other_clinic.client(Role.COORDINATOR) as theirs:
        unchanged = theirs.get(f"/api/v1/episodes/{episode['id']}").json()
    assert unchanged["stage"] == "referral" and unchanged["version"] == episode["version"]


def test_a_refused_cross_clinic_read_is_audited_as_denied(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with other_clinic.client(Role.COORDINATOR) as theirs:
        patient = create_patient(theirs)
    with clinic.client(Role.PHYSICIAN) as ours:
        ours.get(f"/api/v1/patients/{patient['id']}")
    with clinic.client(Role.ADMIN) as admin:
        events = admin.get("/api/v1/audit-events", params={"per_page": 500}).json()["items"]
    denied = [e for e in events if e["outcome"] == "denied"]
    assert any(patient["id"] in (e["entity_id"] or "") for e in denied)
