"""Registering and editing patients: validation, unique MRN, versions."""

from __future__ import annotations

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, error_fields, patient_payload
from tests.support import ClinicUsers


def test_register_and_read_back_a_patient(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        made = create_patient(client, mrn="A-100")
        read = client.get(f"/api/v1/patients/{made['id']}")
    assert read.status_code == 200
    assert read.json() == made
    assert read.headers["etag"] == '"v1"'


def test_every_invalid_field_is_named_and_nothing_is_saved(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            "/api/v1/patients",
            json=patient_payload(
                mrn="",
                birth_date="2990-01-01",
                sex="robot",
                email="not-an-email",
                phone="call me",
                family_name=...,
            ),
        )
        listing = client.get("/api/v1/patients").json()
    assert answer.status_code == 422
    assert error_fields(answer) == {"mrn", "birth_date", "sex", "email", "phone", "family_name"}
    assert listing["total"] == 0


def test_unknown_fields_are_refused_not_ignored(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post("/api/v1/patients", json=patient_payload(favourite_colour="blue"))
    assert answer.status_code == 422 and error_fields(answer) == {"favourite_colour"}


def test_mrn_is_unique_within_a_clinic_but_not_across_clinics(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        create_patient(client, mrn="SAME-1")
        again = client.post("/api/v1/patients", json=patient_payload(mrn="SAME-1"))
    assert again.status_code == 422 and error_fields(again) == {"mrn"}
    with other_clinic.client(Role.COORDINATOR) as client:
        create_patient(client, mrn="SAME-1")


def test_edit_with_the_current_version_succeeds_and_bumps_it(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        made = create_patient(client)
        edited = client.patch(
            f"/api/v1/patients/{made['id']}",
            json={"phone": "555-0199"},
            headers={"If-Match": '"v1"'},
        )
    assert edited.status_code == 200
    assert edited.json()["phone"] == "555-0199" and edited.json()["version"] == 2
    assert edited.headers["etag"] == '"v2"'


def test_a_stale_edit_is_refused_and_changes_nothing(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as first, clinic.client(Role.COORDINATOR) as second:
        made = create_patient(first)
        url = f"/api/v1/patients/{made['id']}"
        assert first.patch(url, json={"given_name": "Hal", "version": 1}).status_code == 200
        stale_header = second.patch(
            url, json={"given_name": "Hattie"}, headers={"If-Match": '"v1"'}
        )
        stale_body = second.patch(url, json={"given_name": "Hattie", "version": 1})
        current = second.get(url).json()
    assert stale_header.status_code == 412
    assert stale_body.status_code == 409
    assert "changed since you loaded it" in stale_body.json()["detail"]
    assert current["given_name"] == "Hal" and current["version"] == 2


def test_an_edit_without_a_version_is_refused(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        made = create_patient(client)
        answer = client.patch(f"/api/v1/patients/{made['id']}", json={"given_name": "X"})
        malformed = client.patch(
            f"/api/v1/patients/{made['id']}", json={"given_name": "X"}, headers={"If-Match": "3"}
        )
    assert answer.status_code == 428
    assert malformed.status_code == 422 and error_fields(malformed) == {"If-Match"}


def test_required_fields_cannot_be_blanked_by_an_edit(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        made = create_patient(client)
        answer = client.patch(
            f"/api/v1/patients/{made['id']}", json={"family_name": None, "sex": None, "version": 1}
        )
        current = client.get(f"/api/v1/patients/{made['id']}").json()
    assert answer.status_code == 422 and error_fields(answer) == {"family_name", "sex"}
    assert current["family_name"] == "Hoeger" and current["version"] == 1


def test_search_by_name_or_mrn_is_paginated(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        for number in range(7):
            create_patient(client, family_name=f"Searchable{number}", mrn=f"S-{number}")
        first = client.get("/api/v1/patients", params={"q": "searchable", "per_page": 5}).json()
        second = client.get(
            "/api/v1/patients", params={"q": "searchable", "per_page": 5, "page": 2}
        ).json()
        by_mrn = client.get("/api/v1/patients", params={"q": "s-3"}).json()
    assert first["total"] == 7 and len(first["items"]) == 5 and len(second["items"]) == 2
    assert {p["mrn"] for p in by_mrn["items"]} == {"S-3"}
