"""The clinic's settings: an administrator sets the phone, address, locale and quiet hours the
patient's copies use, against the clinic's version; nobody else may."""

from __future__ import annotations

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.support import ClinicUsers


def test_an_administrator_sets_how_patients_reach_the_clinic(clinic: ClinicUsers) -> None:
    with clinic.client(Role.ADMIN) as admin:
        before = admin.get("/api/v1/clinic")
        saved = admin.patch(
            "/api/v1/clinic",
            json={
                "phone": "+1 (312) 555-0147",
                "address": "200 Lake Street, Chicago, IL 60601",
                "locale": "en-US",
                "quiet_hours_start": "20:30",
                "quiet_hours_end": "08:00",
            },
            headers={"If-Match": before.headers["ETag"]},
        )
        trail = admin.get("/api/v1/audit-events", params={"per_page": 100}).json()["items"]
    with clinic.client(Role.NURSE) as nurse:
        seen = nurse.get("/api/v1/clinic").json()
    assert before.status_code == 200
    assert (before.json()["quiet_hours_start"], before.json()["phone"]) == ("21:00", None)
    assert saved.status_code == 200, saved.text
    assert saved.headers["ETag"] == f'"v{before.json()["version"] + 1}"'
    assert seen["phone"] == "+1 (312) 555-0147"
    assert (seen["quiet_hours_start"], seen["quiet_hours_end"]) == ("20:30", "08:00")
    [event] = [e for e in trail if e["entity_type"] == "clinic"]
    assert event["detail"]["fields"] == [
        "address", "locale", "phone", "quiet_hours_end", "quiet_hours_start"
    ]  # fmt: skip


def test_a_field_left_out_is_kept_and_null_clears_the_phone(clinic: ClinicUsers) -> None:
    with clinic.client(Role.ADMIN) as admin:
        first = admin.patch("/api/v1/clinic", json={"phone": "312 555 0100", "version": 1})
        cleared = admin.patch("/api/v1/clinic", json={"phone": None, "version": 2})
    assert first.status_code == 200, first.text
    assert cleared.json()["phone"] is None
    assert cleared.json()["quiet_hours_start"] == "21:00"  # never sent: kept


def test_bad_settings_name_each_field_and_change_nothing(clinic: ClinicUsers) -> None:
    with clinic.client(Role.ADMIN) as admin:
        refused = admin.patch(
            "/api/v1/clinic",
            json={
                "phone": "call us",
                "locale": "English please",
                "quiet_hours_start": "25:00",
                "quiet_hours_end": None,
                "version": 1,
            },
        )
        after = admin.get("/api/v1/clinic").json()
    assert refused.status_code == 422
    assert set(error_fields(refused)) == {
        "phone", "locale", "quiet_hours_start", "quiet_hours_end"
    }  # fmt: skip
    assert (after["version"], after["phone"], after["quiet_hours_start"]) == (1, None, "21:00")


def test_a_stale_or_missing_version_is_refused(clinic: ClinicUsers) -> None:
    with clinic.client(Role.ADMIN) as admin:
        first = admin.patch("/api/v1/clinic", json={"phone": "312 555 0100", "version": 1})
        stale = admin.patch("/api/v1/clinic", json={"phone": "312 555 0199", "version": 1})
        missing = admin.patch("/api/v1/clinic", json={"phone": "312 555 0199"})
        after = admin.get("/api/v1/clinic").json()
    assert (first.status_code, stale.status_code, missing.status_code) == (200, 409, 428)
    assert after["phone"] == "312 555 0100"


def test_only_an_administrator_changes_the_settings(clinic: ClinicUsers) -> None:
    for role in (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR, Role.QUALITY_LEAD):
        with clinic.client(role) as client:
            answer = client.patch("/api/v1/clinic", json={"phone": "312 555 0100", "version": 1})
        assert answer.status_code == 403, role


def test_each_clinic_sees_and_changes_only_its_own(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with clinic.client(Role.ADMIN) as admin:
        admin.patch("/api/v1/clinic", json={"phone": "312 555 0100", "version": 1})
    with other_clinic.client(Role.ADMIN) as other:
        theirs = other.get("/api/v1/clinic").json()
    assert theirs["slug"] == other_clinic.slug
    assert theirs["phone"] is None
