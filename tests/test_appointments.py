"""One schedule: appointments booked where the work happens, read by the plan and follow-up."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, error_fields, open_episode
from tests.follow_up.helpers import contact, discharged_episode, follow_up
from tests.support import ClinicUsers

CHICAGO = ZoneInfo("America/Chicago")
# A preparation plan with no times of its own: they come from the procedure's booking.
PLAN_INPUT: dict[str, Any] = {
    "edition": "sir-2019",
    "creatinine_clearance_ml_min": 70,
    "medications": [{"name": "Lipitor 20 mg", "frequency": "once daily", "dose_times": ["21:00"]}],
    "labs": {"inr": 1.0, "platelets_10e9_per_l": 230, "hemoglobin_g_dl": 13.1},
}


def _book(client: httpx.Client, episode_id: str, **body: Any) -> httpx.Response:
    return client.post(f"/api/v1/episodes/{episode_id}/appointments", json=body)


def _in_days(days: int, hour: int = 10) -> datetime:
    day = datetime.now(CHICAGO).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 30, tzinfo=CHICAGO)


def test_booking_the_consultation_closes_its_task_and_gives_a_calendar_file(
    clinic: ClinicUsers,
) -> None:
    starts = _in_days(5)
    with clinic.client(Role.COORDINATOR) as client:
        coordinator_id = client.get("/api/v1/me").json()["id"]
        episode = open_episode(client, create_patient(client)["id"])
        answer = _book(
            client,
            episode["id"],
            kind="consultation",
            starts_at=starts.isoformat(),
            place="Spine clinic, room 4",
            with_whom="Dr Rivera",
        )
        assert answer.status_code == 201, answer.text
        booked = answer.json()
        listed = client.get(f"/api/v1/episodes/{episode['id']}/appointments").json()
        tasks = client.get(f"/api/v1/episodes/{episode['id']}").json()["tasks"]
        ics = client.get(f"/api/v1/appointments/{booked['id']}.ics")
    assert [a["id"] for a in listed] == [booked["id"]]
    [task] = [t for t in tasks if t["code"] == "book_consultation"]
    assert (task["status"], task["completed_by_id"]) == ("done", coordinator_id)
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.headers["cache-control"] == "no-store"
    [event] = Calendar.from_ical(ics.content).walk("VEVENT")
    assert event.decoded("dtstart") == starts
    assert str(event["summary"]) == "Visit with the spine team"
    assert str(event["location"]) == "Spine clinic, room 4"


def test_bad_bookings_name_each_field_and_keep_nothing(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client)["id"])
        bad = _book(
            client,
            episode["id"],
            kind="massage",
            starts_at="2027-01-05T10:30:00",
            duration_minutes=1,
        )
        listed = client.get(f"/api/v1/episodes/{episode['id']}/appointments").json()
    assert bad.status_code == 422
    assert error_fields(bad) == {"kind", "starts_at", "duration_minutes"}
    assert listed == []


def test_another_clinic_cannot_see_or_move_an_appointment(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client)["id"])
        booked = _book(
            client, episode["id"], kind="imaging", starts_at=_in_days(3).isoformat()
        ).json()
    with other_clinic.client(Role.COORDINATOR) as stranger:
        seen = stranger.get(f"/api/v1/appointments/{booked['id']}.ics")
        moved = stranger.patch(f"/api/v1/appointments/{booked['id']}", json={"cancel": True})
    assert (seen.status_code, moved.status_code) == (404, 404)


def test_the_preparation_plan_takes_the_procedure_time_from_the_booking(
    clinic: ClinicUsers,
) -> None:
    starts = _in_days(12, hour=8)
    with clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client)["id"])
        booked = _book(
            client,
            episode["id"],
            kind="procedure",
            starts_at=starts.isoformat(),
            duration_minutes=45,
            place="Interventional radiology",
        )
        assert booked.status_code == 201, booked.text
        saved = client.post(
            f"/api/v1/episodes/{episode['id']}/preparation",
            json=PLAN_INPUT,
        )
    assert saved.status_code in (200, 201), saved.text
    inputs = saved.json()["inputs"]
    assert datetime.fromisoformat(inputs["procedure_start"]) == starts
    assert datetime.fromisoformat(inputs["procedure_end"]) == starts + timedelta(minutes=45)


def test_a_booked_follow_up_visit_moves_the_planned_visit_and_closes_the_booking_task(
    clinic: ClinicUsers,
) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.COORDINATOR) as client:
        before = contact(follow_up(client, episode["id"]), "week_2")
        visit = datetime.fromisoformat(f"{before['due_date']}T09:00:00").replace(
            tzinfo=CHICAGO
        ) + timedelta(days=3)
        answer = _book(client, episode["id"], kind="follow_up", starts_at=visit.isoformat())
        assert answer.status_code == 201, answer.text
        after = contact(follow_up(client, episode["id"]), "week_2")
        tasks = client.get(f"/api/v1/episodes/{episode['id']}").json()["tasks"]
    assert after["due_date"] == visit.date().isoformat()
    assert [t["status"] for t in tasks if t["code"] == "book_follow_up"] == ["done"]


def test_an_appointment_is_moved_or_cancelled_against_its_version(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client)["id"])
        booked = _book(
            client, episode["id"], kind="consultation", starts_at=_in_days(4).isoformat()
        ).json()
        moved = client.patch(
            f"/api/v1/appointments/{booked['id']}",
            json={"starts_at": _in_days(6).isoformat(), "version": booked["version"]},
        )
        stale = client.patch(
            f"/api/v1/appointments/{booked['id']}",
            json={"cancel": True, "version": booked["version"]},
        )
        cancelled = client.patch(
            f"/api/v1/appointments/{booked['id']}",
            json={"cancel": True, "version": moved.json()["version"]},
        )
    assert moved.status_code == 200, moved.text
    assert stale.status_code == 409
    assert cancelled.json()["status"] == "cancelled"


def _procedure_with_signed_plan(
    client: httpx.Client, starts: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An episode with its procedure booked for ``starts`` and a plan signed for that time."""
    episode = open_episode(client, create_patient(client)["id"])
    booked = _book(client, episode["id"], kind="procedure", starts_at=starts.isoformat()).json()
    saved = client.post(
        f"/api/v1/episodes/{episode['id']}/preparation",
        json=PLAN_INPUT,
    ).json()
    signed = client.post(
        f"/api/v1/episodes/{episode['id']}/preparation/sign",
        json={"version": saved["version"], "note": "Reviewed"},
    )
    assert signed.status_code == 200, signed.text
    return episode, booked


def test_moving_the_procedure_sends_its_signed_plan_back_to_review(clinic: ClinicUsers) -> None:
    starts = _in_days(12, hour=8)
    with clinic.client(Role.PHYSICIAN) as client:
        episode, booked = _procedure_with_signed_plan(client, starts)
        moved = client.patch(
            f"/api/v1/appointments/{booked['id']}",
            json={"starts_at": (starts + timedelta(days=2)).isoformat(), "version": 1},
        )
        assert moved.status_code == 200, moved.text
        plan = client.get(f"/api/v1/episodes/{episode['id']}/preparation").json()
    assert plan["status"] == "needs_review"
    assert "the procedure was booked for" in plan["review_reason"]


def test_saving_the_same_time_again_changes_nothing_the_plan_follows(clinic: ClinicUsers) -> None:
    starts = _in_days(12, hour=8)
    with clinic.client(Role.PHYSICIAN) as client:
        episode, booked = _procedure_with_signed_plan(client, starts)
        # A form sends every field: the same time (in another zone's notation) and a new room.
        resent = client.patch(
            f"/api/v1/appointments/{booked['id']}",
            json={
                "starts_at": starts.astimezone(ZoneInfo("UTC")).isoformat(),
                "place": "Room 2",
                "version": booked["version"],
            },
        )
        plan = client.get(f"/api/v1/episodes/{episode['id']}/preparation").json()
    with clinic.client(Role.ADMIN) as admin:
        trail = admin.get(
            "/api/v1/audit-events", params={"patient_id": plan["patient_id"], "per_page": 100}
        ).json()["items"]
    assert resent.status_code == 200, resent.text
    assert resent.json()["place"] == "Room 2"
    assert plan["status"] == "signed"
    [update] = [e for e in trail if e["entity_type"] == "appointment" and e["action"] == "update"]
    assert update["detail"]["fields"] == ["place"]
