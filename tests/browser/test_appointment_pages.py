"""Booking an appointment in Chromium: the schedule lists it and its task closes itself."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, open_episode
from tests.browser.conftest import log_in
from tests.support import ClinicUsers

pytestmark = pytest.mark.browser


def test_a_coordinator_books_the_consultation_and_its_task_is_done(
    page: Page, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client, family_name="Booker")["id"])
    log_in(page, web_clinic, Role.COORDINATOR, f"/episodes/{episode['id']}/appointments")
    expect(page.locator("#no-appointments")).to_be_visible()
    day = date.today() + timedelta(days=6)
    page.get_by_label("What").select_option("consultation")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Where").fill("Spine clinic, room 4")
    page.get_by_label("With whom").fill("Dr Rivera")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status")).to_contain_text("Booked")
    row = page.locator("#appointments tbody tr")
    expect(row).to_contain_text("Consultation")
    expect(row).to_contain_text("10:30")
    expect(row).to_contain_text("Dr Rivera")
    with web_clinic.client(Role.COORDINATOR) as client:
        tasks = client.get(f"/api/v1/episodes/{episode['id']}").json()["tasks"]
    assert [t["status"] for t in tasks if t["code"] == "book_consultation"] == ["done"]


def test_a_booking_without_a_time_names_the_field_and_keeps_nothing(
    page: Page, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client, family_name="Timeless")["id"])
    log_in(page, web_clinic, Role.COORDINATOR, f"/episodes/{episode['id']}/appointments")
    page.get_by_label("What").select_option("imaging")
    page.get_by_label("Date").fill("not a date")
    page.evaluate(
        "document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))"
    )
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("alert")).to_contain_text("starts at")
    expect(page.locator("#no-appointments")).to_be_visible()


def _booked_consultation(web_clinic: ClinicUsers, family_name: str) -> tuple[str, dict[str, Any]]:
    day = date.today() + timedelta(days=8)
    with web_clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client, family_name=family_name)["id"])
        zone = client.get("/api/v1/me").json()["clinic_time_zone"]
        starts = datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo(zone))
        booked = client.post(
            f"/api/v1/episodes/{episode['id']}/appointments",
            json={"kind": "consultation", "starts_at": starts.isoformat(), "place": "Room 4"},
        )
        assert booked.status_code == 201, booked.text
    return episode["id"], booked.json()


def test_a_coordinator_moves_an_appointment_and_the_schedule_shows_the_new_time(
    page: Page, web_clinic: ClinicUsers
) -> None:
    episode_id, booked = _booked_consultation(web_clinic, "Mover")
    log_in(page, web_clinic, Role.COORDINATOR, f"/episodes/{episode_id}/appointments")
    page.get_by_role("link", name="Change the consultation").click()
    expect(page.get_by_label("Time")).to_have_value("09:00")
    expect(page.get_by_label("Where")).to_have_value("Room 4")
    page.get_by_label("Time").fill("14:15")
    page.get_by_label("Where").fill("Room 7")
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_role("status")).to_contain_text("Changed")
    row = page.locator(f"#appointment-{booked['id']}")
    expect(row).to_contain_text("14:15")
    expect(row).to_contain_text("Room 7")
    with web_clinic.client(Role.COORDINATOR) as client:
        [now] = client.get(f"/api/v1/episodes/{episode_id}/appointments").json()
    assert (now["place"], now["version"]) == ("Room 7", booked["version"] + 1)


def test_a_change_made_meanwhile_is_not_overwritten(page: Page, web_clinic: ClinicUsers) -> None:
    episode_id, booked = _booked_consultation(web_clinic, "Racer")
    log_in(page, web_clinic, Role.COORDINATOR, f"/appointments/{booked['id']}/change")
    with web_clinic.client(Role.COORDINATOR) as client:  # someone else moves it first
        moved = client.patch(
            f"/api/v1/appointments/{booked['id']}",
            json={"place": "Room 9", "version": booked["version"]},
        )
        assert moved.status_code == 200, moved.text
    page.get_by_label("Where").fill("Room 1")
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_role("alert")).to_contain_text("changed")
    with web_clinic.client(Role.COORDINATOR) as client:
        [now] = client.get(f"/api/v1/episodes/{episode_id}/appointments").json()
    assert now["place"] == "Room 9"


def test_a_blank_length_is_named_and_nothing_changes(page: Page, web_clinic: ClinicUsers) -> None:
    episode_id, booked = _booked_consultation(web_clinic, "Blank")
    log_in(page, web_clinic, Role.COORDINATOR, f"/appointments/{booked['id']}/change")
    page.evaluate(
        "document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))"
    )
    page.get_by_label("Length in minutes").fill("")
    page.get_by_label("Where").fill("Room 2")
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_role("alert")).to_contain_text("duration")
    expect(page.get_by_label("Where")).to_have_value("Room 2")  # what was typed is kept
    with web_clinic.client(Role.COORDINATOR) as client:
        [now] = client.get(f"/api/v1/episodes/{episode_id}/appointments").json()
    assert (now["place"], now["version"]) == ("Room 4", booked["version"])
