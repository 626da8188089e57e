"""Logging in, tokens, and who may do what."""

from __future__ import annotations

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient
from tests.support import PASSWORD, ClinicUsers, LiveServer


def test_health_answers_without_login(server: LiveServer) -> None:
    with server.client() as client:
        answer = client.get("/api/v1/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok" and answer.json()["database"] == "ok"


def test_a_token_is_issued_for_the_right_password_only(clinic: ClinicUsers) -> None:
    with clinic.server.client() as client:
        good = client.post(
            "/api/v1/auth/token",
            json={"username": clinic.username(Role.NURSE), "password": PASSWORD},
        )
        bad = client.post(
            "/api/v1/auth/token",
            json={"username": clinic.username(Role.NURSE), "password": "wrong-password!"},
        )
        nobody = client.post(
            "/api/v1/auth/token", json={"username": "no.such.user", "password": PASSWORD}
        )
    assert good.status_code == 200 and good.json()["token_type"] == "bearer"
    assert bad.status_code == 401 and nobody.status_code == 401
    assert bad.json()["detail"] == nobody.json()["detail"]  # no hint which part was wrong
    assert bad.headers["www-authenticate"] == "Bearer"


def test_patient_routes_need_a_token(server: LiveServer) -> None:
    with server.client() as client:
        assert client.get("/api/v1/patients").status_code == 401
        assert client.get("/api/v1/worklist").status_code == 401
    with server.client("not-a-real-token") as client:
        assert client.get("/api/v1/patients").status_code == 401


def test_a_revoked_token_stops_working(clinic: ClinicUsers) -> None:
    token = clinic.token(Role.COORDINATOR)
    with clinic.server.client(token) as client:
        assert client.get("/api/v1/me").status_code == 200
        assert client.delete("/api/v1/auth/token").status_code == 204
        assert client.get("/api/v1/me").status_code == 401


def test_me_names_the_user_roles_and_clinic(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        me = client.get("/api/v1/me").json()
    assert me["roles"] == ["physician"]
    assert me["clinic_time_zone"] == "America/Chicago"


def test_quality_lead_reads_but_cannot_change_patients(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as coordinator:
        patient = create_patient(coordinator)
    with clinic.client(Role.QUALITY_LEAD) as quality:
        assert quality.get(f"/api/v1/patients/{patient['id']}").status_code == 200
        refused = quality.patch(
            f"/api/v1/patients/{patient['id']}", json={"given_name": "X", "version": 1}
        )
    assert refused.status_code == 403


def test_admin_manages_users_but_does_not_read_patients(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as coordinator:
        patient = create_patient(coordinator)
    with clinic.client(Role.ADMIN) as admin:
        assert admin.get(f"/api/v1/patients/{patient['id']}").status_code == 403
        made = admin.post(
            "/api/v1/users",
            json={
                "username": f"new.{clinic.slug}",
                "full_name": "New Nurse",
                "password": "long-enough-pass",
                "roles": ["nurse"],
            },
        )
    assert made.status_code == 201 and made.json()["roles"] == ["nurse"]


def test_only_admins_create_users(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as physician:
        answer = physician.post(
            "/api/v1/users",
            json={
                "username": f"sneaky.{clinic.slug}",
                "full_name": "X",
                "password": "long-enough-pass",
                "roles": ["admin"],
            },
        )
    assert answer.status_code == 403


def test_new_user_input_errors_name_each_field(clinic: ClinicUsers) -> None:
    with clinic.client(Role.ADMIN) as admin:
        answer = admin.post(
            "/api/v1/users",
            json={"username": "Bad Name", "full_name": "", "password": "short", "roles": ["king"]},
        )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"username", "full_name", "password", "roles.0"} <= fields
